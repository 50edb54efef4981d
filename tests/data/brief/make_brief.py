#!/usr/bin/env python3
"""Writes the brief for a blind evaluation set, outside the repository, for a helper that may
read only the brief (and the source articles): the corpus format, the questions and options
without their synonyms, the facts and the points in dispute, the guide's nine cells.

  make_brief.py BRIEFDIR N OUTDIR "VOICE"

writes BRIEFDIR/evalN.md, BRIEFDIR/check.py (a structure check) and the two files it reads.
After the set is written, fill_choice.py fills in each conversation's expected stack."""
import json, os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
brief_dir, n, out_dir, voice = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(brief_dir, exist_ok=True)
f = json.load(open(os.path.join(ROOT, 'config', 'framework.json')))
k = json.load(open(os.path.join(ROOT, 'config', 'knowledge.json')))

out = ["## The framework: the questions, in asking order\n",
       "A question is asked only when its `ask_if` holds (the answer given to the named question "
       "is one of the listed options). Questions without `ask_if` are always asked. Every "
       "question can also be left open ('not sure', written as null). The advisor shows each "
       "question's options numbered in the order below, followed by one more, numbered last: "
       "'Not sure'. A user who answers by position counts in that list as shown: 'the last "
       "one' is 'Not sure' (null), 'the one before last' is the question's last option.\n"]
for q in f['questions']:
    cond = q.get('ask_if')
    cs = "always" if not cond else " and ".join(f"{a} is one of {v}" for a, v in cond.items())
    out.append(f"### `{q['id']}` ({q.get('short', '')}): \"{q['text']}\"\nAsked when: {cs}.\n")
    out += [f"- `{o['id']}`: {o['label']}" for o in q['options']]
    out.append("")
out.append("After the last question comes the review (pending `review`): the advisor lists the "
           "answers and asks the user to confirm or change them. After confirmation the "
           "recommendation is given (pending `done`).\n")
out.append("## The facts the advisor knows (id, stack, topic, claim)\n")
for x in k['facts']:
    fig = f" [figure: {x['figure']}]" if x.get('figure') else ""
    out.append(f"- `{x['id']}` ({x.get('tech', '')}, {x.get('topic', '')}): {x['claim']}{fig}")
out.append("\n## Points where the sources disagree (id: summary; the facts on each side)\n")
for c in k['contested']:
    sides = "; ".join(f"{s['position']}: {', '.join(s['facts'])}" for s in c['sides'])
    out.append(f"- `{c['id']}` ({c['topic']}): {c['summary']} Sides: {sides}")

head = open(os.path.join(HERE, 'head.md')).read()
head = (head.replace('set NN', f'set {n}').replace('OUTDIR', out_dir).replace('PFX', f'h{n}')
        .replace('BRIEFDIR', brief_dir).replace('THE VOICE: VOICE', f'The voice of this set: {voice}.'))
open(os.path.join(brief_dir, f'eval{n}.md'), 'w').write(head + "\n".join(out) + "\n")
json.dump({'questions': [{'id': q['id'], 'ask_if': q.get('ask_if', {}),
                          'options': [{'id': o['id']} for o in q['options']]} for q in f['questions']]},
          open(os.path.join(brief_dir, 'framework.json'), 'w'))
json.dump([x['id'] for x in k['facts']], open(os.path.join(brief_dir, 'fact_ids.json'), 'w'))
shutil.copy(os.path.join(HERE, 'check.py'), os.path.join(brief_dir, 'check.py'))
print(os.path.join(brief_dir, f'eval{n}.md'))
