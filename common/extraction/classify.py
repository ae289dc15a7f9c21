"""Decide what a file is from its bytes, never from its name alone: extensions lie."""

from __future__ import annotations

from common.models import ArtifactKind

_SNIFF = 4096


def classify(data: bytes) -> ArtifactKind:
    head = data[:_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return ArtifactKind.BILL_PDF
    if head.startswith(b"<"):
        lowered = head.lower()
        if b"espi" in lowered or b"<feed" in lowered or b"naesb" in lowered or b"intervalblock" in lowered:
            return ArtifactKind.ESPI_XML
        return ArtifactKind.UNKNOWN
    if b"," in head and b"\x00" not in head:
        return ArtifactKind.UTILITY_CSV
    return ArtifactKind.UNKNOWN


CONTENT_TYPES = {
    ArtifactKind.BILL_PDF: ("application/pdf", "pdf"),
    ArtifactKind.ESPI_XML: ("application/atom+xml", "xml"),
    ArtifactKind.UTILITY_CSV: ("text/csv", "csv"),
    ArtifactKind.UNKNOWN: ("application/octet-stream", "bin"),
}
