"""Build the documentation site from the notebooks without Quarto.

nbdev's own notebook processing (`FilterDefaults`: front matter, `show_doc` for every exported symbol, hidden cells
and export directives removed) runs on each notebook in `nbs/`; `show_doc` cells are rendered by importing the
package (not by re-running the notebook: the stored outputs are the examples' outputs), and nbconvert writes each
page as HTML with a navigation bar. Where Quarto is installed, `nbdev-docs` builds the same notebooks.

    python tools/build_docs.py [--out _site]
"""
import argparse, ast, html, importlib, inspect, json, re, shutil, sys, warnings
from pathlib import Path
warnings.filterwarnings('ignore')

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'

def _show_doc_target(src:str):
    "`X` when `src` is nbdev's generated `show_doc(X)` cell"
    body = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
    m = re.fullmatch(r'show_doc\((.+)\)', body)
    return m.group(1) if m else None

def _fmt_default(v) -> str:
    "A default value as a reader would write it: functions and classes by name, never a memory address"
    if v is inspect.Parameter.empty: return ''
    if inspect.isfunction(v) or inspect.isclass(v) or inspect.isbuiltin(v): return v.__qualname__
    if isinstance(v, (tuple, list)): return ('({})' if isinstance(v, tuple) else '[{}]').format(', '.join(map(_fmt_default, v)) + (',' if isinstance(v, tuple) and len(v)==1 else ''))
    return re.sub(r'<(?:function|class) ([\w.]+)(?: at 0x[0-9a-f]+)?>', r'\1', repr(v))

def _fmt_anno(a) -> str:
    if a is inspect.Parameter.empty or a is None or a in ('NoneType', type(None)): return ''
    return a if isinstance(a, str) else inspect.formatannotation(a)

def _cell(s:str) -> str: return str(s).replace('|', '\\|').replace('\n', ' ')

def doc_md(obj, md:str) -> str:
    """fastai-style API entry for `obj` from nbdev's `show_doc` markdown `md`: the source link with its line, the heading,
    a one-line signature, the docstring and a table of the parameters (type, default, the comment beside each)"""
    from fastcore.docments import docments
    f = obj.fget if isinstance(obj, property) else obj
    link = re.search(r'\[source\]\(([^)#]+)(?:#L\w*)?\)', md)
    head = re.search(r'^(#+ .+)$', md, re.M)
    doc = re.search(r'^\*(.+)\*\s*$', md, re.M)
    try: line = inspect.getsourcelines(inspect.unwrap(f))[1]
    except (TypeError, OSError): line = None
    out = ['---', '']
    if link: out += [f'<a href="{link.group(1)}' + (f'#L{line}' if line else '') + '" class="fs-source" style="float:right; font-size:smaller">source</a>', '']
    out += [head.group(1) if head else f'### {getattr(obj, "__qualname__", obj)}', '']
    try: ps = docments(f, full=True)
    except Exception: ps = {}
    ret = ps.pop('return', None)
    args = [(k,v) for k,v in ps.items() if k not in ('self', 'cls')]
    if callable(f) and not isinstance(obj, property):
        sig = ', '.join(('*' if v.get('kind')==inspect.Parameter.VAR_POSITIONAL else '**' if v.get('kind')==inspect.Parameter.VAR_KEYWORD else '') + k
                        + (f'={_fmt_default(v["default"])}' if v['default'] is not inspect.Parameter.empty else '') for k,v in args)
        out += [f'<code class="fs-sig">{html.escape(head.group(1).lstrip("# ").split(".")[-1] if head else f.__name__)}({html.escape(sig)})</code>', '']
    if doc: out += [f'*{doc.group(1)}*', '']
    rows = [f'| {k} | {_cell(_fmt_anno(v["anno"]))} | {_cell(_fmt_default(v["default"]))} | {_cell(v["docment"] or "")} |' for k,v in args]
    if ret and (ret['anno'] is not inspect.Parameter.empty or ret['docment']): rows.append(f'| **Returns** | {_cell(_fmt_anno(ret["anno"]))} |  | {_cell(ret["docment"] or "")} |')
    if rows: out += ['|  | **Type** | **Default** | **Details** |', '| -- | -------- | ----------- | ----------- |', *rows, '']
    return '\n'.join(out)

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
    "The notebook after nbdev's doc processing, `show_doc` rendered (the stored outputs carry no progress debris: `tools/clean_outputs.py`): (nb, title, description)"
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
                md = doc_md(eval(tgt, ns), eval(f'show_doc({tgt})', ns)._repr_markdown_())
                c['outputs'] = [dict(output_type='display_data', data={'text/markdown': md}, metadata={})]
                c['metadata']['tags'] = ['hide-input']
            if re.search(r'^#\|\s*echo:\s*false', c.source, re.M): c['metadata']['tags'] = ['hide-input']
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|'))
        cells.append(c)
    title = fm.get('title') or nb_path.stem
    desc = fm.get('description', '')
    head = f'# {title}' + (f'\n\n> {desc}' if desc else '')
    cells.insert(0, dict(cell_type='markdown', source=head, metadata={}))
    nb['cells'] = cells
    return nb, title, desc

def _page_name(nb_path:Path) -> str:
    return 'index' if nb_path.stem == 'index' else re.sub(r'^\d+[a-z]?_', '', nb_path.stem)

NAV_CSS = """<style>
body { margin: 0; }
#fs-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; padding: 16px; background: #f6f8fa;
          border-right: 1px solid #ddd; font-family: sans-serif; font-size: 14px; }
#fs-nav a { display: block; padding: 3px 0; color: #0366d6; text-decoration: none; }
#fs-nav a.current { font-weight: bold; color: #000; }
#fs-main { margin-left: 262px; padding: 8px 24px; }
#notebook-container { width: auto !important; max-width: 1050px; box-shadow: none !important; margin: 0 !important; }
#fs-search { width: 100%; box-sizing: border-box; margin-bottom: 8px; }
#fs-results a { font-size: 13px; } #fs-results small { display: block; color: #555; margin-bottom: 6px; }
.rendered_html td, .rendered_html th { text-align: left !important; }
code.fs-sig { display: block; white-space: normal; word-break: normal; overflow-wrap: normal; padding: 6px 8px; background: #f6f8fa; }
#fs-pager { display: flex; justify-content: space-between; margin: 40px 0 24px; padding-top: 12px; border-top: 1px solid #ddd; font-family: sans-serif; }
</style>"""

SEARCH_JS = """<script src="search.js"></script><script>
function fsSearch(q) {
  const out = document.getElementById('fs-results'); out.innerHTML = '';
  const words = q.toLowerCase().split(/\\s+/).filter(w => w.length > 1);
  if (!words.length || !window.FS_INDEX) return;
  for (const p of FS_INDEX) {
    const t = p.text.toLowerCase();
    if (!words.every(w => t.includes(w) || p.title.toLowerCase().includes(w))) continue;
    const i = Math.max(0, t.indexOf(words[0]) - 40);
    const a = document.createElement('a'); a.href = p.page; a.textContent = p.title; out.appendChild(a);
    const s = document.createElement('small'); s.textContent = '...' + p.text.slice(i, i + 110) + '...'; out.appendChild(s);
  }
  if (!out.children.length) out.textContent = 'no page mentions that';
}
</script>"""

def _page_text(nb) -> str:
    "A page's words for the search index: its markdown and the text of its outputs"
    parts = []
    for c in nb['cells']:
        parts.append(c['source'] if isinstance(c['source'], str) else ''.join(c['source']))
        for o in c.get('outputs', []):
            d = o.get('data', {})
            parts.append(d.get('text/markdown', '') if isinstance(d.get('text/markdown', ''), str) else ''.join(d['text/markdown']))
    t = re.sub(r'<[^>]+>|[#*`|>\\[\\]]|-{3,}', ' ', '\n'.join(parts))
    return re.sub(r'\s+', ' ', t).strip()

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
    (out/'search.js').write_text('window.FS_INDEX = ' + json.dumps([dict(page=f'{n}.html', title=t, text=_page_text(nb)) for _,n,nb,t,_ in pages]) + ';')
    for i,(p,name,nb,title,_) in enumerate(pages):
        nav = ('<nav id="fs-nav"><b>fastai_smith</b><br><br><input id="fs-search" type="search" placeholder="Search the docs" '
               'oninput="fsSearch(this.value)"><div id="fs-results"></div>' + ''.join(
            f'<a href="{n}.html"{" class=current" if n==name else ""}>{html.escape(t)}</a>' for _,n,_,t,_ in pages) + '</nav>')
        prev_,next_ = (pages[i-1] if i else None),(pages[i+1] if i+1<len(pages) else None)
        pager = ('<div id="fs-pager">' + (f'<a rel="prev" href="{prev_[1]}.html">&larr; {html.escape(prev_[3])}</a>' if prev_ else '<span></span>')
                 + (f'<a rel="next" href="{next_[1]}.html">{html.escape(next_[3])} &rarr;</a>' if next_ else '<span></span>') + '</div>')
        body,_ = exp.from_notebook_node(nbformat.from_dict(nb))
        body = body.replace('<body', '<body data-page="' + name + '"', 1)
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + NAV_CSS + nav + '<div id="fs-main">', body, count=1)
        body = body.replace('</body>', pager + '</div>' + SEARCH_JS + '</body>', 1)
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
