"""Where brandcare keeps things and the knobs a deployment may turn.

Everything the pipeline writes lives below ``BRANDCARE_HOME`` (default ``./data``).
Nothing here reads the network or the disk at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: Care score weights (METRICS.md); override with BRANDCARE_SCORE_WEIGHTS="response_rate=35,...".
DEFAULT_SCORE_WEIGHTS: dict[str, float] = {
    "response_rate": 35.0,
    "speed": 25.0,
    "in_channel": 15.0,
    "equity": 10.0,
    "off_hours": 10.0,
    "recovery": 5.0,
}


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of one brandcare deployment."""

    home: Path
    brands_file: Path | None = None
    response_window_days: int = 7
    speed_best_min: float = 15.0
    speed_worst_min: float = 1440.0
    min_ranked_cases: int = 20
    score_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SCORE_WEIGHTS))

    @property
    def archives_dir(self) -> Path:
        """Content-addressed copies of every registered archive file."""
        return self.home / "archives"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def messages_dir(self) -> Path:
        """Canonical messages, Parquet, hive-partitioned by UTC ``date``."""
        return self.lake_dir / "messages"

    @property
    def quarantine_dir(self) -> Path:
        return self.lake_dir / "quarantine"

    @property
    def warehouse_path(self) -> Path:
        """The working warehouse: written by the pipeline only (one writer)."""
        return self.home / "warehouse" / "brandcare.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.home / "published"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def registry_dir(self) -> Path:
        """The brand registry as Parquet tables, for dbt to read."""
        return self.lake_dir / "registry"

    @property
    def inbox_dir(self) -> Path:
        """Archive files dropped here are picked up by the inbox sensor."""
        return self.home / "inbox"

    @property
    def brands_path(self) -> Path:
        """The brand registry YAML: BRANDCARE_BRANDS, else the sample's."""
        return self.brands_file or self.home / "sample" / "brands.yaml"

    def dbt_vars(self) -> dict[str, object]:
        """Configuration handed to dbt as ``--vars`` (weights and thresholds live here, not in SQL)."""
        return {
            "response_window_days": self.response_window_days,
            "speed_best_min": self.speed_best_min,
            "speed_worst_min": self.speed_worst_min,
            "min_ranked_cases": self.min_ranked_cases,
            "score_weights": self.score_weights,
        }


def _parse_weights(raw: str) -> dict[str, float]:
    weights = dict(DEFAULT_SCORE_WEIGHTS)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, value = item.partition("=")
        if name not in weights:
            raise ValueError(
                f"BRANDCARE_SCORE_WEIGHTS: unknown part {name!r}; known: {', '.join(weights)}"
            )
        weights[name] = float(value)
    return weights


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``BRANDCARE_*`` variables), with sane defaults."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("BRANDCARE_HOME", "data")).expanduser().resolve()
    brands = env.get("BRANDCARE_BRANDS")
    return Settings(
        home=home,
        brands_file=Path(brands).expanduser().resolve() if brands else None,
        response_window_days=int(env.get("BRANDCARE_RESPONSE_WINDOW_DAYS", "7")),
        score_weights=_parse_weights(env.get("BRANDCARE_SCORE_WEIGHTS", "")),
    )
