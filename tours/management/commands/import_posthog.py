import os
import re

from django.core.management.base import BaseCommand

from tours.management.progress import StderrProgress
from tours.management.transfer import command_fail, import_run
from tours.services.transfer.posthog_client import PostHogClient, host_normalize
from tours.services.transfer.sources import PostHogSource

KEY_VARIABLE = "POSTHOG_PERSONAL_API_KEY"
PROJECT_ID_RE = re.compile(r"^(\d+|@current)$")


class Command(BaseCommand):
    help = (
        "Copy a PostHog project's product tours (with their ids, drafts, targeting and linked feature flags) "
        "into a project here, through PostHog's REST API. Re-running changes only what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", required=True, help="PostHog's address, e.g. https://us.posthog.com")
        parser.add_argument(
            "--personal-api-key",
            default=os.environ.get(KEY_VARIABLE),
            help=f"A personal API key with product_tour:read and feature_flag:read (default: ${KEY_VARIABLE})",
        )
        parser.add_argument("--source-project", required=True, help="The PostHog project id (or @current)")
        parser.add_argument("--project", type=int, required=True, help="The project here that receives the tours")
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; report what would change")
        parser.add_argument("--json", action="store_true", help="Print the summary as one JSON object on stdout")

    def handle(self, *args, **options):
        if not options["personal_api_key"]:
            command_fail(self, f"a personal API key is needed: --personal-api-key or ${KEY_VARIABLE}")
        if not PROJECT_ID_RE.match(options["source_project"]):
            command_fail(self, f"--source-project must be a project id or @current, not {options['source_project']!r}")
        try:
            host = host_normalize(options["host"])
        except ValueError as error:
            command_fail(self, str(error))

        def source_open(progress: StderrProgress) -> PostHogSource:
            client = PostHogClient(host=host, personal_api_key=options["personal_api_key"], on_wait=progress.note)
            progress.note(f"Reading product tours of project {options['source_project']} from {client.host}")
            return PostHogSource(
                client=client,
                project_id=options["source_project"],
                on_page=lambda count: progress.note(f"  {count} tours read"),
            )

        import_run(
            self,
            project_id=options["project"],
            source_open=source_open,
            dry_run=options["dry_run"],
            as_json=options["json"],
        )
