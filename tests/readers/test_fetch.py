"""Fetching reports: robots.txt, retries, timeouts, redirects, encodings — against a local HTTP server only."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.errors import InputError
from kg.readers import read_document
from kg.readers.fetch import USER_AGENT, fetch_reports, file_name_for, read_url_list

from tests.conftest import FIXTURES

GBK_PAGE = (FIXTURES / "formats" / "report-gbk.html").read_bytes()


class Site(BaseHTTPRequestHandler):
    """A small government site: robots.txt, a GBK article, a flaky page, a slow page, a redirect."""

    hits: dict[str, list[float]] = {}
    agents: list[str] = []
    robots = b"User-agent: *\nDisallow: /private/\n"

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # noqa: N802 - the http.server API
        self.hits.setdefault(self.path, []).append(time.monotonic())
        self.agents.append(self.headers.get("User-Agent", ""))
        count = len(self.hits[self.path])
        if self.path == "/robots.txt":
            return self._send(200, self.robots, "text/plain")
        if self.path in ("/art/report.html", "/private/report.html", "/one.html", "/two.html"):
            return self._send(200, GBK_PAGE, "text/html; charset=gbk")
        if self.path == "/flaky.html":
            return self._send(500, b"busy", "text/plain") if count == 1 else self._send(200, GBK_PAGE, "text/html")
        if self.path == "/slow.html":
            time.sleep(1.0)
            return self._send(200, GBK_PAGE, "text/html")
        if self.path == "/old.html":
            self.send_response(301)
            self.send_header("Location", "/art/report.html")
            self.end_headers()
            return None
        return self._send(404, b"not here", "text/plain")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def site():
    Site.hits, Site.agents = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _no_wait(seconds):
    pass


def test_a_gbk_page_is_kept_with_its_record_and_read_with_its_url(site, tmp_path):
    url = site + "/art/report.html"
    [(given, path)] = fetch_reports([url], tmp_path, delay=0, sleep=_no_wait)
    assert given == url and path.name == file_name_for(url, "text/html; charset=gbk")
    assert path.read_bytes() == GBK_PAGE
    record = json.loads((tmp_path / f".{path.name}.fetch.json").read_text(encoding="utf-8"))
    assert record["url"] == url and record["status"] == 200 and record["fetched"].endswith("Z")
    assert record["content_type"] == "text/html; charset=gbk"
    meta, text = read_document(path)
    assert (meta.format, meta.encoding, meta.url, meta.fetched) == ("html", "gb18030", url, record["fetched"])
    assert meta.title == "柳溪县2024年度法治政府建设工作报告" and "调解成功率99.0%" in text
    assert Site.agents and all(agent == USER_AGENT for agent in Site.agents)


def test_robots_txt_is_respected(site, tmp_path):
    [(_, outcome)] = fetch_reports([site + "/private/report.html"], tmp_path, delay=0, sleep=_no_wait)
    assert isinstance(outcome, InputError) and "robots.txt" in str(outcome)
    assert "/private/report.html" not in Site.hits


def test_a_500_is_retried_then_succeeds(site, tmp_path):
    [(_, path)] = fetch_reports([site + "/flaky.html"], tmp_path, delay=0, retries=2, sleep=_no_wait)
    assert path.is_file() and len(Site.hits["/flaky.html"]) == 2


def test_a_page_that_never_answers_in_time_fails_in_one_line(site, tmp_path):
    [(_, outcome)] = fetch_reports([site + "/slow.html"], tmp_path, delay=0, timeout=0.2, retries=1, sleep=_no_wait)
    assert isinstance(outcome, InputError)
    assert "no answer within 0.2 s; 2 tries" in str(outcome) and "\n" not in str(outcome)


def test_a_redirect_records_the_final_url(site, tmp_path):
    [(_, path)] = fetch_reports([site + "/old.html"], tmp_path, delay=0, sleep=_no_wait)
    meta, _ = read_document(path)
    assert meta.url == site + "/art/report.html"
    assert path.name == file_name_for(site + "/old.html", "text/html")


def test_a_missing_page_and_a_bad_url_fail_alone(site, tmp_path):
    results = fetch_reports([site + "/gone.html", "ftp://example.org/x", site + "/one.html"], tmp_path,
                            delay=0, sleep=_no_wait)
    assert "HTTP 404" in str(results[0][1]) and "not an http(s) URL" in str(results[1][1])
    assert results[2][1].is_file()


def test_one_host_is_asked_one_page_at_a_time_with_the_delay_between(site, tmp_path):
    fetch_reports([site + "/one.html", site + "/two.html"], tmp_path, delay=0.3)
    assert Site.hits["/two.html"][0] - Site.hits["/one.html"][0] >= 0.3


def test_robots_txt_that_fails_stops_the_host(site, tmp_path, monkeypatch):
    monkeypatch.setattr(Site, "robots", None)

    def broken_robots(self):
        if self.path == "/robots.txt":
            return self._send(503, b"down", "text/plain")
        return Site.do_GET(self)

    monkeypatch.setattr(Site, "do_GET", broken_robots)
    [(_, outcome)] = fetch_reports([site + "/art/report.html"], tmp_path, delay=0, sleep=_no_wait)
    assert isinstance(outcome, InputError) and "HTTP 503" in str(outcome)


def test_file_names_are_the_same_for_the_same_url_and_differ_otherwise():
    a = file_name_for("http://x.gov.cn/a/b.shtml", "text/html")
    assert a == file_name_for("http://x.gov.cn/a/b.shtml", "text/html") and a.endswith(".html")
    assert a != file_name_for("http://x.gov.cn/a/b.shtml?id=2", "text/html")
    assert file_name_for("http://x.gov.cn/f/report.pdf", "application/octet-stream").endswith(".pdf")


def test_a_url_list_skips_comments_and_blank_lines(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("# reports\nhttp://a.example/1.html\n\n  http://b.example/2.html  \n", encoding="utf-8")
    assert read_url_list(path) == ["http://a.example/1.html", "http://b.example/2.html"]
