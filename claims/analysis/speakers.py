"""Who may become a party: speakers told apart from page furniture and common nouns, each with its kind.

A party is a named person, organisation, state or body, or a human or organisational description ("a
spokeswoman", "officials", "a person familiar with the case"). Page furniture ("READ MORE", "Video",
"Correction") and things ("the report", "the camera") are never parties: their statements stay unresolved
with the words as written. The kind comes from the named-entity label and the head noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from claims.analysis import lexicon
from claims.analysis.parties import name_tokens

PERSON = "person"
ORGANISATION = "organisation"
STATE = "state"
GOVERNMENT_BODY = "government-body"
MILITARY = "military"
MEDIA = "media"
ANONYMOUS = "anonymous"

# Labels and buttons that pages put before a colon or under a picture; none of them speaks.
FURNITURE = frozenset(
    {
        "read more", "more", "read", "see also", "related", "recommended", "watch", "video", "videos",
        "latest video", "latest", "photo", "photos", "picture", "pictures", "image", "gallery", "caption",
        "legend", "credit", "credits", "correction", "corrections", "clarification",
        "update", "updated", "editor's note", "editors note", "note", "letters", "letter", "petition",
        "statement", "advertisement", "sponsored", "share", "comments", "comment", "subscribe", "newsletter",
        "listen", "audio", "podcast", "live", "breaking", "breaking news", "exclusive", "opinion", "analysis",
        "explainer", "factbox", "timeline", "q&a", "faq", "top stories", "trending",
        "most read", "popular", "next", "previous", "back", "home", "menu", "search", "sign in", "log in",
        "warning", "disclaimer", "topics", "tags", "file", "map", "graphic",
    }
)

# Courtesy and office titles before a name: "President Obama" is Obama.
TITLES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "president",
        "vice", "prime", "minister", "chancellor", "premier", "king", "queen", "prince", "princess", "sheikh",
        "emir", "sultan", "pope", "father", "rev", "reverend", "gen", "general", "col", "colonel", "lt",
        "lieutenant", "maj", "major", "capt", "captain", "sgt", "sergeant", "adm", "admiral", "cmdr",
        "commander", "sen", "senator", "rep", "representative", "gov", "governor", "mayor", "judge", "justice",
        "secretary", "ambassador", "spokesman", "spokeswoman", "spokesperson", "chief", "officer", "deputy",
        "foreign", "defence", "defense", "interior", "state", "former", "then", "acting", "leader", "chairman",
        "chairwoman", "director", "detective", "inspector", "superintendent", "constable", "agent", "attorney",
        "lawyer", "doctor", "nurse", "coach", "mp", "mep", "us", "u.s", "uk", "un",
    }
)

# Head nouns that give a kind when no name says otherwise.
_GOVERNMENT_HEADS = frozenset(
    {
        "ministry", "department", "government", "administration", "cabinet", "parliament", "senate", "congress",
        "assembly", "council", "commission", "office", "embassy", "consulate", "police", "court", "tribunal",
        "prosecutor", "prosecutors", "authority", "authorities", "agency", "bureau", "service", "directorate",
        "presidency", "kremlin", "municipality", "regulator", "inspectorate", "house",
    }
)
_MILITARY_HEADS = frozenset(
    {
        "army", "military", "forces", "force", "troops", "navy", "marines", "guard", "command", "brigade",
        "battalion", "regiment", "division", "corps", "soldiers", "soldier", "militia", "militias", "defence",
        "defense", "staff",
    }
)
_MEDIA_HEADS = frozenset(
    {
        "newspaper", "paper", "tabloid", "daily", "weekly", "magazine", "television", "tv", "radio", "channel",
        "broadcaster", "network", "outlet", "news", "times", "post", "journal", "tribune", "herald", "gazette",
        "telegraph", "guardian", "press", "wire", "website", "site", "blog", "reporter", "reporters",
        "journalist", "journalists", "correspondent", "editor", "columnist", "anchor", "host",
    }
)
# "news agency", "press service": the noun before the head decides.
_MEDIA_MODIFIERS = frozenset({"news", "press", "state-run", "wire", "television", "tv", "radio"})
# Unnamed people and groups of people: parties of kind "anonymous" unless a name comes with them.
_ANONYMOUS_HEADS = frozenset(
    {
        "source", "sources", "official", "officials", "person", "people", "insider", "insiders", "aide",
        "aides", "spokesman", "spokeswoman", "spokesperson", "spokespeople", "representative",
        "representatives", "witness", "witnesses", "resident", "residents", "diplomat", "diplomats",
        "observer", "observers", "analyst", "analysts", "expert", "experts", "investigator", "investigators",
        "member", "members", "employee", "employees", "staffer", "staffers", "relative", "relatives", "friend",
        "friends", "neighbour", "neighbours", "neighbor", "neighbors", "man", "woman", "men", "women",
        "activist", "activists", "doctor", "doctors", "medic", "medics", "passenger", "passengers",
        "student", "students", "worker", "workers", "fighter", "fighters", "militant", "militants", "survivor",
        "survivors", "victim", "victims", "protester", "protesters", "critic", "critics", "supporter",
        "supporters", "lawmaker", "lawmakers", "voter", "voters", "teacher", "parent", "parents", "family",
    }
)
_ORGANISATION_HEADS = frozenset(
    {
        "company", "firm", "airline", "carrier", "bank", "group", "organisation", "organization", "party",
        "union", "association", "campaign", "committee", "foundation", "institute", "charity", "movement",
        "coalition", "alliance", "federation", "club", "team", "league", "university", "school", "hospital",
        "corporation", "business", "maker", "manufacturer", "operator", "provider", "network", "board",
    }
)
# Things that "say" in news ("the report said") but are not parties.
_THING_HEADS = frozenset(
    {
        "report", "reports", "study", "poll", "survey", "data", "figures", "statistics", "book", "letter", "memo",
        "document", "documents", "records", "record", "statement", "statements", "release", "email", "e-mail",
        "post", "tweet", "video", "footage", "photo", "picture", "image", "ad", "advert", "advertisement",
        "camera", "law", "bill", "rule", "rules", "plan", "policy", "analysis", "investigation", "inquiry",
        "review", "audit", "article", "story", "headline", "page", "website", "site", "message", "note",
        "sign", "banner", "map", "chart", "graphic", "list", "text", "transcript", "complaint", "lawsuit",
        "filing", "indictment", "ruling", "verdict", "decision", "order", "agreement", "deal", "treaty",
        "proposal", "resolution", "system", "model", "evidence", "result", "results", "research", "paper",
    }
)

# Names of documents, laws and events: "the Northern Refugee Convention says" is a text speaking, not a party.
_DOCUMENT_HEADS = frozenset(
    {
        "convention", "treaty", "act", "accord", "accords", "charter", "protocol", "pact", "constitution",
        "declaration", "directive", "regulation", "regulations", "bill", "law", "amendment", "code", "doctrine",
        "agreement", "resolution", "summit", "conference", "olympics", "games", "championship", "cup",
        "festival", "election", "elections", "referendum", "war", "crisis", "scandal", "plan", "strategy",
        "programme", "program", "initiative", "manifesto", "guidelines", "principles",
    }
)
_NON_PARTY_LABELS = ("LAW", "EVENT", "PRODUCT", "WORK_OF_ART", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY",
                     "CARDINAL", "ORDINAL")
# Capitalised words that still describe someone without naming them ("Top Democrat", "Senior Lawmaker" in a
# title-cased headline): the description is anonymous, not an organisation called "Lawmaker".
_DESCRIPTION_MODIFIERS = frozenset(
    {
        "top", "senior", "leading", "veteran", "key", "local", "young", "old", "prominent", "rogue", "anonymous",
        "unnamed", "another", "one", "two", "three", "several", "some", "many", "a", "an", "the",
    }
)
_PARTISANS = frozenset({"democrat", "republican", "conservative", "liberal", "socialist", "nationalist", "tory"})

_ANIMATE_LABELS = ("PERSON", "ORG", "GPE", "NORP")
# Plural bodies of officials that news names without saying which: like "officials", anonymous sources.
_UNNAMED_OFFICIALS = frozenset({"police", "authorities", "prosecutors", "investigators"})


@dataclass(frozen=True)
class SpeakerVerdict:
    """Whether a mention may be a party, its kind, and the words its name is matched on."""

    party: bool
    kind: str
    reason: str = ""


def _label(tokens: list[Token]) -> str:
    """The named-entity label most of the mention's capitalised words carry."""
    labels = [t.ent_type_ for t in tokens if t.ent_type_ in _ANIMATE_LABELS]
    if not labels:
        return ""
    return max(set(labels), key=labels.count)


def mention_verdict(head: Token, tokens: list[Token], *, layout: bool = False) -> SpeakerVerdict:
    """May this speaker mention become a party, and of which kind.

    `tokens` are the mention's words (head included); `layout` says it was found only by layout ("NAME: ..."
    lines, sign-offs), where a capitalised label is as likely as a name, so a named-entity label is required.
    """
    words = [t for t in tokens if not t.is_punct and not t.is_space]
    if not words:
        return SpeakerVerdict(False, "", "empty")
    doc = head.doc
    after = words[-1].i + 1
    while after < len(doc) and after - words[-1].i <= 3 and doc[after].is_title:
        after += 1  # the rest of a run-in label the finder cut short ("... Peace Efforts:")
    if not layout and after < len(doc) and doc[after].text == ":" and (
        words[0].i == 0 or "\n" in doc[words[0].i - 1].text_with_ws or doc[words[0].i - 1].is_space
    ):
        layout = True  # "Veto Power Impedes Peace: ..." at a line's start is a run-in label, whoever found it
    text = " ".join(t.lower_ for t in words)
    if text.strip(" .:") in FURNITURE or (head.lower_ in FURNITURE and len(words) == 1):
        return SpeakerVerdict(False, "", "furniture")
    if head.pos_ == "PRON" or head.lower_ in lexicon.PRONOUNS:
        return SpeakerVerdict(False, "", "pronoun")
    if head.ent_type_ in _NON_PARTY_LABELS or (
        head.lower_ in _DOCUMENT_HEADS and head.ent_type_ not in ("PERSON", "GPE") and not head.is_upper
    ):
        return SpeakerVerdict(False, "", "document or event")
    written = head.doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)].strip(" ()")
    if _AFFILIATION_TAG.match(written):
        return SpeakerVerdict(False, "", "affiliation tag")
    if head.like_num or head.ent_type_ in ("DATE", "TIME") or all(
        t.like_num or t.ent_type_ in ("DATE", "TIME") or t.lower_.rstrip(".") in _MONTHS for t in words
    ):
        return SpeakerVerdict(False, "", "date or number")
    if _dateline(words):
        return SpeakerVerdict(False, "", "dateline")
    if _capitalised_description(head, words):
        bare_title = head.lower_ in TITLES and head.lower_ not in _ANONYMOUS_HEADS
        return SpeakerVerdict(not bare_title, ANONYMOUS if not bare_title else "", "" if not bare_title else
                              "description")
    if head.is_title and head.lower_ in _ORGANISATION_HEADS and all(
        t.i == head.i or t.dep_ == "det" for t in words
    ):
        return SpeakerVerdict(False, "", "description")  # "Committee said": which committee is for the analyst
    if _headline_words(head, words):
        return SpeakerVerdict(False, "", "headline words")
    label = _label(words)
    named = [t for t in words if t.pos_ == "PROPN" or (t.ent_type_ in _ANIMATE_LABELS and t.is_title)]
    if layout and label and not (head.pos_ == "PROPN" or head.is_upper):
        return SpeakerVerdict(False, "", "layout label")
    if layout and label == "ORG" and head.doc.text.count(written) < 2:
        # "Veto Power Impedes Peace Efforts: ..." is a run-in subheading; a body that speaks is named again.
        return SpeakerVerdict(False, "", "layout label")
    # "PENCE:" in a transcript: one all-capital word that is not a label.
    transcript = len(words) == 1 and head.is_upper and len(head.text) > 2 and head.lower_ not in FURNITURE
    if layout and not label and not transcript:
        return SpeakerVerdict(False, "", "layout label")
    lemma = head.lemma_.lower()
    lower = head.lower_
    modifiers = {t.lower_ for t in words if t.i < head.i}
    bare = all(t.i == head.i or t.dep_ == "det" for t in words)
    if bare and lower in _UNNAMED_OFFICIALS:
        return SpeakerVerdict(True, ANONYMOUS)  # "police said", "authorities said": officials, unnamed
    if bare and head.pos_ == "NOUN" and (
        lower in _GOVERNMENT_HEADS | _MILITARY_HEADS | _MEDIA_HEADS or lemma in _GOVERNMENT_HEADS | _MILITARY_HEADS
    ):
        # "the ministry" with no ministry named before: which one is for the analyst to say.
        return SpeakerVerdict(False, "", "description")
    if (lower in _MEDIA_HEADS and (named or label)) or (
        lower in ("agency", "service") and modifiers & _MEDIA_MODIFIERS
    ):
        return SpeakerVerdict(True, MEDIA)
    if lower in _MILITARY_HEADS or lemma in _MILITARY_HEADS:
        return SpeakerVerdict(True, MILITARY)
    if (lower in _GOVERNMENT_HEADS or lemma in _GOVERNMENT_HEADS) and lower not in ("house",):
        return SpeakerVerdict(True, GOVERNMENT_BODY)
    if label == "PERSON" and head.ent_type_ == "PERSON":
        return SpeakerVerdict(True, PERSON)
    if head.pos_ == "PROPN" or head.ent_type_ in _ANIMATE_LABELS:
        if label == "NORP" and len([t for t in words if t.dep_ != "det"]) == 1:
            return SpeakerVerdict(True, ANONYMOUS)  # "Europeans said": a people, unnamed
        if (head.ent_type_ == "GPE" and label != "PERSON") or (label == "GPE" and head.ent_type_ in ("", "GPE")):
            return SpeakerVerdict(True, STATE)
        if lower in _MEDIA_HEADS:
            return SpeakerVerdict(True, MEDIA)
        if label == "PERSON" or _surname_in_doc(head):
            return SpeakerVerdict(True, PERSON)
        return SpeakerVerdict(True, ORGANISATION)
    # Common nouns: descriptions of people and organisations are parties, things are not.
    if lower in _THING_HEADS or lemma in _THING_HEADS:
        return SpeakerVerdict(False, "", "thing")
    if bare and lower in TITLES | lexicon.GROUP_NOUNS:
        # "the president", "the professor", "the nations": someone the text named before, or no one.
        return SpeakerVerdict(False, "", "description")
    if lower in _ANONYMOUS_HEADS or lemma in _ANONYMOUS_HEADS:
        return SpeakerVerdict(True, ANONYMOUS)
    if lower in _ORGANISATION_HEADS or lemma in _ORGANISATION_HEADS:
        # "a passengers' association" is described well enough to propose; a bare "the airline" is not.
        described = bool(named or label) or any(
            t.dep_ in ("compound", "poss", "amod", "nmod") and t.pos_ in ("NOUN", "PROPN", "ADJ") for t in words
            if t.i != head.i
        )
        return SpeakerVerdict(described, ORGANISATION, "" if described else "description")
    if head.pos_ == "NOUN" and lemma not in lexicon.EVENT_NOUNS and lemma.endswith(lexicon.AGENT_SUFFIXES):
        return SpeakerVerdict(True, ANONYMOUS)
    if lemma in lexicon.ANIMATE_NOUNS or lower in lexicon.ANIMATE_NOUNS:
        return SpeakerVerdict(True, ANONYMOUS)
    return SpeakerVerdict(False, "", "common noun")


_MONTHS = frozenset({
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
    "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
})
_DATELINE_BREAKS = frozenset({"\u2014", "\u2013", "-", "--", "(", ","})


# A paragraph's opening dateline up to its dash: "OSLO, March 3 (NWA) --", "PORT ELLEN, Ky., Oct. 4 --": place in
# capitals, regions, a date, a news agency's tag; whatever lies in it is no speaker.
_DATELINE_PREFIX = re.compile(
    r"[A-Z][A-Z.'\u2019 -]*[A-Z.](?:,\s*[A-Z][A-Za-z.]*\.?)*"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?(?:\s*\([A-Za-z][\w.&-]*\))?\s*(?:\u2014|\u2013|--?)"
)


def _dateline(words: list[Token]) -> bool:
    """A place in capitals opening a paragraph before a dash or a comma: "OSLO, March 3 --", the dateline; or any
    words inside such a dateline (the date, the agency's tag "(NWA)")."""
    doc = words[0].doc
    first, last = words[0], words[-1]
    opens = first.i == 0 or "\n" in doc[first.i - 1].text_with_ws or doc[first.i - 1].is_space
    after = doc[last.i + 1] if last.i + 1 < len(doc) else None
    if (opens and all(t.is_upper and t.is_alpha for t in words) and after is not None
            and after.text in _DATELINE_BREAKS):
        return True
    text = doc.text
    block = max(text.rfind("\n", 0, first.idx) + 1, 0)
    match = _DATELINE_PREFIX.match(text, block)
    return match is not None and last.idx + len(last.text) <= match.end()


def _capitalised_description(head: Token, words: list[Token]) -> bool:
    """A capitalised description of someone, no name in it: "Lawmaker", "Top Democrat", "Prominent Ruritanian
    Democrat", "Americans", "Demonstrators"."""
    if not (head.is_title or head.is_upper) or any(t.ent_type_ == "PERSON" for t in words):
        return False
    # A place ("United States"), a thing ("Data"), a surname that looks plural ("Sanders" after "Ada Sanders").
    if head.ent_type_ == "GPE" or head.lower_ in _THING_HEADS or _surname_in_doc(head):
        return False
    lower = head.lower_
    singular = lower[:-1] if lower.endswith("s") and not lower.endswith("ss") else lower
    human = (
        lower in _ANONYMOUS_HEADS or lower in _PARTISANS or lower in lexicon.ANIMATE_NOUNS
        or (lower in TITLES and lower not in ("us", "u.s", "uk", "un", "state"))
        # Plurals only: a surname may end like an agent noun ("Fischer"), a plural of people seldom is one.
        or (lower != singular and head.tag_ in ("NNS", "NNPS")
            and (singular in lexicon.DEMONYMS or singular.endswith(lexicon.AGENT_SUFFIXES)
                 or singular in _ANONYMOUS_HEADS)
            and singular not in lexicon.EVENT_NOUNS)
    )
    if not human:
        return False
    return all(
        t.i == head.i or t.lower_ in _DESCRIPTION_MODIFIERS or t.lower_ in TITLES or t.ent_type_ in ("GPE", "NORP")
        or t.pos_ not in ("PROPN",) or t.lower_ in ("of",)
        for t in words
    )


# A party-and-state tag after a lawmaker's name ("(D-N.Y.)", "R-S.C.", "D"): an affiliation, not a speaker.
_AFFILIATION_TAG = re.compile(r"^[DRI](?:\s*-\s*[A-Z][\w.]*\.?)?\.?$")


def _title_cased(tokens: list[Token]) -> bool:
    """A headline-style run of words: nearly every word starts with a capital letter."""
    alpha = [t for t in tokens if t.is_alpha and len(t.text) > 3]
    return len(alpha) >= 3 and sum(1 for t in alpha if t.is_title or t.is_upper) >= 0.8 * len(alpha)


def _headline_words(head: Token, words: list[Token]) -> bool:
    """A mention in a title-cased headline that the text never writes again outside it ("Veto Power Impedes"):
    capitals there say nothing about names, so only a name the body repeats (or a person, a place) counts."""
    sentence = list(head.sent)
    if not _title_cased(sentence) or any(t.ent_type_ in ("PERSON", "GPE") for t in words):
        return False
    doc = head.doc
    start, end = sentence[0].idx, sentence[-1].idx + len(sentence[-1].text)
    name = doc.text[words[0].idx : words[-1].idx + len(words[-1].text)]
    rest = doc.text[:start] + "\n" + doc.text[end:]
    return name not in rest


def is_organisation_description(head: Token, tokens: list[Token]) -> bool:
    """A bare "the airline", "the company": an organisation named before, to be looked for there."""
    if head.pos_ != "NOUN" or not {head.lemma_.lower(), head.lower_} & _ORGANISATION_HEADS:
        return False
    return all(t.i == head.i or t.dep_ == "det" for t in tokens if not t.is_punct)


def _surname_in_doc(head: Token) -> bool:
    """A lone name that ends a person named elsewhere in the text ("Haddad" after "Abdullah Haddad")."""
    if head.pos_ != "PROPN" or not head.is_title:
        return False
    return any(ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].text == head.text for ent in head.doc.ents)


_DANGLING_END = re.compile(r"(?:\s+(?:and|or|but|of|the|for|in|at|to|with|from|by|on|&))+$", re.IGNORECASE)


def clean_name(text: str) -> str:
    """A party name as written, on one line, without leading articles or edge punctuation."""
    text = " ".join(text.split())
    text = re.sub(r"^[\W_]+|[^\w.)]+$", "", text)
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    # A mention the parse cut inside a coordination or a phrase: "Former secretary of state and".
    text = _DANGLING_END.sub("", text)
    return text[:1].upper() + text[1:]


_NAME_BREAK = re.compile(r"\s*(?:,|--|[\u2013\u2014(]|\bwho\b|\bwhich\b)")
MAX_NAME_WORDS = 8


def name_head(mention: str) -> str:
    """The naming part of a long mention: up to the first comma, dash or clause, at most MAX_NAME_WORDS words."""
    text = _NAME_BREAK.split(" ".join(mention.split()), maxsplit=1)[0]
    words = text.split()
    return _DANGLING_END.sub("", " ".join(words[:MAX_NAME_WORDS])) or mention.strip() if words else mention.strip()


def core_tokens(name: str) -> frozenset[str]:
    """The words a name is compared on: no titles, plurals folded ("Militants" and "militant" are one)."""
    words = set()
    for word in name_tokens(name):
        if word in TITLES:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return frozenset(words)


def person_name(name: str) -> str:
    """A person's name without the titles before it ("President Barack Obama" -> "Barack Obama") or the
    possessive the entity tagger may take with it ("Anna Berg's campaign said" -> "Anna Berg")."""
    words = name.split()
    while len(words) > 1 and words[0].lower().strip(".") in TITLES:
        words = words[1:]
    return re.sub(r"['’]s?$", "", " ".join(words))


def kinds_agree(a: str, b: str) -> bool:
    return a == b or not a or not b


def _surname_of(core: frozenset[str], kind: str, other: frozenset[str], other_kind: str) -> bool:
    """A lone name the tagger could not place ("Haddad" as an organisation) after a person of that name."""
    one, person = (core, other) if other_kind == PERSON else (other, core) if kind == PERSON else (None, None)
    return one is not None and person is not None and len(one) == 1 and one < person


@dataclass
class Proposals:
    """The unknown speakers proposed in one run, merged by name containment and kind.

    "Abdullah Haddad" and "Haddad" are one proposal, as are "Militant" and "Militants"; the fullest name is
    the one kept. A state and an organisation sharing a word ("Ruritania" and "Ruritania Airways") stay apart.
    """

    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    cores: list[frozenset[str]] = field(default_factory=list)

    def add(self, name: str, kind: str) -> int:
        """The index of the proposal this name joins (a new one if none fits)."""
        if kind == PERSON:
            name = person_name(name)
        core = core_tokens(name)
        for index, (other, other_kind) in enumerate(zip(self.cores, self.kinds, strict=True)):
            if not core or not other:
                continue
            if not kinds_agree(kind, other_kind) and not _surname_of(core, kind, other, other_kind):
                continue
            if core <= other or other <= core or _surname_of(core, kind, other, other_kind):
                if len(core) > len(other):
                    self.names[index], self.cores[index] = name, core
                if kind == PERSON and self.kinds[index] != PERSON:
                    self.kinds[index] = PERSON
                return index
        self.names.append(name)
        self.kinds.append(kind)
        self.cores.append(core)
        return len(self.names) - 1
