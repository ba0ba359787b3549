"""The quality goals of `smith_tune` against fastai's recipe and the peers, every task, from the stored runs.

Reads `tune_quality.json` (the five from-scratch tasks: `smith_tune` is method `a`, fastai's default recipe `c`) and
`fine_tune.json` (the four transfer tasks: `smith_tune` against fastai's `fine_tune`), pairs each method with
`smith_tune` by seed, and checks each goal on the paired differences of test accuracy (95% t intervals):

- fastai's recipe: `smith_tune` ahead by at least 1 point with the interval above zero, on every task;
- each peer (Prodigy, Schedule-Free AdamW at its AlgoPerf settings and at its defaults, an equal-compute Optuna
  search): ahead or level on the mean on every task, and the interval above zero on at least half the tasks;
- tuning compute at most one final run (epochs of the training set), on every task.

Nothing is trained: it prints what the stored runs say.

    python benchmarks/goals.py
"""
import json, sys
from pathlib import Path
import numpy as np
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))
from quality_tasks import TASKS, half95

PEERS = {'prodigy': 'Prodigy', 'sf_algoperf': 'Schedule-Free AdamW, AlgoPerf', 'sf_default': 'Schedule-Free AdamW, defaults',
         'optuna': 'Optuna, equal compute'}
FT_EPOCHS = 8   # fine_tune.py: 2 frozen epochs, then 6 unfrozen

def load():
    "{task: {method: {seed: (test accuracy, tuning compute as a fraction of the final run)}}}, both benchmarks"
    out = {}
    for r in json.loads((ROOT/'benchmarks'/'tune_quality.json').read_text())['runs']:
        m = {'a': 'smith_tune', 'c': 'default'}.get(r['method'], r['method'])
        out.setdefault(r['task'], {}).setdefault(m, {})[r['seed']] = (r['test_acc'], r.get('tune_epochs', 0)/TASKS[r['task']][2])
    for r in json.loads((ROOT/'benchmarks'/'fine_tune.json').read_text())['runs']:
        t = r.get('task', 'resnet20-vehicles')   # (fine_tune.py's first task wrote no task field)
        m = {'fine_tune': 'default'}.get(r['method'], r['method'])
        out.setdefault(t, {}).setdefault(m, {})[r['seed']] = (r['test_acc'], r.get('tuning_epochs', 0)/FT_EPOCHS)
    return out

def gap(runs, m):
    "smith_tune minus method `m`, paired by seed: (mean, low, high) in points, seeds"
    a,b = runs['smith_tune'],runs.get(m, {})
    d = np.array([a[s][0]-b[s][0] for s in sorted(set(a) & set(b))])
    if len(d) < 2: return None
    h = half95(d)
    return 100*d.mean(), 100*(d.mean()-h), 100*(d.mean()+h), len(d)

def fmt(g):
    "A gap as the tables write it, in bold where its interval excludes zero"
    if g is None: return ''
    b = '**' if g[1] > 0 or g[2] < 0 else ''
    return f"{b}{g[0]:+.2f} [{g[1]:+.2f}, {g[2]:+.2f}]{b}"

def goals(data) -> dict:
    """Each goal's verdict on `load()`'s runs, with the paired gaps (`gap`) and the tuning compute per task. Verdicts:
    'default' and 'compute': (met, the tasks where it fails); each peer: (met, the tasks where `smith_tune` is behind on
    the mean, on how many it is ahead beyond noise, on how many tasks the peer ran)"""
    tasks = list(dict.fromkeys(t for t in [*TASKS, *data] if 'smith_tune' in data.get(t, {})))   # the from-scratch tasks in their order, then the transfer ones
    gs = {t: {m: gap(data[t], m) for m in ['default', 'fine_tune_valley', *PEERS]} for t in tasks}
    short = [t for t in tasks if not (gs[t]['default'] and gs[t]['default'][0] >= 1 and gs[t]['default'][1] > 0)]
    out = {'default': (not short, short)}
    for m in PEERS:
        have = [t for t in tasks if gs[t][m]]
        behind,ahead = [t for t in have if gs[t][m][0] < 0],[t for t in have if gs[t][m][1] > 0]
        out[m] = (not behind and 2*len(ahead) >= len(have), behind, len(ahead), len(have))
    comp = {t: max(c for _,c in data[t]['smith_tune'].values()) for t in tasks}
    out['compute'] = (max(comp.values()) <= 1+1e-9, [t for t,c in comp.items() if c > 1+1e-9])
    return dict(tasks=tasks, gaps=gs, compute=comp, verdicts=out)

def main():
    g = goals(load())
    tasks,gs,v = g['tasks'],g['gaps'],g['verdicts']
    ms = ['default', 'fine_tune_valley', *PEERS]
    print('`smith_tune` minus each method, points of test accuracy, mean paired by seed [95% interval], bold where the interval excludes zero:\n')
    print("| task | seeds | fastai's recipe (`lr_find` valley and `fit_one_cycle`; `fine_tune`) | `fine_tune` at the valley | "
          + ' | '.join(PEERS.values()) + ' | tuning compute / final run |')
    print('|---|---|' + '---|'*(len(ms)+1))
    for t in tasks: print(f"| {t} | {gs[t]['default'][3]} | " + ' | '.join(fmt(gs[t][m]) for m in ms) + f" | {g['compute'][t]:.2f} |")
    word = lambda ok: 'met' if ok else 'NOT met'
    ok,bad = v['default']
    print(f"\nGoals:\n- fastai's recipe, +1 point with the interval above zero on every task: {len(tasks)-len(bad)} of {len(tasks)} tasks: {word(ok)}")
    for m,name in PEERS.items():
        ok,behind,ahead,n = v[m]
        where = ', '.join(f"{t} ({gs[t][m][0]:+.2f})" for t in behind)
        print(f"- {name}: ahead or level on the mean on {n-len(behind)} of {n} tasks, beyond noise on {ahead}: {word(ok)}"
              + (f"; behind on {where}" if behind else ''))
    ok,_ = v['compute']
    print(f"- tuning compute at most one final run: largest {max(g['compute'].values()):.2f}: {word(ok)}")

if __name__=='__main__': main()
