"""smith_tune on a frozen, pretrained learner (its fine-tuning path) against fastai's `fine_tune` and the peers, paired by seed.

Transfer tasks of 200 (or 100) training images per class, a validation split of 50 per class carved from the other
training images for tuning, and every CIFAR-10 test image of the target classes for the score (no method sees them
while choosing):

- `resnet20-vehicles`: the transfer task of `reproductions.py`: the shipped ResNet-20 body (pretrained here on
  CIFAR-10's six animal classes, `cifar_learner(..., pretrained=True)`) fine-tuned on the four vehicle classes;
- `resnet18-cifar5`: torchvision's ResNet-18 through fastai's `vision_learner` and its default splitter, the body
  pretrained here on airplane, automobile, bird, cat and deer (`body2.py`, built and cached on first use, about 5
  minutes), fine-tuned on dog, frog, horse, ship and truck;
- `resnet18-cifar5-100`: the same with 100 training images per class in batches of 16 (the same validation split and
  test images), added after the method was chosen on the other two: a first check it was not tuned on;
- `resnet20-vehicles-100`: the vehicles task with 100 training images per class in batches of 16, a second such check
  (its size fixed before any run of it, as the third task's).

Every method trains 2 frozen epochs then 6 unfrozen ones (fastai's `fine_tune(6, freeze_epochs=2)`):

- `fine_tune`: fastai as it comes (base_lr 2e-3);
- `fine_tune_valley`: with `lr_find`'s valley on the frozen model as base_lr (what the fastai course teaches);
- `smith_tune`: `learn.smith_tune(fit_epochs=6, freeze_epochs=2)`: the head's LR from a range test of the frozen model,
  a head phase, the unfrozen model's LR raced by short trials (the head's LR / 1, 3, 10, 30, 100), the weight decay
  checked where the budget has room; then `res.fit` (its final training: the head phase tuning ran, then the unfrozen
  run schedule-free at twice the race's LR since 2026-12-06; before, 1cycle at it: `smith_tune_1cycle`);
- the peers (`peers.py`): `prodigy`, `sf_algoperf`, `sf_default` (the same optimizer through both phases), and `optuna`
  (TPE with successive halving over `fine_tune`'s base_lr and weight decay, trials of `fine_tune(1, freeze_epochs=1)`,
  at most one final run of tuning, then `fine_tune(6, base_lr, freeze_epochs=2)` at its best).

Usage (from the repository root):
    python benchmarks/fine_tune.py run [--seeds 5] [--tasks ...] [--methods ...]   # appends to benchmarks/fine_tune.json (resumable)
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
import body2 as B
from peers import fit_prodigy, fit_schedulefree, optuna_search

OUT = ROOT/'benchmarks'/'fine_tune.json'
METHODS = ('fine_tune', 'fine_tune_valley', 'smith_tune', 'prodigy', 'sf_algoperf', 'sf_default', 'optuna')
EARLIER = ('smith_tune_lowest3', 'smith_tune_pg', 'smith_tune_largest', 'smith_tune_head_twice', 'smith_tune_1cycle')   # records of earlier versions (not runnable): the race between the head's LR / 3, 10, 30 taking the lowest loss, with 2 weight-decay trials (until 2026-12-05); the body's LRs from a range test per group; that race taking the largest LR within noise; the head phase run twice (in tuning and again in the final run: until 2026-12-06, the race's trials 20 to 24 iterations); the unfrozen run 1cycle (until 2026-12-06, second half: now schedule-free at twice the race's LR)
TASKS = ('resnet20-vehicles', 'resnet18-cifar5', 'resnet18-cifar5-100', 'resnet20-vehicles-100')
SIZES = {'resnet18-cifar5-100': (100, 16), 'resnet20-vehicles-100': (100, 16)}   # (training images per class, batch size) where not (R.K_TR, 32): checks after the method was chosen
def vehicles(task): return task.startswith('resnet20-vehicles')   # the shipped ResNet-20 body; otherwise the ResNet-18 one
E_HEAD,E_BODY = R.E_HEAD,R.E_BODY

def runs(): return [{'task': TASKS[0], **r} for r in json.loads(OUT.read_text())['runs']] if OUT.exists() else []
def save(r): rs = runs() + [r]; OUT.write_text(json.dumps({'runs': rs}, indent=1)+'\n')

def learner(task, seed, dls):
    "The task's pretrained learner, frozen: the head trains, the body waits"
    set_seed(seed)
    return cifar_learner(dls, 'resnet20', pretrained=True) if vehicles(task) else B.target_learner(dls)   # (the ResNet-18 tasks: the same body)

def search(task, seed, dls):
    "Optuna over fine_tune's base_lr and weight decay, within one final run of tuning"
    def space(t): return dict(base_lr=t.suggest_float('base_lr', 1e-4, 3e-2, log=True), wd=t.suggest_float('wd', 1e-4, 3e-1, log=True))
    def train(l, p, n): l.fine_tune(n-1, p['base_lr'], freeze_epochs=1, wd=p['wd'])
    return optuna_search(lambda: learner(task, seed, dls), space, train, budget=E_HEAD+E_BODY, trial_epochs=2, seed=seed)

def one(task, m, seed, dls):
    "Method `m` from the pretrained body, seed `seed`: what it chose and its accuracy"
    learn = learner(task, seed, dls)
    info,t = {},time.perf_counter()
    if m=='optuna':
        best,spent,n = search(task, seed, dls)
        info.update(best=best, tuning_epochs=spent, n_trials=n)
    R.order(learn, seed)
    with learn.no_bar(), learn.no_logging():
        if m=='fine_tune': learn.fine_tune(E_BODY, freeze_epochs=E_HEAD)
        elif m=='optuna': learn.fine_tune(E_BODY, best['base_lr'], freeze_epochs=E_HEAD, wd=best['wd'])
        elif m=='prodigy': fit_prodigy(learn, E_BODY, head_epochs=E_HEAD)
        elif m.startswith('sf_'): fit_schedulefree(learn, E_BODY, m.removeprefix('sf_'), head_epochs=E_HEAD)
        elif m=='fine_tune_valley':
            lr = info['lr'] = R.valley_lr(learn)
            info['tuning_epochs'] = 100/len(dls.train)   # lr_find's 100 iterations
            learn.fine_tune(E_BODY, lr, freeze_epochs=E_HEAD)
        elif m=='smith_tune':
            res = learn.smith_tune(fit_epochs=E_BODY, freeze_epochs=E_HEAD, results=False, quiet=True, seed=seed)
            info.update(head_lr=res.fine_tune['head_lr'], lr_max=res.lr_max, wd=res.wd, tuning_epochs=res.settings.tuning_epochs,
                        body_lrs=res.fine_tune['body_lrs'], n_trials=len(res.runs))
        else: raise ValueError(m)
    return dict(task=task, method=m, seed=seed, valid_acc=R.last(learn), secs=round(time.perf_counter()-t, 1), learn=learn, **info)

def data(task):
    "(tuning DataLoaders, test DataLoader) of `task`"
    name,classes,st = ('vehicles', R.VEHICLES, pretrained_stats()) if vehicles(task) else ('cifar5_target', B.TARGET, B.cifar_stats())
    k,bs = SIZES.get(task, (R.K_TR, 32))
    if k!=R.K_TR: name += str(k)
    tv = R.folder(f'{name}_tv', classes, ('train', slice(0, k)), ('train', slice(R.K_TR, R.K_TR+R.K_VAL)))   # the same validation split
    tt = R.folder(f'{name}_tt', classes, ('train', slice(0, k)), ('test', slice(None)))
    return cifar_dls(tv, bs=bs, seed=0, stats=st),cifar_dls(tt, bs=bs, seed=0, stats=st).valid

def run(seeds, tasks, methods):
    for task in tasks:
        dls,test_dl = data(task)
        done = {(r['method'], r['seed']) for r in runs() if r['task']==task}
        for seed in range(seeds):
            for m in methods:
                if (m, seed) in done: continue
                r = one(task, m, seed, dls)
                r['test_acc'] = R.test_acc(r.pop('learn'), test_dl)
                save(r); print(r, flush=True)

def ci(d):
    "mean and 95% interval of paired differences, in points"
    h = R.t95(len(d)-1)*np.std(d, ddof=1)/np.sqrt(len(d))
    return f"{100*np.mean(d):+.1f} ({100*(np.mean(d)-h):+.1f} to {100*(np.mean(d)+h):+.1f})"

def summary():
    rs = runs()
    print("| task | method | seeds | test accuracy | smith_tune minus it (95% interval) | tuning: epochs / final run |\n|---|---|---|---|---|---|")
    for task in TASKS:
        acc = {(r['method'], r['seed']): r for r in rs if r['task']==task}
        for m in METHODS+EARLIER:
            ss = sorted(s for k,s in acc if k==m)
            if not ss: continue
            d = [acc[('smith_tune', s)]['test_acc'] - acc[(m, s)]['test_acc'] for s in ss if ('smith_tune', s) in acc]
            te = np.mean([acc[(m, s)].get('tuning_epochs', 0) for s in ss])/(E_HEAD+E_BODY)
            print(f"| {task} | {m} | {len(ss)} | {100*np.mean([acc[(m, s)]['test_acc'] for s in ss]):.1f} | "
                  f"{ci(d) if m!='smith_tune' and len(d)>1 else ''} | {te:.2f} |")

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('what', choices=['run', 'summary'])
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--tasks', nargs='+', default=list(TASKS), choices=TASKS)
    p.add_argument('--methods', nargs='+', default=list(METHODS), choices=METHODS)
    a = p.parse_args()
    run(a.seeds, a.tasks, a.methods) if a.what=='run' else summary()
