"""Running the transfer commands in the test process, and comparing tours read from two instances."""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command

from tests.live import manage


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_command(name: str, *args: str) -> Run:
    """The command as `manage.py` would run it here: its exit code, stdout and stderr."""
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return Run(code=code, stdout=out.getvalue(), stderr=err.getvalue())


def import_posthog(source, project, *extra: str) -> Run:
    return run_command(
        "import_posthog",
        "--host", source.url,
        "--personal-api-key", source.key,
        "--source-project", str(source.project_id),
        "--project", str(project.id),
        *extra,
    )  # fmt: skip


def bootstrap_account(env: dict, *, project: str, scopes: tuple[str, ...] = ()) -> dict:
    args = ["bootstrap", "--email", "source@example.com", "--organization", "Source org", "--project", project]
    if scopes:
        args += ["--scopes", *scopes]
    return json.loads(manage(env, *args, "--json"))


def summary(created=0, updated=0, unchanged=0, failed=0, flags=(0, 0, 0), errors=()) -> dict:
    return {
        "tours": {"created": created, "updated": updated, "unchanged": unchanged, "failed": failed},
        "flags": {"created": flags[0], "updated": flags[1], "unchanged": flags[2]},
        "errors": list(errors),
    }


# --- comparing API reads across instances -------------------------------------------------------

# What is the instance's own and never equal across instances: row ids of flags, the random suffix of
# an internal flag's key, version counters, who and when wrote last here.
FLAG_LOCAL_KEYS = ("id", "team_id", "version")
SURVEY_LINK_KEYS = ("linkedSurveyId", "linkedSurveyQuestionId")


def _steps_without_survey_ids(content):
    if not isinstance(content, dict) or not isinstance(content.get("steps"), list):
        return content
    steps = []
    for step in content["steps"]:
        if isinstance(step, dict) and step.get("linkedSurveyId"):
            step = {**{k: v for k, v in step.items() if k not in SURVEY_LINK_KEYS}, "linkedSurvey": "<local survey>"}
        steps.append(step)
    return {**content, "steps": steps}


def _dependencies_by_key(filters: dict, flag_key_of: Callable[[int], str]) -> dict:
    for group in filters.get("groups", []):
        for prop in group.get("properties") or []:
            if prop.get("type") == "flag":
                prop["key"] = flag_key_of(int(prop["key"]))
    return filters


def comparable(tour: dict, flag_key_of: Callable[[int], str]) -> dict:
    """A tour as the API reads it, minus what belongs to the instance (see above); ids of flags are
    replaced by their keys, survey links by a marker (each instance has its own surveys)."""
    tour = copy.deepcopy(tour)
    for key in ("updated_at", "created_by"):
        tour.pop(key)
    for name in ("internal_targeting_flag", "linked_flag"):
        flag = tour[name]
        if flag is not None:
            for key in FLAG_LOCAL_KEYS:
                flag.pop(key)
            if name == "internal_targeting_flag":
                flag["key"] = flag["key"].rsplit("-", 1)[0] + "-<random>"
            flag["filters"] = _dependencies_by_key(flag["filters"], flag_key_of)
    tour["content"] = _steps_without_survey_ids(tour["content"])
    draft = tour["draft_content"]
    if isinstance(draft, dict):
        if draft.get("linked_flag_id") is not None:
            draft["linked_flag_id"] = flag_key_of(draft["linked_flag_id"])
        draft["content"] = _steps_without_survey_ids(draft.get("content"))
    return tour
