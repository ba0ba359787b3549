"The full-scale GPU script (benchmarks/gpu_scale.py): its budget rule here, and every part for a few batches in `--quick`"
import json, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'benchmarks'))

@pytest.fixture(scope='module')
def gs():
    import gpu_scale
    return gpu_scale

def test_part_costs(gs):
    "Each part's cost in epochs follows its runs: the tuner is one run of tuning and its final run, SWA adds E//4"
    E,n = 30,88
    c = {p: gs.part_epochs(p, E, n) for p in gs.PARTS}
    assert c['recipe'] == E and c['swa'] == E+7 and c['superconv'] == E+2
    assert c['tune'] == pytest.approx(2*E+100/n) and c['default'] == pytest.approx(E+100/n)
    assert c['tune'] > c['default'] > c['recipe'] > c['transfer'] > c['throughput'] > 0
    ok,t = gs.fits('tune', E, 2., 130., n)
    assert not ok and t == pytest.approx(c['tune']*2)
    assert gs.fits('recipe', E, 2., 67., n)[0] and not gs.fits('recipe', E, 2., 65., n)[0]   # the 10% margin
    assert gs.recipe_lr(512) == pytest.approx(0.4) and gs.recipe_lr(128) == pytest.approx(0.1)

class _DL(list): pass

def _scale(gs, tmp_path, budget):
    S = gs.Scale(gs.get_args(['--out', str(tmp_path), '--budget', str(budget), '--epochs', '30']))
    S.dls,S.spe = type('D', (), {'train': _DL(range(88))})(),2.
    return S

def test_skips_what_does_not_fit(gs, tmp_path):
    "A part predicted past the budget is skipped, never started; the results file says why"
    S,called = _scale(gs, tmp_path, 100),[]
    r = S.run('tune', lambda: called.append(1) or {})
    assert not called and r['status'].startswith('skipped: predicted 122 s')
    assert json.loads((tmp_path/'gpu_scale.json').read_text())['parts']['tune']['status'] == r['status']

def test_a_failed_part_is_recorded(gs, tmp_path):
    "A part that raises is recorded with its error and the next part still runs"
    S = _scale(gs, tmp_path, 10**6)
    def boom(): raise RuntimeError('no GPU memory left')
    assert S.run('recipe', boom)['status'] == 'failed: RuntimeError: no GPU memory left'
    assert S.run('throughput', lambda: dict(ratio=0.97))['status'] == 'done'
    parts = json.loads((tmp_path/'gpu_scale.json').read_text())['parts']
    assert parts['throughput']['ratio'] == 0.97 and parts['recipe']['status'].startswith('failed')

def test_gpu_tools_parse():
    for f in ('gpu_wheels.sh', 'gpu_run.sh'): subprocess.run(['bash', '-n', str(ROOT/'tools'/f)], check=True)
    assert '.gpu/' in (ROOT/'.gitignore').read_text().split()

@pytest.mark.slow
def test_quick(cifar10_path, tmp_path):
    "`--quick`: every part on a few batches on the CPU, with `find_bs` choosing the batch size; nothing may fail"
    p = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'gpu_scale.py'), '--quick', '--bs', 'find', '--data', str(cifar10_path),
                        '--out', str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    r = json.loads((tmp_path/'gpu_scale.json').read_text())
    assert r['quick'] and r['bs'] == r['find_bs']['bs'] and r['n_train'] == 240 and r['n_test'] == 80
    parts = r['parts']
    assert list(parts) == ['throughput', 'tune', 'default', 'recipe', 'swa', 'superconv', 'transfer']
    assert all(v['status'] == 'done' for v in parts.values()), {k: v['status'] for k,v in parts.items()}
    for k in ('tune', 'default', 'recipe', 'swa', 'superconv'):
        assert 0 <= parts[k]['test_acc'] <= 1 and len(parts[k]['curve']) >= r['epochs'], k
    assert len(parts['swa']['curve']) == r['epochs'] + 1   # E//4, at least 1, SWA epochs after the cycle
    assert parts['tune']['settings']['fit_epochs'] == r['epochs'] and parts['tune']['tuning_epochs'] > 0
    assert parts['swa']['swa_gain'] == pytest.approx(parts['swa']['test_acc'] - parts['tune']['test_acc'])
    assert parts['superconv']['vs_recipe']['recipe_acc'] == parts['recipe']['test_acc'] and parts['superconv']['ramp']
    assert parts['throughput']['bare_ips'] > 0 and parts['throughput']['fastai_ips'] > 0
    assert set(parts['transfer']['methods']) == {'fastai_fine_tune', 'head_then_blocks', 'smith_tune'}
