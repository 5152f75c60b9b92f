"""Comparisons across reports: series, year-on-year checks, plan follow-through, recurring problems,
required parts and timeliness (the 2019 rules), the ``corpus.json`` summary and ``kg compare``.

Works on the extraction JSON of the reports (``OUT/extractions/<id>.json``);
never imports spaCy or jieba (items carry their ``terms``).
"""
