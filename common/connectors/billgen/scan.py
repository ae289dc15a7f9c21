"""A bill as a scanner would give it back: each page an image of gray pixels, no text layer.

A paper bill fed through an office scanner comes back at 150-300 dpi, a little turned, with specks of
noise and JPEG's blur; `scanned` makes such a PDF of a corpus bill (seeded), so the OCR path is measured on
bills whose truth is known (bench/extract/scanned.py) and tested (tests/unit/test_ocr.py). Scanning apps and fax
software often stamp a line of text on the pages they save (`stamped`): a text layer that holds no bill.
"""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.pdfgen.canvas import Canvas


def scanned(pdf: bytes, *, dpi: int = 200, turn_degrees: float = 0.0, noise: float = 0.0, seed: int = 0) -> bytes:
    """An image-only PDF of `pdf`'s pages at `dpi`, turned by `turn_degrees` counterclockwise, with `noise` of
    the pixels flipped to a random gray (as specks), saved as JPEG at the quality scanners use."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    document = pdfium.PdfDocument(pdf)
    try:
        pages = [_scan_page(document[index], dpi, turn_degrees, noise, rng) for index in range(len(document))]
    finally:
        document.close()
    out = io.BytesIO()
    # No creation or modification date: the same scan is the same bytes (the sandbox's files are deduplicated by
    # their hash, and a Pillow PDF otherwise carries the second it was saved).
    pages[0].save(
        out,
        "PDF",
        resolution=dpi,
        save_all=True,
        append_images=pages[1:],
        quality=85,
        creationDate=None,
        modDate=None,
    )
    return out.getvalue()


def stamped(pdf: bytes, text: str) -> bytes:
    """`pdf` with `text` drawn as a text layer at the foot of every page (Helvetica, 8 pt), as scanning apps and fax
    software stamp the pages they make."""
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            stamp = io.BytesIO()
            canvas = Canvas(stamp, pagesize=(page.get_width(), page.get_height()), invariant=1)
            canvas.setFont("Helvetica", 8)
            canvas.drawString(36, 18, text)
            canvas.save()
            source = pdfium.PdfDocument(stamp.getvalue())
            try:
                page.insert_obj(source.page_as_xobject(0, document).as_pageobject())
                page.gen_content()
            finally:
                source.close()
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    finally:
        document.close()


def _scan_page(page: pdfium.PdfPage, dpi: int, turn_degrees: float, noise: float, rng: random.Random) -> Image.Image:
    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    if turn_degrees:  # a quarter turn gives a page the other way round (fed sideways); a slight one keeps its size
        quarter = turn_degrees % 90 == 0
        image = image.rotate(turn_degrees, resample=Image.Resampling.BILINEAR, expand=quarter, fillcolor=255)
    if noise:
        pixels = image.load()
        assert pixels is not None
        width, height = image.size
        for _ in range(int(width * height * noise)):
            pixels[rng.randrange(width), rng.randrange(height)] = rng.randrange(256)
        image = image.filter(ImageFilter.GaussianBlur(0.4))
    return image
