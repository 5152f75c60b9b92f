"""The corpus dashboard: the page as text, then in real headless Chromium (selenium + Debian's chromium).

The corpus is built through ``kg.pipeline.build`` into a temporary folder: the six
comparison reports and two whose text holds markup. One browser serves the module.
When ``CI`` is set a missing browser fails these tests; elsewhere they skip.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.compare.summary import corpus_summary
from kg.outputs.dashboard import render_dashboard, write_dashboard

from tests.conftest import FIXTURES

CORPUS = FIXTURES / "comparisons"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,900"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("corpus")
    result = build(sorted(CORPUS.glob("*.txt")) + sorted((CORPUS / "markup").glob("*.txt")), out,
                   analyse=False, exports=False)
    assert result.ok, result.failed
    extractions = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "extractions").glob("*.json"))]
    summary = corpus_summary(extractions)
    page = write_dashboard(summary, extractions, out)
    return {"out": out, "page": page, "summary": summary, "extractions": {x["report"]["id"]: x for x in extractions}}


# ---------------------------------------------------------------------------
# Without a browser


def test_one_self_contained_file(built):
    text = built["page"].read_text(encoding="utf-8")
    assert built["page"].name == "corpus.html"
    assert len(re.findall(r"</script", text, flags=re.IGNORECASE)) == 2  # the data and our script
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc\s*=", text, flags=re.IGNORECASE)
    assert not re.search(r"<link\b", text, flags=re.IGNORECASE)
    assert "default-src 'none'" in text


def test_report_markup_is_only_escaped_data(built):
    text = built["page"].read_text(encoding="utf-8")
    assert "window.__pwned=4" in text and "window.__pwned=3" in text  # the report's words are there, as JSON …
    for markup in ("<img src=x", "<b onmouseover", "<iframe", "<svg onload", "</script><script>window"):
        assert markup not in text  # … never as markup


def test_charts_are_inline_svg_from_numbers_only(built):
    text = built["page"].read_text(encoding="utf-8")
    charts = re.findall(r"<svg\b.*?</svg>", text, flags=re.S)
    assert len(charts) >= 5
    assert not any("<text" in chart or "__pwned" in chart or "<script" in chart for chart in charts)
    ids = re.findall(r'\bid="([^"]+)"', "".join(charts))
    assert len(ids) == len(set(ids))  # ids made unique per chart


def test_same_bytes_every_time_and_whatever_the_hash_seed_or_time_zone(built):
    page = built["page"].read_text(encoding="utf-8")
    assert render_dashboard(built["summary"], list(built["extractions"].values())) == page
    script = ("import json, pathlib, sys; from kg.compare.summary import corpus_summary; "
              "from kg.outputs.dashboard import render_dashboard; "
              "xs = [json.loads(p.read_text(encoding='utf-8')) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json'))]; "
              "sys.stdout.buffer.write(render_dashboard(corpus_summary(xs), xs).encode('utf-8'))")
    other = subprocess.run([sys.executable, "-c", script, str(built["out"] / "extractions")], capture_output=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": "7", "TZ": "America/Los_Angeles"}).stdout
    assert other.decode("utf-8") == page


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


def open_page(driver, path: Path) -> None:
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + 20
    while not driver.execute_script("return document.body && document.body.getAttribute('data-ready') === '1'"):
        assert time.monotonic() < deadline, "dashboard never finished drawing"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def opened(browser, built):
    open_page(browser, built["page"])
    return browser


def test_renders_every_part(opened, built):
    summary = built["summary"]
    rows = opened.find_elements("css selector", "#reports tbody tr")
    assert sorted(r.get_attribute("data-report") for r in rows) == sorted(r["id"] for r in summary["reports"])
    assert len(opened.find_elements("css selector", "#reports thead th")) == 11
    first = rows[0].find_elements("tag name", "td")
    assert len(first) == 11
    failed = opened.find_elements("css selector", "#failed li")
    inconsistent = sum(r["status"] == "inconsistent" for r in summary["yoy_checks"])
    late = sum((r["days_after_deadline"] or 0) > 0 for r in summary["reports"])
    missing = sum(not all(r["parts"].values()) for r in summary["reports"])
    assert len(failed) == inconsistent + late + missing and inconsistent == 2 and late == 1
    assert opened.find_elements("css selector", "#matrix table.matrix")
    assert opened.find_elements("css selector", "#matrix td svg")
    assert opened.find_elements("css selector", "#overview-chart svg")
    assert len(opened.find_elements("css selector", "#series .series")) == 4
    severe = [entry for entry in opened.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], severe


def _expected_span(extraction: dict, kind: str, local_id: str) -> str:
    if kind == "metric":
        return next(m["text"] for m in extraction["metrics"] if m["id"] == local_id)
    if kind == "item":
        return next(i["text"] for k in ("measures", "problems", "plans") for i in extraction[k] if i["id"] == local_id)
    return next(s["heading"] for s in extraction["sections"] if s["id"] == local_id)


def test_every_cell_opens_its_source_sentence(opened, built):
    shown = opened.execute_script("""
        const out = [];
        for (const button of document.querySelectorAll('[data-cell]')) {
          button.click();
          out.push({cell: button.getAttribute('data-cell'), visible: !document.getElementById('source').hidden,
                    title: document.getElementById('source-title').textContent,
                    note: document.getElementById('source-note').textContent,
                    passages: Array.from(document.querySelectorAll('#source-passages li')).map(li => ({
                      report: li.dataset.report, kind: li.dataset.kind, id: li.dataset.id,
                      quote: li.querySelector('blockquote').textContent,
                      marks: Array.from(li.querySelectorAll('mark')).map(m => m.textContent)}))});
        }
        return out;""")
    assert len(shown) > 100
    with_passages = 0
    for cell in shown:
        assert cell["visible"] and cell["title"], cell
        assert cell["passages"] or cell["note"], cell  # a missing part or a late date says why instead
        for passage in cell["passages"]:
            with_passages += 1
            span = _expected_span(built["extractions"][passage["report"]], passage["kind"], passage["id"])
            assert passage["marks"] == [span], (cell["title"], passage)
            assert span in passage["quote"]
    assert with_passages > 100


def test_a_real_click_on_a_figure_shows_its_sentence(opened, built):
    from selenium.webdriver.common.by import By

    cell = opened.find_element(By.XPATH, "//td[contains(@class,'st-inconsistent')]/button")
    cell.click()
    marks = [m.text for m in opened.find_elements("css selector", "#source-passages mark")]
    assert marks and marks[0] == cell.text
    quote = opened.find_element("css selector", "#source-passages blockquote").text
    later = built["extractions"]
    assert any(quote in item["text"] for x in later.values() for item in x["measures"])


def test_year_on_year_results_are_coloured(opened, built):
    classes = {(b.text, b.find_element("xpath", "..").get_attribute("class"))
               for b in opened.find_elements("css selector", "#matrix td button")}
    assert ("512件", "num st-inconsistent") in classes and ("146件", "num st-consistent") in classes


def test_sorting_by_days_late(opened):
    header = opened.find_element("css selector", "#reports th[data-key=days_after_deadline]")
    header.click()
    header.click()  # descending: the late report first
    first = opened.find_element("css selector", "#reports tbody tr").get_attribute("data-report")
    assert first == "deqing-2023"


def test_makes_no_network_request(browser, built):
    open_page(browser, built["page"])
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    requested = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requested if m["method"] == "Network.requestWillBeSent"]
    assert urls and all(url == built["page"].resolve().as_uri() or url.startswith("data:") for url in urls), urls


def test_report_markup_runs_nothing(browser, built):
    from selenium.common.exceptions import NoAlertPresentException

    open_page(browser, built["page"])
    browser.execute_script("document.querySelectorAll('[data-cell]').forEach(b => b.click())")
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    assert browser.execute_script("return document.querySelectorAll('img, b, iframe, a, main svg[onload]').length") == 0
    assert browser.execute_script("return document.scripts.length") == 2
    # The markup is shown as text where the report has it.
    cells = browser.execute_script("return window.kgDashboard.data.cells.map((c, i) => i)")
    shown = browser.execute_script("""
        const texts = [];
        for (const i of arguments[0]) { window.kgDashboard.open(i);
          texts.push(document.getElementById('source-passages').textContent); }
        return texts.join('\\n');""", cells)
    assert "<b onmouseover=window.__pwned=4>" in shown and "</script><script>window.__pwned=3</script>" in shown


def test_one_report_gives_a_page_without_charts(built):
    one = built["extractions"]["fenghe-2023"]
    page = render_dashboard(corpus_summary([one]), [one])
    assert "<svg" not in page and '"reports":1' in page.replace(" ", "")
    assert "fenghe-2023" in page


def test_the_matrix_shows_its_largest_blocks_up_to_the_row_limit(built, monkeypatch):
    from kg.outputs import dashboard

    def page_with(limit):
        monkeypatch.setattr(dashboard, "MAX_MATRIX_ROWS", limit)
        return dashboard.dashboard_data(built["summary"], list(built["extractions"].values()))

    whole = page_with(10**6)["matrix"]
    sizes = [len(block["rows"]) for block in whole["blocks"]]
    assert whole["left_out"] == 0 and len(sizes) >= 3
    assert sizes == sorted(sizes, reverse=True)  # the blocks with most rows first
    data = page_with(sizes[0] + sizes[1] + sizes[2] - 1)  # room for two blocks and not for the third
    cut = data["matrix"]
    assert [len(block["rows"]) for block in cut["blocks"]] == sizes[:2]
    assert cut["left_out"] == sum(sizes[2:])
    assert [b["label"] for b in cut["blocks"]] == [b["label"] for b in whole["blocks"][:2]]
    assert cut["years"] == whole["years"]  # the years of every block, shown or not
    for block in cut["blocks"]:  # every cell shown opens its own sentence
        for row in block["rows"]:
            for cell in row["cells"]:
                (key,) = data["cells"][cell["cell"]]["passages"]
                assert cell["text"] in data["passages"][key]["text"]
