"""Which range-test readings `RangeTest.unsound` calls noise: the range test `smith_tune` runs on each task of
benchmarks/tune_quality.py (seeds 0-4, or --seeds N; its plan's `num_it`), and on a ResNet-18 from scratch through fastai's folder
pipeline (the CIFAR-10 sample, every image or every tenth, batch 64/32/16, 30-38 iterations), where the readings
came out absurd (1e-7). Prints one line per test: the reading `smith_tune` takes and the verdict.

Usage: python benchmarks/range_test_soundness.py [--seeds 10]   (about 4 minutes for 5 seeds on 2 cores; extracts ../shared/data/cifar10_jpg.tgz)
"""
import os, sys, tarfile, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
from fastai_smith.all import *
from fastai_smith.core import seed_fit

ROOT = Path(__file__).resolve().parents[1]
n_seeds = int(sys.argv[sys.argv.index('--seeds')+1]) if '--seeds' in sys.argv else 5
sys.path.insert(0, str(ROOT/'benchmarks'))
from quality_tasks import TASKS, task_learner

work = Path('/tmp/fastai_smith_bench'); data = work/'cifar10'
if not (data/'train').exists():
    data.mkdir(parents=True, exist_ok=True)
    with tarfile.open(ROOT.parent/'shared'/'data'/'cifar10_jpg.tgz') as tf: tf.extractall(data, filter='data')

def folder(k):
    "k training images per class and a validation split of 50 per class carved from the others (as tune_quality.py)"
    tv = work/f'rts_tv{k}'
    if not (tv/'valid').exists():
        for c in sorted(os.listdir(data/'train')):
            fs = sorted(os.listdir(data/'train'/c))
            for sub,names in (('train', fs[:k]), ('valid', fs[k:k+50])):
                (tv/sub/c).mkdir(parents=True, exist_ok=True)
                for f in names: os.symlink(data/'train'/c/f, tv/sub/c/f)
    return tv

def test(learn, seed, num_it):
    seed_fit(learn, seed)
    with learn.no_bar(): rt = learn.lr_range_test(num_it=num_it, suggest_funcs=(valley, loss_stops_falling, smith_max, clr_bounds), show_plot=False)
    return rt

n_bad = {}
for name,(arch,opt,E,k,bs,_) in TASKS.items():
    dls = cifar_dls(folder(k), bs=bs, seed=0)
    num_it = max(30, min(100, len(dls.train)*E//4))   # smith_tune's plan: a quarter of one final run, 30 to 100 iterations
    for seed in range(n_seeds):
        learn = task_learner(name, seed, dls)
        rt = test(learn, seed, num_it)
        why = rt.unsound(); n_bad[name] = n_bad.get(name, 0) + bool(why)
        below = ' (below the valley)' if rt.sugg['loss_stops_falling'] < rt.sugg['valley'] else ''
        print(f"{name:22s} seed {seed} ({num_it} iterations): reading {rt.smith:.3g}{below}: {why or 'sound'}", flush=True)
path = cifar_sample()
for nm,every,bs,num_it in (('resnet18-folder-all', 1, 64, 38), ('resnet18-folder-tenth', 10, 32, 30), ('resnet18-folder-tenth-bs16', 10, 16, 30)):
    for seed in (0, 42):
        db = DataBlock(blocks=(ImageBlock, CategoryBlock), get_items=lambda p, e=every: get_image_files(p)[::e], get_y=parent_label,
                       splitter=GrandparentSplitter(valid_name='valid'), batch_tfms=[Flip(), Normalize.from_stats(*cifar_stats)])
        set_seed(seed)
        learn = vision_learner(db.dataloaders(path, bs=bs), resnet18, pretrained=False, metrics=accuracy)
        rt = test(learn, seed, num_it)
        why = rt.unsound(); n_bad[nm] = n_bad.get(nm, 0) + bool(why)
        print(f"{nm:22s} seed {seed} ({num_it} iterations): reading {rt.smith:.3g}: {why or 'sound'}", flush=True)
print('called noise: ' + ', '.join(f'{k} {v}' for k,v in n_bad.items()))
