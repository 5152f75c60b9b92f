"""The ``kg`` command: a thin shell over the library.

Each command parses its arguments, calls one library function and turns a
:class:`~kg.errors.KgError` into one line on stderr and an exit code.

Exit codes: 0 success; 1 the answer is "no" (a graph does not conform, some
reports of a batch failed); 2 an error (bad input, unwritable output, bad query).
"""
from __future__ import annotations

import json
import re
import sys
from functools import wraps
from pathlib import Path

import click

from kg import __version__
from kg.errors import KgError
from kg.rdf.namespaces import DEFAULT_BASE

__all__ = ["main"]

EXIT_OK, EXIT_NO, EXIT_ERROR = 0, 1, 2


def _printable(message: str) -> str:
    """A message with control characters (a file name's newline or ESC) shown as escapes, on one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _echo_error(message: str) -> None:
    click.echo(f"kg: error: {_printable(message)}", err=True)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    _echo_error(message)
    sys.exit(code)


def _clean_errors(func):
    """Turn library errors into one line and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KgError as err:
            _fail(str(err), err.exit_code)
        except Terminated:
            _fail("stopped by SIGTERM", 143)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except MemoryError:
            _fail("out of memory")
        except OSError as err:  # one the library did not foresee (a full disk, a vanished folder)
            where = f"{err.filename}: " if getattr(err, "filename", None) else ""
            _fail(f"{where}{err.strerror or err}")
        except BrokenPipeError:
            sys.exit(EXIT_OK)

    return wrapper


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: clean up, keep the previous output, one line."""


def _terminated(signum, frame):
    raise Terminated


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="kg")
def main() -> None:
    """Turn annual reports on law-based government (法治政府建设年度报告) into knowledge graphs.

    \b
    Exit codes: 0 success; 1 the answer is no (does not conform, some reports failed);
    2 an error (bad input, unwritable output, bad query); 130/143 interrupted.

    \b
    Example:
      kg build                       # the bundled report into ./out/
      kg build reports/ -o out/      # every report under reports/
    """
    import signal

    signal.signal(signal.SIGTERM, _terminated)


@main.command()
@click.argument("reports", nargs=-1)  # text, not click.Path: a URL's "//" must survive
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Output folder (replaced as a whole when the build succeeds).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of the data.")
@click.option("--workers", "-j", type=click.IntRange(1), default=None,
              help="Worker processes for a batch  [default: the usable cores]")
@click.option("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
              help="Extract on Dask: a local cluster, or an existing scheduler (needs pip install 'kg[dask]').")
@click.option("--analysis/--no-analysis", "analysis", default=None,
              help="Write analysis.json/.html (default: for a single report).")
@click.option("--exports/--no-exports", default=None,
              help="Write the visualiser exports and the viewer (default: for a single report).")
@click.option("--rebuild", is_flag=True, help="Extract every report again, even those unchanged since the last build.")
@click.option("--urls", "url_file", type=click.Path(path_type=Path), default=None,
              help="A file of report URLs to fetch and build, one a line.")
@click.option("--refetch", is_flag=True, help="Fetch URLs again, even those an earlier build kept in OUT/sources/.")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between two requests to one web site (longer if its robots.txt asks).")
@click.option("--retries", type=click.IntRange(0), default=2, show_default=True, help="Retries of a failed fetch.")
@click.option("--fetch-timeout", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds to wait for a web site.")
@_clean_errors
def build(reports, out, base, workers, scheduler, analysis, exports, rebuild, url_file, refetch, delay, retries,
          fetch_timeout):
    """Build the graph, store, corpus files, analysis, exports and viewer of REPORTS.

    REPORTS are files (.txt, web pages, .docx, .pdf …), folders of them, or
    http(s) URLs, which are fetched politely (robots.txt, a delay per site) and
    kept in OUT/sources/. With no REPORTS, builds the bundled sample report.
    Building into a folder built before extracts only the reports that changed.

    \b
    Example:
      kg build data/reports/puyang-2024.txt -o out/
      kg build reports/ -o corpus/ --workers 2
      kg build https://www.example.gov.cn/art/2024/3/1/art_1.html -o out/
    """
    from kg.pipeline import build as run_build

    paths = [Path(p) for p in reports if not _is_url(p)]
    urls = [p for p in reports if _is_url(p)]
    if url_file is not None:
        from kg.readers.fetch import read_url_list

        urls += read_url_list(url_file)
    result = run_build(
        paths or None, out, base=base, workers=workers, analyse=analysis, exports=exports,
        scheduler=scheduler, rebuild=rebuild, urls=urls, refetch=refetch,
        fetch_options={"delay": delay, "retries": retries, "timeout": fetch_timeout},
        on_error=lambda message: _echo_error(message),
    )
    for warning in result.warnings:
        click.echo(f"kg: warning: {_printable(warning)}", err=True)
    if not result.built and not result.reused:
        sys.exit(EXIT_ERROR)  # each failure has been reported on its own line
    click.echo(_built_line(result), err=True)
    sys.exit(EXIT_NO if result.failed else EXIT_OK)


def _is_url(text: str) -> bool:
    return re.match(r"(?i)https?://", text) is not None


def _built_line(result) -> str:
    """What a build wrote, and what to open next."""
    out = result.out
    counts = f"built {len(result.built)} report(s)"
    if result.resumed:
        counts += f" ({len(result.resumed)} finished by an interrupted build, taken from it)"
    if result.reused:
        counts += f", kept {len(result.reused)} unchanged"
    if result.failed:
        counts += f", {len(result.failed)} failed"
    opened = [name for name in ("viewer.html", "corpus.html", "analysis.html") if (out / name).is_file()]
    hint = f"; open {', '.join(str(out / name) for name in opened)}" if opened else ""
    return f"{counts} into {out}/{hint}; query it with: kg query {out} reports"


@main.command()
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--indent", type=int, default=1, show_default=True, help="JSON indentation.")
@_clean_errors
def extract(report, indent):
    """Print the extraction of REPORT as JSON (the contract's format).

    \b
    Example:
      kg extract data/reports/puyang-2024.txt > puyang.json
    """
    from kg.pipeline import extract as run_extract

    extraction = run_extract(report)
    for warning in extraction.warnings:
        click.echo(f"kg: warning: {report}: {warning}", err=True)
    click.echo(json.dumps(extraction.to_contract(), ensure_ascii=False, indent=indent))


@main.command()
@click.argument("earlier", type=click.Path(path_type=Path))
@click.argument("later", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@_clean_errors
def compare(earlier, later, as_json):
    """Compare two reports side by side: indicators that changed, mechanisms and activities new or gone,
    promises kept, problems repeated, year-on-year checks.

    EARLIER and LATER are report files or extraction JSON (kg extract, OUT/extractions/ID.json);
    the earlier report by year is taken as the first.

    \b
    Example:
      kg compare out/extractions/county-2023.json reports/county-2024.txt
    """
    from kg.compare.pair import compare_reports, format_comparison

    result = compare_reports(_extraction_of(earlier), _extraction_of(later))
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_comparison(result))


def _extraction_of(path: Path) -> dict:
    """The extraction JSON of a report file, or the file itself when it is one."""
    if path.suffix.lower() == ".json":
        from kg.compare.pair import read_extraction_json

        return read_extraction_json(path)
    from kg.pipeline import extract as run_extract

    return run_extract(path).to_contract()


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="SOURCES are reports: show what a build of them would merge.")
@_clean_errors
def merges(sources, dry_run):
    """List the merges of a build: which surface forms became one body, document or concept, and by which rule.

    SOURCES is a build folder (or graph file); with --dry-run, report files or folders.

    \b
    Example:
      kg merges out/
      kg merges --dry-run reports/
    """
    from kg.identity.merges import format_merges, format_plan, list_merges, plan_merges

    if not dry_run:
        if len(sources) != 1:
            raise click.UsageError("give one build folder or graph file (or --dry-run REPORTS…)")
        click.echo(format_merges(list_merges(sources[0])), nl=False)
        return
    from kg.io import find_reports
    from kg.pipeline import extract as run_extract
    from kg.readers import SUFFIXES

    reports, _ = find_reports(sources, SUFFIXES)
    click.echo(format_plan(plan_merges(run_extract(path).to_contract() for path in reports)), nl=False)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("--report", default=None, metavar="ID", help="Validate this report's named graph only.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; the exit code answers.")
@_clean_errors
def validate(graph, report, quiet):
    """Validate GRAPH (a file or an out/ folder) against the SHACL shapes and the checks, one named graph at a time.

    Exit 0 if it conforms, 1 if it does not, 2 on error.

    \b
    Example:
      kg validate out/
      kg validate out/graph.trig --report puyang-2024
    """
    from kg.rdf.validate import validate as run_validate

    result = run_validate(graph, report=report)
    if not quiet:
        click.echo("conforms" if result.conforms else result.text)
    sys.exit(EXIT_OK if result.conforms else EXIT_NO)


@main.command()
@click.argument("prediction", type=click.Path(path_type=Path))
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@_clean_errors
def evaluate(prediction, gold, as_json):
    """Score PREDICTION (a report, or the JSON of kg extract) against GOLD (an annotation).

    \b
    Example:
      kg evaluate data/reports/puyang-2024.txt data/gold/puyang-2024.json
    """
    from kg.evaluate import evaluate as run_evaluate, format_scores

    scores = run_evaluate(prediction, gold)
    click.echo(json.dumps(scores, ensure_ascii=False, indent=1) if as_json else format_scores(scores))


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: the graph's folder).")
@_clean_errors
def analyze(graph, out):
    """Link measures to problems and plans, find the gaps; write analysis.json and analysis.html.

    \b
    Example:
      kg analyze out/
    """
    from kg.outputs.analysis import analyze as run_analyze
    from kg.rdf.load import resolve_graph

    path = resolve_graph(graph)
    run_analyze(path, out or path.parent)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("--to", "fmt", required=True, help="graphml, gexf, cytoscape, jsonld, neo4j, dot or html.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file (a folder for neo4j). Default: beside GRAPH, named as kg build names it.")
@click.option("--font", default="Noto Sans CJK SC", show_default=True,
              help="Font for Graphviz DOT labels; it must have CJK glyphs.")
@_clean_errors
def export(graph, fmt, output, font):
    """Export GRAPH for a visualiser.

    \b
    Formats (kg build writes all of them into OUT/):
      graphml    graph.graphml   yEd, Gephi, networkx
      gexf       graph.gexf      Gephi, sigma.js (GEXF 1.2, colours, positions)
      cytoscape  graph.cytoscape.json + .style.json   Cytoscape.js / Cytoscape
      jsonld     graph.jsonld    the RDF graph as JSON-LD
      neo4j      neo4j/          nodes.csv, relationships.csv for neo4j-admin import
      dot        graph.dot       Graphviz
      html       viewer.html     offline viewer, open it in a browser

    \b
    Example:
      kg export out/ --to gexf -o puyang.gexf
    """
    from kg.outputs.export import export as run_export

    written = run_export(graph, fmt, output, font=font)
    click.echo(f"wrote {written}", err=True)


class _QueryCommand(click.Command):
    """``kg query --help`` ends with the competency questions, read only when help is shown."""

    def format_epilog(self, ctx, formatter):
        from kg.sparql.query import questions_help

        self.epilog = questions_help()
        super().format_epilog(ctx, formatter)


@main.command(cls=_QueryCommand)
@click.argument("graph", type=click.Path(path_type=Path))
@click.argument("query")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (an RDF term; never pasted into the query).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0, show_default=True,
              help="Seconds before the query is abandoned.")
@click.option("--allow-service", multiple=True, metavar="IRI",
              help="Let SERVICE call this endpoint (repeatable); any other SERVICE is refused.")
@_clean_errors
def query(graph, query, params, fmt, timeout, allow_service):
    """Answer a SPARQL QUERY (text, a .rq file or a competency question's name) over GRAPH.

    GRAPH is a build folder (its on-disk store is read directly) or a graph file.
    Updates are refused, and so is SERVICE unless allowed.

    \b
    Example:
      kg query out/ problems-without-plan
      kg query out/ metrics-of-agency --param agency=县法院 --format csv
    """
    from kg.sparql.query import run_query

    click.echo(run_query(graph, query, params=params, fmt=fmt, timeout=timeout, allow_service=allow_service),
               nl=False)


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@_clean_errors
def optimize(out):
    """Compact the on-disk store of the build folder OUT: smaller, and faster to query.

    A build that loaded more than some 800 reports compacts its store itself;
    this is for a store after many small rebuilds, or one an earlier version
    built. The graph is unchanged: a checkpoint is compacted, then swapped in.

    \b
    Example:
      kg optimize out/
    """
    from kg.store.graphs import optimize_store

    before, after = optimize_store(out)
    click.echo(f"{out / 'store'}: {before / 2**20:,.0f} MB before, {after / 2**20:,.0f} MB after", err=True)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=7878, show_default=True)
@click.option("--timeout", type=click.FloatRange(1), default=30.0, show_default=True,
              help="Query timeout in seconds (a query over it is answered HTTP 503).")
@click.option("--allow-service", multiple=True, metavar="IRI",
              help="Let SERVICE call this endpoint (repeatable); any other SERVICE is refused.")
@_clean_errors
def serve(graph, host, port, timeout, allow_service):
    """Serve GRAPH read-only over the SPARQL protocol with the oxigraph server.

    SPARQL at /query and /sparql, the query page at /. Updates are refused
    (403), SERVICE too unless allowed; the server stops with kg serve.

    \b
    Example:
      kg serve out/ --port 7878      # then open http://127.0.0.1:7878/
    """
    from kg.sparql.serve import serve as run_serve

    run_serve(graph, host=host, port=port, timeout=timeout, echo=lambda m: click.echo(m, err=True),
              allow_service=allow_service)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("--endpoint", required=True, help="Graph Store Protocol URL, e.g. http://localhost:3030/ds/data.")
@click.option("--user", default=None, help="User for Basic authentication (or user:password@ in the URL).")
@click.option("--password", default=None, envvar="KG_PUSH_PASSWORD", show_envvar=True,
              help="Password; asked for at the terminal when a user is given without one.")
@_clean_errors
def push(graph, endpoint, user, password):
    """Send each report's named graph to a SPARQL Graph Store (PUT: re-running replaces).

    A push that stops part-way names the graphs written, the one that failed
    and those not attempted. The password is never printed.

    \b
    Example:
      kg push out/ --endpoint http://127.0.0.1:7878/store
      KG_PUSH_PASSWORD=secret kg push out/ --endpoint https://host/ds/data --user admin
    """
    from kg.sparql.push import push as run_push

    if user is not None and password is None and sys.stdin.isatty():
        password = click.prompt(f"password for {user}", hide_input=True)
    for line in run_push(graph, endpoint, user=user, password=password):
        click.echo(line, err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
