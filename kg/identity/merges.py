"""The merge log: which surface forms became one node, by which rule.

* :func:`list_merges` reads a built graph (``OUT`` or a graph file) and lists every
  ``fz:EntityMerge``: the report, the surface form, the rule, and the node and name it
  was folded into — within a report (the extraction's merges) and across reports
  (a name written differently from its shared body, document or concept).
* :func:`plan_merges` is the dry run: from the extraction JSON of some reports (nothing
  written), which entities of which reports a corpus build would make one node.

:func:`format_merges` and :func:`format_plan` turn either into tab-separated lines for people.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg import iris
from kg.model import Division, Entity

__all__ = ["list_merges", "plan_merges", "format_merges", "format_plan", "MERGES_QUERY"]

MERGES_QUERY = f"PREFIX fz: <{iris.FZ}>\nPREFIX skos: <{iris.SKOS}>\nPREFIX dcterms: <{iris.DCTERMS}>\n" + """
SELECT ?report ?entity ?label ?rule ?into ?intoLabel ?entityLabel WHERE {
  GRAPH ?g {
    ?entity fz:merge ?merge ; fz:inReport ?r ; skos:prefLabel ?entityLabel .
    ?r dcterms:identifier ?report .
    ?merge fz:mergedLabel ?label ; fz:mergeRule ?rule .
  }
  OPTIONAL {
    GRAPH ?g { ?merge fz:mergedInto ?into }
    # the label of the node merged into, where any graph (the corpus graph) names it in Chinese
    OPTIONAL { GRAPH ?c { ?into skos:prefLabel ?intoLabel } FILTER(LANG(?intoLabel) = "zh") }
  }
}
ORDER BY ?report ?entity ?label ?rule ?intoLabel
"""


def _graph_file(source: str | Path) -> Path:
    from kg.errors import InputError

    path = Path(source)
    if path.is_dir():
        for name in ("graph.nq", "graph.trig"):
            if (path / name).is_file():
                return path / name
        raise InputError(f"{path}: no graph.nq or graph.trig here (build it first: kg build … -o {path})")
    if not path.is_file():
        raise InputError(f"{path}: no such graph file or build folder")
    return path


def list_merges(out_or_graph: str | Path) -> list[dict]:
    """Every merge recorded in a built graph, sorted by report, entity and surface form.

    Each row: ``report``, ``entity`` (IRI), ``label`` (the surface form merged), ``rule``,
    ``into`` (the shared node's IRI, or None for a merge within the report) and
    ``into_label`` (the name it was merged into).
    """
    from kg.rdf.load import has_store, load_store

    # A build folder's on-disk store is read in place; its graph files would be parsed whole.
    store = load_store(out_or_graph if has_store(out_or_graph) else _graph_file(out_or_graph))
    rows = []
    seen = set()
    for solution in store.query(MERGES_QUERY):
        value = {name: (solution[name].value if solution[name] is not None else None)
                 for name in ("report", "entity", "label", "rule", "into", "intoLabel", "entityLabel")}
        key = (value["report"], value["entity"], value["label"], value["rule"])
        if key in seen:
            continue
        seen.add(key)
        rows.append({"report": value["report"], "entity": value["entity"], "label": value["label"],
                     "rule": value["rule"], "into": value["into"],
                     "into_label": value["intoLabel"] or (_name_from_iri(value["into"]) if value["into"]
                                                          else value["entityLabel"])})
    return rows


_SHARED_PARTS = ("/corpus/body/", "/corpus/document/", "/concept/mechanism/", "/concept/activity/", "/division/")


def _name_from_iri(iri: str) -> str | None:
    """A shared node's name read back from its IRI, for a graph built without the corpus graph."""
    from urllib.parse import unquote

    from kg.identity.identity import shared_name

    for part in _SHARED_PARTS:
        if part in iri:
            rest = unquote(iri.split(part, 1)[1])
            return shared_name(part.strip("/").split("/")[-1] + "/" + rest)
    return None


def _division(data: dict | None) -> Division | None:
    if not data:
        return None
    return Division(code=data["code"], name=data["name"], level=data["level"], path=list(data.get("path", [])),
                    codes=list(data.get("codes", [])))


def plan_merges(extraction_jsons: Iterable[dict]) -> list[dict]:
    """What a corpus build of these reports would merge (a dry run; nothing is written).

    One row per shared node that more than one entity (of one report or several) denotes:
    ``key``, ``name`` and ``forms``: each with ``report``, ``entity`` (id), ``label`` and the
    ``rules`` that fold it (empty when it is written as the shared name).
    """
    from kg.identity.identity import merge_rules, shared_name

    groups: dict[str, list[dict]] = {}
    for contract in extraction_jsons:
        report = contract.get("report") or {}
        division = _division(report.get("division"))
        for data in contract.get("entities", []):
            key = data.get("shared_key")
            if not key:
                continue
            entity = Entity(id=data["id"], type=data["type"], label=data["label"], shared_key=key)
            rules = merge_rules(entity, division) if entity.label != shared_name(key) else []
            groups.setdefault(key, []).append({"report": report.get("id"), "entity": entity.id,
                                               "label": entity.label, "rules": rules})
    plan = []
    for key in sorted(groups):
        forms = sorted(groups[key], key=lambda f: (str(f["report"]), f["entity"]))
        if len(forms) > 1:
            plan.append({"key": key, "name": shared_name(key), "forms": forms})
    return plan


def format_merges(rows: list[dict]) -> str:
    """The merge log as tab-separated lines: report, surface form, rule, name merged into."""
    lines = ["report\tlabel\trule\tinto_label\tinto"]
    lines += [f"{r['report']}\t{r['label']}\t{r['rule']}\t{r['into_label'] or ''}\t{r['into'] or ''}" for r in rows]
    return "\n".join(lines) + "\n"


def format_plan(plan: list[dict]) -> str:
    """The dry run as tab-separated lines: shared name, report, surface form, rules."""
    lines = ["name\treport\tlabel\trules\tkey"]
    for group in plan:
        for form in group["forms"]:
            lines.append(f"{group['name']}\t{form['report']}\t{form['label']}\t{'; '.join(form['rules'])}\t{group['key']}")
    return "\n".join(lines) + "\n"
