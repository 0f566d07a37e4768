#!/usr/bin/env bash
# Install the pinned posthog-js release's dist/ bundles into var/posthog-js (never committed).
# Usage: scripts/fetch-posthog-js.sh [--required]   (--required: fail when npm is unavailable)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^POSTHOG_JS_VERSION = "\(.*\)"/\1/p' sdk/assets.py)
DEST="${POSTHOG_JS_DIR:-var/posthog-js}"
if [ -f "$DEST/.version" ] && [ "$(cat "$DEST/.version")" = "$VERSION" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-posthog-js: npm not found; posthog-js bundles will not be served from /static/" >&2
  [ "${1:-}" = "--required" ] && exit 1
  exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "posthog-js@$VERSION" >/dev/null && tar -xzf posthog-js-*.tgz)
mkdir -p "$DEST"
rm -rf "${DEST:?}"/*
cp -r "$TMP/package/dist/." "$DEST/"
echo "$VERSION" > "$DEST/.version"
echo "fetch-posthog-js: posthog-js $VERSION installed in $DEST" >&2
