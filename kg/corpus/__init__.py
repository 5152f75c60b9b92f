"""The corpus layer: reports brought into one identity space, and compared.

Per report (run by the pipeline after extraction): the jurisdiction as an
administrative division, government bodies, documents and concepts keyed for
the whole corpus, metrics mapped to comparable indicators. Across reports:
series by jurisdiction, year-on-year checks, plan follow-through, recurring
problems, required parts and timeliness.

Never imports spaCy or jieba: it works on the typed model and the extraction JSON.
"""
