"""The board report's content, in plain English, from the same objects the page uses.

Everything here is plain text, tables of text and chart images: the DOCX and PDF writers lay it
out and never interpret it (no Markdown, HTML or formulas), so catalogue and user text is shown as
it was typed. Every figure about the decision comes from the decision record the report is built on,
so the paper and the record tell one story and ``python -m matrix replay`` reproduces it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from matrix.catalogue import Weights
from matrix.decision import (
    DecisionProblem,
    ScenarioResult,
    build_plan,
    compare,
    confirm_first_lines,
    estimated_shares,
    evaluate,
    figures_to_confirm,
    funded_estimated_share,
    group_summary,
    neutralise_cell,
    next_pound,
    number_word,
    run_monte_carlo,
    stability_table,
    status_quo_notice,
)
from matrix.persistence import DecisionRecord, Elicited, record_json
from matrix.report.charts import chart_label, spend_chart, value_chart
from scoring import DecisionError, money, score

# How sure we are that an intervention is funded, in words, from the share of draws that fund it.
FIRM, LIKELY = 0.9, 0.6
# Ranking scores closer than this (points out of 100) are called tied: the figures behind them are estimates.
TIE_POINTS = 1.0
MONTE_CARLO_DRAWS = 500
MONTE_CARLO_SEED = 20_261_122

FIELD_WORDS = {
    "annual_cost_gbp": "cost",
    "reach_per_year": "reach",
    "funded_today": "whether it is funded today",
    "delivery_risk": "delivery risk",
    "delivery_model": "delivery model",
    "prevention_tiers": "prevention tier",
    "target_group": "target group",
    "status": "status",
    "yef_impact_band": "YEF impact",
    "yef_impact_pct": "YEF impact (estimated reduction in violence)",
    "yef_evidence_rating": "YEF evidence rating",
}

CRITERION_WORDS = {
    "impact": "impact (how much it reduces violence, from the YEF Toolkit)",
    "reach": "reach (how many people it serves a year)",
    "cost": "cost (cheaper is better)",
    "risk": "risk (how safe a bet it is)",
}
# The kind each of those four phrases describes: a catalogue's own criterion with one of these ids is said by its label.
_SHIPPED_KINDS = {"impact": "yef_impact", "reach": "reach", "cost": "cost", "risk": "risk"}


def _field_words(problem: DecisionProblem, field: str) -> str:
    """A catalogue field in words: a rating or figure by what it is for, others from FIELD_WORDS."""
    kind, _, key = field.partition(".")
    if kind == "ratings" and key in problem.labels:
        return f"rating for {problem.criterion_words(key)}"
    if kind == "figures" and key:
        return f"figure '{key.replace('_', ' ')}'"
    return FIELD_WORDS.get(field, field.replace("_", " "))


def criterion_phrase(problem: DecisionProblem, criterion: str) -> str:
    """A criterion in words for the paper: the shipped four with what they measure, any other by its label."""
    if _SHIPPED_KINDS.get(criterion) == problem.catalogue.criterion(criterion).kind:
        return CRITERION_WORDS[criterion]
    return problem.criterion_words(criterion)


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    title: str
    png: bytes
    summary: str  # the text alternative: what the chart shows, in words


Block = str | Table | Figure


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    record_sha256: str
    facts: dict[str, str] = field(default_factory=dict)  # key figures, for tests and the page

    def text(self) -> str:
        """Every word of the report, in order (for checks and search)."""
        parts = [self.title, self.subtitle]
        for section in self.sections:
            parts.append(section.heading)
            for block in section.blocks:
                if isinstance(block, str):
                    parts.append(block)
                elif isinstance(block, Table):
                    parts += [block.caption, " | ".join(block.columns), *(" | ".join(r) for r in block.rows)]
                else:
                    parts += [block.title, block.summary]
        return "\n".join(parts)


def _cell(value: object) -> str:
    """A table cell as text a spreadsheet will not run if the table is pasted into one."""
    return str(neutralise_cell(str(value)))


def _people(count: float) -> str:
    return f"{round(count):,}"


def _count(number: int, thing: str) -> str:
    """ "1 participant", "5 participants"."""
    return f"{number:,} {thing}{'' if number == 1 else 's'}"


def _list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _certainty(share: float) -> str:
    if share >= FIRM:
        return f"{share:.0%}: firm"
    if share >= LIKELY:
        return f"{share:.0%}: likely"
    return f"{share:.0%}: a close call"


def headline(result: ScenarioResult) -> str:
    """The decision in one sentence, for the top of the page: what is funded, for how much, and its reach."""
    optimum = result.optimum
    changes = result.changes
    stopped, new = int((changes["change"] == "stopped").sum()), int((changes["change"] == "new").sum())
    against = f" Against what is funded today it stops {stopped} and starts {new}." if stopped or new else ""
    return (
        f"With {money(result.scenario.budget_gbp)} a year, the recommended set funds {len(optimum.chosen)} "
        f"interventions for {money(optimum.spend_gbp)}, reaching about {_people(optimum.reach)} people a year "
        f"(many figures behind it are estimates).{against}"
    )


def near_ties(order: Sequence[str], scores: Mapping[str, float], places: int = 10) -> list[tuple[str, str]]:
    """Neighbours among the first ``places`` of a ranking whose scores are less than ``TIE_POINTS`` apart:
    closer than the estimated figures behind them can tell, so to be called tied, not ranked."""
    first = list(order[:places])
    return [(a, b) for a, b in pairwise(first) if abs(float(scores[a]) - float(scores[b])) < TIE_POINTS]


def record_identity(record: DecisionRecord) -> str:
    return hashlib.sha256(record_json(record)).hexdigest()


def board_report(problem: DecisionProblem, record: DecisionRecord, compared: Sequence[DecisionRecord] = ()) -> Report:
    """The board paper for one decision record (and up to three more to compare with)."""
    if problem.sha256 != record.catalogue.sha256:
        raise DecisionError("the record was made with a different catalogue; build the report from the record's own catalogue")
    scenario = record.scenario
    result = evaluate(problem, scenario)
    names = problem.names
    funded_ids = [row.id for row in record.results.funded]
    date = f"{record.created_at:%d %B %Y}"
    identity = record_identity(record)
    try:
        monte = run_monte_carlo(
            problem,
            scenario,
            record.monte_carlo.draws if record.monte_carlo else MONTE_CARLO_DRAWS,
            record.monte_carlo.seed if record.monte_carlo else MONTE_CARLO_SEED,
        )
        funded_share = (
            {str(i): float(v) for i, v in monte.funded_probability.items()} if monte.funded_probability is not None else {}
        )
    except DecisionError:
        funded_share = {}
    sections = [
        Section("Summary", (_summary(problem, record, result, funded_share),)),
        Section("The weights and where they came from", _weights(problem, record)),
        Section("What is funded, and how sure we are", _funded(problem, record, result, funded_share)),
        Section(CHANGES_HEADING, _changes(problem, record, result)),
        Section("What limits the decision", _limits(problem, record, result)),
        Section("Caveats", _caveats(problem, record, result, funded_ids)),
        Section("Charts", _charts(problem, record, result, date)),
    ]
    if record.plan is not None:
        sections.insert(5, Section(PLAN_HEADING, _plan(problem, record)))
    if compared:
        sections.append(Section("Scenarios compared", _compared(problem, [record, *compared])))
    sections.append(Section("Appendix: how this was worked out, and how to check it", _appendix(problem, record, identity)))
    return Report(
        title=f"{scenario.name}: funding recommendation",
        subtitle=f"{problem.catalogue.title}. Prepared {date} by {record.created_by}.",
        sections=tuple(sections),
        record_sha256=identity,
        facts={
            "funded": str(len(funded_ids)),
            "spend": money(record.results.spend_gbp),
            "budget": money(scenario.budget_gbp),
            "reach": _people(result.optimum.reach),
            "names": "; ".join(names[i] for i in funded_ids),
        },
    )


# The kinds of change against what is funded today, in the order the summary and its table say them:
# how the summary says each (``{}`` is what changes) and whether it frees or costs money.
CHANGE_WORDS = {
    "stopped": ("stops {}", "freeing"),
    "reduced": ("moves {} to a cheaper level", "freeing"),
    "increased": ("moves {} to a dearer level", "costing"),
    "new": ("starts {}", "costing"),
}
NAMED_CHANGES = 4  # with more changes than this the summary counts them; the changes section names every one
CHANGES_HEADING = "Changes to what is funded today"


def _summary(problem: DecisionProblem, record: DecisionRecord, result: ScenarioResult, funded_share: Mapping[str, float]) -> str:
    """One paragraph: what is funded, for how much, its reach, how sure, and how it differs from what is funded
    today, with the money (each change is listed in its own section, ``_changes``)."""
    results, scenario = record.results, record.scenario
    left = scenario.budget_gbp * (1 - scenario.ringfence_share) - results.spend_gbp
    text = (
        f"With {money(scenario.budget_gbp)} a year, the recommended set funds {len(results.funded)} interventions for "
        f"{money(results.spend_gbp)} ({money(max(0.0, left))} left"
        + (f", and {scenario.ringfence_share:.0%} of the budget kept for evaluation" if scenario.ringfence_share else "")
        + f"), reaching about {_people(result.optimum.reach)} people a year. "
    )
    shares = [funded_share[row.id] for row in results.funded if row.id in funded_share]
    if shares and len(shares) == len(results.funded):
        firm, close = sum(v >= FIRM for v in shares), sum(v < LIKELY for v in shares)
        text += (
            f"Worked out again in many trials with the weights and the estimated figures varied, {firm} of them are "
            f"funded {FIRM:.0%} of the time or more (firm) and {close} less than {LIKELY:.0%} of the time (close calls). "
        )
    if not results.changes:
        return text + "It funds exactly what is funded today, at the same levels."
    changes = _ordered_changes(record)
    parts = []
    for kind, (words, effect) in CHANGE_WORDS.items():
        of_kind = [c for c in changes if c.change == kind]
        if of_kind:
            what = (
                _list([problem.names[c.id] for c in of_kind])
                if len(changes) <= NAMED_CHANGES
                else _count(len(of_kind), "intervention")
            )
            total = abs(sum(c.difference_gbp for c in of_kind))
            parts.append(words.format(what) + f" ({effect} {money(total)} a year)")
    freed = -sum(c.difference_gbp for c in changes if c.change in ("stopped", "reduced"))
    added = sum(c.difference_gbp for c in changes if c.change in ("increased", "new"))
    return (
        text
        + "Compared with what is funded today, it "
        + _list(parts)
        + f": {money(freed)} freed and {money(added)} newly committed. Each change is listed under "
        f"'{CHANGES_HEADING}'."
    )


@dataclass(frozen=True)
class _Change:
    id: str
    change: str
    difference_gbp: float


def _ordered_changes(record: DecisionRecord) -> list[_Change]:
    """The record's changes to what is funded today, stopped first, then reduced, increased and new
    (the record's order within each)."""
    order = list(CHANGE_WORDS)
    changes = [_Change(c.id, c.change, c.difference_gbp) for c in record.results.changes]
    return sorted(changes, key=lambda c: order.index(c.change))


def _changes(problem: DecisionProblem, record: DecisionRecord, result: ScenarioResult) -> tuple[Block, ...]:
    """Every change to what is funded today: the level and cost today and recommended, and the money."""
    if not record.results.changes:
        return ("The recommended set funds exactly what is funded today, at the same levels.",)
    levels = {str(r["id"]): r for r in result.changes.to_dict(orient="records")}
    rows = []
    for change in _ordered_changes(record):
        row = levels[change.id]
        today = f"{row['level today']}, {money(float(row['cost today £']))}" if row["level today"] else "not funded"
        now = f"{row['level now']}, {money(float(row['cost now £']))}" if row["level now"] else "not funded"
        difference = change.difference_gbp
        effect = f"frees {money(-difference)}" if difference < 0 else f"costs {money(difference)}"
        rows.append((_cell(problem.names[change.id]), change.change, _cell(today), _cell(now), effect))
    return (
        Table(
            "Each change, with its level and cost a year today and as recommended",
            ("intervention", "change", "funded today", "recommended", "money a year"),
            tuple(rows),
        ),
    )


def _weights(problem: DecisionProblem, record: DecisionRecord) -> tuple[Block, ...]:
    weights = record.scenario.weights.as_dict()
    total = sum(weights.values())
    shares = {c: w / total for c, w in weights.items()}
    preset = next((p for p in problem.catalogue.presets if p.weights.as_dict() == weights), None)
    participants = record.participants
    if participants:
        where = (
            f"These are the group's weights from a workshop of {_count(len(participants), 'participant')}, each of "
            "whom set their own: the group's weight for each criterion is the average of theirs."
        )
    elif record.elicited is not None:
        where = f"{record.created_by} set these weights by {_elicitation(problem, record.elicited)}"
    elif preset is not None:
        where = f"These are the '{preset.label}' weights set out in the catalogue."
    else:
        where = f"These weights were set by {record.created_by}."
    blocks: list[Block] = [
        f"Each intervention is scored from 0 to 100 on {number_word(len(problem.criteria))} things, and the scores are "
        "added up with these weights: "
        + _list([f"{criterion_phrase(problem, c)} {shares.get(c, 0.0):.0%}" for c in problem.criteria])
        + ". "
        + where
        + (" The cost of each intervention is also counted as a benefit." if record.scenario.include_cost else "")
    ]
    if participants:
        blocks += _workshop(problem, [(p.name, p.weights) for p in participants], shares)
    return tuple(blocks)


def _elicitation(problem: DecisionProblem, elicited: Elicited) -> str:
    """How the weights were elicited, in words, from the answers the record keeps."""
    labels = problem.labels
    if elicited.method == "swing weighting":
        rated = [f"{labels.get(c, c)} {elicited.ratings.get(c, 100):g}" for c in elicited.order]
        return (
            "swing weighting: each criterion's move from the worst to the best intervention was put in order of "
            "importance and rated against the most important (100): " + _list(rated) + "."
        )
    return (
        f"answering {_count(len(elicited.answers), 'trade-off question')} ('which of two interventions would you "
        "rather fund?'); the weights are the middle of those that agree with every answer."
    )


def _workshop(problem: DecisionProblem, participants: Sequence[tuple[str, Weights]], shares: Mapping[str, float]) -> list[Block]:
    """The workshop's weights: the group's (the participants' average), the lowest and highest anyone gave and
    the spread, the figures the facilitator saw (``group_summary``), each rounded once here; names are left out."""
    summary = {
        str(criterion): {str(k): float(v) for k, v in row.items()}
        for criterion, row in group_summary(participants, decimals=None, criteria=problem.criteria)
        .to_dict(orient="index")
        .items()
    }
    rows = tuple(
        (
            criterion,
            f"{summary[criterion]['mean %']:.0f}%",
            f"{summary[criterion]['lowest %']:.0f}%",
            f"{summary[criterion]['highest %']:.0f}%",
            f"{summary[criterion]['spread (sd, points)']:.0f} points",
        )
        for criterion in problem.criteria
    )
    by_spread = sorted(problem.criteria, key=lambda c: summary[c]["spread (sd, points)"])
    least, most = by_spread[0], by_spread[-1]
    text = (
        f"People disagreed most about {most}: from {summary[most]['lowest %']:.0f}% to {summary[most]['highest %']:.0f}%"
        + (f", and least about {least}." if summary[least]["spread (sd, points)"] < summary[most]["spread (sd, points)"] else ".")
        + " The spread is the typical distance, in percentage points, between one person's weight and the group's "
        "(the standard deviation)."
    )
    blocks: list[Block] = [
        text,
        Table(
            f"The workshop's weights ({_count(len(participants), 'participant')})",
            ("criterion", "group's weight", "lowest", "highest", "spread"),
            rows,
        ),
    ]
    if any(abs(summary[c]["mean %"] - shares.get(c, 0.0) * 100) >= 0.5 for c in problem.criteria):
        blocks.append(
            "The weights used were fixed when the workshop closed and differ from the average of the participants "
            "shown here: weights erased after the close are not shown."
        )
    return blocks


def _funded(
    problem: DecisionProblem, record: DecisionRecord, result: ScenarioResult, funded_share: dict[str, float]
) -> tuple[Block, ...]:
    info = problem.info
    chosen = result.optimum.chosen.set_index("intervention")
    rows = []
    for row in record.results.funded:
        item = info.loc[row.id]
        level = str(chosen.loc[row.id, "level_label"]) if row.id in chosen.index else row.level
        rows.append(
            (
                _cell(item["name"]),
                _cell(level),
                money(row.annual_cost_gbp),
                _cell(str(item["prevention_tiers"]).replace(";", ",")),
                _cell(f"impact {item['yef_impact']}; evidence {item['yef_evidence']}" if item["yef_strand"] else "no YEF strand"),
                _certainty(funded_share[row.id]) if row.id in funded_share else "not worked out",
            )
        )
    blocks: list[Block] = [
        Table(
            "The recommended set",
            (
                "intervention",
                "level",
                "cost a year",
                "prevention tier",
                "YEF Toolkit evidence",
                "how sure (share of trials that fund it)",
            ),
            tuple(rows),
        ),
        "How sure: the decision was worked out again many times with the weights and the estimated figures varied "
        "within their uncertainty; the share is how often each intervention was still funded. 'Firm' is 90% or more, "
        "'likely' 60% or more, below that 'a close call'.",
    ]
    try:
        stable = stability_table(problem, record.scenario, 5)
    except DecisionError:
        stable = None
    if stable is not None:
        ranges = [
            f"{row['criterion']} between {row['funded set stable from %']:.0f}% and {row['funded set stable to %']:.0f}% "
            f"(now {row['weight now %']:.0f}%)"
            for row in stable.to_dict(orient="records")
        ]
        blocks.append(
            "The same set is recommended as long as each weight on its own stays within these ranges: " + _list(ranges) + "."
        )
    ranking = sorted(record.results.ranking, key=lambda r: r.rank)
    pairs = near_ties([r.id for r in ranking], {r.id: r.score for r in ranking})
    ties = [f"{problem.names[a]} and {problem.names[b]}" for a, b in pairs]
    if ties:
        blocks.append(
            "Effectively tied (scores less than one point apart, closer than the figures behind them can tell): "
            + "; ".join(ties)
            + "."
        )
    return tuple(blocks)


def _limits(problem: DecisionProblem, record: DecisionRecord, result: ScenarioResult) -> tuple[Block, ...]:
    """The rules at their limit, and what the next £50,000 would buy and the last £50,000 would lose."""
    binding = list(result.optimum.binding)
    blocks: list[Block] = [
        ("What stops more being funded: " + "; ".join(binding) + ".") if binding else "No rule is at its limit."
    ]
    try:
        table = next_pound(problem, record.scenario, (50_000, -50_000))
    except DecisionError:
        return tuple(blocks)
    for row in table.to_dict(orient="records"):
        step = float(row["budget change £"])
        opening = f"With {money(abs(step))} {'more' if step > 0 else 'less'} (a budget of {money(float(row['budget £']))})"
        if row.get("outcome"):
            blocks.append(f"{opening}, the rules could not all be met: {row['outcome']}.")
            continue
        added, removed, relevelled = (str(row.get(k) or "") for k in ("added", "removed", "level changed"))
        changes = [
            *([f"add {added}"] if added else []),
            *([f"drop {removed}"] if removed else []),
            *([f"change the level of {relevelled}"] if relevelled else []),
        ]
        blocks.append(
            f"{opening}, the recommended set would "
            + (_list(changes) if changes else "stay the same")
            + f", spending {money(float(row['spend £']))}."
        )
    return tuple(blocks)


def _caveats(
    problem: DecisionProblem, record: DecisionRecord, result: ScenarioResult, funded_ids: list[str]
) -> tuple[Block, ...]:
    scenario = record.scenario
    shares = estimated_shares(problem, score(problem.values, scenario.weights.as_dict(), scenario.normalisation))
    blocks: list[Block] = [
        "The set is the best one for the figures in the catalogue, worked out exactly. But many of those figures are "
        f"estimates: {funded_estimated_share(result):.0%} of the recommended set's total benefit rests on illustrative "
        "(our estimate), unconfirmed (found in no source) or missing figures. The table shows, for each funded "
        "intervention, how much of its score rests on them and which figures they are."
    ]
    notice = status_quo_notice(problem)
    if notice:
        blocks.append(notice)
    rows = []
    for ident in funded_ids:
        flags = str(problem.info.loc[ident, "provenance_flags"])
        pairs = [f.split(":", 1) for f in flags.split(";") if ":" in f]
        words = "; ".join(f"{_field_words(problem, field)} {kind}" for field, kind in pairs)
        rows.append((_cell(problem.names[ident]), f"{float(shares[ident]):.0%}", _cell(words or "none")))
    if rows:
        blocks.append(
            Table(
                "How much of each funded intervention's score rests on estimates",
                ("intervention", "share of its score", "figures not confirmed by a source"),
                tuple(rows),
            )
        )
    try:
        lines = confirm_first_lines(figures_to_confirm(problem, scenario))
    except DecisionError:
        lines = []
    if lines:
        blocks.append(
            "Confirm these figures first. Each could change the recommended set or the top five on its own, somewhere "
            "within the range it could plausibly take (the range the trials above draw almost all their values from); "
            "the ones that could change most come first:"
        )
        blocks.extend(lines)
    else:
        blocks.append(
            "No single estimated figure could change the recommended set or the top five on its own, anywhere within "
            "the range it could plausibly take."
        )
    if result.harmful_excluded:
        blocks.append(
            "Left out because the YEF Toolkit rates the approach as harmful: "
            + _list([problem.names[i] for i in result.harmful_excluded])
            + "."
        )
    for ident, reason in record.scenario.harmful_overrides.items():
        blocks.append(f"Allowed although rated harmful: {problem.names.get(ident, ident)}. The reason given: {reason}")
    return tuple(blocks)


def _charts(problem: DecisionProblem, record: DecisionRecord, result: ScenarioResult, date: str) -> tuple[Block, ...]:
    label = chart_label(record.scenario.name, date, problem.sha256)
    blocks: list[Block] = []
    for chart in (value_chart(problem, result, label), spend_chart(result, label)):
        if chart is not None:
            blocks.append(Figure(*chart))
    return tuple(blocks)


PLAN_HEADING = "Over several years and the funding streams"


def _plan(problem: DecisionProblem, record: DecisionRecord) -> tuple[Block, ...]:
    """The plan the record keeps: its settings and sentences, and each year's payments by stream (the record's)."""
    kept = record.plan
    assert kept is not None
    settings = kept.settings
    result = build_plan(problem, record.scenario, settings)
    names = result.stream_names
    intro = (
        f"The best plan over {settings.years} year(s), with the money as each funding stream provides it"
        + (f", costs rising {settings.inflation:.1%} a year" if settings.inflation else "")
        + (f", and contracts of at least {settings.min_contract_years} years" if settings.min_contract_years > 1 else "")
        + ". Every rule of the scenario holds in every year."
    )
    totals: dict[tuple[int, str], float] = {}
    for row in kept.payments:
        totals[(row.year, row.stream)] = totals.get((row.year, row.stream), 0.0) + row.amount_gbp
    rows = tuple(
        (result.year_label(year), _cell(names.get(stream, stream)), money(amount))
        for (year, stream), amount in sorted(totals.items())
    )
    return (
        intro,
        *[line.strip() for line in result.in_words()],
        Table("What each funding stream pays, year by year", ("year", "funding stream", "paid"), rows),
    )


def _compared(problem: DecisionProblem, records: Sequence[DecisionRecord]) -> tuple[Block, ...]:
    results = [evaluate(problem, r.scenario) for r in records]
    _, totals = compare(results)
    rows = tuple(
        (
            _cell(row["scenario"]),
            money(float(row["budget £"])),
            money(float(row["spend £"])),
            str(int(row["funded"])),
            _people(float(row["reach a year"])),
        )
        for row in totals.to_dict(orient="records")
    )
    membership, _ = compare(results)
    funded_rows = tuple(
        (_cell(row["name"]), *(_cell(v or "-") for k, v in row.items() if k != "name"))
        for row in membership.to_dict(orient="records")
    )
    return (
        Table(
            "The scenarios side by side", ("scenario", "budget", "spend", "interventions funded", "people reached a year"), rows
        ),
        Table("What each scenario funds (level, or - if not funded)", ("intervention", *membership.columns[1:]), funded_rows),
    )


def _appendix(problem: DecisionProblem, record: DecisionRecord, identity: str) -> tuple[Block, ...]:
    sources = tuple((_cell(s.title), _cell(s.publisher), _cell(s.date), _cell(s.location)) for s in problem.catalogue.sources)
    scenario = record.scenario
    scale = (
        "on fixed scales set out in the catalogue (for example, cost from £5,000 scoring 100 to £500,000 scoring 0)"
        if scenario.normalisation == "value_functions"
        else "relative to the other interventions (the best scores 100, the worst 0)"
    )
    cost = None if problem.cost_position is None else problem.criteria[problem.cost_position]
    if cost is None:
        benefit = f"all {number_word(len(problem.criteria))} weighted scores"
    elif scenario.include_cost:
        benefit = f"all {number_word(len(problem.criteria))} weighted scores, as this scenario chose to count cost twice"
    else:
        others = [c for c in problem.criteria if c != cost]
        benefit = f"its weighted scores for {problem.listed(others)} only (cost is left out because the budget already counts it)"
    draws = record.monte_carlo.draws if record.monte_carlo else MONTE_CARLO_DRAWS
    seed = record.monte_carlo.seed if record.monte_carlo else MONTE_CARLO_SEED
    return (
        f"Each intervention gets a score from 0 to 100 for {problem.listed()}, "
        + scale
        + f". Its overall score, which orders the ranking, adds up the {number_word(len(problem.criteria))} with the "
        "weights. Its benefit, which the "
        f"recommended set adds up, is {benefit}. The recommended set is the combination of interventions, within the "
        "budget and the rules, whose benefits add up to the most; every combination is considered, not just the best "
        "value for money one by one, and of two equally good combinations the cheaper is chosen. Scores less than one "
        f"point apart are called effectively tied. 'How sure' comes from {draws:,} trials (starting number {seed}, so "
        "the same record always gives the same shares), each with the weights and the estimated figures varied within "
        "their uncertainty.",
        Table("Sources", ("title", "publisher", "date", "where"), sources),
        f"Catalogue version (SHA-256): {problem.sha256}.",
        f"Decision record (SHA-256): {identity}, made {record.created_at:%d %B %Y %H:%M} UTC by {record.created_by}, "
        f"app version {record.app_version}. The record is the file this paper was built from (downloaded with it, or "
        "written beside it by the command line); it holds the catalogue, the scenario and the results, and "
        "'python -m matrix replay RECORD.json' works the decision out again from it and says whether anything differs.",
    )
