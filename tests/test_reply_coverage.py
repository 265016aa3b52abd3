"""A real sample that cuts its conversations: the run warns and the report says so.

tests/fixtures/twcs/real_apple/: fifty real twcs tweets to and from @AppleSupport, from a public
random sample (README.md there): 36 replies, none of whose parents the sample holds. One ingest
and one run through the command line; the expected counts are read from the CSV here.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from support import FIXTURES, run_cli, run_in

REAL = FIXTURES / "twcs" / "real_apple"

pytestmark = pytest.mark.e2e


def _hand_counts() -> dict:
    rows = list(csv.DictReader((REAL / "twcs_small_apple.csv").open(newline="", encoding="utf-8")))
    ids = {row["tweet_id"] for row in rows}
    replies = [row for row in rows if row["in_response_to_tweet_id"]]
    missing = [row for row in replies if str(int(float(row["in_response_to_tweet_id"]))) not in ids]
    brand = [row for row in replies if row["author_id"] == "AppleSupport"]
    return {
        "platform": "x", "replies": len(replies), "replies_parent_missing": len(missing),
        "brand_replies": len(brand),
        "brand_replies_parent_missing": sum(row in missing for row in brand), "cut": True,
    }


def test_a_sample_that_cuts_its_conversations_warns_and_the_report_says_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "ingest", str(REAL / "twcs_small_apple.csv"))
    proc = run_cli(home, "run", "--quiet", brands=REAL / "brands.yaml")
    # published, with the warning on the run's output
    assert "published version" in proc.stdout and "0 failed, 1 warned" in proc.stdout
    assert "warning: check int_reply_coverage:warn_conversations_cut warned" in proc.stderr
    # saying what it means, not the check's name only (QA)
    assert "miss their parent: the archives cut its conversations" in proc.stderr
    assert "response rates undercount" in proc.stderr
    # and in dbt's own log, which keeps warnings and errors only
    logged = [json.loads(line) for line in (home / "dbt" / "target" / "dbt.log").read_text().splitlines()]
    assert {e["info"]["level"] for e in logged} == {"warn"}
    assert any(e["data"].get("node_info", {}).get("node_name") == "warn_conversations_cut" for e in logged)
    # and so does the publication's manifest
    manifest = json.loads((home / "published" / "current" / "manifest.json").read_text())
    (cut,) = [check for check in manifest["checks"] if check["name"] == "warn_conversations_cut"]
    assert not cut["passed"] and "response rates undercount" in cut["description"]
    with duckdb.connect(str(home / "warehouse" / "brandcare.duckdb"), read_only=True) as con:
        # the platform's whole history (its months: October to December 2017, none with the 20
        # replies that judge a month alone)
        cursor = con.execute("""
            select platform, sum(replies) as replies, sum(replies_parent_missing) as replies_parent_missing,
                   sum(brand_replies) as brand_replies,
                   sum(brand_replies_parent_missing) as brand_replies_parent_missing, bool_and(platform_cut) as cut
            from int_reply_coverage group by platform""")
        names = [d[0] for d in cursor.description]
        coverage = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        assert not con.execute("select bool_or(cut) from int_reply_coverage").fetchone()[0]
    expected = _hand_counts()
    assert coverage == [expected] and expected["replies"] == expected["replies_parent_missing"] == 36
    page = (home / "published" / "current" / "report.html").read_text(encoding="utf-8")
    assert page.count('data-note="conversations-cut"') == 1
    assert "Conversations cut on X: 36 of 36 replies (100%) answer a message the archives do not hold" in page
    assert "25 of them by the brands" in page and "X&#39;s response rates undercount" in page
    # the home's status lists the run's warning under it, as a warning, not a failure
    status = run_cli(home, "status").stdout
    assert "check int_reply_coverage:warn_conversations_cut warned" in status and " failed" not in status
    # with the rows it found, recorded with the check's evaluation (the UI shows them too)
    rows = status.split("warn_conversations_cut warned", 1)[1].splitlines()[1:]
    assert rows[0].startswith("        platform=x, month=2017-") and rows[0].endswith("platform_cut=True"), status
    # and the list of publications counts it with the version published despite it
    (row,) = [line for line in run_cli(home, "publications").stdout.splitlines() if line.startswith("* 2")]
    passed, total = row.split()[4].split("/")
    assert int(total) - int(passed) == 1 and row.split()[5] == "1"


def test_an_archive_of_replies_alone_says_it_cannot_measure_care(tmp_path: Path) -> None:
    # a brand's own archive: its replies, none of the messages they answer. No case, and every
    # section said "No data for this section yet", as if waiting would fill it (QA)
    rows = [{"message_id": f"x:{900 + n}", "platform": "x", "author_id": "b1", "author_handle": "acme_help",
             "created_at": f"2026-03-{1 + n % 28:02d}T10:00:00Z", "text": f"@cliente{n} Hola, te ayudamos por DM",
             "parent_id": f"x:{100 + n}", "in_reply_to_author_id": f"u{n}"}  # an archive names no thread
            for n in range(24)]
    archive = tmp_path / "replies.jsonl"
    archive.write_text("".join(json.dumps(row) + "\n" for row in rows))
    brands = tmp_path / "brands.yaml"
    brands.write_text("brands:\n  - id: acme\n    name: Acme\n    timezone: Europe/Madrid\n"
                      "    accounts:\n      x: [acme_help]\n")
    home = tmp_path / "home"
    run_cli(home, "ingest", str(archive))
    run_in(home, brands)
    page = (home / "published" / "current" / "report.html").read_text(encoding="utf-8")
    assert 'data-note="conversations-cut"' in page
    assert "They cannot measure care until they hold the messages the replies answer." in page
    assert "No data for this section yet" not in page


def test_a_month_cut_inside_a_linked_history_warns_and_the_report_names_it(tmp_path: Path) -> None:
    """QA: the bank sheets of October 2020 cut 95% of their replies, but one well-linked file of
    December 2021 kept X's whole history under half: no warning, and the leaderboard showed
    October without its caveat. A month is judged alone when it holds 20 replies."""
    from support import run_brandcare

    rows = []
    for i in range(30):  # February: 30 customers answered, every reply's parent held
        rows += [
            {"message_id": f"x:{1000 + i}", "platform": "x", "native_id": str(1000 + i), "kind": "post",
             "conversation_id": f"x:{1000 + i}", "author_id": str(500 + i), "author_handle": f"cliente{i}",
             "mentions": ["telvia"], "created_at": f"2026-02-{1 + i % 28:02d}T10:00:00Z",
             "text": "@Telvia no tengo internet", "lang": "es"},
            {"message_id": f"x:{2000 + i}", "platform": "x", "native_id": str(2000 + i), "kind": "post",
             "conversation_id": f"x:{1000 + i}", "parent_id": f"x:{1000 + i}", "author_id": "1400000000000000001",
             "author_handle": "Telvia", "mentions": [f"cliente{i}"], "created_at": f"2026-02-{1 + i % 28:02d}T11:00:00Z",
             "text": f"@cliente{i} lo revisamos por DM", "lang": "es"},
        ]
    for i in range(25):  # March: 25 brand replies to messages the archive does not hold
        rows.append({"message_id": f"x:{3000 + i}", "platform": "x", "native_id": str(3000 + i), "kind": "post",
                     "conversation_id": f"x:{4000 + i}", "parent_id": f"x:{4000 + i}0",
                     "author_id": "1400000000000000001", "author_handle": "Telvia", "mentions": [f"otro{i}"],
                     "created_at": f"2026-03-{1 + i:02d}T11:00:00Z", "text": f"@otro{i} te ayudamos", "lang": "es"})
    archive = tmp_path / "two_months.jsonl"
    archive.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    run = run_brandcare(tmp_path / "home", [archive], FIXTURES / "x_v2" / "brands.yaml")
    assert run.result.success
    checks = json.loads((run.home / "published" / "current" / "manifest.json").read_text())["checks"]
    (cut,) = [check for check in checks if check["name"] == "warn_conversations_cut"]
    assert not cut["passed"]
    page = (run.home / "published" / "current" / "report.html").read_text(encoding="utf-8")
    assert page.count('data-note="conversations-cut"') == 1
    assert ("Conversations cut on X in March 2026: 25 of 25 replies of that time (100%) answer a message "
            "the archives do not hold, 25 of them by the brands") in page
