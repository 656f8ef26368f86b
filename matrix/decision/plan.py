"""Multi-year plans for a scenario: the catalogue's funding streams (or its budget), the scenario's
constraints each year, contracts and stream changes ("what if the EIYF ends in year two"), solved
exactly by ``scoring.plan_years`` and explained in words.

A ``PlanSettings`` is plain data beside a ``Scenario``: the horizon, the first financial year,
inflation, contracts, and changes to the streams. ``build_plan`` turns the catalogue's streams
into per-year amounts and eligibility, the scenario into rules (``funding_rules``: must, must not,
harmful, tier shares, ring-fence, keeping today's set) and returns a ``PlanResult`` with the
year-by-stream table and the answers in words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

import pandas as pd
import tomli
from pydantic import Field, ValidationError

from matrix.catalogue import FULL_LEVEL, Catalogue, FinancialYear, FundingStream, Identifier, Intervention, Strict
from matrix.decision.problem import DecisionProblem
from matrix.decision.scenario import Scenario, ScenarioError, funding_rules, scenario_options
from scoring import MAX_YEARS, Plan, PlanRules, Problem, Stream, money, plan_years

BUDGET_STREAM = "budget"
MAX_NEW_STREAMS = 10  # new streams one plan may add (each is solved for; a link must not ask for hundreds)
Years = Annotated[int, Field(ge=1, le=MAX_YEARS)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class PlanSettings(Strict):
    """What a plan adds to a scenario. Years are plan years (1 = the first). ``stream_ends``: the plan
    year from which a stream pays nothing; ``stream_cuts``: the share of a stream's amount cut in every
    year; ``new_streams``: extra money (GBP a year, every year) that may pay for anything (at most
    MAX_NEW_STREAMS); ``not_before``: the first plan year an intervention may be funded (a service not
    ready sooner; past the plan's last year, not funded in it at all)."""

    years: Years = 3
    start_year: FinancialYear | None = None
    inflation: Annotated[float, Field(ge=0, le=0.5)] = 0.0
    min_contract_years: Years = 1
    committed_years: dict[Identifier, Annotated[int, Field(ge=0, le=MAX_YEARS)]] = Field(default_factory=dict)
    early_stop: tuple[Identifier, ...] = ()
    stream_ends: dict[Identifier, Years] = Field(default_factory=dict)
    stream_cuts: dict[Identifier, Fraction] = Field(default_factory=dict)
    new_streams: dict[Identifier, Annotated[float, Field(ge=0, le=1e10)]] = Field(
        default_factory=dict, max_length=MAX_NEW_STREAMS
    )
    not_before: dict[Identifier, Years] = Field(default_factory=dict)


def _fy_start(year: str) -> int:
    return int(year[:4])


def _financial_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def plan_stream_ids(catalogue: Catalogue) -> list[tuple[str, str]]:
    """The streams a plan's ends and cuts may name, as (id, name): the catalogue's, or its budget when it has none."""
    return [(s.id, s.name) for s in catalogue.funding_streams] or [(BUDGET_STREAM, "Budget")]


def eligible_interventions(catalogue: Catalogue, stream: FundingStream) -> frozenset[str]:
    """The interventions a stream may pay for: those meeting every rule it gives (see the schema)."""
    rules = stream.eligible

    def meets(item: Intervention) -> bool:
        if rules.tiers is not None and not set(rules.tiers) & set(item.prevention_tiers.value):
            return False
        if rules.delivery_models is not None and not set(rules.delivery_models) & set(item.delivery_model.value):
            return False
        if rules.target_groups is not None and item.target_group.value not in rules.target_groups:
            return False
        if rules.interventions is not None and item.id not in rules.interventions:
            return False
        return rules.areas is None or any(re.search(rf"\b{re.escape(area)}\b", item.area, re.IGNORECASE) for area in rules.areas)

    return frozenset(item.id for item in catalogue.interventions if meets(item))


def _year_words(financial_years: tuple[str | None, ...], year: int) -> str:
    """A plan year in words: "year 2 (2021/22)", or "year 2" when the plan's financial years are not known."""
    fy = financial_years[year - 1]
    return f"year {year}" + (f" ({fy})" if fy else "")


@dataclass(frozen=True)
class PlanResult:
    """A plan for a scenario, its streams in words and its year-by-stream table."""

    scenario: Scenario
    settings: PlanSettings
    plan: Plan
    financial_years: tuple[str | None, ...]
    stream_names: dict[str, str]
    names: dict[str, str]
    level_labels: dict[str, str]
    changes_in_words: tuple[str, ...]
    funded_today: frozenset[str]

    def year_label(self, year: int) -> str:
        return _year_words(self.financial_years, year)

    @cached_property
    def table(self) -> pd.DataFrame:
        """Year by stream: one row per stream paying towards an intervention in a year, with the money."""
        plan = self.plan
        cost = {(int(r["year"]), str(r["option"])): float(r["cost_gbp"]) for r in plan.chosen.to_dict("records")}
        rows = []
        for pay in plan.payments.to_dict("records"):
            year, option, ident, stream = int(pay["year"]), str(pay["option"]), str(pay["intervention"]), str(pay["stream"])
            rows.append(
                {
                    "year": year,
                    "financial_year": self.financial_years[year - 1] or "",
                    "stream": stream,
                    "stream_name": self.stream_names[stream],
                    "id": ident,
                    "name": self.names[ident],
                    "level": self.level_labels[option],
                    "change": self.change(year, ident),
                    "paid_gbp": round(float(pay["amount_gbp"]), 2),
                    "cost_gbp": round(cost[(year, option)], 2),
                }
            )
        columns = ["year", "financial_year", "stream", "stream_name", "id", "name", "level", "change", "paid_gbp", "cost_gbp"]
        return pd.DataFrame(rows, columns=columns).sort_values(["year", "stream", "id"], kind="stable", ignore_index=True)

    def change(self, year: int, ident: str) -> str:
        """An intervention's change in a year against the year before (today before year 1): new, continued,
        changed level; '' when not funded."""
        now = self.plan.chosen[(self.plan.chosen["year"] == year) & (self.plan.chosen["intervention"] == ident)]
        if now.empty:
            return ""
        if year == 1:
            before = {FULL_LEVEL} if ident in self.funded_today else set()
        else:
            earlier = self.plan.chosen[(self.plan.chosen["year"] == year - 1) & (self.plan.chosen["intervention"] == ident)]
            before = set(earlier["level"])
        if not before:
            return "new"
        return "continued" if set(now["level"]) == before else "changed level"

    def stopped(self, year: int) -> tuple[str, ...]:
        """Interventions funded the year before (today before year 1) and not in this year."""
        now = set(self.plan.funded_in(year))
        before = set(self.funded_today) if year == 1 else set(self.plan.funded_in(year - 1))
        return tuple(sorted(before - now))

    def committed_later(self) -> dict[int, float]:
        """Money each later year owes to contracts started or continued before it (GBP, at the plan's levels)."""
        owed: dict[int, float] = {}
        for year in range(2, self.plan.rules.years + 1):
            total = 0.0
            for row in self.plan.chosen[self.plan.chosen["year"] == year].to_dict("records"):
                ident = str(row["intervention"])
                length = self.plan.rules.contract_years(ident)
                start = year
                while start > 1 and ident in self.plan.funded_in(start - 1):
                    start -= 1
                held = year < start + length and start < year
                if held or year <= self.plan.rules.committed(ident):
                    total += float(row["cost_gbp"])
            owed[year] = total
        return owed

    def in_words(self) -> list[str]:
        """The plan in sentences: the streams' changes, each year's spend and who pays, what is owed later,
        which stream runs out first and what stops."""
        plan = self.plan
        lines = list(self.changes_in_words)
        for year in range(1, plan.rules.years + 1):
            money_rows = plan.money[plan.money["year"] == year]
            payers = [
                f"{self.stream_names[str(r['stream'])]} {money(float(r['paid_gbp']))} of {money(float(r['available_gbp']))}"
                for r in money_rows.to_dict("records")
                if float(r["available_gbp"]) > 0
            ]
            lines.append(
                f"{self.year_label(year).capitalize()}: {len(plan.funded_in(year))} interventions for "
                f"{money(plan.spend_gbp(year))}; paid by " + ("; ".join(payers) or "no stream") + "."
            )
            stopped = self.stopped(year)
            if stopped:
                lines.append(f"  Stops in {self.year_label(year)}: {', '.join(self.names[i] for i in stopped)}.")
        owed = {y: v for y, v in self.committed_later().items() if v > 0}
        if owed:
            lines.append(
                "Already owed under contracts running into later years: "
                + "; ".join(f"{money(v)} in {self.year_label(y)}" for y, v in owed.items())
                + "."
            )
        spent = plan.money[(plan.money["available_gbp"] > 0) & (plan.money["left_gbp"] < 1.0)]
        if len(spent):
            first = spent.iloc[0]
            where = self.year_label(int(first["year"]))
            lines.append(f"First to run out: {self.stream_names[str(first['stream'])]}, all spent in {where}.")
        lines.append(f"Total over {plan.rules.years} year(s): value {plan.value:.1f}, cost {money(plan.cost_gbp)}.")
        return lines


def plan_streams(
    problem: DecisionProblem, scenario: Scenario, settings: PlanSettings
) -> tuple[tuple[Stream, ...], dict[str, frozenset[str]], tuple[str | None, ...], list[str]]:
    """The streams' amounts in each plan year and what each may pay for, the plan's financial years, and
    the scenario's stream changes in words. Without catalogue streams: the budget, every year, for everything."""
    catalogue = problem.catalogue
    everything = frozenset(problem.info.index)
    start_text = settings.start_year or catalogue.budget.year
    start = _fy_start(start_text) if start_text else None
    years = tuple(_financial_year(start + k) if start is not None else None for k in range(settings.years))
    words: list[str] = []
    sources: list[tuple[str, str, list[float], bool, frozenset[str]]] = []
    if not catalogue.funding_streams:
        amount = float(scenario.budget_gbp)
        sources.append((BUDGET_STREAM, "Budget", [amount] * settings.years, True, everything))
    for stream in catalogue.funding_streams:
        amounts = []
        for k in range(settings.years):
            open_year = True
            if stream.years.first is not None or stream.years.last is not None:
                if start is None:
                    raise ScenarioError(
                        [Problem(f"{stream.name} pays only in some financial years: give the plan's first financial year")]
                    )
                fy = start + k
                open_year = (stream.years.first is None or _fy_start(stream.years.first) <= fy) and (
                    stream.years.last is None or fy <= _fy_start(stream.years.last)
                )
            amounts.append(float(stream.amount_per_year_gbp.value) if open_year else 0.0)
        sources.append((stream.id, stream.name, amounts, stream.may_share, eligible_interventions(catalogue, stream)))
    known = {ident for ident, *_ in sources}
    problems = [
        Problem(f"{label}: no funding stream has the id '{ident}'; streams: {', '.join(sorted(known))}")
        for label, ids in (("stream end", settings.stream_ends), ("stream cut", settings.stream_cuts))
        for ident in ids
        if ident not in known
    ]
    problems += [Problem(f"new stream: '{ident}' is already a stream") for ident in settings.new_streams if ident in known]
    if problems:
        raise ScenarioError(problems)
    streams: list[Stream] = []
    eligible: dict[str, frozenset[str]] = {}
    for ident, name, amounts, may_share, allowed in sources:
        changed: list[float] = list(amounts)
        if ident in settings.stream_cuts:
            share = settings.stream_cuts[ident]
            changed = [a * (1 - share) for a in changed]
            words.append(f"What if {name} is cut by {share:.0%}: {money(max(changed, default=0.0))} a year at most.")
        if ident in settings.stream_ends:
            end = settings.stream_ends[ident]
            changed = [a if k + 1 < end else 0.0 for k, a in enumerate(changed)]
            paid = {1: "it pays nothing", 2: "it pays in year 1 only"}.get(end, f"it pays in years 1 to {end - 1} only")
            named = years[end - 1] if end <= len(years) else None
            words.append(f"What if {name} ends in year {end}{f' ({named})' if named else ''}: {paid}.")
        streams.append(Stream(ident, name, tuple(changed), may_share))
        eligible[ident] = allowed
    for ident, amount in settings.new_streams.items():
        streams.append(Stream(ident, ident, (float(amount),) * settings.years, True))
        eligible[ident] = everything
        words.append(f"What if a new stream '{ident}' brings {money(amount)} a year for anything.")
    if catalogue.funding_streams:
        words.insert(
            0, f"Money from the catalogue's {len(catalogue.funding_streams)} funding streams (the scenario's budget is not used)."
        )
    return tuple(streams), eligible, years, words


def build_plan(problem: DecisionProblem, scenario: Scenario, settings: PlanSettings) -> PlanResult:
    """The exact best plan for the scenario over the settings' years.

    Raises ScenarioError (ids, streams, years) or scoring.InfeasibleError (rules that cannot all hold,
    with the amounts per stream and year), each in words.
    """
    rules, _ = funding_rules(problem, scenario)
    known = set(problem.info.index)
    unknown = [
        f"{label}: no intervention has the id '{i}'"
        for label, ids in (
            ("committed", settings.committed_years),
            ("stop early", settings.early_stop),
            ("first year", settings.not_before),
        )
        for i in ids
        if i not in known
    ]
    if unknown:
        raise ScenarioError([Problem(p) for p in unknown])
    kept = [i for i in rules.must_fund if i not in scenario.must_fund and settings.not_before.get(i, 1) > 1]
    if kept:  # kept from today's funding (the scenario's "keep what is funded today"), not a must-fund the user set
        raise ScenarioError(
            [
                Problem(
                    f'{problem.names[i]} is funded today and kept every year ("keep what is funded today") '
                    f"but may not be funded before year {settings.not_before[i]}"
                )
                for i in kept
            ]
        )
    streams, eligible, years, words = plan_streams(problem, scenario, settings)
    options = scenario_options(problem, scenario)
    plan_rules = PlanRules(
        years=settings.years,
        streams=streams,
        eligible=eligible,
        inflation=settings.inflation,
        must_fund=rules.must_fund,
        must_not_fund=rules.must_not_fund,
        excluded_options=rules.excluded_options,
        tier_min_share=rules.tier_min_share,
        tier_max_share=rules.tier_max_share,
        ringfence_share=rules.ringfence_share,
        min_contract_years=dict.fromkeys(problem.info.index, settings.min_contract_years),
        committed_years=dict(settings.committed_years),
        early_stop=settings.early_stop,
        not_before=dict(settings.not_before),
    )
    plan = plan_years(options, plan_rules, problem.names)
    for year in sorted(set(settings.not_before.values())):
        held = ", ".join(problem.names[i] for i, y in settings.not_before.items() if y == year)
        if year <= settings.years:
            words.append(f"Not funded before {_year_words(years, year)}: {held}.")
        else:
            words.append(f"Not funded in this plan (not ready before year {year}): {held}.")
    return PlanResult(
        scenario=scenario,
        settings=settings,
        plan=plan,
        financial_years=years,
        stream_names={s.id: s.name for s in streams},
        names=problem.names,
        level_labels={str(o): str(label) for o, label in options["level_label"].items()},
        changes_in_words=tuple(words),
        funded_today=frozenset(options.loc[options["funded_today"].astype(bool), "intervention"]),
    )


def compare_plans(plans: list[tuple[str, PlanResult]]) -> pd.DataFrame:
    """Plans side by side, one row each under its label: the what-ifs, the total value and cost, each year's
    spend (blank past a plan's last year), each stream's payments over the plan, what contracts already owe
    in later years and which stream runs out first. Money in GBP; the streams are the plans' own, in order, by
    name (with the id where two share one)."""
    streams: dict[str, str] = {}
    for _, result in plans:
        for ident, name in result.stream_names.items():
            streams.setdefault(ident, name)
    shared = {name for name in streams.values() if list(streams.values()).count(name) > 1}
    streams = {ident: f"{name} ({ident})" if name in shared else name for ident, name in streams.items()}
    longest = max((result.plan.rules.years for _, result in plans), default=0)
    rows = []
    for label, result in plans:
        plan = result.plan
        paid = plan.payments.groupby("stream")["amount_gbp"].sum() if len(plan.payments) else pd.Series(dtype=float)
        spent = plan.money[(plan.money["available_gbp"] > 0) & (plan.money["left_gbp"] < 1.0)]
        first_out = (
            f"{streams[str(spent.iloc[0]['stream'])]} ({result.year_label(int(spent.iloc[0]['year']))})" if len(spent) else "none"
        )
        what_if = [line for line in result.changes_in_words if line.startswith("What if")]
        row: dict[str, object] = {
            "plan": label,
            "years": plan.rules.years,
            "what if": "; ".join(what_if) or "the streams as the catalogue gives them",
            "value": round(plan.value, 1),
            "cost £": round(plan.cost_gbp, 2),
        }
        for year in range(1, longest + 1):
            row[f"year {year} spend £"] = round(plan.spend_gbp(year), 2) if year <= plan.rules.years else None
        for ident, name in streams.items():
            row[f"paid by {name} £"] = round(float(paid.get(ident, 0.0)), 2)
        row["owed in later years £"] = round(sum(result.committed_later().values()), 2)
        row["first to run out"] = first_out
        rows.append(row)
    return pd.DataFrame(rows)


class PlanFile(Strict):
    """A plan as a file: the scenario and the plan's settings, as the app writes it and ``python -m matrix plan
    --scenario`` reads it (JSON, or TOML with ``[scenario]`` and ``[plan]`` tables)."""

    scenario: Scenario
    plan: PlanSettings = PlanSettings()


def plan_file_text(scenario: Scenario, settings: PlanSettings) -> str:
    """The plan's scenario file, as JSON."""
    return PlanFile(scenario=scenario, plan=settings).model_dump_json(indent=2) + "\n"


def read_plan_file(text: str, name: str) -> PlanFile:
    """A plan's scenario file read and checked; ScenarioError names each problem with its place in the file
    (its line for a TOML or JSON that cannot be read, its field otherwise)."""
    if name.lower().endswith(".toml"):
        try:
            data = tomli.loads(text)
        except tomli.TOMLDecodeError as error:
            raise ScenarioError([Problem(str(error), path=name)]) from None
        text = json.dumps(data)  # strict models take lists as JSON arrays, not as Python lists
    try:
        return PlanFile.model_validate_json(text)
    except ValidationError as error:
        raise ScenarioError(
            [
                Problem(
                    e["msg"]
                    .removeprefix("Value error, ")
                    .replace("Input should be", "must be")
                    .replace("Extra inputs are not permitted", "is not a setting a plan file can have"),
                    path=name,
                    location=".".join(str(p) for p in e["loc"]) or "the file",
                )
                for e in error.errors(include_url=False)
            ]
        ) from None
