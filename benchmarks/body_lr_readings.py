"""Why `smith_tune` races trials for the unfrozen model's LR when fine-tuning, instead of reading a range test per group.

On each transfer task of `fine_tune.py` and each seed: the head's LR from a 50-iteration range test of the frozen model
(Smith's reading, or fastai's valley where that is noise), a 2-epoch head phase, then, unfrozen, a range test per
parameter group (`lr_find_blocks`, 25 iterations from 1,000x below the head's LR to 10x above it, read at fastai's
valley: what `smith_tune` did before). It prints each group's reading, whether `unsound_reading` calls it noise, and how
alike the groups' raw losses are (the correlation of their curves: the same batches, so the same noise).

Usage (from the repository root; about 2 minutes here):
    python benchmarks/body_lr_readings.py [--seeds 5] [--tasks resnet20-vehicles resnet18-cifar5]
"""
import argparse, sys, warnings
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings('ignore')
import numpy as np
import fine_tune as FTB
import reproductions as R
from fastai.vision.all import *
from fastai_smith.all import *
from fastai_smith.lr_finder import unsound_reading

def readings(task, seed, dls):
    "Each group's valley reading, its soundness and its raw loss curve, after the head phase"
    learn = FTB.learner(task, seed, dls); R.order(learn, seed)
    with learn.no_bar(), learn.no_logging():
        rt = learn.lr_range_test(num_it=50, show_plot=False)
        head = rt.smith if not rt.unsound() else rt.sugg['valley']
        learn.fit_one_cycle(FTB.E_HEAD, head)
        learn.unfreeze()
        bt = learn.lr_find_blocks(num_it=25, show_plot=False, start_lr=head/1e3, end_lr=head*10)
    rows = [dict(group=int(g), lr=float(lr), noise=bool(unsound_reading(t.lrs, t.losses, t.raw, lr, t.skip_start)), raw=np.array(t.raw))
            for g,lr,t in zip(bt.df.group, bt.df.lr, bt.tests)]
    return head,rows

def main(seeds, tasks):
    for task in tasks:
        dls,_ = FTB.data(task)
        n = same = noise = 0
        for s in range(seeds):
            head,rows = readings(task, s, dls)
            k = min(len(r['raw']) for r in rows)
            cor = np.corrcoef([r['raw'][:k] for r in rows])[np.triu_indices(len(rows), 1)]
            lrs = [r['lr'] for r in rows]
            n += len(rows); noise += sum(r['noise'] for r in rows); same += len(set(np.round(lrs, 12)))==1
            print(f"{task} seed {s}: head {head:.2e}; groups " + ', '.join(f"{r['group']}: {r['lr']:.1e}{' (noise)' if r['noise'] else ''}" for r in rows)
                  + f"; correlation of the groups' raw losses {cor.min():.2f} to {cor.max():.2f}", flush=True)
        print(f"{task}: {noise} of {n} group readings are noise by unsound_reading; every group read the same LR in {same} of {seeds} seeds\n", flush=True)

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--tasks', nargs='+', default=list(FTB.TASKS), choices=FTB.TASKS)
    a = p.parse_args()
    main(a.seeds, a.tasks)
