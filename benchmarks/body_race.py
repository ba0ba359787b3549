"""How the fine-tuning path's race for the unfrozen model's LR chooses, against what each candidate would have scored.

Until 2026-12-05 `smith_tune` on a frozen learner read the head's LR with a range test, trained the head, unfroze,
then raced short trials at the head's LR / 3, / 10 and / 30 and kept the lowest validation loss, then ran 2
weight-decay trials. On `fine_tune.py`'s vehicles check that race took the lowest candidate on half the seeds and
trailed Schedule-Free AdamW by 2.4 points. This script measured, per task and seed, what every candidate gives, so
that a rule could be judged before the package changed (it was run against that package, ba905ca):

1. `smith_tune(train=False)` with the race widened to the head's LR / 1, 3, 10, 30 and 100 (the trials of / 3, / 10
   and / 30 are the package's own; the two extra ones were left out of the budget so that the weight-decay stage ran
   as it did): every trial's validation loss, accuracy and per-item losses are kept;
2. the final training (`res.fit`, as `smith_tune(train=True)` runs it: the replay at the package's choice gives the
   package's run to the digit) at each of the five LRs, from the same pretrained weights and data order as
   `fine_tune.py`'s methods, scored on the task's test images;
3. (`longer --mult k`) the race's trials again, k times as long, to see how the trials' length moves the choice (the
   final runs do not depend on it);
4. (`replay`) the package as it is now, `smith_tune(train=False)` on each stored seed: which of the five it chooses
   (its head's LR and candidates are the stored ones), scored by the stored final run at that LR. Since 2026-12-06 the
   head phase is the final run's first (kept for it, not run again), so the race's trials have its room: 30 iterations
   instead of 20 on the vehicles, and the weight-decay trials yield to the race.

The weight decay is the one the earlier race led to (1e-2 on every seed but one). The package now races all five
with the from-scratch race's rule (the largest LR within noise of the lowest validation loss); at the default budget
its 5 trials take the room of the earlier 3 + 2, so the weight-decay trials are skipped unless the budget is raised.

    python benchmarks/body_race.py run [--seeds 10] [--tasks ...]   # appends to benchmarks/body_race.json (resumable)
    python benchmarks/body_race.py longer --mult 3 [--seeds 10]      # the trials k times as long, beside each stored seed
    python benchmarks/body_race.py replay [--seeds 10]               # the package's own choice now, beside each stored seed
    python benchmarks/body_race.py summary                           # each rule's choice and score against the peers
"""
import argparse, copy, json, sys, time, warnings
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))
warnings.filterwarnings('ignore')
import numpy as np
import fine_tune as F
import reproductions as R
import fastai_smith.tune as T
from fastai_smith.trials import Trial, pick_trial, trained

OUT = ROOT/'benchmarks'/'body_race.json'
DIVS = (1, 3, 10, 30, 100)   # the head's LR divided by these: the package's three and one step beyond each end
PKG = (3, 10, 30)            # the package's race

def runs(): return json.loads(OUT.read_text())['runs'] if OUT.exists() else []
def save(r): rs = runs() + [r]; OUT.write_text(json.dumps({'runs': rs})+'\n')   # (one line: the per-item losses are long)

def _record(t) -> dict:
    return dict(lr=float(t.lr_max if not isinstance(t.lr_max, list) else t.lr_max[0]), status=t.status, valid_loss=float(t.valid_loss),
                acc=float(t.metrics.get('accuracy', np.nan)), train_loss=float(t.train_loss), best_valid=float(t.best_valid), kinds=t.kinds,
                iters=t.iters, item_losses=t.item_losses)

def tune(task, seed, dls, mult:int=1):
    "smith_tune(train=False) with the race widened to `DIVS`; the extra trials do not count against the budget; `mult`: the unfrozen model's trials `mult` times as long"
    kept = {}
    orig_stage,orig_divs,orig_runner = T.lr_stage,T._body_divs,T.TrialRunner
    def runner(learn, *args, **kw):   # the unfrozen model's runner is the one made with keywords only
        if not args and mult>1: kw['epochs'] *= mult
        return orig_runner(learn, *args, **kw)
    def stage(r, cands, *args, **kw):
        s = orig_stage(r, cands, *args, **kw)
        kept['trials'] = [_record(t) for t in s.trials]
        pkg = [t for t,d in zip(s.trials, DIVS) if d in PKG]
        for t,d in zip(s.trials, DIVS):
            if d not in PKG: r.trials.remove(t)
        t,why = T.choose(pkg, None, kw.get('z', 2.), kw.get('min_gain', .01), None, ok=kw['ok'])   # the package's rule on its own three
        return T.StageResult('lr', t.lr_max, pkg, None, t, why, [], [c for c,d in zip(cands, DIVS) if d in PKG])
    T.lr_stage,T._body_divs,T.TrialRunner = stage,DIVS,runner
    try:
        learn = F.learner(task, seed, dls)
        R.order(learn, seed)
        res = learn.smith_tune(fit_epochs=F.E_BODY, freeze_epochs=F.E_HEAD, results=False, quiet=True, seed=seed, train=False)
    finally: T.lr_stage,T._body_divs,T.TrialRunner = orig_stage,orig_divs,orig_runner
    return res,kept['trials']

def final(task, seed, dls, test_dl, res, lr):
    "`res.fit` at the unfrozen LR `lr` from the pretrained weights and the seed's data order, as `smith_tune(train=True)` goes on after tuning (it puts every random state back): test and validation accuracy"
    learn = F.learner(task, seed, dls)
    R.order(learn, seed)
    r = copy.copy(res)
    r.lr_max = [float(lr)]*len(res.lr_max)
    with learn.no_bar(), learn.no_logging(): r.fit(learn, F.E_BODY)
    v = R.last(learn)   # (before `validate` on the test images resets the recorder)
    return R.test_acc(learn, test_dl),v

def _beside(tasks, seeds, key, f):
    "For each stored seed without `key`: `f(task, seed, dls, record)`, kept beside it under `key` (resumable)"
    for task in tasks:
        dls,_ = F.data(task)
        for seed in range(seeds):
            rs = runs()
            i = next((i for i,r in enumerate(rs) if r['task']==task and r['seed']==seed), None)
            if i is None or key in rs[i]: continue
            v = rs[i][key] = f(task, seed, dls, rs[i])
            OUT.write_text(json.dumps({'runs': rs})+'\n')
            print(task, seed, key, [round(t['valid_loss'], 4) for t in (v['trials'] if isinstance(v, dict) else v)], flush=True)

def longer(seeds, tasks, mult):
    "The race's trials again, `mult` times as long, beside each stored seed (the final runs do not depend on them)"
    _beside(tasks, seeds, f'trials_x{mult}', lambda task, seed, dls, r: tune(task, seed, dls, mult)[1])

def _replay(task, seed, dls, r) -> dict:
    "The package's choice now on a stored seed: which of the stored candidates it took, and its trials"
    learn = F.learner(task, seed, dls)
    R.order(learn, seed)
    res = learn.smith_tune(fit_epochs=F.E_BODY, freeze_epochs=F.E_HEAD, results=False, quiet=True, seed=seed, train=False)
    lr,cands = float(res.lr_max[0]),[t['lr'] for t in r['trials']]
    k = int(np.argmin([abs(np.log(lr/c)) for c in cands]))
    if abs(np.log(lr/cands[k]))>1e-3 or res.fine_tune['head_lr']!=r['head_lr']: raise RuntimeError(f"{task} seed {seed}: the head's LR or candidates moved")
    return dict(idx=k, trials=[_record(t) for t in res.stage_trials('lr')], tuning_epochs=res.settings.tuning_epochs)

def replay(seeds, tasks):
    "The package's choice as it is now, beside each stored seed (`replay`): the candidate it took, its trials and what that candidate's stored final run scored"
    _beside(tasks, seeds, 'replay', _replay)

def run(seeds, tasks):
    for task in tasks:
        dls,test_dl = F.data(task)
        done = {r['seed'] for r in runs() if r['task']==task}
        for seed in range(seeds):
            if seed in done: continue
            t0 = time.perf_counter()
            res,trials = tune(task, seed, dls)
            accs = [final(task, seed, dls, test_dl, res, t['lr']) for t in trials]
            r = dict(task=task, seed=seed, head_lr=res.fine_tune['head_lr'], chosen=float(res.lr_max[0]), wd=res.wd, trials=trials,
                     test_acc=[a for a,_ in accs], valid_acc=[v for _,v in accs], secs=round(time.perf_counter()-t0, 1))
            save(r)
            print({k:v for k,v in r.items() if k!='trials'}, [round(t['valid_loss'], 4) for t in trials], flush=True)

def _trial(d) -> Trial:
    "A stored trial as the package's `Trial`, for its own rules (`pick_trial`, `trained`)"
    return Trial(stage='lr', lr_max=d['lr'], status=d['status'], valid_loss=d['valid_loss'], item_losses=d['item_losses'],
                 diagnosis=[dict(kind=k) for k in d['kinds']])

def _pick(ts, divs, largest:bool) -> dict:
    "The stored trial among the candidates `divs` that the package's race rule takes (`largest`: the largest LR within noise of the best)"
    c = [(t, _trial(t)) for t,d in zip(ts, DIVS) if d in divs]
    o,_ = pick_trial([o for _,o in c], prefer=(lambda o: o.lr_max) if largest else None, ok=trained)
    return next(t for t,q in c if q is o)

def rule_lowest(ts, divs): return _pick(ts, divs, False)
def rule_largest(ts, divs): return _pick(ts, divs, True)
def rule_acc(ts, divs): return max((t for t,d in zip(ts, DIVS) if d in divs and trained(_trial(t))), key=lambda t: (t['acc'], -t['valid_loss']))
def rule_fixed(ts, divs): return ts[DIVS.index(divs[0])]

RULES = {'lowest of /3,/10,/30 (until 2026-12-05)': (rule_lowest, PKG), 'largest within noise of all five (the package)': (rule_largest, DIVS),
         'lowest of all five': (rule_lowest, DIVS), 'largest within noise of /3,/10,/30': (rule_largest, PKG),
         'best accuracy of /3,/10,/30': (rule_acc, PKG), 'always /3': (rule_fixed, (3,)), 'always /10': (rule_fixed, (10,)),
         'always /30': (rule_fixed, (30,))}
PEERS = ('fine_tune', 'sf_algoperf', 'prodigy', 'optuna')

def _acc(r, key, f, divs): return r['test_acc'][r[key].index(f(r[key], divs))]

def summary():
    peers = {(r['task'], r['method'], r['seed']): r['test_acc'] for r in F.runs()}
    for task in sorted({r['task'] for r in runs()}):
        rs = sorted((r for r in runs() if r['task']==task), key=lambda r: r['seed'])
        print(f"\n{task}: {len(rs)} seeds; test accuracy (%) at each candidate (the head's LR / {', '.join(map(str, DIVS))}), (the trial's validation loss)")
        for r in rs:
            print(f"  seed {r['seed']}: head {r['head_lr']:.1e}  " + '  '.join(f"{t['lr']:.1e}:{100*a:.1f} ({t['valid_loss']:.3f})" for t,a in zip(r['trials'], r['test_acc'])))
        for key in ('trials', 'trials_x2', 'trials_x3'):
            kr = [r for r in rs if key in r]
            if not kr: continue
            print(f"  rule, on the race's trials{'' if key=='trials' else ' ' + key[-1] + ' times as long'} ({len(kr)} seeds): mean; minus the earlier rule; minus each peer")
            old = np.array([_acc(r, key, rule_lowest, PKG) for r in kr])
            for name,(f,divs) in RULES.items():
                acc = np.array([_acc(r, key, f, divs) for r in kr])
                line = f"    {name:<48} {100*acc.mean():.1f}  {F.ci(acc-old) if f is not rule_lowest or divs!=PKG else '':<22}"
                for m in PEERS:
                    ss = [i for i,r in enumerate(kr) if (task, m, r['seed']) in peers]
                    if len(ss)>1: line += f"  {m} {F.ci(np.array([acc[i]-peers[(task, m, kr[i]['seed'])] for i in ss]))}"
                print(line)
        kr = [r for r in rs if 'replay' in r]
        if kr:
            acc,old = np.array([r['test_acc'][r['replay']['idx']] for r in kr]),np.array([_acc(r, 'trials', rule_largest, DIVS) for r in kr])
            line = f"  the package now (head phase kept, trials of {max(t['iters'] for t in kr[0]['replay']['trials'])} iterations, {len(kr)} seeds): {100*acc.mean():.1f}; minus the race of 2026-12-05 {F.ci(acc-old)}"
            for m in PEERS:
                ss = [i for i,r in enumerate(kr) if (task, m, r['seed']) in peers]
                if len(ss)>1: line += f"  {m} {F.ci(np.array([acc[i]-peers[(task, m, kr[i]['seed'])] for i in ss]))}"
            print(line)
        print(f"  {'the best of the five (hindsight)':<50} {100*np.mean([max(r['test_acc']) for r in rs]):.1f}")

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('what', choices=['run', 'longer', 'replay', 'summary'])
    p.add_argument('--mult', type=int, default=2, help="longer: the unfrozen model's trials this many times as long")
    p.add_argument('--seeds', type=int, default=10)
    p.add_argument('--tasks', nargs='+', default=['resnet20-vehicles-100', 'resnet18-cifar5-100'], choices=F.TASKS)
    a = p.parse_args()
    if a.what=='run': run(a.seeds, a.tasks)
    elif a.what=='longer': longer(a.seeds, a.tasks, a.mult)
    elif a.what=='replay': replay(a.seeds, a.tasks)
    else: summary()
