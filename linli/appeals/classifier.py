"""Suggesting an appeal's category from its text.

Cold start: keyword rules from the category tree (``Category.keywords``). Once the community
has confirmed appeals, or a CSV of labelled past appeals is given, a scikit-learn model
(TF-IDF over jieba words and character n-grams → linear SVM) takes over. The model file lives
in the data folder; nothing is downloaded.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
_PLACE_CODES = re.compile(r"[A-Z]\d*[市县区镇村]?")  # anonymised place codes such as "A市", "K8县"


def model_path(community_id: int | None = None) -> Path:
    folder = Path(settings.DATA_DIR) / "classifier"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (f"community-{community_id}.joblib" if community_id else "default.joblib")


def _tokens(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [t for t in jieba.lcut(_PLACE_CODES.sub(" ", text)) if t.strip()]


def build_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.svm import LinearSVC

    words = TfidfVectorizer(tokenizer=_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    return make_pipeline(FeatureUnion([("words", words), ("chars", chars)]), LinearSVC(C=0.5, class_weight="balanced"))


@dataclass
class Dataset:
    texts: list[str]
    labels: list[str]


def read_csv(path: str | Path, text_column: str, label_column: str) -> Dataset:
    texts, labels = [], []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {text_column, label_column} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: no column(s) {', '.join(sorted(missing))}; columns are {reader.fieldnames}")
        for row in reader:
            text, label = (row[text_column] or "").strip(), (row[label_column] or "").strip()
            if text and label:
                texts.append(text)
                labels.append(label)
    return Dataset(texts, labels)


def train(data: Dataset):
    if len(set(data.labels)) < 2:
        raise ValueError("at least two categories are needed to train")
    pipeline = build_pipeline()
    pipeline.fit(data.texts, data.labels)
    return pipeline


def cross_validate(data: Dataset, folds: int = 5, seed: int = 0) -> float:
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    scores = cross_val_score(
        build_pipeline(), data.texts, data.labels, scoring="f1_macro", cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    )
    return float(scores.mean())


def macro_f1(model, data: Dataset) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(data.labels, model.predict(data.texts), average="macro"))


def save(model, path: Path) -> None:
    import joblib

    joblib.dump(model, path)
    _load.cache_clear()


@lru_cache(maxsize=8)
def _load(path: str, mtime: float):
    import joblib

    return joblib.load(path)


def load(community_id: int | None):
    for path in (model_path(community_id), model_path(None)):
        if path.exists():
            return _load(str(path), path.stat().st_mtime)
    return None


def suggest_category(text: str, *, community_id: int | None):
    """The category to suggest for a text, or None. The model predicts a category code."""
    from django.db.models import Q

    from linli.appeals.models import Category

    categories = list(Category.objects.filter(Q(community_id=community_id) | Q(community__isnull=True), is_active=True))
    if not categories or not text.strip():
        return None
    model = load(community_id)
    if model is not None:
        try:
            code = model.predict([text])[0]
        except Exception:  # a broken model file must not stop a resident's report
            logger.exception("appeal classifier failed; falling back to keywords")
        else:
            by_code = {c.code: c for c in categories}
            by_name = {c.name: c for c in categories}
            if code in by_code or code in by_name:
                return by_code.get(code) or by_name[code]
    best, best_hits = None, 0
    for category in categories:
        hits = sum(text.count(k) for k in category.keyword_list)
        if hits > best_hits:
            best, best_hits = category, hits
    return best
