"""Open untrusted PDFs safely: cheap byte checks first, then pdfium in a resource-limited worker.

Measured on this machine (pdfium in-process): a 1 MB file whose content stream inflates to 1 GB took
4.4 s and 2 GB of memory; a 62 KB file of 20 million tiny text runs took 24 s and 5.6 GB. A serverless
instance dies of either. So every check that is cheap in Python runs first (size, header, end marker,
nesting, inflated size of the streams pdfium will decode), and pdfium itself runs in a child process
with an address-space limit and a wall-clock deadline: whatever slips past the checks costs a worker,
never the caller. The worker lives across documents (start-up is ~0.1 s, a bill ~2 ms).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
import zlib
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from common.errors import RejectedInput
from common.extraction.bills.layout import Document, Word, build_document

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PAGES = 50
MAX_CHARS_PER_PAGE = 50_000  # a bill page holds a few thousand; more is hostile or not a bill
MAX_INFLATED_BYTES = 16 * 1024 * 1024  # a bill's content and font streams inflate to a few MB at most
MAX_NESTING = 64  # pdfium's own parser gives up at 64 levels; real files use fewer than 10
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_BYTES = 1024 * 1024 * 1024
RECYCLE_AFTER = 500  # documents per worker, so a slow leak or fragmentation never accumulates

Isolation = Literal["process", "inline"]
# pdf_worker.PageImage (not imported from there: the parent never loads pdfium): a page as shown, its size in
# points and in pixels, its /Rotate in quarter turns clockwise, and one byte of gray a pixel.
PageImage = tuple[float, float, int, int, int, bytes]

_NESTED = re.compile(rb"(?:(?:\[|<<)\s*){%d}" % MAX_NESTING)
# Necessary for _NESTED (every level adds an opener, separated by whitespace at most): openers and whitespace
# made one byte, then a plain substring search for a run of them, ~30x cheaper than the regex, which then
# runs only on the rare file that has such a run.
_OPENER_OR_SPACE = bytes(1 if byte in b"[< \t\r\n\f\v" else 0 for byte in range(256))
_OPENER_RUN_BYTES = b"\x01" * MAX_NESTING
_STREAM = re.compile(rb"stream\r?\n")  # "endstream" is skipped by hand: a lookbehind made the scan 10x slower
_OBJECT_NUMBER = re.compile(rb"(\d+)\s+\d+\s+$")  # before `obj`
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_FILTER_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_ENCRYPTED = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
_FLATE, _ASCII85, _ASCII_HEX = {b"FlateDecode", b"Fl"}, {b"ASCII85Decode", b"A85"}, {b"ASCIIHexDecode", b"AHx"}
# The standard filters this module does not decode (and their abbreviations): a name outside these and the three
# above is a filter pdfium does not know either (a damaged `/FlateDecode`), and it draws nothing of the stream.
_OTHER_FILTERS = {
    *(b"LZWDecode", b"LZW", b"RunLengthDecode", b"RL", b"CCITTFaxDecode", b"CCF", b"DCTDecode", b"DCT"),
    *(b"JBIG2Decode", b"JPXDecode", b"Crypt"),
}
_PDF_WHITESPACE = b" \t\r\n\f\x00"
_NOT_ASCII85 = 255
_ASCII85_DIGITS = bytes(byte - 33 if 33 <= byte <= 117 else _NOT_ASCII85 for byte in range(256))  # "!".."u"
_ASCII85_PLACES = (85**4, 85**3, 85**2, 85, 1)
_WORKER_SCRIPT = Path(__file__).with_name("pdf_worker.py")


def named(filename: str | None) -> str:
    """The file's name as messages append it: ` (bill.pdf)`, or nothing."""
    return f" ({filename})" if filename else ""


def check_container(data: bytes, filename: str | None = None) -> None:
    """Refuse what is not a whole PDF before any parser sees it."""
    name = named(filename)
    if not data:
        raise RejectedInput(f"the file is empty{name}", "empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise RejectedInput(
            f"the file is {len(data)} bytes{name}; bills over {MAX_FILE_BYTES} bytes are refused", "file_too_large"
        )
    if b"%PDF-" not in data[:1024]:
        raise RejectedInput(f"the file has no PDF header{name}", "not_a_pdf")
    if b"%%EOF" not in data[-2048:]:
        raise RejectedInput(f"the PDF has no end-of-file marker{name}: truncated", "corrupt_pdf")


def _inflated(raw: bytes, limit: int) -> tuple[int, bool]:
    """Bytes a Flate stream inflates to, counted in 1 MB steps and abandoned past `limit`, and whether it is whole:
    a byte damaged on a disk or in a transfer breaks its codes or its checksum, and pdfium then draws what it
    decoded before the break without a word."""
    inflater = zlib.decompressobj()
    size = 0
    pending = raw
    try:
        while True:
            chunk = inflater.decompress(pending, 1 << 20)
            size += len(chunk)
            if size > limit or inflater.eof:
                return size, True
            pending = inflater.unconsumed_tail
            if not pending:
                return size, _without_checksum(raw)
    except zlib.error:
        return size, False


def _without_checksum(raw: bytes) -> bool:
    """Whether zlib data that ends early lacks only its checksum (some producers leave it off, and pdfium draws the
    whole stream), not part of its deflate data (cut short): its deflate data, read without the zlib header, ends.
    The same data as the first pass inflated within the limit, so no more output."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = raw[2:]
    try:
        while pending and not inflater.eof:
            inflater.decompress(pending, 1 << 20)
            pending = inflater.unconsumed_tail
    except zlib.error:
        return False
    return inflater.eof


def _ascii85(text: bytes) -> bytes | None:
    """An ASCII85 stream's bytes, or None where it is not ASCII85 (a damaged byte). Each base-85 digit column of the
    groups is laid into a 5-byte field a group of one big integer, so the arithmetic runs in C: a list of the
    groups' values cost 0.08 ms a corpus bill, this 0.03."""
    digits = text.translate(None, _PDF_WHITESPACE).removesuffix(b"~>").replace(b"z", b"!!!!!")
    padding = -len(digits) % 5
    values = (digits + b"u" * padding).translate(_ASCII85_DIGITS)
    if _NOT_ASCII85 in values:
        return None
    groups = len(values) // 5
    total = 0
    for column, place in enumerate(_ASCII85_PLACES):
        fields = bytearray(5 * groups)
        fields[4::5] = values[column::5]
        total += int.from_bytes(fields, "big") * place  # a group's value is below 85**5 < 2**40: no carry
    decoded = total.to_bytes(5 * groups, "big")
    if decoded[0::5].strip(b"\0"):
        return None  # a group past 2**32
    out = bytearray(4 * groups)
    for index in range(4):
        out[index::4] = decoded[index + 1 :: 5]
    return bytes(out[: len(out) - padding])


def _ascii_hex(text: bytes) -> bytes | None:
    digits = text.translate(None, _PDF_WHITESPACE).removesuffix(b">")
    try:
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None


def _decoded(raw: bytes, filters: list[bytes], limit: int) -> tuple[int, bool]:
    """What a stream costs pdfium to decode (its Flate output; other filters, which expand far less, counted
    roughly), and whether the filters that can be checked here find it damaged."""
    data = raw
    for name in filters:
        if name in _FLATE:
            if not data.strip(_PDF_WHITESPACE):
                return 0, False  # an empty stream: nothing to decode
            size, whole = _inflated(data, limit)
            return size, not whole
        if name in _ASCII85:
            decoded = _ascii85(data) if len(data) <= 2 * limit else None  # 5 digits are 4 bytes: past it, a bomb
        elif name in _ASCII_HEX:
            decoded = _ascii_hex(data)
        elif name in _OTHER_FILTERS:
            return len(data) * 8, False  # LZW, RunLength and the like: not checked here
        else:
            return 0, True  # no such filter
        if decoded is None:
            return 0, True
        data = decoded
    return len(data), False


def check_structure(data: bytes, filename: str | None = None) -> list[int]:
    """Refuse what nests too deep or inflates too far (the streams pdfium decodes to read text); give the numbers of
    the objects whose streams are damaged: their text may be missing or wrong. An encrypted file's streams are
    not judged (they are ciphertext here)."""
    name = named(filename)
    if _OPENER_RUN_BYTES in data.translate(_OPENER_OR_SPACE) and _NESTED.search(data):
        raise RejectedInput(
            f"the PDF nests arrays or dictionaries over {MAX_NESTING} deep{name}", "pdf_too_deeply_nested"
        )
    encrypted = _ENCRYPTED.search(data) is not None
    damaged: list[int] = []
    budget = MAX_INFLATED_BYTES
    for match in _STREAM.finditer(data):
        if data[match.start() - 3 : match.start()] == b"end":
            continue
        head = data[max(0, match.start() - 2048) : match.start()]
        opened = head.rfind(b"obj")
        number = _OBJECT_NUMBER.search(head, max(0, opened - 24), max(0, opened))
        head = head[opened + 1 :]
        filters = _FILTERS.search(head)
        if filters is None or b"/Image" in head:
            continue  # unfiltered streams cost their own size; images are not decoded to read text
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end if end >= 0 else len(data)]
        cost, broken = _decoded(raw, _FILTER_NAME.findall(filters.group(1)), budget)
        budget -= cost
        if budget < 0:
            raise RejectedInput(
                f"the PDF's streams inflate past {MAX_INFLATED_BYTES // (1024 * 1024)} MB{name}: a compression bomb",
                "compressed_bomb",
            )
        if broken and not encrypted and number is not None:
            damaged.append(int(number.group(1)))
    return damaged


# What reading a PDF gives (pdf_worker.read_words): the words of each page read, the page count, per page the words
# pdfium ran over two lines, the pages cut at the character limit, the pages pdfium cannot load, and per page the
# words left out for running another way than its lines.
_Words = tuple[list[list[Word]], int, list[list[int]], list[int], list[int], list[list[str]]]


def decode_pages(
    header: dict[str, Any], boxes_frame: bytes
) -> tuple[list[list[Word]], list[list[int]], list[int], list[int], list[list[str]]]:
    """Undo pdf_worker.encode_columns (here, so the parent never loads pdfium): each page's words, the indices of
    those pdfium ran over two lines, the pages whose text was cut at the reader's limit, the pages pdfium could
    not load, and each page's words left out for running another way than its lines.

    Raises ValueError when the frames disagree: a broken or compromised worker.
    """
    try:
        texts: list[str] = header["words"].split("\n") if header["words"] else []
        counts = [int(count) for count in header["words_per_page"]]
        joined = [[int(index) for index in indices] for indices in header["joined_per_page"]]
        cut = [int(page) for page in header["cut_pages"]]
        unreadable = [int(page) for page in header["unreadable_pages"]]
        set_aside = [[str(word) for word in words] for words in header["set_aside_per_page"]]
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"the reader's reply is malformed: {exc!r}") from None
    boxes = array("f")
    boxes.frombytes(boxes_frame)
    if sum(counts) != len(texts) or len(boxes) != 4 * len(texts) or min(counts, default=0) < 0:
        raise ValueError("the reader's reply is inconsistent")
    if len(set_aside) != len(counts):
        raise ValueError("the reader's reply sets aside words of pages it did not read")
    if len(joined) != len(counts) or any(
        not 0 <= index < count for indices, count in zip(joined, counts, strict=True) for index in indices
    ):
        raise ValueError("the reader's reply names words a page does not have")
    for pages_named in (cut, unreadable):
        if pages_named != sorted(set(pages_named)) or any(not 1 <= page <= len(counts) for page in pages_named):
            raise ValueError("the reader's reply names pages it did not read")
    if any(counts[page - 1] or page in cut or set_aside[page - 1] for page in unreadable):
        raise ValueError("the reader's reply gives words of a page it could not load")
    coordinates = iter(boxes.tolist())
    words: list[Word] = list(zip(texts, coordinates, coordinates, coordinates, coordinates, strict=False))
    pages: list[list[Word]] = []
    start = 0
    for count in counts:
        pages.append(words[start : start + count])
        start += count
    return pages, joined, cut, unreadable, set_aside


def decode_images(header: dict[str, Any], pixels: bytes, max_pixels: int) -> list[PageImage]:
    """Undo pdf_worker._encode_images; raises ValueError when the reply does not add up."""
    images: list[PageImage] = []
    start = 0
    for width_pt, height_pt, width, height, turns in header["images"]:
        width, height = int(width), int(height)
        if not (0 < width and 0 < height and width * height <= max_pixels and turns in (0, 1, 2, 3)):
            raise ValueError("the reader's image has no size, too many pixels or no quarter turn")
        image = (float(width_pt), float(height_pt), width, height, int(turns), pixels[start : start + width * height])
        images.append(image)
        start += width * height
    if start != len(pixels):
        raise ValueError("the reader's images and pixels disagree")
    return images


class PdfTextReader:
    """Reads word boxes with pdfium, in a limited worker process ("process") or in this one ("inline").

    "inline" is for benchmarks and trusted files only: it has the byte checks but no memory or time limit.
    """

    def __init__(
        self,
        isolation: Isolation = "process",
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_bytes: int = DEFAULT_MEMORY_BYTES,
        max_pages: int = MAX_PAGES,
        max_chars_per_page: int = MAX_CHARS_PER_PAGE,
    ) -> None:
        self.isolation = isolation
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.max_pages = max_pages
        self.max_chars_per_page = max_chars_per_page
        self._lock = threading.Lock()  # pdfium is not thread-safe, and the worker answers one at a time
        self._process: subprocess.Popen[bytes] | None = None
        self._served = 0

    # -- public -------------------------------------------------------------------------------------

    def read(self, data: bytes, filename: str | None = None) -> Document:
        check_container(data, filename)
        damaged = check_structure(data, filename)
        with self._lock:
            pages, page_count, joined, cut, unreadable, set_aside = (
                self._read_inline(data, filename) if self.isolation == "inline" else self._read_isolated(data, filename)
            )
        return build_document(pages, page_count, joined, cut, unreadable, damaged, set_aside)

    def render(
        self, data: bytes, filename: str | None = None, *, pages: Sequence[int], dpi: float, max_pixels: int
    ) -> tuple[list[tuple[int, PageImage]], int]:
        """Pages `pages` (1-based) as gray images for OCR (pdf_worker.render_pages), each with its number, and the
        page count; a page the document lacks is left out. Rendering decodes the page's images, which reading its
        text does not: an image bomb that passed the byte checks costs the worker here, at its memory limit or its
        deadline (pdf_resource_limit, pdf_timeout)."""
        check_container(data, filename)
        check_structure(data, filename)
        with self._lock:
            if self.isolation == "inline":
                from common.extraction.bills import pdf_worker

                try:
                    images, page_count = pdf_worker.render_pages(data, pages=pages, dpi=dpi, max_pixels=max_pixels)
                except pdf_worker.PdfReadError as exc:
                    raise RejectedInput(f"{exc.message}{named(filename)}", exc.code) from None
            else:
                options = {"render": {"pages": list(pages), "dpi": dpi, "max_pixels": max_pixels}}
                reply, pixels = self._ask_worker(options, data, filename)
                try:
                    images, page_count = decode_images(reply, pixels, max_pixels), int(reply["page_count"])
                except (ValueError, KeyError, TypeError):
                    raise self._worker_failed(filename, None) from None
            numbers = sorted({page for page in pages if 1 <= page <= page_count})
            if len(numbers) != len(images):
                raise self._worker_failed(filename, None)
        return list(zip(numbers, images, strict=True)), page_count

    def close(self) -> None:
        with self._lock:
            self._stop()

    # -- inline -------------------------------------------------------------------------------------

    def _read_inline(self, data: bytes, filename: str | None) -> _Words:
        from common.extraction.bills import pdf_worker  # loads pdfium into this process: inline mode only

        try:
            return pdf_worker.read_words(data, max_pages=self.max_pages, max_chars_per_page=self.max_chars_per_page)
        except pdf_worker.PdfReadError as exc:
            raise RejectedInput(f"{exc.message}{named(filename)}", exc.code) from None

    # -- worker process -----------------------------------------------------------------------------

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None or self._served >= RECYCLE_AFTER:
            self._stop()
            self._process = subprocess.Popen(
                [sys.executable, "-I", str(_WORKER_SCRIPT), str(self.memory_bytes)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
            )
            self._served = 0
        return self._process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _receive_frame(self, process: subprocess.Popen[bytes], deadline: float) -> bytes:
        size = struct.unpack(">I", self._receive(process, 4, deadline))[0]
        return self._receive(process, size, deadline)

    def _read_isolated(self, data: bytes, filename: str | None) -> _Words:
        options = {"max_pages": self.max_pages, "max_chars_per_page": self.max_chars_per_page}
        reply, boxes = self._ask_worker(options, data, filename)
        try:
            pages, joined, cut, unreadable, set_aside = decode_pages(reply, boxes)
        except ValueError:
            raise self._worker_failed(filename, None) from None
        return pages, int(reply["page_count"]), joined, cut, unreadable, set_aside

    def _ask_worker(self, options: dict[str, Any], data: bytes, filename: str | None) -> tuple[dict[str, Any], bytes]:
        """The worker's reply to one request: its JSON frame and the frame of bytes after it."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        header = json.dumps(options).encode()
        deadline = time.monotonic() + self.timeout_s
        try:
            process.stdin.write(struct.pack(">I", len(header)) + header + struct.pack(">I", len(data)) + data)
            process.stdin.flush()
            reply: dict[str, Any] = json.loads(self._receive_frame(process, deadline))
            payload = self._receive_frame(process, deadline) if "error" not in reply else b""
        except TimeoutError:
            process.kill()
            self._stop()
            raise RejectedInput(
                f"reading the PDF took over {self.timeout_s:g} s{named(filename)}; it was stopped", "pdf_timeout"
            ) from None
        except (BrokenPipeError, EOFError, ValueError):
            try:
                code: int | None = process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            raise self._worker_failed(filename, code) from None
        self._served += 1
        if "error" in reply:
            error = reply["error"]
            raise RejectedInput(f"{error['message']}{named(filename)}", str(error["code"]))
        return reply, payload

    def _worker_failed(self, filename: str | None, code: int | None) -> RejectedInput:
        self._stop()
        return RejectedInput(
            f"the PDF exhausted the reader's memory limit or crashed it (exit {code}){named(filename)}",
            "pdf_resource_limit",
        )

    @staticmethod
    def _receive(process: subprocess.Popen[bytes], size: int, deadline: float) -> bytes:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        chunks = bytearray()
        while len(chunks) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(size - len(chunks), 1 << 20))
            if not chunk:
                raise EOFError
            chunks += chunk
        return bytes(chunks)


_default_reader: PdfTextReader | None = None
_default_lock = threading.Lock()


def default_reader() -> PdfTextReader:
    """The process-wide isolated reader: its worker is started on first use and stopped at exit."""
    global _default_reader
    with _default_lock:
        if _default_reader is None:
            _default_reader = PdfTextReader("process")
            atexit.register(_default_reader.close)
        return _default_reader
