import json

from django.core.management.base import BaseCommand, CommandError

from accounts.scopes import scope_is_valid
from accounts.services import account_bootstrap


class Command(BaseCommand):
    help = "Ensure a user, organization and project exist, then create a new personal API key."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--organization", default="Default organization")
        parser.add_argument("--project", default="Default project")
        parser.add_argument("--scopes", nargs="+", default=["*"], metavar="SCOPE")
        parser.add_argument("--scoped-project", nargs="+", type=int, default=[], metavar="ID", dest="scoped_projects")
        parser.add_argument("--password", default=None, help="Set a password (for the admin) when creating the user")
        parser.add_argument("--no-ai-approval", action="store_true", help="Do not approve AI data processing")
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout")

    def handle(self, *args, **options):
        bad = [s for s in options["scopes"] if not scope_is_valid(s)]
        if bad:
            raise CommandError(f"Invalid scope: {bad[0]}")
        result = account_bootstrap(
            email=options["email"],
            organization_name=options["organization"],
            project_name=options["project"],
            scopes=options["scopes"],
            scoped_projects=options["scoped_projects"],
            ai_approved=not options["no_ai_approval"],
            password=options["password"],
        )
        payload = {
            "user_id": result.user.id,
            "email": result.user.email,
            "organization_id": str(result.organization.id),
            "project_id": result.project.id,
            "project_api_token": result.project.api_token,
            "personal_api_key": result.api_key.value,
            "scopes": result.api_key.key.scopes,
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(
            "\n".join(
                [
                    f"User:              {payload['email']} (id {payload['user_id']})",
                    f"Organization:      {result.organization.name} ({payload['organization_id']})",
                    f"Project:           {result.project.name} (id {payload['project_id']})",
                    f"Project API token: {payload['project_api_token']}",
                    f"Personal API key:  {payload['personal_api_key']}  (scopes: {' '.join(payload['scopes'])})",
                ]
            )
        )
