"""Workshop flow in AppTest: a facilitator creates a workshop, two participants submit, the facilitator sees them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.ui.test_app import open_tab, start


def participant(code: str, name: str, weights: dict[str, int]) -> AppTest:
    at = start({"workshop": code})
    at.text_input(key="p_name").set_value(name)
    for criterion, weight in weights.items():
        at.slider(key=f"p_{criterion}").set_value(weight)
    return at.button(key="p_submit").click().run()


def test_two_participants_and_the_facilitator() -> None:
    """Both participants' weights appear in the facilitator's view with the group's mean; a resubmission replaces the first."""
    facilitator = start(tab="Workshop")
    facilitator.text_input(key="user_name").set_value("Fran")
    facilitator.text_input(key="ws_name").set_value("Board workshop").run()
    facilitator.button(key="ws_create").click().run()
    assert not facilitator.exception
    code = facilitator.session_state["ws_code"]
    assert len(code) == 6

    ann = participant(code, "Ann", {"impact": 80, "reach": 10, "cost": 5, "risk": 5})
    assert not ann.exception
    assert any("your weights are in" in s.value for s in ann.success)
    participant(code, "Bob", {"impact": 10, "reach": 80, "cost": 5, "risk": 5})
    participant(code, "Ann", {"impact": 60, "reach": 20, "cost": 10, "risk": 10})  # resubmits

    open_tab(facilitator, "Workshop")
    assert any("2 participant(s) have submitted." in m.value for m in facilitator.markdown)
    weights = next(df.value for df in facilitator.dataframe if "impact" in df.value.columns and "reach" in df.value.columns)
    assert weights.loc["Ann", "impact"] == 60.0
    summary = next(df.value for df in facilitator.dataframe if "mean %" in df.value.columns)
    assert summary.loc["impact", "mean %"] == 35.0
    funded = next(df.value for df in facilitator.dataframe if "funded under the group's weights" in df.value.columns)
    assert len(funded) == 31

    facilitator.button(key="ws_close").click().run()
    assert not facilitator.exception
    assert any("Closed. The group's scenario is saved as scenario" in s.value for s in facilitator.success)
    late = start({"workshop": code})
    assert any("This workshop is closed" in i.value for i in late.info)
    assert not late.get("text_input")


def test_unknown_workshop_code() -> None:
    """A participant link with a wrong code says so."""
    at = start({"workshop": "ZZZZZZ"})
    assert not at.exception
    assert at.error[0].value.startswith("there is no workshop with the code 'ZZZZZZ'")
