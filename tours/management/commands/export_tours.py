import json
import os
import tempfile

from django.core.management.base import BaseCommand

from tours.management.transfer import command_fail, project_get
from tours.services.transfer.export import tours_export


class Command(BaseCommand):
    help = (
        'Write a project\'s product tours and the feature flags they link to as {"version": 1, "tours": [...], '
        '"flags": [...]} (tours as the REST API renders them); import_tours reads it back.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True)
        parser.add_argument("--output", default="-", metavar="FILE", help="Where to write (default: stdout)")

    def handle(self, *args, **options):
        project = project_get(self, options["project"])
        document = tours_export(project=project)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        output = options["output"]
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            try:
                _write_replacing(output, text)
            except OSError as error:
                command_fail(self, f"cannot write {output}: {error.strerror or error}")
        self.stderr.write(
            f"Exported {len(document['tours'])} product tours and {len(document['flags'])} feature flags"
            + ("" if output == "-" else f" to {output}"),
            style_func=lambda text: text,
        )


def _write_replacing(path: str, text: str) -> None:
    """Write next to `path`, then rename: a failed export never leaves half a file in its place."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
