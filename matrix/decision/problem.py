"""From a validated catalogue to the decision problem: a 0-100 value per criterion.

The value functions are the catalogue's (``[scoring.*]``); this module applies them to each
intervention's raw attributes, keeping the raw input, the value and the provenance of
every cell so that any score can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from matrix.catalogue import (
    FULL_LEVEL,
    ILLUSTRATIVE,
    PROVENANCE_KEYWORDS,
    TIERS,
    UNCONFIRMED,
    Catalogue,
    Intervention,
    MaybeSourced,
    Scoring,
    Sourced,
    Tier,
    Uncertainty,
    YefStrand,
)
from scoring import CRITERIA, Normalisation, PiecewiseLinear, ScoreResult, minmax_rescale

# The provenance of an impact with no YEF strand to rate it: the "unknown" value, an assumption.
NO_RATING = "no rating"


def rests_on_estimate(provenance: str) -> bool:
    """Whether a value's provenance ('; '-joined sources) includes an illustrative, unconfirmed or
    missing figure."""
    return any(part.strip() in (*PROVENANCE_KEYWORDS, NO_RATING) for part in provenance.split(";"))


def _words(text: str) -> str:
    return text.replace("_", " ")


def _money(gbp: float) -> str:
    return f"£{gbp:,.0f}"


@dataclass(frozen=True)
class CriterionCell:
    value: float
    raw: str
    provenance: str


@dataclass(frozen=True)
class DecisionProblem:
    """Immutable decision problem: values, raw inputs, provenance and descriptive columns.

    Every table is indexed by intervention id in catalogue order. ``values`` holds the
    0-100 value of each criterion (100 = best); ``inputs`` the raw attribute behind each
    value in words; ``provenance`` where that attribute came from. ``options`` has one row
    per way of funding an intervention (``id/full`` and any alternative levels), with its
    cost, reach, criterion values and its spend split across prevention tiers (equally
    between the tiers an intervention lists). ``spread`` holds the standard deviation of each
    value for the Monte Carlo analysis (from ``[uncertainty]``); options carry ``sd_<criterion>``.
    ``estimated`` (and the options' ``estimated_<criterion>``) says which values rest on an
    illustrative, unconfirmed or missing figure.
    """

    catalogue: Catalogue
    sha256: str
    values: pd.DataFrame
    inputs: pd.DataFrame
    provenance: pd.DataFrame
    info: pd.DataFrame
    options: pd.DataFrame
    spread: pd.DataFrame
    text: str = ""

    @property
    def budget_gbp(self) -> float:
        return self.catalogue.budget.annual_budget_gbp.value

    @property
    def budget_year(self) -> str | None:
        """The financial year the catalogue's budget is for ("2020/21"), when it says."""
        return self.catalogue.budget.year

    @cached_property
    def estimated(self) -> pd.DataFrame:
        """Interventions x criteria: True where the value rests on an illustrative, unconfirmed or missing figure."""
        return self.provenance[list(CRITERIA)].map(lambda source: rests_on_estimate(str(source))).astype(bool)

    @cached_property
    def names(self) -> dict[str, str]:
        """Intervention id -> name, in catalogue order."""
        return {str(i): str(n) for i, n in self.info["name"].items()}

    def criterion_values(self, normalisation: Normalisation = "value_functions") -> pd.DataFrame:
        """Each intervention's 0-100 values under a normalisation: the value functions' values as they
        are, or min-max rescaled across the catalogue's interventions."""
        return self.values if normalisation == "value_functions" else minmax_rescale(self.values)

    def normalised_value(self, criterion: str, value: float, normalisation: Normalisation = "value_functions") -> float:
        """One value-function value (0-100) on the scale of a normalisation (min-max: the
        interventions' lowest 0, highest 100; kept within 0-100)."""
        if normalisation == "value_functions":
            return float(value)
        frame = pd.DataFrame({criterion: [float(value)]})
        return float(minmax_rescale(frame, reference=self.values[[criterion]]).to_numpy()[0, 0])

    def value_function_value(self, criterion: str, normalised: float, normalisation: Normalisation = "value_functions") -> float:
        """The inverse of ``normalised_value``: the value-function value that a normalised value stands for."""
        if normalisation == "value_functions":
            return float(normalised)
        column = self.values[criterion]
        low, high = float(column.min()), float(column.max())
        return high if high <= low else low + normalised / 100 * (high - low)

    def option_values(self, normalisation: Normalisation = "value_functions") -> pd.DataFrame:
        """Each funding option's 0-100 values under a normalisation. Min-max uses the interventions'
        lowest and highest (as the ranking does), so a full level's values equal its intervention's;
        a level outside that range is kept within 0-100."""
        values = self.options[list(CRITERIA)]
        return values if normalisation == "value_functions" else minmax_rescale(values, reference=self.values)


def value_functions(scoring: Scoring) -> dict[str, PiecewiseLinear]:
    """The catalogue's numeric value functions, ready to evaluate."""
    return {
        "impact": PiecewiseLinear.from_points(scoring.impact.percent_points),
        "reach": PiecewiseLinear.from_points(scoring.reach.points, log_scale=True),
        "cost": PiecewiseLinear.from_points(scoring.cost.points, log_scale=True),
    }


def source_label(catalogue: Catalogue, source: str) -> str:
    """A source id in words: its title and date, or the provenance keyword itself."""
    if source in PROVENANCE_KEYWORDS:
        return source
    found = catalogue.source(source)
    return f"{found.title} ({found.publisher}, {found.date})" if found else source


def _impact(item: Intervention, strand: YefStrand | None, scoring: Scoring, curve: PiecewiseLinear) -> CriterionCell:
    cell = _strand_impact(strand, scoring, curve)
    if item.yef_fit != "partial" or (strand is not None and strand.impact_band.value == "harmful"):
        return cell
    unknown = scoring.impact.band_points["unknown"]
    share = scoring.impact.partial_fit_share
    value = unknown + share * (cell.value - unknown)
    return CriterionCell(value, f"{cell.raw}; partial match, keeps {share:.0%} of the difference from unknown", cell.provenance)


def _strand_impact(strand: YefStrand | None, scoring: Scoring, curve: PiecewiseLinear) -> CriterionCell:
    points = scoring.impact.band_points
    if strand is None:
        return CriterionCell(points["unknown"], "no YEF Toolkit strand matches; impact unknown", NO_RATING)
    band = strand.impact_band.value
    pct = strand.impact_pct.value
    band_words = _words(band) if band else "band unconfirmed"
    if band == "harmful":
        # Harmful scores the harmful band's value whatever its % and however closely it matches.
        shown = f": {_change(pct)}" if pct is not None else ""
        return CriterionCell(points["harmful"], f"YEF {strand.name}: rated harmful{shown}", strand.impact_band.source)
    if pct is not None:
        return CriterionCell(float(curve(pct)), f"YEF {strand.name}: {_change(pct)} ({band_words})", strand.impact_pct.source)
    if band is not None:
        return CriterionCell(points[band], f"YEF {strand.name}: {band_words} band, % not known", strand.impact_band.source)
    return CriterionCell(points["unknown"], f"YEF {strand.name}: rating not known", UNCONFIRMED)


def _reach(reach: MaybeSourced[int], tiers: tuple[Tier, ...], scoring: Scoring, curve: PiecewiseLinear) -> CriterionCell:
    if reach.value is not None:
        return CriterionCell(float(curve(reach.value)), f"{reach.value:,} people a year", reach.source)
    best = next(t for t in TIERS if t in tiers)  # the widest: primary, then secondary, then tertiary
    return CriterionCell(
        scoring.reach.tier_points[best],
        f"reach not known; scored by its widest tier ({best})",
        f"{UNCONFIRMED}; tier rule",
    )


def _cost(cost: Sourced[float], curve: PiecewiseLinear) -> CriterionCell:
    return CriterionCell(float(curve(cost.value)), f"{_money(cost.value)} a year", cost.source)


def _figure_sd(source: str, uncertainty: Uncertainty) -> float:
    """Spread of a reach or cost value by where its figure came from."""
    if source == ILLUSTRATIVE:
        return uncertainty.illustrative_sd
    if source.startswith(UNCONFIRMED):
        return uncertainty.unconfirmed_sd
    return uncertainty.sourced_sd


def _impact_sd(item: Intervention, strand: YefStrand | None, impact_unconfirmed: bool, uncertainty: Uncertainty) -> float:
    """Impact spread: wider as the YEF evidence weakens, wider still when unconfirmed or a partial match."""
    if strand is not None and strand.evidence_rating.value is not None:
        base = uncertainty.impact_sd_by_rating[strand.evidence_rating.value - 1]
    elif strand is not None and strand.evidence_words.value is not None:
        base = uncertainty.impact_sd_by_words[strand.evidence_words.value]
    else:
        base = uncertainty.impact_sd_by_words["unknown"]
    extra = uncertainty.unconfirmed_impact_extra_sd if impact_unconfirmed else 0.0
    partial = uncertainty.partial_fit_extra_sd if item.yef_fit == "partial" else 0.0
    return float(np.sqrt(base**2 + extra**2 + partial**2))


def _options(
    item: Intervention,
    cells: dict[str, CriterionCell],
    scoring: Scoring,
    curves: dict[str, PiecewiseLinear],
    spread: dict[str, float],
    uncertainty: Uncertainty,
) -> list[dict[str, Any]]:
    """One row per way of funding the intervention: its full level first, then its alternatives."""
    tiers = item.prevention_tiers.value
    shares = {f"share_{t}": (1.0 / len(tiers) if t in tiers else 0.0) for t in TIERS}
    rows = []
    levels = [(FULL_LEVEL, "Full", item.annual_cost_gbp, item.reach_per_year)]
    levels += [(lv.id, lv.label, lv.annual_cost_gbp, lv.reach_per_year) for lv in item.levels]
    for level_id, label, cost, reach in levels:
        reach_cell = _reach(reach, tiers, scoring, curves["reach"])
        row: dict[str, Any] = {
            "option": f"{item.id}/{level_id}",
            "intervention": item.id,
            "level": level_id,
            "level_label": label,
            "annual_cost_gbp": cost.value,
            "reach_per_year": reach.value,
            "impact": cells["impact"].value,
            "reach": reach_cell.value,
            "cost": _cost(cost, curves["cost"]).value,
            "risk": cells["risk"].value,
            "funded_today": bool(item.funded_today.value and level_id == FULL_LEVEL),
            "sd_impact": spread["impact"],
            "sd_reach": uncertainty.unconfirmed_sd if reach.value is None else _figure_sd(reach.source, uncertainty),
            "sd_cost": _figure_sd(cost.source, uncertainty),
            "sd_risk": spread["risk"],
            "estimated_impact": rests_on_estimate(cells["impact"].provenance),
            "estimated_reach": rests_on_estimate(reach_cell.provenance),
            "estimated_cost": rests_on_estimate(cost.source),
            "estimated_risk": rests_on_estimate(cells["risk"].provenance),
        }
        rows.append(row | shares)
    return rows


def _risk(item: Intervention, strand: YefStrand | None, impact_unconfirmed: bool, scoring: Scoring) -> CriterionCell:
    rules = scoring.risk
    penalties: list[tuple[str, float]] = []
    sources: list[str] = []
    if strand is not None and strand.evidence_rating.value is not None:
        rating = strand.evidence_rating.value
        penalties.append((f"YEF evidence {rating}/5", rules.evidence_rating_penalty[rating - 1]))
        sources.append(strand.evidence_rating.source)
    elif strand is not None and strand.evidence_words.value is not None:
        words = strand.evidence_words.value
        penalties.append((f"YEF confidence {_words(words)}", rules.evidence_words_penalty[words]))
        sources.append(strand.evidence_words.source)
    else:
        penalties.append(("evidence rating unknown", rules.evidence_words_penalty["unknown"]))
        sources.append(UNCONFIRMED)
    if strand is not None and strand.impact_band.value == "harmful":
        penalties.append(("YEF rates it harmful", rules.harmful_penalty))
    penalties.append((f"delivery risk {item.delivery_risk.value}", rules.delivery_risk_penalty[item.delivery_risk.value]))
    sources.append(item.delivery_risk.source)
    if impact_unconfirmed:
        penalties.append(("impact rating unconfirmed", rules.unconfirmed_impact_penalty))
    if item.yef_fit == "partial":
        penalties.append(("only partly matches its YEF strand", rules.partial_fit_penalty))
    total = sum(p for _, p in penalties)
    raw = "; ".join(f"{label} -{points:g}" for label, points in penalties)
    return CriterionCell(max(0.0, 100.0 - total), raw, "; ".join(dict.fromkeys(sources)))


def _flags(item: Intervention, strand: YefStrand | None) -> list[str]:
    """'field:keyword' for every value of this intervention that is illustrative or unconfirmed."""
    fields: dict[str, Any] = {name: getattr(item, name) for name in type(item).model_fields}
    if strand is not None:
        fields |= {f"yef_{name}": getattr(strand, name) for name in ("impact_band", "impact_pct", "evidence_rating")}
    else:
        fields["yef_impact_band"] = None
    flags = []
    for name, field in fields.items():
        if isinstance(field, Sourced | MaybeSourced) and field.source in PROVENANCE_KEYWORDS:
            flags.append(f"{name}:{field.source}")
        elif field is None and name == "yef_impact_band":
            flags.append(f"{name}:{UNCONFIRMED}")
    return flags


def _yef_impact(strand: YefStrand | None) -> str:
    if strand is None:
        return "no strand"
    band = _words(strand.impact_band.value) if strand.impact_band.value else "unconfirmed"
    if strand.impact_band.source == UNCONFIRMED and strand.impact_band.value:
        band += " (unconfirmed)"
    pct = strand.impact_pct.value
    return f"{band}, {pct:g}%" if pct is not None else band


def _yef_evidence(strand: YefStrand | None) -> str:
    if strand is None:
        return "no strand"
    if strand.evidence_rating.value is not None:
        return f"{strand.evidence_rating.value}/5"
    if strand.evidence_words.value is not None:
        return f"{_words(strand.evidence_words.value)} (in words; score unconfirmed)"
    return "unconfirmed"


def build_problem(catalogue: Catalogue, sha256: str, text: str = "") -> DecisionProblem:
    """Apply the catalogue's value functions to every intervention (``text``: the file, for records)."""
    scoring = catalogue.scoring
    curves = value_functions(scoring)
    values: dict[str, dict[str, float]] = {}
    inputs: dict[str, dict[str, str]] = {}
    provenance: dict[str, dict[str, str]] = {}
    info: dict[str, dict[str, Any]] = {}
    spread: dict[str, dict[str, float]] = {}
    options: list[dict[str, Any]] = []
    for item in catalogue.interventions:
        strand = catalogue.strand(item.yef_strand)
        impact = _impact(item, strand, scoring, curves["impact"])
        impact_unconfirmed = strand is None or strand.impact_band.value is None or strand.impact_band.source == UNCONFIRMED
        cells = {
            "impact": impact,
            "reach": _reach(item.reach_per_year, item.prevention_tiers.value, scoring, curves["reach"]),
            "cost": _cost(item.annual_cost_gbp, curves["cost"]),
            "risk": _risk(item, strand, impact_unconfirmed, scoring),
        }
        if item.audience is not None:
            # An audience (views, social-media reach) is another kind of figure than people engaged: said, not scored.
            reach = cells["reach"]
            audience = f"audience of {item.audience.value:,} ({item.audience.measure}) is not people engaged and is not scored"
            cells["reach"] = CriterionCell(reach.value, f"{reach.raw}; {audience}", reach.provenance)
        uncertainty = catalogue.uncertainty
        spread[item.id] = {
            "impact": _impact_sd(item, strand, impact_unconfirmed, uncertainty),
            "reach": _figure_sd(cells["reach"].provenance, uncertainty),
            "cost": _figure_sd(cells["cost"].provenance, uncertainty),
            "risk": uncertainty.risk_sd,
        }
        options += _options(item, cells, scoring, curves, spread[item.id], uncertainty)
        values[item.id] = {c: cells[c].value for c in CRITERIA}
        inputs[item.id] = {c: cells[c].raw for c in CRITERIA}
        provenance[item.id] = {c: cells[c].provenance for c in CRITERIA}
        flags = _flags(item, strand)
        info[item.id] = {
            "name": item.name,
            "status": item.status.value,
            "prevention_tiers": "; ".join(item.prevention_tiers.value),
            "delivery_model": "; ".join(item.delivery_model.value),
            "target_group": item.target_group.value,
            "area": item.area,
            "annual_cost_gbp": item.annual_cost_gbp.value,
            "reach_per_year": item.reach_per_year.value,
            "audience": f"{item.audience.value:,} ({item.audience.measure})" if item.audience else "",
            "funded_today": item.funded_today.value,
            "yef_strand": strand.name if strand else "",
            "yef_band": (strand.impact_band.value if strand else None) or "unknown",
            "yef_impact": _yef_impact(strand),
            "yef_evidence": _yef_evidence(strand),
            "harmful": bool(strand is not None and strand.impact_band.value == "harmful"),
            "illustrative_count": sum(f.endswith(ILLUSTRATIVE) for f in flags),
            "unconfirmed_count": sum(f.endswith(UNCONFIRMED) for f in flags),
            "provenance_flags": ";".join(flags),
        }
    index = pd.Index([i.id for i in catalogue.interventions], name="id")
    return DecisionProblem(
        catalogue=catalogue,
        sha256=sha256,
        values=pd.DataFrame.from_dict(values, orient="index").reindex(index)[list(CRITERIA)].astype(float),
        inputs=pd.DataFrame.from_dict(inputs, orient="index").reindex(index),
        provenance=pd.DataFrame.from_dict(provenance, orient="index").reindex(index),
        info=pd.DataFrame.from_dict(info, orient="index").reindex(index),
        options=pd.DataFrame(options).set_index("option"),
        spread=pd.DataFrame.from_dict(spread, orient="index").reindex(index)[list(CRITERIA)].astype(float),
        text=text,
    )


def explain(problem: DecisionProblem, result: ScoreResult, intervention_id: str) -> pd.DataFrame:
    """How one intervention's score was reached: a row per criterion, in plain words."""
    scoring = problem.catalogue.scoring
    position = result.values.index.get_loc(intervention_id)
    values = dict(zip(result.values.columns, result.values.to_numpy()[position], strict=True))
    contributions = dict(zip(result.contributions.columns, result.contributions.to_numpy()[position], strict=True))
    rows = []
    for criterion in CRITERIA:
        value = float(values[criterion])
        weight = float(result.weights[criterion])
        contribution = float(contributions[criterion])
        raw = str(problem.inputs.loc[intervention_id, criterion])
        provenance = str(problem.provenance.loc[intervention_id, criterion])
        label = getattr(scoring, criterion).label
        rows.append(
            {
                "criterion": label,
                "raw input": raw,
                "value (0-100)": round(value, 1),
                "weight %": round(weight * 100, 1),
                "contribution": round(contribution, 2),
                "provenance": "; ".join(source_label(problem.catalogue, s.strip()) for s in provenance.split(";")),
                "in words": f"{label}: {raw} scores {value:.0f} of 100; "
                f"at a weight of {weight * 100:.0f}% it adds {contribution:.1f} points.",
            }
        )
    return pd.DataFrame(rows)


def _change(pct: float) -> str:
    if pct == 0:
        return "no change in violence"
    return f"{abs(pct):g}% {'less' if pct > 0 else 'more'} violence"


def _anchor_text(points: tuple[tuple[float, float], ...], unit: str) -> str:
    return "; ".join(f"{value:g} = {unit.format(x=x)}" for x, value in points)


def describe_value_functions(scoring: Scoring) -> dict[str, str]:
    """Each criterion's value function in plain words, generated from the catalogue's anchors."""
    curves = value_functions(scoring)
    impact = scoring.impact
    bands = ", ".join(f"{_words(b)} {v:g}" for b, v in impact.band_points.items())
    reach_step = curves["reach"].step_per_tenfold()
    cost_step = curves["cost"].step_per_tenfold()
    reach_tiers = ", ".join(f"{t} {v:g}" for t, v in scoring.reach.tier_points.items())
    risk = scoring.risk
    evidence = ", ".join(f"{n}/5 -{p:g}" for n, p in enumerate(risk.evidence_rating_penalty, start=1))
    words = ", ".join(f"{_words(w)} -{p:g}" for w, p in risk.evidence_words_penalty.items())
    delivery = ", ".join(f"{r} -{p:g}" for r, p in risk.delivery_risk_penalty.items())
    reach_text = _anchor_text(scoring.reach.points, "{x:,.0f} people a year")
    cost_text = _anchor_text(scoring.cost.points, "£{x:,.0f} a year")
    return {
        "impact": "By the YEF estimate of the change in violence, straight lines between: "
        + "; ".join(f"{v:g} = {_change(x)}" for x, v in impact.percent_points)
        + f". Where only the YEF band is known: {bands}. An intervention that only partly matches its strand "
        f"keeps {impact.partial_fit_share:.0%} of the difference between its strand's value and the unknown value.",
        "reach": f"On a log scale: {reach_text}"
        + (f" (each tenfold rise adds {reach_step:g} points)" if reach_step is not None else "")
        + f". Where reach is not known, by its widest prevention tier: {reach_tiers}.",
        "cost": f"On a log scale, cheaper is better: {cost_text}"
        + (f" (each tenfold rise in cost loses {abs(cost_step):g} points)" if cost_step is not None else "")
        + ".",
        "risk": "100 minus penalties, never below 0. Evidence: by the YEF evidence rating "
        f"({evidence}), or where only YEF's words are known ({words}). Rated harmful: -{risk.harmful_penalty:g}. "
        f"Delivery risk: {delivery}. Impact rating unconfirmed or no YEF strand: -{risk.unconfirmed_impact_penalty:g}. "
        f"Only partly matches its YEF strand: -{risk.partial_fit_penalty:g}.",
    }
