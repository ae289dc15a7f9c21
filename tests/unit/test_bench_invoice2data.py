"""The like-for-like invoice2data templates (bench/extract/invoice2data_templates_full) and their scorer.

The bench times invoice2data reading the same fields as the engine; these tests keep those templates
matching every provider and reading every field the bills print exactly, so the figure cannot rot.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bench.extract.evaluate import Evaluation, flatten_invoice2data
from bench.extract.run import I2D_TEMPLATES, I2D_TEMPLATES_FULL, Invoice2Data
from common.connectors.billgen import ALL_PROVIDERS, corpus

SAMPLE = 2  # bills per provider; the bench runs 40
# Values the bills do not print, so no template can read them: line item categories everywhere, and the
# commodity and read type of meters whose row names neither (the engine infers them).
UNPRINTED = {"line_items.category", "usage.commodity", "usage.read_type", "usage.direction"}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evaluation, dict[str, str]]:
    folder = tmp_path_factory.mktemp("bills")
    i2d = Invoice2Data(I2D_TEMPLATES_FULL)
    evaluation = Evaluation()
    matched: dict[str, str] = {}
    for bill in corpus(SAMPLE):
        path = folder / f"{bill.name}.pdf"
        path.write_bytes(bill.pdf)
        got = i2d.extract(path)
        matched[bill.name] = got.get("template_name", "")
        evaluation.record_flat(bill.name, bill.truth, flatten_invoice2data(got) if got else None, "invoice2data")
    return evaluation, matched


def test_every_provider_has_a_full_template_with_the_same_keywords() -> None:
    def keywords(folder: Path) -> dict[str, list[str]]:
        return {t["template_name"]: t["keywords"] for t in Invoice2Data(folder).templates}

    full = keywords(I2D_TEMPLATES_FULL)
    assert full == keywords(I2D_TEMPLATES)
    assert set(full) == {f"{p.id}.yml" for p in ALL_PROVIDERS}


def test_each_bill_is_matched_by_its_providers_template(scored: tuple[Evaluation, dict[str, str]]) -> None:
    evaluation, matched = scored
    assert evaluation.rejected == 0
    assert matched == {bill.name: f"{bill.provider.id}.yml" for bill in corpus(SAMPLE)}


def test_every_printed_field_is_read_exactly(scored: tuple[Evaluation, dict[str, str]]) -> None:
    evaluation, _ = scored
    assert evaluation.wrong_in_ok == []
    total = evaluation.total()
    assert total.precision == 1.0
    # 0.8238 on this sample: a net meter's direction counts on every usage row, where the bill prints it or not
    assert total.recall >= 0.823
    for group, score in evaluation.per_field.items():
        if group in UNPRINTED:
            continue
        assert score.recall == 1.0, group
    # Read where the bill prints them (a service name, an estimated-read mark or a read type column).
    assert evaluation.per_field["usage.commodity"].recall > 0.3
    assert evaluation.per_field["usage.read_type"].recall > 0.3
    assert evaluation.per_field["usage.direction"].correct_ok > 0


def test_scorer_maps_types_and_rows_exactly() -> None:
    got = {
        "issuer": "Summit Energy Services",
        "date": datetime(2025, 2, 5),
        "amount": 112.3,
        "amount_due": [160.2, 160.3],  # several different matches: a wrong value, not a pick
        "third_party": "Acme Retail Energy LLC",
        "lines": [{"name": "Customer Charge", "price_subtotal": 9.94, "unece_code": "H87"}],
        "lines_third_party": [{"name": "Energy Supply", "qty": 708.0, "uom": "kWh", "price_unit": 0.085}],
        "usage": [{"meter_number": "S1", "read_type": "", "start_read": 54002.0}],
    }
    flat = flatten_invoice2data(got)
    assert flat["provider"] == "Summit Energy Services"
    assert flat["statement_date"] == date(2025, 2, 5)
    assert flat["total_amount"] == Decimal("112.30")
    assert flat["amount_due"] == [160.2, 160.3]
    assert flat["line_items[0].amount"] == Decimal("9.94") and "line_items[0].third_party" not in flat
    assert flat["line_items[1].description"] == "Energy Supply"
    assert flat["line_items[1].rate"] == Decimal("0.08500")
    assert flat["line_items[1].third_party"] == "Acme Retail Energy LLC"
    assert "usage[0].read_type" not in flat  # an empty capture is no value
    assert not any("unece_code" in path for path in flat)
