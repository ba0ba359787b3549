"Every notebook in nbs/ runs clean as nbdev-test runs it (nbdev's `test_nb`, in a child of `nb_runner.py`): with its slow cells (`#| slow`, in tst_flags) in a full run, without them under `-m 'not slow'`"
import os, subprocess, sys
from pathlib import Path
import pytest
from conftest import CIFAR_TGZ

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))

@pytest.fixture(scope='session')
def fastai_home(tmp_path_factory):
    """A fastai home of the tests' own (`FASTAI_HOME`), so the notebooks never touch the user's `~/.fastai`. In a full
    run the tutorial links its data folder to the run's CIFAR-10 (conftest's `cifar10_path`), where
    `untar_data(URLs.CIFAR)` finds it"""
    return tmp_path_factory.mktemp('fastai_home')

@pytest.fixture(scope='session')
def runner(fastai_home):
    "`nb_runner.py`: fastai imported once, a forked child per notebook (a fresh `nbdev-test` would import it each time)"
    env = dict(os.environ, FASTAI_HOME=str(fastai_home))
    p = subprocess.Popen([sys.executable, str(Path(__file__).parent/'nb_runner.py')], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).resolve().parents[1])
    yield p
    p.stdin.close(); p.wait(timeout=60)

def run_nb(runner, nb, flags, log, timeout=900):
    "Run `nb` in a child of `runner`; its exit code, or None (and the child killed) past `timeout` seconds"
    import json, signal, threading
    runner.stdin.write(json.dumps(dict(nb=str(nb), flags=flags, log=str(log)))+'\n'); runner.stdin.flush()
    pid = json.loads(runner.stdout.readline())['pid']
    done = []
    t = threading.Thread(target=lambda: done.append(json.loads(runner.stdout.readline())['rc']), daemon=True)
    t.start(); t.join(timeout)
    if t.is_alive():
        os.kill(pid, signal.SIGKILL)
        t.join()
        return None
    return done[0]

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_notebook(nb, request, fastai_home, runner, tmp_path):
    fast = 'not slow' in (request.config.getoption('markexpr') or '')
    if not fast and nb.name.startswith('tutorial') and not (fastai_home/'data'/'cifar10').exists():
        if not CIFAR_TGZ.exists():
            if os.environ.get('CI'): pytest.fail(f'{CIFAR_TGZ} is missing: the tutorial needs CIFAR-10')
            pytest.skip(f'{CIFAR_TGZ} not found (set FASTAI_SMITH_CIFAR_TGZ): the tutorial would download CIFAR-10')
        (fastai_home/'data').mkdir(exist_ok=True)
        (fastai_home/'data'/'cifar10').symlink_to(request.getfixturevalue('cifar10_path'), target_is_directory=True)
    log = tmp_path/'nbdev-test.log'
    rc = run_nb(runner, nb, '' if fast else 'slow', log)
    out = log.read_text() if log.exists() else ''
    assert rc is not None, f'{nb.name} ran over 900 s\n' + out[-4000:]
    assert rc == 0, out[-8000:]

def test_found_the_notebooks(): assert {'00_core.ipynb', '01_models.ipynb', '02_data.ipynb', 'index.ipynb'} <= {p.name for p in NBS}
