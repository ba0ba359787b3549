"""No effect on code that never calls the package: the names it adds to fastai's `Learner` collide with nothing a fastai,
timm or torchvision model has (fastai's `Learner` forwards unknown attributes to its model), importing it installs no
global warnings filter, and fastai's own public behaviours give the same numbers with and without it imported"""
import json, subprocess, sys, textwrap
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def _py(code:str) -> str:
    "Run `code` in a fresh interpreter (one thread, so that sums are bit-for-bit repeatable) and return its last stdout line"
    p = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True, text=True, timeout=600, cwd=ROOT,
                       env={**__import__('os').environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'MPLBACKEND': 'Agg'})
    assert p.returncode == 0, p.stderr[-3000:]
    return p.stdout.strip().splitlines()[-1]

@pytest.fixture(scope='module')
def added():
    "The names `from fastai_smith.all import *` adds to `Learner`: patched methods and properties, and the attribute names of its callbacks"
    return json.loads(_py('''
        import json, warnings; warnings.simplefilter('ignore')
        from fastai.vision.all import *
        before = set(dir(Learner))
        import fastai_smith.all as fs
        from fastai.callback.core import Callback
        cbs = sorted({v().name if v.__init__ is Callback.__init__ else v.__name__ for v in vars(fs).values()
                      if isinstance(v, type) and issubclass(v, Callback) and v.__module__.startswith('fastai_smith')})
        print(json.dumps(dict(patched=sorted(set(dir(Learner))-before), fastai=sorted(before), callbacks=cbs)))'''))

def test_patches_replace_nothing_of_fastais(added):
    assert added['patched'], 'nothing patched?'
    assert not set(added['patched']) & set(added['fastai'])
    for n in ('smith_tune', 'lr_range_test', 'param_blocks', 'fit_clr', 'fit_one_cycle_swa', 'find_bs', 'diagnose'): assert n in added['patched'], n

def test_added_names_collide_with_no_models_attribute(added):
    "Each added name against the attributes of fastai's, timm's and torchvision's common models (the deprecated `blocks` forwards to the model's own)"
    hits = json.loads(_py(f'''
        import json, warnings; warnings.simplefilter('ignore')
        import timm, torchvision
        from fastai.vision.all import *
        from fastai.tabular.all import *
        names = {json.dumps(added['patched'])}
        cbs = {json.dumps(added['callbacks'])}
        models = dict(
            fastai_resnet18=create_vision_model(resnet18, 10, pretrained=False),
            fastai_tabular=TabularModel([(3, 2)], 2, 2, [8]),
            **{{f'timm_{{n}}': timm.create_model(n, pretrained=False) for n in
                ('resnet18', 'vit_tiny_patch16_224', 'efficientnet_b0', 'convnext_atto', 'mobilenetv3_small_050', 'deit_tiny_patch16_224', 'regnetx_002')}},
            tv_resnet18=torchvision.models.resnet18(), tv_vit_b_16=torchvision.models.vit_b_16(), tv_efficientnet_b0=torchvision.models.efficientnet_b0())
        print(json.dumps({{k: sorted(n for n in names+cbs if n!='blocks' and hasattr(m, n)) for k,m in models.items()}}))'''))
    assert len(hits) == 12
    assert not any(hits.values()), hits
    assert 'blocks' in added['patched']   # the deprecated name: tested in 06_discriminative (forwards to a model's own `blocks`)

def test_no_global_warnings_filter():
    "Importing the package (library, command, everything) leaves `warnings.filters` as it found them"
    r = json.loads(_py('''
        import json, warnings
        from fastai.vision.all import *
        before = list(warnings.filters)
        import fastai_smith.all, fastai_smith.cli
        print(json.dumps([str(f) for f in warnings.filters if f not in before]))'''))
    assert r == []

FASTAI = '''
import json, sys, warnings; warnings.simplefilter('ignore')
import numpy as np
from fastai.vision.all import *
from fastai.test_utils import synth_learner
if sys.argv[-1] == 'with': import fastai_smith.all
set_seed(0, reproducible=True)
out = {}
l = synth_learner(n_trn=64, lr=1e-2)
with l.no_bar(), l.no_logging():
    s = l.lr_find(show_plot=False, suggest_funcs=(valley, minimum, steep, slide))
    out['lr_find'] = [float(v) for v in s] + [float(v) for v in l.recorder.losses[-5:]]
    out['lr_find_restored'] = [float(l.model.a), float(l.model.b)]
    l.fit_one_cycle(2, 1e-2)
out['fit_one_cycle'] = [[float(v) for v in r] for r in l.recorder.values] + [list(map(float, l.recorder.lrs[::7])), list(map(float, l.recorder.moms[::7]))]
rng = np.random.default_rng(0)
path = Path(sys.argv[-2])
for split in ('train', 'valid'):
    for c in ('a', 'b'):
        (path/split/c).mkdir(parents=True, exist_ok=True)
        for i in range(8): PILImage.create(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(path/split/c/f'{i}.png')
dls = ImageDataLoaders.from_folder(path, bs=8, num_workers=0)
set_seed(0, reproducible=True)
v = vision_learner(dls, resnet18, pretrained=False, metrics=accuracy)
out['frozen'] = [sum(p.numel() for p in v.model.parameters() if p.requires_grad), len(v.splitter(v.model)), v.opt is None]
with v.no_bar(), v.no_logging(): v.fine_tune(1, 1e-3, freeze_epochs=1)
out['fine_tune'] = [[float(x) for x in r] for r in v.recorder.values] + [sum(p.numel() for p in v.model.parameters() if p.requires_grad)]
v.freeze(); out['freeze'] = sum(p.numel() for p in v.model.parameters() if p.requires_grad)
with v.no_bar(): v.show_results(max_n=2)
out['attrs'] = sorted(k for k in vars(v) if not k.startswith('_'))
out['cbs'] = [type(c).__name__ for c in v.cbs]
print(json.dumps(out))
'''

@pytest.mark.slow
def test_fastai_behaviours_unchanged(tmp_path):
    "`lr_find`, `fit_one_cycle`, `fine_tune`, `freeze`, the `Recorder` and `show_results` on tiny learners: the same numbers with the package imported"
    runs = {}
    for k in ('without', 'with'):
        p = subprocess.run([sys.executable, '-c', FASTAI, str(tmp_path/k), k], capture_output=True, text=True, timeout=600,
                           env={**__import__('os').environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'MPLBACKEND': 'Agg'})
        assert p.returncode == 0, p.stderr[-3000:]
        runs[k] = json.loads(p.stdout.strip().splitlines()[-1])
    for key in runs['without']: assert runs['with'][key] == runs['without'][key], key
