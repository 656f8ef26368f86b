"""Decision records: everything needed to reproduce a shortlist, and the replay that checks it.

A record is JSON holding the catalogue itself (its TOML text and SHA-256), the scenario (weights,
budget, constraints, overrides with their reasons), each workshop participant's weights, the
method and model version, the Monte Carlo seed and settings if any, and the results: the ranking
and the funded set. ``replay`` recomputes the results from the record (or from another catalogue
file) and lists every difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, ValidationError

from matrix.catalogue import Strict, Weights, max_catalogue_bytes, one_line, parse_catalogue
from matrix.decision import DecisionProblem, PlanSettings, Scenario, build_plan, build_problem, evaluate, swings
from matrix.version import APP_VERSION
from scoring import EXACT_METHOD, MAX_YEARS, DecisionError, TradeOff, money, score, swing_weights, trade_off_weights

RECORD_FORMAT: Literal[1] = 1
# A record holds the catalogue's text and the results: it may be twice the catalogue limit, and 10 MB
# at least; anything bigger is not one of ours.
MIN_RECORD_LIMIT_BYTES = 10 * 1024 * 1024
# Bump when a change to scoring, benefit or optimisation could change a result.
MODEL_VERSION = "2"
METHOD = {
    "scoring": "weighted sum of 0-100 criterion values (under the scenario's normalisation), weights normalised to 100%",
    "benefit": "weighted sum of impact, reach and risk with those weights renormalised, unless include_cost",
    "optimiser": EXACT_METHOD + "; exact dynamic programme without tier shares, else HiGHS integer programme in stages",
    "ties": "equal scores share a rank and are listed by id",
}


class Participant(Strict):
    name: Annotated[str, Field(min_length=1, max_length=80), AfterValidator(one_line)]
    weights: Weights


class RankedRow(Strict):
    id: str
    rank: int
    score: float


class FundedRow(Strict):
    id: str
    level: str
    annual_cost_gbp: float


class ChangeRow(Strict):
    id: str
    change: Literal["stopped", "reduced", "increased", "new"]
    difference_gbp: float


class Results(Strict):
    ranking: tuple[RankedRow, ...]
    funded: tuple[FundedRow, ...]
    value: float
    spend_gbp: float
    changes: tuple[ChangeRow, ...] = ()


class MonteCarloSettings(Strict):
    draws: Annotated[int, Field(ge=1)]
    seed: Annotated[int, Field(ge=0)]
    mode: Literal["around", "uniform", "pool", "space"]
    concentration: Annotated[float, Field(gt=0)]
    top_k: Annotated[int, Field(ge=1)]
    # "space" (an agreed order and bounds): the order, most important first, and each bound (shares 0-1).
    order: tuple[str, ...] = ()
    lower: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    upper: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)


# A plan's year (1 to MAX_YEARS) and money (never below zero): a record saying otherwise was not made by the app.
PlanYear = Annotated[int, Field(ge=1, le=MAX_YEARS)]
PlanMoney = Annotated[float, Field(ge=0)]


class PlanYearRow(Strict):
    year: PlanYear
    id: str
    level: str
    cost_gbp: PlanMoney


class PlanPaymentRow(Strict):
    year: PlanYear
    stream: str
    id: str
    amount_gbp: PlanMoney


class PlanRecord(Strict):
    """A plan over several years and the funding streams: its settings and what it funds and pays, year by year."""

    settings: PlanSettings
    value: float
    cost_gbp: PlanMoney
    funded: tuple[PlanYearRow, ...]
    payments: tuple[PlanPaymentRow, ...]


class TradeOffAnswer(Strict):
    first: str
    first_points: float
    second: str
    second_points: float
    answer: Literal["first", "second", "same"]


class Elicited(Strict):
    """How the scenario's weights were elicited when they came from questions, with the answers: the swing
    order and ratings, or every trade-off question and answer, and the sliders' weights they gave."""

    method: Literal["swing weighting", "trade-off questions"]
    order: tuple[str, ...] = ()
    ratings: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict)
    answers: tuple[TradeOffAnswer, ...] = ()
    weights: Weights


def elicited_weights(problem: DecisionProblem, scenario: Scenario, elicited: Elicited) -> dict[str, int]:
    """The sliders' whole-% weights the answers give on this catalogue (as the app set them)."""
    ranges = {c: s.points for c, s in swings(problem, scenario.normalisation).items()}
    if elicited.method == "swing weighting":
        weights = swing_weights(list(elicited.order), elicited.ratings, ranges)
    else:
        answered = [(TradeOff(a.first, a.first_points, a.second, a.second_points), a.answer) for a in elicited.answers]
        weights = trade_off_weights(problem.criteria, answered, ranges)
    return {c: round(w * 100) for c, w in weights.items()}


class CatalogueCopy(Strict):
    # The TOML must come back byte for byte, so no whitespace is stripped here.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    title: str
    toml: str


class DecisionRecord(Strict):
    record_format: Literal[1]
    app_version: str
    model_version: str
    created_at: dt.datetime
    created_by: str
    method: dict[str, str]
    catalogue: CatalogueCopy
    scenario: Scenario
    participants: tuple[Participant, ...] = ()
    monte_carlo: MonteCarloSettings | None = None
    results: Results
    plan: PlanRecord | None = None
    elicited: Elicited | None = None


class RecordError(DecisionError):
    """A record that cannot be read or replayed, said in words."""


def results_of(problem: DecisionProblem, scenario: Scenario) -> Results:
    """The ranking (with the scenario's weights and normalisation), the funded set and its changes to today."""
    ranked = score(problem.values, scenario.weights.as_dict(), normalisation=scenario.normalisation)
    evaluated = evaluate(problem, scenario)
    funded = evaluated.optimum
    return Results(
        ranking=tuple(
            RankedRow(id=str(i), rank=int(ranked.ranks[i]), score=round(float(ranked.scores[i]), 6)) for i in ranked.ranks.index
        ),
        funded=tuple(
            FundedRow(id=str(ident), level=str(level), annual_cost_gbp=float(cost))
            for ident, level, cost in zip(
                funded.chosen["intervention"], funded.chosen["level"], funded.chosen["annual_cost_gbp"], strict=True
            )
        ),
        value=round(funded.value, 6),
        spend_gbp=funded.spend_gbp,
        changes=tuple(
            ChangeRow(id=str(row["id"]), change=row["change"], difference_gbp=float(row["difference £"]))
            for row in evaluated.changes.to_dict(orient="records")
        ),
    )


def plan_of(problem: DecisionProblem, scenario: Scenario, settings: PlanSettings) -> PlanRecord:
    """The plan for the scenario and settings, as the record keeps it (payments summed per year, stream and
    intervention)."""
    plan = build_plan(problem, scenario, settings).plan
    paid = plan.payments.groupby(["year", "stream", "intervention"], as_index=False, sort=True)["amount_gbp"].sum()
    chosen = plan.chosen.sort_values(["year", "intervention"], kind="stable")
    funded = [
        PlanYearRow(year=int(y), id=str(i), level=str(lv), cost_gbp=round(float(c), 2))
        for y, i, lv, c in zip(chosen["year"], chosen["intervention"], chosen["level"], chosen["cost_gbp"], strict=True)
    ]
    payments = [
        PlanPaymentRow(year=int(y), stream=str(s), id=str(i), amount_gbp=round(float(a), 2))
        for y, s, i, a in zip(paid["year"], paid["stream"], paid["intervention"], paid["amount_gbp"], strict=True)
    ]
    return PlanRecord(
        settings=settings,
        value=round(plan.value, 6),
        cost_gbp=round(plan.cost_gbp, 2),
        funded=tuple(funded),
        payments=tuple(payments),
    )


def build_record(
    problem: DecisionProblem,
    scenario: Scenario,
    created_by: str,
    participants: list[tuple[str, Weights]] | None = None,
    monte_carlo: dict[str, Any] | None = None,
    plan: PlanSettings | None = None,
    elicited: Elicited | None = None,
) -> DecisionRecord:
    """A self-contained record of a decision: inputs, method, seed and results (and the plan over several years
    and the funding streams, when ``plan`` settings are given; and how the weights were elicited, when
    ``elicited`` gave exactly the scenario's weights: answers whose weights were moved since are left out)."""
    if not problem.text:
        raise RecordError("the catalogue's text is not available, so the record could not include it")
    return DecisionRecord(
        record_format=RECORD_FORMAT,
        app_version=APP_VERSION,
        model_version=MODEL_VERSION,
        created_at=dt.datetime.now(dt.UTC),
        created_by=created_by.strip() or "unnamed",
        method=dict(METHOD),
        catalogue=CatalogueCopy(sha256=problem.sha256, title=problem.catalogue.title, toml=problem.text),
        scenario=scenario,
        participants=tuple(Participant(name=n, weights=w) for n, w in (participants or [])),
        monte_carlo=MonteCarloSettings.model_validate(monte_carlo) if monte_carlo else None,
        results=results_of(problem, scenario),
        plan=plan_of(problem, scenario, plan) if plan is not None else None,
        elicited=elicited if elicited is not None and elicited.weights == scenario.weights else None,
    )


def record_json(record: DecisionRecord) -> bytes:
    return record.model_dump_json(indent=2).encode("utf-8")


class _RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


def max_record_bytes() -> int:
    """The largest decision record read, in bytes: twice the catalogue limit (``max_catalogue_bytes``), 10 MB at least."""
    return max(MIN_RECORD_LIMIT_BYTES, 2 * max_catalogue_bytes())


def read_record(raw: bytes, shown: str = "the record") -> DecisionRecord:
    """Parse and validate a record; a stale, malformed or altered one is refused with the reason."""
    limit = max_record_bytes()
    if len(raw) > limit:
        raise RecordError(f"{shown} is {len(raw):,} bytes; a decision record is at most {limit:,}")
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError(f"{shown} is not UTF-8 text") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as error:
        raise RecordError(f"{shown} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise RecordError(f"{shown} is not a decision record: its JSON is nested far too deeply") from None
    except _RepeatedKey as error:
        raise RecordError(f"{shown} is not a decision record: the key {str(error)[:80]!r} appears twice in one object") from None
    except ValueError:
        raise RecordError(f"{shown} is not a decision record: it holds a number with more than 4,300 digits") from None
    if not isinstance(data, dict):
        raise RecordError(f"{shown} is not a decision record (expected a JSON object)")
    if "record_format" not in data:
        raise RecordError(f"{shown} is not a decision record: it has no record_format")
    if type(data["record_format"]) is not int or data["record_format"] != RECORD_FORMAT:
        found = json.dumps(data.get("record_format"))[:40]
        raise RecordError(f"{shown} has record format {found}; this version of the app reads format {RECORD_FORMAT}")
    try:
        record = DecisionRecord.model_validate_json(text)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])[:120]}: {e['msg'].replace('Input should be', 'must be')}"
            for e in error.errors(include_url=False)[:10]
        )
        raise RecordError(f"{shown} is not a valid decision record: {problems}") from None
    copy = record.catalogue
    if hashlib.sha256(copy.toml.encode("utf-8")).hexdigest() != copy.sha256:
        raise RecordError(
            f"{shown} has been altered: the catalogue inside it does not match the SHA-256 it carries "
            f"({copy.sha256[:12]}…), so it cannot stand as a record of the decision"
        )
    return record


def replay(
    record: DecisionRecord, catalogue_bytes: bytes | None = None, catalogue_name: str = "catalogue"
) -> tuple[list[str], Results]:
    """Re-run a record. Returns every difference (empty when identical) and the new results.

    Uses the catalogue embedded in the record unless ``catalogue_bytes`` is given.
    """
    differences: list[str] = []
    if record.model_version != MODEL_VERSION:
        differences.append(f"method: the record was made with model version {record.model_version}; this app has {MODEL_VERSION}")
    for key, text in METHOD.items():
        if record.method.get(key) != text:
            differences.append(f"method ({key}): the record says '{record.method.get(key)}'; this app does '{text}'")
    raw = catalogue_bytes if catalogue_bytes is not None else record.catalogue.toml.encode("utf-8")
    loaded = parse_catalogue(raw, catalogue_name if catalogue_bytes is not None else "the record's catalogue")
    if loaded.sha256 != record.catalogue.sha256:
        differences.append(
            f"catalogue: the record was made with sha256 {record.catalogue.sha256[:12]}…; "
            f"{catalogue_name} has {loaded.sha256[:12]}…"
        )
    problem = build_problem(loaded.catalogue, loaded.sha256, loaded.text)
    results = results_of(problem, record.scenario)
    differences += _compare(record.results, results)
    if record.plan is not None:
        differences += _compare_plan(record.plan, plan_of(problem, record.scenario, record.plan.settings))
    if record.elicited is not None:
        try:
            again = elicited_weights(problem, record.scenario, record.elicited)
        except DecisionError as error:
            differences.append(f"weights ({record.elicited.method}): the answers no longer give weights: {error}")
        else:
            kept = {c: round(w) for c, w in record.elicited.weights.as_dict().items()}
            if again != kept:
                differences.append(f"weights ({record.elicited.method}): the answers gave {kept} then and give {again} now")
    return differences, results


def _compare_plan(old: PlanRecord, new: PlanRecord) -> list[str]:
    """Every way a plan differs: what each year funds, at which level, the value, the cost and each stream's payments."""
    differences = []
    old_funded = {(r.year, r.id, r.level) for r in old.funded}
    new_funded = {(r.year, r.id, r.level) for r in new.funded}
    for year, ident, level in sorted(old_funded - new_funded):
        differences.append(f"plan, year {year}: {ident} ({level}) was funded and is not now")
    for year, ident, level in sorted(new_funded - old_funded):
        differences.append(f"plan, year {year}: {ident} ({level}) is funded now and was not")
    if abs(old.value - new.value) > 1e-6:
        differences.append(f"plan value: {old.value:.4f} then, {new.value:.4f} now")
    if abs(old.cost_gbp - new.cost_gbp) > 0.5:
        differences.append(f"plan cost: £{old.cost_gbp:,.0f} then, £{new.cost_gbp:,.0f} now")
    paid_then: dict[tuple[int, str], float] = {}
    paid_now: dict[tuple[int, str], float] = {}
    for rows, totals in ((old.payments, paid_then), (new.payments, paid_now)):
        for row in rows:
            totals[(row.year, row.stream)] = totals.get((row.year, row.stream), 0.0) + row.amount_gbp
    for year, stream in sorted(set(paid_then) | set(paid_now)):
        then, now = paid_then.get((year, stream), 0.0), paid_now.get((year, stream), 0.0)
        if abs(then - now) > 0.5:
            differences.append(f"plan, year {year}: {stream} paid £{then:,.0f} then, £{now:,.0f} now")
    return differences


def _compare(old: Results, new: Results) -> list[str]:
    differences = []
    old_funded = {(r.id, r.level) for r in old.funded}
    new_funded = {(r.id, r.level) for r in new.funded}
    for ident, level in sorted(old_funded - new_funded):
        differences.append(f"funded set: {ident} ({level}) was funded and is not now")
    for ident, level in sorted(new_funded - old_funded):
        differences.append(f"funded set: {ident} ({level}) is funded now and was not")
    if abs(old.value - new.value) > 1e-6:
        differences.append(f"value: {old.value:.4f} then, {new.value:.4f} now")
    if abs(old.spend_gbp - new.spend_gbp) > 0.5:
        differences.append(f"spend: £{old.spend_gbp:,.0f} then, £{new.spend_gbp:,.0f} now")
    old_changes = {(r.id, r.change, round(r.difference_gbp)) for r in old.changes}
    new_changes = {(r.id, r.change, round(r.difference_gbp)) for r in new.changes}
    for ident, change, gbp in sorted(old_changes ^ new_changes):
        when = "then" if (ident, change, gbp) in old_changes else "now"
        differences.append(f"changes to what is funded today: {ident} {change} ({money(gbp)}) {when} only")
    old_rank = {r.id: (r.rank, r.score) for r in old.ranking}
    new_rank = {r.id: (r.rank, r.score) for r in new.ranking}
    for ident in sorted(set(old_rank) - set(new_rank)):
        differences.append(f"ranking: {ident} is no longer in the catalogue")
    for ident in sorted(set(new_rank) - set(old_rank)):
        differences.append(f"ranking: {ident} is new in the catalogue")
    for ident in sorted(set(old_rank) & set(new_rank)):
        (rank_then, score_then), (rank_now, score_now) = old_rank[ident], new_rank[ident]
        if rank_then != rank_now or abs(score_then - score_now) > 1e-6:
            differences.append(
                f"ranking: {ident} was rank {rank_then} (score {score_then:.4f}), now rank {rank_now} (score {score_now:.4f})"
            )
    return differences
