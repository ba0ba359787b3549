"""Schedule-free training's warm-up: the stored `smith_tune` choices retrained schedule-free with and without one.

Each record of `tune_quality.json` whose method is `a:nowarm` (`smith_tune` with its schedule trial, before the
schedule-free run warmed up) holds the choices of one task and seed: the schedule-free LR (`free_lr`) and the weight
decay. This retrains that final run with `fit_schedule_free` from the same initial weights and data order
(`tune_quality.py`'s `final`), at `m` times the LR, `wm` times the weight decay and a linear warm-up over `wu` of the
run, and scores it on the same validation split and test images. `1:1:0` reproduces the stored run exactly.
`--stored a` retrains today's (a) instead (10 seeds, warmed up: `1:1:0.1` reproduces it); `m` as `=v` trains at the
LR v on every seed, a fourth field sets Adam's `sqr_mom` (fastai's 0.99), and `--beta` the schedule-free interpolation:

    python benchmarks/free_warmup.py --tasks resnet20-sgd-8 resnet20-sgd-nomom-8 resnet20-adam-8 --cfgs 1:1:0.05 1:1:0.1 1:1:0.25
    python benchmarks/free_warmup.py --tasks cnn-adam-8 resnet20-adam-30 --cfgs 1:1:0.1
    python benchmarks/free_warmup.py --tasks resnet20-sgd-nomom-8 resnet20-sgd-8 --cfgs 1:1:0.1 3:1:0.1 --trial-batches 26
    python benchmarks/free_warmup.py --stored a --tasks resnet20-adam-8 --seeds 10 --cfgs 0.5:1:0.1 0.33:1:0.1 =0.0025:1:0.1 1:1:0.1:0.999
    python benchmarks/free_warmup.py --summary

With `--trial-batches B` each configuration instead trains one trial as `smith_tune` would with a seventh trial in its
budget (one epoch of B batches from the same initial weights, another data order) and records its validation loss on
every item of the validation split: would a short trial choose what the full run prefers? (`trials.jsonl`)

Every run is appended to `benchmarks/free_warmup.jsonl` as it ends; a rerun skips those already there.
"""
import argparse, json, os, random, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np
from fastai_smith.all import *
import sys; sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality_tasks import TASKS, task_learner, pts

ROOT = Path(__file__).resolve().parents[1]
p = argparse.ArgumentParser()
p.add_argument('--work', default='/tmp/fastai_smith_bench', help="tune_quality.py's folder (the CIFAR-10 folder and its split folders)")
p.add_argument('--tasks', nargs='+', default=['resnet20-sgd-8', 'resnet20-sgd-nomom-8', 'resnet20-adam-8', 'cnn-adam-8', 'resnet20-adam-30'])
p.add_argument('--cfgs', nargs='+', default=['1:1:0.1'], help="m:wm:wu, the LR and weight-decay multipliers and the warm-up fraction; m as '=v': the LR v itself, on every seed")
p.add_argument('--seeds', type=int, default=5)
p.add_argument('--trial-batches', type=int, default=None, help='train one-epoch trials of this many batches instead of the final run')
p.add_argument('--beta', type=float, default=0.9, help="schedule-free training's interpolation (`fit_schedule_free`'s beta; 0.9 is the tuner's)")
p.add_argument('--stored', default='a:nowarm', help="the records whose choices are retrained: 'a:nowarm' (seeds 0-4, without warm-up) or 'a' (today's tuner, 10 seeds)")
p.add_argument('--summary', action='store_true')
a = p.parse_args()
OUT = ROOT/'benchmarks'/('free_warmup_trials.jsonl' if a.trial_batches else 'free_warmup.jsonl')
TRIALS = ROOT/'benchmarks'/'free_warmup_trials.jsonl'
stored = [r for r in json.loads((ROOT/'benchmarks'/'tune_quality.json').read_text())['runs'] if r['method']==a.stored]
done = [json.loads(l) for l in OUT.read_text().splitlines()] if OUT.exists() else []
def summary():
    "Each configuration against the stored run it retrains and against Schedule-Free AdamW at its defaults, paired by seed"
    runs = json.loads((ROOT/'benchmarks'/'tune_quality.json').read_text())['runs']
    sf = {(r['task'],r['seed']):r['test_acc'] for r in runs if r['method']=='sf_default'}
    key = lambda d: (d.get('stored_method', 'a:nowarm'), d['m'], d['wm'], d['wu'], d.get('sqr_mom'), d.get('beta', 0.9))
    print('| task | stored run | m:wm:wu | seeds | test accuracy | minus the stored run | minus Schedule-Free AdamW, defaults |\n|---|---|---|---|---|---|---|')
    for t in a.tasks:
        for c in sorted({key(d) for d in done if d['task']==t}, key=str):
            ds = sorted((d for d in done if d['task']==t and key(d)==c), key=lambda d: d['seed'])
            ta,st = np.array([d['test_acc'] for d in ds]),np.array([d['stored'] for d in ds])
            sfd = np.array([d['test_acc']-sf[(t,d['seed'])] for d in ds if (t,d['seed']) in sf])  # the peers ran seeds 0-9 only
            sm = ('' if c[4] is None else f':{c[4]:g}') + ('' if c[5]==0.9 else f' beta {c[5]:g}')
            print(f"| {t} | {c[0]} | {c[1] if isinstance(c[1], str) else f'{c[1]:g}'}:{c[2]:g}:{c[3]:g}{sm} | {len(ds)} | {ta.mean():.4f} | {pts(ta-st)} | {pts(sfd)} |")
    tr = [json.loads(l) for l in TRIALS.read_text().splitlines()] if TRIALS.exists() else []
    if not tr: return
    print('\nShort trials: validation loss of each configuration minus the first, per seed (2 standard errors of the paired item losses)')
    for t in a.tasks:
        for d in (d for d in tr if d['task']==t):
            gaps = d.get('gaps') or {list(d['losses'])[1]: dict(gap=d['gap'], se=d['se'])}
            print(f"{t} seed {d['seed']} ({d.get('stored_method', 'a:nowarm')}), {d['batches']} batches: " + ', '.join(f"{k} {v:.4f}" for k,v in d['losses'].items())
                  + '; ' + ', '.join(f"{k} {g['gap']:+.4f} ({2*g['se']:.4f})" for k,g in gaps.items()))
if a.summary: summary(); raise SystemExit

def trial(t, seed, r, dls):
    "One-epoch schedule-free trials of `a.trial_batches` batches at each configuration from the same start, their per-item validation losses paired with the first's"
    if any(d['task']==t and d['seed']==seed and d['batches']==a.trial_batches and d.get('stored_method', 'a:nowarm')==a.stored
           and list(d['losses'])==a.cfgs for d in done): return
    ls = {}
    for c in a.cfgs:
        m,wm,wu = map(float, c.split(':'))
        learn = task_learner(t, seed, dls)
        set_seed(seed+7)
        for i,dl in enumerate(learn.dls.loaders): dl.rng = random.Random(seed+7+i)
        with learn.no_bar(), learn.no_logging():
            learn.fit_schedule_free(1, r['free_lr']*m, wd=r['best']['wd']*wm, warmup_pct=wu, cbs=ShortEpochCallback(a.trial_batches/len(dls.train), short_valid=False))
            ls[c] = learn.get_preds(with_loss=True)[2].numpy()
    ds = {c:ls[c]-ls[a.cfgs[0]] for c in a.cfgs[1:]}
    gaps = {c:dict(gap=float(d.mean()), se=float(d.std(ddof=1)/np.sqrt(len(d)))) for c,d in ds.items()}
    rec = dict(task=t, seed=seed, stored_method=a.stored, batches=a.trial_batches, losses={c:float(v.mean()) for c,v in ls.items()},
               gap=gaps[a.cfgs[1]]['gap'], se=gaps[a.cfgs[1]]['se'], gaps=gaps)
    done.append(rec)
    with open(OUT, 'a') as f: f.write(json.dumps(rec)+'\n')
    print(json.dumps(rec), flush=True)

for t in a.tasks:
    _,_,E,k,*_ = TASKS[t]
    tv,tt = Path(a.work)/f'tv{k}',Path(a.work)/f'tt{k}'
    if not (tt/'valid').exists(): raise SystemExit(f"{tt} is missing: run benchmarks/tune_quality.py first (it builds the split folders)")
    dls,test_dl = cifar_dls(tv, bs=32, seed=0),cifar_dls(tt, bs=32, seed=0).valid
    for seed in range(a.seeds):
        r = next((r for r in stored if r['task']==t and r['seed']==seed), None)
        if r is None: continue
        if a.trial_batches: trial(t, seed, r, dls); continue
        for c in a.cfgs:
            m,wm,wu,*sm = c.split(':')
            sm = float(sm[0]) if sm else None   # Adam's second-moment decay (sqr_mom) instead of fastai's 0.99
            fixed = m.startswith('=')   # '=v': the LR v on every seed; otherwise a multiplier of the stored LR
            lr = float(m[1:]) if fixed else r['free_lr']*float(m)
            m,wm,wu = (m if fixed else float(m)),float(wm),float(wu)
            if any(d['task']==t and d['seed']==seed and d.get('stored_method', 'a:nowarm')==a.stored and (d['m'], d['wm'], d['wu'], d.get('sqr_mom'), d.get('beta', 0.9))==(m, wm, wu, sm, a.beta) for d in done): continue
            learn = task_learner(t, seed, dls)   # the initial weights of tune_quality.py's seed, then its final run's data order
            if sm is not None: learn.opt_func = partial(learn.opt_func, sqr_mom=sm)
            set_seed(seed+1000)
            for i,dl in enumerate(learn.dls.loaders): dl.rng = random.Random(seed+1000+i)
            t0 = time.perf_counter()
            with learn.no_bar(), learn.no_logging(): learn.fit_schedule_free(E, lr, wd=r['best']['wd']*wm, warmup_pct=wu, beta=a.beta)
            va = float(learn.recorder.values[-1][2])
            with learn.no_bar(): ta = float(learn.validate(dl=test_dl)[1])
            d = dict(task=t, seed=seed, stored_method=a.stored, m=m, wm=wm, wu=wu, sqr_mom=sm, **({} if a.beta==0.9 else dict(beta=a.beta)), lr=lr, wd=r['best']['wd']*wm, valid_acc=va, test_acc=ta,
                     stored=r['test_acc'], secs=time.perf_counter()-t0)
            done.append(d)
            with open(OUT, 'a') as f: f.write(json.dumps(d)+'\n')
            print(json.dumps(d), flush=True)
summary()
