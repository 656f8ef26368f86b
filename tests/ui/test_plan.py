"""The plan over several years and the funding streams, on the Funding tab: what the library plans, in words,
as a table and a CSV, with a stream ending and a cut; an impossible plan said in words."""

from __future__ import annotations

import csv
import io

from matrix.decision import DecisionProblem, PlanSettings, build_plan, default_scenario
from tests.ui.test_app import FUNDING_FOLDS, start
from ui.text import plain


def test_the_plan_is_the_librarys_with_the_eiyf_ending_in_year_two(problem: DecisionProblem) -> None:
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.number_input(key="pl_years").set_value(3)
    at.selectbox(key="pl_end_early-intervention-youth-fund").set_value(2)
    at.toggle(key="pl_on").set_value(True).run()
    assert not at.exception
    settings = PlanSettings(years=3, stream_ends={"early-intervention-youth-fund": 2})
    expected = build_plan(problem, default_scenario(problem), settings)
    shown = [m.value for m in at.markdown if m.value.startswith("- ")]
    for line in expected.in_words():
        assert f"- {plain(line.strip())}" in shown
    table = next(df.value for df in at.dataframe if "paid by" in df.value.columns)
    assert len(table) == len(expected.table)
    assert table["paid £"].sum() == expected.table["paid_gbp"].sum()
    eiyf = expected.stream_names["early-intervention-youth-fund"]
    assert not ((table["paid by"] == eiyf) & (table["year"] >= 2)).any()
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the plan (CSV)" in labels and "This plan as a file (JSON)" in labels


def test_the_plan_csv_is_safe(problem: DecisionProblem) -> None:
    from matrix.decision import to_safe_csv

    expected = build_plan(problem, default_scenario(problem), PlanSettings(years=2))
    rows = list(csv.DictReader(io.StringIO(to_safe_csv(expected.table).decode("utf-8"))))
    assert len(rows) == len(expected.table)
    assert all(not r["name"].startswith(("=", "+", "-", "@")) for r in rows)


def test_a_plan_no_stream_can_pay_for_is_said_in_words(problem: DecisionProblem) -> None:
    """Every stream cut to nothing with an intervention that must be funded: no plan, and why, in words."""
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.multiselect(key="sc_must").set_value(["cbt-community"])
    for stream in problem.catalogue.funding_streams:
        at.slider(key=f"pl_cut_{stream.id}").set_value(100)
    at.toggle(key="pl_on").set_value(True).run()
    assert not at.exception
    [error] = [e.value for e in at.error if e.value.startswith("No plan")]
    assert "Cognitive behavioural therapy in the community" in error


def test_the_board_report_with_the_plan_is_offered_beside_it() -> None:
    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.toggle(key="pl_on").set_value(True).run()
    assert not at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the board report with this plan (Word)" in labels
    assert "Download the board report with this plan (PDF)" in labels


def test_the_plan_chart_is_valid_vega_lite_with_its_words(problem: DecisionProblem) -> None:
    """The page sends chart specifications unvalidated, so each builder's is validated here."""
    from ui.plan import _spend_view

    plan = build_plan(problem, default_scenario(problem), PlanSettings(years=3))
    view = _spend_view(plan)
    spec = view.chart.to_dict()  # validates against the Vega-Lite schema
    assert spec["description"] == f"{view.title}. {view.summary}"
    assert spec["encoding"]["color"]["title"] == "funding stream"
    assert abs(view.table["paid (£)"].sum() - plan.table["paid_gbp"].sum()) < 0.01


def test_plans_saved_for_comparison_sit_side_by_side_on_the_compare_tab(problem: DecisionProblem) -> None:
    """Two plans saved from the Funding tab (as given, and with the EIYF ending in year 2) are on the Compare tab
    with the library's figures, offered as a safe CSV; one can be removed; a fifth cannot be saved."""
    from matrix.decision import compare_plans
    from tests.ui.test_app import open_tab

    at = start(tab="Funding", folds=FUNDING_FOLDS)
    at.toggle(key="pl_on").set_value(True).run()  # three years by default
    at.button(key="pl_save").click().run()
    assert not at.exception
    assert any("kept for comparison (1 of 4)" in c.value for c in at.caption)
    at.selectbox(key="pl_end_early-intervention-youth-fund").set_value(2).run()
    at.button(key="pl_save").click().run()
    open_tab(at, "Compare")
    assert not at.exception
    shown = next(df.value for df in at.dataframe if "what if" in df.value.columns)
    scenario = default_scenario(problem)
    expected = compare_plans(
        [
            ("1. " + scenario.name + ", 3 years", build_plan(problem, scenario, PlanSettings(years=3))),
            (
                "2. " + scenario.name + ", 3 years",
                build_plan(problem, scenario, PlanSettings(years=3, stream_ends={"early-intervention-youth-fund": 2})),
            ),
        ]
    )
    assert list(shown["plan"]) == list(expected["plan"])
    assert shown["value"].tolist() == expected["value"].tolist()
    assert shown["cost £"].tolist() == expected["cost £"].tolist()
    assert shown["what if"].iloc[1].startswith("What if Early Intervention Youth Fund ends in year 2")
    assert "Download the plans compared (CSV)" in [d.proto.label for d in at.get("download_button")]
    at.selectbox(key="compare_plan_remove").set_value(0).run()
    at.button(key="compare_plan_remove_button").click().run()
    shown = next(df.value for df in at.dataframe if "what if" in df.value.columns)
    assert len(shown) == 1 and shown["what if"].iloc[0].startswith("What if Early Intervention")

    open_tab(at, "Funding")
    for cut in (5, 10, 15):
        at.slider(key="pl_cut_home-office-core-grant").set_value(cut).run()
        at.button(key="pl_save").click().run()
    at.slider(key="pl_cut_home-office-core-grant").set_value(20).run()
    assert at.button(key="pl_save").disabled
    assert any("4 plans are kept already" in c.value for c in at.caption)
