"""The shared spaCy pipeline: ``spacy.blank("zh")`` segmented by jieba with our domain dictionary.

jieba's dictionary is process-global and is not saved by ``nlp.to_disk()``, so it
is applied here, once per process, before the pipeline is first used.
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import cache, lru_cache

from .resources import lexicon_file

__all__ = ["get_nlp", "load_domain_dictionary", "word_spans", "word_tags", "DOMAIN_DICTIONARY", "ONE_PASS_LIMIT"]

# Above this many characters a text is not segmented in one nlp() call: spaCy's
# Doc construction grows faster than linearly with the text (17 s for 0.9M
# characters), while reports run to tens of thousands of characters.
ONE_PASS_LIMIT = 200_000

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


@lru_cache(maxsize=2)
def word_spans(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Start and end offsets of the words of ``text``, as the pipeline's tokenizer cuts them.

    spaCy's Chinese tokenizer with the jieba segmenter is ``jieba.cut`` over the
    text, white space kept out of the words; this is the same cut without
    building a Doc that nothing reads. Cached for the last texts seen, so that
    the stages that need word boundaries (entities, links) segment a report once.
    """
    import jieba

    if len(text) > ONE_PASS_LIMIT:
        raise ValueError(f"text of {len(text)} characters is over the one-pass limit")
    load_domain_dictionary()
    starts, ends = [], []
    for word, start, end in jieba.tokenize(text):
        if word.strip():
            starts.append(start)
            ends.append(end)
    return tuple(starts), tuple(ends)


@cache
def word_tags() -> dict[str, str]:
    """Part-of-speech tag of every dictionary word (jieba's dictionary, then ours).

    ``import jieba.posseg`` parses jieba's whole dictionary on every start (about
    0.4 s); the table is kept in a marshal cache beside jieba's own instead.
    """
    import hashlib
    import marshal

    import jieba

    load_domain_dictionary()
    source = jieba.dt.get_dict_file()
    name = getattr(source, "name", "jieba-dict")
    stamp = f"{name}:{os.path.getsize(name) if os.path.exists(name) else 0}:{jieba.__version__}"
    cache_file = os.path.join(jieba.dt.tmp_dir or tempfile.gettempdir(),
                              f"kg.jieba-tags.{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.cache")
    tags: dict[str, str] | None = None
    try:
        with open(cache_file, "rb") as handle:
            tags = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    if not isinstance(tags, dict):
        tags = {}
        with source:
            for line in source:
                parts = line.decode("utf-8").split()
                if len(parts) == 3:
                    tags[parts[0]] = parts[2]
        try:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache_file))
            with os.fdopen(fd, "wb") as handle:
                marshal.dump(tags, handle)
            os.replace(tmp, cache_file)
        except OSError:
            pass  # an unwritable cache folder costs time, not correctness
    else:
        source.close()
    for line in lexicon_file(DOMAIN_DICTIONARY).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
    return tags
