"""Generated bills redrawn out of square, as real PDFs arrive: turned a quarter onto a page of the other
orientation (shown upright by /Rotate), or a half, or a little off level (a scan's text layer), or stretched.

pdfium transforms every object of each page and writes the content stream anew, so the text is the same
text, placed elsewhere: what the square bill reads is what its redrawn copy must read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import pypdfium2 as pdfium

BBox = tuple[float, float, float, float]


def redrawn(pdf: bytes, matrix: Callable[[float, float], pdfium.PdfMatrix], rotation: int = 0) -> bytes:
    """Every page's content transformed by matrix(width, height); with a `rotation`, with that /Rotate to show
    it upright (onto a page of swapped width and height for a quarter turn)."""
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            transform = matrix(width, height)
            for item in list(page.get_objects()):
                item.transform(transform)
            page.gen_content()
            if rotation in (90, 270):
                page.set_mediabox(0, 0, height, width)
            if rotation:
                page.set_rotation(rotation)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    finally:
        document.close()


def sideways(pdf: bytes, up: bool) -> bytes:
    """Every page turned a quarter (counter-clockwise when `up`: its text then reads up the page)."""
    if up:
        return redrawn(pdf, lambda width, height: pdfium.PdfMatrix(0, 1, -1, 0, height, 0), 90)
    return redrawn(pdf, lambda width, height: pdfium.PdfMatrix(0, -1, 1, 0, 0, width), 270)


def sideways_box(box: BBox, page_size: tuple[float, float], up: bool) -> BBox:
    """Where `sideways` puts a box of the upright page."""
    width, height = page_size
    left, bottom, right, top = box
    return (height - top, left, height - bottom, right) if up else (bottom, width - right, top, width - left)


def upside_down(pdf: bytes, shown_upright: bool = True) -> bytes:
    """Every page turned a half about its centre, shown upright by /Rotate 180 (or not: a scan fed upside down)."""
    return redrawn(
        pdf, lambda width, height: pdfium.PdfMatrix(-1, 0, 0, -1, width, height), 180 if shown_upright else 0
    )


def upside_down_box(box: BBox, page_size: tuple[float, float]) -> BBox:
    """Where `upside_down` puts a box of the upright page."""
    width, height = page_size
    left, bottom, right, top = box
    return (width - right, height - top, width - left, height - bottom)


def tilted(pdf: bytes, degrees: float) -> bytes:
    """Every page's content turned `degrees` counter-clockwise about the page's origin, as a skewed scan's
    text layer is."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return redrawn(pdf, lambda width, height: pdfium.PdfMatrix(cos, sin, -sin, cos, 0, 0))


def stretched(pdf: bytes, across: float, down: float) -> bytes:
    """Every page's content scaled by `across` and `down` (type set wider or narrower, or taller)."""
    return redrawn(pdf, lambda width, height: pdfium.PdfMatrix(across, 0, 0, down, 0, 0))
