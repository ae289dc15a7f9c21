"""Generic layout heuristics for bills no template knows.

Built from what utility bills share rather than from any one layout: a vocabulary of the labels they
print (Account Number / Acct # / Customer Account...), values found next to or under their label,
date ranges near a period label, a charges section that ends at a total, meter tables whose columns
are recognised from their headings and matched by x-position. Confidence is lower than a template's,
and a total that no audit can confirm is flagged by the cascade, never loaded as ok.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from common.extraction.bills.draft import (
    Draft,
    Found,
    Hit,
    LabelCell,
    LabelSet,
    find_labelled,
    row_provenance,
    values_after,
)
from common.extraction.bills.layout import Document, Line, Segment
from common.extraction.bills.values import (
    DEFAULT_DATE_FORMATS,
    US,
    categorize,
    commodity_of,
    date_regex,
    parse_date,
    read_type_of,
    tou_period_of,
)
from common.models import AuditResult, Commodity, DemandRead, LineItem, Provenance, Severity, UsageRead

METHOD = "heuristic"
FOUND = 0.85
CONFIRMED = 0.95  # the same value under two labels or in two places
CONFLICTED = 0.4

DATE = date_regex(DEFAULT_DATE_FORMATS)
MONEY = US.money
NUMBER = rf"(?:{US.number})"
ACCOUNT = r"(?=[A-Za-z -]*\d)[A-Za-z0-9][A-Za-z0-9 ./-]{0,40}[A-Za-z0-9]"  # an account number holds a digit
RANGE = rf"(?P<start>{DATE})\s*(?:-|–|to|through|thru)\s*(?P<end>{DATE})"

# field -> (label alternatives, value pattern, kind)
VOCABULARY: dict[str, tuple[str, str, str]] = {
    "account_number": (
        r"Account Number|Account No\.?|Account #|Acct\.? ?#|Acct\.? No\.?|Customer Account(?: Number)?|"
        r"Account ID|Account(?=:)",
        ACCOUNT,
        "account",
    ),
    "service_address": (
        r"Service Address|Service Location|Premises Address|Supply Address|Service at|Premises",
        r"[^\t]{5,200}",
        "text",
    ),
    "statement_date": (
        r"Statement Date|Bill Date|Billing Date|Invoice Date|Date of Bill|Date Issued|Date Mailed",
        DATE,
        "date",
    ),
    "due_date": (r"(?:Payment )?Due Date|Pay By|Payment Due(?: Date)?|Due By|Please Pay By", DATE, "date"),
    "previous_balance": (
        r"Previous Balance|Balance from last bill|Prior Balance|Balance Forward|Balance brought forward|"
        r"Last Bill Amount",
        MONEY,
        "money",
    ),
    "payments_and_credits": (
        r"Payments?(?: Received| Applied)?(?: - Thank You)?|Payments/Credits|Payments and Credits|"
        r"Payment received(?: - thank you)?|Total Payments",
        MONEY,
        "money",
    ),
    "total_amount": (
        r"(?:Total )?New Charges|(?:Total )?Current Charges|Total Charges This (?:Period|Bill)|"
        r"Current Invoice Charges|Total charges this bill",
        MONEY,
        "money",
    ),
    "amount_due": (
        r"(?:Total )?Amount Due|Please Pay|Total Due|Amount Now Due|Balance Due|Balance to Pay|Amount to Pay",
        MONEY,
        "money",
    ),
    "budget_instalment": (r"Budget Billing Amount|Budget (?:Plan )?Amount|Budget Instal?lment", MONEY, "money"),
    "budget_actual_charges": (r"Actual Charges(?: This Period)?", MONEY, "money"),
    "budget_deferred_balance": (r"Deferred Balance|Budget Balance", MONEY, "money"),
}
PERIOD_LABELS = (
    r"Service Period|Billing Period|Service From|Period of Service|Billing Dates|Service Dates|Bill Period|"
    r"Billing Cycle|Period"
)

_LABELS = {
    name: (
        re.compile(rf"(?:{labels})(?![\w/])[ \t]*:?[ \t]*", re.IGNORECASE),
        re.compile(value, re.IGNORECASE if kind in ("date",) else 0),
        kind,
    )
    for name, (labels, value, kind) in VOCABULARY.items()
}
_PERIOD_LABEL = re.compile(rf"(?:{PERIOD_LABELS})[ \t]*:?[ \t]*", re.IGNORECASE)
_RANGE = re.compile(RANGE)


_ANY_LABEL = re.compile(
    "|".join(f"(?:{labels})" for labels, _, _ in VOCABULARY.values()) + f"|(?:{PERIOD_LABELS})", re.IGNORECASE
)


_FIELD_LABELS = LabelSet({**{name: label for name, (label, _, _) in _LABELS.items()}, "bill_period": _PERIOD_LABEL})


def is_label(text: str) -> bool:
    """A cell that is itself one of the labels (a heading row above a row of values)."""
    return _ANY_LABEL.fullmatch(text.strip().rstrip(":")) is not None


def _parse(kind: str, text: str, date_formats: tuple[str, ...]) -> Any:
    if kind == "money":
        return US.parse_money(text)
    if kind == "date":
        return parse_date(text, date_formats)
    return " ".join(text.split())


# --- numeric date order ------------------------------------------------------------------------------

MONTH_FIRST = DEFAULT_DATE_FORMATS
DAY_FIRST = tuple("%d/%m/%Y" if fmt == "%m/%d/%Y" else fmt for fmt in DEFAULT_DATE_FORMATS)
_NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")


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


def _dates_consistent(draft: Draft) -> bool:
    """Statement after the period, due after the statement, a monthly to quarterly period: a sane reading."""
    start, end = draft.value("bill_period_start"), draft.value("bill_period_end")
    statement, due = draft.value("statement_date"), draft.value("due_date")
    if start is None or end is None or not 20 <= (end - start).days <= 100:
        return False
    if statement is not None and not 0 <= (statement - end).days <= 45:
        return False
    return due is None or statement is None or 0 < (due - statement).days <= 60


# --- scalar fields -----------------------------------------------------------------------------------


def _fields(
    document: Document, draft: Draft, date_formats: tuple[str, ...], label_cells: dict[str, list[LabelCell]]
) -> None:
    for name, (_, value, kind) in _LABELS.items():
        parsed: list[tuple[Any, Hit]] = []
        for hit in values_after(document, label_cells[name], value, is_label=is_label):
            try:
                result = _parse(kind, hit.text, date_formats)
            except (ValueError, InvalidOperation):
                continue
            if name == "payments_and_credits" and isinstance(result, Decimal):
                result = abs(result)  # printed as a credit or a positive amount: the model keeps it positive
            parsed.append((result, hit))
        if not parsed:
            continue
        value_found, hit = parsed[0]
        if len(parsed) > 1 and len({repr(v) for v, _ in parsed}) > 1:
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
        draft.fields[name] = Found(value_found, hit.provenance(METHOD, confidence))


def _period(document: Document, draft: Draft, date_formats: tuple[str, ...], label_cells: list[LabelCell]) -> None:
    """A date range after a period label; failing that, the first date range on page 1."""
    hits = values_after(document, label_cells, _RANGE)
    confidence = FOUND
    if not hits:
        hits = [
            hit
            for hit in find_labelled(document, re.compile(""), _RANGE, below=False)
            if hit.line.page == 1 and hit.start == hit.line.text.find(hit.text)
        ]
        confidence = 0.6
    for hit in hits:
        try:
            start, end = parse_date(hit.groups["start"], date_formats), parse_date(hit.groups["end"], date_formats)
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


def _provider(document: Document, draft: Draft) -> None:
    """The biggest type on page 1 is the utility's name (logos are shapes or initials)."""
    best: tuple[float, float] | None = None
    found: tuple[Segment, Line] | None = None
    for line in document.lines:
        if line.page != 1:
            continue
        for segment in line.segments:
            if len(segment.text) < 4:
                continue
            key = (round(segment.height, 1), segment.bbox[3])
            # the first of equal keys wins, as max() would; the letter count only for a new leader
            if (best is None or key > best) and sum(map(str.isalpha, segment.text)) >= 4:
                best, found = key, (segment, line)
    if found is None:
        return
    segment, line = found
    draft.fields["provider"] = Found(
        segment.text,
        Provenance(
            method=METHOD,
            page=line.page,
            bbox=line.span_bbox(segment.start, segment.start + len(segment.text)),
            source_text=segment.text,
            confidence=0.6,
        ),
    )


def _currency(document: Document, draft: Draft) -> None:
    text = document.text
    pounds, euros, dollars = text.count("£"), text.count("€"), text.count("$")
    currency = "GBP" if pounds > dollars and pounds >= euros else "EUR" if euros > dollars else "USD"
    first = document.lines[0]
    draft.fields["currency"] = Found(
        currency,
        Provenance(
            method=METHOD, page=first.page, source_text=f"currency symbols in the text: {currency}", confidence=0.8
        ),
    )


# --- line items --------------------------------------------------------------------------------------

CHARGES_HEADER = re.compile(
    r"^(?:(?:Detail(?:s)? of |Summary of )?(?:Current |New )?Charges(?: Detail(?:s)?)?|Charge Details|Your Charges|"
    r"Current Charges|Detail of New Charges|Charges this bill)$",
    re.IGNORECASE,
)
CHARGES_TOTAL = re.compile(
    r"^Total (?:New |Current )?(?:Invoice )?Charges|^Total charges this|^Current Invoice Charges\t", re.IGNORECASE
)
SUBTOTAL = re.compile(r"\bsub-?total\b|^total\b", re.IGNORECASE)
PAGE_FURNITURE = re.compile(r"^(?:Page \d+(?: of \d+)?|\d+)$|^Description\b", re.IGNORECASE)
SUPPLIER_HEADER = re.compile(r"^(?:Charges from|Supplier:?|Supply charges from)\s+(?P<supplier>[^\t]+)$", re.IGNORECASE)
AMOUNT_CELL = re.compile(rf"^{MONEY}$")
DETAIL = re.compile(
    rf"\(?(?P<quantity>{NUMBER})\s+(?P<unit>[A-Za-z³]+)\s*(?:@|x|at|×)\s*[$£€]?(?P<rate>\d*\.\d+|\d+)(?P<pence>p)?"
    rf"(?:\s*/\s*[A-Za-z³]+|\s+per\s+\w+)?\)?$"
)
QUANTITY_ONLY = re.compile(rf"^(?P<quantity>{NUMBER})\s+(?P<unit>[A-Za-z³]+)$")
RATE_ONLY = re.compile(r"^(?:@\s*)?[$£€]?(?P<rate>\d*\.\d+)(?P<pence>p)?(?:\s*/\s*[A-Za-z³]+|\s+per\s+\w+)?$")


def _item_detail(cells: list[str]) -> tuple[Decimal | None, str | None, Decimal | None, str]:
    """Quantity, unit and rate of a charge row, in its description (`... 12 kWh @ $0.1`) or its own cells."""
    quantity = unit = rate = None
    description = " ".join(cells).strip()
    try:
        if len(cells) == 3 and (q := QUANTITY_ONLY.match(cells[1])) and (r := RATE_ONLY.match(cells[2])):
            description = cells[0].strip()
            quantity, unit = US.parse_number(q.group("quantity")), q.group("unit")
            rate = Decimal(r.group("rate")).scaleb(-2 if r.group("pence") else 0)
        elif (detail := DETAIL.search(description)) is not None and detail.start() > 0:
            description = description[: detail.start()].strip()
            quantity, unit = US.parse_number(detail.group("quantity")), detail.group("unit")
            rate = Decimal(detail.group("rate")).scaleb(-2 if detail.group("pence") else 0)
    except (ValueError, InvalidOperation):
        return None, None, None, " ".join(cells).strip()
    return quantity, unit, rate, description


def _line_items(document: Document, draft: Draft) -> None:
    start = next((i for i, line in enumerate(document.lines) if CHARGES_HEADER.match(line.text)), None)
    if start is None:
        return
    supplier: str | None = None
    for line in document.lines[start + 1 :]:
        if CHARGES_TOTAL.match(line.text):
            break
        cells = line.cells
        if len(cells) == 1:
            if match := SUPPLIER_HEADER.match(cells[0]):
                supplier = match.group("supplier").strip()
            continue  # group headings and page furniture
        if not AMOUNT_CELL.match(cells[-1]) or PAGE_FURNITURE.match(cells[0]) or SUBTOTAL.search(cells[0]):
            continue
        quantity, unit, rate, description = _item_detail(cells[:-1])
        item = LineItem(
            description=description,
            amount=US.parse_money(cells[-1]),
            category=categorize(description),
            quantity=quantity,
            unit=unit,
            rate=rate,
            third_party=supplier,
        )
        draft.line_items.append((item, row_provenance(line, METHOD, 0.8)))


# --- meter tables ------------------------------------------------------------------------------------

COLUMN_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "start_read",
        re.compile(r"^(?:Start(?:ing)? Read(?:ing)?|Previous(?: Read(?:ing)?)?|Prior Read(?:ing)?|Beginning)$", re.I),
    ),
    (
        "end_read",
        re.compile(
            r"^(?:End(?:ing)? Read(?:ing)?|Present(?: Read(?:ing)?)?|Current Read(?:ing)?|Latest Read(?:ing)?)$", re.I
        ),
    ),
    ("meter", re.compile(r"^Meter(?: Number| No\.?| #| ID)?$", re.I)),
    ("multiplier", re.compile(r"^(?:Mult(?:iplier)?\.?|Constant|Meter Multiplier)$", re.I)),
    ("conversion_factor", re.compile(r"^(?:Factor|Conversion(?: Factor)?|Therm Factor)$", re.I)),
    ("demand", re.compile(r"^(?:Max(?:imum)? Demand|Demand|Peak Demand|kW)$", re.I)),
    (
        "usage",
        re.compile(
            r"^(?:Usage|Billed(?: Usage)?|Energy|Consumption|Total Usage|(?P<unit>kWh|CCF|therms?|gal) Used|Used)$",
            re.I,
        ),
    ),
    ("read_type", re.compile(r"^(?:Read Type|Type|Reading Type)$", re.I)),
    ("service", re.compile(r"^(?:Service|Commodity|Utility)$", re.I)),
    ("period", re.compile(r"^(?:Period|TOU Period|Time of Use)$", re.I)),
)
QUANTITY_CELL = re.compile(rf"^(?P<quantity>{NUMBER})(?:\s*(?P<unit>[A-Za-z³]+))?$")
READ_CELL = re.compile(rf"^(?P<value>{NUMBER})(?:\s*(?P<mark>\(?(?:est|e|estimated|a|act|actual)\)?))?$", re.I)
DEFAULT_UNITS = {Commodity.ELECTRICITY: "kWh", Commodity.GAS: "therm", Commodity.WATER: "gal"}


# Every column heading in one alternation, in COLUMN_WORDS order: as each is anchored at both ends, the
# alternative that matches is the first pattern that would, and one call per cell replaces ten.
_ANY_COLUMN = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in COLUMN_WORDS), re.IGNORECASE)


def _header_columns(line: Line) -> dict[str, tuple[float, str]] | None:
    if len(line.segments) < 3:  # start read, end read and usage need a cell each
        return None
    columns: dict[str, tuple[float, str]] = {}
    for segment in line.segments:
        text = segment.text.strip()
        match = _ANY_COLUMN.match(text)
        if match is None:
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
        columns[name] = (segment.bbox[0], (match.groupdict().get("unit") or ""))
    if "start_read" in columns and "end_read" in columns and "usage" in columns:
        return columns
    return None


def _cells_by_column(line: Line, columns: dict[str, tuple[float, str]]) -> dict[str, str]:
    """Each cell goes to the column whose heading starts nearest to the cell's left edge."""
    lefts = sorted((x, name) for name, (x, _) in columns.items())
    cells: dict[str, str] = {}
    for segment in line.segments:
        x = segment.bbox[0]
        best = min(lefts, key=lambda pair: abs(pair[0] - x))
        if abs(best[0] - x) <= 25 and best[1] not in cells:
            cells[best[1]] = segment.text.strip()
    return cells


def _table_rows(document: Document) -> Iterator[tuple[dict[str, str], dict[str, tuple[float, str]], Line]]:
    lines = document.lines
    for index, line in enumerate(lines):
        columns = _header_columns(line)
        if columns is None:
            continue
        for row in lines[index + 1 : index + 12]:
            if row.page != line.page:
                break
            cells = _cells_by_column(row, columns)
            if "usage" not in cells or not QUANTITY_CELL.match(cells["usage"]):
                break
            yield cells, columns, row


def _usage_from_tables(document: Document, draft: Draft) -> None:
    for cells, columns, row in _table_rows(document):
        usage = QUANTITY_CELL.match(cells["usage"])
        assert usage is not None
        try:
            read = _read_from_cells(cells, columns, usage)
        except (ValueError, InvalidOperation):
            continue
        if read is None:
            continue
        draft.usage.append((read, row_provenance(row, METHOD, 0.8)))
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


def _read_from_cells(
    cells: dict[str, str], columns: dict[str, tuple[float, str]], usage: re.Match[str]
) -> UsageRead | None:
    start = READ_CELL.match(cells.get("start_read", ""))
    end = READ_CELL.match(cells.get("end_read", ""))
    unit = usage.group("unit") or columns["usage"][1]
    service = cells.get("service", "")
    commodity = commodity_of(service) if service else Commodity.OTHER
    if commodity is Commodity.OTHER and unit:
        commodity = commodity_of(unit) if unit.lower() != "ccf" else Commodity.GAS
        if unit.lower() in ("therm", "therms"):
            commodity = Commodity.GAS
    if not unit:
        unit = DEFAULT_UNITS.get(commodity, "")
    if not unit:
        return None
    mark = (end.group("mark") if end else None) or cells.get("read_type", "")
    return UsageRead(
        commodity=commodity,
        quantity=US.parse_number(usage.group("quantity")),
        unit=unit,
        meter_number=cells.get("meter") or None,
        read_type=read_type_of(mark or ""),
        start_read=US.parse_number(start.group("value")) if start else None,
        end_read=US.parse_number(end.group("value")) if end else None,
        multiplier=US.parse_number(cells["multiplier"]) if "multiplier" in cells else None,
        period=tou_period_of(cells["period"]) if cells.get("period") else None,
        conversion_factor=US.parse_number(cells["conversion_factor"]) if "conversion_factor" in cells else None,
    )


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
            read = UsageRead(
                commodity=commodity_of(current["service"]),
                quantity=US.parse_number(current["quantity"]),
                unit=current["unit"],
                meter_number=current["meter"],
                read_type=read_type_of(current.get("kind", "actual")),
                start_read=US.parse_number(current["start"]) if "start" in current else None,
                end_read=US.parse_number(current["end"]) if "end" in current else None,
                multiplier=US.parse_number(current["multiplier"]) if "multiplier" in current else None,
            )
            draft.usage.append((read, row_provenance(line, METHOD, 0.8, extra=headline)))
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
        read_type=read_type_of(found["end"].group("mark") or ""),
        start_read=US.parse_number(found["start"].group("value")),
        end_read=US.parse_number(found["end"].group("value")),
        conversion_factor=US.parse_number(used.group("factor")),
        read_unit=used.group("read_unit"),
    )
    draft.usage.append((read, row_provenance(lines[-1], METHOD, 0.75, extra=lines[0])))


def _dated_fields(document: Document, draft: Draft) -> None:
    """Scalar fields and the period, under the numeric date order the document's dates support."""
    readings = []
    label_cells = _FIELD_LABELS.scan(document)
    for date_formats in _date_orders(document):
        reading = Draft(method=METHOD)
        _fields(document, reading, date_formats, label_cells)
        _period(document, reading, date_formats, label_cells["bill_period"])
        readings.append(reading)
    chosen = readings[0]
    if len(readings) > 1:
        sane = [reading for reading in readings if _dates_consistent(reading)]
        if len(sane) == 1:
            chosen = sane[0]
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


def extract_heuristic(document: Document) -> Draft:
    draft = Draft(method=METHOD)
    _provider(document, draft)
    _currency(document, draft)
    _dated_fields(document, draft)
    _line_items(document, draft)
    _usage_from_tables(document, draft)
    if not draft.usage:
        _usage_from_sentences(document, draft)
    if not draft.usage:
        _usage_from_prose(document, draft)
    return draft
