"""Decide what a file is from its bytes, never from its name alone: extensions lie."""

from __future__ import annotations

from common.models import ArtifactKind

_SNIFF = 4096


def _sniffable(data: bytes) -> bytes:
    """The head as UTF-8-ish bytes: UTF-16 files (with a byte-order mark) are decoded first."""
    head = data[:_SNIFF]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore").encode()
    return head


def _looks_like_csv(head: bytes) -> bool:
    """Text whose first lines are comma-separated: two or more lines with commas, no NULs."""
    if b"\x00" in head:
        return False
    lines = [line for line in head.splitlines()[:20] if line.strip()]
    return sum(1 for line in lines if b"," in line) >= 2


def classify(data: bytes) -> ArtifactKind:
    head = _sniffable(data).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return ArtifactKind.BILL_PDF
    if head.startswith(b"<"):
        lowered = head.lower()
        if b"espi" in lowered or b"<feed" in lowered or b"naesb" in lowered or b"intervalblock" in lowered:
            return ArtifactKind.ESPI_XML
        return ArtifactKind.UNKNOWN
    if _looks_like_csv(head):
        return ArtifactKind.UTILITY_CSV
    return ArtifactKind.UNKNOWN


CONTENT_TYPES = {
    ArtifactKind.BILL_PDF: ("application/pdf", "pdf"),
    ArtifactKind.ESPI_XML: ("application/atom+xml", "xml"),
    ArtifactKind.UTILITY_CSV: ("text/csv", "csv"),
    ArtifactKind.UNKNOWN: ("application/octet-stream", "bin"),
}
