"""Each attribution construction the analysis must handle, on sentences written for the tests."""

from __future__ import annotations

from claims.analysis import KnownParty, analyse


def _summary(text: str, parties: list[KnownParty]) -> list[tuple[str | None, str, str, str]]:
    """(party or proposed name, stance, cue, content) of every statement, in reading order."""
    return [
        (
            s.party_id or s.proposed_party,
            s.stance,
            " ".join(c.text for c in s.cue),
            " ".join(c.text for c in s.content),
        )
        for s in analyse(text, parties)
    ]


def test_indirect_speech(parties):
    text = "Georgia said a Russian helicopter had crossed into its airspace on Monday."
    assert _summary(text, parties) == [
        ("georgia", "asserts", "said", "a Russian helicopter had crossed into its airspace on Monday"),
    ]


def test_direct_quote_with_speaker_after(parties):
    text = "“Our troops will not leave the valley,” Serbia said."
    [statement] = analyse(text, parties)
    assert (statement.party_id, statement.direct, statement.content[0].text) == (
        "serbia",
        True,
        "“Our troops will not leave the valley,”",
    )


def test_quote_resumed_after_the_speaker_is_one_statement(parties):
    text = "“The border is calm,” Kosovo said. “No shots were fired overnight.”"
    [statement] = analyse(text, parties)
    assert [c.text for c in statement.content] == ["“The border is calm,”", "“No shots were fired overnight.”"]


def test_according_to(parties):
    text = "Two bridges were destroyed overnight, according to the Georgian Defence Ministry."
    [statement] = analyse(text, parties)
    assert (statement.party_id, statement.stance, [c.text for c in statement.cue]) == (
        "georgia-mod",
        "asserts",
        ["according to"],
    )
    assert statement.content[0].text == "Two bridges were destroyed overnight"


def test_told_listener_that(parties):
    text = "Lavrov told reporters that the talks in Geneva had collapsed."
    assert _summary(text, parties) == [("lavrov", "asserts", "told", "that the talks in Geneva had collapsed")]


def test_reported_with_object_content(parties):
    text = "Abkhazia has reported the loss of at least 12 soldiers."
    assert _summary(text, parties) == [("abkhazia", "asserts", "reported", "the loss of at least 12 soldiers")]


def test_reporting_verbs_carry_their_stance(parties):
    text = (
        "Serbia confirmed that its police had entered the village. "
        "Kosovo rejected the accusation that it had armed the protesters. "
        "Russia questioned whether the vote had been fair. "
        "Georgia retracted its statement about the drone. "
        "Serbia alleged that Kosovo had cut the power lines."
    )
    assert [(p, stance) for p, stance, _, _ in _summary(text, parties)] == [
        ("serbia", "confirms"),
        ("kosovo", "denies"),
        ("russia", "questions"),
        ("georgia", "retracts"),
        ("serbia", "asserts"),
    ]


def test_calls_threats_and_refusals_are_positions(parties):
    text = (
        "The European Union called for an immediate ceasefire. "
        "Russia threatened to cut gas supplies. "
        "Lavrov ruled out any talks with Tbilisi. "
        "Kosovo urged Serbia to withdraw its troops. "
        "Georgia warned that it would respond to any incursion."
    )
    assert [(p, stance, cue) for p, stance, cue, _ in _summary(text, parties)] == [
        ("eu", "position", "called for"),
        ("russia", "position", "threatened"),
        ("lavrov", "position", "ruled out"),
        ("kosovo", "position", "urged"),
        ("georgia", "position", "warned"),
    ]


def test_modal_content_of_said_is_a_position(parties):
    text = "Russia said all sides should stop the shelling."
    assert _summary(text, parties) == [("russia", "position", "said", "all sides should stop the shelling")]


def test_conjoined_speakers_are_separate_statements(parties):
    text = "Serbia and Kosovo denied that their police had fired first."
    assert [(p, stance) for p, stance, _, _ in _summary(text, parties)] == [("serbia", "denies"), ("kosovo", "denies")]


def test_reciprocal_accusation_is_two_different_claims(parties):
    text = "Serbia and Kosovo accused each other of shelling villages along the border."
    first, second = analyse(text, parties)
    assert (first.party_id, first.target_party_id, second.party_id, second.target_party_id) == (
        "serbia",
        "kosovo",
        "kosovo",
        "serbia",
    )
    assert first.claim_key != second.claim_key


def test_anaphoric_denial_joins_the_claim_it_points_back_to(parties):
    text = (
        "Georgia said a Russian jet had bombed the railway bridge near Gori. "
        "Russia has denied the claim. "
        "Moscow and the Kremlin's allies denied this had happened."
    )
    statements = analyse(text, parties)
    assert [(s.party_id, s.stance, s.anaphoric) for s in statements][:2] == [
        ("georgia", "asserts", False),
        ("russia", "denies", True),
    ]
    assert statements[1].claim_key == statements[0].claim_key
    assert statements[2].claim_key == statements[0].claim_key


def test_role_noun_speaks_for_the_previous_organisation(parties):
    text = (
        "The Georgian Defence Ministry said two of its tanks had been hit. "
        "A spokesman said the tanks had been parked near the river."
    )
    assert [s.party_id for s in analyse(text, parties)] == ["georgia-mod", "georgia-mod"]


def test_it_said_refers_back_to_the_last_organisation(parties):
    text = "Russia said the convoy had reached the border. The road was open again, it said."
    assert [s.party_id for s in analyse(text, parties)] == ["russia", "russia"]


def test_speaker_with_possessive_and_demonym_resolves_through_the_hierarchy(parties):
    text = "The military of the separatist region said that 30 of its soldiers had died."
    assert _summary(text, parties)[0][:2] == ("abkhazia-military", "asserts")


def test_unknown_speaker_is_proposed_not_dropped(parties):
    text = "The Ruritanian Army said its patrol had been ambushed."
    assert _summary(text, parties) == [("Ruritanian Army", "asserts", "said", "its patrol had been ambushed")]


def test_event_nouns_do_not_threaten(parties):
    text = "The conflict threatened to spread across the region."
    assert analyse(text, parties) == []


def test_passive_report_without_agent_is_not_a_statement(parties):
    text = "Dozens of people have been reported killed."
    assert analyse(text, parties) == []


def test_same_claim_across_documents_shares_a_key(parties):
    from claims.analysis import analyse_documents

    results = analyse_documents(
        {
            "a": "Georgia said a Russian jet had bombed the railway bridge near Gori.",
            "b": "The Georgian Defence Ministry said the railway bridge near Gori had been bombed by a Russian jet.",
        },
        parties,
    )
    assert results["a"][0].claim_key == results["b"][0].claim_key


def test_offsets_point_into_the_text(parties):
    text = "In Pristina, Kosovo said on Tuesday that Serbian drones had crossed the border."
    [statement] = analyse(text, parties)
    for span in [statement.speaker, *statement.cue, *statement.content]:
        assert text[span.start : span.end] == span.text


def test_speaking_to_a_broadcaster_names_the_listener_not_what_was_said(parties):
    for text, listener in [
        ("Borduria President Anton Vell, speaking to Syldavian state television, flatly ruled out any possibility of"
         " talks.", "Syldavian state television"),
        ("The prime minister, speaking to national television, flatly ruled out any early election.",
         "national television"),
    ]:
        said = _summary(text, parties)
        assert [cue for _, _, cue, _ in said] == ["ruled out"]
        assert all(content != listener for _, _, _, content in said)


def test_a_relative_pronoun_source_is_named_by_what_it_stands_for(parties):
    text = "The crisis hit the Ruritanian Army, which said its patrol had been ambushed near the river."
    (statement,) = [s for s in analyse(text, parties) if "ambushed" in " ".join(c.text for c in s.content)]
    assert statement.speaker.text == "which"  # the source as PolNeAR marks it
    assert statement.extra["speaker_named"] == "the Ruritanian Army"
    assert statement.proposed_party == "Ruritanian Army"
