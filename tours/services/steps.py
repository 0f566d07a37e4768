"""Pure functions on tour content: step normalisation and the SDK's tour type."""

from typing import Any


def step_normalize(step: Any) -> Any:
    """Keep `elementTargeting` and the legacy `useManualSelector`/`type: "element"` fields in agreement.

    Returns a new dict (the input is not modified); non-dict steps are returned unchanged.
    """
    if not isinstance(step, dict):
        return step
    step = dict(step)
    if step.get("elementTargeting") is None:
        if step.get("useManualSelector") is True:
            step["elementTargeting"] = "manual"
        elif step.get("inferenceData"):
            step["elementTargeting"] = "auto"
        elif step.get("type") == "element":
            step["elementTargeting"] = "auto"
            step["type"] = "modal"
    targeting = step.get("elementTargeting")
    if targeting == "manual":
        step["useManualSelector"] = True
    elif targeting is not None:
        step.pop("useManualSelector", None)
    return step


def steps_normalize(steps: Any) -> Any:
    if not isinstance(steps, list):
        return steps
    return [step_normalize(step) for step in steps]


def content_with_normalized_steps(content: Any) -> Any:
    if isinstance(content, dict) and isinstance(content.get("steps"), list):
        return {**content, "steps": steps_normalize(content["steps"])}
    return content


def tour_type(content: Any) -> str:
    """`tour` | `announcement` | `banner` (an announcement whose first step is a banner)."""
    if not isinstance(content, dict) or not content:
        return "tour"
    kind = content.get("type") or "tour"
    if kind == "announcement":
        steps = content.get("steps")
        if isinstance(steps, list) and steps and isinstance(steps[0], dict) and steps[0].get("type") == "banner":
            return "banner"
    return kind if isinstance(kind, str) else "tour"
