"The documentation site: built from the notebooks without Quarto, opened in headless Chromium"
import html, json, os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((shutil.which(c) for c in ('chromium', 'chromium-browser', 'google-chrome') if shutil.which(c)), None)

pytestmark = pytest.mark.slow   # builds every page and starts a browser for each check

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site `.ci/run` built from this checkout (it sets FASTAI_SMITH_SITE), or a fresh build"
    if os.environ.get('FASTAI_SMITH_SITE') and (Path(os.environ['FASTAI_SMITH_SITE'])/'index.html').exists():
        return Path(os.environ['FASTAI_SMITH_SITE'])
    out = tmp_path_factory.mktemp('site')
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_docs.py'), '--out', str(out)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return out

def dom(page:Path) -> str:
    "The page as headless Chromium renders it (after scripts), as HTML"
    if CHROMIUM is None:
        if os.environ.get('CI'): pytest.fail('chromium is missing: .ci/run installs Debian chromium')
        pytest.skip('no chromium here')
    r = subprocess.run([CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', page.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and '<body' in r.stdout, r.stderr[-2000:]
    return r.stdout

def test_every_notebook_has_a_page(site):
    pages = json.loads((site/'pages.json').read_text())
    nbs = sorted(p.name for p in (ROOT/'nbs').glob('*.ipynb'))
    assert sorted(p['notebook'] for p in pages) == nbs
    assert [p['page'] for p in pages][:2] == ['index.html', 'overview.html']
    for p in pages: assert (site/p['page']).stat().st_size > 10_000

def test_index_opens_with_navigation(site):
    d = dom(site/'index.html')
    assert 'smith-tune' in d and 'smith_tune' in d
    links = set(re.findall(r'href="([a-z_0-9]+\.html)"', d))
    assert {'overview.html', 'tune.html', 'diagnose.html', 'callbacks.html', 'tutorial_cifar10.html'} <= links

def test_module_page_has_api_and_a_plot(site):
    for page,names in (('tune.html', ('smith_tune', 'wd_candidates')), ('grids.html', ('mom_grid', 'wd_grid', 'default_wds')),
                       ('trials.html', ('TrialRunner', 'paired_gap', 'pick_trial', 'trials_df')), ('plan.html', ('TunePlan', 'tune_plan', 'trial_shape')),
                       ('stages.html', ('StageResult', 'lr_stage', 'mom_stage', 'wd_stage', 'wd_refine')), ('result.html', ('TuneResult', 'TuneSettings', 'TuneInterrupted')), ('data.html', ('trial_dls', 'cifar_dls'))):
        d = dom(site/page)
        for name in names: assert re.search(rf'<h[2-4][^>]*>[^<]*{name}', d) or f'>{name}<' in d, (page, name)   # a show_doc heading
    d = dom(site/'diagnose.html')
    for name in ('ValidCurve', 'DivergenceStop', 'diagnose_losses', 'Diagnosis'): assert name in d, name
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/]{1000}', d), 'no rendered plot'
    assert '\u2588' not in d   # no progress-bar debris

def test_api_entries_read_like_fastais(site):
    "Every source link names its line, no signature shows a memory address, parameters come in a table with their comments"
    for f in site.glob('*.html'):
        t = f.read_text()
        assert '#LNone' not in t, f.name
        assert not re.search(r'at 0x[0-9a-f]{6,}', t), f.name
    t = (site/'tune.html').read_text()
    assert re.search(r'href="https://github.com/[^"]+/fastai_smith/tune.py#L\d+"', t)
    d = dom(site/'tune.html')
    assert re.search(r'<th[^>]*><strong>Details</strong></th>', d)
    assert re.search(r'<td[^>]*>fit_epochs</td>\s*<td[^>]*>int \| None</td>', d), 'no parameter table row for fit_epochs'
    d = dom(site/'lr_finder.html')
    assert 'suggest_funcs=(valley, loss_stops_falling, smith_max, clr_bounds)' in d

def test_search_and_prev_next(site):
    "A search box over every page (an index that works from file://), and prev/next links in the sidebar's order"
    pages = [p['page'] for p in json.loads((site/'pages.json').read_text())]
    idx = json.loads((site/'search.js').read_text().removeprefix('window.FS_INDEX = ').rstrip(';'))
    assert {p['page'] for p in idx} == set(pages)
    assert all(p['url'].startswith(p['page'] + '#') for p in idx)
    assert any(p['heading'] == 'wd_candidates' and p['url'] == 'tune.html#wd_candidates' for p in idx)
    for p in idx: assert not re.search(r'`|^#|\]\(|</?(a|div|span|p|code|pre|img|table|td|tr|h\d)\b', p['text'] + p['heading']), p['url']   # plain text, not markdown or HTML
    d = dom(site/'stages.html')
    assert 'id="fs-search"' in d
    i = pages.index('stages.html')
    assert f'rel="prev" href="{pages[i-1]}"' in d and f'rel="next" href="{pages[i+1]}"' in d
    assert 'rel="next"' not in dom(site/pages[-1])
    assert 'rel="prev"' not in dom(site/'index.html')

def _searched(site, tmp_path, page, q) -> str:
    "`page` as Chromium shows it after typing `q` into the search box"
    shutil.copy(site/'search.js', tmp_path/'search.js')
    t = (site/page).read_text().replace('</body>', f"<script>window.addEventListener('load', () => {{ fsSearch({q!r}); }});</script></body>")
    (tmp_path/page).write_text(t)
    return dom(tmp_path/page)

def test_search_lands_on_the_symbol(site, tmp_path):
    "A symbol's name finds its API entry first, linked to its anchor, with a plain-text snippet"
    d = _searched(site, tmp_path, 'tune.html', 'fit_one_cycle_swa')
    res = d[d.index('id="fs-results"'):]
    first = re.search(r'<a href="([^"]+)">([^<]+)</a>\s*<small>([^<]+)</small>', res)
    assert first and first.group(1) == 'swa.html#Learner.fit_one_cycle_swa', res[:500]
    assert not re.search(r'[`#*]', html.unescape(first.group(3))), first.group(3)
    assert 'no page mentions that' in _searched(site, tmp_path, 'index.html', 'zzqqxx')

def test_grouped_sidebar_and_clean_titles(site):
    "Sections as on docs.fast.ai, every notebook in one; titles without markdown; an 'On this page' list of the page's headings"
    pages = json.loads((site/'pages.json').read_text())
    secs = list(dict.fromkeys(p['section'] for p in pages))
    assert secs[:4] == ['Getting started', 'Tutorials', 'How-to guides', 'Reproductions'] and all(s.startswith('API') for s in secs[4:])
    assert {p['page'] for p in pages if p['section'] == 'How-to guides'} == {'howto_own_data.html', 'howto_lr_find.html', 'howto_fine_tune.html', 'cli.html'}
    d = dom(site/'index.html')
    nav = d[d.index('id="fs-nav"'):d.index('</nav>', d.index('id="fs-nav"'))]
    for s in secs: assert f'<div class="fs-sec">{html.escape(s)}</div>' in nav, s
    for p in pages:
        assert '`' not in p['title'], p
        assert '`' not in re.search(r'<title>(.*?)</title>', (site/p['page']).read_text(), re.S).group(1), p['page']
    assert '>The smith-tune command<' in nav and '>lr_find or lr_range_test?<' in nav
    d = dom(site/'tune.html')
    toc = d[d.index('id="fs-toc"'):]
    assert 'On this page' in toc and 'href="#Learner.smith_tune"' in toc and 'href="#wd_candidates"' in toc

def test_lr_find_page(site):
    "lr_find and lr_range_test side by side: one plot, the readings of both, and which one smith_tune takes"
    d = dom(site/'howto_lr_find.html')
    assert re.search(r'<img[^>]+src="data:image/png;base64,', d)
    for s in ('smith_tune', 'lr_find valley', 'lr_range_test valley', 'loss_stops_falling', 'smith_max'): assert s in d, s

def test_user_pages_say_nothing_of_our_build_machines(site):
    for f in site.glob('*.html'):
        t = f.read_text()
        for s in ('no network', 'shared/data', '../../shared', 'smith-fit'): assert s not in t, (f.name, s)

def test_how_to_pages(site):
    "smith_tune on one's own folder (a DataBlock, what ImageDataLoaders.from_folder builds) + vision_learner, choosing a budget, and the command with its output"
    text = lambda d: html.unescape(re.sub(r'<[^>]+>', '', d))   # code is split into highlighted tokens
    d = text(dom(site/'howto_own_data.html'))
    for s in ('DataBlock(blocks=(ImageBlock, CategoryBlock)', 'GrandparentSplitter', 'vision_learner', 'Choosing a budget', 'Where the trials are kept', 'Train with: learn.fit_one_cycle(6,'):
        assert s in d, s
    d = text(dom(site/'cli.html'))
    for s in ('An example run', 'smith-tune --n-train 50', 'chosen in', 'Final training (4 epochs): validation accuracy'): assert s in d, s
    assert 'href="howto_own_data.html"' in dom(site/'index.html')
