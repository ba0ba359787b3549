"""The reference write-ups' experiments at this machine's scale: transfer learning from our own pretrained
weights, super-convergence, SWA after 1cycle with SGD, and SGD's momentum and weight-decay comparisons.

Usage (from the repository root, after the README's install command):
    python benchmarks/reproductions.py pretrain     # rebuilds fastai_smith/assets/resnet20_animals6.pth (about 10 min here)
    python benchmarks/reproductions.py transfer     # fine-tuning strategies on the four vehicle classes
    python benchmarks/reproductions.py superconv    # 1cycle at a large LR against a step schedule, SGD
    python benchmarks/reproductions.py swa          # SWA after 1cycle against 1cycle alone, SGD
    python benchmarks/reproductions.py sgd_hypers   # momentum and weight decay with SGD
    python benchmarks/reproductions.py summary [--exp transfer]   # the tables, from benchmarks/reproductions.json

Every experiment except `pretrain` tunes on a validation split carved from CIFAR-10's training images and scores on
CIFAR-10's test images; methods are paired by seed (same initial weights and data order). Results are appended to
benchmarks/reproductions.json as they finish, so an interrupted run resumes where it stopped.
"""
import argparse, contextlib, io, json, math, os, random, sys, tarfile, time, warnings
from pathlib import Path
import matplotlib
if __name__=='__main__': warnings.filterwarnings('ignore', message='.*torch.jit.script.*'); matplotlib.use('Agg')
import numpy as np, torch
from fastai.vision.all import *
from fastai_smith.all import *

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT/'benchmarks'/'reproductions.json'
ANIMALS = ('bird', 'cat', 'deer', 'dog', 'frog', 'horse')
VEHICLES = ('airplane', 'automobile', 'ship', 'truck')

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('what', choices=['pretrain', 'transfer', 'superconv', 'swa', 'sgd_hypers', 'summary'])
p.add_argument('--data', help='CIFAR-10 folder (train/ and test/); default: extract ../shared/data/cifar10_jpg.tgz into --work')
p.add_argument('--work', default='/tmp/fastai_smith_repro')
p.add_argument('--seeds', type=int, default=5)
p.add_argument('--epochs', type=int, default=8, help='pretrain: epochs of 1cycle')
p.add_argument('--exp', help='summary: only this experiment (transfer, superconv, swa, sgd_hypers)')
a = p.parse_args(None if __name__=='__main__' else ['summary'])   # imported (the notebooks): only the tables

def load():
    return json.loads(OUT.read_text())['runs'] if OUT.exists() else []
runs = load()
def save(r):
    runs.append(r); OUT.write_text(json.dumps({'runs': runs}, indent=1)+'\n')
def have(**kw): return any(all(r.get(k)==v for k,v in kw.items()) for r in runs)
def t95(n): return {1:12.71, 2:4.30, 3:3.18, 4:2.78, 5:2.57, 6:2.45, 7:2.36, 8:2.31, 9:2.26}.get(n, 1.96)

def data():
    if a.data: return Path(a.data)
    d = Path(a.work)/'cifar10'
    if not (d/'train').exists():
        d.mkdir(parents=True, exist_ok=True)
        with tarfile.open(ROOT.parent/'shared'/'data'/'cifar10_jpg.tgz') as tf: tf.extractall(d, filter='data')
    return d

def folder(name, classes, train, valid):
    "A folder of symbolic links: train/<class> and valid/<class>, each a (source subfolder, slice of its sorted files)"
    src,d = data(),Path(a.work)/name
    if not (d/'valid').exists():
        for c in classes:
            for sub,(frm,sl) in (('train',train), ('valid',valid)):
                (d/sub/c).mkdir(parents=True, exist_ok=True)
                for f in sorted(os.listdir(src/frm/c))[sl]: os.symlink(src/frm/c/f, d/sub/c/f)
    return d

def order(learn, seed):
    "The same data order for every method of a seed"
    set_seed(seed+1000)
    for i,dl in enumerate(learn.dls.loaders): dl.rng = random.Random(seed+1000+i)

def test_acc(learn, test_dl):
    with learn.no_bar(): return float(learn.validate(dl=test_dl)[1])

def last(learn, k='accuracy'): return float(learn.recorder.values[-1][learn.recorder.metric_names[1:].index(k)])

torch.set_num_threads(max(1, torch.get_num_threads()))

# ---- pretrain: ResNet-20 on CIFAR-10's six animal classes, the "pretrained" body for the vehicles
def pretrain():
    path = folder('animals', ANIMALS, ('train', slice(None)), ('test', slice(None)))
    set_seed(0, reproducible=True)
    dls = cifar_dls(path, bs=128, seed=0)
    learn = cifar_learner(dls, 'resnet20')
    lr = 3e-3
    t = time.perf_counter()
    learn.fit_one_cycle(a.epochs, lr)
    secs = time.perf_counter()-t
    acc = last(learn)
    sd = {k:v.detach().cpu().clone() for k,v in learn.model.state_dict().items() if not k.startswith('head.')}
    meta = dict(arch='resnet20', classes=list(dls.vocab), n_train=len(dls.train_ds), epochs=a.epochs, lr_max=lr, bs=128,
                opt='Adam (fastai default, wd 1e-2 decoupled)', schedule='fit_one_cycle', seed=0,
                valid='the six classes of CIFAR-10 test images', valid_acc=round(acc, 4),
                mean=[float(o) for o in dls.stats[0]], std=[float(o) for o in dls.stats[1]],
                torch=str(torch.__version__), command='python benchmarks/reproductions.py pretrain')
    dest = ROOT/'fastai_smith'/'assets'/'resnet20_animals6.pth'
    torch.save({'meta': meta, 'state_dict': sd}, dest)
    print(f"resnet20 on {len(dls.train_ds):,} animal images, {a.epochs} epochs of 1cycle at {lr}: "
          f"accuracy {acc:.4f} on {len(dls.valid_ds):,} test images ({secs:.0f} s); wrote {dest} ({dest.stat().st_size/1e6:.2f} MB)")

if __name__=='__main__' and a.what=='pretrain': pretrain(); raise SystemExit

# ---- transfer: fine-tuning the animal body on the four vehicle classes
K_TR,K_VAL = 200,50   # vehicles: training images per class; validation split per class, carved from the other training images
E_HEAD,E_BODY = 2,6   # epochs: head only, then the body; every method trains E_HEAD+E_BODY epochs in all

def valley_lr(learn):
    with learn.no_bar(): return float(learn.lr_range_test(show_plot=False, suggest_funcs=(valley,)).sugg['valley'])

def transfer_method(m, seed, dls):
    "Train with method `m` for E_HEAD+E_BODY epochs; returns the learner and what the method chose"
    E = E_HEAD+E_BODY
    set_seed(seed)
    learn = cifar_learner(dls, 'resnet20', pretrained=m!='scratch')
    info = {}
    order(learn, seed)
    with learn.no_bar(), learn.no_logging():
        if m in ('scratch', 'whole'):   # one LR for the whole network from the start
            learn.unfreeze(); lr = info['lr'] = valley_lr(learn)
            learn.fit_one_cycle(E, lr)
        elif m=='fastai_fine_tune':     # fastai's recipe: head at base_lr, then the body at slice(base_lr/200, base_lr/2)
            lr = info['lr'] = valley_lr(learn)
            learn.fine_tune(E_BODY, lr, freeze_epochs=E_HEAD)
        elif m=='gradual':              # one more group per stage, each 10x lower than the next
            lr = info['lr'] = valley_lr(learn)
            learn.fit_gradual(E//4, lr, decay=10.)
        else:
            lr = info['lr'] = valley_lr(learn)
            learn.fit_one_cycle(E_HEAD, lr)  # the head of a frozen model
            learn.unfreeze()
            if m=='head_then_lower':       # fine-tuning-strategy: then everything at one lower LR
                learn.fit_one_cycle(E_BODY, lr/10)
            elif m=='head_then_blocks':    # transfer-learning-tips: then each group at the LR its own range test suggests
                bt = learn.lr_find_blocks(show_plot=False)
                lrs = np.array(bt.df.sort_values('group').lr.values)
                info.update(block_lrs=lrs.tolist(), factors=dict(zip(bt.df.group.astype(int).astype(str), bt.df.factor.round(3))))
                learn.fit_one_cycle(E_BODY, lrs)
            else: raise ValueError(m)
    return learn,info

TRANSFER = ('scratch', 'whole', 'head_then_lower', 'fastai_fine_tune', 'head_then_blocks', 'gradual')

def transfer():
    tv = folder('vehicles_tv', VEHICLES, ('train', slice(0, K_TR)), ('train', slice(K_TR, K_TR+K_VAL)))
    tt = folder('vehicles_tt', VEHICLES, ('train', slice(0, K_TR)), ('test', slice(None)))
    st = pretrained_stats()
    dls = cifar_dls(tv, bs=32, seed=0, stats=st)
    test_dl = cifar_dls(tt, bs=32, seed=0, stats=st).valid
    print(f"== transfer: {len(dls.train_ds)} vehicle training images, {len(dls.valid_ds)} validation split, {len(test_dl.dataset)} test", flush=True)
    for seed in range(a.seeds):
        for m in TRANSFER:
            if have(exp='transfer', method=m, seed=seed): continue
            t = time.perf_counter()
            learn,info = transfer_method(m, seed, dls)
            r = dict(exp='transfer', method=m, seed=seed, valid_acc=last(learn), test_acc=test_acc(learn, test_dl),
                     secs=round(time.perf_counter()-t, 1), **info)
            save(r); print(r, flush=True)



# ---- SGD experiments: ResNet-20 and fastai's SGD with momentum on 250 images per class
K_SGD,BS_SGD,WD_SGD = 250,64,5e-4
def sgd_data():
    tv = folder('sgd_tv', sorted(os.listdir(data()/'train')), ('train', slice(0, K_SGD)), ('train', slice(K_SGD, K_SGD+K_VAL)))
    tt = folder('sgd_tt', sorted(os.listdir(data()/'train')), ('train', slice(0, K_SGD)), ('test', slice(0, 200)))
    return cifar_dls(tv, bs=BS_SGD, seed=0),cifar_dls(tt, bs=BS_SGD, seed=0).valid

def sgd_learner(dls, seed):
    set_seed(seed)
    return cifar_learner(dls, 'resnet20', opt_func=partial(SGD, mom=0.9), wd=WD_SGD)   # fastai's SGD has no momentum unless mom is given

class AccuracyRamp(Callback):
    "A linear LR ramp from `lo` to `hi` over the fit, with the validation accuracy read every `every` iterations"
    order = ParamScheduler.order+1
    def __init__(self, lo, hi, every): store_attr(); self.rows = []
    def before_fit(self): self.n = self.n_epoch*len(self.dls.train)
    def before_batch(self):
        if self.training: self.opt.set_hyper('lr', self.lo + (self.hi-self.lo)*self.train_iter/self.n)
    def after_batch(self):
        if not self.training or self.train_iter % self.every: return
        self.model.eval()
        with torch.no_grad():
            acc = [(self.model(x).argmax(1)==y).float().sum().item() for x,y in self.dls.valid]
        self.model.train()
        self.rows.append(dict(it=self.train_iter, lr=self.opt.hypers[-1]['lr'], valid_acc=sum(acc)/len(self.dls.valid_ds),
                              train_loss=float(self.smooth_loss)))
        if not math.isfinite(float(self.smooth_loss)): raise CancelFitException()
    def before_validate(self): raise CancelValidException()

def step_fit(learn, E, lr=0.1):
    "The standard schedule: constant `lr`, divided by 10 at half and at three quarters of the epochs, constant momentum 0.9"
    sched = combine_scheds([.5, .25, .25], [SchedNo(lr, lr), SchedNo(lr/10, lr/10), SchedNo(lr/100, lr/100)])
    learn.fit(E, cbs=ParamScheduler({'lr': sched, 'mom': SchedNo(.9, .9)}))

SC_E,SC_MULT = 8,4   # 1cycle epochs; the standard schedule also gets SC_MULT times as many
# method: (epochs, 1cycle's peak LR; 'big': read off the accuracy range test; None: the step schedule at 0.1).
# 0.25 is the walkthrough's peak of 1.0 at batch 256 scaled linearly to batch 64
SC_RUNS = {'onecycle_big': (SC_E, 'big'), 'onecycle_0.25': (SC_E, 0.25), 'onecycle_0.1': (SC_E, 0.1),
           'step_0.1': (SC_E, None), f'step_0.1_x{SC_MULT}': (SC_E*SC_MULT, None)}
RAMP = (0.001, 1.)   # the walkthrough's accuracy range test: LR 0.001 to 1, linearly
def smooth(acc, k=5):
    "Moving average over `k` readings, the ends averaged over the readings they have"
    w = np.ones(k); return np.convolve(acc, w, mode='same')/np.convolve(np.ones_like(acc), w, mode='same')
def superconv():
    dls,test_dl = sgd_data()
    print(f"== superconv: {len(dls.train_ds)} training images, {len(dls.valid_ds)} validation split, {len(test_dl.dataset)} test", flush=True)
    if not have(exp='superconv', method='accuracy_range'):
        learn = sgd_learner(dls, 0); order(learn, 0)
        cb = AccuracyRamp(*RAMP, 5)
        with learn.no_bar(), learn.no_logging(): learn.fit(8, cbs=cb)
        save(dict(exp='superconv', method='accuracy_range', seed=0, lo=RAMP[0], hi=RAMP[1], rows=cb.rows)); print(cb.rows[-3:], flush=True)
    rows = next(r for r in runs if r.get('method')=='accuracy_range')['rows']
    acc = np.array([r['valid_acc'] for r in rows]); lrs = np.array([r['lr'] for r in rows])
    sm = smooth(acc)
    ok = np.nonzero(sm >= 0.9*sm.max())[0]
    lr_big = float(lrs[ok[-1]])   # the largest LR whose (smoothed) accuracy is within 10% of the best
    for seed in range(a.seeds):
        for m,(E,peak) in SC_RUNS.items():
            if have(exp='superconv', method=m, seed=seed): continue
            learn = sgd_learner(dls, seed); order(learn, seed)
            rec = {}
            t = time.perf_counter()
            with learn.no_bar(), learn.no_logging():
                if peak is None: step_fit(learn, E)
                else:
                    rec['lr_max'] = lr_big if peak=='big' else peak
                    learn.fit_one_cycle(E, rec['lr_max'], div=10.)
            vals = [float(v[2]) for v in learn.recorder.values]
            save(dict(exp='superconv', method=m, seed=seed, epochs=E, iters=E*len(dls.train), valid_acc=vals[-1], valid_curve=vals,
                      test_acc=test_acc(learn, test_dl), secs=round(time.perf_counter()-t, 1), **rec))
            print(runs[-1]['method'], seed, runs[-1]['test_acc'], flush=True)

SWA_E,SWA_N,SWA_LRMAX = 10,5,0.5
SWA_METHODS = {'onecycle': None, 'onecycle_swa': 0.05, 'onecycle_swa_lr0.01': 0.01}   # method: SWA's constant LR
def swa():
    dls,test_dl = sgd_data()
    print(f"== swa: {len(dls.train_ds)} training images", flush=True)
    for seed in range(a.seeds):
        for m,swa_lr in SWA_METHODS.items():
            if have(exp='swa', method=m, seed=seed): continue
            learn = sgd_learner(dls, seed); order(learn, seed)
            t = time.perf_counter()
            with learn.no_bar(), learn.no_logging():
                if m=='onecycle': learn.fit_one_cycle(SWA_E+SWA_N, SWA_LRMAX)
                else: learn.fit_one_cycle_swa(SWA_E, SWA_LRMAX, swa_epochs=SWA_N, swa_lr=swa_lr)
            with learn.no_bar(): va = float(learn.validate()[1])
            save(dict(exp='swa', method=m, seed=seed, epochs=SWA_E+SWA_N, valid_acc=va, test_acc=test_acc(learn, test_dl),
                      secs=round(time.perf_counter()-t, 1)))
            print(m, seed, runs[-1]['test_acc'], flush=True)

HYP_E,HYP_LR = 8,0.5
HYPERS = {'moms 0.95-0.85, wd 1e-4': ((0.95,0.85,0.95), 1e-4), 'moms 0.99-0.90, wd 1e-4': ((0.99,0.90,0.99), 1e-4),
          'moms 0.99-0.90, wd 1e-5': ((0.99,0.90,0.99), 1e-5), 'moms 0.99-0.90, wd 1e-3': ((0.99,0.90,0.99), 1e-3)}
def sgd_hypers():
    dls,test_dl = sgd_data()
    print(f"== sgd_hypers: {len(dls.train_ds)} training images", flush=True)
    for seed in range(a.seeds):
        for m,(moms,wd) in HYPERS.items():
            if have(exp='sgd_hypers', method=m, seed=seed): continue
            learn = sgd_learner(dls, seed); order(learn, seed)
            with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(HYP_E, HYP_LR, moms=moms, wd=wd)
            save(dict(exp='sgd_hypers', method=m, seed=seed, epochs=HYP_E, valid_acc=last(learn), valid_loss=float(learn.recorder.values[-1][1]),
                      test_acc=test_acc(learn, test_dl)))
            print(m, seed, runs[-1]['test_acc'], flush=True)

# ---- the tables
ORDER = {'transfer': TRANSFER, 'superconv': tuple(SC_RUNS), 'swa': tuple(SWA_METHODS), 'sgd_hypers': tuple(HYPERS)}
REF = {'transfer': 'fastai_fine_tune', 'superconv': f'step_0.1_x{SC_MULT}', 'swa': 'onecycle', 'sgd_hypers': 'moms 0.95-0.85, wd 1e-4'}
def table(exp):
    "Rows of (method, seeds, mean test accuracy, paired difference to the reference with its 95% interval)"
    rs = [r for r in runs if r['exp']==exp and 'test_acc' in r]
    ref = {r['seed']: r['test_acc'] for r in rs if r['method']==REF[exp]}
    out = []
    known = ORDER.get(exp, ())
    for m in sorted(dict.fromkeys(r['method'] for r in rs), key=lambda m: known.index(m) if m in known else len(known)):
        acc = {r['seed']: r['test_acc'] for r in rs if r['method']==m}
        d = np.array([acc[s]-ref[s] for s in acc if s in ref])
        n = len(d); hw = t95(n-1)*d.std(ddof=1)/math.sqrt(n) if n>1 else float('nan')
        out.append(dict(method=m, seeds=len(acc), test_acc=float(np.mean(list(acc.values()))), diff=float(d.mean()) if n else float('nan'),
                        lo=float(d.mean()-hw) if n else float('nan'), hi=float(d.mean()+hw) if n else float('nan')))
    return out

def summary(exp=None):
    for exp in ([exp or a.exp] if exp or a.exp else REF):
        rows = table(exp)
        if not rows: continue
        print(f"\n{exp} (paired differences against {REF[exp]}, test accuracy, 95% interval)\n| method | seeds | test accuracy | difference |\n|---|---|---|---|")
        for r in rows: print(f"| {r['method']} | {r['seeds']} | {r['test_acc']:.4f} | {r['diff']*100:+.2f} pts [{r['lo']*100:+.2f}, {r['hi']*100:+.2f}] |")
        extra = dict(transfer=_factors, superconv=_ramp).get(exp)
        if extra: extra()

def summary_md(exp=None) -> str:
    "The tables `summary` prints, as a Markdown string"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf): summary(exp)
    return buf.getvalue()

def measured(exp=None):
    "The tables of `exp` for a notebook to display: the reproduction notebooks import this script for them"
    from IPython.display import Markdown
    return Markdown(summary_md(exp))

def _factors():
    fs = [r['factors'] for r in runs if r['exp']=='transfer' and r.get('factors')]
    if not fs: return
    names = dict(zip('0123', ('stem+layer1', 'layer2', 'layer3', 'head')))
    print(f"\nHow many times lower than the head's each group's suggested LR is (`lr_find_blocks` after the head's {E_HEAD} epochs; "
          f"below 1: the group's range test asks for a higher LR than the head's; {len(fs)} seeds: median, min-max)\n| group | factor |\n|---|---|")
    for g in sorted(fs[0], reverse=True):
        v = [f[g] for f in fs]
        print(f"| {g} ({names[g]}) | {np.median(v):.2g} ({min(v):.2g}-{max(v):.2g}) |")

def _ramp():
    r = next((r for r in runs if r['exp']=='superconv' and r['method']=='accuracy_range'), None)
    if r is None: return
    lrs,acc = np.array([o['lr'] for o in r['rows']]),np.array([o['valid_acc'] for o in r['rows']])
    sm = smooth(acc)
    big = next((o['lr_max'] for o in runs if o.get('method')=='onecycle_big'), None)
    print(f"\nAccuracy range test: SGD, the LR raised linearly from {r.get('lo', lrs[0]):.3g} to {r.get('hi', lrs[-1]):.3g} over 8 epochs, validation accuracy every 5 iterations "
          f"(smoothed over 5 readings); 1cycle's large LR = the largest LR within 10% of the best smoothed accuracy: {big:.3g}\n| LR | validation accuracy |\n|---|---|")
    for lr in (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1.):
        if lr <= 1.05*lrs[-1]: print(f"| {lr:g} | {sm[np.abs(lrs-lr).argmin()]:.3f} |")

if __name__=='__main__': dict(transfer=transfer, superconv=superconv, swa=swa, sgd_hypers=sgd_hypers, summary=summary)[a.what]()
