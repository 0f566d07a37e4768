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
from bench.scenarios import KNOWN_PERSON, SITE_PERSON_FLAGS, SITE_TOURS, VISITORS
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
    """`plan`: label -> (tours, launched); the label "site" is the page-view site (`site_seed`). The
    bootstrap project holds the first label's data."""
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
        if label == "site":
            seeded.projects[label] = site_seed(project=project, user=user)
            continue
        ids = tours_create(project=project, user=user, count=count, launched=launched)
        seeded.projects[label] = {"id": project.pk, "token": project.api_token, "tours": count, "tour_ids": ids}
    return seeded


# --- the page-view site: what one end user's page view asks for ---------------------------------------

KNOWN_PROPERTIES = {
    "email": "ada@acme.example", "plan": "pro", "$browser": "Chrome", "seats": 25, "company": "Acme",
    "country": "FR", "$app_version": "1.4.2", "signup_date": "2026-01-15T10:00:00Z",
}  # fmt: skip


def _person_flag_filters(i: int) -> dict:
    """Twenty flags with person conditions, of the kinds teams write: texts, lists, regexes, numbers, dates,
    semver, rollouts, multivariate with payloads."""
    kind = i % 5
    if kind == 0:
        props = [{"key": "email", "type": "person", "value": f"@customer{i}.example", "operator": "icontains"}]
        return {"groups": [{"properties": props, "rollout_percentage": 100},
                           {"properties": [{"key": "email", "type": "person", "value": "@acme.example", "operator": "icontains"}],
                            "rollout_percentage": 30}]}  # fmt: skip
    if kind == 1:
        props = [{"key": "plan", "type": "person", "value": ["pro", "enterprise"], "operator": "exact"},
                 {"key": "seats", "type": "person", "value": "10", "operator": "gt"}]  # fmt: skip
        return {"groups": [{"properties": props, "rollout_percentage": 50}], "payloads": {"true": '{"limit": 100}'}}
    if kind == 2:
        props = [{"key": "$browser", "type": "person", "value": "^(Chrome|Firefox|Safari)$", "operator": "regex"},
                 {"key": "$app_version", "type": "person", "value": "1.2.0", "operator": "semver_gte"}]  # fmt: skip
        return {"groups": [{"properties": props, "rollout_percentage": 100}]}
    if kind == 3:
        props = [{"key": "signup_date", "type": "person", "value": "-365d", "operator": "is_date_after"},
                 {"key": "company", "type": "person", "operator": "is_set", "value": "is_set"}]  # fmt: skip
        return {"groups": [{"properties": props, "rollout_percentage": 80}]}
    props = [{"key": "country", "type": "person", "value": ["FR", "DE", "ES"], "operator": "exact"}]
    return {
        "groups": [{"properties": props, "rollout_percentage": 100}],
        "multivariate": {"variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]},
        "payloads": {"control": '"blue"', "test": '{"color": "green"}'},
    }  # fmt: skip


def site_seed(*, project: Project, user: User) -> dict:
    """The site: 10 launched tours (10 tour flags), 20 person flags, a known person, 32 visitors."""
    from flags.models import Person, PersonDistinctId

    tour_ids = tours_create(project=project, user=user, count=SITE_TOURS, launched=SITE_TOURS, name_prefix="Site ")
    FeatureFlag.objects.bulk_create(
        [
            FeatureFlag(project=project, key=f"site-flag-{i}", name=f"Site flag {i}", filters=_person_flag_filters(i),
                        active=True, version=1, created_by=user, last_modified_by=user)
            for i in range(SITE_PERSON_FLAGS)
        ]
    )  # fmt: skip
    people = [(KNOWN_PERSON, KNOWN_PROPERTIES)] + [
        (f"visitor-{i}", {**KNOWN_PROPERTIES, "email": f"visitor{i}@acme.example"}) for i in range(VISITORS)
    ]
    persons = Person.objects.bulk_create([Person(project=project, properties=props) for _, props in people])
    PersonDistinctId.objects.bulk_create(
        [PersonDistinctId(project=project, person=p, distinct_id=d) for p, (d, _) in zip(persons, people, strict=True)]
    )
    return {"id": project.pk, "token": project.api_token, "tours": SITE_TOURS, "tour_ids": tour_ids}
