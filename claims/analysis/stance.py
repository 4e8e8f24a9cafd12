"""Stance of a text towards a claim: asserts it, denies it, or only reports that someone says it.

A linear model (logistic regression) over

- word 1-2-grams and character 2-5-grams of the text (TF-IDF);
- cue-word counts (denial and hedging words), question marks and how much of the claim the text repeats;
- features of the text's dependency parse, after Ferreira & Vlachos (2016): the root verb, its negation
  and modal, every hedging or refuting word with its distance from the root, a question form, a
  "Source: ..." prefix or "... - Source" suffix, and the words governing the text's words that repeat
  the claim ("rumour that ...", "denies reports of ...");
- the text's relation to the claim: hedging and refuting words the claim itself does not have (a claim
  that "a priest says he met God" is asserted by "priest claims he met God"), whether the claim's main
  verb is in the text and if so negated, weakened by a modal or governed by a hedging or refuting word,
  and whether the claim's numbers are repeated.

The word lists are general English (hedges, refutations, reporting verbs); none names an entity.
Trained on Emergent headlines by `manage.py train_stance ../shared/eval/emergent/emergent-train.csv`
(tools/training/stance.py), which writes `data/stance.joblib`, the file `load_stance_model` reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from spacy.tokens import Doc, Token

from claims.analysis.similarity import stem, words

MODEL_PATH = Path(__file__).resolve().parent / "data" / "stance.joblib"
LABELS = {"for": "asserts", "against": "denies", "observing": "observes"}

_DENIAL = re.compile(
    r"\b(fake[sd]?|hoax(?:es)?|false(?:ly)?|den(?:y|ies|ied|ying)|debunk\w*|untrue|myth|fabricat\w*|satir\w*|"
    r"no evidence|isn'?t|aren'?t|wasn'?t|didn'?t|doesn'?t|won'?t|not|never|nope|refut\w*|dismiss\w*|"
    r"reject\w*|rubbish|nonsense|scam|prank|lies?|bogus|phony|made up|spoof|joke)\b"
)
_HEDGE = re.compile(
    r"\b(reportedly|allegedly|alleged|claims?|claimed|rumou?r\w*|reports?|may|might|could|possibly|"
    r"apparently|purportedly|suggests?|says|said|according|sources?|unconfirmed|if|would|believed|"
    r"thought|speculat\w*|unverified|viral|investigat\w*)\b"
)
_ATTRIBUTION = re.compile(r"\b(says?|said|told|tells|according to)\b")
_REPORT = re.compile(r"\b(report|reports|reported)\b")


def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lemmas or lower-cased words. Refuting: the text says the claim is false (or its opposite, "alive").
REFUTING = _vocabulary(
    "alive baseless bogus busted contradict debunk denial deny despite dismiss dispute doctor doctored doubt "
    "erroneous exaggerate exaggerated fabricate fabricated fabrication fake false falsely fiction fictional fine "
    "fraud hoax hoaxer incorrect joke lie misinformation mistaken myth n't neither never no nonsense nope nor "
    "not nothing parody phony photoshop photoshopped prank question rebuff refute reject retract rubbish rumor "
    "rumour safe satire satirical scam sceptical skeptical spoof troll unfounded unlikely untrue without "
    "wrong"
)
# Hedging: the text reports the claim, or weakens it, without vouching for it.
HEDGING = _vocabulary(
    "? according accuse allegation allege alleged allegedly apparently appear believe believed claim consider "
    "considering could discuss discussion evidently expect expected eye eyeing hint if insider investigate "
    "largely leak leaked likely mainly may maybe might mostly perhaps plan poised possible possibly potential "
    "potentially presumably probably probe purport purported purportedly report reported reportedly rumor "
    "rumored rumour rumoured say seem set somewhat source sources speculate speculation suggest supposedly "
    "suspect suspected talk talks think tip tipped unconfirmed unverified viral whether would"
)
REPORTING = _vocabulary(
    "according accuse admit allege announce believe claim confirm deny insist purport report reveal say show "
    "state suggest tell think warn"
)
_QUESTION_START = _vocabulary(
    "are can could did do does has have how is was were what when where which who why will would"
)
_WEAK_MODALS = frozenset({"could", "may", "might", "would", "can", "should"})
_SOURCE_PREFIX = re.compile(r"^([^:]{1,40}):\s")
_SOURCE_SUFFIX = re.compile(r"[-\u2013\u2014]\s*[A-Z][\w.]*\s*$")
_SAYS_SUFFIX = re.compile(r"\b(says|say|said|claims?|reports?)\s*$")


def _cue_features(claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    rows = []
    for claim, text in zip(claims, texts, strict=True):
        lower = text.lower().replace("\u2019", "'")
        claim_words, text_words = set(words(claim)), set(words(text))
        rows.append(
            [
                len(_DENIAL.findall(lower)),
                len(_HEDGE.findall(lower)),
                float("?" in text),
                float(":" in text),
                len(claim_words & text_words) / max(1, len(claim_words)),
                float(len(text_words)),
                float(bool(_ATTRIBUTION.search(lower))),
                float(bool(_REPORT.search(lower))),
            ]
        )
    return np.asarray(rows, dtype=float)


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _in(token: Token, vocabulary: frozenset[str]) -> bool:
    return _lemma(token) in vocabulary or token.lower_ in vocabulary


def _root_distance(token: Token) -> int:
    distance = 0
    while token.head is not token and distance < 20:
        token, distance = token.head, distance + 1
    return distance


def _bucket(distance: int) -> str:
    return str(min(distance, 3))


def _text_features(text: Doc, claim: Doc) -> dict[str, float]:
    """The text's own parse: root, negation, modals, hedging/refuting words by distance from the root."""
    f: dict[str, float] = {}
    claim_words = set(words(claim.text))
    roots = [t for t in text if t.dep_ == "ROOT"]
    for root in roots[:2]:
        f["root=" + _lemma(root)] = 1
        f["rootpos=" + root.pos_] = 1
        for child in root.children:
            if child.dep_ == "neg":
                f["root_neg"] = 1
            if child.dep_ in ("aux", "auxpass") and child.tag_ == "MD":
                f["root_md=" + child.lower_] = 1
            if child.dep_ in ("nsubj", "nsubjpass"):
                f["root_subj_ent=" + (child.ent_type_ or "none")] = 1
            if child.dep_ == "ccomp":
                f["root_ccomp"] = 1
    if roots and _lemma(roots[0]) in REPORTING:
        f["root_report"] = 1
    hedges, refutes = [], []
    for token in text:
        distance = _root_distance(token)
        if _in(token, HEDGING):
            hedges.append(distance)
            f[f"h:{_lemma(token)}@{_bucket(distance)}"] = 1
        if _in(token, REFUTING):
            refutes.append(distance)
            f[f"r:{_lemma(token)}@{_bucket(distance)}"] = 1
        if token.dep_ == "neg":
            f["neg_head=" + _lemma(token.head)] = 1
            f["neg_any"] = 1
    if hedges:
        f["hedge_min=" + _bucket(min(hedges))] = 1
    if refutes:
        f["refute_min=" + _bucket(min(refutes))] = 1
    stripped = text.text.strip()
    if "?" in stripped:
        f["qmark"] = 1
    if stripped.endswith("?"):
        f["qend"] = 1
    if len(text) and text[0].lower_ in _QUESTION_START and "?" in stripped:
        f["wh_q"] = 1
    prefix = _SOURCE_PREFIX.match(stripped)
    if prefix:
        f["colon_prefix"] = 1
        f["colon_words=" + str(min(len(prefix.group(1).split()), 4))] = 1
    if _SOURCE_SUFFIX.search(stripped) or _SAYS_SUFFIX.search(stripped.lower()):
        f["trailing_source"] = 1
    # What governs the words the text shares with the claim: "rumour that X", "denies reports of X".
    aligned = [t for t in text if t.is_alpha and stem(t.lower_) in claim_words]
    f["n_aligned"] = len(aligned) / max(1, len(claim_words))
    for ancestor in {_lemma(a) for t in aligned for a in t.ancestors if stem(a.lower_) not in claim_words}:
        f["anc:" + ancestor] = 1
    f["neg_mismatch"] = float(any(t.dep_ == "neg" for t in claim) != any(t.dep_ == "neg" for t in text))
    return f


def _relation_features(text: Doc, claim: Doc) -> dict[str, float]:
    """The text against the claim: hedges and refutations the claim lacks, what happens to its main verb."""
    f: dict[str, float] = {}
    claim_vocabulary = {_lemma(t) for t in claim} | {t.lower_ for t in claim}

    def new(token: Token) -> bool:
        return _lemma(token) not in claim_vocabulary and token.lower_ not in claim_vocabulary

    extra_hedges = [t for t in text if _in(t, HEDGING) and new(t)]
    extra_refutes = [t for t in text if _in(t, REFUTING) and new(t)]
    f["x_hedge"] = min(len(extra_hedges), 3)
    f["x_refute"] = min(len(extra_refutes), 3)
    for token in extra_hedges:
        f["xh:" + _lemma(token)] = 1
        f["xh@" + _bucket(_root_distance(token))] = 1
    for token in extra_refutes:
        f["xr:" + _lemma(token)] = 1
        f["xr@" + _bucket(_root_distance(token))] = 1
    if any(_in(t, HEDGING) for t in claim):
        f["claim_hedged"] = 1
    claim_roots = [t for t in claim if t.dep_ == "ROOT"]
    if claim_roots:
        root = claim_roots[0]
        modals = sorted(c.lower_ for c in root.children if c.tag_ == "MD")
        f["claim_md=" + (modals[0] if modals else "none")] = 1
        same = [t for t in text if _lemma(t) == _lemma(root) and t.pos_ == root.pos_] or [
            t for t in text if _lemma(t) == _lemma(root)
        ]
        if same:
            verb = same[0]
            f["pred_found"] = 1
            if any(c.dep_ == "neg" for c in verb.children):
                f["pred_neg"] = 1
            if {c.lower_ for c in verb.children if c.tag_ == "MD"} & _WEAK_MODALS:
                f["pred_weak_md"] = 1
            if verb.dep_ == "ROOT":
                f["pred_is_root"] = 1
            for ancestor in verb.ancestors:
                f["pred_anc:" + _lemma(ancestor)] = 1
                if _lemma(ancestor) in HEDGING:
                    f["pred_under_hedge"] = 1
                if _lemma(ancestor) in REFUTING:
                    f["pred_under_refute"] = 1
        else:
            f["pred_missing"] = 1
    claim_numbers = {t.text for t in claim if t.like_num}
    text_numbers = {t.text for t in text if t.like_num}
    if claim_numbers:
        f["num_match" if claim_numbers & text_numbers else ("num_diff" if text_numbers else "num_absent")] = 1
    return f


def parse_features(text: Doc, claim: Doc) -> dict[str, float]:
    return {**_text_features(text, claim), **_relation_features(text, claim)}


def _parse(claims: Sequence[str], texts: Sequence[str]) -> list[dict[str, float]]:
    from claims.analysis.nlp import get_nlp

    nlp = get_nlp()
    unique = list(dict.fromkeys(claims))
    claim_docs = dict(zip(unique, nlp.pipe(unique), strict=True))
    return [parse_features(doc, claim_docs[c]) for doc, c in zip(nlp.pipe(texts), claims, strict=True)]


class StanceModel:
    """Predicts asserts / denies / observes for (claim, text) pairs; fitted by tools/training/stance.py.

    The blocks are weighted before the one regularised model: TF-IDF rows have unit length, the
    cue counts are standardised and scaled by `cue_weight`, the parse features by `parse_weight`.
    Left as None, `c` and `parse_weight` are chosen by the training's grouped cross-validation over
    `inner_folds` folds of the training rows (its scores kept in `inner_scores`).
    """

    def __init__(
        self,
        *,
        c: float | None = None,
        cue_weight: float = 0.3,
        parse_weight: float | None = None,
        inner_folds: int = 3,
    ) -> None:
        self.word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.cues = StandardScaler()
        self.parse = DictVectorizer()
        self.c = c
        self.cue_weight = cue_weight
        self.parse_weight = parse_weight
        self.inner_folds = inner_folds
        self.inner_scores: dict[tuple[float, float], float] = {}
        self.model = LogisticRegression(C=c or 1.0, max_iter=3000)

    def blocks(self, claims: Sequence[str], texts: Sequence[str], *, fit: bool) -> list[csr_matrix]:
        """The four feature blocks; with `fit`, the vectorisers and the scaler learn from these texts first."""
        cues = _cue_features(claims, texts)
        parsed = _parse(claims, texts)
        if fit:
            return [
                self.word.fit_transform(texts),
                self.char.fit_transform(texts),
                csr_matrix(self.cues.fit_transform(cues)),
                self.parse.fit_transform(parsed),
            ]
        return [
            self.word.transform(texts),
            self.char.transform(texts),
            csr_matrix(self.cues.transform(cues)),
            self.parse.transform(parsed),
        ]

    def stack(self, blocks: list[csr_matrix], parse_weight: float) -> csr_matrix:
        word, char, cues, parse = blocks
        return hstack([word, char, cues * self.cue_weight, parse * parse_weight]).tocsr()

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        x = self.stack(self.blocks(claims, texts, fit=False), self.parse_weight or 0.5)
        return [str(label) for label in self.model.predict(x)]


@lru_cache(maxsize=1)
def load_stance_model(path: Path = MODEL_PATH) -> StanceModel:
    import joblib

    return joblib.load(path)
