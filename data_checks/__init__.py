"""Great Expectations suites defined as code, usable without Dagster (no pipelines/ import).

Callers fetch a table as a pandas frame and validate it::

    from data_checks import validate_brand_scorecards
    result = validate_brand_scorecards(con.sql("SELECT * FROM brand_scorecards").df())
"""

from data_checks.scorecards import CheckResult, brand_scorecards_suite, validate_brand_scorecards

__all__ = ["CheckResult", "brand_scorecards_suite", "validate_brand_scorecards"]
