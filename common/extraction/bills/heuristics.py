"""Generic layout heuristics for bills no template knows.

Built from what utility bills share rather than from any one layout: a vocabulary of the labels they
print (Account Number / Acct # / Customer Account...), values found next to or under their label,
date ranges near a period label, a charges section that ends at a total, meter tables whose columns
are recognised from their headings and matched by x-position. Confidence is lower than a template's,
and a total that no audit can confirm is flagged by the cascade, never loaded as ok.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from itertools import islice, pairwise
from typing import Any, NamedTuple, TypeVar

from common.extraction.bill_audits import DEMAND_UNITS
from common.extraction.bills.draft import (
    Draft,
    Found,
    Hit,
    LabelCell,
    LabelSet,
    cells_below,
    find_labelled,
    groups_of,
    lines_below,
    row_provenance,
    values_after,
)
from common.extraction.bills.layout import SIZE_STEP, BBox, Document, Line, Segment, joined, other_size, union
from common.extraction.bills.values import (
    CURRENCY_CODES,
    DEFAULT_DATE_FORMATS,
    DOLLAR_PREFIXES,
    TOU_PERIOD_NAMED,
    US,
    categorize,
    commodity_of,
    date_regex,
    flow_of,
    names_a_flow,
    names_another_fuel,
    parse_date,
    read_type_of,
    tou_period_of,
)
from common.models import (
    AuditResult,
    Commodity,
    DemandRead,
    Direction,
    LineItem,
    LineItemCategory,
    Provenance,
    ReadType,
    Severity,
    UsageRead,
)

METHOD = "heuristic"
FOUND = 0.85
CONFIRMED = 0.95  # the same value under two labels or in two places
CONFLICTED = 0.4

DATE = date_regex(DEFAULT_DATE_FORMATS)
MONEY = US.money
NUMBER = rf"(?:{US.number})"
METER_ID = r"[A-Z]*-?\d[A-Z0-9-]{3,}"  # `E12345678`, `G-4471`, `1ND73586372`
# An account number holds a digit, and no word after its first figures: `1234-5678 Bill Date TBD` is a number run into
# the next label (`AB 1234` and `A-23B33C38` are numbers).
ACCOUNT = r"(?=[A-Za-z -]*\d)(?![^\t]*\d[^\t]*\s[A-Za-z]{3,}(?!\S))[A-Za-z0-9][A-Za-z0-9 ./-]{0,40}[A-Za-z0-9]"
# `Jan 6 - Feb 5, 2025` and `6 Jan to 5 Feb 2025` print the year once, on the end date.
MONTH_DAY = r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]{2,8})"
# `from 6 Jan 2025 to 5 Feb 2025`, `06/01/2025 — 05/02/2025`
RANGE_OPENING = rf"(?:from[ \t]+)?(?P<start>{DATE}|(?P<month_day>{MONTH_DAY}))\s*(?:-|–|—|to|through|thru|until)"
RANGE = rf"{RANGE_OPENING}\s*(?P<end>{DATE})(?:\s*\(\d+ days?\))?"

# the words that start the labels of other ids and dates, not an address (`Invoice number 28119930`)
_OTHER_IDS = "invoice|bill|account|customer|reference|meter|statement"
# a one-word label (`Due`, `Issued`) only before a colon, the end of its cell, or a date
_BEFORE_A_DATE = r"(?=[ \t]*(?::|$)|[ \t]+(?:\d|[A-Za-z]{3,9}\.?,? \d))"
_DUE_BY = r"(?:by|on or before|before|on)"  # `Amount due by`: the due date's label, and with the date the amount's
# field -> (label alternatives, value pattern, kind)
VOCABULARY: dict[str, tuple[str, str, str]] = {
    "account_number": (
        r"(?:Your )?Account Number|Account No\.?|Account #|Acct\.? ?#|Acct\.? No\.?|"
        r"Customer Account(?: Number| No\.?)?|Billing Account(?: Number)?|"  # a customer number is another id
        r"Account Reference|Account Ref\.?|Account ID|"
        # a bare `Account` before a colon, leaders, the end of its cell, or the number that ends its cell
        # (`Account 9290 4946 56`, `ACCOUNT A5072517`)
        r"Account(?=[ \t]*(?::|\.{3,}|$)|[ \t]+(?-i:[A-Z]{0,4}-?\d[\dA-Z ./-]{2,40}[\dA-Z])$)",
        ACCOUNT,
        "account",
    ),
    "service_address": (
        r"Service Address|Service Location|Premises Address|Supply Address|Service at|Premises|Address of supply|"
        r"Property address|Site address|Installation address|Supply point address",
        # a house number or a postcode, two words at least (not an id: `INV11483696`), and not the next label
        # (`Invoice number 28119930`), nor with it run into its end where the columns sit close
        r"(?=[^\t]*\d)(?=[^\t]*[A-Za-z]{2})(?=[^\t]*\S \S)"
        rf"(?!(?i:{_OTHER_IDS})\b)"
        rf"(?![^\t]*\s(?i:{_OTHER_IDS})\s+(?i:number|no\b|#|date|id\b))"
        r"[^\t]{5,200}",
        "text",
    ),
    "statement_date": (
        r"Statement Date|Bill Date|Billing Date|Invoice Date|Date of Bill|Date Issued|Date Mailed|Issue Date|"
        rf"Date of Issue|Bill Issued|Statement Issued|Date Prepared|Issued{_BEFORE_A_DATE}",
        DATE,
        "date",
    ),
    "due_date": (
        r"(?:Payment )?Due Date|Pay By Date|Pay By|Payment Due(?: Date| By| On)?|Due By|Due On|Please Pay By|"
        rf"(?:Please )?Pay (?:on or )?before|(?:Total )?Amount due {_DUE_BY}|"
        rf"Due{_BEFORE_A_DATE}",  # `DUE: 08/23/2024`, `Due 14 October 2024`, `Due | MAY 11, 2025`
        DATE,
        "date",
    ),
    "previous_balance": (
        r"Previous (?:Statement |Account )?Balance|Balance from last bill|Prior Balance|Balance brought forward|"
        r"Last Bill(?: Amount)?|Opening Balance|Amount of (?:your )?last bill|Previous Bill(?: Amount)?|"
        r"Your last bill",
        MONEY,
        "money",
    ),
    "payments_and_credits": (
        # longer wordings first: the first alternative that matches at a cell's start is the label
        # `Payment Received 01/20/2025 - Thank You`, `Payment - Thank You 13/11/2024`: the payment's date is part of
        # its label; a box's heading cut after two lines may end at `Thank` (heldout-19-0342's `PAYMENTS` over
        # `RECEIVED - THANK` loaded as ok without its payments)
        r"Payments? since last bill|Payments and Credits|Payments/Credits|"
        rf"(?:Your )?Payments?(?: Received| Applied)?(?:(?: on)? {DATE})?(?: - Thank(?: You)?(?: {DATE})?)?|"
        r"Total Payments|"
        r"Less Payments?|"
        r"Paid since last bill|Paid - thank you|Thank you for your payment",
        MONEY,
        "money",
    ),
    "total_amount": (
        r"(?:Total )?(?:New|Current) Charges(?: Total)?|(?:Your )?(?:Total )?Charges This (?:Period|Bill)|"
        r"This (?:bill|period)(?:'|’)s charges|Current bill|"
        r"Current Invoice Charges|Total charges this bill|(?:Total )?Charges for this (?:period|bill)|"
        r"(?:Total )?Cost of this bill|This bill|Total this bill|Total for this bill|Total (?:amount )?of this bill|"
        r"Total Charges(?=[ \t]*(?::|\.{3,}|\(|$))",
        MONEY,
        "money",
    ),
    "amount_due": (
        # `Amount Due by Feb 17, 2025`: the due date inside the label (not `Amount Due After ...`, a late amount)
        rf"(?:Total )?Amount Due(?: {_DUE_BY} {DATE})?|"
        r"Please Pay|Total Due|Amount Now Due|(?:Total )?Balance Due|Balance to Pay|Amount to Pay|"
        r"Total to Pay|(?:Total )?Amount Payable|Balance Owing|Total Owing|Pay This Amount|New balance",
        MONEY,
        "money",
    ),
    "budget_instalment": (
        r"Budget (?:Billing |Plan )?(?:Amount|Instal?lment|Payment)|Level(?:ized|ised) (?:Payment|Billing)"
        r"(?: Amount)?|(?:Equal|Balanced) Payment Plan(?: Amount)?|Averaged? Monthly Billing(?: Amount)?",
        MONEY,
        "money",
    ),
    "budget_actual_charges": (r"(?:Your )?Actual Charges(?: This (?:Period|Month))?", MONEY, "money"),
    "budget_deferred_balance": (r"Deferred Balance|Budget Balance", MONEY, "money"),
}
PERIOD_LABELS = (
    r"Service Period|Billing Period|Service From|Period of Service|Billing Dates|Service Dates|Bill Period|"
    r"Billing Cycle|For Service(?: From)?|Supply Period|Period Covered|Usage Period|Period of Supply|"
    r"This Bill Covers|(?:Tax )?Invoice for the Period|"
    r"(?:Your )?(?:Statement|Charges|Bill|Invoice) for(?: the Period)?|For the Period|Period"
)


def _label_pattern(labels: str) -> re.Pattern[str]:
    """Labels at the start of a cell, then spaces, a colon or dotted leaders; never the start of a longer word."""
    return re.compile(
        rf"(?:{labels})(?![A-Za-z/])(?:[ \t]*\((?:incl|inc|including|excl|excluding)\b[^)]*\))?"
        r"[ \t]*:?[ \t]*(?:\.{3,}[ \t]*)?",
        re.IGNORECASE,
    )


_LABELS = {
    name: (
        _label_pattern(labels),
        re.compile(value, re.IGNORECASE if kind in ("date",) else 0),
        kind,
    )
    for name, (labels, value, kind) in VOCABULARY.items()
}
# A period printed as two fields: `Period from: 09/01/24` over `Period to: 04/02/24`, or `FROM` / `TO` cells.
PERIOD_START_LABELS = (
    r"(?:(?:Service|Billing|Bill|Supply|Usage|Read) )?Period From|(?:Period|Service|Billing) Start(?: Date)?|"
    r"(?:Service|Billing|Supply) From|Start Date|From(?: Date)?"
)
PERIOD_END_LABELS = (
    r"(?:(?:Service|Billing|Bill|Supply|Usage|Read) )?Period To|(?:Period|Service|Billing) End(?:ing)?(?: Date)?|"
    r"(?:Service|Billing|Supply) (?:To|Through)|End Date|To(?: Date)?|Through|Thru"
)


_PERIOD_LABEL = re.compile(rf"(?:{PERIOD_LABELS})[ \t]*:?[ \t]*(?:\.{{3,}}[ \t]*)?", re.IGNORECASE)
_RANGE = re.compile(RANGE, re.IGNORECASE)
# under a period's label in a row of facts, the next fact's date or number may share the range's cell: `03/11/2024
# to 06/12/2024 04/01/2025` (then the due date), `Sep 2, 2024 through Sep 27, 2024 3872515` (then the customer
# number). Not more words: an address's first line there (`... (31 days) 12 Oak St`) would leave the address read
# from its second line. The space after the range keeps its end whole (`02/05/2025` is not `02/05/20` and `25`).
_RANGE_THEN_FACT = re.compile(rf"{RANGE}(?:\s+(?:{DATE}|(?=\S*\d)\S+))?", re.IGNORECASE)
_DATE = re.compile(DATE, re.IGNORECASE)


# Many utilities (in Britain, Ireland, Australia, New Zealand) call the account a customer number. Where a
# bill also prints an account number, that is the account and the customer number another id.
CUSTOMER_NUMBER_LABELS = r"Customer (?:Number|No\.?|#|ID|Reference|Ref\.?)"
# `Balance forward` is the previous balance on some bills and what is left of it after the payments on
# others (see _balance_forward).
BALANCE_FORWARD_LABELS = r"Balance Forward"
_ACCOUNT_WORDING = re.compile(r"\b(?:account|acct)\.?\s*(?:number|no\b|#|ref|reference|id\b)", re.IGNORECASE)

_ANY_LABEL = re.compile(
    "|".join(f"(?:{labels})" for labels, _, _ in VOCABULARY.values())
    + f"|(?:{PERIOD_LABELS})|(?:{PERIOD_START_LABELS})|(?:{PERIOD_END_LABELS})|(?:{CUSTOMER_NUMBER_LABELS})"
    + f"|(?:{BALANCE_FORWARD_LABELS})",
    re.IGNORECASE,
)


_FIELD_LABELS = LabelSet(
    {
        **{name: label for name, (label, _, _) in _LABELS.items()},
        "bill_period": _PERIOD_LABEL,
        "period_start": _label_pattern(PERIOD_START_LABELS),
        "period_end": _label_pattern(PERIOD_END_LABELS),
        "customer_number": _label_pattern(CUSTOMER_NUMBER_LABELS),
        "balance_forward": _label_pattern(BALANCE_FORWARD_LABELS),
    }
)


# Several `Label: value` pairs drawn as one string (`Account No.: 123   Bill Date: 01/06/2025`), or a summary
# told in sentences (`Previous balance was $156.62. Payments/credits: ($156.62). This bill come to $151.09.`): a
# label inside a cell counts only with its colon or its verb, and its value runs to the next such label.
_VERBS = r"(?:was|were|is|comes? to|came to)"


def _named_labels(*fields: str) -> str:
    """The labels of every field of the vocabulary, then of `fields`, as one alternation with a group per field."""
    more = {"bill_period": PERIOD_LABELS, "balance_forward": BALANCE_FORWARD_LABELS}
    more |= {"period_start": PERIOD_START_LABELS, "period_end": PERIOD_END_LABELS}
    labels = [
        *((name, labels) for name, (labels, _, _) in VOCABULARY.items()),
        *((name, more[name]) for name in fields),
    ]
    return "|".join(f"(?P<{name}>{alternatives})" for name, alternatives in labels)


_INLINE_LABEL = re.compile(
    # the period's ends after the period's: `Period` before its colon is the period's label, `Period start` before
    # its own colon is the start's
    rf"(?:^|(?<=\s))(?:{_named_labels('bill_period', 'balance_forward', 'period_start', 'period_end')})"
    + rf"(?:[ \t]*:|(?P<_verb>[ \t]+{_VERBS}(?=[ \t])))",
    re.IGNORECASE,
)
_INLINE_VALUES = {
    **{name: value for name, (_, value, _) in _LABELS.items()},
    "bill_period": _RANGE,
    "balance_forward": _LABELS["previous_balance"][1],
    "period_start": _DATE,
    "period_end": _DATE,
}
_INLINE_FIELDS = (*VOCABULARY, "bill_period", "balance_forward", "period_start", "period_end")
# a verb with an amount after it: the cells worth trying the labels on (most sentences on a bill are not these)
_VERB = re.compile(rf"[ \t]+{_VERBS}[ \t]+[$£€(\d-]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])")


Placed = list[tuple[int, Line, int]]  # where each part of a text starts in it, its line, and where in that line


def _runs_on(line: Line, below: Line) -> bool:
    """`below` goes on with the sentence that ends `line`: the next line of a paragraph, starting under it."""
    return (
        below.page == line.page
        and abs(below.segments[0].bbox[0] - line.segments[0].bbox[0]) <= ALIGNED
        and line.top - below.top <= 2 * line.segments[0].height
    )


def _cells_and_sentences(document: Document, sentences: bool) -> Iterator[tuple[str, Placed, tuple[int, int]]]:
    """Each cell's text and where it is (line index, segment position); on a page of sentences, a cell alone on
    its line that ends mid-sentence goes on into the first cell of the next line (`... come to $219.55. TOTAL`
    over `AMOUNT DUE: $256.44.`, `... Total due:` over `$151.68.`)."""
    lines = document.lines
    carried: set[int] = set()  # lines whose first cell is the end of a sentence from the line above
    for index, line in enumerate(lines):
        for position, segment in enumerate(line.segments):
            if position == 0 and index in carried:
                continue
            text, placed = segment.text, [(0, line, segment.start)]
            last, follow = line, index + 1
            while (
                sentences
                and len(last.segments) == 1
                and follow < len(lines)
                and not text.endswith((".", "!", "?"))  # a label at the end (`Total due:`) has its value below
                and _runs_on(last, lines[follow])
                and _VERB.search(joined := f"{text} {lines[follow].segments[0].text}") is not None
            ):
                placed.append((len(text) + 1, lines[follow], lines[follow].segments[0].start))
                text = joined
                carried.add(follow)
                last, follow = lines[follow], follow + 1
            yield text, placed, (index, position)


def _place(placed: Placed, start: int, end: int) -> tuple[Line, int] | None:
    """The line and the offset in its text of the span [start, end) of a text, if the span is on one line."""
    at, line, offset = next(part for part in reversed(placed) if part[0] <= start)
    if any(at < part_start < end for part_start, _, _ in placed):
        return None
    return line, offset + start - at


def _inline_hits(document: Document) -> tuple[dict[str, list[Hit]], set[tuple[int, int]]]:
    """Values of the pairs in cells that hold two or more of them, or of a label and its verb, by field; and the
    cells (line index, segment position) whose first label's value was read so, which no label cell reads again:
    its value is not the rest of the cell (`12 Oak St, Fairhaven, OR 97123 Pay By: 2025-02-21` would pass for a
    service address)."""
    hits: dict[str, list[Hit]] = {}
    read_inline: set[tuple[int, int]] = set()
    sentences = _VERB.search(document.text) is not None  # one search of the page, not one per cell
    for cell, placed, where in _cells_and_sentences(document, sentences):
        told = sentences and _VERB.search(cell) is not None
        if cell.count(":") < 2 and not told:
            continue
        labels = list(_INLINE_LABEL.finditer(cell))
        if len(labels) < 2 and not (told and labels and labels[0]["_verb"]):
            continue
        for label, following in zip(labels, [*labels[1:], None], strict=True):
            name = next(field for field in _INLINE_FIELDS if label[field] is not None)
            end = following.start() if following is not None else len(cell)
            raw = cell[label.end() : end]
            text = raw.strip().removesuffix(".")  # the end of a sentence
            value = _INLINE_VALUES[name].fullmatch(text)
            if value is None and (stop := _SENTENCE_END.search(text)) is not None:
                # the next sentence starts on the same line, with no label of its own (`... come to $65.01.
                # TOTAL` over `AMOUNT DUE: $65.01.`)
                text = text[: stop.start()]
                value = _INLINE_VALUES[name].fullmatch(text)
            if value is None:
                continue
            start = label.end() + len(raw) - len(raw.lstrip())
            value_at, label_at = _place(placed, start, start + len(text)), _place(placed, label.start(), label.start())
            if value_at is None or label_at is None:
                continue  # a value broken over two lines
            (line, value_start), (label_line, label_start) = value_at, label_at
            groups = groups_of(value)
            source = cell[label.start() : start + len(text)] if label_line is not line else None
            hit = Hit(text, line, value_start, value_start + len(text), label_line, label_start, groups, source)
            hits.setdefault(name, []).append(hit)
            if label.start() == 0:
                read_inline.add(where)
    return hits, read_inline


# Pairs set so close that they share a cell, with no colon or verb between them (`ACCOUNT # 769-185-916 STATEMENT
# DATE 23 December 2023`): a label followed by a space (or ending the cell: its value the next one), anywhere a word
# starts.
_BARE_LABEL = re.compile(
    rf"(?:^|(?<=\s))(?:{_named_labels('bill_period', 'balance_forward')})(?=[ \t]|$)", re.IGNORECASE
)
_BARE_FIELDS = (*VOCABULARY, "bill_period", "balance_forward")  # not the period's ends: `to` and `from` are words
_FIGURE_THEN_WORD = re.compile(r"\d[^\t]*\s[A-Za-z]")  # every value holds a figure; a label after it, a word


# A row of labels set so close that they share a cell, over a row of their values (`Previous Balance Payments New
# Charges Amount Due` over `$120.00 -$120.00 $50.00 $50.00`).
_ONE_LABEL = re.compile(_named_labels("bill_period"), re.IGNORECASE)
ALIGNED_UNDER = 2.0  # points: a value starts, ends or is centred where its label does


def _labels_sharing_a_cell(document: Document, starts: list[tuple[int, int]]) -> dict[str, list[Hit]]:
    """Values under labels that share a cell, by field. Of the ways to split the cell into labels, every word a
    label's (`Current Charges | Total Due` or `Current Charges Total | Due`), the one under whose every label one
    word of the line below stands, in order (starting where it starts, ending where it ends or centred under it),
    that is a value of the label's field. Where no split gives values so, or two give different ones, nothing is
    read (no value is guessed from a label it only overlaps)."""
    hits: dict[str, list[Hit]] = {}
    for index, position in starts:
        line = document.lines[index]
        segment = line.segments[position]
        if (
            _DIGIT.search(segment.text) is not None
            or not 0 < segment.text.count(" ") <= 12
            or _ONE_LABEL.fullmatch(segment.text.removesuffix(":")) is not None
        ):
            continue  # a row of labels holds no figures, two words at least and not many, and more than one label
        end = segment.start + len(segment.text)
        words = [(start, stop, box) for start, stop, box in line.words if segment.start <= start < end]
        below = next(lines_below(document, index), None)
        if below is None:
            continue
        readings: list[list[tuple[str, Hit]]] = []
        for runs in _label_splits(line, words):
            spans = [(words[start][2][0], 0.0, words[stop - 1][2][2], 0.0) for start, stop, _ in runs]
            values = [[word for word in below.words if any(ok(word[2], span) for ok in _ALIGNMENTS)] for span in spans]
            if any(len(value) != 1 for value in values) or any(a[0][1] > b[0][0] for a, b in pairwise(values)):
                continue
            reading = []
            for (start, _, name), ((value_start, value_end, _),) in zip(runs, values, strict=True):
                text = below.text[value_start:value_end]
                if (found := _INLINE_VALUES[name].fullmatch(text)) is None:
                    break  # `$50.00` under `Due`: not a date, not this split
                groups = groups_of(found)
                reading.append((name, Hit(text, below, value_start, value_end, line, words[start][0], groups)))
            else:
                readings.append(reading)
        if not readings or any(_told(reading) != _told(readings[0]) for reading in readings):
            continue  # no split has its values under its labels, or two read differently: nothing is guessed
        for name, hit in readings[0]:
            hits.setdefault(name, []).append(hit)
    return hits


def _told(reading: list[tuple[str, Hit]]) -> list[tuple[str, int]]:
    """What a reading of labels sharing a cell says: each field and where its value is."""
    return [(name, hit.start) for name, hit in reading]


def _label_splits(line: Line, words: list[tuple[int, int, BBox]]) -> list[list[tuple[int, int, str]]]:
    """Every way to split `words` into two labels or more, each as (start, stop, field); at most 16."""
    names: dict[tuple[int, int], str] = {}
    for start in range(len(words)):
        for stop in range(start + 1, len(words) + 1):
            text = line.text[words[start][0] : words[stop - 1][1]].removesuffix(":")
            if (match := _ONE_LABEL.fullmatch(text)) is not None and match.lastgroup is not None:
                names[(start, stop)] = match.lastgroup
    splits: list[list[tuple[int, int, str]]] = []

    def extend(runs: list[tuple[int, int, str]], start: int) -> None:
        if start == len(words):
            if len(runs) > 1:
                splits.append(runs)
            return
        for stop in range(start + 1, len(words) + 1):
            if (name := names.get((start, stop))) is not None and len(splits) < 16:
                extend([*runs, (start, stop, name)], stop)

    if any(start == 0 for start, _ in names):
        extend([], 0)
    return splits


def _starts_under(box: BBox, span: BBox) -> bool:
    return abs(box[0] - span[0]) <= ALIGNED_UNDER


def _ends_under(box: BBox, span: BBox) -> bool:
    return abs(box[2] - span[2]) <= ALIGNED_UNDER


def _centred_under(box: BBox, span: BBox) -> bool:
    return abs((box[0] + box[2]) - (span[0] + span[2])) <= 2 * ALIGNED_UNDER


_ALIGNMENTS = (_starts_under, _ends_under, _centred_under)


def _chained_pairs(
    document: Document, starts: list[tuple[int, int]]
) -> tuple[dict[str, list[Hit]], set[tuple[int, int]]]:
    """Values of pairs set so close that they share a cell, by field, when every label's value is whole up to the
    next label; and the label cells (of `starts`, the cells a label starts) they were read from, which no label
    cell reads again. Either the cell starts with a label and holds others (`Account Number 1234-5678 Statement
    Date 02/07/2025`), or a label alone in its cell has a value that runs into another pair of the next column
    (`Service Address` | `12 Oak St ... OR 97123 Date Issued 7 February 2025`, the last value perhaps a cell of its
    own): the first label's value is not the rest of the cell (`12 Oak St Due Date 02/21/2025` would pass for a
    service address)."""
    hits: dict[str, list[Hit]] = {}
    chained: set[tuple[int, int]] = set()
    for index, position in starts:
        line = document.lines[index]
        segment = line.segments[position]
        if _FIGURE_THEN_WORD.search(segment.text) is not None:  # most label cells: one value, nothing after it
            labels = list(_BARE_LABEL.finditer(segment.text))
            if len(labels) < 2 or labels[0].start() != 0:
                continue
            pairs = _pairs_in(line, position, _fields_of(labels), None)
        elif position + 1 < len(line.segments) and (
            figure := _FIGURE_THEN_WORD.search(cell := line.segments[position + 1].text)
        ):
            bare = segment.text.rstrip(" \t:")
            label = _BARE_LABEL.match(bare)
            if label is None or label.end() < len(bare):
                continue  # not a label alone in its cell (`Service Address:`)
            labels = list(_BARE_LABEL.finditer(cell, figure.start() + 1))  # the next label comes after a figure
            if not labels:
                continue
            first = (_fields_of([label])[0][0], 0, 0)
            pairs = _pairs_in(line, position + 1, [first, *_fields_of(labels)], segment.start)
        else:
            continue
        if pairs is not None:
            chained.add((index, position))
            for name, hit in pairs:
                hits.setdefault(name, []).append(hit)
    return hits, chained


def _labels_inside_a_cell(document: Document) -> dict[str, list[Hit]]:
    """Values of labels a cell holds after other words, where what is printed tells them labels: dotted leaders on to
    the value at the cell's end (in Courier a space parts an address from `Issue date ...... 28/05/2025`, one cell,
    and heldout-29-0072 loaded as ok without its statement date); or, the value the whole next cell, the label after
    another value's figures (`... Newtown NSW 2042 Date issued | 11-Jul-2025`, heldout-41-0157) or in type of another
    size (SIZE_STEP) than all the cell's words before (a 16-point name and an 8-point label on its baseline a space
    apart: `Clearwater Township Water & Sewer Issue Date | Feb 26, 2025`, and fourth-29-0335 and fourth-31-0076
    loaded as ok without their statement date)."""
    hits: dict[str, list[Hit]] = {}
    for line in document.lines:
        leaders = "..." in line.text
        if not leaders and len(line.segments) < 2:
            continue  # most lines: one cell, no leaders
        mixed = cache(partial(_sizes_mixed, line))  # looked at only where no figure tells a label
        for segment, after in zip(line.segments, [*line.segments[1:], None], strict=True):
            found = _labels_before_leaders(line, segment) if leaders and "..." in segment.text else []
            if after is not None and (ending := _label_ending_a_cell(line, segment, after, mixed)) is not None:
                found.append(ending)
            for name, hit in found:
                hits.setdefault(name, []).append(hit)
    return hits


def _sizes_mixed(line: Line) -> bool:
    """Whether a line holds type of two sizes (SIZE_STEP apart)."""
    heights = [box[3] - box[1] for _, _, box in line.words]
    return bool(heights) and other_size(min(heights), max(heights), SIZE_STEP)


_LEADERS_TO_THE_END = re.compile(r"[ \t]*\.{3,}[ \t]*(?P<value>\S.*)$")


def _labels_before_leaders(line: Line, segment: Segment) -> list[tuple[str, Hit]]:
    """The labels after other words in `segment` followed by leaders and a value to the cell's end, by field."""
    found = []
    for label in _BARE_LABEL.finditer(segment.text):
        if label.start() == 0 or (leaders := _LEADERS_TO_THE_END.match(segment.text, label.end())) is None:
            continue  # a label that starts its cell is read as such
        ((name, _, _),) = _fields_of([label])
        if (value := _INLINE_VALUES[name].fullmatch(leaders["value"])) is not None:
            start, text = segment.start + leaders.start("value"), leaders["value"]
            hit = Hit(text, line, start, start + len(text), line, segment.start + label.start(), groups_of(value))
            found.append((name, hit))
    return found


def _label_ending_a_cell(
    line: Line, segment: Segment, after: Segment, mixed: Callable[[], bool]
) -> tuple[str, Hit] | None:
    """The label ending `segment` after other words, and its value, `after`: where the word before it holds figures
    (another value's end, in a cell that starts with no date: a ledger's row does), or the label is type of another
    size than all the words before it (`mixed`: the line's sizes are). Not `Previous Amount Due`, one type: the words
    before a label may make it another's."""
    text = segment.text.rstrip(" :")
    # nothing to tell a label, or a ledger's row (`5 December 2023 PAYMENTS | 0.00`: _cells_after_dates)
    if (_FIGURE_THEN_WORD.search(text) is None and not mixed()) or _leading_date(text):
        return None
    label = next((m for m in _BARE_LABEL.finditer(text) if m.end() == len(text) and m.start() > 0), None)
    if label is None:
        return None
    at, before_words = segment.start + label.start(), text[: label.start()].split()
    if not before_words or _DIGIT.search(before_words[-1]) is None:
        heights = _word_heights(line, segment)
        before = [height for start, _, height in heights if start < at]
        labelled = [height for start, _, height in heights if start >= at]
        if not mixed() or not all(other_size(earlier, later, SIZE_STEP) for earlier in before for later in labelled):
            return None  # a name and a label in one type, or the sizes mixed
    ((name, _, _),) = _fields_of([label])
    if (value := _INLINE_VALUES[name].fullmatch(after.text)) is None:
        return None
    return name, Hit(after.text, line, after.start, after.start + len(after.text), line, at, groups_of(value))


def _fields_of(labels: list[re.Match[str]]) -> list[tuple[str, int, int]]:
    """(field, start, end) of each label found by _BARE_LABEL."""
    return [(next(field for field in _BARE_FIELDS if label[field] is not None), *label.span()) for label in labels]


def _pairs_in(
    line: Line, position: int, labels: list[tuple[str, int, int]], label_start: int | None
) -> list[tuple[str, Hit]] | None:
    """Each label's value in the cell at `position`, from its end up to the next label; the last label's, when
    nothing follows it there, the next cell. None unless every value is whole. `label_start`: where the first
    label was printed, when it is not in this cell."""
    segment = line.segments[position]
    cell = segment.text
    pairs: list[tuple[str, Hit]] = []
    for (name, start, end), following in zip(labels, [*labels[1:], None], strict=True):
        raw = cell[end : following[1] if following is not None else len(cell)]
        value_start = segment.start + end
        if following is None and not raw.strip() and position + 1 < len(line.segments):
            raw = line.segments[position + 1].text  # `Date Issued` | `7 February 2025`: its value a cell on
            value_start = line.segments[position + 1].start
        value_start += len(raw) - len(raw.lstrip())
        text = raw.strip()
        if (value := _INLINE_VALUES[name].fullmatch(text)) is None:
            return None
        labelled = label_start if label_start is not None and not pairs else segment.start + start
        pairs.append((name, Hit(text, line, value_start, value_start + len(text), line, labelled, groups_of(value))))
    return pairs


# A row of headings over a row of values may wrap its headings onto a second line (`Payments received -` over
# `thank you`, `Balance from last` over `bill`), the box's sign before the second line's words (`- payment`,
# `+ charges`) or alone (`+`, `=`).
_DIGIT = re.compile(r"\d")
_BOX_SIGN = re.compile(r"^[-+=−][ \t]*")


def _heading_field(texts: Iterable[str]) -> tuple[str, re.Pattern[str], str] | None:
    """The field whose label is the whole of one of `texts`, its value pattern, and that text."""
    for text in texts:
        for name, (label, value, _) in _LABELS.items():
            if (match := label.match(text)) is not None and match.end() == len(text):
                return name, value, text
    return None


def _wrapped_heading_hits(document: Document) -> tuple[dict[str, list[Hit]], set[tuple[int, int]]]:
    """Values under headings printed over two lines, each heading read whole with the words under it; and the
    cells of those second lines (line, position), which are no labels of their own (`LAST BILL` under `PAYMENTS
    SINCE`)."""
    hits: dict[str, list[Hit]] = {}
    second_lines: set[tuple[int, int]] = set()
    lines = document.lines
    for index in range(len(lines) - 2):
        headings, wrapped = lines[index], lines[index + 1]
        if (
            len(headings.segments) < 2
            or wrapped.page != headings.page
            or _DIGIT.search(headings.text)
            or _DIGIT.search(wrapped.text)
            or headings.top - wrapped.top > 2 * max(segment.height for segment in headings.segments)
        ):
            continue
        for heading in headings.segments:
            left, right = heading.bbox[0], heading.bbox[2]
            overlapping = [
                (position, segment)
                for position, segment in enumerate(wrapped.segments)
                if segment.bbox[0] < right and segment.bbox[2] > left
            ]
            under = [segment.text for _, segment in overlapping]
            unsigned = " ".join(word for text in under if (word := _BOX_SIGN.sub("", text)))
            if not unsigned:
                continue  # not wrapped: the labels at the start of a cell read it
            # the box's sign left out (`Thank you for your` over `- payment`), or kept: a dash of the label's own
            # (`Payments received` over `- thank you`)
            field = _heading_field((f"{heading.text} {unsigned}", f"{heading.text} {' '.join(under)}"))
            if field is None:
                continue
            name, value, text = field
            second_lines.update((index + 1, position) for position, _ in overlapping)
            for line, start, end in cells_below(document, index + 1, left, right):
                cell = line.text[start:end].strip()
                if value.fullmatch(cell):
                    cell_start = line.text.index(cell, start)
                    source = f"{text} / {cell}"  # the heading whole, as it was read
                    hit = Hit(cell, line, cell_start, cell_start + len(cell), headings, heading.start, source=source)
                    hits.setdefault(name, []).append(hit)
                    break
    return hits, second_lines


def _wrapped_label_hits(document: Document) -> tuple[dict[str, list[Hit]], set[tuple[int, int]]]:
    """Values beside labels wrapped in their cells, each label read whole: a table of labels and values too narrow
    for its labels (`Account` over `Number:` beside `3673-537762-4`; the label was not found, and without `Service`
    over `Address:` the bill's `$` was told no country); and those labels' second lines, no labels of their own."""
    hits: dict[str, list[Hit]] = {}
    second_lines: set[tuple[int, int]] = set()
    lines = document.lines
    for index in range(len(lines) - 1):
        row, wrapped = lines[index], lines[index + 1]
        label, under = row.segments[0], wrapped.segments[0]
        if (
            not _at_a_cells_leading(label.bbox[1], under.bbox[3], label.height)
            or len(row.segments) < 2
            or wrapped.page != row.page
            or _DIGIT.search(under.text)
        ):
            continue
        value = row.segments[1]
        if (
            abs(under.bbox[0] - label.bbox[0]) > WRAP_EDGE
            or under.bbox[2] >= value.bbox[0]
            or _heading_field((label.text.strip().removesuffix(":"),)) is not None  # a label whole on its line
        ):
            continue
        whole = f"{label.text.strip()} {under.text.strip()}".removesuffix(":")
        field = _heading_field((whole,))
        if field is None or not field[1].fullmatch(text := value.text.strip()):
            continue
        name = field[0]
        second_lines.add((index + 1, 0))
        start = row.text.index(text, value.start)
        source = f"{whole}: {text}"  # the label whole, as it was read
        hits.setdefault(name, []).append(Hit(text, row, start, start + len(text), row, label.start, source=source))
    return hits, second_lines


def _currency_unsettled(draft: Draft) -> bool:
    """Whether _currency left the currency a guess (currency_unsettled)."""
    return any(note.code == "currency_unsettled" for note in draft.notes)


def _dollar_of_the_address(document: Document, draft: Draft) -> None:
    """A bare `$` told by the service address read whole, where the page's text alone names no country: its ZIP
    wrapped onto a line of its own (`..., Brookside, WA` over `98012`) left the bill in review."""
    address = draft.value("service_address")
    if not _currency_unsettled(draft) or not isinstance(address, str) or "$" not in document.text:
        return
    settled = _dollar_country(f"{document.text}\n{address}", _CURRENCY_CUE.search(document.text) is not None)
    if settled is None:
        return
    currency, reason = settled
    draft.notes = [note for note in draft.notes if note.code != "currency_unsettled"]
    first = document.lines[0]
    draft.fields["currency"] = Found(
        currency, Provenance(method=METHOD, page=first.page, source_text=f"{reason} ({address})", confidence=0.8)
    )


def is_label(text: str) -> bool:
    """A cell that is itself one of the labels (a heading row above a row of values)."""
    return _ANY_LABEL.fullmatch(text.strip().rstrip(":")) is not None


def _label_or_labelled(text: str) -> bool:
    """A label, or a label and its value (`AMOUNT DUE BY: 23/07/2024` beside `SERVICE LOCATION:`), or a date or a
    range of them: another field's cell, never an address. Passed over, the address under its label is read: beside
    `PREMISES ADDRESS:` stood the period's value of the label above (`2 Mar 2025 - 31 Mar 2025 (30 days)`), and
    third-17-0088 loaded as ok without its address."""
    return (
        is_label(text) or _INLINE_LABEL.match(text) is not None or bool(_RANGE.fullmatch(text) or _DATE.fullmatch(text))
    )


def _parse(kind: str, text: str, date_formats: tuple[str, ...]) -> Any:
    if kind == "money":
        return US.parse_money(text)
    if kind == "date":
        return parse_date(text, date_formats)
    return " ".join(text.split())


# --- numeric date order ------------------------------------------------------------------------------

MONTH_FIRST = DEFAULT_DATE_FORMATS
DAY_FIRST = tuple(fmt.replace("%m/%d/", "%d/%m/") for fmt in DEFAULT_DATE_FORMATS)
_NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")


def _date_orders(document: Document) -> list[tuple[str, ...]]:
    """The readings of 03/04/2025 this document allows: a bill from an unknown provider may be day-first.

    A date with a first number over 12 can only be day-first, one with a second number over 12 only
    month-first. When every numeric date could be either, both readings are returned, for
    `_dated_fields` to judge by their consistency.
    """
    pairs = [(int(m.group(1)), int(m.group(2))) for m in _NUMERIC_DATE.finditer(document.text)]
    month_first = all(first <= 12 for first, _ in pairs)
    day_first = all(second <= 12 for _, second in pairs)
    if all(first == second for first, second in pairs):  # no numeric dates, or all read the same either way
        return [MONTH_FIRST]
    orders = [order for order, possible in ((MONTH_FIRST, month_first), (DAY_FIRST, day_first)) if possible]
    return orders or [MONTH_FIRST]  # dates that fit neither reading: the default, and the audits judge


# The formats no order of day and month can misread: `2 April 2024`, `Apr 2, 2024`, `2024-04-02`.
_DATE_IN_WORDS = re.compile(
    date_regex(tuple(fmt for fmt in DEFAULT_DATE_FORMATS if not fmt.startswith("%m/%d/"))), re.IGNORECASE
)


def _order_of_dates_in_words(document: Document) -> tuple[str, ...] | None:
    """The order in which the numeric dates are dates the bill also prints in words, where only one order makes any
    of them one: fourth-17-0381 printed its period as `2 April 2024 to 5 May 2024` and its meter's reads as
    `02/04/2024 05/05/2024`, and went to review as ambiguous."""
    in_words = set()
    for match in _DATE_IN_WORDS.finditer(document.text):
        with suppress(ValueError):
            in_words.add(parse_date(match.group(0)))
    if not in_words:
        return None
    month_first = day_first = False
    for match in _NUMERIC_DATE.finditer(document.text):
        if match.group(1) == match.group(2):
            continue  # the same date either way
        with suppress(ValueError):
            month_first |= parse_date(match.group(0), MONTH_FIRST) in in_words
            day_first |= parse_date(match.group(0), DAY_FIRST) in in_words
    if month_first == day_first:
        return None
    return MONTH_FIRST if month_first else DAY_FIRST


def _dates_consistent(draft: Draft) -> bool:
    """Statement after the period, due after the statement, a monthly to quarterly period: a sane reading. With no
    statement date, due after the period within as long as both allow: heldout-43-0035's `04/08/2024 – 06/09/2024`,
    due `04/10/2024`, read as month/day, put the due date two days into the period, and the bill went to review
    (ambiguous_date_order)."""
    start, end = draft.value("bill_period_start"), draft.value("bill_period_end")
    statement, due = draft.value("statement_date"), draft.value("due_date")
    if start is None or end is None or not 20 <= (end - start).days <= 100:
        return False
    if statement is None:
        return due is None or 0 < (due - end).days <= _STATEMENT_AFTER_PERIOD + _DUE_AFTER_STATEMENT
    if not 0 <= (statement - end).days <= _STATEMENT_AFTER_PERIOD:
        return False
    return due is None or 0 < (due - statement).days <= _DUE_AFTER_STATEMENT


_STATEMENT_AFTER_PERIOD, _DUE_AFTER_STATEMENT = 45, 60  # days, at most


# --- scalar fields -----------------------------------------------------------------------------------


def _values_sharing_a_cell(document: Document, label_cells: list[LabelCell], value: re.Pattern[str]) -> list[Hit]:
    """Values under their labels that share a cell with the value before them, the columns printed too close
    (`27-Aug-2025 - 28-Sep-2025 (33 days) 06-Oct-2025` under `Bill period | Bill issued`): read from the first
    word under the label to the end of that cell."""
    hits: list[Hit] = []
    for index, position, label_end in label_cells:
        label_line = document.lines[index]
        label = label_line.segments[position]
        if label.text[label_end:].strip():
            continue  # the value is in the label's own cell
        left, right = label.bbox[0], label.bbox[2]
        for line in lines_below(document, index):
            start = next((start for start, _, box in line.words if left - 2 <= box[0] <= right), None)
            if start is None:
                continue
            cell = line.segment_at(start)
            if start > cell.start:  # a cell of its own is what values_after tried
                text = line.text[start : cell.start + len(cell.text)].strip()
                if value.fullmatch(text):
                    hits.append(Hit(text, line, start, start + len(text), label_line, label.start))
            break
    return hits


def _fields(
    document: Document,
    draft: Draft,
    date_formats: tuple[str, ...],
    label_cells: dict[str, list[LabelCell]],
    other_hits: dict[str, list[Hit]],  # values not at a label's cell: in sentences, under wrapped headings
    after_dates: Callable[[], dict[str, list[LabelCell]]],
) -> None:
    payments_listed: list[tuple[Any, Hit]] = []  # the payments' values at their labels, to be summed
    for name, (_, value, kind) in _LABELS.items():
        parsed: list[tuple[Any, Hit]] = []
        not_the_value = _label_or_labelled if name == "service_address" else is_label
        at_labels = values_after(document, label_cells[name], value, is_label=not_the_value)
        hits = [*at_labels, *other_hits.get(name, [])]
        if name == "service_address":  # a date range or an id under the label is another field's value
            hits = [
                hit
                for hit in hits
                if not (_RANGE.fullmatch(hit.text) or _DATE.fullmatch(hit.text)) and _starts_under_its_label(hit)
            ]
            if not hits:
                hits = _house_named(document, label_cells[name])
        if name == "account_number" and not hits and not _ACCOUNT_WORDING.search(document.text):
            hits = values_after(document, label_cells["customer_number"], value, is_label=is_label)
        if not hits and kind in ("date", "money"):
            hits = _values_sharing_a_cell(document, label_cells[name], value)
        if not hits and name in _LEDGER_FIELDS:
            hits = values_after(document, after_dates()[name], value, is_label=is_label)
        for hit in hits:
            try:
                result = _parse(kind, hit.text, date_formats)
            except (ValueError, InvalidOperation):
                continue
            if name == "payments_and_credits" and isinstance(result, Decimal):
                result = abs(result)  # printed as a credit or a positive amount: the model keeps it positive
            parsed.append((result, hit))
        if not parsed:
            continue
        if name == "payments_and_credits":
            parsed = _total_of_the_others(parsed)
            payments_listed = [(found, hit) for found, hit in parsed if any(hit is other for other in at_labels)]
        value_found, hit = parsed[0]
        several = name == "payments_and_credits" and _paid_on_several_dates(payments_listed)
        if len(parsed) > 1 and (len({repr(v) for v, _ in parsed}) > 1 or several):
            confidence = CONFLICTED
            draft.notes.append(
                AuditResult(
                    code="ambiguous_field",
                    severity=Severity.WARNING,
                    message=f"{name.replace('_', ' ')} has several candidates: "
                    + ", ".join(sorted(str(v) for v, _ in parsed)),
                    details={"field": name, "values": sorted({str(v) for v, _ in parsed})},
                )
            )
        else:
            confidence = CONFIRMED if len(parsed) > 1 else FOUND
        provenance = hit.provenance(METHOD, confidence)
        if name == "service_address":
            value_found, provenance = _address_with_locality(document, hit, value_found, provenance)
        draft.fields[name] = Found(value_found, provenance)
    if "previous_balance" not in draft.fields:
        _balance_forward(document, draft, label_cells["balance_forward"], other_hits.get("balance_forward", []))
    if len(payments_listed) > 1:
        _payments_one_by_one(document, draft, payments_listed)


def _paid_on_several_dates(listed: list[tuple[Any, Hit]]) -> bool:
    """Payments at labels dated apart (`Payment Aug 1, 2024 ($196.24)`, `Payment Aug 9, 2024 ($196.24)`): several
    payments, whatever their amounts. Two of one amount read as one payment printed twice, and bills loaded as ok
    with half the payments."""
    dates = set()
    for _, hit in listed:
        label = hit.label_line.text[hit.label_start :].split("\t")[0]
        if (found := _DATE.search(label)) is not None:
            dates.add(found.group())
    return len(dates) > 1


def _payments_one_by_one(document: Document, draft: Draft, listed: list[tuple[Decimal, Hit]]) -> None:
    """Payments listed one by one with no total (`Payment 2024-01-13  $66.67 CR`, `Payment 2024-01-22  $108.77 CR`):
    their sum, where the account summary balances with it (or with it and an adjustment printed beside them), and
    with none of them alone. Taken one, the summary did not balance, and such bills went to review."""
    previous, new, due = (draft.value(name) for name in ("previous_balance", "total_amount", "amount_due"))
    rows = list({(hit.line.page, id(hit.line), hit.start): (value, hit) for value, hit in listed}.values())
    if previous is None or new is None or due is None or len(rows) < 2:
        return
    if any(previous - value + new == due for value, _ in rows):
        return
    total = sum((value for value, _ in rows), Decimal(0))
    adjusted = None
    if (
        previous - total + new != due
        and (adjusted := _adjustments_closing(document, previous - total + new, due)) is None
    ):
        return
    draft.fields["payments_and_credits"] = Found(total, _summed([hit for _, hit in rows]))
    draft.notes = [
        note
        for note in draft.notes
        if not (note.code == "ambiguous_field" and note.details.get("field") == "payments_and_credits")
    ]
    if adjusted is not None:
        draft.fields["adjustments"] = adjusted


# Account activity besides payments, in an account summary: read only where the summary does not balance without it
# (see _adjustments), so its labels are no label to the other fields (a `Late payment fee` among the charges is one).
_ADJUSTMENT_LABELS = LabelSet(
    {
        "adjustments": _label_pattern(
            r"Late Payment (?:Charges?|Fees?)|Late (?:Fees?|Charges?)"
            r"|Returned (?:Payment|Check|Cheque) (?:Fees?|Charges?)"
            r"|Credits and Adjustments|Adjustments and Credits|(?:Account |Billing |Prior Period )?Adjustments?"
            r"|Other Charges and Credits|Other Account Activity"
        ),
        # a credit, whichever sign it is printed with
        "credits": _label_pattern(
            r"(?:Other |Miscellaneous |Account |Bill(?:ing)? )?Credits?(?: Applied)?|Adjustment Credits?"
        ),
    }
)


def _adjustments(document: Document, draft: Draft) -> None:
    """A late payment charge or an adjustment in the account summary (`Late Payment Charge  $1.50`, `Adjustments
    -$3.25`), where the summary balances with it and not without it: such bills went to review (balance_mismatch).
    A late fee among this period's charges or in a notice (`Late fee after 02/21/2025: $5.00`) is no part of the
    balance, and is left alone."""
    previous, paid, new, due = (
        draft.value(name) for name in ("previous_balance", "payments_and_credits", "total_amount", "amount_due")
    )
    if "adjustments" in draft.fields or any(value is None for value in (previous, paid, new, due)):
        return
    if previous - paid + new != due and (found := _adjustments_closing(document, previous - paid + new, due)):
        draft.fields["adjustments"] = found


def _adjustments_closing(document: Document, without: Decimal, due: Decimal) -> Found | None:
    """The adjustments that take the balance from `without` them to `due`: one figure, or all of them together (a
    late fee and a returned-payment fee). A credit's label makes its figure a credit, whatever its sign."""
    hits: list[tuple[Decimal, Hit]] = []
    labels = _ADJUSTMENT_LABELS.scan(document)
    over_labels = _figures_over_labels(document, labels)
    for name, label_cells in labels.items():
        at_labels = values_after(document, label_cells, _LABELS["total_amount"][1], is_label=is_label)
        for hit in [*at_labels, *over_labels.get(name, [])]:
            try:
                value = US.parse_money(hit.text)
            except (ValueError, InvalidOperation):
                continue
            hits.append((-abs(value) if name == "credits" else value, hit))
    distinct = list({(hit.line.page, hit.line.text, hit.start): (value, hit) for value, hit in hits}.values())
    for value, hit in distinct:
        if without + value == due:
            return Found(value, hit.provenance(METHOD, FOUND))
    total = sum((value for value, _ in distinct), Decimal(0))
    if len(distinct) < 2 or without + total != due:
        return None
    return Found(total, _summed([hit for _, hit in distinct]))


def _summed(hits: list[Hit]) -> Provenance:
    """The provenance of a value that is the sum of several printed ones: the first's page, the box around those on
    it, and each one's source text."""
    provenances = [hit.provenance(METHOD, FOUND) for hit in hits]
    boxes = [p.bbox for p in provenances if p.bbox is not None and p.page == provenances[0].page]
    return provenances[0].model_copy(
        update={
            "bbox": union(boxes) if boxes else None,
            "source_text": " + ".join(p.source_text or "" for p in provenances),
        }
    )


def _total_of_the_others(parsed: list[tuple[Any, Hit]]) -> list[tuple[Any, Hit]]:
    """Payments listed one by one and then their total (`Payment 01/05/2025  -$20.00`, `Payment 01/20/2025  -$30.00`,
    `Total Payments  -$50.00`): the total, alone, where one value is the sum of all the others."""
    values = [value for value, _ in parsed]
    for value, hit in parsed:
        others = [other for other in values if other != value]
        if len(others) > 1 and sum(others) == value:
            return [(value, hit)]
    return parsed


# A ledger dates its rows: `November 23, 2023  Last bill amount   $4,559.45`, the date in the label's cell
# where the columns sit close.
_LEDGER_FIELDS = ("previous_balance", "payments_and_credits", "total_amount", "amount_due")
_LEADING_DATE = re.compile(rf"(?:{DATE})\s*", re.IGNORECASE)


def _leading_date(text: str) -> re.Match[str] | None:
    """A date starting `text`, one that reads as a date: `Flat 3, 1512 Church Walk` has the shape of `Mar 3, 2025`
    (heldout-53-0373's address, before `Pay on or before`, was taken for a ledger row's date)."""
    if (found := _LEADING_DATE.match(text)) is None:
        return None
    for formats in (MONTH_FIRST, DAY_FIRST):
        with suppress(ValueError):
            parse_date(found.group().strip(), formats)
            return found
    return None


def _cells_after_dates(document: Document) -> dict[str, list[LabelCell]]:
    """The ledger fields' labels that follow a date in their cell, by field, as label cells ending where the
    label does: one scan of the page for every field and both date orders (see _dated_fields)."""
    cells: dict[str, list[LabelCell]] = {name: [] for name in _LEDGER_FIELDS}
    for index, line in enumerate(document.lines):
        for position, segment in enumerate(line.segments):
            if (date := _leading_date(segment.text)) is None:
                continue
            for name in _LEDGER_FIELDS:
                if match := _LABELS[name][0].match(segment.text, date.end()):
                    cells[name].append((index, position, match.end()))
    return cells


def _balance_forward(document: Document, draft: Draft, label_cells: list[LabelCell], told: list[Hit]) -> None:
    """`Balance forward` is the previous balance on some bills and what is left of it after the payments
    on others: it is taken for the previous balance when no payments are listed, or when the summary
    balances with it taken so. `told`: its values in sentences (`Balance forward was $322.43.`)."""
    for hit in [*values_after(document, label_cells, _LABELS["previous_balance"][1], is_label=is_label), *told]:
        try:
            forward = US.parse_money(hit.text)
        except (ValueError, InvalidOperation):
            continue
        paid, due, new = (draft.value(name) for name in ("payments_and_credits", "amount_due", "total_amount"))
        adjusted = None  # what closes the balance with it taken so, besides payments (a late fee)
        if paid and (due is None or new is None or forward - paid + new != due):
            if due is None or new is None:
                return
            if (adjusted := _adjustments_closing(document, forward - paid + new, due)) is None:
                return
        draft.fields["previous_balance"] = Found(forward, hit.provenance(METHOD, FOUND))
        if adjusted is not None:
            draft.fields["adjustments"] = adjusted
        return


# Australia's states and territories, and Canada's provinces and territories, as their postcodes follow them.
_AU_STATES = "NSW|VIC|QLD|SA|WA|TAS|ACT|NT"
_CA_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
_CA_POSTCODE = r"[A-Z]\d[A-Z] ?\d[A-Z]\d"
_US_ZIP = r"\d{5}(?:-\d{4})?"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_EIRCODE = r"[AC-FHKNPRTV-Y]\d{2} ?[0-9AC-FHKNPRTV-Y]{4}"
# The town line of an address, ending in a US ZIP, a Canadian, British, Irish (Eircode), Australian or New
# Zealand postcode (four bare digits after a town's name).
_POSTCODE = (
    rf"(?:[A-Z]{{2}} {_US_ZIP}|[A-Z]{{2}} {_CA_POSTCODE}|{_UK_POSTCODE}|"
    rf"{_EIRCODE}|(?:{_AU_STATES}) \d{{4}}|(?<=[a-z] )(?<!Box )\d{{4}})"
)
_ENDS_WITH_POSTCODE = re.compile(rf"\b{_POSTCODE}$")
# An address's end, and the line a browser wrapped the rest of its postcode onto: a US state and its ZIP
# (`Fairhaven, OR` over `97123`), a British postcode's halves (`Norwich NR2` over `4TD`), a Canadian one's (`Calgary
# AB T2P` over `1J9`) or a Canadian province and its postcode (`Calgary AB` over `T2P 1J9`), an Australian state and
# its postcode (`Paddington QLD` over `4064`); a North American town's name, begun after its street on one line
# (`88 Old Mill Rd, Bowling` over `Green, KY 42101`: a town line of its own follows no comma but a unit's, `Apt B`);
# a British postcode under the town its street's line ends in (`9 Rosemary Close, Cardiff` over `CF10 1EP`: a town's
# line of its own is joined to its postcode's after a comma, as postal custom sets them, `NORWICH, NR9 2TZ`).
_UNIT_WORDS = "apt|apartment|unit|suite|ste|flat|floor|fl|bldg|building|room|rm|lot"
_NAME_AFTER_A_COMMA = re.compile(rf", (?!(?i:{_UNIT_WORDS})\b)[A-Za-z][A-Za-z.'-]*(?: [A-Za-z][A-Za-z.'-]*)*$")
_POSTCODE_WRAPPED = (
    (re.compile(r", [A-Z]{2}$"), re.compile(_US_ZIP)),
    (
        _NAME_AFTER_A_COMMA,
        re.compile(rf"[A-Za-z][A-Za-z .'-]*, (?:[A-Z]{{2}} {_US_ZIP}|(?:{_CA_PROVINCES}) {_CA_POSTCODE})"),
    ),
    (_NAME_AFTER_A_COMMA, re.compile(_UK_POSTCODE)),
    (re.compile(r"(?<=\s)[A-Z]{1,2}\d[A-Z\d]?$"), re.compile(r"\d[A-Z]{2}")),
    (re.compile(r"(?<=\s)[A-Z]{2} [A-Z]\d[A-Z]$"), re.compile(r"\d[A-Z]\d")),
    (re.compile(rf"(?<=\s)(?:{_CA_PROVINCES})$"), re.compile(_CA_POSTCODE)),
    (re.compile(rf"(?<=\s)(?:{_AU_STATES})$"), re.compile(r"\d{4}")),
    # a state or province and its postcode, which postal custom sets on the town's line (`Halifax` over `NS B3H 1A1`)
    (
        re.compile(r"[A-Za-z],?$"),
        re.compile(rf"[A-Z]{{2}} {_US_ZIP}|(?:{_CA_PROVINCES}) {_CA_POSTCODE}|(?:{_AU_STATES}) \d{{4}}"),
    ),
)
_LOCALITY = re.compile(rf"[A-Za-z][\w .,'-]*[ ,] ?{_POSTCODE}|{_POSTCODE}")
# A suburb, town or county on a line of its own between the street and the postcode: `Co. Cork`, `NORWICH`.
_ADDRESS_PART = re.compile(r"[A-Z][A-Za-z.'-]*(?:,? [A-Za-z.'-]+|,? \d{1,2}){0,3},?")  # and `Dublin 6`
ALIGNED = 3.0  # points: a continuation line starts (or, right-aligned, ends) where the value does
# A street's line, its house number first (`954 Church Street`, `12A Mill Lane`, `3/41 King St`): a part of the address
# under a first line that is no street (`Flat 10`, `Unit 4`, `Rose Cottage`).
_STREET_LINE = re.compile(r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,6}[A-Za-z]?)?,? [A-Z][A-Za-z0-9.' -]{2,60}")


# A house known by its name, with no number (`Ballymore`, `The Old Mill, Mill Lane`): an address only with its town's
# line and postcode under it. Not a person's name with a title (`Mr J Smith` over `Rose Cottage`).
_HOUSE_NAME = re.compile(
    rf"(?!(?i:{_OTHER_IDS}|same as|mrs?|ms|miss|dr|mx)\b)"
    r"[A-Z][A-Za-z .,'&-]{2,60}"
)


def _house_named(document: Document, label_cells: list[LabelCell]) -> list[Hit]:
    """Addresses whose first line is a house's name: read only where the lines under it end in a postcode."""
    hits = []
    for hit in values_after(document, label_cells, _HOUSE_NAME, is_label=_label_or_labelled):
        provenance = hit.provenance(METHOD, FOUND)
        if not _starts_under_its_label(hit) or provenance.bbox is None:
            continue
        address, _ = _address_with_locality(document, hit, hit.text, provenance)
        if address != hit.text:
            hits.append(hit)
    return hits


def _starts_under_its_label(hit: Hit) -> bool:
    """An address under its label starts where the label's cell does (or ends where it ends). One that
    starts further right has lost its first words: to a larger string drawn over them (`$558.20` over the
    `2978` of `2978 Sydney Rd`), or it is another column's."""
    if hit.label_line is hit.line:
        return True
    label = hit.label_line.segment_at(hit.label_start).bbox
    value = hit.line.span_bbox(hit.start, hit.end)
    if value is None:
        return True
    return abs(value[0] - label[0]) <= ALIGNED or abs(value[2] - label[2]) <= ALIGNED


def _address_with_locality(
    document: Document, hit: Hit, address: str, provenance: Provenance
) -> tuple[str, Provenance]:
    """An address printed on several lines: the street after the label (or a flat's or a house's name over its
    street), then the suburb, town or county lines under it, down to the one that ends in a postcode. Without that
    postcode, only the first line."""
    rows = _rows_of(hit)
    if len(rows) > 1 and " ".join(rows) == address:
        # a browser's table cell, its lines read as one beside their label (`12 Harbour Road` over `Newtown NSW 2042`)
        source = provenance.source_text or ""
        if source.endswith(address):  # the label, then the cell's lines as printed
            provenance = provenance.model_copy(update={"source_text": source[: -len(address)] + " / ".join(rows)})
        address = _address_of_lines(rows) or address
    if _ENDS_WITH_POSTCODE.search(address) or provenance.bbox is None:
        return address, provenance
    left, bottom, right, top = provenance.bbox
    lefts = {left}
    if hit.label_line is hit.line:  # `Service at: 12 Oak St` over `Town AB1 2CD`: the town starts under the label
        label_box = hit.line.span_bbox(hit.label_start, hit.label_start + 1)
        if label_box is not None:
            lefts.add(label_box[0])
    index = next(i for i, line in enumerate(document.lines) if line is hit.line)
    parts: list[tuple[str, BBox]] = []  # the lines between, and their cells' boxes
    last_top = top
    # the next lines down, as a line of another column may sit between the street and the town
    for below in document.lines[index + 1 : index + 7]:
        if below.page != hit.line.page or last_top - below.top > 2.5 * (top - bottom):
            break
        # one aligned with the value before one at the label's left edge (`Address:`, a wrapped label's end)
        segment = next(
            (
                segment
                for segment in below.segments
                if abs(segment.bbox[2] - right) <= ALIGNED or abs(segment.bbox[0] - left) <= ALIGNED
            ),
            next(
                (segment for segment in below.segments if any(abs(segment.bbox[0] - x) <= ALIGNED for x in lefts)), None
            ),
        )
        if segment is None:
            continue
        # a cell of two printed lines read as one beside another column's (`Athlone` over `Co. Westmeath` beside
        # `4 February 2024`, _cells_side_by_side): each is a line of the address
        printed = _printed_rows(below, segment.start, segment.start + len(segment.text))
        for text, row_top in printed if len(printed) > 1 else [(segment.text.strip(), below.top)]:
            last_top = row_top  # the next line is looked for under this one
            kind = _address_line_kind(address, [part for part, _ in parts], text)
            if kind == _WRAPPED:  # a browser wrapped the postcode, or its second half, onto a line of its own
                return f"{address} {text}", provenance.model_copy(
                    update={
                        "bbox": union([provenance.bbox, segment.bbox]),
                        "source_text": f"{provenance.source_text or ''} / {text}",
                    }
                )
            if kind is None:
                return address, provenance
            parts.append((text, segment.bbox))
            if kind == _TOWN:
                lines = [part for part, _ in parts]
                return _lines_joined([address, *lines]), provenance.model_copy(
                    update={
                        "bbox": union([provenance.bbox, *(box for _, box in parts)]),
                        "source_text": " / ".join([provenance.source_text or "", *lines]),
                    }
                )
    return address, provenance


_WRAPPED, _TOWN, _PART = "wrapped", "town", "part"


def _address_line_kind(address: str, parts: list[str], text: str) -> str | None:
    """What a line is to the address above it (its first line `address`, then `parts`): the rest of a postcode a
    browser wrapped, the town's line that ends in a postcode, a line between (a suburb, a county, a street under a
    house's name), or none of it."""
    if not parts and any(end.search(address) and rest.fullmatch(text) for end, rest in _POSTCODE_WRAPPED):
        return _WRAPPED
    if _LOCALITY.fullmatch(text):
        return _TOWN
    if len(parts) < 3 and (
        _ADDRESS_PART.fullmatch(text) or (not parts and not address[:1].isdigit() and _STREET_LINE.fullmatch(text))
    ):
        return _PART
    return None


def _address_of_lines(rows: list[str]) -> str | None:
    """An address a table cell printed over several lines, joined as an address's lines under its label are:
    down to the town's line, its last. None where they are not such an address's lines."""
    address, parts = rows[0], list[str]()
    for number, text in enumerate(rows[1:], start=2):
        kind = _address_line_kind(address, parts, text)
        if number == len(rows) and kind in (_WRAPPED, _TOWN):
            return f"{address} {text}" if kind == _WRAPPED else _lines_joined([address, *parts, text])
        if kind != _PART:
            return None
        parts.append(text)
    return None


def _lines_joined(lines: list[str]) -> str:
    """An address's lines as one, a comma between them, or the comma a line ends in: `77 Rue Laurier Unit 12,` over
    `Kingston, ON K7L 3N6` loaded as ok as `77 Rue Laurier Unit 12,, Kingston, ON K7L 3N6`."""
    joined = lines[0]
    for line in lines[1:]:
        joined += (" " if joined.endswith(",") else ", ") + line
    return joined


def _rows_of(hit: Hit) -> list[str]:
    """A value's words by the printed lines they sit on: one, but for a browser's table cell read as one line
    (`_cells_side_by_side`), whose lines follow each other in it."""
    return [text for text, _ in _printed_rows(hit.line, hit.start, hit.end)]


def _printed_rows(line: Line, first: int, last: int) -> list[tuple[str, float]]:
    """The words of line.text[first:last] by the printed lines they sit on (_rows_of), each with its top."""
    rows: list[tuple[list[str], float]] = []
    last_bottom = None
    for start, end, (_, bottom, _, top) in line.words:
        if start < first or end > last:
            continue
        if last_bottom is None or (top + bottom) / 2 < last_bottom:
            rows.append(([], top))
        rows[-1][0].append(line.text[start:end])
        last_bottom = bottom
    return [(" ".join(words), top) for words, top in rows]


_MONTH_DAY_FORMATS = ("%b %d %Y", "%B %d %Y", "%b. %d %Y", "%d %b %Y", "%d %B %Y")


def _range_dates(groups: dict[str, str], date_formats: tuple[str, ...]) -> tuple[date, date]:
    """Both ends of a period; a start printed without its year takes the end's (or the year before)."""
    end = parse_date(groups["end"], date_formats)
    if "month_day" not in groups:
        return parse_date(groups["start"], date_formats), end
    start = parse_date(f"{groups['month_day']} {end.year}", _MONTH_DAY_FORMATS)
    return (start.replace(year=end.year - 1) if start > end else start), end


def _split_period(
    document: Document,
    draft: Draft,
    date_formats: tuple[str, ...],
    label_cells: dict[str, list[LabelCell]],
    other_hits: dict[str, list[Hit]],
) -> bool:
    """The period's ends printed as two fields (`Period from` / `Period to`, at the start of their cells or
    inside one with their colons): both, each read once, or neither."""
    ends: dict[str, Found] = {}
    for name, field in (("period_start", "bill_period_start"), ("period_end", "bill_period_end")):
        values: dict[date, Hit] = {}
        for hit in [*values_after(document, label_cells[name], _DATE, is_label=is_label), *other_hits.get(name, [])]:
            try:
                values.setdefault(parse_date(hit.text, date_formats), hit)
            except ValueError:
                continue
        if len(values) != 1:  # none, or `From` / `To` of something else besides: not this reading's to make
            return False
        (value, hit), *_ = values.items()
        ends[field] = Found(value, hit.provenance(METHOD, FOUND))
    if ends["bill_period_start"].value >= ends["bill_period_end"].value:
        return False
    draft.fields.update(ends)
    return True


# A period label inside a heading: `Details of your charges  Service period Oct 29, 2024 through Nov 30, 2024`.
_TITLED_RANGE = re.compile(rf"\b(?:{PERIOD_LABELS})[ \t]*:?[ \t]*(?P<range>{RANGE})", re.IGNORECASE)


def _period_in_a_title(document: Document) -> list[Hit]:
    """Ranges after a period label that does not start its cell, as Hits of the range."""
    hits: list[Hit] = []
    for line in document.lines:
        if line.page != 1 and hits:
            break
        for match in _TITLED_RANGE.finditer(line.text):
            groups = {k: v for k, v in match.groupdict().items() if v is not None and k != "range"}
            start, end = match.span("range")
            hits.append(Hit(match.group("range"), line, start, end, line, match.start(), groups))
    return hits


# A period's label ending a cell that a string in other type runs into from the left: `Amount payable: $4,119.30
# Period of supply` over `January 28 - February 23, 2026`.
_PERIOD_LABEL_ENDING = re.compile(rf"(?<=\s)(?:{PERIOD_LABELS})[ \t]*:?$", re.IGNORECASE)


def _period_under_a_cell_end(document: Document) -> list[Hit]:
    """Ranges alone under a period label that ends a cell of page 1 but does not start it, as Hits."""
    hits: list[Hit] = []
    for index, line in enumerate(document.lines):
        if line.page != 1:
            break
        for segment in line.segments:
            if (match := _PERIOD_LABEL_ENDING.search(segment.text)) is None:
                continue
            start = segment.start + match.start()
            box = line.span_bbox(start, segment.start + match.end())
            if box is None:
                continue
            for cell_line, cell_start, cell_end in cells_below(document, index, box[0], box[2]):
                text = cell_line.text[cell_start:cell_end].strip()
                if (full := _RANGE.fullmatch(text)) is not None:
                    groups = groups_of(full)
                    hits.append(Hit(text, cell_line, cell_start, cell_start + len(text), line, start, groups))
    return hits


def _period(
    document: Document,
    draft: Draft,
    date_formats: tuple[str, ...],
    label_cells: dict[str, list[LabelCell]],
    other_hits: dict[str, list[Hit]],
) -> None:
    """A date range after a period label, or its two ends after their own labels; failing those, the first
    date range on page 1."""
    hits = [*values_after(document, label_cells["bill_period"], _RANGE_THEN_FACT), *other_hits.get("bill_period", [])]
    confidence = FOUND
    if not hits:
        hits = _ranges_wrapped(document, label_cells["bill_period"])
    if not hits and _split_period(document, draft, date_formats, label_cells, other_hits):
        return
    if not hits:
        # `Billing Period From` over `30 August 2024 to 29 September 2024`: a start's label over the whole range
        hits = values_after(document, label_cells["period_start"], _RANGE_THEN_FACT)
    if not hits:
        hits = _period_in_a_title(document)
    if not hits:
        hits = _period_under_a_cell_end(document)
    if not hits:
        hits = [
            hit
            for hit in find_labelled(document, re.compile(""), _RANGE, below=False)
            if hit.line.page == 1 and hit.start == hit.line.text.find(hit.text)
        ]
        confidence = 0.6
    for hit in hits:
        try:
            start, end = _range_dates(hit.groups, date_formats)
        except ValueError:
            continue
        s = hit.line.text.find(hit.groups["start"], hit.start)
        e = hit.line.text.find(hit.groups["end"], s + len(hit.groups["start"]))
        draft.fields["bill_period_start"] = Found(
            start, hit.provenance(METHOD, confidence, span=(s, s + len(hit.groups["start"])))
        )
        draft.fields["bill_period_end"] = Found(
            end, hit.provenance(METHOD, confidence, span=(e, e + len(hit.groups["end"])))
        )
        return


# A range's start and the first words of its end, where its cell wrapped the rest onto its next line (`September 29,
# 2024 to October` over `27, 2024`, `February 4, 2024 through March 3,` over `2024`, `1 September 2024 - 29 September`
# over `2024`, `30 September 2024 through 2` over `November 2024`); or cut after a hyphen of its end (`2024-07-03
# through 2024-08-` over `03`), whose rest follows it with no space (_inserted)
_END_CUT = r"[A-Za-z]{3,9}\.?(?: \d{1,2},?)?|\d{1,2}(?: [A-Za-z]{3,9}\.?)?|\d{4}-(?:\d\d-)?"
_RANGE_CUT = re.compile(rf"{RANGE_OPENING}(?:\s*(?:{_END_CUT}))?", re.IGNORECASE)


def _ranges_wrapped(document: Document, label_cells: list[LabelCell]) -> list[Hit]:
    """Ranges after a period label that their cell wrapped, each joined to the rest on the cell's next line (set at
    up to a loose page's leading, LOOSE_LEADING, starting where it starts), where the two make one range. A browser's
    narrow column wraps them, and such bills went to review with no period."""
    hits: list[Hit] = []
    index_of = {id(line): index for index, line in enumerate(document.lines)}
    for hit in values_after(document, label_cells, _RANGE_CUT):
        at = index_of[id(hit.line)] + 1
        box = hit.line.span_bbox(hit.start, hit.end)
        if at >= len(document.lines) or box is None:
            continue
        below = document.lines[at]
        if below.page != hit.line.page or not _under_a_cell(hit.line.segments, below, LOOSE_LEADING):
            continue
        rest = next((segment for segment in below.segments if abs(segment.bbox[0] - box[0]) <= WRAP_EDGE), None)
        if rest is None:
            continue
        line = _inserted(hit.line, [(hit.end, Segment(rest.text.strip(), rest.bbox, rest.height, 0))])
        text = line.text[hit.start : hit.end + len(line.text) - len(hit.line.text)]  # after a space, or a hyphen's cut
        if (whole := _RANGE.fullmatch(text)) is None:
            continue
        label_line = line if hit.label_line is hit.line else hit.label_line
        hits.append(Hit(text, line, hit.start, hit.start + len(text), label_line, hit.label_start, groups_of(whole)))
    return hits


# A page title ("Your Energy Statement", "Electricity Bill") is often printed bigger than the utility's name.
# Nor is a headline amount (`Amount due: $248.10`): no utility's name holds a colon or a sum of money. Nor
# the customer's title or street in the address window.
_DOCUMENT_TITLE = re.compile(
    rf"^your\b|\b(?:statement|bill|invoice|notice|summary|activity|details?|charges|explained|overview|breakdown|"
    rf"messages|history|usage)\b|:|[$£€]\s?\d|^(?-i:[a-z])|^(?:mr|mrs|ms|miss|dr)\.?\s|^\d|{DATE}|"
    r"(?-i:\b[a-z]+\b.*\b[a-z]+\b.*\b[a-z]+\b.*)[.!?]$",  # a sentence: `There is nothing to pay.`
    re.IGNORECASE,
)


def _could_be_a_name(text: str) -> bool:
    """Not a title, nor a word a cell wrapped at its hyphen (`Off-` over `Peak` in a narrow column of a meter table):
    pdfium gives it as one word on both lines (`Off\ufffePeak`), as tall as two, and web-91-0063 loaded as ok with
    that as its utility's name."""
    return (
        len(text) >= 4
        and sum(map(str.isalpha, text)) >= 4
        and LINE_END_HYPHEN not in text
        and not _DOCUMENT_TITLE.search(text)
    )


def _tallest_words(line: Line, segment: Segment) -> tuple[int, int, bool] | None:
    """The span of a cell's run of its biggest words, when the cell mixes sizes: a title and the utility's name
    drawn close enough on one line to share a cell (`Your electricity bill (tax invoice) Southern Lakes Energy`);
    and whether its other words are type of another size (SIZE_STEP): a 16-point name and an 8-point label on its
    baseline 4.5 pt on (`Clearwater Township Water & Sewer Issue Date`) are one cell, and fourth-29-0335 loaded as ok
    with the label in its utility's name."""
    words = _word_heights(line, segment)
    if not words:  # a line built without its words' boxes
        return None
    tallest = max(height for _, _, height in words)
    smallest = min(height for _, _, height in words)
    if smallest > tallest - 0.5:
        return None
    runs: list[tuple[int, int]] = []
    for start, stop, height in words:
        if height < tallest - 0.5:
            continue
        if runs and line.text[runs[-1][1] : start].strip() == "":  # the next word of the run
            runs[-1] = (runs[-1][0], stop)
        else:
            runs.append((start, stop))
    return (*runs[0], other_size(tallest, smallest, SIZE_STEP)) if len(runs) == 1 else None


def _word_heights(line: Line, segment: Segment) -> list[tuple[int, int, float]]:
    """The words of the cell `segment`: where each starts and ends in `line.text`, and its height."""
    end = segment.start + len(segment.text)
    return [(start, stop, box[3] - box[1]) for start, stop, box in line.words if segment.start <= start < end]


def _provider(document: Document, draft: Draft) -> None:
    """The biggest type on page 1 is the utility's name (logos are shapes or initials), titles aside."""
    best: tuple[float, float] | None = None
    found: tuple[int, int, Line] | None = None
    for line in document.lines:
        if line.page != 1:
            continue
        for segment in line.segments:
            if len(segment.text) < 4:
                continue
            key = (round(segment.height, 1), segment.bbox[3])
            # the first of equal keys wins, as max() would; letters and titles are checked for a new leader only
            if best is not None and key <= best:
                continue
            run = _tallest_words(line, segment)
            run_named = run is not None and _could_be_a_name(line.text[run[0] : run[1]])
            # a name beside words in type of another size that share its cell (a label): the name alone
            if run is not None and run_named and run[2]:
                best, found = key, (run[0], run[1], line)
            elif _could_be_a_name(segment.text[_monogram(segment.text) :]):
                best, found = key, (segment.start, segment.start + len(segment.text), line)
            elif run is not None and run_named:
                best, found = key, (run[0], run[1], line)
    if found is None:
        return
    start, end, line = found
    start += _monogram(line.text[start:end])  # `EE Eucalypt Energy Pty Ltd`: the logo's initials before the name
    if glued := _PHONE_GLUED.search(line.text, start, end):
        end = glued.start()
    name, box = line.text[start:end], line.span_bbox(start, end)
    if box is not None and (rest := _name_wrapped(document, line, name, box)) is not None:
        name, box = f"{name} {rest.text}", union([box, rest.bbox])
    draft.fields["provider"] = Found(
        name,
        Provenance(method=METHOD, page=line.page, bbox=box, source_text=name, confidence=0.6),
    )


_MONOGRAM = re.compile(r"(?P<initials>[A-Z][A-Za-z]{1,3}) +(?=[A-Z])")
# A phone number ending the name, run into its last letter: pdfium puts no space where a number in small type starts
# a fraction of a point after a large name's last letter (fourth-103-0249 loaded as ok with the utility `Sunbelt
# Electric Cooperative1-800-875-8569`). Seven figures or more, so that a name ending in figures (`Energy360`) keeps
# them.
_PHONE_GLUED = re.compile(r"(?<=[A-Za-z])(?=(?:[ ()+.-]*\d){7})[+(]?\d[\d ()+.-]*\d$")


def _monogram(name: str) -> int:
    """The length of a logo's monogram before the name, or 0: its first word, two to four letters, a capital first,
    the initials of the words after it, letter for letter (`PM Pinecrest Municipal Utilities`, `Co City of Fairhaven
    Utilities`). Set in a circle beside the name, its letters were read as part of it, and bills loaded as ok with the
    initials in the utility's name (`MR Murray River Electricity` was taken for a person's title and name, and a
    heading named the utility)."""
    if (match := _MONOGRAM.match(name)) is None:
        return 0
    initials, words = match["initials"], name[match.end() :].split()
    return match.end() if "".join(word[0] for word in words[: len(initials)]) == initials else 0


def _name_wrapped(document: Document, line: Line, name: str, box: BBox) -> Segment | None:
    """The rest of a name the page wrapped onto the next line: a cell in the same type, starting where it starts,
    right under it (`Lakeshore Energy` over `Cooperative`, in a narrow column of a browser's page, loaded as the
    utility `Lakeshore Energy`). The rest may be too short to be a name (`Cascade Valley Electric` over `Co.`:
    web-109-0061 loaded as ok without it); it is no title, and the two make a name."""
    height = box[3] - box[1]
    if not height > 1.0:
        return None
    for other in document.lines:
        if other.page != line.page or other is line:
            continue
        for segment in other.segments:
            gap = box[1] - segment.bbox[3]
            if (
                abs(segment.bbox[0] - box[0]) <= 1.0
                and abs(segment.height - height) <= 0.05 * height
                and -0.1 * height <= gap <= 0.5 * height
                and not _DOCUMENT_TITLE.search(segment.text)
                and _could_be_a_name(f"{name} {segment.text}")
            ):
                return segment
    return None


# Printed codes and prefixed dollars say which dollar; a bare `$` is told apart by the country of the
# addresses on the page (a Canadian bill prints `$` and a postal code like `V1Y 2K7`).
_CURRENCY_CODE = re.compile(rf"(?<![A-Za-z])(?:({CURRENCY_CODES})(?![A-Za-z])|({'|'.join(DOLLAR_PREFIXES)})\$)")
# An Irish postcode may end in a code's letters (`H91 6CAD`): third-17-0101 loaded as ok in CAD, its amounts in euros.
_EIRCODE_WORD = re.compile(rf"(?<![A-Za-z0-9]){_EIRCODE}(?![A-Za-z0-9])")
_CANADIAN_PLACE = re.compile(
    rf"(?<![A-Za-z])(?:{_CA_PROVINCES}) {_CA_POSTCODE}\b|\bHST\b"  # HST: Canada's only
)
_AUSTRALIAN_PLACE = re.compile(rf"(?<![A-Za-z])(?:{_AU_STATES}) \d{{4}}(?!\d)|\bABN\b")
_US_PLACE = re.compile(rf"(?<![A-Za-z])[A-Z]{{2}} {_US_ZIP}\b")
_NEW_ZEALAND_PLACE = re.compile(r"\.nz\b|\bNew Zealand\b")  # its postcodes are four bare digits: the web address
# One cheap scan for anything the foreign patterns could match (most bills have none of it): a capital
# followed by `$`, by the rest of a code, of a Canadian postal code, of an Australian state and postcode,
# of ABN or of HST; or a New Zealand web address.
_CURRENCY_CUE = re.compile(
    r"[A-Z](?:\$|SD|AD|UD|ZD|BP|UR|\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2} \d{4}(?!\d)|BN\b|ST\b)|\.nz\b|Zealand"
)
_DOLLAR_PLACES = (
    ("CAD", "dollar amounts and Canadian addresses or HST: CAD", _CANADIAN_PLACE),
    ("AUD", "dollar amounts and an Australian address or ABN: AUD", _AUSTRALIAN_PLACE),
    ("NZD", "dollar amounts and a New Zealand address: NZD", _NEW_ZEALAND_PLACE),
)


def _dollar_country(text: str, cue: bool) -> tuple[str, str] | None:
    """Which dollar a bare `$` is, by the one country the page's addresses (or tax numbers) name; None when
    they name none or several."""
    found = [("USD", "dollar amounts and US addresses: USD")] if _US_PLACE.search(text) else []
    if cue:
        found += [(currency, reason) for currency, reason, place in _DOLLAR_PLACES if place.search(text)]
    return found[0] if len(found) == 1 else None


def _currency(document: Document, draft: Draft) -> None:
    text = document.text
    cue = _CURRENCY_CUE.search(text) is not None
    codes = []
    if cue:
        postcodes = [match.span() for match in _EIRCODE_WORD.finditer(text)]
        codes = [
            m.group(1) or DOLLAR_PREFIXES[m.group(2)]
            for m in _CURRENCY_CODE.finditer(text)
            if not any(start <= m.start() < end for start, end in postcodes)
        ]
    pounds, euros, dollars = text.count("£"), text.count("€"), text.count("$")
    settled: tuple[str, str] | None
    if codes:
        currency = max(sorted(set(codes)), key=codes.count)
        settled = currency, f"currency codes in the text: {currency}"
    elif pounds > dollars and pounds >= euros:
        settled = "GBP", "currency symbols in the text: GBP"
    elif euros > dollars:
        settled = "EUR", "currency symbols in the text: EUR"
    else:
        settled = _dollar_country(text, cue) if dollars else None
    first = document.lines[0]
    confidence = 0.8
    if settled is None:
        # `$` with no country, or several, or no currency printed at all: USD would be a guess
        reason = "dollar amounts, and the page does not say which dollar" if dollars else "no currency printed"
        draft.notes.append(AuditResult(code="currency_unsettled", severity=Severity.ERROR, message=reason, details={}))
        settled, confidence = ("USD", reason), 0.5
    currency, reason = settled
    draft.fields["currency"] = Found(
        currency,
        Provenance(method=METHOD, page=first.page, source_text=reason, confidence=confidence),
    )


# --- line items --------------------------------------------------------------------------------------

CHARGES_HEADER = re.compile(
    r"^(?:(?:Detail(?:s)? of |Summary of )?(?:Current |New )?Charges(?: Detail(?:s)?)?|Charge Details|Your Charges|"
    r"Current Charges|Detail of New Charges|Charges this (?:bill|period)|Itemi[sz]ed Charges|"
    r"Breakdown of (?:your )?charges|Charges breakdown|Detailed charges|Your (?:bill|charges) (?:explained|in detail)|"
    r"Details? of your (?:bill|charges)|Charges for this (?:billing )?period|What you are paying for|"
    r"(?:Current )?Billing details?|Bill details|Account charges)"
    # `Current charges  Billing period 12 Aug 2024 to 8 Sep 2024`, `Your charges explained | Amount Due By 3/7/2024`
    rf"(?:[ \t]+(?:{PERIOD_LABELS})\b.*|\t(?:{VOCABULARY['due_date'][0]})\b:?[^\t]*\d[^\t]*)?$",
    re.IGNORECASE,
)
CHARGES_TOTAL = re.compile(
    r"^Total (?:New |Current )?(?:Invoice )?Charges|^Total charges this|^Current Invoice Charges\t|"
    r"^(?:Current |New )?Charges Total\b|^Total (?:amount )?of this bill\b",
    re.IGNORECASE,
)
LEADERS = re.compile(r"\t|[ \t]*\.{3,}[ \t]*")  # dotted leaders between a name and its amount, or a tab
# The tear-off slip ends the charges, whatever figures it repeats.
REMITTANCE = re.compile(r"\bdetach\b|return this (?:portion|slip|part)|\bremittance\b|amount enclosed", re.IGNORECASE)
# a subtotal repeats charges; `Total GST` (`10% of $1,245.34`, `on $6,171.46`) is the tax charged on them, a
# charge of its own
SUBTOTAL = re.compile(
    r"\bsub-?total\b|^total\b(?! (?:GST|HST|VAT)(?: [^\t]*(?:%|\b(?:on|of) [$£€]?\d)[^\t]*)?$)", re.IGNORECASE
)
PAGE_FURNITURE = re.compile(r"^(?:Page \d+(?: of \d+)?|\d+)$|^Description\b", re.IGNORECASE)
# Where a table breaks across pages: `Continued on next page`, `CURRENT BILLING DETAIL (continued)`.
CONTINUED = re.compile(
    r"\((?:continued|cont['’]d)\.?\)$|^continued\b(?: (?:on|from|over)\b[^\t]*)?\.?$"
    r"|\bcontinued (?:on|from) (?:the )?(?:next|previous|reverse|page)\b|\bcontinued overleaf\b",
    re.IGNORECASE,
)
# A section of charges billed for a retail supplier, named in its heading: `Charges from X`, `Supplier: X`,
# `Supply services from X`, `Electric supply charges provided by X`, and its `(continued)` on the next page.
SUPPLIER_HEADER = re.compile(
    r"^(?:Charges from|(?:(?:Electric(?:ity)?|Gas|Energy)\s+)?(?:Supply|Supplier|Generation)\s+"
    r"(?:services|charges)(?:\s+(?:from|provided by)|\s*[-–—:])|Supplier:?)"  # `Supply Services - Acme Energy`
    r"\s+(?P<supplier>[^\t]+?)(?:\s*\((?:continued|cont['’]d)\.?\))?$",
    re.IGNORECASE,
)
AMOUNT_CELL = re.compile(rf"^{MONEY}$")
# A charges table's column headings: `Description | Quantity | Rate | Amount`, `DESCRIPTION | DETAIL | AMOUNT`.
CHARGE_HEADING = re.compile(r"(?:Description|Item|Charge(?: type)?|Service|Details?)", re.IGNORECASE)
AMOUNT_HEADING = re.compile(r"(?:Amount|Total|Cost|Charge)(?: \(\w+\))?", re.IGNORECASE)
DATE_HEADING = re.compile(r"(?:Transaction |Posting |Posted )?Date|Posted", re.IGNORECASE)


def charges_table_headings(document: Document) -> tuple[int, str] | None:
    """The index of the first line of a charges table's column headings, and the headings: a cell naming what is
    charged, and a cell after it naming the amount. An invoice prints its charges under such headings alone, with no
    title over them. A table whose first column is a date's (`Date | Description | Amount`) is the account's activity
    (the balance brought forward, a payment), no charges."""
    for index, line in enumerate(document.lines):
        cells = [cell.strip() for cell in line.cells]
        first = next((at for at, cell in enumerate(cells) if CHARGE_HEADING.fullmatch(cell)), None)
        if first is None or DATE_HEADING.fullmatch(cells[0]):
            continue
        amounts = [at for at in range(first + 1, len(cells)) if AMOUNT_HEADING.fullmatch(cells[at])]
        if amounts:
            return index, " | ".join(cells[: amounts[0] + 1])
    return None


UNIT = r"[A-Za-z³]+(?:\d\b)?"  # kWh, m³, m3; not `days116` of `27 days116.854c per day`


def _rate(suffix: str = "") -> str:
    """A price per unit: `$0.1234`, `9.5¢`, `24.5p`, `40.9c`, with `/kWh` or ` per day` after it."""
    return rf"[$£€]?(?P<rate{suffix}>\d*\.\d+|\d+)(?P<pence{suffix}>[p¢c])?(?:\s*/\s*{UNIT}|\s+per\s+\w+)?"


_RATE = _rate()
# `12 kWh @ $0.1`, `12 kWh at 9.5c`, `29 days (£0.6557 per day)`, `(12 kWh x 9.5p/kWh)`, `27 days 50.99c`
# (a rate without `@` only with its currency or cents mark): after a description.
DETAIL = re.compile(
    rf"\(?(?P<quantity>{NUMBER})\s+(?P<unit>{UNIT})\s*"
    rf"(?:(?:@|x|at|×)\s*{_RATE}|\(\s*(?:@\s*)?{_rate('2')}\s*\)|(?=[$£€]|\d*\.?\d+[p¢c](?!\w)){_rate('3')})\)?$"
)
# The cells between a description and its amount, read as one string: `12 kWh | $0.1/kWh`, `12 | kWh | 9.5¢`,
# `12 kWh @ 9.5p/kWh`, `31 days (£0.4693/day)`, or a quantity alone.
DETAIL_CELLS = re.compile(
    rf"^\(?(?P<quantity>{NUMBER})\s*(?P<unit>{UNIT})"
    rf"(?:\s*(?:@|x|at|×)?\s*{_RATE}|\s*\(\s*(?:@\s*)?{_rate('2')}\s*\))?\)?$"
)
UNITS = r"kWh|kW|kVA|kvarh|therms?|CCF|HCF|Mcf|m³|m3|cu ?ft|ft³|k?gal|kL|MJ|GJ|ERU|days?"
# `Peak usage (268 kWh)`, `Supply charge 30 days`, or the figures alone under a name printed over them.
QUANTITY_TAIL = re.compile(rf"(?:^|\s)\(?(?P<quantity>{NUMBER})\s+(?P<unit>{UNITS})\)?$", re.IGNORECASE)
# A tax or a percentage charge printed with the sum it is levied on (`VAT @ 9% on €84.39`): that sum is part of
# the name.
# the sum, a credit's too: `on -£31.74`, `on €0.31 CR`, `ON (€45.82)`
_BASE = rf"(?:[-−]?[$£€]?{NUMBER}(?: ?CR)?|\([$£€]?{NUMBER}\))"
LEVIED_ON_BASE = re.compile(
    r"^(?:Total )?(?:VAT|GST|HST|PST|QST|Value Added Tax|(?:(?:provincial )?sales )?tax)\b"
    rf"[^$£€]*\b(?:on|of) {_BASE}$|"
    rf"^[^$£€\d][^$£€]*\b\d+(?:\.\d+)?\s?% (?:on|of) {_BASE}$|"  # `Municipal franchise fee 4.5% of $3,039.14`
    rf"^[^$£€\d][^$£€\d]*\b(?:tax|fee|levy|surcharge)\b (?:on|of) "  # `... tax on $267.46`
    rf"(?:[-−]?[$£€]{NUMBER}(?: ?CR)?|\([$£€]{NUMBER}\))$",
    re.IGNORECASE,
)
# What no charge's name contains: figures with a unit, an amount, a rate. A description still holding one
# is a layout we did not read, so the bill goes to review rather than loading a wrong name.
# A size followed by a word is part of a name, though (`Solid waste - 64 gal cart`), unless the word starts a rate.
# A tier's block in a charge's name (`Energy Charge First 450 kWh`, `Water Usage Over 6,000 gal`, `Block 2 (0-500
# kWh)`): figures of the name, not of the charge.
_TIER_WORDS = r"first|next|over|above|up to|(?:in )?excess of|remaining|additional|all"
TIER_BLOCK = re.compile(
    rf"\b(?:{_TIER_WORDS})\s+{NUMBER}\s*(?:{UNITS})\b|\b{NUMBER}\s*(?:-|–|to)\s*{NUMBER}\s*(?:{UNITS})\b",
    re.IGNORECASE,
)
# The word before a tier's block (`Water Usage First | 6 CCF`): the figures after it are no quantity of the charge's.
TIER_WORD_BEFORE = re.compile(rf"\b(?:{_TIER_WORDS})\s*$", re.IGNORECASE)
DETAIL_LEFT = re.compile(
    rf"^\(?\d|\d\s*(?:{UNITS})\b(?!\s+(?!(?:at|per|x|for)\b)[A-Za-z]{{2,}})|[$£€]\s?\d|\d\s*¢|"
    r"\d\s*[cp](?:\s*/|\s+per\b|$)",
    re.IGNORECASE,
)


def _detail(match: re.Match[str]) -> tuple[Decimal, str, Decimal | None]:
    groups = match.groupdict()
    rate = groups.get("rate") or groups.get("rate2") or groups.get("rate3")
    pence = groups.get("pence") or groups.get("pence2") or groups.get("pence3")
    return (
        US.parse_number(match.group("quantity")),
        match.group("unit"),
        Decimal(rate).scaleb(-2 if pence else 0) if rate is not None else None,
    )


_TRAILING_PERIOD = re.compile(rf"\s+(?:{RANGE})$", re.IGNORECASE)


def _item_detail(cells: list[str]) -> tuple[Decimal | None, str | None, Decimal | None, str]:
    """Quantity, unit and rate of a charge row, in cells of their own or in its description (`... 12 kWh @ $0.1`). A
    cell of dates is the charge's own service period (`01/06/2025 - 02/02/2025`), none of its figures, and so are dates
    at the end of its description (a long name set close to the period's column, one cell with it)."""
    first, *rest = (cell.strip() for cell in cells)
    rest = [cell for cell in rest if not (_RANGE.fullmatch(cell) or _DATE.fullmatch(cell))]
    if _DIGIT.search(first):  # a period holds figures; most names none (the search costs a tenth of the cut's)
        first = _TRAILING_PERIOD.sub("", first) or first
    try:
        if rest:
            details = " ".join(rest)
            if (match := DETAIL_CELLS.match(details)) is not None:
                return *_detail(match), first
            if any(character.isdigit() for character in details):
                return None, None, None, first  # figures we cannot read are not part of the name
        description = " ".join([first, *rest])
        if (match := DETAIL.search(description)) is not None:
            return *_detail(match), description[: match.start()].strip()
        if (match := QUANTITY_TAIL.search(description)) is not None and not TIER_WORD_BEFORE.search(
            description, 0, match.start()
        ):
            return *_detail(match), description[: match.start()].strip()
    except (ValueError, InvalidOperation):
        pass
    return None, None, None, " ".join([first, *rest]).strip()


def _remittance_line(document: Document, after: int) -> int:
    """The index of the first line of the tear-off slip after line `after` (or the end): one search of the
    text, as a search of every line costs ten times more."""
    offset = sum(len(line.text) + 1 for line in document.lines[: after + 1])
    found = REMITTANCE.search(document.text, offset)
    return len(document.lines) if found is None else document.text.count("\n", 0, found.start())


def _charge_lines(document: Document, start: int) -> Iterator[Line]:
    """The lines after the charges heading, less the tear-off slip. A slip at the foot of a page, with the
    charges' total still to come, leaves the rest of the charges to the top of the next page."""
    lines = document.lines
    end = _remittance_line(document, start)
    yield from lines[start + 1 : end]
    if end >= len(lines):
        return
    resume = next((index for index in range(end, len(lines)) if lines[index].page != lines[end].page), None)
    if resume is not None and any(CHARGES_TOTAL.match(line.text) for line in lines[resume:]):
        yield from lines[resume : _remittance_line(document, resume - 1)]


RUNNING_ZONE = 3  # a running head or foot is among a page's first or last lines


def _running_lines(document: Document) -> set[int]:
    """The ids of the lines printed the same on another page, as many lines from the top or the foot of a
    page and near it: running heads and feet. (A heading that a page of the same layout repeats further in
    is no furniture: it may start another section.)"""
    pages: dict[int, list[Line]] = {}
    for line in document.lines:
        pages.setdefault(line.page, []).append(line)
    placed: dict[tuple[int, str], list[Line]] = {}
    for lines in pages.values():
        for offset, line in enumerate(lines[:RUNNING_ZONE]):
            placed.setdefault((offset, line.text), []).append(line)
        for offset, line in enumerate(reversed(lines[-RUNNING_ZONE:]), 1):
            placed.setdefault((-offset, line.text), []).append(line)
    return {id(line) for group in placed.values() if len({line.page for line in group}) > 1 for line in group}


WRAP_LEADING = 0.15  # of the type's height: the most space between a cell's lines, less than a table's rows have
# of the type's height: the most space between a cell's wrapped lines on a page set at a line height of up to 1.6 (0.52
# in Georgia, whose box is small for its size), where what wraps tells it is the cell's: a centred row's one wrapped
# cell, a period's cut, a meter row's read dates
LOOSE_LEADING = 0.6
WRAP_EDGE = 1.0  # pt: a wrapped cell's lines start (left-aligned) or end (right-aligned) at one edge


def _in_one_cell(above: Line, below: Line) -> bool:
    """Whether `below` is set at a table cell's own leading under `above` (a cell's text wrapped onto its next line),
    closer than a table's rows are: on the same page, its box from a little over the bottom of one of `above`'s cells
    to WRAP_LEADING of the type's height under it. (A row's cells may end on different lines: one wrapped, or one
    centred in the row lower than the others.)"""
    return below.page == above.page and _under_a_cell(above.segments, below)


def _under_a_cell(cells: list[Segment], below: Line, leading: float = WRAP_LEADING) -> bool:
    """Whether `below` is set at a cell's own leading under one of `cells` (see _in_one_cell)."""
    height, top = below.segments[0].height, below.top
    return any(_at_a_cells_leading(cell.bbox[1], top, height, leading) for cell in cells)


def _at_a_cells_leading(bottom: float, top: float, height: float, leading: float = WRAP_LEADING) -> bool:
    """Whether a box whose top is at `top` is set at a cell's own leading under a box ending at `bottom`, in type
    `height` high: from half a line over to `leading` of the height under it."""
    return -0.5 * height < bottom - top < leading * height


def _unwrapped(lines: list[Line]) -> list[Line]:
    """The charge rows with their cells' wrapped lines joined to them: a browser's table wraps a cell too narrow for
    its text (`Energy Charge -` over `Meter KC8951273`, `14,240` over `kWh`). The first line was read as the charge
    and the rest dropped: a description cut short in an ok bill, and a quantity without its unit."""
    joined: list[Line] = []
    lines = [_amount_apart(line) for line in lines]
    for index, line in enumerate(lines):
        above = joined[-1] if joined else None
        after = lines[index + 1] if index + 1 < len(lines) else None
        if above is not None and (row := _wrapped_row(above, line, after) or _wrapped_supplier(above, line, after)):
            joined[-1] = row
        else:
            joined.append(line)
    return joined


_FIGURES_THEN_AMOUNT = re.compile(rf"^(?P<figures>\S.*?)(?P<space>\s)(?P<amount>{MONEY})$")
_FIGURE = re.compile(rf"\S*\d\S*|(?:{UNITS})|@|x|×|at", re.IGNORECASE)  # a number, a rate, a unit, a rate's sign


def _amount_apart(line: Line) -> Line:
    """A charge row whose amount ran into its figures' cell (`8,800 $0.00633 $55.70`: a browser sets its columns
    6 points apart), or into its whole row (`Super Off-Peak Energy 413 kWh $0.31172 $128.74`), with the amount a
    cell of its own: the charge was dropped (a row of one cell is a heading) and the bill went to review."""
    last = line.segments[-1]
    match = _FIGURES_THEN_AMOUNT.match(last.text)
    if match is None:
        return line
    if len(line.segments) == 1:
        if DETAIL.search(match["figures"]) is None:  # a charge's quantity and rate before the amount
            return line
    elif not all(_FIGURE.fullmatch(word) for word in match["figures"].split()):
        return line
    cut = last.start + match.start("space")
    figures = [box for start, end, box in line.words if last.start <= start and end <= cut]
    amount = [box for start, _, box in line.words if start > cut]
    if not figures or not amount:
        return line
    segments = [
        *line.segments[:-1],
        Segment(match["figures"], union(figures), last.height, last.start),
        Segment(match["amount"], union(amount), last.height, cut + 1),
    ]
    return Line(line.page, f"{line.text[:cut]}\t{line.text[cut + 1 :]}", segments, line.words)


def _wrapped_row(above: Line, line: Line, after: Line | None) -> Line | None:
    """`above`, a charge row, with `line`'s cells joined to the ends of the cells they stand under, where `line`
    holds its cells' wrapped lines: set as close under it as a cell's own lines, with no amount, each cell starting
    at the description's left edge or aligned with a word of a figure's cell above. Not a charge's name over its
    figures (the line after it holds figures and an amount alone), nor a heading or a total."""
    cells = line.cells
    if (
        not _in_one_cell(above, line)
        or not AMOUNT_CELL.match(above.cells[-1].strip())
        or AMOUNT_CELL.match(cells[-1].strip())
        or SUPPLIER_HEADER.match(cells[0])
        or SUBTOTAL.search(cells[0])
        or CHARGES_TOTAL.match(line.text)
        or DETAIL_CELLS.match(cells[0].strip())
    ):
        return None
    if _name_over_its_figures(line, after, above.segments[0].bbox[0]):
        return None
    description = above.segments[0]
    inserts: list[tuple[int, Segment]] = []  # (offset in above's text to insert after, the cell)
    for segment in line.segments:
        if abs(segment.bbox[0] - description.bbox[0]) <= WRAP_EDGE and (
            len(above.segments) == 1 or segment.bbox[2] < above.segments[1].bbox[0]
        ):
            inserts.append((description.start + len(description.text), segment))
            continue
        placed = _aligned_word(above, segment.bbox)
        if placed is None or placed <= description.start + len(description.text):
            return None
        inserts.append((placed, segment))
    return _inserted(above, inserts)


def _wrapped_supplier(above: Line, line: Line, after: Line | None) -> Line | None:
    """A supplier's heading with its wrapped second line joined to it (`Electric supply charges provided by Acme
    Retail` over `Energy LLC`): a line of one cell set at a cell's leading under it, from its left edge; not a
    charge's name over its figures. The second line was read as a heading of its own, which ended the supplier's
    section before its first charge."""
    if (
        len(above.segments) != 1
        or len(line.segments) != 1
        or not _in_one_cell(above, line)
        or not SUPPLIER_HEADER.match(above.text)
        or abs(line.segments[0].bbox[0] - above.segments[0].bbox[0]) > WRAP_EDGE
    ):
        return None
    if _name_over_its_figures(line, after, line.segments[0].bbox[0]):
        return None
    return _inserted(above, [(len(above.text), line.segments[0])])


def _name_over_its_figures(line: Line, after: Line | None, left: float) -> bool:
    """Whether `line` is a charge's name over its figures (`Basic charge` over `26 days @ $0.2475  $6.44`): the line
    after it holds an amount, and figures where a charge's description would start (at `left`), or none there."""
    if after is None or after.page != line.page or not AMOUNT_CELL.match(after.cells[-1].strip()):
        return False
    return abs(after.segments[0].bbox[0] - left) > WRAP_EDGE or DETAIL_CELLS.match(after.cells[0]) is not None


# What pdfium gives for a hyphen that ends a line (`Super-` over `Off-Peak`): the word goes on on the next line.
LINE_END_HYPHEN = "\ufffe"


def _inserted(line: Line, inserts: list[tuple[int, Segment]]) -> Line:
    """`line` with each segment's text put in after text offset `offset`, in the cell that holds it: after a space,
    or straight after a word's hyphen that ended the line (`Super-Off-Peak`; `Energy Charge -` keeps its space)."""
    text, words, segments = line.text, list(line.words), line.segments
    for offset, segment in sorted(inserts, key=lambda insert: (insert[0], insert[1].bbox[0]), reverse=True):
        if text[:offset].endswith(LINE_END_HYPHEN):
            text, piece = f"{text[: offset - 1]}-{text[offset:]}", segment.text
        elif text[offset - 1 : offset] == "-" and (
            text[offset - 2 : offset - 1].isalpha()
            or (text[offset - 2 : offset - 1].isdigit() and segment.text[:1].isalnum())
        ):
            piece = segment.text  # `Super-` over `Off-Peak`, as another producer's text gives it; `E04-` over `89998`
        else:
            piece = " " + segment.text
        text = text[:offset] + piece + text[offset:]
        words = [(s + len(piece) if s >= offset else s, e + len(piece) if e > offset else e, b) for s, e, b in words]
        words.append((offset + len(piece) - len(segment.text), offset + len(piece), segment.bbox))
        held = max(index for index, cell in enumerate(segments) if cell.start <= offset)
        segments = [
            Segment(cell.text, cell.bbox, cell.height, cell.start + len(piece))
            if index > held
            else Segment(
                text[cell.start : cell.start + len(cell.text) + len(piece)],
                union([cell.bbox, segment.bbox]),
                cell.height,
                cell.start,
            )
            if index == held
            else cell
            for index, cell in enumerate(segments)
        ]
    words.sort(key=lambda word: word[0])
    return Line(line.page, text, segments, words)


def _line_items(document: Document, draft: Draft, second_lines: set[tuple[int, int]]) -> None:
    """`second_lines`: the second lines' cells of wrapped headings (`TOTAL CURRENT` over `CHARGES` is no charges
    heading)."""
    start = next(
        (i for i, line in enumerate(document.lines) if CHARGES_HEADER.match(line.text) and (i, 0) not in second_lines),
        None,
    )
    if start is None:
        if (headings := charges_table_headings(document)) is None:
            return
        start = headings[0]
    supplier: str | None = None
    held: str | None = None  # the supplier before a line with a name alone, which may be a heading or a charge's
    name: str | None = None  # a line with a charge's name alone: its figures and amount may follow under it
    item_above: tuple[int, Line] | None = None  # the charge read from the line above: its figures may be under it
    running: set[int] | None = None
    page, charged = document.lines[start].page, True  # the page of the line, and whether a charge was read on it
    first = len(draft.line_items)
    restarts: list[int] = []  # where a charges heading follows charges read (a summary's, then the detail's)

    def furniture(line: Line, cells: list[str]) -> bool:
        """A line that only carries the page, which leaves a section open: a supplier's charges may go on
        over a page break. On a page the charges go on to, a line with no amount above its first charge
        (a running head: `Harbor City Light | BILLING ACCOUNT: 5767 0858`) is one as well."""
        nonlocal running
        if PAGE_FURNITURE.match(cells[0]) or CONTINUED.search(line.text):
            return True
        if not charged and len(cells) > 1 and not AMOUNT_CELL.match(cells[-1]):
            return True
        if running is None:
            running = _running_lines(document) if document.lines[-1].page > 1 else set()
        return id(line) in running

    rows = _unwrapped(list(_charge_lines(document, start)))
    for index, line in enumerate(rows):
        if CHARGES_TOTAL.match(line.text):
            if _footer_repeated(rows, index, sum((item.amount for item, _ in draft.line_items[first:]), Decimal(0))):
                continue
            break
        if line.page != page:
            page, charged = line.page, False
        # `Name ........ $1.00` is two cells
        cells = [cell for cell in LEADERS.split(line.text) if cell] if "..." in line.text else line.cells
        if not cells:
            continue  # a rule of dots
        if item_above is not None and len(cells) == 1 and _figures_under(draft, *item_above, line):
            item_above = None
            continue
        item_above = None
        if len(cells) == 1:
            if len(draft.line_items) > first and CHARGES_HEADER.match(line.text):
                restarts.append(len(draft.line_items))
            # Any other heading ends the supplier's section, as any line that is no charge does below; a
            # charge's name over its figures does not (`held` keeps the supplier for it).
            if match := SUPPLIER_HEADER.match(cells[0]):
                supplier, held = match.group("supplier").strip(), None
            elif (supplier or held or name) and furniture(line, cells):
                continue
            else:
                supplier, held = None, supplier
            name = cells[0].strip()
            continue  # group headings
        if (
            not AMOUNT_CELL.match(cells[-1])
            or PAGE_FURNITURE.match(cells[0])
            or SUBTOTAL.search(cells[0])
            or any(is_label(cell) for cell in cells[:-1])  # `Balance to pay | $92.46`: a summary, not a charge
        ):
            if (supplier or held or name) and not SUBTOTAL.search(cells[0]) and furniture(line, cells):
                continue
            name = supplier = None
            continue
        quantity, unit, rate, description = _item_detail(cells[:-1])
        if not description and name:  # `Basic charge` over `26 days @ $0.2475    $6.44`
            description, supplier = name, held
        name = None
        if not description or (
            DETAIL_LEFT.search(description)
            and not LEVIED_ON_BASE.match(description)
            and DETAIL_LEFT.search(TIER_BLOCK.sub("", description))
        ):
            draft.notes.append(
                AuditResult(
                    code="line_item_unreadable",
                    severity=Severity.ERROR,
                    message="a charge line could not be told apart from its figures: " + line.text.replace("\t", " | "),
                    details={"page": line.page, "description": description},
                )
            )
            continue
        category = categorize(description)
        if category is LineItemCategory.TAX:
            # A tax after the supplier's charges, with nothing between (`State sales tax 4.5%`), may be levied
            # on the whole bill: the utility's, and the end of the supplier's section.
            supplier = None
        item = LineItem(
            description=description,
            amount=US.parse_money(cells[-1]),
            category=category,
            quantity=quantity,
            unit=unit,
            rate=rate,
            third_party=supplier,
        )
        if quantity is None:
            item_above = (len(draft.line_items), line)
        draft.line_items.append((item, row_provenance(line, METHOD, 0.8)))
        charged = True
    _without_a_summary(draft, first, restarts, SUMMARY_HEADING.search(document.lines[start].text) is not None)


def _footer_repeated(rows: list[Line], index: int, charged: Decimal) -> bool:
    """Whether the charges' total on row `index` is a table's footer a browser repeated at the foot of a page the
    table breaks over: the last amount on its page, not what the charges read so far (`charged`) come to, and
    printed the same on a later page after them. Read as the charges' end, the tax on the next page was lost
    (`Total current charges $271.35` under all but it) and the bill went to review (line_items_sum_mismatch)."""
    total = rows[index]
    if not AMOUNT_CELL.match(total.cells[-1].strip()) or US.parse_money(total.cells[-1]) == charged:
        return False
    after = rows[index + 1 :]
    return not any(line.page == total.page and AMOUNT_CELL.match(line.cells[-1].strip()) for line in after) and any(
        line.page > total.page and line.text == total.text for line in after
    )


# A heading that says its charges are summed: `Summary of New Charges`, `Your bill at a glance`.
SUMMARY_HEADING = re.compile(r"\bsummary\b|\bat a glance\b|\boverview\b", re.IGNORECASE)


def _without_a_summary(draft: Draft, first: int, restarts: list[int], summary_heading: bool) -> None:
    """The charges summed by service or section under a heading of their own before their detail under another
    (`Summary of New Charges | Electric Service $78.68 | Gas Service $41.93`, then `Detail of Current Charges`): the
    detail alone, where both come to the same and it holds more charges, or as many under a first heading that
    says it sums them (`Summary of New Charges`). Read as charges, the summary's were counted twice, and such bills
    went to review (line_items_sum_mismatch)."""
    for restart in restarts:
        summary, detail = draft.line_items[first:restart], draft.line_items[restart:]
        if (len(detail) > len(summary) or (summary_heading and len(detail) == len(summary))) and sum(
            item.amount for item, _ in summary
        ) == sum(item.amount for item, _ in detail):
            del draft.line_items[first:restart]
            return


def _figures_under(draft: Draft, index: int, item_line: Line, line: Line) -> bool:
    """Give a charge the figures printed alone on the line under it (`Energy - day .... £137.66` over
    `548 kWh × 25.12p`), when they are the whole line and, with a rate, come to its amount."""
    if (match := DETAIL_CELLS.match(line.text.strip())) is None:
        return False
    try:
        quantity, unit, rate = _detail(match)
    except (ValueError, InvalidOperation):
        return False
    item, _ = draft.line_items[index]
    # a credit's figures come to its amount without its sign (`Solar feed-in credit  $19.22 CR` over `253 kWh x 7.597c`)
    if rate is not None and abs(quantity * rate - abs(item.amount)) > max(Decimal("0.01"), abs(item.amount) / 200):
        return False
    draft.line_items[index] = (
        item.model_copy(update={"quantity": quantity, "unit": unit, "rate": rate}),
        row_provenance(item_line, METHOD, 0.8, line),
    )
    return True


# --- meter tables ------------------------------------------------------------------------------------

# What a meter counts in when usage is billed in another unit: the volume before a conversion or a scale.
READ_UNITS = r"m³|m3|ft³|ft3|cu ft|CCF|HCF|gal"
# a read column may name the unit the meter counts in (`Previous reading (m³)`), when usage is billed in another
READ_UNIT_HEADING = rf"(?::? \((?P<{{name}}>{READ_UNITS}|kL|kWh)\))?"
# the units usage is billed in, as a heading names them: `Usage (kgal)`, or `(kWh)` on the heading's second line
BILLED_UNITS = r"kWh|MWh|CCF|HCF|therms?|gal|gallons?|kgal|kL|m³|m3|MJ|GJ"
COLUMN_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "start_read",
        re.compile(
            r"^(?:Start(?:ing)? Read(?:ing)?|Previous(?: Read(?:ing)?)?|Prior Read(?:ing)?|Last Read(?:ing)?|"
            rf"Beginning){READ_UNIT_HEADING.format(name='start_unit')}$",
            re.I,
        ),
    ),
    (
        "end_read",
        re.compile(
            r"^(?:End(?:ing)? Read(?:ing)?|Present(?: Read(?:ing)?)?|Current(?: Read(?:ing)?)?|Latest Read(?:ing)?|"
            rf"This Read(?:ing)?){READ_UNIT_HEADING.format(name='end_unit')}$",
            re.I,
        ),
    ),
    (
        "meter",
        re.compile(r"^(?:Meter(?: Number| No\.?| #| ID| Serial(?: No\.?| Number)?)?|Serial (?:No\.?|Number))$", re.I),
    ),
    ("multiplier", re.compile(r"^(?:Mult(?:iplier)?\.?|(?:Meter )?Constant|Meter Multiplier)$", re.I)),
    ("conversion_factor", re.compile(r"^(?:Factor|Conv(?:\.|ersion)(?: Factor)?|Therm Factor)$", re.I)),
    ("demand", re.compile(r"^(?:Max(?:imum)? Demand|Demand|Peak Demand|(?:Peak )?kW)$", re.I)),
    (
        "usage",
        re.compile(
            r"^(?:(?:Usage|Billed(?: Usage)?|Energy|Consumption|Total Usage|Units|(?:Units |Total |Amount )?Used)"
            rf"(?: \((?P<unit>{BILLED_UNITS})\))?|(?P<unit_used>kWh|CCF|therms?|gal) Used)$",
            re.I,
        ),
    ),
    # the dates of the two reads: columns of their own, so that no date lands under a read's heading; one each, for
    # a heading that shares its cell with the read's (`Prev. read date Previous`) to be split off after the other
    ("start_read_date", re.compile(r"^(?:Prev(?:ious)?\.?|Last|Start) Read(?:ing)? Dates?$", re.I)),
    ("read_date", re.compile(r"^(?:(?:Current|Present|This|End) )?Read(?:ing)? Dates?$", re.I)),
    ("read_type", re.compile(r"^(?:Read Type|Type|Reading Type|Reading|Read Code)$", re.I)),
    ("uom", re.compile(r"^(?:Units?|UOM|Unit of Measure)$", re.I)),
    # what the meter counted, before a conversion factor: the unit the reads are in (`143 m³`)
    ("volume", re.compile(r"^(?:Volume(?: used)?|Vol\.)$", re.I)),
    ("service", re.compile(r"^(?:Service|Commodity|Utility)$", re.I)),
    # a time-of-use register's name (`On-peak`, `Day`): the same meter on several rows
    ("period", re.compile(r"^(?:Period|TOU Period|Time of Use|(?:Rate|Time) Period|Register|Tariff)$", re.I)),
)
QUANTITY_CELL = re.compile(rf"^(?P<quantity>{NUMBER})(?:\s*(?P<unit>cu ft|{UNIT}))?$")  # `1,754 cu ft`
_READ_MARK = r"\*|\(?(?:est|e|estimated|a|act|actual)\)?"
_READ_CELL_UNIT = rf"{READ_UNITS}|kL|kWh"  # the unit the meter counts in
_READ_MARK_FIRST = re.compile(
    rf"^(?P<value>{NUMBER})(?:\s*(?P<mark>{_READ_MARK}))?(?:\s*(?P<unit>{_READ_CELL_UNIT}))?$", re.I
)  # `20925 (E) m³`
_READ_UNIT_FIRST = re.compile(rf"^(?P<value>{NUMBER})\s*(?P<unit>{_READ_CELL_UNIT})\s*(?P<mark>{_READ_MARK})$", re.I)


def _read_cell_match(text: str) -> re.Match[str] | None:
    """A read's cell: its value, and its mark (`(E)`, `*`) and the unit the meter counts in where it has them, in
    either order (`20925 (E) m³`, `7,871 CCF (A)`). A gas meter's row read `7,871 CCF (A)` did not parse, and its
    bill went to review for a row it could not read."""
    return _READ_MARK_FIRST.match(text) or _READ_UNIT_FIRST.match(text)


READ_TYPE_WORD = re.compile(r"^\(?(?:E|A|est(?:\.|imated)?|act(?:ual)?)\)?$", re.I)
STAR_MEANS_ESTIMATED = re.compile(r"\*\s*(?:=\s*|-\s*)?estimated", re.I)  # the legend under a table


class Column(NamedTuple):
    left: float
    right: float
    unit: str  # from a heading such as `kWh Used`


# What a unit can measure, and what it measures when nothing on the bill says otherwise: kWh is also how
# gas is billed in Britain, and a hundred cubic feet may be gas, water or the sewer volume billed on it.
_UNIT_COMMODITIES: dict[str, tuple[Commodity | None, frozenset[Commodity]]] = {
    **dict.fromkeys(("kwh", "mwh"), (Commodity.ELECTRICITY, frozenset({Commodity.ELECTRICITY, Commodity.GAS}))),
    **dict.fromkeys(("kw", "kva", "kvarh"), (Commodity.ELECTRICITY, frozenset({Commodity.ELECTRICITY}))),
    **dict.fromkeys(
        ("therm", "therms", "dth", "mmbtu", "mcf", "gj", "mj"), (Commodity.GAS, frozenset({Commodity.GAS}))
    ),
    **dict.fromkeys(
        ("ccf", "hcf", "cf", "m3", "m³", "ft3", "ft³"),
        (None, frozenset({Commodity.GAS, Commodity.WATER, Commodity.SEWER})),
    ),
    **dict.fromkeys(("gal", "gallons", "kgal", "kl"), (Commodity.WATER, frozenset({Commodity.WATER, Commodity.SEWER}))),
    "eru": (Commodity.STORMWATER, frozenset({Commodity.STORMWATER})),
}
_ENERGY_UNITS = frozenset({"kwh", "mwh", "mj", "gj", "therm", "therms"})
BILLED_UNIT = re.compile(rf"^(?:{BILLED_UNITS})$", re.IGNORECASE)
DEMAND_WORD = re.compile(r"\b(?:demand|kW|kVA)\b", re.IGNORECASE)
# what a demand's label may say of it besides the word: `Max demand`, `Billed demand` (no time-of-use period)
DEMAND_KINDS = r"Max(?:imum)?|Peak|Billed|Billing|Metered|Measured|Actual|Recorded|Registered"
DEMAND_KIND = re.compile(rf"(?:{DEMAND_KINDS})?\.?", re.I)
NOT_A_PERIOD = re.compile(
    rf"demand|^(?:{BILLED_UNITS}|kW|kVA|total|energy|consumption|usage|all|none|n/?a|-+)$", re.IGNORECASE
)
_MENTIONS = {
    Commodity.ELECTRICITY: re.compile(r"\belectric(?:ity)?\b", re.I),
    Commodity.GAS: re.compile(r"\bgas\b", re.I),
    Commodity.WATER: re.compile(r"\bwater\b", re.I),
    Commodity.SEWER: re.compile(r"\b(?:sewer|wastewater)\b", re.I),
    Commodity.STORMWATER: re.compile(r"\bstorm ?water\b", re.I),
}


# Every column heading in one alternation, in COLUMN_WORDS order: as each is anchored at both ends, the
# alternative that matches is the first pattern that would, and one call per cell replaces ten.
_ANY_COLUMN = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in COLUMN_WORDS), re.IGNORECASE)


# every usage heading holds one of these words (see COLUMN_WORDS): one search a line spares a match a cell
_USAGE_HEADING_WORD = re.compile(r"usage|used|consumption|billed|energy|units", re.IGNORECASE)


def _header_columns(line: Line, below: Line | None = None) -> dict[str, Column] | None:
    """A meter table's headings: usage, and both reads or the meter's number (meters billed without reads). Headings
    set so close that they share one cell (`Meter No. Prior Read Present Usage`) are split apart, where the words
    of the line `below` start or end if that tells (see _split_heading)."""
    if _USAGE_HEADING_WORD.search(line.text) is None or (len(line.segments) < 2 and not _splittable(line)):
        return None
    columns: dict[str, Column] = {}
    unmatched: list[Segment] = []
    units: list[Segment] = []
    for segment in line.segments:
        text = segment.text.strip().removesuffix(":").rstrip()  # `Meter no.:`
        if text.lower() == "units":
            units.append(segment)  # the usage (a British bill's kWh), or the unit where another heading is usage's
            continue
        match = _ANY_COLUMN.match(text)
        if match is None:
            unmatched.append(segment)
            continue
        name = match.lastgroup
        if name in columns or name is None:  # taken already: a later heading pattern may still fit
            for name, pattern in COLUMN_WORDS:
                match = pattern.match(text)
                if match and name not in columns:
                    break
            else:
                continue
        assert match is not None
        columns[name] = Column(segment.bbox[0], segment.bbox[2], _heading_unit(match))
    if unmatched and (columns or _splittable(line)):
        whole = len(columns)
        edges = _edges(below) if below is not None and below.page == line.page else (set(), set())
        others = [other for segment in unmatched for other in _split_heading(line, segment, columns, edges)]
        if not whole and len(columns) < 3:
            return None  # a title (`METER AND USAGE`), not headings run together: a table has three at least
        # Headings of columns not read (`Days`, `Avg/day`) still hold their cells: `28` under `Days` is no read.
        for number, (left, right) in enumerate(others):
            columns[f"{OTHER_COLUMN}{number}"] = Column(left, right, "")
    for segment in units:  # once every other heading has its name, split-off ones too (`Conv. factor Usage`)
        if (name := "usage" if "usage" not in columns else "uom" if "uom" not in columns else None) is not None:
            columns[name] = Column(segment.bbox[0], segment.bbox[2], "")
    if "usage" in columns and (("start_read" in columns and "end_read" in columns) or "meter" in columns):
        return columns
    return None


OTHER_COLUMN = "other:"  # the prefix of a heading no field is read from; _cells_by_column gives none of its cells


def _splittable(line: Line) -> bool:
    """Headings run together, to split: no figures, and not many words."""
    return _DIGIT.search(line.text) is None and line.text.count(" ") <= 12


Edges = tuple[set[int], set[int]]  # where the words of a line start and end, to the point
_Found = TypeVar("_Found")


def _edges(line: Line) -> Edges:
    return {round(box[0]) for _, _, box in line.words}, {round(box[2]) for _, _, box in line.words}


def _best_split(
    count: int, find: Callable[[int, int], _Found | None], under: Callable[[int, int], int]
) -> list[tuple[int, int, _Found | None]]:
    """The split of `count` words into runs that `find` names (None: a word left over) that leaves the fewest words
    over; on a tie, the one whose runs `under` finds most under (values stand under their headings); then the one
    whose runs start with the most words. As (start, stop, what `find` named) runs."""
    score = [(0, 0)] * (count + 1)  # from each word on: words covered, what is under the runs
    first: list[tuple[int, _Found | None]] = [(1, None)] * (count + 1)  # the best split's first run from there
    for index in range(count - 1, -1, -1):
        score[index], first[index] = score[index + 1], (1, None)
        for stop in range(count, index, -1):  # longest first: a tie keeps the longer run
            if (found := find(index, stop)) is None:
                continue
            candidate = (stop - index + score[stop][0], under(index, stop) + score[stop][1])
            if candidate > score[index]:
                score[index], first[index] = candidate, (stop - index, found)
    runs: list[tuple[int, int, _Found | None]] = []
    index = 0
    while index < count:
        length, found = first[index]
        runs.append((index, index + length, found))
        index += length
    return runs


def _split_heading(
    line: Line, segment: Segment, columns: dict[str, Column], below: Edges = (set(), set())
) -> list[tuple[float, float]]:
    """Headings drawn close enough to share a cell (`Usage (kWh) Avg/day`, `Prev. read Previous`), split as
    _best_split does: `Current | Read Dates`, not `Current Read | Dates`; `Current | Read Date` over `1400
    02/05/2025`, not `Current Read Date`. Each heading becomes its column, as wide as its words. Returns where each
    run of words left over spans (headings of columns no field is read from)."""
    end = segment.start + len(segment.text)
    words = [(start, stop, box) for start, stop, box in line.words if segment.start <= start < end]
    starts, ends = below

    def under(start: int, stop: int) -> int:
        left, right = round(words[start][2][0]), round(words[stop - 1][2][2])
        return int(
            any(edge in starts for edge in (left - 1, left, left + 1))
            or any(edge in ends for edge in (right - 1, right, right + 1))
        )

    others: list[tuple[float, float]] = []
    passed: list[tuple[int, int, BBox]] = []
    for start, stop, found in _best_split(len(words), lambda i, j: _heading(line, words[i:j], columns), under):
        if found is None or found[0] in columns:  # over, or a heading the split takes twice: the first keeps it
            passed.extend(words[start:stop])
            continue
        columns[found[0]] = found[1]
        if passed:
            others.append(_span(passed))
            passed = []
    if passed:
        others.append(_span(passed))
    return others


def _span(words: list[tuple[int, int, BBox]]) -> tuple[float, float]:
    """From the first word's left to the last word's right."""
    return words[0][2][0], words[-1][2][2]


def _heading(line: Line, words: list[tuple[int, int, BBox]], columns: dict[str, Column]) -> tuple[str, Column] | None:
    """The column these words head, if they make a whole heading not taken yet."""
    match = _ANY_COLUMN.match(line.text[words[0][0] : words[-1][1]].removesuffix(":"))
    if match is None or (name := match.lastgroup) is None or name in columns:
        return None
    return name, Column(*_span(words), _heading_unit(match))


# A unit in a heading set in capitals, as the unit is spelled (`PREVIOUS (M³)`, CSS's text-transform, loaded the
# meter's read unit as `M³`); a unit printed in another case is kept as printed (`Usage (ccf)`).
_HEADING_UNIT_SPELLING = {
    unit.lower(): unit
    for unit in f"{READ_UNITS}|{BILLED_UNITS}|therm|therms|gallon|gallons".split("|")
    if "?" not in unit
}


def _heading_unit(match: re.Match[str]) -> str:
    """The unit a heading names: usage's (`Usage (kWh)`, `kWh Used`) or the reads' (`Previous reading (m³)`); in
    capitals, as the unit is spelled."""
    groups = match.groupdict()  # a single heading pattern has only some of these groups
    unit = next((unit for key in ("unit", "unit_used", "start_unit", "end_unit") if (unit := groups.get(key))), "")
    return _HEADING_UNIT_SPELLING.get(unit.lower(), unit) if unit.isupper() else unit


def _cells_by_column(line: Line, columns: dict[str, Column]) -> tuple[dict[str, str], bool]:
    """Each cell goes to the heading it overlaps most (numbers may be right-aligned under a wider heading),
    else to the heading whose left edge is nearest within 25 pt; and whether a cell of two words or more reaches
    under two headings (its words may be two cells run together: see _cells_by_word)."""
    cells: dict[str, str] = {}
    straddles = False
    for segment in line.segments:
        left, _, right, _ = segment.bbox
        best, reached = _column_over(left, right, columns)
        straddles = straddles or (reached > 1 and " " in segment.text)
        best = best or _column_near(left, columns)
        if best is not None and best not in cells and not best.startswith(OTHER_COLUMN):
            cells[best] = segment.text.strip()  # a heading no field is read from keeps its cell
    return cells, straddles


def _column_over(left: float, right: float, columns: dict[str, Column]) -> tuple[str | None, int]:
    """The heading that `left`..`right` overlaps most, and how many it overlaps."""
    best: str | None = None
    most = 0.0
    reached = 0
    for name, (column_left, column_right, _) in columns.items():
        # conditionals, not min() and max(): this runs for every cell and heading of every candidate row
        overlap = (right if right < column_right else column_right) - (left if left > column_left else column_left)
        if overlap > 0.0:
            reached += 1
            if overlap > most:
                best, most = name, overlap
    return best, reached


def _column_near(left: float, columns: dict[str, Column]) -> str | None:
    """The heading whose left edge is nearest `left`, within 25 pt."""
    distance, name = min((abs(column.left - left), name) for name, column in columns.items())
    return name if distance <= 25 else None


def _cells_by_word(line: Line, columns: dict[str, Column]) -> tuple[dict[str, str], bool]:
    """A row's cells with its words regrouped under the headings they stand under, and whether any cell held words
    under two headings: the cells ran together, in a table set so close that pdfium's gaps between its columns
    are narrower than a cell gap (`S57A20148869 Gas`). A word under no heading, or not aligned with the one it
    reaches under, stays with the word before it in its cell (`23 October 2025 - 27 November 2025`), or, where it is
    nearer the word after it, which starts another heading's run, goes with that (`1 133 kWh`: a multiplier, then a
    usage right-aligned under a narrower heading, `133` under none or only reaching under it). A cell that starts
    under no heading goes whole with the heading its next words stand under (`80.730 therm`, right-aligned under
    `Usage`). A run of words under a heading that holds one already goes to the other heading it reaches under, if
    that holds none (`Estimated` under `Current Read` and `type`, headings run together and split at the wrong
    word)."""
    # each run: its heading, and its words' start and end in the line's text, left, right and heading of their own
    runs: list[tuple[str | None, list[tuple[int, int, float, float, str | None]]]] = []
    previous_end = None
    ran_together = False
    for start, end, (left, _, right, _) in line.words:
        column = _column_over(left, right, columns)[0]
        word = (start, end, left, right, column)
        if runs and previous_end is not None and "\t" not in line.text[previous_end:start]:  # in the same cell
            run_column, words = runs[-1]
            if column is None or column == run_column or not _aligned(left, right, columns[column]):
                words.append(word)
                previous_end = end
                continue
            ran_together = ran_together or run_column is not None
            if run_column is None:  # a cell started under no heading: its words are the figure's (`80.730 therm`)
                runs[-1] = (column, [*words, word])
            else:
                runs.append((column, [*_nearer_the_next(words, left, column, columns, line.text), word]))
        else:
            runs.append((column or _column_near(left, columns), [word]))
        previous_end = end
    cells: dict[str, str] = {}
    held: set[str] = set()
    for column, words in runs:
        start, left, end, right = words[0][0], words[0][2], words[-1][1], words[-1][3]
        if column in held:
            column = _column_over(left, right, {name: c for name, c in columns.items() if name not in held})[0]
        if column is None:
            continue
        held.add(column)
        if not column.startswith(OTHER_COLUMN):
            cells[column] = line.text[start:end].strip()
    return cells, ran_together


def _nearer_the_next(
    words: list[tuple[int, int, float, float, str | None]],
    left: float,
    column: str,
    columns: dict[str, Column],
    text: str,
) -> list[tuple[int, int, float, float, str | None]]:
    """The words at the end of a run that stand under no heading, or only reach under `column`, the heading of the
    word after them (starting at `left`), and stand nearer it than the word before them, or are figures after a cell
    set right under its own heading (_set_right: `1 | 133 kWh`, the multiplier, then the usage set right under a
    narrower heading, `133` as far from `1` as from `kWh`; a word, `006439 estimated`, is the cell's mark): taken off
    the run, in order."""
    moved: list[tuple[int, int, float, float, str | None]] = []
    while (
        len(words) > 1
        and words[-1][4] in (None, column)
        and (
            left - words[-1][3] < words[-1][2] - words[-2][3]
            or (_DIGIT.search(text[words[-1][0] : words[-1][1]]) is not None and _set_right(words[:-1], columns, text))
        )
    ):
        moved.insert(0, words.pop())
        left = moved[0][2]
    return moved


def _set_right(words: list[tuple[int, int, float, float, str | None]], columns: dict[str, Column], text: str) -> bool:
    """The words under the last one's heading end where it does (within 2 pt), and start elsewhere than where it starts
    (`1`, `181.3 kW` wider than `Demand`) or are a number alone (`10.96497`): a cell set right under it, ended there.
    A name or a date set left under its heading may end where it does too (`On-peak` under `Period`, `26th April`
    under `Read date`, its year further on)."""
    name = words[-1][4]
    if name is None or abs(words[-1][3] - columns[name].right) > 2:
        return False
    first = words[-1]
    for word in reversed(words):
        if word[4] != name:
            break
        first = word
    return abs(first[2] - columns[name].left) > 2 or _NUMBER_ALONE.fullmatch(text[first[0] : words[-1][1]]) is not None


_NUMBER_ALONE = re.compile(r"[\d.,]+")  # `10.96497`, as wide as its heading


def _aligned(left: float, right: float, column: Column) -> bool:
    """A word starts under its heading, or ends where it ends (a figure right-aligned): the start of a cell, where a
    word that only reaches under it (`(kVA)` of `Peak demand (kVA)`) is not."""
    return left >= column.left - 2 or abs(right - column.right) <= 2


# What a meter's number may be printed with, in its cell: `#12345678`, `No. 12345678`, `S/N 12345678`, `12345678*`,
# `Meter 12345678` (a browser's e-bill: `Meter BL5767117` was loaded as the meter's number)
_METER_DECORATION = re.compile(
    r"^(?:#|(?:No|Nr)(?:\.|(?=[ :]))|S/N|Serial(?: No\.?)?|Meter(?: (?:No\.?|Number|#))?(?=[ :#]))[ :#]*(?=\S*\d)"
    r"|[ ]*[*†‡]+$",
    re.IGNORECASE,
)


def _row_cells(row: Line, columns: dict[str, Column]) -> tuple[dict[str, str], re.Match[str]] | None:
    """A meter row's cells and its usage: by cell, or by word where a cell holds words under two headings (its
    cells ran together) and that reading's usage reads, or where the cells do not read. A meter's number without
    what it is printed with (`#12345678` was the meter `#12345678`); none where the cell holds only that (`Meter`
    before no number, a service's row without a meter: the table ended there)."""
    found = _cells_and_usage(row, columns)
    if found is not None and (meter := found[0].get("meter")):
        if _METER_DECORATION.search(meter):
            found[0]["meter"] = _METER_DECORATION.sub("", meter)
        elif _METER_WORD.fullmatch(meter):
            del found[0]["meter"]
    return found


_METER_WORD = re.compile(r"Meter(?: (?:No\.?|Number|#))?[ :#]*", re.IGNORECASE)  # a meter cell's label, no number


def _cells_and_usage(row: Line, columns: dict[str, Column]) -> tuple[dict[str, str], re.Match[str]] | None:
    cells, straddles = _cells_by_column(row, columns)
    usage = QUANTITY_CELL.match(cells["usage"]) if "usage" in cells else None
    if usage is not None and not straddles:
        return cells, usage
    by_word, ran_together = _cells_by_word(row, columns)
    if (ran_together or usage is None) and "usage" in by_word:
        if (by_word_usage := QUANTITY_CELL.match(by_word["usage"])) is not None:
            return by_word, by_word_usage
    return (cells, usage) if usage is not None else None


UNIT_CELL = re.compile(rf"^{UNIT}$")
HEADING_UNIT = re.compile(rf"^\((?P<unit>{BILLED_UNITS})\)$", re.I)  # on the heading's second line


def _headings_wrapped(line: Line, below: Line) -> Line | None:
    """A meter table's headings with their second lines joined word by word to the words they stand under (`Meter`
    over `Number`, `Previous` over `Reading`, `Total` over `Usage`): headings wrapped in cells too narrow for them. A
    line of no figures, set at a cell's leading under headings of no figures, each word starting, ending or centred
    where a heading's word above does. The table was not found, and the bill loaded without its meters' reads."""
    if len(line.segments) < 2 or _DIGIT.search(line.text) or _DIGIT.search(below.text) or not _in_one_cell(line, below):
        return None
    whole = _joined_under(line, below)
    if whole is None or not _USAGE_HEADING_WORD.search(whole.text) or _USAGE_HEADING_WORD.search(line.text):
        return None
    return whole


def _joined_under(above: Line, below: Line, fits: Callable[[str, Segment], bool] | None = None) -> Line | None:
    """`above` with each word of `below` joined as the next line of the cell it stands under (_aligned_word); None
    where a word stands under none, or where `fits` refuses a word under its cell."""
    inserts = []
    for start, end, box in below.words:
        if (placed := _aligned_word(above, box)) is None:
            return None
        text = below.text[start:end]
        if fits is not None and not fits(text, above.segment_at(placed - 1)):
            return None
        inserts.append((placed, Segment(text, box, below.segments[0].height, 0)))
    return _inserted(above, inserts)


def _aligned_word(line: Line, box: BBox) -> int | None:
    """Where in `line` the words in `box` go on, as the next line of a cell: after the cell's text on the line right
    above them. That is the text from the word `box` stands under (overlapping it, and starting, ending or centred
    where it does; the lowest of such words, as a cell's third line goes under its second) to the last word a space
    apart from it (`Electricity Super-` over `Off-Peak`), short of a wider gap: cells run together (`14,240` over
    `kWh` in `14,240 $0.06403`)."""
    under = [
        (-bottom, min(right, box[2]) - max(left, box[0]), index)
        for index, (_, _, (left, bottom, right, _)) in enumerate(line.words)
        if min(right, box[2]) > max(left, box[0])
        and min(abs(left - box[0]), abs(right - box[2]), abs((left + right - box[0] - box[2]) / 2)) <= WRAP_EDGE
    ]
    if not under:
        return None
    index = max(under)[2]
    _, end, (_, bottom, right, top) = line.words[index]
    for start, next_end, (next_left, next_bottom, next_right, _) in line.words[index + 1 :]:
        if "\t" in line.text[end:start] or abs(next_bottom - bottom) > 1 or next_left - right > 0.5 * (top - bottom):
            break
        end, right = next_end, next_right
    return end


def _units_wrapped(rows: Iterable[Line]) -> Iterator[Line]:
    """Meter rows with a unit wrapped under its figure joined to them (`8,800` over `gal`, `249.4 14,240` over
    `kW | kWh`): a line of no figures set at a cell's leading under a row, each word aligned with one of the row's.
    Another meter's row has figures of its own. Each row is given once the line after it is not its own."""
    above: Line | None = None
    for row in rows:
        if above is not None and _DIGIT.search(above.text) and (whole := _wrapped_under(above, row)) is not None:
            above = whole
            continue
        if above is not None:
            yield above
        above = row
    if above is not None:
        yield above


# The words of a date: a line under a meter's row of such words (one a month or a year) and units is its read dates'
# cell wrapped (`4 Jan 2024` over `- 2 Feb | kWh` over `2024`), not another meter's row (`Sewer | 23 CCF`). The table
# was read down to it, and bills loaded as ok without the meters under it.
_YEAR_OR_MONTH = (
    r"(?:19|20)\d\d|(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?"
)
_DATE_IN_FIGURES = r"\d{1,2}/\d{1,2}/(?:\d\d)?\d\d|\d{4}-\d\d-\d\d"  # `03/10/2024`, `2024-10-03`: a date whole
_YEAR_OR_MONTH_WORD = re.compile(rf"{_YEAR_OR_MONTH}|{_DATE_IN_FIGURES}")
_DATE_WORD = re.compile(rf"[-\u2013\u2014]|\d{{1,2}}(?:st|nd|rd|th)?,?|{_YEAR_OR_MONTH}|{_DATE_IN_FIGURES}")


def _wrapped_under(above: Line, row: Line) -> Line | None:
    """`above`, a meter's row, with `row`'s words joined to the cells they stand under, `row` set at a cell's leading
    under it: words of no figures (a unit), each under a word of its cell; or, at a leading up to LOOSE_LEADING (a
    browser's line height), each of `row`'s cells under its cell, where its figures are a date's words (one a month's
    or a year's) or the rest of a meter's number cut at its hyphen (`E04-` over `89998`); a read's mark may stand under
    its read beside them (`Jan 30,` over `2025`, `75,565` over `(A)`: the table ended there, and the meters under it
    were lost in an ok bill)."""
    if row.page != above.page:
        return None
    if not _DIGIT.search(row.text):
        if _in_one_cell(above, row):
            return _joined_under(above, row)
        if _under_a_cell(above.segments, row, LOOSE_LEADING):
            return _joined_under(above, row, _a_dates_word)
        return None
    if not _under_a_cell(above.segments, row, LOOSE_LEADING):
        return None
    inserts = []
    told = False  # a month's or a year's word, or a meter number's end: the row's cells wrapped, not another row
    for segment in row.segments:
        mark = READ_TYPE_WORD.fullmatch(segment.text.strip()) is not None
        placed = _aligned_word(above, segment.bbox)
        if placed is None and mark:
            placed = _read_over(above, segment.bbox)  # a badge in a box of its own, inset under its read
        if placed is None:
            return None
        cell = above.segment_at(placed - 1)  # the whole cell: monospaced type's spaces pass for cells' gaps
        placed = cell.start + len(cell.text)
        words = [(start, end, box) for start, end, box in row.words if row.segment_at(start) is segment]
        texts = [row.text[start:end] for start, end, _ in words]
        if _cut_at_its_hyphen(cell.text, segment.text):
            told = True  # `E04-` over `89998`, `2024-` over `08-02`: a meter's number or a date wrapped at a hyphen
        elif all(_DATE_WORD.fullmatch(text) or UNIT_CELL.match(text) for text in texts):
            told = told or any(_YEAR_OR_MONTH_WORD.fullmatch(text) for text in texts)
        elif not (mark and _read_cell_match(cell.text.strip())):
            return None  # nor a read's mark under its read (`75,565` over `(A)`)
        inserts += [(placed, Segment(row.text[start:end], box, segment.height, 0)) for start, end, box in words]
    return _inserted(above, inserts) if told else None


def _a_dates_word(word: str, cell: Segment) -> bool:
    """Whether `word`, with no figures, is a date's (`–`, `October`) under a cell of a date's words: a narrow column
    wraps `August 30, 2024 – October 2, 2024` onto five lines, at a browser's line height (up to LOOSE_LEADING). The
    table ended at the dash, and web-67-0098 went to review with two of its three registers unread."""
    return _DATE_WORD.fullmatch(word) is not None and any(
        _YEAR_OR_MONTH_WORD.fullmatch(part) for part in cell.text.split()
    )


def _read_over(line: Line, box: BBox) -> int | None:
    """The end of the word of `line` over `box` (overlapping it the most), where that word is a read: a read type's
    badge, inset in a box of its own under the read (`7,964 m³` over `ESTIMATED`), starts and ends where no word
    does. The bill loaded as ok with the read actual. A word, not its cell: in fixed-pitch type the reads' cells run
    together (`26,407,500 26,415,400` over `ESTIMATED`, web-85-0006, whose water meter went unread to review). Else
    the words of its cell over the badge, where the badge stands under a read and its unit about alike (`5,253 CCF`
    over `ESTIMATED`, the unit's a little more: web-157-0059 loaded as ok with its estimated gas read actual)."""
    over = [
        (min(right, box[2]) - max(left, box[0]), index) for index, (_, _, (left, _, right, _)) in enumerate(line.words)
    ]
    if not over or (best := max(over))[0] <= 0:
        return None
    start, end, _ = line.words[best[1]]
    if _read_cell_match(line.text[start:end]):
        return end
    cell = line.segment_at(start)
    spans = [line.words[index][:2] for overlap, index in over if overlap > 0]
    in_cell = [(start, end) for start, end in spans if line.segment_at(start) is cell]  # in the order of the words
    return in_cell[-1][1] if _read_cell_match(line.text[in_cell[0][0] : in_cell[-1][1]]) else None


_NUMBER_CUT = re.compile(r"(?<![\w-])[A-Z0-9]+-$")  # a meter's number cut at its hyphen, at a cell's end (`E04-`)
_NUMBER_END = re.compile(r"[A-Z0-9]+")
_ISO_DATE_CUT = re.compile(r"(?<![\w-])\d{4}-(?:\d\d-)?$")  # a date cut at one of its hyphens (`2024-`, `2024-08-`)
_WHOLE_DATE_IN_FIGURES = re.compile(_DATE_IN_FIGURES)


def _cut_at_its_hyphen(cell: str, rest: str) -> bool:
    """Whether `rest`, a cell's wrapped line, ends a meter's number or a date its cell ends cut at a hyphen (`E04-`
    over `89998`; `2024-07-01 – 2024-` over `08-02` in Courier: web-141-0096 went to review with its meter unread)."""
    if _NUMBER_CUT.search(cell) and _NUMBER_END.fullmatch(rest):
        return True
    cut = _ISO_DATE_CUT.search(cell)
    return cut is not None and _WHOLE_DATE_IN_FIGURES.fullmatch(cut[0] + rest) is not None


TABLE_ROWS = 11  # the most rows of a meter table, its cells' wrapped lines joined to them


def _table_rows(document: Document) -> Iterator[tuple[dict[str, str] | None, dict[str, Column], Line]]:
    """Each meter row under a meter table's headings; a row with figures that ends a table before any row was
    read comes with no cells (its figures are a meter's that could not be told apart)."""
    lines = document.lines
    for index, line in enumerate(lines):
        below = lines[index + 1] if index + 1 < len(lines) else None
        first_row = index + 1
        if below is not None and (whole := _headings_wrapped(line, below)) is not None:
            line, first_row = whole, index + 2  # `Previous` over `Reading`, `Total` over `Usage`
            below = lines[first_row] if first_row < len(lines) else None
        columns = _header_columns(line, below)
        if columns is None:
            continue
        read = False
        for offset, row in enumerate(islice(_units_wrapped(islice(lines, first_row, None)), TABLE_ROWS)):
            if row.page != line.page:
                break
            if offset == 0 and not any(character.isdecimal() for character in row.text):
                # the headings' second line: `Previous` over `reading`, `Usage` over `(kWh)`
                for name, cell in _cells_by_column(row, columns)[0].items():
                    if (unit := HEADING_UNIT.match(cell)) is not None and not columns[name].unit:
                        columns[name] = columns[name]._replace(unit=unit["unit"])
                continue
            if (found := _row_cells(row, columns)) is None:
                if not read and _a_broken_rows_dates(row):
                    continue
                if not read and _DIGIT.search(row.text):
                    yield None, columns, row
                break
            cells, usage = found
            if "start_read" not in cells and "end_read" not in cells and not _meter_without_reads(cells, usage):
                break
            read = True
            yield cells, columns, row


def _a_broken_rows_dates(line: Line) -> bool:
    """Whether `line`, over a table's first row, is all a date's words, one a month's or a year's (`2024`): the rest of
    the read dates of a row a page broke, under the table's headings the browser repeats on the next page. It ended
    the table there, and web-145-0025 went to review with the meter under it unread (usage_row_unreadable)."""
    words = line.text.split()
    return all(_DATE_WORD.fullmatch(word) for word in words) and any(map(_YEAR_OR_MONTH_WORD.fullmatch, words))


# A service's name alone, in a row of a meter table that prints no reads: `Sewer | 23 CCF`
SERVICE_ROW = re.compile(
    r"^(?:Sewer|Wastewater|Storm ?water|Water|Gas|Electric(?:ity)?|Irrigation)(?:[ -](?:service|volume|usage|use))?$",
    re.IGNORECASE,
)
METER_CELL = re.compile(r"^(?=\S*\d)[A-Z0-9][A-Z0-9-]*$")  # `W1`, `E12345678`: one word in capitals and figures


def _meter_without_reads(cells: dict[str, str], usage: re.Match[str]) -> bool:
    """A row without reads is a meter's only with a unit of its own (`Sewer | 23 CCF`, or `23` under `Usage` and
    `CCF` under `Unit`; `Demand (kW) | 15.3` under the table is not one), and where it names a meter or a service:
    `Average daily usage | 40 kWh` and `Same month last year | 1,100 kWh` under the table were read as meters, and
    `Total | 1,500 kWh` counted the meters' usage twice."""
    if not usage.group("unit") and UNIT_CELL.match(cells.get("uom", "")) is None:
        return False
    named = cells.get("meter") or cells.get("service")  # none: a register of the meter above (`| Off-peak | 300 kWh`)
    return named is None or METER_CELL.match(named) is not None or SERVICE_ROW.match(named) is not None


def _unreadable(row: Line, why: str) -> AuditResult:
    return AuditResult(
        code="usage_row_unreadable",
        severity=Severity.ERROR,
        message=f"a meter row could not be read ({why}): {row.text.replace(chr(9), ' | ')}",
        details={"page": row.page, "why": why},
    )


# The conversion some bills print under their meters, one factor or several: `36 m³ x Conversion to kWh 11.147 =
# 401 kWh`, `114 m3 x Volume correction 1.02264 x Calorific value 39.4 ÷ 3.6 = 1,276 kWh`.
CONVERSION_NOTE = re.compile(
    rf"(?<![\d.,])(?P<read_used>{NUMBER}) ?(?P<read_unit>{READ_UNITS})(?P<factors>(?:\s+[x×÷][^=\t]*?)+)"
    rf"\s*=\s*(?P<quantity>{NUMBER}) ?(?P<unit>{UNIT})(?![\w³])"
)
# one step of it: an operator, the factor's name, its value, and a unit ratio (`0.03889 GJ/m3`)
CONVERSION_STEP = re.compile(
    rf"\s+(?P<op>[x×÷])\s+(?:[A-Za-z][\w ().,/³-]*?\s)?(?P<value>{NUMBER})(?:\s*[A-Za-z]+/[A-Za-z³0-9]+)?"
)
FACTOR_PLACES = Decimal("0.000001")  # a quotient of printed factors (`÷ 3.6`) is kept to six places


class Conversion(NamedTuple):
    read_used: Decimal
    read_unit: str
    factor: Decimal
    quantity: Decimal
    unit: str
    line: Line


def _conversion_notes(document: Document) -> list[Conversion]:
    """Every conversion printed on the page whose steps all read; its factor is the steps' product."""
    if "=" not in document.text:
        return []
    notes = []
    for line in document.lines:
        for match in CONVERSION_NOTE.finditer(line.text):
            factors, position, factor, divided = match.group("factors"), 0, Decimal(1), False
            while position < len(factors) and (step := CONVERSION_STEP.match(factors, position)) is not None:
                value = US.parse_number(step.group("value"))
                if step.group("op") == "÷":
                    if not value:
                        break
                    factor, divided = factor / value, True
                else:
                    factor *= value
                position = step.end()
            if position < len(factors.rstrip()):
                continue  # a step that does not read: no factor rather than a wrong one
            notes.append(
                Conversion(
                    US.parse_number(match.group("read_used")),
                    match.group("read_unit"),
                    factor.quantize(FACTOR_PLACES) if divided else factor,
                    US.parse_number(match.group("quantity")),
                    match.group("unit"),
                    line,
                )
            )
    return notes


# A meter counting in a smaller unit than usage is billed in (`Previous reading (gal)`, `5.6 kgal`): the scale
SCALED_UNITS = {("gal", "kgal"): Decimal("0.001"), ("l", "kl"): Decimal("0.001"), ("kwh", "mwh"): Decimal("0.001")}
_UNIT_SPELLING = {"l": "L", "kwh": "kWh"}  # the read unit, when no heading spells it


def _with_conversion(values: dict[str, Any], notes: Callable[[], list[Conversion]]) -> Line | None:
    """Fill a meter's factor and read unit, when its row has no factor: from the scale between the unit its read
    headings name and usage's, else from a conversion printed under the meters, whose volume must be the reads'
    difference and whose result the row's usage. The note's line, if one fits."""
    start, end = values["start_read"], values["end_read"]
    if values["conversion_factor"] is not None or start is None or end is None:
        return None
    if values["read_unit"] is not None:
        scale = SCALED_UNITS.get((values["read_unit"].lower(), values["unit"].lower()))
        if scale is not None:
            values["conversion_factor"] = scale
            return None
    used = (end - start) * (values["multiplier"] or 1)
    for note in notes():
        if note.read_used == used and note.quantity == values["quantity"] and note.unit == values["unit"]:
            if values["read_unit"] is not None and values["read_unit"] != note.read_unit:
                continue
            values["conversion_factor"], values["read_unit"] = note.factor, note.read_unit
            return note.line
    if values["read_unit"] is None and used != values["quantity"]:
        # Reads that count the smaller unit, named by nothing but their arithmetic: 81511 to 89511 is 8.0 kgal
        # only in gallons.
        unit = values["unit"].lower()
        for (read_unit, billed_unit), scale in SCALED_UNITS.items():
            if billed_unit == unit and used * scale == values["quantity"]:
                values["conversion_factor"], values["read_unit"] = scale, _UNIT_SPELLING.get(read_unit, read_unit)
    return None


def _usage_from_tables(document: Document, draft: Draft) -> None:
    rows: list[tuple[dict[str, str], Line, dict[str, Any], Line | None]] = []
    notes = cache(partial(_conversion_notes, document))  # read only when a meter needs its conversion
    above: tuple[dict[str, Column], dict[str, str]] | None = None  # the last row read, and its table's headings
    for cells, columns, row in _table_rows(document):
        if cells is None:
            draft.notes.append(_unreadable(row, "no meter row under the headings reads"))
            continue
        flow = _flow_in_other_cells(row, cells)  # a register named under no register heading
        if above is not None and above[0] is columns and _register_of_the_meter_above(cells, above[1], flow):
            cells["meter"] = above[1]["meter"]
        above = columns, cells
        usage = QUANTITY_CELL.match(cells["usage"])
        assert usage is not None
        if _NUMBER_CUT.search(cells.get("meter", "")):  # its rest on a line no reading joined to the row
            draft.notes.append(_unreadable(row, "the meter's number is cut short"))
            continue
        if (unit := usage.group("unit") or cells.get("uom", "")).lower() in DEMAND_UNITS:
            _demand_row(cells, unit, usage, row, draft)
            continue
        try:
            values = _read_from_cells(cells, columns, usage, draft)
        except (ValueError, InvalidOperation):
            draft.notes.append(_unreadable(row, "a number does not parse"))
            continue
        if values is None:
            draft.notes.append(_unreadable(row, "no unit"))
            continue
        note = _with_conversion(values, notes)
        if values["conversion_factor"] is None:
            values["read_unit"] = None  # a heading's unit names what converted meters count in, not every meter's
        if "period" not in cells and flow is not None:
            values["direction"] = flow
        rows.append((cells, row, values, note))
    if not rows:
        return
    # A meter that can only be one thing (therms, or a volume converted into kWh: gas) accounts for the
    # charges naming that thing.
    taken = _taken(values for _, _, values, _ in rows)
    star_is_estimate = STAR_MEANS_ESTIMATED.search(document.text) is not None
    says_estimated = cache(partial(_says_estimated, document))  # asked only for rows with no mark of their own
    read_unit = READ_UNIT_NOTE.search(document.text)
    named = [commodity_of(cells.get("service", "")) for cells, _, _, _ in rows]  # a service column says it outright
    settled = [
        Commodity.OTHER
        if names_another_fuel(cells.get("service", ""))
        else _meter_commodity(service, _by_unit(values), values, draft, document, taken)
        for service, (cells, _, values, _) in zip(named, rows, strict=True)
    ]
    for index, (cells, row, values, note) in enumerate(rows):
        if settled[index] is None:
            # What the meters in other units were found to measure is accounted for (a CCF meter billed as gas
            # leaves electricity to the kWh meter); the sewer volume under a water meter is told by its volume.
            unit = values["unit"].lower()
            if other := {c for c, (_, _, v, _) in zip(settled, rows, strict=True) if c and v["unit"].lower() != unit}:
                settled[index] = _meter_commodity(named[index], None, values, draft, document, taken | other)
            water = [v for c, (_, _, v, _) in zip(settled, rows, strict=True) if c is Commodity.WATER]
            settled[index] = settled[index] or _sewer_volume(values, water, draft)
        commodity = settled[index]
        if commodity is None:
            draft.notes.append(_service_open(row, values))
            continue
        read_type = _marked_read_type(_mark(cells, row, document, says_estimated), star_is_estimate, draft, row)
        if read_type is None:
            continue
        if values["conversion_factor"] is not None and values["read_unit"] is None and read_unit is not None:
            values["read_unit"] = read_unit.group("unit")  # the meter counts volume; the factor turns it into the unit
        read = UsageRead(**values, commodity=commodity, read_type=read_type)
        draft.usage.append((read, row_provenance(row, METHOD, 0.8, note)))
        if "demand" in cells and (demand := QUANTITY_CELL.match(cells["demand"])) is not None:
            try:
                draft.demand.append(
                    (
                        DemandRead(
                            meter_number=read.meter_number,
                            quantity=US.parse_number(demand.group("quantity")),
                            unit=demand.group("unit") or "kW",
                        ),
                        row_provenance(row, METHOD, 0.8),
                    )
                )
            except ValueError:
                pass


def _register_of_the_meter_above(cells: dict[str, str], above: dict[str, str], flow: Direction | None) -> bool:
    """A row that names a register and leaves the meter's cell empty, under a row that names a meter, is that meter's
    next register, its number printed once (`E123 | Delivered ...` over `| Received ...`): it was loaded as a meter
    with no number. Not a row that names no register (the sewer volume under the water meter), nor another service."""
    return (
        not cells.get("meter")
        and bool(above.get("meter"))
        and ("service" not in cells or cells["service"] == above.get("service"))
        and (bool(cells.get("period")) or flow is not None)
    )


def _flow_in_other_cells(row: Line, cells: dict[str, str]) -> Direction | None:
    """The direction a net-metered meter's row names in a cell under no heading read as a register: `E123 | kWh
    Received | 2,000 | 2,200 | 200 kWh` under `Description` was loaded as 200 kWh used. Only a cell that names
    nothing else (a unit or `Energy` may stand beside it)."""
    if not names_a_flow(row.text):
        return None
    read = set(cells.values())
    for cell in row.cells:
        if cell in read:
            continue
        direction, rest = flow_of(cell)
        if direction is not None and (not rest or NOT_A_PERIOD.search(rest) is not None):
            return direction
    return None


READ_UNIT_NOTE = re.compile(r"\bReadings? (?:are |shown )?in (?P<unit>m³|m3|ft³|ft3|CCF|HCF)(?![\w³])", re.I)
# an estimate's word in a row, alone in its cell or after a read (`25,150 estimated`)
# `Estimated` in a cell of its own, or before the reads run into its cell (`Estimated 25,595 25,732`: a browser's
# columns; `E7873377 Electricity Estimated 13,774 15,250`: a crowded row, its cells set closer than a cell's gap), the
# estimate loaded as an actual read
ESTIMATE_CELL = re.compile(
    r"(?:^|[\t ])\(?(?:est\.?|estimated|estimate)\)?\s*(?:\t|$)|(?:^|[\t ])estimated (?=\d)", re.I
)
# A bill that says its reading was estimated, for the meters that carry no mark of their own: `ESTIMATED BILL`
# printed alone, `This bill is based on an estimated reading.`, `We were unable to read your meter`. Not a
# legend (`E = Estimated reading`) nor a condition (`If your bill is estimated, ...`).
ESTIMATED_BILL = re.compile(
    r"(?:^|\t)(?:ESTIMATED BILL|Estimated bill|Estimated reading)(?:\t|$)"
    r"|(?<!if )(?<!when )\b(?:this|your) bill is (?:based on |calculated (?:from|on) )?(?:an? |your )?estimated?\b"
    r"|\bthis is an estimated bill\b|\bthis bill (?:uses|includes) an estimated"
    r"|(?<!if )(?<!when )\bwe (?:were unable to|could not|couldn't|did not|didn't) (?:read|access|get a reading from)"
    r" your meter\b|(?<!if )(?<!when )\byour meter (?:was not|wasn't|could not be) read\b",
    re.IGNORECASE | re.MULTILINE,
)
_ESTIMATE_WORDS = ("stimat", "STIMAT", "your meter", "YOUR METER", "Your meter")  # one of them is in each notice


def _says_estimated(document: Document) -> bool:
    """Searched line by line where a notice's word stands: the pattern over the whole text cost 0.13 ms a bill
    that prints `Estimated` at all, and the readers ask once a meter."""
    text = document.text
    for word in _ESTIMATE_WORDS:
        found = text.find(word)
        while found >= 0:
            start, end = text.rfind("\n", 0, found) + 1, text.find("\n", found)
            if ESTIMATED_BILL.search(text, start, end if end >= 0 else len(text)):
                return True
            found = text.find(word, end) if end >= 0 else -1
    return False


def _notice_mark(document: Document) -> str:
    """The mark of a meter that carries none of its own: `estimated` where the bill says so (see ESTIMATED_BILL)."""
    return "estimated" if _says_estimated(document) else ""


def _mark(cells: dict[str, str], row: Line, document: Document, says_estimated: Callable[[], bool]) -> str:
    """An estimate's mark: after the end read (`1234 E`, `1234*`), in a read-type column, in a cell of its
    own under a heading we do not know, or beside the meter's number elsewhere (see _meter_mark)."""
    end = _read_cell_match(cells.get("end_read", ""))
    mark = ((end.group("mark") if end else None) or cells.get("read_type", "")).strip()
    if not mark and ESTIMATE_CELL.search(row.text):
        return "estimated"
    if not mark and "stimat" in document.text:  # `Estimated`: a legend says the bill marks estimates somewhere
        # the meter's number, or a register's name (`On-peak`), keyed to a mark elsewhere
        keys = [cells.get("meter", ""), *(s.text for s in row.segments if not any(c.isdigit() for c in s.text))]
        mark = next((found for key in keys if key and (found := _meter_mark(document, key))), "")
    if not mark and says_estimated():
        return "estimated"
    return mark


_MARK_AFTER_KEY = re.compile(r"\s*[:=-]\s*\(?(E|A|est(?:\.|imated)?|act(?:ual)?)\)?(?![\w-])", re.IGNORECASE)


def _meter_mark(document: Document, key: str) -> str:
    """A read type printed under the table against a meter's number or register: `Reading type - 93115874: E`,
    `Type - On-peak: E, Off-peak: A`. Plain finds of the key, not a regex built for it: a pattern a key costs
    a compile per meter row."""
    text = document.text
    start = text.find(key)
    while start >= 0:
        before = text[start - 1] if start else " "
        if not (before.isalnum() or before in "_-") and (match := _MARK_AFTER_KEY.match(text, start + len(key))):
            return match.group(1)
        start = text.find(key, start + 1)
    return ""


def _meter_commodity(
    named: Commodity,
    by_unit: Commodity | None,
    values: dict[str, Any],
    draft: Draft,
    document: Document,
    taken: set[Commodity],
) -> Commodity | None:
    """A meter's commodity: what its service column or title says outright, else what its unit settles
    (`by_unit`, from _by_unit), else what the charges tell (see _commodity); None when the page leaves it open."""
    return (named if named is not Commodity.OTHER else by_unit) or _commodity(values, draft, document, taken)


def _settled(
    named: Commodity, values: dict[str, Any], draft: Draft, document: Document, taken: set[Commodity], line: Line
) -> Commodity | None:
    """A meter's commodity (see _meter_commodity), or None with the note that sends the bill to review."""
    commodity = _meter_commodity(named, _by_unit(values), values, draft, document, taken)
    if commodity is None:
        draft.notes.append(_service_open(line, values))
    return commodity


def _service_open(line: Line, values: dict[str, Any]) -> AuditResult:
    return _unreadable(line, f"{values['unit']} could measure several services")


def _sewer_volume(values: dict[str, Any], water_meters: list[dict[str, Any]], draft: Draft) -> Commodity | None:
    """Sewer, for a row with neither reads nor a meter under a water meter's, whose volume a sewer charge bills
    (`Sewer Volume Charge  6 CCF`) or, where the charges print no quantity in its unit, whose volume is the
    water meter's: `W585692 | 1440 | 1446 | 6 CCF`, then `6 CCF`."""
    if values["end_read"] is not None or values["meter_number"] is not None:
        return None
    unit, quantity = values["unit"].lower(), values["quantity"]
    water = [v for v in water_meters if v["end_read"] is not None and v["unit"].lower() == unit]
    sewer = [item for item, _ in draft.line_items if commodity_of(item.description) is Commodity.SEWER]
    if not water or not sewer:
        return None
    if any(item.quantity == quantity and (item.unit or "").lower() == unit for item in sewer):
        return Commodity.SEWER
    quantities_printed = any((item.unit or "").lower() == unit for item, _ in draft.line_items)
    if not quantities_printed and any(v["quantity"] == quantity for v in water):
        return Commodity.SEWER
    return None


def _taken(meters: Iterable[dict[str, Any]]) -> set[Commodity]:
    """What the meters whose unit alone settles them account for: `taken` of _commodity."""
    return {by_unit for values in meters if (by_unit := _by_unit(values)) is not None}


def _marked_read_type(mark: str, star_is_estimate: bool, draft: Draft, line: Line) -> ReadType | None:
    """The read type a meter's mark gives; None, with a note for review, for a `*` no legend explains, or for a
    read with its mark in the read-type column (`25,481 Estimated`: the columns ran together, and which read
    is the end read is no longer told)."""
    if mark == "*" and not star_is_estimate:
        draft.notes.append(_unreadable(line, "a reading is marked * and no legend says what that means"))
        return None
    if (read := _read_cell_match(mark)) is not None and read.group("mark"):
        draft.notes.append(_unreadable(line, f"a read and its mark share the read type's cell: {mark!r}"))
        return None
    return ReadType.ESTIMATED if mark == "*" else read_type_of(mark)


def _by_unit(values: dict[str, Any]) -> Commodity | None:
    """The commodity a row's unit alone settles: the only one it measures, or gas for a volume converted
    into energy by a calorific factor."""
    unit = values["unit"].lower()
    candidates = _UNIT_COMMODITIES.get(unit, (None, frozenset()))[1]
    if len(candidates) == 1:
        return next(iter(candidates))
    if values["conversion_factor"] is not None and unit in _ENERGY_UNITS and Commodity.GAS in candidates:
        return Commodity.GAS
    return None


_SENTENCE = re.compile(r"(?:\S+\s+){5,}\S+\.$")  # six words or more, and a full stop


def _named(document: Document, commodity: Commodity) -> bool:
    """The page names the commodity in a heading, a label or a charge, not only in a message's sentence (`Rebates
    ... for heat pump water heaters.` on a gas bill)."""
    mention = _MENTIONS[commodity]
    return mention.search(document.text) is not None and any(
        mention.search(segment.text) and not _SENTENCE.search(segment.text)
        for line in document.lines
        for segment in line.segments
    )


def _commodity(values: dict[str, Any], draft: Draft, document: Document, taken: set[Commodity]) -> Commodity | None:
    """What a meter row measures when neither a service column nor its unit alone (see _by_unit) says: what
    its unit allows as told apart by its charge lines, else the unit's usual commodity unless the charges
    name another it could be, else the one the bill names; None when the page leaves it open.

    A utility's name is no evidence (a gas company may sell electricity), so the bill's words count only
    for units without a usual commodity. `taken`: commodities other meters of the bill account for.
    """
    unit = values["unit"].lower()
    default, candidates = _UNIT_COMMODITIES.get(unit, (None, frozenset()))
    # what the charges billed in this unit name, and of those, the ones billing this meter's quantity
    lines = [(commodity_of(i.description), i.quantity) for i, _ in draft.line_items if (i.unit or "").lower() == unit]
    same_unit = {commodity for commodity, _ in lines}
    billed = {commodity for commodity, quantity in lines if quantity == values["quantity"]}
    # a service billed in tiers whose quantities add up to the meter's (`Water usage tier 1  3 ccf`, `tier 2  17 ccf`)
    billed |= {c for c in same_unit if sum(q for named, q in lines if named is c and q) == values["quantity"]}
    if billed == {Commodity.SEWER} and Commodity.WATER in candidates:
        billed = {Commodity.SEWER, Commodity.WATER}  # sewer is billed on the water meter's volume, or its own
    elif billed == {Commodity.SEWER, Commodity.WATER} and values["end_read"] is not None:
        billed = {Commodity.WATER}  # a meter whose volume water and sewer are both billed on: the water meter
    if len(possible := billed & candidates) == 1:
        return next(iter(possible))
    # The charges name the service only when every line in this unit does (`Day units` names none).
    charged = (same_unit if lines else {commodity_of(item.description) for item, _ in draft.line_items}) - taken
    if (not lines or Commodity.OTHER not in charged) and len(possible := charged & candidates) == 1:
        # With no charge in this unit, the one service the charges name settles it unless the page names another
        # the unit could measure (`Your electricity` over `Energy - day`, beside `Gas used`).
        if lines or not {c for c in candidates - possible - taken if _named(document, c)}:
            return next(iter(possible))
    if not lines and charged & candidates == {Commodity.WATER, Commodity.SEWER} and values["end_read"] is not None:
        # Sewer is billed on the water meter's volume: with no charge quantity to say otherwise, a meter read on
        # such a bill is water's. A quantity that matches neither (see above) leaves it open.
        return Commodity.WATER
    if default is not None:
        # kWh on a bill whose charges also name gas, with nothing to say which meter is which: open; unless
        # this meter's quantity is billed on lines, and the gas lines bill another quantity
        rivals = (charged & candidates) - {default}
        if billed:
            rivals -= same_unit - billed
        return None if rivals else default
    mentioned = {commodity for commodity in candidates if _MENTIONS[commodity].search(document.text)}
    return next(iter(mentioned)) if len(mentioned) == 1 else None


NO_READ = re.compile(r"^(?:[-–—]*|n/?a)$", re.IGNORECASE)  # a row with no read: nothing, a dash, `N/A`


def _unit_of_reads(start: re.Match[str] | None, end: re.Match[str] | None) -> str | None:
    """The unit a meter's reads are printed with (`7,838 CCF`), the start read's or else the end read's."""
    return (start and start["unit"]) or (end and end["unit"]) or None


def _read_cell(text: str) -> re.Match[str] | None:
    if (read := _read_cell_match(text)) is None and NO_READ.match(text.strip()) is None:
        raise ValueError(f"not a read: {text}")
    return read


def _demand_row(cells: dict[str, str], unit: str, usage: re.Match[str], row: Line, draft: Draft) -> None:
    """A meter's demand on a row of the table (`E123 | Demand | 0 | 12.5 | 12.5 kW`), which was read as a meter that
    used 12.5 kW. Its register may name a time-of-use period (`On-peak demand`) or only the demand (`Max demand`)."""
    register = " ".join(DEMAND_WORD.sub(" ", cells.get("period", "")).split())
    period = None if DEMAND_KIND.fullmatch(register) else _register_period(register)
    try:
        read = DemandRead(
            meter_number=cells.get("meter") or None,
            quantity=US.parse_number(usage.group("quantity")),
            unit=unit,
            period=period,
        )
    except ValueError:
        draft.notes.append(_unreadable(row, "a number does not parse"))
        return
    draft.demand.append((read, row_provenance(row, METHOD, 0.8)))


def _unit_billed(draft: Draft, printed: str) -> str:
    """The unit of a usage printed without one (`Units | 1200`: a British bill's kWh): the one unit the charges bill
    that same quantity in, or ""."""
    try:
        quantity = US.parse_number(printed)
    except ValueError:
        return ""
    units = {item.unit for item, _ in draft.line_items if item.quantity == quantity and item.unit}
    billed = sorted(unit for unit in units if BILLED_UNIT.match(unit))
    return billed[0] if len({unit.lower() for unit in billed}) == 1 else ""


def _register_period(register: str) -> str | None:
    """The time-of-use period a register names (`On-peak`, a table's column or `Meter 123 - Day`); a unit, a total or
    demand names none: `kWh` was loaded as the period `kwh`."""
    if not register or NOT_A_PERIOD.search(register):
        return None
    return tou_period_of(register)


_TIMES = re.compile(r"^\s*[x×]\s*|\s*[x×]\s*$", re.IGNORECASE)  # `x40`, `× 40`, `40x`: a multiplier's sign


def _factor(text: str) -> Decimal:
    """A multiplier or a conversion factor, printed with its sign or without: `x40` sent the meter to review."""
    return US.parse_number(_TIMES.sub("", text))


# electricity's service cell naming a register by a word that is a period only there (`Electric Day`, `Electric Peak`)
_ELECTRICITY_PERIOD = re.compile(
    r"^(?:Electric(?:ity)?|Power)\s+(?P<period>Peak|Day|Night|Evening|Weekend)$", re.IGNORECASE
)


def _service_register(service: str) -> str:
    """The register a meter table's service cell names after its service, where no column of the table names one: a
    time-of-use period (`Electricity On-Peak`, `Electric Day`: the registers of a meter were loaded as reads of no
    period) and a net meter's direction (`Electricity Received`: the energy the meter received was loaded as
    delivered)."""
    named, electricity = TOU_PERIOD_NAMED.search(service), _ELECTRICITY_PERIOD.match(service.strip())
    period = named.group() if named else electricity["period"] if electricity else ""
    direction, _ = flow_of(service)
    return " ".join(filter(None, (period, direction.value if direction else "")))


def _register(register: str) -> dict[str, Any]:
    """A register's time-of-use period and, on a net-metered meter, its direction: `Received` and `Export` were
    loaded as usage of the periods `received` and `export`, to be summed with the energy used."""
    direction, rest = flow_of(register)
    return {"period": _register_period(rest), "direction": direction or Direction.DELIVERED}


def _read_from_cells(
    cells: dict[str, str], columns: dict[str, Column], usage: re.Match[str], draft: Draft
) -> dict[str, Any] | None:
    """The row's numbers and unit, for a UsageRead whose commodity and read type the caller settles. Raises
    ValueError for a read's cell that holds something else than a read (`77779 30`: the days run into it)."""
    start, end = _read_cell(cells.get("start_read", "")), _read_cell(cells.get("end_read", ""))
    unit = usage.group("unit") or cells.get("uom", "") or columns["usage"].unit
    if not unit and commodity_of(cells.get("service", "")) is Commodity.ELECTRICITY:
        unit = "kWh"  # the one unit electricity is sold in; gas and water have several
    unit = unit or _unit_billed(draft, usage.group("quantity"))
    if not unit:
        return None
    # the unit the reads count in, where a read heading names one other than usage's (`Previous reading (m³)`) or the
    # reads carry it (`7,871 CCF`), or the unit of the volume counted
    read_unit = next((c.unit for key in ("start_read", "end_read") if (c := columns.get(key)) and c.unit), None)
    read_unit = read_unit or _unit_of_reads(start, end)
    if read_unit is None and (volume := QUANTITY_CELL.match(cells.get("volume", ""))) is not None:
        read_unit = volume["unit"]
    return {
        "quantity": US.parse_number(usage.group("quantity")),
        "unit": unit,
        "meter_number": cells.get("meter") or None,
        "start_read": US.parse_number(start.group("value")) if start else None,
        "end_read": US.parse_number(end.group("value")) if end else None,
        "multiplier": _factor(cells["multiplier"]) if "multiplier" in cells else None,
        **_register(cells.get("period") or _service_register(cells.get("service", ""))),
        "conversion_factor": _factor(cells["conversion_factor"]) if "conversion_factor" in cells else None,
        "read_unit": read_unit if read_unit is not None and read_unit.lower() != unit.lower() else None,
    }


# What a line that tells a service's usage starts with: `Units used`, `Total usage`, `Natural gas consumption`
USAGE_LABEL = (
    r"(?:Total |Your |Billed )?(?:(?:Electricity|Electric|Energy|Natural gas|Gas|Water) )?(?:used|usage|consumption)"
    r"|(?:Units|Total|Amount) used"
)
THIS_PERIOD = (
    r"(?:[ \t]+(?:this|for this|in this|for the) (?:billing |bill |service )?(?:period|month|quarter|cycle|bill))?"
)
# A read type printed after the usage: `1,200 kWh (estimated)`, `1,200 kWh (actual read)`, `1,200 kWh Actual read`
USAGE_MARK = (
    r"(?:[ \t]*\((?P<mark>estimated|actual|est\.?|act\.?|E|A)(?: read(?:ing)?)?\)"
    r"|[ \t]+(?P<mark_words>actual|estimated)(?: read(?:ing)?)?)"
)
USAGE_QUANTITY = rf"(?P<quantity>{NUMBER}) ?(?P<unit>{BILLED_UNITS})(?![A-Za-z³])"
# `kWh used  1,200`, `Total therms: 95`
UNIT_USED = (
    rf"(?=Total |\S+ (?:used|billed|consumed|usage)\b)(?:Total )?(?P<unit_used>{BILLED_UNITS})"
    r"(?: (?:used|billed|consumed|usage))?"
)
MARKED_USAGE = re.compile(rf"^(?P<usage>.*?){USAGE_MARK}$", re.I)

# A meter described as a block of `key  value` lines under its number, as many British and Australian bills do:
#     Gas meter G97377147
#     Previous reading (Dec 4, 2024)    87196
#     Current reading (Jan 5, 2025)     87243 E
#     Units used                        47 m³
BLOCK_METER = re.compile(
    r"^(?:(?P<service>Electric(?:ity)?|Gas|Water|Sewer)\s+)?Meter"
    rf"(?:\s+(?:no\.?|number|#|ID|serial(?: number| no\.?)?))?:?[ \t]+(?P<meter>{METER_ID})"
    # alone on its line, or before the block's keys along it: `Meter 123456 | Previous read 10,000 | Usage 1,200 kWh`
    r"(?:[ \t]+-[ \t]+(?P<register>[A-Za-z][A-Za-z -]{0,30}))?(?=[ \t]*$|\t| [A-Z])",
    re.IGNORECASE,
)
BLOCK_KEYS = re.compile(
    # `Previous reading`, or `Previous` alone before its figure or a colon
    r"^(?:(?P<start_read>(?:Previous|Prior|Last|Opening|Start(?:ing)?) read(?:ing)?|(?:Previous|Prior)(?=:|\s+\d|$))"
    r"|(?P<end_read>(?:Current|Present|Latest|Closing|End(?:ing)?|This|New) read(?:ing)?"
    r"|(?:Current|Present)(?=:|\s+\d|$))|"
    r"(?P<read_type>(?:Read(?:ing)? )?type)|(?P<multiplier>(?:Meter )?Mult(?:iplier)?\.?|(?:Meter )?constant)|"
    r"(?P<register>Register)|"  # `Register | Delivered`: one of the meter's registers, its keys under it
    r"(?P<conversion_factor>(?:Conversion|Correction|Therm) factor)|"
    r"(?P<read_unit>(?:Meter )?Read(?:s|ings?)? in|Read(?:ing)? unit)|"  # `Read in | m³`: the unit the reads count
    rf"(?P<volume>Volume(?: used)?(?: \((?P<volume_unit>{READ_UNITS})\))?)|"  # what the meter counted
    rf"(?P<usage>(?:{USAGE_LABEL}|{UNIT_USED}){THIS_PERIOD}))"
    # the read's date, in brackets or before a colon: `Previous reading (Dec 4, 2024)`, `Prior reading 8 Apr 2024:`
    rf"(?:\s*\([^)]*\))?[ \t]*:?[ \t]*(?:(?:{DATE})[ \t]*:[ \t]*)?",
    re.IGNORECASE,
)


WORDS_GAP = re.compile(r"\s+(?=[A-Za-z])")
NUMBER_CELL = re.compile(rf"^{NUMBER}$")


def _block_values(texts: list[str]) -> list[tuple[str, str]] | None:
    """A block's keys and values in these cells, each value after its key in the same cell or in the next one;
    None where a cell is neither."""
    pairs: list[tuple[str, str]] = []
    cells = list(texts)  # a cell holding two keys is cut in two
    index = 0
    while index < len(cells):
        key = BLOCK_KEYS.match(cells[index])
        if key is None or key.lastgroup is None:
            if READ_TYPE_WORD.match(cells[index].strip()):
                if pairs and pairs[-1][0] in ("start_read", "end_read"):
                    # `Current reading October 27, 2024: 1,813 | Actual`: the read's mark in a cell of its own
                    pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]} {cells[index].strip()}")
                elif not pairs:  # `ESTIMATED` alone under the meter's number: a badge, the block's read type
                    pairs.append(("read_type", cells[index].strip()))
                else:
                    return None
                index += 1
                continue
            return None
        value = cells[index][key.end() :].strip()
        if (next_key := _next_key(value)) is not None:  # `Previous 4,000 ft3  Current 4,120 ft3` in one cell
            value, cells[index + 1 : index + 1] = value[:next_key].strip(), [value[next_key:]]
        elif not value and index + 1 < len(cells):
            index += 1
            value = cells[index].strip()
        if not value:
            return None
        if key.lastgroup == "volume" and key["volume_unit"] and value.replace(",", "").replace(".", "").isdigit():
            value = f"{value} {key['volume_unit']}"  # `Volume used (m³)  107`
        elif key.lastgroup == "usage" and key["unit_used"]:
            quantity, _, mark = value.partition(" ")  # `kWh used  1,200 (actual)`
            value = f"{quantity} {key['unit_used']} {mark}".rstrip()
        pairs.append((key.lastgroup, value))
        index += 1
    return pairs


def _next_key(value: str) -> int | None:
    """Where a second key starts in a block's value, past its first word."""
    for gap in WORDS_GAP.finditer(value):
        if (key := BLOCK_KEYS.match(value[gap.end() :])) is not None and key.lastgroup is not None:
            return gap.end()
    return None


def _usage_cell(value: str) -> tuple[re.Match[str] | None, str]:
    """A usage's quantity and unit, and the read type printed after them (`1068 kWh (estimated)`), or "". A usage
    printed with its conversion (`127 m3 x 11.2774 = 1,432 kWh`) is the result: _with_conversion reads the rest."""
    if "=" in value and (converted := CONVERSION_NOTE.match(value)) is not None:
        value = value[converted.start("quantity") :]
    marked = MARKED_USAGE.match(value)
    if marked is None:
        return QUANTITY_CELL.match(value), ""
    return QUANTITY_CELL.match(marked["usage"]), marked["mark"] or marked["mark_words"]


def _reads_as(key: str, value: str) -> bool:
    """A block's value is the figure its key wants."""
    if key in ("start_read", "end_read"):
        return _read_cell_match(value) is not None
    if key in ("usage", "volume"):
        return _usage_cell(value)[0] is not None
    if key in ("multiplier", "conversion_factor"):
        return NUMBER_CELL.match(_TIMES.sub("", value)) is not None
    return True


_READ_UNIT_CELL = re.compile(rf"(?:{READ_UNITS}|kL)", re.IGNORECASE)


def _read_unit_key(found: dict[str, str]) -> str | None:
    """The unit a block says its reads count in (`Read in | m³`)."""
    unit = found.get("read_unit", "")
    return unit if _READ_UNIT_CELL.fullmatch(unit) else None


def _volume_unit(found: dict[str, str]) -> str | None:
    """The unit of the volume a block prints beside its converted usage (`Volume used (m³)  107`)."""
    volume = QUANTITY_CELL.match(found.get("volume", ""))
    return volume["unit"] if volume is not None else None


Block = tuple[Line, Line, dict[str, str], re.Match[str]]  # a meter block's first and last lines, keys, and title


def _block_rows(line: Line, title: re.Match[str], below: list[Line]) -> list[tuple[Line, list[str]]]:
    """The cells of the lines under a meter's title, after those of the title's line past it (a block along it)."""
    rows = [(row, [segment.text for segment in row.segments]) for row in below]
    if along := [cell.strip() for cell in line.text[title.end() :].split("\t") if cell.strip()]:
        rows.insert(0, (line, along))
    return rows


def _blocks_side_by_side(line: Line, below: list[Line]) -> list[tuple[re.Match[str], list[tuple[Line, list[str]]]]]:
    """Meters printed as blocks side by side (`ELECTRIC METER E97-49723 | WATER METER W20-50262`, each block's keys
    under its title): each title with the cells of the lines below that stand under it, from its left edge to the
    next title's. Read across, no block was read, and bills loaded as ok without their meters."""
    titles = [
        (segment, match)
        for segment in line.segments
        if (match := BLOCK_METER.fullmatch(segment.text.strip())) is not None
    ]
    if len(titles) < 2:
        return []
    lefts = [segment.bbox[0] - ALIGNED for segment, _ in titles] + [float("inf")]
    return [
        (
            match,
            [(row, [cell.text for cell in row.segments if lefts[at] <= cell.bbox[0] < lefts[at + 1]]) for row in below],
        )
        for at, (_, match) in enumerate(titles)
    ]


def _meter_blocks(line: Line, title: re.Match[str], rows: list[tuple[Line, list[str]]]) -> list[Block]:
    """The block of the meter titled on `line`, in `rows`; one a register where it prints several (`Register |
    Delivered`, its keys, then `Register | Received`, its keys)."""
    blocks: list[Block] = []
    found: dict[str, str] = {}
    first, last = line, line
    page = line.page
    keyed_rows = _over_a_page_break(page, [(below, _block_values(texts)) for below, texts in rows])
    for at, (below, pairs) in enumerate(keyed_rows):
        next_register = bool(
            pairs
            and (pairs[0][0] == "register" or _badge_over_a_register(pairs, next(iter(keyed_rows[at + 1 :]), None)))
            and "register" in found
            and "usage" in found
        )
        if below.page != page:
            if "usage" in found and not next_register:  # a whole block goes on only with the meter's next register
                break
            page = below.page
        if next_register:
            # `Register | Received` after the `Delivered` register's usage: the meter's next register
            blocks.append((first, last, {**found, "meter": title.group("meter")}, title))
            found, first = {}, below
        if pairs is None or any(key in found for key, _ in pairs):
            break
        if len(pairs) > 1 and not all(_reads_as(key, value) for key, value in pairs):
            break  # several keys on a line are a block's only where each figure reads
        # `Reading type - 93115874: E` keys marks to meters: _meter_mark reads it
        keyed = [(key, value) for key, value in pairs if key != "read_type" or READ_TYPE_WORD.match(value)]
        if keyed:
            found.update(keyed)
            last = below
    if "usage" in found:
        blocks.append((first, last, {**found, "meter": title.group("meter")}, title))
    return blocks


def _badge_over_a_register(
    pairs: list[tuple[str, str]], below: tuple[Line, list[tuple[str, str]] | None] | None
) -> bool:
    """A read type alone on its line (`ESTIMATED`, a badge) over a line naming a register (`below`, the next row):
    the badge of the meter's next register, which ended the block, and the bill went to review with the meter's
    other registers unread."""
    keys = (below[1] if below is not None else None) or []
    return len(pairs) == 1 and pairs[0][0] == "read_type" and bool(keys) and keys[0][0] == "register"


PAGE_BREAK_LINES = 3  # a page's foot and the next page's head, between a block's registers broken over them


def _over_a_page_break(
    page: int, rows: list[tuple[Line, list[tuple[str, str]] | None]]
) -> list[tuple[Line, list[tuple[str, str]] | None]]:
    """A block's rows (each line with its keys and values, _block_values) on `page`, and, from the first line of keys on
    the next page, that page's: where the block's usage, or its last register's, is not on `page` (its keys go on: its
    title, its badge or a register's first keys end the page), or where that line names a register (`Register |
    Export`: the meter's next one). The lines of no keys at the page's foot and the next one's head between (up to
    PAGE_BREAK_LINES) are left out. The keys on the second page were lost, and bills loaded as ok without those
    meters."""
    on_page = [row for row in rows if row[0].page == page]
    if len(on_page) == len(rows):
        return rows
    keys = [at for at, (_, pairs) in enumerate(on_page) if pairs is not None]
    foot = len(on_page) - (keys[-1] + 1 if keys else 0)
    following = [row for row in rows[len(on_page) :] if row[0].page == page + 1]
    head = next((at for at, (_, pairs) in enumerate(following) if pairs), None)
    if head is None or foot + head > PAGE_BREAK_LINES:
        return on_page
    first_keys = following[head][1] or []
    keys_on_page = [key for _, pairs in on_page for key, _ in pairs or []]
    last_register = max((at for at, key in enumerate(keys_on_page) if key == "register"), default=0)
    used = "usage" in keys_on_page[last_register:]  # the page's last register (or the block) is whole
    if used and first_keys[0][0] != "register":
        return on_page
    return on_page[: keys[-1] + 1 if keys else 0] + following[head:]


# The lines under a meter's title its block may take: three registers of six keys each (a meter of three time-of-use
# registers lost its third, and loaded as ok without it), and a page's foot and the next page's head.
BLOCK_LINES = 24


def _usage_from_blocks(document: Document, draft: Draft) -> None:
    """Meters printed as blocks (see BLOCK_METER): each block's reads, factors and usage, told apart as a
    table's rows are; a block whose usage or commodity the page leaves open goes to review."""
    lines = document.lines
    blocks: list[Block] = []
    for index, line in enumerate(lines):
        if (title := BLOCK_METER.match(line.text)) is None:
            continue
        below = lines[index + 1 : index + 1 + BLOCK_LINES]
        side_by_side = _blocks_side_by_side(line, below) or [(title, _block_rows(line, title, below))]
        for each_title, rows in side_by_side:
            blocks += _meter_blocks(line, each_title, rows)
    if not blocks:
        return
    star_is_estimate = STAR_MEANS_ESTIMATED.search(document.text) is not None
    notes = cache(partial(_conversion_notes, document))
    read: list[tuple[Line, Line, dict[str, Any], str, str, Line | None]] = []
    for first, last, found, title in blocks:
        # `Meter 236943218 - Day` names a register; `Meter 31954229 - Gas`, like `Gas meter 31954229`, a service
        register = title.group("register") or found.get("register", "")
        service = title.group("service") or (register if commodity_of(register) is not Commodity.OTHER else "")
        if service == register:
            register = ""
        usage, usage_mark = _usage_cell(found["usage"])
        start, end = _read_cell_match(found.get("start_read", "")), _read_cell_match(found.get("end_read", ""))
        if usage is None or ("start_read" in found and start is None) or ("end_read" in found and end is None):
            draft.notes.append(_unreadable(last, "a figure of the meter's block does not parse"))
            continue
        if not (unit := usage.group("unit") or _unit_billed(draft, usage.group("quantity"))):
            draft.notes.append(_unreadable(last, "no unit"))
            continue
        try:
            values: dict[str, Any] = {
                "quantity": US.parse_number(usage.group("quantity")),
                "unit": unit,
                "meter_number": found["meter"],
                "start_read": US.parse_number(start.group("value")) if start else None,
                "end_read": US.parse_number(end.group("value")) if end else None,
                "multiplier": _factor(found["multiplier"]) if "multiplier" in found else None,
                "conversion_factor": _factor(found["conversion_factor"]) if "conversion_factor" in found else None,
                **_register(register),
                "read_unit": _unit_of_reads(start, end) or _volume_unit(found) or _read_unit_key(found),
            }
        except (ValueError, InvalidOperation):
            draft.notes.append(_unreadable(last, "a number does not parse"))
            continue
        note = _with_conversion(values, notes)
        if values["conversion_factor"] is None or values["read_unit"] == values["unit"]:
            values["read_unit"] = None
        mark = ((end.group("mark") if end else None) or found.get("read_type", "") or usage_mark).strip()
        mark = mark or (register and _meter_mark(document, register)) or _meter_mark(document, found["meter"])
        read.append((first, last, values, service, mark or _notice_mark(document), note))
    taken = _taken(values for _, _, values, _, _, _ in read)
    for first, last, values, service, mark, note in read:
        named = commodity_of(service) if service else Commodity.OTHER
        commodity = _settled(named, values, draft, document, taken, last)
        if commodity is None:
            continue
        read_type = _marked_read_type(mark, star_is_estimate, draft, last)
        if read_type is None:
            continue
        provenance = row_provenance(last, METHOD, 0.75, first, note)
        draft.usage.append((UsageRead(**values, commodity=commodity, read_type=read_type), provenance))


METER_HEADLINE = re.compile(r"(?:^|\t)Meter (?P<meter>[A-Z0-9-]+) - (?P<service>[^\t]+)(?=\t|$)")
METER_READS = re.compile(
    rf"(?:^|\t)Reads (?P<start>{NUMBER}) to (?P<end>{NUMBER}) \((?P<kind>actual|estimated)\)"
    rf" x (?P<multiplier>{NUMBER})(?=\t|$)",
    re.IGNORECASE,
)
METER_USAGE = re.compile(rf"(?:^|\t)Billed usage (?P<quantity>{NUMBER}) (?P<unit>[A-Za-z³]+)(?=\t|$)", re.IGNORECASE)


def _usage_from_sentences(document: Document, draft: Draft) -> None:
    """Meters described in prose: `Meter N - Service`, `Reads A to B (actual) x M`, `Billed usage Q unit`."""
    current: dict[str, str] | None = None
    headline: Line | None = None
    for line in document.lines:
        if match := METER_HEADLINE.search(line.text):
            current, headline = dict(match.groupdict()), line
            continue
        if current is None or headline is None:
            continue
        if match := METER_READS.search(line.text):
            current.update(match.groupdict())
        elif match := METER_USAGE.search(line.text):
            current.update(match.groupdict())
            values: dict[str, Any] = {
                "quantity": US.parse_number(current["quantity"]),
                "unit": current["unit"],
                "meter_number": current["meter"],
                "start_read": US.parse_number(current["start"]) if "start" in current else None,
                "end_read": US.parse_number(current["end"]) if "end" in current else None,
                "multiplier": US.parse_number(current["multiplier"]) if "multiplier" in current else None,
                "conversion_factor": None,
            }
            # `Meter E70K64209 - Day` names a register, not a service: then the unit and the charges tell
            commodity = _settled(commodity_of(current["service"]), values, draft, document, set(), line)
            if commodity is not None:
                # a read type under the meters, against the register or the meter (`Reading type - Day: E`)
                mark = (
                    current.get("kind")
                    or _meter_mark(document, current["service"])
                    or _meter_mark(document, current["meter"])
                )
                mark = mark or _notice_mark(document)
                read = UsageRead(**values, commodity=commodity, read_type=read_type_of(mark))
                draft.usage.append((read, row_provenance(line, METHOD, 0.8, headline)))
            current = headline = None


PROSE_METER = re.compile(r"\bMeter(?: serial)?(?: number| no\.?| #)?:? (?P<meter>[A-Z]*\d[A-Z0-9-]{3,})\b", re.I)
PROSE_START = re.compile(rf"\b(?:Previous|Opening|Start(?:ing)?|Prior) read(?:ing)?:? (?P<value>{NUMBER})", re.I)
PROSE_END = re.compile(
    rf"\b(?:Latest|Present|Current|Closing|End(?:ing)?) read(?:ing)?:? (?P<value>{NUMBER})"
    r"(?P<mark> ?\((?:E|est|estimated)\)| E\b| estimated)?",
    re.I,
)
PROSE_USED = re.compile(
    rf"(?P<read_used>{NUMBER}) ?(?P<read_unit>m³|m3|CCF|ft³)\b.*?(?:conversion factor|factor|x) (?P<factor>{NUMBER})"
    rf"\s*=\s*(?P<quantity>{NUMBER}) (?P<unit>kWh|therms?)\b",
    re.I,
)


def _usage_from_prose(document: Document, draft: Draft) -> None:
    """One meter told in sentences: serial number, previous and latest readings, and the conversion."""
    text = document.text
    if not (PROSE_USED.search(text) and PROSE_START.search(text) and PROSE_END.search(text)):
        return  # a search of the whole text is ten times cheaper than one per line, and most bills stop here
    found: dict[str, re.Match[str]] = {}
    lines: list[Line] = []
    for line in document.lines:
        for key, pattern in (("meter", PROSE_METER), ("start", PROSE_START), ("end", PROSE_END), ("used", PROSE_USED)):
            if key not in found and (match := pattern.search(line.text)):
                found[key] = match
                lines.append(line)
    if not {"start", "end", "used"} <= found.keys():
        return
    used = found["used"]
    unit = used.group("unit")
    read = UsageRead(
        commodity=Commodity.GAS if used.group("read_unit").lower() in ("m³", "m3", "ccf", "ft³") else Commodity.OTHER,
        quantity=US.parse_number(used.group("quantity")),
        unit=unit,
        meter_number=found["meter"].group("meter") if "meter" in found else None,
        read_type=read_type_of(found["end"].group("mark") or _notice_mark(document)),
        start_read=US.parse_number(found["start"].group("value")),
        end_read=US.parse_number(found["end"].group("value")),
        conversion_factor=US.parse_number(used.group("factor")),
        read_unit=used.group("read_unit"),
    )
    draft.usage.append((read, row_provenance(lines[-1], METHOD, 0.75, lines[0])))


# A meter's reads told in a sentence, with the arithmetic printed: `Meter 1ND73586372: an actual reading of 45186
# on 11/2/24, previous reading 44933 on 10/5/24. (45186 - 44933) x 40 = 10,120 kWh.` (wrapped over lines).
ARITHMETIC_METER = re.compile(r"^Meter (?P<meter>[A-Z]*\d[A-Z0-9-]{3,})(?: \((?P<register>[A-Za-z -]+)\))?:")
READS_ARITHMETIC = re.compile(
    rf"\((?P<end>{NUMBER}) - (?P<start>{NUMBER})\)(?: x (?P<multiplier>{NUMBER}))?"
    rf"(?: (?P<read_unit>{READ_UNITS}) x (?P<factor>{NUMBER}))?"
    rf" = (?P<quantity>{NUMBER}) (?P<unit>{UNIT})\.?$",
    re.IGNORECASE,
)
ESTIMATED_READING = re.compile(r"\bestimated reading\b", re.IGNORECASE)


def _usage_from_arithmetic(document: Document, draft: Draft) -> None:
    """Meters told in sentences that print the reads' arithmetic (see ARITHMETIC_METER); the sentence may wrap
    over the next lines of its page."""
    lines = document.lines
    meters: list[tuple[dict[str, Any], bool, Line, Line]] = []
    for index, line in enumerate(lines):
        if (title := ARITHMETIC_METER.match(line.text)) is None:
            continue
        sentence, last = line.text, line
        for below in lines[index + 1 : index + 3]:
            if READS_ARITHMETIC.search(sentence) or below.page != line.page or ARITHMETIC_METER.match(below.text):
                break
            if len(below.segments) > 1:
                break
            sentence, last = f"{sentence} {below.text}", below
        if (reads := READS_ARITHMETIC.search(sentence)) is None:
            continue
        values: dict[str, Any] = {
            "quantity": US.parse_number(reads["quantity"]),
            "unit": reads["unit"],
            "meter_number": title["meter"],
            "start_read": US.parse_number(reads["start"]),
            "end_read": US.parse_number(reads["end"]),
            "multiplier": US.parse_number(reads["multiplier"]) if reads["multiplier"] else None,
            "conversion_factor": US.parse_number(reads["factor"]) if reads["factor"] else None,
            "read_unit": reads["read_unit"],
            **_register(title["register"] or ""),
        }
        meters.append((values, ESTIMATED_READING.search(sentence) is not None or _says_estimated(document), line, last))
    taken = _taken(values for values, _, _, _ in meters)
    for values, estimated, line, last in meters:
        commodity = _settled(Commodity.OTHER, values, draft, document, taken, last)
        if commodity is None:
            continue
        read = UsageRead(**values, commodity=commodity, read_type=ReadType.ESTIMATED if estimated else ReadType.ACTUAL)
        draft.usage.append((read, row_provenance(last, METHOD, 0.75, line)))


# A service's usage on a line of its own, without reads. Each pattern is anchored at the line's start, so that
# `Same period last year: 1,100 kWh`, `Average daily usage 40 kWh` or `On-peak usage 400 kWh` are never taken for it.
USAGE_STATEMENTS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # `Electricity used - Controlled load (meter 29261896)  277 kWh (estimated)`,
        # `Total usage this period: 1,200 kWh`
        rf"^(?P<label>{USAGE_LABEL})(?: - (?P<register>[A-Za-z][A-Za-z -]*?))?(?: \(meter (?P<meter>[A-Z0-9-]+)\))?"
        rf"{THIS_PERIOD}:?[ \t]+{USAGE_QUANTITY}{USAGE_MARK}?$",
        # `kWh used  1,200`, `Total therms: 95`
        rf"^{UNIT_USED}{THIS_PERIOD}:?[ \t]+(?P<quantity>{NUMBER}){USAGE_MARK}?$",
        # `You used 1,200 kWh this billing period.`
        rf"^You used {USAGE_QUANTITY}{THIS_PERIOD}\.?{USAGE_MARK}?$",
        # `Meter 123456: 1,200 kWh used (actual read)`
        rf"^Meter (?P<meter>{METER_ID}):? {USAGE_QUANTITY} used{THIS_PERIOD}{USAGE_MARK}?\.?$",
        # a net meter's registers stated one by one: `Energy delivered: 500 kWh`, `Energy exported to grid 200 kWh`
        rf"^(?:Total )?(?:Energy|Electricity) (?P<register>(?:delivered|received|exported|imported)"
        rf"(?: (?:to|from) (?:the )?grid)?){THIS_PERIOD}:?[ \t]+{USAGE_QUANTITY}{USAGE_MARK}?$",
        # `Net energy: 300 kWh`, `Net usage this period  300 kWh`
        rf"^(?P<register>Net) (?:energy|usage|consumption){THIS_PERIOD}:?[ \t]+{USAGE_QUANTITY}{USAGE_MARK}?$",
    )
)


def _usage_statements(document: Document, draft: Draft) -> None:
    """Usage a bill states without a meter's reads (see USAGE_STATEMENTS). A service stated twice with two
    quantities is read from neither line: which one was billed, the page does not say."""
    stated: dict[tuple[Any, ...], list[tuple[dict[str, Any], str, str, Line]]] = {}
    for line in document.lines:
        match = next((found for pattern in USAGE_STATEMENTS if (found := pattern.match(line.text))), None)
        if match is None:
            continue
        groups = match.groupdict()
        values: dict[str, Any] = {  # a meter's every value, as _settled reads them: no reads, no factors
            "quantity": US.parse_number(match["quantity"]),
            "unit": groups.get("unit") or groups["unit_used"],
            "meter_number": groups.get("meter"),
            **_register(groups.get("register") or ""),
            "start_read": None,
            "end_read": None,
            "multiplier": None,
            "conversion_factor": None,
            "read_unit": None,
        }
        label = groups.get("label") or ""
        key = (
            commodity_of(label),
            values["unit"].lower(),
            values["meter_number"],
            values["period"],
            values["direction"],
        )
        stated.setdefault(key, []).append((values, label, match["mark"] or match["mark_words"] or "", line))
    read: list[tuple[dict[str, Any], Commodity, str, Line]] = []
    for statements in stated.values():
        if len({values["quantity"] for values, _, _, _ in statements}) > 1:
            continue
        values, label, mark, line = statements[0]
        commodity = _settled(commodity_of(label), values, draft, document, set(), line)
        if commodity is not None:
            read.append((values, commodity, mark, line))
    # the bill's one meter is that of the one service stated, whether in one figure or in a figure a register
    one_service = len({commodity for _, commodity, _, _ in read}) == 1
    unnamed = all(values["meter_number"] is None for values, _, _, _ in read)
    meter = _the_meter(document, read[0][1]) if read and one_service and unnamed else None
    for values, commodity, mark, line in read:
        if meter is not None:
            values["meter_number"] = meter[1]
        usage = UsageRead(**values, commodity=commodity, read_type=read_type_of(mark or _notice_mark(document)))
        draft.usage.append((usage, row_provenance(line, METHOD, 0.75, meter and meter[0])))


def _the_meter(document: Document, commodity: Commodity) -> tuple[Line, str] | None:
    """The bill's one meter, where its number is printed on a line of its own (`Meter Number: 77821934`) and
    names no other service: the usage stated elsewhere on a bill of one meter is that meter's."""
    titles = [
        (line, title)
        for line in document.lines
        if (title := BLOCK_METER.match(line.text)) and not line.text[title.end() :].strip()
    ]
    if len({title["meter"] for _, title in titles}) != 1:
        return None
    line, title = titles[0]
    if title["service"] and commodity_of(title["service"]) is not commodity:
        return None
    return line, title["meter"]


OPERATORS = re.compile(r"[-\u2212\u2013+=\u00d7]")  # an equation's signs between its figures: − + =
OVER_A_LABEL = 3.0  # points: how far a figure's middle may be from its label's (both centred on one column)


def _figures_over_labels(document: Document, label_cells: dict[str, list[LabelCell]]) -> dict[str, list[Hit]]:
    """An account summary set as an equation, each figure over its label: `$63.89 − $63.89 + $228.09 = $232.08` over
    `Previous balance | Payments | Late fee | Current charges | Balance due`. The figures over `label_cells`, by field:
    only where the line over the labels (or over a line of the signs between them) is figures and signs alone, one
    figure centred over each label's cell. Nothing else read a value over its label, and such bills loaded as ok with
    no previous balance or payments."""
    hits: dict[str, list[Hit]] = {}
    for name, cells in label_cells.items():
        for index, position, label_end in cells:
            line = document.lines[index]
            label = line.segments[position]
            if label_end < len(label.text.rstrip()) or (figures := _figures_over(document, index)) is None:
                continue
            over, words = figures
            middle = (label.bbox[0] + label.bbox[2]) / 2
            for start, end, box in words:
                if abs((box[0] + box[2]) / 2 - middle) <= OVER_A_LABEL:
                    hits.setdefault(name, []).append(Hit(over.text[start:end], over, start, end, line, label.start))
    return hits


def _figures_over(document: Document, index: int) -> tuple[Line, list[tuple[int, int, BBox]]] | None:
    """The line of figures over line `index`, a line of labels, and its figures' words: one a label, the signs between
    them aside (set in cells of their own or a space from a figure: `− $21.28 +`). The line may be over a line of the
    signs alone."""
    labels = document.lines[index]
    height = max(segment.height for segment in labels.segments)
    for above in reversed(document.lines[max(0, index - 2) : index]):
        if above.page != labels.page or above.top - labels.top > 4 * height:
            return None
        words = [(start, end, box) for start, end, box in above.words if not OPERATORS.fullmatch(above.text[start:end])]
        if not words:
            continue
        if len(words) == len(labels.segments) > 1 and all(AMOUNT_CELL.match(above.text[s:e]) for s, e, _ in words):
            return above, words
        return None
    return None


def _capitalised(document: Document, cells: list[LabelCell]) -> list[LabelCell]:
    """Labels that start a cell with a capital: `last bill` under `Payments since` is the end of a wrapped
    label, not the label `Last bill`."""
    return [cell for cell in cells if not document.lines[cell[0]].segments[cell[1]].text[:1].islower()]


def _dated_fields(
    document: Document, draft: Draft, wrapped_hits: dict[str, list[Hit]], second_lines: set[tuple[int, int]]
) -> None:
    """Scalar fields and the period, under the numeric date order the document's dates support; with the values
    under wrapped headings and those headings' second lines (see _wrapped_heading_hits)."""
    readings = []
    other_hits, read_inline = _inline_hits(document)
    not_labels = second_lines | read_inline
    label_cells = {
        name: [cell for cell in _capitalised(document, cells) if cell[:2] not in not_labels]
        for name, cells in _FIELD_LABELS.scan(document).items()
    }
    starts = sorted({cell[:2] for cells in label_cells.values() for cell in cells})  # the cells a label starts
    chained_hits, chained = _chained_pairs(document, starts)
    if chained:
        label_cells = {name: [cell for cell in cells if cell[:2] not in chained] for name, cells in label_cells.items()}
    for name, hits in [
        *wrapped_hits.items(),
        *chained_hits.items(),
        *_labels_sharing_a_cell(document, starts).items(),
        *_labels_inside_a_cell(document).items(),
        *_figures_over_labels(document, {name: label_cells[name] for name in _LEDGER_FIELDS}).items(),
    ]:
        other_hits.setdefault(name, []).extend(hits)
    after_dates = cache(partial(_cells_after_dates, document))  # scanned only when a ledger field is missing
    orders = _date_orders(document)
    for date_formats in orders:
        reading = Draft(method=METHOD)
        _fields(document, reading, date_formats, label_cells, other_hits, after_dates)
        _period(document, reading, date_formats, label_cells, other_hits)
        readings.append(reading)
    chosen = readings[0]
    # Where every reading reads the same values, no field depends on the order: the numeric dates ambiguous are
    # elsewhere (`Payments received after 02/03/2025` in a paragraph, the bill's own dates in words).
    if len(readings) > 1 and not _same_values(readings):
        sane = [(order, reading) for order, reading in zip(orders, readings, strict=True) if _dates_consistent(reading)]
        if len(sane) > 1:
            told = _orders_told_elsewhere(document, sane) or _orders_of_the_currency(draft)
            sane = [reading for reading in sane if reading[0] in told] if len(told) == 1 else sane
        if len(sane) == 1:
            chosen = sane[0][1]
        else:
            chosen.notes.append(
                AuditResult(
                    code="ambiguous_date_order",
                    severity=Severity.ERROR,
                    message="every numeric date on the bill reads as month/day and as day/month"
                    + (", and both readings are plausible" if sane else ", and neither gives a sane period"),
                    details={"readings": ["month/day", "day/month"], "plausible": len(sane)},
                )
            )
    draft.fields.update(chosen.fields)
    draft.notes.extend(chosen.notes)
    _adjustments(document, draft)


# The days a bill says its period has: `(34 days)` after it, `Days in period: 33`, `Days: 33`, or the days a daily
# charge is billed for (`35 days x 71.94p`, `Standing charge 30 days £0.5/day`), not `7 days a week`.
_PRINTED_DAYS = re.compile(
    r"\((\d{1,3}) days?\)|\b(\d{1,3})[ \t]+days?\b(?=[ \t]*(?:@|at\b|x\b|×|\(|[$£€]|\d))"
    r"|\bdays(?: in (?:the )?(?:billing )?period)?:?[ \t]+(\d{1,3})\b",
    re.IGNORECASE,
)


Reading = tuple[tuple[str, ...], Draft]  # a reading of the fields, and the date formats it read them in


def _orders_told_elsewhere(document: Document, readings: list[Reading]) -> set[tuple[str, ...]]:
    """The orders what else the bill prints points to: the one whose period is as long as the bill says it is (counted
    with its last day or without), or the one the bill's dates in words support (_order_of_dates_in_words). None
    where nothing points to one (a length that both readings' periods have points to neither). More than one where
    the two point to different ones, or where the bill prints a length that neither reading's period has, or two
    lengths each fitting another reading: something is misread, and no guess settles it. heldout-19-0287 printed
    `8/5/24 through 9/7/24 (34 days)`, 5 August to 7 September or 8 May to 9 July, and went to review as ambiguous."""
    printed = {int(match[match.lastindex or 0]) for match in _PRINTED_DAYS.finditer(document.text)}
    fitting: dict[tuple[str, ...], frozenset[int]] = {}  # the printed lengths each reading's period has
    for order, reading in readings:
        start, end = reading.value("bill_period_start"), reading.value("bill_period_end")
        if start is not None and end is not None:
            fitting[order] = frozenset({(end - start).days, (end - start).days + 1} & printed)
    as_long = [order for order, lengths in fitting.items() if lengths]
    told = {as_long[0]} if len(as_long) == 1 else set()
    if (in_words := _order_of_dates_in_words(document)) is not None:
        told.add(in_words)
    if not told and printed and (not as_long or len({fitting[order] for order in as_long}) > 1):
        return {order for order, _ in readings}
    return told


# Currencies whose every country writes a numeric date day first: the pound, the euro, the Australian and New Zealand
# dollars (the US dollar's is month first, Canada's dollar's either)
_DAY_FIRST_CURRENCIES = frozenset({"GBP", "EUR", "AUD", "NZD"})


def _orders_of_the_currency(draft: Draft) -> set[tuple[str, ...]]:
    """Day first where the bill's currency, settled, is one whose countries all write a numeric date day first; else
    none. For where nothing else the bill prints tells: third-79-0153 (`£`, a Swindon address) printed `03/04/2025`
    to `04/05/2025`, due `04/06/2025`, and a standing charge of 32 days, which either order gives (counting the last
    day or not), and went to review as ambiguous."""
    if _currency_unsettled(draft) or draft.value("currency") not in _DAY_FIRST_CURRENCIES:
        return set()
    return {DAY_FIRST}


def _same_values(readings: list[Draft]) -> bool:
    """Whether every reading of the dates read the same fields with the same values."""
    first, *others = ({name: reading.value(name) for name in reading.fields} for reading in readings)
    return all(values == first for values in others)


# A demand printed on a line of its own under the meters: `Maximum demand 63.2 kVA`, `Max demand (billed): 97.6 kW`,
# `Metered demand 45.2 kW`, `kW demand 45.2`, `Demand kW: 45.2`, `Demand reading 45.2 kW`, `Peak kW: 45.2`,
# `Maximum Demand (meter 80981696): 127.5 kW`
DEMAND_LINE = re.compile(
    r"^(?:(?P<tou>(?:On|Off|Mid|Part)[- ]?peak|Shoulder) )?"  # a time-of-use period's demand
    rf"(?:(?P<kind>{DEMAND_KINDS})\.? )?"
    r"(?:(?P<unit_first>kW|kVA) (?=demand))?"
    r"(?:demand(?: (?P<unit_after>kW|kVA))?(?: reading)?|(?P<unit_alone>kW|kVA)(?=:?[ \t]+\d))"  # `Peak kW` has a kind
    rf"(?: \((?:billed|(?P<label_unit>kW|kVA)|meter (?P<meter>{METER_ID}))\))?"
    rf":?[ \t]+(?P<quantity>{NUMBER})(?: ?(?P<unit>kW|kVA))?$",
    re.IGNORECASE,
)
# a bill that prints none of these prints no demand line: ten substring tests cost 0.005 ms a bill, a regex search
# of the text ignoring case 0.03
DEMAND_WORDS = ("emand", "EMAND", "ax kW", "eak kW", "ax kVA", "eak kVA", "AX KW", "EAK KW", "AX KVA", "EAK KVA")


def _demand_lines(document: Document, draft: Draft) -> None:
    """Demands printed as lines of their own; a demand is the meter's it names, or the meter's when the bill has one
    electricity meter."""
    if not any(word in document.text for word in DEMAND_WORDS):
        return
    meters = {read.meter_number for read, _ in draft.usage if read.commodity is Commodity.ELECTRICITY}
    meter = next(iter(meters)) if len(meters) == 1 else None
    for line in document.lines:
        if (match := DEMAND_LINE.match(line.text)) is None or (match["unit_alone"] and not match["kind"]):
            continue
        labelled = match["label_unit"] or match["unit_first"] or match["unit_after"] or match["unit_alone"]
        if unit := match["unit"] or labelled:
            quantity, period = US.parse_number(match["quantity"]), match["tou"] and tou_period_of(match["tou"])
            read = DemandRead(meter_number=match["meter"] or meter, quantity=quantity, unit=unit, period=period)
            draft.demand.append((read, row_provenance(line, METHOD, 0.8)))


# The ways bills print their meters, tried in turn until one reads a meter.
USAGE_READERS: tuple[Callable[[Document, Draft], None], ...] = (
    _usage_from_tables,
    _usage_from_blocks,
    _usage_from_sentences,
    _usage_from_prose,
    _usage_from_arithmetic,
    _usage_statements,
)


# What tells one statement from another: a file that prints two account numbers, or two statement dates and two due
# dates (two periods, where it prints no due date), holds two statements (a year of bills downloaded as one file, a
# summary bill's sub-accounts).
_IDENTITY_LABELS = LabelSet({name: _LABELS[name][0] for name in ("account_number", "statement_date", "due_date")})
_PERIOD_LABELS = LabelSet({"bill_period": _PERIOD_LABEL})  # scanned only where no due date is printed
_NOT_IN_AN_ACCOUNT_NUMBER = re.compile(r"[^0-9A-Za-z]")  # `3673-537762-4` on the bill, `3673 537762 4` on the stub


def _identities(document: Document) -> dict[str, list[Hit]]:
    """The account numbers, statement dates and due dates the labels print, where they print them; and the periods,
    where no due date is printed (most bills print one, and need no second scan)."""
    cells = _IDENTITY_LABELS.scan(document)
    found = {
        name: values_after(document, _capitalised(document, cells[name]), _LABELS[name][1], is_label=is_label)
        for name in ("account_number", "statement_date", "due_date")
    }
    periods = [] if found["due_date"] else _PERIOD_LABELS.scan(document)["bill_period"]
    found["bill_period"] = values_after(document, _capitalised(document, periods), _RANGE)
    return found


def _one_page_prints_two(hits: list[Hit]) -> bool:
    seen: dict[int, str] = {}
    return any(seen.setdefault(hit.line.page, hit.text) != hit.text for hit in hits)


def _periods(hits: list[Hit], date_formats: tuple[str, ...]) -> set[tuple[date, date]]:
    periods = set()
    for hit in hits:
        with suppress(ValueError):
            periods.add(_range_dates(hit.groups, date_formats))
    return periods


def _account_key(text: str) -> str:
    return _NOT_IN_AN_ACCOUNT_NUMBER.sub("", text).upper()


def several_statements(document: Document) -> AuditResult | None:
    """several_statements when the file holds more than one statement: one bill read from it would load the first
    statement's values and lose the others'."""
    found = _identities(document)
    printed = {name: [hit.text for hit in hits] for name, hits in found.items()}
    accounts = sorted({_account_key(text) for text in printed["account_number"]})
    dates: dict[str, list[str]] = {}
    if len(accounts) < 2 and len(set(statement_dates := printed["statement_date"])) > 1:
        due_dates = printed["due_date"]
        readings = [
            (_dates(statement_dates, order), _dates(due_dates, order), _periods(found["bill_period"], order))
            for order in _date_orders(document)
        ]
        # two statement dates, and two due dates or, where the bills print none, two periods on pages of their own
        # (a table of past bills' dates and periods shares its page with the statement's own)
        if all(len(issued) > 1 and len(due) > 1 for issued, due, _ in readings):
            dates = {"statement_dates": sorted(map(str, readings[0][0])), "due_dates": sorted(map(str, readings[0][1]))}
        elif all(len(issued) > 1 and not due and len(periods) > 1 for issued, due, periods in readings) and not (
            _one_page_prints_two(found["statement_date"]) or _one_page_prints_two(found["bill_period"])
        ):
            dates = {
                "statement_dates": sorted(map(str, readings[0][0])),
                "periods": [f"{start} - {end}" for start, end in sorted(readings[0][2])],
            }
    if len(accounts) < 2 and not dates:
        return None
    told = (
        f"account numbers {', '.join(accounts)}"
        if len(accounts) > 1
        else "; ".join(f"{name.replace('_', ' ')} {', '.join(values)}" for name, values in dates.items())
    )
    return AuditResult(
        code="several_statements",
        severity=Severity.ERROR,
        message=f"the file holds more than one statement ({told}): each needs reading on its own",
        details={"account_numbers": accounts, **dates},
    )


def statement_pages(document: Document) -> list[tuple[int, int]] | None:
    """The first and last page of each statement, where the file holds several statements of one account one after
    the other (a year of bills downloaded as one file); None where it holds one, or those of several accounts (the
    file was filed under one account: another's bill does not belong to it), or where its numeric dates read
    both ways.

    A statement starts on a page that prints a statement date and a due date (a period, where the bills print no
    due date), neither of them the statement's before it; a page that prints neither (its charges, a remittance
    stub repeating them) goes with the one before."""
    found = _identities(document)
    orders = _date_orders(document)
    if len({_account_key(hit.text) for hit in found["account_number"]}) > 1 or len(orders) != 1:
        return None
    order = orders[0]
    issued_on: dict[int, set[date]] = {}
    for hit in found["statement_date"]:
        with suppress(ValueError):
            issued_on.setdefault(hit.line.page, set()).add(parse_date(hit.text, order))
    other_on: dict[int, set[object]] = {}
    for hit in found["due_date"] or found["bill_period"]:
        with suppress(ValueError):
            told = parse_date(hit.text, order) if found["due_date"] else _range_dates(hit.groups, order)
            other_on.setdefault(hit.line.page, set()).add(told)
    starts = [1]
    issued: set[date] = set()
    other: set[object] = set()
    for page in range(1, document.page_count + 1):
        page_issued, page_other = issued_on.get(page, set()), other_on.get(page, set())
        if issued and other and page_issued and page_other and not (page_issued & issued or page_other & other):
            starts.append(page)
            issued, other = set(), set()
        issued |= page_issued
        other |= page_other
    if len(starts) < 2:
        return None
    return list(zip(starts, [start - 1 for start in starts[1:]] + [document.page_count], strict=True))


def _dates(texts: list[str], date_formats: tuple[str, ...]) -> set[date]:
    parsed: set[date] = set()
    for text in texts:
        try:
            parsed.add(parse_date(text, date_formats))
        except ValueError:
            continue
    return parsed


def _cells_side_by_side(document: Document) -> Document:
    """The document with each table row whose cells are centred in it (a browser's default) read as one line. Its
    lines sit half a line apart: a cell's lines between the lines of a taller cell beside it (`Transmission` over
    `Charge`, `708 kWh | $0.00950 | $6.73` between; a meter table's headings over three lines beside headings over
    two lines and one). Each was a line of its own: a charge's name apart from its amount, a label apart from its
    value, a meter table's headings apart from each other."""
    source = document.lines
    lines: list[Line] = []
    index = 0
    while index < len(source):
        end = index + 1
        while end < len(source) and _half_a_line_on(source[end - 1], source[end]):
            end += 1
        row = _centred_row(source[index:end]) if 2 < end - index <= CENTRED_ROW_LINES else None
        lines += [row] if row is not None else source[index:end]
        index = end
    return document if len(lines) == len(source) else dataclasses.replace(document, lines=lines)


HALF_A_LINE = (0.3, 0.85)  # of the type's height: how far a centred cell's middle sits from the lines wrapped beside it
CENTRED_ROW_LINES = 11  # the most lines a row of centred cells is read from: cells wrapped over up to six lines
CENTRED = 0.3  # of the type's height: how far apart the middles of a row's centred cells may be (glyphs differ)


def _half_a_line_on(above: Line, line: Line) -> bool:
    # a first look by the lines' first cells, for the few half a line apart (_half_a_line_beside decides)
    first, next_first = above.segments[0].bbox, line.segments[0].bbox
    height = max(first[3] - first[1], next_first[3] - next_first[1])
    apart = (first[1] + first[3] - next_first[1] - next_first[3]) / 2  # middle to middle
    return 0.1 * height < apart < HALF_A_LINE[1] * height and _half_a_line_beside(above, line)


def _half_a_line_beside(above: Line, line: Line) -> bool:
    """Whether `line` sits half a line under `above`, middle under middle (a label set smaller than the value it
    stands beside sits half a line from its lines by its middle, not its top), in type of about the same size, no
    word of either over one of the other."""
    height = max(segment.height for segment in above.segments)
    line_height = max(segment.height for segment in line.segments)
    taller = max(height, line_height)
    if (
        line.page != above.page
        or abs(line_height - height) > 0.15 * height
        or not HALF_A_LINE[0] * taller < _middle(above) - _middle(line) < HALF_A_LINE[1] * taller
    ):
        return False
    return all(
        right + WRAP_EDGE <= other_left or other_right + WRAP_EDGE <= left
        for _, _, (left, _, right, _) in above.words
        for _, _, (other_left, _, other_right, _) in line.words
    )


def _middle(line: Line) -> float:
    return (line.top + min(segment.bbox[1] for segment in line.segments)) / 2


class _Word(NamedTuple):
    line: int  # of the row's lines
    cell: Segment  # the segment of its line that holds it
    text: str
    box: BBox


def _centred_row(band: list[Line]) -> Line | None:
    """The row of a table whose lines are `band` (each half a line under the one before) as one line: each cell's
    words, the words over or under each other, read line by line. None where a cell's lines are not set at a cell's
    leading, one under the other, or where the cells are not centred on one middle: no such row."""
    words = [
        _Word(number, line.segment_at(start), text, box)
        for number, line in enumerate(band)
        for start, end, box in line.words
        if (text := line.text[start:end])
    ]
    cells = _stacked(words)
    height = band[0].segments[0].height
    middles = []
    wrapped, loose = 0, False  # cells of several lines; lines set wider apart than WRAP_LEADING
    for cell in cells:
        rows = [[word for word in cell if word.line == number] for number in sorted({word.line for word in cell})]
        boxes = [union([word.box for word in row]) for row in rows]
        wrapped += len(boxes) > 1
        for upper, lower in pairwise(boxes):
            if (
                not _at_a_cells_leading(upper[1], lower[3], height, LOOSE_LEADING)
                or min(
                    abs(upper[0] - lower[0]),
                    abs(upper[2] - lower[2]),
                    abs(upper[0] + upper[2] - lower[0] - lower[2]) / 2,
                )
                > WRAP_EDGE
            ):
                return None
        if any(not _at_a_cells_leading(upper[1], lower[3], height) for upper, lower in pairwise(boxes)):
            if any(_labelled(row) for row in rows) or any("..." in word.text for word in cell):
                return None  # a label and its value on each line, or leaders (`Bill number ..... 517640382`): rows
            loose = True
        middles.append((boxes[0][3] + boxes[-1][1]) / 2)
    if max(middles) - min(middles) > CENTRED * height or (loose and wrapped > 1):
        # lines that far apart in two cells are two rows' (`Payments | $37.27` over `Account Adjustment | $11.70 CR`,
        # `Pay By 2024-09-15` beside them), not one row's cells wrapped in a page's generous line height
        return None
    return _row_of_cells(band, cells)


def _labelled(row: list[_Word]) -> bool:
    """Whether a line of a cell holds a label and its value: in two cells, or after a colon (`Period from: 30 Jul
    2025`, one cell in a fixed-pitch font, whose spaces are wide)."""
    return len({word.cell.start for word in row}) > 1 or any(word.text.endswith(":") for word in row[:-1])


def _row_of_cells(band: list[Line], cells: list[list[_Word]]) -> Line:
    """One line of the cells, from left to right: each cell's words line by line (`Super-` over `Off-Peak` joined
    without a space), and the cells of one line that ran together in one segment kept in it."""
    pieces: list[list[list[_Word]]] = []  # the line's segments, each of one cell or of one line's cells run together
    last_key = None
    for cell in sorted(cells, key=lambda cell: min(word.box[0] for word in cell)):
        key = (cell[0].line, cell[0].cell.start) if all(word.line == cell[0].line for word in cell) else None
        if key is not None and key == last_key:
            pieces[-1].append(cell)
        else:
            pieces.append([cell])
        last_key = key
    parts: list[Line] = []
    for piece in pieces:
        text, words, above = "", [], None
        for word in (word for cell in piece for word in sorted(cell, key=lambda word: (word.line, word.box[0]))):
            if text and not (word.line != above and text.endswith("-") and text[-2:-1].isalpha()):
                text += " "  # `Super-` over `Off-Peak` joins without one
            words.append((len(text), len(text) + len(word.text), word.box))
            text += word.text.replace(LINE_END_HYPHEN, "-")
            above = word.line
        box = union([box for _, _, box in words])
        parts.append(Line(band[0].page, text, [Segment(text, box, piece[0][0].cell.height, 0)], words))
    return joined(parts)


def _stacked(words: list[_Word]) -> list[list[_Word]]:
    """`words` in groups, each a table's cell wrapped over lines: the words over or under each other, and the words
    a space apart on a line (not the wider gap of cells run together: `Reading Reading Multiplier`)."""
    group = list(range(len(words)))

    def root(index: int) -> int:
        while group[index] != index:
            group[index] = group[group[index]]
            index = group[index]
        return index

    for index, word in enumerate(words):
        for other in range(index):
            before = words[other]
            if (
                min(word.box[2], before.box[2]) > max(word.box[0], before.box[0])
                if before.line != word.line
                else other == index - 1 and before.cell == word.cell and _a_space_apart(before, word)
            ):
                group[root(index)] = root(other)
    cells: dict[int, list[_Word]] = {}
    for index, word in enumerate(words):
        cells.setdefault(root(index), []).append(word)
    return list(cells.values())


MONOSPACED = 0.03  # how far two words' widths per character may differ and still be one fixed-pitch font's


def _a_space_apart(before: _Word, word: _Word) -> bool:
    """Whether two words of a line are a space apart: half their height, or in a fixed-pitch font (Courier) one
    character's width, which is more (`14 Harbour Road`, its gaps 0.53 of the height, was read as two cells)."""
    gap, height = word.box[0] - before.box[2], word.box[3] - word.box[1]
    if gap <= 0.5 * height:
        return True
    pitch, other_pitch = (
        (box[2] - box[0]) / len(text) for box, text in ((word.box, word.text), (before.box, before.text))
    )
    return abs(pitch - other_pitch) <= MONOSPACED * pitch and gap <= 1.15 * pitch  # a width, and rounding's


COLUMN_GUTTER = 2.0  # of the type's height: the least gap between two columns of a page, wider than a table's cells'


def _page_columns(document: Document) -> Document:
    """The document with two columns of a page set side by side (the account's facts beside a boxed summary, the
    charges beside a budget plan) read one after the other: the left column's lines, then the right column's.
    Their lines were read across both, and a line ran a charge into the budget plan beside it (`Customer Charge |
    $9.94 | Budget plan instalment | $95.00`): the charges were not read, and the plan was lost."""
    lines = document.lines
    read: list[Line] = []
    start, changed = 0, False
    while start < len(lines):
        end = start + 1
        while end < len(lines) and lines[end].page == lines[start].page:
            end += 1
        page = lines[start:end]
        columns = _columns_read(page)
        read += columns
        changed |= columns is not page
        start = end
    return dataclasses.replace(document, lines=read) if changed else document


def _columns_read(page: list[Line]) -> list[Line]:
    """A page's lines with each run of lines in two columns read column by column."""
    margin = min(line.segments[0].bbox[0] for line in page)
    alone: dict[int, int] = {}  # where lines start in words right of the page's text, beside none: by lines
    headings: set[int] = set()  # where the second of two headings side by side starts, or a table's headings again
    for line in page:
        first = line.segments[0]
        if first.bbox[0] - margin > COLUMN_GUTTER * first.height and first.text[:1].isalpha():
            alone[round(first.bbox[0])] = alone.get(round(first.bbox[0]), 0) + 1
        elif len(line.segments) == 2 and line.segments[1].text[:1].isalpha() and not _DIGIT.search(line.text):
            headings.add(round(line.segments[1].bbox[0]))
        elif (again := _headings_again(line)) is not None:
            headings.add(round(line.segments[again].bbox[0]))
    runs: dict[int, tuple[int, list[int]]] = {}  # by first line: the end of a run in two columns, each line's split
    taken: set[int] = set()
    for edge in sorted({edge for edge, count in alone.items() if count > 1} | headings):
        sides = [_sides(line, edge) for line in page]
        index = 0
        while index < len(page):
            end = index
            while end < len(page) and sides[end] is not None and end not in taken:
                end += 1
            split = [at for at in sides[index:end] if at is not None]
            beside = sum(at < len(line.segments) for line, at in zip(page[index:end], split, strict=True))
            for start, stop in _blocks(page[index:end], split) if end - index > 3 and beside > 1 else ():
                if (begin := _two_columns(page[index + start : index + stop], split[start:stop])) is not None:
                    top, bottom = index + start + begin, index + stop
                    runs[top] = (bottom, split[top - index : bottom - index])
                    taken.update(range(top, bottom))
            index = end + 1
    if not runs:
        return page
    read: list[Line] = []
    index = 0
    while index < len(page):
        if index not in runs:
            read.append(page[index])
            index += 1
            continue
        end, split = runs[index]
        parts = list(zip(page[index:end], split, strict=True))
        read += [_part(line, 0, at) for line, at in parts if at > 0]
        read += [_part(line, at, len(line.segments)) for line, at in parts if at < len(line.segments)]
        index = end
    return read


def _sides(line: Line, edge: int) -> int | None:
    """How many of the line's cells stand left of a column starting at `edge` (the rest start there); none where a
    cell stands across the gap before it, or the right ones do not start at its edge with a word or a paragraph's
    line (a column of a table, its figures set right, is no column of the page)."""
    for index, segment in enumerate(line.segments):
        if segment.bbox[0] >= edge - WRAP_EDGE:
            starts = abs(segment.bbox[0] - edge) <= WRAP_EDGE
            return index if starts and (segment.text[:1].isalpha() or _prose(segment.text)) else None
        if segment.bbox[2] > edge - COLUMN_GUTTER * segment.height:
            return None
    return len(line.segments)


_LOWER_WORD = re.compile(r"(?<!\S)[a-z]{2,}[.,;:]?(?!\S)")


def _prose(text: str) -> bool:
    """A line of a paragraph, which may start with a figure (`1.5% a month applies to`): words in lower case."""
    return len(_LOWER_WORD.findall(text)) >= 2


def _blocks(run: list[Line], sides: list[int]) -> Iterator[tuple[int, int]]:
    """The run's blocks of lines, from and to: a line set further under the line above it on its side (the left
    column's, the right one's) than one and a half times as far as the side's lines mostly are starts a block (a
    heading under both columns, a part of the page under the right column's last line). A gap is measured on the
    side's own cells, from the top of a cell's last line to the top of the next one's first: a line of the page runs
    across both columns at the taller side's top, and a paragraph's two lines may be read as one cell beside a table's
    headings."""
    starts = {0, len(run)}
    for left in (True, False):
        cells = {
            n: line.segments[:at] if left else line.segments[at:]
            for n, (line, at) in enumerate(zip(run, sides, strict=True))
            if (at > 0 if left else at < len(line.segments))
        }
        gaps = [
            (
                min(cell.bbox[1] + cell.height for cell in cells[above]) - max(cell.bbox[3] for cell in cells[below]),
                below,
            )
            for above, below in pairwise(cells)
        ]
        if gaps:
            usual = sorted(gap for gap, _ in gaps)[len(gaps) // 2]
            starts.update(below for gap, below in gaps if gap > 1.5 * usual)
    yield from pairwise(sorted(starts))


def _two_columns(block: list[Line], sides: list[int]) -> int | None:
    """Where two columns side by side start in a block of lines split by a gap (the right column's first line; the
    rest of the block is theirs, the left column's lines under the right one's going on with it): none where they
    are one table. From the right column's first line to its last, lines with text on one side only, at least two
    on each, that are not a cell's text wrapped under the line above (under its side's text); or two headings side
    by side (`Current Charges`, `Budget Plan`) over a right column of two lines or more beside the top of a left one
    that goes on under it in two rows or more of cells of its own; or lines holding both sides on two baselines (a
    sidebar's summary and messages beside the charges, each at its own leading); or a line of column headings starting
    over where the right column does (two tables side by side, their rows on one baseline)."""
    right = [number for number, (line, at) in enumerate(zip(block, sides, strict=True)) if at < len(line.segments)]
    if len(right) < 2:
        return None
    if _headings_again(block[right[0]]) == sides[right[0]]:
        return right[0]
    alone = [0, 0]
    for number in range(right[0], right[-1] + 1):
        line, at = block[number], sides[number]
        if at not in (0, len(line.segments)):
            continue
        above = block[number - 1].segments if number else []
        own_side = above[: sides[number - 1]] if at else above[sides[number - 1] :]  # the line above's, on its side
        if not _under_a_cell(own_side, line):
            alone[at == 0] += 1
    if min(alone) >= 2 or _off_baseline(block[right[0] : right[-1] + 1], sides[right[0] : right[-1] + 1]):
        return right[0]
    headings = block[right[0]]
    if sides[right[0]] != 1 or len(headings.segments) != 2 or _DIGIT.search(headings.text):
        return None  # no two headings side by side over the columns (a table's headings are more)
    return right[0] if sum(len(line.segments) > 1 for line in block[right[-1] + 1 :]) >= 2 else None


def _headings_again(line: Line) -> int | None:
    """Where a line of column headings starts over (`Description | Quantity | Rate | Amount | Description | Amount`):
    two tables side by side, each under its own headings, their rows on one baseline (the charges split in two)."""
    if len(line.segments) < 4 or _DIGIT.search(line.text):
        return None
    first = line.segments[0].text.strip().lower()
    if not first[:1].isalpha():
        return None
    return next(
        (at for at in range(2, len(line.segments) - 1) if line.segments[at].text.strip().lower() == first), None
    )


OFF_BASELINE = 0.15  # of the type's height: two cells further apart in height are no row's, set on one baseline


def _off_baseline(lines: list[Line], sides: list[int]) -> bool:
    """Whether three lines or more hold both sides on two baselines or in two sizes of type, and at most one holds
    them on one baseline in one size: the lines of two columns set at their own leading, read as one line where they
    nearly meet (a paragraph beside a table's rows; two headings may stand level; a paragraph in small type, its
    leading half the rows', meets them on their baselines). A table's cells in a row stand on one, in one size."""
    both = [
        (line.segments[:at], line.segments[at:])
        for line, at in zip(lines, sides, strict=True)
        if 0 < at < len(line.segments)
    ]
    off = sum(
        abs(left[-1].bbox[1] - right[0].bbox[1]) > OFF_BASELINE * min(left[-1].height, right[0].height)
        or other_size(left[-1].height, right[0].height, SIZE_STEP)
        for left, right in both
    )
    return off >= 3 and off >= len(both) - 1


def _part(line: Line, start: int, end: int) -> Line:
    """The line of `line`'s cells from `start` to `end`."""
    return joined([_cell_line(line, cell) for cell in line.segments[start:end]])


def _cell_line(line: Line, cell: Segment) -> Line:
    """One cell of `line` as a line of its own."""
    stop = cell.start + len(cell.text)
    words = [
        (first - cell.start, last - cell.start, box) for first, last, box in line.words if cell.start <= first < stop
    ]
    return Line(line.page, cell.text, [Segment(cell.text, cell.bbox, cell.height, 0)], words)


def extract_heuristic(document: Document) -> Draft:
    document = _page_columns(_cells_side_by_side(document))
    draft = Draft(method=METHOD)
    _provider(document, draft)
    _currency(document, draft)
    wrapped_hits, second_lines = _wrapped_heading_hits(document)
    label_hits, label_lines = _wrapped_label_hits(document)
    for name, hits in label_hits.items():
        wrapped_hits.setdefault(name, []).extend(hits)
    _dated_fields(document, draft, wrapped_hits, second_lines | label_lines)
    _dollar_of_the_address(document, draft)
    _line_items(document, draft, second_lines)
    for read_usage in USAGE_READERS:
        noted = len(draft.notes)
        read_usage(document, draft)
        if draft.usage or len(draft.notes) > noted:  # read, or found and could not read: the next would repeat it
            break
    if not draft.demand:
        _demand_lines(document, draft)
    if any(read.conversion_factor is not None and read.read_unit is None for read, _ in draft.usage):
        _read_units_told(document, draft)
    return draft


# A note naming the unit a meter counts in: `Meter 253130B reads in m3: m3 x 37.61 = MJ`.
READS_IN = re.compile(
    rf"\bMeter (?P<meter>{METER_ID}) (?:reads|counts|registers|measures) in (?P<unit>{READ_UNITS})\b"
    rf"(?::? (?P=unit) [x×] (?P<factor>{NUMBER}) = (?P<billed>{UNIT}))?",
    re.IGNORECASE,
)


def _read_units_told(document: Document, draft: Draft) -> None:
    """The unit a converted meter's reads count in, where a note under the meters names it for the meter (and any
    factor it prints is the meter's): the reads, in m3, are told apart from its usage, in MJ."""
    told: dict[str, re.Match[str]] = {}
    for line in document.lines:
        if "eter" in line.text:
            for match in READS_IN.finditer(line.text):
                told.setdefault(match["meter"], match)
    for index, (read, provenance) in enumerate(draft.usage):
        note = told.get(read.meter_number or "")
        if note is None or read.conversion_factor is None or read.read_unit is not None or note["unit"] == read.unit:
            continue
        if note["factor"] is not None and (
            US.parse_number(note["factor"]) != read.conversion_factor or note["billed"] != read.unit
        ):
            continue
        draft.usage[index] = (read.model_copy(update={"read_unit": note["unit"]}), provenance)
