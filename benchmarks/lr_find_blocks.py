"""Per-block LR range tests (`learn.lr_find_blocks`) on resnet56 with CIFAR-10: the factors between the head's
suggested LR and each earlier group's, after a short warm-up fit (a random-init network has no "pretrained" blocks).

Usage: python benchmarks/lr_find_blocks.py [--data DIR] [--n-train 1000] [--warmup-epochs 1] [--num-it 60] [--seed 0]
"""
import argparse, tarfile, tempfile, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore', message='.*torch.jit.script.*')
import matplotlib; matplotlib.use('Agg')
from fastai.vision.all import *
from fastai_smith.all import *

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--data'); p.add_argument('--n-train', type=int, default=1000); p.add_argument('--warmup-epochs', type=int, default=1)
p.add_argument('--num-it', type=int, default=60); p.add_argument('--seed', type=int, default=0); p.add_argument('--arch', default='resnet56')
args = p.parse_args()
if args.data: path = Path(args.data)
else:
    path = Path(tempfile.mkdtemp())
    with tarfile.open(Path(__file__).resolve().parents[2]/'shared'/'data'/'cifar10_jpg.tgz') as tf: tf.extractall(path, filter='data')
set_seed(args.seed, reproducible=True)
dls = cifar_dls(path, bs=128, n_train=args.n_train, n_valid=200)
learn = cifar_learner(dls, args.arch)
t = time.perf_counter()
with learn.no_bar(): learn.fit_one_cycle(args.warmup_epochs, 3e-3)
print(f'{args.arch}, {len(dls.train_ds):,} training images, warm-up {args.warmup_epochs} epoch(s) of 1cycle at 3e-3: '
      f'valid loss {learn.recorder.values[-1][1]:.3f}, accuracy {learn.recorder.values[-1][2]:.3f} ({time.perf_counter()-t:.0f}s)')
for nm,f in (('valley', valley), ('smith_max', smith_max)):
    t = time.perf_counter()
    with learn.no_bar(): bt = learn.lr_find_blocks(num_it=args.num_it, suggest=f, show_plot=False)
    print(f'\nsuggestion: {nm} ({args.num_it} iterations per group, {time.perf_counter()-t:.0f}s)')
    print(bt.df.to_string(index=False, float_format=lambda v: f'{v:.3g}'))
