"""smith_tune on a frozen, pretrained learner (its fine-tuning path) against fastai's `fine_tune`, paired by seed.

The transfer task of `reproductions.py`: the shipped ResNet-20 body (pretrained here on CIFAR-10's six animal classes)
fine-tuned on the four vehicle classes, 200 training images per class; tuning reads a validation split of 50 per
class carved from the other training images; the score is CIFAR-10's 4,000 vehicle test images, which no method sees
while choosing. Every method trains 2 frozen epochs then 6 unfrozen ones (fastai's `fine_tune(6, freeze_epochs=2)`):

- `fine_tune`: fastai as it comes (base_lr 2e-3);
- `fine_tune_valley`: with `lr_find`'s valley on the frozen model as base_lr (what the fastai course teaches);
- `smith_tune`: `learn.smith_tune(fit_epochs=6, freeze_epochs=2)`: the head's LR from a range test of the frozen model,
  a head phase, each group's LR from its own range test, the weight decay checked; then `res.fit` (its final training).

Usage (from the repository root):
    python benchmarks/fine_tune.py run [--seeds 5]    # appends to benchmarks/fine_tune.json (resumable)
    python benchmarks/fine_tune.py summary
"""
import argparse, json, sys, time, warnings
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))
warnings.filterwarnings('ignore')
import numpy as np
import reproductions as R   # its data splits, data order and scoring (importing it only reads its tables)
from fastai.vision.all import *
from fastai_smith.all import *

OUT = ROOT/'benchmarks'/'fine_tune.json'
METHODS = ('fine_tune', 'fine_tune_valley', 'smith_tune')
E_HEAD,E_BODY = R.E_HEAD,R.E_BODY

def runs(): return json.loads(OUT.read_text())['runs'] if OUT.exists() else []
def save(r): rs = runs() + [r]; OUT.write_text(json.dumps({'runs': rs}, indent=1)+'\n')

def one(m, seed, dls):
    "Method `m` from the pretrained body, seed `seed`: what it chose and its accuracy"
    set_seed(seed)
    learn = cifar_learner(dls, 'resnet20', pretrained=True)   # frozen: the head trains, the body waits
    R.order(learn, seed)
    info,t = {},time.perf_counter()
    with learn.no_bar(), learn.no_logging():
        if m=='fine_tune': learn.fine_tune(E_BODY, freeze_epochs=E_HEAD)
        elif m=='fine_tune_valley':
            lr = info['lr'] = R.valley_lr(learn)
            learn.fine_tune(E_BODY, lr, freeze_epochs=E_HEAD)
        elif m=='smith_tune':
            res = learn.smith_tune(fit_epochs=E_BODY, freeze_epochs=E_HEAD, results=False, quiet=True, seed=seed)
            info.update(head_lr=res.fine_tune['head_lr'], lr_max=res.lr_max, wd=res.wd, tuning_epochs=res.settings.tuning_epochs,
                        block_its=res.fine_tune['block_its'])
        else: raise ValueError(m)
    return dict(method=m, seed=seed, valid_acc=R.last(learn), secs=round(time.perf_counter()-t, 1), learn=learn, **info)

def run(seeds):
    tv = R.folder('vehicles_tv', R.VEHICLES, ('train', slice(0, R.K_TR)), ('train', slice(R.K_TR, R.K_TR+R.K_VAL)))
    tt = R.folder('vehicles_tt', R.VEHICLES, ('train', slice(0, R.K_TR)), ('test', slice(None)))
    st = pretrained_stats()
    dls = cifar_dls(tv, bs=32, seed=0, stats=st)
    test_dl = cifar_dls(tt, bs=32, seed=0, stats=st).valid
    done = {(r['method'], r['seed']) for r in runs()}
    for seed in range(seeds):
        for m in METHODS:
            if (m, seed) in done: continue
            r = one(m, seed, dls)
            r['test_acc'] = R.test_acc(r.pop('learn'), test_dl)
            save(r); print(r, flush=True)

def summary():
    rs = runs()
    acc = {(r['method'], r['seed']): r['test_acc'] for r in rs}
    seeds = sorted({s for _,s in acc})
    print(f"| method | test accuracy (mean of {len(seeds)} seeds) | smith_tune minus it (95% interval) |\n|---|---|---|")
    for m in METHODS:
        xs = [acc[(m, s)] for s in seeds if (m, s) in acc]
        d = [acc[('smith_tune', s)] - acc[(m, s)] for s in seeds if (m, s) in acc and ('smith_tune', s) in acc]
        ci = '' if m=='smith_tune' or len(d)<2 else f"{100*np.mean(d):+.1f} ({100*(np.mean(d)-R.t95(len(d)-1)*np.std(d, ddof=1)/np.sqrt(len(d))):+.1f} to {100*(np.mean(d)+R.t95(len(d)-1)*np.std(d, ddof=1)/np.sqrt(len(d))):+.1f})"
        print(f"| {m} | {100*np.mean(xs):.1f} | {ci} |")
    te = [r['tuning_epochs'] for r in rs if r['method']=='smith_tune']
    if te: print(f"\nsmith_tune's tuning compute: {np.mean(te):.2f} epochs on average ({np.mean(te)/(E_HEAD+E_BODY):.2f} of one {E_HEAD}+{E_BODY}-epoch fine-tuning run)")

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('what', choices=['run', 'summary'])
    p.add_argument('--seeds', type=int, default=5)
    a = p.parse_args()
    run(a.seeds) if a.what=='run' else summary()
