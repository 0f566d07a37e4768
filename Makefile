VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench venv clean schema docker-test

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: venv
	scripts/fetch-posthog-js.sh
	scripts/run.sh

# The posthog-js end-to-end test needs the pinned posthog-js bundles (npm) and Debian's chromium; the
# topology tests need Debian's redis-server (they start throwaway servers, as they do PostgreSQL clusters).
test: venv
	if [ -n "$(REQUIRE_E2E)" ]; then scripts/fetch-posthog-js.sh --required && scripts/install-browser.sh && scripts/install-redis.sh; \
	else scripts/fetch-posthog-js.sh; scripts/install-browser.sh || echo "chromium not installed: the browser test will skip"; \
	scripts/install-redis.sh || echo "redis-server not installed: the topology tests will skip"; fi
	scripts/test.sh

# Load benchmark (gunicorn + PostgreSQL, then SQLite; wrk from Debian): writes bench/results/latest.md.
bench: venv
	bench/run.sh

# Where a Docker engine runs: build the image and smoke-test `docker compose up` (no engine here: tests check
# the Dockerfile and compose file statically, tests/test_deployment.py).
docker-test:
	scripts/docker-test.sh

# Regenerate the committed OpenAPI snapshot; tests/openapi fails when the served schema drifts from it.
schema: venv
	SECRET_KEY="$${SECRET_KEY:-schema-only}" $(PY) manage.py spectacular --validate --fail-on-warn --file openapi/schema.yml

clean:
	rm -rf $(VENV) var/static
