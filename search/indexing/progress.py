"""Progress of an indexing run: files, bytes read of the bytes to read, and articles so far."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Progress

#: Called as ``progress(Progress(...))``: after each file, and while a large file (a feed) is read.
ProgressFn = Callable[[Progress], None]

#: A report while a file is read at most every this many bytes (or every 1/200 of the run's).
REPORT_EVERY_BYTES = 256 * 1024


class Meter:
    """Counts a run's progress and reports it to a :data:`ProgressFn`: while a file is read,
    each time another :data:`REPORT_EVERY_BYTES` (or 1/200 of the run's bytes, if less) are
    read, and after each file. ``bytes_done`` never goes back and never passes ``bytes_total``."""

    def __init__(
        self,
        report: ProgressFn | None,
        files_total: int,
        bytes_total: int,
        articles: Callable[[], int],
        files_done: int = 0,
    ) -> None:
        self._report = report
        self.files_total, self.bytes_total, self.files_done = files_total, bytes_total, files_done
        self._articles = articles
        self._finished_bytes = 0  # bytes of the files read to the end
        self._current_size = 0
        self._current_read = 0
        self._last_reported = -1
        self._step = max(1, min(REPORT_EVERY_BYTES, bytes_total // 200))

    @property
    def bytes_done(self) -> int:
        return min(self._finished_bytes + self._current_read, self.bytes_total)

    def start(self, size: int) -> None:
        """A file of ``size`` bytes is about to be read."""
        self._current_size, self._current_read = size, 0

    def read_to(self, position: int) -> None:
        """The file being read has been read up to byte ``position`` (of the file on disk)."""
        position = min(max(position, self._current_read), self._current_size)
        self._current_read = position
        if self._report is not None and self.bytes_done - self._last_reported >= self._step:
            self.emit()

    def file_done(self) -> None:
        self._finished_bytes += self._current_size
        self._current_size = self._current_read = 0
        self.files_done += 1
        self.emit()

    def emit(self) -> None:
        if self._report is None:
            return
        done = self.bytes_done
        self._last_reported = done
        self._report(Progress(self.files_done, self.files_total, done, self.bytes_total, self._articles()))
