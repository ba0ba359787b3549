"""Does `smith_tune` beat fastai's default recipe?  Paired by seed, on tasks that differ in what matters.

Per task (model, optimizer, final length E epochs of 1cycle, a CIFAR-10 subset):
  (a) `learn.smith_tune(fit_epochs=E, train=False)`, then `res.fit(learn, E)` (1cycle, or schedule-free where its trial won);
  (c) fastai's defaults: `lr_find()` valley, then `fit_one_cycle(E, lr)` (the learner's momentum and weight decay);
  (b) a full-training grid over LR x momentum x weight decay (seed 0), the point chosen on the validation split;
  the peers a user could pick instead (`peers.py`, `pip install -e ".[bench]"`), each for the same E epochs:
  prodigy (lr 1, cosine), sf_algoperf and sf_default (Schedule-Free AdamW at its AlgoPerf settings and at its own
  defaults, constant LR), optuna (TPE with successive halving over LR, momentum and weight decay, trials of E/4 epochs,
  at most E epochs of tuning: one final run, the bound `smith_tune` is held to; then `fit_one_cycle(E)` at its best).
  Prodigy and Schedule-Free replace the task's optimizer, so the tasks that differ only in it share their runs.
Every method tunes on a validation split carved from CIFAR-10's *training* images and is scored once, at the end,
on CIFAR-10's *test* images, which no method sees while choosing. A seed gives (a) and (c) the same initial weights
and, for the final run, the same data order. Every run is appended to the JSON file as it ends: a rerun skips the
runs already there, so an interrupted benchmark resumes.

    python benchmarks/tune_quality.py                     # all tasks, 5 seeds (about 70 minutes on 2 CPU cores)
    python benchmarks/tune_quality.py --quick             # 2 tasks, 2 seeds, small grid (about 10 minutes)
    python benchmarks/tune_quality.py --only p            # only the peers (about 40 minutes for the four 8-epoch tasks)
    python benchmarks/tune_quality.py --only s --tasks resnet20-adam-8 cnn-adam-8   # the schedule study (about 25 minutes)
    python benchmarks/tune_quality.py --summary           # only print the tables of what the JSON file holds

The schedule study (s) asks why Schedule-Free AdamW leads from scratch at 8 epochs: 1cycle and its variants (a short
warm-up, flat-then-cosine, weight averaging, BatchNorm recomputed as the Schedule-Free callback does, Adam's moments
as Schedule-Free's) at one fixed point, paired by seed with Schedule-Free AdamW rerun beside them.
"""
import argparse, json, math, os, random, tarfile, time, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
from fastai_smith.all import *
import sys; sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import fit_prodigy, fit_schedulefree, optuna_search, RecomputeBN
from quality_tasks import TASKS, task_learner, half95, pts
PEERS = ('prodigy', 'sf_algoperf', 'sf_default', 'optuna')
FLAT = dict(div=1., pct_start=0.75)
def keep(best): return best
# (a)'s variants: name: (smith_tune's arguments besides (a)'s, the final run's arguments from res.best). Until 2026-12-05
# (a) was `lr_rule='smith'` (Smith's reading checked by one trial): 'check' is that (a), and the variants measured
# against it keep it; 'bracket' and 'bracket_wd' are the race that replaced it ('bracket_wd' is today's default).
# 'a:floor' is stored only: (a) before its trials' shape was mended on 2026-12-05 (a trial of between one and two epochs
# ran one epoch: 31 iterations where the budget held 37 on the 8-epoch tasks; now 2 epochs of 18 batches).
# '1cycle' is (a) until 2026-12-05, when the schedule trial came (`schedule='auto'`: 1cycle unless a schedule-free trial beats it)
# 'a:nowarm' is stored only: (a) with the schedule trial before its schedule-free training warmed up (2026-12-05; now a
# linear warm-up over FREE_WARMUP of the run, as in the trial as in the final run)
# 'a:free1x' is stored only, for resnet20-sgd-nomom-8: (a) before SGD without momentum trained its schedule-free final
# run at FREE_NO_MOMENTUM times the trial's LR (2026-12-06; seeds 10-14 measured that multiple on new seeds)
SMITH = dict(lr_rule='smith')
VARIANTS = {'check': (SMITH, keep), 'race': (dict(lr_rule=('valley', 'loss_stops_falling', 'smith_max')), keep),
            'wd0.1': (dict(SMITH, wd_grid=[0.1, 0.01, 0.001]), keep), 'mom0.9': (dict(SMITH, moms=(0.9, 0.9, 0.9)), keep),
            'flatcos': (SMITH, lambda b: {**b, **FLAT}), 'flatcos3': (SMITH, lambda b: {**b, **FLAT, 'lr_max': b['lr_max']/3}),
            'bracket': (dict(lr_rule=smith_race, wd_grid=[1e-2]), keep), 'bracket_wd': (dict(lr_rule=smith_race), keep),
            '1cycle': (dict(schedule='1cycle'), keep)}

ROOT = Path(__file__).resolve().parents[1]
p = argparse.ArgumentParser()
p.add_argument('--data', default=None, help='CIFAR-10 folder (train/ and test/); default: extract ../shared/data/cifar10_jpg.tgz')
p.add_argument('--work', default='/tmp/fastai_smith_bench', help='folder for the split folders (symbolic links) and caches')
p.add_argument('--seeds', type=int, default=5)
p.add_argument('--tasks', nargs='+', default=None)
p.add_argument('--quick', action='store_true')
p.add_argument('--only', default='acbp', help="which of a, c, b, p (the peers) and s (the schedule study, not in the default) to run")
p.add_argument('--peers', nargs='+', default=list(PEERS), choices=PEERS, help='which peers to run')
p.add_argument('--summary', action='store_true')
p.add_argument('--variant', default=None, choices=sorted(VARIANTS),
               help="also run (a) with other smith_tune settings: 'check': lr_rule='smith', Smith's reading checked by one trial ((a) until 2026-12-05); "
                    "'race': a trial per range-test reading, the largest LR within noise of the best; "
                    "with 'check': 'wd0.1': weight decay 0.1 as the default kept unless beaten beyond noise (then 0.01, 0.001); "
                    "'mom0.9': a constant momentum of 0.9 (Adam's own beta1, Schedule-Free's) instead of 1cycle's 0.95-0.85; "
                    "'flatcos': the choices as they are, the final run flat for 75%%, then cosine (fit_one_cycle with div=1, pct_start=0.75); "
                    "'flatcos3': the same at a third of the LR; "
                    "'bracket': a race of Smith's reading, a third of it and three times it, the largest within noise of the best, "
                    "weight decay kept at 1e-2 (its trials' budget goes to the race); "
                    "'bracket_wd': the same race with the weight-decay trials (every trial shorter, to share the budget); "
                    "'1cycle': schedule='1cycle', no schedule trial ((a) until the schedule trial came, 2026-12-05)")
p.add_argument('--out', default=str(ROOT/'benchmarks'/'tune_quality.json'))
a = p.parse_args()

GRID_MOMS, GRID_WDS = ((0.95,0.85,0.95), (0.9,0.9,0.9)), {'adam': (1e-2, 1e-1), 'sgd': (1e-3, 1e-2), 'sgdm': (1e-3, 1e-2)}
# The schedule study (--only s): why Schedule-Free AdamW leads from scratch at 8 epochs. Each recipe trains at one
# fixed point (Schedule-Free's LR 2.5e-3, the grid's weight decay 0.1, momentum 0.9), so only the schedule differs
SHAPE_LR, SHAPE_WD = 2.5e-3, 0.1
SHAPES = {'1cycle': "fit_one_cycle, momentum 0.9", '1cycle_lr1e-3': "the same at LR 1e-3 (ResNet-20's grid best)",
          '1cycle_warm5': "fit_one_cycle with 5% warm-up (pct_start 0.05)", '1cycle_bn': "fit_one_cycle, BatchNorm recomputed before each evaluation (as the Schedule-Free callback does)",
          '1cycle_swa': "fit_one_cycle, weights averaged every 5 batches over the second half", 'flat_cos': "fit_flat_cos: flat for 75%, then cosine to 0",
          'flat_cos_swa': "fit_flat_cos, weights averaged every 5 batches over the second half", 'const_swa': "a constant LR, weights averaged every 5 batches over the second half",
          '1cycle_adam999': "fit_one_cycle with Adam's second-moment decay 0.999 and eps 1e-8 (Schedule-Free's) instead of fastai's 0.99 and 1e-5",
          'sf_default': "Schedule-Free AdamW at its defaults, rerun beside the others",
          'free': "the package's fit_schedule_free around fastai's Adam, at Schedule-Free's defaults (lr 2.5e-3, no weight decay)",
          'free_adam999': "the same with Adam's second moment and eps as Schedule-Free's (0.999, 1e-8)"}
N_SPLIT, N_TEST = 50, 200   # per class: validation split carved from the training images; test images
if a.quick:
    a.seeds = min(a.seeds, 2)
    TASKS = {k:TASKS[k] for k in ('resnet20-adam-8', 'cnn-adam-8')}
    GRID_MOMS = GRID_MOMS[:1]
tasks = a.tasks or ['resnet20-adam-8', 'resnet20-sgd-8', 'cnn-adam-8', 'resnet20-adam-30', 'resnet20-sgd-nomom-8']
tasks = [t for t in tasks if t in TASKS]

out = Path(a.out)
runs = json.loads(out.read_text())['runs'] if out.exists() else []
def save(r):
    runs.append(r); out.write_text(json.dumps(dict(runs=runs), indent=1))
    print(json.dumps({k:v for k,v in r.items() if k!='res'}), flush=True)
def have(**kw): return any(all(r.get(k)==v for k,v in kw.items()) for r in runs)

def summary():
    rows = []
    for name in tasks:
        rs = [r for r in runs if r['task']==name]
        A = {r['seed']:r for r in rs if r['method']=='a'}; Cc = {r['seed']:r for r in rs if r['method']=='c'}
        seeds = sorted(set(A) & set(Cc))
        if not seeds: continue
        d = np.array([A[s]['test_acc']-Cc[s]['test_acc'] for s in seeds])
        half = half95(d)
        B = [r for r in rs if r['method']=='b']
        b = max(B, key=lambda r: r['valid_acc']) if B else None
        E = TASKS[name][2]
        a0 = A[0]['test_acc'] if 0 in A else float('nan')   # (b) runs on seed 0: the paired comparison is with (a)'s seed 0
        rows.append(dict(task=name, seeds=len(seeds), a=np.mean([A[s]['test_acc'] for s in seeds]), c=np.mean([Cc[s]['test_acc'] for s in seeds]), a0=a0,
                         diff=d.mean(), lo=d.mean()-half, hi=d.mean()+half,
                         b=b['test_acc'] if b else float('nan'), b_point=b['best'] if b else None, b_n=len(B),
                         tune_epochs=np.mean([A[s]['tune_epochs'] for s in seeds])/E,
                         tune_time=np.mean([A[s]['tune_s']/A[s]['final_s'] for s in seeds]),
                         c_tune=np.mean([Cc[s]['tune_s']/Cc[s]['final_s'] for s in seeds])))
    for name in tasks:   # variants of (a), paired with (c) and with (a)
        rs = [r for r in runs if r['task']==name]
        for v in sorted({r['method'] for r in rs if r['method'].startswith('a:')}):
            V = {r['seed']:r for r in rs if r['method']==v}
            for other in [o for o in ('c', 'a', 'a:check', 'a:floor', 'a:1cycle', 'a:nowarm', 'a:free1x') if o!=v]:
                O = {r['seed']:r for r in rs if r['method']==other}
                ss = sorted(set(V) & set(O))
                if len(ss)<2: continue
                d = np.array([V[s]['test_acc']-O[s]['test_acc'] for s in ss])
                print(f"{name}: ({v}) - ({other}) over {len(ss)} seeds: {pts(d)}; "
                      f"({v}) mean {np.mean([V[s]['test_acc'] for s in ss]):.4f}, tuning {np.mean([V[s]['tune_epochs'] for s in ss])/TASKS[name][2]:.2f} of a final run")
    if not rows: print('no complete pairs yet'); return
    print('\n| task | seeds | (a) smith_tune | (c) fastai default | (a)-(c), 95% CI | (b) grid best (by valid), seed 0 | (a)-(b), seed 0 | (a) mean - (b) | tuning: epochs / final run | tuning: wall / final run |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['task']} | {r['seeds']} | {r['a']:.4f} | {r['c']:.4f} | {r['diff']*100:+.2f} pts [{r['lo']*100:+.2f}, {r['hi']*100:+.2f}] | "
              f"{r['b']:.4f} ({r['b_n']} points) | {(r['a0']-r['b'])*100:+.2f} pts | {(r['a']-r['b'])*100:+.2f} pts | {r['tune_epochs']:.2f} | {r['tune_time']:.2f} |")
    for name in tasks:
        rs = [r for r in runs if r['task']==name]
        for m in ['a', 'c', *sorted({r['method'] for r in rs if r['method'].startswith('a:')})]:
            ch = [(r['seed'], r['best'], round(r['test_acc'], 4), r.get('schedule')) for r in sorted(rs, key=lambda r: r['seed']) if r['method']==m]
            if ch: print(f"{name} ({m}): " + '; '.join(f"seed {s}: lr {b['lr_max']:.3g}, moms {b['moms']}, wd {b['wd']}{', schedule-free' if sc=='free' else ''} -> {acc}" for s,b,acc,sc in ch))
        B = sorted([r for r in rs if r['method']=='b'], key=lambda r: -r['valid_acc'])
        if B: print(f"{name} (b): " + '; '.join(f"lr {r['best']['lr_max']:g} moms {r['best']['moms'][0]:g}-{r['best']['moms'][1]:g} wd {r['best']['wd']:g}: valid {r['valid_acc']:.4f} test {r['test_acc']:.4f}" for r in B))
def vs_all():
    "Every method of every task against smith_tune (a), paired by seed"
    print('\n| task | method | seeds | test accuracy | (a) minus it, 95% CI | tuning: epochs / final run |\n|---|---|---|---|---|---|')
    for name in tasks:
        rs = [r for r in runs if r['task']==name]
        A = {r['seed']:r['test_acc'] for r in rs if r['method']=='a'}
        for m in ('a', 'c', *PEERS, *sorted({r['method'] for r in rs if r['method'].startswith('a:')})):
            M = {r['seed']:r for r in rs if r['method']==m}
            ss = sorted(set(A) & set(M))
            if not ss: continue
            d = np.array([A[s]-M[s]['test_acc'] for s in ss])
            ci = '' if m=='a' else pts(d)
            te = np.mean([M[s].get('tune_epochs', 0) for s in ss])/TASKS[name][2]
            print(f"| {name} | {dict(a='smith_tune', c='fastai default').get(m, m)} | {len(ss)} | {np.mean([M[s]['test_acc'] for s in ss]):.4f} | {ci} | {te:.2f} |")
def shapes_summary():
    "Each schedule recipe against 1cycle at the same point and against Schedule-Free AdamW at its defaults, paired by seed"
    for name in tasks:
        S = {sh:{r['seed']:r['test_acc'] for r in runs if r['task']==name and r['method']=='shape:'+sh} for sh in SHAPES}
        if not S['1cycle']: continue
        print(f"\n{name}, every recipe at lr {SHAPE_LR:g}, weight decay {SHAPE_WD:g}, momentum 0.9 unless named:\n"
              "| recipe | seeds | test accuracy | minus 1cycle, 95% CI | minus Schedule-Free AdamW (defaults), 95% CI |\n|---|---|---|---|---|")
        for sh,M in S.items():
            if not M: continue
            row = [f"{sh} ({SHAPES[sh]})", str(len(M)), f"{np.mean(list(M.values())):.4f}"]
            for o in ('1cycle', 'sf_default'):
                ss = sorted(set(M) & set(S[o]))
                row.append('' if sh==o or len(ss)<2 else pts(np.array([M[s_]-S[o][s_] for s_ in ss])))
            print('| ' + ' | '.join(row) + ' |')
if a.summary: summary(); vs_all(); shapes_summary(); raise SystemExit

torch.set_num_threads(max(1, torch.get_num_threads()))
if a.data is None:
    a.data = Path(a.work)/'cifar10'
    if not (a.data/'train').exists():
        a.data.mkdir(parents=True, exist_ok=True)
        with tarfile.open(ROOT.parent/'shared'/'data'/'cifar10_jpg.tgz') as tf: tf.extractall(a.data, filter='data')
src = Path(a.data)

def split_folders(k):
    "Two folders of symbolic links sharing one training set of `k` images per class: (tuning: a validation split carved from train; test)"
    tv,tt = Path(a.work)/f'tv{k}',Path(a.work)/f'tt{k}'
    if not (tt/'valid').exists():
        for c in sorted(os.listdir(src/'train')):
            fs,ts = sorted(os.listdir(src/'train'/c)),sorted(os.listdir(src/'test'/c))
            for d,sub,names,frm in ((tv,'train',fs[:k],'train'), (tt,'train',fs[:k],'train'), (tv,'valid',fs[k:k+N_SPLIT],'train'), (tt,'valid',ts[:N_TEST],'test')):
                (d/sub/c).mkdir(parents=True, exist_ok=True)
                for f in names:
                    if not (d/sub/c/f).exists(): os.symlink(src/frm/c/f, d/sub/c/f)
    return tv,tt

def learner(task, seed, dls): return task_learner(task, seed, dls)

def final(learn, seed, test_dl, E, fit=None, **kw):
    "The final run (1cycle, or `fit(learn)`) with a fixed data order per seed, then the accuracy on the validation split and on the test images"
    set_seed(seed+1000)
    for i,dl in enumerate(learn.dls.loaders): dl.rng = random.Random(seed+1000+i)
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): fit(learn) if fit else learn.fit_one_cycle(E, **kw)
    secs = time.perf_counter()-t0
    va = float(learn.recorder.values[-1][2])
    with learn.no_bar(): ta = float(learn.validate(dl=test_dl)[1])
    return va,ta,secs

def jl(v): return list(v) if isinstance(v, tuple) else v

def optuna_space(opt):
    "The search space a user would give Optuna: LR and weight decay on log scales around the optimizer's usual values, 1cycle's momentum"
    lrs,wds = ((1e-4, 1e-1), (1e-4, 3e-1)) if opt=='adam' else ((1e-3, 3.), (1e-5, 3e-2))
    def space(t):
        p = dict(lr_max=t.suggest_float('lr', *lrs, log=True), wd=t.suggest_float('wd', *wds, log=True))
        if opt!='sgd': p['moms'] = {'cyclic': (0.95,0.85,0.95), 'flat': (0.9,0.9,0.9)}[t.suggest_categorical('moms', ['cyclic', 'flat'])]
        return p
    return space

def peer(name, m, seed, dls, test_dl):
    "Peer `m` on task `name`, seed `seed`: the record to save"
    arch,opt,E,*_ = TASKS[name]
    learn,info,t0 = learner(name, seed, dls),dict(tune_epochs=0.),time.perf_counter()
    if m=='optuna':
        best,spent,n = optuna_search(lambda: learner(name, seed, dls), optuna_space(opt), lambda l,p,n: l.fit_one_cycle(n, **p),
                                     budget=E, trial_epochs=max(1, E//4), seed=seed)
        info.update(best={k:jl(v) for k,v in best.items()}, tune_epochs=spent, n_trials=n)
        fit = lambda l: l.fit_one_cycle(E, **best)
    elif m=='prodigy': fit = lambda l: fit_prodigy(l, E)
    else: fit = lambda l: fit_schedulefree(l, E, m.removeprefix('sf_'))
    tt_ = time.perf_counter()-t0
    va,ta,fs = final(learn, seed, test_dl, E, fit)
    return dict(task=name, method=m, seed=seed, valid_acc=va, test_acc=ta, tune_s=tt_, final_s=fs, **info)

def twin(name, m, seed):
    "A run of an optimizer-independent peer on a task that differs from `name` only in its optimizer"
    if m=='optuna': return None
    key = lambda t: (TASKS[t][0], *TASKS[t][2:5])
    return next((r for r in runs if r['method']==m and r['seed']==seed and r['task']!=name and r['task'] in TASKS
                 and key(r['task'])==key(name) and 'same_as' not in r), None)
def shape_fit(shape, E):
    "The final run of schedule recipe `shape` (`SHAPES`) at the study's fixed point, as `final`'s `fit`"
    if shape=='sf_default': return lambda l: fit_schedulefree(l, E, 'default')
    if shape.startswith('free'):
        def fit(l):
            if shape=='free_adam999': l.opt_func = partial(Adam, sqr_mom=0.999, eps=1e-8)
            l.fit_schedule_free(E, SHAPE_LR, wd=0.)
        return fit
    def fit(l):
        if shape=='1cycle_bn': l.add_cb(RecomputeBN())   # (it stays for the test images' evaluation, as Schedule-Free's does)
        if shape=='1cycle_adam999': l.opt_func = partial(Adam, sqr_mom=0.999, eps=1e-8)
        cbs = [SWA(start_pct=0.5, every=5)] if shape.endswith('swa') else []
        if shape.startswith('flat_cos'): l.fit_flat_cos(E, SHAPE_LR, wd=SHAPE_WD, cbs=cbs)
        elif shape=='const_swa': l.fit(E, SHAPE_LR, wd=SHAPE_WD, cbs=cbs)
        else: l.fit_one_cycle(E, 1e-3 if shape=='1cycle_lr1e-3' else SHAPE_LR, moms=(0.9,0.9,0.9), wd=SHAPE_WD,
                              pct_start=0.05 if shape=='1cycle_warm5' else 0.25, cbs=cbs)
    return fit

for name in tasks:
    arch,opt,E,k,bs,lrs = TASKS[name]
    tv,tt = split_folders(k)
    dls = cifar_dls(tv, bs=bs, seed=0)
    test_dl = cifar_dls(tt, bs=bs, seed=0).valid
    print(f"== {name}: {arch} with {opt}, {E} epochs, {len(dls.train_ds)} training / {len(dls.valid_ds)} validation-split / "
          f"{len(test_dl.dataset)} test images, {len(dls.train)} batches per epoch", flush=True)
    for seed in range(a.seeds):
        for meth,(kw,fin) in (('a', ({}, keep)), *((('a:'+a.variant, VARIANTS[a.variant]),) if a.variant else ())):
            if 'a' not in a.only or have(task=name, method=meth, seed=seed): continue
            learn = learner(name, seed, dls)
            t0 = time.perf_counter()
            res = learn.smith_tune(fit_epochs=E, train=False, results=False, quiet=True, seed=seed, **kw)
            tt_ = time.perf_counter()-t0
            fit = (lambda l: res.fit(l, E)) if fin is keep else None   # the recipe the result holds (1cycle or schedule-free)
            va,ta,fs = final(learn, seed, test_dl, E, fit, **({} if fit else fin(res.best)))
            save(dict(task=name, method=meth, seed=seed, best=dict(lr_max=jl(res.lr_max), moms=jl(res.moms), wd=res.wd), schedule=res.schedule,
                      free_lr=res.free_lr, valid_acc=va, test_acc=ta, tune_s=tt_, final_s=fs,
                      tune_epochs=res.settings.tuning_epochs, n_trials=len(res.runs), notes=res.notes,
                      range_test={k:(list(v) if isinstance(v, tuple) else v) for k,v in res.range_test.sugg.items()} if res.range_test else None,
                      stages={k:v.why for k,v in res.stages.items()}))
        if 'c' in a.only and not have(task=name, method='c', seed=seed):
            learn = learner(name, seed, dls)
            t0 = time.perf_counter()
            with learn.no_bar(): lr = float(learn.lr_find(show_plot=False).valley)
            tt_ = time.perf_counter()-t0
            va,ta,fs = final(learn, seed, test_dl, E, lr_max=lr)
            save(dict(task=name, method='c', seed=seed, best=dict(lr_max=lr, moms=jl(learn.moms), wd=learn.wd), valid_acc=va, test_acc=ta,
                      tune_s=tt_, final_s=fs, tune_epochs=100/len(dls.train)))
        for m in (a.peers if 'p' in a.only else ()):
            if have(task=name, method=m, seed=seed): continue
            r = twin(name, m, seed)
            save({**r, 'task': name, 'same_as': r['task']} if r else peer(name, m, seed, dls, test_dl))
        for sh in (SHAPES if 's' in a.only and opt=='adam' else ()):   # the fixed point is Adam's
            if have(task=name, method='shape:'+sh, seed=seed): continue
            va,ta,fs = final(learner(name, seed, dls), seed, test_dl, E, shape_fit(sh, E))
            save(dict(task=name, method='shape:'+sh, seed=seed, valid_acc=va, test_acc=ta, final_s=fs))
    if 'b' in a.only:
        for wd in GRID_WDS[opt]:
            for m in GRID_MOMS:
                for lr in lrs:
                    b = dict(lr_max=lr, moms=list(m), wd=wd)
                    if have(task=name, method='b', best=b): continue
                    learn = learner(name, 0, dls)
                    va,ta,fs = final(learn, 0, test_dl, E, lr_max=lr, moms=m, wd=wd)
                    save(dict(task=name, method='b', seed=0, best=b, valid_acc=va, test_acc=ta, final_s=fs))
summary()
vs_all()
shapes_summary()
