"""Pages as visual lines: words regrouped by geometry, table cells kept apart by a tab.

Content-stream order is not reading order (a right-aligned value is often drawn after the whole left
column), so lines are rebuilt from the word boxes: same vertical center, left to right, and a gap wider
than about one character height starts a new cell. Labels and their values are then found whether the
PDF drew them as one string or as two table cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

BBox = tuple[float, float, float, float]  # left, bottom, right, top in PDF points
Word = tuple[str, float, float, float, float]

SAME_LINE = 0.35  # centers closer than this share a line (fraction of the word height)
CELL_GAP = 0.9  # a gap wider than this starts a new cell (fraction of the word height)


def union(boxes: list[BBox]) -> BBox:
    """The smallest box around `boxes`, rounded to 0.01 pt for provenance."""
    left, bottom, right, top = boxes[0]
    for b in boxes[1:]:
        if b[0] < left:
            left = b[0]
        if b[1] < bottom:
            bottom = b[1]
        if b[2] > right:
            right = b[2]
        if b[3] > top:
            top = b[3]
    return (round(left, 2), round(bottom, 2), round(right, 2), round(top, 2))


@dataclass
class Segment:
    """A run of words with no wide gap: one table cell or one drawn string."""

    text: str
    bbox: BBox
    height: float
    start: int  # offset of the segment in its line's text


@dataclass
class Line:
    """One visual line of a page; `text` joins its segments with tabs."""

    page: int  # 1-based
    text: str
    segments: list[Segment]
    words: list[tuple[int, int, BBox]] = field(default_factory=list)  # (start, end) in text, box

    def span_bbox(self, start: int, end: int) -> BBox | None:
        """The box of the words that the text span [start, end) touches."""
        boxes = [box for s, e, box in self.words if s < end and e > start]
        return union(boxes) if boxes else None

    @property
    def cells(self) -> list[str]:
        return self.text.split("\t")

    @property
    def top(self) -> float:
        return max(segment.bbox[3] for segment in self.segments)


@dataclass
class Document:
    lines: list[Line]
    page_count: int
    _prefiltered: dict[re.Pattern[str], list[tuple[int, int]]] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def cells_matching(self, prefilter: re.Pattern[str]) -> list[tuple[int, int]]:
        """(line index, segment position) of the cells that `prefilter` matches at their start, memoised.

        Several fields' labels combined into one prefilter test each cell once instead of once per field.
        """
        cells = self._prefiltered.get(prefilter)
        if cells is None:
            match = prefilter.match
            cells = self._prefiltered[prefilter] = [
                (index, position)
                for index, line in enumerate(self.lines)
                for position, segment in enumerate(line.segments)
                if match(segment.text)
            ]
        return cells

    @property
    def has_text(self) -> bool:
        return any(line.text.strip() for line in self.lines)


def page_lines(words: list[Word], page: int) -> list[Line]:
    """Cluster words into lines by vertical center, then into cells at wide gaps.

    Written with plain locals and comparisons: this runs once per word and is most of the reading
    cost after pdfium itself.
    """
    rows: list[list[Word]] = []
    row_center = 0.0
    for word in sorted(words, key=lambda w: -(w[2] + w[4])):
        center = (word[2] + word[4]) / 2
        height = word[4] - word[2]
        if rows and abs(row_center - center) <= SAME_LINE * (height if height > 1.0 else 1.0):
            rows[-1].append(word)
        else:
            rows.append([word])
            row_center = center
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda w: w[1])
        parts: list[str] = []
        spans: list[tuple[int, int, BBox]] = []
        segments: list[Segment] = []
        offset = 0
        cell_start = 0
        cell_left = row[0][1]
        cell_bottom, cell_right, cell_top, cell_height = row[0][2], row[0][3], row[0][4], 0.0
        previous_right, previous_height = -1e9, 0.0
        for text, left, bottom, right, top in row:
            height = top - bottom
            if spans:
                scale = height if height > previous_height else previous_height
                if left - previous_right > CELL_GAP * (scale if scale > 1.0 else 1.0):
                    segments.append(
                        Segment(
                            "".join(parts)[cell_start:offset],
                            (cell_left, cell_bottom, cell_right, cell_top),
                            cell_height,
                            cell_start,
                        )
                    )
                    parts.append("\t")
                    offset += 1
                    cell_start, cell_left = offset, left
                    cell_bottom, cell_right, cell_top, cell_height = bottom, right, top, 0.0
                else:
                    parts.append(" ")
                    offset += 1
            spans.append((offset, offset + len(text), (left, bottom, right, top)))
            parts.append(text)
            offset += len(text)
            if bottom < cell_bottom:
                cell_bottom = bottom
            if top > cell_top:
                cell_top = top
            if right > cell_right:
                cell_right = right
            if height > cell_height:
                cell_height = height
            previous_right, previous_height = right, height
        line_text = "".join(parts)
        segments.append(
            Segment(line_text[cell_start:], (cell_left, cell_bottom, cell_right, cell_top), cell_height, cell_start)
        )
        lines.append(Line(page=page, text=line_text, segments=segments, words=spans))
    return lines


def build_document(pages: list[list[Word]], page_count: int) -> Document:
    lines: list[Line] = []
    for index, words in enumerate(pages):
        lines.extend(page_lines(words, index + 1))
    return Document(lines=lines, page_count=page_count)
