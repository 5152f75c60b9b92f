"""Name normalisation shared by the corpus stages: one written form for one name.

Reports write the same title or name with full-width or ASCII forms, several
dashes and bracket styles, quotes and stray spaces. :func:`fold` gives the one
form that identity keys are made of; it never changes a letter, digit or
number word (two names that differ in a number stay two names).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_title", "inner_titles", "strip_quotes"]

# Brackets of every style become ASCII parentheses; dashes of every style become "-".
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")", "【": "(", "】": ")",
                           "｛": "(", "｝": ")", "{": "(", "}": ")"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D~\uFF5E\u301C]|-{2,}")
# 一 between two years is a dash typed with the character for "one" (2021一2025年).
_ONE_AS_DASH = re.compile(r"(?<=\d{4})[一ー](?=\d{4})")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
_SPACE = re.compile(r"\s+")
_TITLE_MARKS = re.compile(r"[《》〈〉<>]")


@lru_cache(maxsize=1 << 14)
def fold(text: str) -> str:
    """Full-width forms, brackets, dashes, quotes and spaces folded; letters and numbers kept.

    >>> fold("《法治政府建设实施纲要（２０２１—２０２５年）》")
    '《法治政府建设实施纲要(2021-2025年)》'
    >>> fold("“府院联动” 工作机制"), fold("第一中学") == fold("第二中学")
    ('府院联动工作机制', False)
    """
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    text = _ONE_AS_DASH.sub("-", _DASHES.sub("-", text))
    return _SPACE.sub("", _QUOTES.sub("", text))


def fold_title(title: str) -> str:
    """A document title's key: :func:`fold` and every 《》〈〉 mark dropped (nesting folded).

    >>> fold_title("XX市贯彻落实〈法治政府建设实施纲要(2021一2025年)〉实施方案")
    'XX市贯彻落实法治政府建设实施纲要(2021-2025年)实施方案'
    """
    return _TITLE_MARKS.sub("", fold(title))


_INNER = re.compile(r"[〈<《]([^〈〉<>《》]+)[〉>》]")


def inner_titles(title: str) -> list[str]:
    """The titles nested in a title (〈…〉 inside 《…》), outermost marks excluded.

    >>> inner_titles("某县贯彻落实〈法治政府建设实施纲要（2021—2025年）〉实施方案")
    ['法治政府建设实施纲要（2021—2025年）']
    """
    body = title[1:-1] if title[:1] in "《" and title[-1:] in "》" else title
    return [m.group(1) for m in _INNER.finditer(body)]


def strip_quotes(text: str) -> str:
    """Quotation marks removed (a quoted name and the bare name are one name)."""
    return _QUOTES.sub("", text)
