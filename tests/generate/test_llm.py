"""The LLM adapter on its own: answer parsing without a network, settings read at call time."""

from types import SimpleNamespace

import pytest

from tours.services.generate.errors import UpstreamError
from tours.services.generate.llm import _answer_parse, tour_content_complete
from tours.services.generate.prompt import prompt_messages_build


def completion(content=None, refusal=None, choices=True):
    message = SimpleNamespace(content=content, refusal=refusal)
    return SimpleNamespace(choices=[SimpleNamespace(message=message)] if choices else [])


def test_answer_parse_reads_steps_and_ignores_extra_keys():
    content = '{"steps": [{"step_id": 0, "title": "T", "description": "D", "extra": 1}]}'
    assert _answer_parse(completion(content)) == [{"step_id": 0, "title": "T", "description": "D"}]


@pytest.mark.parametrize(
    "answer,detail",
    [
        (completion(choices=False), "The AI provider returned no answer."),
        (completion(""), "The AI provider returned an empty answer."),
        (completion(None), "The AI provider returned an empty answer."),
        (completion(None, refusal="no"), "The AI provider refused to generate the steps."),
        (completion("[]"), "The AI provider's answer did not match the expected format."),
        (
            completion('{"steps": [{"step_id": "0", "title": "T", "description": "D"}]}'),
            "The AI provider's answer did not match the expected format.",
        ),
        (
            completion('{"steps": [{"step_id": 0, "title": null, "description": "D"}]}'),
            "The AI provider's answer did not match the expected format.",
        ),
        (
            completion('{"steps": [{"step_id": true, "title": "T", "description": "D"}]}'),
            "The AI provider's answer did not match the expected format.",
        ),
    ],
)
def test_answer_parse_failures_are_upstream_errors(answer, detail):
    with pytest.raises(UpstreamError) as info:
        _answer_parse(answer)
    assert str(info.value.detail) == detail
    assert info.value.status_code == 502


def test_settings_are_read_at_call_time(ai_settings, settings):
    messages = prompt_messages_build(title="t", goal="g", records=[{"step_id": 0}, {"step_id": 1}])
    settings.PRODUCT_TOURS_AI_MODEL = "another-model"
    assert [s["step_id"] for s in tour_content_complete(messages=messages)] == [0, 1]
    assert ai_settings.last_request()["body"]["model"] == "another-model"
