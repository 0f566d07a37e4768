"""Tour step generation: a tour's content with every kind of step, and the request."""

STEPS = [
    {
        "id": "0f8e1c2a-1111-4a4a-9b9b-aaaaaaaaaaaa",
        "type": "element",
        "elementTargeting": "auto",
        "selector": "#save",
        "inferenceData": {"text": "Save changes", "autoData": {"tag": "button"}},
        "progressionTrigger": "click",
        "contentHtml": "<h1>Save</h1><p>Press to <b>store</b> your work</p>",
        "content": {"type": "doc", "content": [{"type": "paragraph"}]},
    },
    {"id": "banner-step-2222", "type": "banner", "contentHtml": "<p>Big sale</p>"},
    {"id": "survey-step-3333", "type": "survey", "survey": {"questionType": "open"}},
    {
        "id": "0f8e1c2a-4444-4a4a-9b9b-bbbbbbbbbbbb",
        "type": "element",
        "elementTargeting": "manual",
        "selector": "nav .billing-link",
        "progressionTrigger": "button",
        "contentHtml": "",
    },
    {"id": "0f8e1c2a-5555-4a4a-9b9b-cccccccccccc", "type": "modal", "contentHtml": "<p>All done!</p>"},
]
CONTENT = {"type": "tour", "steps": STEPS}


def generate_url(tenant, tour_id) -> str:
    return tenant.url(f"product_tours/{tour_id}/generate/")


def post(tenant, tour, body, client=None):
    return (client or tenant.client).post(generate_url(tenant, tour.id), body, format="json")
