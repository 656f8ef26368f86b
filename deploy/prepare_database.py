"""Prepare the deployment's PostgreSQL database before the app replicas start (compose service ``migrate``).

As the database's owner (``POSTGRES_USER`` with ``POSTGRES_PASSWORD``, on the server and database named in
``DATABASE_URL``) it creates or upgrades the schema with the app's own migrations, once, so that the replicas
never race to do it. Then it makes sure the role in ``DATABASE_URL``, the one the replicas use, exists with
that password, owns nothing and may only read and change the app's rows: on the audit log only SELECT and
INSERT, so nobody holding the app's password can alter the log or drop its triggers (README, "Audit trail").

Run again on every start and upgrade; each step is idempotent. Exit status 0 when the database is ready.
"""

from __future__ import annotations

import os
import re
import sys

import sqlalchemy as sa

from matrix.persistence import Store, StoreError

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Written into the database address and into SQL: letters, digits, - and _ need no escaping in either.
PASSWORD = re.compile(r"[A-Za-z0-9_-]{16,200}")

TABLES = "SELECT, INSERT, UPDATE, DELETE"


def fail(message: str) -> int:
    print(f"The database is not ready: {message}", file=sys.stderr)
    return 1


def main() -> int:
    try:
        app_url = sa.engine.make_url(os.environ["DATABASE_URL"])
        owner = os.environ["POSTGRES_USER"]
        owner_password = os.environ["POSTGRES_PASSWORD"]
    except KeyError as missing:
        return fail(f"{missing.args[0]} is not set (deploy/secrets/README.md)")
    except sa.exc.ArgumentError as error:
        return fail(f"DATABASE_URL cannot be read ({error})")
    if not app_url.drivername.startswith("postgres"):
        return fail("DATABASE_URL must be a postgresql:// address")
    app_user, app_password = app_url.username or "", app_url.password or ""
    if not ROLE_NAME.fullmatch(app_user):
        return fail("the user in DATABASE_URL must be a plain lower-case name such as matrix_app")
    if app_user == owner:
        return fail(f"DATABASE_URL must name the app's own user, not the owner {owner}")
    if not PASSWORD.fullmatch(str(app_password)):
        return fail("the password in DATABASE_URL must be 16 or more letters, digits, - or _ (use secrets.token_hex)")

    owner_url = app_url.set(username=owner, password=owner_password).render_as_string(hide_password=False)
    try:
        store = Store.open(owner_url)  # creates or upgrades the schema
    except StoreError as error:
        return fail(str(error))
    try:
        with store.engine.begin() as connection:
            found = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": app_user}).first()
            verb = "ALTER" if found else "CREATE"
            # format() quotes the name and the password as PostgreSQL itself does.
            template = f"{verb} ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L"
            statement = connection.execute(
                sa.text("SELECT format(CAST(:t AS text), CAST(:u AS text), CAST(:p AS text))"),
                {"t": template, "u": app_user, "p": app_password},
            ).scalar_one()
            connection.exec_driver_sql(statement)
            role = connection.dialect.identifier_preparer.quote(app_user)
            database = connection.dialect.identifier_preparer.quote(str(app_url.database))
            for grant in (
                f"GRANT CONNECT ON DATABASE {database} TO {role}",
                f"GRANT USAGE ON SCHEMA public TO {role}",
                f"GRANT {TABLES} ON ALL TABLES IN SCHEMA public TO {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                # The audit log: read and add, nothing else. The schema's version: read only.
                f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM {role}",
                f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
            ):
                connection.exec_driver_sql(grant)
    except sa.exc.DBAPIError as error:
        return fail(f"the app's database user could not be set up ({error.orig})")
    finally:
        store.engine.dispose()

    try:  # the replicas' view: the schema is current (no migration needed) and the audit log is append-only to them
        as_app = Store.open(app_url.render_as_string(hide_password=False))
        with as_app.engine.connect() as connection:
            may_change = connection.execute(
                sa.text("SELECT has_table_privilege(current_user, 'audit_events', 'UPDATE, DELETE, TRUNCATE')")
            ).scalar_one()
        as_app.engine.dispose()
    except StoreError as error:
        return fail(f"the app's user {app_user} cannot use the database ({error})")
    if may_change:
        return fail(f"the app's user {app_user} may still change the audit log")
    print(f"The database schema is up to date; the app connects as {app_user}, which may only add to the audit log.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
