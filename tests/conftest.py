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
ROOT = Path(__file__).resolve().parents[1]
CIFAR_TGZ = Path(os.environ.get('FASTAI_SMITH_CIFAR_TGZ', ROOT.parent/'shared'/'data'/'cifar10_jpg.tgz'))

@pytest.fixture(scope='session')
def cifar10_path(tmp_path_factory):
    "The full CIFAR-10 (JPEG) from ../shared, extracted once per session; CI must have it, elsewhere the test is skipped"
    if not CIFAR_TGZ.exists():
        if os.environ.get('CI'): pytest.fail(f'{CIFAR_TGZ} is missing: CI needs ../shared/data/cifar10_jpg.tgz')
        pytest.skip(f'{CIFAR_TGZ} not found (set FASTAI_SMITH_CIFAR_TGZ)')
    d = tmp_path_factory.mktemp('cifar10')
    with tarfile.open(CIFAR_TGZ) as tf: tf.extractall(d, filter='data')
    return d

def write_img(fn, size=(32,32), mode='RGB', seed=0):
    "Write a random image of `size` (w,h) and `mode` to `fn`"
    fn = Path(fn); fn.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ch = {'RGB': 3, 'RGBA': 4, 'L': 1}[mode]
    a = rng.integers(0, 256, (size[1], size[0], ch), dtype=np.uint8)
    Image.fromarray(a[..., 0] if ch==1 else a, mode).save(fn)
    return fn

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
# the order of CI's slowest tests (`--durations=20`, two workers on this project's 2-core machine: the tutorial 293 s,
# the index 159 s, the how-to 115 s, ... `12_tune` 47 s); the rest keep their order after these
LONGEST = ('tutorial_cifar10', 'index.ipynb', 'howto_own_data', '11_grids', '05_lr_finder', '06_discriminative', 'test_cli.py',
           'test_cifar10', '07_weights', '13_cli', '12_tune')
def pytest_collection_modifyitems(config, items):
    rank = lambda it: next((i for i,k in enumerate(LONGEST) if k in it.nodeid), len(LONGEST))
    items.sort(key=rank)
