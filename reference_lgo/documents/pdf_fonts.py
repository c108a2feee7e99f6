"""Fonts of the LGO's PDFs: Bitstream Vera, shipped inside reportlab (free licence, see
reportlab/fonts/bitstream-vera-license.txt). Embedded TrueType fonts print every French character
and keep the documents readable on any viewer, unlike the 14 standard PDF fonts."""

from __future__ import annotations

from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "Vera"
BOLD = "Vera-Bold"
ITALIC = "Vera-Italic"
BOLD_ITALIC = "Vera-BoldItalic"


@cache
def register() -> str:
    """Register the family once per process (reportlab's registry is global); returns its name."""
    for name, filename in (
        (REGULAR, "Vera.ttf"),
        (BOLD, "VeraBd.ttf"),
        (ITALIC, "VeraIt.ttf"),
        (BOLD_ITALIC, "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, filename))
    # <b>/<i> markup in paragraphs resolves through these mappings.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    return REGULAR
