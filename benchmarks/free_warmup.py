"""Schedule-free training's warm-up: the stored `smith_tune` choices retrained schedule-free with and without one.

Each record of `tune_quality.json` whose method is `a:nowarm` (`smith_tune` with its schedule trial, before the
schedule-free run warmed up) holds the choices of one task and seed: the schedule-free LR (`free_lr`) and the weight
decay. This retrains that final run with `fit_schedule_free` from the same initial weights and data order
(`tune_quality.py`'s `final`), at `m` times the LR, `wm` times the weight decay and a linear warm-up over `wu` of the
run, and scores it on the same validation split and test images. `1:1:0` reproduces the stored run exactly.

    python benchmarks/free_warmup.py --tasks resnet20-sgd-8 resnet20-sgd-nomom-8 resnet20-adam-8 --cfgs 1:1:0.05 1:1:0.1 1:1:0.25
    python benchmarks/free_warmup.py --tasks cnn-adam-8 resnet20-adam-30 --cfgs 1:1:0.1
    python benchmarks/free_warmup.py --tasks resnet20-sgd-nomom-8 resnet20-sgd-8 --cfgs 1:1:0.1 3:1:0.1 --trial-batches 26
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

ROOT = Path(__file__).resolve().parents[1]
p = argparse.ArgumentParser()
p.add_argument('--work', default='/tmp/fastai_smith_bench', help="tune_quality.py's folder (the CIFAR-10 folder and its split folders)")
p.add_argument('--tasks', nargs='+', default=['resnet20-sgd-8', 'resnet20-sgd-nomom-8', 'resnet20-adam-8', 'cnn-adam-8', 'resnet20-adam-30'])
p.add_argument('--cfgs', nargs='+', default=['1:1:0.1'], help='m:wm:wu, the LR and weight-decay multipliers and the warm-up fraction')
p.add_argument('--seeds', type=int, default=5)
p.add_argument('--trial-batches', type=int, default=None, help='train one-epoch trials of this many batches instead of the final run')
p.add_argument('--summary', action='store_true')
a = p.parse_args()
OUT = ROOT/'benchmarks'/('free_warmup_trials.jsonl' if a.trial_batches else 'free_warmup.jsonl')
TRIALS = ROOT/'benchmarks'/'free_warmup_trials.jsonl'
# name: (optimizer, epochs, training images per class), as tune_quality.py's TASKS (batch size 32 on every task)
TASKS = {'resnet20-adam-8': ('adam', 8, 100), 'resnet20-sgd-8': ('sgdm', 8, 100), 'resnet20-sgd-nomom-8': ('sgd', 8, 100),
         'cnn-adam-8': ('adam', 8, 100), 'resnet20-adam-30': ('adam', 30, 40)}
stored = [r for r in json.loads((ROOT/'benchmarks'/'tune_quality.json').read_text())['runs'] if r['method']=='a:nowarm']
done = [json.loads(l) for l in OUT.read_text().splitlines()] if OUT.exists() else []
T95 = {1:12.71, 2:4.30, 3:3.18, 4:2.78, 5:2.57, 6:2.45, 7:2.36, 8:2.31, 9:2.26}

def ci(d):
    "Mean paired difference and its 95% t interval, in points"
    h = T95.get(len(d)-1, 1.96)*d.std(ddof=1)/np.sqrt(len(d)) if len(d)>1 else float('nan')
    return f"{d.mean()*100:+.2f} [{(d.mean()-h)*100:+.2f}, {(d.mean()+h)*100:+.2f}]"

def summary():
    "Each configuration against the stored run (no warm-up) and against Schedule-Free AdamW at its defaults, paired by seed"
    runs = json.loads((ROOT/'benchmarks'/'tune_quality.json').read_text())['runs']
    sf = {(r['task'],r['seed']):r['test_acc'] for r in runs if r['method']=='sf_default'}
    print('| task | m:wm:wu | seeds | test accuracy | minus the stored run (no warm-up) | minus Schedule-Free AdamW, defaults |\n|---|---|---|---|---|---|')
    for t in a.tasks:
        for c in sorted({(d['m'], d['wm'], d['wu']) for d in done if d['task']==t}):
            ds = sorted((d for d in done if d['task']==t and (d['m'], d['wm'], d['wu'])==c), key=lambda d: d['seed'])
            ta,st = np.array([d['test_acc'] for d in ds]),np.array([d['stored'] for d in ds])
            print(f"| {t} | {c[0]:g}:{c[1]:g}:{c[2]:g} | {len(ds)} | {ta.mean():.4f} | {ci(ta-st)} | {ci(ta-np.array([sf[(t,d['seed'])] for d in ds]))} |")
    tr = [json.loads(l) for l in TRIALS.read_text().splitlines()] if TRIALS.exists() else []
    if not tr: return
    print('\nShort trials: validation loss of the second configuration minus the first, per seed (2 standard errors of the paired item losses)')
    for t in a.tasks:
        for d in (d for d in tr if d['task']==t):
            print(f"{t} seed {d['seed']}, {d['batches']} batches: " + ', '.join(f"{k} {v:.4f}" for k,v in d['losses'].items()) + f"; {d['gap']:+.4f} ({2*d['se']:.4f})")
if a.summary: summary(); raise SystemExit

def cnn(n_out=10):
    "tune_quality.py's plain CNN"
    return nn.Sequential(ConvLayer(3, 32), ConvLayer(32, 64, stride=2), ConvLayer(64, 128, stride=2), ConvLayer(128, 256, stride=2),
                         nn.AdaptiveAvgPool2d(1), Flatten(), nn.Linear(256, n_out))

def learner(t, seed, dls, of):
    "The task's model with the seed's initial weights (tune_quality.py's `learner`)"
    set_seed(seed)
    return Learner(dls, cnn(), opt_func=of, metrics=accuracy) if t.startswith('cnn') else cifar_learner(dls, 'resnet20', opt_func=of)

def trial(t, seed, r, dls, of):
    "One-epoch schedule-free trials of `a.trial_batches` batches at each configuration from the same start, their per-item validation losses paired"
    if any(d['task']==t and d['seed']==seed and d['batches']==a.trial_batches for d in done): return
    ls = {}
    for c in a.cfgs:
        m,wm,wu = map(float, c.split(':'))
        learn = learner(t, seed, dls, of)
        set_seed(seed+7)
        for i,dl in enumerate(learn.dls.loaders): dl.rng = random.Random(seed+7+i)
        with learn.no_bar(), learn.no_logging():
            learn.fit_schedule_free(1, r['free_lr']*m, wd=r['best']['wd']*wm, warmup_pct=wu, cbs=ShortEpochCallback(a.trial_batches/len(dls.train), short_valid=False))
            ls[c] = learn.get_preds(with_loss=True)[2].numpy()
    d = ls[a.cfgs[1]]-ls[a.cfgs[0]]
    rec = dict(task=t, seed=seed, batches=a.trial_batches, losses={c:float(v.mean()) for c,v in ls.items()}, gap=float(d.mean()), se=float(d.std(ddof=1)/np.sqrt(len(d))))
    done.append(rec)
    with open(OUT, 'a') as f: f.write(json.dumps(rec)+'\n')
    print(json.dumps(rec), flush=True)

for t in a.tasks:
    opt,E,k = TASKS[t]
    tv,tt = Path(a.work)/f'tv{k}',Path(a.work)/f'tt{k}'
    if not (tt/'valid').exists(): raise SystemExit(f"{tt} is missing: run benchmarks/tune_quality.py first (it builds the split folders)")
    dls,test_dl = cifar_dls(tv, bs=32, seed=0),cifar_dls(tt, bs=32, seed=0).valid
    of = dict(sgd=SGD, sgdm=partial(SGD, mom=0.9), adam=Adam)[opt]
    for seed in range(a.seeds):
        r = next((r for r in stored if r['task']==t and r['seed']==seed), None)
        if r is None: continue
        if a.trial_batches: trial(t, seed, r, dls, of); continue
        for c in a.cfgs:
            m,wm,wu = map(float, c.split(':'))
            if any(d['task']==t and d['seed']==seed and (d['m'], d['wm'], d['wu'])==(m, wm, wu) for d in done): continue
            learn = learner(t, seed, dls, of)   # the initial weights of tune_quality.py's seed, then its final run's data order
            set_seed(seed+1000)
            for i,dl in enumerate(learn.dls.loaders): dl.rng = random.Random(seed+1000+i)
            t0 = time.perf_counter()
            with learn.no_bar(), learn.no_logging(): learn.fit_schedule_free(E, r['free_lr']*m, wd=r['best']['wd']*wm, warmup_pct=wu)
            va = float(learn.recorder.values[-1][2])
            with learn.no_bar(): ta = float(learn.validate(dl=test_dl)[1])
            d = dict(task=t, seed=seed, m=m, wm=wm, wu=wu, lr=r['free_lr']*m, wd=r['best']['wd']*wm, valid_acc=va, test_acc=ta,
                     stored=r['test_acc'], secs=time.perf_counter()-t0)
            done.append(d)
            with open(OUT, 'a') as f: f.write(json.dumps(d)+'\n')
            print(json.dumps(d), flush=True)
summary()
