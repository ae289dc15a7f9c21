"""Declarative provider templates: data files, not code, applied by one small engine.

A template (YAML under common/extraction/templates/) says how to recognise a provider (keywords that
must all appear, keywords that must not, a priority among overlapping templates) and where each value
sits: field rules (a label and a value type, or a regex), and section rules for line items, meter
reads and demand (a start line, an end line, one regex per row or a multi-line record). Regexes may use
`{money}`, `{number}`, `{date}`, `{account}` placeholders, expanded with the template's own date formats
and decimal marks. Every value found this way carries the method `template:<id>@<version>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from common.extraction.bills.draft import (
    Draft,
    Found,
    Hit,
    LabelCell,
    LabelSet,
    agree,
    groups_of,
    row_provenance,
    values_after,
)
from common.extraction.bills.layout import Document, Line
from common.extraction.bills.values import (
    NumberFormat,
    categorize,
    commodity_of,
    date_regex,
    flow_of,
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

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CONFIDENT = 0.98
CONFIRMED = 0.99  # the same value printed in two places
CONFLICTED = 0.5

ValueType = Literal["text", "account", "date", "money", "number", "date_range"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldRule(_Rule):
    label: str | None = Field(default=None, description="Regex matched at the start of a cell.")
    regex: str | None = Field(default=None, description="Regex searched in each line, with a `value` group.")
    type: ValueType = "text"
    value: str | None = Field(default=None, description="Regex for the value, instead of the type's.")
    below: bool = Field(default=False, description="The value may sit in the cell under the label.")
    pages: list[int] | None = None
    absolute: bool = Field(default=False, description="Take the magnitude (payments printed as credits).")


class SectionRule(_Rule):
    start: str
    end: str | None = None
    row: list[str] = Field(default_factory=list, description="Regexes; each line matching one is a row.")
    record: list[str] = Field(default_factory=list, description="Regexes matched in order over several lines.")
    skip: list[str] = Field(default_factory=list)
    set: dict[str, str] = Field(default_factory=dict, description="Constants for every row (commodity, unit...).")
    rate_scale: Decimal = Decimal(1)
    periods: dict[str, str] = Field(default_factory=dict, description="Printed TOU period names to canonical ones.")
    directions: dict[str, Direction] = Field(
        default_factory=dict,
        description="Printed register names of a net-metered meter (a `direction` group) to delivered, received or"
        " net, where the generic words (Delivered, Received, Export, Net...) do not tell.",
    )


class CategoryRule(_Rule):
    match: str
    category: LineItemCategory


class NumberRule(_Rule):
    thousands: str = ","
    point: str = "."
    symbols: str = "$£€"


class Template(_Rule):
    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    version: int = Field(ge=1)
    provider: str
    priority: int = 0
    keywords: list[str] = Field(min_length=1)
    exclude_keywords: list[str] = Field(default_factory=list)
    currency: str = "USD"
    date_formats: list[str] = Field(default_factory=lambda: ["%m/%d/%Y"])
    number: NumberRule = Field(default_factory=NumberRule)
    fields: dict[str, FieldRule]
    line_items: list[SectionRule] = Field(default_factory=list)
    usage: list[SectionRule] = Field(default_factory=list)
    demand: list[SectionRule] = Field(default_factory=list)
    categories: list[CategoryRule] = Field(default_factory=list)

    @property
    def method(self) -> str:
        return f"template:{self.id}@{self.version}"

    def matches(self, lowered_text: str, *, misread: bool = False) -> bool:
        """Whether every keyword appears and no excluded one does; in words read by OCR (`misread`), also where a
        keyword is printed with an edit or two (see in_ocr_text)."""
        found = in_ocr_text if misread else _in_text
        return all(found(k.lower(), lowered_text) for k in self.keywords) and not any(
            found(k.lower(), lowered_text) for k in self.exclude_keywords
        )


# OCR misreads a keyword's character now and then (`www.example-utility.tes`, `Customer` as `ustomer`, a space
# read as a column gap): on scans of the corpus, 4 of 5 sandbox-default bills missed their template by one such
# character. A keyword of this many characters or more may differ by one edit, twice as long by two; a shorter one
# must be exact, as one edit would make it another word.
CHARACTERS_PER_MISREAD = 12


def _in_text(keyword: str, text: str) -> bool:
    return keyword in text


def in_ocr_text(keyword: str, text: str) -> bool:
    """`keyword` in `text`, or printed with up to one edit (insertion, deletion, substitution) per
    CHARACTERS_PER_MISREAD characters: regex's fuzzy matching."""
    if keyword in text:
        return True
    edits = len(keyword) // CHARACTERS_PER_MISREAD
    if not edits:
        return False
    import regex  # 13 ms and 2.6 MB at import, for scans only: not on every cold start's text path

    return regex.search(f"(?:{regex.escape(keyword)}){{e<={edits}}}", text) is not None


@lru_cache(maxsize=4)
def load_templates(directory: Path = TEMPLATES_DIR) -> tuple[Template, ...]:
    """Every template in `directory`, highest priority first; invalid files fail loudly at load."""
    templates = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        templates.append(Template.model_validate(data))
    ids = [t.id for t in templates]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate template ids: {sorted(duplicates)}")
    return tuple(sorted(templates, key=lambda t: (-t.priority, t.id)))


def detect(document: Document, templates: tuple[Template, ...], *, misread: bool = False) -> Template | None:
    """The highest-priority template whose keywords all appear (and whose exclusions do not); `misread`: the
    words were read by OCR, which misreads a character now and then."""
    lowered = document.text.lower()
    return next((t for t in templates if t.matches(lowered, misread=misread)), None)


@dataclass
class _Compiled:
    template: Template
    _patterns: dict[tuple[str, int], re.Pattern[str]] = field(default_factory=dict, init=False, repr=False)
    # _category's memo: a provider prints the same few descriptions on every bill
    category_of: dict[str, LineItemCategory] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def fmt(self) -> NumberFormat:
        number = self.template.number
        return NumberFormat(number.thousands, number.point, number.symbols)

    @cached_property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.template.date_formats)

    @cached_property
    def placeholders(self) -> dict[str, str]:
        return {
            "{money}": self.fmt.money,
            "{number}": f"(?:{self.fmt.number})",
            "{date}": date_regex(self.formats),
            "{account}": r"[A-Za-z0-9](?:[A-Za-z0-9 ./-]{0,40}[A-Za-z0-9])?",
        }

    def expand(self, pattern: str) -> str:
        for token, fragment in self.placeholders.items():
            pattern = pattern.replace(token, fragment)
        return pattern

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled = self._patterns.get((pattern, flags))
        if compiled is None:
            compiled = self._patterns[(pattern, flags)] = _compile(self.expand(pattern), flags)
        return compiled

    def label(self, rule: FieldRule) -> re.Pattern[str]:
        return self.compile(rf"(?:{rule.label})[ \t]*:?[ \t]*", re.IGNORECASE)

    @cached_property
    def label_set(self) -> LabelSet:
        """Every field label, tried in one pass over the cells for all fields."""
        return LabelSet({name: self.label(rule) for name, rule in self.template.fields.items() if rule.label})

    @cached_property
    def categories(self) -> list[tuple[re.Pattern[str], LineItemCategory]]:
        return [(_compile(rule.match, re.IGNORECASE), rule.category) for rule in self.template.categories]

    @cached_property
    def type_patterns(self) -> dict[ValueType, re.Pattern[str]]:
        date = self.placeholders["{date}"]
        return {
            "money": _compile(self.placeholders["{money}"]),
            "date": _compile(date),
            "number": _compile(self.placeholders["{number}"]),
            "account": _compile(self.placeholders["{account}"]),
            "text": _compile(r".+"),
            "date_range": _compile(rf"(?P<start>{date})\s*(?:-|–|to|through|thru)\s*(?P<end>{date})", re.IGNORECASE),
        }

    def value_pattern(self, rule: FieldRule) -> re.Pattern[str]:
        return self.compile(rule.value) if rule.value else self.type_patterns[rule.type]

    def parse(self, kind: ValueType, text: str) -> Any:
        if kind == "money":
            return self.fmt.parse_money(text)
        if kind == "number":
            return self.fmt.parse_number(text)
        if kind == "date":
            return parse_date(text, self.formats)
        return " ".join(text.split())


@lru_cache(maxsize=2048)
def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_COMPILED: dict[int, tuple[Template, _Compiled]] = {}


def _compiled(template: Template) -> _Compiled:
    """Expanded patterns per template object (templates are unhashable pydantic models)."""
    cached = _COMPILED.get(id(template))
    if cached is None or cached[0] is not template:
        if len(_COMPILED) > 256:
            _COMPILED.clear()
        cached = _COMPILED[id(template)] = (template, _Compiled(template))
    return cached[1]


# --- fields -------------------------------------------------------------------------------------------


def _regex_hits(document: Document, pattern: re.Pattern[str], pages: list[int] | None) -> list[Hit]:
    hits = []
    for line in document.lines:
        if pages is not None and line.page not in pages:
            continue
        match = pattern.search(line.text)
        if match is None:
            continue
        group = "value" if "value" in pattern.groupindex else 0
        start, end = match.span(group)
        groups = groups_of(match)
        hits.append(Hit(match.group(group), line, start, end, line, match.start(), groups))
    return hits


def _field(
    compiled: _Compiled, draft: Draft, name: str, rule: FieldRule, document: Document, label_cells: list[LabelCell]
) -> None:
    if rule.regex:
        hits = _regex_hits(document, compiled.compile(rule.regex), rule.pages)
    elif rule.label:
        pages = tuple(rule.pages) if rule.pages else None
        hits = values_after(document, label_cells, compiled.value_pattern(rule), below=rule.below, pages=pages)
    else:
        raise ValueError(f"template {compiled.template.id}: field {name} needs a label or a regex")
    parsed: list[tuple[Any, Hit]] = []
    for hit in hits:
        try:
            if rule.type == "date_range":
                value: Any = (
                    parse_date(hit.groups["start"], compiled.formats),
                    parse_date(hit.groups["end"], compiled.formats),
                )
            else:
                value = compiled.parse(rule.type, hit.groups.get("value", hit.text) if rule.regex else hit.text)
                if rule.absolute and isinstance(value, Decimal):
                    value = abs(value)
        except (ValueError, KeyError, InvalidOperation):
            continue
        parsed.append((value, hit))
    if not parsed:
        return
    value, hit = parsed[0]
    consistent = agree([v for v, _ in parsed])
    confidence = (CONFIRMED if len(parsed) > 1 else CONFIDENT) if consistent else CONFLICTED
    if not consistent:
        draft.notes.append(
            AuditResult(
                code="ambiguous_field",
                severity=Severity.WARNING,
                message=f"{name.replace('_', ' ')} is printed with different values: "
                + ", ".join(sorted({str(v) for v, _ in parsed})),
                details={"field": name, "values": sorted({str(v) for v, _ in parsed})},
            )
        )
    if rule.type == "date_range":
        start, end = hit.groups["start"], hit.groups["end"]
        start_at = hit.line.text.find(start, hit.start)
        end_at = hit.line.text.find(end, start_at + len(start))
        draft.fields["bill_period_start"] = Found(
            value[0], hit.provenance(draft.method, confidence, span=(start_at, start_at + len(start)))
        )
        draft.fields["bill_period_end"] = Found(
            value[1], hit.provenance(draft.method, confidence, span=(end_at, end_at + len(end)))
        )
    else:
        draft.fields[name] = Found(value, hit.provenance(draft.method, confidence))


# --- sections -----------------------------------------------------------------------------------------


@dataclass
class _Row:
    groups: dict[str, str]
    line: Line
    first: Line  # first line of a multi-line record


def _rows(compiled: _Compiled, rule: SectionRule, document: Document) -> list[_Row]:
    start = compiled.compile(rule.start)
    end = compiled.compile(rule.end) if rule.end else None
    rows = [compiled.compile(p) for p in rule.row]
    record = [compiled.compile(p) for p in rule.record]
    skips = [compiled.compile(p) for p in rule.skip]
    found: list[_Row] = []
    active = False
    section_groups: dict[str, str] = {}
    pending: dict[str, str] | None = None
    step = 0
    first_line: Line | None = None
    for line in document.lines:
        if not active:
            opened = start.search(line.text)
            if opened:
                active = True
                section_groups = groups_of(opened)
            continue
        if end is not None and end.search(line.text):
            active = False
            continue
        if skips and any(s.search(line.text) for s in skips):
            continue
        for pattern in rows:
            match = pattern.search(line.text)
            if match:
                groups = {**section_groups, **groups_of(match)}
                found.append(_Row(groups, line, line))
                break
        if record:
            if (match := record[0].search(line.text)) is not None:
                pending, step, first_line = dict(section_groups), 1, line
                pending.update(groups_of(match))
            elif pending is not None and (match := record[step].search(line.text)) is not None:
                pending.update(groups_of(match))
                step += 1
            if pending is not None and step == len(record):
                found.append(_Row(pending, line, first_line or line))
                pending, step = None, 0
    return found


def _number(compiled: _Compiled, groups: dict[str, str], name: str) -> Decimal | None:
    text = groups.get(name)
    return compiled.fmt.parse_number(text) if text else None


def _category(compiled: _Compiled, description: str) -> LineItemCategory:
    category = compiled.category_of.get(description)
    if category is None:
        if len(compiled.category_of) > 4096:  # unique descriptions (a hostile file) never pile up
            compiled.category_of.clear()
        category = next((c for pattern, c in compiled.categories if pattern.search(description)), None)
        category = compiled.category_of[description] = category or categorize(description)
    return category


def _line_items(compiled: _Compiled, draft: Draft, document: Document) -> None:
    for rule in compiled.template.line_items:
        for row in _rows(compiled, rule, document):
            groups = {**rule.set, **row.groups}
            description = " ".join(groups["description"].split())
            rate = _number(compiled, groups, "rate")
            item = LineItem(
                description=description,
                amount=compiled.fmt.parse_money(groups["amount"]),
                category=LineItemCategory(groups["category"])
                if "category" in groups
                else _category(compiled, description),
                quantity=_number(compiled, groups, "quantity"),
                unit=groups.get("unit"),
                rate=rate * rule.rate_scale if rate is not None else None,
                third_party=" ".join(groups["supplier"].split()) if groups.get("supplier") else None,
            )
            draft.line_items.append((item, row_provenance(row.line, draft.method, CONFIDENT)))


def _read_type(groups: dict[str, str]) -> ReadType:
    if groups.get("estimated", "").strip():
        return ReadType.ESTIMATED
    return read_type_of(groups.get("read_type", ""))


def _period(rule: SectionRule, groups: dict[str, str]) -> str | None:
    printed = groups.get("period")
    if not printed:
        return None
    return rule.periods.get(printed.strip()) or tou_period_of(printed)


def _direction(rule: SectionRule, groups: dict[str, str]) -> Direction:
    printed = groups.get("direction", "").strip()
    if not printed:
        return Direction.DELIVERED
    if (named := rule.directions.get(printed)) is not None:
        return named
    direction, _ = flow_of(printed)
    if direction is None:
        raise ValueError(f"a register's direction that the template does not name: {printed!r}")
    return direction


def _usage(compiled: _Compiled, draft: Draft, document: Document) -> None:
    for rule in compiled.template.usage:
        for row in _rows(compiled, rule, document):
            groups = {**rule.set, **row.groups}
            commodity = (
                Commodity(groups["commodity"]) if "commodity" in groups else commodity_of(groups.get("service", ""))
            )
            read = UsageRead(
                commodity=commodity,
                quantity=compiled.fmt.parse_number(groups["quantity"]),
                unit=groups["unit"],
                meter_number=groups.get("meter"),
                read_type=_read_type(groups),
                start_read=_number(compiled, groups, "start_read"),
                end_read=_number(compiled, groups, "end_read"),
                multiplier=_number(compiled, groups, "multiplier"),
                period=_period(rule, groups),
                conversion_factor=_number(compiled, groups, "conversion_factor"),
                read_unit=groups.get("read_unit"),
                direction=_direction(rule, groups),
            )
            draft.usage.append((read, row_provenance(row.line, draft.method, CONFIDENT, row.first)))


def _demand(compiled: _Compiled, draft: Draft, document: Document) -> None:
    for rule in compiled.template.demand:
        for row in _rows(compiled, rule, document):
            groups = {**rule.set, **row.groups}
            read = DemandRead(
                meter_number=groups.get("meter"),
                quantity=compiled.fmt.parse_number(groups["quantity"]),
                unit=groups.get("unit", "kW"),
                period=_period(rule, groups),
            )
            draft.demand.append((read, row_provenance(row.line, draft.method, CONFIDENT)))


# The name of a template that reads its provider's name off the bill (a layout several utilities share) is the
# family's, and stands in for the one the bill prints only where that was not read: a guess, said to be one.
FAMILY_NAME_CONFIDENCE = 0.5


def _provider_provenance(template: Template, document: Document, method: str) -> Provenance:
    """Where the bill prints the template's provider name, there; else the template itself names the provider:
    surely where its keywords are that provider's alone, as a guess where it also has a rule for the name."""
    for line in document.lines:
        if (start := line.text.find(template.provider)) >= 0:
            bbox = line.span_bbox(start, start + len(template.provider))
            return Provenance(
                method=method, page=line.page, bbox=bbox, source_text=template.provider, confidence=CONFIDENT
            )
    family = "provider" in template.fields
    return Provenance(
        method=method,
        source_text=f"not printed: {'the family name' if family else 'the provider'} of template {template.id}",
        confidence=FAMILY_NAME_CONFIDENCE if family else 0.9,
    )


def apply_template(template: Template, document: Document) -> Draft:
    """Every value the template's rules find; what they miss is simply absent (the cascade decides)."""
    compiled = _compiled(template)
    draft = Draft(method=template.method)
    label_cells = compiled.label_set.scan(document)
    for name, rule in template.fields.items():
        _field(compiled, draft, name, rule, document, label_cells.get(name, []))
    if "provider" not in draft.fields:
        draft.fields["provider"] = Found(template.provider, _provider_provenance(template, document, draft.method))
    named_by = draft.fields["provider"].provenance  # the currency is the template's, sure however the name was found
    draft.fields["currency"] = Found(
        template.currency,
        named_by.model_copy(
            update={
                "source_text": f"template currency {template.currency}",
                "confidence": max(named_by.confidence, 0.9),
            }
        ),
    )
    try:
        _line_items(compiled, draft, document)
        _usage(compiled, draft, document)
        _demand(compiled, draft, document)
    except (KeyError, ValueError, InvalidOperation) as exc:
        draft.notes.append(
            AuditResult(
                code="template_row_unreadable",
                severity=Severity.ERROR,
                message=f"{template.method}: a table row did not parse ({type(exc).__name__}: {exc})",
                details={"template": template.id},
            )
        )
    return draft
