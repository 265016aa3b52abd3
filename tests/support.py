"""Helpers shared by the tests (imported as ``support``): real brandcare homes, real ingest,
real Dagster runs, real dbt builds. Fixtures live in conftest.py."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

FIXTURES = Path(__file__).parent / "fixtures"


@contextmanager
def brandcare_env(home: Path, brands: Path | None = None) -> Iterator[None]:
    """Point BRANDCARE_HOME (and BRANDCARE_BRANDS, DAGSTER_HOME) at a test home for the block."""
    keys = ("BRANDCARE_HOME", "BRANDCARE_BRANDS", "DAGSTER_HOME")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ["BRANDCARE_HOME"] = str(home)
    os.environ.pop("BRANDCARE_BRANDS", None)
    if brands is not None:
        os.environ["BRANDCARE_BRANDS"] = str(brands)
    try:
        from pipelines.runner import prepare_environment

        prepare_environment()
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class PipelineRun:
    """A finished run: its Dagster result and where it published."""

    home: Path
    result: object
    said: list[str] = field(default_factory=list)

    @property
    def analyst_db(self) -> Path:
        return self.home / "published" / "brandcare.duckdb"

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        """Rows of a query on the published analyst database, as dicts."""
        with duckdb.connect(str(self.analyst_db), read_only=True) as con:
            cursor = con.execute(sql, params or {})
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_brandcare(home: Path, sources: Sequence[Path], brands: Path, **window) -> PipelineRun:
    """Ingest ``sources`` into ``home`` and run the whole pipeline as a Dagster run."""
    from pipelines import ingest
    from pipelines.settings import load_settings

    with brandcare_env(home, brands):
        ingest.ingest([str(s) for s in sources], load_settings())
    return run_in(home, brands, **window)


def run_in(home: Path, brands: Path | None = None, min_date=None, max_date=None) -> PipelineRun:
    """``brandcare run [--from min_date] [--to max_date]`` in this process (the command's own
    code: one Dagster run of the home's job, which must succeed), without a new interpreter's
    imports (5 s of CPU a run); ``said`` holds what the run says as it goes. A test of what the
    command prints or exits with runs it with :func:`run_cli`."""
    from pipelines.runner import run_pipeline

    said: list[str] = []
    with brandcare_env(home, brands):
        outcome = run_pipeline(min_date=min_date, max_date=max_date, quiet=True, on_message=said.append)
    assert outcome.success, outcome.failures()
    return PipelineRun(home=home, result=outcome.result, said=said)


@dataclass
class DemoRun:
    """``brandcare demo`` run as a user would, in a fresh BRANDCARE_HOME."""

    home: Path
    stdout: str

    @property
    def truth(self) -> dict:
        import json

        return json.loads((self.home / "sample" / "truth.json").read_text())

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        return PipelineRun(self.home, None).query(sql, params)

    def copy(self, folder: Path) -> Path:
        """A copy of the demo's home as ``folder``/home, for a test that writes to a home: the
        demo's own is shared by every worker's readers (tests/conftest.py)."""
        import shutil

        home = folder / "home"
        shutil.copytree(self.home, home, symlinks=True)
        return home


def run_cli(home: Path, *args: str, check: bool = True, brands: Path | None = None):
    """Run the ``brandcare`` console script in a subprocess with BRANDCARE_HOME=home."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRANDCARE_", "DAGSTER_"))}
    env["BRANDCARE_HOME"] = str(home)
    if brands is not None:
        env["BRANDCARE_BRANDS"] = str(brands)
    script = Path(sys.executable).with_name("brandcare")
    proc = subprocess.run([str(script), *args], env=env, capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"brandcare {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for a Dagster UI under test)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    """One query to the Dagster UI's GraphQL endpoint on 127.0.0.1."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def invented_corpus() -> pl.DataFrame:
    """The invented evaluation set (fixtures/classifier_eval.csv) as corpus rows, split by a hash
    of the id 60/20/20 (the split only has to be fixed within a test)."""
    labelled = pl.read_csv(FIXTURES / "classifier_eval.csv", infer_schema=False)
    bucket = pl.col("id").hash(seed=0) % 10
    return labelled.select(
        row_id="id",
        source=pl.lit("classifier_eval.csv"),
        licence=pl.lit("invented"),
        lang="lang",
        role="author",
        brand=pl.lit(None, pl.String),
        conversation_id="id",
        text="text",
        intent="intent",
        sentiment="sentiment",
        deflection="deflection",
        split=pl.when(bucket < 6).then(pl.lit("train")).when(bucket < 8).then(pl.lit("dev")).otherwise(pl.lit("test")),
    )
