"""Bills not printed square on the page. Sideways: a landscape page printed onto a portrait one, turned a
quarter, and shown upright by the page's /Rotate; pdfium reports such words running up or down the page.
Off level: a scan's text layer, each word set where the skewed scan put it. The reader turns the page's
words upright or level to rebuild its lines, and gives every box back in the page's own PDF coordinates.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen import corpus
from common.connectors.billgen.heldout import heldout_bills
from common.connectors.billgen.redraw import sideways, sideways_box, stretched, tilted, upside_down, upside_down_box
from common.connectors.billgen.third import third_bill, third_bills
from common.connectors.billgen.wild import wild_bill
from common.extraction.bills import pdf_worker
from common.extraction.bills.cascade import BillResult, _page_audits, extract_bill
from common.extraction.bills.guard import PdfTextReader
from common.extraction.bills.layout import (
    DOWN,
    LEVEL,
    STEEPEST,
    UP,
    UPSIDE_DOWN,
    BBox,
    Document,
    Word,
    _levelled,
    _rotated_box,
    _skew,
    _turn,
    _turned,
    build_document,
)
from common.models import BillStatus, Severity

READER = PdfTextReader("inline")


def _values(result: BillResult) -> dict[str, object]:
    assert result.bill is not None
    return result.bill.model_dump(exclude={"provenance"})


def test_the_worker_process_reads_a_sideways_bill_as_the_inline_reader_does() -> None:
    pdf = sideways(next(iter(corpus(1))).pdf, up=True)
    isolated = PdfTextReader("process")
    try:
        assert extract_bill(pdf, pdf_reader=isolated).bill == extract_bill(pdf, pdf_reader=READER).bill
    finally:
        isolated.close()


ROWS = [
    ("Acme Valley Utilities", ""),
    ("Account Number: 1234-5678", ""),
    ("Statement Date: 02/07/2025", ""),
    ("Due Date: 02/21/2025", ""),
    ("Billing Period: 01/06/2025 - 02/05/2025", ""),
    ("Service Address: 12 Oak St, Fairhaven, OR 97123", ""),
    ("Previous Balance", "$50.00"),
    ("Payments", "-$50.00"),
    ("Current Charges", "$50.00"),
    ("Amount Due", "$50.00"),
    ("Charges", ""),
    ("Basic Charge", "$10.00"),
    ("Energy Charge", "$40.00"),
    ("Total Charges", "$50.00"),
]


def drawn_turned(degrees: int, margin_note: bool = False) -> bytes:
    """A small bill whose content is drawn turned by `degrees` counter-clockwise; `margin_note` adds a line
    running up the left margin, as many bills print a form number."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    if margin_note:
        canvas.saveState()
        canvas.translate(30, 200)
        canvas.rotate(90)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(0, 0, "Form 2231-B printed on recycled paper, keep for your records")
        canvas.restoreState()
    canvas.translate(306, 396)
    canvas.rotate(degrees)
    canvas.translate(-200, 100)
    canvas.setFont("Helvetica", 9)
    for index, (label, amount) in enumerate(ROWS):
        canvas.drawString(0, -14 * index, label)
        if amount:
            canvas.drawRightString(300, -14 * index, amount)
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("degrees", [0, 90, 270, 180])
def test_a_bill_turned_a_quarter_either_way_or_a_half_is_read(degrees: int) -> None:
    result = extract_bill(drawn_turned(degrees), pdf_reader=READER, templates=())
    assert result.status is BillStatus.OK, [a.code for a in result.audits]
    assert _values(result) == _values(extract_bill(drawn_turned(0), pdf_reader=READER, templates=()))


def test_a_line_up_the_margin_does_not_turn_an_upright_page() -> None:
    result = extract_bill(drawn_turned(0, margin_note=True), pdf_reader=READER, templates=())
    assert result.status is BillStatus.OK
    assert result.bill is not None and result.bill.account_number == "1234-5678"


def test_an_upside_down_page_is_read_upright_with_boxes_where_printed() -> None:
    upright = extract_bill(drawn_turned(0), pdf_reader=READER, templates=())
    result = extract_bill(drawn_turned(180), pdf_reader=READER, templates=())
    assert result.status is BillStatus.OK and result.bill is not None and upright.bill is not None
    assert READER.read(drawn_turned(180)).turns == {1: UPSIDE_DOWN}
    # The content is turned a half about the page's centre (306, 396).
    left, bottom, right, top = upright.bill.provenance["account_number"].bbox or (0, 0, 0, 0)
    expected = (612 - right, 792 - top, 612 - left, 792 - bottom)
    got = result.bill.provenance["account_number"].bbox
    assert got is not None and all(abs(a - b) <= 0.02 for a, b in zip(got, expected, strict=True))


def _words(direction: int) -> list[Word]:
    """Two lines of three words, in reading order, running `direction` (0 across, UP, DOWN or UPSIDE_DOWN)."""
    words: list[Word] = []
    for line in range(2):
        for position in range(3):
            start, across = 100.0 + 34 * position, 700.0 - 14 * line  # upright: left edge, baseline
            if direction == 0:
                words.append((f"word{position}", start, across, start + 30, across + 10))
            elif direction == UP:  # the line runs up the page at x = 14 * line
                words.append((f"word{position}", 100 + 14 * line, start, 110 + 14 * line, start + 30))
            elif direction == DOWN:  # down the page
                words.append((f"word{position}", 500 - 14 * line, 700 - start, 510 - 14 * line, 730 - start))
            else:  # right to left, the second line above the first
                words.append((f"word{position}", 600 - start - 30, 100 + 14 * line, 600 - start, 110 + 14 * line))
    return words


@pytest.mark.parametrize("direction", [0, UP, DOWN, UPSIDE_DOWN])
def test_which_way_a_pages_words_run(direction: int) -> None:
    words = _words(direction)
    assert _turn(words) == (direction or None)
    document = build_document([words], 1)
    assert [line.text for line in document.lines] == ["word0 word1 word2"] * 2
    assert document.turns == ({1: direction} if direction else {})


@pytest.mark.parametrize("turn", [UP, DOWN, UPSIDE_DOWN])
def test_a_box_read_turned_goes_back_to_where_it_was_printed(turn: int) -> None:
    rng = random.Random(turn)
    for _ in range(100):
        left, bottom = rng.uniform(0, 600), rng.uniform(0, 800)
        word: Word = ("w", left, bottom, left + rng.uniform(1, 80), bottom + rng.uniform(1, 20))
        ((_, *upright),) = _turned([word], turn)
        document = build_document([[]], 1)
        document.turns[1] = turn
        assert document.page_box(1, tuple(upright)) == word[1:]  # type: ignore[arg-type]


# --- off level ----------------------------------------------------------------------------------------


Redraw = Callable[[bytes], bytes]
Where = Callable[[BBox, tuple[float, float]], BBox]  # a square page's box, and the page's size: where it went
NOT_SQUARE: dict[str, tuple[Redraw, Where]] = {
    "sideways-reading-up": (lambda pdf: sideways(pdf, True), lambda box, size: sideways_box(box, size, True)),
    "sideways-reading-down": (lambda pdf: sideways(pdf, False), lambda box, size: sideways_box(box, size, False)),
    "upside-down": (upside_down, upside_down_box),
    "upside-down-shown-so": (lambda pdf: upside_down(pdf, shown_upright=False), upside_down_box),
    "a-degree-up": (lambda pdf: tilted(pdf, 1.0), lambda box, size: _rotated_box(box, math.radians(1.0))),
    "a-degree-down": (lambda pdf: tilted(pdf, -1.0), lambda box, size: _rotated_box(box, math.radians(-1.0))),
    "three-degrees-up": (lambda pdf: tilted(pdf, 3.0), lambda box, size: _rotated_box(box, math.radians(3.0))),
    "three-and-a-half-down": (lambda pdf: tilted(pdf, -3.5), lambda box, size: _rotated_box(box, math.radians(-3.5))),
    "sideways-three-degrees-up": (
        lambda pdf: tilted(sideways(pdf, True), 3.0),
        lambda box, size: _rotated_box(sideways_box(box, size, True), math.radians(3.0)),
    ),
    "sideways-three-degrees-down": (
        lambda pdf: tilted(sideways(pdf, False), -3.0),
        lambda box, size: _rotated_box(sideways_box(box, size, False), math.radians(-3.0)),
    ),
    "narrower": (
        lambda pdf: stretched(pdf, 0.75, 1.0),
        lambda box, size: (0.75 * box[0], box[1], 0.75 * box[2], box[3]),
    ),
    "taller": (lambda pdf: stretched(pdf, 1.0, 1.25), lambda box, size: (box[0], 1.25 * box[1], box[2], 1.25 * box[3])),
}


@pytest.mark.parametrize("case", NOT_SQUARE)
def test_a_bill_not_printed_square_reads_as_the_square_one_with_boxes_where_printed(case: str) -> None:
    redraw, where = NOT_SQUARE[case]
    for bill in corpus(1):  # every provider: templates and heuristics
        square = extract_bill(bill.pdf, pdf_reader=READER)
        redrawn = extract_bill(redraw(bill.pdf), pdf_reader=READER)
        assert redrawn.status is BillStatus.OK, (bill.name, [a.code for a in redrawn.audits])
        assert _values(redrawn) == _values(square), bill.name
        assert square.bill is not None and redrawn.bill is not None
        document = pdfium.PdfDocument(bill.pdf)
        for key in ("account_number", "total_amount", "line_items[0]"):
            expected, got = square.bill.provenance[key], redrawn.bill.provenance[key]
            assert expected.bbox is not None and got.bbox is not None and got.page == expected.page
            assert expected.page is not None
            want = where(expected.bbox, document[expected.page - 1].get_size())
            assert all(abs(a - b) <= 0.02 for a, b in zip(got.bbox, want, strict=True)), (bill.name, key)
        document.close()


def test_a_page_further_off_level_goes_to_review_with_what_was_read() -> None:
    bill = next(iter(corpus(1)))
    result = extract_bill(tilted(bill.pdf, 5.0), pdf_reader=READER)
    assert result.status is BillStatus.NEEDS_REVIEW
    (skew,) = [audit for audit in result.audits if audit.code == "skewed_text"]
    assert abs(skew.details["degrees_by_page"]["1"] - 5.0) < 0.1
    assert skew.message.startswith("the text is printed off level (page 1 by 5.0°, page 2 by 5.0°, more than 4°)")
    assert _values(result)["total_amount"] == bill.truth.total_amount  # read level, for the reviewer


@pytest.mark.parametrize("degrees", [1.0, -0.75])
def test_words_pdfium_runs_over_two_lines_are_split_and_the_bill_reads_as_the_square_one(degrees: float) -> None:
    """A bill that reads right square: on its page a degree off level, pdfium runs the meter table's `21`
    (Sewer, CCF) and the `1` under it (Stormwater, ERU) into one word, `211`, which was loaded as ok, then went to
    review; now the word is read as its two parts, each on its line."""
    bill = wild_bill(55, 23)
    square = extract_bill(bill.pdf, pdf_reader=READER, templates=())
    assert square.status is BillStatus.OK and not READER.read(bill.pdf).run_together
    assert any(usage.quantity == 21 and usage.unit == "CCF" for usage in bill.truth.usage)
    isolated = PdfTextReader("process")
    try:
        for reader in (READER, isolated):
            result = extract_bill(tilted(bill.pdf, degrees), pdf_reader=reader, templates=())
            assert result.status is BillStatus.OK, [audit.code for audit in result.audits]
            assert _values(result) == _values(square)
    finally:
        isolated.close()


@pytest.mark.parametrize("degrees", [1.0, -0.75])
def test_words_on_two_lines_that_cannot_be_split_send_the_bill_to_review(
    monkeypatch: pytest.MonkeyPatch, degrees: float
) -> None:
    monkeypatch.setattr(pdf_worker, "_split_across_lines", lambda *args: None)
    result = extract_bill(tilted(wild_bill(55, 23).pdf, degrees), pdf_reader=READER, templates=())
    assert result.status is BillStatus.NEEDS_REVIEW
    (joined,) = [audit for audit in result.audits if audit.code == "lines_run_together"]
    assert joined.details == {"words_by_page": {"1": ["211"]}}
    assert joined.message.startswith("the PDF's text runs words of two lines together (page 1: 211)")
    assert [audit.code for audit in result.audits if audit.severity is Severity.ERROR] == ["lines_run_together"]


def test_tightly_set_lines_run_together_off_level_are_read_apart() -> None:
    """heldout-7-0125 sets its period's `TO` and the end date under it 10 points apart: 2.5° off level, pdfium reads
    `TO2nd`, whose loose boxes overlap across the line. It was not found, and the word, two lines tall, was read as
    the largest type on the page: with the skew limit then at 1.25° the bill went to review, and with it raised it
    loaded as ok with provider `TO2nd`."""
    bill = heldout_bills(126, 7)[125]
    square = extract_bill(bill.pdf, pdf_reader=READER, templates=())
    assert square.status is BillStatus.OK and square.bill is not None and square.bill.provider == "Kestrel Power"
    result = extract_bill(tilted(bill.pdf, 2.5), pdf_reader=READER, templates=())
    assert result.status is BillStatus.OK, [audit.code for audit in result.audits]
    assert _values(result) == _values(square)


def test_a_label_run_into_its_value_reads_the_same_upside_down() -> None:
    """heldout-61-0064 runs `Your account number` 5 points into its value `A-23B33C38`. Drawn upside down, pdfium
    gives the value before the label, and the value was read before it, on the address's string: the account
    number was taken from under the label (`212280107`, the bill number), and the bill went to review."""
    bill = heldout_bills(65, 61)[64]
    square = extract_bill(bill.pdf, pdf_reader=READER, templates=())
    assert square.status is BillStatus.OK and _values(square)["account_number"] == "A-23B33C38"
    result = extract_bill(upside_down(bill.pdf, shown_upright=False), pdf_reader=READER, templates=())
    assert result.status is BillStatus.OK, [audit.code for audit in result.audits]
    assert _values(result) == _values(square)
    assert result.bill is not None and result.bill.provenance["account_number"].source_text == (
        "Your account number A-23B33C38"
    )


def test_a_sideways_page_of_short_words_is_read_turned() -> None:
    """third-5-0147's second page is mostly a chart's labels of three characters (`609`, `Aug`). Sideways and 3° off
    level, such a word is no taller than wide, so the page was read as it stands: its header ran into the chart
    and `359` became a second account number (the bill went to review, `several_statements`). Words of four
    characters or more tell."""
    bill = third_bills(148, 5)[147]
    square = extract_bill(bill.pdf, pdf_reader=READER, templates=())
    assert square.status is BillStatus.OK
    turned = tilted(sideways(bill.pdf, True), -3.0)
    assert READER.read(turned).turns == {1: UP, 2: UP}
    result = extract_bill(turned, pdf_reader=READER, templates=())
    assert result.status is BillStatus.OK, [audit.code for audit in result.audits]
    assert _values(result) == _values(square)


def test_a_long_word_off_level_keeps_its_types_height() -> None:
    """A leader of dots 408 points long, in type 10.5 points high, 4° off level: its box is 39 points high, and
    0.3 of that (the least a box keeps) had made it 11.7 high, and at 5° 13.8, the largest type on a held-out bill,
    read as its provider's name."""
    for degrees in (2.0, 4.0, 5.0, -5.0):
        angle = math.radians(degrees)
        cos, sin = math.cos(angle), abs(math.sin(angle))
        width, height = 408 * cos + 10.5 * sin, 408 * sin + 10.5 * cos
        ((_, left, bottom, right, top),) = _levelled([("." * 163, 36.0, 150.0, 36.0 + width, 150.0 + height)], angle)
        assert top - bottom == pytest.approx(10.5, abs=1e-6), degrees
        assert right - left == pytest.approx(408, abs=1e-6), degrees


def test_a_level_word_on_a_tilted_page_keeps_a_box() -> None:
    """A stamp set level over a scan 4° off: its box is no turned rectangle, and keeps 0.3 of its size."""
    ((_, left, bottom, right, top),) = _levelled([("Scanned-by-OfficeJet", 36.0, 20.0, 336.0, 30.0)], math.radians(4))
    assert top - bottom == pytest.approx(3.0) and right - left > 0


def test_the_review_note_names_the_joined_words_page_by_page() -> None:
    many = [f"{n}{n}" for n in range(7)]
    document = Document(lines=[], page_count=2, run_together={2: many, 1: ["211"]})
    (audit,) = _page_audits(document)
    assert audit.code == "lines_run_together" and audit.severity is Severity.ERROR
    assert audit.message.startswith(
        "the PDF's text runs words of two lines together (page 1: 211; page 2: 00, 11, 22, 33, 44 and 2 more)"
    )
    assert audit.details == {"words_by_page": {"2": many, "1": ["211"]}}  # every one, for the reviewer
    assert _page_audits(Document(lines=[], page_count=1)) == []


def test_level_pages_are_read_as_they_are() -> None:
    for bill in corpus(1):
        document = READER.read(bill.pdf)
        assert document.skews == {} and document.turns == {}, bill.name


def _rows(slope: float) -> list[Word]:
    """Four lines of six words in reading order, climbing at `slope`; the second word of each line in bold type
    a little taller, as a level page mixes type."""
    words: list[Word] = []
    for line in range(4):
        for position in range(6):
            left = 72.0 + 50 * position
            bottom = 700.0 - 14 * line + slope * left
            height = 11.0 if position == 1 else 10.0
            words.append((f"w{position}", left, bottom, left + 44, bottom + height + abs(slope) * 44))
    return words


@pytest.mark.parametrize(
    ("slope", "read"),
    [
        (0.0, False),
        (LEVEL / 2, False),  # lines are found within this as it is
        (0.01, True),
        (-0.02, True),
        (STEEPEST * 2, False),  # no text layer is printed so far off level
    ],
)
def test_how_far_a_pages_lines_climb(slope: float, read: bool) -> None:
    angle = _skew(_rows(slope))
    assert angle == pytest.approx(math.atan(slope), abs=1e-3) if read else angle == 0.0
    document = build_document([_rows(slope)], 1)
    if read or slope == 0.0:
        assert [line.text for line in document.lines] == ["w0 w1 w2 w3 w4 w5"] * 4


def _sparse_rows(slope: float, pairs: int) -> list[Word]:
    """Lines of two words, `pairs` of them, climbing at `slope`: a second page with only a short table."""
    words: list[Word] = []
    for line in range(pairs):
        for position in range(2):
            left = 72.0 + 60 * position
            bottom = 600.0 - 20 * line + slope * left
            words.append((f"r{line}w{position}", left, bottom, left + 44, bottom + 10.0 + abs(slope) * 44))
    return words


@pytest.mark.parametrize(
    ("second", "levelled"),
    [
        (_sparse_rows(0.01, 4), True),  # four pairs that agree with page 1: the scan's angle
        (_sparse_rows(0.01, 3), True),
        (_sparse_rows(0.01, 2), False),  # too few to confirm anything
        (_sparse_rows(0.0, 4), False),  # a level page after a tilted one
        (_sparse_rows(0.03, 4), False),  # another angle: not this scan's
    ],
)
def test_a_sparse_page_takes_the_angle_of_the_scan_when_its_few_lines_agree(second: list[Word], levelled: bool) -> None:
    document = build_document([_rows(0.01), second], 2)
    assert document.skews[1] == pytest.approx(math.atan(0.01), abs=1e-3)
    assert (2 in document.skews) is levelled
    if levelled:
        assert document.skews[2] == document.skews[1]
        page_two = [line.text for line in document.lines if line.page == 2]
        assert page_two == [f"r{line}w0\tr{line}w1" for line in range(len(second) // 2)]  # one row a line
    assert build_document([second], 1).skews == {}  # alone, nothing to confirm


def test_a_scanned_bills_sparse_second_page_reads_as_the_square_one() -> None:
    """wild-23-0038's page 2 holds only its meter table: too few word pairs to measure its own angle, so a
    degree off level its rows broke apart and the stormwater meter was lost, while the bill loaded as ok."""
    bill = wild_bill(38, 23)
    square = extract_bill(bill.pdf, pdf_reader=READER, templates=())
    redrawn = extract_bill(tilted(bill.pdf, 0.5), pdf_reader=READER, templates=())
    assert redrawn.status is BillStatus.OK
    assert _values(redrawn) == _values(square)
    assert redrawn.bill is not None
    assert [usage.commodity for usage in redrawn.bill.usage] == ["water", "sewer", "stormwater", "gas"]


@pytest.mark.parametrize("degrees", [3.0, -1.0])
def test_a_sideways_tilted_page_sets_no_long_word_aside(degrees: float) -> None:
    """Before it is turned upright, a sideways page's word boxes are as tall as its words are long, and tilted they
    overlap the lines beside them: taken there, long words were set aside as laid over the lines, and third-author
    bills loaded as ok with values the square bill did not read. Words laid over lines are looked for upright."""
    bill = third_bill(8, 5)
    square = extract_bill(bill.pdf, pdf_reader=READER, templates=())
    redrawn = extract_bill(tilted(sideways(bill.pdf, True), degrees), pdf_reader=READER, templates=())
    assert redrawn.status is square.status is BillStatus.OK
    assert _values(redrawn) == _values(square)
    assert "text_set_aside" not in [audit.code for audit in redrawn.audits]
