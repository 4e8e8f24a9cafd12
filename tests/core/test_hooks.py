"""The hooks sources calls and claims fills: wired when Django starts, loud when nothing is wired."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from claims import selectors
from claims.tasks import revision_analysis_enqueue
from core import hooks
from core.hooks import Hook, HookNotRegistered
from sources import selectors as source_selectors
from sources.services import revision_hand_to_analysis
from tests.factories import ArticleRevisionFactory, StatementFactory

ALL = [hooks.revision_analyse, hooks.revision_statements, hooks.article_statement_count, hooks.tally_counts]


def test_claims_fills_every_hook_when_django_starts():
    assert [hook._implementation for hook in ALL] == [
        revision_analysis_enqueue,
        selectors.statement_list_for_revision,
        selectors.statement_count_per_article,
        selectors.tally_counts,
    ]


def test_the_hand_off_to_analysis_fails_loudly_when_nothing_is_registered(monkeypatch):
    monkeypatch.setattr(hooks.revision_analyse, "_implementation", None)

    with pytest.raises(HookNotRegistered) as raised:
        revision_hand_to_analysis(revision_id=1)

    assert str(raised.value) == (
        "nothing is registered for the hook 'revision_analyse' (hand a stored article revision to the language "
        "analysis); the claims app registers it when Django starts: is it in INSTALLED_APPS?"
    )


def test_the_article_reader_fails_loudly_without_the_statements_hook(db, monkeypatch):
    revision = ArticleRevisionFactory()
    monkeypatch.setattr(hooks.revision_statements, "_implementation", None)

    with pytest.raises(HookNotRegistered):
        source_selectors.article_revision_statements(revision=revision)


def test_the_article_reader_gets_the_revisions_statements_through_the_hook(db):
    statement = StatementFactory()
    StatementFactory()  # another article's

    assert list(source_selectors.article_revision_statements(revision=statement.revision)) == [statement]


def test_a_hook_takes_one_implementation():
    hook = Hook("example", purpose="an example", provider="tests")

    def first(**kwargs):
        return ("first", kwargs)

    def second(**kwargs):
        return ("second", kwargs)

    hook.register(first)
    hook.register(first)  # the same function again (Django may run ready() twice): harmless
    with pytest.raises(ImproperlyConfigured):
        hook.register(second)

    assert hook(n=1) == ("first", {"n": 1})
