"""Extract a NormalizedBill from a text-layer utility bill PDF, with provenance and audits.

Text comes from pdfium with a box per character; we rebuild lines from the geometry (columns
separated by a tab), so labels and their values are found whether they sit in one string or in two
table cells. Fields are found by label rules that cover the wordings utilities use, so the extractor
is not tied to one layout. Anything we cannot read is a `RejectedInput` with a stable reason code.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from common.errors import RejectedInput
from common.extraction.bill_audits import audit_bill
from common.models import (
    AuditResult,
    BillStatus,
    Commodity,
    LineItem,
    LineItemCategory,
    NormalizedBill,
    Provenance,
    ReadType,
    Severity,
    UsageRead,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PAGES = 50
MAX_CHARS_PER_PAGE = 50_000  # a bill page holds a few thousand; more is hostile or not a bill
METHOD = "heuristic"

# pdfium is not thread-safe; functions-framework may serve requests on several threads.
_PDFIUM_LOCK = threading.Lock()

BBox = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


# --- text layer -----------------------------------------------------------------------------------


@dataclass
class Segment:
    """A run of text with no wide gap: one table cell or one drawn string."""

    text: str
    bbox: BBox
    height: float


@dataclass
class Line:
    """One visual line of a page; `text` joins its segments with tabs."""

    page: int  # 1-based
    segments: list[Segment]
    text: str = ""
    char_boxes: list[BBox | None] = field(default_factory=list)

    def span_bbox(self, start: int, end: int) -> BBox | None:
        boxes = [box for box in self.char_boxes[start:end] if box is not None]
        if not boxes:
            return None
        return (
            round(min(b[0] for b in boxes), 2),
            round(min(b[1] for b in boxes), 2),
            round(max(b[2] for b in boxes), 2),
            round(max(b[3] for b in boxes), 2),
        )


@dataclass
class _Char:
    char: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def center(self) -> float:
        return (self.bottom + self.top) / 2

    @property
    def height(self) -> float:
        return self.top - self.bottom


def _page_chars(textpage: pdfium.PdfTextPage) -> list[_Char]:
    handle = textpage.raw
    count = min(pdfium_c.FPDFText_CountChars(handle), MAX_CHARS_PER_PAGE)
    rect = pdfium_c.FS_RECTF()
    chars: list[_Char] = []
    for index in range(count):
        code = pdfium_c.FPDFText_GetUnicode(handle, index)
        if code == 0 or code > 0x10FFFF:
            continue
        char = chr(code)
        if char.isspace() or not char.isprintable():
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(handle, index, ctypes.byref(rect)):
            continue
        chars.append(_Char(char, rect.left, rect.bottom, rect.right, rect.top))
    return chars


def _group_lines(chars: list[_Char], page: int) -> list[Line]:
    """Cluster characters into lines by vertical center, then split lines at wide gaps."""
    rows: list[list[_Char]] = []
    row_center = 0.0
    for char in sorted(chars, key=lambda c: -c.center):
        if rows and abs(row_center - char.center) <= 0.35 * max(char.height, 1.0):
            rows[-1].append(char)
        else:
            rows.append([char])
            row_center = char.center
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda c: c.left)
        line = Line(page=page, segments=[])
        pieces: list[list[tuple[str, BBox | None]]] = [[]]
        previous: _Char | None = None
        for char in row:
            if previous is not None:
                gap = char.left - previous.right
                scale = max(char.height, previous.height, 1.0)
                if gap > 0.9 * scale:
                    pieces.append([])
                elif gap > 0.12 * scale:
                    pieces[-1].append((" ", None))
            pieces[-1].append((char.char, (char.left, char.bottom, char.right, char.top)))
            previous = char
        for piece in pieces:
            boxes = [box for _, box in piece if box is not None]
            line.segments.append(
                Segment(
                    text="".join(ch for ch, _ in piece),
                    bbox=(
                        min(b[0] for b in boxes),
                        min(b[1] for b in boxes),
                        max(b[2] for b in boxes),
                        max(b[3] for b in boxes),
                    ),
                    height=max(b[3] - b[1] for b in boxes),
                )
            )
            if line.char_boxes:
                line.char_boxes.append(None)  # the tab between segments
            line.char_boxes.extend(box for _, box in piece)
        line.text = "\t".join(segment.text for segment in line.segments)
        lines.append(line)
    return lines


def _check_container(data: bytes, filename: str | None) -> None:
    name = f" ({filename})" if filename else ""
    if not data:
        raise RejectedInput(f"the file is empty{name}", "empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise RejectedInput(
            f"the file is {len(data)} bytes{name}; bills over {MAX_FILE_BYTES} bytes are refused",
            "file_too_large",
        )
    if b"%PDF-" not in data[:1024]:
        raise RejectedInput(f"the file has no PDF header{name}", "not_a_pdf")
    if b"%%EOF" not in data[-2048:]:
        raise RejectedInput(f"the PDF has no end-of-file marker{name}: truncated", "corrupt_pdf")


def read_lines(data: bytes, *, filename: str | None = None) -> list[Line]:
    """The text lines of the first MAX_PAGES pages, top to bottom."""
    _check_container(data, filename)
    name = f" ({filename})" if filename else ""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise RejectedInput(f"the PDF is password protected{name}", "encrypted_pdf") from None
            raise RejectedInput(f"pdfium cannot open the PDF{name}: {exc}", "corrupt_pdf") from None
        try:
            lines: list[Line] = []
            for index in range(min(len(document), MAX_PAGES)):
                try:
                    page = document[index]
                    textpage = page.get_textpage()
                except pdfium.PdfiumError as exc:
                    raise RejectedInput(f"page {index + 1} cannot be read{name}: {exc}", "corrupt_pdf") from None
                try:
                    lines.extend(_group_lines(_page_chars(textpage), index + 1))
                finally:
                    textpage.close()
                    page.close()
            return lines
        finally:
            document.close()


# --- values ---------------------------------------------------------------------------------------

DATE = r"(?:\d{1,2}/\d{1,2}/\d{4}|[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})"
MONEY = r"(?:\(\s*-?\$?\s?\d[\d,]*\.\d{2}\s*\)|-?\s?\$?\s?\d[\d,]*\.\d{2}(?:\s?CR\b)?)"
NUMBER = r"\d[\d,]*(?:\.\d+)?"
_SEP = r"[ \t:]*"  # between a label and its value: spaces, a colon, or a table gap
_START = r"(?:^|\t)"  # labels begin a segment, so prose mentioning them does not match
_END = r"(?=\t|$)"

_DATE_FORMATS = ("%m/%d/%Y", "%b %d, %Y", "%B %d, %Y", "%b. %d, %Y")


def parse_money(text: str) -> Decimal:
    """`$1,234.56`, `-$12.34`, `($12.34)` and `12.34 CR` (a credit) as signed Decimals."""
    cleaned = text.strip()
    negative = cleaned.startswith(("(", "-")) or cleaned.upper().endswith("CR")
    digits = re.sub(r"[^\d.]", "", cleaned.upper().removesuffix("CR"))
    value = Decimal(digits)
    return -value if negative else value


def parse_date(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def parse_number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _labelled(labels: str, value: str) -> re.Pattern[str]:
    return re.compile(rf"{_START}(?:{labels}){_SEP}(?P<value>{value}){_END}", re.IGNORECASE)


PATTERNS: dict[str, re.Pattern[str]] = {
    "account_number": _labelled(
        r"Account Number|Account No\.?|Account #|Acct\.? ?#|Acct\.? No\.?",
        r"[A-Z0-9][A-Z0-9-]{2,40}",
    ),
    "service_address": _labelled(r"Service Address|Service Location|Service at|Premises Address", r"[^\t]{5,200}"),
    "statement_date": _labelled(r"Statement Date|Bill Date|Billing Date|Date of Bill|Date Issued", DATE),
    "due_date": _labelled(r"(?:Payment )?Due Date|Pay By|Payment Due|Due By", DATE),
    "previous_balance": _labelled(r"Previous Balance|Balance from last bill|Prior Balance|Last Bill Amount", MONEY),
    "payments_and_credits": _labelled(
        r"Payments/Credits|Payments and Credits|Payments received|Payment received|Total Payments",
        MONEY,
    ),
    "total_amount": _labelled(
        r"(?:Total )?New Charges|(?:Total )?Current Charges|Total Charges This Period",
        MONEY,
    ),
    "amount_due": _labelled(r"(?:Total )?Amount Due|Please pay|Total Due|Amount Now Due|Balance Due", MONEY),
}
PERIOD = re.compile(
    rf"{_START}(?:Service period|Billing period|Service from|Period of service|Billing dates)"
    rf"{_SEP}(?P<start>{DATE})\s*(?:-|–|to|through|thru)\s*(?P<end>{DATE}){_END}",
    re.IGNORECASE,
)
CHARGES_HEADER = re.compile(
    r"^(?:Charge Details|Current Charges|Details of (?:Current )?Charges|Your Charges)$",
    re.IGNORECASE,
)
CHARGES_TOTAL = re.compile(r"^Total (?:New |Current )?Charges", re.IGNORECASE)
ITEM_DETAIL = re.compile(
    rf"\s*\(?(?P<quantity>{NUMBER})\s+(?P<unit>[A-Za-z³]+)\s*(?:@|x|at)\s*\$?(?P<rate>\d*\.\d+)"
    rf"(?:\s*/\s*[A-Za-z³]+)?\)?$"
)
AMOUNT_CELL = re.compile(rf"^{MONEY}$")
METER_HEADLINE = re.compile(rf"{_START}Meter (?P<meter>[A-Z0-9-]+) - (?P<service>[^\t]+){_END}")
METER_READS = re.compile(
    rf"{_START}Reads (?P<start>{NUMBER}) to (?P<end>{NUMBER})"
    rf" \((?P<kind>actual|estimated)\) x (?P<multiplier>{NUMBER}){_END}",
    re.IGNORECASE,
)
METER_USAGE = re.compile(
    rf"{_START}Billed usage (?P<quantity>{NUMBER}) (?P<unit>[A-Za-z³]+){_END}",
    re.IGNORECASE,
)
USAGE_CELL = re.compile(rf"^(?P<quantity>{NUMBER})\s*(?P<unit>[A-Za-z³]+)$")

# Keyword rules in priority order: a "tax surcharge" is a tax, a "supply credit" is a credit.
CATEGORY_RULES: list[tuple[LineItemCategory, re.Pattern[str]]] = [
    (LineItemCategory.TAX, re.compile(r"\btax(es)?\b", re.IGNORECASE)),
    (LineItemCategory.CREDIT, re.compile(r"\b(credit|rebate)\b", re.IGNORECASE)),
    (LineItemCategory.FEE, re.compile(r"\b(fee|surcharge)s?\b", re.IGNORECASE)),
    (LineItemCategory.SUPPLY, re.compile(r"\b(supply|generation)\b", re.IGNORECASE)),
    (
        LineItemCategory.DELIVERY,
        re.compile(r"\b(delivery|distribution|transmission|customer charge)\b", re.IGNORECASE),
    ),
]


def categorize(description: str) -> LineItemCategory:
    for category, pattern in CATEGORY_RULES:
        if pattern.search(description):
            return category
    return LineItemCategory.OTHER


def commodity_of(text: str) -> Commodity:
    lowered = text.lower()
    for keyword, commodity in (
        ("electric", Commodity.ELECTRICITY),
        ("gas", Commodity.GAS),
        ("storm", Commodity.STORMWATER),
        ("sewer", Commodity.SEWER),
        ("water", Commodity.WATER),
    ):
        if keyword in lowered:
            return commodity
    return Commodity.OTHER


# --- field rules ----------------------------------------------------------------------------------


@dataclass
class _Found:
    match: re.Match[str]
    line: Line

    def provenance(self, confidence: float, group: str | int = 0) -> Provenance:
        return Provenance(
            method=METHOD,
            page=self.line.page,
            bbox=self.line.span_bbox(self.match.start(group), self.match.end(group)),
            source_text=self.match.group(0).strip("\t").replace("\t", " "),
            confidence=confidence,
        )


def _first(lines: list[Line], pattern: re.Pattern[str]) -> _Found | None:
    for line in lines:
        match = pattern.search(line.text)
        if match:
            return _Found(match, line)
    return None


def _provider(lines: list[Line]) -> tuple[str, Provenance] | None:
    """The biggest type on page 1 is the utility's name (the logo is shapes or short initials)."""
    candidates = [
        (segment, line)
        for line in lines
        if line.page == 1
        for segment in line.segments
        if len(segment.text) >= 2 and any(ch.isalpha() for ch in segment.text)
    ]
    if not candidates:
        return None
    segment, line = max(candidates, key=lambda pair: (round(pair[0].height, 1), pair[0].bbox[3]))
    provenance = Provenance(
        method=METHOD,
        page=line.page,
        bbox=tuple(round(v, 2) for v in segment.bbox),
        source_text=segment.text,
        confidence=0.6,
    )
    return segment.text, provenance


def _line_items(lines: list[Line]) -> tuple[list[LineItem], Provenance | None]:
    """Rows between the charges header and its total whose last cell is an amount."""
    start = next((i for i, line in enumerate(lines) if CHARGES_HEADER.match(line.text)), None)
    if start is None:
        return [], None
    items: list[LineItem] = []
    for line in lines[start + 1 :]:
        if CHARGES_TOTAL.match(line.text):
            break
        cells = line.text.split("\t")
        if len(cells) < 2 or not AMOUNT_CELL.match(cells[-1]):
            continue  # column headings, group headings, page furniture
        description = " ".join(cells[:-1]).strip()
        quantity = unit = rate = None
        detail = ITEM_DETAIL.search(description)
        if detail and detail.start() > 0:
            description = description[: detail.start()].strip()
            quantity = parse_number(detail.group("quantity"))
            unit = detail.group("unit")
            rate = Decimal(detail.group("rate"))
        items.append(
            LineItem(
                description=description,
                amount=parse_money(cells[-1]),
                category=categorize(description),
                quantity=quantity,
                unit=unit,
                rate=rate,
            )
        )
    if not items:
        return [], None
    provenance = Provenance(
        method=METHOD,
        page=lines[start].page,
        bbox=lines[start].span_bbox(0, len(lines[start].text)),
        source_text=lines[start].text,
        confidence=0.8,
    )
    return items, provenance


def _read_type(text: str) -> ReadType:
    return ReadType.ESTIMATED if text.strip().lower().startswith("est") else ReadType.ACTUAL


def _usage_from_table(
    lines: list[Line],
) -> Iterator[tuple[UsageRead, Line, tuple[int, int]]]:
    """A meter table: a header row naming the columns, then one row per meter."""
    for index, line in enumerate(lines):
        headers = [cell.strip().lower() for cell in line.text.split("\t")]
        if "start read" not in headers or "end read" not in headers:
            continue
        column = {name: position for position, name in enumerate(headers)}
        for row in lines[index + 1 :]:
            cells = row.text.split("\t")
            if len(cells) != len(headers):
                break
            usage = USAGE_CELL.match(cells[column.get("usage", -1)].strip())
            if usage is None:
                break
            service = cells[column["service"]] if "service" in column else ""
            try:
                yield (
                    UsageRead(
                        commodity=commodity_of(service),
                        quantity=parse_number(usage.group("quantity")),
                        unit=usage.group("unit"),
                        meter_number=cells[column["meter"]].strip() if "meter" in column else None,
                        read_type=_read_type(cells[column["read type"]]) if "read type" in column else ReadType.ACTUAL,
                        start_read=parse_number(cells[column["start read"]]),
                        end_read=parse_number(cells[column["end read"]]),
                        multiplier=parse_number(cells[column["multiplier"]]) if "multiplier" in column else None,
                    ),
                    row,
                    (0, len(row.text)),
                )
            except (InvalidOperation, ValueError):
                break


def _usage_from_sentences(
    lines: list[Line],
) -> Iterator[tuple[UsageRead, Line, tuple[int, int]]]:
    """Meters described in prose: `Meter N - Service`, `Reads A to B (actual) x M`, `Billed usage`."""
    current: dict[str, str] | None = None
    headline: Line | None = None
    span = (0, 0)
    for line in lines:
        if match := METER_HEADLINE.search(line.text):
            current, headline, span = dict(match.groupdict()), line, match.span()
            continue
        if current is None or headline is None:
            continue
        if match := METER_READS.search(line.text):
            current.update(match.groupdict())
        elif match := METER_USAGE.search(line.text):
            current.update(match.groupdict())
            yield (
                UsageRead(
                    commodity=commodity_of(current["service"]),
                    quantity=parse_number(current["quantity"]),
                    unit=current["unit"],
                    meter_number=current["meter"],
                    read_type=_read_type(current.get("kind", "actual")),
                    start_read=parse_number(current["start"]) if "start" in current else None,
                    end_read=parse_number(current["end"]) if "end" in current else None,
                    multiplier=parse_number(current["multiplier"]) if "multiplier" in current else None,
                ),
                headline,
                span,
            )
            current = headline = None


def _usage(lines: list[Line]) -> tuple[list[UsageRead], Provenance | None]:
    found = list(_usage_from_table(lines)) or list(_usage_from_sentences(lines))
    if not found:
        return [], None
    _, first_line, (start, end) = found[0]
    provenance = Provenance(
        method=METHOD,
        page=first_line.page,
        bbox=first_line.span_bbox(start, end),
        source_text=first_line.text[start:end].strip("\t").replace("\t", " "),
        confidence=0.8,
    )
    return [read for read, _, _ in found], provenance


# --- entry point ----------------------------------------------------------------------------------


def extract_bill_pdf(data: bytes, *, filename: str | None = None) -> NormalizedBill:
    """Read, parse and audit one bill PDF; raises RejectedInput when it is not a readable bill."""
    lines = read_lines(data, filename=filename)
    name = f" ({filename})" if filename else ""
    if not any(line.text.strip() for line in lines):
        raise RejectedInput(f"the PDF has no text layer{name}; it needs OCR", "no_text_layer")

    provenance: dict[str, Provenance] = {}
    values: dict[str, object] = {}
    for field_name, pattern in PATTERNS.items():
        found = _first(lines, pattern)
        if found is None:
            continue
        raw = found.match.group("value").strip()
        try:
            if field_name.endswith("_date"):
                values[field_name] = parse_date(raw)
            elif field_name in ("account_number", "service_address"):
                values[field_name] = raw
            else:
                values[field_name] = parse_money(raw)
        except (ValueError, InvalidOperation):
            continue
        provenance[field_name] = found.provenance(0.9, "value")

    period = _first(lines, PERIOD)
    if period is None or "total_amount" not in values:
        missing = [
            name
            for name, absent in (
                ("period", period is None),
                ("new charges", "total_amount" not in values),
            )
            if absent
        ]
        raise RejectedInput(
            f"no {' or '.join(missing)} found{name}: not a bill we recognize",
            "unrecognized_bill",
        )
    try:
        period_start = parse_date(period.match.group("start"))
        period_end = parse_date(period.match.group("end"))
    except ValueError:
        raise RejectedInput(f"unreadable billing period{name}", "unrecognized_bill") from None
    provenance["bill_period_start"] = period.provenance(0.9, "start")
    provenance["bill_period_end"] = period.provenance(0.9, "end")

    provider = _provider(lines)
    if provider is not None:
        provenance["provider"] = provider[1]
    line_items, items_provenance = _line_items(lines)
    if items_provenance is not None:
        provenance["line_items"] = items_provenance
    usage, usage_provenance = _usage(lines)
    if usage_provenance is not None:
        provenance["usage"] = usage_provenance

    bill = NormalizedBill(
        provider=provider[0] if provider else "",
        account_number=str(values.get("account_number", "")),
        service_address=values.get("service_address"),
        statement_date=values.get("statement_date"),
        due_date=values.get("due_date"),
        bill_period_start=period_start,
        bill_period_end=period_end,
        total_amount=values["total_amount"],
        amount_due=values.get("amount_due"),
        previous_balance=values.get("previous_balance"),
        payments_and_credits=values.get("payments_and_credits"),
        line_items=line_items,
        usage=usage,
        provenance=provenance,
    )
    audits = audit_bill(bill)
    if not bill.account_number:
        audits.append(
            AuditResult(
                code="missing_account_number",
                severity=Severity.ERROR,
                message="no account number found on the bill",
                details={"field": "account_number"},
            )
        )
    needs_review = any(audit.severity is Severity.ERROR for audit in audits)
    return bill.model_copy(
        update={
            "audits": audits,
            "status": BillStatus.NEEDS_REVIEW if needs_review else BillStatus.OK,
        }
    )
