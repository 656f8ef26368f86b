"""The Funding and Compare tabs through AppTest: budget changes, infeasible constraints, saving and comparing."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from matrix.decision import DecisionProblem, default_scenario, evaluate
from matrix.persistence import DecisionRecord
from scoring import money
from tests.ui.test_app import open_tab, start


def metric(at: AppTest, label: str) -> str:
    [value] = [m.value for m in at.metric if m.label == label]
    return value


def test_budget_change_changes_the_funded_set(problem: DecisionProblem) -> None:
    """Cutting the budget to £600k spends at most £600k and funds fewer interventions; the page shows the
    library's spend at both budgets."""
    scenario = default_scenario(problem)
    at = start(tab="Funding")
    assert metric(at, "Spend") == money(evaluate(problem, scenario).optimum.spend_gbp)
    before = metric(at, "Funded")
    at.number_input(key="sc_budget").set_value(600_000).run()
    assert not at.exception
    cut = evaluate(problem, scenario.model_copy(update={"budget_gbp": 600_000.0})).optimum
    assert cut.spend_gbp <= 600_000
    assert metric(at, "Spend") == money(cut.spend_gbp)
    assert metric(at, "Funded") != before
    assert at.query_params["budget"] == "600000"


def test_impossible_constraints_are_explained() -> None:
    """Must-funding more than the budget shows the commitments and the budget in words."""
    at = start({"budget": "200000"}, tab="Funding")
    at.multiselect(key="sc_must").set_value(
        ["sports-diversion-mentoring", "mentoring-targeted-outreach", "ae-navigators-redthread"]
    ).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "These constraints cannot all be met:\n\n"
        "- must fund: £240,000 of commitments \\(at their cheapest levels\\) exceed the £200,000 budget"
    ]


def test_link_restores_the_scenario() -> None:
    """A link with a budget, a must-fund and a tier minimum opens with those settings."""
    at = start({"budget": "500000", "must": "prison-mentoring", "min_primary": "30", "scenario": "Cut"}, tab="Funding")
    assert at.number_input(key="sc_budget").value == 500_000
    assert at.multiselect(key="sc_must").value == ["prison-mentoring"]
    assert at.slider(key="sc_tier_primary").value == (30, 100)
    assert at.text_input(key="sc_name").value == "Cut"
    assert int(metric(at, "Spend").strip("£").replace(",", "")) <= 500_000


def test_harmful_override_needs_a_reason() -> None:
    """Allowing the harmful option without a reason leaves it excluded and asks for one; with a reason it is recorded."""
    at = start({"budget": "5000000"}, tab="Funding")
    at.multiselect(key="sc_allow_harmful").set_value(["prison-awareness-visits"]).run()
    assert "Give a reason to override the exclusion; until then these stay excluded." in [w.value for w in at.warning]
    at.text_input(key="sc_reason").set_value("small evaluated pilot").run()
    assert any("Recorded reason: small evaluated pilot" in w.value for w in at.warning)


def test_save_and_compare_two_scenarios(problem: DecisionProblem) -> None:
    """Two saved scenarios appear side by side with their totals (the library's spend and total benefit at each
    budget, the columns named in words)."""
    at = start(tab="Funding")
    at.button(key="sc_save").click().run()
    at.text_input(key="sc_name").set_value("Cut").run()
    at.number_input(key="sc_budget").set_value(600_000).run()
    at.button(key="sc_save").click().run()
    assert not at.exception
    open_tab(at, "Compare")
    saved = at.session_state["saved_scenarios"]
    assert [s.name for s in saved] == ["Scenario", "Cut"]
    totals = next(df.value for df in at.dataframe if "scenario" in df.value.columns)
    assert totals["scenario"].tolist() == ["1. Scenario", "2. Cut"]
    scenario = default_scenario(problem)
    optima = [evaluate(problem, scenario.model_copy(update={"budget_gbp": b})).optimum for b in (880_000.0, 600_000.0)]
    assert totals["spend £"].tolist() == [o.spend_gbp for o in optima]
    assert totals["total benefit"].tolist() == [round(o.value, 2) for o in optima]
    assert totals["interventions funded"].tolist() == [len(o.funded) for o in optima]


def test_frontier_toggle() -> None:
    """Turning on the frontier shows the next-pound table with four budget changes, its columns in words."""
    at = start(tab="Funding")
    at.toggle(key="sc_show_frontier").set_value(True).run()
    assert not at.exception
    pounds = next(df.value for df in at.dataframe if "budget change" in df.value.columns)
    assert pounds["budget change"].tolist() == [-100_000, -50_000, 50_000, 100_000]
    assert "change in total benefit" in pounds.columns and "value change" not in pounds.columns


def test_scenario_survives_switching_tabs() -> None:
    """A budget set on the Funding tab stays set, and stays in the link, while another tab is open."""
    at = start(tab="Funding")
    at.number_input(key="sc_budget").set_value(450_000).run()
    open_tab(at, "Matrix")
    assert at.query_params["budget"] == "450000"
    open_tab(at, "Funding")
    assert at.number_input(key="sc_budget").value == 450_000
    assert metric(at, "Spend") != "£880,000"


def test_the_board_report_is_offered_on_the_funding_tab() -> None:
    """Word and PDF board papers sit beside the shortlist CSV (built only when clicked; their content is
    tested in tests/matrix/report), with the record they are built from for someone who may export records
    (local mode: everyone; a viewer's page is in tests/test_attack_access.py)."""
    at = start(tab="Funding")
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the board report (Word)" in labels and "Download the board report (PDF)" in labels
    assert "Its decision record (JSON)" in labels


def test_the_page_opens_with_the_decision_in_a_sentence(problem: DecisionProblem) -> None:
    """The headline gives the budget, the funded set's size and its reach as the library computes them."""
    optimum = evaluate(problem, default_scenario(problem)).optimum
    at = start()
    opening = f"With {money(problem.budget_gbp)} a year, the recommended set funds {len(optimum.funded)} interventions "
    [line] = [m.value for m in at.markdown if m.value.startswith(opening)]
    assert f"reaching about {optimum.reach:,.0f} people a year" in line and "many figures behind it are estimates" in line
    assert "The Funding tab lists it" in line


def test_one_papers_files_share_one_record(problem: DecisionProblem) -> None:
    """A board paper's Word file, PDF and decision record come from one record, made when the first is clicked and
    kept for the same inputs however often the page runs, so the identity in the paper's appendix is the record
    downloaded beside it; other inputs get their own record, and only the latest few are kept."""
    from matrix.persistence import build_record, record_json
    from ui.widgets import KEEP_PAPER_RECORDS, paper_record

    made: dict[str, DecisionRecord] = {}
    built: list[DecisionRecord] = []

    def build() -> DecisionRecord:
        built.append(build_record(problem, default_scenario(problem), "Cara"))
        return built[-1]

    word = paper_record(made, build, "scenario A")
    assert built == []  # nothing is built until a button needs it
    first = word()
    assert paper_record(made, build, "scenario A")() is first  # the PDF or record, on a later run of the page
    assert record_json(paper_record(made, build, "scenario A")()) == record_json(first) and len(built) == 1
    other = paper_record(made, build, "scenario B")()
    assert other is not first and len(built) == 2
    for index in range(KEEP_PAPER_RECORDS):
        paper_record(made, build, f"scenario {index}")()
    assert len(made) == KEEP_PAPER_RECORDS and "scenario A" not in made
