"""Reports (changes nothing) live flags whose `regex` / `not_regex` patterns RE2 cannot compile.

Such flags were saved before patterns were checked; they now evaluate those conditions to no match.
"""

import re2
from django.db import migrations

REGEX_OPERATORS = ("regex", "not_regex")


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.dot_nl = True
    options.log_errors = False
    return options


def _bad_patterns(filters) -> list[tuple[str, str]]:
    groups = filters.get("groups") if isinstance(filters, dict) else None
    found = []
    for group in groups if isinstance(groups, list) else []:
        properties = group.get("properties") if isinstance(group, dict) else None
        for prop in properties if isinstance(properties, list) else []:
            if not isinstance(prop, dict) or prop.get("operator") not in REGEX_OPERATORS:
                continue
            pattern = str(prop.get("value"))
            try:
                re2.compile(pattern, _options())
            except re2.error as exc:
                reason = exc.args[0] if exc.args else "invalid pattern"
                found.append((pattern, reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)))
    return found


def report(apps, schema_editor):
    FeatureFlag = apps.get_model("flags", "FeatureFlag")
    flagged = 0
    for flag in FeatureFlag.objects.filter(deleted=False).only("id", "key", "project_id", "filters").iterator():
        for pattern, reason in _bad_patterns(flag.filters):
            flagged += 1
            print(
                f"\n  Flag {flag.key!r} (id {flag.id}, project {flag.project_id}): regex {pattern[:200]!r} "
                f"cannot be compiled by RE2 ({reason}); it now matches nothing. Edit the flag to fix it."
            )
    if flagged:
        print(f"\n  {flagged} flag condition(s) use patterns RE2 cannot compile (listed above).")


class Migration(migrations.Migration):

    dependencies = [
        ('flags', '0004_person_is_identified'),
    ]

    operations = [
        migrations.RunPython(report, migrations.RunPython.noop, elidable=True),
    ]
