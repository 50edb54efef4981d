#!/usr/bin/env python3
"""Fills each whole conversation's expected stack from its labelled answers: the answers are
given as if pressed, the review is confirmed, and the recommendation the engine gives is kept
(the recommendation logic is right when the buttons are pressed; the set tests the reading).

  fill_choice.py SETDIR [UNIT_TESTS]   (default build/test/tests/unit/unit_tests)"""
import json, os, re, subprocess, sys, tempfile

set_dir = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else 'build/test/tests/unit/unit_tests'
path = os.path.join(set_dir, 'conversations.json')
data = json.load(open(path))
work = tempfile.mkdtemp()
cases = [{"id": c['id'], "text": "confirm", "pending": "review", "given": c['expect']['answers'],
          # An answer no turn gives, so that every case reports what the turn said.
          "expect": {"answers": {"none": "none"}}} for c in data['cases']]
json.dump({"cases": cases}, open(os.path.join(work, 'answers.json'), 'w'))
out = subprocess.run([binary, '-tc=corpus: answers*'], capture_output=True, text=True,
                     env={**os.environ, 'ADVISOR_CORPUS_DIR': work}).stdout
stacks = {'Python': 'python', 'Node.js': 'nodejs'}
for c in data['cases']:
    m = re.search(r'MESSAGE: ' + re.escape(c['id']) + r' .*?My recommendation: ([^*]+)\*\*', out)
    said = m.group(1).strip() if m else None
    choice = stacks.get(said, 'hybrid' if said and said.startswith('Both') else None)
    print(c['id'], c.get('cell'), '->', said)
    if not choice:
        sys.exit(f"{c['id']}: no recommendation read; is the set's structure right (check.py)?")
    c['expect']['choice'] = choice
open(path, 'w').write(json.dumps(data, ensure_ascii=False, indent=1) + '\n')
