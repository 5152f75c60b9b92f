"""The shared spaCy pipeline: ``spacy.blank("zh")`` segmented by jieba with our domain dictionary.

jieba's dictionary is process-global and is not saved by ``nlp.to_disk()``, so it
is applied here, once per process, before the pipeline is first used.
"""
from __future__ import annotations

import logging
import marshal
import os
import tempfile
from bisect import bisect_left
from functools import cache, lru_cache
from itertools import accumulate

from kg.extraction.rules import dictionary_lines
from kg.resources import lexicon_file

__all__ = ["get_nlp", "load_domain_dictionary", "segment", "word_spans", "word_tags", "DOMAIN_DICTIONARY",
           "ONE_PASS_LIMIT"]

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
    _load_jieba_cache(jieba.dt)
    dictionary_lines(DOMAIN_DICTIONARY)  # checked first: jieba's own error would blame nobody
    jieba.load_userdict(str(lexicon_file(DOMAIN_DICTIONARY)))


def _load_jieba_cache(tokenizer) -> None:
    """Load jieba's prefix dictionary from its cache file, three times faster than jieba does.

    ``Tokenizer.initialize`` unmarshals the 9 MB cache straight from the open
    file, which reads it in small pieces (0.7 s on a 2-core machine);
    unmarshalling the bytes read at once gives the same dictionary in 0.2 s.
    Whatever goes wrong here is left to jieba's own initialisation.
    """
    import jieba

    if tokenizer.initialized or tokenizer.dictionary != jieba.DEFAULT_DICT:
        return
    cache_file = os.path.join(tokenizer.tmp_dir or tempfile.gettempdir(), tokenizer.cache_file or "jieba.cache")
    try:
        with open(cache_file, "rb") as handle:
            freq, total = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return  # no cache yet, or a damaged one: jieba builds it
    if isinstance(freq, dict) and isinstance(total, int):
        tokenizer.FREQ, tokenizer.total = freq, total
        tokenizer.initialized = True


@cache
def get_nlp():
    """The blank Chinese pipeline with the jieba segmenter, built once per process."""
    import spacy

    load_domain_dictionary()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def segment(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Start and end offsets of the words of ``text``, as the pipeline's tokenizer cuts them.

    spaCy's Chinese tokenizer with the jieba segmenter is ``jieba.cut`` over the
    text, white space kept out of the words; this is the same cut without
    building a Doc that nothing reads (and without spaCy's ``max_length``).

    >>> segment("召开 会议")
    ((0, 3), (2, 5))
    """
    import jieba

    load_domain_dictionary()
    # jieba.tokenize is this same cut with a generator layer on top; offsets summed in C are cheaper.
    words = jieba.lcut(text)
    ends = list(accumulate(map(len, words)))
    kept = [index for index, word in enumerate(words) if word.strip()]
    return tuple(ends[i] - len(words[i]) for i in kept), tuple(ends[i] for i in kept)


@lru_cache(maxsize=2)
def word_spans(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """:func:`segment` of a whole report, cached for the last texts seen.

    The stages that need word boundaries (entities, links) so segment a report once.
    """
    if len(text) > ONE_PASS_LIMIT:
        raise ValueError(f"text of {len(text)} characters is over the one-pass limit")
    return segment(text)


class _TagTable:
    """Part-of-speech tags of dictionary words, looked up by binary search in sorted lines.

    ``import jieba.posseg`` builds a dict of jieba's whole dictionary on every
    start (about 0.4 s), and a marshalled dict loads no faster; a sorted
    ``word<TAB>tag`` list, cached as text beside jieba's own cache, splits in
    a few milliseconds and answers the few thousand look-ups a report needs.
    """

    def __init__(self, lines: list[str], extra: dict[str, str]) -> None:
        self.lines = lines
        self.found = dict(extra)  # our words first, then every word looked up so far
        self.missing: set[str] = set()

    def get(self, word: str, default: str | None = None) -> str | None:
        tag = self.found.get(word)
        if tag is not None:
            return tag
        if word in self.missing:
            return default
        key = word + "\t"
        index = bisect_left(self.lines, key)
        if index < len(self.lines) and self.lines[index].startswith(key):
            tag = self.found[word] = self.lines[index][len(key):]
            return tag
        self.missing.add(word)
        return default

    def __getitem__(self, word: str) -> str:
        tag = self.get(word)
        if tag is None:
            raise KeyError(word)
        return tag


@cache
def word_tags() -> _TagTable:
    """Part-of-speech tag of every dictionary word (jieba's dictionary, then ours)."""
    import hashlib

    import jieba

    load_domain_dictionary()
    source = jieba.dt.get_dict_file()
    name = getattr(source, "name", "jieba-dict")
    stamp = f"{name}:{os.path.getsize(name) if os.path.exists(name) else 0}:{jieba.__version__}"
    cache_file = os.path.join(jieba.dt.tmp_dir or tempfile.gettempdir(),
                              f"kg.jieba-tags.{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.txt")
    try:
        with open(cache_file, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
        source.close()
    except OSError:
        with source:
            rows = {}
            for line in source:
                parts = line.decode("utf-8").split()
                if len(parts) == 3:
                    rows[parts[0]] = parts[2]
        lines = sorted(f"{word}\t{tag}" for word, tag in rows.items())
        try:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache_file))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines))
            os.replace(tmp, cache_file)
        except OSError:
            pass  # an unwritable cache folder costs time, not correctness
    ours = {}
    for parts in dictionary_lines(DOMAIN_DICTIONARY):
        if len(parts) == 3:
            ours[parts[0]] = parts[2]
    return _TagTable(lines, ours)
