"""The quality benchmark's from-scratch tasks, one definition for `tune_quality.py`, `free_warmup.py` and
`range_test_soundness.py`: the models, optimizers and sizes, a task's learner at a seed's initial weights, and the
95% t interval of paired differences."""
import math
import numpy as np
from fastai_smith.all import *

def cnn(n_out=10):
    "A plain CNN (conv-BN-ReLU blocks, no residuals)"
    return nn.Sequential(ConvLayer(3, 32), ConvLayer(32, 64, stride=2), ConvLayer(64, 128, stride=2), ConvLayer(128, 256, stride=2),
                         nn.AdaptiveAvgPool2d(1), Flatten(), nn.Linear(256, n_out))

# name: (model, optimizer, epochs, training images per class, batch size, grid LRs)
TASKS = {
    'resnet20-adam-8':  ('resnet20', 'adam', 8, 100, 32, (1e-3, 4e-3, 1.6e-2)),
    'resnet20-sgd-8':   ('resnet20', 'sgdm', 8, 100, 32, (5e-2, 2e-1, 8e-1)),
    'resnet20-sgd-nomom-8': ('resnet20', 'sgd', 8, 100, 32, (5e-2, 2e-1, 8e-1)),
    'cnn-adam-8':       ('cnn',      'adam', 8, 100, 32, (1e-3, 4e-3, 1.6e-2)),
    'resnet20-adam-30': ('resnet20', 'adam', 30, 40, 32, (1e-3, 4e-3, 1.6e-2)),
}
OPTS = dict(sgd=SGD, sgdm=partial(SGD, mom=0.9), adam=Adam)   # fastai's SGD has no momentum unless mom is given

def task_learner(task, seed, dls):
    "The task's model and optimizer with the seed's initial weights"
    arch,opt,*_ = TASKS[task]
    set_seed(seed)
    if arch=='cnn': return Learner(dls, cnn(), opt_func=OPTS[opt], metrics=accuracy)
    return cifar_learner(dls, arch, opt_func=OPTS[opt])

def t95(n): return {1:12.71, 2:4.30, 3:3.18, 4:2.78, 5:2.57, 6:2.45, 7:2.36, 8:2.31, 9:2.26}.get(n, 1.96)
def half95(d): "Half-width of the 95% t interval of the mean of the paired differences `d`"; return t95(len(d)-1)*d.std(ddof=1)/math.sqrt(len(d)) if len(d)>1 else float('nan')
def pts(d): "Mean paired difference and its 95% interval, in points"; return f"{d.mean()*100:+.2f} pts [{(d.mean()-half95(d))*100:+.2f}, {(d.mean()+half95(d))*100:+.2f}]"
