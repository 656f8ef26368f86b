"""Workshop flow in AppTest: a facilitator creates a workshop, two participants submit, the facilitator sees them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from matrix.catalogue import Weights
from matrix.decision import DecisionProblem
from matrix.persistence import Store
from matrix.persistence import store as store_module
from tests.ui.test_app import APP, open_tab, start
from ui.text import distinct_labels, plain


def participant(token: str, name: str, weights: dict[str, int], at: AppTest | None = None) -> AppTest:
    """A participant's browser (a new one unless ``at`` is given) submitting ``weights`` under ``name``."""
    at = at or start({"workshop": token})
    at.text_input(key="p_name").set_value(name)
    for criterion, weight in weights.items():
        at.slider(key=f"p_{criterion}").set_value(weight)
    return at.button(key="p_submit").click().run()


def token_of(code: str, folder: Path) -> str:
    return Store.open(data_dir=folder).workshop(code).participant_token


def test_two_participants_and_the_facilitator(isolated_store: Path, problem: DecisionProblem) -> None:
    """Both participants' weights appear in the facilitator's view with the group's mean; a resubmission from
    the same browser replaces the first; a third person typing "ann" is a third participant, flagged as a
    look-alike, never a replacement; the short code is not a way in for participants."""
    facilitator = start(tab="Workshop")
    facilitator.text_input(key="user_name").set_value("Fran")
    facilitator.text_input(key="ws_name").set_value("Board workshop").run()
    facilitator.button(key="ws_create").click().run()
    assert not facilitator.exception
    code = facilitator.session_state["ws_code"]
    assert len(code) == 6
    token = token_of(code, isolated_store)
    assert any(token in c.value for c in facilitator.code)

    ann = participant(token, "Ann", {"impact": 80, "reach": 10, "cost": 5, "risk": 5})
    assert not ann.exception
    assert any("your weights are in" in s.value for s in ann.success)
    assert any("Privacy" in c.value for c in ann.caption)
    participant(token, "Bob", {"impact": 10, "reach": 80, "cost": 5, "risk": 5})
    participant(token, "Ann", {"impact": 60, "reach": 20, "cost": 10, "risk": 10}, at=ann)  # resubmits
    open_tab(facilitator, "Workshop")
    assert any("2 participant(s) have submitted." in m.value for m in facilitator.markdown)
    weights = next(df.value for df in facilitator.dataframe if "impact" in df.value.columns and "reach" in df.value.columns)
    assert weights.loc["Ann", "impact"] == 60.0

    participant(token, "ann", {"impact": 0, "reach": 0, "cost": 100, "risk": 0})  # someone else, same name
    by_code = start({"workshop": code})
    assert by_code.error[0].value.startswith("this workshop link is not known")
    open_tab(facilitator, "Workshop")
    assert any("3 participant(s) have submitted." in m.value for m in facilitator.markdown)
    assert any("look alike" in w.value and "'Ann', 'ann'" in w.value for w in facilitator.warning)
    weights = next(df.value for df in facilitator.dataframe if "impact" in df.value.columns and "reach" in df.value.columns)
    assert weights.loc["Ann", "impact"] == 60.0 and weights.loc["ann", "cost"] == 100.0
    facilitator.toggle(key="ws_live").set_value(False).run()  # WCAG 2.2.2: the live updates can be paused
    assert any("Updates paused" in c.value for c in facilitator.caption)
    assert any("3 participant(s) have submitted." in m.value for m in facilitator.markdown)
    participant(token, "Bob", {"impact": 10, "reach": 80, "cost": 5, "risk": 5})  # a second Bob
    open_tab(facilitator, "Workshop")
    weights = next(df.value for df in facilitator.dataframe if "impact" in df.value.columns and "reach" in df.value.columns)
    assert list(weights.index) == ["Ann", "Bob", "ann", "Bob (2)"]
    for _ in ("ann", "Bob (2)"):  # the admin (local mode: everyone) erases the two later arrivals
        facilitator.selectbox(key="ws_erase_who").set_value(_).run()
        facilitator.button(key="ws_erase").click().run()
    open_tab(facilitator, "Workshop")
    assert any("2 participant(s) have submitted." in m.value for m in facilitator.markdown)
    labels = [b.proto.label for b in facilitator.get("download_button")]
    assert "Download participants' weights CSV" in labels  # the formula-safe one; the table's own is switched off
    summary = next(df.value for df in facilitator.dataframe if "mean %" in df.value.columns)
    assert summary.loc["impact", "mean %"] == 35.0
    funded = next(df.value for df in facilitator.dataframe if "funded under the group's weights" in df.value.columns)
    assert len(funded) == len(problem.info)

    facilitator.button(key="ws_close").click().run()
    assert not facilitator.exception
    assert any("Closed. The group's scenario is saved as scenario" in s.value for s in facilitator.success)
    late = start({"workshop": token})
    assert any("This workshop is closed" in i.value for i in late.info)
    assert not late.get("text_input")
    assert "Board workshop" not in [t.value for t in late.title]


def test_unknown_workshop_link() -> None:
    """A participant link with a wrong token says so."""
    at = start({"workshop": "ZZZZZZ"})
    assert not at.exception
    assert at.error[0].value.startswith("this workshop link is not known")


def test_a_busy_or_missing_store_is_said_to_the_participant(isolated_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission while another program locks the store says "busy", not thanks; unlocked it goes in; a lost store is said."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    token = Store.open(data_dir=isolated_store).create_workshop("Board workshop", "Fran").participant_token
    ann = start({"workshop": token})
    ann.text_input(key="p_name").set_value("Ann")
    holder = sqlite3.connect(isolated_store / "matrix.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        ann.button(key="p_submit").click().run()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not ann.exception
    [error] = [e.value for e in ann.error]
    assert error.startswith("Not submitted: the store is busy: another program is using the store file ")
    assert error.endswith("try again in a moment")
    assert not ann.success
    ann.button(key="p_submit").click().run()
    assert any("your weights are in" in s.value for s in ann.success)

    shutil.rmtree(isolated_store)
    late = start({"workshop": token})
    assert not late.exception
    assert late.error[0].value.startswith("The workshop cannot be opened just now: ")
    assert "is no longer there" in late.error[0].value


def test_the_monte_carlo_says_when_participants_weights_cannot_be_read(isolated_store: Path) -> None:
    """With the store gone, drawing from the participants' own weights is withdrawn with a warning in words, not silently."""
    store = Store.open(data_dir=isolated_store)
    workshop = store.create_workshop("Board workshop", "Fran")
    code = workshop.code
    store.submit(workshop.participant_token, "ann-browser-token-0001", "Ann", Weights(impact=80, reach=10, cost=5, risk=5))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ws_code"] = code
    open_tab(at.run(), "Sensitivity")
    own = "The workshop participants' own weights"
    assert own in at.radio(key="mc_mode").options
    shutil.rmtree(isolated_store)
    at.run()
    assert not at.exception
    assert any("participants' weights cannot be read just now" in w.value and "is no longer there" in w.value for w in at.warning)
    assert own not in at.radio(key="mc_mode").options


def test_a_participant_can_answer_swing_questions_instead_of_sliders(isolated_store: Path, problem: DecisionProblem) -> None:
    """On the phone page, swing weighting sets the participant's four sliders and Submit sends those weights."""
    from matrix.decision import swings
    from scoring import swing_weights

    facilitator = start(tab="Workshop")
    facilitator.text_input(key="user_name").set_value("Fran")
    facilitator.text_input(key="ws_name").set_value("Swing workshop").run()
    facilitator.button(key="ws_create").click().run()
    token = token_of(facilitator.session_state["ws_code"], isolated_store)
    phone = start({"workshop": token})
    phone.text_input(key="p_name").set_value("Cy")
    phone.session_state["p_sw_fold"] = True
    phone.run()
    order = ["impact", "risk", "reach", "cost"]
    phone.multiselect(key="p_sw_order").set_value(order).run()
    phone.slider(key="p_sw_rate_risk").set_value(60)
    phone.slider(key="p_sw_rate_reach").set_value(30)
    phone.slider(key="p_sw_rate_cost").set_value(20).run()
    phone.button(key="p_sw_apply").click().run()
    assert not phone.exception
    expected = swing_weights(order, {"risk": 60, "reach": 30, "cost": 20}, {c: s.points for c, s in swings(problem).items()})
    sliders = {c: phone.slider(key=f"p_{c}").value for c in ("impact", "reach", "cost", "risk")}
    assert sliders == {c: round(w * 100) for c, w in expected.items()}
    phone.button(key="p_submit").click().run()
    assert any("your weights are in" in s.value for s in phone.success)
    [submitted] = Store.open(data_dir=isolated_store).latest_submissions(facilitator.session_state["ws_code"])
    assert submitted.weights.as_dict() == {c: float(v) for c, v in sliders.items()}


PAPER = ("Download the workshop's board paper (Word)", "Download the workshop's board paper (PDF)")
ROLES = """
default_role = "none"

[[rule]]
email = "fran@city.gov.uk"
roles = ["facilitator"]

[[rule]]
email = "fay@city.gov.uk"
roles = ["facilitator", "commissioner"]

[[rule]]
email = "cara@city.gov.uk"
roles = ["commissioner"]

[[rule]]
email = "vic@city.gov.uk"
roles = ["viewer"]
"""


def signed_in(email: str, query: dict[str, str] | None = None) -> AppTest:
    """The app with sign-in on, as the person with this email (their roles from ROLES), on the Workshop tab;
    with ``query``, the page a link opens instead."""
    from tests.ui.test_access import AUTH

    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email_verified": True, "email": email, "name": email.split("@")[0].title()}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at if query else open_tab(at, "Workshop")


def download_labels(at: AppTest) -> list[str]:
    return [str(b.proto.label) for b in at.get("download_button")]


def test_the_facilitator_gets_the_workshops_board_paper_and_no_one_else_does(
    isolated_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: DecisionProblem
) -> None:
    """With sign-in on: the facilitator's view of a closed workshop offers its board paper (Word and PDF), built
    from the group's scenario saved at the close; its record only to a facilitator who may also export records.
    A commissioner and a viewer (no facilitator role) and a participant's link get no paper."""
    from matrix.access import Desk, Principal, Role
    from matrix.decision import default_scenario, distinct_names, group_view

    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("MATRIX_ROLES", str(roles))
    store = Store.open(data_dir=isolated_store)
    desk = Desk(store, Principal("Fran", "fran@city.gov.uk", frozenset({Role.FACILITATOR}), signed_in=True))
    closed = store.create_workshop("Board workshop", "Fran <fran@city.gov.uk>")
    for name, browser, weights in (
        ("Ann", "ann-browser-token-0001", Weights(impact=80, reach=10, cost=5, risk=5)),
        ("Bob", "bob-browser-token-0001", Weights(impact=10, reach=80, cost=5, risk=5)),
        ("Cy", "cy-browser-token-00001", Weights(impact=25, reach=25, cost=25, risk=25)),
    ):
        store.submit(closed.participant_token, browser, name, weights)
    submitted = desk.submissions(closed.code)
    entries = list(zip(distinct_names([s.participant for s in submitted]), [s.weights for s in submitted], strict=True))
    group = group_view(problem, default_scenario(problem), entries, closed.name).scenario
    _, saved = desk.close_workshop(closed.code, group, problem.sha256)
    still_open = store.create_workshop("Second workshop", "Fran <fran@city.gov.uk>")
    store.submit(still_open.participant_token, "dee-browser-token-0001", "Dee", Weights(impact=40, reach=20, cost=20, risk=20))

    fran = signed_in("fran@city.gov.uk")
    fran.selectbox(key="ws_code").set_value(closed.code).run()
    assert not fran.exception
    assert any("3 participant(s) have submitted." in m.value for m in fran.markdown)
    assert set(PAPER) <= set(download_labels(fran))
    assert "Its decision record (JSON)" not in download_labels(fran)  # it names the participants: commissioners only
    assert any(
        "Its decision record, which names the participants, is downloaded by commissioners" in c.value for c in fran.caption
    )
    assert "Download the decision record (JSON)" not in download_labels(fran)
    assert any(plain(f"saved when the workshop closed (scenario {saved.id})") in c.value for c in fran.caption)

    fran.selectbox(key="ws_code").set_value(still_open.code).run()
    assert set(PAPER) <= set(download_labels(fran))
    assert any(plain("the group's weights so far") in c.value for c in fran.caption)

    fay = signed_in("fay@city.gov.uk")
    fay.selectbox(key="ws_code").set_value(closed.code).run()
    assert set(PAPER) <= set(download_labels(fay)) and "Its decision record (JSON)" in download_labels(fay)

    for email in ("cara@city.gov.uk", "vic@city.gov.uk"):
        other = signed_in(email)
        assert not other.exception
        assert any("Workshops are run by facilitators" in i.value for i in other.info)
        assert not set(PAPER) & set(download_labels(other))
    guest = signed_in("", {"workshop": still_open.participant_token})
    assert not guest.exception and guest.get("text_input")
    assert not set(PAPER) & set(download_labels(guest))


def test_workshops_of_one_name_can_each_be_chosen(isolated_store: Path) -> None:
    """Two workshops of one name made by one person in one minute read differently in the box, and choosing
    either shows its own link (the box gave back the last of two options labelled alike)."""
    facilitator = start(tab="Workshop")
    facilitator.text_input(key="user_name").set_value("Fran")
    facilitator.text_input(key="ws_name").set_value("Board workshop").run()
    facilitator.button(key="ws_create").click().run()
    first = facilitator.session_state["ws_code"]
    facilitator.button(key="ws_create").click().run()
    second = facilitator.session_state["ws_code"]
    assert first != second
    box = facilitator.selectbox(key="ws_code")
    assert len(set(box.options)) == 2
    for code in (first, second, first):
        facilitator.selectbox(key="ws_code").set_value(code).run()
        assert facilitator.session_state["ws_code"] == code
        assert any(token_of(code, isolated_store) in c.value for c in facilitator.code)


def test_labels_alike_get_their_keys() -> None:
    assert distinct_labels({"a": "Mentoring", "b": "Mentoring", "c": "Sport"}) == {
        "a": "Mentoring (a)",
        "b": "Mentoring (b)",
        "c": "Sport",
    }
    labels = distinct_labels({"a": "X", "b": "X", "c": "X (a)"})  # adding the key must not make a new pair
    assert len(set(labels.values())) == 3 and labels["b"] == "X (b)"


def test_participant_sliders_are_pushed_only_until_drawn(isolated_store: Path) -> None:
    """The participant's sliders carry the server's value as their default and are pushed to the phone only on
    the first run: pushing them on every run undid arrow-key presses made while a run was on its way."""
    token = Store.open(data_dir=isolated_store).create_workshop("Board workshop", "Fran").participant_token
    phone = start({"workshop": token})
    impact = phone.slider(key="p_impact")
    assert impact.proto.default == [25] and impact.proto.set_value
    phone.text_input(key="p_name").set_value("Kim").run()  # a run the name starts, as when the field loses focus
    assert not phone.slider(key="p_impact").proto.set_value
    phone.slider(key="p_impact").set_value(35).run()
    impact = phone.slider(key="p_impact")
    assert impact.value == 35 and impact.proto.default == [35] and not impact.proto.set_value
