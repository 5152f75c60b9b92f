"""``kg build``: reports → ``OUT/`` with the graph, a copy of the ontology, the analysis and the exports.

Files are written to a temporary name and renamed into place, so a failed run
never leaves a half-written file where a good one was.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, KgError, OutputError
from .namespaces import DEFAULT_BASE, KIND, PREFIXES, UNIT
from .rdf import graph_iri
from .resources import bundled_report, ontology_dir

__all__ = ["BuildResult", "build", "EXPORT_REPORT_LIMIT", "find_reports", "atomic_write", "atomic_path", "REPORT_SUFFIXES"]

REPORT_SUFFIXES = (".txt", ".text")
# Above this many reports the visualiser exports and the viewer are not written by
# default: a property graph of hundreds of thousands of nodes costs minutes and
# gigabytes, and no viewer shows it usefully. `kg export` or `--exports` still make them.
EXPORT_REPORT_LIMIT = 100


@dataclass
class BuildResult:
    out: Path
    built: list[str] = field(default_factory=list)  # report ids
    failed: list[str] = field(default_factory=list)  # one-line error messages
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def find_reports(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the report files they hold (sorted); keep files as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            if not inside:
                raise InputError(f"{path}: folder holds no reports (*.txt)")
            found.extend(inside)
        else:
            found.append(path)  # a missing file is reported by the reader, with the others built
    return found


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
    except OSError as err:
        raise OutputError(f"{target.parent}: cannot write output here ({err.strerror or err})") from None
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except OSError as err:  # say which file (a folder in its place, a vanished parent)
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: setting it is process-wide


def atomic_write(target: Path, data: str | bytes) -> None:
    with atomic_path(target) as tmp:
        try:
            if isinstance(data, str):
                tmp.write_text(data, encoding="utf-8", newline="\n")
            else:
                tmp.write_bytes(data)
        except OSError as err:
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out}: cannot create output folder ({err.strerror or err})") from None
    if not os.access(out, os.W_OK):
        raise OutputError(f"{out}: output folder is not writable")


def build(
    paths: Iterable[str | Path] | None = None,
    out: str | Path = "out",
    *,
    base: str = DEFAULT_BASE,
    workers: int = 1,
    analyse: bool = True,
    exports: bool | None = None,
    progress: bool | None = None,
    on_error: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the knowledge graph of one or more reports into ``out``.

    With no paths, builds the bundled sample report. A report that cannot be
    read is reported (``result.failed``) and the others are still built.
    ``exports=None`` writes the exports and the viewer for up to
    ``EXPORT_REPORT_LIMIT`` reports.
    """
    from .corpus import extract_many

    out = Path(out)
    check_base(base)
    reports = find_reports(paths) if paths else [bundled_report()]
    _check_writable(out)
    result = BuildResult(out=out)
    graph_parts: list[tuple[str, Path]] = []  # (report id, its N-Triples file in the spool)
    extractions_dir = out / "extractions"
    show_progress = progress if progress is not None else (len(reports) > 1 and sys.stderr.isatty())
    seen_ids: dict[str, Path] = {}
    # The analysis and the exports only read graph.trig; processes forked now import
    # their libraries on the second core while this one imports spaCy and extracts.
    may_export = exports if exports is not None else len(reports) <= EXPORT_REPORT_LIMIT
    finishers = _Finisher.start_all(out) if analyse or may_export else []
    # Workers write each report's N-Triples and JSON into a spool beside the outputs (same file
    # system, so a JSON is renamed into place atomically); memory stays flat on a corpus.
    spool = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        for path, outcome in extract_many(reports, base=base, workers=workers, progress=show_progress,
                                          spool=spool):
            if isinstance(outcome, KgError):
                result.failed.append(str(outcome))
                if on_error:
                    on_error(str(outcome))
                continue
            report_id, ntriples_file, contract_file, warnings = outcome
            if report_id in seen_ids:
                message = f"{path}: report id {report_id!r} already used by {seen_ids[report_id]}; rename one file"
                result.failed.append(message)
                if on_error:
                    on_error(message)
                continue
            seen_ids[report_id] = path
            result.warnings.extend(f"{path}: {w}" for w in warnings)
            graph_parts.append((report_id, ntriples_file))
            extractions_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(contract_file, 0o666 & ~_UMASK)
            os.replace(contract_file, extractions_dir / f"{report_id}.json")
            result.built.append(report_id)
        if not result.built:
            return result
        write_graph_files(out, [(graph_iri(base, report_id), part) for report_id, part in sorted(graph_parts)])
        _copy_ontology(out)
        if exports is None:
            exports = len(result.built) <= EXPORT_REPORT_LIMIT
            if not exports:
                result.warnings.append(
                    f"{len(result.built)} reports: exports and viewer not written above {EXPORT_REPORT_LIMIT} reports "
                    f"(run `kg export {out} --to FORMAT`, or build with --exports)")
        steps = _finishing_steps(analyse=analyse, exports=bool(exports))
        if finishers:
            _Finisher.run_all(finishers, steps)
        else:
            _finish_graph(out, steps)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
        for finisher in finishers:
            finisher.close()
    return result


# The finishing steps, "analysis" and every export format, in two shares of about equal
# time (analysis 0.09 s; the property graph 0.07 s, then graphml 0.12, jsonld 0.08, gexf 0.04,
# the rest 0.05). Named here, not read from kg.export, which this process need not import.
_SHARES = (("analysis", "jsonld", "gexf"), ("graphml", "cytoscape", "neo4j", "dot", "html"))


def _finishing_steps(*, analyse: bool, exports: bool) -> set[str]:
    steps = {step for share in _SHARES for step in share}
    return {step for step in steps if (analyse if step == "analysis" else exports)}


def _finish_graph(out: Path, steps: set[str]) -> None:
    """The analysis and the exports (those in ``steps``) of the graph just written into ``out``.

    A failure of one does not stop the others; all are reported, in one line, at the end.
    """
    from .analyze import analyze
    from .export import export_all

    formats = steps - {"analysis"}
    errors = []
    for name, step, wanted in (("analysis", analyze, "analysis" in steps),
                               ("exports", partial(export_all, formats=formats), bool(formats))):
        if wanted:
            try:
                step(out / "graph.trig", out)
            except KgError as err:
                errors.append(str(err))
            except Exception as err:  # a bug: reported like an error, and the other step still runs
                errors.append(f"{out}: {name} failed ({type(err).__name__}: {err})")
    if errors:
        raise OutputError("; ".join(errors))


class _Finisher:
    """A share of ``_finish_graph`` in a process forked before extraction, told when the graph is written.

    Where fork is not available, or a child cannot start, the parent finishes
    the graph itself.
    """

    def __init__(self, out: Path, share: tuple[str, ...], process, orders, replies) -> None:
        self.out, self.share, self.process, self.orders, self.replies = out, share, process, orders, replies
        self.working = False

    @classmethod
    def start_all(cls, out: Path) -> list[_Finisher]:
        finishers = []
        for share in _SHARES:
            finisher = cls.start(out, share)
            if finisher is None:
                for started in finishers:
                    started.close()
                return []
            finishers.append(finisher)
        return finishers

    @classmethod
    def start(cls, out: Path, share: tuple[str, ...]) -> _Finisher | None:
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        context = multiprocessing.get_context("fork")
        order_out, order_in = context.Pipe(duplex=False)
        reply_out, reply_in = context.Pipe(duplex=False)
        process = context.Process(target=_finish_in_child, args=(out, order_out, reply_in, (order_in, reply_out)),
                                  name=f"kg-finish-{'-'.join(share)}", daemon=True)
        try:
            process.start()
        except OSError:
            return None
        order_out.close()
        reply_in.close()
        return cls(out, share, process, order_in, reply_out)

    @staticmethod
    def run_all(finishers: list[_Finisher], steps: set[str]) -> None:
        """Give each child its share of ``steps``; wait for all; raise their errors as one OutputError."""
        for finisher in finishers:
            finisher.order(steps & set(finisher.share))
        messages = [message for message in (finisher.wait() for finisher in finishers) if message]
        if messages:
            raise OutputError("; ".join(messages))

    def order(self, steps: set[str]) -> None:
        self.working = True
        try:
            self.orders.send(steps)
        except OSError:
            pass  # the child is gone; wait() says so

    def wait(self) -> str | None:
        try:
            message = self.replies.recv()
        except (EOFError, OSError):  # the child died before it could say
            message = None
        self.process.join()
        self.working = False
        if message is None and self.process.exitcode != 0:
            message = f"{self.out}: the analysis and exports ended with exit code {self.process.exitcode}"
        return message

    def close(self) -> None:
        """Stop the child: waiting for an order (nothing built, or an error) or, interrupted, working."""
        if self.working:
            self.process.terminate()
        elif self.process.exitcode is None:
            try:
                self.orders.send(None)  # said, not left to EOF: forked workers may hold the pipe open
            except OSError:
                pass
        self.orders.close()
        self.process.join()
        self.replies.close()


def _finish_in_child(out: Path, orders, replies, parents_ends) -> None:
    import signal

    from .corpus import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops this process
    # Stopped by the parent (SIGTERM), exit through the temporary files' clean-up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    parent = os.getppid()
    die_with_parent()
    for end in parents_ends:
        end.close()  # else the parent closing its end of the orders would not end recv()
    import numpy  # noqa: F401  (imported while the parent extracts: the layout's)

    from . import analyze, export, viewer  # noqa: F401

    try:
        # Forked workers of the parent hold the pipe open too: if the parent dies, only its pid says so.
        while not orders.poll(1.0):
            if os.getppid() != parent:
                return
        steps = orders.recv()
    except EOFError:
        return
    if steps is None:
        return
    try:
        _finish_graph(out, steps)
        message = None
    except KgError as err:
        message = str(err)
    except Exception as err:  # reported by the parent, which owns the exit code
        message = f"{out}: the analysis and exports failed ({type(err).__name__}: {err})"
    try:
        replies.send(message)
    except OSError:
        pass  # the parent is gone


def check_base(base: str) -> None:
    """A base IRI must be absolute and end where a local name can follow."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+[/#]$", base):
        raise InputError(f"--base {base!r}: not an absolute IRI ending in '/' or '#' "
                         "(for example http://example.org/data/)")


def write_graph_files(out: Path, graphs: Iterable[tuple[str, str | Path]]) -> None:
    """Write ``graph.nq``, ``graph.trig`` (a named graph per report) and ``graph.ttl`` (their union).

    Each of ``graphs`` is a report's graph name and its statements as N-Triples,
    text or the file holding it. One report is in memory at a time, so a corpus
    streams through.
    """
    graphs = list(graphs)
    prefixes = dict(PREFIXES)
    with atomic_path(out / "graph.nq") as nq_tmp, atomic_path(out / "graph.trig") as trig_tmp, \
            atomic_path(out / "graph.ttl") as ttl_tmp:
        if len(graphs) == 1:  # the union is the report's graph: one Turtle serves graph.ttl and graph.trig
            _write_named_graphs(graphs, trig_tmp, prefixes, nquads_path=nq_tmp, turtle_path=ttl_tmp)
            return
        # On a corpus, a forked process writes the named graphs while this one writes the union.
        trig_job = None
        if sum(_size(part) for _, part in graphs) > _PARALLEL_WRITE_BYTES and os.name == "posix":
            import multiprocessing

            trig_job = multiprocessing.get_context("fork").Process(
                target=_write_named_graphs, args=(graphs, trig_tmp, prefixes))
            trig_job.start()
        else:
            _write_named_graphs(graphs, trig_tmp, prefixes)
        fd, union_name = tempfile.mkstemp(prefix=".graph.", suffix=".nt", dir=out)
        try:
            with open(fd, "wb") as union, open(nq_tmp, "wb") as nquads:
                shared_seen: set[bytes] = set()
                for graph, part in graphs:
                    ntriples = _read(part)
                    nquads.write(_as_nquads(ntriples, graph))
                    union.write(_once_shared(ntriples, shared_seen))
            triples = ox.parse(path=union_name, format=ox.RdfFormat.N_TRIPLES, lenient=_LENIENT)
            ox.serialize(triples, output=str(ttl_tmp), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        finally:
            os.unlink(union_name)
            if trig_job is not None:
                trig_job.join()
        if trig_job is not None and trig_job.exitcode != 0:
            raise OutputError(f"{out / 'graph.trig'}: cannot write (exit {trig_job.exitcode})")


_PARALLEL_WRITE_BYTES = 32 << 20
# Our own output (IRIs built by kg.rdf.iri_part, literals escaped there):
# re-validating every IRI costs as much as the rest of the parse.
_LENIENT = True


def _size(part: str | Path) -> int:
    return part.stat().st_size if isinstance(part, Path) else len(part)


def _read(part: str | Path) -> bytes:
    return part.read_bytes() if isinstance(part, Path) else part.encode("utf-8")


def _as_nquads(ntriples: bytes, graph: str) -> bytes:
    # Every N-Triples line ends in " .", and no literal holds a raw line break, so
    # naming the graph there is exact and keeps the statements out of Python objects.
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


def _write_named_graphs(graphs: list[tuple[str, str | Path]], trig_path: Path, prefixes: dict[str, str], *,
                        nquads_path: Path | None = None, turtle_path: Path | None = None) -> None:
    """graph.trig: each report's Turtle as a named graph (and, for one report, graph.nq and graph.ttl)."""
    with open(trig_path, "wb") as trig:
        first = True
        for graph, part in graphs:
            ntriples = _read(part)
            if nquads_path is not None:
                nquads_path.write_bytes(_as_nquads(ntriples, graph))
            if not ntriples:
                continue
            turtle = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=_LENIENT),
                                  format=ox.RdfFormat.TURTLE, prefixes=prefixes)
            if turtle_path is not None:
                turtle_path.write_bytes(turtle)
            trig.write(_named_graph(turtle, f"<{graph}>".encode(), header=first))
            first = False


def _named_graph(turtle: bytes, graph: bytes, *, header: bool) -> bytes:
    """A report's Turtle as a TriG graph block named ``graph``.

    A TriG graph block holds Turtle's triples unchanged; only the ``@prefix``
    lines, which pyoxigraph writes first, go before it (once, when ``header``).
    Lines are indented by a tab as pyoxigraph's own TriG writer does (its
    literals never hold a raw line break), so the block is byte for byte what
    it would write, while one serialisation serves both graph.ttl and graph.trig.
    """
    body_start = 0
    while turtle.startswith(b"@prefix ", body_start):
        body_start = turtle.index(b"\n", body_start) + 1
    body = turtle[body_start:]
    block = b"\t" + body[:-1].replace(b"\n", b"\n\t") + body[-1:] if body else b""
    return (turtle[:body_start] if header else b"") + graph + b" {\n" + block + b"}\n"


def _once_shared(ntriples: bytes, seen: set[bytes]) -> bytes:
    """Unit and kind concepts recur in every report's graph: the union states them once."""
    return _SHARED_LINE.sub(partial(_first_time, seen=seen), b"\n" + ntriples)[1:]


def _first_time(line: re.Match, seen: set[bytes]) -> bytes:
    text = line.group()
    if text in seen:
        return b""
    seen.add(text)
    return text


def _shared_line_pattern() -> re.Pattern:
    """A line (with the line break before it) whose subject is a unit or kind concept.

    The pattern opens with the two namespaces' common literal prefix, which re
    searches for quickly, instead of trying every line start.
    """
    common = os.path.commonprefix([str(UNIT), str(KIND)])
    rests = "|".join(re.escape(str(ns)[len(common):]) for ns in (UNIT, KIND))
    return re.compile(f"\n<{re.escape(common)}(?:{rests})[^\n]*".encode())


_SHARED_LINE = _shared_line_pattern()


def _copy_ontology(out: Path) -> None:
    target = out / "ontology"
    source = ontology_dir()
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.suffix in (".ttl", ".rq", ".json"):
            destination = target / path.relative_to(source)
            atomic_write(destination, path.read_bytes())
