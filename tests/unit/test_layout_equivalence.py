"""The optimised layout rebuild gives exactly the documents, boxes and rounding of the rebuild before it.

`page_lines` and `union` were rewritten for speed only: below is a copy of them (and of `Line.span_bbox`) as
they were before optimisation, and every output is compared with it, down to the repr of each float (so
-0.0, NaN and int-vs-float differences count), on the generated corpus, on crafted edge cases and on
random pages.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable

import pytest

from common.connectors.billgen import corpus
from common.extraction.bills.layout import (
    BASELINE_RISE,
    CELL_GAP,
    OFF_BASELINE,
    OVERPRINT,
    SAME_BASELINE,
    SAME_LINE,
    SIZE_JUMP,
    SIZE_STEP,
    SIZED_GAP,
    TOUCHING,
    BBox,
    Document,
    Line,
    Segment,
    Word,
    _drawn_strings,
    build_document,
    joined,
    oriented,
    page_lines,
    repeated_words,
    union,
    without_laid_over,
)
from common.extraction.bills.pdf_worker import read_words

# --- the rebuild as it was before optimisation --------------------------------------------------------


def reference_union(boxes: list[BBox]) -> BBox:
    left, bottom, right, top = boxes[0]
    for b in boxes[1:]:
        if b[0] < left:
            left = b[0]
        if b[1] < bottom:
            bottom = b[1]
        if b[2] > right:
            right = b[2]
        if b[3] > top:
            top = b[3]
    return (round(left, 2), round(bottom, 2), round(right, 2), round(top, 2))


def reference_span_bbox(line: Line, start: int, end: int) -> BBox | None:
    boxes = [box for s, e, box in line.words if s < end and e > start]
    return reference_union(boxes) if boxes else None


def reference_page_lines(
    words: list[Word], page: int, repeated: Callable[[], frozenset[Word]] = frozenset
) -> list[Line]:
    rows: list[list[Word]] = []
    row_center = last_center = 0.0
    for word in sorted(words, key=lambda w: -(w[2] + w[4])):
        center = (word[2] + word[4]) / 2
        height = word[4] - word[2]
        scale = height if height > 1.0 else 1.0
        if rows and (abs(row_center - center) <= SAME_LINE * scale or last_center - center <= SAME_BASELINE * scale):
            rows[-1].append(word)
            last_center = center
        else:
            rows.append([word])
            row_center = last_center = center
    lines: list[Line] = []
    order = {id(word): index for index, word in enumerate(words)}
    for row in rows:
        row.sort(key=lambda w: w[1])
        line, overprinted = reference_row_line(row, page)
        if overprinted:  # regrouped by the strings drawn: layout._drawn_strings, tested on its own below
            strings = _drawn_strings(row, order, repeated())
            line = joined([reference_row_line(string, page)[0] for string in strings])
        lines.append(line)
    return lines


def reference_row_line(row: list[Word], page: int) -> tuple[Line, bool]:
    overprinted = False
    parts: list[str] = []
    spans: list[tuple[int, int, BBox]] = []
    segments: list[Segment] = []
    offset = 0
    cell_start = 0
    cell_left = row[0][1]
    cell_bottom, cell_right, cell_top, cell_height = row[0][2], row[0][3], row[0][4], 0.0
    previous_right, previous_height, previous_baseline = -1e9, 0.0, 0.0
    for text, left, bottom, right, top in row:
        height = top - bottom
        baseline = bottom + BASELINE_RISE * height
        if spans:
            scale = height if height < previous_height else previous_height
            if scale <= 1.0:
                scale = height if height > previous_height else previous_height
            if left - previous_right < -OVERPRINT * (scale if scale > 1.0 else 1.0):
                overprinted = True
            smaller, larger = min(height, previous_height), max(height, previous_height)
            touching = left - previous_right < TOUCHING * (scale if scale > 1.0 else 1.0)
            resized = touching and smaller > 1.0 and larger > SIZE_JUMP * smaller
            apart = left - previous_right > SIZED_GAP * (scale if scale > 1.0 else 1.0)
            apart = apart and smaller > 1.0 and larger > SIZE_STEP * smaller
            off_line = abs(baseline - previous_baseline) > OFF_BASELINE * (scale if scale > 1.0 else 1.0)
            apart = apart or (off_line and smaller > 1.0)
            if left - previous_right > CELL_GAP * (scale if scale > 1.0 else 1.0) or resized or apart:
                segments.append(
                    Segment(
                        "".join(parts)[cell_start:offset],
                        (cell_left, cell_bottom, cell_right, cell_top),
                        cell_height,
                        cell_start,
                    )
                )
                parts.append("\t")
                offset += 1
                cell_start, cell_left = offset, left
                cell_bottom, cell_right, cell_top, cell_height = bottom, right, top, 0.0
            else:
                parts.append(" ")
                offset += 1
        spans.append((offset, offset + len(text), (left, bottom, right, top)))
        parts.append(text)
        offset += len(text)
        if bottom < cell_bottom:
            cell_bottom = bottom
        if top > cell_top:
            cell_top = top
        if right > cell_right:
            cell_right = right
        if height > cell_height:
            cell_height = height
        previous_right, previous_height, previous_baseline = right, height, baseline
    line_text = "".join(parts)
    segments.append(
        Segment(line_text[cell_start:], (cell_left, cell_bottom, cell_right, cell_top), cell_height, cell_start)
    )
    return Line(page=page, text=line_text, segments=segments, words=spans), overprinted


def reference_build_document(pages: list[list[Word]], page_count: int) -> Document:
    """The reference lines of pages oriented as build_document orients them (how a page is oriented is
    test_bill_orientation's to test: a shuffled random page can read right to left), without the words laid over
    their lines as build_document leaves them out (test_bill_cascade's to test: a random page's tall words)."""
    document = Document(lines=[], page_count=page_count)
    pages_kept = []
    for page, (upright, turn, angle) in enumerate(oriented(pages), start=1):
        document.turns.update({page: turn} if turn is not None else {})
        document.skews.update({page: angle} if angle else {})
        kept, laid_over = without_laid_over(upright)
        document.set_aside.update({page: laid_over} if laid_over else {})
        pages_kept.append(kept)
    repeated = repeated_words(pages_kept)
    for page, kept in enumerate(pages_kept, start=1):
        document.lines.extend(reference_page_lines(kept, page, repeated))
    return document


# --- helpers ------------------------------------------------------------------------------------------


def assert_same_document(pages: list[list[Word]], page_count: int = 1) -> Document:
    """Rebuild `pages` both ways and compare them exactly; the repr also tells -0.0, NaN and ints apart."""
    expected = reference_build_document([list(words) for words in pages], page_count)
    actual = build_document([list(words) for words in pages], page_count)
    assert repr(actual) == repr(expected)
    assert len(actual.lines) == len(expected.lines)
    for got, want in zip(actual.lines, expected.lines, strict=True):
        assert type(got) is Line
        assert all(type(segment) is Segment for segment in got.segments)
        assert got.page == want.page and got.text == want.text and got.cells == want.cells
        assert [(s.text, s.start) for s in got.segments] == [(s.text, s.start) for s in want.segments]
        assert [(s, e) for s, e, _ in got.words] == [(s, e) for s, e, _ in want.words]
    if not any(math.isnan(value) for words in pages for word in words for value in word[1:]):
        assert actual == expected  # dataclass equality, field by field (NaN is never equal to itself)
    assert actual.text == expected.text
    assert actual.page_count == expected.page_count
    return actual


def assert_same_spans(line: Line, spans: list[tuple[int, int]]) -> None:
    for start, end in spans:
        assert repr(line.span_bbox(start, end)) == repr(reference_span_bbox(line, start, end)), (line, start, end)


def spans_to_check(line: Line) -> list[tuple[int, int]]:
    """Every word, every cell, the whole line, the empty and out-of-range spans, and pairs of word edges."""
    spans = [(start, end) for start, end, _ in line.words]
    spans += [(s.start, s.start + len(s.text)) for s in line.segments]
    spans += [(0, len(line.text)), (0, 0), (len(line.text), len(line.text) + 5), (-3, 1), (5, 2)]
    edges = sorted({edge for start, end, _ in line.words for edge in (start, end, start + 1, end - 1)})
    spans += [(a, b) for a in edges[:6] for b in edges[-6:]]
    return spans


def f32(value: float) -> float:
    """pdfium's boxes are float32 values widened to float."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


# --- the generated corpus -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_pages() -> list[tuple[list[list[Word]], int]]:
    return [read_words(bill.pdf, max_pages=50, max_chars_per_page=50000)[:2] for bill in corpus(5)]


def test_corpus_documents_are_identical(corpus_pages: list[tuple[list[list[Word]], int]]) -> None:
    assert len(corpus_pages) > 20
    cells = 0
    for pages, page_count in corpus_pages:
        document = assert_same_document(pages, page_count)
        assert document.has_text
        cells += sum(len(line.segments) for line in document.lines)
    assert cells > 1000  # the corpus really has multi-cell lines to compare


def test_corpus_span_boxes_are_identical(corpus_pages: list[tuple[list[list[Word]], int]]) -> None:
    for pages, page_count in corpus_pages:
        for line in build_document(pages, page_count).lines:
            assert_same_spans(line, spans_to_check(line))


# --- crafted pages ------------------------------------------------------------------------------------

CRAFTED: dict[str, list[list[Word]]] = {
    "empty page": [[]],
    "no pages": [],
    "empty pages around one word": [[], [("Total", 72.0, 700.0, 100.0, 710.0)], []],
    "one word": [[("Total", 72.0, 700.0, 100.0, 710.0)]],
    "zero height words": [
        [
            ("a", 10.0, 500.0, 12.0, 500.0),
            ("b", 12.5, 500.0, 14.0, 500.0),
            ("c", 20.0, 500.0, 22.0, 500.0),
            ("d", 10.0, 499.0, 12.0, 499.0),
            ("e", 10.0, 498.6, 12.0, 498.6),
        ]
    ],
    "negative height": [
        [
            ("up", 10.0, 510.0, 30.0, 500.0),
            ("down", 31.0, 500.0, 60.0, 510.0),
            ("flipped", 90.0, 509.0, 120.0, 501.0),  # starts a cell: its height counts as 0.0
        ]
    ],
    "overlapping words": [
        [
            ("Amount", 100.0, 600.0, 140.0, 610.0),
            ("Due", 130.0, 600.5, 150.0, 609.5),
            ("Due", 130.0, 600.5, 150.0, 609.5),
            ("$12.00", 100.0, 600.0, 140.0, 610.0),
        ]
    ],
    "right-aligned value drawn before its label": [
        [
            ("$1,234.56", 500.0, 650.0, 560.0, 660.0),
            ("$88.10", 500.0, 630.0, 540.0, 640.0),
            ("Total", 72.0, 650.2, 100.0, 659.8),
            ("amount", 102.0, 650.2, 140.0, 659.8),
            ("due", 142.0, 650.2, 160.0, 659.8),
            ("Taxes", 72.0, 630.0, 100.0, 640.0),
        ]
    ],
    "near-equal baselines": [
        [
            ("A", 10.0, 700.0, 20.0, 710.0),
            ("B", 21.0, 696.5, 31.0, 706.5),  # center 3.5 below: exactly SAME_LINE * 10, joins
            ("C", 32.0, 695.49, 42.0, 705.49),  # 3.51 below A and 1.01 below B: too far from both, a row
            ("D", 43.0, 695.4899, 53.0, 705.4899),  # on C's row
            ("F", 5.0, 700.0, 9.0, 710.0),
        ]
    ],
    "a word on the baseline of the row's last word": [
        [
            ("Amount", 41.0, 722.8253, 92.0, 738.8768),  # large type: the row's center, 730.851
            ("Period", 307.6, 721.8467, 335.6, 732.5478),  # 3.654 below: within 0.35 of its height
            ("28", 419.6, 721.8738, 429.6, 732.3948),  # 3.717 below Amount, 0.063 below Period: Period's line
        ]
    ],
    "the highest word sets the row's center": [
        [
            ("A", 10.0, 700.0, 20.0, 710.0),
            ("B", 21.0, 696.5, 31.0, 706.5),  # 3.5 below A but 3.5000001 below E: a row of its own
            ("E", 5.0, 700.0000001, 9.0, 710.0000001),
        ]
    ],
    "equal centers keep drawing order": [
        [
            ("x", 50.0, 100.0, 60.0, 110.0),
            ("y", 50.0, 100.0, 60.0, 110.0),
            ("z", 50.0, 101.0, 60.0, 109.0),
            ("w", 10.0, 102.0, 20.0, 108.0),
        ]
    ],
    "small words use a one-point floor": [
        [
            ("tiny", 10.0, 100.0, 12.0, 100.5),
            ("gap", 12.95, 100.0, 14.0, 100.5),
            ("wide", 14.91, 100.0, 16.0, 100.5),
            ("low", 10.0, 99.66, 12.0, 100.16),
        ]
    ],
    "many cells": [[(f"c{i}", 10.0 + 30.0 * i, 400.0, 20.0 + 30.0 * i, 410.0) for i in range(40)]],
    "gap exactly at the threshold": [
        [
            ("one", 10.0, 300.0, 20.0, 310.0),
            ("two", 29.0, 300.0, 40.0, 310.0),  # gap 9.0 == CELL_GAP * 10: same cell
            ("three", 49.000001, 300.0, 60.0, 310.0),  # a hair wider: new cell
        ]
    ],
    "the smaller neighbour sets the gap": [
        [
            ("big", 10.0, 300.0, 40.0, 330.0),
            ("s", 60.0, 312.0, 62.0, 318.0),  # 20 apart: wider than 0.9 of 6, a cell
            ("t", 63.0, 312.0, 65.0, 318.0),
            ("u", 90.0, 312.0, 92.0, 318.0),
        ]
    ],
    "ints and negative coordinates": [
        [("int", 10, 100, 20, 110), ("neg", -30.004, -10.006, -0.001, -0.0), ("z", -0.0, -0.004, 0.004, 0.0)]
    ],
    "signed zeros: the first of equal values wins": [
        [
            ("a", 0.0, 0.0, 0.0, 10.0),
            ("b", -0.0, -0.0, -0.0, 10.0),
            ("c", -0.0, 0.0, -0.0, 10.0),
            ("d", 20.0, -0.0, 30.0, 10.0),
            ("e", 30.0, 0.0, 40.0, 10.0),
        ]
    ],
    "texts with spaces and empty texts": [
        [
            ("two words", 10.0, 100.0, 40.0, 110.0),
            ("", 41.0, 100.0, 41.0, 110.0),
            ("tab\there", 80.0, 100.0, 120.0, 110.0),
        ]
    ],
    "NaN and infinite boxes": [
        [
            ("nan", math.nan, 100.0, 20.0, 110.0),
            ("ok", 30.0, 100.0, 40.0, 110.0),
            ("nanb", 50.0, math.nan, 60.0, 110.0),
            ("inf", 10.0, -math.inf, 20.0, math.inf),
            ("inf2", 10.0, 100.0, math.inf, 110.0),
            ("ok2", 10.0, 50.0, 20.0, 60.0),
            ("nant", 70.0, 100.0, 80.0, math.nan),
            ("sky", 1.0, 100.0, 2.0, math.inf),  # infinite centers are never within the tolerance
            ("sky2", 3.0, 100.0, 4.0, math.inf),
            ("abyss", 1.0, -math.inf, 2.0, 100.0),
            ("abyss2", 3.0, -math.inf, 4.0, 100.0),
        ]
    ],
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_pages_are_identical(name: str) -> None:
    pages = CRAFTED[name]
    document = assert_same_document(pages, len(pages))
    for line in document.lines:
        assert_same_spans(line, spans_to_check(line))


def test_crafted_pages_read_as_intended() -> None:
    """The crafted cases hit the paths they are named for (so the comparison above is not vacuous)."""
    out_of_order = build_document(CRAFTED["right-aligned value drawn before its label"], 1)
    assert [line.cells for line in out_of_order.lines] == [["Total amount due", "$1,234.56"], ["Taxes", "$88.10"]]
    assert out_of_order.lines[0].segments[1].start == len("Total amount due") + 1
    near = build_document(CRAFTED["near-equal baselines"], 1)
    assert [line.text for line in near.lines] == ["F A\tB", "C D"]  # B on A's row, off its baseline: a cell
    last = build_document(CRAFTED["a word on the baseline of the row's last word"], 1)
    assert [line.text for line in last.lines] == ["Amount\tPeriod\t28"]
    highest = build_document(CRAFTED["the highest word sets the row's center"], 1)
    assert [line.text for line in highest.lines] == ["E A", "B"]
    overlapping = build_document(CRAFTED["overlapping words"], 1)
    # drawn over one another: each string a cell, left to right (equal lefts in drawing order), one `Due`
    # of the two drawn in the same place
    assert overlapping.lines[0].cells == ["Amount", "$12.00", "Due"]
    smaller = build_document(CRAFTED["the smaller neighbour sets the gap"], 1)
    assert smaller.lines[0].cells == ["big", "s t", "u"]
    assert build_document([[]], 1).lines == [] and not build_document([[]], 1).has_text
    assert len(build_document(CRAFTED["many cells"], 1).lines[0].segments) == 40
    gap = build_document(CRAFTED["gap exactly at the threshold"], 1).lines[0]
    assert gap.cells == ["one two", "three"]
    assert page_lines([], 3) == []


# --- random pages -------------------------------------------------------------------------------------


def random_page(rng: random.Random) -> list[Word]:
    words: list[Word] = []
    baseline = f32(rng.uniform(600.0, 800.0))
    for _ in range(rng.randint(0, 12)):
        baseline -= rng.choice([0.0, 0.5, 2.0, 3.4, 3.6, 8.0, 12.0, 14.0])
        size = rng.choice([-3.0, 0.0, 0.4, 1.0, 6.0, 8.0, 10.0, 10.0, 14.0])
        x = f32(rng.uniform(20.0, 80.0))
        for _ in range(rng.randint(1, 9)):
            width = rng.uniform(0.0, 60.0)
            jitter = rng.choice([0.0, 0.0, 0.1, -0.1, 1.5, -2.5])
            bottom = f32(baseline + jitter)
            words.append(("w" * rng.randint(0, 6), x, bottom, f32(x + width), f32(bottom + size)))
            x = f32(x + width + rng.choice([-5.0, 0.0, 0.8, 2.5, 5.0, 9.0, 12.0, 40.0]))
    if rng.random() < 0.5:  # drawing order is not reading order
        rng.shuffle(words)
    return words


def test_random_pages_are_identical() -> None:
    rng = random.Random(2026)
    for _ in range(600):
        pages = [random_page(rng) for _ in range(rng.randint(1, 3))]
        document = assert_same_document(pages, len(pages) + rng.randint(0, 2))
        for line in document.lines[:6]:
            assert_same_spans(line, spans_to_check(line)[:12])


# --- union and rounding -------------------------------------------------------------------------------


def test_union_matches_reference() -> None:
    rng = random.Random(7)
    values = [0.0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.125, -0.125, 2.675, 1e-300, 999999.995, 12, -7]

    def coordinate() -> float:
        return f32(rng.uniform(-50.0, 900.0)) if rng.random() < 0.6 else rng.choice(values)

    for _ in range(3000):
        boxes: list[BBox] = [(coordinate(), coordinate(), coordinate(), coordinate()) for _ in range(rng.randint(1, 5))]
        assert repr(union(boxes)) == repr(reference_union(boxes))
    for box in [(math.nan, 1.0, 2.0, 3.0), (1.0, math.inf, -math.inf, 2.0), (1e7, -1e7, 1e300, 5.5)]:
        assert repr(union([box, (0.5, 0.25, 0.125, 0.0)])) == repr(reference_union([box, (0.5, 0.25, 0.125, 0.0)]))
        assert repr(union([(0.5, 0.25, 0.125, 0.0), box])) == repr(reference_union([(0.5, 0.25, 0.125, 0.0), box]))


# --- the cell rule itself -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("second_height", "gap", "cells"),
    [
        (10.0, 2.5, 1),  # a space in the small type
        (10.0, 0.5, 2),  # touching, in type half the size: another string drawn against it
        (15.0, 0.5, 1),  # touching, in type of about the same size: one string
        (10.0, 4.0, 1),  # a wide space in the small type
        (10.0, 8.0, 2),  # under 0.9 of the small type's height, but over half of it in type of another size
        (18.0, 8.0, 1),  # under 0.9 of the small type's height, in type of about the same size
        (10.0, 10.0, 2),  # wider than that, though narrower than 0.9 of the large type's: a column beside it
        (0.0, 10.0, 1),  # a word with no height is measured by its neighbour's
        (0.0, 20.0, 2),
        (0.0, 12.0, 1),  # no height tells no size: measured by its neighbour's, under 0.9 of it
    ],
)
def test_a_cell_starts_at_a_gap_wider_than_the_smaller_words_height(
    second_height: float, gap: float, cells: int
) -> None:
    large: Word = ("$250.84", 100.0, 700.0, 160.0, 720.0)  # 20 pt tall, its baseline 4 pt over its box's bottom
    # on the large word's baseline, as a phrase's words are; a word of no height at its centre
    bottom = 704.0 - BASELINE_RISE * second_height if second_height else 710.0
    small: Word = ("Ashgrove", 160.0 + gap, bottom, 200.0 + gap, bottom + second_height)
    (line,) = page_lines([large, small], 1)
    assert len(line.segments) == cells


@pytest.mark.parametrize(
    ("second_height", "cells"),
    [
        (10.0, 2),  # half the size, its baseline 3 pt over the large word's: another cell
        (12.5, 2),  # 1.6 times smaller: 2.25 pt, 0.18 of its height
        (15.0, 1),  # 1.33 times smaller: 1.5 pt, 0.1 of its height (a bold word in a heading's line)
        (18.0, 1),  # of about the same size
    ],
)
def test_type_of_another_size_centred_beside_a_word_a_space_apart_is_a_cell_of_its_own(
    second_height: float, cells: int
) -> None:
    """Set beside it in a row, not written on with it: their baselines stand apart (`Sunbelt Electric Cooperative`
    in 22 pt, the facts box's `Issue Date` in 8.5 pt centred beside it, were one cell)."""
    large: Word = ("Cooperative", 100.0, 700.0, 160.0, 720.0)
    small: Word = ("Issue", 162.5, 710.0 - second_height / 2, 190.0, 710.0 + second_height / 2)
    (line,) = page_lines([large, small], 1)
    assert len(line.segments) == cells


@pytest.mark.parametrize(("lower", "cells"), [(4.0, 2), (2.0, 1), (0.0, 1)])
def test_a_word_of_about_the_same_size_off_the_baseline_before_is_a_cell_of_its_own(lower: float, cells: int) -> None:
    """A logo's initials in a badge centred beside a name wrapped onto two lines, level with neither (web-75-0013's `SR`
    4.4 pt over `Corp.`'s baseline, 1.16 times its size): read as one cell, `SR Corp.` was taken for the utility's
    name. A word 2 pt off, 0.11 of its height, is on the line."""
    badge: Word = ("SR", 70.0, 700.0, 92.0, 720.0)
    word: Word = ("Corp.", 106.0, 700.0 - lower, 155.0, 718.0 - lower)
    (line,) = page_lines([badge, word], 1)
    assert len(line.segments) == cells


def test_a_row_drawn_over_itself_is_read_by_the_strings_drawn() -> None:
    label = [("Customer", 72.0, 700.0, 110.0, 710.0), ("account", 112.0, 700.0, 140.0, 710.0)]
    label += [("no.", 142.0, 700.0, 155.0, 710.0)]
    value = [
        ("1", 145.0, 700.2, 149.0, 709.8),
        ("6663", 151.0, 700.2, 170.0, 709.8),
        ("4936", 172.0, 700.2, 190.0, 709.8),
    ]
    far = [("Due", 300.0, 700.0, 320.0, 710.0), ("soon", 322.0, 700.0, 340.0, 710.0)]
    for words in (label + value + far, far + value + label):  # either drawn first
        (line,) = page_lines(words, 1)
        assert line.cells == ["Customer account no.", "1 6663 4936", "Due soon"]
        assert line.span_bbox(line.text.index("1 6663"), len(line.text)) == (145.0, 700.0, 340.0, 710.0)
    # bold made by drawing a line twice, 0.4 pt apart: read once
    bold = [(text, left + 0.4, bottom, right + 0.4, top) for text, left, bottom, right, top in far]
    (line,) = page_lines(far + bold, 1)
    assert line.text == "Due soon"
    # without overlap the drawing order does not matter
    (line,) = page_lines(far[::-1] + label, 1)
    assert line.cells == ["Customer account no.", "Due soon"]


def test_a_value_given_before_the_label_drawn_over_it_stays_right_of_it() -> None:
    """pdfium's order is not always the drawing order: on a page drawn upside down it gives a line's words right
    to left. The value after the address, a cell gap on, was one string with it, and read before its label."""
    address = [("Pennyworth", 20.0, 700.0, 70.0, 710.0), ("Books", 72.0, 700.0, 110.0, 710.0)]
    label = [("Your", 160.0, 700.0, 180.0, 710.0), ("account", 182.0, 700.0, 215.0, 710.0)]
    label += [("number", 217.0, 700.0, 255.0, 710.0)]
    value = [("A-23B33C38", 250.0, 700.0, 300.0, 710.0)]
    for words in (address + value + label, address + label + value, label + value + address):
        (line,) = page_lines(words, 1)
        assert line.cells == ["Pennyworth Books", "Your account number", "A-23B33C38"]
    # a line drawn twice, cells and all, 0.4 pt apart: read once
    bold = [(text, left + 0.4, bottom, right + 0.4, top) for text, left, bottom, right, top in address + value]
    (line,) = page_lines(address + value + bold, 1)
    assert line.cells == ["Pennyworth Books", "A-23B33C38"]


def test_a_footer_on_every_page_drawn_over_a_pages_last_line_is_left_out_of_it() -> None:
    """A browser prints a `position: fixed` footer at the foot of every page, over the page's own text there: read as
    a cell before `Current read | 75,932`, it lost a meter's read (web-113-0059). Where the footer stands clear (page
    2) it is read; a string drawn over a line that is on no other page (a single page, or moved) stays a cell."""
    footer = [("Sandhill", 51.0, 54.2, 72.3, 60.9), ("Electric", 75.0, 54.2, 100.0, 60.9)]
    footer += [("Keep", 213.3, 54.2, 227.3, 60.9), ("this", 229.0, 54.2, 240.0, 60.9)]
    reads = [
        ("Current", 57.8, 52.5, 83.5, 60.4),
        ("read", 85.0, 52.5, 99.0, 60.4),
        ("75,932", 116.9, 52.5, 138.7, 60.4),
    ]
    page_two = [("Usage", 57.8, 717.7, 79.1, 725.7), ("180", 116.9, 717.7, 128.8, 725.7)]
    for first in (reads + footer, footer + reads):  # drawn before the footer, or after
        document = assert_same_document([first, page_two + footer], 2)
        assert [line.text for line in document.lines] == [
            "Current read\t75,932",
            "Usage\t180",
            "Sandhill Electric\tKeep this",
        ]
        assert document.set_aside == {}
    # on one page only, or a point higher on the next: no footer of every page
    assert [line.text for line in assert_same_document([footer + reads], 1).lines] == [
        "Sandhill Electric\tCurrent read\t75,932\tKeep this"
    ]
    moved = [(text, left, bottom + 1.0, right, top + 1.0) for text, left, bottom, right, top in footer]
    document = assert_same_document([footer + reads, page_two + moved], 2)
    assert document.lines[0].text == "Sandhill Electric\tCurrent read\t75,932\tKeep this"
    # a line printed the same on every page, drawn over itself (bold by overprinting), is kept, once
    bold = [(text, left + 0.4, bottom, right + 0.4, top) for text, left, bottom, right, top in footer]
    document = assert_same_document([footer + bold, footer + bold], 2)
    assert [line.text for line in document.lines] == ["Sandhill Electric\tKeep this"] * 2
