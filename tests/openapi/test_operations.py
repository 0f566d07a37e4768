"""Every product tour operation and component of `reference/openapi.md` (PostHog's schema), as SDKs
generated from PostHog's schema expect them: ids, paths, methods, request/response components,
fields and their read-only / write-only / nullable flags, enums, tag and bearer security."""

import re

import pytest

from tests.live import ROOT

TOURS = "/api/projects/{project_id}/product_tours"

# The operations table of reference/openapi.md:
# (path, method, operationId, request component, 2xx status, response component).
OPERATIONS = [
    (f"{TOURS}/", "get", "product_tours_list", None, "200", "PaginatedProductTourList"),
    (
        f"{TOURS}/",
        "post",
        "product_tours_create",
        "ProductTourSerializerCreateUpdateOnly",
        "201",
        "ProductTourSerializerCreateUpdateOnly",
    ),
    (f"{TOURS}/{{id}}/", "get", "product_tours_retrieve", None, "200", "ProductTour"),
    (f"{TOURS}/{{id}}/", "put", "product_tours_update", "ProductTour", "200", "ProductTour"),
    (
        f"{TOURS}/{{id}}/",
        "patch",
        "product_tours_partial_update",
        "PatchedProductTourSerializerCreateUpdateOnly",
        "200",
        "ProductTourSerializerCreateUpdateOnly",
    ),
    (f"{TOURS}/{{id}}/", "delete", "product_tours_destroy", None, "204", None),
    (
        f"{TOURS}/{{id}}/draft/",
        "patch",
        "product_tours_draft_partial_update",
        "PatchedProductTourSerializerCreateUpdateOnly",
        "200",
        "ProductTour",
    ),
    (f"{TOURS}/{{id}}/draft_status/", "get", "product_tours_draft_status_retrieve", None, "200", "DraftStatusResponse"),
    (
        f"{TOURS}/{{id}}/publish_draft/",
        "post",
        "product_tours_publish_draft_create",
        "ProductTourSerializerCreateUpdateOnly",
        "200",
        "ProductTour",
    ),
    (f"{TOURS}/{{id}}/discard_draft/", "delete", "product_tours_discard_draft_destroy", None, "200", "ProductTour"),
    (
        f"{TOURS}/{{id}}/generate/",
        "post",
        "product_tours_generate_create",
        "GenerateRequest",
        "200",
        "GenerateResponse",
    ),
]

REFERENCE = ROOT.parent / "shared" / "reference" / "openapi.md"
REF = "#/components/schemas/"


def _reference_table(text: str) -> list[tuple]:
    """Rows of the operations table in reference/openapi.md, in the shape of OPERATIONS."""
    rows, path = [], None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not re.fullmatch(r"GET|POST|PUT|PATCH|DELETE", cells[1]):
            continue
        if cells[0] != "same":
            path = cells[0].strip("`").replace("…", TOURS)
        names = [] if cells[3].startswith("—") else re.findall(r"`([A-Za-z]+)`", cells[3])
        status = re.match(r"\d{3}", cells[4]).group()
        response = re.findall(r"`([A-Za-z]+)`", cells[4])
        rows.append(
            (
                path,
                cells[1].lower(),
                cells[2].strip("`"),
                names[0] if names else None,
                status,
                response[0] if response else None,
            )
        )
    return rows


def test_operations_table_is_the_reference_table():
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is not beside this checkout")
    assert _reference_table(REFERENCE.read_text()) == OPERATIONS


def _ref(schema: dict | None) -> str | None:
    """The component a schema points at (directly, or through `allOf: [$ref]`)."""
    if not schema:
        return None
    if "$ref" in schema:
        return schema["$ref"].removeprefix(REF)
    if len(schema.get("allOf", [])) == 1:
        return _ref(schema["allOf"][0])
    return None


@pytest.mark.parametrize(
    ("path", "method", "operation_id", "request_component", "status", "response_component"), OPERATIONS
)
def test_operation(schema, path, method, operation_id, request_component, status, response_component):
    assert path in schema["paths"], sorted(schema["paths"])
    operation = schema["paths"][path].get(method)
    assert operation is not None, f"{method.upper()} {path} missing"
    assert operation["operationId"] == operation_id
    assert operation["tags"] == ["product_tours"]
    assert operation["security"] == [{"PersonalAPIKeyAuth": []}]

    body = operation.get("requestBody")
    if request_component is None:
        assert body is None
    else:
        assert list(body["content"]) == ["application/json"]
        assert _ref(body["content"]["application/json"]["schema"]) == request_component

    success = [code for code in operation["responses"] if code.startswith("2")]
    assert success == [status]
    response = operation["responses"][status]
    if response_component is None:
        assert "content" not in response
    else:
        assert _ref(response["content"]["application/json"]["schema"]) == response_component

    parameters = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
    project_id = parameters[("path", "project_id")]
    assert project_id["required"] is True and project_id["schema"] == {"type": "string"}
    if "{id}" in path:
        tour_id = parameters[("path", "id")]
        assert tour_id["required"] is True and tour_id["schema"] == {"type": "string", "format": "uuid"}
    if operation_id == "product_tours_list":
        assert parameters[("query", "limit")]["schema"]["type"] == "integer"
        assert parameters[("query", "offset")]["schema"]["type"] == "integer"
        assert parameters[("query", "search")]["schema"]["type"] == "string"


def test_bearer_security_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    assert set(schemes) == {"PersonalAPIKeyAuth"}
    assert schemes["PersonalAPIKeyAuth"]["type"] == "http"
    assert schemes["PersonalAPIKeyAuth"]["scheme"] == "bearer"


# --- components ------------------------------------------------------------------------------------

# Per field: the keys that must hold (a missing key must be absent or false), plus
#   "ref": component (direct or allOf), "oneOf": component among the oneOf refs,
#   "required": listed in the component's `required` (read-only fields always are: responses carry
#   them), "any": no `type` (any JSON).
FLAGS = ("readOnly", "writeOnly", "nullable")

PRODUCT_TOUR = {
    "id": {"type": "string", "format": "uuid", "readOnly": True},
    "name": {"type": "string", "maxLength": 400, "required": True},
    "description": {"type": "string"},
    "internal_targeting_flag": {"ref": "MinimalFeatureFlag", "readOnly": True, "nullable": True},
    "linked_flag": {"ref": "MinimalFeatureFlag", "readOnly": True, "nullable": True},
    "targeting_flag_filters": {"type": "object", "readOnly": True, "nullable": True},
    "content": {"any": True},
    "draft_content": {"any": True, "readOnly": True, "nullable": True},
    "has_draft": {"type": "boolean", "readOnly": True},
    "auto_launch": {"type": "boolean"},
    "start_date": {"type": "string", "format": "date-time", "nullable": True},
    "end_date": {"type": "string", "format": "date-time", "nullable": True},
    "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    "created_by": {"ref": "UserBasic", "readOnly": True},
    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
    "archived": {"type": "boolean"},
}

CREATE_UPDATE_ONLY = {
    "id": {"type": "string", "format": "uuid", "readOnly": True},
    "name": {"type": "string", "maxLength": 400, "required": True},
    "description": {"type": "string"},
    "internal_targeting_flag": {"ref": "MinimalFeatureFlag", "readOnly": True, "nullable": True},
    "linked_flag": {"ref": "MinimalFeatureFlag", "readOnly": True, "nullable": True},
    "linked_flag_id": {"type": "integer", "writeOnly": True, "nullable": True},
    "targeting_flag_filters": {"any": True, "writeOnly": True, "nullable": True},
    "content": {"any": True, "nullable": True},
    "auto_launch": {"type": "boolean"},
    "start_date": {"type": "string", "format": "date-time", "nullable": True},
    "end_date": {"type": "string", "format": "date-time", "nullable": True},
    "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    "created_by": {"ref": "UserBasic", "readOnly": True},
    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
    "archived": {"type": "boolean"},
    "creation_context": {
        "ref": "ProductTourSerializerCreateUpdateOnlyCreationContextEnum",
        "writeOnly": True,
        "default": "app",
    },
}

INT32 = {"minimum": -(2**31), "maximum": 2**31 - 1}
MINIMAL_FEATURE_FLAG = {
    "id": {"type": "integer", "readOnly": True},
    "team_id": {"type": "integer", "readOnly": True},
    "name": {"type": "string"},
    "key": {"type": "string", "maxLength": 400, "required": True},
    "filters": {"type": "object"},
    "deleted": {"type": "boolean"},
    "active": {"type": "boolean"},
    "ensure_experience_continuity": {"type": "boolean", "nullable": True},
    "has_encrypted_payloads": {"type": "boolean", "nullable": True},
    "version": {"type": "integer", "nullable": True, **INT32},
    "evaluation_runtime": {"oneOf": "EvaluationRuntimeEnum", "nullable": True},
    "bucketing_identifier": {"oneOf": "BucketingIdentifierEnum", "nullable": True},
    "evaluation_tags": {"type": "array", "items": {"type": "string"}, "readOnly": True},
    "evaluation_contexts": {"type": "array", "items": {"type": "string"}, "readOnly": True},
}

USER_BASIC = {
    "id": {"type": "integer", "readOnly": True},
    "uuid": {"type": "string", "format": "uuid", "readOnly": True},
    "distinct_id": {"type": "string", "maxLength": 200, "nullable": True},
    "first_name": {"type": "string", "maxLength": 150},
    "last_name": {"type": "string", "maxLength": 150},
    "email": {"type": "string", "maxLength": 254, "required": True},
    "is_email_verified": {"type": "boolean", "nullable": True},
    "hedgehog_config": {"type": "object", "readOnly": True, "nullable": True},
    "role_at_organization": {"oneOf": "RoleAtOrganizationEnum", "nullable": True},
}

PAGINATED_PRODUCT_TOUR_LIST = {
    "count": {"type": "integer", "required": True},
    "next": {"type": "string", "format": "uri", "nullable": True},
    "previous": {"type": "string", "format": "uri", "nullable": True},
    "results": {"type": "array", "items": {"$ref": f"{REF}ProductTour"}, "required": True},
}

DRAFT_STATUS_RESPONSE = {
    "updated_at": {"type": "string", "format": "date-time", "required": True},
    "has_draft": {"type": "boolean", "required": True},
}

GENERATE_REQUEST = {
    "title": {"type": "string", "default": ""},
    "goal": {"type": "string", "default": ""},
    "steps": {"type": "array"},
}
GENERATE_RESPONSE = {"steps": {"type": "array", "items": {"$ref": f"{REF}GenerateStepResponse"}, "required": True}}
GENERATE_STEP_RESPONSE = {name: {"type": "string", "required": True} for name in ("step_id", "title", "description")}

COMPONENTS = {
    "ProductTour": PRODUCT_TOUR,
    "ProductTourSerializerCreateUpdateOnly": CREATE_UPDATE_ONLY,
    "PatchedProductTourSerializerCreateUpdateOnly": {
        name: {k: v for k, v in spec.items() if k != "required"} for name, spec in CREATE_UPDATE_ONLY.items()
    },
    "MinimalFeatureFlag": MINIMAL_FEATURE_FLAG,
    "UserBasic": USER_BASIC,
    "PaginatedProductTourList": PAGINATED_PRODUCT_TOUR_LIST,
    "DraftStatusResponse": DRAFT_STATUS_RESPONSE,
    "GenerateRequest": GENERATE_REQUEST,
    "GenerateResponse": GENERATE_RESPONSE,
    "GenerateStepResponse": GENERATE_STEP_RESPONSE,
}

ENUMS = {
    "EvaluationRuntimeEnum": ["server", "client", "all"],
    "BucketingIdentifierEnum": ["distinct_id", "device_id"],
    "RoleAtOrganizationEnum": [
        "engineering",
        "data",
        "product",
        "founder",
        "leadership",
        "marketing",
        "sales",
        "other",
    ],
    "ProductTourSerializerCreateUpdateOnlyCreationContextEnum": ["app", "toolbar"],
}


@pytest.mark.parametrize("component", sorted(COMPONENTS))
def test_component_fields_and_flags(schema, component):
    expected = COMPONENTS[component]
    actual = schema["components"]["schemas"][component]
    assert actual["type"] == "object"
    properties = actual["properties"]
    assert list(properties) == list(expected), "fields differ (names or order)"
    required = set(actual.get("required", []))
    patched = component.startswith("Patched")
    assert required == {
        name for name, spec in expected.items() if not patched and (spec.get("required") or spec.get("readOnly"))
    }
    for name, spec in expected.items():
        field = properties[name]
        where = f"{component}.{name}"
        for flag in FLAGS:
            assert field.get(flag, False) is spec.get(flag, False), f"{where}: {flag}"
        if "ref" in spec:
            assert _ref(field) == spec["ref"], where
        if "oneOf" in spec:
            refs = [option["$ref"].removeprefix(REF) for option in field["oneOf"]]
            assert spec["oneOf"] in refs and "NullEnum" in refs, where
        if spec.get("any"):
            assert "type" not in field and "$ref" not in field and "allOf" not in field, where
        for key in ("type", "format", "maxLength", "minimum", "maximum", "items", "default"):
            if key in spec:
                assert field.get(key) == spec[key], f"{where}: {key}"


@pytest.mark.parametrize(("component", "values"), sorted(ENUMS.items()))
def test_enum_components(schema, component, values):
    enum = schema["components"]["schemas"][component]
    assert enum["type"] == "string"
    assert enum["enum"] == values


def test_generate_request_steps_are_objects(schema):
    steps = schema["components"]["schemas"]["GenerateRequest"]["properties"]["steps"]
    assert steps["items"]["type"] == "object"


# --- content: described (posthog-js steps, conditions, appearance), yet any JSON -----------------------

STEP_KEYS = {
    "id", "type", "selector", "useManualSelector", "inferenceData", "elementTargeting", "progressionTrigger",
    "content", "contentHtml", "survey", "linkedSurveyId", "linkedSurveyQuestionId", "maxWidth", "modalPosition",
    "buttons", "bannerConfig", "translations",
}  # fmt: skip
CONDITION_KEYS = {
    "url", "urlMatchType", "selector", "deviceTypes", "autoShowDelaySeconds", "events", "cancelEvents", "actions",
    "linkedFlagVariant", "seenTourWaitPeriod",
}  # fmt: skip
APPEARANCE_KEYS = {
    "backgroundColor", "textColor", "buttonColor", "borderColor", "borderRadius", "buttonBorderRadius", "boxShadow",
    "fontFamily", "showOverlay", "whiteLabel", "dismissOnClickOutside", "zIndex",
}  # fmt: skip


def _walk(schema: dict):
    yield schema
    for key in ("properties",):
        for child in schema.get(key, {}).values():
            yield from _walk(child)
    if isinstance(schema.get("items"), dict):
        yield from _walk(schema["items"])


@pytest.mark.parametrize(
    "component",
    ["ProductTour", "ProductTourSerializerCreateUpdateOnly", "PatchedProductTourSerializerCreateUpdateOnly"],
)
def test_content_is_described_but_accepts_anything(schema, component):
    content = schema["components"]["schemas"][component]["properties"]["content"]
    assert "type" not in content  # "any", as in PostHog's schema
    assert content["additionalProperties"] is True
    assert {"type", "steps", "conditions", "appearance", "displayFrequency"} <= set(content["properties"])
    step = content["properties"]["steps"]["items"]
    assert set(step["properties"]) == STEP_KEYS
    assert set(content["properties"]["conditions"]["properties"]) == CONDITION_KEYS
    assert set(content["properties"]["appearance"]["properties"]) == APPEARANCE_KEYS
    for node in _walk(content):
        # Unknown keys stay valid, and no value is restricted to a list a newer editor could outgrow.
        assert "enum" not in node
        if node.get("type") == "object":
            assert node.get("additionalProperties") is True
