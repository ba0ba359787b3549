"The goal checks of benchmarks/goals.py on made-up runs: which tasks fail which goal"
import sys
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'benchmarks'))
from goals import goals, PEERS

def runs(base, gap, n=10, noise=0.01, comp=0.98, seed=0):
    "One method's runs: smith_tune's accuracy minus `gap` points, with paired noise"
    e = np.random.default_rng(seed).normal(0, noise, n)
    return {s: (base - gap/100 + e[s], comp) for s in range(n)}

def task(gaps, comp=0.98, noise=0.01):
    "A task where smith_tune leads each method by `gaps[m]` points (fastai's default by 5 unless given)"
    d = {'smith_tune': {s: (0.5, comp) for s in range(10)}}
    for i,(m,g) in enumerate({'default': 5, **{p: 2 for p in PEERS}, **gaps}.items()): d[m] = runs(0.5, g, noise=noise, comp=0., seed=i+1)
    return d

def test_all_met():
    v = goals({'resnet20-adam-8': task({}), 'cnn-adam-8': task({})})['verdicts']
    assert all(x[0] for x in v.values()), v

def test_a_peer_behind_on_one_task_fails_it():
    v = goals({'resnet20-adam-8': task({'sf_default': -1}), 'cnn-adam-8': task({})})['verdicts']
    assert not v['sf_default'][0] and v['sf_default'][1]==['resnet20-adam-8']
    assert v['sf_algoperf'][0] and v['prodigy'][0]

def test_level_but_rarely_beyond_noise_fails():
    # ahead on the mean on all three tasks (+0.3 points), beyond noise on one only (less than half): not met
    wide = lambda: {s: (0.5 - (0.05 if s%2 else -0.044), 0.) for s in range(10)}   # paired gaps of +5 and -4.4 points: +0.3 on the mean
    ts = {t: task({}) for t in ('resnet20-adam-8', 'cnn-adam-8', 'resnet20-sgd-8')}
    for t in ('resnet20-adam-8', 'cnn-adam-8'): ts[t]['optuna'] = wide()
    ok,behind,ahead,n = goals(ts)['verdicts']['optuna']
    assert (ok,behind,ahead,n)==(False, [], 1, 3)
    ts['cnn-adam-8']['optuna'] = task({})['optuna']   # beyond noise on two of three: met
    assert goals(ts)['verdicts']['optuna'][0]

def test_default_needs_a_point_beyond_noise():
    v = goals({'resnet20-adam-8': task({'default': 0.5}), 'cnn-adam-8': task({})})['verdicts']
    assert v['default']==(False, ['resnet20-adam-8'])

def test_compute_over_one_run_fails():
    v = goals({'resnet20-adam-8': task({}, comp=1.05), 'cnn-adam-8': task({})})['verdicts']
    assert v['compute']==(False, ['resnet20-adam-8'])

def test_the_stored_benchmark_reads():
    "The stored runs: the table the README and BENCHMARKS.md quote"
    from goals import load
    g = goals(load())
    assert len(g['tasks']) >= 9 and g['verdicts']['default'][0]
