"""Runs notebooks as `nbdev-test` does, without paying fastai's import for each one.

Started once per test session (per xdist worker): it imports what every notebook imports, then reads one request a
line on stdin (`{"nb": path, "flags": "slow", "log": path}`), forks a child that runs the notebook with nbdev's own
`test_nb` (the same cell skipping, working directory and timeout as `nbdev-test`), and answers
`{"pid": ...}` and then `{"rc": ...}`. This process never computes anything itself, so forking it is safe for
torch's thread pools; each child starts from the same freshly imported state, and nothing a notebook does (its
`@patch`es, seeds, files it opens) reaches the next one. Each child also starts from the same random state (Python's
and NumPy's, which a new process would take from the OS): a `DataLoader` that a notebook builds before its
`set_seed` takes its batch order from Python's generator, so without this a page's numbers, and the checks on them,
would change from one test run to the next."""
import json, os, sys, warnings

warnings.filterwarnings('ignore', message='.*torch.jit.script.*')
from nbdev.config import get_config
from nbdev.test import test_nb
# the libraries every notebook imports; not fastai_smith itself, whose notebooks define its classes anew (a model the
# package registered with timm at import would not be the class the notebook tests)
import fastai.vision.all, fastai.test_utils, timm, pandas, matplotlib.pyplot   # noqa: F401

def run(nb, flags, log):
    "In the child: run notebook `nb` with `nbdev-test`'s settings, its output to `log`; the exit code says whether it passed"
    cfg = get_config()
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    fd = os.open(log, os.O_WRONLY|os.O_CREAT|os.O_TRUNC)
    os.dup2(fd, 1); os.dup2(fd, 2); os.dup2(os.open(os.devnull, os.O_RDONLY), 0)   # the requests are the runner's alone
    os.chdir(cfg.nbs_path)
    import random, numpy as np
    random.seed(0); np.random.seed(0)
    ok,_ = test_nb(nb, skip_flags=skip, force_flags=flags.split(), basepath=cfg.config_path,
                   cell_timeout=cfg.cell_timeout or None)
    sys.stdout.flush(); sys.stderr.flush()
    os._exit(0 if ok else 1)

if __name__ == '__main__':
    for line in sys.stdin:
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try: run(req['nb'], req.get('flags', ''), req['log'])
            finally: os._exit(1)   # never back into this loop
        print(json.dumps({'pid': pid}), flush=True)
        _,status = os.waitpid(pid, 0)
        print(json.dumps({'rc': os.waitstatus_to_exitcode(status)}), flush=True)
