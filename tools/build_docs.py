"""Build the documentation site from the notebooks without Quarto.

nbdev's own notebook processing (`FilterDefaults`: front matter, `show_doc` for every exported symbol, hidden cells
and export directives removed) runs on each notebook in `nbs/`; `show_doc` cells are rendered by importing the
package (not by re-running the notebook: the stored outputs are the examples' outputs), and nbconvert writes each
page as HTML with a navigation bar. Where Quarto is installed, `nbdev-docs` builds the same notebooks.

    python tools/build_docs.py [--out _site]
"""
import argparse, ast, html, importlib, json, re, shutil, sys, warnings
from pathlib import Path
warnings.filterwarnings('ignore')

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
_progress = re.compile(r'█|\|[-█]{10,}\||^\s*Epoch \d+/\d+ :')

def clean_stream(text:str) -> str:
    "Drop console progress-bar debris (carriage-return redraws and bars) from a stream output"
    keep = []
    for line in text.split('\n'):
        seg = [s for s in line.split('\r') if s.strip() and not _progress.search(s)]
        if seg: keep.append(seg[-1])
        elif not line.strip(): keep.append('')
    return '\n'.join(keep).strip('\n') + ('\n' if keep else '')

def _show_doc_target(src:str):
    "`X` when `src` is nbdev's generated `show_doc(X)` cell"
    body = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
    m = re.fullmatch(r'show_doc\((.+)\)', body)
    return m.group(1) if m else None

def _namespace(nb_path:Path) -> dict:
    "Names a notebook's `show_doc` cells refer to: everything public, the notebook's module's private names too"
    ns = {}
    exec('from fastai_smith.all import *\nfrom nbdev.showdoc import show_doc', ns)
    src = '\n'.join(''.join(c['source']) for c in json.loads(nb_path.read_text())['cells'] if c['cell_type']=='code')
    m = re.search(r'^#\|\s*default_exp\s+(\S+)', src, re.M)
    if m:
        mod = importlib.import_module(f'fastai_smith.{m.group(1)}')
        ns.update({k:v for k,v in vars(mod).items() if not k.startswith('__')})
    return ns

def process(nb_path:Path) -> dict:
    "The notebook after nbdev's doc processing, `show_doc` rendered, progress debris removed: (nb, title, description)"
    from fastcore.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults, exec_show_docs
    nb = read_nb(nb_path)
    NBProcessor(nb=nb, procs=[p for p in FilterDefaults().procs() if p is not exec_show_docs], rm_directives='quarto').process()
    fm = getattr(nb, 'frontmatter_', {}) or {}
    ns = _namespace(nb_path)
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        c.setdefault('metadata', {})
        if c.cell_type == 'code':
            tgt = _show_doc_target(c.source)
            if tgt is not None:
                md = re.sub(r'\{target="_blank"[^}]*\}', '', eval(f'show_doc({tgt})', ns)._repr_markdown_())   # Quarto-only link attributes
                c['outputs'] = [dict(output_type='display_data', data={'text/markdown': md}, metadata={})]
                c['metadata']['tags'] = ['hide-input']
            if re.search(r'^#\|\s*echo:\s*false', c.source, re.M): c['metadata']['tags'] = ['hide-input']
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|'))
            for o in c.get('outputs', []):
                if o.get('output_type') == 'stream': o['text'] = clean_stream(''.join(o['text']) if isinstance(o['text'], list) else o['text'])
            c['outputs'] = [o for o in c.get('outputs', []) if not (o.get('output_type') == 'stream' and not o['text'].strip())]
        cells.append(c)
    title = fm.get('title') or nb_path.stem
    desc = fm.get('description', '')
    head = f'# {title}' + (f'\n\n> {desc}' if desc else '')
    cells.insert(0, dict(cell_type='markdown', source=head, metadata={}))
    nb['cells'] = cells
    return nb, title, desc

def _page_name(nb_path:Path) -> str:
    return 'index' if nb_path.stem == 'index' else re.sub(r'^\d+_', '', nb_path.stem)

NAV_CSS = """<style>
body { margin: 0; }
#fs-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; padding: 16px; background: #f6f8fa;
          border-right: 1px solid #ddd; font-family: sans-serif; font-size: 14px; }
#fs-nav a { display: block; padding: 3px 0; color: #0366d6; text-decoration: none; }
#fs-nav a.current { font-weight: bold; color: #000; }
#fs-main { margin-left: 262px; padding: 8px 24px; }
#notebook-container { width: auto !important; max-width: 1050px; box-shadow: none !important; margin: 0 !important; }
</style>"""

def build(out:Path) -> list:
    "Write the site into `out`; returns the pages written"
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    sys.path.insert(0, str(ROOT))
    first = {'index':0, 'overview':1}
    nbs = sorted(NBS.glob('*.ipynb'), key=lambda p: (first.get(p.stem, 2), not p.stem[0].isdigit(), p.stem.startswith('tutorial'), p.stem))
    cfg = Config()
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_input_tags = {'hide-input'}
    cfg.HTMLExporter.exclude_input_prompt = True
    cfg.HTMLExporter.exclude_output_prompt = True
    exp = HTMLExporter(config=cfg, template_name='classic')
    out.mkdir(parents=True, exist_ok=True)
    pages = [(p, _page_name(p), *process(p)) for p in nbs]
    for p,name,nb,title,_ in pages:
        nav = '<nav id="fs-nav"><b>fastai_smith</b><br><br>' + ''.join(
            f'<a href="{n}.html"{" class=current" if n==name else ""}>{html.escape(t)}</a>' for _,n,_,t,_ in pages) + '</nav>'
        body,_ = exp.from_notebook_node(nbformat.from_dict(nb))
        body = body.replace('<body', '<body data-page="' + name + '"', 1)
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + NAV_CSS + nav + '<div id="fs-main">', body, count=1)
        body = body.replace('</body>', '</div></body>', 1)
        body = re.sub(r'<title>.*?</title>', f'<title>{html.escape(title)} - fastai_smith</title>', body, count=1, flags=re.S)
        (out/f'{name}.html').write_text(body)
    if (NBS/'images').exists(): shutil.copytree(NBS/'images', out/'images', dirs_exist_ok=True)
    (out/'pages.json').write_text(json.dumps([dict(page=f'{n}.html', title=t, notebook=p.name) for p,n,_,t,_ in pages], indent=1))
    return [out/f'{n}.html' for _,n,_,_,_ in pages]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_site'), help='folder for the site (default: _site)')
    a = ap.parse_args()
    pages = build(Path(a.out))
    print(f'{len(pages)} pages in {a.out}: ' + ', '.join(p.name for p in pages))
