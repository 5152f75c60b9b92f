"""The offline viewer, opened in real headless Chromium (selenium + Debian's chromium and chromedriver).

When ``CI`` is set a missing browser fails these tests; elsewhere they skip.
One browser serves the whole module.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.outputs.property_graph import property_graph
from kg.outputs.viewer import embed_json, embed_json_chunks, render_viewer

from tests.conftest import FIXTURES
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,900"]


# ---------------------------------------------------------------------------
# Without a browser: the page as text


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!--<script>", "a\u2028b\u2029c",
                                  "<img src=x onerror=alert(1)>", "&lt;b&gt;"])
def test_embedded_json_cannot_end_its_script_element(text):
    embedded = embed_json({"label": text})
    assert not re.search(r"[<>&\u2028\u2029]", embedded)
    assert json.loads(embedded) == {"label": text}


_TEXT = st.text(alphabet=st.sampled_from("a万<>&/\u2028\u2029\"\\"), max_size=5)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
                     max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(value=_JSON, depth=st.integers(0, 4), batch=st.integers(1, 5))
def test_json_in_pieces_is_the_json_in_one(value, depth, batch):
    joined = "".join(embed_json_chunks(value, depth, batch))
    assert joined == embed_json(value)  # json.dumps in one call: the same bytes, escapes included


def test_page_is_self_contained(built_out):
    page = (built_out / "viewer.html").read_text(encoding="utf-8")
    # Three elements (data, vis-network, ours) and nothing inside them that could close one early.
    assert len(re.findall(r"</script", page, flags=re.IGNORECASE)) == 3
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"<link\b", page, flags=re.IGNORECASE)
    assert "default-src 'none'" in page  # CSP: the browser refuses any fetch
    assert "vis.Network" in page or "Network" in page


@pytest.fixture(scope="module")
def markup_out(tmp_path_factory) -> Path:
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("markup")
    result = build([FIXTURES / "viewer-markup.txt"], out)
    assert result.ok, result.failed
    return out


def test_markup_stays_inside_the_data_element(markup_out):
    page = (markup_out / "viewer.html").read_text(encoding="utf-8")
    assert len(re.findall(r"</script", page, flags=re.IGNORECASE)) == 3
    assert "window.__pwned" in page  # the text is there, as escaped JSON …
    assert "<img src=x" not in page and "</script><script>window" not in page  # … never as markup
    graph = property_graph(markup_out / "graph.trig")
    assert render_viewer(graph) == page  # deterministic


# ---------------------------------------------------------------------------
# In Chromium


@pytest.fixture(scope="module")
def browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium")
    if missing:
        message = f"headless browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def open_viewer(driver, path: Path) -> None:
    driver.get_log("performance")  # drop earlier pages' events
    driver.get_log("browser")
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + 20
    while not driver.execute_script("return document.body && document.body.getAttribute('data-ready') === '1'"):
        assert time.monotonic() < deadline, "viewer never finished drawing"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def bundled_graph(built_out):
    return property_graph(built_out / "graph.trig")


def test_renders_every_node(browser, built_out, bundled_graph):
    open_viewer(browser, built_out / "viewer.html")
    drawn = browser.execute_script("return Object.keys(window.kgViewer.network.getPositions()).length")
    assert drawn == bundled_graph.number_of_nodes() > 100
    painted = browser.execute_script("""
        const c = document.querySelector('#graph canvas');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; } return n;""")
    assert painted > 2000, "the canvas is (nearly) empty"
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], severe  # no script error, no blocked request


def test_makes_no_network_request(browser, built_out):
    page = built_out / "viewer.html"
    open_viewer(browser, page)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    requested = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requested if m["method"] == "Network.requestWillBeSent"]
    assert urls and all(url == page.resolve().as_uri() or url.startswith("data:") for url in urls), urls


def test_legend_filters_by_type(browser, built_out, bundled_graph):
    open_viewer(browser, built_out / "viewer.html")
    types = bundled_graph.graph["types"]
    boxes = browser.find_elements("css selector", "#type-filter input[type=checkbox]")
    assert [b.get_attribute("data-type") for b in boxes] == [t["name"] for t in types]
    metric_box = next(b for b in boxes if b.get_attribute("data-type") == "Metric")
    metric_box.click()
    hidden = browser.execute_script(
        "return window.kgViewer.nodes.get({filter: n => n.hidden === true}).map(n => n.id)")
    assert sorted(hidden) == sorted(n for n, t in bundled_graph.nodes(data="type") if t == "Metric")


def _search(browser, query):
    box = browser.find_element("id", "search")
    box.clear()
    box.send_keys(query)
    return [(b.get_attribute("textContent"), b.get_attribute("data-field"))
            for b in browser.find_elements("css selector", "#search-results button")]


def test_search_finds_a_mechanism_by_label_first(browser, built_out, bundled_graph):
    query = "府院联动"
    open_viewer(browser, built_out / "viewer.html")
    results = _search(browser, query)
    expected = sorted(label for _, label in bundled_graph.nodes(data="label") if query in label)
    by_label = [label for label, field in results if field == "label"]
    assert expected and sorted(by_label) == expected
    assert results[:len(by_label)] == [(label, "label") for label in by_label]  # label matches come first
    browser.find_element("css selector", "#search-results button").click()
    assert query in browser.find_element("id", "d-label").text


def test_search_finds_words_beyond_the_cut_label_and_in_subjects(browser, built_out, bundled_graph):
    open_viewer(browser, built_out / "viewer.html")
    # A measure whose text runs past its 40-character label: its last words are found in its text.
    measure = next(n for n, d in bundled_graph.nodes(data=True) if d["type"] == "Measure"
                   and len(d.get("span_text", "")) > 60 and d["span_text"][-10:] not in d["label"])
    tail = bundled_graph.nodes[measure]["span_text"][-10:]
    results = _search(browser, tail)
    label = bundled_graph.nodes[measure]["label"]
    assert (label, "span_text") in results or (label, "sentence") in results
    snippets = [s.get_attribute("textContent") for s in browser.find_elements("css selector", "#search-results .snippet")]
    assert any(tail in s for s in snippets)
    # A metric is found by its subject, though its label is the number.
    metric = next(d for n, d in bundled_graph.nodes(data=True) if d["type"] == "Metric" and d.get("subject") == "行政复议申请")
    assert (metric["label"], "subject") in _search(browser, "行政复议申请")


def test_no_report_picker_for_one_report(browser, built_out):
    open_viewer(browser, built_out / "viewer.html")
    assert not browser.find_element("id", "picker").is_displayed()


@pytest.fixture(scope="module")
def two_reports_out(tmp_path_factory) -> Path:
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("two")
    reports = [FIXTURES / "comparisons" / "fenghe-2023.txt", FIXTURES / "comparisons" / "fenghe-2024.txt"]
    result = build(reports, out, analyse=False, exports=True)
    assert result.ok, result.failed
    return out


def test_report_picker_shows_one_report_and_searches_within_it(browser, two_reports_out):
    from selenium.webdriver.support.ui import Select

    open_viewer(browser, two_reports_out / "viewer.html")
    assert browser.find_element("id", "picker").is_displayed()
    picker = Select(browser.find_element("id", "report-picker"))
    assert [o.get_attribute("value") for o in picker.options] == ["", "fenghe-2023", "fenghe-2024"]
    picker.select_by_value("fenghe-2023")
    visible = browser.execute_script(
        "return window.kgViewer.data.nodes.filter(n => !window.kgViewer.nodes.get(n.id).hidden).map(n => n.report)")
    assert "fenghe-2023" in visible and "fenghe-2024" not in visible
    results = _search(browser, "法律援助")
    assert results
    found = browser.execute_script("""
        const q = '法律援助';
        return window.kgViewer.data.nodes.filter(n => ['label','subject','span_text','sentence']
          .some(k => typeof n[k] === 'string' && n[k].includes(q))).map(n => n.report);""")
    assert "fenghe-2024" in found  # the other report has matches the picker keeps out …
    assert len(results) == sum(1 for r in found if r in ("fenghe-2023", None))  # … and they are not listed
    picker.select_by_value("")
    assert browser.execute_script("return window.kgViewer.nodes.get({filter: n => n.hidden === true}).length") == 0


def test_click_on_a_node_shows_its_source_sentence(browser, built_out, bundled_graph, bundled_text):
    open_viewer(browser, built_out / "viewer.html")
    # Zoom onto a measure until the point under its centre is that node alone, then click there.
    target = browser.execute_script("""
        const net = window.kgViewer.network;
        for (const n of window.kgViewer.data.nodes) {
          if (n.type !== 'Measure' || typeof n.sentence !== 'string') continue;
          net.moveTo({position: {x: n.x, y: n.y}, scale: 2.5, animation: false});
          const p = net.canvasToDOM({x: n.x, y: n.y});
          if (net.getNodeAt(p) === n.id) return n.id;
        }
        return null;""")
    assert target, "no measure could be clicked on its own"
    canvas = browser.find_element("css selector", "#graph canvas")
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).move_to_element(canvas).click().perform()  # the centre, where the node is
    node = bundled_graph.nodes[target]
    assert browser.execute_script("return window.kgViewer.shown") == target
    assert browser.find_element("id", "d-label").text == node["label"]
    sentence = browser.find_element("id", "d-sentence").get_attribute("textContent")
    assert sentence == node["sentence"] and sentence in bundled_text
    marked = browser.find_element("css selector", "#d-sentence mark").get_attribute("textContent")
    assert marked == bundled_text[node["span_start"]:node["span_end"]]


def test_problem_plan_links_are_drawn_and_can_be_isolated(browser, built_out, bundled_graph):
    addresses = sorted(k for *_, k, r in bundled_graph.edges(keys=True, data="relation") if r == "addresses")
    assert addresses, "the bundled report should have plan → problem links"
    open_viewer(browser, built_out / "viewer.html")
    drawn = browser.execute_script(
        "return window.kgViewer.edges.get({filter: e => e.width >= 3 && !e.hidden}).map(e => e.id)")
    assert sorted(drawn) == addresses
    browser.find_element("id", "only-problem-plan").click()
    visible = browser.execute_script("return window.kgViewer.edges.get({filter: e => !e.hidden}).map(e => e.id)")
    assert sorted(visible) == addresses


def test_report_markup_executes_nothing(browser, markup_out):
    from selenium.common.exceptions import NoAlertPresentException

    open_viewer(browser, markup_out / "viewer.html")
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    assert browser.execute_script("return document.querySelectorAll('img, b, iframe').length") == 0
    assert browser.execute_script("return document.scripts.length") == 3
    browser.find_element("id", "search").send_keys("<img")
    buttons = browser.find_elements("css selector", "#search-results button")
    assert buttons
    buttons[0].click()
    assert '<img src=x onerror="window.__pwned=1">' in browser.find_element("id", "d-label").text
    browser.find_element("id", "search").clear()
    browser.find_element("id", "search").send_keys("</script>")
    assert browser.find_elements("css selector", "#search-results button")
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
