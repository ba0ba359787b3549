import os, tarfile, warnings
from pathlib import Path
import numpy as np, pytest
from PIL import Image

warnings.filterwarnings('ignore', message='.*torch.jit.script.*')

# Under pytest-xdist (`-n N`) each worker gets its share of the cores, and so do the notebooks and commands it starts
# (OMP_NUM_THREADS is read by torch in every subprocess): N processes of all-core torch would fight over the cores
if os.environ.get('PYTEST_XDIST_WORKER_COUNT'):
    _threads = str(max(1, (os.cpu_count() or 1)//int(os.environ['PYTEST_XDIST_WORKER_COUNT'])))
    os.environ['OMP_NUM_THREADS'] = os.environ['MKL_NUM_THREADS'] = _threads
    import torch; torch.set_num_threads(int(_threads))
# smith_tune's default results files (and image caches of read-only folders) go to the user's cache folder: the tests,
# and the notebooks they run, use one of their own, so no trial of an earlier run is reused and nothing is left in ~/.cache
import atexit, shutil, tempfile
os.environ['XDG_CACHE_HOME'] = tempfile.mkdtemp(prefix='fastai_smith_test_cache')
atexit.register(shutil.rmtree, os.environ['XDG_CACHE_HOME'], True)
ROOT = Path(__file__).resolve().parents[1]
CIFAR_TGZ = Path(os.environ.get('FASTAI_SMITH_CIFAR_TGZ', ROOT.parent/'shared'/'data'/'cifar10_jpg.tgz'))

@pytest.fixture(scope='session')
def cifar10_path(tmp_path_factory):
    """The full CIFAR-10 (JPEG) from ../shared, extracted and decoded into `cifar_dls`'s cache once per test run, for
    every xdist worker together (the first to ask does it under a file lock; the others wait, then read it); CI must
    have it, elsewhere the test is skipped"""
    if not CIFAR_TGZ.exists():
        if os.environ.get('CI'): pytest.fail(f'{CIFAR_TGZ} is missing: CI needs ../shared/data/cifar10_jpg.tgz')
        pytest.skip(f'{CIFAR_TGZ} not found (set FASTAI_SMITH_CIFAR_TGZ)')
    from filelock import FileLock
    base = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'): base = base.parent   # shared by the workers of this run
    d,done = base/'cifar10_shared',base/'cifar10_shared.done'
    with FileLock(str(base/'cifar10_shared.lock')):
        if not done.exists():
            from fastai_smith.data import image_cache
            with tarfile.open(CIFAR_TGZ) as tf: tf.extractall(d, filter='data')
            image_cache(d, verbose=False)
            done.touch()
    return d

def write_img(fn, size=(32,32), mode='RGB', seed=0):
    "Write a random image of `size` (w,h) and `mode` to `fn`"
    fn = Path(fn); fn.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ch = {'RGB': 3, 'RGBA': 4, 'L': 1}[mode]
    a = rng.integers(0, 256, (size[1], size[0], ch), dtype=np.uint8)
    Image.fromarray(a[..., 0] if ch==1 else a, mode).save(fn)
    return fn

def image_folder(root, n_train, n_valid, n_classes=4, seed=0, size=(32,32)):
    "`root` with train/c0..c{n_classes-1} and valid/... holding `n_train` and `n_valid` random PNGs of `size` per class"
    root = Path(root)
    for split,n in (('train', n_train), ('valid', n_valid)):
        for c in range(n_classes):
            for i in range(n): write_img(root/split/f'c{c}'/f'{i}.png', size=size, seed=seed+100*c+i+50*(split=='valid'))
    return root

@pytest.fixture(scope='session')
def folder(tmp_path_factory):
    "4 classes of random 32x32 images, 8 training and 4 validation each: the tiny data of test_compat and test_bad_input"
    return image_folder(tmp_path_factory.mktemp('tiny4'), 8, 4)

@pytest.fixture
def make_folder(tmp_path):
    "make_folder({'train/a': 3, 'valid/a': 2, ...}): an image folder with that many 32x32 PNGs per class folder"
    def _make(spec, root=None):
        root = Path(root or tmp_path/'data')
        for sub, n in spec.items():
            (root/sub).mkdir(parents=True, exist_ok=True)
            for i in range(n): write_img(root/sub/f'{i:03d}.png', seed=hash((sub, i)) % 2**32)
        return root
    return _make

# The longest tests first, so that under `-n N --dist worksteal` no worker is left with one long test at the end:
# the order of CI's slowest tests (`--durations=20`, two workers on this project's 2-core machine, 2026-12-03: the
# tutorial 149 s, the index 83 s, the command's Ctrl-C and small-data tests 54 and 48 s before they were cut, `11_grids`
# 47 s, the reproductions' examples 43-45 s, ... `12_tune` 33 s); the rest keep their order after these
LONGEST = ('tutorial_cifar10', 'index.ipynb', '11_grids', 'repro_transfer', 'repro_superconvergence', '05_lr_finder', '13_cli',
           'test_gpu_scale.py::test_quick', '06_discriminative', 'test_cifar10', 'howto_own_data', 'test_cli.py', '12_tune', 'repro_swa_sgd',
           'howto_lr_find', 'test_side_effects.py::test_fastai_behaviours', '07_weights')
def pytest_collection_modifyitems(config, items):
    rank = lambda it: next((i for i,k in enumerate(LONGEST) if k in it.nodeid), len(LONGEST))
    items.sort(key=rank)

def _clone(o):
    import torch, copy
    if isinstance(o, torch.Tensor): return o.detach().clone()
    if isinstance(o, dict): return {k:_clone(v) for k,v in o.items()}
    if isinstance(o, (list, tuple)): return type(o)(_clone(v) for v in o)
    return copy.deepcopy(o)

def snapshot(learn):
    "Everything a user could notice on `learn`: weights, buffers, grads, requires_grad, optimizer state and hypers, callbacks in order, modes, recorder, RNGs, attributes"
    import random, torch
    m,opt,rec = learn.model,learn.opt,getattr(learn, 'recorder', None)
    return dict(
        state=_clone(m.state_dict()),
        params=[(p.requires_grad, None if p.grad is None else p.grad.detach().clone()) for p in m.parameters()],
        modes=[o.training for o in m.modules()],
        opt=None if opt is None else (id(opt), _clone(opt.state_dict()), _clone([dict(h) for h in opt.hypers]) if hasattr(opt, 'hypers') else None),
        cbs=[id(c) for c in learn.cbs], cb_names=[type(c).__name__ for c in learn.cbs],
        rec=None if rec is None else _clone({k:getattr(rec, k, None) for k in ('values', 'losses', 'lrs', 'iters', 'metric_names')}),
        rng=(random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state()),
        dl_rng=[dl.rng.getstate() for dl in learn.dls.loaders if hasattr(dl, 'rng')],
        attrs=sorted(k for k in vars(learn)), dls=id(learn.dls), opt_func=learn.opt_func, lr=learn.lr, wd=learn.wd, moms=learn.moms)

def assert_same(a, b, where=''):
    "`a` and `b` (snapshots, or parts of them) are equal, tensors exactly"
    import torch
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.shape==b.shape and a.dtype==b.dtype and torch.equal(a, b), where; return
    if isinstance(a, np.ndarray): assert np.array_equal(a, b), where; return
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a)==list(b), (where, set(a)^set(b))
        for k in a: assert_same(a[k], b[k], f'{where}.{k}')
        return
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a)==len(b), (where, len(a), len(b) if hasattr(b, '__len__') else b)
        for i,(x,y) in enumerate(zip(a, b)): assert_same(x, y, f'{where}[{i}]')
        return
    if isinstance(a, float) and a!=a: assert b!=b, where; return
    assert a == b, (where, a, b)
