"""Speakers are speakers: furniture and common nouns never become parties; every proposal has a kind; one
proposal per person or body across the run; pronouns resolve or stay unresolved (invented texts)."""

from __future__ import annotations

from claims.analysis import analyse, analyse_documents
from claims.analysis.nlp import get_nlp
from claims.analysis.parties import proposed_name
from claims.analysis.speakers import SpeakerVerdict, clean_name, mention_verdict, name_head


def _proposals(text: str) -> list[tuple[str, str]]:
    return sorted({(s.proposed_party, s.proposed_kind) for s in analyse(text, []) if s.proposed_party})


def _speakers(text: str) -> list[tuple[str | None, str | None]]:
    return [(s.proposed_party, s.speaker.text if s.speaker else None) for s in analyse(text, [])]


def test_page_furniture_before_a_colon_is_no_speaker():
    text = (
        "READ MORE: Harbour strike enters its second week\n\n"
        "Video: Cranes stand idle at the container terminal\n\n"
        "Correction: An earlier version of this article misstated the number of ships.\n\n"
        "Legend: Dockers march through the old town on Monday."
    )
    assert analyse(text, []) == []


def test_a_transcript_speaker_line_still_speaks():
    text = "HALVORSEN: The harbour will reopen on Friday, and the unions have agreed to the new shifts."
    assert [(s.proposed_party, s.stance) for s in analyse(text, [])] == [("HALVORSEN", "asserts")]


def test_each_proposed_party_gets_its_kind_from_names_and_head_nouns():
    text = (
        "Marta Lindqvist, the port's director, said the strike had cost millions.\n\n"
        "The Transport Ministry said talks would resume on Thursday.\n\n"
        "The Nordavian army said troops had been sent to guard the terminal.\n\n"
        "The Harbour Gazette newspaper reported that two ships had left for other ports.\n\n"
        "Officials said the cranes had not been damaged.\n\n"
        "Portugal said it had offered to take the diverted ships."
    )
    assert _proposals(text) == [
        ("Harbour Gazette newspaper", "media"),
        ("Marta Lindqvist", "person"),
        ("Nordavian army", "military"),
        ("Officials", "anonymous"),
        ("Portugal", "state"),
        ("Transport Ministry", "government-body"),
    ]


def test_things_that_say_are_no_party_but_keep_their_words():
    text = "The report said the harbour had lost a third of its traffic since the spring."
    [statement] = analyse(text, [])
    assert (statement.party_id, statement.proposed_party, statement.speaker.text) == (None, None, "The report")


def test_a_title_and_a_surname_are_one_proposal_with_the_full_name():
    text = (
        "Prime Minister Elias Varga said the government would not negotiate under pressure.\n\n"
        "Varga said the unions had broken the agreement signed in March.\n\n"
        "President Varga also said he had spoken to the harbour's owners."
    )
    assert {s.proposed_party for s in analyse(text, [])} == {"Elias Varga"}


def test_singular_and_plural_descriptions_are_one_proposal_across_the_run():
    results = analyse_documents(
        {
            "a": "A militant said the group had fired the rockets at the base on Sunday.",
            "b": "Militants said the rockets had been fired at the base.",
        },
        [],
    )
    assert {s.proposed_party for sts in results.values() for s in sts} == {"Militant"}


def test_he_resolves_to_the_person_named_before_or_stays_unresolved():
    text = (
        "The strike began on Monday, the union's leader Tomas Brandt told reporters.\n\n"
        "He said the dockers would stay out until the shifts were changed."
    )
    assert [s.proposed_party for s in analyse(text, [])] == ["Tomas Brandt", "Tomas Brandt"]
    alone = analyse("He said the dockers would stay out until the shifts were changed.", [])
    assert [(s.party_id, s.proposed_party, s.speaker.text) for s in alone] == [(None, None, "He")]


def test_no_party_is_ever_a_pronoun_and_names_are_trimmed():
    text = (
        "Harbour strike enters second week\n\n"
        "\n\nThe Dockers Union said on Monday it had no plans to end the strike.\n\n"
        "They said the owners had refused to meet them.\n\n"
        "It said the talks had collapsed."
    )
    names = [s.proposed_party for s in analyse(text, []) if s.proposed_party]
    assert names == ["Dockers Union", "Dockers Union", "Dockers Union"]
    assert all(name == name.strip() and "\n" not in name for name in names)


def test_a_statement_inside_a_caption_or_a_correction_is_no_statement():
    text = (
        "The port authority said on Monday that the harbour had reopened after the storm.\n\n"
        "Video: The harbour master, Ivo Danek, says the cranes will run again next week\n\n"
        "Correction: An earlier version of this article said the harbour had closed for good.\n\n"
        "Update: The authority said on Tuesday that the first ships had docked."
    )
    assert [(s.proposed_party, s.stance) for s in analyse(text, [])] == [("Port authority", "asserts")]


def test_laws_treaties_and_events_are_no_parties():
    text = (
        "The Eastern Fisheries Convention says member states must report every catch.\n\n"
        "The Harbour Safety Act says that ferries must carry two pilots.\n\n"
        "The minister, Edda Brun, said the convention would be reviewed."
    )
    assert _proposals(text) == [("Edda Brun", "person")]
    statements = analyse(text, [])
    assert [s.speaker.text for s in statements[:2]] == ["The Eastern Fisheries Convention", "The Harbour Safety Act"]
    assert [s.party_id or s.proposed_party for s in statements[:2]] == [None, None]


def test_a_capitalised_description_is_anonymous_not_an_organisation():
    assert _proposals("Top Democrat Marek Vos said the vote would fail.") == [("Marek Vos", "person")]
    assert _proposals("Lawmaker says the harbour tax will be dropped after the vote on Friday.") == [
        ("Lawmaker", "anonymous")
    ]


def test_capitalised_headline_words_the_body_never_repeats_are_no_party():
    text = (
        "Harbour Tax Plan Stalls Says Report As Ferry Fares Rise Again\n\n"
        "Ferry fares rose again on Monday. The Dockers Union said the harbour tax had been put off."
    )
    assert _proposals(text) == [("Dockers Union", "organisation")]


def test_a_run_in_subheading_before_a_colon_is_no_party():
    text = (
        "Harbour Dues Block Ferry Plans: Raising the dues was one of the first acts of the new port board, and "
        "the ferry operators have fought it since.\n\n"
        "The Dockers Union said the dues had doubled in a year."
    )
    assert _proposals(text) == [("Dockers Union", "organisation")]


def test_datelines_dates_and_cut_mentions_are_no_party_names():
    text = (
        "HARBOURVILLE, Oct. 3 -- The Dockers Union said the strike would go on.\n\n"
        "The former harbour master and a union lawyer said the owners had refused to meet."
    )
    names = [s.proposed_party for s in analyse(text, []) if s.proposed_party]
    assert names and not any("harbourville" in name.lower() for name in names), names
    assert clean_name("Former secretary of state and") == "Former secretary of state"
    assert clean_name("the Friends of the Harbour") == "Friends of the Harbour"
    assert name_head("Former harbour master and") == "Former harbour master"


def test_a_name_with_a_place_in_it_is_a_person_and_a_people_is_anonymous():
    proposals = dict(_proposals("Harbourville police Chief Anton Jordan said the road was closed."))
    assert proposals.get("Harbourville police Chief Anton Jordan", proposals.get("Anton Jordan")) == "person", proposals
    assert dict(_proposals("Norwegians say the new ferry tax is unfair.")).get("Norwegians") in (None, "anonymous")


def test_a_relative_clause_on_predicate_nouns_is_the_subjects_statement_not_the_epithets():
    [s] = analyse(
        "Mayor Dana Pell routinely insults voters and is a habitual liar, rampant bully, racist, coward and "
        "braggart who has repeatedly pledged to close all public libraries from next spring.", [])
    assert (s.proposed_party, s.proposed_kind, s.stance) == ("Dana Pell", "person", "position")


def test_words_of_a_dateline_with_a_news_agency_tag_are_no_speaker():
    doc = get_nlp()("PORT ELLEN, Oct. 4 (NWA) \u2014 Ada Morel said the ferry would run again in May.")
    start = doc.text.index("Oct.")
    span = doc.char_span(start, doc.text.index(")") + 1, alignment_mode="expand")
    agency = next(t for t in span if t.text == "NWA")  # the agency's tag, as the parse may take it for a speaker
    assert mention_verdict(agency, list(span)) == SpeakerVerdict(False, "", "dateline")
    [s] = analyse(doc.text, [])
    assert s.proposed_party == "Ada Morel"


def test_a_dateline_run_into_a_speakers_name_is_cut_off():
    assert [proposed_name(t) for t in ("OSLO - European leaders", "BERGEN, Norway -- Port workers", "U.S. officials")
            ] == ["European leaders", "Port workers", "U.S. officials"]


def test_a_people_with_an_article_is_anonymous_not_an_organisation():
    [s] = analyse("The Europeans, who had been left out of the talks, said the deal was toothless.", [])
    assert (s.proposed_party, s.proposed_kind) == ("Europeans", "anonymous")


def test_an_editors_note_with_a_typographic_apostrophe_is_page_furniture():
    assert analyse("Editor\u2019s note: Ada Morel said the ferry would run again in May.", []) == []
    assert len(analyse("Ada Morel said the ferry would run again in May.", [])) == 1


def test_a_person_is_named_without_a_possessive():
    from claims.analysis.speakers import person_name

    assert person_name("Senator Anna Berg's") == "Anna Berg"
    assert person_name("Tomas Brekke’s") == "Tomas Brekke"
    assert person_name("Ines Voss") == "Ines Voss"
