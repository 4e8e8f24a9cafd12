"""Bad input gets a clear 400 or a form error and loses nothing: NUL characters in any parameter, a feed
that already exists, aliases made in the admin, private addresses typed into a form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import PartyAlias
from claims.selectors import party_resolve
from sources.models import Feed, IngestionItem
from tests.api.conftest import token_client
from tests.factories import FeedFactory, OutletFactory, PartyFactory

NUL = "\x00"

# Every page that reads a text parameter from the query string, with the parameters it reads.
PAGES_WITH_TEXT_PARAMETERS = [
    ("claims:claim_list", ["q", "party", "tag", "sort", "verdict"]),
    ("claims:party_list", ["q", "kind"]),
    ("sources:article_list", ["q", "status"]),
    ("claims:review_queue", ["after"]),
    ("sources:run_list", ["page"]),
]
API_LISTS = [
    ("/api/v1/claims/", ["q", "tag", "verdict", "ordering"]),
    ("/api/v1/parties/", ["q", "kind"]),
    ("/api/v1/articles/", ["q", "language"]),
    ("/api/v1/outlets/", ["country", "language"]),
    ("/api/v1/statements/", ["stance", "cursor"]),
]


def test_a_nul_in_any_page_parameter_is_a_clear_400(client, viewer, tracker):
    client.force_login(viewer)
    answers = {}
    for name, parameters in PAGES_WITH_TEXT_PARAMETERS:
        for parameter in parameters:
            answer = client.get(reverse(name), {parameter: f"a{NUL}b"})
            answers[f"{name}?{parameter}"] = (answer.status_code, "NUL" in answer.content.decode())

    assert set(answers.values()) == {(400, True)}, answers


def test_a_nul_in_a_parameter_name_or_a_form_field_is_a_clear_400(client, analyst, tracker):
    client.force_login(analyst)
    in_name = client.get(reverse("claims:claim_list"), {f"q{NUL}": "x"})
    in_form = client.post(reverse("sources:submit_text"), {"title": f"T{NUL}", "text": "Officials said so."})

    assert (in_name.status_code, in_form.status_code) == (400, 400)
    assert "NUL" in in_form.content.decode()
    assert IngestionItem.objects.count() == 0


def test_a_nul_in_any_api_parameter_is_a_400_in_the_error_shape(world, viewer):
    client = token_client(viewer, read_write=False)
    answers = {}
    for path, parameters in API_LISTS:
        for parameter in parameters:
            answer = client.get(path, {parameter: f"a{NUL}b"})
            answers[f"{path}?{parameter}"] = (answer.status_code, answer.json()["error"]["code"])

    assert set(answers.values()) == {(400, "invalid")}, answers
    body = client.get("/api/v1/articles/", {"q": NUL}).json()
    assert body == {"error": {
        "code": "invalid", "message": "q: NUL characters are not allowed.",
        "fields": {"q": ["NUL characters are not allowed."]}}}


def test_a_nul_in_a_json_body_is_a_400_in_the_error_shape(world, analyst):
    client = token_client(analyst, read_write=True)
    answer = client.post("/api/v1/ingestion-runs/", {"text": f"Officials{NUL} said so.", "title": "t"},
                         format="json")

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"text": ["Null characters are not allowed."]}


def test_adding_a_feed_that_exists_is_a_form_error_naming_it(client, editor):
    existing = FeedFactory(url="https://news.example/rss", title="Example news")
    client.force_login(editor)

    answer = client.post(reverse("sources:feed_add"), {
        "outlet": OutletFactory().pk, "url": "https://news.example/rss", "title": "", "poll_interval_minutes": 15,
    })

    assert answer.status_code == 400
    errors = answer.context["feed_form"].errors
    assert errors == {"url": [f"This address is already a feed: {existing} (feed {existing.pk}, of "
                              f"{existing.outlet.name})."]}
    assert Feed.objects.count() == 1


def test_the_feed_service_refuses_a_duplicate_with_a_validation_error(db):
    from django.core.exceptions import ValidationError

    from sources import services

    existing = FeedFactory(url="https://news.example/rss")
    with pytest.raises(ValidationError, match=f"already a feed: .* \\(feed {existing.pk}"):
        services.feed_create(outlet=OutletFactory(), url=" https://news.example/rss ")
    assert Feed.objects.count() == 1


# --- The admin --------------------------------------------------------------------------------


def _party_form(party, aliases: list[str], **extra) -> dict:
    data = {
        "slug": party.slug, "name": party.name, "kind": party.kind, "parent": "", "country": party.country,
        "origin": party.origin, "review_state": party.review_state,
        "aliases-TOTAL_FORMS": str(len(aliases)), "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, text in enumerate(aliases):
        data[f"aliases-{n}-text"] = text
        data[f"aliases-{n}-party"] = party.pk or ""
    data.update(extra)
    return data


def test_parties_and_aliases_made_in_the_admin_are_found_by_name(client, admin_user):
    client.force_login(admin_user)
    draft = PartyFactory.build(slug="ruritanian-mod", name="Ruritanian Defence Ministry", kind="ministry")

    answer = client.post(reverse("admin:claims_party_add"), _party_form(draft, ["Ruritanian MoD", "Strelsau"]))

    assert answer.status_code == 302, answer.content.decode()[:3000]
    made = PartyAlias.objects.get(text="Strelsau").party
    assert party_resolve(mention="ruritanian mod") == made
    assert party_resolve(mention="STRELSAU") == made
    assert party_resolve(mention="Ruritanian Defense Ministry") == made  # by its own name

    alias_page = client.post(reverse("admin:claims_partyalias_add"), {"party": made.pk, "text": "Zenda’s office"})
    assert alias_page.status_code == 302
    assert party_resolve(mention="zenda's office") == made


def test_an_admin_alias_that_names_another_party_is_a_form_error(client, admin_user):
    client.force_login(admin_user)
    other = PartyFactory(name="Borduria")
    PartyAlias.objects.create(party=other, text="Ankara", normalised="ankara")
    party = PartyFactory(name="Ruritania")

    taken = client.post(reverse("admin:claims_partyalias_add"), {"party": party.pk, "text": "ANKARA"})
    twice = client.post(reverse("admin:claims_party_change", args=[party.pk]),
                        _party_form(party, ["Strelsau", "strelsau"]))

    assert taken.status_code == 200
    assert taken.context["adminform"].form.errors == {"text": ["alias 'ANKARA' already names Borduria"]}
    assert twice.status_code == 200
    assert "the same alias twice" in twice.content.decode()
    assert PartyAlias.objects.filter(party=party).count() == 0


def test_the_admin_feed_form_refuses_other_schemes_and_private_addresses(client, admin_user):
    client.force_login(admin_user)
    outlet = OutletFactory()
    answers = {}
    for url in ["file:///etc/passwd", "ftp://news.example/rss", "gopher://news.example/", "http://0177.0.0.1/rss"]:
        answer = client.post(reverse("admin:sources_feed_add"), {
            "outlet": outlet.pk, "url": url, "title": "", "poll_interval_minutes": 15, "is_active": "on",
        })
        answers[url] = (answer.status_code, bool(answer.context and answer.context["adminform"].form.errors))

    assert set(answers.values()) == {(200, True)}, answers
    assert Feed.objects.count() == 0


# --- The SSRF guard at submission --------------------------------------------------------------

PRIVATE = ["http://0177.0.0.1/rss", "http://127.000.000.001/rss", "http://2130706433/rss", "http://10.0.0.1/rss",
           "http://[::1]/rss", "http://localhost/rss", "http://169.254.169.254/latest/"]


def test_the_feed_form_runs_the_ssrf_guard_with_its_own_message(client, editor):
    client.force_login(editor)
    outlet = OutletFactory()
    errors = {}
    for url in PRIVATE:
        answer = client.post(reverse("sources:feed_add"), {
            "outlet": outlet.pk, "url": url, "title": "", "poll_interval_minutes": 15,
        })
        assert answer.status_code == 400, url
        errors[url] = answer.context["feed_form"].errors["url"]

    assert Feed.objects.count() == 0
    assert errors["http://0177.0.0.1/rss"] == [
        "refused 'http://0177.0.0.1/rss': 0177.0.0.1 spells 127.0.0.1, a private, loopback, link-local, "
        "multicast or reserved address (to fetch from it on purpose, add 0177.0.0.1 to the INGEST_ALLOWED_HOSTS "
        "setting)"]
    assert all("private, loopback" in e[0] for e in errors.values()), errors


def test_the_url_form_runs_the_ssrf_guard_with_its_own_message(client, analyst):
    client.force_login(analyst)
    answer = client.post(reverse("sources:submit_urls"), {"urls": "\n".join(["https://93.184.216.34/a", *PRIVATE])})

    assert answer.status_code == 400
    message = answer.context["urls_form"].errors["urls"][0]
    assert message.startswith("refused 'http://0177.0.0.1/rss': 0177.0.0.1 spells 127.0.0.1, a private")
    assert IngestionItem.objects.count() == 0


def test_the_api_runs_the_ssrf_guard_at_submission(world, analyst):
    client = token_client(analyst, read_write=True)
    codes = {}
    for url in PRIVATE:
        answer = client.post("/api/v1/ingestion-runs/", {"url": url}, format="json")
        codes[url] = (answer.status_code, "private, loopback" in answer.json()["error"]["message"])

    assert set(codes.values()) == {(400, True)}, codes
    assert IngestionItem.objects.filter(run__kind="manual", source="url").count() == 0
