"Trials on Ray (a local instance limited to 2 CPUs) give the sequential runner's results"
import os, sys
import pytest
if os.environ.get('CI'): import ray   # CI installs the `ray` extra: a missing Ray is a failure there
else: ray = pytest.importorskip('ray')
from ray import cloudpickle   # Ray pickles with its own copy of cloudpickle
import fastai_smith.grids, fastai_smith.tune  # patch Learner with mom_grid, wd_grid and smith_tune
from fastai.torch_core import set_seed
from fastai.test_utils import synth_learner

cloudpickle.register_pickle_by_value(sys.modules[__name__])   # the factories below travel to the workers by value

def factory():
    set_seed(0)
    return synth_learner(n_trn=20, n_val=4)

def other_weights():
    set_seed(1)
    return synth_learner(n_trn=20, n_val=4)

KW = dict(results=False, quiet=True, num_it=20, trial_epochs=1, mom_grid=[(0.95,0.85), 0.9, 0.85], wd_grid=[1e-2, 1e-3],
          lr_rule=('valley', 'smith_max'))

@pytest.fixture(scope='module')
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()

@pytest.mark.slow   # a Ray instance and its worker processes
def test_ray_trials_equal_sequential(local_ray, tmp_path):
    a = factory().smith_tune(**KW)
    b = factory().smith_tune(**{**KW, 'results': tmp_path/'r.json'}, executor='ray', learner_factory=factory)
    assert b.best == a.best
    assert b.trials.valid_loss.tolist() == a.trials.valid_loss.tolist()
    assert b.trials.stage.tolist() == a.trials.stage.tolist() and len(b.runs) >= 4
    # the results file works the same: a rerun reuses every trial
    c = factory().smith_tune(**{**KW, 'results': tmp_path/'r.json'}, executor='ray', learner_factory=factory)
    assert c.best == a.best and c.trials.reused.all()

@pytest.mark.slow   # a Ray instance and its worker processes
def test_grids_on_ray(local_ray):
    a = factory().mom_grid(moms=[0.9, (0.95,0.85)], lr_max=1e-2, results=False, quiet=True, trial_epochs=1)
    b = factory().mom_grid(moms=[0.9, (0.95,0.85)], lr_max=1e-2, results=False, quiet=True, trial_epochs=1, executor='ray', learner_factory=factory)
    assert b.ranked.valid_loss.tolist() == a.ranked.valid_loss.tolist() and b.moms == a.moms

@pytest.mark.slow   # a Ray instance and its worker processes
def test_factory_must_rebuild_the_same_learner(local_ray):
    with pytest.raises(RuntimeError, match='differs from `learn`'):
        factory().mom_grid(moms=[0.9], lr_max=1e-2, results=False, quiet=True, executor='ray', learner_factory=other_weights)

def test_bad_executor_arguments():
    with pytest.raises(ValueError, match="executor='dask'"): factory().mom_grid(executor='dask')
    with pytest.raises(ValueError, match='needs learner_factory'): factory().smith_tune(executor='ray')
