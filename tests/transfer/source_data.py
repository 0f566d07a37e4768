"""Tours of every kind on a source project, made through its REST API as an editor would."""

from dataclasses import dataclass

TARGETING = {"groups": [{"properties": [{"key": "plan", "value": "pro", "operator": "exact", "type": "person"}]}]}
EMAIL_TARGETING = {
    "groups": [{"properties": [{"key": "email", "value": "@acme.com", "operator": "icontains", "type": "person"}]}]
}


@dataclass
class SourceTours:
    welcome: dict
    banner: dict
    paused: dict
    manual: dict
    gate_flag: dict
    beta_flag: dict

    @property
    def all(self) -> list[dict]:
        return [self.welcome, self.banner, self.paused, self.manual]


def populate(source) -> SourceTours:
    gate = source.send(
        "POST", "feature_flags/", {"key": "gate", "name": "Gate", "filters": {"groups": [{"rollout_percentage": 100}]}}
    )
    beta = source.send(
        "POST",
        "feature_flags/",
        {
            "key": "beta",
            "name": "Beta programme",
            "filters": {
                "groups": [
                    {
                        "rollout_percentage": 50,
                        "properties": [
                            {"key": str(gate["id"]), "type": "flag", "value": True, "operator": "flag_evaluates_to"}
                        ],
                    }
                ],
                "multivariate": {
                    "variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]
                },
            },
        },
    )
    welcome = source.send(
        "POST",
        "product_tours/",
        {
            "name": "Welcome",
            "description": "First steps",
            "auto_launch": True,
            "start_date": "2025-02-01T10:00:00.123456Z",
            "linked_flag_id": beta["id"],
            "targeting_flag_filters": TARGETING,
            "content": {
                "steps": [
                    {"id": "w1", "type": "modal", "title": "Welcome!", "contentHtml": "<p>Hello</p>"},
                    {
                        "id": "w2",
                        "type": "modal",
                        "title": "Rate us",
                        "survey": {"type": "rating", "questionText": "How?", "scale": 5},
                    },
                ],
                "displayFrequency": "show_once",
                "conditions": {"linkedFlagVariant": "a", "seenTourWaitPeriod": {"days": 7, "types": ["tour"]}},
            },
        },
    )
    banner = source.send(
        "POST",
        "product_tours/",
        {
            "name": "Old banner",
            "archived": True,
            "content": {"type": "announcement", "steps": [{"id": "b1", "type": "banner", "title": "Sale!"}]},
        },
    )
    paused = source.send(
        "POST",
        "product_tours/",
        {"name": "Paused targeting", "auto_launch": True, "targeting_flag_filters": EMAIL_TARGETING,
         "content": {"steps": [{"id": "p1", "type": "modal", "title": "Paused"}]}},
    )  # fmt: skip
    source.send("PATCH", f"product_tours/{paused['id']}/", {"auto_launch": False})  # the flag stays, inactive
    paused = source.send(
        "PATCH", f"product_tours/{paused['id']}/draft/", {"name": "Paused targeting v2", "linked_flag_id": beta["id"]}
    )
    manual = source.send(
        "POST",
        "product_tours/",
        {
            "name": "Manual stopped",
            "start_date": "2025-01-01T00:00:00Z",
            "end_date": "2025-01-31T00:00:00Z",
            "content": {"steps": [{"id": "m1", "type": "element", "elementTargeting": "manual", "selector": "#go"}]},
        },
    )
    return SourceTours(welcome=welcome, banner=banner, paused=paused, manual=manual, gate_flag=gate, beta_flag=beta)
