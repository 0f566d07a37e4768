"""Events as posthog-js (1.449.2) sends them to `/e`: batches of events whose distinct id, token and
tour properties sit in `properties`, gzip-compressed (`compression=gzip-js`) or plain JSON."""

import gzip
import itertools
import json
import uuid

from django.test import Client

_sequence = itertools.count()


def event(name: str, distinct_id: str, timestamp: str | None, token: str, **properties) -> dict:
    body = {
        "uuid": str(uuid.uuid4()),
        "event": name,
        "properties": {
            "token": token,
            "distinct_id": distinct_id,
            "$lib": "web",
            "$lib_version": "1.449.2",
            "$session_id": f"session-{distinct_id}",
            **properties,
        },
    }
    if timestamp is not None:
        body["timestamp"] = timestamp
    return body


def tour_shown(tour: dict, who: str, at: str | None, token: str) -> dict:
    return event(
        "product tour shown",
        who,
        at,
        token,
        **{
            "$product_tour_id": tour["id"],
            "$product_tour_name": tour["name"],
            "$product_tour_iteration": 1,
            "$product_tour_render_reason": "auto",
            "$product_tour_type": "tour",
        },
    )


def step_event(kind: str, tour: dict, index: int, who: str, at: str | None, token: str) -> dict:
    step = tour["content"]["steps"][index]
    return event(
        f"product tour step {kind}",
        who,
        at,
        token,
        **{
            "$product_tour_id": tour["id"],
            "$product_tour_step_id": step["id"],
            "$product_tour_step_order": index,
            "$product_tour_step_type": step.get("type", "modal"),
        },
    )


def tour_completed(tour: dict, who: str, at: str | None, token: str) -> dict:
    steps = len(tour["content"]["steps"])
    return event(
        "product tour completed", who, at, token, **{"$product_tour_id": tour["id"], "$product_tour_steps_count": steps}
    )


def tour_dismissed(tour: dict, index: int, who: str, at: str | None, token: str, reason: str | None) -> dict:
    properties = {
        "$product_tour_id": tour["id"],
        "$product_tour_step_id": tour["content"]["steps"][index]["id"],
        "$product_tour_step_order": index,
    }
    if reason is not None:
        properties["$product_tour_dismiss_reason"] = reason
    return event("product tour dismissed", who, at, token, **properties)


def survey_sent(tour: dict, index: int, who: str, at: str | None, token: str, response) -> dict:
    """A survey step's answer: `$survey_response_<question id>` is left out when the answer is empty."""
    step = tour["content"]["steps"][index]
    question_id = step["linkedSurveyQuestionId"]
    properties = {
        "$survey_id": step["linkedSurveyId"],
        "$product_tour_id": tour["id"],
        "$survey_questions": [{"id": question_id, "question": step["survey"]["questionText"], "response": response}],
        "$survey_completed": True,
        "sessionRecordingUrl": None,
    }
    if response not in (None, ""):
        properties[f"$survey_response_{question_id}"] = response
    return event("survey sent", who, at, token, **properties)


def identify(user_id: str, anon_id: str, token: str) -> dict:
    return {
        **event("$identify", user_id, None, token, **{"$anon_distinct_id": anon_id}),
        "$set": {"email": f"{user_id}@example.com"},
    }


def create_alias(distinct_id: str, alias: str, token: str) -> dict:
    return event("$create_alias", distinct_id, None, token, alias=alias)


def send(client: Client, events: list[dict], *, compress: bool = True) -> None:
    """One batch to `/e`, as posthog-js sends it (gzip by default)."""
    text = json.dumps(events)
    query = f"ver=1.449.2&_={1_700_000_000_000 + next(_sequence)}"
    if compress:
        response = client.post(
            f"/e/?compression=gzip-js&{query}", gzip.compress(text.encode()), content_type="text/plain"
        )
    else:
        response = client.post(f"/e/?{query}", text, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert response.json() == {"status": 1}
