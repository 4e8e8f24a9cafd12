"""factory_boy factories for the domain models; they go through the same constraints as the services."""

import hashlib
import uuid

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from claims.enums import Origin, PartyKind, ReviewState, Stance
from claims.models import (
    ApiToken,
    Claim,
    Party,
    PartyAlias,
    Statement,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from claims.normalise import normalise_mention
from claims.services import TOKEN_PREFIX, api_token_hash
from sources.enums import IngestionKind
from sources.models import Article, ArticleRevision, Feed, IngestionItem, IngestionRun, Outlet


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")
    country = "GB"
    language = "en"


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feed

    outlet = factory.SubFactory(OutletFactory)
    url = factory.Sequence(lambda n: f"https://outlet.example/feed-{n}.xml")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    outlet = factory.SubFactory(OutletFactory)
    url = factory.Sequence(lambda n: f"https://outlet.example/news/{n}")
    canonical_url = factory.LazyAttribute(lambda a: a.url)
    title = factory.Sequence(lambda n: f"Story {n}")
    published_at = factory.LazyFunction(timezone.now)
    status = "analysed"


class ArticleRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleRevision

    article = factory.SubFactory(ArticleFactory)
    number = 1
    text = factory.Sequence(lambda n: f"Officials said on day {n} that the bridge had been destroyed.")
    text_hash = factory.LazyAttribute(lambda r: hashlib.sha256(r.text.encode()).hexdigest())
    fetched_at = factory.LazyFunction(timezone.now)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    slug = factory.Sequence(lambda n: f"party-{n}")
    name = factory.Sequence(lambda n: f"Party {n}")
    name_normalised = factory.LazyAttribute(lambda p: normalise_mention(p.name))
    kind = PartyKind.STATE


class PartyAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyAlias

    party = factory.SubFactory(PartyFactory)
    text = factory.Sequence(lambda n: f"Alias {n}")
    normalised = factory.LazyAttribute(lambda a: normalise_mention(a.text))


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"The bridge number {n} was destroyed")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    revision = factory.SubFactory(ArticleRevisionFactory)
    article = factory.LazyAttribute(lambda s: s.revision.article)
    party = factory.SubFactory(PartyFactory)
    claim = factory.SubFactory(ClaimFactory)
    stance = Stance.ASSERTS
    start = 0
    end = factory.LazyAttribute(lambda s: len(s.revision.text))
    quote = factory.LazyAttribute(lambda s: s.revision.text[s.start : s.end])
    origin = Origin.EXTRACTED
    review_state = ReviewState.PENDING


class IngestionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IngestionRun

    kind = IngestionKind.URL_BATCH


class IngestionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IngestionItem

    run = factory.SubFactory(IngestionRunFactory)
    url = factory.Sequence(lambda n: f"https://outlet.example/item/{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token whose raw key is `token.raw` (only its hash is stored, as api_token_create stores it)."""

    class Meta:
        model = ApiToken

    class Params:
        raw = factory.Sequence(lambda n: f"{TOKEN_PREFIX}factory-{n:032d}")

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tool {n}")
    prefix = factory.LazyAttribute(lambda t: t.raw[: len(TOKEN_PREFIX) + 8])
    key_hash = factory.LazyAttribute(lambda t: api_token_hash(t.raw))


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    token = factory.SubFactory(ApiTokenFactory, read_write=True)
    target_url = "https://example.org/hook"
    events = factory.LazyFunction(lambda: [WebhookEvent.CLAIM_CREATED.value])
    secret = "s"


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    delivery_id = factory.LazyFunction(uuid.uuid4)
    event = WebhookEvent.CLAIM_CREATED
    payload = factory.LazyFunction(dict)
