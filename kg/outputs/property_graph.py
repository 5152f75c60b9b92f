"""The property-graph view of a built graph: what every visualiser export and the viewer read.

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
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import networkx as nx

from kg.extraction.text import sentence_around
from kg.rdf.load import load_store
from kg.rdf.namespaces import DCTERMS, FZ, OA, PREFIXES, QB, RDF, RDFS, SKOS, XSD
from kg.resources import ontology_file

__all__ = ["TYPE_STYLE", "EDGE_STYLE", "property_graph", "sanitise"]

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


def property_graph(graph_path: str | Path) -> nx.MultiDiGraph:
    """The property-graph view of a built graph (see the module docstring), sanitised and laid out.

    Node ids are the resources' IRIs; edge keys are ``"SOURCE RELATION TARGET"``.
    ``graph.graph`` holds ``title``, ``types`` (name, zh label, colour, size, count)
    and ``relations`` (name → zh label).
    """
    statements = _Statements(load_store(graph_path))
    nodes = {subject: _node_attributes(statements, subject, types) for subject, types in statements.node_types.items()}
    edges = _edges(statements)
    graph = nx.MultiDiGraph()
    ids = sorted(nodes)
    for node_id, attrs in zip(ids, sanitise(nodes[i] for i in ids)):
        graph.add_node(node_id, **attrs)
    keys = sorted(edges)
    for (source, relation, target), attrs in zip(keys, sanitise(edges[k] for k in keys)):
        graph.add_edge(source, target, key=f"{source} {relation} {target}", **attrs)
    for node_id, (x, y) in _layout(graph).items():
        graph.nodes[node_id]["x"], graph.nodes[node_id]["y"] = x, y
    _describe(graph, statements)
    return graph


class _Statements:
    """Every statement of the store by subject (once, though concepts repeat across named graphs)."""

    def __init__(self, store) -> None:
        props: dict[str, list[tuple[str, object]]] = {}
        seen: set[tuple] = set()
        for quad in store.quads_for_pattern(None, None, None, None):
            triple = (quad.subject.value, quad.predicate.value, quad.object)
            if triple not in seen:
                seen.add(triple)
                props.setdefault(triple[0], []).append((triple[1], triple[2]))
        self.props = props
        self.labels, self.parents = _ontology()
        self.node_types = {s: types for s in sorted(props) if (types := self.fz_types(s))
                           and not (set(types) & _NOT_NODES)}
        self.texts = {s: next((o.value for o in self.values(s, str(FZ.sourceText))), "") for s in self.node_types
                      if str(FZ.Report) in self.node_types[s]}
        self.report_ids = {s: next((o.value for o in self.values(s, str(DCTERMS.identifier))), _local(s))
                           for s in self.texts}

    def values(self, subject: str, predicate: str) -> list:
        return [o for p, o in self.props.get(subject, ()) if p == predicate]

    def fz_types(self, subject: str) -> list[str]:
        """The subject's fz classes with their fz superclasses."""
        found = {o.value for o in self.values(subject, _TYPE) if o.value.startswith(_FZ)}
        stack = list(found)
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return sorted(found)

    def label_of(self, subject: str) -> str:
        import pyoxigraph as ox

        literals = [o for o in self.values(subject, _LABEL) if isinstance(o, ox.Literal)]
        literals = literals or [o for o in self.values(subject, str(SKOS.prefLabel)) if isinstance(o, ox.Literal)]
        return _pick_label(literals) or _local(subject)


def _node_attributes(st: _Statements, subject: str, types: list[str]) -> dict:
    """A node's label, type, style, report, its literal and concept properties, merges and spans."""
    import pyoxigraph as ox

    names = [_local(t) for t in types]
    primary = next((name for name in TYPE_STYLE if name in names), names[0])
    report = subject if primary == "Report" else next(
        (o.value for o in st.values(subject, _INREPORT) if o.value in st.texts), None)
    attrs: dict = {
        "label": st.label_of(subject), "type": primary, "types": names,
        "type_label": st.labels.get(_FZ + primary, primary),
        "color": _type_colour(primary), "size": TYPE_STYLE.get(primary, ("", _OTHER_SIZE))[1],
        "report": st.report_ids.get(report) if report else None,
    }
    multi: dict[str, list] = {}
    for predicate, obj in st.props[subject]:
        if predicate in _SKIPPED:
            continue
        if isinstance(obj, ox.Literal):
            multi.setdefault(_key(predicate), []).append(_python(obj))
        elif obj.value not in st.node_types:  # a concept (unit, kind) or an outside resource
            target = obj.value
            multi.setdefault(_key(predicate), []).append(
                st.label_of(target) if target in st.props else (_key(target) if target.startswith(_FZ) else target))
    for key, found in multi.items():
        found = sorted(set(found), key=lambda v: (str(type(v)), v))
        attrs[key] = found[0] if len(found) == 1 else found
    merges = [{"label": next((o.value for o in st.values(m.value, str(FZ.mergedLabel))), None),
               "rule": next((o.value for o in st.values(m.value, str(FZ.mergeRule))), None)}
              for m in st.values(subject, str(FZ.merge))]
    if merges:
        attrs["merges"] = sorted(merges, key=lambda m: (m["label"] or "", m["rule"] or ""))
    spans = _spans(subject, st.values)
    if spans:
        start, end, exact = spans[0]
        attrs.update(span_start=start, span_end=end, span_text=exact, spans=spans, mention_count=len(spans))
        source = st.texts.get(report, "")
        if source and source[start:end] == exact:
            attrs["sentence_start"], attrs["sentence"] = sentence_around(source, start, end, _CONTEXT_LIMIT)
    return attrs


def _edges(st: _Statements) -> dict[tuple[str, str, str], dict]:
    """Object properties between nodes, keyed (source, relation, target); scored links carry their scores.

    fz:inReport is drawn only for the top of each containment chain (top sections,
    loose nodes): items, metrics and checks reach their report through their
    section or item, and entities hang off the items that mention them.
    """
    import pyoxigraph as ox

    links = {s: [(p, o.value) for p, o in st.props[s]
                 if p not in (_TYPE, _INREPORT) and not isinstance(o, ox.Literal) and o.value in st.node_types]
             for s in st.node_types}
    targets = {target for found in links.values() for _, target in found}
    entity = _FZ + "Entity"
    for subject, found in links.items():
        if not found and not (subject in targets and entity in st.node_types[subject]):
            found.extend((p, o.value) for p, o in st.props[subject] if p == _INREPORT and o.value in st.node_types)
    edges: dict[tuple[str, str, str], dict] = {}
    for subject, found in links.items():
        for predicate, target in found:
            relation = _local(predicate)
            color, width = EDGE_STYLE.get(relation, _EDGE_DEFAULT)
            edges[(subject, relation, target)] = {
                "relation": relation, "label": st.labels.get(predicate, relation), "color": color, "width": width}
    _score_edges(st, edges)
    return edges


def _score_edges(st: _Statements, edges: dict[tuple[str, str, str], dict]) -> None:
    """A fz:ScoredLink becomes the score, method and components of the edge it scores."""
    for link in st.props:
        if str(FZ.ScoredLink) not in st.fz_types(link):
            continue
        source = next((o.value for o in st.values(link, str(FZ.linkSource))), None)
        target = next((o.value for o in st.values(link, str(FZ.linkTarget))), None)
        relation = next((_local(o.value) for o in st.values(link, str(FZ.linkRelation))), None)
        edge = edges.get((source, relation, target))
        if edge is None:
            continue  # the scored statement itself is missing; nothing to attach to
        edge["score"] = next((_python(o) for o in st.values(link, str(FZ.score))), None)
        edge["method"] = next((o.value for o in st.values(link, str(FZ.method))), None)
        components = sorted(o.value for o in st.values(link, str(FZ.scoreComponent)))
        if components:
            edge["scoreComponent"] = components


def _describe(graph: nx.MultiDiGraph, st: _Statements) -> None:
    """``graph.graph``: the types with their counts and styles, the relations' labels, a title."""
    counts: dict[str, int] = {}
    for _, kind in graph.nodes(data="type"):
        counts[kind] = counts.get(kind, 0) + 1
    ordered = [t for t in TYPE_STYLE if t in counts] + sorted(t for t in counts if t not in TYPE_STYLE)
    graph.graph["types"] = [{"name": t, "label": st.labels.get(_FZ + t, t), "color": _type_colour(t),
                             "size": TYPE_STYLE.get(t, ("", _OTHER_SIZE))[1], "count": counts[t]} for t in ordered]
    graph.graph["relations"] = dict(sorted({(data["relation"], data["label"])
                                            for *_, data in graph.edges(data=True)}))
    titles = sorted(graph.nodes[s]["label"] for s in st.texts if s in graph)
    graph.graph["title"] = titles[0] if len(titles) == 1 else f"{len(titles)} reports"


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


