"""The Admin tab: roles granted in the app, the audit log and the retention rule. Widgets only; every
action goes through the ``Desk``, which refuses anyone without the admin's permissions."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from matrix.access import ROLE_WORDS, AccessError, Principal, Role, audit_table
from matrix.persistence import StoreError
from ui import access, library
from ui.text import plain


def admin_tab(person: Principal) -> None:
    desk = access.desk(person)
    if desk is None:
        return
    st.header("Roles")
    if person.signed_in:
        try:
            rules = access.role_rules()
        except AccessError as error:
            st.error(plain(error))
        else:
            st.caption(
                f"The roles file ({plain(access.roles_path())}) gives everyone signed in the {rules.default_role} role "
                f"and has {len(rules.rule)} rule(s); change it there. Roles granted here add to it."
            )
    else:
        st.caption("Local mode: the one person at this computer has every role. Roles matter once sign-in is on.")
    try:
        grants = desk.role_grants()
    except StoreError as error:
        st.error(f"The roles granted in the app cannot be read: {plain(error)}")
        grants = []
    if grants:
        st.dataframe(
            [{"email": g.email, "role": g.role, "granted by": g.granted_by, "granted at": g.granted_at} for g in grants],
            hide_index=True,
            key="admin_grants",
        )
    columns = st.columns([2, 1, 1, 1])
    email = columns[0].text_input("Email address", key="admin_email", max_chars=320)
    role = (
        columns[1].selectbox("Role", options=list(Role), format_func=lambda r: f"{r.value}: {ROLE_WORDS[r]}", key="admin_role")
        or Role.VIEWER
    )
    if columns[2].button("Grant", key="admin_grant"):
        _done(lambda: desk.grant_role(email, role), f"Granted the {role.value} role to {email.strip().lower()}.")
    if columns[3].button("Remove", key="admin_revoke"):
        _done(lambda: desk.revoke_role(email, role), f"Removed the {role.value} role from {email.strip().lower()}.")

    st.header("Audit log")
    st.caption("Every change, with who made it and when. Entries are never changed or deleted.")
    try:
        events = desk.audit_log()
    except StoreError as error:
        st.error(f"The audit log cannot be read just now: {plain(error)}")
        return
    table = audit_table(events)
    st.dataframe(table.iloc[::-1], hide_index=True, key="admin_audit")
    st.download_button(
        "Download the audit log (CSV)",
        data=desk.audit_csv,
        file_name="audit-log.csv",
        mime="text/csv",
        key="admin_audit_csv",
        on_click="ignore",
    )

    st.header("Personal data")
    days = library.retention_days()
    st.caption(
        f"Participants' names in workshops closed or expired more than {days} days ago are replaced by pseudonyms "
        "(MATRIX_RETENTION_DAYS); their weights and the group's result stay. The rule runs when the app starts."
    )
    if st.button("Apply the retention rule now", key="admin_retention"):
        _done(lambda: desk.apply_retention(days), "The retention rule has been applied.")


def _done(action: Callable[[], object], message: str) -> None:
    try:
        action()
    except (StoreError, AccessError) as error:
        st.error(f"Not done: {plain(error)}")
    else:
        st.success(plain(message))
