"""The second pretrained body of the transfer benchmark: torchvision's ResNet-18 (through fastai's `vision_learner`,
no downloaded weights) pretrained here on five CIFAR-10 classes, to be fine-tuned on the other five.

    python benchmarks/body2.py          # builds the body if it is not cached yet, prints its settings (about 5 minutes on 2 cores)

The weights go to the package's user cache (`$XDG_CACHE_HOME/fastai_smith/bench/`, 45 MB, not shipped); the command
and its settings are stored beside them, and `fine_tune.py` builds the body on first use.
"""
import sys, time, warnings
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))
warnings.filterwarnings('ignore')
import torch
from fastai.vision.all import *
from fastai_smith.all import *
from fastai_smith.core import user_cache

SOURCE = ('airplane', 'automobile', 'bird', 'cat', 'deer')   # the body learns these ...
TARGET = ('dog', 'frog', 'horse', 'ship', 'truck')           # ... and is fine-tuned on these
EPOCHS, LR, BS = 5, 3e-3, 128
FILE = user_cache('bench', f'resnet18_cifar5_e{EPOCHS}.pth')

def body2():
    "The cached body: {'meta', 'state_dict'} (built here on first use)"
    if not FILE.exists(): build()
    return torch.load(FILE, weights_only=False)

def target_learner(dls, **kw):
    "A `vision_learner` with the pretrained body loaded and frozen, as a user holding these weights would make it"
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=accuracy, **kw)
    learn.model[0].load_state_dict(body2()['state_dict'])
    learn.freeze()
    return learn

def build():
    import reproductions as R
    path = R.folder('cifar5_source', SOURCE, ('train', slice(None)), ('test', slice(None)))
    set_seed(0, reproducible=True)
    dls = cifar_dls(path, bs=BS, seed=0, stats=cifar_stats())
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=accuracy)
    t = time.perf_counter()
    learn.fit_one_cycle(EPOCHS, LR)
    acc = float(learn.recorder.values[-1][2])
    meta = dict(arch='torchvision resnet18 (vision_learner body)', classes=list(dls.vocab), n_train=len(dls.train_ds), epochs=EPOCHS,
                lr_max=LR, bs=BS, opt='Adam (fastai default)', schedule='fit_one_cycle', seed=0, valid_acc=round(acc, 4),
                secs=round(time.perf_counter()-t), command='python benchmarks/body2.py')
    FILE.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'meta': meta, 'state_dict': {k:v.detach().cpu().clone() for k,v in learn.model[0].state_dict().items()}}, FILE)
    print(f"resnet18 body on {len(dls.train_ds):,} images of {', '.join(SOURCE)}: {EPOCHS} epochs, accuracy {acc:.4f} "
          f"on their {len(dls.valid_ds):,} test images ({meta['secs']} s); wrote {FILE}", flush=True)

def cifar_stats():
    "CIFAR-10's channel statistics (both the body and the target task normalise with them)"
    return (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)

if __name__=='__main__':
    print(body2()['meta'])
