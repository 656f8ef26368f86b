"""The Data tab in AppTest: edit a cost, see the score change, and the edited catalogue offered for download."""

from __future__ import annotations

from tests.ui.test_app import open_tab, start, top_ranked
from ui.text import plain


def test_edit_a_cost_and_see_the_score_change() -> None:
    """Cutting CBT's cost, applying the edit, changes its score on the Ranking tab and offers the edited file."""
    at = start(tab="Ranking")
    at.selectbox(key="explain_id").set_value("cbt-community").run()
    before = [m.value for m in at.markdown if m.value.startswith("**Score ")]
    open_tab(at, "Data")
    at.session_state["data_editor"] = {"edited_rows": {1: {"annual_cost_gbp": 5000}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("change(s) against the catalogue in use" in m.value for m in at.markdown)
    at.button(key="edit_apply").click().run()
    assert not at.exception
    assert at.session_state["working_text"]
    assert any("You are working from an edited catalogue" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button") if "edited catalogue" in b.label]
    open_tab(at, "Ranking")
    at.selectbox(key="explain_id").set_value("cbt-community").run()
    after = [m.value for m in at.markdown if m.value.startswith("**Score ")]
    assert before != after
    assert "Cognitive behavioural therapy" in top_ranked(at)


def test_an_invalid_edit_changes_nothing() -> None:
    """A negative cost is reported by row and column, and the catalogue in use is not replaced."""
    at = start(tab="Data")
    at.session_state["data_editor"] = {"edited_rows": {1: {"annual_cost_gbp": -5}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "row 2 \\(cbt\\-community\\), annual\\_cost\\_gbp: must be greater than or equal to 0 \\(got \\-5\\)" in error
    assert "working_text" not in at.session_state


def test_html_in_a_name_is_shown_as_text() -> None:
    """A name holding HTML is escaped, never rendered: the markdown shown carries it escaped."""
    at = start(tab="Data")
    at.session_state["data_editor"] = {
        "edited_rows": {1: {"name": "<img src=x onerror=alert(1)>"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="edit_apply").click().run()
    open_tab(at, "Ranking")
    at.selectbox(key="explain_id").set_value("cbt-community").run()
    shown = [m.value for m in at.markdown if "img" in m.value]
    assert shown and all("\\<img" in m for m in shown)


def test_deleting_an_intervention_chosen_to_fund_says_so_and_the_funding_tab_works() -> None:
    """An intervention in Must fund deleted on the Data tab leaves the list, with a message naming it, and the
    Funding tab still opens (the box was given a choice it cannot show, and stopped)."""
    at = start(tab="Funding")
    at.multiselect(key="sc_must").set_value(["cbt-community"]).run()
    open_tab(at, "Data")
    at.session_state["data_editor"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [1]}
    at.run()
    at.button(key="edit_apply").click().run()
    open_tab(at, "Funding")
    assert not at.exception
    assert at.session_state["sc_must"] == []
    assert any(plain("Must fund no longer lists cbt-community") in w.value for w in at.warning)
