"The README, the index notebook and CI agree on the three commands"
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def commands(text):
    "The fenced block after the `<!-- commands` marker, as a list of (command, comment)"
    block = re.search(r'<!-- commands[^>]*-->\s*```sh\n(.*?)```', text, re.S).group(1)
    return [tuple(p.strip() for p in l.split('#', 1)) for l in block.strip().splitlines()]

def test_readme_has_three_commands_matching_index():
    readme = commands((ROOT/'README.md').read_text())
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    idx = commands('\n'.join(''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown'))
    assert readme == idx
    assert [c for _,c in readme][0] == 'install' and len(readme) == 3

def test_ci_runs_readme_commands():
    "`.ci/run`'s own lookup (the Python in its `readme_cmd`) finds the README's three commands, and CI evaluates each of them"
    import subprocess, sys
    ci = (ROOT/'.ci'/'run').read_text()
    py = re.search(r"<<'PY'\n(.*?)\nPY", ci, re.S).group(1)
    readme = dict((c, cmd) for cmd,c in commands((ROOT/'README.md').read_text()))
    for key,var in (('install', 'install'), ('main job', 'main'), ('all tests', 'tests')):
        r = subprocess.run([sys.executable, '-c', py, key], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == next(cmd for c,cmd in readme.items() if c.startswith(key)), key
        assert f'eval "${var}"' in ci, var
    r = subprocess.run([sys.executable, '-c', py, 'no such command'], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0 and 'no command for' in r.stderr
    for check in ('nbdev-export\ndrift=$(git status --porcelain -- fastai_smith)', 'nbdev-clean\ndirty=$(git status --porcelain -- nbs)'): assert check in ci

def test_license_file_matches_pyproject():
    "pyproject.toml declares Apache-2.0: the LICENSE file carries its text and is packaged; no placeholder author address"
    import tomllib
    meta = tomllib.loads((ROOT/'pyproject.toml').read_text())['project']
    assert meta['license'] == 'Apache-2.0' and meta['license-files'] == ['LICENSE']
    lic = (ROOT/'LICENSE').read_text()
    assert lic.lstrip().startswith('Apache License') and 'Version 2.0, January 2004' in lic and 'END OF TERMS AND CONDITIONS' in lic
    assert '[yyyy]' not in lic and '[name of copyright owner]' not in lic.split('END OF TERMS')[1]
    for a in meta['authors']: assert not a.get('email', '').endswith('.local'), a

def test_readme_example_is_the_index_notebooks():
    "The README's five-line example is the code of the index notebook's example cell, which nbdev-test runs (with its hidden checks) as a slow cell"
    readme = (ROOT/'README.md').read_text()
    block = re.search(r'## In five lines\s*```python\n(.*?)```', readme, re.S).group(1).strip()
    cells = json.loads((ROOT/'nbs'/'index.ipynb').read_text())['cells']
    i = next(k for k,c in enumerate(cells) if ''.join(c['source']).startswith('## In five lines'))
    code = []
    for c in cells[i+1:]:
        s = ''.join(c['source'])
        if c['cell_type'] == 'markdown': break
        if not s.startswith('#| hide'): code.append('\n'.join(l for l in s.splitlines() if not l.startswith('#|')))
    assert block == '\n\n'.join(code).strip()
    assert len(block.splitlines()) == 5 and block.startswith('from fastai_smith.all import *') and 'learn.smith_tune(fit_epochs=' in block

def test_readme_mirrors_the_index():
    "Every paragraph of the README is in the index notebook's markdown (the docs site's front page), and the other way round"
    readme = (ROOT/'README.md').read_text()
    md = '\n\n'.join(''.join(c['source']) for c in json.loads((ROOT/'nbs'/'index.ipynb').read_text())['cells'] if c['cell_type'] == 'markdown')
    code = re.search(r'## In five lines\s*```python\n.*?```\n', readme, re.S).group(0)
    norm = lambda t: [p.strip() for p in re.split(r'\n\s*\n', t) if p.strip()]
    assert norm(readme.replace(code, '## In five lines\n\n')) == norm(md)

def test_notebook_outputs_carry_no_progress_debris(tmp_path):
    "`nbdev-test --save` stores every console redraw of fastai's progress bars, and hidden cells' outputs; `tools/clean_outputs.py` removes both, so the docs show the outputs as they are stored"
    import sys, shutil
    sys.path.insert(0, str(ROOT/'tools'))
    from clean_outputs import problems, clean_nb
    bad = {p.name: problems(p) for p in sorted((ROOT/'nbs').glob('*.ipynb')) if problems(p)}
    assert not bad, f'{bad}: run python tools/clean_outputs.py'
    # the cleaner itself: a bar's redraws go, the last line stays; a hidden cell's output goes, a shown cell's stays
    nb = dict(nbformat=4, nbformat_minor=5, metadata={}, cells=[
        dict(cell_type='code', id='a', metadata={}, execution_count=1, source=['learn.fit(1)'],
             outputs=[dict(output_type='stream', name='stdout', text=['epoch 0\r|████----------|\rtrain 1.0\n'])]),
        dict(cell_type='code', id='b', metadata={}, execution_count=2, source=['#| hide\n', 'test_eq(1, 1)'],
             outputs=[dict(output_type='stream', name='stdout', text=['ok\n'])])])
    f = tmp_path/'x.ipynb'; f.write_text(json.dumps(nb))
    test_before = [w for _,w in problems(f)]
    assert sorted(test_before) == ['hidden cell with output', 'progress debris']
    assert clean_nb(f) and problems(f) == [] and not clean_nb(f)
    cells = json.loads(f.read_text())['cells']
    assert cells[0]['outputs'][0]['text'] == ['train 1.0\n'] and cells[1]['outputs'] == []

def test_modules_import_no_private_names():
    "One core module for shared checks and helpers: no module imports another's `_private` names; `fastai_smith.all` exports none of the internal helpers"
    import ast
    bad = []
    for p in sorted((ROOT/'fastai_smith').glob('*.py')):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level and any(a.name.startswith('_') for a in node.names):
                bad.append(f"{p.name}: from {'.'*node.level}{node.module} import {', '.join(a.name for a in node.names)}")
    assert not bad, bad
    import fastai_smith.all as fa, fastai_smith.core as core
    assert {'check_int', 'check_pos', 'moms3', 'group_vals', 'opt_groups', 'state_copy', 'epoch_len', 'ResultsCallback', 'Exploration', 'exploring'} <= set(fa.__all__)
    assert not {'fmt_lr', 'jsonable', 'usable', 'check_wds', 'norm_lr'} & set(fa.__all__)
    from fastai_smith.all import WeightCapture, SWA, HyperRecorder, ValidCurve, DivergenceStop
    for c in (WeightCapture, SWA, HyperRecorder, ValidCurve, DivergenceStop): assert issubclass(c, core.ResultsCallback), c

def test_module_notebooks_end_with_the_export_cell():
    "Each notebook that defines a module (`#| default_exp`) ends, as fastai's do, with the hidden `nbdev_export()` cell; the pages without a module (index, tutorial, reproductions) have none"
    mods = []
    for p in sorted((ROOT/'nbs').glob('*.ipynb')):
        cells = json.loads(p.read_text())['cells']
        src = [''.join(c['source']) for c in cells]
        if not any(re.search(r'^#\|\s*default_exp\s', s, re.M) for s in src):
            assert not any('nbdev_export()' in s for s in src), p.name
            continue
        mods.append(p.stem)
        last = src[-1].splitlines()
        assert cells[-1]['cell_type'] == 'code' and last[0].startswith('#| hide') and last[-1].strip().endswith('nbdev_export()'), (p.name, last)
        assert sum('nbdev_export()' in s for s in src) == 1, p.name
    assert len(mods) == len(list((ROOT/'fastai_smith').glob('[a-z]*.py'))), mods   # one notebook per module

def test_script_help_texts_format():
    "argparse %-formats every help text (`--help`): a bare % in a benchmark's or the CLI's help (e.g. '75%,') crashes `--help`"
    import ast
    bad = []
    for f in sorted((ROOT/'benchmarks').glob('*.py')) + [ROOT/'fastai_smith'/'cli.py']:
        for node in ast.walk(ast.parse(f.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, 'attr', None) == 'add_argument'): continue
            for kw in node.keywords:
                if kw.arg == 'help' and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    try: kw.value.value % {'default': 0, 'dest': 'x', 'prog': 'p', 'type': str, 'choices': ()}
                    except (ValueError, KeyError, TypeError) as e: bad.append(f"{f.name}:{node.lineno}: {e}")
    assert not bad, bad
