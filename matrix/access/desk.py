"""Every change and every facilitator's read, checked against the signed-in person's roles on the server.

The app's pages call these, never the store directly for a write: hiding a button is only a courtesy,
and this is where a person without the role is refused (``Forbidden``), whatever the page sent.
Each change is written to the audit log with the person's identity, in the store's own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from matrix.access.roles import Permission, Principal, Role
from matrix.catalogue import Weights, save_catalogue
from matrix.decision import DecisionProblem, PlanSettings, Scenario, distinct_names, to_safe_csv
from matrix.persistence import (
    AuditEvent,
    DecisionRecord,
    Elicited,
    RoleGrant,
    SavedScenario,
    Store,
    StoreError,
    Submission,
    Workshop,
    build_record,
    record_json,
)


class AuditGap(StoreError):
    """A change was made but its audit entry could not be written (said, never hidden)."""


@dataclass(frozen=True)
class Desk:
    """One person's access to the store and the catalogue file."""

    store: Store
    principal: Principal

    def _actor(self) -> str:
        actor = self.principal.actor
        if not actor:
            raise StoreError("your name cannot be empty: type your name in the sidebar")
        return actor

    # Scenarios (reading the library is open to every role: board members compare saved scenarios)

    def save_scenario(
        self, scenario: Scenario, catalogue_sha256: str, scenario_id: int | None = None, plan: PlanSettings | None = None
    ) -> SavedScenario:
        self.principal.require(Permission.SAVE_SCENARIOS)
        return self.store.save_scenario(scenario, self._actor(), catalogue_sha256, scenario_id, plan=plan)

    def rename(self, scenario_id: int, name: str) -> SavedScenario:
        self.principal.require(Permission.SAVE_SCENARIOS)
        return self.store.rename(scenario_id, name, self._actor())

    def delete(self, scenario_id: int) -> None:
        self.principal.require(Permission.DELETE_SCENARIOS)
        self.store.delete(scenario_id, self._actor())

    def record(
        self,
        problem: DecisionProblem,
        scenario: Scenario,
        participants: list[tuple[str, Weights]] | None = None,
        monte_carlo: dict[str, Any] | None = None,
        elicited: Elicited | None = None,
    ) -> bytes:
        """A decision record signed with this person's identity."""
        self.principal.require(Permission.EXPORT_RECORDS)
        made = build_record(problem, scenario, self.principal.actor, participants, monte_carlo, elicited=elicited)
        return record_json(made)

    # Workshops (the facilitator's side; participants use the store through their link's token)

    def create_workshop(self, name: str, lifetime: dt.timedelta) -> Workshop:
        self.principal.require(Permission.RUN_WORKSHOPS)
        return self.store.create_workshop(name, self._actor(), lifetime)

    def workshops(self) -> list[Workshop]:
        self.principal.require(Permission.RUN_WORKSHOPS)
        return self.store.workshops()

    def workshop(self, code: str) -> Workshop:
        self.principal.require(Permission.RUN_WORKSHOPS)
        return self.store.workshop(code)

    def submissions(self, code: str) -> list[Submission]:
        """Participants' names and weights: personal data, for facilitators only."""
        self.principal.require(Permission.RUN_WORKSHOPS)
        return self.store.latest_submissions(code)

    def close_workshop(self, code: str, group_scenario: Scenario, catalogue_sha256: str) -> tuple[Workshop, SavedScenario]:
        """Save the group's scenario and close the workshop, in one transaction (closing it is part of running it)."""
        self.principal.require(Permission.RUN_WORKSHOPS)
        workshop, saved = self.store.close_workshop(code, self._actor(), group_scenario, catalogue_sha256)
        assert saved is not None  # a group scenario was given
        return workshop, saved

    def workshop_record(self, problem: DecisionProblem, code: str, group_scenario: Scenario) -> DecisionRecord:
        """The workshop's decision, for its board paper: every participant's weights (names told apart as the
        facilitator sees them) and the group's scenario: the one saved when the workshop closed (its first
        version), or while it has none, ``group_scenario`` (the group's weights so far under the page's
        scenario). Facilitators only: it holds the participants' names."""
        self.principal.require(Permission.RUN_WORKSHOPS)
        workshop = self.store.workshop(code)
        submitted = self.store.latest_submissions(code)
        if not submitted:
            raise StoreError(f"no participant has submitted weights to the workshop '{workshop.name}' yet")
        names = distinct_names([s.participant for s in submitted])
        # Version 1 is the scenario as the workshop closed on it; later versions are someone's edits.
        scenario = group_scenario if workshop.scenario_id is None else self.store.load_scenario(workshop.scenario_id, 1)[0]
        entries = [(name, s.weights) for name, s in zip(names, submitted, strict=True)]
        return build_record(problem, scenario, self.principal.actor, entries)

    def erase_participant(self, code: str, participant_key: str) -> int:
        self.principal.require(Permission.ERASE_PERSONAL_DATA)
        return self.store.erase_participant(code, participant_key, self._actor())

    # The catalogue

    def save_catalogue(self, path: Path, text: str, what: str) -> Path | None:
        """Write the catalogue file (atomically, with a backup) and record it in the audit log."""
        self.principal.require(Permission.EDIT_CATALOGUE)
        actor = self._actor()
        backup = save_catalogue(path, text)
        try:
            self.store.record_event(
                actor, "catalogue saved", path.name, what + (f"; previous file kept as {backup.name}" if backup else "")
            )
        except StoreError as error:
            raise AuditGap(
                f"The catalogue file was saved, but the audit log could not record it ({error}); tell an admin"
            ) from None
        return backup

    def yef_applied(self, changes: int, source_id: str) -> None:
        """Record that YEF ratings were applied to the catalogue being edited."""
        self.principal.require(Permission.EDIT_CATALOGUE)
        self.store.record_event(
            self._actor(), "YEF ratings applied", source_id, f"{changes} rating change(s), not yet saved to the file"
        )

    # Roles and the audit log

    def role_grants(self) -> list[RoleGrant]:
        self.principal.require(Permission.MANAGE_ROLES)
        return self.store.role_grants()

    def grant_role(self, email: str, role: Role) -> None:
        self.principal.require(Permission.MANAGE_ROLES)
        self.store.grant_role(email, Role(role).value, self._actor())

    def revoke_role(self, email: str, role: Role) -> None:
        self.principal.require(Permission.MANAGE_ROLES)
        self.store.revoke_role(email, Role(role).value, self._actor())

    def apply_retention(self, keep_days: int) -> int:
        self.principal.require(Permission.ERASE_PERSONAL_DATA)
        return self.store.apply_retention(keep_days, self._actor())

    def audit_log(self) -> list[AuditEvent]:
        self.principal.require(Permission.VIEW_AUDIT)
        return self.store.audit_log()

    def audit_csv(self) -> bytes:
        """The audit log as a formula-safe CSV."""
        return to_safe_csv(audit_table(self.audit_log()))


def audit_table(events: Sequence[AuditEvent]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"when (UTC)": f"{e.at:%Y-%m-%d %H:%M:%S}", "who": e.actor, "what": e.action, "on": e.target, "detail": e.detail}
            for e in events
        ],
        columns=["when (UTC)", "who", "what", "on", "detail"],
    )
