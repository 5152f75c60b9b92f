"""kg build URL…: pages fetched into OUT/sources/, built like files, kept for the next build (a local server only)."""
from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from kg.pipeline import build

from tests.conftest import FIXTURES


class _Site(http.server.BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the handler's name)
        type(self).requests.append(self.path)
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def site():
    _Site.pages = {"/robots.txt": b"User-agent: *\nAllow: /\n",
                   "/reports/a.txt": (FIXTURES / "structure-a-county.txt").read_bytes(),
                   "/reports/b.txt": (FIXTURES / "structure-b-city.txt").read_bytes()}
    _Site.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_urls_are_fetched_built_and_kept_for_the_next_build(site, tmp_path):
    out = tmp_path / "out"
    urls = [f"{site}/reports/a.txt", f"{site}/reports/b.txt", f"{site}/reports/missing.txt"]
    first = build(urls=urls, out=out, analyse=False, exports=False, fetch_options={"delay": 0})
    assert len(first.built) == 2 and len(first.failed) == 1 and "missing.txt" in first.failed[0]
    kept = sorted(p.name for p in (out / "sources").iterdir())
    assert len([name for name in kept if not name.startswith(".")]) == 2  # each page beside its fetch record
    extraction = (out / "extractions" / f"{Path(sorted(kept)[-1]).stem}.json").read_text(encoding="utf-8")
    assert f'"url":"{site}/reports/' in extraction
    asked = len(_Site.requests)
    second = build(urls=urls[:2], out=out, analyse=False, exports=False, fetch_options={"delay": 0})
    assert second.reused and not second.built and len(_Site.requests) == asked  # nothing fetched again
    third = build(urls=urls[:2], out=out, analyse=False, exports=False, refetch=True, fetch_options={"delay": 0})
    assert len(_Site.requests) > asked and len(third.reports) == 2
