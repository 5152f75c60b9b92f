"""The pipeline, read top to bottom: one report through the stages, and ``kg build`` over many.

:func:`extract` runs the stages of one report in turn —
read → structure → metrics → entities → link → resolve — giving one
:class:`~kg.model.Extraction`. :func:`build` is the orchestrator of
``kg build``: find the inputs → extract them (a pool of worker processes) →
write the graph files → analyse → export.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus.resolve import resolve_report
from kg.errors import KgError, OutputError
from kg.extraction.entities import extract_entities
from kg.extraction.link import link_items
from kg.extraction.metadata import report_metadata
from kg.extraction.metrics import attach_entities, extract_metrics
from kg.extraction.script import restore_original, to_simplified
from kg.extraction.structure import segment
from kg.model import Extraction, ReportMeta
from kg.readers import read_document

__all__ = ["extract", "extract_text", "build", "BuildResult", "EXPORT_REPORT_LIMIT"]

# Above this many reports the visualiser exports and the viewer are not written by
# default: a property graph of hundreds of thousands of nodes costs minutes and
# gigabytes, and no viewer shows it usefully. `kg export` or `--exports` still make them.
EXPORT_REPORT_LIMIT = 100


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
    view = to_simplified(text)  # the stages read simplified characters; offsets are the same
    if view != text:
        meta.script = "traditional"
    meta = report_metadata(view, meta)
    structure = segment(view)
    extraction = Extraction(report=meta, text=view, sections=structure.sections, items=structure.items)
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
    built: list[str] = field(default_factory=list)  # report ids
    failed: list[str] = field(default_factory=list)  # one-line error messages
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def build(
    paths: Iterable[str | Path] | None = None,
    out: str | Path = "out",
    *,
    base: str | None = None,
    workers: int = 1,
    analyse: bool = True,
    exports: bool | None = None,
    progress: bool | None = None,
    on_error: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the knowledge graph of one or more reports into ``out``.

    With no paths, builds the bundled sample report; ``base`` defaults to
    :data:`kg.rdf.namespaces.DEFAULT_BASE`. A report that cannot be
    read is reported (``result.failed``) and the others are still built.
    ``exports=None`` writes the exports and the viewer for up to
    ``EXPORT_REPORT_LIMIT`` reports.
    """
    from kg.io import check_writable, find_reports
    from kg.rdf.namespaces import DEFAULT_BASE
    from kg.rdf.files import copy_ontology, write_graph_files
    from kg.rdf.triples import check_base, graph_iri
    from kg.resources import bundled_report

    out = Path(out)
    base = DEFAULT_BASE if base is None else base
    check_base(base)
    from kg.readers import SUFFIXES

    reports, skipped = find_reports(paths, SUFFIXES) if paths else ([bundled_report()], [])
    check_writable(out)
    result = BuildResult(out=out)
    if skipped:
        names = ", ".join(str(p) for p in skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        result.warnings.append(f"{len(skipped)} file(s) of an unknown kind not read: {names} "
                               f"(reports are {', '.join('*' + s for s in SUFFIXES)})")
    show_progress = progress if progress is not None else (len(reports) > 1 and sys.stderr.isatty())
    # Workers write each report's N-Triples and JSON into a spool beside the outputs
    # (same file system, so a JSON is renamed into place atomically); memory stays flat on a corpus.
    spool = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        parts = _extract_all(reports, out, spool, result, base=base, workers=workers,
                             progress=show_progress, on_error=on_error)
        if not result.built:
            return result
        write_graph_files(out, [(graph_iri(base, report_id), part) for report_id, part in sorted(parts)])
        copy_ontology(out)
        if exports is None:
            exports = len(result.built) <= EXPORT_REPORT_LIMIT
            if not exports:
                result.warnings.append(
                    f"{len(result.built)} reports: exports and viewer not written above {EXPORT_REPORT_LIMIT} reports "
                    f"(run `kg export {out} --to FORMAT`, or build with --exports)")
        _analyse_and_export(out, analyse=analyse, exports=exports)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    return result


def _extract_all(reports: list[Path], out: Path, spool: Path, result: BuildResult, *, base: str, workers: int,
                 progress: bool, on_error: Callable[[str], None] | None) -> list[tuple[str, Path]]:
    """Extract every report (in parallel when asked); return (report id, N-Triples file) of those built."""
    import os

    from kg.io import make_ordinary
    from kg.workers import extract_many

    def fail(message: str) -> None:
        result.failed.append(message)
        if on_error:
            on_error(message)

    parts: list[tuple[str, Path]] = []
    seen_ids: dict[str, Path] = {}
    extractions_dir = out / "extractions"
    for path, outcome in extract_many(reports, base=base, workers=workers, progress=progress, spool=spool):
        if isinstance(outcome, KgError):
            fail(str(outcome))
            continue
        report_id, ntriples_file, contract_file, warnings = outcome
        if report_id in seen_ids:
            fail(f"{path}: report id {report_id!r} already used by {seen_ids[report_id]}; rename one file")
            continue
        seen_ids[report_id] = path
        result.warnings.extend(f"{path}: {w}" for w in warnings)
        parts.append((report_id, ntriples_file))
        extractions_dir.mkdir(parents=True, exist_ok=True)
        make_ordinary(contract_file)
        os.replace(contract_file, extractions_dir / f"{report_id}.json")
        result.built.append(report_id)
    return parts


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
