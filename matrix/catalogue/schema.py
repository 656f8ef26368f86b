"""The catalogue's shape: pydantic models that forbid unknown keys and non-finite numbers.

Reading the file lives in ``matrix.loader``; these models only say what a valid
catalogue is. Every figure is a ``Sourced`` value: the value, where it came from (a source
id, ``illustrative`` for our own estimate, or ``unconfirmed``) and an optional note.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

ILLUSTRATIVE = "illustrative"
UNCONFIRMED = "unconfirmed"
PROVENANCE_KEYWORDS = (ILLUSTRATIVE, UNCONFIRMED)

Tier = Literal["primary", "secondary", "tertiary"]
DeliveryModel = Literal["prevention", "early_intervention", "therapeutic", "desistance"]
TargetGroup = Literal["universal", "potentially_high_risk", "known_risk", "involved_in_violence"]
ImpactBand = Literal["high", "moderate", "low", "no_clear_evidence", "harmful"]
EvidenceWords = Literal["very_low", "low", "moderate", "high", "very_high"]
DeliveryRisk = Literal["low", "medium", "high"]
CostBand = Literal["£", "££", "£££"]
LocalImpact = Literal["high", "moderate", "low", "unknown"]
StrandFit = Literal["direct", "partial"]
Status = Literal["commissioned", "delivered", "planned", "proposed"]

TIERS: tuple[Tier, ...] = ("primary", "secondary", "tertiary")
DELIVERY_MODELS: tuple[str, ...] = ("prevention", "early_intervention", "therapeutic", "desistance")
TARGET_GROUPS: tuple[str, ...] = ("universal", "potentially_high_risk", "known_risk", "involved_in_violence")
IMPACT_BANDS: tuple[str, ...] = ("high", "moderate", "low", "no_clear_evidence", "harmful")
EVIDENCE_WORDS: tuple[str, ...] = ("very_low", "low", "moderate", "high", "very_high")
DELIVERY_RISKS: tuple[str, ...] = ("low", "medium", "high")

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


# Unicode's control characters (category Cc, fixed by the standard) but the line break and the tab.
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain_text(text: str) -> str:
    """Text may hold line breaks and tabs, but no other control characters (NUL, escape, ...)."""
    bad = _CONTROL_BUT_LINES.search(text)
    if bad is not None:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; remove it")
    return text


def one_line(text: str) -> str:
    """A name shown in lists and tables: one line, and no invisible characters (zero-width spaces,
    direction overrides) that would make two names look the same or reorder what is shown."""
    if text.isascii() and text.isprintable() and text.strip(" "):
        return text  # printable ASCII with a character other than a space: the checks below pass
    bad = next((c for c in text if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"}), None)
    if bad is not None:
        kind = "control" if unicodedata.category(bad) == "Cc" else "invisible"
        what = "a line break" if bad in "\r\n\u2028\u2029" else f"the {kind} character U+{ord(bad):04X}"
        raise ValueError(f"contains {what}; a name is one line of visible text")
    if not any(unicodedata.category(c)[0] in "LNPS" and c not in _BLANK_LOOKING for c in text):
        raise ValueError("has no visible letter, digit or sign; a name must be readable")
    return text


# Letters and signs that draw nothing (Hangul fillers, the braille blank).
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


Text = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_plain_text)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(one_line)]


def _whole_pence(amount: float) -> float:
    """Money is kept to the penny: a cost between zero and a penny is a mistake, not a price."""
    if 0 < amount < 0.01:
        raise ValueError("must be 0 or at least £0.01")
    return amount


NonNegativeMoney = Annotated[float, Field(ge=0, le=1e10), AfterValidator(_whole_pence)]
Share = Annotated[float, Field(ge=0, le=100)]

T = TypeVar("T")


class Strict(BaseModel):
    """Base: unknown keys are errors, NaN and infinity are refused, objects are immutable, and types are
    exact (``true`` is not a number, ``"yes"`` is not a boolean, ``"5"`` is not 5; whole numbers are
    accepted where a decimal is expected). Lists must arrive as tuples in Python, or as JSON arrays."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, str_strip_whitespace=True, strict=True)


class Sourced(Strict, Generic[T]):
    """A value that must be present, with its provenance."""

    value: T
    source: Identifier
    note: Text | None = None


class MaybeSourced(Strict, Generic[T]):
    """A value that may be unknown; when it is missing the source must say ``unconfirmed``."""

    value: T | None = None
    source: Identifier
    note: Text | None = None

    @model_validator(mode="after")
    def _missing_means_unconfirmed(self) -> MaybeSourced[T]:
        if self.value is None and self.source != UNCONFIRMED:
            raise ValueError(f'no value given: give one, or set source = "{UNCONFIRMED}"')
        return self

    @property
    def known(self) -> bool:
        return self.value is not None


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(items)) != len(items):
        raise ValueError("each entry may appear only once")
    return items


class Source(Strict):
    id: Identifier
    title: Text
    publisher: Text
    date: Annotated[str, Field(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    location: Text

    @field_validator("date")
    @classmethod
    def _a_real_date(cls, date: str) -> str:
        parts = [int(p) for p in date.split("-")]
        try:
            dt.date(parts[0], *[*parts[1:], 1, 1][:2])
        except ValueError:
            raise ValueError("is not a real date (check the month and day)") from None
        return date


class Budget(Strict):
    annual_budget_gbp: Sourced[Annotated[float, Field(gt=0, le=1e10)]]
    # The financial year the amount is for ("2020/21"), so nobody takes an old grant for this year's.
    year: Annotated[str, Field(pattern=r"^[0-9]{4}/[0-9]{2}$")] | None = None

    @field_validator("year")
    @classmethod
    def _consecutive(cls, year: str | None) -> str | None:
        if year is not None and (int(year[:4]) + 1) % 100 != int(year[5:]):
            raise ValueError(f"'{year}' is not a financial year: write the two years in a row, such as 2020/21")
        return year


class Weights(BaseModel):
    """A weight (0-100) for each criterion, keyed by the criterion's id: the catalogue's criteria, so a
    catalogue that defines its own has weights for those. Which ids are known is checked where the weights
    meet a catalogue (presets when it loads; scenarios when they are scored)."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False, strict=True)
    __pydantic_extra__: dict[str, Share]

    @model_validator(mode="after")
    def _ids_and_not_all_zero(self) -> Weights:
        weights = self.as_dict()
        if not weights:
            raise ValueError("no weights given: give a weight for each criterion")
        bad = next((key for key in weights if not _IDENTIFIER.fullmatch(key)), None)
        if bad is not None:
            raise ValueError(f"'{bad[:40]}' is not a criterion id (lower-case letters, digits, - and _)")
        if sum(weights.values()) <= 0:
            raise ValueError("all weights are zero: give at least one criterion a weight above zero")
        return self

    def as_dict(self) -> dict[str, float]:
        """The weights by criterion id, in the order given."""
        return dict(self.__pydantic_extra__ or {})

    def __getitem__(self, criterion: str) -> float:
        """The weight of one criterion; 0 for a criterion not given."""
        return float((self.__pydantic_extra__ or {}).get(criterion, 0.0))


class Preset(Strict):
    id: Identifier
    label: Name
    description: Text
    weights: Weights


Points = Annotated[
    tuple[tuple[float, Annotated[float, Field(ge=0, le=100)]], ...],
    Field(min_length=2),
]


def _complete(keys: tuple[str, ...]) -> Callable[[dict[str, float]], dict[str, float]]:
    """A validator that requires a number for every one of ``keys``."""

    def check(table: dict[str, float]) -> dict[str, float]:
        missing = [k for k in keys if k not in table]
        if missing:
            raise ValueError(f"missing a number for {', '.join(missing)}")
        return table

    return check


def _increasing(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    xs = [p[0] for p in points]
    if any(b <= a for a, b in pairwise(xs)):
        raise ValueError("the x of each point must be larger than the one before")
    # Points closer than a millionth (relative) would make a step too steep to score with.
    if any(b - a <= 1e-6 * max(abs(a), abs(b), 1.0) for a, b in pairwise(xs)):
        raise ValueError("two points' x are too close together (they must differ by more than a millionth)")
    return points


class CriterionText(Strict):
    label: Name
    question: Text
    weight_help: Text


class ImpactScoring(CriterionText):
    percent_points: Points
    band_points: dict[Literal[ImpactBand, "unknown"], Annotated[float, Field(ge=0, le=100)]]
    partial_fit_share: Annotated[float, Field(ge=0, le=1)]

    _check_points = field_validator("percent_points")(_increasing)
    _every_band = field_validator("band_points")(_complete((*IMPACT_BANDS, "unknown")))


class LogScaleScoring(CriterionText):
    points: Points

    _check_points = field_validator("points")(_increasing)

    @field_validator("points")
    @classmethod
    def _positive(cls, points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
        if points[0][0] <= 0:
            raise ValueError("a log scale needs every x above zero")
        return points


class ReachScoring(LogScaleScoring):
    tier_points: dict[Tier, Annotated[float, Field(ge=0, le=100)]]

    _every_tier = field_validator("tier_points")(_complete(TIERS))


class RiskScoring(CriterionText):
    evidence_rating_penalty: Annotated[tuple[Annotated[float, Field(ge=0, le=100)], ...], Field(min_length=5, max_length=5)]
    evidence_words_penalty: dict[Literal[EvidenceWords, "unknown"], Annotated[float, Field(ge=0, le=100)]]
    harmful_penalty: Annotated[float, Field(ge=0, le=100)]
    delivery_risk_penalty: dict[DeliveryRisk, Annotated[float, Field(ge=0, le=100)]]
    unconfirmed_impact_penalty: Annotated[float, Field(ge=0, le=100)]
    partial_fit_penalty: Annotated[float, Field(ge=0, le=100)]

    _every_level = field_validator("evidence_words_penalty")(_complete((*EVIDENCE_WORDS, "unknown")))
    _every_risk = field_validator("delivery_risk_penalty")(_complete(DELIVERY_RISKS))


class Scoring(Strict):
    """The four criteria of schema version 1, each in its own table (``[scoring.impact]`` ...)."""

    impact: ImpactScoring
    reach: ReachScoring
    cost: LogScaleScoring
    risk: RiskScoring


Direction = Literal["more_is_better", "less_is_better"]
# The numeric attributes a piecewise-linear criterion may score: the intervention's own (per funding level
# where a level has its own), its YEF strand's, or a figure the catalogue gives it (``figures.<id>``).
NUMERIC_ATTRIBUTES: dict[str, str] = {
    "annual_cost_gbp": "£{x:,.0f} a year",
    "reach_per_year": "{x:,.0f} people a year",
    "cost_per_person": "£{x:,.0f} a person",
    "yef_impact_pct": "{x:g}% less violence (YEF)",
    "yef_evidence_rating": "YEF evidence {x:g}/5",
    "yef_cost_rating": "YEF cost rating {x:g}/3",
}
FIGURE_PREFIX = "figures."
ATTRIBUTE_PATTERN = r"^(" + "|".join(NUMERIC_ATTRIBUTES) + r"|figures\.[a-z0-9][a-z0-9_-]*)$"
Attribute = Annotated[str, Field(pattern=ATTRIBUTE_PATTERN, max_length=100)]
CRITERION_KINDS = ("yef_impact", "reach", "cost", "risk", "piecewise_linear", "rating")
MAX_CRITERIA = 12


# Names the tables of scores and funding options already use: a criterion's values are a column named by its id.
RESERVED_CRITERION_IDS = frozenset(
    {
        "rank",
        "id",
        "name",
        "score",
        "option",
        "intervention",
        "level",
        "level_label",
        "benefit",
        "funded",
        "funded_level",
        "funded_cost_gbp",
        "funded_today",
        "change",
        "normalisation",
        "catalogue_sha256",
        "annual_cost_gbp",
        "reach_per_year",
        "audience",
        "status",
        "prevention_tiers",
        "delivery_model",
        "target_group",
        "area",
        "harmful",
        "provenance_flags",
        "estimated_share",
        "illustrative_count",
        "unconfirmed_count",
        "yef_strand",
        "yef_band",
        "yef_impact",
        "yef_evidence",
        "criterion",
        "value",
        "weight",
    }
)
RESERVED_CRITERION_PREFIXES = ("share_", "sd_", "estimated_", "contribution_", "weight_", "w_")


def _criterion_id(ident: str) -> str:
    if ident in RESERVED_CRITERION_IDS or ident.startswith(RESERVED_CRITERION_PREFIXES):
        raise ValueError(
            f"'{ident}' names a column the tables already have (or starts like one: "
            f"{', '.join(RESERVED_CRITERION_PREFIXES)}); choose another id, such as 'equity'"
        )
    return ident


class _Defined(Strict):
    """What every criterion of ``[[criteria]]`` says beside its kind's own rules."""

    id: Annotated[Identifier, AfterValidator(_criterion_id)]
    label: Name
    question: Text
    weight_help: Text
    direction: Direction


def _kind_direction(criterion: _Defined, kind: str, direction: str, meaning: str) -> None:
    if criterion.direction != direction:
        raise ValueError(f'a "{kind}" criterion has direction "{direction}" ({meaning})')


class ImpactCriterion(_Defined, ImpactScoring):
    """The YEF Toolkit's impact on violence, as in schema version 1."""

    kind: Literal["yef_impact"]

    @model_validator(mode="after")
    def _direction(self) -> ImpactCriterion:
        _kind_direction(self, "yef_impact", "more_is_better", "more violence prevented is better")
        return self


class ReachCriterion(_Defined, ReachScoring):
    kind: Literal["reach"]

    @model_validator(mode="after")
    def _direction(self) -> ReachCriterion:
        _kind_direction(self, "reach", "more_is_better", "reaching more people is better")
        return self


class CostCriterion(_Defined, LogScaleScoring):
    """The annual cost, on a log scale; the criterion the funding benefit leaves out unless told."""

    kind: Literal["cost"]

    @model_validator(mode="after")
    def _direction(self) -> CostCriterion:
        _kind_direction(self, "cost", "less_is_better", "a lower cost is better")
        return self


class RiskCriterion(_Defined, RiskScoring):
    kind: Literal["risk"]

    @model_validator(mode="after")
    def _direction(self) -> RiskCriterion:
        _kind_direction(self, "risk", "less_is_better", "fewer risk penalties are better")
        return self


MissingValue = Annotated[float, Field(ge=0, le=100)]
# Words with the figure's place: {x}, or {x:,.0f}, {x:g}, {x:.1%} (no widths, attributes or other fields).
_UNIT = re.compile(r"[^{}]*\{x(:,?(\.[0-9]{1,2})?[fg%]?)?\}[^{}]*")


def _within_a_trillion(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    if any(abs(x) > 1e12 for x, _ in points):
        raise ValueError("every point's x must be within ±1,000,000,000,000")
    return points


class PiecewiseCriterion(_Defined):
    """Straight lines between points ``[x, value]`` on a numeric attribute (in log10 x with ``log_scale``);
    ``missing_value`` scores an intervention whose attribute is not known (and marks it as resting on an
    estimate); without it every intervention must have the attribute."""

    kind: Literal["piecewise_linear"]
    attribute: Attribute
    points: Annotated[Points, AfterValidator(_within_a_trillion)]
    log_scale: bool = False
    unit: Name | None = None  # how a raw figure reads, with {x}: "{x:,.0f} places"; the attribute's own otherwise
    missing_value: MissingValue | None = None

    _check_points = field_validator("points")(_increasing)

    @model_validator(mode="after")
    def _shape(self) -> PiecewiseCriterion:
        values = [p[1] for p in self.points]
        if self.log_scale and self.points[0][0] <= 0:
            raise ValueError("a log scale needs every x above zero")
        rising = all(b >= a for a, b in pairwise(values))
        falling = all(b <= a for a, b in pairwise(values))
        if values[0] == values[-1] or not (rising or falling):
            raise ValueError("the points' values must rise or fall from the first point to the last, not both")
        if rising != (self.direction == "more_is_better"):
            word = "rise" if self.direction == "more_is_better" else "fall"
            raise ValueError(f'direction is "{self.direction}", so the points\' values must {word} as x rises')
        if self.unit is not None and not _UNIT.fullmatch(self.unit):
            raise ValueError(
                "unit must be words with {x} where the figure goes, once, such as '{x:,.0f} places' "
                "(a format of at most a comma, a point, two digits and f, g or %)"
            )
        return self


class RatingCriterion(_Defined):
    """A 0-100 rating given to each intervention in its ``ratings`` table, with provenance. With
    ``less_is_better`` the value is 100 minus the rating. ``missing_value`` scores an intervention with no
    rating (marked as resting on an estimate); without it every intervention must be rated."""

    kind: Literal["rating"]
    scale: Text | None = None  # what 0 and 100 mean, in words
    missing_value: MissingValue | None = None


Criterion = Annotated[
    ImpactCriterion | ReachCriterion | CostCriterion | RiskCriterion | PiecewiseCriterion | RatingCriterion,
    Field(discriminator="kind"),
]


def criteria_from_scoring(scoring: Scoring) -> tuple[Criterion, ...]:
    """Schema version 1's four criteria as ``[[criteria]]`` entries: the migration, in memory."""
    return (
        ImpactCriterion(id="impact", kind="yef_impact", direction="more_is_better", **scoring.impact.__dict__),
        ReachCriterion(id="reach", kind="reach", direction="more_is_better", **scoring.reach.__dict__),
        CostCriterion(id="cost", kind="cost", direction="less_is_better", **scoring.cost.__dict__),
        RiskCriterion(id="risk", kind="risk", direction="less_is_better", **scoring.risk.__dict__),
    )


Spread = Annotated[float, Field(ge=0, le=50)]


class Uncertainty(Strict):
    """Standard deviations (value points on the 0-100 scale) used by the Monte Carlo analysis."""

    impact_sd_by_rating: Annotated[tuple[Spread, ...], Field(min_length=5, max_length=5)]
    impact_sd_by_words: dict[Literal[EvidenceWords, "unknown"], Spread]
    unconfirmed_impact_extra_sd: Spread
    partial_fit_extra_sd: Spread
    sourced_sd: Spread
    illustrative_sd: Spread
    unconfirmed_sd: Spread
    risk_sd: Spread

    _every_level = field_validator("impact_sd_by_words")(_complete((*EVIDENCE_WORDS, "unknown")))


class YefStrand(Strict):
    """A YEF Toolkit approach and its ratings, each with provenance."""

    id: Identifier
    name: Name
    url: Text | None = None
    impact_band: MaybeSourced[ImpactBand]
    impact_pct: MaybeSourced[Annotated[float, Field(ge=-100, le=100)]]
    impact_outcome: Text | None = None
    evidence_rating: MaybeSourced[Annotated[int, Field(ge=1, le=5)]]
    evidence_words: MaybeSourced[EvidenceWords]
    cost_rating: MaybeSourced[Annotated[int, Field(ge=1, le=3)]]
    checked: dt.date

    @field_validator("checked")
    @classmethod
    def _not_in_the_future(cls, checked: dt.date) -> dt.date:
        # A future date would hide the warning that ratings are more than a year old.
        if checked > dt.date.today():
            raise ValueError(f"is after today ({dt.date.today():%Y-%m-%d}); give the date the ratings were last checked")
        return checked


class FundingLevel(Strict):
    """An alternative way to fund an intervention (a pilot, one site), instead of the full level."""

    id: Identifier
    label: Name
    annual_cost_gbp: Sourced[NonNegativeMoney]
    reach_per_year: MaybeSourced[Annotated[int, Field(ge=1, le=100_000_000)]]


FULL_LEVEL = "full"


class Audience(Strict):
    """How many saw or heard it (social-media reach, impressions, visits): a figure of another kind than people
    engaged. It is shown beside the intervention, never scored on reach nor added to "reaching N people"."""

    value: Annotated[int, Field(ge=1, le=10_000_000_000)]
    measure: Text  # what was counted, and over what period
    source: Identifier
    note: Text | None = None


class Intervention(Strict):
    id: Identifier
    name: Name
    overview: Text
    area: Text
    named_in: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    status: Sourced[Status]
    prevention_tiers: Sourced[Annotated[tuple[Tier, ...], Field(min_length=1)]]
    delivery_model: Sourced[Annotated[tuple[DeliveryModel, ...], Field(min_length=1)]]
    target_group: Sourced[TargetGroup]
    local_cost_band: Sourced[CostBand] | None = None
    local_impact_estimate: Sourced[LocalImpact] | None = None
    annual_cost_gbp: Sourced[NonNegativeMoney]
    reach_per_year: MaybeSourced[Annotated[int, Field(ge=1, le=100_000_000)]]
    audience: Audience | None = None
    funded_today: Sourced[bool]
    delivery_risk: Sourced[DeliveryRisk]
    yef_strand: Identifier | None = None
    yef_fit: StrandFit | None = None
    yef_mapping_note: Text | None = None
    levels: tuple[FundingLevel, ...] = ()
    # Direct 0-100 ratings for the catalogue's "rating" criteria, and figures its piecewise-linear criteria may
    # score ("figures.<id>"), each keyed by id and sourced like every other value.
    ratings: dict[Identifier, Sourced[Annotated[float, Field(ge=0, le=100)]]] = {}
    figures: dict[Identifier, MaybeSourced[Annotated[float, Field(ge=-1e12, le=1e12)]]] = {}

    @field_validator("named_in")
    @classmethod
    def _named_once(cls, ids: tuple[str, ...]) -> tuple[str, ...]:
        return _unique(ids)

    @model_validator(mode="after")
    def _fit_with_strand(self) -> Intervention:
        _unique(self.prevention_tiers.value)
        _unique(self.delivery_model.value)
        if self.yef_strand is not None and self.yef_fit is None:
            raise ValueError('yef_fit is required with yef_strand: say "direct" or "partial"')
        if self.yef_strand is None and self.yef_fit is not None:
            raise ValueError("yef_fit is given but yef_strand is not")
        if self.audience is not None and self.reach_per_year.value == self.audience.value:
            raise ValueError(
                f"reach_per_year and audience are both {self.audience.value:,}: reach_per_year counts people engaged, "
                "audience people who saw or heard it; one figure cannot be both "
                "(leave reach unconfirmed if only the audience is known)"
            )
        level_ids = [level.id for level in self.levels]
        if FULL_LEVEL in level_ids:
            raise ValueError(f'a funding level cannot be called "{FULL_LEVEL}": that is the intervention\'s own cost and reach')
        _unique(tuple(level_ids))
        full = self.annual_cost_gbp.value
        for level in self.levels:
            if level.annual_cost_gbp.value > full:
                raise ValueError(
                    f"funding level '{level.id}' costs £{level.annual_cost_gbp.value:,.0f}, more than the full "
                    f"intervention (£{full:,.0f}); a level is a smaller way to fund it"
                )
        return self


FinancialYearText = Annotated[str, Field(pattern=r"^[0-9]{4}/[0-9]{2}$")]


def financial_year(year: str) -> str:
    """A financial year written as two years in a row ("2020/21")."""
    if (int(year[:4]) + 1) % 100 != int(year[5:]):
        raise ValueError(f"'{year}' is not a financial year: write the two years in a row, such as 2020/21")
    return year


FinancialYear = Annotated[FinancialYearText, AfterValidator(financial_year)]


class StreamYears(Strict):
    """The financial years a funding stream pays in (either end open when not given), with where that is said."""

    first: FinancialYear | None = None
    last: FinancialYear | None = None
    source: Identifier
    note: Text | None = None

    @model_validator(mode="after")
    def _in_order(self) -> StreamYears:
        if self.first is not None and self.last is not None and self.last < self.first:
            raise ValueError(f"last ({self.last}) is before first ({self.first})")
        return self


class Eligibility(Strict):
    """What a funding stream may pay for: the interventions that meet every rule given. Each rule lists
    values, and an intervention meets it when it has any of them (any of its tiers or delivery models,
    its target group, its id, or an area its ``area`` text names, whole words, case ignored). No rule:
    everything. Its source says where the rules come from."""

    tiers: Annotated[tuple[Tier, ...], Field(min_length=1)] | None = None
    delivery_models: Annotated[tuple[DeliveryModel, ...], Field(min_length=1)] | None = None
    target_groups: Annotated[tuple[TargetGroup, ...], Field(min_length=1)] | None = None
    interventions: Annotated[tuple[Identifier, ...], Field(min_length=1)] | None = None
    areas: Annotated[tuple[Name, ...], Field(min_length=1)] | None = None
    source: Identifier
    note: Text | None = None

    @model_validator(mode="after")
    def _listed_once(self) -> Eligibility:
        for rule in (self.tiers, self.delivery_models, self.target_groups, self.interventions, self.areas):
            if rule is not None:
                _unique(tuple(str(v) for v in rule))
        return self


class FundingStream(Strict):
    """Money from one funder: its amount a year, the years it pays in, what it may pay for, and whether it
    may pay part of an intervention's cost alongside other streams (``may_share``)."""

    id: Identifier
    name: Name
    funder: Name
    amount_per_year_gbp: Sourced[Annotated[float, Field(ge=0, le=1e10), AfterValidator(_whole_pence)]]
    years: StreamYears
    eligible: Eligibility
    may_share: bool = True


SCHEMA_VERSION = 2


class Catalogue(Strict):
    schema_version: Literal[1, 2]

    @field_validator("schema_version", mode="before")
    @classmethod
    def _a_number(cls, version: object) -> object:
        if type(version) is not int or version not in (1, 2):  # true and 1.0 equal 1 to Python, but are not versions
            raise ValueError("must be 2 (criteria in [[criteria]]) or 1 (the four criteria in [scoring.*])")
        return version

    title: Text
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    budget: Budget
    default_preset: Identifier
    presets: Annotated[tuple[Preset, ...], Field(min_length=1)]
    scoring: Scoring | None = None  # schema version 1
    criteria: tuple[Criterion, ...] = ()  # schema version 2
    uncertainty: Uncertainty
    yef_strands: tuple[YefStrand, ...] = ()
    interventions: Annotated[tuple[Intervention, ...], Field(min_length=1)]
    funding_streams: tuple[FundingStream, ...] = ()
    _defined: tuple[Criterion, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _criteria_for_the_version(self) -> Catalogue:
        if self.schema_version == 1:
            if self.scoring is None:
                raise ValueError(
                    "schema_version 1 needs the four [scoring.*] tables (or write schema_version = 2 and [[criteria]])"
                )
            if self.criteria:
                raise ValueError("[[criteria]] needs schema_version = 2; version 1 has [scoring.*] tables instead")
        else:
            if self.scoring is not None:
                raise ValueError("schema_version 2 defines criteria in [[criteria]], not [scoring.*]")
            if not self.criteria:
                raise ValueError("schema_version 2 needs at least one [[criteria]] entry")
            if len(self.criteria) > MAX_CRITERIA:
                raise ValueError(f"at most {MAX_CRITERIA} criteria; this catalogue has {len(self.criteria)}")
        self._defined = self.criteria if self.scoring is None else criteria_from_scoring(self.scoring)
        return self

    @property
    def defined_criteria(self) -> tuple[Criterion, ...]:
        """The criteria in order: ``[[criteria]]``, or version 1's four ``[scoring.*]`` tables read as criteria."""
        return self._defined

    @property
    def criterion_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.defined_criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; KeyError if there is none."""
        for criterion in self.defined_criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def strand(self, strand_id: str | None) -> YefStrand | None:
        """The YEF strand with this id, or None."""
        return next((s for s in self.yef_strands if s.id == strand_id), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def preset(self, preset_id: str) -> Preset:
        """The preset with this id; KeyError if there is none."""
        for preset in self.presets:
            if preset.id == preset_id:
                return preset
        raise KeyError(preset_id)


def provenance_counts(catalogue: Catalogue) -> Mapping[str, int]:
    """How many values in the whole catalogue are illustrative and unconfirmed."""
    counts = {ILLUSTRATIVE: 0, UNCONFIRMED: 0}

    def visit(node: object) -> None:
        if isinstance(node, Sourced | MaybeSourced):
            if node.source in counts:
                counts[node.source] += 1
        elif isinstance(node, tuple):
            for child in node:
                visit(child)
        elif isinstance(node, dict):  # an intervention's ratings and figures
            for child in node.values():
                visit(child)
        elif isinstance(node, BaseModel):
            for child in node.__dict__.values():  # the field values (extra keys are refused)
                visit(child)

    visit(catalogue)
    return counts
