"""The methods a fastai user could pick instead of `smith_tune`, each at its published defaults, wired into fastai
the way a user would (`OptimWrapper`, callbacks). Benchmark-only: `pip install -e ".[bench]"`.

- `fit_prodigy`: Prodigy (`prodigyopt`, lr 1, its default betas and no weight decay) with cosine annealing to 0;
- `fit_schedulefree`: Schedule-Free AdamW (`schedulefree`), constant LR, at its AlgoPerf self-tuning settings
  (lr 2.5e-3, betas 0.9/0.9955, weight decay 0.08, 2% warm-up) or at its own defaults (lr 2.5e-3, betas 0.9/0.999,
  no weight decay, no warm-up), with `ScheduleFreeCB` switching it between train and eval and recomputing BatchNorm's
  statistics at the averaged weights before every evaluation (as the package's README asks);
- `optuna_search`: Optuna's TPE sampler with a successive-halving pruner, trials of `trial_epochs` on the validation
  split, for at most `budget` epochs of training in all (the same tuning compute `smith_tune` is held to).

A fine-tuning task passes `head_epochs`: the peers then train the head of the frozen model for that many epochs,
unfreeze, and train everything for the rest, as `fine_tune` does, with the same optimizer and its state all the way.
"""
import itertools, math
from functools import partial
import torch
from torch.optim.swa_utils import update_bn
from fastai.vision.all import *

def _opt_func(opt, **kw): return partial(OptimWrapper, opt=opt, **kw)

def _use(learn, opt_func):
    "Give `learn` a new optimizer, keeping which groups are frozen"
    n = getattr(learn.opt, 'frozen_idx', 0) if learn.opt is not None else 0
    learn.opt_func,learn.opt = opt_func,None
    learn.create_opt()
    if n: learn.freeze_to(n)

def _phases(learn, epochs, head_epochs, fit):
    """`fit(n)` once from scratch; for fine-tuning: the head (frozen) for `head_epochs`, then everything for `epochs`.
    The optimizer's own `freeze_to` keeps its state (its LR estimate, its averages) across the unfreezing, which
    `Learner.unfreeze` would clear"""
    if head_epochs:
        learn.opt.freeze_to(-1); fit(head_epochs); learn.opt.freeze_to(0)
    fit(epochs)

def fit_prodigy(learn, epochs:int, head_epochs:int=0):
    "Prodigy at its defaults (lr 1, no weight decay) with cosine annealing over each fit"
    import prodigyopt
    _use(learn, _opt_func(prodigyopt.Prodigy))
    _phases(learn, epochs, head_epochs, lambda n: learn.fit(n, lr=1., wd=0., cbs=ParamScheduler({'lr': SchedCos(1., 0.)})))

SF_SETTINGS = {'algoperf': dict(lr=2.5e-3, betas=(0.9, 0.9955), weight_decay=0.08, warmup=0.02),
               'default':  dict(lr=2.5e-3, betas=(0.9, 0.999), weight_decay=0., warmup=0.)}

class RecomputeBN(Callback):
    "BatchNorm's statistics recomputed at the current weights before every evaluation, from up to `n_batches` training batches"
    order = TrainEvalCallback.order+1
    def __init__(self, n_batches:int=50): self.n_batches = n_batches
    def before_validate(self):
        if not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in self.model.modules()): return
        dl = self.dls.train.new(shuffle=False, drop_last=False)
        with torch.random.fork_rng():   # no draw from the RNG that the training augmentation uses
            update_bn(itertools.islice(dl, self.n_batches), self.model)   # fresh statistics, an equal-weight average over the batches
        self.model.eval()

class ScheduleFreeCB(RecomputeBN):
    "Schedule-Free's `train()`/`eval()` around training and evaluation; BatchNorm statistics recomputed at the evaluated weights"
    def _sf(self): return self.learn.opt.opt
    def before_train(self): self._sf().train()
    def before_validate(self): self._sf().eval(); super().before_validate()

def fit_schedulefree(learn, epochs:int, which:str='algoperf', head_epochs:int=0):
    "Schedule-Free AdamW at `SF_SETTINGS[which]`, constant LR; the callback stays on the learner for later `validate` calls"
    import schedulefree
    s = SF_SETTINGS[which]
    steps = (epochs+head_epochs)*len(learn.dls.train)
    _use(learn, _opt_func(schedulefree.AdamWScheduleFree, betas=s['betas'], warmup_steps=int(round(s['warmup']*steps))))
    if not any(isinstance(c, ScheduleFreeCB) for c in learn.cbs): learn.add_cb(ScheduleFreeCB())
    _phases(learn, epochs, head_epochs, lambda n: learn.fit(n, lr=s['lr'], wd=s['weight_decay']))

class _Report(Callback):
    "Reports the validation accuracy to an Optuna trial after each epoch; stops the fit when the pruner says so"
    order = Recorder.order+1
    def __init__(self, trial): self.trial,self.epochs,self.acc,self.pruned = trial,0,float('nan'),False
    def after_epoch(self):
        self.epochs += 1
        self.acc = float(self.recorder.values[-1][self.recorder.metric_names[1:].index('accuracy')])
        self.trial.report(self.acc if math.isfinite(self.acc) else 0., self.epochs)
        if self.trial.should_prune(): self.pruned = True; raise CancelFitException()

def optuna_search(make, space, train, budget:float, trial_epochs:int, seed:int=0):
    """TPE with successive halving: `make()` a fresh learner, `space(trial)` its hyper-parameters, `train(learn, params, n)`
    for `n` epochs; trials run while they fit in `budget` epochs in all. Returns (`space`'s best point, epochs spent, trials)"""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction='maximize', sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3))
    spent = 0
    def objective(trial):
        nonlocal spent
        p,learn = space(trial),make()
        cb = _Report(trial)
        learn.add_cb(cb)
        try:
            with learn.no_bar(), learn.no_logging(): train(learn, p, trial_epochs)
        finally: learn.remove_cb(cb); spent += cb.epochs
        if cb.pruned: raise optuna.TrialPruned()
        return cb.acc if math.isfinite(cb.acc) else 0.
    while spent + trial_epochs <= budget + 1e-9: study.optimize(objective, n_trials=1)
    done = [t for t in study.trials if t.state==optuna.trial.TrialState.COMPLETE]
    return (space(optuna.trial.FixedTrial(study.best_params)) if done else None),spent,len(study.trials)   # the best point as `space` gives it
