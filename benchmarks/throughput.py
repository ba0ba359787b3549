"""Training throughput of resnet56 on CIFAR-10: a bare PyTorch loop vs `cifar_learner`+`cifar_dls` vs fastai's default
`ImageDataLoaders.from_folder` pipeline, in one process, on the same data with equivalent augmentation
(reflect-pad 4 + random 32x32 crop + horizontal flip, normalised with the training set's channel statistics), the same
model (channels_last), the same optimiser (Adam, decoupled wd) and a 1cycle schedule. Also times building
`cifar_dls` cold (decoding every JPEG) and from its cache.

Usage: python benchmarks/throughput.py [--data DIR] [--arch resnet56] [--bs 128] [--batches 20] [--warmup 3] [--device cpu] [--bf16]
--bf16: bfloat16 autocast on a CUDA device in both loops (`learn.to_bf16()` for fastai's); on a CPU it changes nothing.
With no --data it extracts ../shared/data/cifar10_jpg.tgz to a temporary folder.
"""
import argparse, os, platform, shutil, sys, tarfile, tempfile, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore', message='.*torch.jit.script.*')
import torch, torch.nn.functional as F
from fastai.vision.all import *
from fastai_smith.models import cifar_learner, resnet_cifar, cifar_archs
from fastai_smith.data import cifar_dls, image_cache, PadCropFlip

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--data'); p.add_argument('--arch', default='resnet56'); p.add_argument('--bs', type=int, default=128)
p.add_argument('--batches', type=int, default=20); p.add_argument('--warmup', type=int, default=3)
p.add_argument('--device', default=None); p.add_argument('--repeats', type=int, default=2); p.add_argument('--skip-fastai-default', action='store_true')
p.add_argument('--bf16', action='store_true')
args = p.parse_args()
dev = torch.device(args.device) if args.device else default_device()
sync = (lambda: torch.cuda.synchronize()) if dev.type == 'cuda' else (lambda: None)
bf16 = args.bf16 and dev.type == 'cuda'   # fastai's MixedPrecision autocasts on CUDA only: the bare loop does the same
n_steps = args.warmup + args.batches

tmp = Path(tempfile.mkdtemp())
if args.data: path = Path(args.data)
else:
    t = time.perf_counter()
    with tarfile.open(Path(__file__).resolve().parents[2]/'shared'/'data'/'cifar10_jpg.tgz') as tf: tf.extractall(tmp, filter='data')
    path = tmp; print(f'extracted CIFAR-10 in {time.perf_counter()-t:.1f}s')

# --- building cifar_dls: cold (decode all 60,000 JPEGs) and from the cache
cache_dir = tmp/'cache'
t = time.perf_counter(); dls = cifar_dls(path, bs=args.bs, device=dev, cache=cache_dir); t_cold = time.perf_counter()-t
t = time.perf_counter(); dls = cifar_dls(path, bs=args.bs, device=dev, cache=cache_dir); t_warm = time.perf_counter()-t
d = image_cache(path, cache=cache_dir, verbose=False)
mean, std = d['mean'], d['std']

class StepTimer(Callback):
    "Times training batches after `warmup`, then stops the fit (no validation)"
    order = 100
    def before_fit(self): self.t0, self.n = None, 0
    def after_batch(self):
        if not self.training: return
        self.n += 1
        if self.n == args.warmup: sync(); self.t0 = time.perf_counter()
        if self.n == n_steps: sync(); self.elapsed = time.perf_counter()-self.t0; raise CancelFitException()
    def before_validate(self): raise CancelValidException()

def fastai_ips(dls):
    set_seed(0)
    learn = cifar_learner(dls, args.arch, cbs=StepTimer())
    if bf16: learn.to_bf16()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 1e-3)
    return args.bs*args.batches/learn.step_timer.elapsed

def bare_ips():
    "A hand-written loop over in-memory uint8 tensors: index a batch, augment, normalise, step"
    set_seed(0)
    X, Y = d['train_x'].to(dev), d['train_y'].to(dev)
    m, s = mean.to(dev)[None,:,None,None], std.to(dev)[None,:,None,None]
    model = resnet_cifar(cifar_archs[args.arch], 10).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-3, total_steps=len(X)//args.bs)
    aug, perm = PadCropFlip(), torch.randperm(len(X), device=dev)
    model.train()
    for i in range(n_steps):
        if i == args.warmup: sync(); t0 = time.perf_counter()
        idx = perm[i*args.bs:(i+1)*args.bs]
        xb = (aug(TensorImage(X[idx]), split_idx=0).float().div_(255) - m)/s
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16): loss = F.cross_entropy(model(xb).float(), Y[idx])
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    sync(); return args.bs*args.batches/(time.perf_counter()-t0)

def fastai_default_dls():
    "fastai's usual pipeline: files decoded per item every epoch, pad+random crop as item transforms, flip on the batch"
    return ImageDataLoaders.from_folder(path, train='train', valid='test', bs=args.bs, device=dev,
        item_tfms=[CropPad(40, pad_mode=PadMode.Reflection), RandomCrop(32)],
        batch_tfms=[Flip(p=0.5), Normalize.from_stats(mean, std)])

print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} '
      f'({torch.get_num_threads()} threads), device {dev}' + (f' ({torch.cuda.get_device_name()})' if dev.type=='cuda' else ''))
print(f'{args.arch}, bs {args.bs}, {args.batches} timed batches after {args.warmup} warm-up batches' + (', bf16 autocast' if bf16 else ''))
print(f'cifar_dls build: cold {t_cold:.1f}s (decode + cache), from cache {t_warm:.2f}s')
t = time.perf_counter(); dc = None if args.skip_fastai_default else fastai_default_dls(); t_c = time.perf_counter()-t
runs = {'a': [], 'b': [], 'c': []}
for r in range(args.repeats):  # interleaved, so that drifts of a shared machine hit every pipeline alike
    runs['a'].append(bare_ips()); runs['b'].append(fastai_ips(dls))
    if dc is not None: runs['c'].append(fastai_ips(dc))
    print(f'repeat {r}: ' + ', '.join(f'{k} {v[-1]:.1f}' for k,v in runs.items() if v) + ' img/s')
a, b = max(runs['a']), max(runs['b'])
print(f'best of {args.repeats}:')
print(f'(a) bare PyTorch loop:            {a:8.1f} img/s')
print(f'(b) cifar_learner + cifar_dls:    {b:8.1f} img/s')
if dc is not None:
    c = max(runs['c'])
    print(f'(c) fastai ImageDataLoaders:      {c:8.1f} img/s  (built in {t_c:.1f}s, {dc.train.fake_l.num_workers} worker processes)')
print(f'b/a = {b/a:.3f}' + (f'   b/c = {b/c:.2f}' if dc is not None else ''))
shutil.rmtree(tmp, ignore_errors=True)
