"""Outputs read from the built graph only: the analysis, the property-graph exports and the viewer."""
