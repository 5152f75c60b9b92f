"""SPARQL over a built graph: ``kg query``, ``kg serve`` (the oxigraph server) and ``kg push`` (Graph Store Protocol)."""
