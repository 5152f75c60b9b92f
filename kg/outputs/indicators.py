"""``OUT/indicators.csv`` (and ``indicators.parquet`` when pyarrow is installed): every metric as a tidy row.

One row per metric of every report, read from the extraction JSON (``OUT/extractions/<id>.json``),
so pandas or R can compare indicators across governments and years at once::

    import pandas as pd
    df = pd.read_csv("out/indicators.csv", dtype={"division_code": str})
    df[df.indicator == "admin-review-received"].pivot(index="division_code", columns="year", values="value")

Rows are sorted by report id and position in the text, so the same reports give the same bytes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from kg.io import atomic_write

__all__ = ["write_indicators", "indicator_rows", "rows_csv", "assemble_indicators", "COLUMNS"]

# The contract's columns first, then the ones that explain a row.
COLUMNS = ("report", "jurisdiction", "division_code", "year", "indicator", "indicator_label", "value", "unit",
           "approx", "metric", "start", "end", "text",
           "division_name", "division_level", "department", "subject", "kind", "period", "derived",
           "indicator_method", "indicator_confidence")


def indicator_rows(extraction_jsons: Iterable[dict]) -> list[dict]:
    """The table's rows (dicts keyed by :data:`COLUMNS`), in their deterministic order."""
    from kg.identity.indicators import indicator_scheme

    labels = {i.id: i.label for i in indicator_scheme().values()}
    rows = []
    for contract in extraction_jsons:
        report = contract.get("report") or {}
        division = report.get("division") or {}
        for metric in contract.get("metrics", []):
            indicator = metric.get("indicator") or ""
            rows.append({
                "report": report.get("id"), "jurisdiction": report.get("jurisdiction"),
                "division_code": division.get("code"), "year": report.get("year"),
                "indicator": indicator, "indicator_label": labels.get(indicator, ""),
                "value": metric["value"], "unit": metric["unit"], "approx": bool(metric.get("approx")),
                "metric": metric["id"], "start": metric["start"], "end": metric["end"], "text": metric["text"],
                "division_name": division.get("name"), "division_level": division.get("level"),
                "department": report.get("department"), "subject": metric.get("subject"),
                "kind": metric.get("kind"), "period": metric.get("period"),
                "derived": bool(metric.get("derived")),
                "indicator_method": metric.get("indicator_method"),
                "indicator_confidence": metric.get("indicator_confidence"),
            })
    rows.sort(key=lambda r: (str(r["report"]), r["start"], r["end"], r["metric"]))
    return rows


def _csv_text(rows: list[dict]) -> str:
    return header_csv() + rows_csv(rows)


def header_csv() -> str:
    return ",".join(COLUMNS) + "\n"


def rows_csv(rows: list[dict]) -> str:
    """The CSV lines of ``rows`` without the header: one report's piece of ``indicators.csv``."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    for row in rows:
        writer.writerow({k: ("" if v is None else "true" if v is True else "false" if v is False else v)
                         for k, v in row.items()})
    return buffer.getvalue()


def write_indicators(extraction_jsons: Iterable[dict], out: Path) -> list[Path]:
    """Write ``out/indicators.csv`` (UTF-8, a header row) and, with pyarrow, ``out/indicators.parquet``.

    Returns the paths written.
    """
    out = Path(out)
    rows = indicator_rows(extraction_jsons)
    written = [out / "indicators.csv"]
    atomic_write(written[0], _csv_text(rows).encode("utf-8"))
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return written
    table = pa.table({name: [row[name] for row in rows] for name in COLUMNS}, schema=_schema(pa))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    written.append(out / "indicators.parquet")
    atomic_write(written[1], sink.getvalue().to_pybytes())
    return written


_PARQUET_BLOCK = 16 << 20  # bytes of CSV per Parquet row group


def assemble_indicators(pieces: Iterable[Path], out: Path) -> list[Path]:
    """``indicators.csv`` from each report's rows (:func:`rows_csv`, in report order), and its Parquet twin.

    A build writes each report's rows where it extracts the report; this only
    joins them, so a corpus never has all its rows in memory as Python objects.
    """
    from kg.io import atomic_path

    out = Path(out)
    written = [out / "indicators.csv"]
    with atomic_path(written[0]) as tmp, open(tmp, "wb") as handle:
        handle.write(header_csv().encode("utf-8"))
        for piece in pieces:
            handle.write(piece.read_bytes())
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
    except ImportError:
        return written
    schema = _schema(pa)
    written.append(out / "indicators.parquet")
    # Read and written a block at a time (a row group each): a corpus's rows whole take hundreds of megabytes.
    batches = pacsv.open_csv(written[0], read_options=pacsv.ReadOptions(block_size=_PARQUET_BLOCK),
                             convert_options=pacsv.ConvertOptions(column_types=schema, true_values=["true"],
                                                                  false_values=["false"], strings_can_be_null=True))
    with atomic_path(written[1]) as tmp, pq.ParquetWriter(str(tmp), schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    pa.default_memory_pool().release_unused()  # Arrow's allocator keeps what it freed; the build goes on
    return written


def _schema(pa):
    text, integer, number, flag = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    types = {"year": integer, "start": integer, "end": integer, "value": number, "approx": flag, "derived": flag,
             "indicator_confidence": number}
    return pa.schema([(name, types.get(name, text)) for name in COLUMNS])
