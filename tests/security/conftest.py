"""Fixtures of the security tests: the ingestion tests' local web site, the pages' little world."""

from tests.api.conftest import _fast_passwords, _fresh_throttle_counts, world  # noqa: F401 -- fixtures
from tests.sources.conftest import allow_local, site  # noqa: F401 -- fixtures
from tests.web.conftest import pending, tracker  # noqa: F401 -- fixtures (the browser is tests/conftest.py's)

