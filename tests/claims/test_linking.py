"""The analysis wired to the database: statements speakers resolved, claims matched across articles."""

import hashlib
import json
import time
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import embeddings, retrieval
from claims.analysis.similarity import embed
from claims.annotations import annotation_import
from claims.embeddings import claim_embeddings_fill
from claims.enums import Origin, ReviewState
from claims.linking import claim_match, revision_analyse
from claims.models import Claim, ClaimEmbedding, Party, Statement
from claims.retrieval import claim_candidates
from claims.selectors import claim_list_similar
from claims.services import claim_create, claim_merge, claim_update, statement_review
from sources.models import Article, ArticleRevision


def _revision(seed_dir, name: str) -> ArticleRevision:
    text = (seed_dir / name).read_text()
    article = Article.objects.create(
        url=f"https://wire.example/{name}", canonical_url=f"https://wire.example/{name}",
        published_at=timezone.now(),
    )
    return ArticleRevision.objects.create(
        article=article, number=1, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(),
        fetched_at=timezone.now(),
    )


@pytest.fixture
def parties(db, seed_dir):
    """The seed's parties only: no claims, no statements, nothing to lean on."""
    gold = json.loads((seed_dir / "gold.json").read_text())
    annotation_import(data={"articles": [], "parties": gold["parties"], "claims": [], "statements": []},
                      base_dir=seed_dir)


def test_f16_claim_is_one_claim_across_both_articles(parties, seed_dir):
    first, second = _revision(seed_dir, "article-1.txt"), _revision(seed_dir, "article-2.txt")

    revision_analyse(revision=first)
    report = revision_analyse(revision=second)

    f16 = Statement.objects.filter(quote__contains="F-16", party__slug__in=["armenia", "armenia-mod"])
    claims = {s.claim_id for s in f16}
    assert len(claims) == 1, [(s.article_id, s.quote, s.claim and s.claim.text) for s in f16]
    assert {s.article_id for s in f16} == {first.article_id, second.article_id}
    claim = Claim.objects.get(pk=claims.pop())
    deniers = set(claim.statements.filter(stance="denies").values_list("party__slug", flat=True))
    assert deniers == {"turkey", "azerbaijan"}
    assert (claim.origin, claim.review_state) == (Origin.EXTRACTED, ReviewState.PENDING)
    assert report.claims_linked >= 1
    assert set(Statement.objects.values_list("origin", "review_state").distinct()) == {
        (Origin.EXTRACTED, ReviewState.PENDING)
    }


def test_analysing_again_adds_nothing_and_keeps_what_analysts_reviewed(parties, seed_dir, analyst):
    revision = _revision(seed_dir, "article-1.txt")
    revision_analyse(revision=revision)
    before = sorted(Statement.objects.values_list("pk", "claim_id", "stance", "review_state"))
    reviewed = Statement.objects.filter(stance="denies").first()
    statement_review(statement=reviewed, actor=analyst, action="reject")

    again = revision_analyse(revision=revision)

    after = sorted(Statement.objects.values_list("pk", "claim_id", "stance", "review_state"))
    assert again.created == 0
    assert [row[:3] for row in after] == [row[:3] for row in before]
    assert Statement.objects.get(pk=reviewed.pk).review_state == ReviewState.REJECTED


def test_an_unknown_speaker_becomes_a_proposed_party(db):
    text = "The Ruritanian Interior Ministry said on Monday that the border crossing at Zenda had been closed."
    revision = ArticleRevision.objects.create(
        article=Article.objects.create(url="https://x.example/1", canonical_url="https://x.example/1"),
        number=1, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(), fetched_at=timezone.now(),
    )

    report = revision_analyse(revision=revision)

    statement = Statement.objects.get()
    assert report.parties_proposed == 1
    assert (statement.party.origin, statement.party.review_state) == (Origin.EXTRACTED, ReviewState.PENDING)
    assert "Ruritanian Interior Ministry" in statement.party.name
    assert statement.claim.text.startswith("The border crossing at Zenda had been closed")
    # The run pages count the text as analysed; the proposals wait in their queues.
    assert ArticleRevision.objects.get(pk=revision.pk).analysed_at is not None
    from claims.selectors import claim_list_proposed, party_list_proposed

    assert (list(party_list_proposed()), list(claim_list_proposed())) == ([statement.party], [statement.claim])


def test_claim_match_finds_the_same_claim_in_other_words(db):
    claim = claim_create(text="A Turkish F-16 shot down an Armenian military aircraft over Armenian airspace")
    claim_create(text="Azerbaijan is using long-range artillery in the disputed enclave")

    found, score = claim_match(
        text="a Turkish F-16 fighter jet had shot down one of its warplanes over Armenian airspace"
    )
    unrelated, _ = claim_match(text="The price of bread doubled in the capital")

    assert found == claim
    assert score > 0.4
    assert unrelated is None


def _stored_vector(claim: Claim) -> np.ndarray | None:
    row = ClaimEmbedding.objects.filter(claim=claim).first()
    return None if row is None else np.asarray(row.vector, dtype=np.float32)


def _same_vector(stored: np.ndarray | None, text: str) -> bool:
    # Stored as float16: equal to the wording's embedding within half precision.
    return stored is not None and bool(np.allclose(stored, embed([text])[0], atol=2e-3))


def test_a_claim_gets_the_embedding_of_its_wording_when_created(db):
    claim = claim_create(text="  Shelling hit the regional airport near Stepanakert  ")

    assert _same_vector(_stored_vector(claim), "Shelling hit the regional airport near Stepanakert")


def test_editing_the_wording_replaces_the_embedding(analyst):
    claim = claim_create(text="Shelling hit the regional airport near Stepanakert")

    claim_update(claim=claim, actor=analyst, text="Drones struck a fuel depot in Ganja")
    stored = _stored_vector(claim)

    assert _same_vector(stored, "Drones struck a fuel depot in Ganja")
    assert not _same_vector(stored, "Shelling hit the regional airport near Stepanakert")
    assert claim_match(text="a fuel depot in Ganja was struck by drones")[0] == claim


def test_editing_tags_only_keeps_the_embedding(analyst):
    claim = claim_create(text="Shelling hit the regional airport near Stepanakert")

    claim_update(claim=claim, actor=analyst, tags=["air"])

    assert _same_vector(_stored_vector(claim), "Shelling hit the regional airport near Stepanakert")


def test_a_merged_claim_loses_its_embedding_and_is_never_matched_again(analyst):
    target = claim_create(text="A Turkish F-16 shot down an Armenian military aircraft")
    source = claim_create(text="Turkish F-16 downs Armenian warplane")

    claim_merge(source=source, target=target, actor=analyst)

    assert _stored_vector(source) is None
    assert _same_vector(_stored_vector(target), "A Turkish F-16 shot down an Armenian military aircraft")
    assert claim_match(text="Turkish F-16 downs Armenian warplane")[0] == target
    assert [c.pk for c in claim_list_similar(claim=target)] == []


ACTORS = ["Valorken", "Miros", "Tarbel", "Zuraneka", "Delgra", "Hanpe", "Culivi", "Ostrin"]
VERBS = ["shelled", "struck", "seized", "blockaded", "bombed", "raided", "captured", "attacked"]
OBJECTS = ["a border post", "the main bridge", "a fuel depot", "two villages", "the power station",
           "an airfield", "the water plant", "a radar station"]
PLACES = ["Oriaan", "Ratovva", "Kensendor", "Vanerin", "Belmahan", "Liperos", "Gradorsen", "Maulvi"]


@pytest.fixture
def decoys(db):
    """4,096 claims worded alike (actor, verb, object, place), stored as the generator does: bulk, then filled."""
    Claim.objects.bulk_create(
        Claim(text=f"{actor} forces {verb} {thing} near {place}")
        for actor in ACTORS for verb in VERBS for thing in OBJECTS for place in PLACES
    )
    filled = claim_embeddings_fill()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    return filled


def test_the_fill_embeds_every_claim_without_one_once(decoys):
    assert decoys == len(ACTORS) * len(VERBS) * len(OBJECTS) * len(PLACES)
    assert ClaimEmbedding.objects.count() == decoys
    claim = Claim.objects.get(text="Miros forces seized two villages near Liperos")
    assert _same_vector(_stored_vector(claim), claim.text)
    assert claim_embeddings_fill() == 0


def test_lookup_finds_a_paraphrase_among_thousands_of_decoys(decoys):
    # Every decoy shares most words with the statement; one says the same thing.
    same = Claim.objects.get(text="Tarbel forces bombed the power station near Kensendor")

    unrelated, _ = claim_match(text="The price of bread doubled in the capital")  # reads the word statistics
    with CaptureQueriesContext(connection) as queries:
        found, score = claim_match(text="Tarbel troops bombed the power station close to Kensendor")

    assert (found, score >= 0.4) == (same, True)
    assert len(queries.captured_queries) == 2  # the text's words, then both channels in one query
    assert unrelated is None


def test_lookup_finds_a_real_paraphrase_among_decoys(decoys):
    claim = claim_create(text="A Turkish F-16 shot down an Armenian military aircraft over Armenian airspace")
    claim_create(text="An Armenian Su-25 was shot down over Azerbaijani airspace")
    claim_create(text="Azerbaijan is using long-range artillery in the disputed enclave")

    found, _score = claim_match(
        text="a Turkish F-16 fighter jet had shot down one of its warplanes over Armenian airspace"
    )

    assert found == claim


def test_each_channel_finds_the_claim_on_its_own(decoys):
    same = Claim.objects.get(text="Delgra forces raided an airfield near Gradorsen")
    statement = "Delgra troops raided an airfield close to Gradorsen"

    by_embedding = claim_candidates(text=statement, by_words=0)
    by_rare_words = claim_candidates(text=statement, nearest=0)

    assert same in by_embedding and len(by_embedding) == retrieval.NEAREST
    assert same in by_rare_words and len(by_rare_words) == retrieval.BY_WORDS


def test_lookup_through_the_hnsw_graph_walk_finds_the_paraphrase(decoys, monkeypatch):
    # Small tables are scanned exactly; a limit of 0 claims makes the lookup walk the HNSW graph, as at scale.
    # (Among these templated decoys the walk alone may miss the claim: the rare-word channel is the safety net.)
    monkeypatch.setattr(retrieval, "EXACT_BELOW", 0)
    same = Claim.objects.get(text="Delgra forces raided an airfield near Gradorsen")

    found, _score = claim_match(text="Delgra troops raided an airfield close to Gradorsen")

    assert found == same


def test_lookup_leaves_out_merged_rejected_and_excluded_claims(decoys, analyst):
    same = Claim.objects.get(text="Hanpe forces captured a radar station near Maulvi")
    statement = "Hanpe troops captured a radar station close to Maulvi"

    assert claim_match(text=statement)[0] == same
    assert claim_match(text=statement, exclude_ids=(same.pk,))[0] != same
    Claim.objects.filter(pk=same.pk).update(review_state=ReviewState.REJECTED)
    assert claim_match(text=statement)[0] != same


def test_similar_claims_of_a_claim_page_are_the_closest_others(decoys):
    claim = claim_create(text="A Turkish F-16 shot down an Armenian military aircraft over Armenian airspace")
    paraphrase = claim_create(text="a Turkish F-16 fighter jet had shot down one of its warplanes over Armenia")
    decoy = Claim.objects.get(text="Culivi forces struck the main bridge near Vanerin")

    similar = claim_list_similar(claim=claim)
    of_decoy = claim_list_similar(claim=decoy)

    assert similar == [paraphrase]  # the decoys are not worded like it
    assert similar[0].similarity >= 0.4
    assert decoy not in of_decoy and len(of_decoy) == 5
    assert [c.similarity for c in of_decoy] == sorted((c.similarity for c in of_decoy), reverse=True)
    assert min(c.similarity for c in of_decoy) >= 0.3


def test_generated_claims_are_embedded_in_bulk_and_found_by_paraphrase(db, monkeypatch):
    # Above REBUILD_ABOVE the fill drops the HNSW index and the foreign key and puts both back after the COPY.
    monkeypatch.setattr(embeddings, "REBUILD_ABOVE", 100)
    call_command("generate_data", outlets=5, parties=200, articles=50, claims=400, statements=100, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_indexes WHERE indexname = 'claim_embedding_hnsw_idx'), "
            "(SELECT count(*) FROM pg_constraint WHERE conrelid = 'claims_claimembedding'::regclass AND contype = 'f')"
        )
        index_and_key = cursor.fetchone()
    claim = Claim.objects.get(pk=321)
    reworded = claim.text.replace(" forces ", " troops ").replace(" near ", " close to ")

    assert index_and_key == (1, 1)
    assert ClaimEmbedding.objects.count() == 400
    assert _same_vector(_stored_vector(claim), claim.text)
    assert claim_match(text=reworded)[0] == claim


@pytest.mark.worker
def test_the_worker_analyses_a_revision_queued_by_the_pipeline(celery_worker, seed_dir):
    from claims.tasks import analyse_revision

    gold = json.loads((seed_dir / "gold.json").read_text())
    annotation_import(data={"articles": [], "parties": gold["parties"], "claims": [], "statements": []},
                      base_dir=seed_dir)
    revision = _revision(seed_dir, "article-2.txt")

    result = analyse_revision.delay(revision_id=revision.pk).get(timeout=120)

    assert result["revision_id"] == revision.pk
    assert result["created"] == Statement.objects.filter(revision=revision).count() > 10
    assert Party.objects.filter(origin=Origin.EXTRACTED).count() == 0  # every seed speaker was known
    assert analyse_revision.delay(revision_id=10**9).get(timeout=30) is None  # a revision that is gone
    time.sleep(0)  # the worker stays up for the next test's fixture teardown

