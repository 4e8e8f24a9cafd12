"""Hooks: what sources needs from claims, named here and filled by claims, so that sources never imports claims.

A hook has one implementation. Calling a hook nothing has filled raises HookNotRegistered at once, rather
than doing nothing: an ingestion that silently stops handing articles to the analysis looks like a quiet news day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class HookNotRegistered(ImproperlyConfigured):
    """A hook was called before any app registered its implementation."""


class Hook:
    def __init__(self, name: str, *, purpose: str, provider: str):
        self.name = name
        self.purpose = purpose
        self.provider = provider
        self._implementation: Callable[..., Any] | None = None

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    @property
    def registered(self) -> bool:
        return self._implementation is not None

    def register(self, implementation: Callable[..., Any]) -> Callable[..., Any]:
        """Fill the hook; registering the same function again is harmless, a second function is a mistake."""
        if self._implementation is not None and self._implementation is not implementation:
            raise ImproperlyConfigured(f"the hook {self.name!r} already has an implementation")
        self._implementation = implementation
        return implementation

    def __call__(self, **kwargs: Any) -> Any:
        if self._implementation is None:
            raise HookNotRegistered(
                f"nothing is registered for the hook {self.name!r} ({self.purpose}); "
                f"the {self.provider} app registers it when Django starts: is it in INSTALLED_APPS?"
            )
        return self._implementation(**kwargs)


# Ingestion -> analysis: called once per new revision of a non-duplicate article, after its transaction commits.
# Keyword argument: revision_id. Enqueues the analysis; returns nothing.
revision_analyse = Hook("revision_analyse", purpose="hand a stored article revision to the language analysis",
                        provider="claims")

# The article reader's statements: keyword argument revision; returns the statements found in it, in text order,
# as a QuerySet (the reader shows them a page at a time).
revision_statements = Hook("revision_statements", purpose="the statements found in an article revision",
                           provider="claims")

# How many statements (rejected ones left out) each article holds, as an expression to annotate articles with.
article_statement_count = Hook("article_statement_count", purpose="count the statements of each article",
                               provider="claims")

# The counts the database keeps in its tallies (claims.models.Tally): keyword argument names; returns {name: n}.
tally_counts = Hook("tally_counts", purpose="read the tallies the database keeps", provider="claims")
