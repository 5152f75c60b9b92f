"""Stage 6, export: the graph for Gephi, Cytoscape, yEd, Neo4j, Graphviz and a browser.

The RDF graph is the full record; visualisers want nodes and edges with flat
attributes. :func:`property_graph` builds that view once, and every writer
reads it, so node and edge counts agree across formats:

* **nodes** are the typed resources of the ontology (Report, Section, Measure,
  Problem, Plan, the entity types, Metric, ArithmeticCheck …), each with its
  Chinese label, type, colour and size by type, a precomputed layout position,
  and its provenance flattened: ``span_start``/``span_end``/``span_text`` of its
  first evidence, ``spans`` (all of them), and ``sentence`` (the sentence of the
  report around the span, starting at ``sentence_start``);
* **edges** are the object properties between nodes (mentions, addresses,
  worksOn, partOf, about, fromItem, inSection …); a ``fz:ScoredLink`` becomes the
  ``score``/``method`` of the edge it scores;
* provenance plumbing (evidence resources and their selectors), units and
  metric kinds (SKOS concepts) are folded into attributes rather than drawn.

The JSON-LD export is the RDF graph itself, not this view.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import networkx as nx

from .build import atomic_path, atomic_write
from .errors import InputError, KgError, OutputError
from .graphio import load_store, resolve_graph
from .namespaces import FZ, OA, PREFIXES, QB, RDF, RDFS, SKOS, XSD
from .resources import ontology_file

__all__ = [
    "FORMATS", "DEFAULT_DOT_FONT", "TYPE_STYLE", "EDGE_STYLE", "property_graph", "cytoscape_style", "sanitise", "export", "export_all",
    "write_graphml", "write_gexf", "write_cytoscape", "write_jsonld", "write_neo4j", "write_dot",
]

FORMATS = {
    "graphml": "graph.graphml",
    "gexf": "graph.gexf",
    "cytoscape": "graph.cytoscape.json",
    "jsonld": "graph.jsonld",
    "neo4j": "neo4j",
    "dot": "graph.dot",
    "html": "viewer.html",
}
DEFAULT_DOT_FONT = "Noto Sans CJK SC"

# (colour, size) by node type; the order is the priority when a node has several types.
TYPE_STYLE: dict[str, tuple[str, int]] = {
    "Report": ("#4d4d4d", 40),
    "Section": ("#8c8c8c", 24),
    "Problem": ("#d62728", 22),
    "Plan": ("#1f77b4", 22),
    "Measure": ("#2ca02c", 16),
    "Agency": ("#ff7f0e", 18),
    "Mechanism": ("#9467bd", 18),
    "Activity": ("#17becf", 16),
    "PolicyDocument": ("#8c564b", 16),
    "Place": ("#bcbd22", 16),
    "Metric": ("#e6b800", 10),
    "ArithmeticCheck": ("#e377c2", 12),
    "ReportItem": ("#7f7f7f", 14),
    "Entity": ("#7f7f7f", 14),
}
_OTHER_SIZE = 14
# Edges a reader looks for first are drawn stronger.
EDGE_STYLE: dict[str, tuple[str, int]] = {"addresses": ("#e4572e", 3), "worksOn": ("#2ca02c", 2)}
_EDGE_DEFAULT = ("#b0b0b0", 1)

# Classes whose instances are folded into attributes instead of becoming nodes.
_NOT_NODES = {str(FZ[name]) for name in (
    "Unit", "UnitScheme", "MetricKind", "MetricKindScheme", "SectionKind", "SectionKindScheme",
    "ScoredLink", "EntityMerge")}
_FZ = str(FZ._NS)
_TYPE, _LABEL, _INREPORT, _EVIDENCE = str(RDF.type), str(RDFS.label), str(FZ.inReport), str(FZ.evidence)
# Handled specially, or plumbing that a visualiser does not need (the RDF keeps it all).
_SKIPPED = {_TYPE, _LABEL, _INREPORT, _EVIDENCE, str(FZ.sourceText), str(FZ.merge), str(QB.dataSet)}
_INT_TYPES = {str(XSD[t]) for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
                                     "nonPositiveInteger", "negativeInteger")}
_FLOAT_TYPES = {str(XSD[t]) for t in ("decimal", "double", "float")}
# Keys networkx's GEXF writer treats as structure (node id, time spells, parent, drawing).
_RESERVED = {"id", "start", "end", "pid", "viz", "key"}
_SENTENCE_END = "。！？!?；;\n"
_CONTEXT_LIMIT = 200  # characters of sentence kept on each side of a span
_LAYOUT_BUDGET = 6e7  # pair interactions (about 3 s); larger graphs get fewer layout iterations
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# ---------------------------------------------------------------------------
# The one sanitiser


def _clean_scalar(value):
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple, dict)):
        return _XML_ILLEGAL.sub("", json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    return _XML_ILLEGAL.sub("", str(value))


def sanitise(records: Iterable[dict]) -> list[dict]:
    """Attribute dicts that every writer accepts, with one type per key across ``records``.

    ``None`` is dropped, lists and dicts become JSON text, XML-illegal characters
    are removed, and a key holding ints and floats becomes float (other mixes: text).

    >>> sanitise([{"a": 1, "b": None, "c": ["x"]}, {"a": 2.5, "c": "y\\x0b"}])
    [{'a': 1.0, 'c': '["x"]'}, {'a': 2.5, 'c': 'y'}]
    >>> sanitise([{"n": 1}, {"n": True}])
    [{'n': '1'}, {'n': 'true'}]
    """
    cleaned = [{k: _clean_scalar(v) for k, v in record.items() if v is not None} for record in records]
    kinds: dict[str, set[type]] = {}
    for record in cleaned:
        for key, value in record.items():
            kinds.setdefault(key, set()).add(type(value))
    for key, seen in kinds.items():
        if len(seen) < 2:
            continue
        to_float = seen == {int, float}
        for record in cleaned:
            if key in record:
                value = record[key]
                if to_float:
                    record[key] = float(value)
                elif not isinstance(value, str):
                    record[key] = json.dumps(value)
    return cleaned


# ---------------------------------------------------------------------------
# RDF → property graph


@cache
def _ontology() -> tuple[dict[str, str], dict[str, list[str]]]:
    """zh labels of ontology terms, and each fz class's fz superclasses."""
    import pyoxigraph as ox

    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    for triple in ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE):
        s, p, o = triple.subject.value, triple.predicate.value, triple.object
        if p == _LABEL and isinstance(o, ox.Literal) and o.language == "zh":
            labels[s] = o.value
        elif p == str(RDFS.subClassOf) and o.value.startswith(_FZ):
            parents.setdefault(s, []).append(o.value)
    return labels, parents


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _key(predicate: str) -> str:
    """Attribute name of a predicate: fz terms by local name, others as ``prefix_local``."""
    if predicate.startswith(_FZ):
        key = predicate[len(_FZ):]
    else:
        key = next((f"{prefix}_{predicate[len(ns):]}" for prefix, ns in PREFIXES.items()
                    if predicate.startswith(ns)), re.sub(r"\W", "_", _local(predicate)))
    return f"{key}_" if key in _RESERVED else key


def _python(term):
    """A literal's value as Python (numbers, booleans), anything else as text."""
    import pyoxigraph as ox

    if not isinstance(term, ox.Literal):
        return term.value
    datatype = term.datatype.value
    try:
        if datatype in _INT_TYPES:
            return int(term.value)
        if datatype in _FLOAT_TYPES:
            return float(term.value)
    except ValueError:
        return term.value
    if datatype == str(XSD.boolean):
        return term.value in ("true", "1")
    return term.value


def _pick_label(literals) -> str | None:
    ranked = sorted(literals, key=lambda lit: ({"zh": 0, None: 1}.get(lit.language, 2), lit.value))
    return ranked[0].value if ranked else None


def _type_colour(name: str) -> str:
    if name in TYPE_STYLE:
        return TYPE_STYLE[name][0]
    digest = hashlib.sha256(name.encode()).digest()  # stable across runs, unlike hash()
    return "#" + "".join(f"{64 + b % 128:02x}" for b in digest[:3])


def _sentence(text: str, start: int, end: int) -> tuple[int, str]:
    """The sentence(s) of ``text`` holding ``[start, end)``: (offset, text), at most _CONTEXT_LIMIT around."""
    left = max(text.rfind(mark, 0, start) for mark in _SENTENCE_END) + 1
    ends = [i for mark in _SENTENCE_END if (i := text.find(mark, max(start, end - 1))) != -1]
    right = min(ends) + 1 if ends else len(text)
    left = max(left, start - _CONTEXT_LIMIT)
    right = max(min(right, end + _CONTEXT_LIMIT), end)
    return left, text[left:right].rstrip("\n")


def property_graph(graph_path: str | Path) -> nx.MultiDiGraph:
    """The property-graph view of a built graph (see the module docstring), sanitised and laid out.

    Node ids are the resources' IRIs; edge keys are ``"SOURCE RELATION TARGET"``.
    ``graph.graph`` holds ``title``, ``types`` (name, zh label, colour, size, count)
    and ``relations`` (name → zh label).
    """
    import pyoxigraph as ox

    store = load_store(graph_path)
    props: dict[str, list[tuple[str, object]]] = {}
    seen: set[tuple] = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        triple = (quad.subject.value, quad.predicate.value, quad.object)
        if triple in seen:  # concepts repeat across the named graphs of a corpus
            continue
        seen.add(triple)
        props.setdefault(triple[0], []).append((triple[1], triple[2]))
    del seen
    labels, parents = _ontology()

    def values(subject: str, predicate: str) -> list:
        return [o for p, o in props.get(subject, ()) if p == predicate]

    def fz_types(subject: str) -> list[str]:
        found = {o.value for o in values(subject, _TYPE) if o.value.startswith(_FZ)}
        stack = list(found)
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return sorted(found)

    node_types = {s: types for s in sorted(props) if (types := fz_types(s))
                  and not (set(types) & _NOT_NODES)}
    texts = {s: next((o.value for o in values(s, str(FZ.sourceText))), "") for s in node_types
             if str(FZ.Report) in node_types[s]}
    report_ids = {s: next((o.value for o in values(s, "http://purl.org/dc/terms/identifier")), _local(s))
                  for s in texts}

    def label_of(subject: str) -> str:
        literals = [o for o in values(subject, _LABEL) if isinstance(o, ox.Literal)]
        literals = literals or [o for o in values(subject, str(SKOS.prefLabel)) if isinstance(o, ox.Literal)]
        return _pick_label(literals) or _local(subject)

    nodes: dict[str, dict] = {}
    for subject, types in node_types.items():
        names = [_local(t) for t in types]
        primary = next((name for name in TYPE_STYLE if name in names), names[0])
        report = subject if primary == "Report" else next(
            (o.value for o in values(subject, _INREPORT) if o.value in texts), None)
        attrs: dict = {
            "label": label_of(subject), "type": primary, "types": names,
            "type_label": labels.get(_FZ + primary, primary),
            "color": _type_colour(primary), "size": TYPE_STYLE.get(primary, ("", _OTHER_SIZE))[1],
            "report": report_ids.get(report) if report else None,
        }
        multi: dict[str, list] = {}
        for predicate, obj in props[subject]:
            if predicate in _SKIPPED:
                continue
            if isinstance(obj, ox.Literal):
                multi.setdefault(_key(predicate), []).append(_python(obj))
            elif obj.value not in node_types:  # a concept (unit, kind) or an outside resource
                target = obj.value
                multi.setdefault(_key(predicate), []).append(
                    label_of(target) if target in props else (_key(target) if target.startswith(_FZ) else target))
        for key, found in multi.items():
            found = sorted(set(found), key=lambda v: (str(type(v)), v))
            attrs[key] = found[0] if len(found) == 1 else found
        merges = [{"label": next((o.value for o in values(m.value, str(FZ.mergedLabel))), None),
                   "rule": next((o.value for o in values(m.value, str(FZ.mergeRule))), None)}
                  for m in values(subject, str(FZ.merge))]
        if merges:
            attrs["merges"] = sorted(merges, key=lambda m: (m["label"] or "", m["rule"] or ""))
        spans = _spans(subject, values)
        if spans:
            start, end, exact = spans[0]
            attrs.update(span_start=start, span_end=end, span_text=exact, spans=spans, mention_count=len(spans))
            source = texts.get(report, "")
            if source and source[start:end] == exact:
                attrs["sentence_start"], attrs["sentence"] = _sentence(source, start, end)
        nodes[subject] = attrs

    # fz:inReport is drawn only for the top of each containment chain (top sections,
    # loose nodes): items, metrics and checks reach their report through their
    # section or item, and entities hang off the items that mention them.
    links = {s: [(p, o.value) for p, o in props[s]
                 if p not in (_TYPE, _INREPORT) and not isinstance(o, ox.Literal) and o.value in node_types]
             for s in node_types}
    targets = {target for found in links.values() for _, target in found}
    entity = _FZ + "Entity"
    for subject, found in links.items():
        if not found and not (subject in targets and entity in node_types[subject]):
            found.extend((p, o.value) for p, o in props[subject] if p == _INREPORT and o.value in node_types)
    edges: dict[tuple[str, str, str], dict] = {}
    for subject, found in links.items():
        for predicate, target in found:
            relation = _local(predicate)
            color, width = EDGE_STYLE.get(relation, _EDGE_DEFAULT)
            edges[(subject, relation, target)] = {
                "relation": relation, "label": labels.get(predicate, relation), "color": color, "width": width}
    for link, types in ((s, fz_types(s)) for s in props):
        if str(FZ.ScoredLink) not in types:
            continue
        source = next((o.value for o in values(link, str(FZ.linkSource))), None)
        target = next((o.value for o in values(link, str(FZ.linkTarget))), None)
        relation = next((_local(o.value) for o in values(link, str(FZ.linkRelation))), None)
        edge = edges.get((source, relation, target))
        if edge is None:
            continue  # the scored statement itself is missing; nothing to attach to
        edge["score"] = next((_python(o) for o in values(link, str(FZ.score))), None)
        edge["method"] = next((o.value for o in values(link, str(FZ.method))), None)
        components = sorted(o.value for o in values(link, str(FZ.scoreComponent)))
        if components:
            edge["scoreComponent"] = components

    graph = nx.MultiDiGraph()
    ids = sorted(nodes)
    for node_id, attrs in zip(ids, sanitise(nodes[i] for i in ids)):
        graph.add_node(node_id, **attrs)
    keys = sorted(edges)
    for (source, relation, target), attrs in zip(keys, sanitise(edges[k] for k in keys)):
        graph.add_edge(source, target, key=f"{source} {relation} {target}", **attrs)
    for node_id, (x, y) in _layout(graph).items():
        graph.nodes[node_id]["x"], graph.nodes[node_id]["y"] = x, y

    counts: dict[str, int] = {}
    for _, kind in graph.nodes(data="type"):
        counts[kind] = counts.get(kind, 0) + 1
    ordered = [t for t in TYPE_STYLE if t in counts] + sorted(t for t in counts if t not in TYPE_STYLE)
    graph.graph["types"] = [{"name": t, "label": labels.get(_FZ + t, t), "color": _type_colour(t),
                             "size": TYPE_STYLE.get(t, ("", _OTHER_SIZE))[1], "count": counts[t]} for t in ordered]
    graph.graph["relations"] = dict(sorted({(data["relation"], data["label"])
                                            for *_, data in graph.edges(data=True)}))
    titles = sorted(graph.nodes[s]["label"] for s in texts if s in graph)
    graph.graph["title"] = titles[0] if len(titles) == 1 else f"{len(titles)} reports"
    return graph


def _spans(subject: str, values) -> list[list]:
    """[start, end, exact] of each evidence of ``subject``, in text order."""
    spans = []
    for evidence in values(subject, _EVIDENCE):
        found = {}
        for selector in values(evidence.value, str(OA.hasSelector)):
            for name, predicate in (("start", OA.start), ("end", OA.end), ("exact", OA.exact)):
                for obj in values(selector.value, str(predicate)):
                    found[name] = _python(obj)
        if isinstance(found.get("start"), int) and isinstance(found.get("end"), int):
            spans.append([found["start"], found["end"], str(found.get("exact", ""))])
    return sorted(spans)


def _layout(graph: nx.MultiDiGraph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Seeded Fruchterman–Reingold positions, in pixels.

    networkx's spring_layout needs SciPy above 500 nodes and takes seconds there;
    this dense NumPy version does the same steps. Iterations shrink as the graph
    grows (``_LAYOUT_BUDGET`` pair interactions in all) so a corpus still builds quickly.
    """
    import numpy as np

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    index = {node: i for i, node in enumerate(nodes)}
    pairs = np.array([(index[u], index[v]) for u, v in graph.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    k2 = 1.0 / n  # the ideal distance k = 1/sqrt(n), squared
    iterations = int(min(50, _LAYOUT_BUDGET // (n * n))) if n > 1 else 0
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    block = max(1, int(4e6 // n))  # rows per step, so memory stays near 100 MB
    for _ in range(iterations):
        shift = np.zeros_like(pos)
        for lo in range(0, n, block):
            dx = pos[lo:lo + block, 0, None] - pos[None, :, 0]
            dy = pos[lo:lo + block, 1, None] - pos[None, :, 1]
            force = k2 / np.maximum(dx * dx + dy * dy, 1e-4)  # repulsion k²/d along the unit vector
            shift[lo:lo + block, 0] += (dx * force).sum(axis=1)
            shift[lo:lo + block, 1] += (dy * force).sum(axis=1)
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = delta * (np.hypot(delta[:, 0], delta[:, 1]) * math.sqrt(n))[:, None]  # attraction d²/k
            for axis in (0, 1):
                shift[:, axis] += np.bincount(pairs[:, 1], pull[:, axis], n) - np.bincount(pairs[:, 0], pull[:, axis], n)
        length = np.maximum(np.hypot(shift[:, 0], shift[:, 1]), 0.01)
        pos += shift * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    pos -= pos.mean(axis=0)
    extent = float(np.abs(pos).max()) or 1.0
    pos *= (100 * math.sqrt(n) + 100) / extent
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(nodes, pos)}


# ---------------------------------------------------------------------------
# Writers


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
    """GEXF 1.2 with viz colour, size and position for Gephi and sigma.js."""
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
    with atomic_path(path) as tmp:
        nx.write_gexf(copy, tmp, version="1.2draft")
    return path


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


def write_neo4j(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    """``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import full``.

    Texts may hold line breaks: import with ``--multiline-fields=true``.
    """
    node_records = [dict(data) for _, data in graph.nodes(data=True)]
    keys, header = _neo4j_rows(node_records, [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["iri:ID", ":LABEL", *header])
    for (node, data), record in zip(graph.nodes(data=True), node_records):
        labels = ";".join([data["type"], *[t for t in json.loads(data["types"]) if t != data["type"]]])
        writer.writerow([node, labels, *[_neo4j_value(record.get(k)) for k in keys]])
    nodes_path = folder / "nodes.csv"
    atomic_write(nodes_path, out.getvalue())

    edge_records = [dict(data) for *_, data in graph.edges(data=True)]
    keys, header = _neo4j_rows(edge_records, [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([":START_ID", ":END_ID", ":TYPE", *header])
    for (source, target, data), record in zip(graph.edges(data=True), edge_records):
        rel_type = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", data["relation"]).upper()
        writer.writerow([source, target, rel_type, *[_neo4j_value(record.get(k)) for k in keys]])
    edges_path = folder / "relationships.csv"
    atomic_write(edges_path, out.getvalue())
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


def _write(fmt: str, graph_path, graph, target: Path, font: str) -> list[Path]:
    if fmt == "jsonld":
        return [write_jsonld(graph_path, target)]
    if fmt == "graphml":
        return [write_graphml(graph, target)]
    if fmt == "gexf":
        return [write_gexf(graph, target)]
    if fmt == "cytoscape":
        return write_cytoscape(graph, target)
    if fmt == "neo4j":
        return write_neo4j(graph, target)
    if fmt == "dot":
        return [write_dot(graph, target, font=font)]
    from .viewer import write_viewer

    return [write_viewer(graph, target)]


def export(graph_path: str | Path, fmt: str, output: str | Path | None = None, *,
           font: str = DEFAULT_DOT_FONT) -> Path:
    """Write one export of a built graph; returns the file (or, for neo4j, the folder) written.

    Without ``output``, writes beside the graph under the name ``kg build`` uses.
    """
    fmt = fmt.lower().replace("-", "")  # json-ld, JSON-LD → jsonld
    fmt = {"viewer": "html", "graphviz": "dot"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    source = resolve_graph(graph_path)
    target = Path(output) if output is not None else source.parent / FORMATS[fmt]
    if target.is_dir() and fmt != "neo4j":
        target = target / FORMATS[fmt]
    if fmt == "neo4j" and target.exists() and not target.is_dir():
        raise OutputError(f"{target}: neo4j export writes a folder, and this is a file")
    graph = None if fmt == "jsonld" else property_graph(source)
    _write(fmt, source, graph, target, font)
    return target


def export_all(graph_path: str | Path, out: str | Path, *, font: str = DEFAULT_DOT_FONT,
               formats: Iterable[str] | None = None) -> list[Path]:
    """Write every export format (or those of ``formats``) into ``out`` under the names of :data:`FORMATS`.

    A format that cannot be written does not stop the others; the errors are raised together at the end.
    """
    out = Path(out)
    source = resolve_graph(graph_path)
    chosen = [fmt for fmt in FORMATS if formats is None or fmt in formats]
    graph = property_graph(source) if any(fmt != "jsonld" for fmt in chosen) else None
    written: list[Path] = []
    errors: list[str] = []
    for fmt in chosen:
        try:
            written.extend(_write(fmt, source, graph, out / FORMATS[fmt], font))
        except KgError as err:
            errors.append(str(err))
    if errors:
        raise OutputError("; ".join(errors))
    return written
