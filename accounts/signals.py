"""Signals accounts sends for other apps to act on (accounts depends on no other app)."""

from django.dispatch import Signal

# Sent inside the transaction that creates or deletes a personal API key, before a delete happens:
# `key` (a PersonalAPIKey), `activity` ("created" | "deleted"), `actor` (the User acting, or None).
personal_api_key_changed = Signal()
