"""Import progress on stderr: a bar redrawn in place on a terminal, one line per tour otherwise
(logs, CI). Failures always get a line of their own."""

from typing import Protocol

from tours.services.transfer.report import FAILED, TourOutcome

BAR_WIDTH = 30
CLEAR_LINE = "\r\x1b[2K"


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class StderrProgress:
    def __init__(self, stream: Writable):
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._total = 0
        self._done = 0
        self._drawing = False

    def note(self, message: str) -> None:
        self._line(message)

    def start(self, total: int) -> None:
        self._total, self._done = total, 0
        if self._tty and total:
            self._drawing = True
            self._draw()

    def advance(self, *, tour_id: str | None, name: str | None, outcome: TourOutcome) -> None:
        self._done += 1
        label = f"{tour_id} {name!r}" if name is not None else str(tour_id)
        detail = f": {outcome.detail}" if outcome.detail else ""
        if not self._tty:
            self._line(f"[{self._done}/{self._total}] {outcome.status} {label}{detail}")
            return
        if outcome.status == FAILED:
            self._line(f"failed {label}{detail}")  # redraws the bar below it
        else:
            self._draw()

    def finish(self) -> None:
        if self._drawing:
            self._write("\n")
            self._drawing = False

    def _draw(self) -> None:
        filled = BAR_WIDTH * self._done // self._total if self._total else BAR_WIDTH
        self._write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self._done}/{self._total} tours")

    def _line(self, text: str) -> None:
        if self._drawing:
            self._write(CLEAR_LINE)
        self._write(text + "\n")
        if self._drawing:
            self._draw()

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()
