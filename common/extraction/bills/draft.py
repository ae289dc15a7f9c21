"""What a cascade step found, value by value with provenance, and how it becomes a NormalizedBill.

Both the template engine and the heuristics fill a `Draft`; the cascade audits it and decides the
status. Keeping the two on one structure is what lets every field say where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from common.extraction.bills.layout import Document, Line, Segment, other_size, union
from common.models import (
    AuditResult,
    BudgetBilling,
    DemandRead,
    LineItem,
    NormalizedBill,
    Provenance,
    Severity,
    UsageRead,
)

REQUIRED = ("account_number", "bill_period_start", "bill_period_end", "total_amount")
SCALARS = (
    "provider",
    "account_number",
    "service_address",
    "statement_date",
    "due_date",
    "bill_period_start",
    "bill_period_end",
    "currency",
    "total_amount",
    "amount_due",
    "previous_balance",
    "payments_and_credits",
    "adjustments",
)
BUDGET_FIELDS = ("budget_instalment", "budget_actual_charges", "budget_deferred_balance")
MIN_CONFIDENCE = 0.7  # a required field below this sends the bill to review
# The account summary's values: one below MIN_CONFIDENCE (read among others that disagree) sends the bill to review
# too, unless the summary balances as read.
SUMMARY_FIELDS = ("previous_balance", "payments_and_credits", "total_amount", "amount_due", "adjustments")


@dataclass
class Found:
    value: Any
    provenance: Provenance


@dataclass
class Draft:
    """Values found by one method; rows keep their own provenance."""

    method: str
    fields: dict[str, Found] = field(default_factory=dict)
    line_items: list[tuple[LineItem, Provenance]] = field(default_factory=list)
    usage: list[tuple[UsageRead, Provenance]] = field(default_factory=list)
    demand: list[tuple[DemandRead, Provenance]] = field(default_factory=list)
    notes: list[AuditResult] = field(default_factory=list)

    def value(self, name: str) -> Any:
        found = self.fields.get(name)
        return found.value if found is not None else None

    def missing_required(self) -> list[str]:
        return [name for name in REQUIRED if name not in self.fields]

    def provenance(self) -> dict[str, Provenance]:
        result = {name: found.provenance for name, found in self.fields.items()}
        for key, rows in (("line_items", self.line_items), ("usage", self.usage), ("demand", self.demand)):
            for index, (_, provenance) in enumerate(rows):
                result[f"{key}[{index}]"] = provenance
        return result

    def budget_billing(self) -> BudgetBilling | None:
        instalment = self.value("budget_instalment")
        if instalment is None:
            return None
        return BudgetBilling(
            instalment=instalment,
            actual_charges=self.value("budget_actual_charges"),
            deferred_balance=self.value("budget_deferred_balance"),
        )

    def to_bill(self) -> NormalizedBill | None:
        """The bill, or None while a period or total is missing (the account number may be blank)."""
        if any(name not in self.fields for name in REQUIRED if name != "account_number"):
            return None
        values = {name: self.value(name) for name in SCALARS if name in self.fields}
        values.setdefault("provider", "")
        values.setdefault("account_number", "")
        return NormalizedBill(
            **values,
            line_items=[item for item, _ in self.line_items],
            usage=[read for read, _ in self.usage],
            demand=[read for read, _ in self.demand],
            budget_billing=self.budget_billing(),
            provenance=self.provenance(),
        )

    def found_summary(self) -> dict[str, str]:
        """What was read, as text, for a reviewer when the bill cannot be built."""
        return {name: str(found.value) for name, found in self.fields.items()}


def quality_audits(draft: Draft) -> list[AuditResult]:
    """Required fields that are missing or too uncertain to load, then what the method noted: a missing
    field is the first reason a reviewer reads."""
    audits: list[AuditResult] = []
    for name in draft.missing_required():
        audits.append(
            AuditResult(
                code="missing_required_field",
                severity=Severity.ERROR,
                message=f"no {name.replace('_', ' ')} found on the bill",
                details={"field": name},
            )
        )
    balanced = _balances(draft)
    for name in dict.fromkeys((*REQUIRED, *(() if balanced else SUMMARY_FIELDS))):
        found = draft.fields.get(name)
        if found is not None and found.provenance.confidence < MIN_CONFIDENCE:
            audits.append(
                AuditResult(
                    code="low_confidence_field",
                    severity=Severity.ERROR,
                    message=f"{name.replace('_', ' ')} {found.value} is uncertain "
                    f"(confidence {found.provenance.confidence:.2f})",
                    details={"field": name, "confidence": found.provenance.confidence},
                )
            )
    return [*audits, *draft.notes]


def _balances(draft: Draft) -> bool:
    """Whether the account summary as read balances (previous balance - payments + adjustments + new charges is the
    amount due): then each of its values is confirmed by the others, however it was read."""
    previous, paid, new, due = (
        draft.value(name) for name in ("previous_balance", "payments_and_credits", "total_amount", "amount_due")
    )
    if previous is None or paid is None or new is None or due is None:
        return False
    return bool(previous - paid + (draft.value("adjustments") or 0) + new == due)


# --- locating values on the page --------------------------------------------------------------------

LABEL_GAP = r"[ \t]*:?[ \t]*"  # between a label and a value in the same cell: spaces or a colon


@dataclass
class Hit:
    """A value's text where it was printed."""

    text: str
    line: Line
    start: int  # span of the value in line.text
    end: int
    label_line: Line
    label_start: int
    groups: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # the label and the value as printed, where the lines alone do not tell it

    def provenance(self, method: str, confidence: float, span: tuple[int, int] | None = None) -> Provenance:
        """Where the value was read; `span` narrows the box to part of it (one date of a range)."""
        if self.source is not None:
            source = self.source
        elif self.label_line is self.line:
            source = self.line.text[self.label_start : self.end]
        else:
            source = f"{self.label_line.text[self.label_start :].split(chr(9))[0]} / {self.text}"
        start, end = span or (self.start, self.end)
        return Provenance(
            method=method,
            page=self.line.page,
            bbox=self.line.span_bbox(start, end),
            source_text=source.replace("\t", " "),
            confidence=confidence,
        )


def lines_below(document: Document, index: int) -> Iterator[Line]:
    """The next two lines of line `index`'s page, while within three of its heights: where a value under a label
    may be."""
    label_line = document.lines[index]
    height = max(segment.height for segment in label_line.segments)
    for line in document.lines[index + 1 : index + 3]:
        if line.page != label_line.page or label_line.top - line.top > 3 * height:
            return
        yield line


def cells_below(document: Document, index: int, left: float, right: float) -> list[tuple[Line, int, int]]:
    """Cells of the next two lines of the same page that sit under [left, right]: aligned with it, starting
    within it, or centred on it (a value wider than its label, in a box: `(€31.34)` under `Payments:`); or the
    end of a cell that runs in from the left, from a word in type of another size under the label."""
    found: list[tuple[Line, int, int]] = []
    for line in lines_below(document, index):
        for segment in line.segments:
            left_edge, right_edge = segment.bbox[0], segment.bbox[2]
            if (
                abs(left_edge - left) <= 6
                or (left - 2 <= left_edge <= right and right_edge >= left)
                or abs((left_edge + right_edge) - (left + right)) <= 12  # centres within 6 pt
            ):
                found.append((line, segment.start, segment.start + len(segment.text)))
            elif left_edge < left - 6 and right_edge > left and (start := _resized_under(line, segment, left)) >= 0:
                found.append((line, start, segment.start + len(segment.text)))
        if found:
            break
    return found


def _resized_under(line: Line, segment: Segment, left: float) -> int:
    """Where, in a cell that runs under a label from further left, a word starting under the label in type of
    another size begins (`PAY THIS AMOUNT: €16,104.96` in large type, then `28 Nov 2025 - 31 Dec 2025` under
    `PERIOD OF SUPPLY`: two strings a space apart, one cell); -1 if none does."""
    end = segment.start + len(segment.text)
    previous_height = 0.0
    for start, _, box in line.words:
        if start < segment.start or start >= end:
            continue
        height = box[3] - box[1]
        if start > segment.start and abs(box[0] - left) <= 6 and other_size(height, previous_height):
            return start
        previous_height = height
    return -1


LabelCell = tuple[int, int, int]  # line index, segment position, end of the label in the segment's text
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")  # group numbers shift once combined: such labels go one by one


def cells_starting(document: Document, label: re.Pattern[str]) -> Iterator[LabelCell]:
    """The cells `label` matches at the start of, in reading order."""
    for index, line in enumerate(document.lines):
        for position, segment in enumerate(line.segments):
            if (match := label.match(segment.text)) is not None:
                yield index, position, match.end()


class LabelSet:
    """Several fields' labels tried with one regex call per cell, instead of one call per field and cell.

    Each label becomes an optional lookahead with a group of its own, so one match at the start of a
    cell reports every label that matches there and where each ends, exactly as each label's own
    `match` would (a lookahead keeps its first match). Labels that cannot be combined (different flags,
    backreferences, clashing group names) are tried one by one.
    """

    def __init__(self, labels: dict[str, re.Pattern[str]]) -> None:
        self.labels = labels
        self.groups = {f"_label{index}": name for index, name in enumerate(labels)}
        self.combined: re.Pattern[str] | None = None
        self.prefilter: re.Pattern[str] | None = None  # any label at all: a third of the combined match's cost
        flags = {pattern.flags for pattern in labels.values()}
        if labels and len(flags) == 1 and not any(_BACKREFERENCE.search(p.pattern) for p in labels.values()):
            flag = flags.pop()
            try:
                self.combined = re.compile(
                    "".join(f"(?:(?=(?P<{g}>{labels[n].pattern})))?" for g, n in self.groups.items()), flag
                )
                self.prefilter = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in labels.values()), flag)
            except re.error:
                self.combined = None

    def scan(self, document: Document) -> dict[str, list[LabelCell]]:
        """The cells each label starts, in reading order."""
        if self.combined is None:
            return {name: list(cells_starting(document, label)) for name, label in self.labels.items()}
        found: dict[str, list[LabelCell]] = {name: [] for name in self.labels}
        assert self.prefilter is not None
        combined, groups, prefilter = self.combined.match, self.groups, self.prefilter.match
        for index, line in enumerate(document.lines):
            for position, segment in enumerate(line.segments):
                if prefilter(segment.text) is None:
                    continue
                match = combined(segment.text)
                if match is None:  # never: every part of it is optional
                    continue
                for group, text in match.groupdict().items():
                    if text is not None:
                        found[groups[group]].append((index, position, match.end(group)))
        return found


def find_labelled(
    document: Document,
    label: re.Pattern[str],
    value: re.Pattern[str],
    *,
    below: bool = True,
    pages: tuple[int, ...] | None = None,
    is_label: Callable[[str], bool] | None = None,
) -> list[Hit]:
    """Values that follow a label: in the same cell, else in the next cell, else in the cell underneath.

    `label` is matched at the start of a cell; see `values_after` for the rest.
    """
    return values_after(document, cells_starting(document, label), value, below=below, pages=pages, is_label=is_label)


def groups_of(match: re.Match[str]) -> dict[str, str]:
    """The named groups a match took part in (an alternation's other branches left out)."""
    return {name: text for name, text in match.groupdict().items() if text is not None}


def values_after(
    document: Document,
    label_cells: Iterable[LabelCell],
    value: re.Pattern[str],
    *,
    below: bool = True,
    pages: tuple[int, ...] | None = None,
    is_label: Callable[[str], bool] | None = None,
) -> list[Hit]:
    """The value after each label: in the same cell, else in the next cell, else in the cell underneath.

    `value` must match the whole candidate text, so a label's neighbour that is not of the expected type
    is never taken; `is_label` rejects a neighbour that is itself a label (a row of headings above a row
    of values).
    """
    hits: list[Hit] = []
    lines = document.lines
    for index, position, label_end in label_cells:
        line = lines[index]
        if pages is not None and line.page not in pages:
            continue
        segment = line.segments[position]
        label_start = segment.start
        rest_start = label_start + label_end
        rest_end = label_start + len(segment.text)
        candidates: list[tuple[Line, int, int]] = []
        rest = line.text[rest_start:rest_end]
        if rest.strip():
            candidates.append((line, rest_start + len(rest) - len(rest.lstrip()), rest_end))
        else:
            if position + 1 < len(line.segments):
                following = line.segments[position + 1]
                candidates.append((line, following.start, following.start + len(following.text)))
            if below and not segment.text.endswith("..."):  # leaders point along the line, never down
                candidates.extend(cells_below(document, index, segment.bbox[0], segment.bbox[2]))
        for cell_line, start, end in candidates:
            text = cell_line.text[start:end].strip()
            full = value.fullmatch(text)
            if full is None and text.endswith((".", ":")) and text[-2:-1].isdigit():
                # a sentence's end (`Pay: €380.56.`), or a label's own colon (`Amount due by 02/21/2025: $50.00`)
                text = text[:-1]
                full = value.fullmatch(text)
            if full is None or (is_label is not None and is_label(text)):
                continue
            groups = groups_of(full)
            hits.append(Hit(text, cell_line, start, start + len(text), line, label_start, groups))
            break
    return hits


def row_provenance(line: Line, method: str, confidence: float, *extra: Line | None) -> Provenance:
    """A row's provenance; its box also covers the `extra` lines of its page (a meter's headline, its conversion)."""
    bbox = union([segment.bbox for segment in line.segments])  # the box of every word, from fewer boxes
    for other_line in extra:
        if other_line is not None and other_line is not line and other_line.page == line.page:
            other = union([segment.bbox for segment in other_line.segments])
            bbox = (min(bbox[0], other[0]), min(bbox[1], other[1]), max(bbox[2], other[2]), max(bbox[3], other[3]))
    return Provenance(
        method=method, page=line.page, bbox=bbox, source_text=line.text.replace("\t", " | "), confidence=confidence
    )


def agree(values: list[Any]) -> bool:
    return len(values) < 2 or len({repr(v) for v in values}) == 1


def as_decimal(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None
