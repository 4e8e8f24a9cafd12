"""Canonical URLs: the spellings of one article's address come out as one string."""

import pytest

from sources.canonical import InvalidUrl, url_canonical_from_page, url_canonicalize


@pytest.mark.parametrize("spelling", [
    "https://News.Example.com/world/story-1?utm_source=twitter&utm_medium=social",
    "HTTPS://news.example.com:443/world/story-1#comments",
    "https://news.example.com/world/story-1?fbclid=IwAR0abc",
    "https://news.example.com/world/story-1?gclid=xyz&utm_campaign=spring",
    "https://news.example.com/world//story-1",
    "https://news.example.com/world/%73tory-1",
    "  https://news.example.com/world/story-1  ",
])
def test_tracking_parameters_case_ports_and_fragments_do_not_make_another_article(spelling):
    assert url_canonicalize(spelling) == "https://news.example.com/world/story-1"


def test_parameters_that_choose_the_article_are_kept_and_sorted():
    assert url_canonicalize("http://example.com:8080/read?b=2&utm_term=x&a=1") == "http://example.com:8080/read?a=1&b=2"


def test_an_empty_path_is_the_root_and_idn_hosts_are_punycode():
    assert url_canonicalize("http://bücher.example") == "http://xn--bcher-kva.example/"


@pytest.mark.parametrize("bad", ["ftp://example.com/file", "javascript:alert(1)", "/relative/path", "http://", ""])
def test_anything_but_absolute_http_urls_is_refused(bad):
    with pytest.raises(InvalidUrl):
        url_canonicalize(bad)


def test_rel_canonical_on_the_same_site_wins():
    assert url_canonical_from_page(
        page_url="https://m.example.com/story?utm_source=rss", declared="https://www.example.com/2024/story"
    ) == "https://www.example.com/2024/story"


def test_a_relative_rel_canonical_is_resolved_against_the_page():
    assert url_canonical_from_page(page_url="https://example.com/a/b?x=1", declared="/a/b") == "https://example.com/a/b"


def test_rel_canonical_pointing_at_another_publisher_is_ignored():
    # Otherwise any page could claim a real article's address and take over its row.
    assert url_canonical_from_page(
        page_url="https://attacker.example.net/copy", declared="https://www.example.com/real-story"
    ) == "https://attacker.example.net/copy"


def test_rel_canonical_in_the_feeds_outlet_domain_is_trusted():
    assert url_canonical_from_page(
        page_url="http://127.0.0.1:8000/story.html", declared="https://wire.example/story",
        outlet_domain="wire.example",
    ) == "https://wire.example/story"
