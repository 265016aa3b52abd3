"""Lake assets: archives normalised into canonical Parquet, and the brand registry as tables.

Their asset keys are the dbt sources they feed (``lake/<table>``), so the dbt models
depend on them without any hand-written wiring.
"""


from datetime import date, timedelta

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from pipelines import ingest
from pipelines.brands import BrandRegistryError, load_registry, registry_frames
from pipelines.defs.resources import BrandcareResource

ARCHIVE_FILES = AssetKey(["lake", "archive_files"])
LAKE_TABLES = {
    "message_rows": "Canonical rows of every archive file, with their classifications (Parquet parts).",
    "quarantine": "Records that could not be read, with the file, position and reason.",
    "archive_files": "One row per archive file: format, status, records read/loaded/quarantined.",
}
REGISTRY_TABLES = {
    "brands": "Brands of the brand registry.",
    "brand_accounts": "Accounts of each brand per platform.",
    "brand_aliases": "Words that count as a mention of a brand.",
    "brand_open_hours": "Open intervals (UTC) of each brand's business calendar.",
}


class ArchivesConfig(Config):
    """Archive sources (files, folders, globs, URLs) to register before normalising."""

    sources: list[str] = []


@multi_asset(
    specs=[AssetSpec(["lake", name], description=text, group_name="lake") for name, text in LAKE_TABLES.items()],
    check_specs=[
        AssetCheckSpec(
            "records_reconcile",
            asset=ARCHIVE_FILES,
            blocking=True,
            description="For every archive file: records read = loaded + quarantined, "
            "and the lake holds exactly those rows.",
        ),
        AssetCheckSpec(
            "read_by_this_version",
            asset=ARCHIVE_FILES,
            description="Every archive file was read by this version's readers and classifiers (a home "
            "upgraded since holds rows another version read: other ids, texts or labels); a warning.",
        ),
    ],
    name="lake_archives",
)
def lake_archives(context: AssetExecutionContext, config: ArchivesConfig, brandcare: BrandcareResource):
    """Register the given sources, normalise every archive not normalised yet, and reconcile counts."""
    settings = brandcare.settings()
    # one writer of the lake at a time: the check below sees the lake as this step left it
    with ingest.lake_lock(settings, on_wait=context.log.info):
        if config.sources:
            for record in ingest.ingest(config.sources, settings):
                context.log.info(record.summary())
        # also when nothing is pending: repairs what a killed ingest left (a half-done compaction)
        for record in ingest.normalise_many(ingest.pending(settings), settings):
            context.log.info(record.summary())
        files = ingest.load_archive_files(settings)
        mismatches = ingest.reconcile(settings)
        older = ingest.read_by_other_versions(settings, files)
    totals = files.select(pl.col("records_read", "records_loaded", "records_quarantined").sum()).row(0, named=True)
    rejected = files.filter(pl.col("status") == "rejected")
    yield MaterializeResult(
        asset_key=ARCHIVE_FILES,
        metadata={
            "files": files.height,
            "rejected_files": rejected.height,
            **{name: int(value or 0) for name, value in totals.items()},
            "per_file": MetadataValue.md(markdown_table(
                files.select("name", "format", "status", "records_read", "records_loaded",
                             "records_quarantined", "error")
            )),
        },
    )
    yield MaterializeResult(asset_key=AssetKey(["lake", "message_rows"]),
                            metadata={"rows": int(totals["records_loaded"] or 0)})
    yield MaterializeResult(asset_key=AssetKey(["lake", "quarantine"]),
                            metadata={"rows": int(totals["records_quarantined"] or 0)})
    yield AssetCheckResult(
        check_name="records_reconcile",
        asset_key=ARCHIVE_FILES,
        passed=mismatches.is_empty(),
        severity=AssetCheckSeverity.ERROR,
        description=(f"{mismatches.height} of {files.height} archive files: records read != loaded + quarantined, "
                     "or the lake holds other rows (see mismatches)") if mismatches.height else
        f"{files.height} archive files: records read = loaded + quarantined, the lake holds exactly those rows",
        metadata={
            "files_checked": files.height,
            "mismatches": MetadataValue.md(markdown_table(mismatches) if mismatches.height else "none"),
        },
    )
    current = ingest.reading_versions()
    yield AssetCheckResult(
        check_name="read_by_this_version",
        asset_key=ARCHIVE_FILES,
        passed=older.is_empty(),
        severity=AssetCheckSeverity.WARN,
        description=(f"{older.height} of {files.height} archive files were read by another version of the readers "
                     f"or classifiers: their messages may differ from what this version reads "
                     f"(ids, texts, labels); {ingest.REREAD_ADVICE}") if older.height else
        f"{files.height} archive files, each read by this version's readers and classifiers",
        metadata={
            **current,
            "files_read_by_other_versions": MetadataValue.md(markdown_table(
                older.select("name", "status", "readers_version", "classifier_version")) if older.height else "none"),
        },
    )


def markdown_table(frame: pl.DataFrame) -> str:
    """A frame as a Markdown table, for Dagster UI metadata."""
    # wide enough that no cell wraps onto a second row (a sha256, a file name: QA, the UI showed
    # the pipes of broken rows instead of a table)
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_column_data_types=True,
                   tbl_hide_dataframe_shape=True, tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=200,
                   tbl_width_chars=65_535):
        return str(frame)


@multi_asset(
    specs=[AssetSpec(["lake", name], description=text, group_name="lake", deps=[AssetKey(["lake", "message_rows"])])
           for name, text in REGISTRY_TABLES.items()],
    name="brand_registry",
)
def brand_registry(context: AssetExecutionContext, brandcare: BrandcareResource):
    """Load the brand registry YAML and write it, with each brand's open hours over the data's dates, to the lake."""
    settings = brandcare.settings()
    try:
        brands = load_registry(settings.brands_path)
    except BrandRegistryError as exc:  # the reason on the step's failure, not under a stack trace
        # the error names the file (QA: the UI's failure gave the path twice and no fix)
        raise Failure(f"{exc}; the registry is BRANDCARE_BRANDS (or brandcare run --brands FILE): for the UI, "
                      "set it before brandcare ui and start the UI again") from exc
    start, end = _calendar_range(settings)
    frames = registry_frames(brands, start, end)
    settings.registry_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        ingest.write_parquet(frame, settings.registry_dir / f"{name}.parquet")
        yield MaterializeResult(asset_key=AssetKey(["lake", name]), metadata={"rows": frame.height})
    context.log.info(f"{len(brands)} brands from {settings.brands_path}; calendar {start} to {end}")


def _calendar_range(settings):
    """Local dates to expand business calendars over: the lake's dates, padded by a day and the response window."""
    dates = ingest.lake_dates(settings)
    low, high = dates if dates else (date.today(), date.today())
    return low - timedelta(days=2), high + timedelta(days=settings.response_window_days + 2)
