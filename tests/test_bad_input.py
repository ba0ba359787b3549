"""Bad input is refused before anything changes (issue 13, item 4), on tiny data.

Every case passes one bad value to one argument of the public API and checks that the error names the value and
says what is accepted, and that the learner is exactly as it was (weights, buffers, grads, optimizer state and
hypers, callbacks in order, modes, recorder, RNGs, attributes: `conftest.snapshot`) with no file written.
`test_every_argument_is_covered` is the systematic pass over the signatures: each argument of each public function,
method and callback has a case here, or is in `ANY_VALUE` with the reason it takes whatever it is given."""
import inspect, warnings
import numpy as np, pytest, torch
from conftest import snapshot, assert_same

warnings.filterwarnings('ignore')
from fastai.vision.all import *
from fastai_smith.all import *
from fastai_smith.trials import TrialRunner, Trial, paired_gap, pick_trial, trials_df
from fastai_smith.state import LearnerState
from fastai_smith.discriminative import model_blocks
from fastai_smith.data import channel_stats
for _n in [n for n in globals() if n.startswith('test')]: del globals()[_n]   # fastcore's test_eq & co. are not tests of ours

NAN,INF = float('nan'),float('inf')

@pytest.fixture(scope='module')
def learn(folder, tmp_path_factory):
    "A user's learner: trained one epoch (optimizer state, recorder values), frozen to its last two groups"
    set_seed(0)
    l = cifar_learner(cifar_dls(folder, bs=8, cache=False), 'resnet20', path=tmp_path_factory.mktemp('learner'))
    with l.no_bar(), l.no_logging(): l.fit_one_cycle(1, 1e-3)
    l.freeze_to(-2)
    return l

class Call:
    "A case whose bad input cannot be one keyword: `f(learn, folder)` makes the call; `fit`: it calls fastai's `fit`"
    def __init__(self, f, desc, fit=False): self.f,self.desc,self.fit = f,desc,fit
    def __repr__(self): return self.desc

# Valid arguments each call needs besides the bad one
BASE = dict(
    lr_range_test=dict(num_it=8, show_plot=False), fit_clr=dict(n_epoch=1, lr_max=1e-2), fit_warm_restarts=dict(n_cycles=1, cycle_len=1, lr_max=1e-2),
    fit_one_cycle_swa=dict(n_epoch=2, lr_max=1e-2, swa_epochs=1), fit_schedule_free=dict(n_epoch=1, lr=1e-2), fit_gradual=dict(epochs=1, lr_max=1e-2), block_lrs=dict(lr=1e-2),
    lr_find_blocks=dict(num_it=8, show_plot=False), interpolation_curve=dict(alphas=[0., 1.], show_plot=False), mom_grid=dict(lr_max=1e-2, results=False, quiet=True),
    wd_grid=dict(lr_max=1e-2, results=False, quiet=True), smith_tune=dict(results=False, quiet=True, train=False), diagnose={},
    freeze_blocks={}, unfreeze_blocks={}, find_bs=dict(max_bs=16),
    SWA=dict(start_epoch=1), ScheduleFree={}, WeightCapture=dict(epochs=[0]), ValidCurve={}, DivergenceStop={}, HyperRecorder={}, PadCropFlip={},
    TrialRunner={}, cifar_dls=dict(bs=8, cache=False), trial_dls={}, image_cache=dict(cache=False, verbose=False), cifar_learner=dict(arch='resnet20'),
    ResNetCifar=dict(depth=8), clr_sched=dict(base=1e-3, top=1e-2, step_size=4), sgdr_sched=dict(top=1e-2, n_iters=[4, 4]),
    loss_stops_falling={}, smith_max={}, clr_bounds={}, interpolate_weights=dict(alpha=.5), diagnose_losses=dict(iters=[1, 2], train=[2., 1.], valid=[2., 1.5]),
    default_wds=dict(wd_mode=None), block_splitter={}, cifar_pretrained={}, pretrained_stats={}, wd_refine=dict(tested={1e-3: 1., 1e-2: .9}, step=.5),
    paired_gap=dict(ref=Trial(), t=Trial()), pick_trial=dict(trials=[Trial()]), trials_df=dict(trials=[]), channel_stats=dict(x=torch.zeros(2, 3, 4, 4, dtype=torch.uint8)))
LEARNER_METHODS = ['lr_range_test', 'fit_clr', 'fit_warm_restarts', 'fit_one_cycle_swa', 'fit_schedule_free', 'fit_gradual', 'block_lrs', 'lr_find_blocks',
                   'interpolation_curve', 'mom_grid', 'wd_grid', 'smith_tune', 'diagnose', 'freeze_blocks', 'unfreeze_blocks', 'find_bs']
FUNCS = dict(SWA=SWA, ScheduleFree=ScheduleFree, WeightCapture=WeightCapture, ValidCurve=ValidCurve, DivergenceStop=DivergenceStop, HyperRecorder=HyperRecorder,
             PadCropFlip=PadCropFlip, TrialRunner=TrialRunner, cifar_dls=cifar_dls, trial_dls=trial_dls, image_cache=image_cache,
             cifar_learner=cifar_learner, ResNetCifar=ResNetCifar, clr_sched=clr_sched, sgdr_sched=sgdr_sched,
             loss_stops_falling=loss_stops_falling, smith_max=smith_max, clr_bounds=clr_bounds, interpolate_weights=interpolate_weights,
             diagnose_losses=diagnose_losses, default_wds=default_wds, wd_refine=wd_refine, block_splitter=block_splitter,
             cifar_pretrained=cifar_pretrained, pretrained_stats=pretrained_stats, paired_gap=paired_gap, pick_trial=pick_trial, trials_df=trials_df,
             LearnerState=LearnerState, model_blocks=model_blocks, channel_stats=channel_stats)
NEEDS_LEARN = {'TrialRunner': 'learn', 'trial_dls': 'dls', 'cifar_learner': 'dls'}   # first argument, filled from the learner
NEEDS_PATH = {'cifar_dls', 'image_cache'}
CURVE = dict(lrs=np.geomspace(1e-5, 1, 30), losses=np.r_[np.linspace(2.3, 1., 20), np.linspace(1.1, 3., 10)])
W = lambda l: {k:v.detach().clone() for k,v in l.model.state_dict().items()}

def pos(v): return f'={v!r}: must be a positive number'
def ge(v, lo): return f'={v!r}: must be a number >= {lo}'
def gt(v, lo): return f'={v!r}: must be a number > {lo}'
def integer(v, lo=1): return f'={v!r}: must be an integer >= {lo}'
def between(v, s): return f'={v!r}: must be in {s}'

CASES = [
    # (function, argument, bad value or Call, part of the message)
    ('lr_range_test', 'start_lr', -1e-7, 'start_lr'+pos(-1e-7)), ('lr_range_test', 'start_lr', 'x', 'start_lr'+pos('x')),
    ('lr_range_test', 'end_lr', INF, 'end_lr'+pos(INF)), ('lr_range_test', 'end_lr', 1e-8, 'need 0 < start_lr < end_lr'),
    ('lr_range_test', 'num_it', 3, 'num_it'+integer(3, 6)), ('lr_range_test', 'lr', [1e-3, NAN, 1e-2, 1e-2], 'ratios must be >= 0'),
    ('lr_range_test', 'lr', [1e-3, 1e-2], 'lr has 2 values but the learner has 4 parameter groups'),
    ('lr_range_test', 'div_thresh', 1., 'div_thresh'+gt(1., 1)), ('lr_range_test', 'div_thresh', NAN, 'div_thresh'+gt(NAN, 1)),
    ('lr_range_test', 'n_valid', 0, 'n_valid'+integer(0)), ('lr_range_test', 'beta', 1., 'beta'+between(1., '[0, 1)')),
    ('lr_range_test', 'beta', 'x', 'beta'+between('x', '[0, 1)')), ('lr_range_test', 'suggest_funcs', ('valley',), 'give functions (lrs, losses, num_it)'),
    ('lr_range_test', 'skip_start', -1, 'skip_start'+integer(-1, 0)), ('lr_range_test', 'skip_end', 1.5, 'skip_end'+integer(1.5, 0)),
    ('lr_range_test', 'ref_group', 4, 'ref_group=4: the learner has 4 parameter groups'), ('lr_range_test', 'ref_group', 1.5, 'ref_group=1.5: must be an integer'),

    ('fit_clr', 'n_epoch', 0, 'n_epoch'+integer(0)), ('fit_clr', 'lr_max', -1e-2, 'lr_max'+pos(-1e-2)), ('fit_clr', 'lr_max', NAN, 'lr_max'+pos(NAN)),
    ('fit_clr', 'base_lr', 1., 'must be below lr_max'), ('fit_clr', 'base_lr', -1e-3, 'must not be negative'), ('fit_clr', 'base_lr', NAN, 'must be finite'),
    ('fit_clr', 'step_size', 0, 'step_size'+integer(0)), ('fit_clr', 'mode', 'cosine', "mode='cosine': use one of 'triangular', 'triangular2', 'exp_range'"),
    ('fit_clr', 'gamma', 0., 'gamma'+between(0., '(0, 1]')), ('fit_clr', 'gamma', 'x', 'gamma'+between('x', '(0, 1]')),
    ('fit_clr', 'moms', (0.9,), 'moms=(0.9,): expected (momentum at base_lr, momentum at lr_max)'), ('fit_clr', 'moms', 0.9, 'moms=0.9: expected'),
    ('fit_clr', 'div', 0, 'div'+pos(0)), ('fit_clr', 'wd', -1e-2, 'wd'+ge(-1e-2, 0)), ('fit_clr', 'start_epoch', 1, 'start_epoch=1'),

    ('fit_warm_restarts', 'n_cycles', 0, 'n_cycles'+integer(0)), ('fit_warm_restarts', 'cycle_len', 1.5, 'cycle_len'+integer(1.5)),
    ('fit_warm_restarts', 'lr_max', NAN, 'lr_max'+pos(NAN)), ('fit_warm_restarts', 'cycle_mult', 0, 'cycle_mult'+integer(0)),
    ('fit_warm_restarts', 'eta_min', 1., 'must be >= 0 and below lr_max'), ('fit_warm_restarts', 'eta_min', -1e-4, 'must be >= 0 and below lr_max'),
    ('fit_warm_restarts', 'cycle_decay', 1.5, 'cycle_decay'+between(1.5, '(0, 1]')), ('fit_warm_restarts', 'cycle_decay', 'x', 'cycle_decay'+between('x', '(0, 1]')),
    ('fit_warm_restarts', 'wd', NAN, 'wd'+ge(NAN, 0)), ('fit_warm_restarts', 'start_epoch', 1, 'start_epoch=1'),

    ('fit_one_cycle_swa', 'n_epoch', True, 'n_epoch'+integer(True)), ('fit_one_cycle_swa', 'lr_max', -1., 'lr_max'+pos(-1.)),
    ('fit_one_cycle_swa', 'swa_epochs', 0, 'swa_epochs'+integer(0)), ('fit_one_cycle_swa', 'swa_epochs', 'x', "swa_epochs='x'"),
    ('fit_one_cycle_swa', 'swa_lr', -1e-2, 'swa_lr'+pos(-1e-2)), ('fit_one_cycle_swa', 'anneal_epochs', -1, 'anneal_epochs'+integer(-1, 0)),
    ('fit_one_cycle_swa', 'div', NAN, 'div'+pos(NAN)), ('fit_one_cycle_swa', 'div_final', 0, 'div_final'+pos(0)),
    ('fit_one_cycle_swa', 'pct_start', 'x', 'pct_start'+between('x', '[0, 1]')), ('fit_one_cycle_swa', 'pct_start', 1.5, 'pct_start'+between(1.5, '[0, 1]')),
    ('fit_one_cycle_swa', 'moms', (0.9,), 'moms=(0.9,): use a momentum in (0, 1)'), ('fit_one_cycle_swa', 'moms', 1.5, 'moms=1.5: use a momentum'),
    ('fit_one_cycle_swa', 'wd', -1., 'wd'+ge(-1., 0)), ('fit_one_cycle_swa', 'lr_max', NAN, 'lr_max'+pos(NAN)),
    ('fit_one_cycle_swa', 'kwargs', Call(lambda l,f: l.fit_one_cycle_swa(2, 1e-2, swa_epochs=1, every=0), 'every=0 (for SWA)'), "every=0: use 'epoch', 'cycle'"),

    ('fit_gradual', 'epochs', 0, 'epochs'+integer(0)), ('fit_gradual', 'lr_max', -1e-3, 'lr_max'+pos(-1e-3)), ('fit_gradual', 'lr_max', NAN, 'lr_max'+pos(NAN)),
    ('fit_gradual', 'decay', 0, 'decay'+pos(0)), ('fit_gradual', 'n_stages', 9, 'n_stages=9: must be between 1 and the number of groups'),
('fit_gradual', 'kwargs', Call(lambda l,f: l.fit_gradual(1, 1e-2, moms=(0.9,)), 'moms=(0.9,)'), 'moms=(0.9,)'),
    ('fit_gradual', 'kwargs', Call(lambda l,f: l.fit_gradual(1, 1e-2, lr_maxx=1e-2), 'lr_maxx=1e-2'), 'lr_maxx'),
    ('fit_gradual', 'kwargs', Call(lambda l,f: l.fit_gradual(1, 1e-2, pct_start=5), 'pct_start=5'), 'pct_start=5'),
    ('cifar_dls', 'kwargs', Call(lambda l,f: cifar_dls(f, bs=8, cache=False, bogus=1), 'bogus=1'), "bogus is not an argument of cifar_dls or of fastai's DataLoader"),
    ('cifar_dls', 'pad', 40, 'pad=40 must be smaller than the image size 32x32'),
    ('lr_range_test', 'skip_start', 10**9, f'skip_start={10**9}: must be below num_it=8'),
    ('lr_find_blocks', 'groups', [2, 2], 'groups=[2, 2]: name each group once'),
    ('fit_gradual', 'kwargs', Call(lambda l,f: l.fit_gradual(1, 1e-2, wd=-1), 'wd=-1'), 'wd=-1'),
    ('fit_gradual', 'kwargs', Call(lambda l,f: l.fit_gradual(1, 1e-2, div=0), 'div=0'), 'div'+pos(0)),
    ('fit_gradual', 'kwargs', Call(lambda l,f: l.fit_gradual(1, 1e-2, cbs=[None]), 'cbs=[None]'), 'None is not a fastai Callback'),
    # a bad callback is refused before fastai attaches the fit's schedulers (which would stay on the learner for the next fit)
    *[(f, 'cbs', bad, f'{bad!r} is not a fastai Callback' if isinstance(bad, str) else 'None is not a fastai Callback')
      for f in ('fit_clr', 'fit_warm_restarts', 'fit_one_cycle_swa', 'fit_schedule_free', 'cifar_learner') for bad in ([None], 'abc')],

    ('fit_schedule_free', 'n_epoch', 0, 'n_epoch'+integer(0)), ('fit_schedule_free', 'lr', -1e-2, 'lr'+pos(-1e-2)), ('fit_schedule_free', 'lr', NAN, 'lr'+pos(NAN)),
    ('fit_schedule_free', 'wd', -1e-2, 'wd'+ge(-1e-2, 0)), ('fit_schedule_free', 'warmup_pct', 1., 'warmup_pct'+between(1., '[0, 1)')),
    ('fit_schedule_free', 'beta', 1., 'beta'+between(1., '[0, 1)')), ('fit_schedule_free', 'beta', 'x', 'beta'+between('x', '[0, 1)')),
    ('fit_schedule_free', 'kwargs', Call(lambda l,f: l.fit_schedule_free(1, 1e-2, bn_batches=0), 'bn_batches=0'), 'bn_batches'+integer(0)),
    ('ScheduleFree', 'beta', -0.1, 'beta'+between(-0.1, '[0, 1)')), ('ScheduleFree', 'lr_power', -1., 'lr_power'+ge(-1., 0)),
    ('ScheduleFree', 'bn_batches', 0, 'bn_batches'+integer(0)),

    ('block_lrs', 'lr', -1e-3, 'lr'+pos(-1e-3)), ('block_lrs', 'lr', NAN, 'lr'+pos(NAN)), ('block_lrs', 'decay', 0, 'decay=0'),
    ('freeze_blocks', 'names', Call(lambda l,f: l.freeze_blocks('layer9'), "'layer9'"), "unknown block(s) 'layer9'"),
('unfreeze_blocks', 'names', Call(lambda l,f: l.unfreeze_blocks(), 'no name'), 'name at least one block'),

    ('lr_find_blocks', 'num_it', 2, 'num_it'+integer(2, 6)), ('lr_find_blocks', 'groups', [7], 'groups [7] do not exist'),
    ('lr_find_blocks', 'groups', 1., 'groups=1.0: give a list of parameter group indices'), ('lr_find_blocks', 'suggest', 'valley', "suggest='valley'"),
    ('lr_find_blocks', 'kwargs', Call(lambda l,f: l.lr_find_blocks(num_it=8, show_plot=False, beta=2.), 'beta=2.0'), 'beta'+between(2., '[0, 1)')),

    ('interpolation_curve', 'w1', Call(lambda l,f: l.interpolation_curve(1., W(l), show_plot=False), 'w1=1.0'), 'w1 is a float: give a state dict'),
    ('interpolation_curve', 'w2', Call(lambda l,f: l.interpolation_curve(W(l), {k:v for k,v in list(W(l).items())[1:]}, show_plot=False), 'w2 missing a key'), 'differ in keys'),
    ('interpolation_curve', 'alphas', Call(lambda l,f: l.interpolation_curve(W(l), W(l), alphas=[], show_plot=False), 'alphas=[]'), 'alphas=[]: give one or more finite numbers'),
    ('interpolation_curve', 'alphas', Call(lambda l,f: l.interpolation_curve(W(l), W(l), alphas=[0, NAN], show_plot=False), 'alphas=[0, nan]'), 'alphas=[0.0, nan]'),
    ('interpolation_curve', 'n_batches', Call(lambda l,f: l.interpolation_curve(W(l), W(l), n_batches=0, show_plot=False), 'n_batches=0'), 'n_batches'+integer(0)),
    ('interpolation_curve', 'bn', Call(lambda l,f: l.interpolation_curve(W(l), W(l), bn='mean', show_plot=False), "bn='mean'"), "bn='mean'"),
    ('interpolation_curve', 'bn_batches', Call(lambda l,f: l.interpolation_curve(W(l), W(l), bn_batches=0, show_plot=False), 'bn_batches=0'), 'bn_batches'+integer(0)),

    ('mom_grid', 'moms', [(0.9,)], 'moms=(0.9,): use a momentum'), ('mom_grid', 'moms', [], 'moms=[]'), ('mom_grid', 'epochs', 0, 'trial_epochs'+integer(0)),
    ('mom_grid', 'trial_epochs', 0, 'trial_epochs'+integer(0)), ('mom_grid', 'trial_batches', 1.5, 'trial_batches'+integer(1.5)),
    ('mom_grid', 'lr_max', NAN, 'lr_max'+pos(NAN)), ('mom_grid', 'wd', -1., 'wd'+ge(-1., 0)),
    ('wd_grid', 'wds', [-1e-3, 1e-2], 'wds'+pos(-1e-3)), ('wd_grid', 'wds', [], 'wds=[]'), ('wd_grid', 'precision', INF, 'precision'+pos(INF)),
    ('wd_grid', 'max_extend', -1, 'max_extend'+integer(-1, 0)), ('wd_grid', 'epochs', 1.5, 'trial_epochs'+integer(1.5)),
    ('wd_grid', 'trial_epochs', 0, 'trial_epochs'+integer(0)), ('wd_grid', 'trial_batches', 0, 'trial_batches'+integer(0)), ('wd_grid', 'lr_max', 0, 'lr_max'+pos(0)),
    ('wd_grid', 'moms', 2, 'moms=2: use a momentum'), ('wd_grid', 'wd_mode', 'adamw', "wd_mode='adamw': use one of None, 'decoupled', 'l2'"),

    ('smith_tune', 'find_bs', dict(max_size=8), 'max_size is not an argument of find_bs'), ('smith_tune', 'find_bs', 'yes', "find_bs='yes': give True, False or a dict"),
    ('smith_tune', 'fit_epochs', 0, 'fit_epochs'+integer(0)), ('smith_tune', 'lr_max', -1., 'lr_max'+pos(-1.)), ('smith_tune', 'moms', (1.2, 0.9), 'moms=(1.2, 0.9)'),
    ('smith_tune', 'wd', NAN, 'wd'+pos(NAN)), ('smith_tune', 'schedule', 'cosine', "schedule='cosine': use one of 'auto', '1cycle', 'free'"), ('smith_tune', 'lr_rule', 'fastest', "lr_rule='fastest'"), ('smith_tune', 'mom_grid', [], 'mom_grid=[]'),
    ('smith_tune', 'wd_grid', [0., 1e-2], 'wd_grid'+pos(0.)), ('smith_tune', 'precision', 0, 'precision'+pos(0)), ('smith_tune', 'wd_mode', 'L2', "wd_mode='L2': use one of None, 'decoupled', 'l2'"),
    ('smith_tune', 'num_it', 5, 'num_it'+integer(5, 6)), ('smith_tune', 'trial_frac', 0, 'trial_frac'+between(0, '(0, 1]')),
    ('smith_tune', 'epochs', 0, 'trial_epochs'+integer(0)), ('smith_tune', 'n_batches', 1.5, 'trial_batches'+integer(1.5)),
    ('smith_tune', 'trial_epochs', 0, 'trial_epochs'+integer(0)), ('smith_tune', 'trial_batches', 1.5, 'trial_batches'+integer(1.5)), ('smith_tune', 'n_valid', 0, 'n_valid'+integer(0)),
    ('smith_tune', 'n_evals', 0, 'n_evals'+integer(0)), ('smith_tune', 'min_iters', 0, 'min_iters'+integer(0)), ('smith_tune', 'noise_z', -1, 'noise_z'+ge(-1, 0)),
    ('smith_tune', 'min_gain', NAN, 'min_gain'+ge(NAN, 0)), ('smith_tune', 'budget', -2, 'budget'+pos(-2)), ('smith_tune', 'seed', -1, 'seed'+integer(-1, 0)),
    ('smith_tune', 'results', True, 'results=True: give a file path'), ('smith_tune', 'swa', 2.5, 'swa=2.5'),
    ('smith_tune', 'swa', Call(lambda l,f: l.smith_tune(swa=True, train=False, results=False, quiet=True), 'swa=True, train=False'), 'swa=True needs fit_epochs'),
    ('smith_tune', 'executor', 'dask', "executor='dask'"), ('smith_tune', 'learner_factory', 'x', "learner_factory='x'"),
    ('smith_tune', 'cpus_per_trial', 0, 'cpus_per_trial'+pos(0)), ('smith_tune', 'gpus_per_trial', -1, 'gpus_per_trial'+ge(-1, 0)),

    ('diagnose', 'cbs', Call(lambda l,f: l.diagnose('x'), "'x'"), "diagnose takes the fit's ValidCurve and DivergenceStop callbacks, not ['x']"),
    ('find_bs', 'max_bs', 0, 'max_bs'+integer(0)), ('find_bs', 'max_bs', 10**6, 'max_bs=1000000: the training set has only 32 items'),
    ('find_bs', 'start_bs', 32, 'start_bs=32 is above max_bs=16'), ('find_bs', 'start_bs', 1.5, 'start_bs'+integer(1.5)),
    ('find_bs', 'mem_cap', 2**30, 'mem_cap=1073741824 needs a CUDA device'), ('find_bs', 'mem_cap', -1, 'mem_cap'+pos(-1)),
    ('find_bs', 'n_steps', 0, 'n_steps'+integer(0)), ('find_bs', 'knee', NAN, 'knee'+ge(NAN, 0)),
    ('diagnose', 'tol', -1, 'tol'+ge(-1, 0)), ('diagnose', 'unstable_tol', NAN, 'unstable_tol'+ge(NAN, 0)),

    ('SWA', 'start_epoch', -1, 'start_epoch'+integer(-1, 0)), ('SWA', 'start_epoch', None, 'pass exactly one of start_epoch and start_pct'),
    ('SWA', 'start_pct', Call(lambda l,f: SWA(start_pct=1.), 'start_pct=1.0'), 'start_pct'+between(1., '[0, 1)')),
    ('SWA', 'swa_lr', -1e-2, 'swa_lr'+pos(-1e-2)), ('SWA', 'swa_lr', NAN, 'swa_lr'+pos(NAN)), ('SWA', 'swa_lr', slice(None, 0.), 'swa_lr'+pos(slice(None, 0.))), ('SWA', 'swa_lr', (1e-2, 1e-3), 'needs cycle_len'),
    ('SWA', 'anneal_epochs', 1.5, 'anneal_epochs'+integer(1.5, 0)), ('SWA', 'every', 0, "every=0: use 'epoch', 'cycle'"), ('SWA', 'every', 'batch', "every='batch'"),
    ('SWA', 'cycle_len', 0, 'cycle_len'+integer(0)), ('SWA', 'bn_batches', 0, 'bn_batches'+integer(0)),
    ('SWA', 'start_epoch', Call(lambda l,f: l.fit(1, 1e-3, cbs=SWA(start_epoch=5)), 'start_epoch=5 in a 1-epoch fit', fit=True), 'SWA would start'),
    ('WeightCapture', 'epochs', None, 'pass epochs=[...], every=n or at_cycle_ends=True'), ('WeightCapture', 'epochs', ['x'], "epochs=['x']: give epoch numbers"),
    ('WeightCapture', 'epochs', Call(lambda l,f: l.fit(1, 1e-3, cbs=WeightCapture(epochs=[3])), 'epochs=[3] in a 1-epoch fit', fit=True), 'WeightCapture epochs [3] are outside this fit of 1 epochs'),
    ('WeightCapture', 'every', 0, 'every'+integer(0)), ('WeightCapture', 'device', 'nope', "device='nope': not a torch device"),
    ('WeightCapture', 'at_cycle_ends', Call(lambda l,f: l.fit(1, 1e-3, cbs=WeightCapture(at_cycle_ends=True)), 'at_cycle_ends in a plain fit', fit=True), 'needs a cyclical fit'),
    ('ValidCurve', 'n_evals', 0, 'n_evals'+integer(0)), ('ValidCurve', 'max_batches', 0, 'max_batches'+integer(0)),
    ('DivergenceStop', 'mult', 1, 'mult'+gt(1, 1)), ('DivergenceStop', 'mult', INF, 'mult'+gt(INF, 1)),
    ('HyperRecorder', 'keys', 3, 'keys=3: give hyper-parameter names'),
    ('HyperRecorder', 'keys', Call(lambda l,f: l.fit(1, 1e-3, cbs=HyperRecorder(('lr', 'beta9'))), "keys=('lr', 'beta9') in a fit", fit=True), "['beta9'] are not hyper-parameters of this optimizer"),
    ('PadCropFlip', 'pad', -1, 'pad'+integer(-1, 0)),

    ('TrialRunner', 'epochs', 0, 'epochs'+integer(0)), ('TrialRunner', 'n_batches', 0, 'n_batches'+integer(0)), ('TrialRunner', 'n_valid', 10**6, 'n_valid=1000000'),
    ('TrialRunner', 'n_evals', 0, 'n_evals'+integer(0)), ('TrialRunner', 'wd_mode', 'x', "wd_mode='x'"), ('TrialRunner', 'seed', 1.5, 'seed'+integer(1.5, 0)),
    ('TrialRunner', 'div_mult', 1, 'div_mult'+gt(1, 1)), ('TrialRunner', 'results', True, 'results=True: give a file path'),
    ('TrialRunner', 'executor', 'dask', "executor='dask': use one of None, 'ray'"), ('TrialRunner', 'learner_factory', 3, 'learner_factory=3'),
    ('TrialRunner', 'cpus_per_trial', NAN, 'cpus_per_trial'+pos(NAN)), ('TrialRunner', 'gpus_per_trial', 'x', 'gpus_per_trial'+ge('x', 0)),

    ('cifar_dls', 'path', 3., 'path=3.0: give the folder'), ('cifar_dls', 'path', Call(lambda l,f: cifar_dls(f/'nope'), 'a missing folder'), 'does not exist'),
    ('cifar_dls', 'name', 'imagenet', "name='imagenet' is unknown: use one of 'cifar10', 'cifar100'"), ('cifar_dls', 'bs', 0, 'bs=0'), ('cifar_dls', 'bs', True, 'bs=True'),
    ('cifar_dls', 'val_bs', 1.5, 'val_bs=1.5'), ('cifar_dls', 'n_train', 9, 'has only 8 training images'), ('cifar_dls', 'n_train', 1.5, 'n_train=1.5'),
    ('cifar_dls', 'n_valid', 0, 'n_valid=0'), ('cifar_dls', 'seed', 'x', 'seed'+integer('x', 0)), ('cifar_dls', 'size', 0, 'size'+integer(0)),
    ('cifar_dls', 'pad', -1, 'pad'+integer(-1, 0)), ('cifar_dls', 'stats', ([0.5]*2, [0.2]*2), 'the images have 3 channels'),
    ('cifar_dls', 'stats', ([0.5]*3, [0.2, 0., 0.2]), 'standard deviations > 0'), ('cifar_dls', 'device', 'gpu0', "device='gpu0': not a torch device"),
    ('cifar_dls', 'cache', 3, 'cache=3: use True'),
    ('cifar_dls', 'cache', Call(lambda l,f: cifar_dls(f, cache=next(f.rglob('*.png'))), 'cache=an image file'), 'is a file: give a folder for the cache'),
    ('cifar_dls', 'size', Call(lambda l,f: cifar_dls(f, size=0), 'size=0, with the default cache'), 'size'+integer(0)),
    ('cifar_dls', 'path', Call(lambda l,f: cifar_dls(_one_class(f)), 'a folder with one class'), 'train has 1 class (c0): a classifier needs at least two class folders'), ('cifar_dls', 'num_workers', -1, 'num_workers'+integer(-1, 0)),
    ('cifar_dls', 'classes', ['c0', 'nope'], "classes=['c0', 'nope']: give a list of at least two of the folder's classes: c0"),
    ('trial_dls', 'dls', Call(lambda l,f: trial_dls('x'), "dls='x'"), 'dls is a str: give fastai `DataLoaders`'),
    ('trial_dls', 'n_batches', 100, 'use at most 4 or None'), ('trial_dls', 'n_valid', 0, 'n_valid=0'), ('trial_dls', 'seed', -1, 'seed'+integer(-1, 0)),
    ('image_cache', 'path', None, 'path=None: give the folder'), ('image_cache', 'size', 2.5, 'size'+integer(2.5)), ('image_cache', 'cache', 1.5, 'cache=1.5: use True'),
    ('image_cache', 'n_workers', 0, 'n_workers'+integer(0)),

    ('cifar_learner', 'dls', Call(lambda l,f: cifar_learner('x', 'resnet20'), "dls='x'"), 'dls is a str: give fastai `DataLoaders`'),
    ('cifar_learner', 'arch', 'resnet50x', 'resnet20, resnet32, resnet44, resnet56, resnet110'), ('cifar_learner', 'arch', 3.5, 'expected a name'),
    ('cifar_learner', 'n_out', 2.5, 'n_out'+integer(2.5)), ('cifar_learner', 'n_out', 3, 'n_out=3: the data has 4 classes'),
    ('cifar_learner', 'head', 'avg', "head='avg': use one of 'pool', 'concat'"), ('cifar_learner', 'model_kwargs', 'x', "model_kwargs='x': give a dict"),
    ('cifar_learner', 'pretrained', Call(lambda l,f: cifar_learner(l.dls, 'resnet56', pretrained=True), "'resnet56', pretrained=True"), "arch='resnet56' has no pretrained weights: the package ships them for 'resnet20'"),
    ('cifar_learner', 'pretrained', Call(lambda l,f: cifar_learner(l.dls, 'resnet20', pretrained='yes'), "pretrained='yes'"), "pretrained='yes': give True or False"),
    ('cifar_learner', 'pretrained', Call(lambda l,f: cifar_learner(l.dls, 'resnet20', pretrained=True, model_kwargs=dict(widths=(8,16,32))), 'other widths'), "change the network's shape"),
    ('cifar_pretrained', 'arch', 'resnet56', "arch='resnet56' has no pretrained weights"), ('pretrained_stats', 'arch', 20, "arch=20 has no pretrained weights"),
    ('cifar_learner', 'kwargs', Call(lambda l,f: cifar_learner(l.dls, 'resnet20', lr_max=1e-3), 'lr_max=1e-3'), 'lr_max is not an argument of cifar_learner'),
    ('ResNetCifar', 'depth', 57, 'depth=57 is not 6n+2'), ('ResNetCifar', 'n_out', 1.5, 'n_out=1.5: the number of classes must be an integer >= 1'),
    ('ResNetCifar', 'head', 'max', "head='max': use one of 'pool', 'concat'"), ('ResNetCifar', 'shortcut', 'C', "shortcut='C': use one of 'A', 'B'"),
    ('ResNetCifar', 'widths', (16, 32), 'widths=(16, 32): give the filters of the three stages'), ('ResNetCifar', 'n_in', 0, 'n_in'+integer(0)),
    ('ResNetCifar', 'ps', 1.5, 'ps'+between(1.5, '[0, 1)')), ('ResNetCifar', 'lin_ftrs', [0], 'lin_ftrs=[0]: give a list of hidden layer sizes'),

    ('clr_sched', 'base', NAN, 'base'+ge(NAN, 0)), ('clr_sched', 'top', 'x', 'top'+ge('x', 0)), ('clr_sched', 'step_size', 0, 'step_size'+integer(0)),
    ('clr_sched', 'mode', 'cos', "mode='cos': use one of 'triangular', 'triangular2', 'exp_range'"), ('clr_sched', 'gamma', -1., 'gamma'+between(-1., '(0, 1]')),
    ('clr_sched', 'step_size_down', 1.5, 'step_size_down'+integer(1.5)),
    ('sgdr_sched', 'top', -1., 'top'+ge(-1., 0)), ('sgdr_sched', 'n_iters', [4, 0], 'n_iters=[4, 0]: give a list of cycle lengths'),
    ('sgdr_sched', 'eta_min', NAN, 'eta_min'+ge(NAN, 0)), ('sgdr_sched', 'decay', INF, 'decay'+between(INF, '(0, 1]')),
    ('loss_stops_falling', 'lrs', Call(lambda l,f: loss_stops_falling(-1., 2.), 'lrs=-1.0'), 'lrs and losses must be two 1-D sequences'),
    ('loss_stops_falling', 'losses', Call(lambda l,f: loss_stops_falling(CURVE['lrs'], CURVE['losses'][:5]), 'losses too short'), 'of the same length'),
    ('loss_stops_falling', 'frac', Call(lambda l,f: loss_stops_falling(**CURVE, frac=-1.), 'frac=-1.0'), 'frac'+between(-1., '[0, 1]')),
    ('smith_max', 'lrs', Call(lambda l,f: smith_max(-CURVE['lrs'], CURVE['losses']), 'negative lrs'), 'lrs: every LR must be a positive finite number'),
    ('smith_max', 'losses', Call(lambda l,f: smith_max(CURVE['lrs'], np.r_[CURVE['losses'][:-1], NAN]), 'a NaN loss'), 'losses: a NaN loss'),
    ('smith_max', 'div', Call(lambda l,f: smith_max(**CURVE, div=0), 'div=0'), 'div'+pos(0)),
    ('smith_max', 'tol', Call(lambda l,f: smith_max(**CURVE, tol=NAN), 'tol=nan'), 'tol'+ge(NAN, 0)),
    ('clr_bounds', 'lrs', Call(lambda l,f: clr_bounds('x', 'y'), "lrs='x'"), 'lrs and losses must be two 1-D sequences'),
    ('clr_bounds', 'losses', Call(lambda l,f: clr_bounds(CURVE['lrs'], None), 'losses=None'), 'lrs and losses must be two 1-D sequences'),
    ('clr_bounds', 'div', Call(lambda l,f: clr_bounds(**CURVE, div=-10), 'div=-10'), 'div'+pos(-10)),
    ('clr_bounds', 'base_div', Call(lambda l,f: clr_bounds(**CURVE, base_div=0), 'base_div=0'), 'base_div'+pos(0)),
    ('clr_bounds', 'tol', Call(lambda l,f: clr_bounds(**CURVE, tol=-1), 'tol=-1'), 'tol'+ge(-1, 0)),
    ('interpolate_weights', 'w1', Call(lambda l,f: interpolate_weights(None, W(l), .5), 'w1=None'), 'w1 is a NoneType: give a state dict'),
    ('interpolate_weights', 'w2', Call(lambda l,f: interpolate_weights(W(l), {**W(l), 'head.2.bias': torch.zeros(3)}, .5), 'w2 of another shape'), 'differ in shape'),
    ('interpolate_weights', 'alpha', Call(lambda l,f: interpolate_weights(W(l), W(l), NAN), 'alpha=nan'), 'alpha=nan: must be a finite number'),
    ('diagnose_losses', 'iters', 3, 'iters=3: must be a 1-D sequence of numbers'), ('diagnose_losses', 'train', [2.], 'iters, train and valid need the same length'),
    ('diagnose_losses', 'valid', 'x', "valid='x': must be a 1-D sequence"), ('diagnose_losses', 'losses', 'x', "losses='x': must be a 1-D sequence"),
    ('diagnose_losses', 'lrs', [[1e-3]], 'lrs=[[0.001]]: must be a 1-D sequence'), ('diagnose_losses', 'diverged', {'iter': 3}, "diverged={'iter': 3}: give what `DivergenceStop.diverged` holds"),
    ('diagnose_losses', 'tol', -1, 'tol'+ge(-1, 0)), ('diagnose_losses', 'unstable_tol', 'x', 'unstable_tol'+ge('x', 0)),
    ('block_splitter', 'model', 'x', 'model is a str: block_splitter splits a torch `nn.Module`'),
    ('default_wds', 'wd_mode', 'L2', "wd_mode='L2': use one of None, 'decoupled', 'l2'"),
    ('wd_refine', 'tested', {}, 'tested={}: give a dict'), ('wd_refine', 'tested', {0.: 1.}, 'tested=[0.0]: must be a positive number'),
    ('wd_refine', 'step', NAN, 'step'+pos(NAN)),

    # refused where they enter, naming the argument, not deep inside torch or numpy (issue 27, item 3)
    ('lr_range_test', 'num_it', 10**12, 'num_it=1000000000000: must be at most 100,000'), ('lr_find_blocks', 'num_it', 10**7, 'num_it=10000000: must be at most 100,000'),
    ('smith_tune', 'num_it', 10**12, 'num_it=1000000000000: must be at most 100,000'), ('smith_tune', 'fit_epochs', 10**9, 'fit_epochs=1000000000: must be at most'),
    ('lr_range_test', 'lr', 'abc', "lr='abc': give a number, 4 numbers (one per parameter group) or a slice"),
    ('lr_range_test', 'lr', slice(None), 'lr=slice(None, None, None): give a number'),
    ('interpolation_curve', 'alphas', Call(lambda l,f: l.interpolation_curve(W(l), W(l), alphas=[[0., 1.], [2.]], show_plot=False), 'ragged alphas'), 'alphas=[[0.0, 1.0], [2.0]]: give one or more finite numbers'),
    ('interpolation_curve', 'alphas', Call(lambda l,f: l.interpolation_curve(W(l), W(l), alphas='ab', show_plot=False), "alphas='ab'"), "alphas='ab': give one or more finite numbers"),
    ('mom_grid', 'moms', [0.9, (0.9, 0.9)], 'each momentum schedule once'), ('smith_tune', 'mom_grid', [(0.95, 0.85), (0.95, 0.85, 0.95)], 'each momentum schedule once'),
    ('paired_gap', 'ref', {}, 'ref={}: give a `Trial`'), ('paired_gap', 't', {}, 't={}: give a `Trial`'), ('paired_gap', 'z', -1., 'z'+ge(-1., 0)),
    ('pick_trial', 'trials', [], 'trials=[]: give at least one trial'), ('pick_trial', 'trials', [{}], 'trials=[{}]: give a list of `Trial`s'),
    ('pick_trial', 'ref', {}, 'ref={}: give a `Trial` or None'), ('pick_trial', 'z', NAN, 'z'+ge(NAN, 0)), ('pick_trial', 'min_gain', -1, 'min_gain'+ge(-1, 0)),
    ('pick_trial', 'prefer', 3, 'prefer=3: give a function'), ('pick_trial', 'ok', None, 'ok=None: give a function of a trial'), ('trials_df', 'trials', [{}], 'trials=[{}]: give a list of `Trial`s'),
    ('LearnerState', 'learn', Call(lambda l,f: LearnerState('x'), "'x'"), 'learn is a str: LearnerState snapshots a fastai `Learner`'),
    ('model_blocks', 'model', Call(lambda l,f: model_blocks('x', []), "'x'"), 'model is a str: model_blocks reads a torch `nn.Module`'),
    ('model_blocks', 'groups', Call(lambda l,f: model_blocks(l.model, 3), 'groups=3'), 'groups=3: give the parameter groups'),
    ('channel_stats', 'x', 'x', "x='x': give a uint8 N x C x H x W tensor"), ('channel_stats', 'chunk', 0, 'chunk'+integer(0)),
    ('smith_tune', 'fine_tune', 'yes', "fine_tune='yes': give True or False (or None)"), ('smith_tune', 'freeze_epochs', 0, 'freeze_epochs'+integer(0)),
    ('smith_tune', 'fine_tune', Call(lambda l,f: l.smith_tune(fit_epochs=2, swa=True, results=False, quiet=True), 'swa=True on a frozen learner'), 'swa=True with fine-tuning'),
]

# Arguments that take whatever they are given, and why
ANY_VALUE = {
    'bool': "a flag: `test_flags_must_be_bools` gives each one 'no' (a truthy string, which would read as yes)",
    ('cifar_learner', 'metrics'): "fastai's `Learner(metrics=)`", ('cifar_learner', 'splitter'): "fastai's `Learner(splitter=)`",
    ('mom_grid', 'kwargs'): 'passed to `TrialRunner`, whose arguments have their cases', ('wd_grid', 'kwargs'): 'passed to `TrialRunner`, whose arguments have their cases',
    ('TrialRunner', 'learn'): 'the learner itself',
    **{(f, 'num_it'): "fastai's suggestion-function signature passes it; the rule does not use it" for f in ('loss_stops_falling', 'smith_max', 'clr_bounds')},
}

def _one_class(f):
    "A copy of `f` with only its first class, beside it (outside the folders the test watches)"
    import shutil
    d = f.parent/'one_class'
    if not d.exists():
        for split in ('train', 'valid'): shutil.copytree(f/split/'c0', d/split/'c0')
    return d

def _call(fn, arg, bad, learn, folder):
    if isinstance(bad, Call): return bad.f(learn, folder)
    kw = {**BASE[fn], arg: bad}
    if fn=='interpolation_curve': kw = dict(w1=W(learn), w2=W(learn), **kw)
    if fn in LEARNER_METHODS: return getattr(learn, fn)(**kw)
    if fn in NEEDS_LEARN: kw[NEEDS_LEARN[fn]] = learn if fn=='TrialRunner' else learn.dls
    if fn in NEEDS_PATH and arg!='path': kw['path'] = folder
    if fn in ('loss_stops_falling', 'smith_max', 'clr_bounds'): kw = {**CURVE, **kw}
    if fn=='interpolate_weights': kw.update(w1=W(learn), w2=W(learn))
    return FUNCS[fn](**kw)

def _files(*dirs): return sorted((str(p), p.stat().st_size) for d in dirs for p in Path(d).rglob('*'))

@pytest.mark.parametrize('fn,arg,bad,msg', CASES, ids=[f'{f}-{a}-{b!r}'[:60] for f,a,b,_ in CASES])
def test_refused_before_anything_changes(fn, arg, bad, msg, learn, folder):
    with learn.no_bar(), learn.no_logging():   # (fastai puts the callbacks it took out back at the end of the list)
        s0,f0 = snapshot(learn),_files(folder, learn.path)
        with pytest.raises((ValueError, TypeError, FileNotFoundError)) as e: _call(fn, arg, bad, learn, folder)
        s1 = snapshot(learn)
    assert msg in str(e.value), (msg, str(e.value))
    assert_same(s1, s0, 'learner')
    assert _files(folder, learn.path) == f0, 'files changed'

def _api():
    "Every public function, `Learner` method and callback of the package, by the name the cases use"
    out = {n: getattr(Learner, n) for n in LEARNER_METHODS}
    out.update({n: (f.__init__ if isinstance(f, type) else f) for n,f in FUNCS.items()})
    return out

def test_every_argument_is_covered():
    "The systematic pass: every argument of every public signature has a bad-input case above or a reason in ANY_VALUE"
    covered = {(f, a) for f,a,_,_ in CASES}
    missing = []
    for n,f in _api().items():
        for a,p in inspect.signature(f).parameters.items():
            if a=='self': continue
            if (n, a) in covered or (n, a) in ANY_VALUE: continue
            if p.annotation in (bool, 'bool', 'bool | None'): continue   # ANY_VALUE['bool']: test_flags_must_be_bools
            missing.append(f'{n}.{a}')
    assert not missing, f'arguments with no bad-input case and no reason to take any value: {missing}'

FLAGS = [(n, a) for n,f in _api().items() for a,p in inspect.signature(f).parameters.items() if p.annotation in (bool, 'bool', 'bool | None')]

@pytest.mark.parametrize('fn,arg', FLAGS, ids=[f'{f}-{a}' for f,a in FLAGS])
def test_flags_must_be_bools(fn, arg, learn, folder):
    "A flag given a string ('no' is truthy) is refused with its name before anything changes: nothing trains, no optimizer is made"
    test_refused_before_anything_changes(fn, arg, 'no', f"{arg}='no': give True or False", learn, folder)

def test_flags_are_found():
    assert len(FLAGS) >= 25 and {('smith_tune', 'train'), ('lr_range_test', 'valid'), ('SWA', 'keep_raw'), ('fit_gradual', 'train_bn'), ('cifar_dls', 'flip')} <= set(FLAGS)

FRESH = {'fit_clr': (lambda l: l.fit_clr(1, lr_max=-1), 'lr_max=-1'), 'fit_warm_restarts': (lambda l: l.fit_warm_restarts(1, 1, lr_max=-1), 'lr_max=-1'),
         'block_lrs': (lambda l: l.block_lrs(-1), 'lr=-1'), 'lr_find_blocks': (lambda l: l.lr_find_blocks(groups=[5]), r'groups \[5\] do not exist'),
         'fit_one_cycle_swa': (lambda l: l.fit_one_cycle_swa(1, lr_max=[1e-2]*7), 'lr_max has 7 values'),
         'fit_gradual': (lambda l: l.fit_gradual(1, 1e-2, pct_start=5), 'pct_start=5'), 'fit_clr cbs': (lambda l: l.fit_clr(1, 1e-2, cbs=[None]), 'not a fastai Callback'),
         'fit refused by a callback': (lambda l: l.fit(1, 1e-3, cbs=SWA(start_epoch=5)), 'SWA would start')}

@pytest.mark.parametrize('case', FRESH)
def test_refused_on_a_fresh_learner_makes_no_optimizer(case, folder):
    "On a learner that has not trained, a refused call leaves no optimizer, hyper-parameter or callback behind"
    set_seed(0)
    l = cifar_learner(cifar_dls(folder, bs=8, cache=False), 'resnet20')
    cbs = [type(c).__name__ for c in l.cbs]
    f,msg = FRESH[case]
    with pytest.raises(ValueError, match=msg): f(l)
    assert l.opt is None and [type(c).__name__ for c in l.cbs] == cbs

def test_public_api_is_listed():
    "A new public `Learner` method or callback must join the pass: the lists above cover what `fastai_smith.all` exports"
    import fastai_smith
    mine = {n for n in dir(Learner) if (getattr(getattr(Learner, n), '__module__', '') or '').startswith('fastai_smith')}
    assert mine - set(LEARNER_METHODS) <= {'groups_summary', 'preserve_state'}, mine - set(LEARNER_METHODS)   # no arguments
    cbs = {n for n,o in vars(__import__('fastai_smith.all', fromlist=['*'])).items()
           if isinstance(o, type) and issubclass(o, Callback) and o.__module__.startswith('fastai_smith')}
    # bases and building blocks, whose arguments their callers check: ResultsCallback, FitCheck, Exploration, IterScheduler (fit_clr, fit_warm_restarts), RangeTestCallback (lr_range_test)
    assert cbs - set(FUNCS) <= {'ResultsCallback', 'FitCheck', 'Exploration', 'IterScheduler', 'RangeTestCallback'}, cbs - set(FUNCS)

NO_BATCH = {'lr_range_test': dict(num_it=8, show_plot=False), 'lr_find_blocks': dict(num_it=8, show_plot=False), 'fit_clr': dict(n_epoch=1, lr_max=1e-2),
            'fit_warm_restarts': dict(n_cycles=1, cycle_len=1, lr_max=1e-2), 'fit_one_cycle_swa': dict(n_epoch=1, lr_max=1e-2, swa_epochs=1),
            'fit_gradual': dict(epochs=1, lr_max=1e-2), 'mom_grid': dict(trial_epochs=1, lr_max=1e-2, results=False, quiet=True),
            'wd_grid': dict(trial_epochs=1, lr_max=1e-2, results=False, quiet=True), 'smith_tune': dict(results=False, quiet=True, train=False)}

@pytest.mark.parametrize('fn', NO_BATCH)
def test_no_batch_refused(fn, learn):
    "Fewer training items than the batch size (fastai drops the last partial batch): refused with the batch size to use, the learner untouched"
    dl0 = learn.dls.loaders[0]
    learn.dls.loaders[0] = dl0.new(bs=len(dl0.dataset)+1, drop_last=True)
    try:
        with learn.no_bar(), learn.no_logging():
            s0 = snapshot(learn)
            with pytest.raises(ValueError, match=rf'the training DataLoader yields no batch \({len(dl0.dataset)} items, batch size {len(dl0.dataset)+1}, drop_last=True\): use a batch size of at most {len(dl0.dataset)}'):
                getattr(learn, fn)(**NO_BATCH[fn])
            assert_same(snapshot(learn), s0, 'learner')
    finally: learn.dls.loaders[0] = dl0
