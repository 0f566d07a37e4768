# The same app as `make run`, for production: gunicorn on PostgreSQL (and Redis), see docker-compose.yml.

# posthog-js bundles, the release pinned in sdk/assets.py, from the npm registry.
FROM node:20-slim AS posthog-js
WORKDIR /build
COPY sdk/assets.py sdk/assets.py
COPY scripts/fetch-posthog-js.sh scripts/fetch-posthog-js.sh
RUN POSTHOG_JS_DIR=/build/posthog-js scripts/fetch-posthog-js.sh --required

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8000 VAR_DIR=/app/var POSTHOG_JS_DIR=/app/posthog-js
WORKDIR /app
# Dependencies first, from pyproject.toml alone, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY . .
COPY --from=posthog-js /build/posthog-js /app/posthog-js
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput >/dev/null \
    && useradd --system --uid 10001 --no-create-home --home-dir /app app \
    && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_health', timeout=2).status != 200)"
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
