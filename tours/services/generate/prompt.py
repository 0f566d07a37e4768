"""Pure functions: which steps the model sees, the compact record per step, the prompt, and the answer mapping.

The model sees small integer indices (0..n-1 among the kept steps), never our step ids, so it cannot
corrupt or invent an id; answers are mapped back through `index_to_step_id`.
"""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tours.services.steps import step_normalize

# Step types whose copy the model writes; banners and survey steps keep their own text.
GENERATED_STEP_TYPES = ("element", "modal")
# Each text sent to the model is capped, so one huge step cannot blow up the prompt (and the bill).
MAX_TEXT_CHARS = 2000

SYSTEM_PROMPT = """\
You write the copy for product tours in web applications: short guided walkthroughs in which each step \
is either a tooltip attached to a page element or a pop-up in the middle of the screen.

For every step you are given, write:
- a title of 2 to 5 words, action-oriented ("Invite your team", "Filter by date");
- a description of 1 to 2 sentences that says why the step matters to the user, not only what to click.

Guidelines:
- Be concise, friendly and encouraging; read like a helpful guide, not a manual.
- Use the step's existing text, the element's visible text or selector, and how the user moves on \
(clicking a button in the tooltip, or clicking the element itself) to understand what the step is about.
- Keep the steps consistent with each other and with the tour's title and goal; if no goal is given, \
infer the purpose of the tour from its steps.
- Plain text only: no markdown, no HTML, no emoji, no quotes around the text."""

USER_PROMPT_TEMPLATE = """\
Tour title: {title}
Goal of the tour: {goal}

The tour has {step_count} step(s), in order. Each has a numeric "step_id":
{steps}

Return exactly one entry per step above, in the same order, each with the same "step_id" as given, \
a "title" and a "description"."""

NO_GOAL = "(not given: infer it from the steps)"
NO_TITLE = "(untitled)"


@dataclass(frozen=True)
class StepSelection:
    """The records sent to the model and the map from their index back to the step's own id."""

    records: list[dict[str, Any]] = field(default_factory=list)
    index_to_step_id: dict[int, str] = field(default_factory=dict)


class _TextExtractor(HTMLParser):
    # Block-level tags end a line of text, so "<h1>A</h1><p>B</p>" reads "A\nB", not "AB".
    BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "hr"}
    SKIP_TAGS = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP_TAGS:
            self.skipping += 1
        elif tag in self.BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: Any) -> str | None:
    """Visible text of an HTML fragment, whitespace collapsed per line; None when there is none."""
    if not isinstance(html, str) or not html.strip():
        return None
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    return _clip(text) or None


def _clip(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:MAX_TEXT_CHARS] if value else None


def step_is_generated(step: Any) -> bool:
    return isinstance(step, dict) and step.get("type") in GENERATED_STEP_TYPES and not step.get("survey")


def step_record_build(*, step: dict[str, Any], index: int) -> dict[str, Any]:
    """The compact description of one step the model sees (no id, no TipTap, no styling)."""
    step = step_normalize(step)  # legacy steps (useManualSelector / inferenceData only) get elementTargeting
    targeting = step.get("elementTargeting")
    progression = step.get("progressionTrigger")
    record: dict[str, Any] = {
        "step_id": index,
        "type": "Element tooltip" if targeting else "Pop-up",
        "progression": progression if isinstance(progression, str) else None,
        "existing_content": html_to_text(step.get("contentHtml")),
    }
    if targeting == "auto":
        inference = step.get("inferenceData")
        record["inferred_text"] = _clip(inference.get("text")) if isinstance(inference, dict) else None
    elif targeting == "manual" and _clip(step.get("selector")):
        record["selector"] = _clip(step.get("selector"))
    return record


class StepWithoutId(ValueError):
    """A kept step has no usable `id`: its generated copy could not be mapped back to it."""

    def __init__(self, position: int) -> None:
        super().__init__(f"Step {position} has no id; element and pop-up steps need one to receive generated content.")
        self.position = position


def steps_select(*, steps: list[Any]) -> StepSelection:
    """Keep element/modal steps; number them 0..n-1 among the kept steps.

    Raises `StepWithoutId` (with the step's position in `steps`) for a kept step without an id.
    """
    selection = StepSelection()
    for position, step in enumerate(steps):
        if not step_is_generated(step):
            continue
        step_id = step.get("id")
        if step_id is None or isinstance(step_id, (dict, list, bool)) or str(step_id) == "":
            raise StepWithoutId(position)
        index = len(selection.records)
        selection.records.append(step_record_build(step=step, index=index))
        selection.index_to_step_id[index] = str(step_id)
    return selection


def prompt_messages_build(*, title: str, goal: str, records: list[dict[str, Any]]) -> list[dict[str, str]]:
    user_prompt = USER_PROMPT_TEMPLATE.format(
        title=_clip(title) or NO_TITLE,
        goal=_clip(goal) or NO_GOAL,
        steps=json.dumps(records, indent=2, ensure_ascii=False),
        step_count=len(records),
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user_prompt}]


def generated_steps_map(*, generated: list[dict[str, Any]], index_to_step_id: dict[int, str]) -> list[dict[str, str]]:
    """Model entries back onto step ids, in the model's order; unknown indices are dropped."""
    result = []
    for entry in generated:
        step_id = index_to_step_id.get(entry["step_id"])
        if step_id is None:
            continue
        result.append({"step_id": step_id, "title": entry["title"], "description": entry["description"]})
    return result
