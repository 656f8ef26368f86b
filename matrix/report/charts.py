"""The report's charts: Vega-Lite specifications (plain data, no UI library) rendered to PNG offline by
vl-convert, each with a title naming the scenario, date and catalogue version, a legend, labelled
points and a text summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import vl_convert as vlc

from matrix.decision import DecisionProblem, ScenarioResult
from scoring import money

TIERS = ("primary", "secondary", "tertiary")
# Colour-blind-safe (Okabe-Ito) colours; funded and not funded are also told apart by shape and label.
TIER_COLOURS = ("#0072B2", "#E69F00", "#009E73")
STATUS = ("funded", "not funded")
STATUS_COLOURS = ("#0072B2", "#767676")  # blue and a grey with 4.5:1 on white; shapes differ too
STATUS_SHAPES = ("circle", "triangle")

# The words of the charts, shared with the page's charts (ui/charts.py) so a PNG downloaded from the
# page carries the same title, axes and legend as the board report.
VALUE_TITLE = "Benefit against cost"
VALUE_X = "cost a year (£)"
VALUE_Y = "benefit (0 to 100)"
STATUS_LEGEND = "in the recommended set"
SPEND_TITLE = "Spend by prevention tier"
SPEND_X = "spend a year (£)"
TIER_LEGEND = "prevention tier"
LABEL_CHARS = 28  # a point's label longer than this is shortened with an ellipsis
LABEL_FONT_PX = 10


def chart_label(scenario_name: str, date: str, catalogue_sha256: str) -> str:
    """The subtitle every chart of a decision carries: the scenario, the date and the catalogue's version."""
    return f"{scenario_name}, {date}, catalogue {catalogue_sha256[:12]}"


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for a label beside a point."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class LabelPlace:
    """Where a point's label goes, in data units, and which way its text runs from there."""

    x: float
    y: float
    align: str  # "left": the text starts at x; "right": it ends there


def place_labels(
    points: Sequence[tuple[float, float, str]],
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    width_px: float,
    height_px: float,
    obstacles: Sequence[tuple[float, float]] = (),
) -> list[LabelPlace | None]:
    """Labels beside points that overlap neither each other nor any point (the labelled ones and ``obstacles``):
    each tries right of its point, then left, then just above or below on either side, and is left off (None)
    where every place is taken, so no label can be read as another point's. Boxes are estimated at 0.6 em a
    character; points are taken highest first, so the best-scoring keep their label."""
    if not points:
        return []
    font, gap = LABEL_FONT_PX, 7
    x_span = (x_domain[1] - x_domain[0]) or 1.0
    y_span = (y_domain[1] - y_domain[0]) or 1.0

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (x - x_domain[0]) / x_span * width_px, (1 - (y - y_domain[0]) / y_span) * height_px

    every_point = [(x, y) for x, y, _ in points] + list(obstacles)
    taken = [(px - 5, py - 5, px + 5, py + 5) for px, py in (to_px(x, y) for x, y in every_point)]  # no label hides a point
    places: list[LabelPlace | None] = [None] * len(points)
    for index in sorted(range(len(points)), key=lambda k: -points[k][1]):
        x, y, text = points[index]
        px, py = to_px(x, y)
        text_px = 0.6 * font * len(text)
        for dy, aligns in ((0.0, ("left", "right")), (-font * 0.9, ("left", "right")), (font * 0.9, ("left", "right"))):
            for align in aligns:
                left = px + gap if align == "left" else px - gap - text_px
                top = py + dy - font / 2
                box = (left, top, left + text_px, top + font)
                inside = box[0] >= 0 and box[2] <= width_px and box[1] >= 0 and box[3] <= height_px
                if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                    taken.append(box)
                    anchor_x = left if align == "left" else left + text_px
                    places[index] = LabelPlace(
                        x_domain[0] + anchor_x / width_px * x_span, y_domain[1] - (py + dy) / height_px * y_span, align
                    )
                    break
            if places[index] is not None:
                break
    return places


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


VALUE_DATA = ("options", "labels on the left", "labels on the right")  # the value chart's three layers' data


def value_spec(rows: Sequence[dict[str, Any]], label: str, width: int = 620, height: int = 380) -> dict[str, Any]:
    """Benefit against cost, one point per row (``name``, ``cost``, ``benefit``, ``status``, optionally ``reach``):
    funded blue circles, the others grey triangles, funded points labelled by name where a label fits without
    overlapping another (see ``place_labels``); with ``reach``, point size is reach. The page's chart is this one.
    The three layers' data go by fixed names (``VALUE_DATA``), so that a new set of points leaves the rest of the
    specification as it was and the page's browser updates the drawn chart instead of building it again."""
    cost_top = max([float(r["cost"]) for r in rows] + [1.0]) * 1.05
    benefit_top = max([float(r["benefit"]) for r in rows] + [100.0])
    funded = [r for r in rows if r["status"] == STATUS[0]]
    texts = [short_label(str(r["name"])) for r in funded]
    places = place_labels(
        [(float(r["cost"]), float(r["benefit"]), t) for r, t in zip(funded, texts, strict=True)],
        (0.0, cost_top),
        (0.0, benefit_top),
        width,
        height,
        [(float(r["cost"]), float(r["benefit"])) for r in rows if r["status"] != STATUS[0]],
    )
    labels = [
        {"label": t, "label_x": p.x, "label_y": p.y, "align": p.align}
        for t, p in zip(texts, places, strict=True)
        if p is not None
    ]
    status = {"field": "status", "type": "nominal", "title": STATUS_LEGEND}
    point: dict[str, Any] = {
        "color": status | {"scale": {"domain": list(STATUS), "range": list(STATUS_COLOURS)}},
        "shape": status | {"scale": {"domain": list(STATUS), "range": list(STATUS_SHAPES)}},
    }
    if rows and "reach" in rows[0]:
        point["size"] = {
            "field": "reach",
            "type": "quantitative",
            "title": "reach a year",
            "scale": {"type": "sqrt", "range": [30, 600]},
        }
    x_scale = {"domain": [0, cost_top], "nice": False}
    y_scale = {"domain": [0, benefit_top], "nice": False}

    def text_layer(align: str) -> dict[str, Any]:
        return {
            "data": {"name": VALUE_DATA[1] if align == "left" else VALUE_DATA[2]},
            "mark": {"type": "text", "align": align, "baseline": "middle", "fontSize": LABEL_FONT_PX},
            "encoding": {
                "x": {"field": "label_x", "type": "quantitative", "scale": x_scale},
                "y": {"field": "label_y", "type": "quantitative", "scale": y_scale},
                "text": {"field": "label", "type": "nominal"},
            },
        }

    return _frame(VALUE_TITLE, label, width, height) | {
        "description": f"{VALUE_TITLE}, {label}",
        "layer": [
            {
                "data": {"name": VALUE_DATA[0]},
                "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.85},
                "encoding": {
                    "x": {
                        "field": "cost",
                        "type": "quantitative",
                        "title": VALUE_X,
                        "axis": {"format": "~s"},
                        "scale": x_scale,
                    },
                    "y": {"field": "benefit", "type": "quantitative", "title": VALUE_Y, "scale": y_scale},
                    "tooltip": [
                        {"field": "name", "type": "nominal"},
                        {"field": "cost", "type": "quantitative", "format": ",.0f", "title": VALUE_X},
                        {"field": "benefit", "type": "quantitative", "format": ".1f"},
                        {"field": "status", "type": "nominal", "title": STATUS_LEGEND},
                    ],
                }
                | point,
            },
            text_layer("left"),
            text_layer("right"),
        ],
        "datasets": {
            VALUE_DATA[0]: list(rows),
            VALUE_DATA[1]: [r for r in labels if r["align"] == "left"],
            VALUE_DATA[2]: [r for r in labels if r["align"] == "right"],
        },
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
    spec = value_spec(rows, label)
    top = int(full["benefit"].to_numpy().argmax())
    summary = (
        f"Each point is an intervention: further right costs more, higher scores more benefit. The {len(funded)} funded ones "
        f"are blue circles, named where the name fits; the others grey triangles. The highest benefit is "
        f"{problem.names[str(full['intervention'].iloc[top])]} ({float(full['benefit'].iloc[top]):.0f} at "
        f"{money(float(full['annual_cost_gbp'].iloc[top]))} a year)."
    )
    return f"{VALUE_TITLE} ({label})", _png(spec), summary


def spend_chart(result: ScenarioResult, label: str) -> tuple[str, bytes, str] | None:
    """Spend of the recommended set by prevention tier, with the amounts on the bars."""
    spend = {t: float(result.optimum.spend_by_tier.get(t, 0.0)) for t in TIERS}
    if sum(spend.values()) <= 0:
        return None
    rows = [{"tier": t, "spend": v, "amount": money(v)} for t, v in spend.items()]
    title = SPEND_TITLE
    spec = _frame(title, label, 560, 160) | {
        "data": {"values": rows},
        "encoding": {
            "y": {"field": "tier", "type": "nominal", "title": "prevention tier", "sort": list(TIERS)},
            "x": {"field": "spend", "type": "quantitative", "title": SPEND_X, "axis": {"format": "~s"}},
        },
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "color": {
                        "field": "tier",
                        "type": "nominal",
                        "title": TIER_LEGEND,
                        "scale": {"domain": list(TIERS), "range": list(TIER_COLOURS)},
                    }
                },
            },
            {"mark": {"type": "text", "align": "left", "dx": 4}, "encoding": {"text": {"field": "amount", "type": "nominal"}}},
        ],
    }
    summary = "Spend a year by prevention tier: " + "; ".join(f"{t} {money(v)}" for t, v in spend.items()) + "."
    return f"{title} ({label})", _png(spec), summary
