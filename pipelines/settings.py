"""Where brandcare keeps things and the knobs a deployment may turn.

Everything the pipeline writes lives below ``BRANDCARE_HOME`` (default ``./data``).
Nothing here reads the network or the disk at import time.
"""

from __future__ import annotations

import errno
import math
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

#: Care score weights (docs/metrics.md#care_score); override with BRANDCARE_SCORE_WEIGHTS="response_rate=35,...".
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
    """Resolved configuration of one brandcare deployment: the one source of every setting.

    Each field below except ``home`` and ``brands_file`` is read from ``BRANDCARE_<FIELD>``
    (upper case) by :func:`load_settings`; the dbt vars of ``dbt_project.yml`` are these
    defaults (a test keeps them equal) and every run hands dbt the values of :meth:`dbt_vars`.
    """

    home: Path
    brands_file: Path | None = None
    #: Days after a case opens in which a brand reply counts as a response.
    response_window_days: int = 7
    #: First-response median at or under which the care score's speed part is full (minutes).
    speed_best_min: float = 15.0
    #: First-response median at or over which the care score's speed part is zero (minutes).
    speed_worst_min: float = 1440.0
    #: Actionable cases a brand needs in a period to be ranked.
    min_ranked_cases: int = 20
    #: Actionable cases a follower band needs to enter the equity index.
    min_equity_band_cases: int = 20
    #: Replies of one brand and month that must be near-duplicates for them to be canned.
    canned_min_replies: int = 3
    #: Word-set Jaccard similarity at which two normalised replies are near-duplicates.
    canned_similarity: float = 0.8
    #: Care score weights (docs/metrics.md); BRANDCARE_SCORE_WEIGHTS="response_rate=35,speed=25,...".
    score_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SCORE_WEIGHTS))
    #: Published versions kept: those most recently made current, the current one among them.
    keep_versions: int = 5
    #: DuckDB memory limit of the pipeline's connections and of dbt (DuckDB syntax, e.g. "3GB").
    duckdb_memory_limit: str = "2560MB"
    #: Language of the report: "en" or "es".
    report_language: str = "en"

    @property
    def archives_dir(self) -> Path:
        """Content-addressed copies of every registered archive file."""
        return self.home / "archives"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def archive_files_dir(self) -> Path:
        """The lake table ``archive_files``: one row per archive file (its parts commit the others)."""
        return self.lake_dir / "archive_files"

    @property
    def message_rows_dir(self) -> Path:
        """The lake table ``message_rows``: canonical messages with their classifications."""
        return self.lake_dir / "message_rows"

    @property
    def quarantine_dir(self) -> Path:
        """The lake table ``quarantine``: records that could not be read, with a reason."""
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
    def managed_paths(self) -> tuple[Path, ...]:
        """What brandcare writes in the home besides folders of archives (the inbox, the demo's
        sample): its store, lake, warehouse, publications, Dagster, dbt, scratch and logs
        folders and its lock files. An ingest of a folder holding the home skips them."""
        return (self.archives_dir, self.lake_dir, self.warehouse_path.parent, self.published_dir, self.dagster_home,
                self.dbt_target_dir.parent, self.temp_dir, self.logs_dir,
                self.home / "run.lock", self.home / "publish.lock")

    @property
    def sample_dir(self) -> Path:
        """Where ``brandcare demo`` writes its sample archive (and the default brand registry)."""
        return self.home / "sample"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder (artifacts, partial parse state): one per home, reused by every run."""
        return self.home / "dbt" / "target"

    @property
    def temp_dir(self) -> Path:
        """DuckDB spill files and other scratch space."""
        return self.home / "tmp"

    def duckdb_config(self, purpose: str) -> dict[str, str]:
        """DuckDB ``config`` of a database the pipeline opens itself (ingest readers, report,
        publish): the memory limit of dbt's, and spill files in ``tmp/duckdb-<purpose>`` (made here)."""
        spill = self.temp_dir / f"duckdb-{purpose}"
        spill.mkdir(parents=True, exist_ok=True)
        return {"memory_limit": self.duckdb_memory_limit, "temp_directory": str(spill)}

    @property
    def brands_path(self) -> Path:
        """The brand registry YAML: BRANDCARE_BRANDS, else the sample's."""
        return self.brands_file or self.sample_dir / "brands.yaml"

    def dbt_vars(self) -> dict[str, object]:
        """Configuration handed to dbt as ``--vars`` (weights and thresholds live here, not in SQL)."""
        return {name: getattr(self, name) for name in DBT_VARS}


def _parse_weights(raw: str) -> dict[str, float]:
    weights = dict(DEFAULT_SCORE_WEIGHTS)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, value = item.partition("=")
        if name not in weights:
            raise ValueError(
                f"BRANDCARE_SCORE_WEIGHTS: unknown part {name!r}; known: {', '.join(weights)}"
            )
        try:
            weights[name] = float(value)
        except ValueError as exc:
            raise ValueError(f"BRANDCARE_SCORE_WEIGHTS: {name}={value} is not a number") from exc
        if not math.isfinite(weights[name]):
            raise ValueError(f"BRANDCARE_SCORE_WEIGHTS: {name}={value} is not a finite number")
        if weights[name] < 0:
            raise ValueError(f"BRANDCARE_SCORE_WEIGHTS: {name}={value} is negative; weights are 0 or more")
    if not any(weights.values()):
        # the care score is their weighted mean: with every weight 0 it has none (QA: the run
        # failed on a dbt check of care_score's range, naming no setting)
        raise ValueError("BRANDCARE_SCORE_WEIGHTS: every weight is 0; give at least one part a weight")
    return weights


#: The settings dbt reads as vars (defaults in dbt_project.yml are the Settings defaults).
DBT_VARS = (
    "response_window_days", "speed_best_min", "speed_worst_min", "min_ranked_cases",
    "min_equity_band_cases", "canned_min_replies", "canned_similarity", "score_weights",
)


#: The smallest value each numeric setting may take (a value under it is refused at start-up,
#: naming the variable, rather than failing a run halfway).
MINIMUMS: dict[str, float] = {
    "response_window_days": 1, "speed_best_min": 0, "speed_worst_min": 0, "min_ranked_cases": 0,
    "min_equity_band_cases": 0, "canned_min_replies": 2, "keep_versions": 1,
}


_KIND_NAMES = {int: "a whole number", float: "a number", str: "text"}


def _parse_field(name: str, kind: type, raw: str):
    if name == "score_weights":
        return _parse_weights(raw)
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ValueError(f"BRANDCARE_{name.upper()}: {raw!r} is not {_KIND_NAMES[kind]}") from exc
    if kind is float and not math.isfinite(value):  # nan, inf: a run failed inside dbt (QA)
        raise ValueError(f"BRANDCARE_{name.upper()}: {raw!r} is not a finite number")
    return value


def _check_memory_limit(raw: str) -> None:
    """A memory limit DuckDB reads (its own parser decides: "2560MB", "3 GB", "80%"), else
    ValueError naming the variable: a run would start and fail at its first query (QA)."""
    import duckdb

    try:
        duckdb.connect(config={"memory_limit": raw}).close()
    except duckdb.Error as exc:
        raise ValueError(f"BRANDCARE_DUCKDB_MEMORY_LIMIT: {raw!r} is not a DuckDB memory size, e.g. 2560MB or 3GB "
                         f"({str(exc).splitlines()[0]})") from exc


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``BRANDCARE_*`` variables), with sane defaults."""
    env = dict(os.environ if env is None else env)
    home = Path(env.get("BRANDCARE_HOME") or "data").expanduser().resolve()  # empty: the default, as unset
    if home.exists() and not home.is_dir():
        raise ValueError(f"BRANDCARE_HOME: {home} is a file, not a folder (give a folder, new or one brandcare wrote)")
    brands = env.get("BRANDCARE_BRANDS")
    values: dict[str, object] = {}
    kinds = {"int": int, "float": float, "str": str}
    for spec in fields(Settings):
        raw = env.get(f"BRANDCARE_{spec.name.upper()}")
        if spec.name in ("home", "brands_file") or raw is None or raw == "":
            continue
        values[spec.name] = _parse_field(spec.name, kinds.get(str(spec.type), str), raw)
        if spec.name in MINIMUMS and values[spec.name] < MINIMUMS[spec.name]:
            raise ValueError(f"BRANDCARE_{spec.name.upper()}: {raw!r} is under its minimum, {MINIMUMS[spec.name]:g}")
    if not 0 < values.get("canned_similarity", 1.0) <= 1:
        raise ValueError(f"BRANDCARE_CANNED_SIMILARITY: {values['canned_similarity']!r} is not in (0, 1]")
    if values.get("report_language", "en") not in ("en", "es"):
        raise ValueError(f"BRANDCARE_REPORT_LANGUAGE: {values['report_language']!r} is not en or es")
    best, worst = (values.get(name, getattr(Settings, name)) for name in ("speed_best_min", "speed_worst_min"))
    if best >= worst:
        raise ValueError(f"BRANDCARE_SPEED_BEST_MIN ({best:g}) must be under BRANDCARE_SPEED_WORST_MIN ({worst:g}): "
                         "the speed part falls from full at the first to zero at the second")
    if "duckdb_memory_limit" in values:
        _check_memory_limit(str(values["duckdb_memory_limit"]))
    return Settings(
        home=home,
        brands_file=Path(brands).expanduser().resolve() if brands else None,
        **values,
    )


class HomeDamagedError(Exception):
    """A part of a home that cannot be read as it is (a lake part cut short, a disk error): the
    message names it and what to do; the command line prints it as one line."""


def connect_duckdb(database: str | Path = ":memory:", *, read_only: bool = False, config: dict | None = None):
    """A DuckDB connection whose session time zone is UTC, as dbt's (profiles.yml) and the
    readers' are: DuckDB's default is the machine's zone, in which a timestamp's ``::date`` and
    the Python datetimes it returns would be that zone's (a run's window of days, the data
    horizon of a publication, the report's dates)."""
    import duckdb

    con = duckdb.connect(str(database), read_only=read_only, config=config or {})
    con.execute("set TimeZone = 'UTC'")
    return con


#: What SQLite (Dagster's instance) and DuckDB say instead of an OSError: a full disk, a failed
#: write, a place that cannot be written.
_DISK_FULL_WORDS = ("database or disk is full", "No space left on device")
_DISK_FAILED_WORDS = ("disk I/O error",)
_UNWRITABLE_WORDS = ("attempt to write a readonly database", "unable to open database file", "Read-only file system")
_UNWRITABLE_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)


def write_failure(exc: BaseException) -> str | None:
    """One line saying why a command could not go on, when ``exc`` or one of its causes is a
    full disk, a failed write, or a place that cannot be written (read-only, no permission),
    as an OSError or in SQLite's and DuckDB's words; else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = str(exc)
        if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or any(w in text for w in _DISK_FULL_WORDS):
            where = f" of {exc.filename}" if isinstance(exc, OSError) and exc.filename else ""
            return f"no space left on the device{where}: free some, then run the command again"
        if isinstance(exc, OSError) and exc.errno in _UNWRITABLE_ERRNOS:
            return f"{exc.strerror}: {exc.filename or exc}"
        if any(w in text for w in _UNWRITABLE_WORDS):
            return ("cannot write the home's databases (read-only, or no permission): BRANDCARE_HOME must be a "
                    "folder this user can write")
        if any(w in text for w in _DISK_FAILED_WORDS):
            return "a write to the disk failed (full, or failing): free some space or check the device, then try again"
        exc = exc.__cause__ or exc.__context__
    return None
