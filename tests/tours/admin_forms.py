"""Driving the tour admin like a browser: read the form a page renders, post it back with changes."""

import json

from django import forms
from django.utils import timezone

from accounts.models import User

ADMIN = "/admin/tours/producttour/"


def change_url(tour_id) -> str:
    return f"{ADMIN}{tour_id}/change/"


def superuser_client(client, email: str = "admin@example.com"):
    user = User.objects.create_superuser(email=email, password="pw-123456")
    client.force_login(user)
    return client, user


def page_form(response) -> forms.Form:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form


def post_data(form: forms.Form, **changes) -> dict:
    """What a browser would post for `form` as rendered, with `changes` (JSON fields as Python values,
    dates as aware datetimes or None, booleans as bools)."""
    data: dict = {"_save": "Save"}
    for name, field in form.fields.items():
        value = changes[name] if name in changes else form[name].value()
        if isinstance(field, forms.SplitDateTimeField):
            local = timezone.localtime(value) if value else None
            data[f"{name}_0"] = local.date().isoformat() if local else ""
            data[f"{name}_1"] = local.time().isoformat() if local else ""
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.JSONField):
            if name in changes:
                data[name] = "" if value is None else (value if isinstance(value, str) else json.dumps(value))
            else:
                data[name] = value or ""
        else:
            data[name] = "" if value is None else value
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return {name or "__all__": list(errors) for name, errors in page_form(response).errors.items()}
