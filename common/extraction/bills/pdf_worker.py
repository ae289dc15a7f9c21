"""Read the words of a PDF with pdfium, in-process or as a sandboxed child process.

pdfium inflates whatever a file asks for: a 1 MB compressed stream becomes 1 GB of memory, a 60 KB
content stream becomes 20 million characters and 24 s of work. Run as a script, this module is a
worker that reads PDFs from stdin under hard resource limits, so a hostile file kills only the worker.
It imports nothing but the standard library and pypdfium2, so it starts fast and trusts no project code.

Why words and not characters: one ctypes call per character costs more than pdfium's whole text
extraction. We take the page text in one call and ask for boxes only at word ends (2 calls a word),
which keeps reading within twice the raw-text floor and still places every word exactly.

Wire format (frames of a 4-byte big-endian length, then the bytes): request = header JSON, PDF bytes;
reply = JSON `{"page_count": n, "words_per_page": [...], "words": "w1\\nw2..."}` then the word boxes as
float32 (left, bottom, right, top per word, native order), or only `{"error": {...}}`. JSON and plain
floats, never pickle: the parent must not execute what a compromised worker sends. Boxes travel as
floats because encoding them as JSON cost more than reading them (pdfium's boxes are float32 already).
"""

from __future__ import annotations

import ctypes
import json
import re
import struct
import sys
from array import array
from typing import Any, BinaryIO

import pypdfium2.raw as pdfium_c

WORD = re.compile(r"\S+")
Word = tuple[str, float, float, float, float]  # text, left, bottom, right, top (PDF points)


class PdfReadError(Exception):
    """A document pdfium refuses; `code` is a stable reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _untyped(function: Any, *argtypes: Any) -> Any:
    """The same pdfium function with plain pointer arguments: typed ctypes arguments cost a conversion per call."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    assert address is not None
    return ctypes.CFUNCTYPE(ctypes.c_int, *argtypes)(address)


_CHAR_BOX = _untyped(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
_TEXT_INDEX_TO_CHAR = _untyped(pdfium_c.FPDFText_GetCharIndexFromTextIndex, ctypes.c_void_p, ctypes.c_int)


def _page_words(textpage: Any, max_chars: int) -> list[Word]:
    count = min(pdfium_c.FPDFText_CountChars(textpage), max_chars)
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(buffer)[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    # Text indices equal character indices unless some glyphs have no Unicode or need surrogates.
    aligned = len(text) == count
    handle = ctypes.cast(textpage, ctypes.c_void_p).value
    rect = pdfium_c.FS_RECTF()
    rect_address = ctypes.addressof(rect)
    box, to_char = _CHAR_BOX, _TEXT_INDEX_TO_CHAR
    words: list[Word] = []
    append = words.append
    for match in WORD.finditer(text):
        first, last = match.span()
        last -= 1
        if not aligned:
            first, last = to_char(handle, first), to_char(handle, last)
            if first < 0 or last < 0:
                continue
        if not box(handle, first, rect_address):
            continue
        left, bottom, top = rect.left, rect.bottom, rect.top
        if not box(handle, last, rect_address):
            continue
        right, last_bottom, last_top = rect.right, rect.bottom, rect.top
        append(
            (
                match.group(),
                left,
                last_bottom if last_bottom < bottom else bottom,
                right if right > left else left,
                last_top if last_top > top else top,
            )
        )
    return words


def read_words(data: bytes, *, max_pages: int, max_chars_per_page: int) -> tuple[list[list[Word]], int]:
    """The words of the first `max_pages` pages and the document's page count."""
    document = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not document:
        error = pdfium_c.FPDF_GetLastError()
        if error in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise PdfReadError("encrypted_pdf", "the PDF is password protected")
        raise PdfReadError("corrupt_pdf", f"pdfium cannot open the PDF (error {error})")
    try:
        page_count = pdfium_c.FPDF_GetPageCount(document)
        pages: list[list[Word]] = []
        for index in range(min(page_count, max_pages)):
            page = pdfium_c.FPDF_LoadPage(document, index)
            if not page:
                raise PdfReadError("corrupt_pdf", f"page {index + 1} cannot be read")
            try:
                textpage = pdfium_c.FPDFText_LoadPage(page)
                if not textpage:
                    raise PdfReadError("corrupt_pdf", f"page {index + 1} has an unreadable text layer")
                try:
                    pages.append(_page_words(textpage, max_chars_per_page))
                finally:
                    pdfium_c.FPDFText_ClosePage(textpage)
            finally:
                pdfium_c.FPDF_ClosePage(page)
        return pages, page_count
    finally:
        pdfium_c.FPDF_CloseDocument(document)


def encode_pages(pages: list[list[Word]], page_count: int) -> tuple[bytes, bytes]:
    """The reply's two frames: the words as JSON, their boxes as float32 (guard.decode_pages reads them)."""
    header = {
        "page_count": page_count,
        "words_per_page": [len(page) for page in pages],
        "words": "\n".join(word[0] for page in pages for word in page),
    }
    boxes = array("f", [value for page in pages for word in page for value in word[1:]])
    return json.dumps(header, separators=(",", ":")).encode(), boxes.tobytes()


# --- worker process ----------------------------------------------------------------------------------


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = _read_exact(stream, 4)
    if head is None:
        return None
    return _read_exact(stream, struct.unpack(">I", head)[0])


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)) + payload)
    stream.flush()


def _limit_resources(memory_bytes: int) -> None:
    import resource

    for limit, value in (
        (resource.RLIMIT_AS, memory_bytes),  # pdfium's allocations fail, and it aborts, past this
        (resource.RLIMIT_CORE, 0),  # no core dumps of hostile input
        (resource.RLIMIT_FSIZE, 0),  # the worker never writes files
    ):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass  # a lower hard limit is already in force


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer requests until stdin closes; each reply is one frame (importing pypdfium2 initialized pdfium)."""
    while True:
        header = _read_frame(stdin)
        data = _read_frame(stdin) if header is not None else None
        if header is None or data is None:
            return
        options = json.loads(header)
        error: dict[str, str] | None = None
        try:
            pages, page_count = read_words(
                data, max_pages=int(options["max_pages"]), max_chars_per_page=int(options["max_chars_per_page"])
            )
            words, boxes = encode_pages(pages, page_count)
        except PdfReadError as exc:
            error = {"code": exc.code, "message": exc.message}
        except MemoryError:
            error = {"code": "pdf_resource_limit", "message": "the PDF exhausted the reader's memory limit"}
        if error is not None:
            write_frame(stdout, json.dumps({"error": error}).encode())
        else:
            stdout.write(struct.pack(">I", len(words)) + words + struct.pack(">I", len(boxes)) + boxes)
            stdout.flush()


if __name__ == "__main__":
    _limit_resources(int(sys.argv[1]))
    serve(sys.stdin.buffer, sys.stdout.buffer)
