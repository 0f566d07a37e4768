VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench venv clean schema

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: venv
	scripts/fetch-posthog-js.sh
	scripts/run.sh

# The posthog-js end-to-end test needs the pinned posthog-js bundles (npm) and Debian's chromium.
test: venv
	if [ -n "$(REQUIRE_E2E)" ]; then scripts/fetch-posthog-js.sh --required && scripts/install-browser.sh; \
	else scripts/fetch-posthog-js.sh; scripts/install-browser.sh || echo "chromium not installed: the browser test will skip"; fi
	scripts/test.sh

# Load benchmark (gunicorn + PostgreSQL, then SQLite; wrk from Debian): writes bench/results/latest.md.
bench: venv
	bench/run.sh

# Regenerate the committed OpenAPI snapshot; tests/openapi fails when the served schema drifts from it.
schema: venv
	SECRET_KEY="$${SECRET_KEY:-schema-only}" $(PY) manage.py spectacular --validate --fail-on-warn --file openapi/schema.yml

clean:
	rm -rf $(VENV) var/static
