"Every notebook in nbs/ runs clean with nbdev-test: with its slow cells (`#| slow`, in tst_flags) in a full run, without them under `-m 'not slow'`"
import subprocess, sys
from pathlib import Path
import pytest

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_notebook(nb, request):
    fast = 'not slow' in (request.config.getoption('markexpr') or '')
    r = subprocess.run([str(Path(sys.executable).parent/'nbdev-test'), str(nb), *([] if fast else ['--flags', 'slow'])],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]

def test_found_the_notebooks(): assert {'00_models.ipynb', '01_data.ipynb', 'index.ipynb'} <= {p.name for p in NBS}
