import sys

from django.core.management.base import BaseCommand

from tours.management.progress import StderrProgress
from tours.management.transfer import command_fail, import_run
from tours.services.transfer.sources import FileSource, export_document_read


class Command(BaseCommand):
    help = (
        "Import an export_tours file into a project here: tours keep their ids, linked feature flags are "
        "matched by key. Re-running changes only what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The export_tours file (- reads stdin)")
        parser.add_argument("--project", type=int, required=True, help="The project here that receives the tours")
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; report what would change")
        parser.add_argument("--json", action="store_true", help="Print the summary as one JSON object on stdout")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as file:
                    text = file.read()
        except OSError as error:
            command_fail(self, f"cannot read {path}: {error.strerror or error}")

        def source_open(progress: StderrProgress) -> FileSource:
            progress.note(f"Reading {path}")
            return export_document_read(text)

        import_run(
            self,
            project_id=options["project"],
            source_open=source_open,
            dry_run=options["dry_run"],
            as_json=options["json"],
        )
