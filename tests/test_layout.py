"""The architecture as the brief states it, checked on the source: layers, imports, function length."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600
# Which top-level modules a layer must never import, directly or inside a function.
FORBIDDEN = {
    "extraction": {"rdflib", "pyoxigraph"},
    "readers": {"rdflib", "pyoxigraph", "spacy", "jieba"},
    "identity": {"rdflib", "spacy", "jieba"},  # pyoxigraph reads the indicator scheme
    "compare": {"rdflib", "pyoxigraph", "spacy", "jieba"},
    "rdf": {"spacy", "jieba"},
    "store": {"spacy", "jieba"},
    "sparql": {"spacy", "jieba"},
    "outputs": {"spacy", "jieba"},
}


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_what_belongs_to_another(layer):
    wrong = {}
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        found = _imports(ast.parse(path.read_text(encoding="utf-8"))) & FORBIDDEN[layer]
        if found:
            wrong[str(path.relative_to(PACKAGE))] = sorted(found)
    assert wrong == {}


def test_no_function_is_longer_than_80_lines():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_no_module_is_longer_than_600_lines():
    long = {str(path.relative_to(PACKAGE)): lines for path in _modules()
            if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES}
    assert long == {}


def test_namespaces_are_defined_once():
    """Namespace IRIs are written in kg/iris.py and nowhere else in the code (doctests aside)."""
    from kg import iris

    namespaces = [getattr(iris, name) for name in iris.__all__]
    elsewhere = []
    for path in _modules():
        if path.name == "iris.py":
            continue
        text = path.read_text(encoding="utf-8")
        documentation = _docstring_lines(ast.parse(text))
        for number, line in enumerate(text.splitlines(), 1):
            if number in documentation:
                continue  # docstrings and their doctests may show IRIs
            elsewhere += [f"{path.relative_to(PACKAGE)}:{number}: {iri}" for iri in namespaces if iri in line]
    assert elsewhere == []


def test_the_w3c_namespaces_are_rdflib_s():
    from rdflib import namespace

    from kg import iris

    for name in ("ORG", "PROV", "QB", "SKOS", "DCTERMS", "TIME", "RDF", "RDFS", "OWL", "XSD"):
        assert getattr(iris, name) == str(getattr(namespace, name)), name
