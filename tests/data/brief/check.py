#!/usr/bin/env python3
"""Structure check for an evaluation set: JSON, counts, ids, and that `pending` follows from `given`."""
import json, sys, os
HERE = os.path.dirname(os.path.abspath(__file__))
F = json.load(open(os.path.join(HERE, 'framework.json')))
Q = [q['id'] for q in F['questions']]
OPTS = {q['id']: [o['id'] for o in q['options']] for q in F['questions']}
ASK = {q['id']: q.get('ask_if', {}) for q in F['questions']}
FACTS = set(json.load(open(os.path.join(HERE, 'fact_ids.json'))))
def asked(q, ans):
    return all(ans.get(a) in v for a, v in ASK[q].items())
def pending(ans):
    for q in Q:
        if asked(q, ans) and q not in ans: return q
    return None
errs = []
def err(cid, m): errs.append(f"{cid}: {m}")
d = sys.argv[1]
want = {'answers.json': 130, 'commands.json': 40, 'knowledge.json': 60, 'conversations.json': 10}
for name, n in want.items():
    p = os.path.join(d, name)
    if not os.path.exists(p): err(name, 'missing'); continue
    try: data = json.load(open(p))
    except Exception as e: err(name, f'bad JSON: {e}'); continue
    cases = data.get('cases', [])
    if len(cases) != n: err(name, f'{len(cases)} cases, want {n}')
    ids = [c.get('id') for c in cases]
    if len(set(ids)) != len(ids): err(name, 'duplicate ids')
    for c in cases:
        cid = c.get('id', '?')
        if name == 'conversations.json':
            if not c.get('turns'): err(cid, 'no turns')
            ans = c.get('expect', {}).get('answers', {})
            for q, o in ans.items():
                if q not in OPTS: err(cid, f'unknown question {q}'); continue
                if o is not None and o not in OPTS[q]: err(cid, f'unknown option {q}={o}')
            if pending(ans) is not None: err(cid, f'answers leave {pending(ans)} unanswered')
            for q in ans:
                if q in OPTS and not asked(q, ans): err(cid, f'{q} answered but not asked')
            continue
        g = c.get('given', {})
        for q, o in g.items():
            if q not in OPTS: err(cid, f'unknown question {q} in given'); continue
            if o is not None and o not in OPTS[q]: err(cid, f'unknown option {q}={o}')
            if not asked(q, g): err(cid, f'{q} given but its ask_if fails')
        p = pending(g)
        want_p = c.get('pending')
        if p is None:
            if want_p not in ('review', 'done'): err(cid, f'all answered: pending must be review or done, not {want_p}')
        elif p != want_p: err(cid, f'pending must be {p}, not {want_p}')
        ex = c.get('expect', {})
        for q, o in ex.get('answers', {}).items():
            if q not in OPTS: err(cid, f'unknown question {q} in expect'); continue
            if o is not None and o not in OPTS[q]: err(cid, f'unknown option {q}={o}')
        for fid in ex.get('facts_first', []):
            if fid not in FACTS: err(cid, f'unknown fact {fid}')
        if 'target' in ex and ex['target'] not in OPTS: err(cid, f'unknown target {ex["target"]}')
print("\n".join(errs) if errs else "structure ok")
sys.exit(1 if errs else 0)
