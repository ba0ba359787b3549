"""`smith_tune`'s choice against the best point of a full-training grid and against fastai's defaults.

At the same final training budget (`--epochs` of 1cycle on a CIFAR-10 subset, ResNet-20):
  (a) `learn.smith_tune(budget=epochs)`, then `fit_one_cycle(epochs, **res.best)`, for each seed;
  (b) every point of an LR x momentum x weight-decay grid trained in full (one seed); the best by final accuracy;
  (c) fastai's defaults: `lr_find()` valley, then `fit_one_cycle(epochs, lr)`, for each seed.
Reports final validation accuracy and the compute spent on tuning (epochs of the training subset and wall time).
Every run is appended to the JSON file as it finishes, so an interrupted benchmark keeps what it measured.

    python benchmarks/tune_vs_grid.py --data /path/to/cifar10 [--n-train 250] [--n-valid 200] [--epochs 16]
"""
import argparse, json, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
from fastai_smith.all import *

p = argparse.ArgumentParser()
p.add_argument('--data', required=True, help='CIFAR-10 folder (train/ and test/)')
p.add_argument('--n-train', type=int, default=250, help='training images per class')
p.add_argument('--n-valid', type=int, default=200, help='validation images per class (from test/)')
p.add_argument('--epochs', type=int, default=16, help='final training budget, epochs of 1cycle')
p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
p.add_argument('--lrs', type=float, nargs='+', default=[1e-3, 3e-3, 1e-2, 3e-2])
p.add_argument('--moms', default='0.99-0.9,0.95-0.85', help='comma-separated high-low pairs or constants')
p.add_argument('--wds', type=float, nargs='+', default=[1e-2, 1e-1, 1e-3])
p.add_argument('--only', default='acb', help='which of a, b, c to run')
p.add_argument('--out', default='benchmarks/tune_vs_grid.json')
a = p.parse_args()

torch.set_num_threads(max(1, torch.get_num_threads()))
dls = cifar_dls(a.data, n_train=a.n_train, n_valid=a.n_valid, bs=128, seed=0)
print(f"{len(dls.train_ds)} training / {len(dls.valid_ds)} validation images, {len(dls.train)} batches per epoch, "
      f"{a.epochs} epochs per final run, torch threads {torch.get_num_threads()}", flush=True)
out = Path(a.out)
runs = json.loads(out.read_text())['runs'] if out.exists() else []
def save(r):
    runs.append(r); out.write_text(json.dumps(dict(args=vars(a), runs=runs), indent=1))
    print(json.dumps(r), flush=True)

def learner(seed):
    set_seed(seed)
    return cifar_learner(dls, 'resnet20')

def final(learn, **kw):
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, **kw)
    return float(learn.recorder.values[-1][2]), time.perf_counter()-t0

def mom(s):
    v = [float(o) for o in s.split('-')]
    return (v[0], v[1], v[0]) if len(v)==2 else (v[0],)*3

if 'a' in a.only:
    for seed in a.seeds:
        learn = learner(seed)
        t0 = time.perf_counter()
        res = learn.smith_tune(budget=a.epochs, num_it=50, seed=seed, results=False, quiet=True, schedule='1cycle')   # this comparison is of 1cycle runs
        tt = time.perf_counter()-t0
        acc,ft = final(learn, **res.best)
        save(dict(method='a', seed=seed, best={k:(list(v) if isinstance(v, tuple) else v) for k,v in res.best.items()},
                  acc=acc, tune_s=tt, final_s=ft, tune_epochs=res.settings.tuning_epochs, n_trials=len(res.runs),
                  n_batches=res.settings.trial_batches, range_test=dict(res.range_test.sugg.items()) if res.range_test else None))

if 'c' in a.only:
    for seed in a.seeds:
        learn = learner(seed)
        t0 = time.perf_counter()
        with learn.no_bar(): lr = float(learn.lr_find(show_plot=False).valley)
        tt = time.perf_counter()-t0
        acc,ft = final(learn, lr_max=lr)
        save(dict(method='c', seed=seed, best=dict(lr_max=lr, moms=list(learn.moms), wd=None), acc=acc, tune_s=tt, final_s=ft,
                  tune_epochs=100/len(dls.train)))

if 'b' in a.only:
    for wd in a.wds:   # weight decay outermost: a partial grid still covers every LR and momentum
        for m in a.moms.split(','):
            for lr in a.lrs:
                if any(r['method']=='b' and r['best']==dict(lr_max=lr, moms=list(mom(m)), wd=wd) for r in runs): continue
                learn = learner(0)
                acc,ft = final(learn, lr_max=lr, moms=mom(m), wd=wd)
                save(dict(method='b', seed=0, best=dict(lr_max=lr, moms=list(mom(m)), wd=wd), acc=acc, final_s=ft))

def summary():
    import numpy as np
    for m in 'acb':
        rs = [r for r in runs if r['method']==m]
        if not rs: continue
        accs = np.array([r['acc'] for r in rs])
        if m=='b':
            b = max(rs, key=lambda r: r['acc'])
            print(f"(b) grid of {len(rs)} full runs: best {b['acc']:.4f} at {b['best']}; grid compute {sum(r['final_s'] for r in rs):.0f}s, {len(rs)*a.epochs} epochs")
        else:
            print(f"({m}) accuracy {accs.mean():.4f} +- {accs.std(ddof=1) if len(accs)>1 else 0:.4f} over seeds {[r['seed'] for r in rs]} "
                  f"({', '.join(f'{x:.4f}' for x in accs)}); tuning {np.mean([r['tune_epochs'] for r in rs]):.2f} epochs, "
                  f"{np.mean([r['tune_s'] for r in rs]):.0f}s; final run {np.mean([r['final_s'] for r in rs]):.0f}s; choices {[r['best'] for r in rs]}")
summary()
