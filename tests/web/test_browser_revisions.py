"""In the browser: a statement an edited article dropped, on its claim's page and in the article reader (issue 15)."""

from django.urls import reverse

from claims import services
from claims.enums import Origin, ReviewState
from tests.factories import ArticleRevisionFactory, ClaimFactory, StatementFactory
from tests.web.test_browser import pytestmark, sign_in  # noqa: F401 -- the skip mark

FIRST = "Officials said the depot burned overnight. They said nobody was hurt."
SECOND = "Officials said nobody was hurt."


def test_a_dropped_statement_shows_as_no_longer_in_the_article(transactional_db, analyst, new_page):
    claim = ClaimFactory(text="The depot burned overnight", origin=Origin.EXTRACTED, review_state=ReviewState.PENDING)
    first = ArticleRevisionFactory(text=FIRST)
    second = ArticleRevisionFactory(article=first.article, number=2, text=SECOND)
    statement = StatementFactory(revision=first, claim=claim, start=0, end=FIRST.index(" They"))
    services.statement_withdraw_many(statement_ids=[statement.pk], revision=second)
    page = new_page()
    sign_in(page, analyst)

    page.goto(reverse("claims:claim_detail", args=[claim.pk]))

    withdrawn = page.locator("#withdrawn")
    assert withdrawn.get_by_role("heading").inner_text() == "No longer in the article"
    assert "Officials said the depot burned overnight." in withdrawn.locator("blockquote").inner_text()
    assert "gone from revision 2" in withdrawn.inner_text()
    assert "Hidden from the claim lists" in page.locator("#claim-hidden").inner_text()
    withdrawn.get_by_role("link", name="Read it in revision 1").click()
    page.wait_for_url(f"**/articles/{first.article_id}/?rev=1*")
    assert "No longer in the article" in page.locator(f"#sd-{statement.pk}").inner_text()

    page.goto(reverse("claims:claim_list"))
    assert page.get_by_text("The depot burned overnight").count() == 0

