"""`make run`'s demo: the seed loaded, logins made, everything browsable in the admin."""

import logging
import re
from io import StringIO

from django.core.management import call_command

from claims.models import Claim, Party, Statement
from sources.models import Article


def test_load_demo_fills_the_tracker_and_prints_a_login_that_works(db, client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())  # running it again adds nothing

    assert (Claim.objects.count(), Party.objects.count(), Statement.objects.count()) == (11, 20, 39)
    # The annotation lands on the two articles the demo feed brought in, not on copies of them.
    assert Article.objects.count() == 2
    assert "articles: 0 new, 2 matched" in out.getvalue()
    password = re.search(r"password for all three: (?:\x1b\[[0-9;]*m)?(\S+?)(?:\x1b|\))", out.getvalue()).group(1)
    assert client.login(username="analyst", password=password)
    for path, count in [("claims/claim", "11 claims"), ("claims/party", "20 parties"),
                        ("claims/statement", "39 statements")]:
        page = client.get(f"/admin/{path}/")
        assert page.status_code == 200
        assert count in page.content.decode()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_load_demo_logs_no_line_per_fetched_page(db):
    """The demo's feed poll fetches a page per article; the HTTP client's INFO lines are no news to a user."""
    handler = _Records()
    logging.getLogger().addHandler(handler)
    try:
        out = StringIO()
        call_command("load_demo", stdout=out)
    finally:
        logging.getLogger().removeHandler(handler)

    assert "Polled Demo Wire" in out.getvalue()
    chatter = [r.getMessage() for r in handler.records if r.levelno < logging.WARNING and r.name.startswith("http")]
    assert chatter == []


def test_the_viewer_demo_login_cannot_change_claims_in_the_admin(db, client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    password = re.search(r"password for all three: (?:\x1b\[[0-9;]*m)?(\S+?)(?:\x1b|\))", out.getvalue()).group(1)
    claim = Claim.objects.first()

    assert client.login(username="viewer", password=password)
    assert client.get(f"/admin/claims/claim/{claim.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", {"text": "changed"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.text != "changed"


def test_the_demo_logins_name_the_port_make_run_serves(db, monkeypatch):
    import config.run

    monkeypatch.setattr(config.run, "PORT", 8123)
    out = StringIO()
    call_command("demo_login", stdout=out)
    assert ("at http://127.0.0.1:8123/" in out.getvalue(), "http://127.0.0.1:8123/verdicts/" in out.getvalue()) == (
        True, True
    )
