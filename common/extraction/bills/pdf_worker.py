"""Read the words of a PDF with pdfium, in-process or as a sandboxed child process.

pdfium inflates whatever a file asks for: a 1 MB compressed stream becomes 1 GB of memory, a 60 KB
content stream becomes 20 million characters and 24 s of work. Run as a script, this module is a
worker that reads PDFs from stdin under hard resource limits, so a hostile file kills only the worker.
It imports nothing but the standard library and pypdfium2 (and loads wordboxes.c's loop through ctypes),
so it starts fast and runs no other project code.

Why words and not characters: one ctypes call per character costs more than pdfium's whole text
extraction. We take the page text in one call and need boxes only at word ends. Even two ctypes calls a
word cost a sixth of the raw-text floor, so wordboxes.c (built into build/_wordboxes.so by `make`) walks a
page's words in one call; where it was not built (e.g. in a Cloud Functions build) the Python loop gives the
same words and boxes. C's pages stay columns (texts, float32 boxes) until a caller wants tuples, so the
worker sends its boxes as they came, without a Python float for every coordinate.

Wire format (frames of a 4-byte big-endian length, then the bytes): request = header JSON, PDF bytes;
reply = JSON `{"page_count": n, "words_per_page": [...], "words": "w1\\nw2...", "joined_per_page": [[i, ...], ...],
"cut_pages": [p, ...], "unreadable_pages": [p, ...]}` (the indices of each page's words that pdfium ran over two lines
and that could not be split into their lines' parts; the pages whose text ran past max_chars_per_page, read up to
there; the pages pdfium cannot load, given no words) then the word boxes as float32 (left, bottom, right, top per
word, native order), or only `{"error": {...}}`. JSON and plain
floats, never pickle: the parent must not execute what a compromised worker sends. Boxes travel as
floats because encoding them as JSON cost more than reading them (pdfium's boxes are float32 already).
A header with `"render"` asks for some pages as images for OCR (render_pages: `"pages"`, 1-based): the reply is
then `{"page_count": n, "images": [[width_pt, height_pt, width_px, height_px, turns], ...]}`, one for each asked
page the document has, in page order, and one byte of gray a pixel, page after page.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import json
import math
import os
import re
import struct
import sys
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Sequence
from typing import Any, BinaryIO, TypeVar

import pypdfium2.raw as pdfium_c

WORD = re.compile(r"\S+")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # one str index, two UTF-16 units (surrogates)
Word = tuple[str, float, float, float, float]  # text, left, bottom, right, top (PDF points)
CharBox = tuple[float, float, float, float]  # a character's loose box: left, bottom, right, top
# A page's word texts, their boxes as 4 float32 a word (as Word), and which words pdfium ran over two lines.
Columns = tuple[list[str], "array[float]", list[int]]
# A page as an image for OCR, as it is shown (its /Rotate applied): its size in points, its size in pixels, its
# /Rotate in quarter turns clockwise, one byte of gray a pixel, row after row.
PageImage = tuple[float, float, int, int, int, bytes]
# wordboxes.c's statuses of a word with a box: kept, on two lines (on_two_lines), drawn over another (drawn_over),
# kept on a page that may hold letters pdfium spaced apart (_spaced_letters_joined)
KEPT, JOINED, DRAWN_OVER, SPACED = 1, 3, 4, 5
# wordboxes.c's turn_of: which way a word runs (0 to 3 quarter turns clockwise, ASKEW, UNKNOWN_TURN), and how far
# from a quarter turn a word is askew (past a scan's few degrees off level, short of a stamp's or a watermark's)
QUARTER_TURN, ASKEW_BY, ASKEW, UNKNOWN_TURN = math.pi / 2, 0.2, 4, 255
# The words running another way that a page's reading names, of those it leaves out: a watermark's or a margin's
# few; a hostile page's thousands are named no further.
MOST_SET_ASIDE = 40
T = TypeVar("T")


class PdfReadError(Exception):
    """A document pdfium refuses; `code` is a stable reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _address(function: Any) -> int:
    address = ctypes.cast(function, ctypes.c_void_p).value
    assert address is not None
    return address


def _untyped(function: Any, *argtypes: Any, returns: Any = ctypes.c_int) -> Any:
    """The same pdfium function with plain pointer arguments: typed ctypes arguments cost a conversion per call."""
    return ctypes.CFUNCTYPE(returns, *argtypes)(_address(function))


_CHAR_BOX = _untyped(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
_TEXT_INDEX_TO_CHAR = _untyped(pdfium_c.FPDFText_GetCharIndexFromTextIndex, ctypes.c_void_p, ctypes.c_int)
_CHAR_ANGLE = _untyped(pdfium_c.FPDFText_GetCharAngle, ctypes.c_void_p, ctypes.c_int, returns=ctypes.c_float)
_CHAR_ORIGIN = _untyped(
    pdfium_c.FPDFText_GetCharOrigin, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p
)
_IS_GENERATED = _untyped(pdfium_c.FPDFText_IsGenerated, ctypes.c_void_p, ctypes.c_int)
_TIGHT_BOX = _untyped(pdfium_c.FPDFText_GetCharBox, ctypes.c_void_p, ctypes.c_int, *(ctypes.c_void_p,) * 4)
_COUNT_RECTS = _untyped(pdfium_c.FPDFText_CountRects, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
_GET_RECT = _untyped(pdfium_c.FPDFText_GetRect, ctypes.c_void_p, ctypes.c_int, *(ctypes.c_void_p,) * 4)
_CHAR_MATRIX = _untyped(pdfium_c.FPDFText_GetMatrix, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
_FONT_SIZE = _untyped(pdfium_c.FPDFText_GetFontSize, ctypes.c_void_p, ctypes.c_int, returns=ctypes.c_double)
# wordboxes.c gets pdfium's functions as addresses, so it links against nothing.
_CHAR_BOX_ADDRESS = _address(pdfium_c.FPDFText_GetLooseCharBox)
_TEXT_INDEX_TO_CHAR_ADDRESS = _address(pdfium_c.FPDFText_GetCharIndexFromTextIndex)
_CHAR_ANGLE_ADDRESS = _address(pdfium_c.FPDFText_GetCharAngle)
_CHAR_ORIGIN_ADDRESS = _address(pdfium_c.FPDFText_GetCharOrigin)
_IS_GENERATED_ADDRESS = _address(pdfium_c.FPDFText_IsGenerated)
_TIGHT_BOX_ADDRESS = _address(pdfium_c.FPDFText_GetCharBox)
# `make` builds it into the repository's build/: terraform ships common/ as text, so not beside this file.
_NATIVE_LIBRARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "build", "_wordboxes.so")


@functools.cache
def _native() -> Any | None:
    """word_boxes() of _wordboxes.so, or None where it was not built (then _python_words does its work)."""
    try:
        library = ctypes.CDLL(_NATIVE_LIBRARY)
    except OSError:
        return None
    function = library.word_boxes
    pointer, integer = ctypes.c_void_p, ctypes.c_int
    # textpage and pdfium's six functions, text, length, aligned, boxes_out, status_out, turns_out, max_words
    function.argtypes = (pointer,) * 8 + (integer, integer, pointer, pointer, pointer, integer)
    function.restype = integer
    return function


def _page(
    textpage: Any, count: int, set_aside: Callable[[list[int]], bool] | None = None
) -> tuple[Columns | None, list[str]]:
    """The words of the page's first `count` characters from wordboxes.c or, where it is missing or disagrees, from
    the Python loop; from the Python loop too where wordboxes.c found words it reads better: run over two lines
    (a page or so in a tilted scan's text layer), drawn over one another, or running another way than the page's
    lines (_turned_away), which it leaves out. It reads them in one pass. Beside them, the words left out for
    running another way (at most MOST_SET_ASIDE), for the bill's audits to name. Where words run another way, no
    columns if `set_aside` took their characters out of the page: pdfium is to read it again without them."""
    if count <= 0:
        return ([], array("f"), []), []
    buffer = (ctypes.c_ushort * (count + 1))()
    # UTF-16 units less the NUL, never past the buffer: C and string_at read this many.
    units = min(max(pdfium_c.FPDFText_GetText(textpage, 0, count, buffer) - 1, 0), count + 1)
    text = ctypes.string_at(buffer, units * 2).decode("utf-16-le", errors="replace")
    # Text indices are UTF-16 units, as are pdfium's character indices (a surrogate pair is two characters),
    # so they are equal unless some glyphs have no Unicode.
    aligned = units == count
    handle = ctypes.cast(textpage, ctypes.c_void_p).value
    native = _native()
    columns, away = _native_columns(native, handle, buffer, units, text, aligned) if native else (None, None)
    astral = _astral(text, units)
    if away is None:
        away = _python_turned_away(handle, text, astral, aligned)
    left_out = [word for index, word in enumerate(text.split()) if index in away][:MOST_SET_ASIDE] if away else []
    if away and set_aside is not None and set_aside(_characters_of(handle, text, away, astral, aligned)):
        return None, left_out
    plain = aligned and units == len(text)  # where a word's characters can be looked at one by one
    if columns is None or (columns[2] and plain):
        columns = _columns(*_python_words(handle, text, units, aligned, split=plain, away=away))
    if plain and "..." in text:
        columns = _points_under_leaders(handle, text, columns)
    return _kerned_letters_joined(columns, text), left_out


def _points_under_leaders(handle: int | None, text: str, columns: Columns) -> Columns:
    """The page's words with the decimal point of an amount that leaders run into put back. pdfium drops a
    character drawn where the same one was just drawn, and leader dots running under an amount took its point:
    heldout-43-0386's `Balance brought forward ......... $48.52` read `$4852`, its payment and new charges alike,
    and the bill went to review (balance_mismatch). Where an amount's characters leave a hole between two figures
    the width of a leader's dot, and one of the leaders running into it stands in that hole, the point was
    there."""
    texts, boxes, _ = columns
    candidates = [
        index
        for index, word in enumerate(texts[:-1])
        if word.startswith("...")
        and not word.strip(".")
        and boxes[4 * index + 2] > boxes[4 * index + 4]  # the leaders run into the next word
        and "." not in texts[index + 1]
        and any(character.isdigit() for character in texts[index + 1])
    ]
    if not candidates or (spans := _spans_of(text, texts)) is None:
        return columns
    box = _char_boxes(handle)
    mended = list(texts)
    for index in candidates:
        start, end = spans[index + 1]
        amount = [found for found in map(box, range(start, end)) if found is not None]
        if len(amount) != end - start:
            continue
        holes = [
            at
            for at in range(end - start - 1)
            if text[start + at].isdigit() and text[start + at + 1].isdigit() and _hole(amount, at) > 0.0
        ]
        if len(holes) != 1:
            continue
        at = holes[0]
        left, right = amount[at][2], amount[at + 1][0]
        for dot in range(spans[index][1] - 1, spans[index][0] - 1, -1):
            found = box(dot)
            if found is None or found[2] < left:
                break
            width = found[2] - found[0]
            if left < (found[0] + found[2]) / 2 < right and abs((right - left) - width) <= _POINT_FIT * width:
                mended[index + 1] = texts[index + 1][: at + 1] + "." + texts[index + 1][at + 1 :]
                break
    return mended, boxes, columns[2]


_POINT_FIT = 0.25  # of a leader's dot: a hole between two figures within this of its width is a point's


def _hole(boxes: list[CharBox], at: int) -> float:
    """The gap between character `at`'s box and the next, where it is wider than a fifth of the character's width."""
    before, after = boxes[at], boxes[at + 1]
    gap = after[0] - before[2]
    return gap if gap > 0.2 * (before[2] - before[0]) else 0.0


WORD_SPACE_MOST = 1.5  # of the height: a gap on a line past this is a cell's or a column's, not the type's word space
ABUTTING = 0.03  # of the height: characters this close on a line touch, whatever pdfium put between them
KERNED_INTO = 0.1  # of the height: a letter kerned this far into the one before it (`P AYMENT`) is of its word


def _kerned_letters_joined(columns: Columns, text: str) -> Columns:
    """The page's words with the letters pdfium spaced apart in a word of type set a little apart joined again: it
    spaces a few pairs (a kerned one's neighbours), not the rest (`PAY B Y`, `WAT E R METER`), too few for
    _spaced_letters_joined to tell, and the bills lost their due date, or their meters. A run of words on a line
    whose every gap holds a letter alone and is under _SPACED_UNDER of the height is one word where the words beside
    it stand WORD_BREAK_SPACINGS times further off: the type's word space. Words of one line set that close are a
    space apart only in type whose every space is (`A late fee`), and a heading's letters are not set further apart
    than its words. Only letters are joined (one kerned up to KERNED_INTO into the next: `P AYMENT`), and a word's full
    stop (`ACCOUNT NO .`), and the words beside must tell: one of them at least, on the run's line, each within
    WORD_SPACE_MOST of the height. A character alone touching its neighbours (ABUTTING), whatever it is, needs no
    telling, and the characters touching it on either side are joined too: pdfium broke its line between glyphs
    Chrome drew one by one (`D e t a i l s`, `E 0 0 - 7 5 2 0 8` on a page of web-13-0006, a table's repeated footer
    `$603.7 9` on web-141-0019's page 2), and no type sets words touching. Nor does a run, whatever its characters,
    whose every gap is a line break in the page's `text` though its words stand on one line: Chrome drew a
    letter-spaced label glyph by glyph and pdfium broke its line after each (`P AY M E N T S` alone in its cell on
    web-145-0077, nothing beside to tell; `P ay m e n t 2 0 2 4 - 0 5 - 0 2` in small capitals on web-133-0040),
    as it breaks none between two words of a line that type set a space apart."""
    texts, boxes, joined = columns
    singles = [index for index, word in enumerate(texts) if len(word) == 1]
    if joined or not singles:
        return columns
    lefts, rights = boxes[0::4], boxes[2::4]
    last_word = len(texts) - 1

    def height(index: int) -> float:
        return boxes[4 * index + 3] - boxes[4 * index + 1]

    def gap(index: int) -> float | None:  # from word `index` to the next on its line, or None
        if not 0 <= index < last_word:
            return None
        at, tall = 4 * index, height(index)
        if (
            not tall > 1.0
            or abs(boxes[at + 5] - boxes[at + 1]) > 0.2 * tall
            or abs(boxes[at + 7] - boxes[at + 3]) > 0.2 * tall
        ):
            return None
        return lefts[index + 1] - rights[index]

    def close(index: int) -> float | None:  # the gap after word `index`, where it may be a letter's
        if (found := gap(index)) is None or abs(found) <= ABUTTING * height(index):
            return found  # touching, whatever the characters
        if not -KERNED_INTO * height(index) <= found < _SPACED_UNDER * height(index):
            return None
        if texts[index].isalpha() and (texts[index + 1].isalpha() or texts[index + 1] == "."):
            return found  # a letter beside a letter, or a word's full stop (`ACCOUNT NO .`)
        return found if index in broken() else None

    @functools.cache
    def broken() -> frozenset[int]:
        return _lines_broken(text, texts)

    gaps = {index: found for single in singles for index in (single - 1, single) if (found := close(index)) is not None}
    abutting = {index for index, found in gaps.items() if abs(found) <= ABUTTING * height(index)}
    for index in sorted(abutting):  # on through the characters touching, whatever they are (`E 0 0 - 7 5 2 0 8`)
        for step in (-1, 1):
            beside = index + step
            while beside not in gaps and (found := gap(beside)) is not None and abs(found) <= ABUTTING * height(beside):
                gaps[beside] = found
                abutting.add(beside)
                beside += step
    runs: list[tuple[int, int]] = []  # first and last word of each run to join
    for index in sorted(gaps):
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    runs = [
        (first, last)
        for first, last in runs
        if abutting.issuperset(range(first, last))
        or _apart_as_words(gap, boxes, gaps, first, last)
        or all(index in abutting or index in broken() for index in range(first, last))
    ]
    if not runs:
        return columns
    words = _words(columns)
    result = words[: runs[0][0]]
    for (first, last), following in zip(runs, [*(first for first, _ in runs[1:]), len(words)], strict=True):
        run = words[first : last + 1]
        result.append(
            (
                "".join(word[0] for word in run),
                min(word[1] for word in run),
                min(word[2] for word in run),
                max(word[3] for word in run),
                max(word[4] for word in run),
            )
        )
        result += words[last + 1 : following]
    return _columns(result, [])


def _spans_of(text: str, texts: list[str], away: Collection[int] = frozenset()) -> list[tuple[int, int]] | None:
    """Where each of `texts` stands in the page's text; None unless they are its words one for one (the words
    `away`, by index among str.split()'s, left out)."""
    spans = [match.span() for index, match in enumerate(WORD.finditer(text)) if index not in away]
    if len(spans) != len(texts) or any(
        text[start:end] != word for (start, end), word in zip(spans, texts, strict=True)
    ):
        return None
    return spans


def _char_boxes(handle: int | None) -> Callable[[int], CharBox | None]:
    """The page's character boxes by index, each asked of pdfium once; None where it has none."""
    rect = pdfium_c.FS_RECTF()
    address = ctypes.addressof(rect)

    @functools.cache
    def box(index: int) -> CharBox | None:
        return (rect.left, rect.bottom, rect.right, rect.top) if _CHAR_BOX(handle, index, address) else None

    return box


def _lines_broken(text: str, texts: list[str]) -> frozenset[int]:
    """The words (by index in `texts`) after which the page's text breaks its line; none unless `texts` are the
    text's words one for one."""
    if (spans := _spans_of(text, texts)) is None:
        return frozenset()
    return frozenset(
        index for index, ((_, end), (start, _)) in enumerate(itertools.pairwise(spans)) if "\n" in text[end:start]
    )


def _apart_as_words(
    gap: Callable[[int], float | None], boxes: array[float], gaps: dict[int, float], first: int, last: int
) -> bool:
    """Whether the words beside words first to last on their line stand WORD_BREAK_SPACINGS times their widest gap off
    (one of them at least; each within WORD_SPACE_MOST of the height, as the type's word space)."""
    widest = max(gaps[index] for index in range(first, last))
    height = boxes[4 * first + 3] - boxes[4 * first + 1]
    told = False
    for beside in (first - 1, last):
        if (found := gap(beside)) is None or not 0.0 <= found <= WORD_SPACE_MOST * height:
            continue
        if found < WORD_BREAK_SPACINGS * widest:
            return False
        told = True
    return told


def _native_columns(
    native: Any, handle: int | None, buffer: Any, units: int, text: str, aligned: bool
) -> tuple[Columns | None, frozenset[int] | None]:
    """One call to wordboxes.c for the page, and the words (by their index among str.split()'s) running another way
    than the page's lines (_turned_away). No columns (use Python) in case its words are not str.split()'s, or some
    run another way: the Python loop leaves those out. A page read word for word on which C found a letter-spaced
    word has its letters pdfium spaced apart joined (_spaced_letters_joined), as the Python loop does."""
    texts = text.split()
    size = len(texts)
    boxes = array("f", bytes(16 * size))
    status = array(
        "B", bytes(size)
    )  # per word: 1 (5 letter-spaced) kept, 3 kept on two lines, 2 skipped, 0 not reached
    turns = array("B", bytes(size))
    kept = native(
        handle,
        _CHAR_BOX_ADDRESS,
        _TEXT_INDEX_TO_CHAR_ADDRESS,
        _CHAR_ANGLE_ADDRESS,
        _CHAR_ORIGIN_ADDRESS,
        _IS_GENERATED_ADDRESS,
        _TIGHT_BOX_ADDRESS,
        buffer,
        units,
        aligned,
        boxes.buffer_info()[0],
        status.buffer_info()[0],
        turns.buffer_info()[0],
        size,
    )
    if kept < 0 or status.count(0):
        return None, None
    away = frozenset() if turns.count(0) == size else _turned_away(turns, list(map(len, texts)))
    if away or status.count(DRAWN_OVER):
        return None, away  # the Python loop cuts a word drawn over another where two drawn strings meet
    if kept == size and status.count(KEPT) == size:
        return (texts, boxes, []), away
    if kept == size and status.count(KEPT) + status.count(SPACED) == size:
        return _columns(_spaced_letters_joined(handle, text, _words((texts, boxes, []))), []), away
    del boxes[4 * kept :]
    words: list[str] = []
    joined: list[int] = []
    for word, flag in zip(texts, status, strict=True):
        if flag == JOINED:
            joined.append(len(words))
        if flag in (KEPT, JOINED, SPACED):
            words.append(word)
    return (words, boxes, joined), away


def _turn_of(angle: float) -> int:
    """wordboxes.c's turn_of, operation for operation: which way a word whose first character pdfium turns by `angle`
    runs."""
    if not angle >= 0.0:
        return UNKNOWN_TURN
    quarters = math.floor(angle / QUARTER_TURN + 0.5)
    if abs(angle - quarters * QUARTER_TURN) > ASKEW_BY:
        return ASKEW
    return int(quarters) % 4


def _turned_away(turns: Sequence[int], lengths: Sequence[int]) -> frozenset[int]:
    """The words (by index) that run another way than most of the page's characters: a watermark across the page, a
    form's number up its margin, a stamp. They are no part of its lines, and a line read through them is read wrong
    (a watermark's one word is as tall as the page's middle, and joins a charge's line; a margin's words each start
    a line's first cell). None where no way holds most of the characters, or pdfium gives no angle."""
    weights: dict[int, int] = {}
    for turn, length in zip(turns, lengths, strict=True):
        if turn != UNKNOWN_TURN:
            weights[turn] = weights.get(turn, 0) + length
    if len(weights) < 2:
        return frozenset()
    main = max(weights, key=weights.__getitem__)
    if 2 * weights[main] <= sum(weights.values()):
        return frozenset()
    return frozenset(index for index, turn in enumerate(turns) if turn not in (main, UNKNOWN_TURN))


def _span_across(box: tuple[float, ...], cos_a: float, sin_a: float) -> tuple[float, float]:
    """wordboxes.c's span_across, operation for operation (box is left, bottom, right, top)."""
    left, bottom, right, top = box
    p1, p2 = cos_a * bottom + sin_a * left, cos_a * bottom + sin_a * right
    p3, p4 = cos_a * top + sin_a * left, cos_a * top + sin_a * right
    low, high = (p1 if p1 < p2 else p2), (p1 if p1 > p2 else p2)
    low2, high2 = (p3 if p3 < p4 else p4), (p3 if p3 > p4 else p4)
    return (low2 if low2 < low else low), (high2 if high2 > high else high)


def _on_two_lines(
    handle: int | None, first: int, last: int, first_box: tuple[float, ...], last_box: tuple[float, ...]
) -> bool:
    """wordboxes.c's on_two_lines, comparison for comparison (boxes are left, bottom, right, top)."""
    share_height = not (first_box[1] >= last_box[3] or last_box[1] >= first_box[3])
    share_width = not (first_box[0] >= last_box[2] or last_box[0] >= first_box[2])
    if share_height and share_width:
        return False
    angle = _CHAR_ANGLE(handle, first)
    if angle < 0.0:
        return False
    if angle == 0.0:
        return not share_height
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    first_low, first_high = _span_across(first_box, cos_a, sin_a)
    last_low, last_high = _span_across(last_box, cos_a, sin_a)
    if first_low >= last_high or last_low >= first_high:
        return True
    first_place = _across(handle, first, first_low, first_high, cos_a, sin_a)
    last_place = _across(handle, last, last_low, last_high, cos_a, sin_a)
    return first_place is not None and last_place is not None and _apart(first_place, last_place)


def _across(
    handle: int | None, index: int, low: float, high: float, cos_a: float, sin_a: float
) -> tuple[float, float] | None:
    """wordboxes.c's across: where a character stands across its line (its origin, on the line's baseline, projected
    on the line's normal) and its height across it (its box's span there, `low` to `high`); None without an origin."""
    if (origin := _origin(handle, index)) is None:
        return None
    x, y = origin
    return cos_a * y + sin_a * x, high - low


def _origin(handle: int | None, index: int) -> tuple[float, float] | None:
    """A character's origin (on its line's baseline), or None where pdfium has none."""
    x, y = ctypes.c_double(), ctypes.c_double()
    if not _CHAR_ORIGIN(handle, index, ctypes.byref(x), ctypes.byref(y)):
        return None
    return x.value, y.value


def _apart(one: tuple[float, float], other: tuple[float, float]) -> bool:
    """wordboxes.c's apart: two characters (as _across gives them) stand on two lines, their baselines more than half
    the taller one's height apart."""
    taller = one[1] if one[1] > other[1] else other[1]
    return abs(other[0] - one[0]) > 0.5 * taller


def _python_words(
    handle: int | None,
    text: str,
    units: int,
    aligned: bool,
    *,
    split: bool = False,
    away: Collection[int] = frozenset(),
) -> tuple[list[Word], list[int]]:
    """What wordboxes.c computes, with two ctypes calls a word (three for most words of two characters: the angle;
    four for most longer ones on a page whose text indices are its characters': their second character's box,
    for letter spacing) and one a drawn string: for where _wordboxes.so was not built. With `split` (on such a
    page), a word on two lines is replaced by its parts on each (_split_across_lines) where they can be told apart,
    and is joined only where they cannot. A word holding strings drawn over one another (_drawn_over_parts) is
    cut into them: wordboxes.c hands such a page to this loop. Where either is only pdfium boxing some of a word's
    letters far off their line (_misplaced), the word is boxed by the others (_placed_only). A letter-spaced word's
    box takes in its spacing (_letter_spacing). The words `away` (by index among str.split()'s: _page's
    _turned_away) are left out.

    `units` is the UTF-16 length `text` was decoded from: pdfium counts positions in those units.
    """
    rect = pdfium_c.FS_RECTF()
    rect_address = ctypes.addressof(rect)
    box, to_char = _CHAR_BOX, _TEXT_INDEX_TO_CHAR
    words: list[Word] = []
    joined: list[int] = []
    append = words.append
    # Str index k is unit k plus the surrogate pairs before it; a page without pairs (the usual one, where
    # units == len(text)) skips the search. A lone surrogate decoded to one U+FFFD: one index, one unit.
    astral = _astral(text, units)
    plain = aligned and units == len(text)  # each character's index is its text index: wordboxes.c's `plain`
    meetings = _strings_meeting(handle) if plain else {}
    spaced = False  # a letter-spaced word was found: wordboxes.c's SPACED
    previous: tuple[int, float, float] | None = None  # the word kept before: first character, bottom, top
    for index, match in enumerate(WORD.finditer(text)):
        if away and index in away:
            continue
        first, last = match.span()
        last -= 1
        if astral:
            first += bisect_left(astral, first)
            last += bisect_left(astral, last)
        if not aligned:
            first, last = to_char(handle, first), to_char(handle, last)
            if first < 0 or last < 0:
                continue
        if not box(handle, first, rect_address):
            continue
        left, bottom, first_right, top = rect.left, rect.bottom, rect.right, rect.top
        if not box(handle, last, rect_address):
            continue
        right, last_bottom, last_left, last_top = rect.right, rect.bottom, rect.left, rect.top
        spacing = 0.0
        first_box = (left, bottom, first_right, top)
        on_two_lines = False
        if first != last:
            last_box = (last_left, last_bottom, right, last_top)
            if _on_two_lines(handle, first, last, first_box, last_box):
                previous = None
                if plain and (placed := _placed_only(handle, match.group(), first)) is not None:
                    words += placed
                    continue
                if split and (parts := _split_across_lines(handle, match.group(), first)):
                    words += parts
                    continue
                joined.append(len(words))
                on_two_lines = True
            elif (
                meetings
                and _holds_a_meeting(meetings, first_box, last_box)
                and (
                    (parts := _placed_only(handle, match.group(), first)) is not None
                    or (parts := _drawn_over_parts(handle, match.group(), first, first_box, last_box))
                )
            ):
                previous = None
                words += parts
                continue
            elif plain:
                spacing = _letter_spacing(handle, first, last, first_box, last_box)
                spaced = spaced or spacing > 0.0
        if last_left < left:  # wordboxes.c says why
            left = last_left
        if first_right > right:
            right = first_right
        if not right >= left:
            right = left
        if spacing > 0.0:
            if _after_a_drawn_space(handle, text, first):
                left -= spacing
            right += spacing
        word_bottom, word_top = (last_bottom if last_bottom < bottom else bottom), (last_top if last_top > top else top)
        if not on_two_lines:
            if previous is not None:
                word_bottom, word_top = _glyph_box_sized(handle, first, first_box, previous, word_bottom, word_top)
            previous = (first, word_bottom, word_top)
        append((match.group(), left, word_bottom, right, word_top))
    if plain and not joined and (spaced or _SINGLES.search(text)):
        words = _spaced_letters_joined(handle, text, words, away)
    return words, joined


NARROW = 0.75  # wordboxes.c's: a word this much shorter than the word before it may have a glyph's box


def _glyph_box_sized(
    handle: int | None, first: int, first_box: CharBox, previous: tuple[int, float, float], bottom: float, top: float
) -> tuple[float, float]:
    """wordboxes.c's glyph_box_sized, operation for operation: a word's bottom and top, the word before's box around
    its own baseline where pdfium gave the glyph's own box (a Type 3 font's, which says no ascent nor descent:
    Chrome's small capitals)."""
    previous_first, previous_bottom, previous_top = previous
    if not top - bottom < NARROW * (previous_top - previous_bottom) or not (
        bottom < previous_top and previous_bottom < top
    ):
        return bottom, top
    tight = [ctypes.c_double() for _ in range(4)]
    if not _TIGHT_BOX(handle, first, *(ctypes.addressof(value) for value in tight)):
        return bottom, top
    left, right, low, high = (value.value for value in tight)
    if not (left == first_box[0] and right == first_box[2] and low == first_box[1] and high == first_box[3]):
        return bottom, top
    if _turn_of(_CHAR_ANGLE(handle, first)) != 0 or _turn_of(_CHAR_ANGLE(handle, previous_first)) != 0:
        return bottom, top
    origin, previous_origin = _origin(handle, first), _origin(handle, previous_first)
    if origin is None or previous_origin is None:
        return bottom, top
    sized_bottom = origin[1] - (previous_origin[1] - previous_bottom)
    sized_top = origin[1] + (previous_top - previous_origin[1])
    return (
        ctypes.c_float(sized_bottom).value if sized_bottom < bottom else bottom,
        ctypes.c_float(sized_top).value if sized_top > top else top,
    )


def _python_turned_away(handle: int | None, text: str, astral: list[int], aligned: bool) -> frozenset[int]:
    """_turned_away of the page's words, as wordboxes.c finds their turns: a word whose first or last position maps
    to no character runs no known way."""
    turns: list[int] = []
    lengths: list[int] = []
    for match in WORD.finditer(text):
        first, last = _characters(handle, *match.span(), astral, aligned)
        turns.append(_turn_of(_CHAR_ANGLE(handle, first)) if first >= 0 and last >= 0 else UNKNOWN_TURN)
        lengths.append(len(match.group()))
    return frozenset() if turns.count(0) == len(turns) else _turned_away(turns, lengths)


def _astral(text: str, units: int) -> list[int]:
    """The str indices of the code points past U+FFFF (two UTF-16 units each), where `text` was decoded from `units`
    units and has fewer code points; else none (the usual page, which skips the search)."""
    return [match.start() for match in ASTRAL.finditer(text)] if units != len(text) else []


def _characters(handle: int | None, start: int, end: int, astral: list[int], aligned: bool) -> tuple[int, int]:
    """pdfium's characters of the first and last code points of the word text[start:end] (-1 where none), as
    _python_words maps them."""
    first, last = start, end - 1
    if astral:
        first += bisect_left(astral, first)
        last += bisect_left(astral, last)
    if not aligned:
        first, last = _TEXT_INDEX_TO_CHAR(handle, first), _TEXT_INDEX_TO_CHAR(handle, last)
    return first, last


def _characters_of(
    handle: int | None, text: str, words: Collection[int], astral: list[int], aligned: bool
) -> list[int]:
    """pdfium's characters of `words` (by index among str.split()'s), first to last: a word may be drawn by several
    text objects (a browser draws a watermark's first letter in one of its own)."""
    found = (
        _characters(handle, *match.span(), astral, aligned)
        for index, match in enumerate(WORD.finditer(text))
        if index in words
    )
    return [character for first, last in found if first >= 0 and last >= 0 for character in range(first, last + 1)]


def _set_aside(textpage: Any, characters: list[int]) -> bool:
    """Whether any text object drawing one of `characters` was found, each set inactive, so that pdfium reads the page
    again without it. Read with it, a watermark across the page threw pdfium's reading of which way the lines run:
    it broke the page's headings after every letter (each of `Account` on a line of its own), and a bill lost its
    charges. A text object runs one way, so no word running the page's way goes with it."""
    objects = {}
    for index in characters:
        found = pdfium_c.FPDFText_GetTextObject(textpage, index)
        if address := ctypes.cast(found, ctypes.c_void_p).value:
            objects[address] = found
    for found in objects.values():
        pdfium_c.FPDFPageObj_SetIsActive(found, 0)
    return bool(objects)


# wordboxes.c's other SPACED words: a third one-character word in a row, each one space apart
_SINGLES = re.compile(r"(?<!\S)\S\s\S\s\S(?!\S)")
_SPACED_FIT = 0.35  # a gap within this share of a letter spacing is that spacing (kerning moves a pair)
_SPACED_UNDER = 0.18  # of the height: a gap pdfium spaced under this may be a letter's (a word space is wider)


def _spaced_letters_joined(
    handle: int | None, text: str, words: list[Word], away: Collection[int] = frozenset()
) -> list[Word]:
    """The page's words with the letters of a letter-spaced word that pdfium spaced apart joined again. pdfium puts
    a space of its own between two characters whose gap passes its threshold: a heading set 0.15 em apart by Chrome
    reads `C U RRE N T C H AR G E S`, and no heading is found in it.

    A gap is a letter's where pdfium made the space (none was drawn) between two characters on one line, under
    _SPACED_UNDER of the height (a word space is about a quarter of an em), in a chain of such gaps whose words of
    two or more characters are all letter-spaced (_letter_spacing) alike, and it is that spacing; in a chain of
    one-character words alone, three or more, it is their gaps' mean. A word break in letter-spaced text is a space
    and two spacings wide. A joined word is boxed as the word it was (_word, taking in its spacing as
    _python_words does). Only a page read word for word (none skipped, split or on two lines; the words `away` left
    out) is looked at, so both paths read it alike."""
    if (spans := _spans_of(text, [word[0] for word in words], away)) is None:
        return words
    box = _char_boxes(handle)
    gaps = [_spaced_gap(handle, end, start, box) for (_, end), (start, _) in itertools.pairwise(spans)]
    letters: list[float | None] = [None] * len(gaps)  # the letter spacing each gap is, where it is one
    at = 0
    pairs = []  # chains of two letters alone: told by the chains beside them, once those are read
    while at < len(gaps):
        if gaps[at] is None:
            at += 1
            continue
        chain_end = at
        while chain_end < len(gaps) and gaps[chain_end] is not None:
            chain_end += 1
        _chain_letters(handle, spans, gaps, letters, at, chain_end, box)
        if chain_end == at + 1 and letters[at] is None and all(end - start == 1 for start, end in spans[at : at + 2]):
            pairs.append(at)  # two words of one letter each
        at = chain_end
    for at in pairs:
        # `D E TA I L S O F N E W`, `DETAILS O F NEW`: a word beside `O F`, letter-spaced alike, a word break apart
        gap = gaps[at]
        for beside, neighbour, before, after in ((at - 2, at - 1, at - 1, at), (at + 2, at + 2, at + 1, at + 2)):
            spacing = _spacing_beside(handle, spans, letters, beside, neighbour, box)
            if gap is None or not spacing > 0.0 or not _fits(gap, spacing):
                continue
            if _char_gap(box, spans[before][1] - 1, spans[after][0]) >= WORD_BREAK_SPACINGS * spacing:
                letters[at] = spacing
                break
    if all(letter is None for letter in letters):
        return words
    joined: list[Word] = []
    first = 0
    for last in range(len(words)):
        if last < len(letters) and letters[last] is not None:
            continue
        spacings = [letter for letter in letters[first:last] if letter is not None]
        word = _spaced_word(handle, text, spans[first][0], spans[last][1], box, min(spacings)) if spacings else None
        joined.extend([word] if word is not None else words[first : last + 1])
        first = last + 1
    return joined


def _spaced_gap(handle: int | None, end: int, start: int, box: Callable[[int], CharBox | None]) -> float | None:
    """The gap between the word ending at `end` and the next, starting at `start`, where it may be a letter's: one
    space between them, which pdfium made, on one line, under _SPACED_UNDER of the height."""
    if start != end + 1:
        return None
    before, after = box(end - 1), box(start)
    if before is None or after is None or before[1] >= after[3] or after[1] >= before[3]:
        return None
    height, gap = before[3] - before[1], after[0] - before[2]
    if not (height > 1.0 and 0.0 < gap < _SPACED_UNDER * height):
        return None
    return gap if _IS_GENERATED(handle, end) == 1 else None


def _chain_letters(
    handle: int | None,
    spans: list[tuple[int, int]],
    gaps: list[float | None],
    letters: list[float | None],
    first: int,
    end: int,
    box: Callable[[int], CharBox | None],
) -> None:
    """Set letters[first:end] for the chain of words `first` to `end` (gaps[first:end] all small and pdfium's). A
    word of two characters among two or more of one is a pair kerned closer than pdfium's space, set without spacing
    or with less (`D E TA I L S`: T and A 0.86 points apart, the rest 1.52; `FA C T O R`: 0.67, the rest 0.97): the
    heading was left spaced apart, and the bill lost the charges or the factor under it. Its one gap is kerning's,
    so it tells the chain's spacing no better than the gaps beside it. So is a longer word's whose every pair was
    kerned closer than letter spacing shows (`PAY M E N T`: P, A and Y 0.65 and 0.56 apart, the rest 1.33)."""
    spacings = []
    kerned = []  # the gaps of words set closer than the rest, each apart (`TA`, `PAY`)
    singles = sum(1 for start, stop in spans[first : end + 1] if stop - start == 1)
    for word in range(first, end + 1):
        start, stop = spans[word]
        if stop - start < 2:
            continue
        spacing = _median_spacing(handle, start, stop, box)
        pairs = [_char_gap(box, at, at + 1) for at in range(start, stop - 1)]
        if singles >= 2 and all(pair > 0.0 for pair in pairs) and (stop - start == 2 or not spacing > 0.0):
            kerned += pairs  # kerning may have moved each of its pairs
            continue
        if not spacing > 0.0:
            return  # a word set without spacing among them: words, not letters
        spacings.append(spacing)
    if spacings:
        spacing = min(spacings)
        if not all(_fits(other, spacing) for other in spacings):
            return
    elif end - first >= 2:
        small = [gap for gap in gaps[first:end] if gap is not None]
        spacing = sum(small) / len(small)
    else:
        return  # two letters alone: told by the words beside them (_spaced_letters_joined)
    if any(pair < KERNED * spacing for pair in kerned):
        return  # a pair set much closer than the letters about it: a word
    for at in range(first, end):
        gap = gaps[at]
        if gap is not None and _fits(gap, spacing):
            letters[at] = spacing


WORD_BREAK_SPACINGS = 2.5  # a word break in letter-spaced text is a space and two spacings: past this many spacings
KERNED = 0.05  # of a chain's letter spacing: the least a pair of its letters kerned closer keeps (`LT` 0.12 of 1.46)


def _char_gap(box: Callable[[int], CharBox | None], before: int, after: int) -> float:
    """The gap from character `before`'s box to character `after`'s; 0 where either has no box."""
    one, other = box(before), box(after)
    return other[0] - one[2] if one is not None and other is not None else 0.0


def _spacing_beside(
    handle: int | None,
    spans: list[tuple[int, int]],
    letters: list[float | None],
    gap: int,
    word: int,
    box: Callable[[int], CharBox | None],
) -> float:
    """The letter spacing beside two letters alone: of the chain whose gap `gap` is, or else of word `word` where it
    is of three characters or more and letter-spaced; 0 where neither tells (two letters alone are too few)."""
    if 0 <= gap < len(letters) and (spacing := letters[gap]) is not None:
        return spacing
    if 0 <= word < len(spans) and spans[word][1] - spans[word][0] >= 3:
        return _median_spacing(handle, *spans[word], box)
    return 0.0


def _median_spacing(handle: int | None, start: int, stop: int, box: Callable[[int], CharBox | None]) -> float:
    """The median gap between the characters text[start:stop] of a level word, where it passes _TRACKED of the
    height (letter-spaced); else 0. The median, not the first two and last two as _letter_spacing: kerning takes in
    a word's last pair (`RY` 0.06 em), and the words looked at here are few."""
    boxes = [found for found in map(box, range(start, stop)) if found is not None]
    if len(boxes) != stop - start:
        return 0.0
    first = boxes[0]
    height = first[3] - first[1]
    if not height > 1.0 or any(other[1] >= first[3] or first[1] >= other[3] for other in boxes):
        return 0.0
    gaps = sorted(after[0] - before[2] for before, after in itertools.pairwise(boxes))
    spacing = gaps[len(gaps) // 2]
    if not spacing > _TRACKED * height:
        return 0.0
    return spacing if _level(handle, start) else 0.0


def _fits(gap: float, spacing: float) -> bool:
    return abs(gap - spacing) <= _SPACED_FIT * spacing


def _spaced_word(
    handle: int | None, text: str, start: int, end: int, box: Callable[[int], CharBox | None], spacing: float
) -> Word | None:
    """The word text[start:end] without pdfium's spaces, boxed by its first and last characters and taking in its
    spacing as a letter-spaced word does; None where a character has no box."""
    first_box, last_box = box(start), box(end - 1)
    if first_box is None or last_box is None:
        return None
    word = _word("".join(text[start:end].split()), first_box, last_box)
    left, right = word[1], word[3] + spacing
    if _after_a_drawn_space(handle, text, start):
        left -= spacing
    return (word[0], left, word[2], right, word[4])


# wordboxes.c's: a character starting this far (of the smaller height) inside the one before was drawn over it, where
# the first character is turned less than _LEVEL_ENOUGH radians
_DRAWN_OVER_BY, _LEVEL_ENOUGH = 0.2, 0.1
# wordboxes.c's: a character this many times taller or shorter than the one before starting inside it by more than
# _SIZED_OVER_BY (of the smaller height) was drawn over it: no kerning sets one size into another
_SIZE_JUMP, _SIZED_OVER_BY = 1.6, 0.05
_TRACKED = 0.1  # wordboxes.c's: characters set further apart than this of the height were letter-spaced


def _level(handle: int | None, index: int) -> bool:
    """A character level, or off it by less than _LEVEL_ENOUGH radians either way (a scan's text layer); pdfium has
    an angle for it."""
    angle = _CHAR_ANGLE(handle, index)
    return angle >= 0.0 and (angle < _LEVEL_ENOUGH or angle > 2 * math.pi - _LEVEL_ENOUGH)


def _after_a_drawn_space(handle: int | None, text: str, index: int) -> bool:
    """Whether the character before text index `index` is a space drawn in its string, not one pdfium put between two
    strings: a letter-spaced word's box takes in that space's spacing too."""
    return index > 0 and text[index - 1].isspace() and _IS_GENERATED(handle, index - 1) == 0


def _letter_spacing(
    handle: int | None, first: int, last: int, first_box: tuple[float, ...], last_box: tuple[float, ...]
) -> float:
    """wordboxes.c's letter_spacing, comparison for comparison (boxes are left, bottom, right, top): how far apart a
    level word's characters were set, by its first two and its last two; 0 where they abut. A word's box takes in the
    spacing after its last glyph, as its advance does, and after a space drawn in its string the space's, so that a
    letter-spaced phrase stays one cell."""
    height = first_box[3] - first_box[1]
    if first_box[1] >= last_box[3] or last_box[1] >= first_box[3] or not last_box[0] > first_box[0]:
        return 0.0
    if not height > 1.0:
        return 0.0
    least = _TRACKED * height
    rect = pdfium_c.FS_RECTF()
    second = last_box
    if first + 1 != last:
        if not _CHAR_BOX(handle, first + 1, ctypes.addressof(rect)):
            return 0.0
        second = (rect.left, rect.bottom, rect.right, rect.top)
    spacing = second[0] - first_box[2]
    if not spacing > least:
        return 0.0
    if last - 1 != first:
        before_last = second
        if last - 1 != first + 1:
            if not _CHAR_BOX(handle, last - 1, ctypes.addressof(rect)):
                return 0.0
            before_last = (rect.left, rect.bottom, rect.right, rect.top)
        end = last_box[0] - before_last[2]
        if not end > least:
            return 0.0
        if end < spacing:
            spacing = end
    return spacing if _level(handle, first) else 0.0


_LINE_BAND = 6.0  # points: where strings meet is kept by the band of its line's middle; a word looks in 3 bands


def _strings_meeting(handle: int | None) -> dict[int, list[float]]:
    """Where on the page a drawn string starts inside, or against the end of, the one drawn before it on its line:
    the x of each such place, sorted, by the band of the line's middle. pdfium's text rects break where its text
    object (one string drawn) changes, so this costs a ctypes call a string, not one a character. Strings drawn
    over one another meet at such a place; only words holding one are looked at character by character
    (_drawn_over_parts), which keeps the Python loop's cost near what it was before it looked at all. A string
    whose characters overlap one another is not found here (wordboxes.c finds it and hands the page to this loop,
    which keeps the word whole).

    The rects are tight glyph boxes, inside the loose ones _drawn_over_parts measures by up to their side
    bearings: a string starting within half its ink's height of the end of the one before counts."""
    corners = (ctypes.c_double * 4)()  # left, top, right, bottom, as FPDFText_GetRect gives them
    address = ctypes.addressof(corners)
    left_at, top_at, right_at, bottom_at = address, address + 8, address + 16, address + 24
    meetings: dict[int, list[float]] = {}
    previous: tuple[float, float, float, float] | None = None
    for index in range(_COUNT_RECTS(handle, 0, -1)):
        if not _GET_RECT(handle, index, left_at, top_at, right_at, bottom_at):
            previous = None
            continue
        left, top, right, bottom = corners
        if previous is not None:
            before_left, before_top, before_right, before_bottom = previous
            height = max(top - bottom, before_top - before_bottom)
            middle = (top + bottom) / 2
            if (
                before_left < left < before_right + 0.5 * height
                and bottom < before_top
                and before_bottom < top
                and math.isfinite(middle)
            ):
                meetings.setdefault(int(middle // _LINE_BAND), []).append(left)
        previous = (left, top, right, bottom)
    for places in meetings.values():
        places.sort()
    return meetings


def _holds_a_meeting(
    meetings: dict[int, list[float]], first_box: tuple[float, ...], last_box: tuple[float, ...]
) -> bool:
    """Whether strings meet (_strings_meeting) inside a word, between its first character's left and its last's right,
    on its line."""
    left, right, middle = first_box[0], last_box[2], (first_box[1] + first_box[3]) / 2
    if not (left < right and math.isfinite(middle)):
        return False
    band = int(middle // _LINE_BAND)
    for nearby in (band - 1, band, band + 1):
        if places := meetings.get(nearby):
            at = bisect_right(places, left)
            if at < len(places) and places[at] < right:
                return True
    return False


def _other_size(height: float, other: float) -> bool:
    """wordboxes.c's other_size: two characters' heights tell type of another size, _SIZE_JUMP apart."""
    return height > 1.0 and other > 1.0 and (height > _SIZE_JUMP * other or other > _SIZE_JUMP * height)


def _drawn_over_parts(
    handle: int | None, word: str, first: int, first_box: tuple[float, ...], last_box: tuple[float, ...]
) -> list[Word] | None:
    """The strings of a word whose characters were drawn over one another, found as wordboxes.c's drawn_over finds
    them (comparison for comparison: a level word, or one less than _LEVEL_ENOUGH off level, whose character starts
    inside the one before by more than _DRAWN_OVER_BY of the smaller height, or by more than _SIZED_OVER_BY where
    its type is of another size): a string drawn over another with no space between, which pdfium gives as one
    word. Each part is boxed as a word is, by its first and last characters. None where there is none, or where a
    mark set over the letter before it (an accent drawn on its own) is all there is: it is not a part of its own. A
    ctypes call a character, so it is asked only of words where strings meet (_strings_meeting)."""
    if first_box[1] >= last_box[3] or last_box[1] >= first_box[3] or not last_box[0] > first_box[0]:
        return None
    rect = pdfium_c.FS_RECTF()
    boxes: list[tuple[float, ...] | None] = [first_box]
    previous = first_box
    overlaps: list[int] = []  # where a character starts inside the one before
    for offset in range(1, len(word)):
        if offset == len(word) - 1:
            box = last_box
        elif _CHAR_BOX(handle, first + offset, ctypes.addressof(rect)):
            box = (rect.left, rect.bottom, rect.right, rect.top)
        else:
            boxes.append(None)
            continue
        boxes.append(box)
        height, previous_height = box[3] - box[1], previous[3] - previous[1]
        scale = height if height < previous_height else previous_height
        if scale <= 1.0:
            scale = height if height > previous_height else previous_height
        if not scale > 1.0:
            scale = 1.0
        gap = box[0] - previous[2]
        if gap < -_DRAWN_OVER_BY * scale or (gap < -_SIZED_OVER_BY * scale and _other_size(height, previous_height)):
            overlaps.append(offset)
        previous = box
    if not overlaps:
        return None
    if not _level(handle, first):
        return None
    if not (cuts := [offset for offset in overlaps if not _mark(word[offset])]):
        return None
    parts: list[Word] = []
    for start, end in itertools.pairwise([0, *cuts, len(word)]):
        start_box, end_box = boxes[start], boxes[end - 1]
        if start_box is not None and end_box is not None:  # else dropped, as a word with no box is
            parts.append(_word(word[start:end], start_box, end_box))
    return parts


# a character whose origin lies further than this (of its type's size) across the baseline its string is drawn on is
# misplaced: of 450,000 characters in five bill families, the letters of the ligatures below stood 94 to 145 sizes
# off, no other character half a size
_OFF_ITS_LINE = 2.0
_LIGATURE_LETTER = 0.33  # of the type's size: a misplaced letter's width (a ligature's f, i, l are a third of an em)


def _misplaced(handle: int | None, index: int) -> float | None:
    """The size of a character's type where pdfium puts it far off the line its own string is drawn on: its origin
    lies more than _OFF_ITS_LINE of that size across the baseline its text object's matrix draws it on; else None.
    Chromium draws a ligature (`fi`, `ff`) in text under CSS opacity so that pdfium boxes its letters far from
    their string, most often near the foot of the page, and makes a word of them across the page (`Tari|ff`)."""
    matrix = pdfium_c.FS_MATRIX()
    if not _CHAR_MATRIX(handle, index, ctypes.addressof(matrix)) or (origin := _origin(handle, index)) is None:
        return None
    along = math.hypot(matrix.a, matrix.b)
    size = max(_FONT_SIZE(handle, index) * math.hypot(matrix.c, matrix.d), 1.0)
    if not (along > 0.0 and math.isfinite(size)):
        return None
    across = ((origin[0] - matrix.e) * -matrix.b + (origin[1] - matrix.f) * matrix.a) / along
    return size if abs(across) > _OFF_ITS_LINE * size else None


def _placed_only(handle: int | None, word: str, first: int) -> list[Word] | None:
    """A word some of whose characters pdfium misplaces (_misplaced), boxed by those it places: [] where it places
    none (the word is left out, as one with no box is), None where it misplaces none. On a level line, the box
    takes in the letters misplaced at either end, each _LIGATURE_LETTER of its type's size wide."""
    rect = pdfium_c.FS_RECTF()
    placed: list[tuple[int, tuple[float, ...]]] = []
    sizes: list[float | None] = []
    for offset in range(len(word)):
        sizes.append(_misplaced(handle, first + offset))
        if sizes[-1] is None and _CHAR_BOX(handle, first + offset, ctypes.addressof(rect)):
            placed.append((offset, (rect.left, rect.bottom, rect.right, rect.top)))
    if sizes.count(None) == len(word):
        return None
    if not placed:
        return []
    (start, start_box), (end, end_box) = placed[0], placed[-1]
    text, left, bottom, right, top = _word(word, start_box, end_box)
    if _level(handle, first + start):
        left -= _LIGATURE_LETTER * sum(size or 0.0 for size in sizes[:start])
        right += _LIGATURE_LETTER * sum(size or 0.0 for size in sizes[end + 1 :])
    return [(text, left, bottom, right, top)]


def _word(text: str, first_box: tuple[float, ...], last_box: tuple[float, ...]) -> Word:
    """A word boxed by its first and last characters, as _python_words's loop (and wordboxes.c) boxes one: written
    out there, where it runs for every word."""
    left = last_box[0] if last_box[0] < first_box[0] else first_box[0]
    right = first_box[2] if first_box[2] > last_box[2] else last_box[2]
    if not right >= left:
        right = left
    bottom = last_box[1] if last_box[1] < first_box[1] else first_box[1]
    top = last_box[3] if last_box[3] > first_box[3] else first_box[3]
    return (text, left, bottom, right, top)


def _mark(character: str) -> bool:
    """An accent or other mark, which is set over the letter before it."""
    return unicodedata.category(character) in ("Mn", "Mc", "Me", "Sk", "Lm")


_MOST_LINES_RUN_TOGETHER = 4  # a word pdfium runs over more lines than this stays joined


def _split_across_lines(handle: int | None, word: str, first: int) -> list[Word] | None:
    """The parts of a word pdfium ran over two or more lines, one for each run of its characters on one line
    (their origins, on the line's baseline, within half a character's height across it), each boxed as a
    word is (its first and last characters' boxes); None where they cannot be told apart: a character
    without a box, an origin or an angle, characters of one line on both sides of another line's, which no
    split into words puts back in order, or more than _MOST_LINES_RUN_TOGETHER lines."""
    angle = _CHAR_ANGLE(handle, first)
    if not angle >= 0.0:
        return None
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    rect = pdfium_c.FS_RECTF()
    boxes: list[tuple[float, float, float, float]] = []
    places: list[tuple[float, float]] = []  # each character's, as _across gives them
    for index in range(first, first + len(word)):
        if not _CHAR_BOX(handle, index, ctypes.addressof(rect)):
            return None
        boxes.append((rect.left, rect.bottom, rect.right, rect.top))
        if (place := _across(handle, index, *_span_across(boxes[-1], cos_a, sin_a), cos_a, sin_a)) is None:
            return None
        places.append(place)
    if not all(math.isfinite(value) for value in itertools.chain(*boxes, *places)):
        return None
    runs: list[tuple[int, int]] = []  # [start, end) of each run of characters on one line
    start = 0
    for index in range(1, len(places) + 1):
        if index == len(places) or _apart(places[start], places[index]):
            runs.append((start, index))
            start = index
    if not 2 <= len(runs) <= _MOST_LINES_RUN_TOGETHER:
        return None  # one line after all, or lines that alternate (hostile, and quadratic to check below)
    if not all(_apart(places[one], places[other]) for (one, _), (other, _) in itertools.combinations(runs, 2)):
        return None  # one line's characters on both sides of another's
    return [_word(word[start:end], boxes[start], boxes[end - 1]) for start, end in runs]


def read_columns(
    data: bytes, *, max_pages: int, max_chars_per_page: int
) -> tuple[list[Columns], int, list[int], list[int], list[list[str]]]:
    """The words of the first `max_pages` pages as columns, the document's page count, the pages (1-based) whose
    text runs past `max_chars_per_page`, read up to there, the pages pdfium cannot load (no words): the others
    still hold a bill's values, for a person to finish, and per page the words left out for running another way
    than its lines (a watermark, a form's number up the margin). Raises PdfReadError where no page can be read.

    Columns are what the worker sends, without a tuple for each of C's words; read_words makes the tuples.
    """
    read, page_count = _each_page(
        data,
        max_pages,
        lambda page, _: _text_columns(page, max_chars_per_page),
        unloadable=lambda _: None,
        annotations_drawn=True,
    )
    unreadable = [number for number, found in enumerate(read, start=1) if found is None]
    if read and len(unreadable) == len(read):
        raise PdfReadError("corrupt_pdf", "page 1 cannot be read" if len(read) == 1 else "no page can be read")
    cut = [number for number, found in enumerate(read, start=1) if found is not None and found[1]]
    columns = [found[0] if found is not None else ([], array("f"), []) for found in read]
    return columns, page_count, cut, unreadable, [found[2] if found is not None else [] for found in read]


def _text_columns(page: Any, max_chars_per_page: int) -> tuple[Columns, bool, list[str]] | None:
    """The page's words, whether its text runs past `max_chars_per_page`, and the words left out for running another
    way than its lines; None where pdfium cannot load its text. A page with such words is read a second time
    without them (_set_aside)."""
    left_out: list[str] = []
    for first_reading in (True, False):
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            return None
        try:
            count = pdfium_c.FPDFText_CountChars(textpage)
            set_aside = functools.partial(_set_aside, textpage) if first_reading else None
            columns, found = _page(textpage, min(count, max_chars_per_page), set_aside)
            left_out += found[: MOST_SET_ASIDE - len(left_out)]
            if columns is not None:
                return columns, count > max_chars_per_page, left_out
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
    raise AssertionError("_page reads a page whole where nothing can be set aside")


def _each_page(
    data: bytes,
    max_pages: int,
    read: Callable[[Any, int], T],
    only: Collection[int] | None = None,
    unloadable: Callable[[int], T] | None = None,
    annotations_drawn: bool = False,
) -> tuple[list[T], int]:
    """`read(page, index)` of each of the first `max_pages` pages (of those numbered in `only`, if given), and the
    document's page count. A page pdfium cannot load (a page tree naming an object the file lacks) gives
    `unloadable(index)`; without it, PdfReadError. With `annotations_drawn`, a page is read with its annotations
    drawn into it (_annotations_drawn)."""
    document = _open(data)
    form = None
    try:
        page_count = pdfium_c.FPDF_GetPageCount(document)
        form = _FormFields.of(document) if annotations_drawn else None
        found: list[T] = []
        for index in range(min(page_count, max_pages)):
            if only is not None and index + 1 not in only:
                continue
            page = pdfium_c.FPDF_LoadPage(document, index)
            if page and annotations_drawn:
                page = _annotations_drawn(document, page, index, form)
            if not page:
                if unloadable is None:
                    raise PdfReadError("corrupt_pdf", f"page {index + 1} cannot be read")
                found.append(unloadable(index))
                continue
            try:
                found.append(read(page, index))
            finally:
                pdfium_c.FPDF_ClosePage(page)
        return found, page_count
    finally:
        if form is not None:
            form.close()
        pdfium_c.FPDF_CloseDocument(document)


# Annotations that draw nothing on the page: a link's box, a note's pop-up window.
_NOT_DRAWN = frozenset({pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_POPUP})


class _FormFields:
    """pdfium's form-fill environment of a document with form fields, which draws a field as a viewer shows it where
    its file leaves that to the viewer: a field with no appearance of its own, or a form marked `/NeedAppearances`
    (a tool that filled in the values without drawing them; the appearance the file holds may show the value
    before). Without it, flattening draws a field's stored appearance or nothing."""

    def __init__(self, document: Any) -> None:
        self._info = pdfium_c.FPDF_FORMFILLINFO(version=2)  # pdfium keeps a pointer to it until close
        self.handle = pdfium_c.FPDFDOC_InitFormFillEnvironment(document, self._info)

    @classmethod
    def of(cls, document: Any) -> _FormFields | None:
        """The document's environment, or None where it has no form (the usual bill: one call)."""
        if pdfium_c.FPDF_GetFormType(document) == pdfium_c.FORMTYPE_NONE:
            return None
        form = cls(document)
        return form if form.handle else None

    def drawn(self, page: Any) -> None:
        """Give the page's fields their appearances as a viewer would (pdfium does so as it takes the page on)."""
        pdfium_c.FORM_OnAfterLoadPage(page, self.handle)
        pdfium_c.FORM_OnBeforeClosePage(page, self.handle)

    def close(self) -> None:
        pdfium_c.FPDFDOC_ExitFormFillEnvironment(self.handle)


def _annotations_drawn(document: Any, page: Any, index: int, form: _FormFields | None = None) -> Any:
    """The page (loaded again) with its annotations' appearances drawn into its content: pdfium's text holds only
    the content, and a filled form's values, or text typed onto a PDF, are annotations. Its text layer then holds
    what the page shows; a form's fields drawn by `form` first, as a viewer draws them. A page with no annotation
    that draws (links, pop-ups, ones shown nowhere) is left as it was loaded: neither flattened nor loaded again."""
    count = pdfium_c.FPDFPage_GetAnnotCount(page)
    kinds = [_annotation_kind(page, number) for number in range(count)]
    if all(subtype in _NOT_DRAWN or _shown_nowhere(flags) for subtype, flags in kinds):
        return page
    for number in reversed(range(count)):
        if _shown_nowhere(kinds[number][1]):
            pdfium_c.FPDFPage_RemoveAnnot(page, number)
    if form is not None:
        form.drawn(page)
    if pdfium_c.FPDFPage_Flatten(page, pdfium_c.FLAT_NORMALDISPLAY) != pdfium_c.FLATTEN_SUCCESS:
        return page
    pdfium_c.FPDF_ClosePage(page)  # pdfium's text of a flattened page is its content before: load it again
    return pdfium_c.FPDF_LoadPage(document, index)


def _annotation_kind(page: Any, number: int) -> tuple[int, int]:
    """An annotation's subtype and flags (one pdfium cannot give counts as a link: nothing to draw)."""
    annotation = pdfium_c.FPDFPage_GetAnnot(page, number)
    if not annotation:
        return pdfium_c.FPDF_ANNOT_LINK, 0
    try:
        return int(pdfium_c.FPDFAnnot_GetSubtype(annotation)), int(pdfium_c.FPDFAnnot_GetFlags(annotation))
    finally:
        pdfium_c.FPDFPage_CloseAnnot(annotation)


def _shown_nowhere(flags: int) -> bool:
    """Neither on screen nor printed (`NoView` without `Print`): a form's helper field. pdfium's flattening for the
    screen leaves out hidden annotations, not these."""
    return bool(flags & pdfium_c.FPDF_ANNOT_FLAG_NOVIEW) and not flags & pdfium_c.FPDF_ANNOT_FLAG_PRINT


def _open(data: bytes) -> Any:
    document = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not document:
        error = pdfium_c.FPDF_GetLastError()
        if error in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise PdfReadError("encrypted_pdf", "the PDF is password protected")
        raise PdfReadError("corrupt_pdf", f"pdfium cannot open the PDF (error {error})")
    return document


def render_pages(data: bytes, *, pages: Collection[int], dpi: float, max_pixels: int) -> tuple[list[PageImage], int]:
    """Pages `pages` (1-based; those the document has, in page order) in gray at `dpi`, a page larger than
    `max_pixels` at the resolution that fits it (a poster-sized page must not cost gigabytes), and the document's
    page count."""
    return _each_page(data, max(pages, default=0), lambda page, _: _render(page, dpi, max_pixels), only=set(pages))


def _render(page: Any, dpi: float, max_pixels: int) -> PageImage:
    width_pt, height_pt = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)  # as shown
    if not (width_pt > 0 and height_pt > 0 and math.isfinite(width_pt * height_pt)):
        raise PdfReadError("corrupt_pdf", "a page has no size")
    scale = min(dpi / 72, math.sqrt(max_pixels / (width_pt * height_pt)))
    width, height = max(1, int(width_pt * scale)), max(1, int(height_pt * scale))
    bitmap = pdfium_c.FPDFBitmap_CreateEx(width, height, pdfium_c.FPDFBitmap_Gray, None, 0)
    if not bitmap:
        raise MemoryError
    try:
        pdfium_c.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xFFFFFFFF)
        pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, pdfium_c.FPDF_ANNOT)
        stride = pdfium_c.FPDFBitmap_GetStride(bitmap)
        pixels = ctypes.string_at(pdfium_c.FPDFBitmap_GetBuffer(bitmap), stride * height)
    finally:
        pdfium_c.FPDFBitmap_Destroy(bitmap)
    if stride != width:
        pixels = b"".join(pixels[row : row + width] for row in range(0, stride * height, stride))
    return width_pt, height_pt, width, height, pdfium_c.FPDFPage_GetRotation(page) % 4, pixels


def _words(columns: Columns) -> list[Word]:
    texts, boxes, _ = columns
    values = iter(boxes.tolist())
    return list(zip(texts, values, values, values, values, strict=False))


def _columns(words: list[Word], joined: list[int]) -> Columns:
    return [word[0] for word in words], array("f", [value for word in words for value in word[1:]]), joined


def read_words(
    data: bytes, *, max_pages: int, max_chars_per_page: int
) -> tuple[list[list[Word]], int, list[list[int]], list[int], list[int], list[list[str]]]:
    """The words of the first `max_pages` pages, the document's page count, per page the indices of the words whose
    first and last characters stand on two lines (pdfium ran two lines' words together), the pages whose text
    runs past `max_chars_per_page`, the pages pdfium cannot load, and per page the words left out for running
    another way than its lines."""
    pages, page_count, cut, unreadable, set_aside = read_columns(
        data, max_pages=max_pages, max_chars_per_page=max_chars_per_page
    )
    return [_words(page) for page in pages], page_count, [joined for _, _, joined in pages], cut, unreadable, set_aside


def encode_columns(
    pages: list[Columns], page_count: int, cut: list[int], unreadable: list[int], set_aside: list[list[str]]
) -> tuple[bytes, bytes]:
    """The reply's two frames: the words as JSON, their boxes as float32 (guard.decode_pages reads them)."""
    header = {
        "page_count": page_count,
        "words_per_page": [len(texts) for texts, _, _ in pages],
        "words": "\n".join([word for texts, _, _ in pages for word in texts]),
        "joined_per_page": [joined for _, _, joined in pages],
        "cut_pages": cut,
        "unreadable_pages": unreadable,
        "set_aside_per_page": set_aside,
    }
    return json.dumps(header, separators=(",", ":")).encode(), b"".join([boxes.tobytes() for _, boxes, _ in pages])


def _encode_images(images: list[PageImage], page_count: int) -> tuple[bytes, bytes]:
    header = {"page_count": page_count, "images": [list(image[:5]) for image in images]}
    return json.dumps(header).encode(), b"".join([image[5] for image in images])


# --- worker process ----------------------------------------------------------------------------------


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = _read_exact(stream, 4)
    if head is None:
        return None
    return _read_exact(stream, struct.unpack(">I", head)[0])


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)) + payload)
    stream.flush()


def _limit_resources(memory_bytes: int) -> None:
    import resource

    for limit, value in (
        (resource.RLIMIT_AS, memory_bytes),  # pdfium's allocations fail, and it aborts, past this
        (resource.RLIMIT_CORE, 0),  # no core dumps of hostile input
        (resource.RLIMIT_FSIZE, 0),  # the worker never writes files
    ):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass  # a lower hard limit is already in force


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer requests until stdin closes; each reply is one frame (importing pypdfium2 initialized pdfium)."""
    while True:
        header = _read_frame(stdin)
        data = _read_frame(stdin) if header is not None else None
        if header is None or data is None:
            return
        options = json.loads(header)
        error: dict[str, str] | None = None
        try:
            if (render := options.get("render")) is not None:
                images, page_count = render_pages(
                    data,
                    pages=[int(page) for page in render["pages"]],
                    dpi=float(render["dpi"]),
                    max_pixels=int(render["max_pixels"]),
                )
                described, payload = _encode_images(images, page_count)
            else:
                described, payload = encode_columns(
                    *read_columns(
                        data, max_pages=int(options["max_pages"]), max_chars_per_page=int(options["max_chars_per_page"])
                    )
                )
        except PdfReadError as exc:
            error = {"code": exc.code, "message": exc.message}
        except MemoryError:
            error = {"code": "pdf_resource_limit", "message": "the PDF exhausted the reader's memory limit"}
        if error is not None:
            write_frame(stdout, json.dumps({"error": error}).encode())
        else:
            stdout.write(struct.pack(">I", len(described)) + described + struct.pack(">I", len(payload)) + payload)
            stdout.flush()


if __name__ == "__main__":
    _limit_resources(int(sys.argv[1]))
    serve(sys.stdin.buffer, sys.stdout.buffer)
