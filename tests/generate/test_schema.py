"""The generate operation in /api/schema/ matches PostHog's names (reference/openapi.md)."""

import pytest

pytestmark = pytest.mark.django_db


def test_generate_operation_and_components(tenant):
    response = tenant.client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    path = next(p for p in schema["paths"] if p.endswith("/product_tours/{id}/generate/"))
    operation = schema["paths"][path]["post"]
    assert operation["operationId"] == "product_tours_generate_create"
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GenerateRequest"
    }
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GenerateResponse"
    }
    components = schema["components"]["schemas"]
    assert components["GenerateRequest"]["properties"] == {
        "title": {"type": "string", "default": ""},
        "goal": {"type": "string", "default": ""},
        "steps": {"type": "array", "items": {"type": "object", "additionalProperties": {}}},
    }
    assert components["GenerateResponse"]["required"] == ["steps"]
    assert components["GenerateResponse"]["properties"]["steps"]["items"] == {
        "$ref": "#/components/schemas/GenerateStepResponse"
    }
    step = components["GenerateStepResponse"]
    assert set(step["required"]) == {"step_id", "title", "description"}
    assert all(step["properties"][name] == {"type": "string"} for name in ("step_id", "title", "description"))
