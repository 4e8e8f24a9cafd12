"""Claim wording: clauses become claims in positive form; noun phrases and fragments never do (invented texts)."""

from __future__ import annotations

from claims.analysis import analyse
from claims.analysis.nlp import get_nlp
from claims.analysis.wording import MAX_WORDS, claim_wording


def _one(text: str, parties=()):
    [statement] = analyse(text, list(parties))
    return statement


def test_a_clause_is_a_claim_with_the_complementiser_dropped(parties):
    s = _one("Serbia said that the border crossing at Horgos had been closed overnight.", parties)
    assert (s.clause, s.claim_wording, s.stance) == (True, "The border crossing at Horgos had been closed overnight",
                                                     "asserts")
    assert s.claim_key


def test_a_negated_report_denies_the_positive_claim():
    s = _one("Velden Airways said on Monday it does not plan to separate passengers by gender.")
    assert (s.stance, s.claim_wording) == ("denies", "Velden Airways plans to separate passengers by gender")


def test_a_denial_in_the_past_tense_keeps_its_tense():
    s = _one("The mayor's office said the mayor did not attend the meeting at the harbour.")
    assert (s.stance, s.claim_wording) == ("denies", "The mayor attended the meeting at the harbour")


def test_a_denial_and_a_negated_assertion_of_one_plan_are_one_claim_not_contested():
    text = (
        "The union said the airline plans to separate passengers by gender on domestic flights.\n\n"
        "The airline said it does not plan to separate passengers by gender on domestic flights."
    )
    union, airline = analyse(text, [])
    assert (union.stance, airline.stance) == ("asserts", "denies")
    assert union.claim_key == airline.claim_key


def test_noun_phrases_and_fragments_are_no_claims():
    phrase = _one("The minister, speaking to state television, denied having made any statement on the levy.")
    assert (phrase.claim_wording, phrase.claim_key) == ("", None)
    nominal = _one("The council mentioned federal privacy law.") if analyse(
        "The council mentioned federal privacy law.", []) else None
    assert nominal is None or nominal.claim_key is None


def test_an_indirect_question_is_no_claim():
    s = _one("The pollster said how surprised he was that health had become the main issue.")
    assert (s.clause, s.claim_key) == (False, None)


def test_an_event_phrase_with_its_participants_stays_a_claim(parties):
    s = _one("The Georgian Defence Ministry reported the loss of at least 12 soldiers.", parties)
    assert (s.claim_wording, bool(s.claim_key)) == ("The loss of at least 12 soldiers", True)


def test_a_pronoun_that_is_the_speaker_takes_the_speakers_name(parties):
    s = _one("Serbia said it had shot down a drone over its territory.", parties)
    assert s.claim_wording == "Serbia had shot down a drone over its territory"


def test_a_long_clause_is_cut_to_about_twenty_five_words_and_stays_a_clause():
    text = (
        "Ruritania said its air defences had shot down a drone over the northern province on Tuesday, the third such "
        "incident this month, after repeated warnings to its neighbours about flights near the border that it said "
        "were illegal under international law."
    )
    doc = get_nlp()(text)
    start = text.index("its air")
    wording = claim_wording(doc, [(start, len(text) - 1)], speaker_name="Ruritania", speaker_kind="state")
    assert wording.clause and wording.pruned
    assert len(wording.text.split()) <= MAX_WORDS
    # The possessive that is the speaker's takes the speaker's name, as the subject pronoun does.
    assert wording.text.startswith("Ruritania's air defences had shot down a drone over the northern province")


def test_a_remark_whose_subject_points_nowhere_founds_no_claim():
    for text in (
        "“We will see,” the harbour master, Ivo Danek, said.",
        "“This is a disgrace for the whole town,” said one resident.",
        "“It's frightening,” said one mother outside the school.",
    ):
        [s] = analyse(text, [])
        assert (s.clause, s.claim_wording) == (True, ""), text
        assert s.claim_text  # it may still join a claim that others state in their own words


def test_a_possessive_that_is_the_speaker_takes_the_speakers_name():
    s = _one("Valdoria said its border guards had not crossed the river.")
    assert (s.stance, s.claim_wording) == ("denies", "Valdoria's border guards had crossed the river")


def test_an_anaphoric_subject_founds_no_claim():
    [s] = analyse("The foreign minister, Rena Olsen, said the claim was a fabrication meant to win sympathy.", [])
    assert s.claim_wording == ""


def test_a_negated_subject_quantifier_denies_the_positive_claim():
    s = _one("The fire service said nobody had been hurt in the blaze at the depot.")
    assert (s.stance, s.claim_wording) == ("denies", "Somebody had been hurt in the blaze at the depot")


def test_a_negated_belief_or_knowledge_is_no_denial_and_no_claim():
    for text in (
        "The union's leader, Piet Mahler, said he did not believe the company.",
        "The managing director, Frida Lund, said the company did not know how the glass got into the jars.",
    ):
        [s] = analyse(text, [])
        assert (s.stance, s.claim_wording, s.claim_text) == ("asserts", "", ""), text


def test_counted_things_and_a_subordinate_clause_are_no_claim():
    doc = get_nlp()("Dorrit Foods recalled 40,000 jars of pear puree this week after shoppers found glass in two jars.")
    start = doc.text.index("40,000")
    wording = claim_wording(doc, [(start, len(doc.text) - 1)], speaker_name="Dorrit Foods",
                            speaker_kind="organisation")
    assert (wording.clause, wording.text) == (False, "")


def test_a_report_verb_alone_or_a_clause_cut_off_founds_no_claim():
    doc = get_nlp()(
        "She said. Tomas Vik promised to keep backing the mayor and. The council is to blame for the long delay in."
    )
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    for start, end in sentences:
        wording = claim_wording(doc, [(start, end)])
        assert (wording.clause, wording.text) == (False, ""), doc.text[start:end]
    whole = get_nlp()("Tomas Vik promised to keep backing the mayor.")
    assert claim_wording(whole, [(0, len(whole.text))]).clause


def test_a_quote_that_holds_its_own_report_founds_no_claim():
    text = "“Here we are, friends,” the skipper said on the quay. “Home at last.”"
    doc = get_nlp()(text)
    wording = claim_wording(doc, [(1, len(text) - 1)], speaker_name="the skipper")
    assert (wording.clause, wording.text) == (False, "")


def test_a_first_person_speaker_put_back_by_name_takes_the_third_person():
    assert _one("“I love the new bridge over the Vessel,” Ada Holm said.").claim_wording == (
        "Ada Holm loves the new bridge over the Vessel")
    assert _one("“I'm sure the ferry will run again in May,” Ada Holm said.").claim_wording == (
        "Ada Holm is sure the ferry will run again in May")
    assert _one("“We judge every bid on its merits,” the harbour board said.").claim_wording == (
        "Harbour board judges every bid on its merits")


def test_in_the_speakers_own_words_he_is_someone_else():
    quoted = _one("“He is a disgrace to the town,” Ada Holm said.")
    reported = _one("Ada Holm said she was sure the ferry would run again.")
    assert (quoted.clause, quoted.claim_wording) == (True, "")
    assert reported.claim_wording == "Ada Holm was sure the ferry would run again"


def test_under_a_negation_any_words_take_their_positive_form():
    s = _one("The harbour board said it has not paid anything to the contractors.")
    assert (s.stance, s.claim_wording) == ("denies", "Harbour board has paid something to the contractors")


def test_a_topic_is_no_event_phrase_but_a_happening_is():
    topic = _one("Ada Holm welcomed the need for reforms at the port.")
    event = _one("Ada Holm condemned the arrest of three fishermen in the bay.")
    assert (topic.clause, topic.claim_wording, topic.claim_text) == (False, "", "")
    assert event.claim_wording == "The arrest of three fishermen in the bay"


def test_a_contracted_verb_after_a_pronoun_put_back_by_name_is_written_out():
    assert _one("Ada Holm said she's thrilled to receive the award from the harbour board.").claim_wording == (
        "Ada Holm is thrilled to receive the award from the harbour board")
    assert _one("Ada Holm said she'd leave such decisions to the harbour board.").claim_wording == (
        "Ada Holm would leave such decisions to the harbour board")
