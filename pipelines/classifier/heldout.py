"""The held-out figures `brandcare evaluate` recorded (``models/evaluation.json``) as each
publication's manifest states them. Apart from evaluate.py, which writes them: a run reads them
without importing scikit-learn's metrics (0.4 s of every run's start)."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.classifier import model as model_files

EVALUATION_FILE = "evaluation.json"


def manifest_entry(model_dir: Path = model_files.MODEL_DIR) -> dict:
    """The classifiers' version and held-out figures, for a publication's manifest.json: per task
    and language accuracy and macro-F1 on the test split, actionable F1; the model version alone
    when ``brandcare evaluate`` has not been run for it."""
    version = model_files.load_card(model_dir)["version"]
    path = model_dir / EVALUATION_FILE
    result = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if result.get("version") != version:
        return {"version": version, "heldout": None}
    return {
        "version": version,
        "heldout": {
            "corpus": result["corpus"],
            "tasks": {
                task: {lang: {k: s.get(k) for k in ("rows", "accuracy", "macro_f1")} for lang, s in langs.items()}
                for task, langs in result["model"]["tasks"].items()
            },
            "actionable_f1": {lang: s["f1"] for lang, s in result["model"]["actionable"].items()},
        },
    }
