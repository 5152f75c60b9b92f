"""The shared spaCy pipeline: ``spacy.blank("zh")`` segmented by jieba with our domain dictionary.

jieba's dictionary is process-global and is not saved by ``nlp.to_disk()``, so it
is applied here, once per process, before the pipeline is first used.
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import cache

from .resources import lexicon_file

__all__ = ["get_nlp", "load_domain_dictionary", "DOMAIN_DICTIONARY"]

DOMAIN_DICTIONARY = "domain_dict.txt"


@cache
def load_domain_dictionary() -> None:
    """Configure the global jieba segmenter: quiet, writable cache, our words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cache_dir = tempfile.gettempdir()
    if not os.access(cache_dir, os.W_OK):
        cache_dir = os.path.expanduser("~")
    jieba.dt.tmp_dir = cache_dir
    jieba.load_userdict(str(lexicon_file(DOMAIN_DICTIONARY)))


@cache
def get_nlp():
    """The blank Chinese pipeline with the jieba segmenter, built once per process."""
    import spacy

    load_domain_dictionary()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
