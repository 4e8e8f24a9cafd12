"""The learned attribution model: a CRF finds cues, a second CRF labels each cue's source and content.

After Pareti et al. (2013) and BBC's citron: cue tagging over each sentence (BIO), then, for every cue,
sequence labelling of the tokens around it as Source, Content or neither, with features relative to the
cue (side, distance, the dependency path between token and cue). Both models are trained on PolNeAR's
train split by `manage.py train_attribution` (tools/training/attribution.py); see data/ATTRIBUTION.md.
Feature strings are tags and single lowercased words or lemmas, never longer runs of text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Token

from claims.analysis import lexicon

DATA_DIR = Path(__file__).resolve().parent / "data"
CUE_MODEL = "attribution-cue.crfsuite"
SPAN_MODEL = "attribution-span.crfsuite"
CLUSTER_MODEL = "attribution-clusters.npy"

# Parts of speech whose lemma gets a word-cluster feature: the content words cues are made of.
CLUSTERED_POS = frozenset({"VERB", "AUX", "NOUN", "ADJ", "ADV"})


class LemmaClusters:
    """Which word cluster a lemma falls in: the nearest of centroids learned from the training vocabulary.

    PolNeAR's cue vocabulary is long-tailed, so a lemma seen a few times in training or never ("examine",
    "document") gets the weights its cluster's neighbours earned ("investigate", "report"). Lemmas are
    embedded with the static model `similarity` ships (data/minilm-static), so any word has a cluster.
    """

    def __init__(self, centroids: np.ndarray | None) -> None:
        self.centroids = centroids
        self._cache: dict[str, int | None] = {}

    @classmethod
    def load(cls, path: Path) -> LemmaClusters:
        return cls(np.load(path) if Path(path).exists() else None)

    def assign(self, lemmas: Sequence[str]) -> list[int | None]:
        if self.centroids is None:
            return [None] * len(lemmas)
        new = sorted({lemma for lemma in lemmas if lemma not in self._cache})
        if new:
            from claims.analysis.similarity import embed

            vectors = embed(new)
            if vectors is None:
                self._cache.update(dict.fromkeys(new))
            else:
                nearest = np.argmax(vectors @ self.centroids.T, axis=1)
                self._cache.update(zip(new, (int(k) for k in nearest), strict=True))
        return [self._cache[lemma] for lemma in lemmas]


def fit_clusters(lemmas: Sequence[str], n_clusters: int) -> np.ndarray:
    """Unit-length centroids of k-means over the lemmas' embeddings (fixed seed: the same on every run)."""
    from sklearn.cluster import KMeans

    from claims.analysis.similarity import embed

    vectors = embed(sorted(set(lemmas)))
    if vectors is None:
        raise RuntimeError("the static embedding model (data/minilm-static) is missing")
    k = max(1, min(n_clusters, len(vectors)))
    centroids = KMeans(n_clusters=k, n_init=1, random_state=0).fit(vectors).cluster_centers_
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (centroids / norms).astype(np.float32)

_QUOTE_MARKS = frozenset({'"', "\u201c", "\u201d", "``", "''", "\u2018", "\u2019"})
_OPENING = frozenset({"\u201c", "``"})
_CLOSING = frozenset({"\u201d", "''"})


@dataclass(frozen=True)
class Attribution:
    """Token indices of one attribution found by the model; source and content may be empty."""

    cue: tuple[int, ...]
    source: tuple[int, ...]
    content: tuple[int, ...]
    # The cue tagger's probability that these tokens are a cue (the mean of their B/I marginals).
    probability: float = 1.0


def _bucket(n: int) -> str:
    if n <= 3:
        return str(n)
    if n <= 5:
        return "4-5"
    if n <= 10:
        return "6-10"
    if n <= 20:
        return "11-20"
    return "21+"


def quote_depths(doc: Doc) -> list[int]:
    """Per token, the number of the quotation it is in (0 outside quotes); marks belong to their quote.

    Straight double quotes alternate open/close within a paragraph; curly ones say which they are.
    """
    out = [0] * len(doc)
    current = 0
    counter = 0
    for tok in doc:
        text = tok.text
        if "\n" in text:
            current = 0
        if text in _OPENING or (text == '"' and current == 0):
            counter += 1
            current = counter
            out[tok.i] = current
            continue
        if text in _CLOSING or (text == '"' and current):
            out[tok.i] = current
            current = 0
            continue
        out[tok.i] = current
    return out


def _subject_kind(tok: Token) -> str:
    for child in tok.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            if child.pos_ in ("PROPN", "PRON"):
                return child.pos_
            if child.ent_type_:
                return "ent"
            if child.lemma_.lower() in lexicon.ANIMATE_NOUNS:
                return "animate"
            return "other"
    return "none"


def _token_features(tok: Token, quoted: bool, cluster: int | None, head_cluster: int | None) -> list[str]:
    """Features of a token on its own: word, lemma, tags, head, quotes, cue lexicon, clause shape, clusters."""
    lemma = tok.lemma_.lower()
    head = tok.head
    feats = [
        "w=" + tok.lower_,
        "l=" + lemma,
        "p=" + tok.pos_,
        "t=" + tok.tag_,
        "d=" + tok.dep_,
        "hl=" + head.lemma_.lower(),
        "hp=" + head.pos_,
        "hd=" + head.dep_,
        "e=" + (tok.ent_iob_ + tok.ent_type_ if tok.ent_type_ else "O"),
        "cap=" + ("1" if tok.text[:1].isupper() else "0"),
        "q=" + ("1" if quoted else "0"),
    ]
    if cluster is not None:
        feats.append(f"k={cluster}")
    if head_cluster is not None:
        feats.append(f"hk={head_cluster}")
    if tok.text in _QUOTE_MARKS:
        feats.append("qm")
    if tok.is_punct:
        feats.append("punct=" + tok.text)
    cue = lexicon.CUES.get(lemma)
    if cue is not None:
        feats.append("lex=" + cue.stance)
    if tok.pos_ in ("VERB", "AUX", "NOUN"):
        children = list(tok.children)
        feats.extend("ch=" + d for d in sorted({c.dep_ for c in children}))
        if any(c.dep_ == "mark" and c.lower_ == "that" for c in children) or any(
            c.dep_ == "ccomp" and any(m.dep_ == "mark" for m in c.children) for c in children
        ):
            feats.append("that")
        feats.append("subj=" + _subject_kind(tok))
    if tok.is_sent_start:
        feats.append("bos")
    return feats


# Sentences either side of the cue's that the span tagger sees (training and inference alike).
WINDOW_SENTENCES = 0

_CUE_CONTEXT = ("w=", "l=", "p=", "d=", "q=", "k=")
_SPAN_OWN = ("w=", "l=", "p=", "t=", "d=", "e=", "q=", "qm", "punct=", "cap=", "bos")
_SPAN_NEIGHBOUR = ("w=", "p=", "qm")


class DocFeatures:
    """Everything the taggers read from one parsed document, computed once and shared by every cue."""

    def __init__(self, doc: Doc, clusters: LemmaClusters | None = None) -> None:
        self.doc = doc
        self.tokens = list(doc)
        n = len(self.tokens)
        self.quotes = quote_depths(doc)
        self.heads = [t.head.i for t in self.tokens]
        self.deps = [t.dep_ for t in self.tokens]
        self.lemmas = [t.lemma_.lower() for t in self.tokens]
        self.space = [t.is_space for t in self.tokens]
        self.sentence = [0] * n
        self.sent_bounds: list[tuple[int, int]] = []
        for number, sent in enumerate(doc.sents):
            self.sent_bounds.append((sent.start, sent.end))
            for i in range(sent.start, sent.end):
                self.sentence[i] = number
        self.clusters = [None] * n
        if clusters is not None:
            content = [i for i, t in enumerate(self.tokens) if t.pos_ in CLUSTERED_POS]
            for i, k in zip(content, clusters.assign([self.lemmas[i] for i in content]), strict=True):
                self.clusters[i] = k
        self.base = [
            _token_features(t, bool(self.quotes[t.i]), self.clusters[t.i], self.clusters[self.heads[t.i]])
            for t in self.tokens
        ]
        self._chains: dict[int, list[int]] = {}
        self._span_static: list[list[str]] | None = None

    def cue_features(self) -> list[list[str]]:
        """The cue tagger's features: the token's own plus its neighbours' words and tags."""
        context = [[f for f in feats if f.startswith(_CUE_CONTEXT)] for feats in self.base]
        sentence = self.sentence
        n = len(self.base)
        out = []
        for i in range(n):
            feats = list(self.base[i])
            for offset in (-2, -1, 1, 2):
                j = i + offset
                if 0 <= j < n and sentence[j] == sentence[i]:
                    prefix = f"{offset}:"
                    feats.extend(prefix + f for f in context[j])
                else:
                    feats.append(f"{offset}:none")
            out.append(feats)
        return out

    def sentences(self) -> list[list[int]]:
        """Token indices of each sentence, whitespace left out."""
        return [[i for i in range(a, b) if not self.space[i]] for a, b in self.sent_bounds]

    def span_window(self, cue: Sequence[int]) -> list[int]:
        """Tokens the span tagger labels for a cue: its sentence and WINDOW_SENTENCES either side.

        Content that runs on past the sentence is nearly always a quotation, which the extractor
        extends to its closing mark.
        """
        number = self.sentence[cue[0]]
        start = self.sent_bounds[max(number - WINDOW_SENTENCES, 0)][0]
        end = self.sent_bounds[min(number + WINDOW_SENTENCES, len(self.sent_bounds) - 1)][1]
        return [i for i in range(start, end) if not self.space[i]]

    def _chain(self, i: int) -> list[int]:
        """The token and its ancestors up to the root of its sentence."""
        chain = self._chains.get(i)
        if chain is None:
            chain = [i]
            heads = self.heads
            while heads[chain[-1]] != chain[-1] and len(chain) < 60:
                chain.append(heads[chain[-1]])
            self._chains[i] = chain
        return chain

    def _static(self) -> list[list[str]]:
        if self._span_static is None:
            own = [[f for f in feats if f.startswith(_SPAN_OWN)] for feats in self.base]
            neighbour = [[f for f in feats if f.startswith(_SPAN_NEIGHBOUR)] for feats in self.base]
            n = len(own)
            static = []
            for i in range(n):
                feats = list(own[i])
                if i > 0:
                    feats.extend("-1:" + f for f in neighbour[i - 1])
                if i + 1 < n:
                    feats.extend("1:" + f for f in neighbour[i + 1])
                static.append(feats)
            self._span_static = static
        return self._span_static

    def span_features(self, cue: Sequence[int], window: Sequence[int]) -> list[list[str]]:
        """The span tagger's features for each window token, relative to the cue."""
        static = self._static()
        quotes = self.quotes
        cue_set = set(cue)
        head = next((i for i in cue if self.heads[i] not in cue_set or self.heads[i] == i), cue[0])
        # The head word's lemma only: feature strings stay single words.
        cue_lemma = self.lemmas[head]
        cue_cluster = self.clusters[head]
        cue_quote = quotes[head]
        head_pos = {a: depth for depth, a in enumerate(self._chain(head))}
        sent_start, sent_end = self.sent_bounds[self.sentence[head]]
        first, last = min(cue), max(cue)
        deps = self.deps
        out = []
        for i in window:
            feats = list(static[i])
            if i in cue_set:
                rel, dist = "cue", "0"
            elif i < first:
                rel, dist = "before", _bucket(first - i)
            else:
                rel, dist = "after", _bucket(i - last)
            where = "same" if sent_start <= i < sent_end else ("prev" if i < sent_start else "next")
            # The dependency path between token and cue: which branch of the cue holds it, or where they meet.
            chain = self._chain(i)
            meet = next(((n, head_pos[a]) for n, a in enumerate(chain) if a in head_pos), None)
            if meet is None:
                path = "none"
            elif meet[1] == 0:
                path = "dom:" + (deps[chain[meet[0] - 1]] if meet[0] > 0 else "self")
            elif meet[0] == 0:
                path = "anc:" + _bucket(meet[1])
            else:
                path = f"lca:{_bucket(meet[1])}:{deps[chain[meet[0] - 1]]}"
            feats += (
                "rel=" + rel,
                "dist=" + dist,
                "rd=" + rel + dist,
                "sent=" + where,
                "path=" + path,
                "pr=" + path + "|" + rel,
                "cl=" + cue_lemma,
                "clr=" + cue_lemma + "|" + rel,
                "clp=" + cue_lemma + "|" + path,
            )
            if cue_cluster is not None:
                feats += (f"ck={cue_cluster}", f"ckr={cue_cluster}|{rel}", f"ckp={cue_cluster}|{path}")
            if quotes[i]:
                feats.append("qs=" + ("same" if quotes[i] == cue_quote else "other") + "|" + rel)
            elif cue_quote:
                feats.append("qs=outofcue")
            out.append(feats)
        return out


# A token is part of a cue when the tagger gives it at least this probability (its marginal of B or I),
# not only when the single best labelling says so: recall of the rare class, chosen on PolNeAR dev.
CUE_THRESHOLD = 0.5


# Likewise for content: a token is content at this marginal probability of C (chosen on PolNeAR dev).
SPAN_THRESHOLD = 0.5


def _decode_marginals(
    begin: Sequence[float], inside: Sequence[float], indices: Sequence[int], threshold: float
) -> list[list[int]]:
    cues: list[list[int]] = []
    previous = False
    for b, i_, index in zip(begin, inside, indices, strict=True):
        if b + i_ < threshold:
            previous = False
            continue
        if not previous or b > i_:
            cues.append([index])
        else:
            cues[-1].append(index)
        previous = True
    return cues


def _decode_cues(tags: Sequence[str], indices: Sequence[int]) -> list[list[int]]:
    cues: list[list[int]] = []
    previous = "O"
    for tag, i in zip(tags, indices, strict=True):
        if tag == "B" or (tag == "I" and previous == "O"):
            cues.append([i])
        elif tag == "I":
            cues[-1].append(i)
        previous = tag
    return cues


class AttributionModel:
    """The two trained taggers; `find(doc)` gives the attributions of a parsed document."""

    def __init__(self, cue_path: Path, span_path: Path, cluster_path: Path | None = None) -> None:
        import pycrfsuite

        # Without a clusters file (a model trained before them) the taggers see no cluster features.
        self.clusters = LemmaClusters.load(cluster_path) if cluster_path is not None else None
        if self.clusters is not None and self.clusters.centroids is None:
            self.clusters = None
        self.cue_tagger = pycrfsuite.Tagger()
        self.cue_tagger.open(str(cue_path))
        # A corpus with no multi-word cue gives a tagger without the label I.
        self.cue_labels = [label for label in self.cue_tagger.labels() if label in ("B", "I")]
        self.span_tagger = pycrfsuite.Tagger()
        self.span_tagger.open(str(span_path))

    def cues(self, features: DocFeatures, threshold: float | None = None) -> list[tuple[list[int], float]]:
        """Each cue's token indices and its probability."""
        threshold = CUE_THRESHOLD if threshold is None else threshold
        cue_features = features.cue_features()
        found: list[tuple[list[int], float]] = []
        tagger = self.cue_tagger
        for idx in features.sentences():
            if not idx:
                continue
            tags = tagger.tag([cue_features[i] for i in idx])
            if threshold >= 0.5:
                cues = _decode_cues(tags, idx)
            else:
                positions = range(len(idx))
                begin = [tagger.marginal("B", n) if "B" in self.cue_labels else 0.0 for n in positions]
                inside = [tagger.marginal("I", n) if "I" in self.cue_labels else 0.0 for n in positions]
                cues = _decode_marginals(begin, inside, idx, threshold)
            position = {i: n for n, i in enumerate(idx)}
            for cue in cues:
                marginals = [sum(tagger.marginal(label, position[i]) for label in self.cue_labels) for i in cue]
                found.append((cue, sum(marginals) / len(marginals)))
        return found

    def find(self, doc: Doc, cue_threshold: float | None = None) -> list[Attribution]:
        features = DocFeatures(doc, self.clusters)
        out = []
        for cue, probability in self.cues(features, cue_threshold):
            window = features.span_window(cue)
            tagger = self.span_tagger
            tags = tagger.tag(features.span_features(cue, window))
            if SPAN_THRESHOLD < 0.5:
                tags = [
                    "C" if tag == "C" or tagger.marginal("C", n) >= SPAN_THRESHOLD else tag
                    for n, tag in enumerate(tags)
                ]
            source = tuple(i for i, tag in zip(window, tags, strict=True) if tag == "S" and i not in cue)
            content = tuple(i for i, tag in zip(window, tags, strict=True) if tag == "C" and i not in cue)
            out.append(Attribution(cue=tuple(cue), source=source, content=content, probability=probability))
        return out


_model_dir = DATA_DIR


@lru_cache(maxsize=1)
def get_model() -> AttributionModel:
    """The shipped model, loaded once per process from claims/analysis/data/."""
    return AttributionModel(_model_dir / CUE_MODEL, _model_dir / SPAN_MODEL, _model_dir / CLUSTER_MODEL)


def use_model_dir(directory: Path | None) -> None:
    """Load the model from another folder from now on (a freshly trained one); None goes back to data/."""
    global _model_dir
    _model_dir = Path(directory) if directory is not None else DATA_DIR
    get_model.cache_clear()
