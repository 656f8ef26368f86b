"""Synthetic catalogues of any size for the benchmarks: the shipped catalogue's sources, budget,
presets, scoring, uncertainty and YEF strands, followed by ``n`` generated interventions written the
way the shipped ones are (sourced figures, notes, several tiers, partial YEF matches, unknown
reach, alternative funding levels), about 720 bytes each (10,000 make 7 MB). Seeded: the same ``n`` and ``seed`` give
the same text. ``python bench/synthetic_catalogue.py 10000 out.toml`` writes one.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "interventions.toml"
TIERS = ("primary", "secondary", "tertiary")
MODELS = ("prevention", "early_intervention", "therapeutic", "desistance")
GROUPS = ("universal", "potentially_high_risk", "known_risk", "involved_in_violence")
STATUSES = ("commissioned", "delivered", "planned", "proposed")


def synthetic_catalogue(n: int, seed: int = 1) -> str:
    """The shipped catalogue's head with ``n`` generated interventions."""
    rng = random.Random(seed)
    shipped = SHIPPED.read_text(encoding="utf-8")
    head = shipped[: shipped.index("\n[[interventions]]\n")]
    strands = re.findall(r'^\[\[yef_strands\]\]\nid = "([^"]+)"', head, flags=re.MULTILINE)
    sources = [s for s in re.findall(r'^\[\[sources\]\]\nid = "([^"]+)"', head, flags=re.MULTILINE) if len(s) <= 10]
    parts = [head, ""]
    for k in range(n):
        source = rng.choice(sources)
        tiers = sorted(rng.sample(TIERS, rng.choice((1, 1, 2))), key=TIERS.index)
        cost = 5_000 * rng.randint(1, 80)
        reach = (
            '{ source = "unconfirmed" }'
            if rng.random() < 0.15
            else f'{{ value = {rng.randint(10, 20_000)}, source = "illustrative" }}'
        )
        lines = [
            "[[interventions]]",
            f'id = "service-{k:05d}"',
            f'name = "Service {k:05d}"',
            f'overview = "Generated service {k}."',
            f'area = "{rng.choice(("City", "County"))}"',
            f'named_in = ["{source}"]',
            f'status = {{ value = "{rng.choice(STATUSES)}", source = "{source}" }}',
            f"prevention_tiers = {{ value = {tiers!r}, source = {source!r} }}".replace("'", '"'),
            f'delivery_model = {{ value = ["{rng.choice(MODELS)}"], source = "illustrative" }}',
            f'target_group = {{ value = "{rng.choice(GROUPS)}", source = "{source}" }}',
            f'annual_cost_gbp = {{ value = {cost}, source = "illustrative" }}',
            f"reach_per_year = {reach}",
            f'funded_today = {{ value = {str(rng.random() < 0.3).lower()}, source = "{source}" }}',
            f'delivery_risk = {{ value = "{rng.choice(("low", "medium", "high"))}", source = "illustrative" }}',
            f'yef_strand = "{rng.choice(strands)}"',
        ]
        if rng.random() < 0.2:
            lines += ['yef_fit = "partial"', 'yef_mapping_note = "only part of the service matches the strand"']
        else:
            lines.append('yef_fit = "direct"')
        if rng.random() < 0.1 and cost > 5_000:
            pilot = 5_000 * rng.randint(1, cost // 5_000 - 1) if cost > 10_000 else 5_000
            lines += [
                "",
                "[[interventions.levels]]",
                'id = "pilot"',
                'label = "Pilot"',
                f'annual_cost_gbp = {{ value = {pilot}, source = "illustrative" }}',
                'reach_per_year = { source = "unconfirmed" }',
            ]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(synthetic_catalogue(int(sys.argv[1])), encoding="utf-8")
