"""One rank of a 2-process CPU data-parallel fit (gloo) under fastai's `distrib_ctx`, with our callbacks.

Run by tests/test_distributed.py with RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set; writes what it saw to OUT/rank<r>.pt.
"""
import os, sys, warnings
warnings.filterwarnings('ignore')
from pathlib import Path
import torch, torch.distributed as dist
from fastai.vision.all import *
from fastai.distributed import *
from fastai_smith.all import *

def _cpu_broadcast(self, t, rank):
    "fastai's DistributedDL broadcasts the batch order as a CUDA tensor (for NCCL); with gloo on the CPU it must stay on the CPU"
    t = torch.LongTensor(t); dist.broadcast(t, rank); return t.tolist()
DistributedDL._broadcast = _cpu_broadcast

out,rank = Path(sys.argv[1]),int(os.environ['RANK'])
torch.set_num_threads(1)
set_seed(0)
dls = cifar_dls(cifar_sample(), n_train=16, n_valid=8, bs=16, device='cpu')
learn = cifar_learner(dls, 'resnet20')
wc,swa,hr = WeightCapture(at_cycle_ends=True),SWA(start_epoch=6, swa_lr=1e-3),HyperRecorder()
with learn.distrib_ctx(sync_bn=False, cpu=True):
    assert dist.is_initialized() and dist.get_world_size()==2, 'not distributed'
    sched = learn.fit_clr(8, base_lr=1e-4, lr_max=1e-3, cbs=[wc, swa, hr])   # default step size: 2 epochs of this rank's batches
res = dict(rank=rank, world=dist.get_world_size(), n_iter=len(learn.recorder.losses), train_len=len(dls.train),
           cycle_ends=list(sched.cycle_ends), capture_keys=list(wc.weights), model_keys=list(learn.model.state_dict()),
           captured={k:list(v) for k,v in wc.weights.items()}, n_averaged=swa.n_averaged, lrs=[l[-1] for l in hr.vals['lr']],
           state={k:v.clone() for k,v in learn.model.state_dict().items()}, wrapped=type(learn.model).__name__)
torch.save(res, out/f'rank{rank}.pt')
dist.barrier()
dist.destroy_process_group()
