"""Text helpers shared by the stages: width folding, the one punctuation set, numerals.

Every stage reads punctuation through the sets defined here, so a sentence or
a clause ends at the same marks everywhere:

``SENTENCE_MARKS``  ``。！？!?`` and line ends (CR and LF)
``SEMICOLONS``      ``；;``
``COLONS``          ``：:``
``COMMAS``          ``，,`` (an ASCII comma inside a number, ``1,126``, ends nothing)
``CLAUSE_MARKS``    all of the above

Folding (:func:`fold`) replaces full-width digits and punctuation by their
ASCII forms one character for one, so offsets into the folded text are offsets
into the original. :func:`digits` does the same for digits only (full-width and
Chinese digit characters, for dates such as ``二〇二四年``); it is the helper
``kg.extraction.metadata`` can use for its own digit table. :func:`numeral`
reads a number in Arabic, full-width or Chinese numerals (through cn2an).

>>> fold("败诉率１．６１％（同比）")
'败诉率1.61%(同比)'
>>> numeral("二十"), numeral("两"), numeral("２０２４"), numeral("二〇二四")
(20.0, 2.0, 2024.0, 2024.0)
>>> clause_ends("受理1,126件,办结98件;满意率100%。")
[8, 14, 22]
"""
from __future__ import annotations

import bisect
import re

__all__ = ["SENTENCE_MARKS", "SEMICOLONS", "COLONS", "COMMAS", "CLAUSE_MARKS", "WHITE_SPACE",
           "CN_DIGITS", "CN_NUMERAL_CHARS", "NUMERAL_CHARS", "sentence_around",
           "fold", "fold_key", "digits", "numeral", "clause_ends", "sentence_ends", "is_cjk", "pieces", "Layout"]

SENTENCE_MARKS = "。！？!?\r\n"
SEMICOLONS = "；;"
COLONS = "：:"
COMMAS = "，,"
CLAUSE_MARKS = SENTENCE_MARKS + SEMICOLONS + COLONS + COMMAS
WHITE_SPACE = " \t\r\n\u3000\xa0"

CN_DIGITS = "〇零一二三四五六七八九"
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"  # what a Chinese numeral is written with
# Characters a count may be written with, in any script (三个, ２０余, 几十): names stop at them.
NUMERAL_CHARS = "0123456789０１２３４５６７８９一二三四五六七八九十两百千万几"

_FOLD = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?",
    "\u3000": " ", "％": "%", "．": ".", "～": "~", "－": "-", "／": "/", "\r": "\n", "\t": " ",
}
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD)) + "]")
_DIGITS = str.maketrans("０１２３４５６７８９" + CN_DIGITS, "0123456789" + "00123456789")
_CLAUSE_END = re.compile("[" + re.escape(CLAUSE_MARKS.replace(",", "")) + r"]|(?<!\d),|,(?!\d{3}(?!\d))")
_SENTENCE_END = re.compile("[" + re.escape(SENTENCE_MARKS) + "]")


def fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII, CR to LF, one character for one (offsets hold)."""
    return _FOLDABLE.sub(lambda m: _FOLD[m.group()], text)  # faster than str.translate here


def fold_key(label: str) -> str:
    """A label as a key: folded, without spaces, so both widths of a name give one key.

    >>> fold_key("乡镇（街道） 调委会")
    '乡镇(街道)调委会'
    """
    return fold(label).replace(" ", "")


def digits(text: str) -> str:
    """Full-width and Chinese digit characters to ASCII digits, one for one (``二〇二四`` → ``2024``)."""
    return text.translate(_DIGITS)


def numeral(raw: str) -> float | None:
    """The value of a number written in Arabic, full-width or Chinese numerals, or None.

    A run of bare digit characters (``二〇二四``) is read digit by digit; a
    numeral with 十/百/千 (``二十一``, ``两百``) through cn2an, imported only when
    one occurs (it is slow to import).
    """
    if not raw:
        return None
    plain = digits(raw.replace(",", ""))
    try:
        return float(plain)
    except ValueError:
        pass
    import cn2an

    try:
        return float(cn2an.cn2an(raw, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def sentence_around(text: str, start: int, end: int, limit: int = 160) -> tuple[int, str]:
    """The sentence of ``text`` holding ``[start, end)``: (where it starts, its text), ending at a
    sentence mark or a semicolon, with at most ``limit`` characters on either side of the span.

    >>> sentence_around("一是甲。二是乙丙；三是丁。", 7, 8)
    (4, '二是乙丙；')
    """
    marks = SENTENCE_MARKS + SEMICOLONS
    left = max((text.rfind(mark, 0, start) for mark in marks), default=-1) + 1
    ends = [i for mark in marks if (i := text.find(mark, max(start, end - 1))) != -1]
    right = min(ends) + 1 if ends else len(text)
    left, right = max(left, start - limit), max(min(right, end + limit), end)
    return left, text[left:right].rstrip("\r\n")


def clause_ends(text: str) -> list[int]:
    """Positions of the marks that end a clause (any of ``CLAUSE_MARKS``, not the comma of 1,126)."""
    return [m.start() for m in _CLAUSE_END.finditer(text)]


def sentence_ends(text: str) -> list[int]:
    """Positions of the marks that end a sentence (``SENTENCE_MARKS``)."""
    return [m.start() for m in _SENTENCE_END.finditer(text)]


def pieces(text: str, limit: int):
    """(start, end) of each line of ``text``; a line longer than ``limit`` is cut after its last
    sentence or clause mark before the limit (or at the limit when it has none).

    >>> list(pieces("ab。cd。ef\\ng", 5))
    [(0, 3), (3, 8), (9, 10)]
    """
    line_start = 0
    length = len(text)
    while line_start <= length:
        line_end = text.find("\n", line_start)
        if line_end < 0:
            line_end = length
        start = line_start
        while line_end - start > limit:
            cut = max(text.rfind(mark, start, start + limit) for mark in _PIECE_MARKS) + 1
            if cut <= start:
                cut = start + limit
            yield start, cut
            start = cut
        yield start, line_end
        line_start = line_end + 1


_PIECE_MARKS = SENTENCE_MARKS.replace("\n", "") + SEMICOLONS


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


class Layout:
    """Clause and sentence boundaries of a text, for quick look-ups by position.

    >>> layout = Layout("受理62件,办结58件。满意率100%")
    >>> layout.clause(8), layout.clause_bounds(1), layout.sentence(14), layout.sentence_bounds(1)
    (1, (6, 11), 1, (12, 19))
    """

    def __init__(self, text: str):
        self.text = text
        self.clause_ends = clause_ends(text)
        self.sentence_ends = sentence_ends(text)

    def clause(self, pos: int) -> int:
        """Index of the clause holding ``pos``."""
        return _index_of(self.clause_ends, pos)

    def clause_bounds(self, index: int) -> tuple[int, int]:
        return _bounds(self.clause_ends, index, len(self.text))

    def sentence(self, pos: int) -> int:
        return _index_of(self.sentence_ends, pos)

    def sentence_bounds(self, index: int) -> tuple[int, int]:
        return _bounds(self.sentence_ends, index, len(self.text))


def _index_of(ends: list[int], pos: int) -> int:
    """Which stretch (between consecutive ``ends``) holds ``pos``."""
    return bisect.bisect_right(ends, pos - 1) if pos else 0


def _bounds(ends: list[int], index: int, length: int) -> tuple[int, int]:
    return (ends[index - 1] + 1 if index else 0), (ends[index] if index < len(ends) else length)
