"""Pages as visual lines: words regrouped by geometry, table cells kept apart by a tab.

Content-stream order is not reading order (a right-aligned value is often drawn after the whole left
column), so lines are rebuilt from the word boxes: same vertical center, left to right, and a gap wider
than about one character height (of the smaller of the two words: a small-type column set close beside a
large amount is not part of it) starts a new cell. Labels and their values are then found whether the
PDF drew them as one string or as two table cells. A page whose words run up or down it (a landscape bill
printed turned onto a portrait page) or upside down is read turned upright, one whose lines climb a little (a
scan's text layer) is read levelled, and their boxes are given back in the page's own coordinates
(Document.page_box).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from itertools import pairwise
from operator import itemgetter
from typing import TypeVar

BBox = tuple[float, float, float, float]  # left, bottom, right, top in PDF points
Word = tuple[str, float, float, float, float]
V = TypeVar("V")

SAME_LINE = 0.35  # centers closer than this share a line (fraction of the word height)
# A word this close to the center of the word before it in its row (same fraction) is on that word's line, however
# far the row's first word: `Amount to pay: $290.08` in large type sets the row's center, `Period` in small type
# is just within it, and `28 Apr to 25 May 2025` on Period's baseline, in another font, just beyond it.
SAME_BASELINE = 0.1
CELL_GAP = 0.9  # a gap wider than this starts a new cell (fraction of the smaller word's height)
OVERPRINT = 0.3  # a word starting this far inside the one before was drawn over it (same fraction)
SIZE_JUMP = 1.6  # a word this many times taller or shorter than the one before, touching it, starts a new cell
TOUCHING = 0.15  # closer than this (same fraction) is touching: a space is about 0.3 of its type's height
# Type of another size (SIZE_STEP taller or shorter) further than SIZED_GAP (same fraction) from a word, more than a
# space, is another cell: a masthead set large beside the account's box (`Summit Energy Services | Account No.:`)
SIZED_GAP = 0.5
SIZE_STEP = 1.25
# A word's baseline stands about this fraction of its box's height over the box's bottom (a loose box: the font's
# ascent and descent; 0.19 in pdfium's box of Helvetica-Bold, 0.228 of the size under the baseline and 0.962 over).
BASELINE_RISE = 0.2
# A word whose baseline stands further than this (fraction of the smaller word's height) from the word before's was set
# beside it, not written on with it: a masthead in 22 pt and the facts box's `Issue Date` in 8.5 pt, centred in one
# band a space's width apart, were read as one cell (`Sunbelt Electric Cooperative Issue Date`), and so were a logo's
# initials centred beside a name wrapped onto two lines and its second line (`SR Corp.`). Centred, type 1.6 times the
# other's size stands 0.19 of the smaller height off its baseline.
OFF_BASELINE = 0.15


def union(boxes: list[BBox]) -> BBox:
    """The smallest box around `boxes`, rounded to 0.01 pt for provenance."""
    left, bottom, right, top = boxes[0]
    for box_left, box_bottom, box_right, box_top in boxes:
        if box_left < left:
            left = box_left
        if box_bottom < bottom:
            bottom = box_bottom
        if box_right > right:
            right = box_right
        if box_top > top:
            top = box_top
    return (round(left, 2), round(bottom, 2), round(right, 2), round(top, 2))


@dataclass(slots=True)  # slots: ~60 of these per bill, built a little faster and smaller
class Segment:
    """A run of words with no wide gap: one table cell or one drawn string."""

    text: str
    bbox: BBox
    height: float
    start: int  # offset of the segment in its line's text


@dataclass(slots=True)
class Line:
    """One visual line of a page; `text` joins its segments with tabs."""

    page: int  # 1-based
    text: str
    segments: list[Segment]
    words: list[tuple[int, int, BBox]] = field(default_factory=list)  # (start, end) in text, box

    def span_bbox(self, start: int, end: int) -> BBox | None:
        """The box of the words that the text span [start, end) touches."""
        boxes = [box for word_start, word_end, box in self.words if word_start < end and word_end > start]
        return union(boxes) if boxes else None

    def segment_at(self, offset: int) -> Segment:
        """The cell that holds text offset `offset` (a tab between cells counts to the cell before it)."""
        return next(segment for segment in reversed(self.segments) if segment.start <= offset)

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
    # Pages whose text runs up (UP) or down (DOWN) the page, or upside down (UPSIDE_DOWN), read turned upright:
    # their lines' boxes are in the turned frame, and page_box gives a box back in the page's own coordinates.
    turns: dict[int, int] = field(default_factory=dict)
    # Pages printed a little off level (a scan's text layer): the angle, in radians, their lines were turned
    # back by to read them level (after any quarter turn).
    skews: dict[int, float] = field(default_factory=dict)
    # Words pdfium ran over two lines, by page (`21` over `1` read as `211`): a value may hold another line's.
    run_together: dict[int, list[str]] = field(default_factory=dict)
    # Words left out of a page's lines for running another way than they do, or laid over them in far larger type (a
    # watermark across the page, a form's number up its margin, a stamp), by page: the reading does not hold them,
    # and an audit names them.
    set_aside: dict[int, list[str]] = field(default_factory=dict)
    # Pages whose text runs past the reader's limit of characters a page, read up to there.
    cut_pages: list[int] = field(default_factory=list)
    # Pages pdfium cannot load (a page tree naming an object the file lacks): no words, whatever they print.
    unreadable_pages: list[int] = field(default_factory=list)
    # Objects whose streams do not decode whole (guard.check_structure): text drawn from them may be missing.
    damaged_streams: list[int] = field(default_factory=list)

    def page_box(self, page: int | None, box: BBox | None) -> BBox | None:
        """A box of page `page` in PDF coordinates, from the frame its lines were read in."""
        if box is None or page is None:
            return box
        if (angle := self.skews.get(page)) is not None:
            box = _rotated_box(box, angle)
        turn = self.turns.get(page)
        return box if turn is None else _turn_box(box, _UNDOING[turn])

    def page_range(self, first: int, last: int) -> Document:
        """Pages `first` to `last` as a document of their own, numbered from 1: one statement of a file that holds
        several, read as if it came alone."""
        return self._pages(lambda page: first <= page <= last, first - 1, last - first + 1)

    def without_pages(self, pages: Collection[int]) -> Document:
        """The document less `pages`, the others keeping their numbers."""
        return self._pages(lambda page: page not in pages, 0, self.page_count)

    def with_pages(self, other: Document, pages: Collection[int]) -> Document:
        """The document with `pages` as `other` reads them (OCR's reading of pages the text layer left empty)."""

        def merged(mine: dict[int, V], theirs: dict[int, V]) -> dict[int, V]:
            return {
                **{page: value for page, value in mine.items() if page not in pages},
                **{page: value for page, value in theirs.items() if page in pages},
            }

        def merged_pages(mine: list[int], theirs: list[int]) -> list[int]:
            return sorted([*(page for page in mine if page not in pages), *(page for page in theirs if page in pages)])

        lines = [line for line in self.lines if line.page not in pages]
        lines += [line for line in other.lines if line.page in pages]
        return Document(
            sorted(lines, key=lambda line: line.page),  # stable: each page's lines keep their order
            self.page_count,
            turns=merged(self.turns, other.turns),
            skews=merged(self.skews, other.skews),
            run_together=merged(self.run_together, other.run_together),
            set_aside=merged(self.set_aside, other.set_aside),
            cut_pages=merged_pages(self.cut_pages, other.cut_pages),
            unreadable_pages=merged_pages(self.unreadable_pages, other.unreadable_pages),
            damaged_streams=self.damaged_streams,
        )

    def words_per_page(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for line in self.lines:
            counts[line.page] = counts.get(line.page, 0) + len(line.words)
        return counts

    def _pages(self, kept: Callable[[int], bool], shift: int, page_count: int) -> Document:
        def by_page(values: dict[int, V]) -> dict[int, V]:
            return {page - shift: value for page, value in values.items() if kept(page)}

        def numbered(pages: list[int]) -> list[int]:
            return [page - shift for page in pages if kept(page)]

        return Document(
            [replace(line, page=line.page - shift) if shift else line for line in self.lines if kept(line.page)],
            page_count,
            turns=by_page(self.turns),
            skews=by_page(self.skews),
            run_together=by_page(self.run_together),
            set_aside=by_page(self.set_aside),
            cut_pages=numbered(self.cut_pages),
            unreadable_pages=numbered(self.unreadable_pages),
            damaged_streams=self.damaged_streams,
        )

    @cached_property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def has_text(self) -> bool:
        return any(line.text.strip() for line in self.lines)


def _rotated_box(box: BBox, angle: float) -> BBox:
    """The box around `box` turned by `angle` (counter-clockwise, radians) about the origin, to 0.01 pt."""
    cos, sin = math.cos(angle), math.sin(angle)
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[0], box[3]), (box[2], box[1]), (box[2], box[3])):
        xs.append(x * cos - y * sin)
        ys.append(x * sin + y * cos)
    return (round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2))


def other_size(height: float, other: float, step: float = SIZE_JUMP) -> bool:
    """Two words' heights tell type of another size (`step` apart; a word with no height tells nothing)."""
    return height > 1.0 and other > 1.0 and (height > step * other or other > step * height)


def _center_order(word: Word) -> float:
    return -(word[2] + word[4])


_by_left = itemgetter(1)


def page_lines(words: list[Word], page: int, repeated: Callable[[], frozenset[Word]] = frozenset) -> list[Line]:
    """Cluster words into lines by vertical center, then into cells at wide gaps.

    This runs once per word and is most of the reading cost after pdfium itself, hence plain locals and
    comparisons. A row whose words were drawn over one another is regrouped by the strings drawn
    (`_drawn_strings`), which only such rows pay for; `repeated` gives the words of the page printed the same at
    the same place on another page (repeated_words), asked for only then.
    """
    lines: list[Line] = []
    if not words:
        return lines
    same_line, same_baseline = SAME_LINE, SAME_BASELINE
    ordered = iter(sorted(words, key=_center_order))
    first = next(ordered)
    row = [first]
    rows = [row]
    row_center = last_center = (first[2] + first[4]) / 2
    for word in ordered:
        bottom = word[2]
        top = word[4]
        center = (bottom + top) / 2
        # Most words share their row's baseline: equal finite centers (inf - inf is NaN) are always within
        # the positive tolerance, so skip computing it. (Words come highest first: while a row's words share
        # its center, so does its last word.)
        if row_center - center == 0.0:
            row.append(word)
            continue
        scale = top - bottom
        if not scale > 1.0:
            scale = 1.0
        if abs(row_center - center) <= same_line * scale or last_center - center <= same_baseline * scale:
            row.append(word)
            last_center = center
        else:
            row = [word]
            rows.append(row)
            row_center = last_center = center
    drawing_order: dict[int, int] | None = None
    for row in rows:
        if len(row) > 1:
            row.sort(key=_by_left)
        line, overprinted = _row_line(row, page)
        if overprinted:
            if drawing_order is None:
                drawing_order = {id(word): index for index, word in enumerate(words)}
            line = joined([_row_line(string, page)[0] for string in _drawn_strings(row, drawing_order, repeated())])
        lines.append(line)
    return lines


def _row_line(row: list[Word], page: int) -> tuple[Line, bool]:
    """One row's line, its cells split at wide gaps; and whether a word starts well inside the one before it
    (drawn over it: a long label run into its value's column).

    One pass that builds each cell's text once (joining the words of that cell, not re-joining the whole
    line at every cell), and segments built positionally.
    """
    cell_gap, overprint, touching, sized_gap, size_step = CELL_GAP, OVERPRINT, TOUCHING, SIZED_GAP, SIZE_STEP
    overprinted = False
    row_words = iter(row)
    text, left, bottom, right, top = next(row_words)
    previous_right = right
    previous_height = top - bottom
    previous_baseline = bottom + BASELINE_RISE * previous_height
    # The first word of a cell sets its box; a cell's height is at least 0.0.
    cell_left, cell_bottom, cell_right, cell_top = left, bottom, right, top
    cell_height = previous_height if previous_height > 0.0 else 0.0
    cell_start = 0
    offset = len(text)
    spans = [(0, offset, (left, bottom, right, top))]
    texts = [text]  # the words of the current cell
    cells: list[str] | None = None  # the texts of the finished cells, if any
    segments: list[Segment] = []
    for text, left, bottom, right, top in row_words:
        height = top - bottom
        # the smaller word's height, unless it has none (a font without ascent or descent)
        scale = height if height < previous_height else previous_height
        if scale <= 1.0:
            scale = height if height > previous_height else previous_height
        if not scale > 1.0:  # also NaN
            scale = 1.0
        gap = left - previous_right
        offset += 1  # the separator: a tab between cells, a space within one
        if gap < -overprint * scale:
            overprinted = True
        # Type of another size set against a word, closer than a space would put it, is another string drawn
        # there (a large amount touching a small label: `$14,634.92 TO`); a space apart, it goes on the phrase;
        # further, it is another cell (SIZED_GAP). Off the word before's baseline, any word is (OFF_BASELINE).
        baseline = bottom + BASELINE_RISE * height
        if (
            gap > cell_gap * scale
            or (gap < touching * scale and other_size(height, previous_height))
            or (gap > sized_gap * scale and other_size(height, previous_height, size_step))
            or (abs(baseline - previous_baseline) > OFF_BASELINE * scale and height > 1.0 and previous_height > 1.0)
        ):
            cell_text = " ".join(texts)
            segments.append(Segment(cell_text, (cell_left, cell_bottom, cell_right, cell_top), cell_height, cell_start))
            if cells is None:
                cells = [cell_text]
            else:
                cells.append(cell_text)
            texts = [text]
            cell_start = offset
            cell_left, cell_bottom, cell_right, cell_top = left, bottom, right, top
            cell_height = height if height > 0.0 else 0.0
        else:
            texts.append(text)
            if bottom < cell_bottom:
                cell_bottom = bottom
            if top > cell_top:
                cell_top = top
            if right > cell_right:
                cell_right = right
            if height > cell_height:
                cell_height = height
        end = offset + len(text)
        spans.append((offset, end, (left, bottom, right, top)))
        offset = end
        previous_right = right
        previous_height = height
        previous_baseline = baseline
    cell_text = " ".join(texts)
    segments.append(Segment(cell_text, (cell_left, cell_bottom, cell_right, cell_top), cell_height, cell_start))
    if cells is None:
        return Line(page, cell_text, segments, spans), overprinted
    cells.append(cell_text)
    return Line(page, "\t".join(cells), segments, spans), overprinted


def _scale(before: Word, word: Word) -> float:
    """The smaller of two words' heights, unless it has none, as _row_line measures a gap against."""
    height, previous_height = word[4] - word[2], before[4] - before[2]
    scale = height if height < previous_height else previous_height
    if scale <= 1.0:
        scale = height if height > previous_height else previous_height
    return scale if scale > 1.0 else 1.0


def _overlaps(before: Word, word: Word) -> bool:
    """`word` starts well inside `before` (by OVERPRINT of the smaller height, as _row_line measures)."""
    return word[1] - before[3] < -OVERPRINT * _scale(before, word)


def _next_in_string(before: Word, word: Word) -> bool:
    """`word` goes on from `before` in one cell: starting where it ended or further right, not a cell gap away."""
    gap, scale = word[1] - before[3], _scale(before, word)
    return -OVERPRINT * scale <= gap <= CELL_GAP * scale


def _drawn_strings(
    row: list[Word], drawing_order: dict[int, int], repeated: frozenset[Word] = frozenset()
) -> list[list[Word]]:
    """An overprinted row as the strings that were drawn, left to right: each a cell of its own where it
    overlaps the one before (`CUSTOMER ACCOUNT NO.` drawn over `1 6663 4936`), and a string drawn twice in
    the same place (bold made by overprinting) kept once. Words drawn one after another, each going on from
    the last in one cell, are one string; strings that do not overlap are joined, to be cut at wide gaps as
    any row is.

    A string ends at a cell gap too: pdfium's order is not always the drawing order (on a page drawn upside
    down it gives a line's words right to left in the reader's frame), and a string running on across a gap
    would carry a value past the label drawn over it (`Your account number` over `A-23B33C38`).

    A string whose words are all `repeated` (printed the same at the same place on another page) is left out where
    others remain: a footer a browser prints on every page (`position: fixed`) drawn over the page's last lines, as
    a cell before them (`Sandhill Rural Electric ... for your records. | Current read | 75,932`), lost the meter's
    current read in a bill loaded as ok (web-113-0059). It is read on the pages where it stands clear."""
    runs: list[list[Word]] = []
    for word in sorted(row, key=lambda word: drawing_order[id(word)]):
        if runs and _next_in_string(runs[-1][-1], word):
            runs[-1].append(word)
        else:
            runs.append([word])
    if repeated and (own := [run for run in runs if not all(_place(word) in repeated for word in run)]):
        runs = own
    runs.sort(key=lambda run: run[0][1])
    strings: list[list[Word]] = []
    # Where the last run kept of each text starts: runs come by where they start, so a run drawn again within a
    # point of one kept is within a point of the last one kept of its text (a dict, not a search: a hostile row
    # holds thousands of runs).
    kept: dict[tuple[str, ...], float] = {}
    reach: Word | None = None  # the word of the last string that ends furthest right
    for run in runs:
        texts, start = tuple(word[0] for word in run), run[0][1]
        if texts in kept and start - kept[texts] < 1.0:
            continue  # one string drawn twice in the same place (bold made by overprinting)
        kept[texts] = start
        if reach is not None and not _overlaps(reach, run[0]):
            strings[-1].extend(run)
        else:
            strings.append(list(run))
            reach = None
        widest = max(run, key=itemgetter(3))
        if reach is None or widest[3] > reach[3]:
            reach = widest
    return [sorted(string, key=_by_left) for string in strings]


def _place(word: Word) -> Word:
    """A word with its box to a tenth of a point: where it stands, to find it on another page."""
    text, left, bottom, right, top = word
    return (text, round(left, 1), round(bottom, 1), round(right, 1), round(top, 1))


def repeated_words(pages: list[list[Word]]) -> Callable[[], frozenset[Word]]:
    """The words (by _place) printed the same at the same place on two pages or more, found when first asked for."""
    if len(pages) < 2:
        return frozenset

    @cache
    def repeated() -> frozenset[Word]:
        seen: set[Word] = set()
        twice: set[Word] = set()
        for words in pages:
            places = {_place(word) for word in words}
            twice |= places & seen
            seen |= places
        return frozenset(twice)

    return repeated


def joined(parts: list[Line]) -> Line:
    """The lines (a row's strings, a table row's cells) as one line, a cell break between each."""
    segments: list[Segment] = []
    spans: list[tuple[int, int, BBox]] = []
    offset = 0
    for part in parts:
        segments += [Segment(s.text, s.bbox, s.height, s.start + offset) for s in part.segments]
        spans += [(start + offset, end + offset, box) for start, end, box in part.words]
        offset += len(part.text) + 1
    return Line(parts[0].page, "\t".join(part.text for part in parts), segments, spans)


UP, DOWN = 90, -90  # text that reads up the page (drawn turned a quarter counter-clockwise), or down it
UPSIDE_DOWN = 180  # text that reads right to left, its lines going up the page: drawn turned a half
_SAMPLE = 24  # words looked at to tell whether a page's text runs sideways or upside down


def _turn(words: list[Word]) -> int | None:
    """UP or DOWN when most of a page's words run sideways (a landscape bill drawn turned on a portrait page,
    shown upright by the page's /Rotate), UPSIDE_DOWN when they read right to left, else None. Sideways words
    of four or more characters are taller than wide, even a few degrees off level (one of three, `609` or `Aug`
    in a chart, is not); which way they read is told by each word's successor in reading order, above or below
    it."""
    step = max(1, len(words) // _SAMPLE)
    sampled = [word for word in words[::step] if len(word[0]) >= 4]
    sideways = sum(1 for _, left, bottom, right, top in sampled if top - bottom > 1.3 * (right - left))
    if not sampled:
        return None
    if 2 * sideways <= len(sampled):
        return UPSIDE_DOWN if _reads_right_to_left(words, step) else None
    up = down = 0
    for before, word in pairwise(words):
        if abs(word[1] - before[1]) > 0.5 * (before[3] - before[1]):
            continue  # another column of text, not the same line
        if word[2] >= before[4] - 1.0:
            up += 1
        elif word[4] <= before[2] + 1.0:
            down += 1
    if up == down:
        return None
    return UP if up > down else DOWN


def _reads_right_to_left(words: list[Word], step: int) -> bool:
    """Whether, of words that follow each other close on one line (sampled every `step`), most stand left of
    the word before them: pdfium reads an upside-down page's words in their own order, right to left."""
    forward = backward = 0
    for index in range(0, min(len(words) - 1, step * _SAMPLE), step):  # _SAMPLE pairs at most
        before, word = words[index], words[index + 1]
        if word[2] >= before[4] or word[4] <= before[2]:
            continue  # not on the same line
        close = 2.0 * (word[4] - word[2])  # a word space, not a gap between cells
        if -1.0 <= word[1] - before[3] <= close:
            forward += 1
            if 3 * forward > _SAMPLE:
                return False  # an upright page: the other pairs could not outnumber these twice over
        elif -1.0 <= before[1] - word[3] <= close:
            backward += 1
    return backward >= 3 and backward > 2 * forward


_UNDOING = {UP: DOWN, DOWN: UP, UPSIDE_DOWN: UPSIDE_DOWN}  # the turn that takes a turned frame back


def _turn_box(box: BBox, turn: int) -> BBox:
    """`box` in the frame of a page read turned by `turn`: (x, y) -> (y, -x) for UP, (-y, x) for DOWN and
    (-x, -y) for UPSIDE_DOWN."""
    left, bottom, right, top = box
    if turn == UPSIDE_DOWN:
        return (0.0 - right, 0.0 - top, 0.0 - left, 0.0 - bottom)
    if turn == UP:
        return (bottom, 0.0 - right, top, 0.0 - left)
    return (0.0 - top, left, 0.0 - bottom, right)


def _turned(words: list[Word], turn: int) -> list[Word]:
    return [(text, *_turn_box((left, bottom, right, top), turn)) for text, left, bottom, right, top in words]


LEVEL = 0.004  # a slope under this (a quarter of a degree) is read as it is: lines are found within it
STEEPEST = 0.1  # nor is one over this (about six degrees): no bill's text layer is printed so far off level
# Read levelled up to this, and to review past it: tilted up to ±5° (892 of them to ±5.5°), no bill of 1,890 loaded
# a value read otherwise than on its level page, once words pdfium runs over two lines are split into their lines'
# parts and long words keep their type's height; a margin is kept below that.
READABLE_SKEW = math.radians(4.0)
_SLOPES = 32  # pairs of words enough to tell a page's slope (a whole page is scanned at one angle)
_FEW_SLOPES = 3  # pairs enough to confirm another page's slope


def _skew(words: list[Word], known: float = 0.0) -> float:
    """The angle (radians) a page's lines climb at, when they are not level (a scanned bill's text layer, set
    where a skewed scan put each word), else 0.0. Read from the centres of words that follow each other on
    a line, whose slopes then agree; a level page's mixed type gives slopes scattered about zero. A page
    with too few such pairs to tell (a sparse second page) takes `known`, another page's angle, when each
    of at least three of its pairs agrees with it."""
    slopes: list[float] = []
    level = 0  # pairs on exactly one baseline: eight of them and the page is level
    for before, word in pairwise(words):
        if before[2] == word[2] and before[4] == word[4] and word[1] > before[1]:
            level += 1
            if level == 8:
                return 0.0
            continue
        height = min(before[4] - before[2], word[4] - word[2])
        gap = word[1] - before[3]
        if not (height > 1.0 and -0.5 * height <= gap <= 3.0 * height):
            continue  # not the next word of the same line
        rise = (word[2] + word[4]) - (before[2] + before[4])
        run = (word[1] + word[3]) - (before[1] + before[3])
        if run > 0.0 and abs(rise) < height:
            slopes.append(rise / run)
            if len(slopes) == _SLOPES:
                break
    if len(slopes) < 8:
        if known and len(slopes) >= _FEW_SLOPES:
            slope = math.tan(known)
            if all(abs(other - slope) <= max(0.002, 0.35 * abs(slope)) for other in slopes):
                return known
        return 0.0
    slopes.sort()
    median = slopes[len(slopes) // 2]
    if not LEVEL <= abs(median) <= STEEPEST:
        return 0.0
    tolerance = max(0.002, 0.35 * abs(median))
    if 2 * sum(1 for slope in slopes if abs(slope - median) <= tolerance) < len(slopes):
        return 0.0
    return math.atan(median)


def _levelled(words: list[Word], angle: float) -> list[Word]:
    """The words turned back by `angle` about the origin, each box the word's own (not the box around it
    turned): from a box around a turned word, its width and height are recovered.

    A box that is no turned rectangle (a level stamp on a tilted scan) keeps at least 0.3 of its size, less
    what the other side climbs across it: not of the box itself, which for a long word is mostly that climb
    (a 400-point leader of dots 4° off level has a box 39 points high, of type 10.5 high)."""
    cos, sin = math.cos(angle), math.sin(angle)
    skew, stretch = abs(sin), cos * cos - sin * sin
    levelled: list[Word] = []
    for text, left, bottom, right, top in words:
        x, y = (left + right) / 2, (bottom + top) / 2
        width, height = right - left, top - bottom
        half_width = max((width * cos - height * skew) / stretch, 0.3 * _less_climb(width, height * skew)) / 2
        half_height = max((height * cos - width * skew) / stretch, 0.3 * _less_climb(height, width * skew)) / 2
        x, y = x * cos + y * sin, y * cos - x * sin
        levelled.append((text, x - half_width, y - half_height, x + half_width, y + half_height))
    return levelled


def _less_climb(size: float, climb: float) -> float:
    """A turned box's side less the other side's climb across it, or the side itself where the climb is more."""
    return size - climb if size > climb else size


def oriented(pages: list[list[Word]]) -> list[tuple[list[Word], int | None, float]]:
    """Each page's words turned upright and levelled, with the turn (None when upright) and the angle (0.0
    when level) they were read at. A page too sparse to measure its own angle is checked against the median
    of the others' (the pages of one scan)."""
    turns = [_turn(words) for words in pages]
    upright = [words if turn is None else _turned(words, turn) for words, turn in zip(pages, turns, strict=True)]
    angles = [_skew(words) for words in upright]
    if measured := sorted(angle for angle in angles if angle):
        known = measured[len(measured) // 2]
        angles = [angle or _skew(words, known) for words, angle in zip(upright, angles, strict=True)]
    return [
        (_levelled(words, angle) if angle else words, turn, angle)
        for words, turn, angle in zip(upright, turns, angles, strict=True)
    ]


# A word in type this many times the page's middle height, over the middles of this many other words, is laid over
# the page's lines (a watermark set level across the page, a stamp): no part of them.
LAID_OVER_HEIGHT = 3.0
LAID_OVER_WORDS = 2
# More words than this in such type are the page's own large print: no watermark holds so many, and each is checked
# against every word of the page (a hostile page of thousands would cost seconds).
LAID_OVER_MOST = 60
# What a stamp says of the document when it is no bill to load: void, cancelled, a sample or a draft.
NOT_A_BILL = r"VOID(?:ED)?|CANCELL?ED|SAMPLE|SPECIMEN|DRAFT|NOT\s+A\s+(?:VALID\s+)?BILL"
# What a watermark or a stamp says, in capitals: in such type it is one wherever it stands, over the lines or between.
STAMP_WORD = re.compile(rf"DUPLICATE|COPY|REPRINT(?:ED)?|PAID|{NOT_A_BILL}")
MOST_NAMED = 40  # the words set aside that a page's reading names (pdf_worker.MOST_SET_ASIDE)


def without_laid_over(words: list[Word]) -> tuple[list[Word], list[str]]:
    """A page's words (as read upright and level: a sideways page's boxes are as tall as its words are long) without
    those laid over its lines (_laid_over), and those words' texts."""
    if not (found := _laid_over(words)):
        return words, []
    return [word for index, word in enumerate(words) if index not in found], [
        words[index][0] for index in sorted(found)
    ]


def _laid_over(words: list[Word]) -> set[int]:
    """The words (by index) laid over the page's lines: a watermark set level (`SAMPLE` in 100-point type across the
    middle). Read as words, one named the utility (the largest type) and joined the lines it crossed, which lost a
    charge's quantity or a meter's commodity in bills loaded as ok. Text never stands over other text otherwise:
    a large heading or amount due stands clear of its neighbours. A stamp's word (STAMP_WORD) in such type is one
    where it falls between the lines too."""
    if len(words) <= LAID_OVER_WORDS:
        return set()
    heights = sorted(word[4] - word[2] for word in words)
    tall = LAID_OVER_HEIGHT * heights[len(heights) // 2]
    if not 0.0 < tall <= heights[-1]:
        return set()
    big = [index for index, word in enumerate(words) if word[4] - word[2] >= tall]
    if len(big) > LAID_OVER_MOST:
        return set()
    laid_over: set[int] = set()
    for index in big:
        text, left, bottom, right, top = words[index]
        if STAMP_WORD.fullmatch(text):
            laid_over.add(index)
            continue
        under = 0
        for _, other_left, other_bottom, other_right, other_top in words:
            if other_top - other_bottom < tall:
                x, y = (other_left + other_right) / 2, (other_bottom + other_top) / 2
                if left < x < right and bottom < y < top:
                    under += 1
                    if under == LAID_OVER_WORDS:
                        laid_over.add(index)
                        break
    # the rest of a stamp's line in its type (the `A` of `NOT A BILL`, between the lines under it)
    return laid_over | {index for index in big if any(_same_line(words[index], words[other]) for other in laid_over)}


def _same_line(one: Word, other: Word) -> bool:
    return abs((one[2] + one[4]) - (other[2] + other[4])) / 2 < SAME_LINE * min(one[4] - one[2], other[4] - other[2])


def build_document(
    pages: list[list[Word]],
    page_count: int,
    joined: list[list[int]] | None = None,
    cut: list[int] | None = None,
    unreadable: list[int] | None = None,
    damaged: list[int] | None = None,
    set_aside: list[list[str]] | None = None,
) -> Document:
    """The pages' lines; `joined` holds, per page, the indices of its words pdfium ran over two lines, `cut` the pages
    whose text the reader cut at its limit, `unreadable` those it could not load, `damaged` the objects whose streams
    do not decode whole, `set_aside` per page the words left out for running another way than its lines (with those
    laid over them, without_laid_over)."""
    document = Document(
        lines=[],
        page_count=page_count,
        set_aside={page: list(words) for page, words in enumerate(set_aside or [], start=1) if words},
        cut_pages=list(cut or []),
        unreadable_pages=list(unreadable or []),
        damaged_streams=list(damaged or []),
    )
    document.run_together = {
        page: [pages[page - 1][index][0] for index in indices]
        for page, indices in enumerate(joined or [], start=1)
        if indices
    }
    kept: list[list[Word]] = []
    for page, (upright, turn, angle) in enumerate(oriented(pages), start=1):
        if turn is not None:
            document.turns[page] = turn
        if angle:
            document.skews[page] = angle
        upright, laid_over = without_laid_over(upright)
        if laid_over:
            named = document.set_aside.setdefault(page, [])
            named += laid_over[: max(MOST_NAMED - len(named), 0)]
        kept.append(upright)
    repeated = repeated_words(kept)
    for page, upright in enumerate(kept, start=1):
        document.lines.extend(page_lines(upright, page, repeated))
    return document
