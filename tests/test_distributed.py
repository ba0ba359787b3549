"Our callbacks under fastai's `distrib_ctx` (Accelerate, DistributedDataParallel): two CPU processes with gloo"
import math, os, socket, subprocess, sys
from pathlib import Path
import pytest, torch

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow   # two processes that each import fastai and train
pytest.importorskip('accelerate') if not os.environ.get('CI') else None

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp('ddp')
    env = {**os.environ, 'WORLD_SIZE':'2', 'MASTER_ADDR':'127.0.0.1', 'MASTER_PORT':str(free_port()), 'OMP_NUM_THREADS':'1'}
    ps = [subprocess.Popen([sys.executable, str(ROOT/'tests'/'ddp_worker.py'), str(out)], env={**env, 'RANK':str(r), 'LOCAL_RANK':str(r)},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for r in (0, 1)]
    logs = [p.communicate(timeout=600)[0] for p in ps]
    for p,l in zip(ps, logs): assert p.returncode == 0, l[-3000:]
    return [torch.load(out/f'rank{r}.pt', weights_only=False) for r in (0, 1)]

def test_two_ranks_each_half_the_batches(ranks):
    r0,r1 = ranks
    assert r0['world'] == r1['world'] == 2
    per_rank = math.ceil(r0['train_len']/2)
    assert r0['n_iter'] == r1['n_iter'] == 8*per_rank

def test_cyclical_schedule_counts_the_rank_batches(ranks):
    r0,r1 = ranks
    per_rank = math.ceil(r0['train_len']/2)
    # fit_clr's default half cycle is 2 epochs: of this rank's batches, not of the whole loader's
    assert r0['cycle_ends'] == [4*per_rank, 8*per_rank]
    assert r0['lrs'] == r1['lrs'] and len(r0['lrs']) == r0['n_iter']
    lrs = r0['lrs'][:4*per_rank]
    assert lrs[0] == pytest.approx(1e-4) and max(lrs) == pytest.approx(1e-3) and lrs.index(max(lrs)) == 2*per_rank   # the peak at the end of the first half cycle

def test_weight_capture_keeps_the_module_keys(ranks):
    r0,_ = ranks
    assert r0['capture_keys'] == [f'cycle{i}' for i in range(len(r0['cycle_ends']))]
    for k,keys in r0['captured'].items():
        assert keys == r0['model_keys'] and not any(n.startswith('module.') for n in keys)
    assert r0['wrapped'] == 'ResNetCifar'   # the model is unwrapped after the fit

def test_swa_average_is_the_same_on_both_ranks(ranks):
    r0,r1 = ranks
    assert r0['n_averaged'] == r1['n_averaged'] == 2   # the ends of epochs 7 and 8
    for k in r0['state']: assert torch.equal(r0['state'][k], r1['state'][k]), k
