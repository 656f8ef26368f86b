"""Plans for a scenario: the catalogue's streams, their changes in words, and today's answer for one year."""

from __future__ import annotations

import pandas as pd
import pytest

from matrix.catalogue import SHIPPED_CATALOGUE, load_catalogue
from matrix.decision import (
    DecisionProblem,
    PlanSettings,
    ScenarioError,
    build_plan,
    build_problem,
    compare_plans,
    default_scenario,
    eligible_interventions,
    evaluate,
)


@pytest.fixture(scope="module")
def shipped() -> DecisionProblem:
    loaded = load_catalogue(SHIPPED_CATALOGUE)
    return build_problem(loaded.catalogue, loaded.sha256)


@pytest.fixture(scope="module")
def without_streams(shipped: DecisionProblem) -> DecisionProblem:
    return build_problem(shipped.catalogue.model_copy(update={"funding_streams": ()}), shipped.sha256)


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"tier_min_share": {"primary": 0.3}},
        {"ringfence_share": 0.1, "must_fund": ("ae-navigators-redthread",)},
        {"keep_status_quo": True, "budget_gbp": 1_500_000},
        {"budget_gbp": 400_000, "tier_max_share": {"tertiary": 0.2}, "include_cost": True},
    ],
)
def test_one_year_without_streams_is_todays_funded_set(without_streams: DecisionProblem, change: dict[str, object]) -> None:
    """A one-year plan on a catalogue without streams funds exactly what evaluate funds, with the same value."""
    scenario = default_scenario(without_streams).model_copy(update=change)
    today = evaluate(without_streams, scenario)
    planned = build_plan(without_streams, scenario, PlanSettings(years=1))
    assert sorted(planned.plan.chosen["option"]) == sorted(today.optimum.chosen.index)
    assert planned.plan.value == pytest.approx(today.optimum.value, abs=1e-9)
    assert planned.plan.cost_gbp == pytest.approx(today.optimum.spend_gbp)


def test_streams_pay_only_for_what_they_may(shipped: DecisionProblem) -> None:
    """The shipped streams' rules pick out the interventions the sources name for them."""
    catalogue = shipped.catalogue
    rules = {s.id: eligible_interventions(catalogue, s) for s in catalogue.funding_streams}
    assert rules["safer-streets-5"] == {"cctv-lighting-upgrades"}
    assert rules["police-surge-funding"] == {
        "weapon-amnesties",
        "nte-operations",
        "operation-silverbirch",
        "police-school-liaison",
        "police-knife-crime-schools",
    }
    assert rules["home-office-core-grant"] == set(shipped.info.index)
    assert "detached-youth-outreach" in rules["early-intervention-youth-fund"]
    assert "healthy-relationships-schools" not in rules["early-intervention-youth-fund"]


def test_three_years_of_the_shipped_streams_and_the_eiyf_ending(shipped: DecisionProblem) -> None:
    """From 2020/21: surge money only in year 1, every payment by an eligible stream, and with the EIYF ending
    in year 2 it pays nothing after year 1, the plan is worth no more, and the words say so."""
    scenario = default_scenario(shipped)
    base = build_plan(shipped, scenario, PlanSettings(years=3))
    assert base.financial_years == ("2020/21", "2021/22", "2022/23")
    money = base.plan.money.set_index(["stream", "year"])
    assert [money.loc[("police-surge-funding", y), "available_gbp"] for y in (1, 2, 3)] == [750_000, 0, 0]
    rules = {s.id: eligible_interventions(shipped.catalogue, s) for s in shipped.catalogue.funding_streams}
    assert all(row.id in rules[row.stream] for row in base.table.itertuples())
    assert "prison-awareness-visits" not in set(base.plan.chosen["intervention"])
    ended = build_plan(shipped, scenario, PlanSettings(years=3, stream_ends={"early-intervention-youth-fund": 2}))
    eiyf = ended.plan.money[ended.plan.money["stream"] == "early-intervention-youth-fund"]
    assert eiyf["available_gbp"].tolist() == [690_000, 0, 0]
    assert ended.plan.value <= base.plan.value
    words = ended.in_words()
    assert words[1] == "What if Early Intervention Youth Fund ends in year 2 (2021/22): it pays in year 1 only."
    assert words[0] == "Money from the catalogue's 5 funding streams (the scenario's budget is not used)."


def test_unknown_stream_is_refused_in_words(shipped: DecisionProblem) -> None:
    """A stream change naming no stream lists the streams there are."""
    with pytest.raises(ScenarioError, match="stream end: no funding stream has the id 'eiyf'; streams: early-intervention"):
        build_plan(shipped, default_scenario(shipped), PlanSettings(years=2, stream_ends={"eiyf": 2}))


def test_plans_compared_side_by_side_say_what_each_plan_does(shipped: DecisionProblem) -> None:
    """Three years as given, three years with the EIYF ending in year 2, and two years with the core grant cut:
    each row's figures are its own plan's, year columns past a plan's end are blank, and the what-ifs are named."""
    scenario = default_scenario(shipped)
    plans = [
        ("as given", build_plan(shipped, scenario, PlanSettings(years=3))),
        ("EIYF ends", build_plan(shipped, scenario, PlanSettings(years=3, stream_ends={"early-intervention-youth-fund": 2}))),
        ("core cut", build_plan(shipped, scenario, PlanSettings(years=2, stream_cuts={"home-office-core-grant": 0.25}))),
    ]
    table = compare_plans(plans).set_index("plan")
    assert list(table.index) == ["as given", "EIYF ends", "core cut"]
    for label, result in plans:
        row = table.loc[label]
        assert row["value"] == round(result.plan.value, 1) and row["cost £"] == round(result.plan.cost_gbp, 2)
        for year in (1, 2):
            assert row[f"year {year} spend £"] == round(result.plan.spend_gbp(year), 2)
        paid = result.plan.payments.groupby("stream")["amount_gbp"].sum()
        for ident, name in result.stream_names.items():
            assert row[f"paid by {name} £"] == round(float(paid.get(ident, 0.0)), 2)
        paid_total = sum(row[f"paid by {name} £"] for name in result.stream_names.values())
        assert abs(paid_total - result.plan.cost_gbp) < 1.0  # every pound of the plan is paid by a stream
    assert pd.isna(table.loc["core cut", "year 3 spend £"]) and not pd.isna(table.loc["as given", "year 3 spend £"])
    assert table.loc["as given", "what if"] == "the streams as the catalogue gives them"
    assert table.loc["EIYF ends", "what if"].startswith("What if Early Intervention Youth Fund ends in year 2")
    assert "cut by 25%" in table.loc["core cut", "what if"]
    eiyf = plans[1][1].stream_names["early-intervention-youth-fund"]
    eiyf_first_year = plans[1][1].plan.payments.query("stream == 'early-intervention-youth-fund' and year == 1")
    assert table.loc["EIYF ends", f"paid by {eiyf} £"] == round(float(eiyf_first_year["amount_gbp"].sum()), 2)
    assert compare_plans([]).empty


def test_plans_compared_keep_streams_of_one_name_apart(shipped: DecisionProblem) -> None:
    """Streams sharing a name get their ids in the column names, so no stream's payments hide another's."""
    renamed = tuple(s.model_copy(update={"name": "Same name"}) for s in shipped.catalogue.funding_streams)
    problem = build_problem(shipped.catalogue.model_copy(update={"funding_streams": renamed}), shipped.sha256)
    result = build_plan(problem, default_scenario(problem), PlanSettings(years=2))
    row = compare_plans([("one", result)]).iloc[0]
    paid = [c for c in row.index if c.startswith("paid by ")]
    assert len(paid) == len(renamed) and all(f"({s.id})" in " ".join(paid) for s in renamed)
    assert abs(sum(row[c] for c in paid) - result.plan.cost_gbp) < 1.0


def test_a_plan_file_reads_back_as_written(shipped: DecisionProblem) -> None:
    """The app's plan file gives back the scenario and settings it was written from; a file without a scenario
    is refused with where."""
    from matrix.decision import ScenarioError, plan_file_text, read_plan_file

    scenario = default_scenario(shipped).model_copy(update={"must_fund": ("cbt-community",), "name": "A, with commas"})
    settings = PlanSettings(years=4, inflation=0.03, stream_cuts={"home-office-core-grant": 0.1})
    found = read_plan_file(plan_file_text(scenario, settings), "plan.json")
    assert found.scenario == scenario and found.plan == settings
    with pytest.raises(ScenarioError, match=r"plan\.toml: scenario: Field required"):
        read_plan_file("[plan]\nyears = 2\n", "plan.toml")


def test_a_first_year_against_keeping_todays_funding_says_so(shipped: DecisionProblem) -> None:
    """Keeping what is funded today makes today's interventions funded every year; a first year after 1 for one of
    them is refused in those words, not as a must-fund the user never set."""
    today = str(shipped.info.index[shipped.info["funded_today"].astype(bool)][0])
    scenario = default_scenario(shipped).model_copy(update={"keep_status_quo": True, "budget_gbp": 5_000_000})
    with pytest.raises(ScenarioError, match=r'is funded today and kept every year \("keep what is funded today"\)'):
        build_plan(shipped, scenario, PlanSettings(years=3, not_before={today: 2}))
    chosen = build_plan(shipped, default_scenario(shipped), PlanSettings(years=3, not_before={today: 2})).plan.chosen
    assert today not in set(chosen.loc[chosen["year"] == 1, "intervention"])
