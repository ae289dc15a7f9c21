"""A labelled corpus of fictional utility bills: realistic PDFs with their ground truth as JSON.

Seven providers with distinct layouts (see `providers`), plus the two sandbox layouts. Everything is
seeded: the same provider, index and seed always give the same bill and byte-identical PDF, so the
corpus is generated at test or bench time instead of being committed.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen.draw import Sheet
from common.connectors.billgen.providers import PROVIDERS, Provider
from common.connectors.billgen.truth import CORPUS_MONTHS
from common.connectors.sandbox_bills import make_sandbox_bill, render_on_canvas
from common.models import Commodity, NormalizedBill

__all__ = ["ALL_PROVIDERS", "PROVIDERS", "CorpusBill", "Provider", "corpus", "corpus_bill", "render", "write_corpus"]

_SANDBOX_NAMES = ("Sandbox Electric", "Evergreen Power & Light", "Northwind Gas Co.", "Cascade Utilities")
_SANDBOX_COMMODITIES = (Commodity.ELECTRICITY, Commodity.GAS, Commodity.ELECTRICITY, Commodity.WATER)


def _sandbox_make(rng: random.Random, index: int) -> NormalizedBill:
    start = date(2025, 1, 1) + timedelta(days=31 * (index % CORPUS_MONTHS))
    return make_sandbox_bill(
        rng.choice(_SANDBOX_NAMES),
        f"{rng.randint(1000, 9999)}-{rng.randint(10000, 99999)}-{rng.randint(10, 99)}",
        f"{rng.randint(10, 999)} Maple Ave, Springfield, IL 62704",
        start,
        start + timedelta(days=rng.randint(28, 33)),
        seed=rng.randint(0, 2**31),
        estimated=rng.random() < 0.2,
        credit=rng.random() < 0.15,
        commodity=rng.choice(_SANDBOX_COMMODITIES),
    )


def _sandbox_renderer(layout: str) -> Provider:
    def draw(sheet: Sheet, bill: NormalizedBill) -> None:
        render_on_canvas(sheet.canvas, bill, layout=layout)

    return Provider(f"sandbox-{layout}", "Sandbox utilities", True, f"sandbox {layout} layout", _sandbox_make, draw)


ALL_PROVIDERS: tuple[Provider, ...] = (*PROVIDERS, _sandbox_renderer("default"), _sandbox_renderer("compact"))


@dataclass(frozen=True)
class CorpusBill:
    provider: Provider
    index: int
    truth: NormalizedBill
    pdf: bytes

    @property
    def name(self) -> str:
        return f"{self.provider.id}-{self.index:03d}"


def render(provider: Provider, bill: NormalizedBill) -> bytes:
    """The bill as a text PDF; deterministic (reportlab's invariant mode)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=1)
    canvas.setTitle(f"{bill.provider} statement")
    canvas.setAuthor(bill.provider)
    provider.render(Sheet(canvas), bill)
    canvas.save()  # ends the last page if anything is drawn on it
    return buffer.getvalue()


def corpus_bill(provider: Provider, index: int, seed: int = 2026) -> CorpusBill:
    rng = random.Random(f"{seed}:{provider.id}:{index}")  # noqa: S311 - reproducible test data, not secrets
    truth = provider.make(rng, index)
    return CorpusBill(provider, index, truth, render(provider, truth))


def corpus(
    per_provider: int = 40, seed: int = 2026, providers: tuple[Provider, ...] = ALL_PROVIDERS
) -> Iterator[CorpusBill]:
    for provider in providers:
        for index in range(per_provider):
            yield corpus_bill(provider, index, seed)


def write_corpus(directory: Path, per_provider: int = 40, seed: int = 2026) -> list[CorpusBill]:
    """Write `<provider>-<index>.pdf` and its ground truth `.json` (plus `index.json`) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    bills = list(corpus(per_provider, seed))
    for bill in bills:
        (directory / f"{bill.name}.pdf").write_bytes(bill.pdf)
        (directory / f"{bill.name}.json").write_text(
            bill.truth.model_dump_json(indent=2, exclude={"provenance", "audits"})
        )
    index = [{"file": f"{b.name}.pdf", "provider": b.provider.id, "seen": b.provider.seen} for b in bills]
    (directory / "index.json").write_text(json.dumps(index, indent=2))
    return bills
