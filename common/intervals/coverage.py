"""Coverage of one series: contiguous runs of equal resolution, from which gaps, overlaps and
resolution changes follow — in memory proportional to the number of runs, never to the rows.

Rows may arrive in any order: a run list sorted by start is kept, a row or a whole regular block
extends the last run in O(1) in the usual case and is bisected in otherwise. ``gaps`` counts holes
between runs (the same as sorting rows and counting starts past the furthest end so far);
``overlaps`` counts rows that landed on already covered time, ``overlap_seconds`` how much.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

_LOCAL_DAY_LENGTHS = frozenset({82800, 86400, 90000})


@dataclass
class Coverage:
    starts: list[int] = field(default_factory=list)  # run starts, sorted
    ends: list[int] = field(default_factory=list)
    resolutions: list[int] = field(default_factory=list)
    overlaps: int = 0
    overlap_seconds: int = 0
    in_order: bool = True  # every row started at or after the previous one's start
    _last_start: int | None = None

    def add_run(self, start: int, duration: int, count: int) -> None:
        """``count`` contiguous rows of ``duration`` seconds from ``start`` (a regular block)."""
        if count <= 0:
            return
        end = start + duration * count
        if self._last_start is not None and start < self._last_start:
            self.in_order = False
        self._last_start = start + duration * (count - 1)
        if self.ends and start == self.ends[-1] and duration == self.resolutions[-1]:
            self.ends[-1] = end
            return
        if not self.ends or start >= self.ends[-1]:
            self.starts.append(start)
            self.ends.append(end)
            self.resolutions.append(duration)
            return
        if count == 1:
            self._insert(start, end, duration)
        else:
            for index in range(count):
                self._insert(start + duration * index, start + duration * (index + 1), duration)

    def add_rows(self, starts: list[int], durations: list[int]) -> None:
        for start, duration in zip(starts, durations, strict=True):
            self.add_run(start, duration, 1)

    def _insert(self, start: int, end: int, duration: int) -> None:
        index = bisect_right(self.starts, start)
        # Runs that intersect [start, end): the one before the insertion point and any after it.
        first = index - 1 if index and self.ends[index - 1] > start else index
        last = index
        while last < len(self.starts) and self.starts[last] < end:
            last += 1
        if first < last:
            covered = sum(min(end, self.ends[i]) - max(start, self.starts[i]) for i in range(first, last))
            self.overlaps += 1
            self.overlap_seconds += covered
            start = min(start, self.starts[first])
            end = max(end, self.ends[last - 1])
            duration = self.resolutions[first]
            del self.starts[first:last], self.ends[first:last], self.resolutions[first:last]
            index = first
        self.starts.insert(index, start)
        self.ends.insert(index, end)
        self.resolutions.insert(index, duration)
        self._merge_around(index)

    def _merge_around(self, index: int) -> None:
        for i in (index, index - 1):
            if 0 <= i < len(self.starts) - 1 and self.ends[i] == self.starts[i + 1]:
                if self.resolutions[i] == self.resolutions[i + 1]:
                    self.ends[i] = self.ends[i + 1]
                    del self.starts[i + 1], self.ends[i + 1], self.resolutions[i + 1]

    @property
    def first_start(self) -> int:
        return self.starts[0]

    @property
    def last_end(self) -> int:
        return self.ends[-1]

    def gaps(self) -> list[tuple[int, int]]:
        return [
            (self.ends[i], self.starts[i + 1]) for i in range(len(self.starts) - 1) if self.starts[i + 1] > self.ends[i]
        ]

    def resolution_changes(self) -> list[tuple[int, int, int]]:
        """(instant, from seconds, to seconds) wherever adjacent runs differ in resolution.

        Daily rows of 23, 24 and 25 hours are one resolution: a local day across a DST change.
        """
        return [
            (self.starts[i + 1], self.resolutions[i], self.resolutions[i + 1])
            for i in range(len(self.starts) - 1)
            if self.resolutions[i] != self.resolutions[i + 1]
            and not {self.resolutions[i], self.resolutions[i + 1]} <= _LOCAL_DAY_LENGTHS
        ]

    def spans(self) -> list[tuple[int, int, int]]:
        """(start, end, resolution) runs, merged across equal-resolution touching neighbours."""
        return list(zip(self.starts, self.ends, self.resolutions, strict=True))
