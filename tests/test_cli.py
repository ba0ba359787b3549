"The `smith-tune` command as a user runs it"
import json, shutil, signal, subprocess, sys, time
from pathlib import Path
import pytest
from fastai_smith.trials import _sum

EXE = Path(sys.executable).parent/'smith-tune'

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "A folder of 4 classes of random 32x32 images (24 training, 8 validation each): the command end to end in seconds"
    from conftest import image_folder
    root = image_folder(tmp_path_factory.mktemp('tiny'), 24, 8, seed=1000)
    return ('--data', str(root), '--bs', '16', '--fit-epochs', '8', '--epochs', '1')

def run(*args, cwd=None): return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=900, cwd=cwd)

@pytest.fixture
def cli(monkeypatch, capsys):
    """`cli(*args)` runs the installed script in this process, as its own interpreter would (as `__main__`, reading
    `sys.argv`), and returns (exit code, stdout, stderr): the same command without an interpreter and fastai's import
    per call. Any exception other than the command's own exit (a traceback for a user) propagates and fails the test"""
    import runpy
    def _run(*args):
        monkeypatch.setattr(sys, 'argv', [str(EXE), *args])
        capsys.readouterr()
        try: runpy.run_path(str(EXE), run_name='__main__'); code = 0
        except SystemExit as e: code = e.code or 0
        out,err = capsys.readouterr()
        return code, out, err
    return _run

def test_help(cli):
    code,out,_ = cli('--help')
    assert code == 0
    for o in ('--data', '--dataset', '--arch', '--bs', '--fit-epochs', '--train', '--budget', '--epochs', '--final-epochs', '--swa', '--no-flip', '--no-augment', '--seed', '--out', '--device', '--quiet'):
        assert o in out, o

@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory, tiny):
    "The installed command in its own process on `tiny`: (its result, its report folder), which a test copies before changing it"
    out = tmp_path_factory.mktemp('tiny_run')/'rep'
    return run(*tiny, '--out', str(out)), out

def test_tune_writes_report_and_resumes(tmp_path, tiny, tiny_run, cli):
    "The installed command in its own process; the resumed run in this one"
    r,out = tiny_run
    assert r.returncode == 0, r.stderr
    out = Path(shutil.copytree(out, tmp_path/'rep'))
    assert 'chosen in' in r.stdout and 'Learning rate:' in r.stdout and 'Momentum:' in r.stdout and 'Weight decay:' in r.stdout
    assert '\u2588' not in r.stdout   # no progress-bar debris when not on a terminal
    assert sorted(o.name for o in out.iterdir()) == ['report.md', 'result.json', 'trials.json', 'tune.png']
    res = json.loads((out/'result.json').read_text())
    assert res['complete'] and set(res['best']) == {'lr_max', 'moms', 'wd'} and len(res['best']['moms']) == 3
    n = len(res['trials'])
    assert n >= 3 and not any(t['reused'] for t in res['trials'])   # the LR's stability trial and two weight-decay candidates
    md = (out/'report.md').read_text()
    assert f"fit_one_cycle(8, lr_max={res['best']['lr_max']:.3g}," in md and 'No final training' in md
    # the same command again: every trial comes from trials.json, the same choices
    code,_,err = cli(*tiny, '--out', str(out), '--quiet')
    assert code == 0, err
    res2 = json.loads((out/'result.json').read_text())
    assert res2['best'] == res['best'] and len(res2['trials']) == n and all(t['reused'] for t in res2['trials'])

@pytest.mark.slow
def test_ctrl_c_leaves_a_resumable_report(tmp_path, cli):
    "4 classes of 80 random images, 20 batches an epoch: trials of a few seconds, so the run is interrupted after its first trial with two to go"
    from conftest import image_folder
    args = ('--data', str(image_folder(tmp_path/'data', 80, 20, seed=7)), '--bs', '16', '--fit-epochs', '8', '--epochs', '1')
    out = tmp_path/'rep'
    p = subprocess.Popen([str(EXE), *args, '--out', str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    f,t0 = out/'trials.json',time.time()
    while time.time()-t0 < 600 and p.poll() is None:
        if f.exists() and len(json.loads(f.read_text() or '{"trials":[]}')['trials']) >= 1: break
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    _,err = p.communicate(timeout=300)
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith('smith-tune: error: interrupted') and 'Traceback' not in err
    kept = len(json.loads(f.read_text())['trials'])
    assert kept >= 1 and (out/'report.md').exists() and 'interrupted' in (out/'report.md').read_text()
    code,_,err = cli(*args, '--out', str(out), '--quiet')   # resumed in this process
    assert code == 0, err
    ts = json.loads((out/'result.json').read_text())['trials']
    assert sum(t['reused'] for t in ts) >= kept and not all(t['reused'] for t in ts)

def test_final_training_with_swa(tmp_path, tiny, cli):
    code,out,err = cli(*tiny, '--out', str(tmp_path/'rep'), '--final-epochs', '2', '--budget', '8', '--swa', '--quiet')
    assert code == 0, err
    assert 'final training: validation loss' in out
    res = json.loads((tmp_path/'rep'/'result.json').read_text())
    assert len(res['final']) == 3   # 2 epochs of 1cycle + 1 of SWA
    md = (tmp_path/'rep'/'report.md').read_text()
    assert '## Final training' in md and 'Final training (3 epochs): validation accuracy' in md

@pytest.mark.parametrize('args,msg', [
    (('--data', '/no/such/folder'), '/no/such/folder does not exist'),
    (('--epochs', '0'), '--epochs 0'),
    (('--budget', '-1'), '--budget -1'),
    (('--arch', 'resnet57'), "arch='resnet57' is unknown"),
    (('--dataset', 'mnist'), "name='mnist' is unknown"),
    (('--swa',), '--swa needs --train'),
    (('--fit-epochs', '0'), '--fit-epochs 0'),
    (('--final-epochs', '0'), '--final-epochs 0'),
    (('--budget', '0.5'), '--budget 0.5 epochs cannot cover the plan'),
    (('--fit-epochs', '1000000000'), '--fit-epochs=1000000000: must be at most'),   # a plan that would take years
])
def test_bad_arguments_one_line_error(args, msg, tmp_path, cli):
    code,_,err = cli(*args, '--out', str(tmp_path/'rep'))
    assert code == 2
    err = err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('smith-tune: error:') and msg in err[0], err
    for a in ('lr_max=', 'num_it', 'n_batches', 'budget='): assert a not in err[0], err[0]   # Python arguments the command does not have

@pytest.mark.parametrize('what', ['trials.json folder', 'report.md folder', 'result.json folder', 'trials.json list', 'trials.json incomplete', 'trials.json binary'])
def test_bad_out_contents_one_line_error(what, tmp_path, cli):
    "Anything in --out that the command cannot use is refused in one line, before training, and left as it was"
    out = tmp_path/'rep'; out.mkdir()
    name,kind = what.split()
    f = out/name
    if kind=='folder': f.mkdir()
    else: f.write_bytes({'list': b'[]', 'incomplete': json.dumps(dict(version=2, trials=[dict(sum=_sum(dict(key='k')), trial=dict(key='k'))])).encode(), 'binary': bytes(range(256))}[kind])
    before = f.read_bytes() if f.is_file() else None
    code,outp,err = cli('--out', str(out), '--quiet')
    assert code == 2, (outp, err)
    err = err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('smith-tune: error:') and str(f) in err[0], err
    assert ('--out' in err[0] if kind=='folder' else 'choose another --out folder' in err[0]), err[0]
    assert 'results=' not in err[0] and 'resume=' not in err[0]
    assert sorted(o.name for o in out.iterdir()) == [name] and (f.is_dir() if kind=='folder' else f.read_bytes()==before)

def test_truncated_trials_keep_the_complete_ones(tmp_path, tiny, tiny_run, cli):
    assert tiny_run[0].returncode == 0, tiny_run[0].stderr
    out = Path(shutil.copytree(tiny_run[1], tmp_path/'rep'))
    f = out/'trials.json'
    ts = json.loads(f.read_text())['trials']
    txt = f.read_text(); f.write_text(txt[:txt.index(ts[-1]['trial']['key'])+5])   # cut inside the last trial
    code,_,err = cli(*tiny, '--out', str(out), '--quiet')
    assert code == 0 and 'Traceback' not in err, err
    assert f'smith-tune: warning: {f} is damaged' in err and f'kept its {len(ts)-1} complete trials' in err
    res = json.loads((out/'result.json').read_text())
    assert [t['reused'] for t in res['trials']] == [True]*(len(ts)-1) + [False]

@pytest.mark.slow
def test_small_data_of_ones_own(tmp_path):
    "160 images at 40x40, not CIFAR's size (2 batches of 64 an epoch): the default budget grows to fit the range test, says so, and the run ends with choices"
    from conftest import image_folder
    r = run('--data', str(image_folder(tmp_path/'data', 40, 10, seed=1000, size=(40,40))), '--bs', '64', '--out', str(tmp_path/'rep'), '--quiet')
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path/'rep'/'result.json').read_text())
    assert res['complete'] and res['settings']['budget'] == 15 and res['settings']['num_it'] == 30
    assert any('the budget was raised from 10 to 15 epochs' in n for n in res['notes']), res['notes']
    assert any('a smaller batch size would run them' in n for n in res['notes'])
    assert res['best']['wd'] == 0.01   # no trial could tell weight decays apart: the default stays
