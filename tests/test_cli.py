"The `smith-fit` command as a user runs it"
import subprocess, sys
from pathlib import Path
import pytest

EXE = Path(sys.executable).parent/'smith-fit'

def run(*args): return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=600)

def test_help():
    r = run('--help')
    assert r.returncode == 0 and '--data' in r.stdout and '--epochs' in r.stdout

def test_short_fit_prints_epoch_table():
    r = run('--epochs', '2', '--n-train', '30', '--bs', '64')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    head = next(i for i,l in enumerate(lines) if l.split()[:3] == ['epoch', 'train_loss', 'valid_loss'])
    assert 'accuracy' in lines[head]
    rows = [l.split() for l in lines[head+1:head+3]]
    assert [r[0] for r in rows] == ['0', '1'] and all(0 <= float(r[3]) <= 1 for r in rows)
    assert 'accuracy' in lines[-1] and lines[-1].startswith('done in')

@pytest.mark.parametrize('args,msg', [
    (('--data', '/no/such/folder'), '/no/such/folder does not exist'),
    (('--epochs', '0'), '--epochs 0'),
    (('--lr', '-1'), '--lr -1'),
    (('--arch', 'resnet57'), "arch='resnet57' is unknown"),
    (('--dataset', 'mnist'), "name='mnist' is unknown"),
])
def test_bad_arguments_one_line_error(args, msg):
    r = run(*args)
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('smith-fit: error:') and msg in err[0], r.stderr
    assert 'Traceback' not in r.stderr
