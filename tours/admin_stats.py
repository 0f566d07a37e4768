"""The tour stats as the admin shows them: a table on a tour's change page, a line in the tour list (pure;
every value escaped)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tours.services.stats import Tally, TourStats, TourSummary

ADMIN_STATS_DAYS = 30


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _tally(tally: Tally) -> str:
    return f"{tally.unique} ({tally.total} events)"


def tour_summary_text(summary: TourSummary | None) -> str:
    """The list's "Stats" column: people shown and completing over the last days, and the rate."""
    if summary is None or not summary.shown and not summary.completed:
        return "—"
    return f"{summary.shown} shown · {summary.completed} completed · {_rate(summary.completion_rate)}"


def tour_stats_html(stats: TourStats) -> SafeString:
    """The change page's stats: totals, the step funnel, survey answers, dismiss reasons."""
    totals = format_html(
        "<p>People shown {}, completed {}, dismissed {}; completion rate {}.</p>",
        _tally(stats.shown),
        _tally(stats.completed),
        _tally(stats.dismissed),
        _rate(stats.completion_rate),
    )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                "—" if step.step_order is None else step.step_order + 1,
                step.step_id or "(no id)",
                _tally(step.shown),
                _tally(step.completed),
                _survey_text(step),
            )
            for step in stats.steps
        ),
    )
    steps = format_html(
        "<table><thead><tr><th>#</th><th>Step</th><th>Shown</th><th>Completed</th><th>Answers</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        rows,
    )
    reasons = ", ".join(f"{reason}: {count}" for reason, count in stats.dismiss_reasons.items()) or "none"
    return format_html("{}{}<p>Dismiss reasons: {}.</p>", totals, steps, reasons)


def _survey_text(step) -> str:
    if step.survey is None:
        return ""
    parts = []
    for question in step.survey.questions:
        text = f"{question.responses.total} responses"
        if question.distribution is not None:
            text += " (" + ", ".join(f"{value}: {count}" for value, count in question.distribution.items()) + ")"
        parts.append(text)
    return "; ".join(parts)
