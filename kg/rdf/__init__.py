"""RDF: the typed model → statements in our ontology, the graph files, loading and validation.

Uses rdflib (namespaces, SHACL) and pyoxigraph (parsing, serialising, SPARQL); never spaCy or jieba.
"""
