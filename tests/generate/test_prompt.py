"""Pure prompt building and answer mapping: no database, no network."""

import json

import pytest

from tours.services.generate.prompt import (
    MAX_TEXT_CHARS,
    NO_GOAL,
    SYSTEM_PROMPT,
    StepWithoutId,
    generated_steps_map,
    html_to_text,
    prompt_messages_build,
    step_record_build,
    steps_select,
)


def test_html_to_text_keeps_visible_text_and_line_breaks():
    html = "<h1>Welcome  to <strong>Acme</strong></h1><p>Click &amp; go<br>now</p><script>alert(1)</script>"
    assert html_to_text(html) == "Welcome to Acme\nClick & go\nnow"


def test_html_to_text_empty_and_non_strings_are_none():
    assert html_to_text("") is None
    assert html_to_text("   ") is None
    assert html_to_text("<p> </p><br>") is None
    assert html_to_text(None) is None
    assert html_to_text(123) is None
    assert html_to_text({"type": "doc"}) is None


def test_html_to_text_tolerates_broken_html_and_caps_length():
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"
    assert len(html_to_text("<p>" + "x" * 10_000 + "</p>")) == MAX_TEXT_CHARS


def test_record_for_auto_element_step():
    step = {
        "id": "s1",
        "type": "element",
        "elementTargeting": "auto",
        "selector": "#ignored",
        "inferenceData": {"text": "Save changes", "autoData": {"tag": "button"}},
        "progressionTrigger": "click",
        "contentHtml": "<p>Old text</p>",
        "content": {"type": "doc", "content": []},
        "buttons": {"primary": {"text": "Next"}},
    }
    assert step_record_build(step=step, index=3) == {
        "step_id": 3,
        "type": "Element tooltip",
        "progression": "click",
        "existing_content": "Old text",
        "inferred_text": "Save changes",
    }


def test_record_for_manual_element_step_uses_selector():
    step = {
        "id": "s",
        "type": "element",
        "elementTargeting": "manual",
        "selector": ".nav > a",
        "progressionTrigger": "button",
    }
    assert step_record_build(step=step, index=0) == {
        "step_id": 0,
        "type": "Element tooltip",
        "progression": "button",
        "existing_content": None,
        "selector": ".nav > a",
    }


def test_record_tolerates_null_or_odd_inference_data():
    for inference in (None, "text", [], {"text": None}, {"text": 5}):
        step = {"id": "s", "type": "element", "elementTargeting": "auto", "inferenceData": inference}
        assert step_record_build(step=step, index=0)["inferred_text"] is None


def test_record_for_modal_is_a_popup_without_element_context():
    record = step_record_build(step={"id": "s", "type": "modal", "contentHtml": "<p>Hi</p>"}, index=1)
    assert record == {"step_id": 1, "type": "Pop-up", "progression": None, "existing_content": "Hi"}


def test_record_for_legacy_manual_selector_step():
    step = {"id": "s", "type": "element", "useManualSelector": True, "selector": "#x"}
    record = step_record_build(step=step, index=0)
    assert record["type"] == "Element tooltip" and record["selector"] == "#x"


def test_steps_select_filters_and_renumbers_among_kept_steps():
    steps = [
        {"id": "banner-1", "type": "banner", "contentHtml": "<p>Sale</p>"},
        {"id": "el-1", "type": "element", "elementTargeting": "manual", "selector": "#a"},
        {"id": "survey-1", "type": "survey", "survey": {"type": "open"}},
        {"id": "modal-with-survey", "type": "modal", "survey": {"questionType": "rating"}},
        {"id": "modal-1", "type": "modal", "survey": None},
        {"type": "banner"},  # not generated: needs no id
        {"id": "el-2", "type": "element", "elementTargeting": "auto", "inferenceData": None},
    ]
    selection = steps_select(steps=steps)
    assert selection.index_to_step_id == {0: "el-1", 1: "modal-1", 2: "el-2"}
    assert [r["step_id"] for r in selection.records] == [0, 1, 2]
    assert all("id" not in r for r in selection.records)


@pytest.mark.parametrize("step_id", [None, "", {"a": 1}, ["x"], True])
def test_steps_select_refuses_a_kept_step_without_usable_id_naming_its_position(step_id):
    steps = [{"id": "b", "type": "banner"}, {"id": "m", "type": "modal"}, {"id": step_id, "type": "element"}]
    with pytest.raises(StepWithoutId) as raised:
        steps_select(steps=steps)
    assert raised.value.position == 2
    assert str(raised.value) == "Step 2 has no id; element and pop-up steps need one to receive generated content."


def test_steps_select_with_only_banners_and_surveys_is_empty():
    selection = steps_select(steps=[{"id": "b", "type": "banner"}, {"id": "s", "type": "survey", "survey": {}}])
    assert selection.records == [] and selection.index_to_step_id == {}


def test_prompt_contains_title_goal_and_records_but_no_ids():
    selection = steps_select(
        steps=[
            {"id": "0b6f1a6e-uuid", "type": "element", "elementTargeting": "manual", "selector": "#billing"},
            {"id": "c2d9-uuid", "type": "modal", "contentHtml": "<h1>Done</h1>"},
        ]
    )
    system, user = prompt_messages_build(title="Billing tour", goal="Show how to pay", records=selection.records)
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert user["role"] == "user"
    text = user["content"]
    assert "Tour title: Billing tour" in text
    assert "Goal of the tour: Show how to pay" in text
    assert "2 step(s)" in text
    assert json.dumps(selection.records, indent=2) in text
    assert "uuid" not in text


def test_prompt_without_goal_asks_to_infer_it():
    _, user = prompt_messages_build(title="", goal="  ", records=[])
    assert f"Goal of the tour: {NO_GOAL}" in user["content"]
    assert "Tour title: (untitled)" in user["content"]


def test_prompt_asks_for_short_titles_and_descriptions():
    assert "2 to 5 words" in SYSTEM_PROMPT
    assert "1 to 2 sentences" in SYSTEM_PROMPT


def test_generated_steps_map_keeps_model_order_and_drops_unknown_indices():
    generated = [
        {"step_id": 1, "title": "B", "description": "b."},
        {"step_id": 99, "title": "X", "description": "x."},
        {"step_id": 0, "title": "A", "description": "a."},
        {"step_id": 1, "title": "B2", "description": "b2."},
    ]
    assert generated_steps_map(generated=generated, index_to_step_id={0: "id-a", 1: "id-b"}) == [
        {"step_id": "id-b", "title": "B", "description": "b."},
        {"step_id": "id-a", "title": "A", "description": "a."},
        {"step_id": "id-b", "title": "B2", "description": "b2."},
    ]


def test_generated_steps_map_empty():
    assert generated_steps_map(generated=[], index_to_step_id={0: "a"}) == []
