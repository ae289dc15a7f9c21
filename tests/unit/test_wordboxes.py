"""wordboxes.c (the bill reader's per-word loop in C) gives exactly the words and boxes of the Python loop.

Both paths run on the same input: real pdfium pages, and crafted UTF-16 text over a fake pdfium whose
boxes encode the character index, so a word split or index off by one changes the result. `make test`
builds _wordboxes.so, so a missing library fails here instead of silently testing Python against itself.
"""

from __future__ import annotations

import ctypes
import io
import json
import math
import random
import re
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from pdfs import build_pdf, one_page_pdf, pdf_stream, pdf_text
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen import corpus
from common.extraction.bills import pdf_worker
from common.extraction.bills.cascade import extract_bill
from common.extraction.bills.guard import PdfTextReader, decode_pages
from common.models import BillStatus

LIMITS = {"max_pages": 50, "max_chars_per_page": 50_000}
WHITESPACE = [code for code in range(0x110000) if chr(code).isspace()]
NOT_WHITESPACE = [0x00, 0x1B, 0x21, 0x84, 0x180E, 0x200B, 0x2060, 0xFEFF, 0xFFFD, 0xFFFF]
HANDLE = 0x5EED


ASTRAL_LINES = [(72, 700, "ABZ B AA xZ"), (72, 680, "ZZZ q"), (72, 660, "plain words")]  # x, y, string drawn
# Helvetica's advances (1/1000 em) of the glyphs that come before a word in ASTRAL_LINES.
HELVETICA_WIDTHS = {" ": 278, "A": 667, "B": 667, "Z": 611, "a": 556, "i": 222, "l": 222, "n": 556, "p": 556}


def astral_pdf() -> bytes:
    """Helvetica whose ToUnicode maps A and Z past the BMP: pdfium's text has surrogate pairs, and pdfium
    counts each pair as two characters (both with the glyph's box), so a word after one starts further
    into the text's UTF-16 units than into its str."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Astral def /CMapType 2 def\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"3 beginbfchar <41> <D83DDE00> <42> <0062> <5A> <D834DD1E> endbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    content = b"BT /F1 12 Tf " + b" ".join(
        b"1 0 0 1 %d %d Tm (%s) Tj" % (x, y, line.encode()) for x, y, line in ASTRAL_LINES
    )
    content += b" ET"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
    return one_page_pdf(content, b"/Font << /F1 5 0 R >>", font, pdf_stream(cmap))


def empty_pdf() -> bytes:
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


PYTHON_WORDS = pdf_worker._python_words
NATIVE_COLUMNS = pdf_worker._native_columns


def refuse_fallback(*args: Any) -> Any:
    """_native_columns, failing where C could not read the page (a page with words on two lines C reads, and
    Python reads again to split them: that is no fallback)."""
    columns, away = NATIVE_COLUMNS(*args)
    if columns is None:
        raise AssertionError("the C path fell back to Python")
    return columns, away


def read_both(
    monkeypatch: pytest.MonkeyPatch, pdf: bytes, native_columns: Callable[..., Any] = refuse_fallback
) -> tuple[Any, Any]:
    """read_columns through C (with `native_columns` for _native_columns: by default a fallback fails the test) and
    through the Python loop."""
    with monkeypatch.context() as patch:
        patch.setattr(pdf_worker, "_native_columns", native_columns)
        native = pdf_worker.read_columns(pdf, **LIMITS)
    with monkeypatch.context() as patch:
        patch.setattr(pdf_worker, "_native", lambda: None)
        python = pdf_worker.read_columns(pdf, **LIMITS)
    return native, python


def assert_same_pages(native: Any, python: Any) -> None:
    (native_pages, *native_rest), (python_pages, *python_rest) = native, python
    assert native_rest == python_rest  # page count, cut pages, unreadable pages
    assert len(native_pages) == len(python_pages)
    for native_page, python_page in zip(native_pages, python_pages, strict=True):
        (native_texts, native_boxes, native_joined), (python_texts, python_boxes, python_joined) = (
            native_page,
            python_page,
        )
        assert native_texts == python_texts
        assert native_boxes.tobytes() == python_boxes.tobytes()  # bit for bit, NaNs included
        assert native_joined == python_joined


def test_the_library_is_built() -> None:
    assert pdf_worker._native() is not None, "run `make venv`: it compiles build/_wordboxes.so"


def test_c_and_python_read_identical_words_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    words = 0
    for bill in corpus(3):
        native, python = read_both(monkeypatch, bill.pdf)
        assert_same_pages(native, python)
        words += sum(len(texts) for texts, _, _ in native[0])
        assert all(joined == [] for _, _, joined in native[0]), bill.name  # a square page's lines stay apart
    assert words > 1000


def test_c_and_python_agree_when_pdfium_text_has_surrogate_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    native, python = read_both(monkeypatch, astral_pdf())
    assert_same_pages(native, python)
    texts = native[0][0][0]
    assert texts[:3] == ["\U0001f600b\U0001d11e", "b", "\U0001f600\U0001f600"]
    assert texts[-2:] == ["plain", "words"]


def pdfium_page_chars(pdf: bytes) -> tuple[str, list[tuple[float, float, float, float]]]:
    """The first page's text and each character's loose box (left, bottom, right, top), straight from pdfium."""
    document = pdfium_c.FPDF_LoadMemDocument64(pdf, len(pdf), None)
    page = pdfium_c.FPDF_LoadPage(document, 0)
    textpage = pdfium_c.FPDFText_LoadPage(page)
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        buffer = (ctypes.c_ushort * (count + 1))()
        units = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer) - 1
        # What the fix relies on: pdfium's characters are the text's UTF-16 units, one for one.
        assert units == count
        assert [pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, i) for i in range(units)] == list(range(units))
        boxes = []
        for index in range(count):
            rect = pdfium_c.FS_RECTF()
            assert pdfium_c.FPDFText_GetLooseCharBox(textpage, index, rect)
            boxes.append((rect.left, rect.bottom, rect.right, rect.top))
        return ctypes.string_at(buffer, 2 * units).decode("utf-16-le"), boxes
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)
        pdfium_c.FPDF_ClosePage(page)
        pdfium_c.FPDF_CloseDocument(document)


def test_past_a_surrogate_pair_every_word_gets_its_own_box(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = astral_pdf()
    text, chars = pdfium_page_chars(pdf)
    assert len(text) < len(chars)  # the page has surrogate pairs
    expected = []
    for match in re.finditer(r"\S+", text):
        # The word's characters: its UTF-16 units, counted independently of pdf_worker.
        start = len(text[: match.start()].encode("utf-16-le")) // 2
        end = start + len(match.group().encode("utf-16-le")) // 2
        boxes = chars[start:end]
        left, bottom = min(box[0] for box in boxes), min(box[1] for box in boxes)
        right, top = max(box[2] for box in boxes), max(box[3] for box in boxes)
        expected.append((match.group(), left, bottom, right, top))
    for pages, *_ in read_both(monkeypatch, pdf):
        assert pdf_worker._words(pages[0]) == expected


def test_past_a_surrogate_pair_words_are_where_they_were_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = []  # each word's drawn origin: its line's start plus the advances of the glyphs before it
    for x, y, line in ASTRAL_LINES:
        for match in re.finditer(r"\S+", line):
            drawn.append((x + sum(HELVETICA_WIDTHS[glyph] for glyph in line[: match.start()]) * 12 / 1000, y))
    for pages, *_ in read_both(monkeypatch, astral_pdf()):
        words = pdf_worker._words(pages[0])
        assert [word[0] for word in words][4:6] == ["\U0001d11e" * 3, "q"]  # "q" comes after three pairs
        assert len(words) == len(drawn)
        for (_, left, bottom, right, top), (origin_x, origin_y) in zip(words, drawn, strict=True):
            assert left == pytest.approx(origin_x, abs=1e-3)
            assert bottom < origin_y < top
            assert right > left


def test_an_empty_page_has_no_words(monkeypatch: pytest.MonkeyPatch) -> None:
    native, python = read_both(monkeypatch, empty_pdf())
    assert_same_pages(native, python)
    assert native == ([([], pdf_worker.array("f"), [])], 1, [], [], [[]])


def test_the_worker_encoding_round_trips_through_the_parent() -> None:
    pdf = next(iter(corpus(1))).pdf
    header, boxes = pdf_worker.encode_columns(*pdf_worker.read_columns(pdf, **LIMITS))
    words, _, joined, cut, unreadable, set_aside = pdf_worker.read_words(pdf, **LIMITS)
    assert decode_pages(json.loads(header), boxes) == (words, joined, cut, unreadable, set_aside)


BROWSER_PRINTED = {
    "small capitals": Path(__file__).parents[1] / "data" / "pdf" / "browser-smallcaps-bill.pdf",  # glyphs' own boxes
    "ligatures": Path(__file__).parents[1] / "data" / "pdf" / "browser-ligatures-bill.pdf",  # misplaced by pdfium
}


@pytest.mark.parametrize("which", ["corpus", *BROWSER_PRINTED])
def test_without_the_library_python_reads_the_same_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, which: str
) -> None:
    pdf = next(iter(corpus(1))).pdf if which == "corpus" else BROWSER_PRINTED[which].read_bytes()
    expected = pdf_worker.read_words(pdf, **LIMITS)
    with monkeypatch.context() as patch:
        patch.setattr(pdf_worker, "_NATIVE_LIBRARY", str(tmp_path / "_wordboxes.so"))
        pdf_worker._native.cache_clear()
        try:
            assert pdf_worker._native() is None
            assert pdf_worker.read_words(pdf, **LIMITS) == expected
        finally:
            pdf_worker._native.cache_clear()
    assert pdf_worker._native() is not None


@pytest.mark.parametrize("answer", [-1, 0])
def test_a_count_that_disagrees_with_str_split_falls_back_to_python(
    monkeypatch: pytest.MonkeyPatch, answer: int
) -> None:
    pdf = next(iter(corpus(1))).pdf
    expected = pdf_worker.read_words(pdf, **LIMITS)
    monkeypatch.setattr(pdf_worker, "_native", lambda: lambda *args: answer)  # leaves every word "never reached"
    assert pdf_worker.read_words(pdf, **LIMITS) == expected


# --- crafted text over a fake pdfium --------------------------------------------------------------------

CHAR_BOX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
TEXT_INDEX_TO_CHAR = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
CHAR_ANGLE = ctypes.CFUNCTYPE(ctypes.c_float, ctypes.c_void_p, ctypes.c_int)
CHAR_ORIGIN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
IS_GENERATED = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
COUNT_RECTS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
GET_RECT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, *(ctypes.c_void_p,) * 4)
TIGHT_BOX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, *(ctypes.c_void_p,) * 4)
CHAR_MATRIX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
FONT_SIZE = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p, ctypes.c_int)


CharBox = tuple[float, float, float, float]  # left, bottom, right, top


def after(box: CharBox) -> CharBox:
    """A character of no width where `box` ends: the middle one of a word whose first and last characters are
    tested (one that starts inside the first would be drawn over it)."""
    return (box[2], box[1], box[2], box[3])


class FakePdfium:
    """FPDFText_GetLooseCharBox, FPDFText_GetCharIndexFromTextIndex, FPDFText_GetCharAngle and
    FPDFText_GetCharOrigin over a made-up page.

    Indices count UTF-16 units, as pdfium's do: a character past U+FFFF is two positions. A character's
    box derives from its index (right < left and the bottoms and tops vary, so the min/max choices show);
    `no_box` and `unmapped` indices fail, `nan_box` ones give a NaN box, `boxes` (left, bottom, right, top)
    are given as they are. Every character is at `angle` (level, 0, unless set: a page set turned or off level) but
    those in `angles`; `angles_asked` records
    the characters whose angle was asked for. A character's origin is in `origins`, else its box's lower left
    corner; `no_origin` ones have none. FPDFText_CountRects and FPDFText_GetRect give `strings`, the boxes of
    the strings drawn (left, bottom, right, top), in order; none unless given. FPDFText_IsGenerated says a
    character was drawn but those in `generated` (spaces pdfium put between two strings). FPDFText_GetCharBox gives a
    character's loose box for those in `glyph_boxes` (a Type 3 font's, which says no ascent nor descent), else one
    0.5 inside it; `tight_asked` records the characters it was asked for. FPDFText_GetMatrix gives the text
    object's matrix (a, b, c, d, e, f) of the characters in `matrices`, and fails for the others;
    FPDFText_GetFontSize gives `font_size`.
    """

    def __init__(self) -> None:
        self.no_box: set[int] = set()
        self.nan_box: set[int] = set()
        self.boxes: dict[int, CharBox] = {}
        self.unmapped: set[int] = set()
        self.angle = 0.0
        self.angles: dict[int, float] = {}
        self.angles_asked: list[int] = []
        self.origins: dict[int, tuple[float, float]] = {}
        self.no_origin: set[int] = set()
        self.char_box = CHAR_BOX(self._char_box)
        self.text_index_to_char = TEXT_INDEX_TO_CHAR(self._text_index_to_char)
        self.char_angle = CHAR_ANGLE(self._char_angle)
        self.char_origin = CHAR_ORIGIN(self._char_origin)
        self.generated: set[int] = set()
        self.is_generated = IS_GENERATED(self._is_generated)
        self.strings: list[CharBox] = []
        self.count_rects = COUNT_RECTS(self._count_rects)
        self.get_rect = GET_RECT(self._get_rect)
        self.glyph_boxes: set[int] = set()
        self.tight_asked: list[int] = []
        self.tight_box = TIGHT_BOX(self._tight_box)
        self.matrices: dict[int, tuple[float, float, float, float, float, float]] = {}
        self.char_matrix = CHAR_MATRIX(self._char_matrix)
        self.font_size = 10.0
        self.get_font_size = FONT_SIZE(self._font_size)

    def _char_matrix(self, handle: int, index: int, address: int) -> int:
        assert handle == HANDLE
        if index not in self.matrices:
            return 0
        matrix = pdfium_c.FS_MATRIX.from_address(address)
        matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f = self.matrices[index]
        return 1

    def _font_size(self, handle: int, index: int) -> float:
        assert handle == HANDLE
        return self.font_size

    def _tight_box(self, handle: int, index: int, left: int, right: int, bottom: int, top: int) -> int:
        assert handle == HANDLE
        self.tight_asked.append(index)
        rect = pdfium_c.FS_RECTF()
        if not self._char_box(handle, index, ctypes.addressof(rect)):
            return 0
        inset = 0.0 if index in self.glyph_boxes else 0.5
        box = (rect.left + inset, rect.right - inset, rect.bottom + inset, rect.top - inset)
        for address, value in zip((left, right, bottom, top), box, strict=True):
            ctypes.c_double.from_address(address).value = value
        return 1

    def _count_rects(self, handle: int, start: int, count: int) -> int:
        assert (handle, start, count) == (HANDLE, 0, -1)
        return len(self.strings)

    def _get_rect(self, handle: int, index: int, left: int, top: int, right: int, bottom: int) -> int:
        assert handle == HANDLE
        for address, value in zip((left, bottom, right, top), self.strings[index], strict=True):
            ctypes.c_double.from_address(address).value = value
        return 1

    def _char_box(self, handle: int, index: int, address: int) -> int:
        assert handle == HANDLE
        if index in self.no_box:
            return 0
        rect = pdfium_c.FS_RECTF.from_address(address)
        if index in self.nan_box:
            rect.left = rect.top = rect.right = rect.bottom = float("nan")
            return 1
        if index in self.boxes:
            rect.left, rect.bottom, rect.right, rect.top = self.boxes[index]
            return 1
        rect.left = index + 0.25
        rect.right = index + 1.5 - index % 3
        rect.bottom = (index * 7) % 5 - 0.125
        rect.top = rect.bottom + 10 + index % 4
        return 1

    def _is_generated(self, handle: int, index: int) -> int:
        assert handle == HANDLE
        return int(index in self.generated)

    def _text_index_to_char(self, handle: int, text_index: int) -> int:
        assert handle == HANDLE
        return -1 if text_index in self.unmapped else 3 * text_index + 1

    def _char_angle(self, handle: int, index: int) -> float:
        assert handle == HANDLE
        self.angles_asked.append(index)
        return self.angles.get(index, self.angle)

    def _char_origin(self, handle: int, index: int, x_address: int, y_address: int) -> int:
        assert handle == HANDLE
        if index in self.no_origin:
            return 0
        if index in self.origins:
            x, y = self.origins[index]
        else:
            rect = pdfium_c.FS_RECTF()
            self._char_box(handle, index, ctypes.addressof(rect))
            x, y = rect.left, rect.bottom
        ctypes.c_double.from_address(x_address).value = x
        ctypes.c_double.from_address(y_address).value = y
        return 1


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePdfium]:
    pdfium = FakePdfium()
    monkeypatch.setattr(pdf_worker, "_CHAR_BOX", pdfium.char_box)
    monkeypatch.setattr(pdf_worker, "_TEXT_INDEX_TO_CHAR", pdfium.text_index_to_char)
    monkeypatch.setattr(pdf_worker, "_CHAR_ANGLE", pdfium.char_angle)
    monkeypatch.setattr(pdf_worker, "_CHAR_ANGLE_ADDRESS", ctypes.cast(pdfium.char_angle, ctypes.c_void_p).value)
    monkeypatch.setattr(pdf_worker, "_CHAR_ORIGIN", pdfium.char_origin)
    monkeypatch.setattr(pdf_worker, "_IS_GENERATED", pdfium.is_generated)
    monkeypatch.setattr(pdf_worker, "_IS_GENERATED_ADDRESS", ctypes.cast(pdfium.is_generated, ctypes.c_void_p).value)
    monkeypatch.setattr(pdf_worker, "_COUNT_RECTS", pdfium.count_rects)
    monkeypatch.setattr(pdf_worker, "_GET_RECT", pdfium.get_rect)
    monkeypatch.setattr(pdf_worker, "_CHAR_ORIGIN_ADDRESS", ctypes.cast(pdfium.char_origin, ctypes.c_void_p).value)
    monkeypatch.setattr(pdf_worker, "_CHAR_BOX_ADDRESS", ctypes.cast(pdfium.char_box, ctypes.c_void_p).value)
    monkeypatch.setattr(pdf_worker, "_TIGHT_BOX", pdfium.tight_box)
    monkeypatch.setattr(pdf_worker, "_CHAR_MATRIX", pdfium.char_matrix)
    monkeypatch.setattr(pdf_worker, "_FONT_SIZE", pdfium.get_font_size)
    monkeypatch.setattr(pdf_worker, "_TIGHT_BOX_ADDRESS", ctypes.cast(pdfium.tight_box, ctypes.c_void_p).value)
    monkeypatch.setattr(
        pdf_worker, "_TEXT_INDEX_TO_CHAR_ADDRESS", ctypes.cast(pdfium.text_index_to_char, ctypes.c_void_p).value
    )
    yield pdfium


def utf16(units: list[int]) -> tuple[Any, str]:
    buffer = (ctypes.c_ushort * (len(units) + 1))(*units)
    return buffer, ctypes.string_at(buffer, 2 * len(units)).decode("utf-16-le", errors="replace")


def both_columns(units: list[int], aligned: bool) -> pdf_worker.Columns:
    """Both paths on one page text, Python's given the words C found running another way as _page gives them; asserts
    they agree (words, boxes and joined words) and returns C's."""
    buffer, text = utf16(units)
    native, away = pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(units), text, aligned)
    assert native is not None and away is not None, "C split the text unlike str.split()"
    python = pdf_worker._columns(*pdf_worker._python_words(HANDLE, text, len(units), aligned, away=away))
    assert native[0] == python[0]
    assert native[1].tobytes() == python[1].tobytes()
    assert native[2] == python[2]
    return native


def both_paths(units: list[int], aligned: bool) -> tuple[list[str], list[float]]:
    """Both paths on one page text; asserts they agree and returns the words and their boxes."""
    texts, boxes, _ = both_columns(units, aligned)
    return texts, boxes.tolist()


def units_of(text: str) -> list[int]:
    data = text.encode("utf-16-le", errors="surrogatepass")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


@pytest.mark.parametrize("aligned", [True, False])
def test_every_unicode_whitespace_separates_words(fake: FakePdfium, aligned: bool) -> None:
    assert max(WHITESPACE) < 0x10000  # wordboxes.c looks for whitespace in the BMP only
    text = "".join(f"w{i}{chr(space)}" for i, space in enumerate(WHITESPACE)) + "end"
    texts, _ = both_paths(units_of(" \t\u3000" + text + "\r\n\u2029"), aligned)
    assert texts == [f"w{i}" for i in range(len(WHITESPACE))] + ["end"]


@pytest.mark.parametrize("aligned", [True, False])
def test_near_whitespace_stays_inside_words(fake: FakePdfium, aligned: bool) -> None:
    text = "".join(f"a{chr(code)}b " for code in NOT_WHITESPACE)
    texts, _ = both_paths(units_of(text), aligned)
    assert texts == [f"a{chr(code)}b" for code in NOT_WHITESPACE]


@pytest.mark.parametrize("aligned", [True, False])
def test_surrogates_are_one_character_and_never_whitespace(fake: FakePdfium, aligned: bool) -> None:
    high, low = 0xD83D, 0xDE00
    units = [
        *units_of("x "),
        high, low, 0x20,  # a pair alone
        0x41, high, low, 0x42, high, low, 0x20,  # pairs inside a word
        high, 0x20,  # a lone high surrogate
        low, 0x43, 0x20,  # a lone low surrogate
        low, high, 0x20,  # reversed
        high, high, low, 0x2003,  # a lone high, then a pair
        0x44, high,  # a high surrogate at the end of the text
    ]  # fmt: skip
    texts, boxes = both_paths(units, aligned)
    assert texts == [
        "x",
        "\U0001f600",
        "A\U0001f600B\U0001f600",
        "\ufffd",
        "\ufffdC",
        "\ufffd\ufffd",
        "\ufffd\U0001f600",
        "D\ufffd",
    ]
    # Boxes follow UTF-16 units, as pdfium counts: "A😀B😀" spans units 5..10, its last code point starts at 9.
    first, last = (5, 9) if aligned else (16, 28)
    assert (boxes[8], boxes[10]) == fake_box(first, last)


def fake_box(first: int, last: int) -> tuple[float, float]:
    """The left and right FakePdfium gives a word from its first and last character indices (the rights of
    both characters: FakePdfium's boxes can end before they begin)."""
    return first + 0.25, max(last + 1.5 - last % 3, first + 1.5 - first % 3, first + 0.25)


@pytest.mark.parametrize("aligned", [True, False])
def test_word_positions_count_utf16_units(fake: FakePdfium, aligned: bool) -> None:
    text = "\U0001f600 ab \U0001d11e\U0001d11e c\U0001f600d e\ud800f g"
    texts, boxes = both_paths(units_of(text), aligned)
    assert texts == ["\U0001f600", "ab", "\U0001d11e\U0001d11e", "c\U0001f600d", "e\ufffdf", "g"]
    # Each word's first unit, and the first unit of its last code point (a lone surrogate is one unit).
    positions = [(0, 0), (3, 4), (6, 8), (11, 14), (16, 18), (20, 20)]
    for word, (first, last) in enumerate(positions):
        if not aligned:
            first, last = 3 * first + 1, 3 * last + 1
        assert (boxes[4 * word], boxes[4 * word + 2]) == fake_box(first, last)


@pytest.mark.parametrize("aligned", [True, False])
def test_words_without_a_box_are_skipped(fake: FakePdfium, aligned: bool) -> None:
    text = "one two three four five six"
    # The first character of "two", the last of "four" (text index x is character 3x + 1 when not aligned).
    fake.no_box.update({4, 17} if aligned else {13, 52})
    if not aligned:
        fake.unmapped.add(26)  # the last of "six"
    texts, boxes = both_paths(units_of(text), aligned)
    assert texts == (["one", "three", "five", "six"] if aligned else ["one", "three", "five"])
    assert len(boxes) == 4 * len(texts)


def test_a_nan_box_falls_the_same_way_in_both(fake: FakePdfium) -> None:
    fake.nan_box.update({0, 5})  # the first character of "abc", the last of "de"
    texts, boxes = both_paths(units_of("abc de fg"), aligned=True)
    assert texts == ["abc", "de", "fg"]
    assert boxes[0] != boxes[0]  # "abc" starts with NaN
    assert boxes[4] == boxes[6] == 4.25  # every comparison with "de"'s NaN end is False: its first box wins


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ((10, 700, 20, 710), (30, 698, 41, 709), (10, 698, 41, 710)),  # across the page
        ((500, 640, 510, 648), (498.5, 600, 508.5, 608), (498.5, 600, 510, 648)),  # down a page a little off level
        ((500, 600, 510, 608), (501.5, 640, 511.5, 648), (500, 600, 511.5, 648)),  # up it, off level the other way
        ((60, 700, 70, 710), (20, 700, 30, 710), (20, 700, 70, 710)),  # right to left: an upside-down page
        ((10, 700, 20, 710), (10, 700, 18, 710), (10, 700, 20, 710)),  # a last character inside the first
    ],
)
def test_a_words_box_is_around_its_first_and_last_characters(
    fake: FakePdfium, first: CharBox, last: CharBox, expected: CharBox
) -> None:
    fake.boxes.update({0: first, 1: after(first), 2: last})
    texts, boxes = both_paths(units_of("abc"), aligned=True)
    assert texts == ["abc"]
    assert tuple(boxes) == expected


# pdfium's angles turn clockwise: a line reading up the page is at three quarters of a turn.
LEVEL, DOWN_THE_PAGE, UPSIDE_DOWN, UP_THE_PAGE = 0.0, math.pi / 2, math.pi, 3 * math.pi / 2
DIAGONAL = 7 * math.pi / 4  # reading up and to the right at 45°


@pytest.mark.parametrize(
    ("first", "last", "angle", "joined"),
    [
        ((10, 700, 20, 710), (30, 699, 41, 709), LEVEL, False),  # one line across the page
        ((10, 700, 20, 710), (12, 686, 22, 696), LEVEL, True),  # `21` over `1`: the next line's `1` under the `2`
        ((10, 700, 20, 710), (12, 686, 22, 696), 0.02, True),  # the same a degree off level
        ((10, 700, 20, 710), (12, 686, 22, 696), 6.27, True),  # ... the other way
        ((10, 700, 20, 710), (12, 686, 22, 696), UPSIDE_DOWN, True),
        ((500, 640, 510, 648), (500, 600, 510, 608), DOWN_THE_PAGE, False),  # one line down a sideways page
        ((500, 640, 510, 648), (500, 600, 510, 608), UP_THE_PAGE, False),
        ((500, 640, 510, 648), (520, 640, 530, 648), DOWN_THE_PAGE, True),  # two sideways lines run together
        ((500, 640, 510, 648), (520, 640, 530, 648), LEVEL, False),  # the same characters across: one line
        ((10, 700, 20, 710), (12, 686, 22, 696), -1.0, False),  # pdfium has no angle: no evidence
        ((10, 700, 20, 710), (20, 710, 30, 720), LEVEL, True),  # touching corners share neither height nor width
        ((100, 100, 114, 114), (140, 140, 154, 154), DIAGONAL, False),  # a watermark at 45°: one line
        ((100, 100, 114, 114), (80, 120, 94, 134), DIAGONAL, True),  # the next diagonal line, above and left
    ],
)
def test_a_word_whose_first_and_last_characters_stand_on_two_lines_is_joined(
    fake: FakePdfium, first: CharBox, last: CharBox, angle: float, joined: bool
) -> None:
    fake.boxes.update({2: first, 3: after(first), 4: last})  # "abc"
    fake.angle = angle  # the page's
    texts, boxes, joined_words = both_columns(units_of("x abc y"), aligned=True)
    assert texts == ["x", "abc", "y"]
    assert joined_words == ([1] if joined else [])
    assert boxes.tolist()[4:8] == [
        min(first[0], last[0]),
        min(first[1], last[1]),
        max(first[2], last[2]),
        max(first[3], last[3]),
    ]


OFF_LEVEL = 6.24  # pdfium's angle of a line climbing 2.5° (its angles turn clockwise)
TIGHT = ((300, 636, 306, 647), (318, 626, 324, 637))  # `T` and `d` of two lines set 10 pt apart overlap across


@pytest.mark.parametrize(
    ("origins", "joined"),
    [
        (((300, 638.5), (318, 629.3)), True),  # a line apart across the line: `TO` over `2nd`, read `TO2nd`
        (((300, 638.5), (318, 639.3)), False),  # one baseline: one line
        (((300, 638.5), (318, 642.3)), False),  # a superscript raised a third of the type: one line
        (((300, 638.5), (float("nan"), 628.5)), False),  # a NaN shares
        (None, False),  # pdfium has no origin for the last character: no evidence
    ],
)
def test_off_level_characters_whose_boxes_overlap_are_told_apart_by_their_origins(
    fake: FakePdfium, origins: tuple[tuple[float, float], tuple[float, float]] | None, joined: bool
) -> None:
    fake.boxes.update({2: TIGHT[0], 3: after(TIGHT[0]), 4: TIGHT[1]})  # "abc"
    fake.angles[2] = OFF_LEVEL
    if origins is None:
        fake.no_origin.add(4)
    else:
        fake.origins.update({2: origins[0], 4: origins[1]})
    assert both_columns(units_of("x abc y"), aligned=True)[2] == ([1] if joined else [])


def tight_lines_pdf(degrees: float, leading: float) -> bytes:
    """A period's `TO` over its end date, set `leading` points apart in 9-point type, turned `degrees`."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.rotate(degrees)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(300, 640, "FROM 1st February 2025")
    canvas.drawString(300, 640 - leading, "TO")
    canvas.drawString(300, 640 - 2 * leading, "2nd March 2025")
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize(("degrees", "leading"), [(2.5, 9), (3, 9), (4, 10)])
def test_tightly_set_lines_that_pdfium_runs_together_off_level_are_found_and_split(
    monkeypatch: pytest.MonkeyPatch, degrees: float, leading: float
) -> None:
    """pdfium reads `TO2nd`; its parts are read apart, each with its own box, as when the lines are set apart."""
    pdf = tight_lines_pdf(degrees, leading)
    document = pypdfium2.PdfDocument(pdf)
    assert "TO2nd" in document[0].get_textpage().get_text_range()
    document.close()
    native, python = read_both(monkeypatch, pdf)
    assert_same_pages(native, python)
    ((texts, boxes, joined),) = native[0]
    assert texts == ["FROM", "1st", "February", "2025", "TO", "2nd", "March", "2025"]
    assert joined == []
    every = [boxes.tolist()[4 * index : 4 * index + 4] for index in range(len(texts))]
    to, second, march = every[4:7]
    assert to[2] < second[2]  # `TO` ends before `2nd` does
    angle = math.radians(degrees)
    across = [math.cos(angle) * (box[1] + box[3]) / 2 - math.sin(angle) * (box[0] + box[2]) / 2 for box in every]
    assert across[4] - across[5] == pytest.approx(leading, abs=1.0)  # a line apart
    assert across[5] == pytest.approx(across[6], abs=1.0)  # `2nd` on the line of `March`
    assert march[0] > second[2]


@pytest.mark.parametrize(("degrees", "leading"), [(0, 9), (2, 9), (2.5, 10), (4, 11)])
def test_tightly_set_lines_read_apart_are_not_joined(
    monkeypatch: pytest.MonkeyPatch, degrees: float, leading: float
) -> None:
    native, python = read_both(monkeypatch, tight_lines_pdf(degrees, leading))
    assert_same_pages(native, python)
    ((texts, _, joined),) = native[0]
    assert texts == ["FROM", "1st", "February", "2025", "TO", "2nd", "March", "2025"]
    assert joined == []


def split_words(fake: FakePdfium, origins: dict[int, tuple[float, float]]) -> tuple[list[pdf_worker.Word], list[int]]:
    """`x abcd y` read by the Python loop with `split`, `abcd` (characters 2-5) off level with these origins."""
    fake.boxes.update({2: TIGHT[0], 3: TIGHT[0], 4: TIGHT[1], 5: TIGHT[1]})
    for index in range(2, 6):
        fake.angles[index] = OFF_LEVEL
    fake.origins.update(origins)
    text = "x abcd y"
    return pdf_worker._python_words(HANDLE, text, len(text), True, split=True)


def test_a_word_on_two_lines_is_split_where_its_characters_change_lines(fake: FakePdfium) -> None:
    words, joined = split_words(fake, {2: (300, 638.5), 3: (306, 638.8), 4: (318, 629.3), 5: (321, 629.4)})
    assert joined == []
    assert [word[0] for word in words] == ["x", "ab", "cd", "y"]
    assert words[1][1:] == (300, 636, 306, 647)  # its first and last characters' boxes
    assert words[2][1:] == (318, 626, 324, 637)


@pytest.mark.parametrize(
    "origins",
    [
        {2: (300, 638.5), 3: (306, 629), 4: (318, 639.3), 5: (321, 629.4)},  # a line's characters on both sides
        {2: (300, 638.5), 3: (306, float("nan")), 4: (318, 629.3), 5: (321, 629.4)},
    ],
)
def test_a_word_whose_lines_cannot_be_told_apart_stays_joined(
    fake: FakePdfium, origins: dict[int, tuple[float, float]]
) -> None:
    words, joined = split_words(fake, origins)
    assert [word[0] for word in words] == ["x", "abcd", "y"]
    assert joined == [1]


def test_a_word_over_more_lines_than_any_run_together_stays_joined(fake: FakePdfium) -> None:
    """A character a line down the page, 300 times (hostile: telling each line from every other is quadratic)."""
    text = "x " + "a" * 300 + " y"
    for index in range(2, 302):
        top = 700.0 - 12 * index
        fake.boxes[index] = (300.0 + index, top - 10, 306.0 + index, top)
        fake.angles[index] = OFF_LEVEL
    words, joined = pdf_worker._python_words(HANDLE, text, len(text), True, split=True)
    assert [word[0] for word in words] == ["x", "a" * 300, "y"]
    assert joined == [1]
    four_lines = "x " + "a" * 4 + " y"
    words, joined = pdf_worker._python_words(HANDLE, four_lines, len(four_lines), True, split=True)
    assert [word[0] for word in words] == ["x", "a", "a", "a", "a", "y"] and joined == []


def test_a_word_with_a_character_without_an_origin_stays_joined(fake: FakePdfium) -> None:
    fake.no_origin.add(3)
    words, joined = split_words(fake, {2: (300, 638.5), 4: (318, 629.3), 5: (321, 629.4)})
    assert [word[0] for word in words] == ["x", "abcd", "y"]
    assert joined == [1]


def test_python_asks_the_angle_only_when_the_characters_do_not_share_both_height_and_width(fake: FakePdfium) -> None:
    """C asks each word's first character's (which way it runs, _turned_away), and Python, given what C found, asks
    only where on_two_lines needs it: each of its asks is a ctypes call."""
    boxes = {
        "a": ((10, 700, 20, 710), (20, 699, 31, 709)),  # share height only: asked, one line
        "b": ((10, 700, 20, 710), (12, 686, 22, 696)),  # share width only: asked, two lines
        "c": ((10, 700, 20, 710), (19, 701, 29, 709)),  # share both (kerned into it): one line, not asked
        "d": ((10, 700, 20, 710), (30, 680, 40, 690)),  # share neither: asked, two lines when level
        "e": ((float("nan"),) * 4, (30, 680, 40, 690)),  # a NaN shares: one line, not asked
    }
    for index, name in enumerate(boxes):
        fake.boxes.update({3 * index: boxes[name][0], 3 * index + 1: boxes[name][1]})
    _, _, joined = both_columns(units_of("a1 b1 c1 d1 e1"), aligned=True)
    assert joined == [1, 3]
    assert fake.angles_asked == [0, 3, 6, 9, 12, 0, 3, 9]  # every word by C, then a, b and d by Python


LEVEL_LINES = ("Account Number: 1234-5678", "Amount Due: $155.95")
LEVEL_WORDS = [word for line in LEVEL_LINES for word in line.split()]


def turned_text_pdf(degrees: float, text: str = "SAMPLE COPY DUPLICATE", size: float = 48, heading: str = "") -> bytes:
    """`text` across the middle of the page turned `degrees` counter-clockwise, among two lines of level text (under a
    `heading` set glyph by glyph 1.5 points apart, a browser's letter-spacing)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont("Helvetica-Bold", 10)
    x = 100.0
    for character in heading:
        canvas.drawString(x, 220, character)
        x += stringWidth(character, "Helvetica-Bold", 10) + 1.5
    canvas.setFont("Helvetica", 9)
    canvas.drawString(100, 200, LEVEL_LINES[0])
    canvas.drawString(100, 180, LEVEL_LINES[1])
    canvas.translate(306, 396)
    canvas.rotate(degrees)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(0, 0, text)
    canvas.save()
    return buffer.getvalue()


def read_leaving_out(monkeypatch: pytest.MonkeyPatch, pdf: bytes, *, away: bool = True) -> tuple[list[str], list[str]]:
    """The page's words and those left out, read with C and without it (the Python loop finds the words running
    another way itself): the same words and boxes both ways, and the same left out. With C, where the first reading
    finds words running another way (`away`), pdfium reads the page again without their text objects, in which none
    are left."""
    handed: list[frozenset[int] | None] = []

    def native_columns(*args: Any) -> Any:
        columns, away = NATIVE_COLUMNS(*args)
        handed.append(away)
        return columns, away

    native, python = read_both(monkeypatch, pdf, native_columns)
    assert_same_pages(native, python)
    assert (len(handed) == 2 and handed[0] and handed[1] == frozenset()) if away else handed == [frozenset()]
    ((texts, _, joined),) = native[0]
    assert joined == []
    ((left_out),) = native[4]
    assert bool(left_out) is away
    return texts, left_out


@pytest.mark.parametrize("degrees", [15, 30, 45, 60, 135, 225, 315])
def test_a_watermark_across_the_page_is_left_out_of_its_words(monkeypatch: pytest.MonkeyPatch, degrees: int) -> None:
    """Read as a word, a watermark's box spans the page's middle, and it joins the line of a charge there (`Off-Peak
    Energy | DUPLICATE | 95 kWh`) and names the utility, being its largest type. 15° is a stamp's slant."""
    assert read_leaving_out(monkeypatch, turned_text_pdf(degrees)) == (LEVEL_WORDS, ["SAMPLE", "COPY", "DUPLICATE"])


@pytest.mark.parametrize("degrees", [90, 270])
def test_text_up_or_down_the_margin_of_a_level_page_is_left_out(monkeypatch: pytest.MonkeyPatch, degrees: int) -> None:
    """A form's number and a printer's line set up the margin: each word stood at the start of some line."""
    pdf = turned_text_pdf(degrees, "FORM 5102-E REV 03/24", size=6.5)
    assert read_leaving_out(monkeypatch, pdf) == (LEVEL_WORDS, ["FORM", "5102-E", "REV", "03/24"])


@pytest.mark.parametrize("degrees", [5, 8])
def test_text_a_few_degrees_off_level_is_level(monkeypatch: pytest.MonkeyPatch, degrees: int) -> None:
    """Past a scan's skew (a tilted page's words are each a few degrees off) and short of a stamp's slant."""
    texts, _ = read_leaving_out(monkeypatch, turned_text_pdf(degrees, "Thank you", size=9), away=False)
    assert sorted(texts) == sorted([*LEVEL_WORDS, "Thank", "you"])


def test_the_page_runs_the_way_most_of_its_characters_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page set turned as a whole keeps its words, and the level ones among fewer characters are what runs another
    way (the level lines hold 40 characters, the turned text more)."""
    pdf = turned_text_pdf(30, "Statement of account for the period to February 2025", size=12)
    assert read_leaving_out(monkeypatch, pdf) == (
        "Statement of account for the period to February 2025".split(),
        LEVEL_WORDS,
    )


def test_a_letter_spaced_line_beside_a_watermark_is_still_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Letters pdfium spaced apart are joined again with the watermark's words left out of the page."""
    pdf = turned_text_pdf(45, heading="CURRENT CHARGES")
    document = pypdfium2.PdfDocument(pdf)
    assert "C U R R E N T" in document[0].get_textpage().get_text_range()
    document.close()
    assert read_leaving_out(monkeypatch, pdf)[0] == ["CURRENT", "CHARGES", *LEVEL_WORDS]


@pytest.mark.parametrize(
    ("turns", "lengths", "away"),
    [
        ([0, 0, 4], [5, 5, 9], {2}),  # a watermark among fewer characters
        ([0, 1, 3, 0], [9, 2, 2, 9], {1, 2}),  # up and down the margin
        ([4, 4, 0], [9, 9, 4], {2}),  # a page set turned as a whole: its level stamp is away
        ([0, 4], [6, 6], set()),  # as many each way: no way holds most of the page
        ([0, 255, 4], [6, 20, 4], {2}),  # a word pdfium has no angle for runs no known way
        ([255, 255], [3, 3], set()),
        ([2, 2, 0], [10, 10, 3], {2}),  # an upside-down page
    ],
)
def test_words_running_another_way_than_most_characters(turns: list[int], lengths: list[int], away: set[int]) -> None:
    assert pdf_worker._turned_away(turns, lengths) == away


@pytest.mark.parametrize(
    ("angle", "turn"),
    [
        (0.0, 0),
        (0.2, 0),  # a scan's text layer off level, or a stamp set less than 11.5° off
        (0.2001, pdf_worker.ASKEW),
        (math.pi / 4, pdf_worker.ASKEW),
        (math.pi / 2, 1),
        (math.pi, 2),
        (3 * math.pi / 2, 3),
        (2 * math.pi - 0.05, 0),
        (-1.0, pdf_worker.UNKNOWN_TURN),  # pdfium has no angle
        (float("nan"), pdf_worker.UNKNOWN_TURN),
    ],
)
def test_which_way_a_word_runs(fake: FakePdfium, angle: float, turn: int) -> None:
    """C's turn_of and Python's _turn_of, the same."""
    assert pdf_worker._turn_of(angle) == turn
    fake.angle = angle
    _, _, _, turns = word_boxes("abc", 1, 1)
    c_angle = float(ctypes.c_float(angle).value)  # pdfium's angle is a float
    assert turns[0] == pdf_worker._turn_of(c_angle)


def test_a_single_character_word_is_never_joined(fake: FakePdfium) -> None:
    assert both_columns(units_of("1 2"), aligned=True)[2] == []
    assert fake.angles_asked == [0, 2]  # by C, which way each runs; Python asks nothing


@pytest.mark.parametrize("aligned", [True, False])
def test_joined_words_are_counted_among_the_kept_ones(fake: FakePdfium, aligned: bool) -> None:
    """Indices of joined words skip the words pdfium had no box for, as the texts and boxes do."""
    text = "one two three four"
    two_lines = ((10, 700, 20, 710), (12, 686, 22, 696))
    if aligned:
        fake.no_box.add(0)  # "one" is skipped
        fake.boxes.update({8: two_lines[0], 12: two_lines[1]})  # "three"
    else:
        fake.unmapped.add(0)
        fake.boxes.update({25: two_lines[0], 37: two_lines[1]})
    texts, _, joined = both_columns(units_of(text), aligned)
    assert texts == ["two", "three", "four"]
    assert joined == [1]


@pytest.mark.parametrize("text", ["", " ", "\u3000\t\n \u2028"])
def test_a_blank_page_has_no_words(fake: FakePdfium, text: str) -> None:
    assert both_paths(units_of(text), aligned=True) == ([], [])


def small_capitals(fake: FakePdfium, second_line: bool = False) -> None:
    """`Previous read` on a fake page, `read` in small capitals 3.5 high on Previous's baseline (702), beside its
    loose boxes from 700 to 710; `second_line`: `read` on the line under it."""
    for index in range(8):
        fake.boxes[index] = (10.0 + 5 * index, 700.0, 15.0 + 5 * index, 710.0)
    fake.origins[0] = (10.0, 702.0)
    drop = 20.0 if second_line else 0.0
    for index in range(9, 13):
        fake.boxes[index] = (60.0 + 4 * (index - 9), 702.0 - drop, 64.0 + 4 * (index - 9), 705.5 - drop)
    fake.origins[9] = (60.0, 702.0 - drop)


def test_a_glyphs_own_box_takes_the_type_of_the_word_before(fake: FakePdfium) -> None:
    """A Type 3 font's characters (Chrome's small capitals) have no loose box: pdfium gives the glyph's own, 3.5 high
    beside the line's 10, and `read` was set apart from `Previous` as a cell of smaller type. It takes the word
    before's box around its own baseline, on both paths."""
    small_capitals(fake)
    fake.glyph_boxes.add(9)
    texts, boxes = both_paths(units_of("Previous read"), aligned=True)
    assert texts == ["Previous", "read"]
    assert boxes[5:8:2] == [700.0, 710.0]  # bottom and top of `read`
    assert boxes[4] == 60.0


@pytest.mark.parametrize("case", ["type of another size", "another line"])
def test_a_smaller_word_with_a_loose_box_keeps_it(fake: FakePdfium, case: str) -> None:
    """Type of another size (its loose box is no glyph's), or a glyph's box on another line: kept as pdfium gives it."""
    small_capitals(fake, second_line=case == "another line")
    if case == "another line":
        fake.glyph_boxes.add(9)
    _, boxes = both_paths(units_of("Previous read"), aligned=True)
    drop = 20.0 if case == "another line" else 0.0
    assert boxes[5:8:2] == [702.0 - drop, 705.5 - drop]
    assert fake.tight_asked == ([] if case == "another line" else [9, 9])  # by C and by Python, only when narrow


def word_boxes(text: str, words: int, max_words: int) -> tuple[int, Any, Any, Any]:
    """wordboxes.c's word_boxes called on the fake page holding `text`, with room for `words` words: what it returns,
    and its boxes, statuses and turns."""
    buffer, _ = utf16(units_of(text))
    boxes = pdf_worker.array("f", bytes(16 * words))
    status, turns = pdf_worker.array("B", bytes(words)), pdf_worker.array("B", bytes(words))
    native = pdf_worker._native()
    assert native is not None
    kept = native(
        HANDLE,
        pdf_worker._CHAR_BOX_ADDRESS,
        pdf_worker._TEXT_INDEX_TO_CHAR_ADDRESS,
        pdf_worker._CHAR_ANGLE_ADDRESS,
        pdf_worker._CHAR_ORIGIN_ADDRESS,
        pdf_worker._IS_GENERATED_ADDRESS,
        pdf_worker._TIGHT_BOX_ADDRESS,
        buffer,
        len(units_of(text)),
        True,
        boxes.buffer_info()[0],
        status.buffer_info()[0],
        turns.buffer_info()[0],
        max_words,
    )
    return kept, boxes, status, turns


def test_nothing_is_written_past_max_words(fake: FakePdfium) -> None:
    kept, boxes, status, turns = word_boxes("one two three", 3, 1)
    assert kept == -1
    assert status.tolist() == [1, 0, 0]
    assert turns.tolist() == [0, 0, 0]
    assert boxes.tolist()[4:] == [0.0] * 8


@pytest.mark.parametrize("seed", range(20))
def test_random_utf16_splits_like_str_split(fake: FakePdfium, seed: int) -> None:
    rng = random.Random(seed)
    alphabet = [*WHITESPACE, *NOT_WHITESPACE, 0x41, 0x7A, 0xE9, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xD83D, 0xDE00]
    fake.no_box.update(rng.sample(range(600), 30))
    fake.unmapped.update(rng.sample(range(200), 10))
    for _ in range(25):
        units = [rng.choice(alphabet) for _ in range(rng.randrange(0, 200))]
        for aligned in (True, False):
            both_paths(units, aligned)


# --- strings drawn over one another -------------------------------------------------------------------


def drawn_over_pdf(degrees: float) -> bytes:
    """`Your account number` with its value drawn from 5 points inside its end, a line set 0.8 pt a character
    tighter (kerned), and an accent drawn on its own over an `e`, turned `degrees`."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.rotate(degrees)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(100, 700, "Your account number")
    canvas.drawString(VALUE_LEFT, 700, "A-23B33C38")
    tight = canvas.beginText(100, 680)
    tight.setFont("Helvetica", 10)
    tight.setCharSpace(-0.8)
    tight.textOut("Tightly set")
    canvas.drawText(tight)
    canvas.drawString(100, 660, "cafe")
    canvas.drawString(100 + stringWidth("caf", "Helvetica", 10) + 1.5, 660, "\u00b4")
    canvas.save()
    return buffer.getvalue()


VALUE_LEFT = 100 + stringWidth("Your account number", "Helvetica", 10) - 5


def read_with_and_without_c(monkeypatch: pytest.MonkeyPatch, pdf: bytes) -> Any:
    """read_columns with wordboxes.c (which leaves a page with a word drawn over another to Python) and without."""
    native = pdf_worker.read_columns(pdf, **LIMITS)
    with monkeypatch.context() as patch:
        patch.setattr(pdf_worker, "_native", lambda: None)
        python = pdf_worker.read_columns(pdf, **LIMITS)
    assert_same_pages(native, python)
    return native


@pytest.mark.parametrize("degrees", [0, 2, -3])
def test_a_string_drawn_over_another_is_read_as_its_own_word(monkeypatch: pytest.MonkeyPatch, degrees: float) -> None:
    """pdfium gives a label run into its value as one word, `numberA-23B33C38`; kerning and an accent drawn over its
    letter are not strings drawn over one another."""
    pdf = drawn_over_pdf(degrees)
    document = pypdfium2.PdfDocument(pdf)
    assert "numberA-23B33C38" in document[0].get_textpage().get_text_range()
    document.close()
    ((texts, boxes, joined),) = read_with_and_without_c(monkeypatch, pdf)[0]
    assert texts == ["Your", "account", "number", "A-23B33C38", "Tightly", "set", "cafe\u00b4"]
    assert joined == []
    number, value = boxes.tolist()[8:12], boxes.tolist()[12:16]
    assert number[2] > value[0]  # the label ends inside its value
    if degrees == 0:
        assert value[0] == pytest.approx(VALUE_LEFT, abs=0.1) and number[0] < VALUE_LEFT - 20


def test_a_diagonal_strings_overlapping_boxes_are_not_read_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turned 45°, a word's characters' boxes (each the box around a turned character) overlap: only level words
    and those a little off level are looked at."""
    ((texts, _, _),) = read_with_and_without_c(monkeypatch, drawn_over_pdf(45))[0]
    assert "numberA-23B33C38" in texts


def test_c_leaves_a_word_drawn_over_another_to_python_which_reads_it_as_two(fake: FakePdfium) -> None:
    # "x abcd y": `c` starts 4 points inside `b`, more than 0.2 of their 10-point height; `ab` and `cd` were drawn apart
    fake.boxes.update({2: (10, 700, 20, 710), 3: (20, 700, 30, 710), 4: (26, 700, 36, 710), 5: (36, 700, 46, 710)})
    fake.strings = [(10, 700, 30, 710), (26, 700, 46, 710)]
    buffer, text = utf16(units_of("x abcd y"))
    assert pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(text), text, True)[0] is None
    words, joined = PYTHON_WORDS(HANDLE, text, len(text), True)
    assert [word[0] for word in words] == ["x", "ab", "cd", "y"]
    assert words[1][1:] == (10, 700, 30, 710) and words[2][1:] == (26, 700, 46, 710)
    assert joined == []


@pytest.mark.parametrize(
    ("third", "angle", "aligned", "whole"),
    [
        ((28.1, 700, 38, 710), LEVEL, True, True),  # 1.9 points inside: kerning, one word
        ((27.9, 700, 37, 710), LEVEL, True, False),  # 2.1 points inside, more than 0.2 of the height: drawn over
        ((26, 700, 36, 710), 0.09, True, False),  # a scan's text layer, off level by 5°
        ((26, 700, 36, 710), 0.2, True, True),  # off level by 11°: a turned character's box is looser
        ((26, 700, 36, 710), -1.0, True, True),  # pdfium has no angle: no evidence
        ((float("nan"), 700, 36, 710), LEVEL, True, True),  # a NaN tells nothing
        ((26, 700, 36, 710), LEVEL, False, True),  # glyphs without Unicode: characters are not text indices
    ],
)
def test_when_a_word_is_read_as_drawn_over_another(
    fake: FakePdfium, third: CharBox, angle: float, aligned: bool, whole: bool
) -> None:
    # `abcd`: characters 2-5 where indices are text indices; else the fake maps `a` to 7 and `d` to 16
    first, last = (2, 5) if aligned else (7, 16)
    fake.boxes.update({first: (10, 700, 20, 710), first + 1: (20, 700, 30, 710), first + 2: third})
    fake.boxes[last] = (36, 700, 46, 710)
    fake.angle = angle  # the page's
    fake.strings = [(10, 700, 30, 710), (26, 700, 46, 710)]  # `ab`, then `cd`
    buffer, text = utf16(units_of("x abcd y"))
    native, _ = pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(text), text, aligned)
    words, _ = PYTHON_WORDS(HANDLE, text, len(text), aligned)
    assert (native is not None) == whole
    assert [word[0] for word in words] == (["x", "abcd", "y"] if whole else ["x", "ab", "cd", "y"])


def test_an_accent_drawn_over_its_letter_stays_in_its_word(fake: FakePdfium) -> None:
    """C only finds the overlap; Python, which reads the page then, does not cut before a mark."""
    fake.boxes.update({2: (10, 700, 20, 710), 3: (20, 700, 30, 710), 4: (22, 700, 28, 710)})
    fake.strings = [(10, 700, 30, 710), (22, 700, 28, 710)]
    buffer, text = utf16(units_of("x ab\u00b4 y"))
    assert pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(text), text, True)[0] is None
    words, _ = PYTHON_WORDS(HANDLE, text, len(text), True)
    assert [word[0] for word in words] == ["x", "ab\u00b4", "y"]


@pytest.mark.parametrize(
    ("third", "whole"),
    [
        ((29, 700, 35, 710), False),  # 10 points high after 20, 1 point inside: 0.1 of the smaller height
        ((29.6, 700, 35.6, 710), True),  # 0.4 inside, 0.04: as close as rounding sets one string after another
        ((30, 700, 36, 710), True),  # abutting: a size changed on its line (a smaller `$`, a superscript)
        ((29, 700, 35, 714), True),  # 14 high: not SIZE_JUMP (1.6) apart, and 1 point is under 0.2 of 14
        ((27, 700, 33, 714), False),  # 3 points inside 14: drawn over, whatever the sizes
    ],
)
def test_type_of_another_size_starting_inside_a_character_was_drawn_over_it(
    fake: FakePdfium, third: CharBox, whole: bool
) -> None:
    """fourth-41-0043: a 9.5-point phone number drawn 1.9 points (0.17 of its height) inside the 22-point name's last
    letter read `Sewer1-800-862-8822`, the bill's provider. Kerning sets a letter back no more than 0.12 of the
    height, but never one size into another: type SIZE_JUMP taller or shorter starting inside a character by more
    than 0.05 of the smaller height was drawn over it."""
    # `abcd`: `ab` 20 points high, `cd` drawn after it in another string
    fake.boxes.update({2: (10, 700, 20, 720), 3: (20, 700, 30, 720), 4: third})
    fake.boxes[5] = (third[2], third[1], third[2] + 6, third[3])
    fake.strings = [(10, 700, 30, 720), (third[0], third[1], third[2] + 6, third[3])]
    buffer, text = utf16(units_of("x abcd y"))
    native, _ = pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(text), text, True)
    words, _ = PYTHON_WORDS(HANDLE, text, len(text), True)
    assert (native is not None) == whole
    assert [word[0] for word in words] == (["x", "abcd", "y"] if whole else ["x", "ab", "cd", "y"])


def masthead_pdf() -> bytes:
    """fourth-41-0043's masthead: the provider's name in 22 points, its phone number in 9.5 drawn from 1.9 points
    inside the name's last letter."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    name = "Clearwater Township Water & Sewer"
    canvas.setFont("Helvetica-Bold", 22)
    canvas.drawString(40, 756, name)
    canvas.setFont("Helvetica", 9.5)
    canvas.drawString(40 + stringWidth(name, "Helvetica-Bold", 22) - 1.9, 756, "1-800-862-8822")
    canvas.save()
    return buffer.getvalue()


def test_a_phone_number_drawn_into_the_large_name_before_it_is_a_word_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = masthead_pdf()
    document = pypdfium2.PdfDocument(pdf)
    assert "Sewer1-800-862-8822" in document[0].get_textpage().get_text_range()
    document.close()
    ((texts, boxes, joined),) = read_with_and_without_c(monkeypatch, pdf)[0]
    assert texts == ["Clearwater", "Township", "Water", "&", "Sewer", "1-800-862-8822"]
    assert joined == []
    sewer, number = boxes.tolist()[16:20], boxes.tolist()[20:24]
    assert number[0] < sewer[2] and sewer[3] - sewer[1] > 2 * (number[3] - number[1])


@pytest.mark.parametrize(
    ("strings", "whole"),
    [
        ([(10, 700, 46, 710)], True),  # one string set tight (negative spacing): no strings meet in it
        ([(10, 700, 30, 710), (26, 700, 46, 710)], False),
        ([(10, 700, 30, 710), (26, 600, 46, 610)], True),  # the next string is on another line
        ([(10, 700, 30, 710), (40, 700, 46, 710)], True),  # ... or further on: a string of its own
        ([(100, 700, 130, 710), (126, 700, 146, 710)], True),  # strings meet on the line, past the word
        ([(10, 600, 30, 610), (26, 600, 46, 610)], True),  # ... or under it, on another line
    ],
)
def test_python_looks_only_where_one_string_drawn_meets_the_one_before(
    fake: FakePdfium, strings: list[CharBox], whole: bool
) -> None:
    """wordboxes.c finds every overlap and hands the page to the Python loop, which cuts only where strings meet:
    there are the strings drawn over one another, and a character's box is asked for only in the words there."""
    fake.boxes.update({2: (10, 700, 20, 710), 3: (20, 700, 30, 710), 4: (26, 700, 36, 710), 5: (36, 700, 46, 710)})
    fake.strings = strings
    buffer, text = utf16(units_of("x abcd y"))
    assert pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(text), text, True)[0] is None
    words, _ = PYTHON_WORDS(HANDLE, text, len(text), True)
    assert [word[0] for word in words] == (["x", "abcd", "y"] if whole else ["x", "ab", "cd", "y"])


# --- letter spacing ---------------------------------------------------------------------------------------

# `x abcd y` on the fake page: `abcd` is characters 2-5, 10 points high, each 8 wide
ABUTTING = {2: (10, 700, 18, 710), 3: (18, 700, 26, 710), 4: (26, 700, 34, 710), 5: (34, 700, 42, 710)}
SET_2_APART = {2: (10, 700, 18, 710), 3: (20, 700, 28, 710), 4: (30, 700, 38, 710), 5: (40, 700, 48, 710)}


@pytest.mark.parametrize(
    ("boxes", "angle", "spacing"),
    [
        (SET_2_APART, 0.0, 2),  # past 0.1 of the height
        ({**SET_2_APART, 5: (41, 700, 49, 710)}, 0.0, 2),  # the smaller of the first and last gaps (2, not 3)
        (ABUTTING, 0.0, 0),
        ({**ABUTTING, 2: (9, 700, 17, 710)}, 0.0, 0),  # first two apart (a pair set loose), last two abutting
        ({**ABUTTING, 5: (35, 700, 43, 710)}, 0.0, 0),  # 1 point apart: not past 0.1 of 10
        (SET_2_APART, 0.05, 2),  # a scan's text layer, a little off level
        (SET_2_APART, 0.15, 0),  # turned past 0.1 radians: a character's box is the box around a turned one
        (SET_2_APART, 2 * math.pi - 0.05, 2),
    ],
)
@pytest.mark.parametrize("space_drawn", [True, False])
def test_a_letter_spaced_words_box_takes_in_the_spacing_around_it(
    fake: FakePdfium, boxes: dict[int, CharBox], angle: float, spacing: float, space_drawn: bool
) -> None:
    """Letter spacing (`Tc`) follows every glyph, a space's too: a word's box ends where its advance does, and after a
    space drawn in its string starts where the space's advance ends, so that a letter-spaced phrase's gaps are a
    space's and it stays one cell. After a space pdfium put between two strings, it starts where it was drawn."""
    fake.boxes.update(boxes)
    fake.angles[2] = angle
    if not space_drawn:
        fake.generated.add(1)
    texts, flat = both_paths(units_of("x abcd y"), aligned=True)
    assert texts == ["x", "abcd", "y"]
    left, right = min(boxes[2][0], boxes[5][0]), max(boxes[2][2], boxes[5][2])
    assert flat[4:8] == [left - spacing if space_drawn else left, 700, right + spacing, 710]
    spaced = boxes[3][0] - boxes[2][2] > 1 and boxes[5][0] - boxes[4][2] > 1
    # C asks each word's once; Python, on_two_lines (`a` and `d` share no width) and letter_spacing once both gaps tell
    assert fake.angles_asked == [0, 2, 7] + [2] * (2 if spaced else 1)


def test_letter_spacing_is_measured_only_where_characters_are_text_indices(fake: FakePdfium) -> None:
    """As drawn_over: where glyphs without Unicode part characters from text indices, the next character may be
    none of the word's."""
    fake.boxes.update({7: SET_2_APART[2], 10: SET_2_APART[3], 13: SET_2_APART[4], 16: SET_2_APART[5]})
    _, flat = both_paths(units_of("x abcd y"), aligned=False)
    assert flat[4:8] == [10, 700, 48, 710]


def test_a_two_character_words_one_gap_is_its_spacing(fake: FakePdfium) -> None:
    fake.boxes.update({2: (10, 700, 18, 710), 3: (21, 700, 29, 710)})
    _, flat = both_paths(units_of("x ab y"), aligned=True)
    assert flat[4:8] == [7, 700, 32, 710]


def test_a_letter_spaced_word_first_on_its_page_takes_in_the_spacing_after_it(fake: FakePdfium) -> None:
    fake.boxes.update({0: (10, 700, 18, 710), 1: (21, 700, 29, 710)})
    _, flat = both_paths(units_of("ab y"), aligned=True)
    assert flat[0:4] == [10, 700, 32, 710]


def letter_spaced_pdf(spacing: float) -> bytes:
    """8-point Courier (a 4.8-point advance, a space's too) letter-spaced by `spacing`: a charge's description with
    its amount far to its right, a tax whose middle word is one character long (too short to tell its spacing), and
    a label with its value set 9 points after the label's advance (a cell apart: more than 0.9 of the 8.4-point box
    height)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)

    def tracked(x: float, y: float, text: str) -> float:
        string = canvas.beginText(x, y)
        string.setFont("Courier", 8)
        string.setCharSpace(spacing)
        string.textOut(text)
        canvas.drawText(string)
        return x + len(text) * (4.8 + spacing)  # where its advance ends: the spacing follows every glyph

    tracked(48, 700, "WATER STANDING CHARGE")
    canvas.setFont("Courier", 8)
    canvas.drawString(300, 700, "$6.03")
    tracked(48, 690, "VAT @ 9%")
    tracked(tracked(48, 680, "Service address:") + 9, 680, "12 Main St")
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("spacing", [0.0, 1.0, 1.5, 2.5])
def test_a_letter_spaced_phrase_is_one_cell_and_a_value_set_a_cell_apart_is_another(
    monkeypatch: pytest.MonkeyPatch, spacing: float
) -> None:
    """From 1.5 points the description's words stood a cell apart (`WATER` | `STANDING` | `CHARGE`), and the first
    was read as the charge. Past a space less than a cell (2.8 points here) the words stand apart again."""
    pdf = letter_spaced_pdf(spacing)
    assert_same_pages(*read_both(monkeypatch, pdf))
    lines = PdfTextReader("inline").read(pdf).lines
    assert [line.cells for line in lines] == [
        ["WATER STANDING CHARGE", "$6.03"],
        ["VAT @ 9%"],
        ["Service address:", "12 Main St"],
    ]


# --- letters pdfium spaced apart ----------------------------------------------------------------------------


def spaced_letters(fake: FakePdfium, text: str, gaps: dict[int, float], *, drawn_spaces: bool = False) -> list[str]:
    """`text` on the fake page, each character 8 wide and 10 high, set 1.5 apart, or at `gaps` (index of the
    character a gap comes before: its width); the spaces pdfium's own unless `drawn_spaces`. The words both paths
    read."""
    left = 10.0
    for index, character in enumerate(text):
        if character == " ":
            if not drawn_spaces:
                fake.generated.add(index)
            continue
        if index:
            left += gaps.get(index, 1.5)
        fake.boxes[index] = (left, 700, left + 8, 710)
        left += 8
    texts, _ = both_paths(units_of(text), aligned=True)
    return texts


WORD_BREAK = 8.0  # a space and two spacings: far past 0.18 of the height


@pytest.mark.parametrize(
    ("text", "gaps", "words"),
    [
        # a letter-spaced word of two or more characters tells the spacing of its chain
        ("C U RRE N T", {}, ["CURRENT"]),
        ("C U RRE N T C H AR G E S", {12: WORD_BREAK}, ["CURRENT", "CHARGES"]),
        # three or more one-character words alone: their gaps' mean
        ("C U R R E N T", {}, ["CURRENT"]),
        ("C U", {}, ["C", "U"]),  # two tell nothing
        # a word among them set without spacing: words, not letters
        ("C U RE N T", {5: 0.0}, ["C", "U", "RE", "N", "T"]),
        # a gap unlike the spacing (half as wide again and more) is no letter's
        ("C U RRE N T", {8: 2.5}, ["CURRE", "N", "T"]),
        # a pair kerned closer than pdfium's space among letters (`TA`, `LT`): one word with them
        ("D E TA I L S", {5: 0.6}, ["DETAILS"]),
        ("M U LT I P L I E R", {5: 0.1}, ["MULTIPLIER"]),
        ("FA C T O R", {1: 1.1}, ["FACTOR"]),  # ... or kerned to less spacing than the rest (`FA` 0.67 of 0.97)
        ("PAY M E N T", {1: 0.6, 2: 0.5}, ["PAYMENT"]),  # a longer word, every pair of it kerned (`PAY`)
        # two letters alone, a word break from words letter-spaced alike (split by pdfium, or not)
        ("D E TA I L S O F N E W", {5: 0.6, 13: WORD_BREAK, 17: WORD_BREAK}, ["DETAILS", "OF", "NEW"]),
        ("DETAILS O F NEW", {8: WORD_BREAK, 12: WORD_BREAK}, ["DETAILS", "OF", "NEW"]),
    ],
)
def test_letters_pdfium_spaced_apart_are_one_word_again(
    fake: FakePdfium, text: str, gaps: dict[int, float], words: list[str]
) -> None:
    """pdfium puts a space of its own between two letters whose gap passes its threshold: a heading letter-spaced
    0.15 em by Chrome read `C U RRE N T C H AR G E S`, and no charges heading was found in it."""
    assert spaced_letters(fake, text, gaps) == words


def test_letters_a_drawn_space_parts_stay_apart(fake: FakePdfium) -> None:
    """A space drawn in the string is one the producer set: those words were words."""
    assert spaced_letters(fake, "C U RRE N T", {}, drawn_spaces=True) == ["C", "U", "RRE", "N", "T"]


def test_a_joined_words_box_is_the_word_it_was(fake: FakePdfium) -> None:
    """From its first character to its last, and on past it by its spacing, as a letter-spaced word's box is."""
    spaced_letters(fake, "x C U RRE N T", {2: WORD_BREAK})
    _, flat = both_paths(units_of("x C U RRE N T"), aligned=True)
    c, t = fake.boxes[2], fake.boxes[12]
    assert flat[4:] == [c[0], 700, t[2] + 1.5, 710]


def glyph_by_glyph_pdf(spacing: float) -> bytes:
    """A bill whose headings are set glyph by glyph `spacing` apart (a browser's letter-spacing): pdfium spaces
    their letters apart from 1.5 points on 10-point Helvetica Bold."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)

    def spaced(x: float, y: float, heading: str) -> None:
        canvas.setFont("Helvetica-Bold", 10)
        for character in heading:
            canvas.drawString(x, y, character)
            x += stringWidth(character, "Helvetica-Bold", 10) + spacing

    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(50, 750, "Cascade Valley Electric")
    rows = [
        ("Account Number:", "4410-2287-09"),
        ("Service Address:", "12 Birch Lane, Springfield, IL 62704"),
        ("Statement Date:", "02/05/2026"),
        ("Service Period:", "01/01/2026 - 01/31/2026"),
        ("Due Date:", "02/25/2026"),
    ]
    summary = [("Previous Balance", "$64.10"), ("Payments Received", "-$64.10"), ("Total New Charges", "$70.00")]
    charges = [("Customer Charge", "$12.00"), ("Energy Charge", "$50.00"), ("State Tax", "$8.00")]

    def section(y: float, heading: str, figures: list[tuple[str, str]]) -> float:
        """A letter-spaced heading over its labels and their figures; the baseline under its last row."""
        spaced(50, y, heading)
        for label, figure in figures:
            y -= 16
            canvas.setFont("Helvetica", 10)
            canvas.drawString(50, y, label)
            canvas.drawRightString(400, y, figure)
        return y - 26

    y = 720.0
    canvas.setFont("Helvetica", 10)
    for label, value in rows:
        canvas.drawString(50, y, label)
        canvas.drawString(180, y, value)
        y -= 16
    y = section(y - 10, "ACCOUNT SUMMARY", [*summary, ("Amount Due", "$70.00")])
    section(y, "CURRENT CHARGES", [*charges, ("Total New Charges", "$70.00")])
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("spacing", [1.5, 2.0])
def test_a_bill_with_letter_spaced_headings_reads_its_charges(monkeypatch: pytest.MonkeyPatch, spacing: float) -> None:
    """Before, `C U R R E N T C H A R G E S` hid the charges: the bill loaded as ok, its summary agreeing, without
    a line item."""
    pdf = glyph_by_glyph_pdf(spacing)
    document = pypdfium2.PdfDocument(pdf)
    assert "C U R R E N T" in document[0].get_textpage().get_text_range()
    document.close()
    assert_same_pages(*read_both(monkeypatch, pdf))
    texts = [line.text for line in PdfTextReader("inline").read(pdf).lines]
    assert "ACCOUNT SUMMARY" in texts and "CURRENT CHARGES" in texts
    result = extract_bill(pdf, templates=(), ocr="off")
    assert result.status is BillStatus.OK and result.bill is not None
    assert [(item.description, str(item.amount)) for item in result.bill.line_items] == [
        ("Customer Charge", "12.00"),
        ("Energy Charge", "50.00"),
        ("State Tax", "8.00"),
    ]


ON_THE_LINE = {index: (10.0 * index - 10, 700.0, 10.0 * index, 710.0) for index in range(2, 6)}  # `abcd` of `x abcd y`
OFF_THE_LINE = (300.0, 10.0, 320.0, 40.0)  # where pdfium boxes a ligature drawn under opacity


@pytest.mark.parametrize(
    ("misplaced", "expected"),
    [
        ({4, 5}, [("abcd", 10.0, 700.0, 36.6, 710.0)]),  # `Tari|ff`: its last two letters' widths taken in
        ({2}, [("abcd", 16.7, 700.0, 50.0, 710.0)]),  # `|file`
        ({2, 3, 4, 5}, []),  # none placed: no box, left out as such a word is
    ],
)
def test_a_word_whose_letters_pdfium_misplaces_is_boxed_by_those_it_places(
    fake: FakePdfium, misplaced: set[int], expected: list[pdf_worker.Word]
) -> None:
    """A misplaced letter's origin lies far across the baseline its string's matrix draws it on (10-point type,
    the string at 702): its box tells nothing of where it stands. Before, `abcd` was read as two words, one of
    them 300 points away."""
    fake.boxes.update(ON_THE_LINE)
    for index in misplaced:
        fake.boxes[index] = OFF_THE_LINE if index < 4 or {2, 3} - misplaced else (500.0, 50.0, 520.0, 80.0)
        fake.origins[index] = (300.0, 40.0)
        fake.matrices[index] = (1.0, 0.0, 0.0, 1.0, ON_THE_LINE[index][0], 702.0)
    buffer, text = utf16(units_of("x abcd y"))
    native, _ = pdf_worker._native_columns(pdf_worker._native(), HANDLE, buffer, len(text), text, True)
    assert native is not None and native[2] == [1]  # C finds `abcd` on two lines, so _page asks Python
    words, joined = PYTHON_WORDS(HANDLE, text, len(text), True, split=True)
    assert [word for word in words if word[0] not in ("x", "y")] == [pytest.approx(word) for word in expected]
    assert joined == []


def test_a_letter_its_strings_matrix_puts_where_pdfium_does_is_placed(fake: FakePdfium) -> None:
    """The same far box, but the origin agrees with the matrix (half a size off the baseline, as a superscript's
    rise may be): the word stays split over the two lines its letters stand on, as before."""
    fake.boxes.update(ON_THE_LINE)
    fake.boxes.update({4: OFF_THE_LINE, 5: OFF_THE_LINE})
    for index in (4, 5):
        fake.origins[index] = (300.0, 10.0)
        fake.matrices[index] = (1.0, 0.0, 0.0, 1.0, 300.0, 5.0)
    words, joined = PYTHON_WORDS(HANDLE, "x abcd y", 8, True, split=True)
    assert [word[0] for word in words] == ["x", "ab", "cd", "y"]
    assert joined == []


def heading_pdf(pieces: list[tuple[str, float]]) -> bytes:
    """One line of 9-point Helvetica Bold: each (string, gap to the next) drawn on its own, as Chrome draws a heading
    set a little apart glyph by glyph (pdfium spaces two strings apart from 1.2 to 1.6 points here, by the letters)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.setFont("Helvetica-Bold", 9)
    x = 72.0
    for text, gap in pieces:
        canvas.drawString(x, 700, text)
        x += stringWidth(text, "Helvetica-Bold", 9) + gap
    canvas.save()
    return buffer.getvalue()


def page_words(monkeypatch: pytest.MonkeyPatch, pdf: bytes) -> list[str]:
    """The first page's words, the same through C and through the Python loop."""
    native, python = read_both(monkeypatch, pdf)
    assert_same_pages(native, python)
    return list(native[0][0][0])


@pytest.mark.parametrize(
    ("pieces", "words"),
    [
        # a kerned pair's letters, spaced by pdfium, between the heading's words 5 points apart (0.55 of the height)
        ([("PLEASE", 5.0), ("PAY", 5.0), ("B", 1.3), ("Y", 5.0), ("NOW", 0)], ["PLEASE", "PAY", "BY", "NOW"]),
        ([("WAT", 1.6), ("E", 1.6), ("R", 5.0), ("METER", 0)], ["WATER", "METER"]),
        ([("P", 1.3), ("AYMENT", 5.0), ("DUE", 0)], ["PAYMENT", "DUE"]),
        # the words beside as close: type whose every space is that narrow (`A late fee`)
        ([("A", 1.3), ("late", 1.3), ("fee", 0)], ["A", "late", "fee"]),
        ([("PAY", 5.0), ("B", 1.3), ("Y", 2.0), ("NOW", 0)], ["PAY", "B", "Y", "NOW"]),
        # no word beside on the line to tell the type's word space
        ([("B", 1.3), ("Y", 0)], ["B", "Y"]),
        # only letters: a figure beside a letter is no word's
        ([("TOTAL", 5.0), ("5", 1.3), ("A", 5.0), ("DUE", 0)], ["TOTAL", "5", "A", "DUE"]),
    ],
)
def test_letters_pdfium_spaced_apart_in_type_set_a_little_apart(
    monkeypatch: pytest.MonkeyPatch, pieces: list[tuple[str, float]], words: list[str]
) -> None:
    """Chrome sets a heading's letters a little apart (`letter-spacing: 0.04em`), and pdfium spaces a few of its pairs
    apart, too few to tell letter spacing by: `PLEASE PAY B Y` lost bills their due date, `WAT E R METER` their water
    meter (the meter's card unread: review). Joined where the words beside stand a word space off, 2.5 times the
    letters' gap."""
    pdf = heading_pdf(pieces)
    document = pypdfium2.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert text.split() == [piece for piece, _ in pieces]  # what pdfium reads: each string a word of its own
    assert page_words(monkeypatch, pdf) == words


def test_letters_joined_are_boxed_as_one_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """From the first letter's left to the last's right, on the line's height."""
    pdf = heading_pdf([("PAY", 5.0), ("B", 1.3), ("Y", 5.0), ("NOW", 0)])
    words = pdf_worker.read_words(pdf, **LIMITS)[0][0]
    by = next(word for word in words if word[0] == "BY")
    left = 72 + stringWidth("PAY", "Helvetica-Bold", 9) + 5.0
    assert by[1] == pytest.approx(left, abs=0.01)
    assert by[3] == pytest.approx(
        left + stringWidth("B", "Helvetica-Bold", 9) + 1.3 + stringWidth("Y", "Helvetica-Bold", 9), abs=0.3
    )
    assert by[2] == next(word for word in words if word[0] == "PAY")[2]


def columns_of(words: list[tuple[str, float, float]]) -> pdf_worker.Columns:
    """Words on one line 700 to 710 points up: (text, left, right)."""
    boxes = array("f", [value for _, left, right in words for value in (left, 700.0, right, 710.0)])
    return [text for text, _, _ in words], boxes, []


def spaced_text(words: list[tuple[str, float, float]]) -> str:
    """The page's text of words pdfium put a space between."""
    return " ".join(text for text, _, _ in words)


@pytest.mark.parametrize(
    ("words", "read"),
    [
        # touching: one word, whatever the characters beside the letter (no word beside needs to tell)
        ([("D", 10, 16), ("e", 16, 21), ("t", 21, 24)], ["Det"]),
        ([("Meter", 0, 25), ("E", 40, 46), ("0", 46, 51), ("-", 51, 54), ("7", 54.1, 59)], ["Meter", "E0-7"]),
        # figures and signs touching, too: a repeated table footer's `$603.7 9` (web-141-0019)
        ([("1", 10, 15), ("-", 15, 18), ("2", 18, 23)], ["1-2"]),
        ([("Total", 0, 25), ("$603.7", 40, 65), ("9", 65, 70)], ["Total", "$603.79"]),
        # a figure 0.05 of the height off its amount is left as read: only letters join without touching
        ([("$603.7", 40, 65), ("9", 65.5, 70)], ["$603.7", "9"]),
        # a letter 0.05 of the height off: no touching, and no word beside to tell a word space by
        ([("D", 10, 16), ("e", 16.5, 21)], ["D", "e"]),
    ],
)
def test_letters_touching_on_their_line_are_one_word(words: list[tuple[str, float, float]], read: list[str]) -> None:
    """pdfium broke a line between glyphs Chrome drew one by one (web-13-0006): each touching the next, they are
    one word; characters touching a character alone are joined with it."""
    assert pdf_worker._kerned_letters_joined(columns_of(words), spaced_text(words))[0] == read


@pytest.mark.parametrize(
    ("words", "read"),
    [
        # a letter kerned 0.05 of the height into the next, pdfium's space between them (web-81-0027's summary)
        ([("LATE", 0, 30), ("P", 35, 42), ("AYMENT", 41.5, 80), ("CHARGE", 85, 130)], ["LATE", "PAYMENT", "CHARGE"]),
        # further into it than a kerned pair sets a letter: drawn over it, left as read
        (
            [("LATE", 0, 30), ("P", 35, 42), ("AYMENT", 40.5, 80), ("CHARGE", 85, 130)],
            ["LATE", "P", "AYMENT", "CHARGE"],
        ),
        # a word's full stop (web-81-0027's `ACCOUNT NO .`: the bill went to review with no account number)
        ([("ACCOUNT", 0, 45), ("NO", 47, 60), (".", 60.4, 62), ("3862", 90, 110)], ["ACCOUNT", "NO.", "3862"]),
        # a figure's point touching its figures joins them, as any character alone touching its neighbours does
        ([("12", 0, 10), (".", 10, 12), ("50", 12, 22)], ["12.50"]),
        # a point a little off its figures is left as read: only a letter's full stop joins without touching
        ([("12", 0, 10), (".", 10.5, 12), ("50", 12.5, 22)], ["12", ".", "50"]),
        # a leader's dots, as close to each other as to the word: no word space beside tells them apart
        ([("Total", 0, 25), (".", 25.5, 27), (".", 28, 29.5), (".", 30.5, 32)], ["Total", ".", ".", "."]),
    ],
)
def test_a_kerned_letter_and_a_full_stop_pdfium_spaced_apart_go_on_their_word(
    words: list[tuple[str, float, float]], read: list[str]
) -> None:
    assert pdf_worker._kerned_letters_joined(columns_of(words), spaced_text(words))[0] == read


# web-145-0077's `PAYMENTS` label alone in its cell, Chrome's letter spacing, `AY` kerned into `P`; 10 points high
PAYMENTS = [("P", 33.75, 38.74), ("AY", 38.5, 48.52), ("M", 48.83, 55.07), ("E", 55.37, 60.37), ("N", 60.68, 66.09)]
PAYMENTS += [("T", 66.39, 70.97), ("S", 71.27, 76.27), ("$128.96", 138.96, 166.06)]
# web-133-0040's `Payment 2024-05-02` in small capitals, a word space after the label
DATED = [("P", 36.0, 41.22), ("ay", 41.6, 49.35), ("m", 50.14, 54.39), ("e", 55.72, 58.44), ("n", 59.66, 63.09)]
DATED += [("t", 63.95, 67.48), ("2", 70.7, 75.65), ("0", 76.01, 80.97), ("2", 81.33, 86.28), ("4", 86.64, 91.59)]
DATED += [("-", 91.96, 94.91), ("0", 95.27, 100.22), ("5", 100.58, 105.53), ("-", 105.9, 108.85), ("0", 109.21, 114.16)]
DATED += [("2", 114.52, 119.48), ("($56.85)", 131.85, 162.32)]


def broken_after_each(words: list[tuple[str, float, float]], but: int) -> str:
    """The page's text of words pdfium broke its line after, all but the last `but` (a space before those)."""
    texts = [text for text, _, _ in words]
    return "\r\n".join(texts[: len(texts) - but]) + "".join(" " + text for text in texts[len(texts) - but :])


@pytest.mark.parametrize(
    ("words", "text", "read"),
    [
        # nothing beside tells a word space, but pdfium broke its line between each glyph Chrome drew alone
        (PAYMENTS, broken_after_each(PAYMENTS, 1), ["PAYMENTS", "$128.96"]),
        # the same words a space apart in the text: type set so close may be words, and nothing tells: as read
        (PAYMENTS, spaced_text(PAYMENTS), [text for text, _, _ in PAYMENTS]),
        # one gap a space, not a line break: the run needs telling as before, and nothing tells
        (
            PAYMENTS,
            broken_after_each(PAYMENTS[:4], 0) + " " + broken_after_each(PAYMENTS[4:], 1),
            ["P", "AY", "M", "E", "N", "T", "S", "$128.96"],
        ),
        # figures and signs too: the small capitals' gaps (to 0.16 of the height) all under the word space's 0.39,
        # which is less than WORD_BREAK_SPACINGS times them and so does not tell
        (DATED, broken_after_each(DATED, 1), ["Payment", "2024-05-02", "($56.85)"]),
        # figures a space apart in the text are left as read, letters joined only as the word space tells
        (DATED, spaced_text(DATED), [text for text, _, _ in DATED]),
    ],
)
def test_glyphs_pdfium_broke_its_line_between_on_one_line_are_one_word(
    words: list[tuple[str, float, float]], text: str, read: list[str]
) -> None:
    """Chrome draws a letter-spaced label glyph by glyph and pdfium may break its line after each: web-145-0077's
    `P AY M E N T S` and web-133-0040's `P ay m e n t 2 0 2 4 - 0 5 - 0 2` were left apart, the payments not read,
    and the bills went to review (balance_mismatch)."""
    assert pdf_worker._kerned_letters_joined(columns_of(words), text)[0] == read


def leaders_into_an_amount(amount: str, shift: float, *, amount_first: bool = False) -> bytes:
    """`Balance brought forward`, leaders in Courier 9 (a 5.4-point pitch) running into `amount` set after them, one
    of their dots `shift` points right of the amount's point (heldout-43-0386's, 0.61 right), or of its fourth
    character."""
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont("Courier", 9)
    canvas.drawString(72, 600, "Balance brought forward")
    point = 290.0 + (amount.index(".") if "." in amount else 3) * 5.4
    strings = [(point + shift - 10 * 5.4, "." * 11), (290.0, amount)]
    for left, string in reversed(strings) if amount_first else strings:
        canvas.drawString(left, 600, string)
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("pdf", "pdfium", "read"),
    [
        # a dot 0, or 0.61, off the point: pdfium drops the amount's point; its hole holds the dot
        (leaders_into_an_amount("$48.52", 0.0), "$4852", "$48.52"),
        (leaders_into_an_amount("$48.52", 0.61), "$4852", "$48.52"),
        (leaders_into_an_amount("$48.52", 0.61, amount_first=True), "$4852", "$48.52"),
        (leaders_into_an_amount("(€185.06)", 0.0), "(€18506)", "(€185.06)"),
        # half a character off: pdfium keeps the point, and nothing is added
        (leaders_into_an_amount("$48.52", 2.7), "$48.52", "$48.52"),
        # an amount printed without a point, the leaders over it: no hole, as printed
        (leaders_into_an_amount("$4852", 0.0), "$4852", "$4852"),
    ],
)
def test_an_amounts_point_that_leaders_took_is_put_back(
    monkeypatch: pytest.MonkeyPatch, pdf: bytes, pdfium: str, read: str
) -> None:
    """pdfium drops a character drawn where the same one was just drawn: leaders running under an amount took its
    point (heldout-43-0386's `$4852`, and its payment's and new charges'), and the bill went to review. Both paths."""
    assert pdf_text(pdf).split()[-1] == pdfium
    native, python = read_both(monkeypatch, pdf)
    for texts, _, _ in (native[0][0], python[0][0]):
        assert texts == ["Balance", "brought", "forward", "." * 11, read]
