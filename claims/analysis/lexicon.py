"""Word lists the rules use: reporting verbs and their stance, demonyms, speaker nouns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """How a reporting verb behaves: the stance it gives and what may carry its content."""

    stance: str
    # Whether a bare direct object is the content ("denied the claim", "ruled out talks").
    object_content: bool = False
    # Prepositions whose object is the content ("called for", "accused X of").
    content_preps: tuple[str, ...] = ()
    # Speech verbs take any subject ("the report said"); others need an animate one.
    speech: bool = False
    # An infinitive complement is the content ("threatened to", "urged X to").
    infinitive: bool = True


_SAY = Cue("asserts", speech=True, infinitive=False)
_ASSERT = Cue("asserts", speech=True)
_POSITION = Cue("position", object_content=True, content_preps=("for", "on", "to", "against", "about", "of"))

CUES: dict[str, Cue] = {
    **dict.fromkeys(
        (
            "say", "tell", "state", "add", "note", "write", "explain", "insist", "argue", "maintain",
            "announce", "declare", "assert", "contend", "stress", "emphasize", "emphasise", "recall",
            "tweet", "testify", "reply", "respond", "observe", "remark", "predict", "reveal", "disclose",
            "indicate", "conclude", "estimate", "believe", "think", "suggest", "point",
            "repeat", "reiterate", "caution", "complain", "boast", "brag", "quip", "joke",
        ),
        _SAY,
    ),
    **dict.fromkeys(("claim", "allege", "report", "show", "find", "charge"), Cue("asserts", object_content=True, speech=True)),
    "accuse": Cue("asserts", content_preps=("of",), speech=True),
    "blame": Cue("asserts", content_preps=("for", "on"), speech=True),
    **dict.fromkeys(("confirm", "acknowledge", "admit", "concede", "verify"), Cue("confirms", object_content=True, speech=True)),
    **dict.fromkeys(("deny", "reject", "dismiss", "refute", "dispute", "rebut", "contradict"), Cue("denies", object_content=True, speech=True)),
    **dict.fromkeys(("question", "doubt"), Cue("questions", object_content=True, speech=True)),
    **dict.fromkeys(("retract", "recant"), Cue("retracts", object_content=True, speech=True)),
    **dict.fromkeys(
        (
            "call", "threaten", "urge", "warn", "vow", "pledge", "promise", "demand", "propose", "refuse",
            "appeal", "condemn", "criticize", "criticise", "ask", "plan", "want", "decline",
            "rule", "express", "welcome", "praise", "oppose", "seek", "agree", "offer", "recommend",
            "encourage", "attack", "slam", "blast", "defend",
        ),
        _POSITION,
    ),
    **dict.fromkeys(
        ("cite", "describe", "mention", "reference", "echo", "highlight", "announce", "liken", "compare", "discuss", "speak"),
        Cue("asserts", object_content=True, content_preps=("of", "about", "as", "to"), speech=True),
    ),
    **dict.fromkeys(("expect", "hope", "fear", "worry", "feel", "know"), Cue("asserts", content_preps=("about",))),
    **dict.fromkeys(("endorse", "denounce", "advocate", "support", "back"), Cue("position", object_content=True)),
    # "called on X to" / "called for X": bare "called" (naming) is not a cue; see extract.
}

# Verbs that need a particle or object to be a cue at all.
CUE_PARTICLES: dict[str, tuple[str, ...]] = {"rule": ("out",)}
CUE_OBJECTS: dict[str, tuple[str, ...]] = {"express": ("concern", "concerns", "alarm", "regret", "hope", "support", "dismay", "doubt", "doubts", "confidence", "outrage", "sympathy", "condolences")}

# Stance of the content when the cue itself is neutral: modal content is a call or a threat.
POSITION_MODALS = frozenset({"should", "must", "ought", "would", "could", "might", "shall", "need"})

# Nouns that point back at a claim already reported ("denied the claim").
ANAPHORIC_NOUNS = frozenset(
    {"claim", "claims", "report", "reports", "allegation", "allegations", "accusation", "accusations",
     "charge", "charges", "assertion", "story", "account", "statement", "suggestion", "rumour", "rumor"}
)
ANAPHORIC_PRONOUNS = frozenset({"this", "that", "it", "so"})
ANAPHORIC_EVENT_VERBS = frozenset({"happen", "occur", "take", "be"})

# Speaker heads that only name a role, to be resolved to whoever spoke for the organisation before.
ROLE_NOUNS = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "official", "officials", "representative",
     "spokespeople", "aide", "aides", "statement", "source", "sources", "minister", "ministry"}
)
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "who", "which", "that"})
GROUP_NOUNS = frozenset({"countries", "sides", "nations", "states", "governments", "parties", "capitals"})
RECIPROCALS = ("one another", "each other", "the other side", "the other")

# Animate speaker heads that are not names: lets "threaten" take "officials" but not "the conflict".
ANIMATE_NOUNS = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "official", "officials", "minister", "president",
     "government", "ministry", "military", "army", "police", "authorities", "leader", "leaders",
     "analyst", "analysts", "expert", "experts", "source", "sources", "people", "voters", "campaign",
     "candidate", "council", "committee", "office", "agency", "department", "spokespeople", "aide",
     "aides", "critics", "supporters", "lawmakers", "senator", "governor", "mayor", "party", "side",
     "country", "countries", "sides", "nations", "states", "state", "administration", "officer",
     "investigators", "prosecutors", "prosecutor", "court", "judge", "group", "activists", "residents",
     "witnesses", "researchers", "economists", "democrats", "republicans", "nominee", "chairman",
     "director", "secretary", "ambassador", "diplomats", "diplomat", "commander", "general",
     "chief", "team", "staff", "union", "organization", "organisation", "company", "firm", "bank",
     "forces", "troops", "rebels", "separatists", "clinton", "trump", "man", "woman", "mother",
     "father", "family", "friends", "members", "member", "speaker", "host", "anchor", "reporter",
     "reporters", "journalist", "journalists", "newspaper", "ad", "poll", "study", "report", "survey",
     "data", "book", "letter", "memo", "documents", "records", "white house", "kremlin", "moscow"}
)

# Countries and the adjectives that name them; enough for wire news, extend as needed.
DEMONYMS: dict[str, str] = {
    "afghan": "afghanistan", "albanian": "albania", "algerian": "algeria", "american": "united states",
    "argentine": "argentina", "argentinian": "argentina", "armenian": "armenia", "australian": "australia",
    "austrian": "austria", "azerbaijani": "azerbaijan", "azeri": "azerbaijan", "bahraini": "bahrain",
    "belarusian": "belarus", "belgian": "belgium", "bosnian": "bosnia", "brazilian": "brazil",
    "british": "united kingdom", "bulgarian": "bulgaria", "burmese": "myanmar", "cambodian": "cambodia",
    "canadian": "canada", "chilean": "chile", "chinese": "china", "colombian": "colombia",
    "croatian": "croatia", "cuban": "cuba", "cypriot": "cyprus", "czech": "czech republic",
    "danish": "denmark", "dutch": "netherlands", "egyptian": "egypt", "emirati": "united arab emirates",
    "eritrean": "eritrea", "estonian": "estonia", "ethiopian": "ethiopia", "filipino": "philippines",
    "finnish": "finland", "french": "france", "georgian": "georgia", "german": "germany",
    "greek": "greece", "hungarian": "hungary", "icelandic": "iceland", "indian": "india",
    "indonesian": "indonesia", "iranian": "iran", "iraqi": "iraq", "irish": "ireland",
    "israeli": "israel", "italian": "italy", "japanese": "japan", "jordanian": "jordan",
    "kazakh": "kazakhstan", "kenyan": "kenya", "korean": "korea", "kosovar": "kosovo",
    "kuwaiti": "kuwait", "kyrgyz": "kyrgyzstan", "latvian": "latvia", "lebanese": "lebanon",
    "libyan": "libya", "lithuanian": "lithuania", "malaysian": "malaysia", "malian": "mali",
    "mexican": "mexico", "moldovan": "moldova", "mongolian": "mongolia", "moroccan": "morocco",
    "nigerian": "nigeria", "norwegian": "norway", "omani": "oman", "pakistani": "pakistan",
    "palestinian": "palestine", "peruvian": "peru", "polish": "poland", "portuguese": "portugal",
    "qatari": "qatar", "romanian": "romania", "russian": "russia", "rwandan": "rwanda",
    "saudi": "saudi arabia", "serbian": "serbia", "slovak": "slovakia", "slovenian": "slovenia",
    "somali": "somalia", "spanish": "spain", "sudanese": "sudan", "swedish": "sweden",
    "swiss": "switzerland", "syrian": "syria", "taiwanese": "taiwan", "tajik": "tajikistan",
    "thai": "thailand", "tunisian": "tunisia", "turkish": "turkey", "turkmen": "turkmenistan",
    "ugandan": "uganda", "ukrainian": "ukraine", "uzbek": "uzbekistan", "venezuelan": "venezuela",
    "vietnamese": "vietnam", "yemeni": "yemen", "zimbabwean": "zimbabwe", "us": "united states",
    "u.s.": "united states", "uk": "united kingdom", "u.k.": "united kingdom", "soviet": "soviet union",
}

# Spelling variants folded together before names are compared.
SPELLINGS: dict[str, str] = {
    "defense": "defence", "organization": "organisation", "center": "centre", "ministry's": "ministry",
    "mod": "defence ministry", "mfa": "foreign ministry",
}
