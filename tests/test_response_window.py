"""The response window is configuration, not a constant: with BRANDCARE_RESPONSE_WINDOW_DAYS=14
a reply ten days after the customer counts as a response, and every dbt test (whose bounds
derive from the window) passes, so the run publishes."""

from __future__ import annotations

import json

import pytest

from support import FIXTURES, run_brandcare

pytestmark = pytest.mark.e2e


def _archive(path):
    rows = [
        {"message_id": "x:9001", "platform": "x", "native_id": "9001", "kind": "post", "conversation_id": "x:9001",
         "author_id": "42", "author_handle": "cliente", "author_followers": 120, "mentions": ["telvia"],
         "created_at": "2026-03-02T10:00:00Z", "text": "@Telvia llevo dos días sin internet, ¿qué pasa?", "lang": "es"},
        {"message_id": "x:9002", "platform": "x", "native_id": "9002", "kind": "post", "conversation_id": "x:9001",
         "parent_id": "x:9001", "author_id": "1400000000000000001", "author_handle": "Telvia", "mentions": ["cliente"],
         "created_at": "2026-03-12T10:00:00Z", "text": "@cliente ya está resuelto, disculpa la espera", "lang": "es"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_fourteen_day_window_is_a_green_build_that_counts_a_ten_day_reply(tmp_path, monkeypatch):
    monkeypatch.setenv("BRANDCARE_RESPONSE_WINDOW_DAYS", "14")
    run = run_brandcare(tmp_path / "home", [_archive(tmp_path / "late_reply.jsonl")], FIXTURES / "x_v2" / "brands.yaml")
    assert run.result.success, "every check passes with the longer window"
    (case,) = run.query("select responded, first_response_min from care_cases where opened_message_id = 'x:9001'")
    assert case["responded"] is True and case["first_response_min"] == 10 * 24 * 60
    # the publication says which settings computed it, and the column definitions state them
    (manifest,) = run.query("select settings from manifest")
    assert json.loads(manifest["settings"])["response_window_days"] == 14
    (comment,) = run.query("select comment from duckdb_columns() "
                           "where table_name = 'care_cases' and column_name = 'first_response_at'")
    assert "opened_at + 14 days" in comment["comment"]
