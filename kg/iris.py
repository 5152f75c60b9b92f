"""Every namespace IRI the graph uses, as plain strings, defined once.

The layers that write or read RDF without rdflib (the identity layer reads the
indicator scheme with pyoxigraph; the corpus graph is written as N-Triples text;
SPARQL is text) take their IRIs from here; :mod:`kg.rdf.namespaces` builds its
rdflib namespaces from the same strings, and a test checks the W3C ones are rdflib's.
"""
__all__ = ["FZ", "UNIT", "KIND", "CONCEPT", "INDICATOR", "DIVISION", "DEFAULT_BASE",
           "OA", "ORG", "PROV", "QB", "SKOS", "DCTERMS", "TIME", "RDF", "RDFS", "OWL", "XSD"]

# Ours
FZ = "http://example.org/fzzf#"
UNIT = "http://example.org/fzzf/unit/"
KIND = "http://example.org/fzzf/kind/"
CONCEPT = "http://example.org/fzzf/concept/"  # mechanisms and activities, shared by every report
INDICATOR = "http://example.org/fzzf/indicator/"  # ontology/indicators.ttl
DIVISION = "http://example.org/fzzf/division/"  # GB/T 2260 divisions by 12-digit code
DEFAULT_BASE = "http://example.org/fzzf/data/"

# W3C and Dublin Core
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
TIME = "http://www.w3.org/2006/time#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
