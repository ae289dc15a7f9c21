"""The last step of the cascade: ask a model (Gemini) to read the bill, then check every answer.

The response schema is a pydantic model; the answer is validated with `model_validate_json` (an SDK's
parsed object can silently be None), and a validation error earns exactly one re-ask that quotes the
error. A model's values are then looked up in the PDF's text layer: a value printed on the page gets
its page, box and a high confidence, one that is not printed stays low, so an invented account number
or total can never be loaded as ok.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.errors import MiniMeterError
from common.extraction.bills.draft import Draft, Found
from common.extraction.bills.layout import Document
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
from common.ports import BillReader

log = logging.getLogger(__name__)

VERIFIED = 0.9  # the model's value is printed on the page
UNVERIFIED = 0.5  # not found in the text layer: a reviewer must look


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LlmLineItem(_Schema):
    description: str
    amount: Decimal = Field(description="Signed: credits are negative.")
    category: LineItemCategory
    quantity: Decimal | None = None
    unit: str | None = None
    rate: Decimal | None = None
    third_party: str | None = Field(default=None, description="Supplier name for charges billed for a third party.")


class LlmUsage(_Schema):
    commodity: Commodity
    quantity: Decimal
    unit: str
    meter_number: str | None = None
    read_type: ReadType = ReadType.ACTUAL
    start_read: Decimal | None = None
    end_read: Decimal | None = None
    multiplier: Decimal | None = None
    conversion_factor: Decimal | None = None
    period: str | None = Field(default=None, description="Time-of-use period, e.g. on_peak.")
    direction: Direction = Field(
        default=Direction.DELIVERED,
        description="A net-metered (solar) meter's register: delivered from the grid, received (exported or"
        " generated) or net.",
    )


class LlmDemand(_Schema):
    meter_number: str | None = None
    quantity: Decimal
    unit: str = "kW"


class LlmBill(_Schema):
    """What the model must return; amounts as decimal strings to keep cents exact."""

    provider: str
    account_number: str
    service_address: str | None = None
    statement_date: date | None = None
    due_date: date | None = None
    bill_period_start: date
    bill_period_end: date
    currency: str = Field(default="USD", description="ISO 4217 code.")
    total_amount: Decimal = Field(description="New charges of this period.")
    amount_due: Decimal | None = None
    previous_balance: Decimal | None = None
    payments_and_credits: Decimal | None = Field(default=None, description="Positive amount paid or credited.")
    adjustments: Decimal | None = Field(
        default=None,
        description="The account summary's other activity since the last bill (a late payment charge, an"
        " adjustment), signed: a credit is negative. Not a charge of this period.",
    )
    budget_instalment: Decimal | None = None
    budget_actual_charges: Decimal | None = None
    budget_deferred_balance: Decimal | None = None
    line_items: list[LlmLineItem] = Field(default_factory=list)
    usage: list[LlmUsage] = Field(default_factory=list)
    demand: list[LlmDemand] = Field(default_factory=list)


PROMPT = """You read utility bills. Extract this bill into the JSON schema you are given.
Rules: copy values exactly as printed; dates as YYYY-MM-DD; amounts as decimal strings with a minus sign
for credits (e.g. "-12.34"); total_amount is the new charges of this period, not the amount due; list
every charge line, not subtotals; leave a field null when the bill does not print it. Never guess."""

REASK = """Your previous answer did not validate against the schema.
Errors: {errors}
Previous answer: {answer}
Answer again with JSON that validates."""


@dataclass
class LlmAnswer:
    bill: LlmBill | None
    audits: list[AuditResult]


def ask(reader: BillReader, pdf: bytes) -> LlmAnswer:
    """One request, and one re-ask if the JSON does not validate. Transport errors become an audit."""
    schema = LlmBill.model_json_schema()
    prompt = PROMPT
    answer = ""
    for attempt in (1, 2):
        try:
            answer = reader.extract_bill(pdf, schema, prompt)
        except MiniMeterError as exc:
            log.warning("bill reader %s failed: %s", reader.name, exc.reason_code)
            return LlmAnswer(
                None,
                [
                    AuditResult(
                        code="llm_unavailable",
                        severity=Severity.WARNING,
                        message=f"{reader.name} could not be asked: {exc.message}",
                        details={"reason_code": exc.reason_code},
                    )
                ],
            )
        try:
            return LlmAnswer(LlmBill.model_validate_json(answer), [])
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            if attempt == 2:
                return LlmAnswer(
                    None,
                    [
                        AuditResult(
                            code="llm_invalid_output",
                            severity=Severity.WARNING,
                            message=f"{reader.name} answered JSON that does not validate, twice",
                            details={"errors": [str(e["msg"]) for e in errors[:5]]},
                        )
                    ],
                )
            prompt = PROMPT + "\n\n" + REASK.format(errors=errors[:10], answer=answer[:4000])
    raise AssertionError("unreachable")


# --- provenance by looking the values up in the text layer ---------------------------------------------


def _printed_forms(value: Any) -> list[str]:
    if isinstance(value, Decimal):
        magnitude = abs(value)
        return [f"{magnitude:,.2f}", f"{magnitude:.2f}", f"{magnitude:,}", str(magnitude)]
    if isinstance(value, date):
        return [
            value.strftime("%m/%d/%Y"),
            f"{value:%b} {value.day}, {value.year}",
            value.strftime("%d %b %Y"),
            value.isoformat(),
            f"{value:%B} {value.day}, {value.year}",
        ]
    return [str(value)] if value not in (None, "") else []


def _locate(document: Document, value: Any, method: str) -> Provenance:
    for form in _printed_forms(value):
        for line in document.lines:
            start = line.text.find(form)
            if start >= 0:
                return Provenance(
                    method=method,
                    page=line.page,
                    bbox=line.span_bbox(start, start + len(form)),
                    source_text=line.text.replace("\t", " "),
                    confidence=VERIFIED,
                )
    return Provenance(method=method, source_text=None, confidence=UNVERIFIED)


_SCALARS = (
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
    "budget_instalment",
    "budget_actual_charges",
    "budget_deferred_balance",
)


def to_draft(answer: LlmBill, document: Document, method: str) -> Draft:
    draft = Draft(method=method)
    for name in _SCALARS:
        value = getattr(answer, name)
        if value is None:
            continue
        if name == "currency":
            provenance = Provenance(method=method, source_text=f"{method} currency", confidence=VERIFIED)
        else:
            provenance = _locate(document, value, method)
        if name == "payments_and_credits":
            value = abs(value)
        draft.fields[name] = Found(value, provenance)
    for item in answer.line_items:
        draft.line_items.append((LineItem(**item.model_dump()), _locate(document, item.amount, method)))
    for read in answer.usage:
        draft.usage.append((UsageRead(**read.model_dump()), _locate(document, read.quantity, method)))
    for demand in answer.demand:
        draft.demand.append((DemandRead(**demand.model_dump()), _locate(document, demand.quantity, method)))
    return draft
