"""Field-level scoring of extracted bills against ground truth.

A bill is flattened into scalar fields (`total_amount`, `line_items[3].amount`, `usage[1].end_read`...),
rows matched by position, values compared exactly (Decimals numerically, so 0.0749 == 0.07490).
Precision counts only what was *loaded as ok*: a wrong value in a bill sent to review was flagged, not
loaded. Recall counts the truth values that arrived correct in ok bills.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from common.models import BillStatus, NormalizedBill

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
)
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "line_items": ("description", "amount", "category", "quantity", "unit", "rate", "third_party"),
    "usage": (
        "commodity",
        "quantity",
        "unit",
        "meter_number",
        "read_type",
        "start_read",
        "end_read",
        "multiplier",
        "period",
        "conversion_factor",
        "read_unit",
    ),
    "demand": ("meter_number", "quantity", "unit", "period"),
}
BUDGET = ("instalment", "actual_charges", "deferred_balance")


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def flatten(bill: NormalizedBill) -> dict[str, Any]:
    """Every non-empty scalar of the bill under a stable path."""
    flat: dict[str, Any] = {}
    for name in SCALARS:
        value = getattr(bill, name)
        if value not in (None, ""):
            flat[name] = _norm(value)
    for table, names in ROW_FIELDS.items():
        for index, row in enumerate(getattr(bill, table)):
            for name in names:
                value = getattr(row, name)
                if value not in (None, ""):
                    flat[f"{table}[{index}].{name}"] = _norm(value)
    if bill.budget_billing is not None:
        for name in BUDGET:
            value = getattr(bill.budget_billing, name)
            if value is not None:
                flat[f"budget_billing.{name}"] = _norm(value)
    return flat


def field_group(path: str) -> str:
    """`line_items[3].amount` -> `line_items.amount`, for per-field tables."""
    if "[" in path:
        table, rest = path.split("[", 1)
        return f"{table}.{rest.split('.', 1)[1]}"
    return path


@dataclass
class Score:
    truth: int = 0  # values in the ground truth
    extracted_ok: int = 0  # values delivered in bills loaded as ok
    correct_ok: int = 0  # of those, equal to the truth
    correct_any: int = 0  # correct values in any bill, ok or sent to review

    @property
    def precision(self) -> float:
        return self.correct_ok / self.extracted_ok if self.extracted_ok else 1.0

    @property
    def recall(self) -> float:
        return self.correct_ok / self.truth if self.truth else 1.0

    @property
    def recall_any(self) -> float:
        return self.correct_any / self.truth if self.truth else 1.0

    def add(self, other: Score) -> None:
        self.truth += other.truth
        self.extracted_ok += other.extracted_ok
        self.correct_ok += other.correct_ok
        self.correct_any += other.correct_any


@dataclass
class Evaluation:
    per_field: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    bills: int = 0
    ok: int = 0
    needs_review: int = 0
    rejected: int = 0
    wrong_in_ok: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # (bill, path, truth, got)
    review_reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    methods: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(
        self, name: str, truth: NormalizedBill, got: NormalizedBill | None, method: str, codes: list[str]
    ) -> None:
        self.bills += 1
        self.methods[method] += 1
        expected = flatten(truth)
        found = flatten(got) if got is not None else {}
        ok = got is not None and got.status is BillStatus.OK
        if got is None:
            self.rejected += 1 if not codes else 0
        if ok:
            self.ok += 1
        elif codes:
            self.needs_review += 1
            for code in sorted(set(codes)):
                self.review_reasons[code] += 1
        for path in expected.keys() | found.keys():
            score = self.per_field[field_group(path)]
            correct = path in expected and path in found and expected[path] == found[path]
            score.truth += path in expected
            score.correct_any += correct
            if ok and path in found:
                score.extracted_ok += 1
                score.correct_ok += correct
                if not correct:
                    self.wrong_in_ok.append((name, path, expected.get(path), found[path]))

    def total(self) -> Score:
        result = Score()
        for score in self.per_field.values():
            result.add(score)
        return result
