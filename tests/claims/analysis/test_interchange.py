"""The JSON-lines record format of `manage.py extract`."""

from __future__ import annotations

from claims.analysis import analyse
from claims.analysis.interchange import attribution_records, statement_record


def test_record_has_offsets_party_stance_and_claim_key(parties):
    [statement] = analyse("Serbia said the border was closed.", parties)
    record = statement_record("doc", statement)
    assert {k: record[k] for k in ("doc", "source", "cue", "content", "party", "stance")} == {
        "doc": "doc",
        "source": [0, 6],
        "cue": [7, 11],
        "content": [12, 33],
        "party": "serbia",
        "stance": "asserts",
    }
    assert record["claim_key"]


def test_conjoined_speakers_are_one_attribution_record(parties):
    statements = analyse("Serbia and Kosovo said the border was closed.", parties)
    assert (len(statements), len(attribution_records("doc", statements))) == (2, 1)
