"""Remove console progress-bar debris, and the outputs of hidden cells, from the notebooks' stored outputs: run after
`nbdev-test --save`, before `nbdev-clean`.

Under `nbdev-test` fastai's progress bars draw on a console (carriage-return redraws of `|████----|` bars), and
`--save` stores every redraw in the cell's stream output. This keeps the last state of each line that is not a bar,
so the notebooks (and the docs pages built from them) carry what a reader would see: the tables and prints. Hidden
cells (`#| hide`: tests and setup) keep no output at all, as in fastai's notebooks. `tests/test_project.py` checks both.

    python tools/clean_outputs.py [notebook ...]   # default: every notebook in nbs/"""
import json, re, sys
from pathlib import Path

NBS = Path(__file__).resolve().parents[1]/'nbs'
PROGRESS = re.compile(r'█|\|[-█]{10,}\||^\s*Epoch \d+/\d+ :')

def clean_stream(text:str) -> str:
    "The text without progress-bar debris: the last carriage-return redraw of each line, bars dropped"
    keep = []
    for line in text.split('\n'):
        seg = [s for s in line.split('\r') if s.strip() and not PROGRESS.search(s)]
        if seg: keep.append(seg[-1])
        elif not line.strip(): keep.append('')
    return '\n'.join(keep).strip('\n') + ('\n' if keep else '')

def has_debris(text:str) -> bool: return '\r' in text or bool(PROGRESS.search(text))

def _hidden(c) -> bool: return c['cell_type'] == 'code' and ''.join(c['source']).startswith('#| hide')

def problems(path:Path) -> list:
    "(cell index, what) for each cell of `path` that `clean_nb` would change: progress debris, or a hidden cell's output"
    cells = json.loads(path.read_text())['cells']
    return [(i, 'hidden cell with output') for i,c in enumerate(cells) if _hidden(c) and c['outputs']] + \
           [(i, 'progress debris') for i,c in enumerate(cells) for o in c.get('outputs', [])
            if o.get('output_type') == 'stream' and has_debris(''.join(o['text']))]

def clean_nb(path:Path) -> bool:
    "Clean `path`'s stream outputs in place (empty ones dropped), and empty hidden cells' outputs; whether anything changed"
    nb = json.loads(path.read_text())
    changed = False
    for c in nb['cells']:
        if _hidden(c) and (c['outputs'] or c['execution_count']):
            c['outputs'],c['execution_count'],changed = [],None,True
        outs = []
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream':
                t = ''.join(o['text'])
                if has_debris(t):
                    t,changed = clean_stream(t),True
                    if not t.strip(): continue
                    ls = t.split('\n'); o['text'] = [l+'\n' for l in ls[:-1]] + ([ls[-1]] if ls[-1] else [])
            outs.append(o)
        if 'outputs' in c: c['outputs'] = outs
    if changed: path.write_text(json.dumps(nb, indent=1, ensure_ascii=False)+'\n')
    return changed

if __name__ == '__main__':
    for p in [Path(a) for a in sys.argv[1:]] or sorted(NBS.glob('*.ipynb')):
        if clean_nb(p): print(f'cleaned {p}')
