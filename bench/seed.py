"""Benchmark data, written fast: `bootstrap --json` for the account and key, `bulk_create` for the rest.

Tours look like real ones (three element steps, appearance, conditions with a wait period, distinct
`created_at`); launched auto-launch tours get an internal targeting flag whose filters come from the
tours services' own pure builder (`targeting_filters_build`), so the SDK payload and the nested flag
serialisation cost what they cost in production.
"""

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from accounts.models import Project, User
from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.services.targeting import targeting_filters_build, targeting_flag_key, targeting_flag_name

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000

AREAS = (
    "billing", "invoices", "dashboards", "reports", "exports", "integrations", "notifications", "team settings",
    "permissions", "api keys", "webhooks", "analytics", "funnels", "retention", "cohorts", "surveys",
    "experiments", "feature flags", "session replay", "heatmaps", "alerts", "annotations", "data warehouse",
    "pipelines", "destinations", "onboarding checklist", "profile", "security", "audit log", "sso",
    "calendar", "kanban board", "timeline", "comments", "file uploads", "search", "templates", "workflows",
    "mobile app", "checkout",
)  # fmt: skip
KINDS = ("onboarding", "walkthrough", "announcement", "tips", "setup guide", "what's new", "deep dive")


@dataclass
class Seeded:
    user_id: int
    organization_id: str
    key: str  # personal API key, scopes ["*"]
    bootstrap_command: list[str]
    projects: dict[str, dict] = field(default_factory=dict)  # label -> {id, token, tours, tour_ids}


def _content(i: int, area: str) -> dict:
    slug = area.replace(" ", "-")
    steps = []
    for n, (title, action) in enumerate(
        (("Welcome", "next_step"), ("Where things are", "next_step"), ("Done", "dismiss"))
    ):
        steps.append(
            {
                "id": f"step-{i}-{n}",
                "type": "element",
                "selector": f"#{slug}-panel .step-{n} button.primary",
                "useManualSelector": True,
                "progressionTrigger": "button",
                "title": f"{title}: {area}",
                "content": {
                    "type": "doc",
                    "content": [
                        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": f"{title}"}]},
                        {
                            "type": "paragraph",
                            "content": [
                                {"type": "text", "text": f"This is where you manage {area}. Step {n + 1} of 3."}
                            ],
                        },
                    ],
                },
                "buttons": {
                    "primary": {"text": "Next", "action": action},
                    "secondary": {"text": "Skip", "action": "dismiss"},
                },
                "position": "bottom",
                "maxWidth": 320,
            }
        )
    return {
        "type": "tour",
        "steps": steps,
        "appearance": {
            "backgroundColor": "#ffffff",
            "textColor": "#1d1f27",
            "buttonColor": "#1d4aff",
            "borderRadius": 8,
            "showOverlay": True,
            "zIndex": 2147483000,
        },
        "conditions": {
            "url": f"/app/{slug}",
            "urlMatchType": "icontains",
            "seenTourWaitPeriod": {"days": 7, "types": ["tour", "announcement"]},
        },
        "displayFrequency": "until_interacted",
    }


def _user_groups(i: int) -> list[list[dict]]:
    return [[{"key": "email", "type": "person", "value": f"@customer{i % 13}.example", "operator": "icontains"}]]


@contextmanager
def _explicit_created_at():
    """Let bulk_create keep the spread-out `created_at` we set (auto_now_add would stamp one instant)."""
    created = ProductTour._meta.get_field("created_at")
    created.auto_now_add = False
    try:
        yield
    finally:
        created.auto_now_add = True


def tours_create(*, project: Project, user: User, count: int, launched: int, name_prefix: str = "") -> list[str]:
    """`count` tours; the first `launched` are launched auto-launch tours with an internal flag."""
    now = datetime.now(UTC)
    ids: list[str] = []
    for start in range(0, count, BATCH):
        tours, flags = [], []
        for i in range(start, min(count, start + BATCH)):
            area, other, kind = AREAS[i % len(AREAS)], AREAS[(i * 7 + 3) % len(AREAS)], KINDS[i % len(KINDS)]
            name = f"{name_prefix}{area.capitalize()} {kind} #{i}"
            tour_id = uuid.uuid4()
            content = _content(i, area)
            is_launched = i < launched
            flag = None
            if is_launched:
                flag = FeatureFlag(
                    project=project,
                    key=targeting_flag_key(name),
                    name=targeting_flag_name(name),
                    filters=targeting_filters_build(tour_id=str(tour_id), content=content, user_groups=_user_groups(i)),
                    active=True,
                    version=1,
                    created_by=user,
                    last_modified_by=user,
                )
                flags.append(flag)
            tours.append(
                ProductTour(
                    id=tour_id,
                    project=project,
                    name=name,
                    description=f"Shows new users how to use {area} and {other} ({kind}), in three steps.",
                    content=content,
                    auto_launch=is_launched,
                    start_date=now - timedelta(days=1) if is_launched else None,
                    internal_targeting_flag=flag,
                    created_by=user,
                    created_at=now - timedelta(minutes=count - i),
                )
            )
            ids.append(str(tour_id))
        FeatureFlag.objects.bulk_create(flags)  # sets ids (RETURNING on both databases)
        with _explicit_created_at():
            ProductTour.objects.bulk_create(tours)
    return ids


def bootstrap(*, env: dict) -> tuple[dict, list[str]]:
    command = [
        sys.executable, "manage.py", "bootstrap", "--email", "bench@example.com",
        "--organization", "Bench", "--project", "Bench: public SDK", "--json",
    ]  # fmt: skip
    out = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout), command


def seed(*, plan: dict[str, tuple[int, int]]) -> Seeded:
    """`plan`: label -> (tours, launched). The bootstrap project holds the first label's tours."""
    account, command = bootstrap(env=dict(os.environ))
    user = User.objects.get(pk=account["user_id"])
    seeded = Seeded(
        user_id=user.pk,
        organization_id=account["organization_id"],
        key=account["personal_api_key"],
        bootstrap_command=command,
    )
    for n, (label, (count, launched)) in enumerate(plan.items()):
        if n == 0:
            project = Project.objects.get(pk=account["project_id"])
        else:
            project = Project.objects.create(organization_id=account["organization_id"], name=f"Bench: {label}")
        ids = tours_create(project=project, user=user, count=count, launched=launched)
        seeded.projects[label] = {"id": project.pk, "token": project.api_token, "tours": count, "tour_ids": ids}
    return seeded
