"""The page's link: the whole scenario round-trips, numbers are plain, and every unusable value is named."""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from matrix.catalogue import Weights
from matrix.decision import (
    DecisionProblem,
    LinkParams,
    PlanSettings,
    Scenario,
    default_scenario,
    fit_plan,
    fit_scenario,
    read_link,
    read_link_plans,
    unique_name,
    write_link,
)
from scoring import CRITERIA
from tests.conftest import ROOT


def full_scenario(problem: DecisionProblem, normalisation: str) -> Scenario:
    return default_scenario(problem).model_copy(
        update={
            "name": "Cut to £600k: a test",
            "weights": Weights(impact=35, reach=25, cost=5, risk=35),
            "normalisation": normalisation,
            "budget_gbp": 1_500_000,
            "must_fund": ("ae-navigators-redthread",),
            "must_not_fund": ("cctv-lighting-upgrades",),
            "harmful_overrides": {"prison-awareness-visits": "trial: evaluate it | properly"},
            "tier_min_share": {"primary": 0.25},
            "tier_max_share": {"tertiary": 0.5},
            "ringfence_share": 0.1,
            "keep_status_quo": True,
            "include_cost": True,
        }
    )


@pytest.mark.parametrize("normalisation", ["value_functions", "minmax"])
def test_state_link_state_round_trip(problem: DecisionProblem, normalisation: str) -> None:
    """A scenario and two saved comparisons written to a link and read back are the same, with no message."""
    scenario = full_scenario(problem, normalisation)
    compared = [default_scenario(problem, "A"), scenario.model_copy(update={"name": "B"})]
    query = write_link(scenario, compared)
    restored, restored_compared, messages = read_link(query, problem, default_scenario(problem))
    assert messages == []
    assert restored == scenario
    assert restored_compared == compared


def test_numbers_are_written_plainly(problem: DecisionProblem) -> None:
    """budget=1500000, never 1.5e+06; weights and shares as whole numbers."""
    query = write_link(full_scenario(problem, "minmax"))
    assert query["budget"] == "1500000"
    assert query["ringfence"] == "10" and query["min_primary"] == "25" and query["impact"] == "35"
    assert query["normalisation"] == "minmax"
    assert not any(re.search(r"\de[+-]?\d", value) for value in query.values())


@pytest.mark.parametrize(
    ("params", "field", "expected", "message"),
    [
        ({"budget": "-5"}, "budget_gbp", 0, "budget -£5 is outside"),
        ({"budget": "abc"}, "budget_gbp", 880_000, "budget 'abc' is not a number"),
        ({"budget": "1e11"}, "budget_gbp", 10_000_000_000, "budget £100,000,000,000 is outside"),
        ({"budget": "1000.6"}, "budget_gbp", 1001, "budget £1,001 is outside"),
        ({"ringfence": "31"}, "ringfence_share", 0.31, None),
        ({"ringfence": "80"}, "ringfence_share", 0.5, "ring-fence 80% is outside"),
        ({"ringfence": "12.5"}, "ringfence_share", 0.12, "ring-fence 12.5% is outside"),
        ({"min_primary": "130"}, "tier_min_share", {"primary": 1.0}, "primary minimum 130% is outside"),
        ({"must": "nope,cbt-community"}, "must_fund", ("cbt-community",), "names nope, which the catalogue does not have"),
        ({"normalisation": "median"}, "normalisation", "value_functions", "normalisation 'median' is not one of"),
        ({"allow_harmful": "nocolon"}, "harmful_overrides", {}, "needs the form id:reason"),
        ({"allow_harmful": "cbt-community:why"}, "harmful_overrides", {}, "does not match a harmful-rated intervention"),
    ],
)
def test_link_values_are_fitted_or_refused_with_a_message(
    problem: DecisionProblem, params: dict[str, str], field: str, expected: object, message: str | None
) -> None:
    """Each value the controls cannot hold is brought within them or ignored, and a message says which."""
    scenario, _, messages = read_link(params, problem, default_scenario(problem))
    assert (
        getattr(scenario, field) == pytest.approx(expected)
        if isinstance(expected, float)
        else getattr(scenario, field) == expected
    )
    if message is None:
        assert messages == []
    else:
        assert any(message in m for m in messages), messages


def test_weights_outside_0_100_and_all_zero(problem: DecisionProblem) -> None:
    """impact=150 keeps the default impact weight; all-zero weights fall back to the default preset; each is said."""
    scenario, _, messages = read_link({"impact": "150", "reach": "x"}, problem, default_scenario(problem))
    assert scenario.weights.impact == 40 and scenario.weights.reach == 20
    assert len(messages) == 2
    zero, _, messages = read_link({c: "0" for c in ("impact", "reach", "cost", "risk")}, problem, default_scenario(problem))
    assert zero.weights == default_scenario(problem).weights
    assert any("all zero" in m for m in messages)


@pytest.mark.parametrize(
    "token",
    [
        "not-base64!!",
        base64.urlsafe_b64encode(zlib.compress(b"{}")).decode().rstrip("="),
        base64.urlsafe_b64encode(zlib.compress(b"0" * 5_000_000)).decode().rstrip("="),
    ],
)
def test_unreadable_comparisons_are_left_out_with_a_message(problem: DecisionProblem, token: str) -> None:
    """Garbage, a wrong shape or a compressed bomb in ``compare`` never stops the page: it is left out and said."""
    _, compared, messages = read_link({"compare": token}, problem, default_scenario(problem))
    assert compared == []
    assert messages == ["The link's saved comparison 1 cannot be read; it was left out."]


def test_fit_scenario_rounds_and_drops_with_messages(problem: DecisionProblem) -> None:
    """A record's scenario with fractions and an unknown id is fitted to the controls, each change named."""
    data = default_scenario(problem).model_dump() | {"budget_gbp": 500_000_000.4, "must_fund": ("gone",)}
    data["weights"] = {"impact": 40.4, "reach": 20, "cost": 20, "risk": 20}
    scenario, messages = fit_scenario(data, problem, "record")
    assert scenario.budget_gbp == 500_000_000 and scenario.weights.impact == 40 and scenario.must_fund == ()
    assert len(messages) == 3


def test_unique_names() -> None:
    """Saving 'Scenario' twice gives 'Scenario' and 'Scenario (2)'."""
    assert unique_name("Scenario", []) == "Scenario"
    assert unique_name("Scenario", ["Scenario"]) == "Scenario (2)"
    assert unique_name("Scenario", ["Scenario", "Scenario (2)"]) == "Scenario (3)"
    assert unique_name("  ", []) == "Scenario"


def test_readme_lists_exactly_the_link_parameters() -> None:
    """The README's list of link parameters is the model's fields plus the open tab."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- link-parameters -->")[1].split("<!-- /link-parameters -->")[0]
    listed = set(re.findall(r"`([a-z_]+)(?:=1)?`", block)) - {"value_functions", "minmax"}
    assert listed == set(LinkParams.model_fields) | {"tab"} | set(CRITERIA)


PLAN = PlanSettings(
    years=4,
    inflation=0.035,
    min_contract_years=2,
    stream_ends={"early-intervention-youth-fund": 2},
    stream_cuts={"pcc-funding": 0.3},
    new_streams={"new-money": 125_000.5},
    committed_years={"cbt-community": 2},
    early_stop=("ae-navigators-redthread",),
)


def test_the_plan_and_the_saved_plans_round_trip(problem: DecisionProblem) -> None:
    scenario = default_scenario(problem).model_copy(update={"name": "Three years", "budget_gbp": 700_000})
    saved = [(scenario, PLAN), (default_scenario(problem), PlanSettings(years=1))]
    query = write_link(scenario, [], PLAN, saved)
    plan, plans, messages = read_link_plans(query, problem)
    assert (plan, plans, messages) == (PLAN, saved, [])
    # The scenario reads as before, whatever the plan parameters hold.
    assert read_link(query, problem, default_scenario(problem))[0] == scenario
    assert read_link_plans(write_link(scenario), problem) == (None, [], [])


def test_at_most_four_saved_plans_ride_in_a_link(problem: DecisionProblem) -> None:
    saved = [(default_scenario(problem), PlanSettings(years=y)) for y in (1, 2, 3, 4, 5)]
    query = write_link(default_scenario(problem), plans=saved)
    assert [p.years for _, p in read_link_plans(query, problem)[1]] == [1, 2, 3, 4]
    # A link with more (written by hand) reads the first four.
    query["plans"] += "~" + query["plans"].split("~")[0]
    assert len(read_link_plans(query, problem)[1]) == 4


@pytest.mark.parametrize(
    "token",
    [
        "not-a-plan",
        "",
        base64.urlsafe_b64encode(zlib.compress(b'{"years": 9}')).decode().rstrip("="),
        base64.urlsafe_b64encode(zlib.compress(b'{"years": 2, "horizon": 5}')).decode().rstrip("="),
        base64.urlsafe_b64encode(zlib.compress(b"[1, 2]")).decode().rstrip("="),
        base64.urlsafe_b64encode(zlib.compress(b"0" * 5_000_000)).decode().rstrip("="),
    ],
)
def test_an_unreadable_plan_or_saved_plan_is_left_out_with_a_message(problem: DecisionProblem, token: str) -> None:
    good = write_link(default_scenario(problem), plans=[(default_scenario(problem), PlanSettings(years=2))])["plans"]
    plan, plans, messages = read_link_plans({"plan": token, "plans": f"{token}~{good}"}, problem)
    assert plan is None and [p.years for _, p in plans] == [2]
    if token:
        assert messages == [
            "The link's plan over several years cannot be read; it was left out.",
            "The link's saved plan 1 cannot be read; it was left out.",
        ]
    else:
        assert messages == []


def test_fit_plan_leaves_out_what_the_catalogue_lacks_and_says_so(problem: DecisionProblem) -> None:
    foreign = PLAN.model_copy(
        update={
            "years": 3,
            "stream_ends": {"eiyf": 2, "early-intervention-youth-fund": 4, "pcc-funding": 3},
            "stream_cuts": {"surge": 0.5, "pcc-funding": 0.1},
            "new_streams": {"safer-streets-5": 10.0, "top-up": 5.0},
            "committed_years": {"nobody": 1, "cbt-community": 2},
            "early_stop": ("nothing", "ae-navigators-redthread"),
            "not_before": {"cbt-community": 4, "ae-navigators-redthread": 2},
        }
    )
    fitted, messages = fit_plan(foreign, problem, "link's plan")
    assert fitted == foreign.model_copy(
        update={
            "stream_ends": {"pcc-funding": 3},
            "stream_cuts": {"pcc-funding": 0.1},
            "new_streams": {"top-up": 5.0},
            "committed_years": {"cbt-community": 2},
            "early_stop": ("ae-navigators-redthread",),
            "not_before": {"cbt-community": 4, "ae-navigators-redthread": 2},
        }
    )
    assert messages == [
        "The link's plan names eiyf in its stream ends, which this catalogue does not have as a funding stream; left out.",
        "The link's plan runs 3 year(s), so the end of early-intervention-youth-fund (after its last year) changes nothing; "
        "left out.",
        "The link's plan names surge in its stream cuts, which this catalogue does not have as a funding stream; left out.",
        "The link's plan names safer-streets-5 in its new streams, which is already a funding stream; left out.",
        "The link's plan names nobody in its contracts already running, which the catalogue does not have; left out.",
        "The link's plan names nothing in its early stops, which the catalogue does not have; left out.",
    ]
    assert fit_plan(PLAN, problem, "link's plan") == (PLAN, [])
