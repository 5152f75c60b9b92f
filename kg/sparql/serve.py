"""``kg serve``: a read-only SPARQL endpoint over a built graph, run by the real ``oxigraph`` server.

The graph is bulk-loaded into an Oxigraph store in a temporary folder, then
``oxigraph serve-read-only`` answers the SPARQL protocol at ``/query`` (its
query page at ``/``) with the union of the reports' named graphs as the default
graph and a query timeout. Updates are refused by the server itself (HTTP 403).
Ctrl-C or SIGTERM stops the server and removes the temporary store.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import KgError

__all__ = ["serve", "running_server", "oxigraph_binary", "load_into", "ServerError"]


class ServerError(KgError):
    """The oxigraph server could not be found, started or reached."""


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable of the PyPI package ``oxigraph``, next to this Python first."""
    beside_python = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    found = shutil.which("oxigraph", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                          os.environ.get("PATH", "")]))
    if found:
        return found
    raise ServerError("the oxigraph server is not installed; run: pip install oxigraph")


def load_into(graph, location: Path) -> None:
    """Bulk-load GRAPH (a file or an ``OUT/`` folder) into an on-disk Oxigraph store at LOCATION."""
    from kg.rdf.load import resolve_graph

    path = resolve_graph(graph)
    command = [oxigraph_binary(), "load", "--location", str(location), "--file", str(path)]
    if path.suffix.lower() in (".ttl", ".nt"):
        from kg.sparql.query import TRIPLES_GRAPH

        command += ["--graph", TRIPLES_GRAPH]  # the questions look inside GRAPH ?graph
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ServerError(f"{path}: oxigraph could not load it ({detail[-1] if detail else 'exit ' + str(done.returncode)})")


@contextmanager
def running_server(graph, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
                   *, writable: bool = False, startup: float = 30.0) -> Iterator[str]:
    """Load GRAPH (or nothing, when ``graph`` is None) and run the server; yield its base URL.

    ``writable=True`` runs ``oxigraph serve`` instead of ``serve-read-only``
    (tests use it as a Graph Store Protocol target).
    """
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as tmp:
        location = Path(tmp) / "store"
        if graph is not None:
            load_into(graph, location)
        else:
            location.mkdir()
        command = [oxigraph_binary(), "serve" if writable else "serve-read-only",
                   "--location", str(location), "--bind", f"{host}:{port}",
                   "--union-default-graph", "--timeout-s", str(max(1, round(timeout)))]
        log = open(Path(tmp) / "server.log", "w+b")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            url = f"http://{_url_host(host)}:{port}"
            _wait_until_up(process, url, startup, log)
            yield url
        finally:
            _stop(process)
            log.close()


def serve(graph, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0,
          echo: Callable[[str], None] = print) -> None:
    """Serve GRAPH read-only until Ctrl-C or SIGTERM."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        echo(f"loading {graph} …")
        with running_server(graph, host, port, timeout) as url:
            echo(f"SPARQL endpoint: {url}/query   query page: {url}/   (read-only; Ctrl-C to stop)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                echo("stopping …")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _wait_until_up(process: subprocess.Popen, url: str, startup: float, log) -> None:
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            lines = log.read().decode("utf-8", "replace").strip().splitlines()
            raise ServerError(f"the oxigraph server stopped at start ({lines[-1] if lines else 'no message'}); "
                              f"is the port already in use?")
        try:
            with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise ServerError(f"the oxigraph server did not answer at {url} within {startup:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
