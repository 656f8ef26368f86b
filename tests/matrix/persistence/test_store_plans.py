"""A plan over several years saved with a scenario version, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from matrix.decision import PlanSettings
from matrix.persistence.store import Store, StoreError
from tests.matrix.persistence.test_store import SHA, _at_revision, scenario

PLAN = PlanSettings(
    years=3,
    inflation=0.025,
    min_contract_years=2,
    stream_ends={"early-intervention-youth-fund": 2},
    stream_cuts={"pcc-funding": 0.5},
    new_streams={"new-money": 100_000},
    committed_years={"ae-navigators-redthread": 1},
)


def test_a_plan_is_saved_with_its_version_and_loaded_back(store_url: str) -> None:
    store = Store.open(store_url)
    first = store.save_scenario(scenario(), "Ann", SHA, plan=PLAN)
    assert first.plan == PLAN
    loaded, saved = store.load_scenario(first.id)
    assert loaded == scenario() and saved.plan == PLAN
    assert store.list_scenarios()[0].plan == PLAN
    # A new version without the plan has none; the earlier version keeps its own.
    second = store.save_scenario(scenario(budget=700_000), "Bob", SHA, first.id)
    assert second.plan is None and store.load_scenario(first.id)[1].plan is None
    assert store.load_scenario(first.id, 1)[1].plan == PLAN
    assert [v.plan for v in store.history(first.id)] == [PLAN, None]
    store.engine.dispose()


def test_a_rename_keeps_the_plan(store_url: str) -> None:
    store = Store.open(store_url)
    saved = store.save_scenario(scenario(), "Ann", SHA, plan=PLAN)
    renamed = store.rename(saved.id, "Three years", "Bob")
    assert renamed.version == 2 and renamed.plan == PLAN
    assert store.load_scenario(saved.id)[1].plan == PLAN
    store.engine.dispose()


def test_the_audit_log_says_what_the_plan_changed(store_url: str) -> None:
    store = Store.open(store_url)
    saved = store.save_scenario(scenario(), "Ann", SHA, plan=PLAN)
    store.save_scenario(scenario(), "Ann", SHA, saved.id, plan=PLAN.model_copy(update={"years": 4}))
    store.save_scenario(scenario(), "Ann", SHA, saved.id)
    first, changed, dropped = store.audit_log()
    assert "a 3-year plan" in first.detail
    assert changed.detail.startswith("plan: ") and '"years": 3' in changed.detail and '"years": 4' in changed.detail
    assert dropped.detail.startswith("plan: ") and dropped.detail.endswith("-> null")
    store.engine.dispose()


def test_a_plan_this_app_cannot_read_is_said_on_load_and_listing_still_works(store_url: str) -> None:
    """A stored plan of another shape (a later app's, or a hand-edited row) stops its load with words, not
    a traceback; the list still shows the scenario (without the plan) and nothing is changed."""
    store = Store.open(store_url)
    saved = store.save_scenario(scenario(), "Ann", SHA, plan=PLAN)
    bad = '{"years": 9, "horizon": "long"}'
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE scenario_versions SET plan_json = :j"), {"j": bad})
    with pytest.raises(StoreError, match=r"scenario \d+ version 1 is stored in a form this version of the app cannot read"):
        store.load_scenario(saved.id)
    assert [(s.id, s.plan) for s in store.list_scenarios()] == [(saved.id, None)]
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT plan_json FROM scenario_versions")).scalar() == bad
    store.engine.dispose()


def test_versions_saved_before_plans_upgrade_with_no_plan(store_url: str) -> None:
    """A database at the revision before plans keeps its scenarios; they load with no plan and can gain one."""
    engine = _at_revision(store_url, "0003")
    now = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO scenarios (id, created_at) VALUES (1, :t)"), {"t": now})
        connection.execute(
            sa.text(
                "INSERT INTO scenario_versions (scenario_id, version, name, scenario_json, saved_by, saved_at, "
                "catalogue_sha256, app_version) VALUES (1, 1, 'Cut', :j, 'Ann', :t, :sha, '1.0.0')"
            ),
            {"j": scenario().model_dump_json(), "t": now, "sha": SHA},
        )
    engine.dispose()
    store = Store.open(store_url)
    loaded, saved = store.load_scenario(1)
    assert loaded == scenario() and saved.plan is None
    assert store.save_scenario(scenario(), "Ann", SHA, 1, plan=PLAN).plan == PLAN
    assert store.load_scenario(1)[1].plan == PLAN
    store.engine.dispose()
