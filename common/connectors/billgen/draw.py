"""A thin layer over reportlab: positions from the top of the page, and the formats bills print."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

WIDTH, HEIGHT = LETTER


class Sheet:
    """Draws on a canvas with y measured down from the top edge, as layouts are designed."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas

    def text(
        self, x: float, y: float, value: str, size: float = 9, bold: bool = False, font: str = "Helvetica"
    ) -> None:
        self.canvas.setFont(f"{font}-Bold" if bold else font, size)
        self.canvas.drawString(x, HEIGHT - y, value)

    def right(self, x: float, y: float, value: str, size: float = 9, bold: bool = False) -> None:
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawRightString(x, HEIGHT - y, value)

    def center(self, x: float, y: float, value: str, size: float = 9, bold: bool = False) -> None:
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawCentredString(x, HEIGHT - y, value)

    def rule(self, x1: float, y: float, x2: float, dashed: bool = False) -> None:
        if dashed:
            self.canvas.setDash(3, 3)
        self.canvas.line(x1, HEIGHT - y, x2, HEIGHT - y)
        self.canvas.setDash()

    def band(self, x: float, y: float, width: float, height: float, color: str) -> None:
        """A filled rectangle whose top-left corner is (x, y)."""
        self.canvas.setFillColor(colors.HexColor(color))
        self.canvas.rect(x, HEIGHT - y - height, width, height, stroke=0, fill=1)
        self.canvas.setFillColor(colors.black)

    def logo(self, x: float, y: float, initials: str, color: str) -> None:
        self.canvas.setFillColor(colors.HexColor(color))
        self.canvas.circle(x + 18, HEIGHT - y - 18, 18, stroke=0, fill=1)
        self.canvas.setFillColor(colors.white)
        self.center(x + 18, y + 22, initials, 11, bold=True)
        self.canvas.setFillColor(colors.black)

    def next_page(self) -> None:
        self.canvas.showPage()


def money(value: Decimal | None, *, symbol: str = "$", credit: str = "minus") -> str:
    """`$1,234.56`; credits as `-$5.00` ("minus"), `$5.00 CR` ("cr") or `($5.00)` ("parens")."""
    if value is None:
        return ""
    text = f"{symbol}{abs(value):,.2f}"
    if value >= 0:
        return text
    return {"cr": f"{text} CR", "parens": f"({text})"}.get(credit, f"-{text}")


def quantity(value: Decimal) -> str:
    return f"{value:,}"


def us_date(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def long_date(value: date | None) -> str:
    """`Jan 5, 2026`, as many US bills print it."""
    return f"{value:%b} {value.day}, {value.year}" if value else ""


def uk_date(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""
