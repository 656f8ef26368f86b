"""Schema version 2's ``[[criteria]]``: each kind loads and scores by hand-worked numbers, every refusal is said
with its file and place, version 1 migrates to identical results, and hostile criteria are attacked.

The small catalogue below has three interventions: alpha (mentoring strand, 21% less violence, £50,000, 1,000
people, a pilot level at £10,000 for 100 people), beta (sports strand with evidence 4/5 and cost rating 3/3, no %,
£5,000 illustrative, reach unconfirmed) and gamma (no strand, £200,000, 20,000 people).
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from matrix.catalogue import (
    CatalogueError,
    LoadedCatalogue,
    catalogue_to_toml,
    load_catalogue,
    migrate_catalogue,
    parse_catalogue,
)
from matrix.decision import DecisionProblem, build_problem, default_scenario, evaluate, funding_table
from scoring import WeightsError, score
from tests.conftest import ROOT, run_cli
from tests.matrix.example import readme_example

SHOWN = "c.toml"

HEAD = """schema_version = 2
title = "Criteria test"
default_preset = "balanced"

[[sources]]
id = "plan"
title = "Local response plan"
publisher = "Example Community Safety Partnership"
date = "2024-01"
location = "plan.pdf"

[budget]
annual_budget_gbp = { value = 100000, source = "plan" }

[[presets]]
id = "balanced"
label = "Balanced"
description = "Every criterion counts the same."
weights = @WEIGHTS@
"""

IMPACT = """
[[criteria]]
id = "impact"
kind = "yef_impact"
direction = "more_is_better"
label = "Impact"
question = "How much does it reduce violence?"
weight_help = "How much impact counts."
percent_points = [[0.0, 10.0], [50.0, 100.0]]
band_points = { high = 85, moderate = 60, low = 35, no_clear_evidence = 15, harmful = 0, unknown = 15 }
partial_fit_share = 0.5
"""
REACH = """
[[criteria]]
id = "reach"
kind = "reach"
direction = "more_is_better"
label = "Reach"
question = "How many people a year?"
weight_help = "How much reach counts."
points = [[10.0, 0.0], [100000.0, 100.0]]
tier_points = { primary = 60, secondary = 35, tertiary = 15 }
"""
COST = """
[[criteria]]
id = "cost"
kind = "cost"
direction = "less_is_better"
label = "Cost"
question = "How cheap is it?"
weight_help = "How much low cost counts."
points = [[5000.0, 100.0], [500000.0, 0.0]]
"""
RISK = """
[[criteria]]
id = "risk"
kind = "risk"
direction = "less_is_better"
label = "Risk"
question = "How safe a bet is it?"
weight_help = "How much low risk counts."
evidence_rating_penalty = [35.0, 25.0, 15.0, 5.0, 0.0]
evidence_words_penalty = { very_high = 0, high = 5, moderate = 15, low = 25, very_low = 35, unknown = 30 }
harmful_penalty = 100.0
delivery_risk_penalty = { low = 0, medium = 10, high = 20 }
unconfirmed_impact_penalty = 10.0
partial_fit_penalty = 10.0
"""

TAIL = """
[uncertainty]
impact_sd_by_rating = [18.0, 14.0, 10.0, 6.0, 4.0]
impact_sd_by_words = { very_high = 4, high = 6, moderate = 10, low = 14, very_low = 18, unknown = 16 }
unconfirmed_impact_extra_sd = 8.0
partial_fit_extra_sd = 8.0
sourced_sd = 3.0
illustrative_sd = 8.0
unconfirmed_sd = 12.0
risk_sd = 5.0

[[yef_strands]]
id = "mentoring"
name = "Mentoring"
impact_band = { value = "moderate", source = "illustrative" }
impact_pct = { value = 21.0, source = "illustrative" }
evidence_rating = { source = "unconfirmed" }
evidence_words = { source = "unconfirmed" }
cost_rating = { source = "unconfirmed" }
checked = 2026-01-01

[[yef_strands]]
id = "sports"
name = "Sports programmes"
impact_band = { value = "high", source = "plan" }
impact_pct = { source = "unconfirmed" }
evidence_rating = { value = 4, source = "plan" }
evidence_words = { source = "unconfirmed" }
cost_rating = { value = 3, source = "plan" }
checked = 2026-01-01

[[interventions]]
id = "alpha"
name = "Alpha mentoring"
overview = "Mentoring."
area = "County"
named_in = ["plan"]
status = { value = "delivered", source = "plan" }
prevention_tiers = { value = ["secondary"], source = "plan" }
delivery_model = { value = ["early_intervention"], source = "plan" }
target_group = { value = "potentially_high_risk", source = "plan" }
annual_cost_gbp = { value = 50000, source = "plan" }
reach_per_year = { value = 1000, source = "plan" }
funded_today = { value = true, source = "plan" }
delivery_risk = { value = "low", source = "plan" }
yef_strand = "mentoring"
yef_fit = "direct"
@LEVELS@
@ALPHA@

[[interventions]]
id = "beta"
name = "Beta sport"
overview = "Sport."
area = "City"
named_in = ["plan"]
status = { value = "planned", source = "plan" }
prevention_tiers = { value = ["primary"], source = "plan" }
delivery_model = { value = ["prevention"], source = "plan" }
target_group = { value = "universal", source = "plan" }
annual_cost_gbp = { value = 5000, source = "illustrative" }
reach_per_year = { source = "unconfirmed" }
funded_today = { value = false, source = "plan" }
delivery_risk = { value = "medium", source = "plan" }
yef_strand = "sports"
yef_fit = "direct"
@BETA@

[[interventions]]
id = "gamma"
name = "Gamma therapy"
overview = "Therapy."
area = "City"
named_in = ["plan"]
status = { value = "proposed", source = "plan" }
prevention_tiers = { value = ["tertiary"], source = "plan" }
delivery_model = { value = ["therapeutic"], source = "plan" }
target_group = { value = "involved_in_violence", source = "plan" }
annual_cost_gbp = { value = 200000, source = "plan" }
reach_per_year = { value = 20000, source = "plan" }
funded_today = { value = false, source = "plan" }
delivery_risk = { value = "high", source = "plan" }
@GAMMA@
"""

# A pilot level for alpha (one line: TOML 1.0 inline tables may not span lines).
LEVELS = (
    'levels = [{ id = "pilot", label = "Pilot", annual_cost_gbp = { value = 10000, source = "plan" }, '
    'reach_per_year = { value = 100, source = "plan" } }]'
)


def old_shipped_text() -> bytes:
    """The shipped catalogue as it was in schema version 1, before commit 95e6892 ("Criteria as data")."""
    done = subprocess.run(
        ["git", "show", "95e6892~1:data/interventions.toml"], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"git show failed: {done.stderr.decode()}"
    return done.stdout


def toml_weights(weights: dict[str, float]) -> str:
    return "{ " + ", ".join(f"{key} = {value}" for key, value in weights.items()) + " }"


def catalogue(
    criteria: list[str], weights: dict[str, float] | None = None, alpha: str = "", beta: str = "", gamma: str = ""
) -> str:
    """A version 2 catalogue with these ``[[criteria]]`` blocks; every criterion weighs 10 unless told, and each
    intervention gets the extra lines given (its ratings and figures)."""
    if weights is None:
        weights = {ident: 10 for ident in re.findall(r'^id = "([^"]+)"', "".join(criteria), re.M)}
    head = HEAD.replace("@WEIGHTS@", toml_weights(weights))
    return (
        head
        + "".join(criteria)
        + TAIL.replace("@LEVELS@", LEVELS).replace("@ALPHA@", alpha).replace("@BETA@", beta).replace("@GAMMA@", gamma)
    )


def rating(ident: str = "equity", direction: str = "more_is_better", extra: str = "", label: str = "Equity of access") -> str:
    return f"""
[[criteria]]
id = "{ident}"
kind = "rating"
direction = "{direction}"
label = "{label}"
question = "How fair is access?"
weight_help = "How much equity counts."
{extra}
"""


def piecewise(ident: str, attribute: str, points: str, direction: str = "more_is_better", extra: str = "") -> str:
    return f"""
[[criteria]]
id = "{ident}"
kind = "piecewise_linear"
direction = "{direction}"
label = "{ident.title()}"
question = "How much?"
weight_help = "How much it counts."
attribute = "{attribute}"
points = {points}
{extra}
"""


def load(text: str) -> LoadedCatalogue:
    return parse_catalogue(text.encode("utf-8"), SHOWN)


def problem_of(text: str) -> DecisionProblem:
    loaded = load(text)
    return build_problem(loaded.catalogue, loaded.sha256, loaded.text)


def problems(text: str) -> list[str]:
    """The problems a catalogue is refused with, as printed (a CatalogueError and nothing else)."""
    with pytest.raises(CatalogueError) as caught:
        load(text)
    return [str(problem) for problem in caught.value.problems]


def rated(value: float, source: str = "plan", ident: str = "equity") -> str:
    return f'ratings = {{ {ident} = {{ value = {value}, source = "{source}" }} }}'


# Loading each kind alone ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "ident", "expected"),
    [
        # 10 + 21 x 90/50 = 47.8; beta's band high 85; gamma has no strand: unknown 15.
        (IMPACT, "impact", {"alpha": 47.8, "beta": 85.0, "gamma": 15.0}),
        # log10: 1,000 people = (3 - 1)/4 = 50; beta unknown, primary tier 60; 20,000 = (4.30103 - 1)/4.
        (REACH, "reach", {"alpha": 50.0, "beta": 60.0, "gamma": 82.52575}),
        # log10, cheaper better: £50,000 = 50; £5,000 = 100; £200,000 = 100 - 100 x (5.30103 - 3.69897)/2.
        (COST, "cost", {"alpha": 50.0, "beta": 100.0, "gamma": 19.897}),
        # 100 - penalties: alpha unknown evidence 30; beta 4/5 5 + medium 10; gamma 30 + high 20 + no strand 10.
        (RISK, "risk", {"alpha": 70.0, "beta": 85.0, "gamma": 40.0}),
    ],
)
def test_each_shipped_kind_alone(block: str, ident: str, expected: dict[str, float]) -> None:
    """A catalogue whose only criterion is one of the shipped kinds scores it as version 1 did, by hand."""
    problem = problem_of(catalogue([block]))
    assert problem.criteria == (ident,)
    assert problem.values[ident].round(5).to_dict() == pytest.approx(expected, abs=1e-3)


def test_a_rating_alone_both_directions() -> None:
    """A rating is used as it is with more_is_better, and as 100 minus it with less_is_better; its source is its
    provenance."""
    extra = {"alpha": rated(70), "beta": rated(20, "illustrative"), "gamma": rated(0)}
    up = problem_of(catalogue([rating()], **extra))
    assert up.values["equity"].to_dict() == {"alpha": 70.0, "beta": 20.0, "gamma": 0.0}
    assert up.inputs.at["alpha", "equity"] == "rated 70 of 100"
    assert up.provenance["equity"].to_dict() == {"alpha": "plan", "beta": "illustrative", "gamma": "plan"}
    assert up.estimated["equity"].to_dict() == {"alpha": False, "beta": True, "gamma": False}
    down = problem_of(catalogue([rating(direction="less_is_better")], **extra))
    assert down.values["equity"].to_dict() == {"alpha": 30.0, "beta": 80.0, "gamma": 100.0}
    assert down.inputs.at["alpha", "equity"] == "rated 70 of 100 (lower is better)"


def test_a_rating_missing_scores_its_missing_value_as_unconfirmed() -> None:
    """With missing_value 50, an unrated intervention scores 50, said in words and marked unconfirmed (an estimate)."""
    problem = problem_of(catalogue([rating(extra="missing_value = 50")], alpha=rated(90)))
    assert problem.values["equity"].to_dict() == {"alpha": 90.0, "beta": 50.0, "gamma": 50.0}
    assert problem.inputs.at["beta", "equity"] == "not rated; scored 50 by the catalogue's rule"
    assert problem.provenance.at["beta", "equity"] == "unconfirmed; missing rule"
    assert problem.estimated["equity"].to_dict() == {"alpha": False, "beta": True, "gamma": True}


# Piecewise linear on every attribute ----------------------------------------------------------------------------

FIGURES = {
    "alpha": 'figures = { places = { value = 10, source = "plan" }, waits = { value = 50, source = "illustrative" } }',
    "beta": 'figures = { places = { value = 100, source = "illustrative" }, waits = { source = "unconfirmed" } }',
    "gamma": 'figures = { places = { value = 400, source = "plan" } }',
}


@pytest.mark.parametrize(
    ("block", "values", "provenance"),
    [
        # Straight lines, less is better: £50,000 -> 50, £5,000 -> 95, £200,000 beyond the last point -> 0.
        (
            piecewise("money", "annual_cost_gbp", "[[0.0, 100.0], [100000.0, 0.0]]", "less_is_better"),
            {"alpha": 50.0, "beta": 95.0, "gamma": 0.0},
            {"alpha": "plan", "beta": "illustrative", "gamma": "plan"},
        ),
        # log10 from 10 (0) to 100,000 (100): 1,000 -> 50; beta's reach unknown -> missing_value 20.
        (
            piecewise(
                "people", "reach_per_year", "[[10.0, 0.0], [100000.0, 100.0]]", extra="log_scale = true\nmissing_value = 20"
            ),
            {"alpha": 50.0, "beta": 20.0, "gamma": 82.52575},
            {"alpha": "plan", "beta": "unconfirmed; missing rule", "gamma": "plan"},
        ),
        # £ a person, straight, less is better from 0 (100) to £100 (0): 50,000/1,000 = 50 -> 50; 200,000/20,000 = 10 -> 90.
        (
            piecewise("perhead", "cost_per_person", "[[0.0, 100.0], [100.0, 0.0]]", "less_is_better", extra="missing_value = 10"),
            {"alpha": 50.0, "beta": 10.0, "gamma": 90.0},
            {"alpha": "plan", "beta": "unconfirmed; missing rule", "gamma": "plan"},
        ),
        # YEF %: 21 -> 42; beta's % unconfirmed and gamma without a strand -> 5.
        (
            piecewise("pct", "yef_impact_pct", "[[0.0, 0.0], [50.0, 100.0]]", extra="missing_value = 5"),
            {"alpha": 42.0, "beta": 5.0, "gamma": 5.0},
            {"alpha": "illustrative", "beta": "unconfirmed; missing rule", "gamma": "unconfirmed; missing rule"},
        ),
        # YEF evidence 1 (0) to 5 (100): beta's 4 -> 75; the others not known -> 0.
        (
            piecewise("evid", "yef_evidence_rating", "[[1, 0], [5, 100]]", extra="missing_value = 0"),
            {"alpha": 0.0, "beta": 75.0, "gamma": 0.0},
            {"alpha": "unconfirmed; missing rule", "beta": "plan", "gamma": "unconfirmed; missing rule"},
        ),
        # YEF cost rating, less is better, 1 (100) to 3 (0): beta's 3 -> 0; the others -> 50.
        (
            piecewise("yefcost", "yef_cost_rating", "[[1, 100], [3, 0]]", "less_is_better", extra="missing_value = 50"),
            {"alpha": 50.0, "beta": 0.0, "gamma": 50.0},
            {"alpha": "unconfirmed; missing rule", "beta": "plan", "gamma": "unconfirmed; missing rule"},
        ),
        # A figure, straight, 0 (0) to 200 (100): 10 -> 5, 100 -> 50, 400 beyond the last point -> 100.
        (
            piecewise("places", "figures.places", "[[0, 0], [200, 100]]"),
            {"alpha": 5.0, "beta": 50.0, "gamma": 100.0},
            {"alpha": "plan", "beta": "illustrative", "gamma": "plan"},
        ),
        # The same figure on a log scale, 1 (0) to 1,000 (100): 10 -> 100/3, 100 -> 200/3, 400 -> 100 x log10(400)/3.
        (
            piecewise("logfig", "figures.places", "[[1, 0], [1000, 100]]", extra="log_scale = true"),
            {"alpha": 33.33333, "beta": 66.66667, "gamma": 86.73533},
            {"alpha": "plan", "beta": "illustrative", "gamma": "plan"},
        ),
        # A figure, less is better, 0 (100) to 200 (0): 50 -> 75; beta's is unconfirmed and gamma has none -> 40.
        (
            piecewise("waits", "figures.waits", "[[0, 100], [200, 0]]", "less_is_better", extra="missing_value = 40"),
            {"alpha": 75.0, "beta": 40.0, "gamma": 40.0},
            {"alpha": "illustrative", "beta": "unconfirmed; missing rule", "gamma": "unconfirmed; missing rule"},
        ),
    ],
    ids=[
        "cost-linear-less",
        "reach-log",
        "cost-per-person",
        "yef-pct",
        "yef-evidence",
        "yef-cost-less",
        "figure",
        "figure-log",
        "figure-less-missing",
    ],
)
def test_piecewise_linear_on_each_attribute(block: str, values: dict[str, float], provenance: dict[str, str]) -> None:
    """Each numeric attribute scores by straight lines between the points (in log10 x with log_scale), flat beyond
    the ends; an unknown figure scores missing_value with 'unconfirmed; missing rule' as its provenance."""
    problem = problem_of(catalogue([block], **FIGURES))
    [ident] = problem.criteria
    assert problem.values[ident].to_dict() == pytest.approx(values, abs=1e-4)
    assert problem.provenance[ident].to_dict() == provenance
    missing = {k for k, v in provenance.items() if v.endswith("missing rule")}
    assert {k for k, v in problem.estimated[ident].items() if v} >= missing


def test_piecewise_raw_inputs_in_words() -> None:
    """The raw input reads in the attribute's own words, in the criterion's unit, or as not known with the rule."""
    blocks = [
        piecewise("money", "annual_cost_gbp", "[[0.0, 100.0], [100000.0, 0.0]]", "less_is_better"),
        piecewise("places", "figures.places", "[[0, 0], [200, 100]]", extra='unit = "{x:,.0f} places"'),
        piecewise("waits", "figures.waits", "[[0, 100], [200, 0]]", "less_is_better", extra="missing_value = 40"),
    ]
    problem = problem_of(catalogue(blocks, **FIGURES))
    assert problem.inputs.loc["gamma"].to_dict() == {
        "money": "£200,000 a year",
        "places": "400 places",
        "waits": "waits not known; scored 40 by the catalogue's rule",
    }
    assert problem.inputs.at["alpha", "waits"] == "waits 50"


def test_levels_score_their_own_cost_and_reach() -> None:
    """A pilot level (£10,000, 100 people) scores its own cost and reach on piecewise criteria over those, and its
    intervention's values on a figure: £10,000 -> 90; 100 people -> 25 on log10 10..100,000; £100 a person -> 0."""
    blocks = [
        piecewise("money", "annual_cost_gbp", "[[0.0, 100.0], [100000.0, 0.0]]", "less_is_better"),
        piecewise("people", "reach_per_year", "[[10.0, 0.0], [100000.0, 100.0]]", extra="log_scale = true\nmissing_value = 20"),
        piecewise("perhead", "cost_per_person", "[[0.0, 100.0], [100.0, 0.0]]", "less_is_better", extra="missing_value = 10"),
        piecewise("places", "figures.places", "[[0, 0], [200, 100]]"),
    ]
    options = problem_of(catalogue(blocks, **FIGURES)).options
    assert options.loc["alpha/full", ["money", "people", "perhead", "places"]].tolist() == pytest.approx([50, 50, 50, 5])
    assert options.loc["alpha/pilot", ["money", "people", "perhead", "places"]].tolist() == pytest.approx([90, 25, 0, 5])


def test_kinds_together_give_the_hand_worked_score() -> None:
    """Weights by criterion id: equity 30 and cost 10 give alpha (90 x 30 + 50 x 10)/40 = 80, beta (50 missing x 30
    + 100 x 10)/40 = 62.5; the problem's criteria, labels, cost position and weight vector follow the catalogue."""
    loaded = load(catalogue([rating(extra="missing_value = 50"), COST], weights={"equity": 30, "cost": 10}, alpha=rated(90)))
    problem = build_problem(loaded.catalogue, loaded.sha256)
    assert problem.criteria == ("equity", "cost")
    assert problem.labels == {"equity": "Equity of access", "cost": "Cost"}
    assert problem.cost_position == 1
    weights = loaded.catalogue.presets[0].weights
    assert problem.weight_vector(weights).tolist() == [30.0, 10.0]
    result = score(problem.values, dict(zip(problem.criteria, problem.weight_vector(weights), strict=True)))
    assert result.scores.round(4).to_dict() == {"alpha": 80.0, "beta": 62.5, "gamma": pytest.approx(42.4743, abs=1e-4)}
    assert list(result.ranks.index) == ["alpha", "beta", "gamma"]


def test_weights_for_another_catalogues_criteria_are_refused_in_words() -> None:
    """Weights naming a criterion the catalogue lacks raise WeightsError naming it and the criteria there are."""
    loaded = load(catalogue([rating(extra="missing_value = 50"), COST]))
    problem = build_problem(loaded.catalogue, loaded.sha256)
    other = type(loaded.catalogue.presets[0].weights).model_validate({"impact": 10, "equity": 5})
    with pytest.raises(
        WeightsError,
        match="the weights name impact, which this catalogue does not have as a criterion; its criteria are equity, cost",
    ):
        problem.weight_vector(other)


def test_twelve_criteria_load_and_score() -> None:
    """Twelve criteria (the most allowed) load and each has its column, in the catalogue's order."""
    blocks = [rating(f"r{i}", extra=f"missing_value = {i * 5}") for i in range(12)]
    problem = problem_of(catalogue(blocks))
    assert problem.criteria == tuple(f"r{i}" for i in range(12))
    assert problem.values.loc["alpha"].tolist() == [i * 5.0 for i in range(12)]


# Refusals, each with its place in words ------------------------------------------------------------------------

R50 = rating(extra="missing_value = 50")
KINDS = "yef_impact, reach, cost, risk, piecewise_linear, rating"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            catalogue([R50.replace('kind = "rating"', 'kind = "magic"')]),
            [f"criteria[0].kind: must be one of {KINDS} (got 'magic')"],
        ),
        (catalogue([R50.replace('kind = "rating"\n', "")]), [f"criteria[0].kind: missing required key: one of {KINDS}"]),
        (
            catalogue([R50.replace('"more_is_better"', '"higher"')]),
            ["criteria[0].direction: must be 'more_is_better' or 'less_is_better' (got 'higher')"],
        ),
        (
            catalogue([R50], alpha='ratings = { fairness = { value = 10, source = "plan" } }'),
            ["interventions[0].ratings.fairness: no rating criterion has this id; rating criteria: equity"],
        ),
        (
            catalogue([COST], alpha='ratings = { equity = { value = 10, source = "plan" } }'),
            [
                "interventions[0].ratings.equity: no rating criterion has this id; "
                "rating criteria: none: this catalogue has no rating criterion"
            ],
        ),
        (
            catalogue([rating()], alpha=rated(10)),
            [
                f"interventions[{i}].ratings.equity: missing required key: criterion 'equity' rates every intervention "
                "(or give the criterion a missing_value)"
                for i in (1, 2)
            ],
        ),
        (
            catalogue(
                [piecewise("x", "figures.places", "[[0, 0], [10, 100]]")],
                alpha='figures = { places = { value = 3, source = "plan" } }',
                beta='figures = { places = { source = "unconfirmed" } }',  # value missing, source unconfirmed: still missing
            ),
            [
                f"interventions[{i}].figures.places: criterion 'x' scores this figure for every intervention: give it a value "
                "(or give the criterion a missing_value)"
                for i in (1, 2)
            ],
        ),
        (
            catalogue([R50, COST], weights={"equity": 10}),
            ["presets[0].weights.cost: missing required key: give a weight for every criterion (equity, cost)"],
        ),
        (
            catalogue([R50], weights={"equity": 10, "impact": 5}),
            ["presets[0].weights.impact: unknown key: no criterion has this id; the criteria are equity"],
        ),
        (
            catalogue([R50]).replace("schema_version = 2", "schema_version = 1"),
            ["criteria: [[criteria]] needs schema_version = 2 (version 1 has [scoring.*] tables instead)"],
        ),
        (
            catalogue([R50, R50], weights={"equity": 10}),
            [
                "criteria[0].id: duplicate id: 2 entries share it (got 'equity')",
                "criteria[1].id: duplicate id: 2 entries share it (got 'equity')",
            ],
        ),
        (
            catalogue([piecewise("x", "budget", "[[0, 0], [10, 100]]")]),
            [
                "criteria[0].attribute: must be one of annual_cost_gbp, reach_per_year, cost_per_person, yef_impact_pct, "
                "yef_evidence_rating, yef_cost_rating, or figures.<id> for a figure each intervention gives (got 'budget')"
            ],
        ),
        (
            catalogue([], weights={"equity": 10}),
            ["criteria: missing required key: schema_version 2 needs at least one [[criteria]] entry"],
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [nan, 100]]")]),
            ["criteria[0].points[1][0]: must be a finite number (got nan)"],
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, inf]]")]),
            ["criteria[0].points[1][1]: must be a finite number (got inf)"],
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 101]]")]),
            ["criteria[0].points[1][1]: must be less than or equal to 100 (got 101)"],
        ),
        (catalogue([R50], alpha=rated("nan")), ["interventions[0].ratings.equity.value: must be a finite number (got nan)"]),
        (catalogue([R50], alpha=rated("-inf")), ["interventions[0].ratings.equity.value: must be a finite number (got -inf)"]),
        (
            catalogue([R50], alpha=rated(1e300)),
            ["interventions[0].ratings.equity.value: must be less than or equal to 100 (got 1e+300)"],
        ),
        (
            catalogue(
                [piecewise("x", "figures.p", "[[0, 0], [10, 100]]", extra="missing_value = 1")],
                alpha='figures = { p = { value = 1e300, source = "plan" } }',
            ),
            ["interventions[0].figures.p.value: must be less than or equal to 1000000000000 (got 1e+300)"],
        ),
        (
            catalogue(
                [piecewise("x", "figures.p", "[[0, 0], [10, 100]]", extra="missing_value = 1")],
                alpha='figures = { p = { source = "plan" } }',
            ),
            ["interventions[0].figures.p: no value given: give one, or set source = \"unconfirmed\" (got {'source': 'plan'})"],
        ),
        (
            catalogue([R50], alpha=rated(5, "nowhere")),
            [
                "interventions[0].ratings.equity.source: unknown source; "
                'use one of plan, or "illustrative" or "unconfirmed" (got \'nowhere\')'
            ],
        ),
        (
            catalogue([rating(extra="missing_value = 101")]),
            ["criteria[0].missing_value: must be less than or equal to 100 (got 101)"],
        ),
        (catalogue([COST + "missing_value = 3\n"]), ["criteria[0].missing_value: unknown key (got 3)"]),
        (
            catalogue([rating(extra='missing_value = 5\nattribute = "annual_cost_gbp"')]),
            ["criteria[0].attribute: unknown key (got 'annual_cost_gbp')"],
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[10, 0], [5, 100]]")]),
            ["criteria[0].points: the x of each point must be larger than the one before (got ((10, 0), (5, 100)))"],
        ),
        (catalogue([R50], weights={"equity": '"10"'}), ["presets[0].weights.equity: must be a number, not text (got '10')"]),
    ],
    ids=[
        "unknown-kind",
        "missing-kind",
        "unknown-direction",
        "rating-for-unknown-criterion",
        "rating-without-rating-criteria",
        "missing-rating",
        "missing-figure",
        "preset-missing-weight",
        "preset-unknown-weight",
        "version-1-with-criteria",
        "duplicate-id",
        "attribute-not-allowed",
        "version-2-without-criteria",
        "nan-point",
        "inf-point-value",
        "point-value-over-100",
        "nan-rating",
        "minus-inf-rating",
        "huge-rating",
        "huge-figure",
        "figure-without-value-but-sourced",
        "rating-unknown-source",
        "missing-value-over-100",
        "missing-value-on-cost-kind",
        "attribute-on-a-rating",
        "points-x-falling",
        "weight-as-text",
    ],
)
def test_refusals_name_their_place(text: str, expected: list[str]) -> None:
    """Each problem is refused as a CatalogueError, printed as FILE: PLACE: words, and nothing else."""
    assert problems(text) == [f"{SHOWN}: {line}" for line in expected]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (catalogue([COST.replace('"less_is_better"', '"more_is_better"')]), 'a "cost" criterion has direction "less_is_better"'),
        (
            catalogue([IMPACT.replace('"more_is_better"', '"less_is_better"')]),
            'a "yef_impact" criterion has direction "more_is_better"',
        ),
        (
            catalogue([REACH.replace('"more_is_better"', '"less_is_better"')]),
            'a "reach" criterion has direction "more_is_better"',
        ),
        (catalogue([RISK.replace('"less_is_better"', '"more_is_better"')]), 'a "risk" criterion has direction "less_is_better"'),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 100], [10, 0]]")]),
            'direction is "more_is_better", so the points\' values must rise as x rises',
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 100]]", "less_is_better")]),
            'direction is "less_is_better", so the points\' values must fall as x rises',
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 100], [20, 50]]")]),
            "the points' values must rise or fall from the first point to the last, not both",
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 50], [10, 50]]")]),
            "the points' values must rise or fall from the first point to the last, not both",
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 100]]", extra="log_scale = true")]),
            "a log scale needs every x above zero",
        ),
        (
            catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 100]]", extra='unit = "{y} places"')]),
            "unit must be words with {x} where the figure goes",
        ),
    ],
    ids=[
        "cost-more",
        "impact-less",
        "reach-less",
        "risk-more",
        "points-fall",
        "points-rise",
        "not-monotone",
        "flat",
        "log-at-zero",
        "unit",
    ],
)
def test_direction_and_shape_contradictions_name_the_criterion(text: str, words: str) -> None:
    """A direction that contradicts the kind or the points, or points of no single direction, is refused at the
    criterion, in words."""
    [problem] = problems(text)
    assert problem.startswith(f"{SHOWN}: criteria[0]: {words}")


def test_version_2_with_scoring_tables_is_refused_at_scoring() -> None:
    """Version 2 with the four version 1 tables beside its [[criteria]] is refused at 'scoring', saying what to do."""
    tables = re.search(r"^\[scoring\.impact\].*?(?=^\[uncertainty\])", old_shipped_text().decode("utf-8"), re.S | re.M)
    assert tables is not None
    text = catalogue([R50]).replace("\n[uncertainty]", "\n" + tables.group(0) + "\n[uncertainty]", 1)
    assert problems(text) == [
        f"{SHOWN}: scoring: schema_version 2 defines criteria in [[criteria]], not [scoring.*] tables "
        "(write schema_version = 1, or move them into [[criteria]])"
    ]


def test_a_version_1_file_still_loads() -> None:
    """A version 1 file ([scoring.*]) loads with the four criteria in order."""
    loaded = parse_catalogue(old_shipped_text(), "v1.toml")
    assert loaded.catalogue.schema_version == 1
    assert loaded.catalogue.criterion_ids == ("impact", "reach", "cost", "risk")


def test_more_than_twelve_criteria_is_refused_at_criteria() -> None:
    """Thirteen criteria are refused at 'criteria', saying the limit and the count."""
    [problem] = problems(catalogue([rating(f"r{i}", extra="missing_value = 50") for i in range(13)]))
    assert problem == f"{SHOWN}: criteria: at most 12 criteria; this catalogue has 13"


def test_a_malformed_figure_attribute_is_said_once() -> None:
    """'figures.' (no figure id) is refused at the attribute; it is not also reported as a missing figure on every
    intervention."""
    found = problems(catalogue([piecewise("x", "figures.", "[[0, 0], [10, 100]]")]))
    assert found[0].startswith(f"{SHOWN}: criteria[0].attribute: must be one of annual_cost_gbp")
    assert len(found) == 1, found


# Migration ---------------------------------------------------------------------------------------------------------

TABLES = ("values", "inputs", "provenance", "info", "options", "spread")


@pytest.fixture(scope="module")
def old_shipped() -> LoadedCatalogue:
    loaded = parse_catalogue(old_shipped_text(), "v1.toml")
    assert loaded.catalogue.schema_version == 1
    return loaded


def test_migration_gives_identical_problem_tables(old_shipped: LoadedCatalogue) -> None:
    """The old shipped file migrated to version 2 gives the same values, inputs, provenance, info, options and
    spread as the version 1 file, and as the shipped version 2 file."""
    migrated = migrate_catalogue(old_shipped.catalogue)
    assert migrated.schema_version == 2 and migrated.scoring is None
    assert [(c.id, c.kind, c.direction) for c in migrated.criteria] == [
        ("impact", "yef_impact", "more_is_better"),
        ("reach", "reach", "more_is_better"),
        ("cost", "cost", "less_is_better"),
        ("risk", "risk", "less_is_better"),
    ]
    before = build_problem(old_shipped.catalogue, old_shipped.sha256)
    after = build_problem(migrated, old_shipped.sha256)
    shipped = load_catalogue(ROOT / "data" / "interventions.toml")
    now = build_problem(shipped.catalogue, shipped.sha256)
    assert shipped.catalogue.schema_version == 2
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(before, table), getattr(after, table), check_exact=True)
        pd.testing.assert_frame_equal(getattr(before, table), getattr(now, table), check_exact=True)


def test_migration_gives_identical_scores_and_funded_set(old_shipped: LoadedCatalogue) -> None:
    """Every preset ranks the same, with the same scores, and the default scenario funds the same set for the same
    value, before and after migration."""
    migrated = migrate_catalogue(old_shipped.catalogue)
    before = build_problem(old_shipped.catalogue, old_shipped.sha256)
    after = build_problem(migrated, old_shipped.sha256)
    for preset in old_shipped.catalogue.presets:
        weights = dict(zip(before.criteria, before.weight_vector(preset.weights), strict=True))
        old, new = score(before.values, weights), score(after.values, weights)
        pd.testing.assert_series_equal(old.scores, new.scores, check_exact=True)
        pd.testing.assert_series_equal(old.ranks, new.ranks)
    old_funded = evaluate(before, default_scenario(before)).optimum
    new_funded = evaluate(after, default_scenario(after)).optimum
    assert old_funded.funded == new_funded.funded and len(old_funded.funded) > 0
    assert old_funded.value == new_funded.value


def test_migrating_twice_changes_nothing_and_the_cli_refuses(old_shipped: LoadedCatalogue, tmp_path: Path) -> None:
    """migrate_catalogue on a version 2 catalogue returns it unchanged; the CLI refuses it in words, exit 1."""
    migrated = migrate_catalogue(old_shipped.catalogue)
    assert migrate_catalogue(migrated) is migrated
    path = tmp_path / "v2.toml"
    path.write_text(catalogue_to_toml(migrated), encoding="utf-8")
    ran = run_cli(["migrate", str(path), "--out", str(tmp_path / "again.toml")])
    assert ran.returncode == 1
    assert ran.stderr.strip() == f"error: {path} is already schema version 2; nothing to migrate"
    assert not (tmp_path / "again.toml").exists()


def test_cli_migrate_writes_a_file_that_validates(tmp_path: Path) -> None:
    """``python -m matrix migrate OLD --out NEW`` (a real process) writes a version 2 file that validates and loads to
    the migrated catalogue."""
    old, new = tmp_path / "old.toml", tmp_path / "new.toml"
    old.write_bytes(old_shipped_text())
    done = subprocess.run(
        [sys.executable, "-m", "matrix", "migrate", str(old), "--out", str(new)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    checked = subprocess.run(
        [sys.executable, "-m", "matrix", "validate", str(new)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"{new}: valid: 47 interventions")
    written = load_catalogue(new).catalogue
    assert written.schema_version == 2
    assert written == migrate_catalogue(load_catalogue(old).catalogue)


def test_cli_migrate_refuses_out_equal_to_the_input(tmp_path: Path) -> None:
    """--out naming the input (another spelling of the same path) is refused, and the input is left as it was."""
    old = tmp_path / "old.toml"
    original = old_shipped_text()
    old.write_bytes(original)
    (tmp_path / "sub").mkdir()
    ran = run_cli(["migrate", str(old), "--out", str(tmp_path / "sub" / ".." / "old.toml")])
    assert ran.returncode == 1
    assert ran.stderr.strip() == "error: --out: give another file; the original is kept as it is"
    assert old.read_bytes() == original


def test_cli_migrate_to_standard_output(tmp_path: Path) -> None:
    """Without --out the version 2 text goes to standard output and loads to the migrated catalogue."""
    old = tmp_path / "old.toml"
    old.write_bytes(old_shipped_text())
    ran = run_cli(["migrate", str(old)])
    assert ran.returncode == 0, ran.stderr
    written = parse_catalogue(ran.stdout.encode("utf-8"), "stdout").catalogue
    assert written == migrate_catalogue(load_catalogue(old).catalogue)
    assert written.criterion_ids == ("impact", "reach", "cost", "risk")


def test_cli_migrate_of_a_broken_file_lists_its_problems(tmp_path: Path) -> None:
    """A file that is not a catalogue is refused with its problems and exit 1, never a traceback."""
    broken = tmp_path / "broken.toml"
    broken.write_text(readme_example().replace("value = 50000,", "value = -1,"), encoding="utf-8")
    ran = run_cli(["migrate", str(broken)])
    assert ran.returncode == 1
    assert f"{broken}: interventions[0].annual_cost_gbp.value: must be greater than or equal to 0 (got -1)" in ran.stderr
    assert "Traceback" not in ran.stderr


# Attacks -----------------------------------------------------------------------------------------------------------


def _outcome(ident: str) -> tuple[str, tuple[str, ...], float]:
    """The funding CSV (criterion columns renamed, the catalogue's hash left out), funded set and value of a catalogue
    with a rating criterion called ``ident`` (weight 30; alpha rated 90, others 50) and cost (weight 10)."""
    text = catalogue(
        [rating(ident, extra="missing_value = 50"), COST],
        weights={ident: 30, "cost": 10},
        alpha=f'ratings = {{ {ident} = {{ value = 90, source = "plan" }} }}',
    )
    loaded = load(text)
    problem = build_problem(loaded.catalogue, loaded.sha256)
    weights = dict(zip(problem.criteria, problem.weight_vector(loaded.catalogue.presets[0].weights), strict=True))
    result = score(problem.values, weights)
    evaluated = evaluate(problem, default_scenario(problem))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns about the duplicate columns the bug makes
        table = funding_table(problem, result, evaluated).drop(columns=["catalogue_sha256"])
    renamed = {ident: "CRITERION", f"contribution_{ident}": "contribution_CRITERION", f"weight_{ident}": "weight_CRITERION"}
    table.columns = [renamed.get(str(c), str(c)) for c in table.columns]
    return table.to_csv(index=False), evaluated.optimum.funded, round(evaluated.optimum.value, 6)


@pytest.mark.parametrize(
    "ident",
    [
        "budget",
        "as_dict",
        "model_dump",
        "model_config",
        "w_equity",
        "tab",
        "compare",
        "impact",
        "score",
        "rank",
        "name",
        "id",
        "harmful",
        "annual_cost_gbp",
        "level",
        "intervention",
        "option",
        "share_primary",
        "sd_cost",
        "estimated_cost",
        "benefit",
        "normalisation",
    ],
)
def test_a_criterion_id_is_only_a_name(ident: str) -> None:
    """Renaming a criterion changes nothing but its columns' names: the same CSV, funded set and value as 'equity'
    (or the id is refused in words when the catalogue loads)."""
    try:
        outcome = _outcome(ident)
    except CatalogueError as error:
        assert any(p.location == "criteria[0].id" for p in error.problems), [str(p) for p in error.problems]
        return
    assert outcome == _outcome("equity")


def test_points_spanning_the_float_range_score_in_the_middle() -> None:
    """Points from -1e308 (0) to 1e308 (100) are refused at criteria[0].points, or a figure of 0 scores 50."""
    block = piecewise("x", "figures.p", "[[-1e308, 0.0], [1e308, 100.0]]", extra="missing_value = 1")
    text = catalogue([block], alpha='figures = { p = { value = 0, source = "plan" } }')
    try:
        problem = problem_of(text)
    except CatalogueError as error:
        assert [p.location for p in error.problems] == ["criteria[0].points"]
        return
    assert problem.values.at["alpha", "x"] == pytest.approx(50.0)


def test_huge_but_finite_points_score_by_hand() -> None:
    """Points up to a trillion wide and figures up to 1e12 score by straight lines; flat beyond the ends."""
    block = piecewise("x", "figures.p", "[[0.0, 0.0], [1e12, 100.0]]")
    figures = {
        "alpha": 'figures = { p = { value = 1e12, source = "plan" } }',
        "beta": 'figures = { p = { value = 0, source = "plan" } }',
        "gamma": 'figures = { p = { value = -1e12, source = "plan" } }',
    }
    values = problem_of(catalogue([block], **figures)).values["x"]
    assert values.tolist() == pytest.approx([100.0, 0.0, 0.0], abs=1e-9)
    assert values.notna().all()


def test_a_unit_with_a_huge_width_is_refused_in_words() -> None:
    """A unit whose format asks for a 4e18-character figure is refused at the criterion, in words."""
    [problem] = problems(
        catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 100]]", extra='unit = "{x:>4000000000000000000}"')])
    )
    assert problem.startswith(f"{SHOWN}: criteria[0]")


def test_a_unit_reaching_into_the_number_is_refused() -> None:
    """A unit that formats an attribute of the number ({x.__class__}) is refused, not shown as "<class 'float'>"."""
    text = catalogue([piecewise("x", "annual_cost_gbp", "[[0, 0], [10, 100]]", extra='unit = "{x.__class__} places"')])
    try:
        problem = problem_of(text)
    except CatalogueError:
        return
    assert "class" not in problem.inputs.at["alpha", "x"]


def test_only_cost_with_cost_left_out_of_the_benefit_is_said_in_words() -> None:
    """A catalogue whose only criterion is cost still ranks, and its funding (cost left out of the benefit, the
    default) is refused with a WeightsError in words, not another exception."""
    problem = problem_of(catalogue([COST]))
    assert problem.cost_position == 0
    scenario = default_scenario(problem)
    assert scenario.include_cost is False
    with pytest.raises(WeightsError, match="the benefit weights are all zero: with cost left out of the benefit"):
        evaluate(problem, scenario)
    counted = evaluate(problem, scenario.model_copy(update={"include_cost": True}))
    assert counted.optimum.funded  # counting cost, the cheapest fit the £100,000 budget


def test_a_label_full_of_markup_is_kept_as_text() -> None:
    """A rating criterion's label with Markdown and HTML loads as the same text (the pages escape it)."""
    hostile = "**Equity** <script>alert(1)</script> [link](https://evil.example) $x^2$"
    problem = problem_of(catalogue([rating(label=hostile, extra="missing_value = 50")]))
    assert problem.labels == {"equity": hostile}
