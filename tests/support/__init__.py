"""Shared test helpers that are not fixtures, in small modules named for what they hold.

`conftest.py` files keep only fixtures (and import what they need from here); tests import helpers
from here, never from a `conftest.py`. Model instances come from `tests.factories`.
"""
