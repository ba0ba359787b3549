"The peers of the benchmarks (benchmarks/peers.py): wired into fastai as the benchmark says. Needs `pip install -e '.[bench]'`; skipped without it"
import sys
from pathlib import Path
import pytest, torch
from fastai.vision.all import Callback, first, nn, set_seed
from fastai_smith.all import cifar_dls, cifar_learner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'benchmarks'))

@pytest.fixture(scope='module')
def dls(): return cifar_dls(name='cifar10_sample', bs=16, n_train=8, n_valid=4, classes=['cat', 'dog'])

def test_schedulefree_modes_and_bn(dls):
    "Training runs at y (train mode), every evaluation at the averaged x (eval mode) with BatchNorm statistics recomputed there"
    pytest.importorskip('schedulefree')
    from peers import fit_schedulefree, ScheduleFreeCB, SF_SETTINGS
    set_seed(0); learn = cifar_learner(dls, 'resnet20')
    modes = []
    class Spy(Callback):
        order = ScheduleFreeCB.order+1
        def before_batch(self): modes.append((self.training, self.opt.opt.param_groups[0]['train_mode']))
    with learn.no_bar(), learn.no_logging(): fit_schedulefree(learn, 2)
    learn.add_cb(Spy())
    bn = first(m for m in learn.model.modules() if isinstance(m, nn.BatchNorm2d))
    bn.running_mean.fill_(100.)   # stale statistics: the evaluation must recompute them
    with learn.no_bar(): learn.validate()
    assert bn.running_mean.abs().max() < 50
    assert not learn.opt.opt.param_groups[0]['train_mode']
    with learn.no_bar(), learn.no_logging(): learn.fit(1, lr=1e-3)
    assert {m for t,m in modes if t} == {True} and {m for t,m in modes if not t} == {False}
    assert learn.opt.opt.param_groups[0]['betas'] == SF_SETTINGS['algoperf']['betas']

def test_prodigy_keeps_state_across_unfreezing(dls):
    "Fine-tuning: the head trains while the body is frozen, then everything, with the optimizer's state kept (fastai's unfreeze would clear it)"
    pytest.importorskip('prodigyopt')
    from peers import fit_prodigy
    set_seed(0); learn = cifar_learner(dls, 'resnet20', pretrained=True)
    body = [p.detach().clone() for p in learn.opt.param_lists[0]]
    head = list(learn.opt.param_lists[-1])
    head0 = [p.detach().flatten().clone() for p in head]
    with learn.no_bar(), learn.no_logging(): fit_prodigy(learn, 1, head_epochs=1)
    assert learn.opt.frozen_idx == 0 and all(p.requires_grad for p in learn.model.parameters())
    assert any((p-b).abs().max() > 0 for p,b in zip(learn.opt.param_lists[0], body))   # the body trained in the second phase
    st = learn.opt.opt.state
    # Prodigy measures its distance from where each parameter started: the head's start is still the first phase's
    # (fastai's `unfreeze` would have cleared it to the second phase's), and the body's state was added
    assert all(torch.equal(st[p]['p0'], h0) for p,h0 in zip(head, head0)) and all(p in st for p in learn.opt.param_lists[0])

def test_optuna_budget(dls):
    "The search stops within its budget of epochs and returns its best point"
    pytest.importorskip('optuna')
    from peers import optuna_search
    made = []
    def make(): set_seed(0); made.append(cifar_learner(dls, 'resnet20')); return made[-1]
    def space(t): return dict(lr_max=t.suggest_float('lr', 1e-4, 1e-1, log=True))
    best,spent,n = optuna_search(make, space, lambda l,p,n: l.fit_one_cycle(n, **p), budget=5, trial_epochs=2, seed=0)
    assert spent <= 5 and n == len(made) == 2 and set(best) == {'lr_max'} and 1e-4 <= best['lr_max'] <= 1e-1

def test_recompute_bn_alone(dls):
    "On any learner: stale BatchNorm statistics recomputed from training batches before evaluation, without a draw from torch's RNG"
    from peers import RecomputeBN
    set_seed(0); learn = cifar_learner(dls, 'resnet20', cbs=RecomputeBN())
    with learn.no_bar(), learn.no_logging(): learn.fit(1, lr=1e-3)
    bn = first(m for m in learn.model.modules() if isinstance(m, nn.BatchNorm2d))
    bn.running_mean.fill_(100.)
    torch.manual_seed(1)
    with learn.no_bar(): learn.validate()
    assert bn.running_mean.abs().max() < 50 and not learn.model.training
    after = torch.get_rng_state()
    learn.remove_cbs(learn.recompute_bn); torch.manual_seed(1)   # the draws evaluation makes without it
    with learn.no_bar(): learn.validate()
    assert torch.equal(torch.get_rng_state(), after)
