"""A resume never returns another setup's numbers, and files go only where a user expects them (issue 27, items 1 and 3).

Each case of the adversarial pass that used to reuse trials measured on another setup runs one trial into a results
file, changes one thing as a user would, and runs the same trial again on the same file: nothing may be reused.
The files cases check where the results file goes by default, its mode, a read-only file, the leftovers of a killed
writer, the image cache of an image edited in place, and the command's --out folder."""
import json, os, shutil, signal, stat, subprocess, sys, warnings
from pathlib import Path
import numpy as np, pytest, torch
from conftest import image_folder

warnings.filterwarnings('ignore')
from fastai.vision.all import *
from fastai.test_utils import synth_learner, RegModel
from fastai_smith.all import *
from fastai_smith.trials import TrialRunner, read_results, _sum
from fastai_smith.data import image_cache
for _n in [n for n in globals() if n.startswith('test')]: del globals()[_n]   # fastcore's test_eq & co. are not tests of ours

SPEC = dict(stage='x', lr_max=1e-2, moms=(0.95, 0.85, 0.95), wd=0.)

def reused(learn, f, **kw):
    "Run the one trial SPEC on `learn` with results file `f`: was it reused?"
    with TrialRunner(learn, 1, results=f, quiet=True, **kw) as r: return r.run(SPEC).reused

def _synth(n_trn=64, n_val=32, seed=0):
    set_seed(seed)
    return synth_learner(n_trn=n_trn, n_val=n_val, cbs=[])

def _folder_learner(path, metrics=accuracy, loss_func=None, act=nn.ReLU, stats=([0.5]*3, [0.25]*3)):
    "fastai's own folder pipeline (`ImageDataLoaders`) and a small CNN"
    dls = ImageDataLoaders.from_folder(path, valid='valid', bs=8, item_tfms=Resize(32), batch_tfms=Normalize.from_stats(*stats), num_workers=0)
    set_seed(0)
    m = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), act(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, dls.c))
    return Learner(dls, m, metrics=metrics, loss_func=loss_func)

@pytest.fixture
def img(tmp_path):
    "A copy of 4 classes of 10 training and 4 validation images, to edit"
    return image_folder(tmp_path/'data', 10, 4)

# --- item 1: what the fingerprint must see ----------------------------------------------------------------------

def test_training_items_changed_outside_any_sample(tmp_path):
    "32 of 64 in-memory training items changed (a sample of 32 would miss them): nothing reused (was: lr_max 46x off)"
    f = tmp_path/'r.json'
    assert not reused(_synth(), f) and reused(_synth(), f)   # the same setup is reused
    l = _synth(); l.dls.train.dataset.tensors[0][1::2] += 1.
    assert not reused(l, f)

def test_validation_items_changed(tmp_path):
    f = tmp_path/'r.json'
    reused(_synth(), f)
    l = _synth(); l.dls.valid.dataset.tensors[1][16:] *= 2.
    assert not reused(l, f)

@pytest.mark.parametrize('change', ['tanh', 'label smoothing', 'class weights', 'no metrics', 'other metric', 'optimizer eps', 'mixup'])
def test_model_loss_metrics_optimizer_callbacks(change, img, tmp_path):
    "Same parameters and data, another activation, loss, metric, optimizer setting or training callback: nothing reused"
    f = tmp_path/'r.json'
    reused(_folder_learner(img), f)
    assert reused(_folder_learner(img), f)
    kw = {'tanh': dict(act=nn.Tanh), 'label smoothing': dict(loss_func=CrossEntropyLossFlat(label_smoothing=0.2)),
          'class weights': dict(loss_func=CrossEntropyLossFlat(weight=tensor([1., 4., 1., 1.]))),
          'no metrics': dict(metrics=[]), 'other metric': dict(metrics=error_rate)}.get(change, {})
    l = _folder_learner(img, **kw)
    if change=='optimizer eps': l.opt_func = partial(Adam, eps=1e-5)
    if change=='mixup': l.add_cb(MixUp(0.4))
    assert not reused(l, f)

@pytest.mark.parametrize('pipeline', ['ImageDataLoaders', 'cifar_dls'])
def test_images_replaced_in_place(pipeline, img, tmp_path):
    "8 of 40 training images rewritten in place, the modification time put back, fixed normalisation stats: nothing reused"
    f = tmp_path/'r.json'
    mk = (lambda: _folder_learner(img)) if pipeline=='ImageDataLoaders' else \
         (lambda: (set_seed(0), cifar_learner(cifar_dls(img, bs=8, stats=([0.5]*3, [0.25]*3), cache=tmp_path/'cache'), 'resnet20'))[1])
    reused(mk(), f)
    for p in sorted((img/'train').rglob('*.png'))[::5]:
        st = p.stat()
        Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(p)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert not reused(mk(), f)

def test_hand_edited_records_are_not_trusted(tmp_path):
    "A NaN or zeroed loss written into the file: reported, not reused (was: it moved lr_max, chose wd 0.1)"
    f = tmp_path/'r.json'
    with TrialRunner(_synth(), 1, results=f, quiet=True) as r: a,b = r.run(SPEC),r.run({**SPEC, 'lr_max': 3e-2})
    d = json.loads(f.read_text())
    d['trials'][0]['trial']['valid_loss'] = 'nan'; d['trials'][1]['trial']['valid_loss'] = 0.
    f.write_text(json.dumps(d))
    with pytest.warns(UserWarning, match='2 trial record.s. do not match their checksum'):
        with TrialRunner(_synth(), 1, results=f, quiet=True) as r: ts = [r.run(SPEC), r.run({**SPEC, 'lr_max': 3e-2})]
    assert [t.reused for t in ts] == [False, False] and [t.valid_loss for t in ts] == [a.valid_loss, b.valid_loss]

def test_two_processes_on_one_file_lose_nothing(tmp_path):
    "Two runs with different data writing one file at the same time: every trial of both is kept (was: 3 of 6 lost)"
    code = ("import sys, warnings; warnings.filterwarnings('ignore')\n"
            "from fastai.test_utils import synth_learner\nfrom fastai.vision.all import set_seed\nfrom fastai_smith.trials import TrialRunner\n"
            "set_seed(int(sys.argv[2])); l = synth_learner(n_trn=64, n_val=16, cbs=[])\n"
            "with TrialRunner(l, 1, results=sys.argv[1], quiet=True) as r:\n"
            "    for lr in (1e-3, 1e-2, 3e-2): r.run(dict(stage='x', lr_max=lr, moms=(0.95,0.85,0.95), wd=0.))\n")
    f = tmp_path/'r.json'
    ps = [subprocess.Popen([sys.executable, '-c', code, str(f), str(s)]) for s in (0, 1)]
    assert [p.wait() for p in ps] == [0, 0]
    ts = read_results(f)[0]
    assert len(ts) == 6 and len({t.key for t in ts}) == 6

def test_a_learner_without_metrics_does_not_reuse_trials_with_metrics(tmp_path):
    f = tmp_path/'r.json'
    l = _synth(); l.metrics = [mse]
    reused(l, f)
    with TrialRunner(_synth(), 1, results=f, quiet=True) as r: t = r.run(SPEC)
    assert not t.reused and t.metrics == {}

def test_deeply_nested_results_file_is_refused(tmp_path):
    "A file of deeply nested lists: a one-line refusal, not a RecursionError"
    f = tmp_path/'r.json'; f.write_text('['*200_000 + ']'*200_000)
    with pytest.raises(ValueError, match='not a smith_tune results file'): TrialRunner(_synth(), 1, results=f, quiet=True)

# --- item 3: files -------------------------------------------------------------------------------------------------

def test_default_results_file_is_in_the_user_cache(tmp_path, monkeypatch, capsys):
    "Not under learn.path (the data folder for ImageDataLoaders, the working folder for from_dsets): one file per run in the cache, named in the plan line"
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'cache'))
    l = _synth(); l.path = tmp_path/'data'; (tmp_path/'data').mkdir()
    res = l.smith_tune(trial_epochs=1, num_it=12, budget=20, train=False, moms=0.9, wd_grid=[1e-2, 1e-1])
    files = list((tmp_path/'cache'/'fastai_smith'/'trials').glob('*.json'))
    assert len(files) == 1 and res.settings.results == str(files[0])
    assert list((tmp_path/'data').iterdir()) == []
    assert f'results in {files[0]}' in capsys.readouterr().out
    other = _synth(seed=1); other.smith_tune(trial_epochs=1, num_it=12, budget=20, train=False, moms=0.9, wd_grid=[1e-2, 1e-1], quiet=True)
    assert len(list((tmp_path/'cache'/'fastai_smith'/'trials').glob('*.json'))) == 2   # another run, another file

def test_results_file_mode_follows_the_umask_and_is_kept(tmp_path):
    f = tmp_path/'r.json'
    old = os.umask(0o022)
    try: reused(_synth(), f)
    finally: os.umask(old)
    assert stat.S_IMODE(f.stat().st_mode) == 0o644   # (was 0600)
    os.chmod(f, 0o640); reused(_synth(), f, resume=False)
    assert stat.S_IMODE(f.stat().st_mode) == 0o640   # a save keeps the file's mode

def test_read_only_results_file_refused_before_any_trial(tmp_path):
    f = tmp_path/'r.json'
    reused(_synth(), f); before = f.read_bytes(); os.chmod(f, 0o444)
    with pytest.raises(ValueError, match='is read-only: make it writable, or give another results file'):
        TrialRunner(_synth(seed=1), 1, results=f, quiet=True)
    assert f.read_bytes() == before

def test_temporary_files_of_a_killed_save_are_removed(tmp_path):
    "SIGKILL during a save leaves a .tmp: the next start removes it (when its writer is gone), even if it saves nothing"
    f = tmp_path/'r.json'
    reused(_synth(), f)
    p = subprocess.Popen(['sleep', '0']); p.wait()
    left = tmp_path/f'.r.json.{p.pid}.0bad.tmp'; left.write_text('{"version": 2, "tri')
    assert reused(_synth(), f)   # everything reused: no save
    assert sorted(o.name for o in tmp_path.iterdir()) == ['r.json']

def test_image_cache_edited_in_place_is_not_served_stale(img, tmp_path):
    "An image rewritten with the same size and modification time: the cache is rebuilt with the new pixels"
    d0 = image_cache(img, cache=tmp_path/'c', verbose=False)
    p = img/d0['train_files'][3]; st = p.stat()
    new = np.full((32, 32, 3), 7, np.uint8)
    Image.fromarray(new).save(p); os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    d1 = image_cache(img, cache=tmp_path/'c', verbose=False)
    assert (d1['train_x'][3] == 7).all() and not (d0['train_x'][3] == 7).all()
    assert sorted(o.name for o in (tmp_path/'c').iterdir()) == ['cifar_cache_v1_orig.pt']   # no temporary file left

def test_image_cache_build_killed_leaves_nothing_after_the_next_start(img, tmp_path):
    "A build killed mid-write leaves a dataset-sized .tmp: the next call removes it, also when the cache it finds is current"
    image_cache(img, cache=tmp_path/'c', verbose=False)
    p = subprocess.Popen(['sleep', '0']); p.wait()
    (tmp_path/'c'/f'.cifar_cache_v1_orig.pt.{p.pid}.0bad.tmp').write_bytes(b'x'*1000)
    image_cache(img, cache=tmp_path/'c', verbose=False)
    assert sorted(o.name for o in (tmp_path/'c').iterdir()) == ['cifar_cache_v1_orig.pt']

# --- the command's --out ---------------------------------------------------------------------------------------------

def _cli(*args, cwd):
    r = subprocess.run(['smith-tune', *args], capture_output=True, text=True, cwd=cwd, timeout=600)
    return r.returncode, r.stdout, r.stderr

def test_cli_unwritable_out_fails_before_tuning(tmp_path):
    ro = tmp_path/'ro'; ro.mkdir(); os.chmod(ro, 0o555)
    code,out,err = _cli('--out', str(ro/'rep'), '--quiet', cwd=tmp_path)
    assert code == 2 and 'is not a writable folder' in err and 'chosen in' not in out, (out, err)
    code,out,err = _cli('--out', '', '--quiet', cwd=tmp_path)
    assert code == 2 and "--out '': give the report folder's name" in err and list(tmp_path.iterdir()) == [ro]

def test_report_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    "Ctrl-C while the report is written: the previous report stays whole, no new file beside it, no staging folder left"
    import fastai_smith.cli as cli
    l = _synth()
    res = l.smith_tune(fit_epochs=4, train=False, results=False, quiet=True, lr_max=1e-2, moms=0.9, wd_grid=[1e-2])
    out = tmp_path/'rep'
    cli.write_report(res, out, 'first')
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = cli._report_files_to
    def interrupted(res, d, title):
        real(res, d, title); raise KeyboardInterrupt   # everything written, then Ctrl-C before the swap
    monkeypatch.setattr(cli, '_report_files_to', interrupted)
    with pytest.raises(KeyboardInterrupt): cli.write_report(res, out, 'second')
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    monkeypatch.setattr(cli, '_report_files_to', real)
    cli.write_report(res, out, 'second')
    assert '# second' in (out/'report.md').read_text() and sorted(before) == sorted(p.name for p in out.iterdir())
