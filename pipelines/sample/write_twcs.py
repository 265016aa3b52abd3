"""Customer Support on Twitter CSV (``twcs/twcs_<brand>.csv``)."""

from __future__ import annotations

from pathlib import Path

from pipelines.sample.model import _fmt_v11
from pipelines.sample.world import World


def write_twcs(w: World, out: Path) -> dict[str, dict]:
    import csv
    import io

    rng = w.rng
    files: dict[str, dict] = {}
    for brand in w.brands:
        msgs = sorted(w.ext_msgs("twcs", brand.id), key=lambda m: (m.created, int(m.native)))
        if not msgs:
            continue
        children: dict[str, list[str]] = {}
        for m in msgs:
            if m.parent:
                children.setdefault(m.parent, []).append(m.native)
        rows = []
        for m in msgs:
            parent = w.msgs[m.parent].native if m.parent else ""
            if parent and int(m.native[:-3]) % 4:
                parent += ".0"  # pandas dumps: a column with gaps is written as floats
            rows.append(
                [
                    m.native,
                    m.author,
                    "False" if m.brand else "True",
                    _fmt_v11(m.created),
                    m.text,
                    ",".join(children.get(m.mid, [])),
                    parent,
                ]
            )
        # malformed rows, next to the row they were copied from: a date that is not one, no author
        n_bad = 0
        for kind in ("bad_date", "no_author"):
            i = rng.randrange(len(rows))
            row = list(rows[i])
            w.twcs_seq += 1
            row[0] = w.rid(10**6 + w.twcs_seq * 3)
            row[5] = ""
            if kind == "bad_date":
                row[3] = "not-a-date"
            else:
                row[1] = ""
            rows.insert(i + 1, row)
            n_bad += 1
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(
            ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]
        )
        writer.writerows(rows)
        fname = f"twcs/twcs_{brand.id}.csv"
        (out / "twcs").mkdir(parents=True, exist_ok=True)
        (out / fname).write_text(buf.getvalue(), encoding="utf-8")
        files[fname] = {"format": "twcs", "records_read": len(rows), "records_quarantined": n_bad}
    return files
