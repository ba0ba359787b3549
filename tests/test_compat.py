"""Every capability on every kind of fastai learner (issue 13's matrix), on tiny data.

Learners: (i) `cifar_learner` + `cifar_dls`; (ii) fastai's `ImageDataLoaders.from_folder` with item and batch
transforms; (iii) `DataLoaders.from_dsets` over plain tensors, and fastai's `synth_learner`; (iv) `vision_learner`
with a torchvision and a timm ResNet, created without weights; (v) a torch optimizer through `OptimWrapper`;
(vi) a tabular learner. Each capability runs, gives a result of the right shape, and the state-safe ones leave the
learner exactly as it was. What cannot work on a kind of learner is refused with a message (`test_refusals`)."""
import warnings
from functools import partial
import numpy as np, pandas as pd, pytest, torch
from torch import nn
from conftest import snapshot, assert_same

warnings.filterwarnings('ignore')
from fastai.vision.all import *
from fastai.tabular.all import TabularDataLoaders, tabular_learner, Categorify, Normalize as TabNormalize
from fastai.test_utils import synth_learner
from fastai_smith.all import *
from fastai_smith.core import opt_groups
for _n in [n for n in globals() if n.startswith('test')]: del globals()[_n]   # fastcore's test_eq & co. are not tests of ours

def _image_dls(folder): return ImageDataLoaders.from_folder(folder, valid='valid', item_tfms=Resize(32), batch_tfms=aug_transforms(size=32), bs=8, num_workers=0)

def _tensor_dls():
    g = torch.Generator().manual_seed(0)
    x,y = torch.randn(48, 6, generator=g),torch.randint(0, 3, (48,), generator=g)
    tr,va = list(zip(x[:32], y[:32])),list(zip(x[32:], y[32:]))   # plain lists of tuples: no fastai Datasets
    return DataLoaders.from_dsets(tr, va, bs=8, device='cpu')

def _mlp(): return nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Sequential(nn.Linear(16, 16), nn.ReLU()), nn.Linear(16, 3))

def _tab_dls():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(dict(a=rng.normal(size=64), b=rng.normal(size=64), g=rng.choice(['x','y','z'], 64)))
    df['t'] = np.where(df.a + (df.g=='x') > 0.3, 'p', 'n')
    return TabularDataLoaders.from_df(df, procs=[Categorify, TabNormalize], cat_names=['g'], cont_names=['a','b'], y_names='t', y_block=CategoryBlock(),
                                      valid_idx=list(range(48, 64)), bs=8)

def make(kind, folder):
    set_seed(0)
    if kind=='cifar': return cifar_learner(cifar_dls(folder, bs=8, cache=False), 'resnet20')
    if kind=='datablock': return cifar_learner(_image_dls(folder), 'resnet20')
    if kind=='from_dsets': return Learner(_tensor_dls(), _mlp(), loss_func=CrossEntropyLossFlat(), metrics=accuracy,
                                          splitter=lambda m: [list(m[:3].parameters()), list(m[3:].parameters())])
    if kind=='synth': return synth_learner(n_trn=32, n_val=16, cbs=[])
    if kind=='torchvision': return vision_learner(_image_dls(folder), resnet18, pretrained=False, metrics=accuracy)
    if kind=='timm': return vision_learner(_image_dls(folder), 'resnet10t', pretrained=False, metrics=accuracy)
    if kind=='optimwrapper': return cifar_learner(cifar_dls(folder, bs=8, cache=False), 'resnet20',
                                                  opt_func=partial(OptimWrapper, opt=torch.optim.SGD, momentum=0.9))
    if kind=='tabular': return tabular_learner(_tab_dls(), layers=[16, 8], metrics=accuracy)
    raise ValueError(kind)

KINDS = ['cifar', 'datablock', 'from_dsets', 'synth', 'torchvision', 'timm', 'optimwrapper', 'tabular']
CAPS = ['find_bs', 'range_test', 'fit_clr', 'fit_warm_restarts', 'blocks', 'weights', 'swa', 'fit_one_cycle_swa', 'grids', 'smith_tune', 'diagnose']

def _unchanged(learn, f):
    "Run `f()` and check that the learner is exactly as before"
    s0 = snapshot(learn)
    out = f()
    assert_same(snapshot(learn), s0, 'learner')
    return out

def _weights(learn): return {k:v.detach().clone() for k,v in learn.model.state_dict().items()}
def _changed(w0, learn): return any(not torch.equal(v, learn.model.state_dict()[k]) for k,v in w0.items() if v.is_floating_point())

@pytest.mark.parametrize('cap', CAPS)
@pytest.mark.parametrize('kind', KINDS)
def test_capability(kind, cap, folder, tmp_path):
    learn = make(kind, folder)
    learn.path = tmp_path   # results files and models go here
    n = len(learn.dls.train)
    with learn.no_bar(), learn.no_logging():
        if cap=='find_bs':
            r = _unchanged(learn, lambda: learn.find_bs(max_bs=16, knee=0))
            assert r.bs == 16 and r.df.fits.all() and r.df.bs.tolist()[-1] == 16 and r.bs0 == learn.dls.train.bs
        elif cap=='range_test':
            rt = _unchanged(learn, lambda: learn.lr_range_test(num_it=12, show_plot=False))
            assert 1 < len(rt.lrs) <= 12 and np.all(np.diff(rt.lrs) > 0) and np.isfinite(rt.losses).all()
            assert rt.sugg['valley'] is not None
        elif cap=='fit_clr':
            w0 = _weights(learn)
            s = learn.fit_clr(2, 1e-2, step_size=n)
            assert s.cycle_ends == [2*n] and _changed(w0, learn)
            lrs = np.array(learn.recorder.lrs)
            assert len(lrs) == 2*n and np.argmax(lrs) == n   # up for n iterations, then down
        elif cap=='fit_warm_restarts':
            s = learn.fit_warm_restarts(2, 1, 1e-2)
            assert s.cycle_ends == [n, 2*n]
            lrs = np.array(learn.recorder.lrs)
            assert lrs[n] > lrs[n-1]   # the restart
        elif cap=='blocks':
            bl = learn.param_blocks
            ng = len(opt_groups(learn))
            assert set(bl.values()) == set(range(ng))   # block name -> its parameter group
            learn.freeze()
            lrs = learn.block_lrs(1e-2)
            assert len(lrs) == ng and lrs[-1] == 1e-2
            bt = _unchanged(learn, lambda: learn.lr_find_blocks(num_it=8, show_plot=False))
            assert len(bt.df) >= 1
            stages = learn.fit_gradual(1, 1e-2)
            assert len(stages) >= 1 and all(p.requires_grad for p in learn.model.parameters())
        elif cap=='weights':
            wc = WeightCapture(epochs=[0, 1])
            learn.fit_one_cycle(2, 1e-2, cbs=wc)
            assert sorted(wc.weights) == [0, 1]
            it = _unchanged(learn, lambda: learn.interpolation_curve(wc.weights[1], wc.weights[0], alphas=[0., .5, 1.], n_batches=2, bn_batches=2, show_plot=False))
            assert len(it.df) == 3 and np.isfinite(it.df.valid_loss).all()
            w = interpolate_weights(wc.weights[1], wc.weights[0], 0.5)
            assert set(w) == set(wc.weights[0])
        elif cap=='swa':
            cb = SWA(start_epoch=1, swa_lr=1e-3)
            learn.fit(2, 1e-3, cbs=cb)
            assert cb.n_averaged == 1 and cb.averaged is not None   # once an epoch, after the first
            assert_same({k:v for k,v in learn.model.state_dict().items()}, cb.averaged)
        elif cap=='fit_one_cycle_swa':
            cb = learn.fit_one_cycle_swa(1, 1e-2, swa_epochs=1, swa_lr=1e-3)
            assert cb.n_averaged == 1 and len(learn.recorder.values) == 2
        elif cap=='grids':
            kw = dict(trial_epochs=1, lr_max=1e-2, results=tmp_path/'g.json', quiet=True)
            if kind=='optimwrapper': kw['wd_mode'] = None   # a torch optimizer has no decoupled/L2 switch (the default 'decoupled' is refused: test_refusals)
            m = _unchanged(learn, lambda: learn.mom_grid(moms=[0.9, (0.95, 0.85)], **{k:v for k,v in kw.items() if k!='wd_mode'}))
            assert len(m.trials) == 2 and m.moms in [(0.9,0.9,0.9), (0.95,0.85,0.95)]
            w = _unchanged(learn, lambda: learn.wd_grid(wds=[1e-3, 1e-2], refine=False, **kw))
            assert len(w.trials) == 2 and w.wd in (1e-3, 1e-2)
            again = learn.wd_grid(wds=[1e-3, 1e-2], refine=False, **kw)   # resumed from the file
            assert again.ranked.reused.all() and again.wd == w.wd
        elif cap=='smith_tune':
            res = _unchanged(learn, lambda: learn.smith_tune(fit_epochs=4, trial_epochs=1, num_it=12, budget=20, train=False, results=tmp_path/'t.json', quiet=True))
            assert res.complete and res.lr_max > 0 and len(res.moms) == 3 and res.wd >= 0
            assert res.range_test is not None and 10 <= len(res.range_test.lrs) <= 12
            assert len(res.runs) >= 2 and {t['stage'] for t in res.runs} >= {'lr', 'wd'}   # trials ran: the LR's check, weight decays
            if kind=='optimwrapper':   # torch's SGD applies weight decay as L2: Smith's L2 values are compared, and the report names the mode
                assert res.wd_mode=='l2' and res.wd in (1e-3, 1e-4, 1e-5), (res.wd_mode, res.wd)
                assert 'weight decay is l2' in res.report() and '(None)' not in res.report(), res.report()
        elif cap=='diagnose':
            learn.fit_one_cycle(2, 1e-2, cbs=ValidCurve(2))
            d = learn.diagnose(show=False)
            assert len(d.findings) >= 1 and all(f.kind for f in d.findings)

def test_refusals(folder):
    "A torch optimizer has no decoupled/L2 switch: asking for the other mode than its own is refused before anything runs, and the learner is untouched"
    learn = make('optimwrapper', folder)
    s0 = snapshot(learn)
    with pytest.raises(ValueError, match="wd_mode='decoupled': .* applies weight decay as l2 and has no `decouple_wd` argument to change it; use a fastai optimizer, or wd_mode=None"):
        learn.wd_grid(wds=[1e-3, 1e-2], trial_epochs=1, lr_max=1e-2, results=False, quiet=True)
    with pytest.raises(ValueError, match="wd_mode='decoupled'"): learn.smith_tune(wd_mode='decoupled', results=False, quiet=True)
    assert_same(snapshot(learn), s0, 'learner')

class Fault(Callback):
    "Raise `exc` at the `n`-th batch of the `phase` ('train' or 'valid') of whatever runs on the learner"
    order = 99
    def __init__(self, phase, n, exc): self.phase,self.n,self.exc,self.count,self.fired = phase,n,exc,0,False
    def after_batch(self):
        if (self.phase=='train') != self.learn.training: return
        self.count += 1
        if self.count == self.n: self.fired = True; raise self.exc('injected fault')

def _pair(learn):
    "Two state dicts to interpolate between: the learner's and a perturbed copy"
    w = {k:v.detach().clone() for k,v in learn.model.state_dict().items()}
    return w,{k:(v + 0.01*torch.randn_like(v) if v.is_floating_point() else v.clone()) for k,v in w.items()}

# every state-safe call, with the phases in which it runs batches
SAFE = {
    'lr_range_test': (('train',), lambda l, p: l.lr_range_test(num_it=10, show_plot=False)),
    'lr_range_test(valid)': (('train',), lambda l, p: l.lr_range_test(num_it=10, valid=True, n_valid=1, show_plot=False)),   # its loss: no callbacks
    'lr_find_blocks': (('train',), lambda l, p: l.lr_find_blocks(num_it=6, show_plot=False)),
    'interpolation_curve': (('valid',), lambda l, p: l.interpolation_curve(*l.pair, alphas=[0., 1.], n_batches=2, bn_batches=1, show_plot=False)),
    'mom_grid': (('train', 'valid'), lambda l, p: l.mom_grid(moms=[0.9, 0.95], trial_epochs=1, lr_max=1e-2, results=p/'m.json', quiet=True)),
    'wd_grid': (('train', 'valid'), lambda l, p: l.wd_grid(wds=[1e-3, 1e-2], refine=False, trial_epochs=1, lr_max=1e-2, results=p/'w.json', quiet=True)),
    'find_bs': (('train',), lambda l, p: l.find_bs(max_bs=16, knee=0)),
    'smith_tune': (('train', 'valid'), lambda l, p: l.smith_tune(fit_epochs=4, trial_epochs=2, budget=30, train=False, results=p/'t.json', quiet=True)),
}
FAULTS = [('train', 1, RuntimeError), ('train', 5, KeyboardInterrupt), ('valid', 1, KeyboardInterrupt), ('valid', 2, RuntimeError)]

CASES = [(k, c, fl) for k in ('cifar', 'tabular') for c in SAFE for fl in FAULTS if fl[0] in SAFE[c][0]]

@pytest.mark.slow   # 44 cases: in CI's full run, not the fast loop
@pytest.mark.parametrize('kind,call,fault', CASES, ids=[f'{k}-{c}-{ph}{n}-{exc.__name__}' for k,c,(ph,n,exc) in CASES])
def test_fault_leaves_learner_as_it_was(kind, call, fault, folder, tmp_path):
    "An error or Ctrl-C at a training or validation batch inside a state-safe call: the learner is exactly as before"
    f = SAFE[call][1]
    ph,n,exc = fault
    learn = make(kind, folder); learn.path = tmp_path
    learn.fit(1, 1e-3)   # a user's learner: trained, with optimizer state, a recorder, fit attributes
    learn.freeze_to(-1)
    cb = Fault(ph, n, exc); learn.add_cb(cb)
    if call=='interpolation_curve': learn.pair = _pair(learn)   # the user's two state dicts, made before the snapshot
    with learn.no_bar():   # (fastai's no_bar puts a new ProgressCallback back: the snapshots are taken inside it)
        s0 = snapshot(learn)
        with pytest.raises(exc): f(learn, tmp_path)
        assert cb.fired
        assert_same(snapshot(learn), s0, f'learner after {exc.__name__} at {ph} batch {n} of {call}')

FT_KINDS = ['cifar', 'cifar_pretrained', 'torchvision', 'timm', 'torchvision_blocks']

@pytest.mark.parametrize('kind', FT_KINDS)
def test_fine_tune(kind, folder, tmp_path):
    """smith_tune on a frozen learner fine-tunes (issue 26): the head's LR, then the unfrozen model's LR raced by trials, the learner left as it was;
    torchvision and timm bodies with fastai's default splitter and with `block_splitter`, and the shipped pretrained ResNet-20"""
    if kind=='cifar_pretrained':
        set_seed(0); learn = cifar_learner(cifar_dls(folder, bs=8, cache=False, stats=pretrained_stats()), 'resnet20', pretrained=True)
    elif kind=='torchvision_blocks':
        learn = vision_learner(_image_dls(folder), resnet18, pretrained=False, metrics=accuracy, splitter=block_splitter)
    else: learn = make(kind, folder)
    learn.freeze()
    ng = len(learn.splitter(learn.model))
    with learn.no_bar(), learn.no_logging():
        res = _unchanged(learn, lambda: learn.smith_tune(fit_epochs=4, trial_epochs=1, num_it=12, budget=40, train=False, results=tmp_path/'t.json', quiet=True))
    assert res.complete and res.fine_tune is not None and res.fine_tune['freeze_to'] == -1
    assert len(res.lr_max) == ng and all(v > 0 for v in res.lr_max)
    assert res.stages['lr'].keys == [t.key for t in res.runs[:5]] and len(set(res.lr_max)) == 1   # the race (5 candidates) ran first; every group at its choice
    assert res.lr_max[0] in [v for v in res.fine_tune['body_lrs']]
    assert res.head_kept(learn)   # the learner as tuned: res.fit goes on from the head phase tuning ran
    assert res.schedule == 'free' and res.free_lr == [FINE_TUNE_FREE*v for v in res.lr_max]   # the unfrozen run schedule-free at twice the race's LR (Adam: the same step as 1cycle's peak)
    with learn.no_bar(), learn.no_logging(): res.fit(learn, 1)
    assert all(p.requires_grad for p in learn.model.parameters()) and len(learn.opt.hypers) == ng
    assert len(learn.recorder.values) == 1 and not res.head_kept(learn)   # one fit (the unfrozen one); trained since, no longer the weights tuned
