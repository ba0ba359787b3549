"""What two settings of the fine-tuning path's final run are worth, at the unfrozen LR the package chose: the weight decay
and the head phase's LR.

Schedule-Free AdamW led `smith_tune` on the vehicles tasks of `fine_tune.py` with weight decay 0.08 and one LR (2.5e-3)
for head and body, while `smith_tune` keeps 1e-2 (the weight-decay trials have no room at the default budget) and reads
the head's LR from a range test of the frozen model that scatters 1.4e-3 to 7.6e-2 over seeds. Before changing either,
this measured what each is worth: per task and seed, `smith_tune(train=False)` (the package's choices), then its final
training (`res.fit`, from the pretrained weights and the seed's data order, as `fine_tune.py` runs every method) with
one setting changed, scored on the task's test images:

- `wd`: the weight decay of both phases (the package's is the first value);
- `head`: the head phase's LR, fixed values against the package's reading (0 in the records);
- `kept`: since 2026-12-06 the final run goes on from the head phase tuning ran (`res.head_phase`); 1 does that, 0
  trains its own head phase (the same recipe from the same weights, with the benchmark's data order): is a kept head
  phase worse than a fresh one?
- `free`: the unfrozen phase schedule-free (`fit_schedule_free` at `v` times the race's LRs, per group, warming up over
  `FREE_WARMUP` of it, as the from-scratch schedule trial's runs) against the package's 1cycle (0); the head phase kept.
  From scratch schedule-free training, not Schedule-Free AdamW's optimizer, was what led (BENCHMARKS.md, "The final
  run's schedule"): is it also what leads on the vehicles?
- `lrx`: the unfrozen phase's 1cycle at `v` times the race's LRs (1 is the package's): the same LR change without the
  schedule, to tell the two apart.

`wd` and `head` ran against 642b31e (the head phase run again in the final run, the race's trials 20 to 24
iterations); their final runs do not depend on that. `kept` needs the package since then; it ran with the unfrozen
run 1cycle, before it became schedule-free (`free` 2 is the package since; `wd`, `head` and `kept` now run their
final runs schedule-free, `free` 0 and `lrx` 1cycle).

    python benchmarks/fine_tune_knobs.py run --knob wd --values 0.01 0.1 0.3 [--seeds 10] [--tasks ...]   # appends to benchmarks/fine_tune_knobs.json (resumable)
    python benchmarks/fine_tune_knobs.py run --knob head --values 0.001 0.003 0.01
    python benchmarks/fine_tune_knobs.py run --knob kept --values 0 1 --seeds 30
    python benchmarks/fine_tune_knobs.py run --knob free --values 0 1 2
    python benchmarks/fine_tune_knobs.py run --knob lrx --values 1 2
    python benchmarks/fine_tune_knobs.py summary
"""
import argparse, copy, json, sys, time, warnings
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))
warnings.filterwarnings('ignore')
import numpy as np
import fine_tune as F
from fastai_smith.stages import free_lr, FREE_WARMUP
import reproductions as R

OUT = ROOT/'benchmarks'/'fine_tune_knobs.json'
def runs(): return json.loads(OUT.read_text())['runs'] if OUT.exists() else []
def save(r): rs = runs() + [r]; OUT.write_text(json.dumps({'runs': rs}, indent=1)+'\n')

def final(task, seed, dls, test_dl, res, knob, v) -> float:
    "Test accuracy of `res.fit` from the pretrained weights and the seed's data order, with `knob` at `v` (head: 0 is the package's reading)"
    learn = F.learner(task, seed, dls)
    R.order(learn, seed)
    r = copy.copy(res)
    if knob=='kept': r.head_phase = res.head_phase if v else None
    elif knob=='free':
        if v: r.schedule,r.free_lr,r.free_warmup = 'free',[v*lr for lr in free_lr(learn.opt_func, res.lr_max, res.moms)],FREE_WARMUP
        else: r.schedule = '1cycle'
    elif knob=='lrx': r.schedule,r.lr_max = '1cycle',[v*lr for lr in res.lr_max]
    else:
        r.head_phase = None   # (each run trains its own head phase, as the package did when `wd` and `head` were measured)
        if knob=='wd': r.wd = v
        elif v: r.fine_tune = {**res.fine_tune, 'head_lr': v}
    with learn.no_bar(), learn.no_logging(): r.fit(learn, F.E_BODY)
    return R.test_acc(learn, test_dl)

def run(knob, values, seeds, tasks):
    vs = ([0.] if knob=='head' else []) + values
    for task in tasks:
        dls,test_dl = F.data(task)
        done = {r['seed'] for r in runs() if r['task']==task and r['knob']==knob}
        for seed in range(seeds):
            if seed in done: continue
            t0 = time.perf_counter()
            learn = F.learner(task, seed, dls)
            R.order(learn, seed)
            res = learn.smith_tune(fit_epochs=F.E_BODY, freeze_epochs=F.E_HEAD, results=False, quiet=True, seed=seed, train=False)
            accs = {str(v): final(task, seed, dls, test_dl, res, knob, v) for v in vs}
            if knob=='kept' and len(set(accs.values()))<2: raise RuntimeError(f"{task} seed {seed}: the kept head phase gave the same run as a fresh one")
            r = dict(task=task, knob=knob, seed=seed, lr=float(res.lr_max[0]), head=res.fine_tune['head_lr'], wd0=res.wd, accs=accs,
                     secs=round(time.perf_counter()-t0, 1))
            save(r); print(r, flush=True)

def _name(knob, v) -> str:
    "A setting's name in the summary"
    if knob=='head': return "the package's reading" if v==0 else f"head {v:g}"
    if knob=='kept': return 'the head phase kept' if v else 'its own head phase'
    if knob=='free': return f'schedule-free x{v:g}' if v else '1cycle'
    if knob=='lrx': return f'LR x{v:g}'
    return f"{knob} {v:g}"

def summary():
    "Per task and knob, each setting's test accuracy and its paired difference from the first setting, over the seeds that ran it"
    for task,knob in sorted({(r['task'], r['knob']) for r in runs()}):
        rs = sorted((r for r in runs() if r['task']==task and r['knob']==knob), key=lambda r: r['seed'])
        k0 = list(rs[0]['accs'])[0]
        print(f"\n{task}, {knob} ({len(rs)} seeds): test accuracy (%), and minus {_name(knob, float(k0))} (95% interval)")
        for k in dict.fromkeys(k for r in rs for k in r['accs']):
            a = np.array([[r['accs'][k0], r['accs'][k]] for r in rs if k in r['accs']])
            n = f" ({len(a)} seeds)" if len(a)<len(rs) else ''
            print(f"  {_name(knob, float(k)) + n:<34} {100*a[:,1].mean():.2f}  {F.ci(a[:,1]-a[:,0]) if k!=k0 else ''}")

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('what', choices=['run', 'summary'])
    p.add_argument('--knob', choices=['wd', 'head', 'kept', 'free', 'lrx'], default='wd')
    p.add_argument('--values', type=float, nargs='+', default=[0.01, 0.1, 0.3])
    p.add_argument('--seeds', type=int, default=10)
    p.add_argument('--tasks', nargs='+', default=['resnet20-vehicles-100'], choices=F.TASKS)
    a = p.parse_args()
    if a.what=='run': run(a.knob, a.values, a.seeds, a.tasks)
    else: summary()
