"""The pipeline, read top to bottom: one report through the stages, and ``kg build`` over many.

:func:`extract` runs the stages of one report in turn —
read → structure → metrics → entities → link → resolve — giving one
:class:`~kg.model.Extraction`. :func:`build` is the orchestrator of
``kg build``: find the inputs → extract them (a pool of worker processes) →
write the graph files → analyse → export.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.identity.resolve import resolve_report
from kg.errors import KgError, OutputError
from kg.extraction.entities import extract_entities
from kg.extraction.link import link_items
from kg.extraction.metadata import report_metadata
from kg.extraction.metrics import attach_entities, extract_metrics
from kg.extraction.script import restore_original, to_simplified
from kg.extraction.structure import segment
from kg.model import Extraction, ReportMeta
from kg.readers import read_document

__all__ = ["extract", "extract_text", "build", "report_contents", "warm_up", "BuildResult", "EXPORT_REPORT_LIMIT"]

# A corpus build (more than this many reports) writes neither the visualiser exports,
# the viewer nor the per-report analysis unless asked: they cost about a second a
# report and no viewer shows a corpus usefully; corpus.html is the corpus view.
# `kg export`, `kg analyze`, `--exports` and `--analysis` still make them.
EXPORT_REPORT_LIMIT = 1
# graph.ttl, one Turtle file of every report, up to this many (graph.nq and graph.trig always).
UNION_TURTLE_LIMIT = 100
# Nor for one report whose graph is larger than this (a 3 MB text, some 300 ordinary reports):
# the exports would be gigabytes and the analysis hours.
EXPORT_GRAPH_BYTES = 100 * 2**20
_BARE_CR = re.compile(r"\r(?!\n)")


def extract(path: str | Path) -> Extraction:
    """Run the whole extraction on one report file.

    >>> from kg.resources import bundled_report
    >>> x = extract(bundled_report())
    >>> len(x.problems), len(x.plans)
    (8, 5)
    """
    meta, text = read_document(path)
    return extract_text(text, meta)


def extract_text(text: str, meta: ReportMeta | None = None) -> Extraction:
    """Run the extraction on text already decoded (``meta`` defaults to what the text says)."""
    if meta is None:
        meta = ReportMeta(id="report", source="<text>", encoding="utf-8", sha256="")
    simplified = to_simplified(text)  # the stages read simplified characters; offsets are the same
    if simplified != text:
        meta.script = "traditional"
    view = _BARE_CR.sub("\n", simplified)  # old Mac line ends: a line end the stages know, one for one
    meta = report_metadata(view, meta)
    structure = segment(view)
    extraction = Extraction(report=meta, text=view, sections=structure.sections, items=structure.items,
                            warnings=list(structure.warnings))
    if not structure.sections:
        extraction.warnings.append("no sections recognised: metrics and entities extracted without structure")
    extraction.metrics, extraction.checks = extract_metrics(view, extraction.items)
    extraction.entities, extraction.relations = extract_entities(view, extraction.items, meta)
    attach_entities(extraction.metrics, extraction.entities, extraction.relations)
    extraction.links, extraction.gaps = link_items(extraction)
    if view != text:
        restore_original(extraction, text)
    resolve_report(extraction)
    return extraction


@dataclass
class BuildResult:
    out: Path
    built: list[str] = field(default_factory=list)  # report ids extracted by this build
    reused: list[str] = field(default_factory=list)  # report ids kept from the previous build (unchanged)
    resumed: list[str] = field(default_factory=list)  # of ``built``: finished by a killed build, taken from it
    failed: list[str] = field(default_factory=list)  # one-line error messages
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def reports(self) -> list[str]:
        """Every report the output now holds."""
        return sorted(self.built + self.reused)


def build(
    paths: Iterable[str | Path] | None = None,
    out: str | Path = "out",
    *,
    base: str | None = None,
    workers: int | None = None,
    analyse: bool | None = None,
    exports: bool | None = None,
    progress: bool | None = None,
    on_error: Callable[[str], None] | None = None,
    scheduler: str | None = None,
    rebuild: bool = False,
    urls: Iterable[str] = (),
    refetch: bool = False,
    fetch_options: dict | None = None,
) -> BuildResult:
    """Build the knowledge graph of one or more reports into ``out``: find → extract → graph → analyse → export.

    With no paths, builds the bundled sample report; ``base`` defaults to
    :data:`kg.rdf.namespaces.DEFAULT_BASE`, ``workers`` to the usable cores.
    A report that cannot be read is reported (``result.failed``) and the
    others are still built. Into a folder built before, only reports whose
    file or extraction version changed are extracted again (``rebuild``
    extracts all). ``analyse=None`` and ``exports=None`` write the analysis,
    the visualiser exports and the viewer for up to ``EXPORT_REPORT_LIMIT``
    reports. ``scheduler`` runs the extraction on Dask (``"local"`` or
    ``"tcp://HOST:PORT"``). ``urls`` are fetched into ``OUT/sources/`` and built
    like files (pages an earlier build fetched are reused unless ``refetch``;
    ``fetch_options``: ``delay``, ``timeout``, ``retries`` of
    :func:`kg.readers.fetch.fetch_reports`). The output is written beside
    ``out`` and swapped in whole at the end: a build that fails leaves the
    previous one as it was.
    """
    from kg.extraction import check_rules
    from kg.io import staged_output
    from kg.rdf.files import copy_ontology
    from kg.rdf.namespaces import DEFAULT_BASE
    from kg.rdf.triples import check_base
    from kg.store.generation import Generation

    base = DEFAULT_BASE if base is None else base
    check_base(base)
    check_rules()  # a bad data file is one line naming it, before any report is blamed
    urls = list(urls)
    result = BuildResult(out=Path(out))
    reports = _inputs(paths, urls, result)

    def fail(message: str) -> None:
        result.failed.append(message)
        if on_error:
            on_error(message)

    with staged_output(out) as stage:
        generation = Generation(stage.path, stage.previous, base, rebuild=rebuild, interrupted=stage.interrupted)
        try:
            if urls:  # 0. pages from the web, kept beside the output
                reports += generation.fetch(urls, fail, refetch=refetch, **(fetch_options or {}))
            todo = generation.reuse_unchanged(reports)  # 1. what changed since the last build
            _extract(todo, generation, result, fail, workers=workers, scheduler=scheduler,  # 2. extract
                     progress=progress if progress is not None else (len(todo) > 1 and sys.stderr.isatty()))
            if not result.built and not (result.reused and not result.failed):
                stage.cancel()  # nothing new could be built: the previous output stays as it was
                return result
            many = len(result.reports) > EXPORT_REPORT_LIMIT
            _corpus_outputs(generation)  # 3. across reports: corpus.json, corpus.html, indicators, corpus graph
            union = len(result.reports) <= UNION_TURTLE_LIMIT or bool(exports)
            generation.write_graph_files(union=union)  # 4. graph files, store, manifest
        finally:
            generation.close()
        copy_ontology(stage.path)
        many = many or (stage.path / "graph.trig").stat().st_size > EXPORT_GRAPH_BYTES
        _decide_exports(result, stage.out, many, analyse, exports)
        _analyse_and_export(stage.path, analyse=not many if analyse is None else analyse,  # 5. analyse, export
                            exports=not many if exports is None else exports)
    return result


def _inputs(paths: Iterable[str | Path] | None, urls: list[str], result: BuildResult) -> list[Path]:
    """The report files of ``paths`` (folders expanded), or the bundled report when none is given."""
    from kg.io import find_reports
    from kg.readers import SUFFIXES
    from kg.resources import bundled_report

    if not paths:
        return [] if urls else [bundled_report()]
    reports, skipped = find_reports(paths, SUFFIXES)
    _warn_skipped(result, skipped, SUFFIXES)
    return reports


def _extract(todo: list[Path], generation, result: BuildResult, fail: Callable[[str], None], *,
             workers: int | None, scheduler: str | None, progress: bool) -> None:
    """Extract the reports of ``todo`` (a pool of workers, or Dask) into the generation."""
    from kg.workers import extract_many, usable_cores, with_progress

    workers = workers or usable_cores()
    if scheduler:
        from kg.cluster import extract_on_dask

        outcomes = extract_on_dask(todo, report_contents, base=generation.base, spool=generation.spool,
                                   scheduler=scheduler, workers=workers, warm_up=warm_up)
    else:
        outcomes = extract_many(todo, report_contents, base=generation.base, spool=generation.spool,
                                workers=workers, warm_up=warm_up)
    for path, outcome in with_progress(outcomes, len(todo), progress):
        if isinstance(outcome, KgError):
            fail(str(outcome))
        elif generation.add(path, outcome, fail):
            result.warnings.extend(f"{path}: {w}" for w in outcome.warnings)
    result.built, result.reused = list(generation.built), list(generation.reused)
    result.resumed = list(generation.resumed)


def report_contents(path: Path, base: str, folder: Path) -> tuple[str, str, list[str], dict[str, bytes | Path]] | KgError:
    """One report through the whole per-report path: what each worker runs.

    Returns (report id, sha256, warnings, {kind: bytes or file}) with the
    extraction JSON, the graph in N-Quads and as a TriG block (files in
    ``folder``, written as they are made: a huge report's graph is never whole
    in memory), its rows of ``indicators.csv``, its part of the corpus graph and
    its card for the summary; an error the user can fix is returned (a batch
    goes on), not raised.
    """
    import json

    from kg.compare.summary import report_card
    from kg.outputs.indicators import indicator_rows, rows_csv
    from kg.rdf.corpus import corpus_ntriples

    try:
        extraction = extract(path)
        contents: dict[str, bytes | Path] = _graph_files(extraction, base, folder)
    except KgError as err:
        return err
    except Exception as err:  # noqa: BLE001 - one report's bug must not stop a batch
        return KgError(f"{path}: internal error while extracting ({type(err).__name__}: {err}); "
                       "please report it with this file")
    meta, warnings = extraction.report, list(extraction.warnings)
    contract = extraction.to_contract()
    del extraction  # the model is no longer needed: a huge report's JSON is made without it
    # Compact: json's C encoder (with indent it uses the Python one, several ms a report).
    contents["json"] = (json.dumps(contract, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    contents["csv"] = rows_csv(indicator_rows([contract])).encode("utf-8")
    contents["corpus"] = corpus_ntriples([contract], base).encode("utf-8")
    contents["card"] = json.dumps(report_card(contract), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return meta.id, meta.sha256, warnings, contents


def _graph_files(extraction, base: str, folder: Path) -> dict[str, Path]:
    """The report's graph as N-Quads and TriG block files in ``folder`` (:func:`kg.rdf.files.graph_pieces`)."""
    import os
    import tempfile

    from kg.errors import OutputError
    from kg.rdf.files import graph_pieces, spooled_file
    from kg.rdf.triples import graph_iri, write_ntriples

    try:
        with spooled_file(folder) as ntriples:  # in memory unless the report is huge
            write_ntriples(extraction, base, ntriples)
            descriptor, name = tempfile.mkstemp(dir=folder, suffix=".nq")  # a stem no other worker takes
            os.close(descriptor)
            return graph_pieces(ntriples, graph_iri(base, extraction.report.id), folder, Path(name).stem)
    except OSError as err:
        raise OutputError(f"{folder}: cannot write build files ({err.strerror or err})") from None


def warm_up() -> None:
    """Load the pipeline's rules and segmenter once (before workers are forked, or in a Dask worker)."""
    from kg.extraction import check_rules
    from kg.extraction.nlp import get_nlp

    check_rules()
    get_nlp()


def _warn_skipped(result: BuildResult, skipped: list[Path], suffixes: tuple[str, ...]) -> None:
    if skipped:
        names = ", ".join(str(p) for p in skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        result.warnings.append(f"{len(skipped)} file(s) of an unknown kind not read: {names} "
                               f"(reports are {', '.join('*' + s for s in suffixes)})")


def _decide_exports(result: BuildResult, out: Path, many: bool, analyse: bool | None, exports: bool | None) -> None:
    what = f"{len(result.reports)} reports: a corpus build" if len(result.reports) > EXPORT_REPORT_LIMIT else \
        f"a graph over {EXPORT_GRAPH_BYTES >> 20} MB of TriG: the build"
    if many and exports is None:
        turtle = "" if len(result.reports) <= UNION_TURTLE_LIMIT else f", nor graph.ttl above {UNION_TURTLE_LIMIT}"
        result.warnings.append(
            f"{what} writes no visualiser exports or viewer{turtle} "
            f"(graph.nq, graph.trig and the store hold the graph; run `kg export {out} --to FORMAT`, "
            f"or build with --exports)")
    if many and analyse is None:
        result.warnings.append(
            f"{what} writes no per-report analysis "
            f"(run `kg analyze {out}`, or build with --analysis); corpus.html is the corpus view")


def _corpus_outputs(generation) -> None:
    """Across reports, once every report is in: corpus.json, corpus.html, indicators.csv and the corpus graph."""
    import json
    from functools import partial

    from kg.compare.summary import summarise, write_corpus_json
    from kg.outputs.dashboard import write_dashboard
    from kg.outputs.indicators import assemble_indicators
    from kg.rdf.comparisons import write_comparisons
    from kg.rdf.corpus import corpus_graph_iri
    from kg.rdf.files import graph_pieces, write_unique_lines
    from kg.rdf.triples import shared_iri

    base = generation.base
    assemble_indicators(generation.side_files("csv"), generation.path)  # first: while memory holds least
    cards = [json.loads(path.read_bytes()) for path in generation.side_files("card")]
    summary = summarise(cards, generation.load_extraction, shared_iri=partial(shared_iri, base),
                        cache=generation.series_cache())
    write_corpus_json(summary, generation.path)
    hashes = {card["report"]["id"]: card["report"].get("sha256") for card in cards}
    del cards  # the summary holds what the page needs of them
    write_dashboard(summary, generation.load_extraction, generation.path, cache=generation.series_cache("dashboard"),
                    hashes=hashes)
    comparisons, ntriples = generation.spool / "comparisons.nt", generation.spool / "corpus.nt"
    with open(comparisons, "wb") as handle:
        write_comparisons(summary, base, handle)
    del summary
    # With each report's divisions and shared nodes, which recur: sorted, each once, on disk.
    write_unique_lines([comparisons, *generation.side_files("corpus")], ntriples)
    # A corpus's graph is hundreds of megabytes of Turtle: straight to disk.
    generation.add_corpus_graph(graph_pieces(ntriples, corpus_graph_iri(base), generation.spool, "corpus",
                                             in_memory=1 << 20))


def _analyse_and_export(out: Path, *, analyse: bool, exports: bool) -> None:
    """The analysis and the exports of the graph just written; a failure of one does not stop the other."""
    errors = []
    for name, wanted in (("analysis", analyse), ("exports", exports)):
        if not wanted:
            continue
        try:
            if name == "analysis":
                from kg.outputs.analysis import analyze

                analyze(out / "graph.trig", out)
            else:
                from kg.outputs.export import export_all

                export_all(out / "graph.trig", out)
        except KgError as err:
            errors.append(str(err))
        except Exception as err:  # a bug: reported like an error, and the other step still runs
            errors.append(f"{out}: {name} failed ({type(err).__name__}: {err})")
    if errors:
        raise OutputError("; ".join(errors))
