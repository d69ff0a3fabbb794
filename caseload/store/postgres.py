"""A clinic database on PostgreSQL: roles, grants and row-level security.

The server, not only the app, decides who sees what. Each counselor connects as their own login
role; the role's name is the counselor's `login`. Two group roles carry the privileges:

- `caseload_counselor`: reads and writes only the rows of their own clients (client.counselor_id
  is the counselor row whose login is the connection's login; other tables through client_id),
  reads the team's counselor rows, and inserts or renames only their own.
- `caseload_supervisor`: reads everything, writes nothing.

The audit trail is INSERT-only for both groups (no UPDATE, DELETE or TRUNCATE is granted, and
triggers refuse them even to the tables' owner), and a counselor can only append rows that name
themselves as the actor. The role that runs `caseload clinic init` owns the tables; as their
owner it is not bound by the policies and is the clinic's administrator (transfers, new
counselors); it should not be used to run the app.

Policies compare with `session_user`, the role that logged in: unlike `current_user` it does not
change with `SET ROLE`, so a counselor cannot become the group role and look like someone else.
Subqueries in policies are bound when the policy is created, so a table of the same name in
another schema (even pg_temp) cannot stand in for ours.
"""

from __future__ import annotations

import re
from enum import StrEnum

import msgspec
from peewee import Database

from caseload.store.db import DatabaseError

COUNSELOR_GROUP = "caseload_counselor"
SUPERVISOR_GROUP = "caseload_supervisor"

# Counselor id of the connected login; policies inline it (see the module docstring).
MY_ID = "(SELECT me.id FROM public.counselor me WHERE me.login = session_user)"
OWN_CLIENTS = f"(SELECT oc.id FROM public.client oc WHERE oc.counselor_id = {MY_ID})"

# Tables whose rows belong to one client through their client_id column.
CLIENT_CHILD_TABLES = ("goal", "appointment_series", "appointment", "commitment", "checkin")
# Every table with client data (row-level security is enabled on each).
PROTECTED_TABLES = ("counselor", "client", *CLIENT_CHILD_TABLES, "checkin_item",
                    "weekly_review", "review_note", "audit_event")

# Role names as login names are written: letters, digits, '_', '.', '-' (quoted when used).
ROLE_NAME = r"^[A-Za-z_][A-Za-z0-9_.-]{0,62}$"  # compiled at first use


class Role(StrEnum):
    """What the connected login is in the clinic database."""

    ADMIN = "admin"  # owns the tables (or is a superuser): not bound by the policies
    COUNSELOR = "counselor"
    SUPERVISOR = "supervisor"
    NONE = "none"  # a login that belongs to neither group


def quote_ident(name: str) -> str:
    """A role name as an SQL identifier (always quoted, so case and '-' survive)."""
    return '"' + name.replace('"', '""') + '"'


def check_role_name(name: str) -> str:
    """Refuse anything that is not a plain login name."""
    if not re.match(ROLE_NAME, name or ""):
        raise DatabaseError(
            f"'{name}' is not a usable login name (letters, digits, '_', '.', '-'; "
            "at most 63 characters; not starting with a digit).")
    if name.lower().startswith("pg_") or name in (COUNSELOR_GROUP, SUPERVISOR_GROUP):
        raise DatabaseError(f"'{name}' is a reserved role name.")
    return name


def _scalar(db: Database, sql: str, params: tuple[object, ...] = ()) -> object:
    row = db.execute_sql(sql, params).fetchone()
    return row[0] if row else None


def login(db: Database) -> str:
    """The role this connection logged in as: the counselor's login."""
    return str(_scalar(db, "SELECT session_user"))


def database_name(db: Database) -> str:
    return str(_scalar(db, "SELECT current_database()"))


def role_exists(db: Database, name: str) -> bool:
    return bool(_scalar(db, "SELECT count(*) FROM pg_roles WHERE rolname = %s", (name,)))


def _member_of(db: Database, group: str) -> bool:
    if not role_exists(db, group):
        return False
    return bool(_scalar(db, "SELECT pg_has_role(session_user, %s, 'MEMBER')", (group,)))


def is_admin(db: Database) -> bool:
    """True for a superuser or the owner of the clinic tables (or a member of that owner)."""
    row = db.execute_sql(
        "SELECT r.rolsuper, t.tableowner FROM pg_roles r "
        "LEFT JOIN pg_tables t ON t.schemaname = 'public' AND t.tablename = 'client' "
        "WHERE r.rolname = session_user").fetchone()
    if row is None:
        return False
    superuser, owner = row
    if superuser:
        return True
    if owner is None:
        return False
    return bool(_scalar(db, "SELECT pg_has_role(session_user, %s, 'MEMBER')", (owner,)))


def role_of(db: Database) -> Role:
    """The connected login's place in the clinic."""
    if is_admin(db):
        return Role.ADMIN
    if _member_of(db, COUNSELOR_GROUP):
        return Role.COUNSELOR
    if _member_of(db, SUPERVISOR_GROUP):
        return Role.SUPERVISOR
    return Role.NONE


def counselor_logins(db: Database) -> set[str]:
    """Logins that belong to the counselor group (the team a supervisor sees)."""
    if not role_exists(db, COUNSELOR_GROUP):
        return set()
    rows = db.execute_sql(
        "SELECT m.rolname FROM pg_auth_members am "
        "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
        "WHERE g.rolname = %s", (COUNSELOR_GROUP,)).fetchall()
    return {str(r[0]) for r in rows}


# --- clinic init ------------------------------------------------------------------------------


def _owns_database(db: Database) -> bool:
    return bool(_scalar(
        db, "SELECT pg_has_role(session_user, d.datdba, 'MEMBER') FROM pg_database d "
            "WHERE d.datname = current_database()"))


def _can_create_roles(db: Database) -> bool:
    return bool(_scalar(db, "SELECT rolsuper OR rolcreaterole FROM pg_roles "
                            "WHERE rolname = session_user"))


def create_groups(db: Database) -> list[str]:
    """Create the two group roles (NOLOGIN) if they are missing."""
    done = []
    for group in (COUNSELOR_GROUP, SUPERVISOR_GROUP):
        if role_exists(db, group):
            done.append(f"group role {group} already exists")
            continue
        if not _can_create_roles(db):
            raise DatabaseError(
                f"Cannot create the group role {group}: your role needs CREATEROLE "
                "(README: Clinic setup, step 2).")
        db.execute_sql(f"CREATE ROLE {quote_ident(group)} NOLOGIN")
        done.append(f"created group role {group} (NOLOGIN)")
    return done


def lock_down_database(db: Database) -> list[str]:
    """Only the two groups (and the owner) may connect; nobody else may create objects."""
    name = quote_ident(database_name(db))
    groups = f"{quote_ident(COUNSELOR_GROUP)}, {quote_ident(SUPERVISOR_GROUP)}"
    if not _owns_database(db):
        return ["skipped REVOKE ALL ON DATABASE FROM PUBLIC (you do not own the database; "
                "ask its owner to run it)"]
    db.execute_sql(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
    db.execute_sql(f"GRANT CONNECT ON DATABASE {name} TO {groups}")
    db.execute_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    db.execute_sql(f"GRANT USAGE ON SCHEMA public TO {groups}")
    return ["revoked every privilege of PUBLIC on the database and on schema public",
            f"granted CONNECT on the database and USAGE on schema public to {groups}"]


def grant_tables(db: Database) -> list[str]:
    """Table privileges: what each group may do at all (the policies then pick the rows)."""
    c, s = quote_ident(COUNSELOR_GROUP), quote_ident(SUPERVISOR_GROUP)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, {c}, {s}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, {c}, {s}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {c}, {s}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {c}",
        f"GRANT INSERT (login, display_name, created_at), UPDATE (display_name) "
        f"ON counselor TO {c}",
        f"GRANT INSERT, UPDATE ON client TO {c}",
        f"GRANT INSERT, UPDATE, DELETE ON {', '.join(CLIENT_CHILD_TABLES)}, checkin_item, "
        f"weekly_review, review_note TO {c}",
        f"GRANT INSERT ON audit_event TO {c}",
    ]
    for sql in statements:
        db.execute_sql(sql)
    return [
        f"granted SELECT on every table to {COUNSELOR_GROUP} and {SUPERVISOR_GROUP} "
        "(rows are then limited by the policies)",
        f"granted {COUNSELOR_GROUP} INSERT/UPDATE on client, INSERT/UPDATE/DELETE on "
        "appointments, series, commitments, goals, check-ins and reviews, INSERT on "
        "audit_event, and INSERT/UPDATE(display_name) of its own counselor row",
        f"{SUPERVISOR_GROUP} may write nothing; nobody is granted UPDATE, DELETE or TRUNCATE "
        "on audit_event",
    ]


def protect_audit(db: Database) -> list[str]:
    """Refuse UPDATE, DELETE and TRUNCATE of the audit trail to every role, the owner included."""
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION caseload_audit_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only' "
        "USING ERRCODE = 'restrict_violation'; END $$")
    db.execute_sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    db.execute_sql(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION caseload_audit_append_only()")
    db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    db.execute_sql(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION caseload_audit_append_only()")
    return ["audit_event: triggers refuse UPDATE, DELETE and TRUNCATE (for every role)"]


class Policy(msgspec.Struct, frozen=True):
    name: str
    table: str
    command: str  # ALL, SELECT, INSERT, UPDATE
    role: str
    using: str | None
    check: str | None


def policies() -> list[Policy]:
    """Every row-level security policy of a clinic database."""
    c, s = COUNSELOR_GROUP, SUPERVISOR_GROUP
    mine = f"client_id IN {OWN_CLIENTS}"
    result = [
        Policy("counselor_team_read", "counselor", "SELECT", c, "true", None),
        Policy("counselor_add_self", "counselor", "INSERT", c, None, "login = session_user"),
        Policy("counselor_edit_self", "counselor", "UPDATE", c, "login = session_user",
               "login = session_user"),
        Policy("counselor_own_clients", "client", "ALL", c, f"counselor_id = {MY_ID}",
               f"counselor_id = {MY_ID}"),
    ]
    for table in CLIENT_CHILD_TABLES:
        result.append(Policy("counselor_own_clients", table, "ALL", c, mine, mine))
    item = (f"checkin_id IN (SELECT k.id FROM public.checkin k "
            f"WHERE k.client_id IN {OWN_CLIENTS})")
    result.append(Policy("counselor_own_clients", "checkin_item", "ALL", c, item, item))
    own_review = f"counselor_id = {MY_ID}"
    result.append(Policy("counselor_own_reviews", "weekly_review", "ALL", c, own_review,
                         own_review))
    note = (f"review_id IN (SELECT r.id FROM public.weekly_review r "
            f"WHERE r.counselor_id = {MY_ID}) AND {mine}")
    result.append(Policy("counselor_own_reviews", "review_note", "ALL", c, note, note))
    result += [
        Policy("counselor_read_own_trail", "audit_event", "SELECT", c,
               f"{mine} OR (client_id IS NULL AND actor = session_user)", None),
        Policy("counselor_append_as_self", "audit_event", "INSERT", c, None,
               f"actor = session_user AND (client_id IS NULL OR {mine})"),
    ]
    for table in PROTECTED_TABLES:
        result.append(Policy("supervisor_read_all", table, "SELECT", s, "true", None))
    return result


def apply_policies(db: Database) -> list[str]:
    """Enable row-level security on every protected table and (re)create the policies."""
    for table in PROTECTED_TABLES:
        db.execute_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    wanted = policies()
    ours = {p.name for p in wanted}
    existing = db.execute_sql(
        "SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'public'").fetchall()
    for name, table in existing:
        if name in ours:  # policies an administrator added by hand are left alone
            db.execute_sql(f"DROP POLICY {quote_ident(name)} ON {quote_ident(table)}")
    for p in wanted:
        sql = f"CREATE POLICY {p.name} ON {p.table} FOR {p.command} TO {quote_ident(p.role)}"
        if p.using is not None:
            sql += f" USING ({p.using})"
        if p.check is not None:
            sql += f" WITH CHECK ({p.check})"
        db.execute_sql(sql)
    return [f"enabled row-level security on {len(PROTECTED_TABLES)} tables: "
            + ", ".join(PROTECTED_TABLES),
            f"created {len(wanted)} policies: a counselor reads and writes only their own "
            "clients' rows; a supervisor reads all"]


def table_names(db: Database) -> list[str]:
    return list(db.get_tables())


# --- counselors and supervisors -----------------------------------------------------------------


def _bypasses_policies(db: Database, name: str) -> bool:
    row = db.execute_sql(
        "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(r.oid, t.tableowner, 'MEMBER') "
        "FROM pg_roles r LEFT JOIN pg_tables t "
        "ON t.schemaname = 'public' AND t.tablename = 'client' WHERE r.rolname = %s",
        (name,)).fetchone()
    return bool(row and row[0])


def add_member(db: Database, name: str, group: str, password_hash: str | None = None
               ) -> list[str]:
    """Create login role `name` if missing and make it a member of `group`."""
    check_role_name(name)
    ident = quote_ident(name)
    done: list[str] = []
    if role_exists(db, name):
        if _bypasses_policies(db, name):
            raise DatabaseError(
                f"Role {name} is a superuser, can bypass row-level security or owns the "
                "clinic tables: it cannot be a counselor or supervisor. Use a separate login.")
        done.append(f"role {name} already exists")
    else:
        db.execute_sql(f"CREATE ROLE {ident} LOGIN")
        done.append(f"created login role {name}")
    if password_hash is not None:
        # Only the SCRAM verifier is sent: the password itself never reaches the server log.
        db.execute_sql(f"ALTER ROLE {ident} PASSWORD '{_literal(password_hash)}'")
        done.append(f"set the password of {name} (sent as a SCRAM verifier)")
    db.execute_sql(f"GRANT {quote_ident(group)} TO {ident}")
    done.append(f"granted {group} to {name}")
    return done


def _literal(text: str) -> str:
    return text.replace("'", "''")


def password_verifier(db: Database, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of `password` for role `name`, computed by libpq locally."""
    conn = db.connection()
    verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
    return bytes(verifier).decode()
