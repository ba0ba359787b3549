"Every notebook in nbs/ runs clean with nbdev-test: with its slow cells (`#| slow`, in tst_flags) in a full run, without them under `-m 'not slow'`"
import os, subprocess, sys
from pathlib import Path
import pytest
from conftest import CIFAR_TGZ

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))

@pytest.fixture(scope='session')
def fastai_home(tmp_path_factory, request):
    """A fastai home of the tests' own (`FASTAI_HOME`), so the notebooks never touch the user's `~/.fastai`. In a full run
    its data folder links to the session's CIFAR-10 (conftest's `cifar10_path`), where `untar_data(URLs.CIFAR)` finds it"""
    home = tmp_path_factory.mktemp('fastai_home')
    if 'not slow' not in (request.config.getoption('markexpr') or '') and CIFAR_TGZ.exists():
        (home/'data').mkdir()
        (home/'data'/'cifar10').symlink_to(request.getfixturevalue('cifar10_path'), target_is_directory=True)
    return home

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_notebook(nb, request, fastai_home):
    fast = 'not slow' in (request.config.getoption('markexpr') or '')
    if not fast and nb.name.startswith('tutorial') and not (fastai_home/'data'/'cifar10').exists():
        if os.environ.get('CI'): pytest.fail(f'{CIFAR_TGZ} is missing: the tutorial needs CIFAR-10')
        pytest.skip(f'{CIFAR_TGZ} not found (set FASTAI_SMITH_CIFAR_TGZ): the tutorial would download CIFAR-10')
    env = dict(os.environ, FASTAI_HOME=str(fastai_home))
    r = subprocess.run([str(Path(sys.executable).parent/'nbdev-test'), str(nb), *([] if fast else ['--flags', 'slow'])],
                       capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]

def test_found_the_notebooks(): assert {'00_models.ipynb', '01_data.ipynb', 'index.ipynb'} <= {p.name for p in NBS}
