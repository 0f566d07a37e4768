"""The committed OpenAPI schema and how `make schema` writes it."""

from tests.live import ROOT

SNAPSHOT = ROOT / "openapi" / "schema.yml"
# The same arguments as the Makefile's `schema` target (which writes SNAPSHOT).
SPECTACULAR_ARGS = ["manage.py", "spectacular", "--validate", "--fail-on-warn", "--file"]
