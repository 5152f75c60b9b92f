"""Writers of the property-graph view: GraphML (yEd), GEXF (Gephi), Cytoscape.js, Neo4j CSV, Graphviz DOT, JSON-LD.

Each takes the view of :func:`kg.outputs.property_graph.property_graph` (JSON-LD:
the RDF graph itself) and a target path, and writes it atomically.
"""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from kg.errors import InputError
from kg.io import atomic_path, atomic_write
from kg.outputs.property_graph import EDGE_STYLE
from kg.rdf.load import resolve_graph
from kg.rdf.namespaces import PREFIXES

__all__ = ["DEFAULT_DOT_FONT", "csv_row", "cytoscape_style", "write_graphml", "write_gexf", "write_cytoscape", "write_jsonld",
           "write_neo4j", "write_dot"]

DEFAULT_DOT_FONT = "Noto Sans CJK SC"


def _hex_rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> Path:
    """GraphML with yEd's ShapeNode/PolyLineEdge graphics, so yEd shows labels, colours and positions."""
    y_ns, g_ns = "http://www.yworks.com/xml/graphml", "http://graphml.graphdrawing.org/xmlns"
    ET.register_namespace("", g_ns)
    ET.register_namespace("y", y_ns)
    plain = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        plain.add_node(node, **{k: v for k, v in data.items() if k not in ("x", "y")})
    plain.add_edges_from(graph.edges(keys=True, data=True))
    root = ET.fromstring("\n".join(nx.generate_graphml(plain, named_key_ids=True)))
    keys = root.findall(f"{{{g_ns}}}key")
    at = list(root).index(keys[-1]) + 1 if keys else 0
    root.insert(at, ET.Element(f"{{{g_ns}}}key", {"for": "node", "id": "yfiles_node", "yfiles.type": "nodegraphics"}))
    root.insert(at + 1, ET.Element(f"{{{g_ns}}}key", {"for": "edge", "id": "yfiles_edge",
                                                      "yfiles.type": "edgegraphics"}))
    body = root.find(f"{{{g_ns}}}graph")
    for element in body.findall(f"{{{g_ns}}}node"):
        data = graph.nodes[element.get("id")]
        holder = ET.SubElement(element, f"{{{g_ns}}}data", {"key": "yfiles_node"})
        shape = ET.SubElement(holder, f"{{{y_ns}}}ShapeNode")
        size = str(float(data["size"]) * 2)
        ET.SubElement(shape, f"{{{y_ns}}}Geometry", {"x": str(data["x"]), "y": str(data["y"]),
                                                     "width": size, "height": size})
        ET.SubElement(shape, f"{{{y_ns}}}Fill", {"color": data["color"], "transparent": "false"})
        ET.SubElement(shape, f"{{{y_ns}}}NodeLabel").text = data["label"]
        ET.SubElement(shape, f"{{{y_ns}}}Shape", {"type": "ellipse"})
    for element in body.findall(f"{{{g_ns}}}edge"):
        data = graph.edges[element.get("source"), element.get("target"), element.get("id")]
        holder = ET.SubElement(element, f"{{{g_ns}}}data", {"key": "yfiles_edge"})
        line = ET.SubElement(holder, f"{{{y_ns}}}PolyLineEdge")
        ET.SubElement(line, f"{{{y_ns}}}LineStyle", {"color": data["color"], "width": str(float(data["width"]))})
        ET.SubElement(line, f"{{{y_ns}}}Arrows", {"source": "none", "target": "standard"})
        ET.SubElement(line, f"{{{y_ns}}}EdgeLabel").text = data["label"]
    ET.indent(root)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    atomic_write(path, text)
    return path


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> Path:
    """GEXF 1.2 with viz colour, size and position for Gephi and sigma.js.

    networkx stamps ``<meta lastmodifieddate>`` with today's date and writes
    ``<graph name="">``, which GEXF 1.2 does not allow: both go, so the file
    is valid and the same whatever the day or time zone.
    """
    copy = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        attrs = dict(data)
        attrs["viz"] = {"color": {**_hex_rgb(data["color"]), "a": 1.0}, "size": float(data["size"]),
                        "position": {"x": float(data["x"]), "y": float(data["y"]), "z": 0.0}}
        copy.add_node(node, **attrs)
    for source, target, key, data in graph.edges(keys=True, data=True):
        attrs = dict(data)
        attrs["viz"] = {"color": {**_hex_rgb(data["color"]), "a": 1.0}, "thickness": float(data["width"])}
        copy.add_edge(source, target, key=key, id=key, **attrs)
    buffer = io.BytesIO()
    nx.write_gexf(copy, buffer, version="1.2draft")
    document = buffer.getvalue()
    end = document.find(b"<attributes")  # the header ends before any of our data
    end = end if end >= 0 else document.find(b"<nodes")
    head = _GEXF_DATE.sub(b"<meta>", document[:end], count=1)
    head = _GEXF_CREATOR.sub(b"<creator>kg</creator>", _GEXF_NAME.sub(rb"\1", head, count=1), count=1)
    atomic_write(path, head + document[end:])
    return path


_GEXF_DATE = re.compile(rb'<meta lastmodifieddate="[^"]*">')
_GEXF_NAME = re.compile(rb'(<graph\b[^>]*?) name="[^"]*"')
_GEXF_CREATOR = re.compile(rb"<creator>[^<]*</creator>")  # not the networkx version: the same file after an upgrade


def cytoscape_style(graph: nx.MultiDiGraph) -> list[dict]:
    """A Cytoscape.js stylesheet: colour and size from the data, labels in a CJK font."""
    style = [
        {"selector": "node", "style": {
            "label": "data(label)", "background-color": "data(color)", "width": "data(size)",
            "height": "data(size)", "font-family": f"{DEFAULT_DOT_FONT}, sans-serif", "font-size": 10,
            "text-max-width": 120, "text-wrap": "ellipsis"}},
        {"selector": "edge", "style": {
            "line-color": "data(color)", "target-arrow-color": "data(color)", "target-arrow-shape": "triangle",
            "width": "data(width)", "curve-style": "bezier"}},
    ]
    for relation in EDGE_STYLE:
        style.append({"selector": f'edge[relation = "{relation}"]',
                      "style": {"label": "data(label)", "font-size": 8, "z-index": 10}})
    return style


def write_cytoscape(graph: nx.MultiDiGraph, path: Path) -> list[Path]:
    """Cytoscape.js JSON (``{"elements": {"nodes", "edges"}}``) and its stylesheet beside it."""
    nodes = [{"data": {"id": node, **{k: v for k, v in data.items() if k not in ("x", "y")}},
              "position": {"x": data["x"], "y": data["y"]}, "classes": data["type"]}
             for node, data in graph.nodes(data=True)]
    edges = [{"data": {"id": key, "source": source, "target": target, **data}, "classes": data["relation"]}
             for source, target, key, data in graph.edges(keys=True, data=True)]
    document = {"data": {"name": graph.graph["title"]}, "elements": {"nodes": nodes, "edges": edges}}
    style_path = path.with_name(path.name.removesuffix(".json") + ".style.json")
    atomic_write(path, json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    atomic_write(style_path, json.dumps(cytoscape_style(graph), ensure_ascii=False, indent=1) + "\n")
    return [path, style_path]


def _compact(value, prefixes: list[tuple[str, str]]):
    """Compact IRIs in expanded JSON-LD to ``prefix:local`` (keys, @id and @type values)."""
    def curie(iri: str) -> str:
        for prefix, namespace in prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    if isinstance(value, list):
        # pyoxigraph keeps the order of graph.trig, itself deterministic: no sort needed.
        return [_compact(item, prefixes) for item in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("@id", "@type") and isinstance(item, str):
                out[key] = curie(item)
            elif key.startswith("@"):
                out[key] = _compact(item, prefixes)
            else:
                out[curie(key)] = _compact(item, prefixes)
        return out
    return value


def write_jsonld(graph_path: str | Path, path: Path) -> Path:
    """The RDF graph (named graphs kept) as JSON-LD with a compact prefix ``@context``.

    pyoxigraph writes expanded JSON-LD in milliseconds where rdflib's compacting
    serialiser takes seconds per report; prefix compaction is then a walk over the tree.
    """
    import pyoxigraph as ox

    source = resolve_graph(graph_path)
    try:
        quads = ox.parse(path=str(source), format=ox.RdfFormat.from_extension(source.suffix.lstrip(".")))
        expanded = json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD))
    except (SyntaxError, ValueError) as err:
        raise InputError(f"{source}: not a readable RDF file ({str(err).splitlines()[0]})") from None
    # Longest namespace first, so unit: and kind: win over a shorter prefix of theirs.
    prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
    document = {"@context": dict(sorted(PREFIXES.items())), "@graph": _compact(expanded, prefixes)}
    atomic_write(path, json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path


_NEO4J_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _neo4j_rows(records: list[dict], fixed: list[str]) -> tuple[list[str], list[str]]:
    """(keys, header cells) for the properties of ``records`` after the ``fixed`` columns."""
    kinds: dict[str, type] = {}
    for record in records:
        for key, value in record.items():
            kinds.setdefault(key, type(value))
    keys = sorted(k for k in kinds if k not in fixed)
    return keys, [f"{k}:{_NEO4J_TYPES[kinds[k]]}" for k in keys]


def _neo4j_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Python's csv module quotes only the characters of its own line terminator, so a bare CR (a report
# with CR or CRLF line ends) went out unquoted and split rows. Any line or record separator is quoted here.
_CSV_SPECIAL = re.compile('[",\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]')


def csv_row(cells: list[str]) -> str:
    r"""One CSV record (RFC 4180): a cell holding a quote, a comma or any line break is quoted; empty stays empty.

    >>> csv_row(["a", "b\rc", "c,d", ""])
    'a,"b\rc","c,d",\n'
    """
    return ",".join(f'"{cell.replace(chr(34), chr(34) * 2)}"' if _CSV_SPECIAL.search(cell) else cell
                    for cell in cells) + "\n"


def write_neo4j(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    """``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import full``.

    Texts may hold line breaks (quoted): import with ``--multiline-fields=true``.
    """
    node_records = [dict(data) for _, data in graph.nodes(data=True)]
    keys, header = _neo4j_rows(node_records, [])
    lines = [csv_row(["iri:ID", ":LABEL", *header])]
    for (node, data), record in zip(graph.nodes(data=True), node_records):
        labels = ";".join([data["type"], *[t for t in json.loads(data["types"]) if t != data["type"]]])
        lines.append(csv_row([node, labels, *[_neo4j_value(record.get(k)) for k in keys]]))
    nodes_path = folder / "nodes.csv"
    atomic_write(nodes_path, "".join(lines))

    edge_records = [dict(data) for *_, data in graph.edges(data=True)]
    keys, header = _neo4j_rows(edge_records, [])
    lines = [csv_row([":START_ID", ":END_ID", ":TYPE", *header])]
    for (source, target, data), record in zip(graph.edges(data=True), edge_records):
        rel_type = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", data["relation"]).upper()
        lines.append(csv_row([source, target, rel_type, *[_neo4j_value(record.get(k)) for k in keys]]))
    edges_path = folder / "relationships.csv"
    atomic_write(edges_path, "".join(lines))
    return [nodes_path, edges_path]


def _dot_quote(value) -> str:
    text = _neo4j_value(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


def _dot_name(key: str) -> str:
    # Our attribute names are DOT identifiers already; keep only what DOT allows, to be sure.
    return re.sub(r"\W", "_", key, flags=re.ASCII)


def write_dot(graph: nx.MultiDiGraph, path: Path, font: str = DEFAULT_DOT_FONT) -> Path:
    """Graphviz DOT with a CJK-capable font (``font``), every attribute carried along.

    Render with ``dot -Tsvg graph.dot`` or, keeping the precomputed positions, ``neato -n``.
    """
    lines = ["digraph kg {",
             f"  graph [charset=\"UTF-8\", fontname={_dot_quote(font)}, label={_dot_quote(graph.graph['title'])}, "
             "overlap=false, rankdir=LR];",
             f"  node [fontname={_dot_quote(font)}, shape=ellipse, style=filled];",
             f"  edge [fontname={_dot_quote(font)}, fontsize=9];"]
    for node, data in graph.nodes(data=True):
        attrs = {_dot_name(k): v for k, v in data.items() if k not in ("x", "y", "color")}
        attrs.update(fillcolor=data["color"], pos=f"{data['x']},{data['y']}")
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {_dot_quote(node)} [{body}];")
    for source, target, data in graph.edges(data=True):
        attrs = {_dot_name(k): v for k, v in data.items() if k != "width"}
        attrs["penwidth"] = data["width"]
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [{body}];")
    lines.append("}")
    atomic_write(path, "\n".join(lines) + "\n")
    return path
