"""From a validated catalogue to the decision problem: a 0-100 value per criterion.

The value functions are the catalogue's criteria (``[[criteria]]``, or version 1's ``[scoring.*]``); this
module applies them to each intervention's raw attributes, keeping the raw input, the value and the provenance of
every cell so that any score can be explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matrix.catalogue import (
    FIGURE_PREFIX,
    FULL_LEVEL,
    ILLUSTRATIVE,
    NUMERIC_ATTRIBUTES,
    PROVENANCE_KEYWORDS,
    TIERS,
    UNCONFIRMED,
    Catalogue,
    CostCriterion,
    Criterion,
    ImpactCriterion,
    Intervention,
    MaybeSourced,
    PiecewiseCriterion,
    RatingCriterion,
    ReachCriterion,
    RiskCriterion,
    Sourced,
    Tier,
    Uncertainty,
    Weights,
    YefStrand,
)
from scoring import Normalisation, PiecewiseLinear, ScoreResult, WeightsError, minmax_rescale

# The provenance of an impact with no YEF strand to rate it: the "unknown" value, an assumption.
NO_RATING = "no rating"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """A small count in words ("four criteria"), larger ones in figures."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


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

    @property
    def criteria(self) -> tuple[str, ...]:
        """The catalogue's criterion ids, in order: the columns of ``values``."""
        return self.catalogue.criterion_ids

    @cached_property
    def labels(self) -> dict[str, str]:
        """Criterion id -> its label, in order."""
        return {c.id: c.label for c in self.catalogue.defined_criteria}

    def criterion_words(self, criterion: str) -> str:
        """A criterion's label as a phrase inside a sentence ("impact"; "YEF rating" keeps its capitals)."""
        label = self.labels[criterion]
        return label if label[:2].isupper() else label[:1].lower() + label[1:]

    def listed(self, criteria: Sequence[str] | None = None) -> str:
        """Criteria in words, as a list in a sentence ("impact, reach, cost and risk")."""
        words = [self.criterion_words(c) for c in (self.criteria if criteria is None else criteria)]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""

    def benefit_words(self, include_cost: bool) -> str:
        """Which criteria the funding benefit adds up, in words."""
        cost = None if self.cost_position is None else self.criteria[self.cost_position]
        if include_cost or cost is None:
            return f"all {number_word(len(self.criteria))} criteria"
        others = [c for c in self.criteria if c != cost]
        return f"{self.listed(others)} ({self.criterion_words(cost)} left out: the budget already counts it)"

    @cached_property
    def best_words(self) -> str:
        """What 100 means on each criterion, in words ("high impact, wide reach, low cost, low risk")."""
        shipped = {"yef_impact": "high {}", "reach": "wide {}", "cost": "low {}", "risk": "low {}"}
        words = []
        for criterion in self.catalogue.defined_criteria:
            pattern = shipped.get(criterion.kind, "more {}" if criterion.direction == "more_is_better" else "less {}")
            words.append(pattern.format(self.criterion_words(criterion.id)))
        return ", ".join(words)

    @cached_property
    def cost_position(self) -> int | None:
        """Where the criterion of kind "cost" is among the criteria (the benefit leaves it out unless told)."""
        cost = cost_criterion(self.catalogue)
        return None if cost is None else self.criteria.index(cost.id)

    def weight_vector(self, weights: Weights) -> npt.NDArray[np.float64]:
        """The weights in criteria order (0 for a criterion not given); WeightsError, in words, for a weight
        on a criterion this catalogue does not have (weights saved for another catalogue's criteria)."""
        given = weights.as_dict()
        unknown = [c for c in given if c not in self.labels]
        if unknown:
            raise WeightsError(
                f"the weights name {', '.join(unknown)}, which this catalogue does not have as a criterion; "
                f"its criteria are {', '.join(self.criteria)}"
            )
        return np.array([float(given.get(c, 0.0)) for c in self.criteria], dtype=np.float64)

    @cached_property
    def estimated(self) -> pd.DataFrame:
        """Interventions x criteria: True where the value rests on an illustrative, unconfirmed or missing figure."""
        return self.provenance[list(self.criteria)].map(lambda source: rests_on_estimate(str(source))).astype(bool)

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
        values = self.options[list(self.criteria)]
        return values if normalisation == "value_functions" else minmax_rescale(values, reference=self.values)


def value_function(criterion: Criterion) -> PiecewiseLinear | None:
    """A criterion's numeric value function, ready to evaluate (None for risk and ratings, which have none)."""
    if isinstance(criterion, ImpactCriterion):
        return PiecewiseLinear.from_points(criterion.percent_points)
    if isinstance(criterion, ReachCriterion | CostCriterion):
        return PiecewiseLinear.from_points(criterion.points, log_scale=True)
    if isinstance(criterion, PiecewiseCriterion):
        return PiecewiseLinear.from_points(criterion.points, log_scale=criterion.log_scale)
    return None


def value_functions(catalogue: Catalogue) -> dict[str, PiecewiseLinear]:
    """The catalogue's numeric value functions by criterion id, ready to evaluate."""
    curves = {c.id: value_function(c) for c in catalogue.defined_criteria}
    return {k: v for k, v in curves.items() if v is not None}


def cost_criterion(catalogue: Catalogue) -> CostCriterion | None:
    """The criterion of kind "cost" (the one the funding benefit leaves out unless told), if there is one."""
    return next((c for c in catalogue.defined_criteria if isinstance(c, CostCriterion)), None)


def impact_criterion(catalogue: Catalogue) -> ImpactCriterion | None:
    """The criterion of kind "yef_impact", if there is one."""
    return next((c for c in catalogue.defined_criteria if isinstance(c, ImpactCriterion)), None)


def source_label(catalogue: Catalogue, source: str) -> str:
    """A source id in words: its title and date, or the provenance keyword itself."""
    if source in PROVENANCE_KEYWORDS:
        return source
    found = catalogue.source(source)
    return f"{found.title} ({found.publisher}, {found.date})" if found else source


def _impact(item: Intervention, strand: YefStrand | None, scoring: ImpactCriterion, curve: PiecewiseLinear) -> CriterionCell:
    cell = _strand_impact(strand, scoring, curve)
    if item.yef_fit != "partial" or (strand is not None and strand.impact_band.value == "harmful"):
        return cell
    unknown = scoring.band_points["unknown"]
    share = scoring.partial_fit_share
    value = unknown + share * (cell.value - unknown)
    return CriterionCell(value, f"{cell.raw}; partial match, keeps {share:.0%} of the difference from unknown", cell.provenance)


def _strand_impact(strand: YefStrand | None, scoring: ImpactCriterion, curve: PiecewiseLinear) -> CriterionCell:
    points = scoring.band_points
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


def _reach(reach: MaybeSourced[int], tiers: tuple[Tier, ...], scoring: ReachCriterion, curve: PiecewiseLinear) -> CriterionCell:
    if reach.value is not None:
        return CriterionCell(float(curve(reach.value)), f"{reach.value:,} people a year", reach.source)
    best = next(t for t in TIERS if t in tiers)  # the widest: primary, then secondary, then tertiary
    return CriterionCell(
        scoring.tier_points[best],
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


# Criteria whose value depends on the funding level (a level has its own cost and reach).
_LEVEL_ATTRIBUTES = ("annual_cost_gbp", "reach_per_year", "cost_per_person")


def _by_level(criterion: Criterion) -> bool:
    if isinstance(criterion, ReachCriterion | CostCriterion):
        return True
    return isinstance(criterion, PiecewiseCriterion) and criterion.attribute in _LEVEL_ATTRIBUTES


@dataclass(frozen=True)
class _Subject:
    """What a criterion scores: an intervention at one funding level (its cost and reach), and its strand."""

    item: Intervention
    strand: YefStrand | None
    cost: Sourced[float]
    reach: MaybeSourced[int]
    impact_unconfirmed: bool


def _attribute(subject: _Subject, attribute: str) -> tuple[float | None, str]:
    """A numeric attribute's figure and its provenance (None when it is not known)."""
    strand = subject.strand
    if attribute == "annual_cost_gbp":
        return subject.cost.value, subject.cost.source
    if attribute == "reach_per_year":
        return (float(subject.reach.value) if subject.reach.value is not None else None), subject.reach.source
    if attribute == "cost_per_person":
        if subject.reach.value is None:
            return None, UNCONFIRMED
        sources = "; ".join(dict.fromkeys((subject.cost.source, subject.reach.source)))
        return subject.cost.value / subject.reach.value, sources
    if attribute.startswith(FIGURE_PREFIX):
        figure = subject.item.figures.get(attribute.removeprefix(FIGURE_PREFIX))
        return (figure.value, figure.source) if figure is not None else (None, UNCONFIRMED)
    field = {"yef_impact_pct": "impact_pct", "yef_evidence_rating": "evidence_rating", "yef_cost_rating": "cost_rating"}[
        attribute
    ]
    if strand is None:
        return None, NO_RATING
    rated = getattr(strand, field)
    return (float(rated.value) if rated.value is not None else None), rated.source


def _missing(criterion: PiecewiseCriterion | RatingCriterion, what: str) -> CriterionCell:
    if criterion.missing_value is None:  # the loader requires the figure when there is no missing value
        raise ValueError(f"criterion '{criterion.id}': {what}")
    return CriterionCell(
        criterion.missing_value,
        f"{what}; scored {criterion.missing_value:g} by the catalogue's rule",
        f"{UNCONFIRMED}; missing rule",
    )


def _piecewise(criterion: PiecewiseCriterion, subject: _Subject, curve: PiecewiseLinear) -> CriterionCell:
    figure, source = _attribute(subject, criterion.attribute)
    name = criterion.attribute.removeprefix(FIGURE_PREFIX).replace("_", " ")
    if figure is None:
        return _missing(criterion, f"{name} not known")
    unit = criterion.unit or NUMERIC_ATTRIBUTES.get(criterion.attribute, name + " {x:,.6g}")
    return CriterionCell(float(curve(figure)), unit.format(x=figure), source)


def _rating(criterion: RatingCriterion, item: Intervention) -> CriterionCell:
    rating = item.ratings.get(criterion.id)
    if rating is None:
        return _missing(criterion, "not rated")
    value = rating.value if criterion.direction == "more_is_better" else 100.0 - rating.value
    shown = f"rated {rating.value:g} of 100" + ("" if criterion.direction == "more_is_better" else " (lower is better)")
    return CriterionCell(value, shown, rating.source)


def _cell(criterion: Criterion, subject: _Subject, curves: dict[str, PiecewiseLinear]) -> CriterionCell:
    """One criterion's value for an intervention at one funding level, with its raw input and provenance."""
    item, strand = subject.item, subject.strand
    if isinstance(criterion, ImpactCriterion):
        return _impact(item, strand, criterion, curves[criterion.id])
    if isinstance(criterion, ReachCriterion):
        cell = _reach(subject.reach, item.prevention_tiers.value, criterion, curves[criterion.id])
        if item.audience is not None:
            # An audience (views, social-media reach) is another kind of figure than people engaged: said, not scored.
            audience = f"audience of {item.audience.value:,} ({item.audience.measure}) is not people engaged and is not scored"
            cell = CriterionCell(cell.value, f"{cell.raw}; {audience}", cell.provenance)
        return cell
    if isinstance(criterion, CostCriterion):
        return _cost(subject.cost, curves[criterion.id])
    if isinstance(criterion, RiskCriterion):
        return _risk(item, strand, subject.impact_unconfirmed, criterion)
    if isinstance(criterion, PiecewiseCriterion):
        return _piecewise(criterion, subject, curves[criterion.id])
    return _rating(criterion, item)


def _cell_sd(criterion: Criterion, cell: CriterionCell, subject: _Subject, uncertainty: Uncertainty) -> float:
    """A value's spread for the Monte Carlo: impact by its evidence, risk by the catalogue's risk spread, any
    other by where its figure came from."""
    if isinstance(criterion, ImpactCriterion):
        return _impact_sd(subject.item, subject.strand, subject.impact_unconfirmed, uncertainty)
    if isinstance(criterion, RiskCriterion):
        return uncertainty.risk_sd
    return _figure_sd(cell.provenance, uncertainty)


def _options(
    subject: _Subject,
    catalogue: Catalogue,
    cells: dict[str, CriterionCell],
    curves: dict[str, PiecewiseLinear],
    spread: dict[str, float],
) -> list[dict[str, Any]]:
    """One row per way of funding the intervention: its full level first, then its alternatives."""
    item = subject.item
    tiers = item.prevention_tiers.value
    shares = {f"share_{t}": (1.0 / len(tiers) if t in tiers else 0.0) for t in TIERS}
    rows = []
    levels = [(FULL_LEVEL, "Full", item.annual_cost_gbp, item.reach_per_year)]
    levels += [(lv.id, lv.label, lv.annual_cost_gbp, lv.reach_per_year) for lv in item.levels]
    for level_id, label, cost, reach in levels:
        at_level = _Subject(item, subject.strand, cost, reach, subject.impact_unconfirmed)
        values: dict[str, float] = {}
        sds: dict[str, float] = {}
        estimated: dict[str, bool] = {}
        for criterion in catalogue.defined_criteria:
            c = criterion.id
            if level_id != FULL_LEVEL and _by_level(criterion):
                cell = _cell(criterion, at_level, curves)
                sd = _cell_sd(criterion, cell, at_level, catalogue.uncertainty)
            else:
                cell, sd = cells[c], spread[c]
            values[c], sds[f"sd_{c}"], estimated[f"estimated_{c}"] = cell.value, sd, rests_on_estimate(cell.provenance)
        row: dict[str, Any] = {
            "option": f"{item.id}/{level_id}",
            "intervention": item.id,
            "level": level_id,
            "level_label": label,
            "annual_cost_gbp": cost.value,
            "reach_per_year": reach.value,
            **values,
            "funded_today": bool(item.funded_today.value and level_id == FULL_LEVEL),
            **sds,
            **estimated,
        }
        rows.append(row | shares)
    return rows


def _risk(item: Intervention, strand: YefStrand | None, impact_unconfirmed: bool, rules: RiskCriterion) -> CriterionCell:
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
    fields |= {f"ratings.{key}": rating for key, rating in item.ratings.items()}
    fields |= {f"figures.{key}": figure for key, figure in item.figures.items()}
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
    criteria = catalogue.criterion_ids
    curves = value_functions(catalogue)
    values: dict[str, dict[str, float]] = {}
    inputs: dict[str, dict[str, str]] = {}
    provenance: dict[str, dict[str, str]] = {}
    info: dict[str, dict[str, Any]] = {}
    spread: dict[str, dict[str, float]] = {}
    options: list[dict[str, Any]] = []
    for item in catalogue.interventions:
        strand = catalogue.strand(item.yef_strand)
        impact_unconfirmed = strand is None or strand.impact_band.value is None or strand.impact_band.source == UNCONFIRMED
        subject = _Subject(item, strand, item.annual_cost_gbp, item.reach_per_year, impact_unconfirmed)
        cells = {c.id: _cell(c, subject, curves) for c in catalogue.defined_criteria}
        spread[item.id] = {c.id: _cell_sd(c, cells[c.id], subject, catalogue.uncertainty) for c in catalogue.defined_criteria}
        options += _options(subject, catalogue, cells, curves, spread[item.id])
        values[item.id] = {c: cells[c].value for c in criteria}
        inputs[item.id] = {c: cells[c].raw for c in criteria}
        provenance[item.id] = {c: cells[c].provenance for c in criteria}
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
        values=pd.DataFrame.from_dict(values, orient="index").reindex(index)[list(criteria)].astype(float),
        inputs=pd.DataFrame.from_dict(inputs, orient="index").reindex(index),
        provenance=pd.DataFrame.from_dict(provenance, orient="index").reindex(index),
        info=pd.DataFrame.from_dict(info, orient="index").reindex(index),
        options=pd.DataFrame(options).set_index("option"),
        spread=pd.DataFrame.from_dict(spread, orient="index").reindex(index)[list(criteria)].astype(float),
        text=text,
    )


def explain(problem: DecisionProblem, result: ScoreResult, intervention_id: str) -> pd.DataFrame:
    """How one intervention's score was reached: a row per criterion, in plain words."""
    position = result.values.index.get_loc(intervention_id)
    values = dict(zip(result.values.columns, result.values.to_numpy()[position], strict=True))
    contributions = dict(zip(result.contributions.columns, result.contributions.to_numpy()[position], strict=True))
    rows = []
    for criterion in problem.criteria:
        value = float(values[criterion])
        weight = float(result.weights[criterion])
        contribution = float(contributions[criterion])
        raw = str(problem.inputs.loc[intervention_id, criterion])
        provenance = str(problem.provenance.loc[intervention_id, criterion])
        label = problem.labels[criterion]
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


def describe_value_functions(catalogue: Catalogue) -> dict[str, str]:
    """Each criterion's value function in plain words, generated from the catalogue's anchors."""
    return {c.id: describe_value_function(c) for c in catalogue.defined_criteria}


def describe_value_function(criterion: Criterion) -> str:
    """One criterion's value function in plain words."""
    curve = value_function(criterion)
    step = curve.step_per_tenfold() if curve is not None else None
    if isinstance(criterion, ImpactCriterion):
        bands = ", ".join(f"{_words(b)} {v:g}" for b, v in criterion.band_points.items())
        return (
            "By the YEF estimate of the change in violence, straight lines between: "
            + "; ".join(f"{v:g} = {_change(x)}" for x, v in criterion.percent_points)
            + f". Where only the YEF band is known: {bands}. An intervention that only partly matches its strand "
            f"keeps {criterion.partial_fit_share:.0%} of the difference between its strand's value and the unknown value."
        )
    if isinstance(criterion, ReachCriterion):
        tiers = ", ".join(f"{t} {v:g}" for t, v in criterion.tier_points.items())
        return (
            f"On a log scale: {_anchor_text(criterion.points, '{x:,.0f} people a year')}"
            + (f" (each tenfold rise adds {step:g} points)" if step is not None else "")
            + f". Where reach is not known, by its widest prevention tier: {tiers}."
        )
    if isinstance(criterion, CostCriterion):
        return (
            f"On a log scale, cheaper is better: {_anchor_text(criterion.points, '£{x:,.0f} a year')}"
            + (f" (each tenfold rise in cost loses {abs(step):g} points)" if step is not None else "")
            + "."
        )
    if isinstance(criterion, RiskCriterion):
        evidence = ", ".join(f"{n}/5 -{p:g}" for n, p in enumerate(criterion.evidence_rating_penalty, start=1))
        words = ", ".join(f"{_words(w)} -{p:g}" for w, p in criterion.evidence_words_penalty.items())
        delivery = ", ".join(f"{r} -{p:g}" for r, p in criterion.delivery_risk_penalty.items())
        return (
            "100 minus penalties, never below 0. Evidence: by the YEF evidence rating "
            f"({evidence}), or where only YEF's words are known ({words}). Rated harmful: -{criterion.harmful_penalty:g}. "
            f"Delivery risk: {delivery}. Impact rating unconfirmed or no YEF strand: -{criterion.unconfirmed_impact_penalty:g}. "
            f"Only partly matches its YEF strand: -{criterion.partial_fit_penalty:g}."
        )
    missing = (
        f" Where it is not known: {criterion.missing_value:g}, marked as resting on an estimate."
        if criterion.missing_value is not None
        else ""
    )
    if isinstance(criterion, PiecewiseCriterion):
        name = criterion.attribute.removeprefix(FIGURE_PREFIX).replace("_", " ")
        unit = criterion.unit or NUMERIC_ATTRIBUTES.get(criterion.attribute, name + " {x:,.6g}")
        better = "more is better" if criterion.direction == "more_is_better" else "less is better"
        scale = "on a log scale" if criterion.log_scale else "in straight lines"
        return f"By {name}, {scale} ({better}): {_anchor_text(criterion.points, unit)}.{missing}"
    scale = f" ({criterion.scale})" if criterion.scale else ""
    if criterion.direction == "more_is_better":
        return f"A rating from 0 to 100 given to each intervention in the catalogue{scale}, used as it is.{missing}"
    return (
        f"A rating from 0 to 100 given to each intervention in the catalogue{scale}; lower is better, so the value is "
        f"100 minus the rating.{missing}"
    )
