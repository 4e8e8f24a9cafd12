"""Fixtures of the security tests: the ingestion tests' local web site, the pages' little world."""

import pytest

from tests.api.conftest import _fast_passwords, _fresh_throttle_counts, world  # noqa: F401 -- fixtures
from tests.sources.conftest import allow_local, site  # noqa: F401 -- fixtures
from tests.web.conftest import pending, tracker  # noqa: F401 -- fixtures
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, new_page  # noqa: F401 -- new_page: a fixture


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module at a time: Playwright's sync API allows one instance per process, and the
    session-wide one of tests/web must not be open while this one is."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
