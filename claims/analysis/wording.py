"""Claim wording: is a statement's content a clause that can stand as a claim, and that clause in positive form.

A claim is a declarative clause with a finite verb and its subject ("the airline plans to separate
passengers"), readable on its own. A noun phrase ("Federal privacy law") or a fragment ("Having made any
statement on ...") is no claim: its statement stays a position or unlinked. A negated report is a denial of
the positive clause, so the wording drops the negation and the caller flips the stance.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from claims.analysis import lexicon

MAX_WORDS = 25
_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
_FINITE_TAGS = ("VBD", "VBZ", "VBP", "MD")
# Parts of a long clause that can go and leave it readable, the least needed first.
_PRUNABLE = ("parataxis", "advcl", "relcl", "appos", "acl", "npadvmod", "prep", "advmod", "conj", "cc")
_NEGATIVE_DETERMINERS = ("no",)
_QUESTION_WORDS = frozenset({"how", "what", "why", "whether", "when", "where", "who", "whom", "which", "if"})
# Words that only make sense under the negation ("did not want it at all", "has not yet"): they go with it.
_NEGATIVE_POLARITY = (("at", "all"), ("yet",), ("anymore",), ("any", "longer"), ("any", "more"), ("either",))
# Contracted auxiliaries as the tokenizer splits them ("ca" + "n't", "wo" + "n't").
_AUX_FORMS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}
# Under a negation "any" words say "some": "has not paid anything" denies "has paid something".
_POSITIVE_OF_ANY = {"anything": "something", "anyone": "someone", "anybody": "somebody", "anywhere": "somewhere",
                    "any": "some"}
# A first-person subject put back to a named speaker takes the third person ("I am" -> "Ada Holm is"); the
# contracted forms as the tokenizer splits them ("I'm" -> "I" + "'m").
_THIRD_PERSON_AUX = {"am": "is", "are": "is", "'m": " is", "\u2019m": " is", "'re": " is", "\u2019re": " is",
                     "have": "has", "'ve": " has", "\u2019ve": " has", "'ll": " will", "\u2019ll": " will",
                     "'d": " would", "\u2019d": " would", "were": "was"}
_PRONOUN_KIND = {"he": "person", "she": "person", "i": "person", "we": "group", "it": "thing", "they": "group"}
# Subjects that leave a claim without its "who" when they do not resolve: "We will see", "This is a betrayal",
# "It's scary". Such a clause is a remark, not a claim an analyst could check on its own.
_OPEN_SUBJECTS = frozenset({"i", "we", "you", "it", "this", "that", "these", "those", "they", "he", "she", "one"})
_POSSESSIVE_PRONOUNS = {"its": "it", "their": "they", "his": "he", "her": "she", "our": "we", "my": "i", "your": "you"}
# A negated subject quantifier is the negation of its positive counterpart ("nobody was hurt" denies "somebody
# was hurt").
_NEGATIVE_SUBJECTS = {"nobody": "somebody", "nothing": "something", "none": "some", "no-one": "someone"}
# Verbs of knowing and believing: "did not know how ...", "did not believe the company" state an attitude, not
# the denial of a claim, so the negated clause is no claim at all.
_ATTITUDE_VERBS = frozenset(
    {"know", "believe", "think", "remember", "recall", "expect", "understand", "see", "want", "like", "care",
     "doubt", "feel", "mind", "imagine"}
)
_IRREGULAR_PAST = {
    "be": "was", "have": "had", "do": "did", "go": "went", "say": "said", "make": "made", "take": "took",
    "give": "gave", "get": "got", "know": "knew", "see": "saw", "come": "came", "think": "thought",
    "tell": "told", "find": "found", "leave": "left", "feel": "felt", "bring": "brought", "buy": "bought",
    "hold": "held", "keep": "kept", "let": "let", "put": "put", "set": "set", "run": "ran", "send": "sent",
    "shoot": "shot", "sell": "sold", "spend": "spent", "stand": "stood", "win": "won", "write": "wrote",
    "meet": "met", "pay": "paid", "lose": "lost", "hit": "hit", "fight": "fought", "break": "broke",
    "begin": "began", "build": "built", "speak": "spoke", "steal": "stole", "strike": "struck",
    "choose": "chose", "fly": "flew", "drive": "drove", "eat": "ate", "fall": "fell", "forget": "forgot",
    "grow": "grew", "hide": "hid", "lead": "led", "mean": "meant", "read": "read", "ride": "rode",
    "rise": "rose", "seek": "sought", "shut": "shut", "sink": "sank", "sit": "sat", "sleep": "slept",
    "snap": "snapped", "teach": "taught", "throw": "threw", "understand": "understood", "wear": "wore",
}


# What "it" can stand for: bodies, never people or unnamed groups of people ("one mother said it's scary").
_IT_KINDS = ("organisation", "government-body", "military", "media", "state")


@dataclass(frozen=True)
class Wording:
    """What a statement's content makes as a claim."""

    clause: bool  # a declarative clause with a finite verb and its subject
    negated: bool  # the clause was negated; `text` is its positive form
    text: str  # readable positive wording, "" when the content is no clause
    pruned: bool = False  # parts were dropped to bring it to about MAX_WORDS
    # Readable on its own: False when the subject is a pronoun that points nowhere the claim can say ("We will
    # see", "This is a betrayal"). Such a wording may link to a claim others state, never found one.
    self_contained: bool = True


def _third_person(lemma: str) -> str:
    if lemma == "be":
        return "is"
    if lemma == "have":
        return "has"
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        return lemma + "es"
    if lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"


def _past(lemma: str) -> str:
    if lemma in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and len(lemma) > 1 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def _clause_root(tokens: list[Token]) -> Token | None:
    """The first token of the content whose head lies outside it: the content's own root."""
    inside = {t.i for t in tokens}
    roots = [t for t in tokens if t.head.i not in inside or t.head.i == t.i]
    roots = [t for t in roots if not t.is_punct and not t.is_space]
    # "recalled 40,000 jars after shoppers found glass": the subordinate clause is not what the content says.
    verbs = [t for t in roots if t.pos_ in ("VERB", "AUX")
             and not (t.dep_ == "advcl" and any(c.dep_ == "mark" for c in t.children) and len(roots) > 1)]
    return verbs[0] if verbs else (roots[0] if roots else None)


def _is_finite(verb: Token) -> bool:
    if verb.tag_ in _FINITE_TAGS:
        return True
    return any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE_TAGS for c in verb.children)


def is_clause(root: Token | None, inside: set[int]) -> bool:
    """A finite verb with its subject among the content's words: "X did Y", not "Y" or "having done Y"."""
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return False
    subject = _subject(root)
    return subject is not None and subject.i in inside and _is_finite(root)


def _subject(root: Token) -> Token | None:
    """The clause's subject; the parser sometimes hangs it on an auxiliary ("the border was closed")."""
    for child in root.children:
        if child.dep_ in _SUBJECT_DEPS:
            return child
    for aux in root.children:
        if aux.dep_ in ("aux", "auxpass"):
            for child in aux.children:
                if child.dep_ in _SUBJECT_DEPS:
                    return child
    return None


# Nouns that name a happening someone could check ("the loss of ...", "the arrest of ..."): with its participants,
# such a noun phrase reports an event. Others ("the need for reforms", "her plans for ...", "the health of ...")
# name a topic, no claim.
HAPPENING_NOUNS = frozenset(
    {
        "loss", "losses", "death", "deaths", "killing", "killings", "murder", "murders", "attack", "attacks",
        "strike", "strikes", "airstrike", "airstrikes", "shooting", "shootings", "bombing", "bombings", "shelling",
        "explosion", "explosions", "blast", "crash", "downing", "arrest", "arrests", "detention", "release",
        "capture", "seizure", "invasion", "occupation", "withdrawal", "deployment", "collapse", "destruction",
        "sinking", "closure", "resignation", "dismissal", "injury", "injuries", "execution", "executions",
        "assassination", "kidnapping", "abduction", "escape", "evacuation", "violation", "violations", "defeat",
        "victory", "fall", "surrender", "massacre", "raid", "raids", "ambush", "incursion", "shutdown",
        "cancellation", "recall", "leak", "hack", "hacking", "breach", "outbreak", "spill", "fire", "flood",
    }
)


def is_event_phrase(root: Token | None) -> bool:
    """A noun phrase that reports an event with its participants ("the loss of at least 84 soldiers"); a counted
    thing ("40,000 jars of puree") or a topic ("the need for reforms") is none."""
    if root is None or root.pos_ != "NOUN" or not {root.lower_, root.lemma_.lower()} & HAPPENING_NOUNS:
        return False
    if any(c.dep_ in ("nummod", "quantmod") for c in root.children):
        return False
    return any(c.dep_ in ("prep", "acl") and any(g.dep_ in ("pobj", "pcomp", "dobj") for g in c.children)
               for c in root.children)


def _is_bare_gerund(root: Token, inside: set[int]) -> bool:
    """A gerund with no subject or auxiliary of its own, reported as what the speaker did ("denies taking")."""
    return (
        root.tag_ == "VBG" and root.i == min(inside) and root.dep_ in ("xcomp", "ccomp", "dobj", "pcomp")
        and not any(c.dep_ in (*_SUBJECT_DEPS, "aux", "auxpass", "neg") for c in root.children)
    )


# Verbs that only report speech: a content whose own clause is "she said" or "he told reporters" holds the report,
# not what was said, so it is no claim ("Here he is," she said: the words are a remark, the clause is the report).
_REPORT_ONLY_VERBS = frozenset({"say", "tell", "add", "reply", "ask", "shout", "whisper"})
# Words a clause cannot end on and be whole: "X promised to keep supporting Y and", "blamed them for focusing on".
_DANGLING_DEPS = frozenset({"cc", "prep", "mark", "det", "aux", "case"})


def _is_fragment(root: Token, tokens: list[Token]) -> bool:
    """A report verb alone, or a clause cut off after a conjunction or a preposition that has no object."""
    words = [t for t in tokens if not t.is_punct and not t.is_space]
    if not words:
        return True
    if root.lemma_.lower() in _REPORT_ONLY_VERBS:
        return True
    last = words[-1]
    return last.dep_ in _DANGLING_DEPS and not any(c.i in {t.i for t in tokens} for c in last.children)


def _is_question(tokens: list[Token]) -> bool:
    """An indirect question ("said how surprised he is", "asked whether ...") states no fact."""
    words = [t for t in tokens if not t.is_punct and not t.is_space]
    return bool(words) and words[0].lower_ in _QUESTION_WORDS


def _negation(root: Token) -> tuple[list[Token], Token | None]:
    """The words that negate the clause ("not", "n't", "never", a "no" before its subject or object) and a
    do-support auxiliary that goes with them ("does not plan" -> "plans")."""
    negators = [c for c in root.children if c.dep_ == "neg"]
    for child in root.children:
        if child.dep_ in ("nsubj", "nsubjpass", "dobj", "attr"):
            negators.extend(d for d in child.children if d.dep_ == "det" and d.lower_ in _NEGATIVE_DETERMINERS)
    do_aux = None
    if any(n.dep_ == "neg" for n in negators):
        do_aux = next((c for c in root.children if c.dep_ == "aux" and c.lemma_.lower() == "do"), None)
    return negators, do_aux


def _polarity_items(root: Token, keep: set[int]) -> set[int]:
    doc, found = root.doc, set()
    for i in sorted(keep):
        for phrase in _NEGATIVE_POLARITY:
            ids = list(range(i, i + len(phrase)))
            if all(j in keep and j < len(doc) and doc[j].lower_ == w for j, w in zip(ids, phrase, strict=True)):
                found.update(ids)
    return found


def _speaker_for(pronoun: Token, speaker_name: str, speaker_kind: str) -> str | None:
    """The speaker's name for a subject pronoun that refers back to the speaker ("Ruritania said it ...")."""
    return _speaker_for_word(pronoun.lower_, speaker_name, speaker_kind)


def _speaker_for_word(word: str, speaker_name: str, speaker_kind: str) -> str | None:
    want = _PRONOUN_KIND.get(word)
    if not speaker_name or want is None:
        return None
    is_person = speaker_kind in ("person",)
    if (want == "person" and not is_person) or (want == "thing" and speaker_kind not in _IT_KINDS):
        return None
    if want == "group" and speaker_kind not in ("organisation", "government-body", "military", "media",
                                                "anonymous", "state"):
        return None
    return speaker_name


def _points_back(subject: Token) -> bool:
    """A subject only the text before can say: an anaphoric noun ("the claim", "these reports")."""
    if subject.pos_ == "PRON":
        return False
    determiners = [c for c in subject.children if c.dep_ in ("poss", "det")]
    return subject.lower_ in lexicon.ANAPHORIC_NOUNS and any(
        d.lower_ in ("the", "this", "that", "these", "those", "such") for d in determiners
    ) and not any(c.dep_ in ("acl", "relcl", "prep") for c in subject.children)


def _prune(root: Token, keep: set[int]) -> set[int]:
    """Drop the least needed parts of the clause, rightmost first, until it has about MAX_WORDS words."""
    def count(ids: set[int]) -> int:
        return sum(1 for i in ids if not root.doc[i].is_punct and not root.doc[i].is_space)

    for dep in _PRUNABLE:
        if count(keep) <= MAX_WORDS:
            break
        parts = [t for t in root.subtree if t.dep_ == dep and t.i in keep and t.i != root.i]
        for part in sorted(parts, key=lambda t: -t.i):
            if count(keep) <= MAX_WORDS:
                break
            subtree = {t.i for t in part.subtree}
            if root.i in subtree:
                continue
            keep = keep - subtree
    return keep


def claim_wording(doc: Doc, segments: list[tuple[int, int]], *, speaker_name: str = "",
                  speaker_kind: str = "", direct: bool = False) -> Wording:
    """The claim a statement's content makes: whether it is a clause, and its readable positive wording.

    `direct`: the content is the speaker's own words in quotation marks, where only "I" and "we" are the speaker
    ("“He is a disgrace,” the senator said" is about someone else)."""
    tokens = [t for start, end in segments for t in doc if start <= t.idx < end]
    inside = {t.i for t in tokens}
    root = _clause_root(tokens)
    clause = is_clause(root, inside) and not _is_question(tokens) and not _is_fragment(root, tokens)
    if root is not None and not clause and speaker_name and _is_bare_gerund(root, inside):
        # "X denies taking the photograph": the claim is that X took it, and X denies it.
        keep = {t.i for t in root.subtree if t.i in inside and t.i != root.i}
        rest = _render(root.doc, sorted(keep), {}) if keep else ""
        text = f"{speaker_name} {_past(root.lemma_.lower())}" + (f" {rest[:1].lower()}{rest[1:]}" if rest else "")
        return Wording(True, False, text)
    if root is None or not (clause or is_event_phrase(root)):
        return Wording(False, False, "")
    # The first sentence with the root: the claim is one clause, not a quoted paragraph.
    keep = {t.i for t in root.sent if t.i in inside}
    negators, do_aux = _negation(root) if clause else ([], None)
    negated = bool(negators)
    keep -= {n.i for n in negators}
    replace: dict[int, str] = {}
    if negated:
        keep -= _polarity_items(root, keep)
        replace.update(_positive_any(root, keep))
    if do_aux is not None and do_aux.i in keep:
        keep.discard(do_aux.i)
        if do_aux.tag_ == "VBZ":
            replace[root.i] = _third_person(root.lemma_.lower())
        elif do_aux.tag_ == "VBD":
            replace[root.i] = _past(root.lemma_.lower())
    for token in tokens:
        if token.i in keep and token.dep_ in ("aux", "auxpass") and token.lower_ in _AUX_FORMS and negated:
            replace[token.i] = _AUX_FORMS[token.lower_]
    # The complementiser and a leading conjunction belong to the report, not the claim.
    for child in root.children:
        if child.dep_ in ("mark", "cc") and child.i < root.i and child.i in keep:
            keep.discard(child.i)
    subject = _subject(root)
    if clause and subject is not None and subject.i in keep and not negated:
        positive = _NEGATIVE_SUBJECTS.get(subject.lower_)
        if subject.lower_ == "one" and any(d.dep_ == "det" and d.lower_ == "no" for d in subject.children):
            positive = "someone"
            keep -= {d.i for d in subject.children if d.dep_ == "det"}
        if positive:
            negated = True
            replace[subject.i] = positive
    if negated and root.lemma_.lower() in _ATTITUDE_VERBS:
        return Wording(False, False, "")
    open_subject = False
    # "said on Monday it ...": a time phrase before the subject is the report's, not the claim's.
    if subject is not None:
        first = min(keep, default=subject.i)
        for child in root.children:
            if child.dep_ in ("prep", "npadvmod") and child.left_edge.i == first and child.i < subject.i:
                keep -= {t.i for t in child.subtree}
                first = min(keep, default=subject.i)
    if subject is not None and subject.pos_ in ("PRON", "DET") and subject.i in keep and subject.i not in replace:
        name = _speaker_for(subject, speaker_name, speaker_kind)
        if direct and subject.lower_ not in ("i", "we"):
            name = None  # in the speaker's own words, "he", "she", "it", "they" are someone else
        if name:
            replace[subject.i] = name
            contracted = _contraction_after(subject, keep)
            if contracted:
                replace.update(contracted)  # "she's thrilled" -> "Ada Holm is thrilled", not "Ada Holm's"
            elif subject.lower_ in ("i", "we"):
                replace.update(_third_person_verb(root, subject, keep))
        elif clause and subject.lower_ in _OPEN_SUBJECTS and subject.dep_ != "expl":
            # A remark whose subject points nowhere the claim can say: it may join a claim, never found one.
            open_subject = True
    if clause and subject is not None and subject.i in keep and subject.pos_ != "PRON":
        owner = next((c for c in subject.children if c.dep_ == "poss" and c.lower_ in _POSSESSIVE_PRONOUNS), None)
        name = _speaker_for_word(_POSSESSIVE_PRONOUNS[owner.lower_], speaker_name, speaker_kind) if owner else None
        if owner is not None and name:
            replace[owner.i] = f"{name}'s"  # "Ruritania said its troops ..." -> "Ruritania's troops ..."
        elif owner is not None or _points_back(subject):
            open_subject = True  # "its forces had attacked", "the claim was a fabrication": whose, which?
    pruned_keep = _prune(root, keep) if len([i for i in keep if not doc[i].is_punct]) > MAX_WORDS else keep
    text = _render(doc, sorted(pruned_keep), replace)
    return Wording(clause, negated, text, pruned=pruned_keep != keep, self_contained=not open_subject)


def _positive_any(root: Token, keep: set[int]) -> dict[int, str]:
    """"any" words of the negated clause's own objects and complements, in their positive form."""
    out = {}
    for token in root.subtree:
        if token.i not in keep or token.lower_ not in _POSITIVE_OF_ANY:
            continue
        # Only the clause's own words: "not ... anything", not an "any" inside a relative clause of its own.
        path, head = [], token
        while head.i != root.i and head.head.i != head.i:
            path.append(head.dep_)
            head = head.head
        if head.i == root.i and not {"relcl", "advcl", "ccomp", "acl"} & set(path):
            word = _POSITIVE_OF_ANY[token.lower_]
            out[token.i] = word[:1].upper() + word[1:] if token.text[:1].isupper() else word
    return out


def _contraction_after(subject: Token, keep: set[int]) -> dict[int, str]:
    """The contracted verb right after a subject pronoun, written out for a name ("'s" -> "is" or "has", "'d" ->
    "would" or "had", "'ll" -> "will", "'m"/"'re" -> "is", "'ve" -> "has")."""
    doc = subject.doc
    if subject.i + 1 >= len(doc) or subject.i + 1 not in keep:
        return {}
    verb = doc[subject.i + 1]
    if not verb.text.startswith(("'", "\u2019")):
        return {}
    lemma = verb.lemma_.lower()
    suffix = verb.lower_[1:]
    if lemma == "have" or suffix == "ve":
        word = "had" if suffix == "d" else "has"
    elif lemma == "be" or suffix in ("s", "m", "re"):
        word = "is"
    elif suffix == "ll":
        word = "will"
    elif suffix == "d":
        word = "would"
    else:
        return {}
    return {verb.i: " " + word}


def _third_person_verb(root: Token, subject: Token, keep: set[int]) -> dict[int, str]:
    """The finite verb of a clause whose first-person subject became a named speaker, in the third person singular
    ("I love", "we judge" -> "loves", "judges"; "I'm", "we've" -> "is", "has")."""
    auxiliaries = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i in keep and c.i > subject.i]
    finite = auxiliaries[0] if auxiliaries else root
    if finite.i not in keep:
        return {}
    if finite.lower_ in _THIRD_PERSON_AUX:
        return {finite.i: _THIRD_PERSON_AUX[finite.lower_]}
    modals = ("can", "could", "will", "would", "shall", "should", "may", "might", "must")
    if finite.tag_ in ("VBP", "VB") and finite.lemma_.lower() not in modals:
        return {finite.i: _third_person(finite.lemma_.lower())}
    return {}


def _render(doc: Doc, ids: list[int], replace: dict[int, str]) -> str:
    parts: list[str] = []
    for index, i in enumerate(ids):
        token = doc[i]
        if token.is_space:
            parts.append(" ")
            continue
        word = replace.get(i, token.text)
        follows = index + 1 < len(ids) and ids[index + 1] == i + 1
        parts.append(word + (token.whitespace_ if follows else " "))
    text = " ".join("".join(parts).split())
    text = text.replace(" ,", ",").replace(" .", ".").replace(" 's", "'s")
    text = text.strip(" ,;:.-\u2013\u2014\"'\u201c\u201d\u2018\u2019")
    # A quotation cut at its start or end leaves an unmatched mark inside.
    if text.count("\u201c") != text.count("\u201d"):
        text = text.replace("\u201c", "").replace("\u201d", "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text[:1].upper() + text[1:]


def claim_readable(text: str) -> bool:
    """Whether a claim's wording reads as one: a self-contained declarative clause of at most about MAX_WORDS words
    (what the real-news check counts, and what a machine claim should be)."""
    from claims.analysis.nlp import get_nlp

    text = text.strip()
    if not text or len(text.split()) > MAX_WORDS + 5:
        return False
    wording = claim_wording(get_nlp()(text), [(0, len(text))])
    return wording.clause and wording.self_contained

