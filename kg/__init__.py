"""kg: knowledge graphs from Chinese annual reports on law-based government (法治政府建设年度报告).

The layers, each a subpackage (see ARCHITECTURE.md)::

    readers → extraction → (model) → rdf → outputs / sparql

:func:`extract` reads one report into the typed model; :func:`build` is ``kg build``.

>>> from kg import extract
>>> from kg.resources import bundled_report
>>> extraction = extract(bundled_report())
>>> extraction.report.title
'濮阳县2024年度法治政府建设工作报告'
"""

__version__ = "0.1.0"
__all__ = ["extract", "extract_text", "build", "__version__"]


def __getattr__(name):
    # Lazy, so that `kg --version` and `kg --help` start without spaCy.
    if name in ("extract", "extract_text", "build"):
        from kg import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
