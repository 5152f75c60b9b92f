"""The shared segmentation is the pipeline's tokenizer's, with the domain dictionary applied."""
from __future__ import annotations

import pytest

from kg.extraction.nlp import get_nlp, word_spans

from tests.conftest import FIXTURES


@pytest.mark.parametrize("name", ["structure-a-county.txt", "structure-d-department.txt", "entities-district.txt"])
def test_word_spans_are_the_spacy_tokens(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    doc = get_nlp()(text)
    words = [t for t in doc if t.text.strip()]
    assert word_spans(text) == (tuple(t.idx for t in words), tuple(t.idx + len(t.text) for t in words))


@pytest.mark.parametrize("word", ["府院联动", "行政复议", "败诉率", "人次"])
def test_domain_dictionary_keeps_terms_whole(word):
    text = f"推进{word}工作"
    starts, ends = word_spans(text)
    assert (text.index(word), text.index(word) + len(word)) in set(zip(starts, ends))


def test_word_tags_agree_with_jieba_posseg():
    import jieba.posseg

    from kg.extraction.nlp import word_tags

    from kg.extraction.nlp import DOMAIN_DICTIONARY
    from kg.resources import lexicon_file

    ours = {line.split()[0] for line in lexicon_file(DOMAIN_DICTIONARY).read_text(encoding="utf-8").splitlines()
            if line.strip()}
    tags = word_tags()
    reference = jieba.posseg.dt.word_tag_tab
    assert len(reference) > 300_000
    assert all(tags[word] == tag for word, tag in reference.items() if word not in ours)
    assert tags["人次"] == "q"  # from our domain dictionary


def _cache_folder(tmp_path):
    """A folder holding a copy of jieba's cache file, as jieba itself wrote it."""
    import shutil

    import jieba

    from kg.extraction.nlp import load_domain_dictionary

    load_domain_dictionary()
    shutil.copy(f"{jieba.dt.tmp_dir}/jieba.cache", tmp_path / "jieba.cache")
    return tmp_path


def test_fast_cache_load_gives_jiebas_own_dictionary(tmp_path):
    import jieba

    from kg.extraction.nlp import _load_jieba_cache

    folder = _cache_folder(tmp_path)
    ours, reference = jieba.Tokenizer(), jieba.Tokenizer()
    ours.tmp_dir = reference.tmp_dir = str(folder)
    _load_jieba_cache(ours)
    assert ours.initialized
    reference.initialize()
    assert ours.total == reference.total
    assert ours.FREQ == reference.FREQ
    text = "县司法局组织开展行政执法人员培训，全年办理行政复议案件36件。"
    assert ours.lcut(text) == reference.lcut(text)


@pytest.mark.parametrize("content", [b"", b"not a marshal stream", b"\xe9"])
def test_damaged_cache_is_left_to_jieba(tmp_path, content):
    import jieba

    from kg.extraction.nlp import _load_jieba_cache

    (tmp_path / "jieba.cache").write_bytes(content)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)
    _load_jieba_cache(tokenizer)
    assert not tokenizer.initialized


def test_a_line_longer_than_spacys_max_length_is_extracted():
    """One line over spaCy's max_length (a 20 MB line stopped with "internal error" before): read in pieces."""
    from kg.pipeline import extract_text

    limit = get_nlp().max_length
    sentence = (FIXTURES / "metrics-county.txt").read_text(encoding="utf-8").replace("\n", "。")
    line = (sentence * (limit // len(sentence) + 2))[:limit + 20_000]
    extraction = extract_text(line)
    assert "\n" not in line and len(line) > limit
    copies = line.count(sentence)
    assert len(extraction.metrics) >= copies  # every copy's figures are found
    for metric in extraction.metrics[:: max(1, len(extraction.metrics) // 200)]:
        assert line[metric.span.start:metric.span.end] == metric.span.text
    for entity in extraction.entities:
        for mention in entity.mentions[:50]:
            assert line[mention.start:mention.end] == mention.text
