"""Identity across reports: one report brought into the corpus's shared identity space.

Run by the pipeline after extraction (:mod:`kg.identity.resolve`): the
jurisdiction as a GB/T 2260 administrative division, government bodies keyed
by division and normalised name, documents by their folded title, mechanisms
and activities as shared concepts, and metrics mapped to comparable
indicators (``ontology/indicators.ttl``). Every merge is recorded.

Never imports spaCy or jieba: it works on the typed model.
"""
