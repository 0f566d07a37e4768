"""The pinned posthog-js release still carries the product tours extension.

PostHog is winding product tours down; a release without them would load no tours at all. Bumping
`sdk.assets.POSTHOG_JS_VERSION` to such a release fails here instead of silently in browsers.
Skipped when the bundles are not installed (`scripts/fetch-posthog-js.sh`); with `REQUIRE_E2E=1` (CI)
that is a failure.
"""

import os

import pytest

from sdk.assets import POSTHOG_JS_VERSION, asset_path, assets_dir


@pytest.fixture
def bundles():
    version_file = assets_dir() / ".version"
    installed = version_file.read_text().strip() if version_file.is_file() else None
    if installed != POSTHOG_JS_VERSION or asset_path("array.js") is None:
        reason = f"posthog-js {POSTHOG_JS_VERSION} bundles not installed (scripts/fetch-posthog-js.sh)"
        if os.environ.get("REQUIRE_E2E"):
            pytest.fail(reason)
        pytest.skip(reason)
    return assets_dir()


def test_the_pinned_bundle_ships_the_product_tours_extension(bundles):
    extension = asset_path("product-tours.js")
    assert extension is not None, f"posthog-js {POSTHOG_JS_VERSION} has no dist/product-tours.js"
    # The lazily loaded bundle registers the extension the main bundle asks for.
    assert "generateProductTours" in extension.read_text(errors="replace")


def test_the_main_bundle_loads_and_feeds_the_extension(bundles):
    main = (bundles / "array.js").read_text(errors="replace")
    assert '"product-tours"' in main  # loadExternalDependency(…, "product-tours", …)
    assert "generateProductTours" in main
    assert "productTours" in main  # the remote config switch
    assert "/api/product_tours/" in main  # the tour list it fetches from this service
