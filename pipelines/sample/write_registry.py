"""The brand registry (``brands.yaml``)."""

from __future__ import annotations

import json

from pipelines.sample.world import World

#: the first lines of ``brands.yaml``
HEADER = "# Brand registry of the brandcare sample (invented brands).\nbrands:\n"


def registry_blocks(w: World) -> list[str]:
    """One YAML block per brand of ``brands.yaml`` (``HEADER`` + the blocks is the file)."""

    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)

    blocks = []
    for b in w.brands:
        lines = [
            f"  - id: {b.id}",
            f"    name: {q(b.name)}",
            f"    sector: {b.sector}",
            f"    country: {q(b.country)}",
            f"    timezone: {b.timezone}",
            f"    sla_minutes: {b.sla_minutes}",
        ]
        if b.business_hours is not None:
            hours = ", ".join(f"{k}: {q(v)}" for k, v in b.business_hours.items())
            lines.append(f"    business_hours: {{{hours}}}")
        else:
            lines.append("    # no business_hours: always open")
        lines.append(f"    holidays: [{', '.join(q(h) for h in b.spec['holidays'])}]")
        lines.append("    accounts:")
        ch = b.formats
        lines.append(f"      x: [{', '.join(b.x + ([ch['twcs']] if 'twcs' in ch else []))}]")
        if "bluesky" in ch:
            lines.append(f"      bluesky: [{ch['bluesky']}]")
        if "facebook" in ch:
            lines.append(f"      facebook: [{q(ch['facebook'][0])}]")
        blog = [a for a in (b.blog, ch.get("disqus")) if a]
        if blog:
            lines.append(f"      blog: [{', '.join(q(a) for a in dict.fromkeys(blog))}]")
        lines.append(f"    aliases: [{', '.join(q(a) for a in b.aliases)}]")
        blocks.append("\n".join(lines) + "\n")
    return blocks
