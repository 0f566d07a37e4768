"""Progress on stderr: a bar redrawn in place on a terminal, one line per tour otherwise."""

import io

from tours.management.progress import StderrProgress
from tours.services.transfer.report import TourOutcome


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream) -> str:
    progress = StderrProgress(stream)
    progress.note("Read 2 product tours")
    progress.start(2)
    progress.advance(tour_id="t1", name="One", outcome=TourOutcome("created"))
    progress.advance(tour_id="t2", name="Two", outcome=TourOutcome("failed", "name: Taken."))
    progress.finish()
    return stream.getvalue()


def test_lines_when_not_a_terminal():
    assert _run(io.StringIO()).splitlines() == [
        "Read 2 product tours",
        "[1/2] created t1 'One'",
        "[2/2] failed t2 'Two': name: Taken.",
    ]


def test_a_bar_on_a_terminal_with_failures_on_lines_of_their_own():
    output = _run(Terminal())
    empty, half, full = "[" + "." * 30 + "] 0/2", "[" + "#" * 15 + "." * 15 + "] 1/2", "[" + "#" * 30 + "] 2/2"
    assert output == (
        f"Read 2 product tours\n\r{empty} tours\r{half} tours\r\x1b[2Kfailed t2 'Two': name: Taken.\n\r{full} tours\n"
    )
