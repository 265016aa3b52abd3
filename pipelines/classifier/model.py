"""The trained classifiers as one linear model over shared hashed features, in a portable file.

``models/classifiers.npz`` holds NumPy arrays only (no pickle): the rows of the weight
matrix that are not zero (``rows``, ``weights`` as float16) and the biases; beside it,
``models/classifiers.json`` holds the version, the feature spec, each task's classes and
columns, the training corpus and the scores measured while choosing the model. Loading is
lazy (on the first classification) and cached for the process; it needs no network.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.classifier.features import FeatureSpec, linear_scores, prepare

MODEL_DIR = Path(__file__).with_name("models")
WEIGHTS_FILE = "classifiers.npz"
CARD_FILE = "classifiers.json"
#: the tasks, in the order their columns sit in the weight matrix.
TASKS = ("intent", "sentiment", "deflection")
#: texts per thread at least, and threads at most, when scoring a batch (and when
#: pipelines.classify.classify_messages cuts a frame into blocks classified in threads).
PARALLEL_ROWS = 10_000
MAX_THREADS = 4


def threads_for(rows: int) -> int:
    """Threads worth using on ``rows`` texts: one per CPU this process may run on, at most
    :data:`MAX_THREADS`, each with at least :data:`PARALLEL_ROWS` texts (at least 1)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_THREADS, rows // PARALLEL_ROWS))


class ModelError(Exception):
    """The model files are missing or do not match each other."""


@dataclass(frozen=True)
class Classifiers:
    """Weights (n_features x columns), biases, and each task's classes and column slice."""

    version: str
    spec: FeatureSpec
    classes: dict[str, tuple[str, ...]]
    weights: np.ndarray
    bias: np.ndarray
    card: dict

    def columns(self, task: str) -> slice:
        start = 0
        for name in TASKS:
            width = len(self.classes[name])
            if name == task:
                return slice(start, start + width)
            start += width
        raise KeyError(task)

    def probabilities(
        self,
        normalised: pl.Series,
        signals: np.ndarray | None,
        tasks: tuple[str, ...] = TASKS,
        *,
        threads: bool = True,
    ) -> dict[str, np.ndarray]:
        """task -> (texts x classes) probabilities, rows summing to 1, of prepared texts
        (:func:`pipelines.classifier.features.prepare` or ``features_of``), for ``tasks`` (a
        subset scores only its own columns: the same figures, with less work). ``threads``:
        a large batch is scored in one thread per CPU (see :meth:`scores`)."""
        weights, bias, columns = self._weights_for(tuple(tasks))
        scores = self.scores(normalised, signals, weights=weights, bias=bias, threads=threads)
        out = {}
        for task, where in zip(tasks, columns, strict=True):
            block = scores[:, where]
            block = np.exp(block - block.max(axis=1, keepdims=True))
            out[task] = block / block.sum(axis=1, keepdims=True)
        return out

    def _weights_for(self, tasks: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list[slice]]:
        """(weights, biases, each task's column slice in them) of the columns of ``tasks``: the
        whole matrix for every task, else a contiguous copy of the tasks' columns, kept."""
        if tasks == TASKS:
            return self.weights, self.bias, [self.columns(task) for task in TASKS]
        cache = self.__dict__.setdefault("_task_weights", {})  # not a field: a frozen instance's cache
        if tasks not in cache:
            index = np.concatenate([np.arange(self.columns(t).start, self.columns(t).stop) for t in tasks])
            bounds = np.cumsum([0] + [len(self.classes[t]) for t in tasks])
            cache[tasks] = (
                np.ascontiguousarray(self.weights[:, index]),
                self.bias[index],
                [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
            )
        return cache[tasks]

    def scores(
        self,
        normalised: pl.Series,
        signals: np.ndarray | None,
        *,
        weights: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        threads: bool = True,
    ) -> np.ndarray:
        """Linear scores (texts x columns) with the biases (by default the whole matrix). With
        ``threads``, a large batch is cut in one slice per CPU, scored in threads (NumPy and
        SciPy release the GIL; a text's features do not depend on its batch, so the result is
        the same, bit for bit)."""
        weights = self.weights if weights is None else weights
        bias = self.bias if bias is None else bias
        rows = len(normalised)
        slices = threads_for(rows) if threads else 1
        bounds = np.linspace(0, rows, slices + 1).astype(int)

        def part(start: int, end: int) -> np.ndarray:
            chunk = None if signals is None else signals[start:end]
            return linear_scores(normalised[start:end], chunk, self.spec, weights)

        if slices == 1:
            return part(0, rows) + bias
        with ThreadPoolExecutor(slices) as pool:
            return np.vstack(list(pool.map(part, bounds[:-1], bounds[1:]))) + bias

    def predict(self, texts: pl.Series) -> dict[str, np.ndarray]:
        """task -> predicted class of each raw text (numpy array of str)."""
        return {
            task: np.asarray(self.classes[task], dtype=object)[probs.argmax(axis=1)]
            for task, probs in self.probabilities(*prepare(texts, self.spec)).items()
        }


def save(
    directory: Path,
    *,
    version: str,
    spec: FeatureSpec,
    classes: dict[str, tuple[str, ...]],
    weights: np.ndarray,
    bias: np.ndarray,
    card: dict,
) -> None:
    """Write the two model files (weights rounded to float16; zero rows left out)."""
    directory.mkdir(parents=True, exist_ok=True)
    rows = np.flatnonzero(np.abs(weights).max(axis=1) > 0).astype(np.int32)
    np.savez_compressed(
        directory / WEIGHTS_FILE,
        rows=rows,
        weights=weights[rows].astype(np.float16),
        bias=bias.astype(np.float32),
    )
    meta = {"version": version, "spec": spec.as_dict(), "classes": {t: list(classes[t]) for t in TASKS}, **card}
    (directory / CARD_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load_card(directory: Path = MODEL_DIR) -> dict:
    """The JSON card of the classifiers in ``directory`` (version, spec, classes, training)."""
    try:
        return json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ModelError(f"no trained classifiers in {directory} (run `brandcare train`)") from error


def load(directory: Path = MODEL_DIR) -> Classifiers:
    """The classifiers stored in ``directory``; raises ModelError when absent or inconsistent."""
    meta = load_card(directory)
    try:
        arrays = np.load(directory / WEIGHTS_FILE, allow_pickle=False)
    except FileNotFoundError as error:
        raise ModelError(f"no trained classifiers in {directory} (run `brandcare train`)") from error
    spec = FeatureSpec(**meta["spec"])
    classes = {task: tuple(meta["classes"][task]) for task in TASKS}
    width = sum(len(c) for c in classes.values())
    weights = np.zeros((spec.n_features, width), dtype=np.float32)
    stored = arrays["weights"]
    if stored.shape[1] != width or arrays["bias"].shape != (width,):
        raise ModelError(f"{directory / WEIGHTS_FILE} does not match {directory / CARD_FILE}")
    weights[arrays["rows"]] = stored
    return Classifiers(
        version=meta["version"],
        spec=spec,
        classes=classes,
        weights=weights,
        bias=arrays["bias"].astype(np.float32),
        card=meta,
    )


@lru_cache(maxsize=1)
def default() -> Classifiers:
    """The repository's classifiers, loaded once per process."""
    return load(MODEL_DIR)
