"""Train the attribution model (a cue tagger and a source/content tagger, both CRFs) from PolNeAR brat files."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, DocBin

from claims.analysis import attribution
from claims.analysis.blocks import parse_blocks
from claims.analysis.nlp import MODEL_NAME, get_nlp


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution: character segments of its cue, source and content."""

    cue: tuple[tuple[int, int], ...]
    source: tuple[tuple[int, int], ...]
    content: tuple[tuple[int, int], ...]


@dataclass
class Article:
    name: str
    text: str
    gold: list[GoldAttribution]


def brat_read(split_dir: Path) -> list[Article]:
    """Texts and attributions of a split, in sorted file order; of several annotators' files, the first."""
    split_dir = Path(split_dir)
    files: dict[str, list[str]] = {}
    for name in sorted(os.listdir(split_dir / "attributions")):
        if name.endswith(".ann"):
            files.setdefault(name.rsplit("_", 1)[0], []).append(name)
    articles = []
    for path in sorted((split_dir / "text").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        gold = _brat_attributions(split_dir / "attributions" / files[path.stem][0]) if path.stem in files else []
        articles.append(Article(path.stem, text, gold))
    return articles


def _brat_attributions(path: Path) -> list[GoldAttribution]:
    spans: dict[str, tuple[tuple[int, int], ...]] = {}
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            _label, offsets = parts[1].split(" ", 1)
            spans[parts[0]] = tuple((int(a), int(b)) for a, b in (segment.split() for segment in offsets.split(";")))
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(arg.split(":", 1) for arg in parts[1].split()))
    out = []
    for event in events:
        cue = spans.get(event.get("Cue", ""), ())
        if not cue:
            continue
        out.append(
            GoldAttribution(
                cue=cue,
                source=spans.get(event.get("Source", ""), ()),
                content=spans.get(event.get("Content", ""), ()),
            )
        )
    return out


def parse_articles(
    articles: list[Article], *, cache_dir: Path | None = None, log: Callable[[str], None] = print
) -> list[Doc]:
    """spaCy parses of the articles, reused from `cache_dir` when the texts and pipeline are unchanged.

    Parsed block by block as the product parses (`blocks.parse_blocks`), so the taggers learn from the
    same sentences and trees they will see.
    """
    nlp = get_nlp()
    key = hashlib.sha256(
        json.dumps([MODEL_NAME, nlp.meta.get("version"), "blocks", [a.text for a in articles]]).encode()
    ).hexdigest()[:16]
    cache = Path(cache_dir) / f"parses-{key}.spacy" if cache_dir else None
    if cache is not None and cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = []
    for i, doc in enumerate(parse_blocks(nlp, (a.text for a in articles), batch_size=64), start=1):
        docs.append(doc)
        if i % 100 == 0:
            log(f"  parsed {i}/{len(articles)}")
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        bin_ = DocBin(store_user_data=False)
        for doc in docs:
            bin_.add(doc)
        bin_.to_disk(cache)
    return docs


# -- token labels from character spans --------------------------------------------------------------


def _token_indices(doc: Doc, segments: Iterable[tuple[int, int]]) -> list[int]:
    """Tokens (not whitespace) overlapping any of the character segments, in order."""
    out: set[int] = set()
    for start, end in segments:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        out.update(t.i for t in span if not t.is_space)
    return sorted(out)


def cue_sequences(
    doc: Doc, gold: list[GoldAttribution], clusters: attribution.LemmaClusters | None = None
) -> Iterator[tuple[list[list[str]], list[str]]]:
    """(features, BIO labels) for each sentence: the cue tagger's training items."""
    labels = ["O"] * len(doc)
    for attr in gold:
        tokens = _token_indices(doc, attr.cue)
        for n, i in enumerate(tokens):
            if labels[i] == "O":
                labels[i] = "B" if n == 0 else "I"
    doc_features = attribution.DocFeatures(doc, clusters)
    features = doc_features.cue_features()
    for idx in doc_features.sentences():
        if idx:
            yield [features[i] for i in idx], [labels[i] for i in idx]


def span_sequences(
    doc: Doc, gold: list[GoldAttribution], clusters: attribution.LemmaClusters | None = None
) -> Iterator[tuple[list[list[str]], list[str]]]:
    """(features, labels S/C/O) over each gold cue's window: the span tagger's training items."""
    features = attribution.DocFeatures(doc, clusters)
    for attr in gold:
        cue = _token_indices(doc, attr.cue)
        if not cue:
            continue
        window = features.span_window(cue)
        source = set(_token_indices(doc, attr.source))
        content = set(_token_indices(doc, attr.content))
        labels = ["S" if i in source else "C" if i in content else "O" for i in window]
        yield features.span_features(cue, window), labels


# -- training ---------------------------------------------------------------------------------------

# L1 and L2 weights, iterations and feature pruning, chosen on dev (docs/analysis.md "Attribution model").
CUE_PARAMS = {"c1": 0.2, "c2": 0.2, "max_iterations": 100, "feature.minfreq": 2}
SPAN_PARAMS = {"c1": 0.2, "c2": 0.2, "max_iterations": 150, "feature.minfreq": 2}
# Word clusters over the content-word lemmas seen at least CLUSTER_MINFREQ times in train.
N_CLUSTERS = 200
CLUSTER_MINFREQ = 3


def train_clusters(docs: list[Doc], out_dir: Path) -> attribution.LemmaClusters:
    """Fit the lemma clusters on the training texts' vocabulary and write their centroids to `out_dir`."""
    from collections import Counter

    counts = Counter(
        t.lemma_.lower() for doc in docs for t in doc if t.pos_ in attribution.CLUSTERED_POS and t.is_alpha
    )
    lemmas = sorted(lemma for lemma, n in counts.items() if n >= CLUSTER_MINFREQ) or sorted(counts)
    centroids = attribution.fit_clusters(lemmas, N_CLUSTERS)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(out_dir) / attribution.CLUSTER_MODEL, "wb") as f:
        np.save(f, centroids)
    return attribution.LemmaClusters(centroids)


def crf_train(items: Iterable[tuple[list[list[str]], list[str]]], model_path: Path, params: dict[str, object]) -> int:
    """Fit one CRF with L-BFGS (deterministic for the same items in the same order); returns the item count."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    count = 0
    for xseq, yseq in items:
        trainer.append(xseq, yseq)
        count += 1
    trainer.set_params(params)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    return count


def _train_one(
    part: str,
    articles: list[Article],
    docs: list[Doc],
    out_dir: Path,
    params: dict[str, object],
    clusters: attribution.LemmaClusters,
) -> tuple[str, int]:
    sequences = cue_sequences if part == "cue" else span_sequences
    name = attribution.CUE_MODEL if part == "cue" else attribution.SPAN_MODEL
    items = (item for a, d in zip(articles, docs, strict=True) for item in sequences(d, a.gold, clusters))
    return part, crf_train(items, Path(out_dir) / name, params)


def attribution_train(
    *,
    train_dir: Path,
    out_dir: Path,
    cache_dir: Path | None = None,
    cue_params: dict[str, object] | None = None,
    span_params: dict[str, object] | None = None,
    jobs: int = 2,
    log: Callable[[str], None] = print,
) -> dict[str, int]:
    """Train both taggers on a brat split and write them to `out_dir`; returns how many items each saw.

    The two taggers are independent, so with `jobs` 2 they train side by side in forked processes
    (same items, same order, same weights as one after the other).
    """
    articles = brat_read(train_dir)
    log(f"train: {len(articles)} texts, {sum(len(a.gold) for a in articles)} attributions")
    docs = parse_articles(articles, cache_dir=cache_dir, log=log)
    clusters = train_clusters(docs, out_dir)
    log(f"lemma clusters: {len(clusters.centroids)}")  # type: ignore[arg-type]
    # Every lemma of the training texts gets its cluster before any fork, so the children share them.
    for doc in docs:
        clusters.assign([t.lemma_.lower() for t in doc if t.pos_ in attribution.CLUSTERED_POS])
    tasks = [("cue", cue_params or CUE_PARAMS), ("span", span_params or SPAN_PARAMS)]
    # tqdm's monitor (started by the embedding model's encode for the clusters) only sleeps and holds no lock.
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and t.name != "tqdm_monitor"]
    if jobs > 1 and others:
        # Forking a process that runs other threads (a test run's browser driver, a worker's pool) can leave the
        # child waiting forever on a lock one of them held: train one after the other, with the same weights.
        log(f"{len(others) + 1} threads running: training the taggers one after the other")
        jobs = 1
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Fork: the children share the parent's parses instead of pickling them.
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [
                pool.submit(_train_one, part, articles, docs, out_dir, params, clusters) for part, params in tasks
            ]
            counts = dict(f.result() for f in futures)
    else:
        counts = dict(_train_one(part, articles, docs, out_dir, params, clusters) for part, params in tasks)
    log(f"cue tagger: trained on {counts['cue']} sentences; span tagger: on {counts['span']} cue windows")
    return {"cue_sentences": counts["cue"], "span_windows": counts["span"]}


# -- selection on dev -------------------------------------------------------------------------------


def dev_figures(
    *,
    dev_dir: Path,
    model_dir: Path,
    modes: Iterable[str] = ("model", "union"),
    cache_dir: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, dict[str, object]]:
    """PolNeAR scores of the whole analysis on a split (as `extract --per-attribution` writes it), per mode."""
    from claims.analysis.extract import analyse_doc
    from claims.analysis.interchange import attribution_records
    from claims.analysis.parties import PartyResolver
    from tools.evaluation.polnear import polnear_gold, polnear_score

    articles = brat_read(dev_dir)
    docs = parse_articles(articles, cache_dir=cache_dir, log=log)
    gold = polnear_gold(Path(dev_dir))
    resolver = PartyResolver([])
    attribution.use_model_dir(model_dir)
    try:
        figures = {}
        for mode in modes:
            predictions = {
                a.name: attribution_records(a.name, analyse_doc(d, resolver, mode=mode))
                for a, d in zip(articles, docs, strict=True)
            }
            figures[mode] = polnear_score(gold, predictions)
    finally:
        attribution.use_model_dir(None)
    return figures


def figures_line(name: str, figures: dict[str, object]) -> str:
    cue, attr = figures["cue"], figures["attribution"]
    return (
        f"{name:8s} attribution P {attr['precision']:.3f} R {attr['recall']:.3f} F1 {attr['f1']:.3f}"  # type: ignore[index]
        f"  cue P {cue['precision']:.3f} R {cue['recall']:.3f} F1 {cue['f1']:.3f}"  # type: ignore[index]
        f"  (predicted {figures['predicted']}, gold {figures['gold']})"
    )
