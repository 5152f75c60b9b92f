"""kg.sparql.serve: the real oxigraph server, read-only, behind its checking front, on a free loopback port."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.rdf.namespaces import PREFIXES
from kg.resources import ontology_file
from kg.sparql.serve import ServerError, oxigraph_binary, running_server

from tests.sparql.conftest import free_port

NQUADS = (
    '<http://example.org/fzzf/data/r1/metric-1> <http://example.org/fzzf#value> '
    '"62"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/fzzf/data/r1/graph> .\n'
    '<http://example.org/fzzf/data/r2/metric-1> <http://example.org/fzzf#value> '
    '"1.61"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/fzzf/data/r2/graph> .\n'
)
ANY = "SELECT ?s ?v WHERE { ?s fz:value ?v }"  # fz: is not declared: the server knows our prefixes


def request(url: str, query: str | None = None, *, data: bytes | None = None, content_type: str | None = None,
            method: str | None = None, accept: str = "application/sparql-results+json") -> tuple[int, bytes]:
    target = url + ("/query?" + urllib.parse.urlencode({"query": query}) if query is not None else "")
    headers = {"Accept": accept, **({"Content-Type": content_type} if content_type else {})}
    try:
        with urllib.request.urlopen(urllib.request.Request(target, data=data, headers=headers, method=method),
                                    timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def select(url: str, query: str) -> list[dict]:
    status, body = request(url, query)
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def answers(url: str) -> bool:
    try:
        request(url, "ASK {}")
        return True
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture()
def graph_file(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_text(NQUADS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "graph.nq"
    path.write_text(NQUADS, encoding="utf-8")
    with running_server(path, port=free_port(), timeout=5) as url:
        yield url


def test_binary_is_the_oxigraph_server():
    done = subprocess.run([oxigraph_binary(), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("oxigraph")


def test_serves_union_of_named_graphs_read_only_then_stops(graph_file):
    port = free_port()
    with running_server(graph_file, port=port, timeout=5) as url:
        assert url == f"http://127.0.0.1:{port}"
        # No GRAPH clause: the default graph is the union of the reports' graphs.
        assert sorted(b["v"]["value"] for b in select(url, ANY)) == ["1.61", "62"]
        status, page = request(url + "/", accept="text/html")  # oxigraph's query page, passed through
        assert status == 200 and b"<html" in page
        for path, content_type, body in [("/update", "application/sparql-update", b"DROP ALL"),
                                         ("/store?default", "application/n-triples", b""),
                                         ("/query", "application/sparql-update", b"DROP ALL")]:
            for method in ("POST", "PUT"):
                status, _ = request(url + path, data=body, content_type=content_type, method=method)
                assert status in (403, 415), (path, method, status)
        assert len(select(url, ANY)) == 2  # still all there
    assert not answers(url)


def test_the_query_page_endpoint_answers_queries_and_refuses_updates(server, recorder):
    # Oxigraph's query page sends its queries to /sparql, as a form.
    status, body = request(server + "/sparql", data=urllib.parse.urlencode({"query": ANY}).encode(),
                           content_type="application/x-www-form-urlencoded")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 2
    for data, content_type in [(b"DROP ALL", "application/sparql-update"),
                               (urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
                                "application/x-www-form-urlencoded"),
                               (f"SELECT * {{ SERVICE <{recorder.url}> {{}} }}".encode(), "application/sparql-query")]:
        status, _ = request(server + "/sparql", data=data, content_type=content_type)
        assert status == 403, data
    status, _ = request(server + "/sparql?" + urllib.parse.urlencode({"update": "DROP ALL"}))
    assert status == 403
    assert len(select(server, ANY)) == 2 and recorder.requests == []


def test_the_ontology_labels_are_loaded(server):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS

    ontology = Graph().parse(ontology_file(), format="turtle")
    expected = {str(label) for label in ontology.objects(URIRef(PREFIXES["fz"] + "Measure"), RDFS.label)}
    served = {b["l"]["value"] for b in select(server, "SELECT ?l WHERE { fz:Measure rdfs:label ?l }")}
    assert served == expected and len(expected) >= 2  # English and Chinese


@pytest.mark.parametrize("how", ["get", "form", "sparql-query"])
def test_service_is_refused_and_the_address_never_called(server, recorder, how):
    query = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    if how == "get":
        status, body = request(server, query)
    elif how == "form":
        status, body = request(server + "/query", data=urllib.parse.urlencode({"query": query}).encode(),
                               content_type="application/x-www-form-urlencoded")
    else:
        status, body = request(server + "/query", data=query.encode(), content_type="application/sparql-query")
    assert (status, body.decode().split(" (")[0]) == (403, "query: SERVICE is refused")
    assert recorder.requests == []


def test_a_head_request_with_service_is_refused_too(server, recorder):
    query = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    for path in ("/query", "/sparql", "/"):
        status, _ = request(server + path + "?" + urllib.parse.urlencode({"query": query}), method="HEAD")
        assert status == 403, path
    assert recorder.requests == []


@pytest.mark.parametrize(("headers", "status"), [({"Transfer-Encoding": "chunked"}, 411),
                                                 ({"Content-Length": str(17 * 1024 * 1024)}, 413)])
def test_a_body_without_a_length_we_accept_is_refused(server, headers, status):
    import http.client

    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/query")
    connection.putheader("Content-Type", "application/sparql-query")
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(b"5\r\nASK {\r\n0\r\n\r\n" if "Transfer-Encoding" in headers else b"ASK {}")
    assert connection.getresponse().status == status
    connection.close()


def test_an_allowed_service_is_called(graph_file, recorder):
    with running_server(graph_file, port=free_port(), allow_service=[recorder.url]) as url:
        assert select(url, f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}") == [{}]
        assert len(recorder.requests) == 1
        status, _ = request(url, f"SELECT * WHERE {{ SERVICE <{recorder.url}x> {{ ?s ?p ?o }} }}")
        assert status == 403 and len(recorder.requests) == 1


def test_an_update_sent_as_a_query_is_refused(server):
    status, body = request(server, "INSERT DATA { <http://x.org/a> <http://x.org/b> <http://x.org/c> }")
    assert status == 403 and body.startswith(b"query: updates are refused")
    assert len(select(server, ANY)) == 2


def test_a_malformed_query_is_400_with_its_own_line_numbers(server):
    status, body = request(server, "SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTR\n}")
    assert status == 400
    assert body.decode().startswith("query: line 5, column") and body.count(b"\n") == 1


def test_a_query_over_the_timeout_is_503(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_text("".join(f'<http://x.org/{i}> <http://x.org/p> "{i}" <http://x.org/g> .\n' for i in range(400)))
    with running_server(path, port=free_port(), timeout=1) as url:
        crossing = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        for accept in ("text/csv", "application/sparql-results+json"):
            status, body = request(url, crossing, accept=accept)
            assert (status, body.decode().split(" (")[0]) == (503, "query: no answer within 1 s")
        assert select(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the server still answers


def test_port_in_use_is_one_clear_error_before_loading(tmp_path):
    missing = tmp_path / "never-read.nq"  # not loaded: the port is looked at first
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServerError, match=rf"^127.0.0.1:{port}: port already in use"):
            with running_server(missing, port=port, startup=10):
                pass


def test_an_unparseable_graph_is_one_clear_line(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_text('<http://x.org/a> <http://x.org/b> "open <http://x.org/g> .\n', encoding="utf-8")
    with pytest.raises(InputError) as failed:
        with running_server(path, port=free_port()):
            pass
    message = str(failed.value)
    assert message.startswith(f"{path}: not a readable RDF file (Parser error") and "_start" not in message
    assert "\n" not in message


# ---- kg serve as a process ---------------------------------------------------------

def start_cli(graph: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", "serve", str(graph), "--port", str(port), *extra],
                            stderr=subprocess.PIPE, text=True)


def wait_for_endpoint(process: subprocess.Popen) -> str:
    line = ""
    deadline = time.monotonic() + 30
    while "SPARQL endpoint" not in line and time.monotonic() < deadline and process.poll() is None:
        line = process.stderr.readline()
    assert "SPARQL endpoint" in line, line
    return line


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    # A zombie no longer runs nor listens, once its last thread is gone: the leader of a killed
    # multi-threaded process shows Z while its other threads still hold its files (and our lock).
    try:
        threads = len(list(Path(f"/proc/{pid}/task").iterdir()))
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status and threads <= 1


def wait_until(condition, limit: float = 30) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_cli_serve_stops_cleanly_on_sigterm(graph_file):
    port = free_port()
    process = start_cli(graph_file, port)
    try:
        assert f"http://127.0.0.1:{port}/query" in wait_for_endpoint(process)
        assert len(select(f"http://127.0.0.1:{port}", ANY)) == 2
        process.terminate()
        assert process.wait(timeout=20) == 0  # a requested stop is not an error
        assert "stopping" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert not answers(f"http://127.0.0.1:{port}")


def test_a_second_server_on_the_same_port_exits_2_and_the_first_keeps_its_graph(graph_file, tmp_path):
    port = free_port()
    first = start_cli(graph_file, port)
    try:
        wait_for_endpoint(first)
        other = tmp_path / "other.nq"
        other.write_text(NQUADS.replace('"62"', '"7"'), encoding="utf-8")
        second = subprocess.run([sys.executable, "-m", "kg", "serve", str(other), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [f"kg: error: 127.0.0.1:{port}: port already in use "
                                                      f"(another kg serve? choose another with --port)"]
        assert sorted(b["v"]["value"] for b in select(f"http://127.0.0.1:{port}", ANY)) == ["1.61", "62"]
    finally:
        first.kill()
        first.wait()


def test_the_death_of_oxigraph_ends_kg_serve_with_exit_2(graph_file):
    process = start_cli(graph_file, free_port())
    try:
        wait_for_endpoint(process)
        (child,) = children(process.pid)
        os.kill(child, signal.SIGKILL)
        assert process.wait(timeout=30) == 2
        assert "the oxigraph server stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()


def test_kill_9_of_kg_serve_leaves_no_server_and_its_store_is_swept(graph_file):
    port = free_port()
    process = start_cli(graph_file, port)
    try:
        wait_for_endpoint(process)
        (child,) = children(process.pid)
        command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        store = Path(os.fsdecode(command[command.index(b"--location") + 1]))
        private = command[command.index(b"--bind") + 1].decode()
        process.kill()
        process.wait()
        assert wait_until(lambda: gone(child)), "oxigraph outlived kg serve"
        assert not answers(f"http://{private}")
        # kill -9 leaves no time to clean up: the next server sweeps the folder (a concurrent run may be first).
        with running_server(graph_file, port=free_port()):
            assert not store.parent.exists()
    finally:
        if process.poll() is None:
            process.kill()
