"""Property tests on the seams: extraction never crashes on arbitrary text and keeps offsets inside it."""
from __future__ import annotations

import re
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.pipeline import extract_text
from kg.rdf.triples import to_ntriples

# Text that looks like a report often enough to reach every stage: headings, markers,
# numbers with units, quotes and titles, mixed with anything at all.
_PIECES = st.sampled_from([
    "一、", "二、存在问题\n", "三、下一步工作计划\n", "（一）", "(二)", "1.", "（1）", "一是", "二是", "第一，",
    "；", ";", "。", "，", ",", "\n", "\r\n", "\u3000", " ", "《", "》", "〈", "〉", "“", "”", "\"",
    "县司法局", "人民法院", "工作机制", "专项行动", "培训", "乡镇", "街道", "办结率", "同比下降", "个百分点",
    "12件", "3.5万人次", "30余场", "约980万元", "１２３", "百分之", "十余次", "两轮", "99.5%", "〔2023〕5号",
    "2024年", "1-10月", "究其原因", "其中", "平均", "均达100%",
])
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=60).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_extraction_never_crashes_and_offsets_stay_inside(text):
    extraction = extract_text(text)
    n = len(text)
    spans = [i.span for i in extraction.items] + [m.span for m in extraction.metrics]
    spans += [s.heading for s in extraction.sections]
    spans += [mention for e in extraction.entities for mention in e.mentions]
    for span in spans:
        assert 0 <= span.start < span.end <= n
        assert text[span.start:span.end] == span.text
    to_ntriples(extraction, "http://example.org/t/")  # every extraction can be written as RDF


_UCSCHAR = [(0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF)] + [
    (plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)] + [(0xE1000, 0xEFFFD)]


def _iri_part_by_definition(text: str) -> str:
    # RFC 3987's rule as the docstring of iri_part states it, one character at a time.
    from urllib.parse import quote

    def kept(c: str) -> bool:
        return (not c.isascii() and c.isprintable() and not c.isspace()
                and any(low <= ord(c) <= high for low, high in _UCSCHAR))

    return "".join(c if kept(c) else quote(c, safe="/-_.~") for c in text)


def test_every_code_point_makes_a_valid_iri_and_a_valid_literal():
    """The whole of Unicode (surrogates aside, which no decoded text holds), one code point at a time."""
    import pyoxigraph as ox

    from kg.rdf.triples import _text, iri_part

    lines = []
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        ox.NamedNode("http://example.org/t/" + iri_part(c))
        lines.append(f"<http://example.org/t/{code}> <http://example.org/p> {_text(c)} .\n")
    triples = list(ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 0x110000 - 0x800
    assert all(t.object.value == chr(int(t.subject.value.rsplit("/", 1)[1])) for t in triples)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _TEXT))
def test_iri_part_keeps_letters_and_quotes_the_rest(text):
    import pyoxigraph as ox

    from kg.rdf.triples import iri_part

    part = iri_part(text)
    assert part == _iri_part_by_definition(text)
    ox.NamedNode("http://example.org/t/" + part)  # a valid IRI, checked by pyoxigraph


@cache
def _bundled_span_terms():
    from kg.extraction.link import _SpanTerms
    from kg.resources import bundled_report

    return _SpanTerms(bundled_report().read_text(encoding="utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 4000), st.integers(0, 80))
def test_span_words_cover_the_span_exactly(start, length):
    # The link stage reads the words of items and headings from the report's one segmentation:
    # whatever the span, its words put together are its text (white space aside).
    from kg.model import Span

    terms = _bundled_span_terms()
    start = min(start, len(terms.text))
    span = Span.of(terms.text, start, min(len(terms.text), start + length))
    assert "".join(terms.words(span)) == re.sub(r"\s", "", span.text)
