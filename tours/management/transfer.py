"""What the three transfer commands share: exit codes, the local project, the summary they print.

Exit codes: 0 done; 1 at least one tour failed (the others were imported); 2 nothing was imported —
the source refused the key or could not be reached or read, or an argument is wrong. A code-2 failure
is one line on stderr, never a traceback.
"""

import json
from collections.abc import Callable
from typing import NoReturn

from django.core.management.base import BaseCommand, OutputWrapper

from accounts.models import Project
from tours.management.progress import StderrProgress
from tours.services.transfer.posthog_client import SourceError
from tours.services.transfer.report import ImportReport
from tours.services.transfer.run import tours_import
from tours.services.transfer.sources import Source

EXIT_TOUR_FAILED = 1
EXIT_FATAL = 2


class _Unstyled:
    """The command's stderr as a plain stream: no added line endings, no error colouring."""

    def __init__(self, wrapper: OutputWrapper):
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, style_func=lambda text: text, ending="")

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return self._wrapper.isatty()


def command_fail(command: BaseCommand, message: str) -> NoReturn:
    name = command.__module__.rsplit(".", 1)[-1]
    _Unstyled(command.stderr).write(f"{name}: {' '.join(message.split())}\n")
    raise SystemExit(EXIT_FATAL)


def project_get(command: BaseCommand, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        command_fail(command, f"project {project_id} does not exist here (--project)")
    return project


def import_run(
    command: BaseCommand,
    *,
    project_id: int,
    source_open: Callable[[StderrProgress], Source],
    dry_run: bool,
    as_json: bool,
) -> None:
    """Run an import into `project_id` and print its summary; exits 1 or 2 as documented above."""
    project = project_get(command, project_id)
    progress = StderrProgress(_Unstyled(command.stderr))
    try:
        report = tours_import(project=project, source=source_open(progress), dry_run=dry_run, progress=progress)
    except SourceError as error:
        progress.finish()
        command_fail(command, str(error))
    if as_json:
        command.stdout.write(json.dumps(report.as_json()))
    else:
        command.stdout.write(report_text(report, dry_run=dry_run))
    if report.has_failures:
        raise SystemExit(EXIT_TOUR_FAILED)


def report_text(report: ImportReport, *, dry_run: bool) -> str:
    tours, flags = report.tours, report.flags
    lines = ["Dry run: nothing was written; a real run would do this."] if dry_run else []
    lines.append(
        f"Product tours: {tours['created']} created, {tours['updated']} updated, "
        f"{tours['unchanged']} unchanged, {tours['failed']} failed"
    )
    lines.append(
        f"Feature flags: {flags['created']} created, {flags['updated']} updated, {flags['unchanged']} unchanged"
    )
    for error in report.errors:
        lines.append(f"Failed: {error.tour_id} {error.name!r}: {error.detail}")
    return "\n".join(lines)
