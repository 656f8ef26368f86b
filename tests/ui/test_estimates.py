"""How much of each score rests on estimates, on the page: beside the score, as a filter, for the funded set,
and which estimates to confirm first, each equal to the library's figures for the same weights and scenario."""

from __future__ import annotations

import pytest

from matrix.decision import (
    DecisionProblem,
    confirm_first_lines,
    default_scenario,
    estimated_shares,
    evaluate,
    figures_to_confirm,
    funded_estimated_share,
)
from scoring import score
from tests.ui.test_app import open_tab, start
from ui.sections import ON_ESTIMATES
from ui.text import plain

WEIGHTS = {"impact": 40, "reach": 20, "cost": 20, "risk": 20}  # the default preset


def _shares(problem: DecisionProblem, weights: dict[str, int] = WEIGHTS) -> dict[str, float]:
    shares = estimated_shares(problem, score(problem.values, weights))
    return {problem.names[str(i)]: round(float(v) * 100) for i, v in shares.items()}


def test_the_matrix_table_follows_every_weight_nudge_and_filter(problem: DecisionProblem) -> None:
    """The matrix table keeps its catalogue columns per set of rows shown; its score and estimates columns are
    the library's at the weights of each run, for the rows the filters leave, in catalogue order."""
    at = start()
    for impact, tiers in ((10, []), (70, []), (70, ["tertiary"]), (35, ["tertiary"]), (35, [])):
        at.multiselect(key="f_tiers").set_value(tiers)
        at.slider(key="w_impact").set_value(impact).run()
        weights = WEIGHTS | {"impact": impact}
        result = score(problem.values, weights)
        table = next(df.value for df in at.dataframe if ON_ESTIMATES in df.value.columns)
        shown = [i for i in problem.info.index if not tiers or "tertiary" in problem.info.at[i, "prevention_tiers"]]
        assert list(table["name"]) == [problem.names[i] for i in shown]
        assert list(table["score"]) == [round(float(result.scores[i]), 1) for i in shown]
        shares = _shares(problem, weights)
        assert list(table[ON_ESTIMATES]) == [shares[problem.names[i]] for i in shown]
        assert list(table["annual cost £"]) == [problem.info.at[i, "annual_cost_gbp"] for i in shown]


def test_the_matrix_and_the_ranking_show_the_share_beside_the_score(problem: DecisionProblem) -> None:
    at = start()
    table = next(df.value for df in at.dataframe if ON_ESTIMATES in df.value.columns)
    assert list(table.columns[:3]) == ["name", "score", ON_ESTIMATES]
    assert dict(zip(table["name"], table[ON_ESTIMATES], strict=True)) == _shares(problem)
    at = open_tab(at, "Ranking")
    ranking = next(df.value for df in at.dataframe if ON_ESTIMATES in df.value.columns)
    assert dict(zip(ranking["intervention"], ranking[ON_ESTIMATES], strict=True)) == _shares(problem)
    assert list(ranking["rank"]) == sorted(ranking["rank"])


def test_the_share_follows_the_weights(problem: DecisionProblem) -> None:
    at = start(tab="Ranking")
    for criterion in ("impact", "cost", "risk"):
        at.slider(key=f"w_{criterion}").set_value(0)
    at.slider(key="w_reach").set_value(100).run()
    ranking = next(df.value for df in at.dataframe if ON_ESTIMATES in df.value.columns)
    only_reach = _shares(problem, {"impact": 0, "reach": 100, "cost": 0, "risk": 0})
    assert dict(zip(ranking["intervention"], ranking[ON_ESTIMATES], strict=True)) == only_reach
    assert only_reach != _shares(problem)


def test_the_explanation_says_how_much_rests_on_estimates(problem: DecisionProblem) -> None:
    at = start(tab="Ranking")
    chosen = str(at.selectbox(key="explain_id").value)
    share = float(estimated_shares(problem, score(problem.values, WEIGHTS))[chosen])
    assert any(m.value.startswith(f"{share:.0%} of this score") for m in at.markdown)


@pytest.mark.parametrize("most", [0, 50, 75])
def test_the_filter_keeps_scores_resting_on_estimates_for_at_most_that_share(problem: DecisionProblem, most: int) -> None:
    at = start()
    at.select_slider(key="f_estimated").set_value(most).run()
    assert not at.exception
    shares = estimated_shares(problem, score(problem.values, WEIGHTS))
    wanted = sorted(problem.names[str(i)] for i, v in shares.items() if v <= most / 100 + 1e-9)
    if not wanted:
        assert any("No intervention matches these filters." in i.value for i in at.info)
        return
    table = next(df.value for df in at.dataframe if ON_ESTIMATES in df.value.columns)
    assert sorted(table["name"]) == wanted
    assert len(wanted) < len(problem.names)


def test_the_funding_tab_says_how_much_of_the_benefit_rests_on_estimates(problem: DecisionProblem) -> None:
    at = start(tab="Funding")
    share = funded_estimated_share(evaluate(problem, default_scenario(problem)))
    assert any(f"{share:.0%} of its total benefit rests on" in c.value for c in at.caption)


def test_the_sensitivity_tab_lists_the_figures_to_confirm_first(problem: DecisionProblem) -> None:
    at = start(tab="Sensitivity")
    assert not at.exception
    figures = figures_to_confirm(problem, default_scenario(problem), 5)
    lines = confirm_first_lines(figures)
    assert lines
    shown = [m.value for m in at.markdown if m.value.startswith("- ")]
    for line in lines:
        assert f"- {plain(line)}" in shown
    table = next(df.value for df in at.dataframe if "could change the funded set" in df.value.columns)
    assert len(table) == len(figures)
    assert (table["could change the funded set"] == "yes").sum() == int(figures["changes_funded_set"].sum())
