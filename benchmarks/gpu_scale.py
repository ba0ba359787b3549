"""Full scale on a GPU: ResNet-56 on all of CIFAR-10 in one prepared run that fits one 10-minute command.

Every choice is made on a validation split of 5,000 images carved from the 50,000 training images (45,000 train);
every score is on the 10,000 test images, which no method sees while choosing. One process runs, in this order,
each part that is asked for and fits in what is left of `--budget` seconds:

  throughput  images per second of `cifar_learner`+`cifar_dls` against a bare PyTorch loop on the same device
              (benchmarks/throughput.py, bf16 autocast on CUDA; the goal is a ratio of 0.95 or more)
  tune        (a) `smith_tune(fit_epochs=E)` and its final run
  default     (b) fastai's defaults: `lr_find` valley, then `fit_one_cycle(E)`
  recipe      (c) a published recipe: SGD momentum 0.9, L2 weight decay 5e-4, 1cycle at He et al.'s LR 0.1 at batch 128
              scaled linearly to the batch size (Goyal et al.)
  swa         (d) (a)'s choices trained by `fit_one_cycle_swa` (E epochs of 1cycle, then E//4 of SWA at lr_max/10)
  superconv   super-convergence: an accuracy range test (LR raised linearly, validation accuracy read every few
              iterations), then 1cycle at the largest LR that keeps the accuracy within 10% of its best; against (c)
              at equal iterations
  transfer    the fine-tuning comparison on the shipped ResNet-20 animal body and the four vehicle classes at full
              data: fastai's `fine_tune`, head then per-block LRs (`lr_find_blocks`), and `smith_tune`

ResNet-56 runs use bf16 autocast (`learn.to_bf16()`) and channels_last on CUDA, and batch size `--bs` (512) or what
`find_bs` finds (`--bs find`). Before the parts it times a few training steps; after every fit it re-times an epoch,
and it skips a part whose predicted time does not fit in what is left of the budget (said in the results). Results,
per-epoch curves and the range tests go to one JSON file, `<out>/gpu_scale.json`, rewritten after every part.

Usage:
    python benchmarks/gpu_scale.py [--parts tune,default,...] [--epochs 30] [--bs 512|find] [--budget 540] [--out DIR]
    python benchmarks/gpu_scale.py --quick        # every part for a few batches on the CPU (a slow test)
    python benchmarks/gpu_scale.py --estimate     # the dry run: this machine's timings and FLOP counts -> GPU minutes
On the GPU machine (torch, torchvision and timm, no fastai, no network): `bash tools/gpu_run.sh`, after
`bash tools/gpu_wheels.sh` here has put the wheels and the CIFAR-10 archive in `.gpu/` (see BENCHMARKS.md).
"""
import argparse, contextlib, io, json, math, os, platform, shutil, subprocess, sys, tarfile, tempfile, time, warnings
from dataclasses import asdict
from pathlib import Path
if __name__=='__main__':
    warnings.filterwarnings('ignore', message='.*torch.jit.script.*'); warnings.filterwarnings('ignore', message='.*CUDA is not available.*')
    import matplotlib; matplotlib.use('Agg')
import numpy as np, torch
from fastai.vision.all import *
from fastai_smith.all import *
from fastai_smith.core import jsonable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))
import reproductions as R   # its data splits, data order, accuracy ramp and fine-tuning methods (importing it only reads its tables)

PARTS = ('throughput', 'tune', 'default', 'recipe', 'swa', 'superconv', 'transfer')
CLASSES = ('airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')
FULL = dict(k_train=4500, k_valid=500, k_test=1000, epochs=30, ramp_epochs=2, tr_bs=256)   # per class: 45,000 / 5,000 / 10,000
QUICK = dict(k_train=24, k_valid=8, k_test=8, epochs=2, ramp_epochs=1, tr_bs=16)
RAMP = (0.01, 4.)     # the accuracy range test's LRs (SGD, batch 512): linear from 0.01 to 4

def get_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--parts', default=','.join(PARTS), help=f'comma-separated, from {",".join(PARTS)}')
    p.add_argument('--epochs', type=int, help='E, the epochs of every final run (default 30; --quick: 2)')
    p.add_argument('--bs', default='512', help="training batch size, or 'find' for `find_bs` (at most 1024)")
    p.add_argument('--budget', type=float, default=480., help='seconds for the whole script; parts that would not fit are skipped')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--arch', default='resnet56')
    p.add_argument('--archive', help='CIFAR-10 archive (default: .gpu/cifar10_jpg.tgz, else ../shared/data/cifar10_jpg.tgz)')
    p.add_argument('--data', help='an extracted CIFAR-10 folder (train/ and test/) instead of the archive')
    p.add_argument('--out', default=os.environ.get('OUT') or 'gpu_scale_out', help='results folder (default: $OUT)')
    p.add_argument('--device', help='default: cuda when there is one')
    p.add_argument('--quick', action='store_true', help='every part for a few batches on the CPU: a check that the script runs')
    p.add_argument('--estimate', action='store_true', help='print the dry-run estimate of every part on the GPU and exit')
    return p.parse_args(argv)

# ---- time: a budget for the whole script, and what each part is predicted to cost
def part_epochs(part:str, E:int, n_iter:int=88, ramp_epochs:int=2) -> float:
    "What `part` costs, in ResNet-56 epochs of the training split of `n_iter` batches (the transfer part's ResNet-20 counted by its images and FLOPs)"
    rt = 100/n_iter                        # a range test of 100 iterations
    tr = (R.E_HEAD+R.E_BODY)*3*0.4*0.35    # three methods with ~one run of tuning each: 0.4 of the images, 0.35 of the FLOPs
    return dict(throughput=1.5, tune=2*E+rt, default=E+rt, recipe=E, swa=E+max(1, E//4), superconv=ramp_epochs+E, transfer=tr)[part]

def fits(part:str, E:int, sec_per_epoch:float, left:float, n_iter:int=88, ramp_epochs:int=2, margin:float=1.1) -> tuple:
    "(runs?, predicted seconds): `part` runs if its prediction, with `margin`, fits in the `left` seconds"
    t = part_epochs(part, E, n_iter, ramp_epochs)*sec_per_epoch
    return t*margin <= left, t

class EpochTimer(Callback):
    "Seconds of each training epoch with its validation, for the budget's predictions"
    order = 99
    def before_fit(self): self.times = []
    def before_epoch(self): self.t0 = time.perf_counter()
    def after_epoch(self):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        self.times.append(time.perf_counter()-self.t0)

class StepTimer(Callback):
    "Times `n` training steps after `warmup`, then cancels the fit"
    order = 100
    def __init__(self, n, warmup): store_attr()
    def before_fit(self): self.i = 0
    def after_batch(self):
        if not self.training: return
        self.i += 1
        if torch.cuda.is_available(): torch.cuda.synchronize()
        if self.i == self.warmup: self.t0 = time.perf_counter()
        if self.i == self.warmup+self.n: self.secs = (time.perf_counter()-self.t0)/self.n; raise CancelFitException()
    def before_validate(self): raise CancelValidException()

# ---- data
def cifar_folder(a, work:Path) -> Path:
    "The extracted CIFAR-10 folder: `--data`, or the archive extracted into `work`"
    if a.data: return Path(a.data)
    arc = Path(a.archive) if a.archive else next((p for p in (ROOT/'.gpu'/'cifar10_jpg.tgz', ROOT.parent/'shared'/'data'/'cifar10_jpg.tgz') if p.exists()), None)
    if arc is None or not arc.exists(): sys.exit(f'no CIFAR-10 archive at {arc}: run tools/gpu_wheels.sh, or pass --archive or --data')
    d = work/'cifar10'
    with tarfile.open(arc) as tf: tf.extractall(d, filter='data')
    return d

def splits(classes, k:dict, name:str, bs:int, stats=None):
    """(DataLoaders of the training and validation splits, the test DataLoader): validation carved from the training images;
    the test images normalised with the training split's statistics (their folder's training part is 2 images a class, never used)"""
    tr,va = ('train', slice(0, k['k_train'])),('train', slice(k['k_train'], k['k_train']+k['k_valid']))
    tv,tt = R.folder(f'{name}_tv', classes, tr, va),R.folder(f'{name}_tt', classes, ('train', slice(0, 2)), ('test', slice(0, k['k_test'])))
    dls = cifar_dls(tv, bs=bs, seed=0, stats=stats)
    return dls,cifar_dls(tt, bs=bs, seed=0, stats=stats if stats is not None else dls.stats).valid

# ---- runs
class Scale:
    "The state of one run of the script: arguments, data, the clock, and the results written after every part"
    def __init__(self, a):
        self.a,self.t0,self.k = a,time.perf_counter(),(QUICK if a.quick else FULL)
        self.E = a.epochs or self.k['epochs']
        self.dev = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        self.out = Path(a.out); self.out.mkdir(parents=True, exist_ok=True)
        self.res = dict(command=' '.join(sys.argv), machine=machine(self.dev), epochs=self.E, budget_s=a.budget, quick=a.quick, parts={})
        self.spe = None   # seconds per ResNet-56 epoch of the training split, measured

    def left(self) -> float: return self.a.budget - (time.perf_counter()-self.t0)
    def save(self): (self.out/'gpu_scale.json').write_text(json.dumps(jsonable(self.res), indent=1)+'\n')

    def learner(self, seed:int, **kw) -> Learner:
        "A ResNet-56 (or `--arch`) learner: same initial weights and data order for every method of a seed, bf16 on CUDA"
        set_seed(seed)
        learn = cifar_learner(self.dls, self.a.arch, cbs=EpochTimer(), **kw)
        if self.dev.type=='cuda': learn.to_bf16()
        R.order(learn, seed)
        return learn

    def score(self, learn:Learner, **info) -> dict:
        "Test accuracy and the per-epoch curves of `learn`'s last fit; updates the seconds per epoch"
        et = learn.epoch_timer.times
        if et and learn.dls is self.dls: self.spe = float(np.median(et))
        curve,cols = [[float(v) for v in r] for r in learn.recorder.values],list(learn.recorder.metric_names[1:-1])
        with learn.no_bar(): test = learn.validate(dl=self.test_dl)
        return dict(test_acc=float(test[1]), test_loss=float(test[0]), epoch_s=et, curve=curve, curve_cols=cols, **info)

    def run(self, part:str, fn):
        "Run `part` if it fits in what is left of the budget; its result, time and status go to the JSON"
        ok,pred = fits(part, self.E, self.spe, self.left(), len(self.dls.train), self.k['ramp_epochs'])
        r = dict(predicted_s=round(pred, 1), left_s=round(self.left(), 1))
        if not ok and not self.a.quick: r['status'] = f'skipped: predicted {pred:.0f} s, {self.left():.0f} s left'
        else:
            t = time.perf_counter()
            try: r.update(fn()); r['status'] = 'done'
            except Exception as e: r['status'] = f'failed: {type(e).__name__}: {e}'
            r['secs'] = round(time.perf_counter()-t, 1)
        self.res['parts'][part] = r; self.save()
        print(f"== {part}: {r['status']} ({r.get('secs', 0):.0f} s, predicted {pred:.0f} s; {self.left():.0f} s left)"
              + (f", test accuracy {r['test_acc']:.4f}" if 'test_acc' in r else ''), flush=True)
        return r

def machine(dev) -> str:
    s = f'{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads'
    return s + (f', {torch.cuda.get_device_name(dev)}' if dev.type=='cuda' else ', no GPU')

@contextlib.contextmanager
def quiet(learn):
    with learn.no_bar(), learn.no_logging(): yield

# ---- the parts
def throughput(S:Scale) -> dict:
    "benchmarks/throughput.py on the same data and device, bf16: bare PyTorch loop against `cifar_learner`+`cifar_dls`"
    q = S.a.quick
    cmd = [sys.executable, str(ROOT/'benchmarks'/'throughput.py'), '--data', str(S.tv), '--arch', S.a.arch, '--bs', str(S.bs),
           '--device', str(S.dev), '--bf16', '--skip-fastai-default', '--batches', '2' if q else '40', '--warmup', '1' if q else '5',
           '--repeats', '1' if q else '2']
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode: raise RuntimeError(p.stderr[-2000:])
    lines = p.stdout.splitlines()
    val = lambda k: float(next(l for l in lines if l.startswith(k)).split()[-2])
    a,b = val('(a)'),val('(b)')
    return dict(bare_ips=a, fastai_ips=b, ratio=b/a, output=lines)

def tune(S:Scale) -> dict:
    learn = S.learner(S.a.seed)
    res = learn.smith_tune(fit_epochs=S.E, results=False, quiet=True)
    S.tuned = res
    return S.score(learn, method='smith_tune', best=res.best, schedule=res.schedule, settings=asdict(res.settings), notes=list(res.notes),
                   trials=res.summary().to_dict('records'), tuning_epochs=res.settings.tuning_epochs)

def default(S:Scale) -> dict:
    learn = S.learner(S.a.seed)
    with quiet(learn):
        lr = float(learn.lr_find(show_plot=False).valley)
        learn.fit_one_cycle(S.E, lr)
    return S.score(learn, method='lr_find valley + fit_one_cycle', lr_max=lr)

def recipe_lr(bs:int) -> float: return 0.1*bs/128   # He et al.'s 0.1 at batch 128, scaled linearly with the batch size
def sgd(S:Scale, seed:int) -> Learner: return S.learner(seed, opt_func=partial(SGD, mom=0.9, decouple_wd=False), wd=5e-4)   # L2 5e-4, as torch's SGD

def recipe(S:Scale) -> dict:
    learn,lr = sgd(S, S.a.seed),recipe_lr(S.bs)
    with quiet(learn): learn.fit_one_cycle(S.E, lr, moms=(0.9,0.9,0.9))
    return S.score(learn, method='SGD 0.9, L2 5e-4, 1cycle', lr_max=lr)

def swa(S:Scale) -> dict:
    if getattr(S, 'tuned', None) is None: raise RuntimeError("needs part 'tune' (its choices)")
    t,learn = S.tuned,S.learner(S.a.seed)
    b = dict(lr_max=t.lr_max, moms=t.moms, wd=t.wd)   # 1cycle's choices (SWA finishes 1cycle, whichever schedule smith_tune's trial chose)
    lr = b['lr_max']
    swa_lr = lr/10 if isinstance(lr, float) else [v/10 for v in lr]
    with quiet(learn): learn.fit_one_cycle_swa(S.E, swa_epochs=max(1, S.E//4), swa_lr=swa_lr, **b)
    r = S.score(learn, method='smith_tune choices + fit_one_cycle_swa', **b)
    if 'tune' in S.res['parts'] and 'test_acc' in S.res['parts']['tune']: r['swa_gain'] = r['test_acc'] - S.res['parts']['tune']['test_acc']
    return r

def superconv(S:Scale) -> dict:
    learn = sgd(S, S.a.seed)
    lo,hi = RAMP
    cb = R.AccuracyRamp(lo, hi, 1 if S.a.quick else 4)
    with quiet(learn): learn.fit(S.k['ramp_epochs'], cbs=cb)
    acc,lrs = np.array([r['valid_acc'] for r in cb.rows]),np.array([r['lr'] for r in cb.rows])
    sm = R.smooth(acc, min(5, len(acc)))
    lr_big = float(lrs[np.nonzero(sm >= 0.9*sm.max())[0][-1]])   # the largest LR whose smoothed accuracy is within 10% of the best
    learn = sgd(S, S.a.seed)
    with quiet(learn): learn.fit_one_cycle(S.E, lr_big, div=10.)
    r = S.score(learn, method='1cycle at the accuracy test\'s large LR', lr_max=lr_big, ramp=cb.rows)
    c = S.res['parts'].get('recipe', {})
    if 'test_acc' in c: r['vs_recipe'] = dict(recipe_lr=c['lr_max'], recipe_acc=c['test_acc'], gain=r['test_acc']-c['test_acc'], iters=S.E*len(S.dls.train))
    return r

def transfer(S:Scale) -> dict:
    "The shipped ResNet-20 body (six animal classes) fine-tuned on the four vehicle classes, every vehicle training image"
    dls,test_dl = splits(R.VEHICLES, S.k, 'vehicles', S.k['tr_bs'], stats=pretrained_stats())
    out = {}
    for m in ('fastai_fine_tune', 'head_then_blocks', 'smith_tune'):
        t = time.perf_counter()
        if m=='smith_tune':
            set_seed(S.a.seed); learn = cifar_learner(dls, 'resnet20', pretrained=True); R.order(learn, S.a.seed)
            res = learn.smith_tune(fit_epochs=R.E_HEAD+R.E_BODY, results=False, quiet=True)
            info = dict(best=res.best, tuning_epochs=res.settings.tuning_epochs, frozen=res.settings.frozen)
        else: learn,info = R.transfer_method(m, S.a.seed, dls)
        with learn.no_bar(): acc = float(learn.validate(dl=test_dl)[1])
        out[m] = dict(test_acc=acc, secs=round(time.perf_counter()-t, 1), **info)
        print(f'   transfer {m}: {acc:.4f}', flush=True)
    return dict(n_train=len(dls.train_ds), n_valid=len(dls.valid_ds), n_test=len(test_dl.dataset), methods=out)

def batch_size(S:Scale) -> int:
    "`--bs`, or what `find_bs` finds on a ResNet-56 learner (at most 1024)"
    if S.a.bs != 'find': return int(S.a.bs)
    learn = cifar_learner(S.dls, S.a.arch)
    if S.dev.type=='cuda': learn.to_bf16()
    r = learn.find_bs(max_bs=64, start_bs=16) if S.a.quick else learn.find_bs(max_bs=1024, start_bs=64)
    S.res['find_bs'] = dict(bs=r.bs, reason=getattr(r, 'reason', None))
    return r.bs

def probe(S:Scale) -> float:
    "Seconds per epoch of the training split from a few timed steps (plus a tenth for validation)"
    learn = S.learner(S.a.seed)
    cb = StepTimer(2 if S.a.quick else 10, 1 if S.a.quick else 5)
    with quiet(learn): learn.fit(1, 1e-3, cbs=cb)
    return cb.secs*len(S.dls.train)*1.1

def main(a):
    S = Scale(a)
    work = Path(tempfile.mkdtemp(prefix='gpu_scale_'))
    try:
        R.a.data,R.a.work = str(cifar_folder(a, work)),str(work)
        bs0 = 32 if a.quick or a.bs=='find' else int(a.bs)   # --quick: batches of 32 unless --bs find
        S.dls,S.test_dl = splits(CLASSES, S.k, 'cifar10', bs0)
        S.bs = batch_size(S) if a.bs=='find' else bs0
        if S.bs != bs0: S.dls,S.test_dl = splits(CLASSES, S.k, 'cifar10', S.bs)
        S.tv = Path(R.a.work)/'cifar10_tv'
        S.res.update(bs=S.bs, n_train=len(S.dls.train_ds), n_valid=len(S.dls.valid_ds), n_test=len(S.test_dl.dataset))
        S.spe = S.res['probe_epoch_s'] = probe(S)
        print(f"{S.res['machine']}; {a.arch}, batch {S.bs}, {S.res['n_train']:,} train / {S.res['n_valid']:,} valid / "
              f"{S.res['n_test']:,} test; about {S.spe:.1f} s per epoch; budget {a.budget:.0f} s", flush=True)
        fns = dict(throughput=throughput, tune=tune, default=default, recipe=recipe, swa=swa, superconv=superconv, transfer=transfer)
        for part in [p for p in PARTS if p in a.parts.split(',')]: S.run(part, partial(fns[part], S))
        S.res['total_s'] = round(time.perf_counter()-S.t0, 1); S.save()
    finally: shutil.rmtree(work, ignore_errors=True)
    return S.res

# ---- the dry run: this machine's timings and FLOP counts -> GPU time
H200_BF16 = 790e12   # dense bf16 TFLOP/s of the H200, measured on such a machine (8192^3 matrix products)
US_PER_OP = (6, 12)  # microseconds per eager op launched on a GPU (PyTorch's dispatch and the kernel launch): low, high
MFU = (0.10, 0.03)   # fraction of the bf16 peak that ResNet-56's small convolutions (16-64 channels) reach: optimistic, pessimistic

def step_cost(arch:str='resnet56', bs:int=512) -> dict:
    "FLOPs and eager ops of one training step of `cifar_learner(arch)` with fastai's Adam, counted on the CPU at a small batch and scaled"
    from torch.utils.flop_counter import FlopCounterMode
    dls = cifar_dls(cifar_sample(), bs=8)
    learn = cifar_learner(dls, arch)
    learn.create_opt(); learn.model.train()
    x,y = dls.one_batch()
    with FlopCounterMode(display=False) as fc:
        loss = learn.loss_func(learn.model(x), y); loss.backward()
    flops = fc.get_total_flops()/len(x)*bs
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        loss = learn.loss_func(learn.model(x), y); loss.backward(); learn.opt.step(); learn.opt.zero_grad()
    ops = sum(1 for e in prof.events() if e.name.startswith('aten::') and e.cpu_parent is None)
    return dict(flops=flops, ops=ops)

def estimate(a):
    "The expected GPU time of each part at the default settings, from FLOP counts, op counts and this CPU's speed"
    c,bs,E = step_cost(a.arch, 512),512,a.epochs or FULL['epochs']
    n_iter = FULL['k_train']*10//bs
    dls = cifar_dls(cifar_sample(), bs=64); learn = cifar_learner(dls, a.arch); cb = StepTimer(3, 1)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3, cbs=cb)
    cpu_ips = 64/cb.secs
    rows = []
    for name,mfu,us in (('optimistic', MFU[0], US_PER_OP[0]), ('pessimistic', MFU[1], US_PER_OP[1])):
        step = max(c['flops']/(H200_BF16*mfu), c['ops']*us*1e-6)   # compute-bound or launch-bound, whichever is slower
        spe = step*n_iter*1.1
        rows.append(dict(case=name, mfu=mfu, us_per_op=us, step_ms=step*1e3, epoch_s=spe,
                         **{p: part_epochs(p, E, n_iter)*spe for p in PARTS}))
    df = pd.DataFrame(rows)
    df['total'] = df[list(PARTS)].sum(axis=1)
    print(f"{a.arch} training step at batch {bs}: {c['flops']/1e12:.2f} TFLOP, {c['ops']} eager ops (forward, backward, fastai's Adam); "
          f"this CPU: {cpu_ips:.0f} images/s ({torch.get_num_threads()} threads), {FULL['k_train']*10/cpu_ips/60:.0f} min per epoch")
    print(f'E={E}, {n_iter} batches per epoch; part costs in epochs: ' + ', '.join(f'{p} {part_epochs(p, E, n_iter):.1f}' for p in PARTS))
    with pd.option_context('display.width', 200, 'display.precision', 1): print(df.to_string(index=False))
    return df

if __name__=='__main__':
    a = get_args()
    if a.quick: a.device,a.arch = a.device or 'cpu',('resnet20' if a.arch=='resnet56' else a.arch)
    if a.estimate: estimate(a)
    else:
        res = main(a)
        bad = {k:v['status'] for k,v in res['parts'].items() if not v['status'].startswith(('done', 'skipped'))}
        if bad: sys.exit(f'parts failed: {bad}')
