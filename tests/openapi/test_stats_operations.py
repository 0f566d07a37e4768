"""The tour stats and survey responses operations in the schema: ids in PostHog's naming (path and
action, `_retrieve` for GET on one object), typed response components, the date parameters."""

REF = "#/components/schemas/"
STATS = "/api/projects/{project_id}/product_tours/{id}/stats/"
RESPONSES = "/api/projects/{project_id}/surveys/{id}/responses/"


def _properties(schema: dict, component: str) -> dict:
    return schema["components"]["schemas"][component]["properties"]


def test_stats_operation(schema):
    operation = schema["paths"][STATS]["get"]
    assert set(schema["paths"][STATS]) == {"get"}
    assert operation["operationId"] == "product_tours_stats_retrieve"
    assert operation["tags"] == ["product_tours"]
    assert operation["security"] == [{"PersonalAPIKeyAuth": []}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": f"{REF}ProductTourStats"}
    parameters = {(p["in"], p["name"]): p for p in operation["parameters"]}
    assert set(parameters) == {("path", "project_id"), ("path", "id"), ("query", "date_from"), ("query", "date_to")}
    assert parameters[("path", "id")]["schema"] == {"type": "string", "format": "uuid"}
    assert parameters[("query", "date_from")]["schema"] == {"type": "string"}


def test_stats_components(schema):
    stats = schema["components"]["schemas"]["ProductTourStats"]
    assert list(stats["properties"]) == [
        "tour_id",
        "date_from",
        "date_to",
        "shown",
        "completed",
        "dismissed",
        "completion_rate",
        "steps",
        "dismiss_reasons",
    ]
    assert set(stats["required"]) == set(stats["properties"])
    for name in ("shown", "completed", "dismissed"):
        assert stats["properties"][name] == {"$ref": f"{REF}ProductTourStatsCount"}
    assert stats["properties"]["completion_rate"]["nullable"] is True
    assert stats["properties"]["steps"]["items"] == {"$ref": f"{REF}ProductTourStepStats"}
    assert stats["properties"]["dismiss_reasons"]["additionalProperties"] == {"type": "integer"}
    assert {name: spec["type"] for name, spec in _properties(schema, "ProductTourStatsCount").items()} == {
        "total": "integer",
        "unique": "integer",
    }
    step = _properties(schema, "ProductTourStepStats")
    assert list(step) == ["step_id", "step_order", "shown", "completed", "survey"]
    assert step["step_order"]["nullable"] is True
    question = _properties(schema, "ProductTourSurveyQuestionStats")
    assert list(question) == ["question_id", "question", "type", "responses", "distribution"]
    assert question["distribution"]["additionalProperties"] == {"type": "integer"}


def test_survey_responses_operation(schema):
    operation = schema["paths"][RESPONSES]["get"]
    assert operation["operationId"] == "surveys_responses_retrieve"
    assert operation["tags"] == ["surveys"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": f"{REF}PaginatedSurveyResponseList"}
    parameters = {(p["in"], p["name"]) for p in operation["parameters"]}
    assert {("query", "limit"), ("query", "offset")} <= parameters
    assert _properties(schema, "PaginatedSurveyResponseList")["results"]["items"] == {"$ref": f"{REF}SurveyResponse"}
    assert list(_properties(schema, "SurveyResponse")) == [
        "id",
        "distinct_id",
        "timestamp",
        "product_tour_id",
        "responses",
    ]
    assert list(_properties(schema, "SurveyResponseAnswer")) == ["question_id", "question", "response"]
