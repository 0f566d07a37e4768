"""The docs stay true: every environment variable the settings read is documented, and every relative
link in the README and docs/ points at a file that exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_FILES = [ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.conf.py"]
READ = re.compile(r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_list)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def environment_variables() -> set[str]:
    return {name for path in SETTINGS_FILES for name in READ.findall(path.read_text())}


def test_every_environment_variable_is_documented():
    names = environment_variables()
    assert {"DATABASE_URL", "REDIS_URL", "PUBLIC_RATE_LIMIT", "WEB_CONCURRENCY"} <= names  # the pattern works
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"not in docs/configuration.md: {missing}"


@pytest.mark.parametrize("page", DOCS, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_resolve(page):
    broken = [
        target
        for target in LINK.findall(page.read_text())
        if not target.startswith(("http://", "https://", "mailto:")) and not (page.parent / target).exists()
    ]
    assert not broken, f"{page.relative_to(ROOT)} links to missing files: {broken}"
