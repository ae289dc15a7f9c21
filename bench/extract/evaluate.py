"""Field-level scoring of extracted bills against ground truth.

A bill is flattened into scalar fields (`total_amount`, `line_items[3].amount`, `usage[1].end_read`...),
rows matched by position, values compared exactly (Decimals numerically, so 0.0749 == 0.07490).
Precision counts only what was *loaded as ok*: a wrong value in a bill sent to review was flagged, not
loaded. Recall counts the truth values that arrived correct in ok bills.

invoice2data's output (`flatten_invoice2data`, for the templates in `invoice2data_templates_full`) is
flattened onto the same paths and scored by the same rules; it has no review state, so every bill a
template matched counts as loaded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
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
    "adjustments",
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
        "direction",
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
        ok = got is not None and got.status is BillStatus.OK
        if got is None:
            self.rejected += 1 if not codes else 0
        if ok:
            self.ok += 1
        elif codes:
            self.needs_review += 1
            for code in sorted(set(codes)):
                self.review_reasons[code] += 1
        self._compare(name, flatten(truth), flatten(got) if got is not None else {}, ok)

    def record_flat(self, name: str, truth: NormalizedBill, found: dict[str, Any] | None, method: str) -> None:
        """A bill read by another tool, already flattened (None: it read nothing); all it read is loaded."""
        self.bills += 1
        self.methods[method] += 1
        if found is None:
            self.rejected += 1
        else:
            self.ok += 1
        self._compare(name, flatten(truth), found or {}, found is not None)

    def _compare(self, name: str, expected: dict[str, Any], found: dict[str, Any], ok: bool) -> None:
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


# --- invoice2data ----------------------------------------------------------------------------------
# Output names of the templates in invoice2data_templates_full -> the paths `flatten` gives the truth.
I2D_SCALARS: dict[str, str] = {
    "issuer": "provider",
    "invoice_number": "account_number",
    "service_address": "service_address",
    "date": "statement_date",
    "date_due": "due_date",
    "date_start": "bill_period_start",
    "date_end": "bill_period_end",
    "currency": "currency",
    "amount": "total_amount",
    "amount_due": "amount_due",
    "amount_previous_balance": "previous_balance",
    "amount_payments": "payments_and_credits",
    "amount_adjustments": "adjustments",
    "amount_budget_instalment": "budget_billing.instalment",
    "amount_budget_actual": "budget_billing.actual_charges",
    "amount_budget_deferred": "budget_billing.deferred_balance",
}
I2D_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "lines": (
        "line_items",
        {
            "name": "description",
            "price_subtotal": "amount",
            "qty": "quantity",
            "uom": "unit",
            "price_unit": "rate",
            "third_party": "third_party",
        },
    ),
    "usage": ("usage", {name: name for name in ROW_FIELDS["usage"]}),
    "demand": ("demand", {name: name for name in ROW_FIELDS["demand"]}),
}


def _i2d_value(value: Any) -> Any:
    """invoice2data's types onto the truth's: datetime -> date, float -> Decimal (its shortest repr, so
    12.3 is exactly 12.30), text stripped. Anything else (a list: the regex found several values) stays
    as it is and compares unequal."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return value
    if isinstance(value, str):
        return value.strip()
    return value


def flatten_invoice2data(got: dict[str, Any]) -> dict[str, Any]:
    """invoice2data's output on `flatten`'s paths, rows by position.

    Rows a bill groups under a supplier's heading come as `lines_third_party`, after `lines`, and carry
    the supplier read once from that heading (`third_party`), as the printed heading does.
    """
    flat: dict[str, Any] = {}
    for name, path in I2D_SCALARS.items():
        value = got.get(name)
        if value is not None and value != "":
            flat[path] = _i2d_value(value)
    tables: dict[str, list[Any]] = {name: list(got.get(name) or ()) for name in I2D_TABLES}
    supplier = got.get("third_party")
    tables["lines"] += [{**row, "third_party": supplier} for row in got.get("lines_third_party") or ()]
    for name, rows in tables.items():
        table, fields = I2D_TABLES[name]
        for index, row in enumerate(rows):
            for key, value in row.items():
                if key in fields and value is not None and value != "":
                    flat[f"{table}[{index}].{fields[key]}"] = _i2d_value(value)
    return flat


def emit(report: dict[str, Any], path: str | None) -> None:
    """A bench's report as one line of JSON after its table, and indented into `path` (its --json), if given."""
    print(json.dumps(report, default=str))
    if path:
        Path(path).write_text(json.dumps(report, indent=2, default=str))
