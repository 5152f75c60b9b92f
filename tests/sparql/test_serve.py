"""kg.sparql.serve: the real oxigraph server, read-only, on a free loopback port."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kg.sparql.serve import ServerError, oxigraph_binary, running_server

NQUADS = (
    '<http://example.org/fzzf/data/r1/metric-1> <http://example.org/fzzf#value> '
    '"62"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/fzzf/data/r1/graph> .\n'
    '<http://example.org/fzzf/data/r2/metric-1> <http://example.org/fzzf#value> '
    '"1.61"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/fzzf/data/r2/graph> .\n'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def select(url: str, query: str) -> list[dict]:
    request = urllib.request.Request(url + "/query?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["results"]["bindings"]


@pytest.fixture()
def graph_file(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_text(NQUADS, encoding="utf-8")
    return path


def test_binary_is_the_oxigraph_server():
    done = subprocess.run([oxigraph_binary(), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("oxigraph")


def test_serves_union_of_named_graphs_read_only_then_stops(graph_file):
    port = free_port()
    with running_server(graph_file, port=port, timeout=5) as url:
        assert url == f"http://127.0.0.1:{port}"
        # No GRAPH clause: the default graph is the union of the reports' graphs.
        values = sorted(b["v"]["value"] for b in select(url, "SELECT ?v WHERE { ?s ?p ?v }"))
        assert values == ["1.61", "62"]
        with urllib.request.urlopen(url + "/", timeout=10) as page:  # the query page
            assert page.status == 200
        update = urllib.request.Request(url + "/update", data=b"DROP ALL", method="POST",
                                        headers={"Content-Type": "application/sparql-update"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(update, timeout=10)
        assert refused.value.code == 403
        store_put = urllib.request.Request(url + "/store?default", data=b"", method="PUT",
                                           headers={"Content-Type": "application/n-triples"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(store_put, timeout=10)
        assert refused.value.code == 403
        assert len(select(url, "SELECT * WHERE { ?s ?p ?o }")) == 2  # still all there
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2)


def test_port_in_use_is_one_clear_error(graph_file):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServerError, match="stopped at start"):
            with running_server(graph_file, port=port, startup=10):
                pass


def test_cli_serve_stops_cleanly_on_sigterm(graph_file):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(graph_file), "--port", str(port)],
                               stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "SPARQL endpoint" not in line and time.monotonic() < deadline:
            line = process.stderr.readline()
        assert f"http://127.0.0.1:{port}/query" in line
        assert len(select(f"http://127.0.0.1:{port}", "SELECT * WHERE { ?s ?p ?o }")) == 2
        process.terminate()
        assert process.wait(timeout=20) == 0  # a requested stop is not an error
        assert "stopping" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2)
