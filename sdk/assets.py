"""posthog-js bundles served from the pinned npm release that `scripts/fetch-posthog-js.sh` installs."""

import re
from pathlib import Path

from django.conf import settings

POSTHOG_JS_VERSION = "1.449.2"
ASSET_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.js(\.map)?$")


def assets_dir() -> Path:
    return Path(settings.POSTHOG_JS_DIR)


def asset_path(name: str) -> Path | None:
    """The file for a bundle name such as `product-tours.js`, or None (never escapes the folder)."""
    if not ASSET_NAME_RE.match(name):
        return None
    path = assets_dir() / name
    return path if path.is_file() else None
