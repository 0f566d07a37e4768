"""Answers in `survey sent` events, as posthog-js sends them: `$survey_response_<question id>` (the first
question also as `$survey_response` from older SDKs, and every answer in `$survey_questions`). Pure."""

import json
import re
from typing import Any

RESPONSE_KEY = "$survey_response"
INTEGRAL = re.compile(r"(-?\d+)(?:\.0+)?")


def survey_answer_keys(*, question_id: str | None, index: int) -> list[str]:
    """The properties that may hold the answer to a question, in the order they are read."""
    keys = [f"{RESPONSE_KEY}_{question_id}"] if question_id else []
    return [*keys, RESPONSE_KEY] if index == 0 else keys


def survey_answer(*, properties: dict, question_id: str | None, index: int) -> Any:
    """The answer to one question of the survey in one event's properties; None when not answered."""
    for key in survey_answer_keys(question_id=question_id, index=index):
        if properties.get(key) not in (None, ""):
            return properties[key]
    questions = properties.get("$survey_questions")
    for entry in questions if isinstance(questions, list) else []:
        if isinstance(entry, dict) and question_id and entry.get("id") == question_id:
            return None if entry.get("response") in (None, "") else entry["response"]
    return None


def first_answer_label(properties: dict) -> str | None:
    """The answer to the event's first (for a tour's survey step: only) question, as `answer_label`."""
    questions = properties.get("$survey_questions")
    first = questions[0] if isinstance(questions, list) and questions and isinstance(questions[0], dict) else {}
    question_id = first.get("id") if isinstance(first.get("id"), str) and first.get("id") else None
    return answer_label(survey_answer(properties=properties, question_id=question_id, index=0))


def answer_label(value: Any) -> str | None:
    """An answer as the text a distribution counts it under: rating 5, 5.0 and "5" are all "5"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        integral = INTEGRAL.fullmatch(value.strip())
        return str(int(integral[1])) if integral else value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def rating_labels(*, scale: int) -> list[str]:
    """The values a rating question offers: 0-10 on a scale of 10 (NPS), else 1 up to the scale."""
    return [str(value) for value in (range(0, 11) if scale == 10 else range(1, scale + 1))]


def survey_response_build(*, properties: dict, questions: list) -> list[dict[str, Any]]:
    """One `survey sent` event's answers, one per question of the survey, in the survey's order."""
    answers = []
    for index, question in enumerate(questions):
        entry = question if isinstance(question, dict) else {}
        question_id = entry.get("id") if isinstance(entry.get("id"), str) else None
        answers.append(
            {
                "question_id": question_id,
                "question": entry.get("question") if isinstance(entry.get("question"), str) else "",
                "response": survey_answer(properties=properties, question_id=question_id, index=index),
            }
        )
    return answers
