"""The server-side checks: every change and every facilitator's read, called directly (as a forged
request would reach it), refused for a role that may not, allowed for one that may, and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from matrix.access import AuditGap, Desk, Forbidden, Principal, Role, audit_table
from matrix.catalogue import SHIPPED_CATALOGUE, Weights
from matrix.decision import DecisionProblem, Scenario
from matrix.persistence import Store, StoreError

SHA = "b" * 64
WEIGHTS = Weights(impact=40, reach=20, cost=20, risk=20)


def person(*roles: Role, email: str = "pat@city.gov.uk") -> Principal:
    return Principal("Pat", email, frozenset(roles), signed_in=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(data_dir=tmp_path / "var")
    store.save_scenario(Scenario(name="Cut", weights=WEIGHTS, budget_gbp=600_000), "Seed <seed@city.gov.uk>", SHA)
    workshop = store.create_workshop("Board", "Seed <seed@city.gov.uk>")
    store.submit(workshop.participant_token, "ann-browser-token-0001", "Ann", WEIGHTS)
    return store


def actions(desk: Desk, problem: DecisionProblem, catalogue: Path) -> dict[str, tuple[Role, Callable[[], object]]]:
    """Every guarded action, with the least role that may do it."""
    scenario = Scenario(name="New", weights=WEIGHTS, budget_gbp=500_000)
    code = desk.store.workshops()[0].code
    return {
        "save": (Role.COMMISSIONER, lambda: desk.save_scenario(scenario, SHA)),
        "version": (Role.COMMISSIONER, lambda: desk.save_scenario(scenario, SHA, 1)),
        "rename": (Role.COMMISSIONER, lambda: desk.rename(1, "Renamed")),
        "record": (Role.COMMISSIONER, lambda: desk.record(problem, scenario)),
        "create workshop": (Role.FACILITATOR, lambda: desk.create_workshop("Another", dt.timedelta(hours=2))),
        "list workshops": (Role.FACILITATOR, desk.workshops),
        "open workshop": (Role.FACILITATOR, lambda: desk.workshop(code)),
        "read names and weights": (Role.FACILITATOR, lambda: desk.submissions(code)),
        "close workshop": (Role.FACILITATOR, lambda: desk.close_workshop(code, scenario, SHA)),
        "save catalogue": (Role.EDITOR, lambda: desk.save_catalogue(catalogue, SHIPPED_CATALOGUE.read_text("utf-8"), "test")),
        "YEF applied": (Role.EDITOR, lambda: desk.yef_applied(2, "yef_import_20261122")),
        "delete": (Role.ADMIN, lambda: desk.delete(1)),
        "grant role": (Role.ADMIN, lambda: desk.grant_role("new@city.gov.uk", Role.EDITOR)),
        "list grants": (Role.ADMIN, desk.role_grants),
        "audit log": (Role.ADMIN, desk.audit_log),
        "audit CSV": (Role.ADMIN, desk.audit_csv),
        "erase participant": (Role.ADMIN, lambda: desk.erase_participant(code, "ann-browser-token-0001")),
        "retention": (Role.ADMIN, lambda: desk.apply_retention(90)),
    }


def test_a_viewer_is_refused_every_change_and_the_facilitators_data(
    store: Store, tmp_path: Path, problem: DecisionProblem
) -> None:
    catalogue = tmp_path / "interventions.toml"
    catalogue.write_bytes(SHIPPED_CATALOGUE.read_bytes())
    before_audit = len(store.audit_log())
    desk = Desk(store, person(Role.VIEWER))
    for name, (_, action) in actions(desk, problem, catalogue).items():
        with pytest.raises(Forbidden, match="you need the"):
            action()
        assert name  # every action was tried
    assert [s.name for s in store.list_scenarios()] == ["Cut"]
    assert len(store.audit_log()) == before_audit
    assert catalogue.read_bytes() == SHIPPED_CATALOGUE.read_bytes() and not list(tmp_path.glob("*.bak"))


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.FACILITATOR, Role.EDITOR])
def test_each_role_may_do_its_own_actions_and_no_others(
    store: Store, tmp_path: Path, role: Role, problem: DecisionProblem
) -> None:
    catalogue = tmp_path / "interventions.toml"
    catalogue.write_bytes(SHIPPED_CATALOGUE.read_bytes())
    desk = Desk(store, person(Role.VIEWER, role))
    for name, (needed, action) in actions(desk, problem, catalogue).items():
        if needed is role:
            action()
        else:
            with pytest.raises(Forbidden):
                action()
            assert name


def test_an_admin_may_do_everything_and_every_write_is_audited_with_the_identity(
    store: Store, tmp_path: Path, problem: DecisionProblem
) -> None:
    catalogue = tmp_path / "interventions.toml"
    catalogue.write_bytes(SHIPPED_CATALOGUE.read_bytes())
    desk = Desk(store, person(Role.ADMIN, email="ada@city.gov.uk"))
    before = len(store.audit_log())
    for action in (a for _, a in actions(desk, problem, catalogue).values()):
        action()
    written = [e for e in store.audit_log()[before:]]
    assert {e.actor for e in written} == {"Pat <ada@city.gov.uk>"}
    assert [e.action for e in written] == [
        "scenario saved",
        "scenario version saved",
        "scenario renamed",
        "workshop created",
        "workshop scenario saved",
        "workshop closed",
        "catalogue saved",
        "YEF ratings applied",
        "scenario deleted",
        "role granted",
        "participant erased",
    ]
    version = next(e for e in written if e.action == "scenario version saved")
    assert "budget_gbp: 600000.0 -> 500000.0" in version.detail and "name" in version.detail
    erased = next(e for e in written if e.action == "participant erased")
    assert "Ann" not in erased.detail + erased.target  # no personal data in the append-only log
    saved, meta = store.load_scenario(1)
    assert meta.saved_by == "Pat <ada@city.gov.uk>" and saved.name == "Renamed"


def test_the_audit_csv_is_formula_safe(store: Store) -> None:
    desk = Desk(store, person(Role.ADMIN))
    store.record_event('=HYPERLINK("http://x")', "catalogue saved", "+SUM(A1)", "@cmd")
    text = desk.audit_csv().decode("utf-8")
    assert "'=HYPERLINK" in text and "'+SUM(A1)" in text and "'@cmd" in text
    assert list(audit_table([]).columns) == ["when (UTC)", "who", "what", "on", "detail"]


def test_a_catalogue_saved_without_its_audit_entry_is_said(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = tmp_path / "interventions.toml"
    catalogue.write_bytes(SHIPPED_CATALOGUE.read_bytes())

    def fail(*_: object) -> None:
        raise StoreError("the store is busy")

    monkeypatch.setattr(store, "record_event", fail)
    with pytest.raises(AuditGap, match="The catalogue file was saved, but the audit log could not record it"):
        Desk(store, person(Role.EDITOR)).save_catalogue(catalogue, SHIPPED_CATALOGUE.read_text("utf-8"), "test")
