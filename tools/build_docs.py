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

# The sidebar, as docs.fast.ai groups it: every notebook in exactly one section (a new notebook must be placed here)
SECTIONS = (
    ('Getting started', ('index', 'overview')),
    ('Tutorials', ('tutorial_cifar10',)),
    ('How-to guides', ('howto_own_data', 'howto_lr_find', 'howto_fine_tune', '13_cli')),
    ('Reproductions', ('repro_transfer', 'repro_superconvergence', 'repro_swa_sgd')),
    ('API: foundations', ('00_core', '03_state', 'callbacks', '99_all')),
    ('API: data and models', ('01_models', '02_data')),
    ('API: schedules and learning rates', ('04_schedules', '05_lr_finder', '06_discriminative')),
    ('API: weights, SWA, diagnosis', ('07_weights', '08_swa', '09_diagnose')),
    ('API: the tuner', ('10_trials', '10a_plan', '10b_stages', '10c_result', '11_grids', '11a_batch_size', '12_tune')),
)

def ordered_notebooks() -> list:
    "(section, notebook path) in sidebar order; refuses a notebook that no section holds, or a section entry with no notebook"
    have = {p.stem: p for p in NBS.glob('*.ipynb')}
    listed = [n for _,ns in SECTIONS for n in ns]
    if set(listed) != set(have) or len(listed) != len(set(listed)):
        raise SystemExit(f"tools/build_docs.py SECTIONS: not placed {sorted(set(have)-set(listed))}, missing {sorted(set(listed)-set(have))}")
    return [(sec, have[n]) for sec,ns in SECTIONS for n in ns]

def plain(s:str) -> str:
    "A title without markdown: no backticks, asterisks or link syntax"
    return re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', s).replace('`', '').replace('*', '').strip()

def _text(h:str) -> str:
    "Plain text of an HTML fragment: no tags, scripts, styles or anchor marks"
    h = re.sub(r'<(script|style)[^>]*>.*?</\1>', ' ', h, flags=re.S)
    return re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ', h)).replace('\u00b6', '').replace('`', '')).strip()

HEAD = re.compile(r'<h([1-4]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)

def sections_of(body:str) -> list:
    "The page cut at its headings: [(level, anchor, heading text, plain text up to the next heading)]; code cells' input left out"
    body = re.sub(r'<div class="\s*highlight[^"]*"><pre>.*?</pre>\s*</div>', ' ', body, flags=re.S)
    ms = list(HEAD.finditer(body))
    return [(int(m.group(1)), m.group(2), _text(m.group(3)), _text(body[m.end():ms[i+1].start() if i+1 < len(ms) else len(body)])[:2000])
            for i,m in enumerate(ms)]

def toc(body:str) -> str:
    "The 'On this page' list: the page's h2 and h3 headings"
    items = [(l,a,t) for l,a,t,_ in sections_of(body) if l in (2, 3)]
    if not items: return ''
    return ('<nav id="fs-toc"><b>On this page</b>' + ''.join(f'<a class="fs-toc{l}" href="#{html.escape(a)}">{html.escape(t)}</a>' for l,a,t in items)
            + '</nav>')

def _page_name(nb_path:Path) -> str:
    return 'index' if nb_path.stem == 'index' else re.sub(r'^\d+[a-z]?_', '', nb_path.stem)

NAV_CSS = """<style>
body { margin: 0; }
#fs-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; padding: 16px; background: #f6f8fa;
          border-right: 1px solid #ddd; font-family: sans-serif; font-size: 14px; }
#fs-nav a { display: block; padding: 3px 0; color: #0366d6; text-decoration: none; }
#fs-nav a.current { font-weight: bold; color: #000; }
#fs-nav .fs-sec { margin: 12px 0 2px; font-weight: bold; color: #555; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
#fs-nav .fs-sec + a, #fs-nav a { padding-left: 6px; }
#fs-main { margin-left: 262px; margin-right: 250px; padding: 8px 24px; }
#fs-toc { position: fixed; top: 0; right: 0; bottom: 0; width: 220px; overflow-y: auto; padding: 16px; font-family: sans-serif; font-size: 13px;
          border-left: 1px solid #eee; background: #fff; }
#fs-toc a { display: block; padding: 2px 0; color: #0366d6; text-decoration: none; } #fs-toc a.fs-toc3 { padding-left: 12px; }
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
  const hits = [];
  for (const p of FS_INDEX) {
    const t = p.text.toLowerCase(), h = p.heading.toLowerCase();
    if (!words.every(w => t.includes(w) || h.includes(w) || p.title.toLowerCase().includes(w))) continue;
    hits.push([words.every(w => h.includes(w)) ? 0 : 1, p]);   // a heading that names the words (a symbol) first
  }
  hits.sort((a, b) => a[0] - b[0]);
  for (const [, p] of hits.slice(0, 30)) {
    const t = p.text.toLowerCase(), i = Math.max(0, t.indexOf(words[0]) - 40);
    const a = document.createElement('a'); a.href = p.url; a.textContent = p.heading + ' \u2014 ' + p.title; out.appendChild(a);
    const s = document.createElement('small'); s.textContent = '...' + p.text.slice(i, i + 110) + '...'; out.appendChild(s);
  }
  if (!out.children.length) out.textContent = 'no page mentions that';
}
</script>"""

def build(out:Path) -> list:
    "Write the site into `out`; returns the pages written"
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    sys.path.insert(0, str(ROOT))
    order = ordered_notebooks()
    nbs,sec_of = [p for _,p in order],{p.stem: sec for sec,p in order}
    cfg = Config()
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_input_tags = {'hide-input'}
    cfg.HTMLExporter.exclude_input_prompt = True
    cfg.HTMLExporter.exclude_output_prompt = True
    exp = HTMLExporter(config=cfg, template_name='classic')
    out.mkdir(parents=True, exist_ok=True)
    pages = [(p, _page_name(p), *process(p)) for p in nbs]
    index = []
    def link(p, n, t, name):
        head = f'<div class="fs-sec">{html.escape(sec_of[p.stem])}</div>' if p.stem in [ns[0] for _,ns in SECTIONS] else ''
        return head + f'<a href="{n}.html"{" class=current" if n==name else ""}>{html.escape(plain(t))}</a>'
    for i,(p,name,nb,title,_) in enumerate(pages):
        nav = ('<nav id="fs-nav"><b>fastai_smith</b><br><br><input id="fs-search" type="search" placeholder="Search the docs" '
               'oninput="fsSearch(this.value)"><div id="fs-results"></div>' + ''.join(link(q, n, t, name) for q,n,_,t,_ in pages) + '</nav>')
        prev_,next_ = (pages[i-1] if i else None),(pages[i+1] if i+1<len(pages) else None)
        pager = ('<div id="fs-pager">' + (f'<a rel="prev" href="{prev_[1]}.html">&larr; {html.escape(plain(prev_[3]))}</a>' if prev_ else '<span></span>')
                 + (f'<a rel="next" href="{next_[1]}.html">{html.escape(plain(next_[3]))} &rarr;</a>' if next_ else '<span></span>') + '</div>')
        body,_ = exp.from_notebook_node(nbformat.from_dict(nb))
        body = body.replace('<body', '<body data-page="' + name + '"', 1)
        index += [dict(url=f'{name}.html#{a}', page=f'{name}.html', title=plain(title), heading=h, text=t) for _,a,h,t in sections_of(body)]
        body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + NAV_CSS + nav + toc(body) + '<div id="fs-main">', body, count=1)
        body = body.replace('</body>', pager + '</div>' + SEARCH_JS + '</body>', 1)
        body = re.sub(r'<title>.*?</title>', f'<title>{html.escape(plain(title))} - fastai_smith</title>', body, count=1, flags=re.S)
        (out/f'{name}.html').write_text(body)
    (out/'search.js').write_text('window.FS_INDEX = ' + json.dumps(index) + ';')
    if (NBS/'images').exists(): shutil.copytree(NBS/'images', out/'images', dirs_exist_ok=True)
    (out/'pages.json').write_text(json.dumps([dict(page=f'{n}.html', title=plain(t), section=sec_of[p.stem], notebook=p.name) for p,n,_,t,_ in pages], indent=1))
    return [out/f'{n}.html' for _,n,_,_,_ in pages]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_site'), help='folder for the site (default: _site)')
    a = ap.parse_args()
    pages = build(Path(a.out))
    print(f'{len(pages)} pages in {a.out}: ' + ', '.join(p.name for p in pages))
