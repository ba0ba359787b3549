"""Weight capture and SWA on CIFAR-10 (CPU-sized): the per-epoch overhead of `WeightCapture` and of SWA averaging
with resnet56, 1cycle against 1cycle+SWA at equal epochs over 3 seeds, and interpolation curves between two
cycle-end snapshots of a CLR fit and between two epochs of a 1cycle fit (figure: nbs/images/interpolation_cifar10.png).

Usage: python benchmarks/swa.py [--data DIR] [--n-train 300] [--epochs 6] [--swa-epochs 2] [--seeds 0 1 2]
"""
import argparse, statistics, tarfile, tempfile, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore', message='.*torch.jit.script.*')
import matplotlib; matplotlib.use('Agg')
from torch.optim.swa_utils import AveragedModel
from fastai.vision.all import *
from fastai_smith.all import *
from fastai_smith.core import state_copy

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--data'); p.add_argument('--n-train', type=int, default=300); p.add_argument('--epochs', type=int, default=6)
p.add_argument('--swa-epochs', type=int, default=2); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
p.add_argument('--lr', type=float, default=5e-3); p.add_argument('--swa-lr', type=float, default=1e-3)
args = p.parse_args()
root = Path(__file__).resolve().parents[1]
if args.data: path = Path(args.data)
else:
    path = Path(tempfile.mkdtemp())
    with tarfile.open(root.parent/'shared'/'data'/'cifar10_jpg.tgz') as tf: tf.extractall(path, filter='data')

# --- 1. overhead per epoch with resnet56 on the full training set
dls = cifar_dls(path, bs=128)
learn = cifar_learner(dls, 'resnet56')
class Timer(Callback):
    order = 100
    def before_fit(self): self.n = 0
    def after_batch(self):
        if not self.training: return
        self.n += 1
        if self.n == 3: self.t0 = time.perf_counter()
        if self.n == 13: self.dt = (time.perf_counter()-self.t0)/10; raise CancelFitException()
tm = Timer()
with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3, cbs=tm)
epoch_s = tm.dt*len(dls.train)
m = learn.model
def med(f, n=20):
    ts = []
    for _ in range(n): t = time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return statistics.median(ts)
avg = AveragedModel(m, use_buffers=False)
t_cap, t_avg = med(lambda: state_copy(m, 'cpu')), med(lambda: avg.update_parameters(m))
print(f'resnet56, full CIFAR-10 train set ({len(dls.train_ds):,} images, bs 128): epoch ~{epoch_s:.0f}s (from 10 timed batches)')
print(f'WeightCapture copy: {t_cap*1e3:.2f} ms = {100*t_cap/epoch_s:.4f}% of an epoch; '
      f'SWA average update: {t_avg*1e3:.2f} ms = {100*t_avg/epoch_s:.4f}% of an epoch')

# --- 2. accuracy: 1cycle vs 1cycle + SWA at equal total epochs
dls = cifar_dls(path, bs=128, n_train=args.n_train, n_valid=200)
res = {'1cycle': [], '1cycle+SWA': []}
for seed in args.seeds:
    for name in res:
        set_seed(seed, reproducible=True)
        l = cifar_learner(dls, 'resnet20')
        t = time.perf_counter()
        with l.no_bar(), l.no_logging():
            if name == '1cycle': l.fit_one_cycle(args.epochs, args.lr)
            else: l.fit_one_cycle_swa(args.epochs-args.swa_epochs, args.lr, swa_epochs=args.swa_epochs, swa_lr=args.swa_lr)
            acc = l.validate()[1]
        res[name].append(acc)
        print(f'seed {seed} {name:11}: accuracy {acc:.4f} ({time.perf_counter()-t:.0f}s)')
print(f'resnet20, {len(dls.train_ds):,} training / {len(dls.valid_ds):,} test images, {args.epochs} epochs in all '
      f'(SWA: {args.epochs-args.swa_epochs} of 1cycle at {args.lr} + {args.swa_epochs} of SWA at {args.swa_lr}):')
for k,v in res.items(): print(f'  {k:11} mean {statistics.mean(v):.4f}  std {statistics.stdev(v) if len(v)>1 else 0:.4f}  {[round(a,4) for a in v]}')

# --- 3. interpolation curves on CIFAR-10 (the same subset, resnet20, 4 epochs)
set_seed(0, reproducible=True)
l = cifar_learner(dls, 'resnet20', cbs=WeightCapture(at_cycle_ends=True))
with l.no_bar(), l.no_logging(): l.fit_clr(4, 1e-2, step_size=len(dls.train))
w_clr = l.weight_capture.weights
with l.no_bar(): clr = l.interpolation_curve(w_clr['cycle1'], w_clr['cycle0'], alphas=np.linspace(-0.5, 1.5, 21), n_batches=8, show_plot=False)
set_seed(0, reproducible=True)
l = cifar_learner(dls, 'resnet20', cbs=WeightCapture(epochs=[1, 3]))
with l.no_bar(), l.no_logging(): l.fit_one_cycle(4, args.lr)
w_1c = l.weight_capture.weights
with l.no_bar(): one = l.interpolation_curve(w_1c[3], w_1c[1], alphas=np.linspace(-0.5, 1.5, 21), n_batches=8, show_plot=False)
print('interpolation barriers (loss rise between the endpoints above the higher endpoint):')
print(f"  CLR, end of cycle 1 (alpha=1) vs end of cycle 0 (alpha=0): train {clr.barrier['train_loss']:.4f}, valid {clr.barrier['valid_loss']:.4f}")
print(f"  1cycle, end of epoch 3 (alpha=1) vs end of epoch 1 (alpha=0): train {one.barrier['train_loss']:.4f}, valid {one.barrier['valid_loss']:.4f}")
fig, axs = plt.subplots(1, 2, figsize=(12, 4))
for ax, r, t in zip(axs, (clr, one), ('CLR (triangular, step = 1 epoch): cycle ends', '1cycle: end of epochs 1 and 3')):
    hi = np.nanmax(r.df[['train_loss','valid_loss']].values[np.isfinite(r.df[['train_loss','valid_loss']].values)])
    r.plot(ax=ax, ylim=(0, min(hi, 8))); ax.set_title(f"{t}\nbarrier: train {r.barrier['train_loss']:.3f}, valid {r.barrier['valid_loss']:.3f}")
fig.tight_layout(); fig.savefig(root/'nbs'/'images'/'interpolation_cifar10.png', dpi=80)
print('figure written to nbs/images/interpolation_cifar10.png')
