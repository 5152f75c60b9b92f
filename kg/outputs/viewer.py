"""The offline viewer: one self-contained HTML file for the property-graph view.

The page inlines vis-network, read at run time from the copy that the pyvis
package installs (never committed here, never fetched from a CDN), and our own
script and stylesheet from ``kg/viewer_assets/``. Its Content-Security-Policy
forbids every network request.

Report text is data, never markup: the graph travels as JSON inside
``<script type="application/json">`` with ``<``, ``>``, ``&`` and U+2028/9
escaped, and the script builds the page with ``textContent`` only.
"""
from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from kg.io import atomic_write
from kg.errors import OutputError

if TYPE_CHECKING:  # the dashboard imports embed_json without needing networkx
    import networkx as nx

__all__ = ["render_viewer", "write_viewer", "embed_json", "embed_json_chunks", "viewer_data"]

_ASSETS = Path(__file__).resolve().parent / "viewer_assets"
_VIS_DIR = "lib/vis-9.1.2"
_MARKER = re.compile(r"/\*kg:([a-z-]+)\*/")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embed_json(value) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script``, no ``<!--``.

    >>> embed_json({"t": "</script><!-- \\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _escaped(text)


def embed_json_chunks(value, depth: int = 2, batch: int = 500):
    """:func:`embed_json` of ``value`` in pieces, its outer ``depth`` levels of lists and dicts taken apart
    (``batch`` items a piece at the last level): a corpus's page data is a hundred megabytes of JSON,
    which as one string would be several hundred in memory.

    >>> value = {"b": [1, {"<": 2}, 3], "a": None}
    >>> "".join(embed_json_chunks(value, batch=2)) == embed_json(value)
    True
    """
    if depth > 0 and isinstance(value, list):
        yield "["
        if depth == 1:  # a few hundred items through the C encoder at once: far faster than one by one
            yield ",".join(embed_json(value[at:at + batch])[1:-1] for at in range(0, len(value), batch))
        else:
            for index, item in enumerate(value):
                if index:
                    yield ","
                yield from embed_json_chunks(item, depth - 1, batch)
        yield "]"
    elif depth > 0 and isinstance(value, dict) and all(isinstance(key, str) for key in value):
        keys = sorted(value)
        yield "{"
        if depth == 1:
            yield ",".join(embed_json({key: value[key] for key in keys[at:at + batch]})[1:-1]
                           for at in range(0, len(keys), batch))
        else:
            for index, key in enumerate(keys):
                yield ("," if index else "") + _escaped(json.dumps(key, ensure_ascii=False)) + ":"
                yield from embed_json_chunks(value[key], depth - 1, batch)
        yield "}"
    else:
        yield embed_json(value)


def _escaped(text: str) -> str:
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _inline(code: str, tag: str) -> str:
    # A closing tag inside inlined code would end the element early; "<\/" means the same in JS strings.
    return re.sub(rf"</(?={tag})", r"<\\/", code, flags=re.IGNORECASE)


@cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, from the installed pyvis package."""
    try:
        folder = resources.files("pyvis").joinpath(_VIS_DIR)
        return (folder.joinpath("vis-network.min.js").read_text(encoding="utf-8"),
                folder.joinpath("vis-network.css").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise OutputError(f"cannot write the viewer: vis-network not found in the pyvis package ({err})") from None


def viewer_data(graph: nx.MultiDiGraph) -> dict:
    """What the page needs: nodes with their attributes, edges, types and relation labels."""
    nodes = [{"id": node, **data} for node, data in graph.nodes(data=True)]
    edges = [{"id": key, "from": source, "to": target, **data}
             for source, target, key, data in graph.edges(keys=True, data=True)]
    return {"title": graph.graph.get("title", ""), "types": graph.graph.get("types", []),
            "relations": graph.graph.get("relations", {}), "nodes": nodes, "edges": edges}


def render_viewer(graph: nx.MultiDiGraph) -> str:
    """The viewer page for ``graph`` (a :func:`kg.outputs.property_graph.property_graph`), as HTML text."""
    vis_js, vis_css = _vis_assets()
    parts = {
        "title": html.escape(graph.graph.get("title", "")),
        "vis-css": _inline(vis_css, "style"),
        "viewer-css": _inline((_ASSETS / "viewer.css").read_text(encoding="utf-8"), "style"),
        "vis-js": _inline(vis_js, "script"),
        "viewer-js": _inline((_ASSETS / "viewer.js").read_text(encoding="utf-8"), "script"),
        "data": embed_json(viewer_data(graph)),
    }
    template = (_ASSETS / "viewer.html").read_text(encoding="utf-8")
    # One pass over the template: inserted text is never scanned for markers again.
    return _MARKER.sub(lambda m: parts[m.group(1)], template)


def write_viewer(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    path = Path(path)
    atomic_write(path, render_viewer(graph))
    return path
