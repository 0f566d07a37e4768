"""The read-only step preview on a tour's admin page: each step's text, from its content (pure).

Text only, always escaped: a step's `contentHtml` is shown as the words it contains, never as HTML,
so a tour's content cannot run script in the admin.
"""

import html
import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe

BLOCK_END_RE = re.compile(r"</(p|div|li|h[1-6]|blockquote|pre)\s*>|<br\s*/?>", re.IGNORECASE)
TIPTAP_BLOCKS = {"paragraph", "heading", "listItem", "blockquote", "codeBlock"}
MAX_LINES = 20


@dataclass(frozen=True)
class StepPreview:
    number: int
    kind: str
    title: str | None
    lines: list[str]
    survey: str | None
    target: str | None


def _html_lines(text: str) -> list[str]:
    plain = html.unescape(strip_tags(BLOCK_END_RE.sub("\n", text)))
    return [line.strip() for line in plain.splitlines() if line.strip()]


def _tiptap_lines(node: Any) -> list[str]:
    """Text of a TipTap document: one line per block, `hardBreak` as a line break."""
    lines: list[str] = []
    current: list[str] = []

    def walk(item: Any) -> None:
        if not isinstance(item, dict):
            return
        kind = item.get("type")
        if kind == "text" and isinstance(item.get("text"), str):
            current.append(item["text"])
        elif kind == "hardBreak":
            lines.append("".join(current))
            current.clear()
        children = item.get("content")
        for child in children if isinstance(children, list) else []:
            walk(child)
        if kind in TIPTAP_BLOCKS:
            lines.append("".join(current))
            current.clear()

    walk(node)
    lines.append("".join(current))
    return [line.strip() for line in lines if line.strip()]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def step_preview(step: Any, *, number: int) -> StepPreview:
    if not isinstance(step, dict):
        return StepPreview(number=number, kind="?", title=None, lines=["(not an object)"], survey=None, target=None)
    if _text(step.get("contentHtml")):
        lines = _html_lines(step["contentHtml"])
    elif isinstance(step.get("content"), dict):
        lines = _tiptap_lines(step["content"])
    else:
        lines = [text] if (text := _text(step.get("description"))) else []
    survey = step.get("survey")
    inference = step.get("inferenceData")
    target = _text(step.get("selector")) if step.get("elementTargeting") == "manual" else None
    if target is None and isinstance(inference, dict):
        target = _text(inference.get("text"))
    return StepPreview(
        number=number,
        kind=str(step["type"]) if isinstance(step.get("type"), str) else "?",
        title=_text(step.get("title")),
        lines=lines[:MAX_LINES],
        survey=_text(survey.get("questionText")) if isinstance(survey, dict) else None,
        target=target,
    )


def steps_preview(content: Any) -> list[StepPreview]:
    steps = content.get("steps") if isinstance(content, dict) else None
    return [step_preview(step, number=index + 1) for index, step in enumerate(steps if isinstance(steps, list) else [])]


def steps_preview_html(content: Any) -> SafeString:
    previews = steps_preview(content)
    if not previews:
        return format_html("<p>{}</p>", "No steps.")
    items = []
    for preview in previews:
        parts = [format_html("<strong>Step {} · {}</strong>", preview.number, preview.kind)]
        if preview.title:
            parts.append(format_html(" — <em>{}</em>", preview.title))
        parts.append(format_html_join("", "<p>{}</p>", ((line,) for line in preview.lines)))
        if preview.survey:
            parts.append(format_html("<p>Survey question: {}</p>", preview.survey))
        if preview.target:
            parts.append(format_html("<p>Element: <code>{}</code></p>", preview.target))
        items.append(format_html("<li>{}</li>", mark_safe("".join(parts))))  # every part escaped above
    return format_html('<ol class="tour-steps-preview">{}</ol>', mark_safe("".join(items)))
