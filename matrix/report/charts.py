"""The report's charts: Vega-Lite specifications (plain data, no UI library) rendered to PNG offline by
vl-convert, each with a title naming the scenario, date and catalogue version, a legend, labelled
points and a text summary."""

from __future__ import annotations

from typing import Any

import vl_convert as vlc

from matrix.decision import DecisionProblem, ScenarioResult
from scoring import money

TIERS = ("primary", "secondary", "tertiary")
# Colour-blind-safe (Okabe-Ito) colours; funded and not funded are also told apart by shape and label.
TIER_COLOURS = ("#0072B2", "#E69F00", "#009E73")
STATUS = ("funded", "not funded")


def _png(spec: dict[str, Any]) -> bytes:
    return bytes(vlc.vegalite_to_png(spec, scale=2))


def _frame(title: str, subtitle: str, width: int, height: int) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "width": width,
        "height": height,
        "config": {"legend": {"orient": "bottom"}, "font": "DejaVu Sans"},
    }


def value_chart(problem: DecisionProblem, result: ScenarioResult, label: str) -> tuple[str, bytes, str] | None:
    """Benefit against cost for every intervention's full level, funded ones labelled by name."""
    options = result.options
    full = options[options["level"] == "full"]
    if full.empty:
        return None
    funded = set(result.optimum.funded)
    rows = [
        {
            "name": problem.names[str(i)],
            "cost": float(c),
            "benefit": round(float(b), 1),
            "status": STATUS[0] if i in funded else STATUS[1],
        }
        for i, c, b in zip(full["intervention"], full["annual_cost_gbp"], full["benefit"], strict=True)
    ]
    title = "Benefit against cost"
    status = {"field": "status", "type": "nominal", "title": "in the recommended set"}
    spec = _frame(title, label, 620, 380) | {
        "data": {"values": rows},
        "encoding": {
            "x": {"field": "cost", "type": "quantitative", "title": "cost a year (£)", "axis": {"format": "~s"}},
            "y": {"field": "benefit", "type": "quantitative", "title": "benefit (0 to 100)"},
        },
        "layer": [
            {
                "mark": {"type": "point", "filled": True, "size": 90},
                "encoding": {
                    "color": status | {"scale": {"domain": list(STATUS), "range": ["#0072B2", "#999999"]}},
                    "shape": status | {"scale": {"domain": list(STATUS), "range": ["circle", "triangle"]}},
                },
            },
            {
                "transform": [{"filter": {"field": "status", "equal": STATUS[0]}}],
                "mark": {"type": "text", "align": "left", "dx": 7, "fontSize": 10},
                "encoding": {"text": {"field": "name", "type": "nominal"}},
            },
        ],
    }
    top = int(full["benefit"].to_numpy().argmax())
    summary = (
        f"Each point is an intervention: further right costs more, higher scores more benefit. The {len(funded)} funded ones "
        f"are blue circles with their names; the others grey triangles. The highest benefit is "
        f"{problem.names[str(full['intervention'].iloc[top])]} ({float(full['benefit'].iloc[top]):.0f} at "
        f"{money(float(full['annual_cost_gbp'].iloc[top]))} a year)."
    )
    return f"{title} ({label})", _png(spec), summary


def spend_chart(result: ScenarioResult, label: str) -> tuple[str, bytes, str] | None:
    """Spend of the recommended set by prevention tier, with the amounts on the bars."""
    spend = {t: float(result.optimum.spend_by_tier.get(t, 0.0)) for t in TIERS}
    if sum(spend.values()) <= 0:
        return None
    rows = [{"tier": t, "spend": v, "amount": money(v)} for t, v in spend.items()]
    title = "Spend by prevention tier"
    spec = _frame(title, label, 560, 160) | {
        "data": {"values": rows},
        "encoding": {
            "y": {"field": "tier", "type": "nominal", "title": "prevention tier", "sort": list(TIERS)},
            "x": {"field": "spend", "type": "quantitative", "title": "spend a year (£)", "axis": {"format": "~s"}},
        },
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "color": {
                        "field": "tier",
                        "type": "nominal",
                        "title": "prevention tier",
                        "scale": {"domain": list(TIERS), "range": list(TIER_COLOURS)},
                    }
                },
            },
            {"mark": {"type": "text", "align": "left", "dx": 4}, "encoding": {"text": {"field": "amount", "type": "nominal"}}},
        ],
    }
    summary = "Spend a year by prevention tier: " + "; ".join(f"{t} {money(v)}" for t, v in spend.items()) + "."
    return f"{title} ({label})", _png(spec), summary
