"""Stage 5, analyse: links, gaps, importance and clusters, read from the built RDF graph.

:func:`graph_view` turns the RDF graph (not the extraction's private
structures) into a networkx ``MultiDiGraph``: measures, problems, plans,
sections, entities and metrics are nodes; ``mentions``, ``inSection``/
``inGroup``, ``fromItem``/``about``, the entity relations and the scored
``addresses``/``worksOn`` links are edges. :func:`analyze` reads, per report:

* the links (which plans answer each problem, which measure groups work on it),
* the gaps (problems no plan answers, plans answering no stated problem,
  measure groups no plan continues), as the extraction recorded them (``fz:gap``),
* the agencies and mechanisms that carry the report (betweenness and degree
  centrality in the item–entity graph),
* clusters of items that belong together (Louvain communities, fixed seed),

and writes ``OUT/analysis.json`` and ``OUT/analysis.html``, a page with an
inline SVG picture of measure groups, problems and plans and the links
between them (text stays text, so Chinese renders with any CJK font and the
page makes no request).
"""
from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from kg.io import atomic_write
from kg.rdf.load import load_store
from kg.rdf.namespaces import FZ as _FZ_NAMESPACE, PREFIXES

__all__ = ["analyze", "graph_view", "report_analysis", "render_html", "render_svg"]

FZ = str(_FZ_NAMESPACE._NS)
_ITEM_KINDS = {"Measure": "measure", "Problem": "problem", "Plan": "plan"}
_ENTITY_KINDS = ("Agency", "Mechanism", "Activity", "PolicyDocument", "Place")
# Edges between nodes that are bookkeeping, not meaning.
_SKIPPED_PREDICATES = {FZ + p for p in ("inReport", "evidence", "linkSource", "linkTarget", "linkRelation",
                                        "parentSection")}
CLUSTER_SEED = 7  # any fixed seed: Louvain is randomised, our output must not be
TOP_ENTITIES = 10
# Exact betweenness visits every edge once per node; above this many visits (a report
# hundreds of times the usual size) it is estimated from a fixed sample of sources.
BETWEENNESS_WORK = 20_000_000


# --- the networkx view of the graph -------------------------------------------

def _rows(store, query: str):
    for solution in store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES):
        yield [None if term is None else term.value for term in solution]


def graph_view(store) -> nx.MultiDiGraph:
    """The RDF graph of a pyoxigraph ``Store`` as a networkx ``MultiDiGraph``.

    Nodes are IRIs with ``kind`` (measure, problem, plan, section, metric or an
    entity class such as Agency), ``label``, ``report`` and, for items,
    ``position``, ``text``, ``group``; edges carry ``relation`` (the local name
    of the property) and, for scored links, ``score``.
    """
    graph = nx.MultiDiGraph()
    nodes: dict[str, dict[str, Any]] = {}
    for node, cls, report, label in _rows(store, """
        SELECT ?n ?c ?r ?label WHERE {
          ?n a ?c ; fz:inReport ?r .
          VALUES ?c { fz:Measure fz:Problem fz:Plan fz:Section fz:Metric
                      fz:Agency fz:Mechanism fz:Activity fz:PolicyDocument fz:Place }
          OPTIONAL { ?n rdfs:label ?label }
        }"""):
        name = cls[len(FZ):]
        kind = _ITEM_KINDS.get(name, name if name in _ENTITY_KINDS else name.lower())
        nodes[node] = {"kind": kind, "label": label or "", "report": report}
    for node, text, position, title in _rows(store, """
        SELECT ?n ?text ?pos ?title WHERE {
          ?n fz:text ?text ; fz:position ?pos . OPTIONAL { ?n fz:title ?title } }"""):
        if node in nodes:
            nodes[node].update(text=text, position=int(position), title=title or "")
    for node, heading, level, kind in _rows(store, """
        SELECT ?n ?h ?level ?kind WHERE { ?n a fz:Section ; fz:heading ?h ; fz:level ?level ; fz:sectionKind ?kind }"""):
        nodes[node].update(heading=heading, level=int(level), section_kind=kind[len(FZ):])
    for node, gap in _rows(store, "SELECT ?n ?gap WHERE { ?n fz:gap ?gap }"):
        if node in nodes:
            nodes[node].setdefault("gaps", []).append(gap)
    for node in sorted(nodes):
        graph.add_node(node, **nodes[node])

    edges = []
    for source, predicate, target in _rows(store, f"""
        SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?p), "{FZ}")) }}"""):
        if source in nodes and target in nodes and predicate not in _SKIPPED_PREDICATES:
            if predicate in (FZ + "addresses", FZ + "worksOn"):
                continue  # taken from the ScoredLink nodes below, with their scores
            edges.append((source, target, predicate[len(FZ):], None, None))
    for source, target, relation, score, method in _rows(store, """
        SELECT ?s ?t ?rel ?score ?method WHERE {
          ?l a fz:ScoredLink ; fz:linkSource ?s ; fz:linkTarget ?t ; fz:linkRelation ?rel ; fz:score ?score .
          OPTIONAL { ?l fz:method ?method } }"""):
        edges.append((source, target, relation[len(FZ):], float(score), method))
    for source, target, relation, score, method in sorted(edges, key=lambda e: (e[0], e[1], e[2])):
        attributes = {"relation": relation}
        if score is not None:
            attributes.update(score=score, method=method or "")
        graph.add_edge(source, target, key=relation, **attributes)
    return graph


# --- one report ------------------------------------------------------------------

def report_analysis(graph: nx.MultiDiGraph, report: str, meta: dict[str, Any],
                    members: list[str] | None = None) -> dict[str, Any]:
    """Links, gaps, centrality and clusters of one report's part of the graph (``members``: its nodes)."""
    if members is None:
        members = sorted(n for n, data in graph.nodes(data=True) if data.get("report") == report)
    sub = graph.subgraph(members)
    local = _local_ids(report)

    def items(kind: str) -> list[str]:
        return sorted((n for n in members if sub.nodes[n]["kind"] == kind), key=lambda n: sub.nodes[n]["position"])

    measures, problems, plans = items("measure"), items("problem"), items("plan")
    groups = _groups(sub, measures)
    addresses = _scored(sub, "addresses")
    works_on = _scored(sub, "worksOn")

    problem_rows = []
    for problem in problems:
        plans_of = sorted(((s, score) for (s, t), score in addresses.items() if t == problem), key=lambda p: (-p[1], p[0]))
        group_scores: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (measure, target), score in works_on.items():
            if target == problem:
                group_scores[sub.nodes[measure].get("group") or ""].append((measure, score))
        problem_rows.append({
            "id": local(problem), "label": sub.nodes[problem]["label"], "area": sub.nodes[problem].get("group_label"),
            "plans": [{"id": local(p), "score": round(s, 4)} for p, s in plans_of],
            "measure_groups": [
                {"id": local(g) if g else None, "score": round(max(s for _, s in ms), 4),
                 "measures": [local(m) for m, _ in sorted(ms)]}
                for g, ms in sorted(group_scores.items())
            ],
        })
    gaps = {  # as the extraction recorded them (fz:gap), not recomputed here
        "problems_without_plan": [local(p) for p in problems if "problem-without-plan" in sub.nodes[p].get("gaps", [])],
        "plans_without_problem": [local(p) for p in plans if "plan-without-problem" in sub.nodes[p].get("gaps", [])],
        "groups_without_plan": [local(g) for g in groups if g and "group-without-plan" in sub.nodes[g].get("gaps", [])],
    }
    return {
        "id": meta["id"], "title": meta.get("title"), "iri": report,
        "counts": {
            "measures": len(measures), "problems": len(problems), "plans": len(plans),
            "measure_groups": len([g for g in groups if g]),
            "entities": sum(1 for n in members if sub.nodes[n]["kind"] in _ENTITY_KINDS),
            "metrics": sum(1 for n in members if sub.nodes[n]["kind"] == "metric"),
            "addresses": len(addresses), "works_on": len(works_on),
        },
        "measure_groups": [
            {"id": local(g), "heading": sub.nodes[g].get("heading", ""), "measures": len(ms)}
            for g, ms in groups.items() if g
        ],
        "problems": problem_rows,
        "plans": [{"id": local(p), "label": sub.nodes[p]["label"]} for p in plans],
        "gaps": gaps,
        "centrality": _centrality(sub, local),
        "clusters": _clusters(sub, local),
    }


def _local_ids(report: str):
    prefix = report + "/"
    return lambda iri: iri[len(prefix):] if iri.startswith(prefix) else iri


def _groups(sub: nx.MultiDiGraph, measures: list[str]) -> dict[str, list[str]]:
    """Measure group (section IRI, or "" for measures outside any group) → its measures, in report order."""
    groups: dict[str, list[str]] = {}
    for measure in measures:
        group = next((t for _, t, k in sub.out_edges(measure, keys=True) if k == "inGroup"), "")
        sub.nodes[measure]["group"] = group
        groups.setdefault(group, []).append(measure)
    for node in sub.nodes:
        if sub.nodes[node]["kind"] == "problem":
            area = next((t for _, t, k in sub.out_edges(node, keys=True) if k == "inGroup"), None)
            sub.nodes[node]["group_label"] = sub.nodes[area].get("heading") if area else None
    return groups


def _scored(sub: nx.MultiDiGraph, relation: str) -> dict[tuple[str, str], float]:
    return {(s, t): data["score"] for s, t, k, data in sub.edges(keys=True, data=True) if k == relation}


def _item_entity_graph(sub: nx.MultiDiGraph, with_sections: bool = False) -> nx.Graph:
    """Undirected, weighted: items and entities, joined by mentions, entity relations and scored links.

    ``with_sections`` adds the sections and the items' membership edges, so that
    the report's own outline is part of the paths centrality counts.
    """
    kinds = ("measure", "problem", "plan", *_ENTITY_KINDS, *(("section",) if with_sections else ()))
    keep = {n for n, d in sub.nodes(data=True) if d["kind"] in kinds}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(keep))
    for source, target, key, data in sorted(sub.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if source in keep and target in keep and source != target:
            weight = data.get("score", 1.0)
            if graph.has_edge(source, target):
                weight = max(weight, graph[source][target]["weight"])
            graph.add_edge(source, target, weight=weight)
    return graph


def _centrality(sub: nx.MultiDiGraph, local) -> dict[str, list[dict[str, Any]]]:
    graph = _item_entity_graph(sub, with_sections=True)
    if graph.number_of_edges() == 0:
        return {"agencies": [], "mechanisms": []}
    # Betweenness: entities that join otherwise separate parts of the report
    # carry it; degree alone would favour whatever is named most often. The
    # sections are in the graph so that items are joined by the outline too and
    # one entity named everywhere (the government itself) is not the only bridge.
    sources = max(10, BETWEENNESS_WORK // graph.number_of_edges())
    if sources < graph.number_of_nodes():
        between = nx.betweenness_centrality(graph, k=sources, normalized=True, seed=CLUSTER_SEED)
    else:
        between = nx.betweenness_centrality(graph, normalized=True)
    out = {}
    for name, kind in (("agencies", "Agency"), ("mechanisms", "Mechanism")):
        rows = [
            {"id": local(n), "label": sub.nodes[n]["label"], "betweenness": round(between[n], 4),
             "items": sum(1 for m in graph.neighbors(n) if sub.nodes[m]["kind"] in ("measure", "problem", "plan"))}
            for n in graph.nodes if sub.nodes[n]["kind"] == kind
        ]
        rows.sort(key=lambda r: (-r["betweenness"], -r["items"], r["id"]))
        out[name] = rows[:TOP_ENTITIES]
    return out


def _clusters(sub: nx.MultiDiGraph, local) -> list[dict[str, Any]]:
    graph = _item_entity_graph(sub)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(graph, weight="weight", seed=CLUSTER_SEED)
    out = []
    for community in communities:
        members = sorted(community)
        items = [n for n in members if sub.nodes[n]["kind"] in ("measure", "problem", "plan")]
        if len(items) < 2:
            continue
        entities = sorted((n for n in members if n not in items), key=lambda n: (-graph.degree(n), n))
        kinds = {k: sum(1 for n in items if sub.nodes[n]["kind"] == k) for k in ("measure", "problem", "plan")}
        out.append({
            "items": sorted(local(n) for n in items),
            "entities": [{"id": local(n), "label": sub.nodes[n]["label"]} for n in entities],
            "counts": kinds,
            "name": _cluster_name(sub, items, entities),
        })
    out.sort(key=lambda c: (-len(c["items"]), c["items"]))
    return out


def _cluster_name(sub: nx.MultiDiGraph, items: list[str], entities: list[str]) -> str:
    # A problem names what the cluster is about best; else its best-connected entity; else an item.
    problems = sorted((n for n in items if sub.nodes[n]["kind"] == "problem"), key=lambda n: sub.nodes[n]["position"])
    for node in problems + entities + items:
        return sub.nodes[node]["label"]
    return ""


# --- the whole graph -------------------------------------------------------------------

def analyze(graph_path: str | Path, out: str | Path) -> dict:
    """Write ``OUT/analysis.json`` and ``OUT/analysis.html`` for the graph at ``graph_path``; return the analysis.

    >>> import tempfile
    >>> from kg.pipeline import build
    >>> folder = tempfile.mkdtemp()
    >>> result = build(None, folder, analyse=False, exports=False)
    >>> analysis = analyze(folder + "/graph.trig", folder)
    >>> [r["counts"]["problems"] for r in analysis["reports"]], sorted(p.name for p in Path(folder).glob("analysis.*"))
    ([8], ['analysis.html', 'analysis.json'])
    """
    out = Path(out)
    store = load_store(graph_path)
    graph = graph_view(store)
    by_report: dict[str, list[str]] = defaultdict(list)
    for node, report in graph.nodes(data="report"):
        by_report[report].append(node)  # nodes were added in sorted order
    reports = []
    for report, title, identifier in sorted(_rows(store, """
        SELECT ?r ?title ?id WHERE { ?r a fz:Report . OPTIONAL { ?r dcterms:title ?title }
                                     OPTIONAL { ?r dcterms:identifier ?id } }""")):
        reports.append(report_analysis(graph, report, {"id": identifier or report, "title": title},
                                       by_report.get(report, [])))
    analysis = {
        "graph": Path(graph_path).name,
        "reports": reports,
        "totals": {
            "reports": len(reports),
            **{key: sum(r["counts"][key] for r in reports) for key in ("measures", "problems", "plans", "addresses", "works_on")},
            "problems_without_plan": sum(len(r["gaps"]["problems_without_plan"]) for r in reports),
            "plans_without_problem": sum(len(r["gaps"]["plans_without_problem"]) for r in reports),
            "groups_without_plan": sum(len(r["gaps"]["groups_without_plan"]) for r in reports),
        },
    }
    atomic_write(out / "analysis.json", json.dumps(analysis, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    atomic_write(out / "analysis.html", render_html(analysis))
    return analysis


# --- the page ------------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:1280px;color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.gap{color:#b3261e;font-weight:bold}.muted{color:#777}.num{text-align:right}
.cards span{display:inline-block;background:#f4f4f4;border-radius:6px;padding:.3em .8em;margin:0 .4em .4em 0}
svg text{font-size:13px}
"""


def render_html(analysis: dict) -> str:
    """The analysis as one self-contained HTML page (no script, no external request)."""
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="zh"><head><meta charset="utf-8">',
             "<title>法治政府建设年度报告分析 · analysis</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>法治政府建设年度报告：问题、举措与计划的对应分析</h1>"]
    totals = analysis["totals"]
    parts.append('<p class="cards">' + "".join(f"<span>{e(label)}：<b>{totals[key]}</b></span>" for key, label in (
        ("reports", "报告"), ("measures", "举措"), ("problems", "问题"), ("plans", "计划"),
        ("problems_without_plan", "无计划的问题"), ("plans_without_problem", "无对应问题的计划"),
        ("groups_without_plan", "无后续计划的工作领域"))) + "</p>")
    if len(analysis["reports"]) > 1:
        parts.append("<ul>" + "".join(f'<li><a href="#{e(r["id"])}">{e(r["title"] or r["id"])}</a></li>'
                                      for r in analysis["reports"]) + "</ul>")
    for report in analysis["reports"]:
        parts.append(_report_html(report))
    parts.append('<p class="muted">Generated by <code>kg analyze</code> from the RDF graph; '
                 "scores are those of the fz:ScoredLink nodes.</p></body></html>")
    return "\n".join(parts) + "\n"


def _report_html(report: dict) -> str:
    e = html.escape
    c, gaps = report["counts"], report["gaps"]
    labels = _labels(report)
    out = [f'<h2 id="{e(report["id"])}">{e(report["title"] or report["id"])}</h2>',
           f'<p class="cards"><span>举措 {c["measures"]}（{c["measure_groups"]} 组）</span><span>问题 {c["problems"]}</span>'
           f'<span>计划 {c["plans"]}</span><span>实体 {c["entities"]}</span><span>指标 {c["metrics"]}</span>'
           f'<span>计划→问题 {c["addresses"]}</span><span>举措→问题 {c["works_on"]}</span></p>',
           "<h3>对应关系图 · Measures, problems and plans</h3>", render_svg(report),
           "<h3>缺口 · Gaps</h3><ul>"]
    for key, label in (("problems_without_plan", "没有计划回应的问题"), ("plans_without_problem", "没有对应问题的计划"),
                       ("groups_without_plan", "没有后续计划延续的工作领域")):
        names = "；".join(e(labels.get(i, i)) for i in gaps[key]) or '<span class="muted">无</span>'
        out.append(f'<li><span class="{"gap" if gaps[key] else ""}">{label}（{len(gaps[key])}）</span>：{names}</li>')
    out.append("</ul><h3>问题与计划、举措 · Problems, the plans that answer them, the measures already at work</h3>")
    out.append("<table><tr><th>问题</th><th>回应的计划（得分）</th><th>已在推进的举措组（得分，举措数）</th></tr>")
    for problem in report["problems"]:
        plans = "<br>".join(f'{e(labels[p["id"]])} <span class="muted">{p["score"]:.2f}</span>' for p in problem["plans"])
        groups = "<br>".join(
            f'{e(labels.get(g["id"], "未分组举措") if g["id"] else "未分组举措")} '
            f'<span class="muted">{g["score"]:.2f}，{len(g["measures"])} 项</span>' for g in problem["measure_groups"])
        out.append(f'<tr><td>{e(problem["label"])}</td><td>{plans or "<span class=gap>无</span>"}</td>'
                   f'<td>{groups or "<span class=muted>无</span>"}</td></tr>')
    out.append("</table>")
    for key, label in (("agencies", "机构"), ("mechanisms", "机制")):
        rows = report["centrality"][key]
        out.append(f"<h3>核心{label} · Central {key} (betweenness)</h3>")
        if not rows:
            out.append('<p class="muted">图中没有该类实体。</p>')
            continue
        out.append(f"<table><tr><th>{label}</th><th>中介中心度</th><th>涉及条目</th></tr>" + "".join(
            f'<tr><td>{e(r["label"])}</td><td class="num">{r["betweenness"]:.3f}</td><td class="num">{r["items"]}</td></tr>'
            for r in rows) + "</table>")
    out.append("<h3>聚类 · Clusters of items that belong together</h3>")
    if not report["clusters"]:
        out.append('<p class="muted">没有可聚类的关联。</p>')
    else:
        out.append("<table><tr><th>主题</th><th>举措/问题/计划</th><th>共同实体</th></tr>" + "".join(
            f'<tr><td>{e(cl["name"])}</td><td>{cl["counts"]["measure"]} / {cl["counts"]["problem"]} / {cl["counts"]["plan"]}</td>'
            f'<td>{e("、".join(x["label"] for x in cl["entities"][:6]))}</td></tr>' for cl in report["clusters"]) + "</table>")
    return "\n".join(out)


def _labels(report: dict) -> dict[str, str]:
    labels = {g["id"]: g["heading"] for g in report["measure_groups"]}
    labels.update({p["id"]: p["label"] for p in report["problems"]})
    labels.update({p["id"]: p["label"] for p in report["plans"]})
    return labels


# --- the picture ---------------------------------------------------------------------------

_BOX_W, _BOX_H, _GAP_Y, _CHARS = 300, 46, 20, 21  # the gap holds a gap note above a box
_COLUMNS_X = (20, 470, 920)
_COLOURS = {"measure": "#e8f1fb", "problem": "#fdecea", "plan": "#eaf6ec"}
_STROKES = {"measure": "#4a7fc1", "problem": "#c0392b", "plan": "#2e8b57"}


def render_svg(report: dict) -> str:
    """Three columns — measure groups, problems (by area), plans — joined by their scored links.

    Line width and opacity follow the score; items in a gap get a dashed red outline and a note.
    """
    e = html.escape
    groups = [g for g in report["measure_groups"]]
    problems, plans = report["problems"], report["plans"]
    gaps = report["gaps"]
    top = 70
    areas = list(dict.fromkeys(p["area"] for p in problems))
    # Problems of one area sit together under its heading.
    problem_y, y = {}, top
    area_y = {}
    for area in areas:
        if area:
            area_y[area] = y
            y += 22
        for problem in (p for p in problems if p["area"] == area):
            problem_y[problem["id"]] = y
            y += _BOX_H + _GAP_Y
    group_y = {g["id"]: top + i * (_BOX_H + _GAP_Y) for i, g in enumerate(groups)}
    plan_y = {p["id"]: top + i * (_BOX_H + _GAP_Y) for i, p in enumerate(plans)}
    height = max([y, *(v + _BOX_H + _GAP_Y for v in group_y.values()), *(v + _BOX_H + _GAP_Y for v in plan_y.values())]) + 20
    width = _COLUMNS_X[2] + _BOX_W + 20
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{e(report["title"] or report["id"])}: 举措、问题与计划的对应">',
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    for x, title, kind in zip(_COLUMNS_X, ("举措（按工作领域）", "存在的问题", "下步计划"), ("measure", "problem", "plan")):
        svg.append(f'<text x="{x}" y="30" font-size="16" font-weight="bold" fill="{_STROKES[kind]}">{title}</text>')
    svg.append(f'<text x="{_COLUMNS_X[0]}" y="52" fill="#777">线越粗越深，关联得分越高；红色虚线框为缺口。</text>')
    # Links first, so that the boxes are drawn over their ends.
    for problem in problems:
        py = problem_y[problem["id"]] + _BOX_H / 2
        for group in problem["measure_groups"]:
            if group["id"] in group_y:
                gy = group_y[group["id"]] + _BOX_H / 2
                svg.append(_curve(_COLUMNS_X[0] + _BOX_W, gy, _COLUMNS_X[1], py, group["score"], _STROKES["measure"],
                                  f'{len(group["measures"])} 项举措 → 问题，得分 {group["score"]:.2f}'))
        for plan in problem["plans"]:
            ly = plan_y[plan["id"]] + _BOX_H / 2
            svg.append(_curve(_COLUMNS_X[1] + _BOX_W, py, _COLUMNS_X[2], ly, plan["score"], _STROKES["plan"],
                              f'计划 → 问题，得分 {plan["score"]:.2f}'))
    for area, ay in area_y.items():
        svg.append(f'<text x="{_COLUMNS_X[1]}" y="{ay + 15}" fill="#8e2a1f" font-weight="bold">{e(_clip(area, 23))}</text>')
    for group in groups:
        svg.append(_box(_COLUMNS_X[0], group_y[group["id"]], f'{group["heading"]}（{group["measures"]} 项）', "measure",
                        group["id"] in gaps["groups_without_plan"], "无后续计划"))
    for problem in problems:
        svg.append(_box(_COLUMNS_X[1], problem_y[problem["id"]], problem["label"], "problem",
                        problem["id"] in gaps["problems_without_plan"], "无计划回应"))
    for plan in plans:
        svg.append(_box(_COLUMNS_X[2], plan_y[plan["id"]], plan["label"], "plan",
                        plan["id"] in gaps["plans_without_problem"], "无对应问题"))
    svg.append("</svg>")
    return "\n".join(svg)


def _curve(x1: float, y1: float, x2: float, y2: float, score: float, colour: str, tip: str) -> str:
    middle = (x1 + x2) / 2
    width = 1 + 5 * score
    opacity = 0.25 + 0.7 * min(1.0, score * 2)
    return (f'<path d="M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" fill="none" '
            f'stroke="{colour}" stroke-width="{width:.2f}" stroke-opacity="{opacity:.2f}"><title>{html.escape(tip)}</title></path>')


def _box(x: float, y: float, label: str, kind: str, gap: bool, gap_note: str) -> str:
    e = html.escape
    lines = [label[:_CHARS], label[_CHARS:2 * _CHARS]]
    if len(label) > 2 * _CHARS:
        lines[1] = label[_CHARS:2 * _CHARS - 1] + "…"
    stroke = ' stroke="#b3261e" stroke-width="2.5" stroke-dasharray="6 3"' if gap else \
        f' stroke="{_STROKES[kind]}" stroke-width="1"'
    out = [f'<g><title>{e(label)}</title>',
           f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="6" fill="{_COLOURS[kind]}"{stroke}/>']
    for index, line in enumerate(l for l in lines if l):
        out.append(f'<text x="{x + 8}" y="{y + 19 + index * 18}" fill="#222">{e(line)}</text>')
    if gap:
        out.append(f'<text x="{x + _BOX_W - 4}" y="{y - 5}" text-anchor="end" fill="#b3261e" font-size="11">{e(gap_note)}</text>')
    out.append("</g>")
    return "".join(out)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
