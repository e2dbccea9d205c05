#!/usr/bin/python3
"""test/fuzz/fuzz.py: a bad-input fuzzer for forge's seven verbs.

Creates its own database (default forge_fuzz) and a non-superuser role, builds
a schema with every supported column type (int2/4/8, numeric, float4/8, text,
varchar(5), bool, date, timestamp, timestamptz, uuid, json, jsonb, bytea,
int[], text[], an enum, a domain with a CHECK), a NOT NULL column, a
generated column, unique keys (a primary key, a single-column and a compound
unique constraint, a compound unique index, a partial unique index), foreign
keys (to-one, to-many, a self-reference, a one-to-one, a many-to-many through
a join table; ON DELETE CASCADE), a column with a 63-byte name, a table with
row-level security (USING and WITH CHECK), a table the role may not read, and
a table whose writes go to forge's outbox.  Then sends random and mutated
descriptors to every verb: wrong JSON types at every key, deep nesting
(100,000 levels, and just under and over forge's own depth limits), huge
arrays, odd keys (empty, 63/64/65 bytes, quotes, semicolons, backslashes,
\\u0000, odd Unicode), numeric overflow, NaN and infinities, malformed dates,
op objects on every column type, compound-key selectors right and wrong,
AND/OR/NOT in every form, relation filters (some/none/every/is/isNot) and
include / select of relations (where, orderBy by columns, to-one
relations' columns and to-many relations' _count, cursor, take, skip,
_count with a where per relation, nested), and
mutations of valid descriptors (a key dropped, a type swapped, an op
duplicated).  About a third of the calls run as the non-superuser role
(SET LOCAL ROLE), so row-level security and privileges apply; some set
forge's GUCs for the call (notify_keys, plan_cache_size = 0 to 3, ...).

Relation names (issue 12): some batches (--name-rate) first declare
the foreign keys' relation names in their comments (@fieldName,
@foreignFieldName, @manyToManyFieldName, with fresh names, names several
keys share, column names, odd strings and empty ones, free text and other
tools' tags) or clear them; descriptors then name relations by what
forge_relations shows, and by a declared name that clashed (42710).

forge called from inside forge and inside subtransactions (issue 10's
crash and its rolled-back events came from there):

  - Batches.  The run is cut into batches at every reseed.  A batch may
    (--small-cache-rate) run with forge.plan_cache_size 0, 1, 2 or 3 for
    the session, and may (--trigger-rate) get one to four triggers on the
    fuzzed tables: BEFORE or AFTER, INSERT / UPDATE / DELETE, ROW or
    STATEMENT, whose plpgsql calls forge verbs on the other tables or the
    same one (pg_trigger_depth() stops the recursion at 1 to 3 levels):
    plain calls (valid descriptors with fresh keys, calls on the trigger
    row's related rows, nested writes, sometimes random or mutated ones),
    guarded blocks (BEGIN ... EXCEPTION WHEN others), doomed blocks
    (below), a RAISE (SQLSTATE FZ001) every few rows,
    forge_plan_cache_reset(), set_config('forge.plan_cache_size', 0-3),
    a GRANT that invalidates a table's relcache entry under the running
    call, and in BEFORE row triggers a change to NEW or a skipped row.
    In the middle of a batch a trigger's function is sometimes replaced,
    a trigger dropped or one added.  Reseeding drops them all first.
  - Transactions (--txn-rate of the draws): BEGIN, maybe SET LOCAL
    plan_cache_size / notify / notify_keys / ROLE, then two to eight
    steps: a forge call (in a savepoint of its own, or bare, so that its
    failure aborts the transaction and a ROLLBACK TO one of the user's
    savepoints or a ROLLBACK follows), SAVEPOINT, ROLLBACK TO SAVEPOINT,
    RELEASE SAVEPOINT, or a DO block whose exception handler catches
    forge's errors, with an inner guarded or doomed block; then COMMIT or
    ROLLBACK.  Each call counts as one descriptor sent.
  - Doomed writes: inside a block that always ends in RAISE (FZ002), the
    forge calls set a text column to "DOOMED..." and send their events
    to the channel fz_doomed (set_config(..., true) inside the block, so
    the rollback resets it too).

Each call outside a transaction is one autocommit transaction.  After
every call it checks:

  (a) the backend did not crash: the connection answers the next query and
      the server log has no "terminated by signal" (nor PANIC, nor an
      assertion failure) since the run began;
  (b) a failure is a clean ERROR whose SQLSTATE is in README's "Errors"
      section (read from README.md at start, so documenting a code there is
      what makes it acceptable).  An error raised while PostgreSQL reads the
      call's literals, before forge runs (the jsonb text itself: \\u0000,
      nesting past the jsonb parser's stack limit; a model name that does not
      exist), carries a statement position: it is counted as "input:CODE"
      and is not checked against the list;
  (c) a failed call changed nothing: the row count and an md5 of every row
      of each table (and of the outbox) are what they were before the call.
      Tables are kept small: every --reseed calls (and after a big write)
      they are emptied with forge_delete_many and refilled with
      forge_create_many.

and, for the new cases:

  (d) what a rollback undid is gone: after ROLLBACK TO SAVEPOINT s the
      tables and the outbox equal the snapshot taken at SAVEPOINT s;
      after a failed call in its own savepoint and ROLLBACK TO it, the
      state before the call; after a DO block whose handler caught, the
      state before the block; after ROLLBACK, the state before BEGIN;
      after COMMIT, the last state inside.  In plpgsql, blocks that
      verify take fz_state() (an md5 of every table, as the superuser)
      before and compare it in the handler; a difference advances
      fz_bad_seq (a sequence: no rollback hides it) and raises FZ999.
      No row of any table and no outbox event may ever hold "DOOMED";
  (e) events follow the rollbacks: nothing ever arrives on fz_doomed;
      inside a transaction each call and DO block sends on a channel of
      its own (fzc_N, all LISTENed), and after COMMIT the channels that
      arrive are exactly those of the calls that succeeded and were not
      rolled back (a DO block's may arrive), none with forge.notify off,
      none after ROLLBACK.

SQLSTATEs the fuzzer causes itself are accepted: FZ001 (a trigger's
RAISE), FZ002 (a doomed block's, always caught), FZ003 (plpgsql's jsonb
cast of a descriptor: PostgreSQL's input error, before forge), and, while
triggers are in place, 27000 and 21000 (PostgreSQL refusing a row that a
trigger of the same statement wrote).

A successful call must return a JSON object ({"count": n} for the *_many
verbs), and no call may raise a WARNING (PostgreSQL reports a relcache,
snapshot, plancache or other resource leak by C code as a WARNING at
transaction end).  Anything else is a violation too.  The run ends with summary
figures: descriptors sent, by verb, by outcome (ok / each SQLSTATE), the
scenarios run (transactions, savepoints, rollbacks, DO blocks, triggers
created, trigger bodies run, batches with a small plan cache, state and
event checks), crashes, violations, SQLSTATEs outside the documented list with an example
each, and time.  Exit status: 0 no violation, 1 violations, 2 the fuzzer
itself could not run.

The session runs with jit = off (an OR of tens of thousands of filters is
otherwise compiled by LLVM for about a minute, uninterruptibly; see
--jit) and statement_timeout = --timeout seconds; a timeout (57014) is
reported like any undocumented SQLSTATE.  The fuzzer's own session logs
nothing below FATAL (log_min_messages, log_min_error_statement), so that
the server log stays small and holds what the postmaster says.

--self-test first makes each detector fire once.

Usage (PGHOST/PGPORT/PGUSER name a cluster with forge installed and a
superuser):
    test/fuzz/fuzz.py                         # 3000 descriptors, seed 1
    test/fuzz/fuzz.py --count 100000 --seed 7 --progress 10000  # long run
    test/fuzz/fuzz.py --allow 57014 ...       # accept a code README lacks
test/suites/fuzz.sh runs a short pass (--self-test --seed 1 --count 8000).
Each violation's descriptor is written, ready to replay with psql, to
--out (default /tmp/forge-fuzz-SEED/).
"""
import argparse
import copy
import json
import os
import random
import re
import sys
import time
import uuid

try:
    import psycopg2
    import psycopg2.extensions
except ImportError:                       # a python3 other than Debian's
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import psycopg2
        import psycopg2.extensions
    except ImportError:
        sys.exit("fuzz.py needs psycopg2: apt-get install python3-psycopg2")

# the soft-delete verbs (issue 12): fz_parent and fz_tag have a
# @softDelete column, the other tables none (their calls are 42703)
SOFT_VERBS = ["forge_soft_delete", "forge_soft_delete_many", "forge_restore",
              "forge_restore_many"]
VERBS = ["forge_create", "forge_create_many", "forge_update",
         "forge_update_many", "forge_upsert", "forge_delete",
         "forge_delete_many", "forge_create_many_and_return",
         "forge_update_many_and_return"] + SOFT_VERBS
VERB_KEYS = {
    "forge_create": ["data", "select", "omit", "include", "withDeleted"],
    "forge_create_many": ["data", "skipDuplicates"],
    "forge_update": ["where", "data", "select", "omit", "include",
                     "withDeleted"],
    "forge_update_many": ["where", "data", "limit", "withDeleted"],
    "forge_upsert": ["where", "create", "update", "select", "omit",
                     "include", "withDeleted"],
    "forge_delete": ["where", "select", "omit", "include", "withDeleted"],
    "forge_delete_many": ["where", "limit", "withDeleted"],
    "forge_create_many_and_return": ["data", "skipDuplicates", "select",
                                     "omit", "include"],
    "forge_update_many_and_return": ["where", "data", "limit", "select",
                                     "omit", "include", "withDeleted"],
    "forge_soft_delete": ["where", "select", "omit", "include"],
    "forge_soft_delete_many": ["where"],
    "forge_restore": ["where", "select", "omit", "include"],
    "forge_restore_many": ["where"],
}
# the "and return" verbs write as these do, and return an array of rows
RETURN_BASE = {"forge_create_many_and_return": "forge_create_many",
               "forge_update_many_and_return": "forge_update_many"}
ROLE = "forge_fuzz_role"
LONG = "c63_" + "x" * 59                 # a 63-byte column name
assert len(LONG.encode()) == 63

# column -> kind, per table
TABLES = {
    "fz_all": {
        "id": "int4", "i2": "int2", "i4": "int4", "i8": "int8",
        "num": "numeric", "f4": "float4", "f8": "float8", "txt": "text",
        "vc": "vc5", "b": "bool", "d": "date", "ts": "timestamp",
        "tstz": "timestamptz", "u": "uuid", "j": "json", "jb": "jsonb",
        "ba": "bytea", "ia": "int[]", "ta": "text[]", "m": "enum",
        "p": "domain", "req": "text", "gen": "gen", "email": "text",
        "ka": "int4", "kb": "text", "code": "text", "parent_id": "fk",
        LONG: "int4",
    },
    "fz_parent": {"id": "int4", "name": "text", "boss_id": "boss",
                  "deleted_at": "timestamptz"},
    "fz_rls": {"id": "int4", "owner": "owner", "n": "int4", "note": "text"},
    "fz_tag": {"id": "int4", "label": "text", "deleted_at": "timestamptz"},
    "fz_all_tag": {"all_id": "allref", "tag_id": "tagref"},
    "fz_profile": {"id": "int4", "all_id": "allref", "bio": "text"},
}
TABLE_KEYS = ["fz_all", "fz_parent", "fz_rls", "fz_tag", "fz_all_tag",
              "fz_profile"]
NUMBER_KINDS = {"int2", "int4", "int8", "numeric", "float4", "float8",
                "domain", "fk", "boss", "allref", "tagref"}
ASSIGN_OPS = ["increment", "decrement", "multiply", "divide", "set", "unset"]
FILTER_OPS = ["equals", "not", "in", "notIn", "lt", "lte", "gt", "gte",
              "contains", "startsWith", "endsWith", "mode"]
MOODS = ["sad", "ok", "happy"]
CRASH_RE = re.compile(r"terminated by signal|was terminated by exception|"
                      r"PANIC:|TRAP: |server process .* was terminated")

SCHEMA = f"""
CREATE EXTENSION forge;
CREATE TYPE fz_mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN fz_posint AS int CHECK (VALUE > 0);
CREATE TABLE fz_parent (
    id      int PRIMARY KEY,
    name    text UNIQUE,
    boss_id int REFERENCES fz_parent (id),  -- a self-reference
    deleted_at timestamptz
);
COMMENT ON COLUMN fz_parent.deleted_at IS '@softDelete';
CREATE TABLE fz_all (
    id        serial PRIMARY KEY,
    i2        int2,
    i4        int4,
    i8        int8,
    num       numeric,
    f4        float4,
    f8        float8,
    txt       text,
    vc        varchar(5),
    b         bool,
    d         date,
    ts        timestamp,
    tstz      timestamptz,
    u         uuid,
    j         json,
    jb        jsonb,
    ba        bytea,
    ia        int[],
    ta        text[],
    m         fz_mood,
    p         fz_posint,
    req       text NOT NULL,
    gen       int8 GENERATED ALWAYS AS (i8 + 1) STORED,
    email     text UNIQUE,
    ka        int,
    kb        text,
    code      text,
    parent_id int REFERENCES fz_parent (id),
    "{LONG}"  int,
    UNIQUE (ka, kb)
);
ALTER SEQUENCE fz_all_id_seq RESTART 10000000;
CREATE UNIQUE INDEX fz_all_i2_m_idx ON fz_all (i2, m);
CREATE UNIQUE INDEX fz_all_code_idx ON fz_all (code) WHERE code <> '';
-- relations: fz_all -> fz_parent (to-one "parent"), fz_all <-> fz_tag
-- (many-to-many through fz_all_tag), fz_all - fz_profile (one-to-one)
CREATE TABLE fz_tag (id int PRIMARY KEY, label text, deleted_at timestamptz);
COMMENT ON COLUMN fz_tag.deleted_at IS 'soft delete:
@softDelete';
CREATE TABLE fz_all_tag (
    all_id int REFERENCES fz_all (id) ON DELETE CASCADE,
    tag_id int REFERENCES fz_tag (id) ON DELETE CASCADE,
    PRIMARY KEY (all_id, tag_id)
);
CREATE TABLE fz_profile (
    id     int PRIMARY KEY,
    all_id int UNIQUE REFERENCES fz_all (id) ON DELETE CASCADE,
    bio    text
);
CREATE TABLE fz_rls (
    id    int PRIMARY KEY,
    owner text NOT NULL DEFAULT current_user,
    n     int NOT NULL DEFAULT 0,
    note  text
);
ALTER TABLE fz_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY fz_rls_own ON fz_rls
    USING (owner = current_user)
    WITH CHECK (owner = current_user AND n >= 0);
CREATE VIEW fz_view AS SELECT * FROM fz_parent;
CREATE SEQUENCE fz_seq;
SELECT forge_outbox_enable('fz_parent', true);
GRANT USAGE ON SCHEMA public TO {ROLE};
GRANT SELECT, INSERT, DELETE ON fz_all TO {ROLE};
GRANT UPDATE (id, i4, i8, num, f4, f8, txt, vc, b, d, ts, tstz, u, j, jb, ba,
              ia, ta, m, p, req, email, ka, kb, code, parent_id, "{LONG}")
    ON fz_all TO {ROLE};
GRANT USAGE ON SEQUENCE fz_all_id_seq TO {ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON fz_parent, fz_rls, fz_view, fz_tag,
    fz_all_tag TO {ROLE};                  -- and nothing on fz_profile
GRANT INSERT ON forge_outbox TO {ROLE};
GRANT USAGE ON SEQUENCE forge_outbox_id_seq TO {ROLE};
"""

CHECKSUM = " UNION ALL ".join(
    f"SELECT '{t}', count(*), coalesce(md5(string_agg(t::text, E'\\n' "
    f"ORDER BY t::text)), '-') FROM {t} t"
    for t in TABLE_KEYS + ["forge_outbox"])

# Text columns a doomed write (one that an exception block or a savepoint
# always rolls back) marks with DOOMED; no row may ever hold the mark.
DOOM_COL = {"fz_all": "txt", "fz_parent": "name", "fz_tag": "label",
            "fz_rls": "note", "fz_profile": "bio"}
DOOMED = "DOOMED"
# Two more rows after the tables': rows that hold the mark (outbox events
# included), and how often plpgsql found a caught exception's block not
# undone (fz_bad_seq: a sequence, so a rollback cannot hide it).
EXTRAS = (
    " UNION ALL SELECT '~doomed', " + " + ".join(
        f"(SELECT count(*) FROM {t} WHERE {c} LIKE '{DOOMED}%')"
        for t, c in DOOM_COL.items()) +
    f" + (SELECT count(*) FROM forge_outbox WHERE event::text LIKE "
    f"'%{DOOMED}%'), '-'"
    " UNION ALL SELECT '~bad', (SELECT CASE WHEN is_called THEN last_value "
    "ELSE 0 END FROM fz_bad_seq), '-'")

# Helpers for the triggers and DO blocks the fuzzer writes.  fz_checksum()
# and fz_state() run as their owner (a superuser), so that plpgsql running
# as forge_fuzz_role sees every row, and so does a transaction that set
# its role.
HELPERS = f"""
CREATE SEQUENCE fz_trig_seq START 50000000;   -- fresh keys for trigger calls
CREATE SEQUENCE fz_fire_seq;                  -- counts trigger bodies run
CREATE SEQUENCE fz_bad_seq;                   -- counts plpgsql-found violations
GRANT USAGE ON SEQUENCE fz_trig_seq, fz_fire_seq, fz_bad_seq TO {ROLE};
CREATE FUNCTION fz_checksum(OUT t text, OUT n bigint, OUT h text)
RETURNS SETOF record LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_catalog
AS $fzc$ {CHECKSUM}{EXTRAS} $fzc$;
CREATE FUNCTION fz_state() RETURNS text LANGUAGE sql VOLATILE
AS $fzs$ SELECT md5(string_agg(t || ':' || n || ':' || h, ',' ORDER BY t))
         FROM fz_checksum() WHERE t NOT LIKE '~%' $fzs$;
-- fz_desc: a descriptor's text with @S1@..@S9@ replaced by fresh numbers
-- (each its own) and "@ROW@" by the trigger row's key
CREATE FUNCTION fz_desc(d text, rowkey bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $fzd$
BEGIN
    FOR k IN 1..9 LOOP
        IF position('@S' || k || '@' IN d) > 0 THEN
            d := replace(d, '@S' || k || '@', nextval('fz_trig_seq')::text);
        END IF;
    END LOOP;
    d := replace(d, '"@ROW@"', coalesce(rowkey, 0)::text);
    BEGIN
        RETURN d::jsonb;
    EXCEPTION WHEN others THEN
        -- PostgreSQL's jsonb input, before forge runs (\\u0000, depth)
        RAISE EXCEPTION 'fuzz: not jsonb: %', SQLERRM USING ERRCODE = 'FZ003';
    END;
END $fzd$;
-- fz_bad: a caught exception left its block's writes behind
CREATE FUNCTION fz_bad(what text) RETURNS void LANGUAGE plpgsql AS $fzb$
BEGIN
    PERFORM nextval('fz_bad_seq');
    RAISE EXCEPTION 'fuzz: %', what USING ERRCODE = 'FZ999';
END $fzb$;
"""


# --------------------------------------------------------------------------
# JSON text
# --------------------------------------------------------------------------

class Raw(str):
    """JSON text inserted as it is (1e400, "\\u0000", deep nesting)."""


class Pairs(list):
    """A JSON object as (key, value) pairs: keys may repeat."""


def dump(v, out):
    """Append the JSON text of v to the list out."""
    if isinstance(v, Raw):
        out.append(v)
    elif v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, float):
        out.append(repr(v))
    elif isinstance(v, str):
        try:
            v.encode("utf-8")
            out.append(json.dumps(v, ensure_ascii=False))
        except UnicodeEncodeError:          # lone surrogates: \\udXXX
            out.append(json.dumps(v))
    elif isinstance(v, (dict, Pairs)):
        out.append("{")
        items = v.items() if isinstance(v, dict) else v
        for i, (k, x) in enumerate(items):
            if i:
                out.append(", ")
            dump(k, out)
            out.append(": ")
            dump(x, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(", ")
            dump(x, out)
        out.append("]")
    else:
        raise TypeError(type(v))


def dumps(v):
    out = []
    dump(v, out)
    return "".join(out)


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------

TEXT_CHARS = ("abcxyzABC0123 _%\\\"';-/*$é漢😀\u202e\u0301\u00a0\ufeff\t\n")

NASTY = [
    None, True, False, 0, -1, 1, Raw("-0"), Raw("1.0"), Raw("1.5"),
    Raw("-1.5"), Raw("1e400"), Raw("-1e400"), Raw("1e-400"), Raw("1E+2"),
    Raw("123456789012345678901234567890"), Raw("9223372036854775807"),
    Raw("9223372036854775808"), Raw("-9223372036854775809"),
    Raw("2147483647"), Raw("2147483648"), Raw("-2147483649"), Raw("32767"),
    Raw("32768"), Raw("-32769"), Raw("3.5e38"), Raw("1.8e308"),
    Raw("4.9e-325"), Raw("0.1e-99999"), Raw("1" + "0" * 1000),
    "NaN", "nan", "Infinity", "-Infinity", "inf", "+inf", "-inf", "1e400",
    "", " ", "x", "null", "true", "t", "1", " 1 ", "1.5", "0x10", "1_000",
    "2024-02-30", "2024-13-01", "0000-00-00", "2024-02-29 25:00",
    "2024-02-29 23:59:60", "infinity", "-infinity", "epoch", "now", "today",
    "allballs", "294277-01-01", "294276-12-31 23:59:59", "5874898-01-01",
    "4714-11-23 BC", "4714-11-24 BC", "2024-01-01 +99:00",
    "2024-01-01 00:00 +15:59:59", "2024-01-01T00:00:00Z", "J2451187",
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "{}", "{1,2", "{{1},{2,3}}",
    "{1,2}", "\\x", "\\xZZ", "\\x0", "\\x00ff", "\\000", "happy", "HAPPY",
    "'; DROP TABLE fz_all; --", "\"", "\\", "%", "_", "%_\\", "é", "😀",
    "\u202e", "\ufeff", "\u00a0", "a\u0301", "\u2028", "é" * 5, "é" * 6,
    "x" * 5, "x" * 6, "x" * 3000,
    Raw('"\\u0000"'), Raw('"a\\u0000b"'), Raw('"\\ud800"'), Raw('"\\udc00x"'),
    Raw('"\\ud83d\\ude00"'), Raw('"\\u00e9"'), Raw('"\\/"'),
    [], [1], [None], ["a", 1, True], [[1, 2], [3, 4]], [[1], [2, 3]],
    [[[[[[[1]]]]]]], [{}], [[]], [1.5], ["NaN"], [Raw("1e400")],
    {}, {"a": 1}, {"set": 1}, {"increment": 1}, {"equals": 1},
    {"not": None}, {"in": []}, {"": None},
]


def nasty(r):
    """A value of NASTY, copied: mutations must not change the pool."""
    return copy.deepcopy(r.choice(NASTY))


def rtext(r, maxlen=12):
    return "".join(r.choice(TEXT_CHARS) for _ in range(r.randint(0, maxlen)))


def rjson(r, depth=2):
    c = r.randint(0, 6 if depth > 0 else 4)
    if c == 0:
        return None
    if c == 1:
        return r.choice([True, False])
    if c == 2:
        return r.choice([r.randint(-9, 9), 1.5, Raw("1e400"), Raw("-0")])
    if c in (3, 4):
        return rtext(r, 6)
    if c == 5:
        return [rjson(r, depth - 1) for _ in range(r.randint(0, 3))]
    return {rtext(r, 4): rjson(r, depth - 1) for _ in range(r.randint(0, 3))}


def valid_value(kind, r):
    """A value the column's type accepts (mostly)."""
    if kind in ("int2", "int4"):
        return r.randint(-300, 300)
    if kind == "int8":
        return r.choice([r.randint(-10**6, 10**6), Raw("9223372036854775806")])
    if kind == "numeric":
        return r.choice([r.randint(-1000, 1000), Raw("%d.%03d" % (
            r.randint(-99, 99), r.randint(0, 999))), 0.5, Raw("1e20")])
    if kind in ("float4", "float8"):
        return r.choice([1.5, -2.25, 0, 1e10, r.randint(-50, 50)])
    if kind == "text":
        return rtext(r)
    if kind == "vc5":
        return rtext(r, 5)
    if kind == "bool":
        return r.choice([True, False, True, False, "true", "f", "yes", "on", "0"])
    if kind == "date":
        return "%04d-%02d-%02d" % (r.randint(1, 9999), r.randint(1, 12),
                                   r.randint(1, 28))
    if kind == "timestamp":
        return "%04d-%02d-%02d %02d:%02d:%02d.%d" % (
            r.randint(1900, 2100), r.randint(1, 12), r.randint(1, 28),
            r.randint(0, 23), r.randint(0, 59), r.randint(0, 59),
            r.randint(0, 999999)) + timestamp_offset(r)
    if kind == "timestamptz":
        return "%04d-%02d-%02dT%02d:%02d:00%+03d:00" % (
            r.randint(1900, 2100), r.randint(1, 12), r.randint(1, 28),
            r.randint(0, 23), r.randint(0, 59), r.randint(-12, 14))
    if kind == "uuid":
        return str(uuid.UUID(int=r.getrandbits(128)))
    if kind in ("json", "jsonb"):
        if r.random() < 0.15:
            return json_tag(r)
        return rjson(r)
    if kind == "bytea":
        return "\\x" + "".join(r.choice("0123456789abcdef")
                               for _ in range(2 * r.randint(0, 8)))
    if kind == "int[]":
        return r.choice([[r.randint(-9, 9) for _ in range(r.randint(0, 4))],
                         [], [None, 1], [[1, 2], [3, 4]]])
    if kind == "text[]":
        return r.choice([[rtext(r, 4) for _ in range(r.randint(0, 4))],
                         [], [None], [["a", "b"], ["c", "d"]]])
    if kind == "enum":
        return r.choice(MOODS)
    if kind == "domain":
        return r.randint(1, 1000)
    if kind == "fk":
        return r.choice([r.randint(1, 12), None])      # 11, 12: no parent
    if kind == "owner":
        return r.choice([ROLE, ROLE, "postgres", "someone"])
    if kind == "gen":
        return r.randint(0, 9)
    if kind == "boss":
        return r.choice([r.randint(1, 12), None])
    if kind == "allref":
        return r.randint(1, 25)
    if kind == "tagref":
        return r.randint(1, 7)
    return None


def timestamp_offset(r):
    """Nothing, or what Prisma sends a timestamp column: an offset or Z
    (forge stores the UTC instant), now and then a zone name or junk."""
    c = r.random()
    if c < 0.5:
        return ""
    if c < 0.8:
        return "%+03d:%02d" % (r.randint(-12, 14), r.choice([0, 30, 45]))
    return r.choice(["Z", "+00", "-0330", " Europe/Paris", " UTC",
                     "+99:00", " Nowhere/Zone", "+14:59:59"])


def list_op(kind, r, valid=True):
    """A scalar list operation (push, remove, addUnique) on a column of
    kind: for an int[] or text[] column a value or an array of its
    elements; otherwise (or when not valid) anything, which must be a
    clean error."""
    op = r.choice(["push", "remove", "addUnique"])
    elem = {"int[]": "int4", "text[]": "text"}.get(kind)
    if elem is None or not valid:
        return {op: r.choice([rany(r), any_value(kind, r), 1, "a", None,
                              [1, "a"], [[1, 2]], {"a": 1}, []])}
    if r.random() < 0.4:
        return {op: valid_value(elem, r)}
    return {op: [r.choice([valid_value(elem, r), None])
                 for _ in range(r.randint(0, 4))]}


JSON_NULLS = ["JsonNull", "DbNull", "AnyNull"]
LIST_FILTER_OPS = ["has", "hasEvery", "hasSome", "isEmpty", "equals", "not"]
JSON_FILTER_OPS = ["equals", "not", "lt", "lte", "gt", "gte",
                   "string_contains", "string_starts_with", "string_ends_with",
                   "array_contains", "array_starts_with", "array_ends_with",
                   "mode", "in", "notIn"]


def json_tag(r):
    """A tag of Prisma's JSON protocol for a json column (issue 12): the
    null Enums, a Raw wrapper, or a near miss that is an ordinary object
    or an unknown Enum value."""
    c = r.random()
    if c < 0.6:
        return {"$type": "Enum", "value": r.choice(JSON_NULLS)}
    if c < 0.8:
        return {"$type": "Raw", "value": r.choice(
            [rjson(r), None, {"$type": "Enum", "value": "JsonNull"}])}
    return r.choice([{"$type": "Enum", "value": r.choice(["jsonnull", "", 1])},
                     {"$type": "Enum"}, {"$type": "Json", "value": "1"},
                     {"$type": "Raw", "value": 1, "x": 2}])


def new_filter(kind, r):
    """Issue 12's filters: the scalar-list ones on array columns, Prisma's
    Json filters (with and without path, with the null tags) on json
    columns, on any column now and then to reach the type errors."""
    ops = {}
    if kind in ("int[]", "text[]") or (kind not in ("json", "jsonb")
                                       and r.random() < 0.5):
        elem = "int4" if kind == "int[]" else "text"
        for _ in range(r.randint(1, 3)):
            op = r.choice(LIST_FILTER_OPS)
            if op == "has":
                v = valid_value(elem, r) if r.random() < 0.8 else any_value(kind, r)
            elif op in ("hasEvery", "hasSome", "equals"):
                v = ([valid_value(elem, r) for _ in range(r.randint(0, 4))]
                     if r.random() < 0.8 else any_value(kind, r))
            elif op == "isEmpty":
                v = r.choice([True, False, None, "true", 0])
            else:
                v = new_filter(kind, r) if r.random() < 0.5 else any_value(kind, r)
            ops[op] = v
        return ops
    if r.random() < 0.7:
        ops["path"] = r.choice([
            [rtext(r, 3) for _ in range(r.randint(0, 4))], ["a", "0"],
            "a", [1], [None], []])
    for _ in range(r.randint(0, 3)):
        op = r.choice(JSON_FILTER_OPS)
        if op == "mode":
            v = r.choice(["insensitive", "default", "x"])
        elif op.startswith("string_"):
            v = rtext(r) if r.random() < 0.8 else rjson(r)
        elif op in ("in", "notIn"):
            v = [rjson(r) for _ in range(r.randint(0, 3))]
        elif r.random() < 0.3:
            v = json_tag(r)
        else:
            v = rjson(r)
        ops[op] = v
    return ops


def any_value(kind, r):
    """A valid value, a nasty one, or a valid value of another type."""
    c = r.random()
    if c < 0.45:
        return valid_value(kind, r)
    if c < 0.85:
        return nasty(r)
    return valid_value(r.choice(list(TABLES["fz_all"].values())), r)


def rany(r):
    """Any JSON value, for a wrong type at a key."""
    return r.choice([None, True, False, 0, 1, -1, Raw("1e400"), "", "x",
                     "data", [], [1], [{}], [None], {}, {"x": 1},
                     {"id": 1}, [[]], "{}", "[]"])


# --------------------------------------------------------------------------
# keys
# --------------------------------------------------------------------------

BAD_KEYS = [
    "", " ", "ID", "Id", "id ", " id", "nope", "xmin", "ctid", "oid",
    "tableoid", "cmax", "a" * 63, "a" * 64, "a" * 65, LONG + "x",
    LONG + "xy", LONG[:-1], "é" * 32, "a" * 62 + "é", "é" * 31 + "a",
    "id\"", "\"id\"", "id'", "id;", "id; DROP TABLE fz_all; --", "id\\",
    "\\", "\"", "'", ";", "--", "/*", "$1", "id) OR (1=1", "t.id",
    "public.fz_all.id", "fz_all.id", "*", "AND ", "and", "or", "not", "And",
    "equals", "set", "increment", "data", "where", "select", "ka_kb",
    "kb_ka", "fz_all_ka_kb_key", "fz_all_pkey", "fz_all_email_key", "i2_m",
    "fz_all_i2_m_idx", "fz_all_code_idx", "😀", "\u202e", "ɪd", "ｉｄ",
    "gen", Raw('"\\u0000"'), Raw('"id\\u0000"'), Raw('"\\ud800"'),
    "x" * 10000, "id\n", "%", "_", "NOT", "OR",
]


def col_key(table, r, bad=0.1):
    if r.random() < bad:
        return r.choice(BAD_KEYS)
    return r.choice(list(TABLES[table]))


# --------------------------------------------------------------------------
# descriptors
# --------------------------------------------------------------------------

class Gen:
    """Descriptor generator; every choice comes from one seeded Random."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.next_id = 1000
        self.rels = {}          # table -> [(name, kind, target)]
        self.made_nested = False  # the last descriptor holds nested writes

    def fresh(self):
        self.next_id += 1
        return self.next_id

    # ---- data ----------------------------------------------------------

    def valid_row(self, table):
        """A row a create should accept (unique values kept fresh)."""
        r = self.r
        if table == "fz_parent":
            n = self.fresh()
            row = {"id": n, "name": "p%d" % n}
            if r.random() < 0.5:
                row["boss_id"] = r.randint(1, 10)
            return row
        if table == "fz_tag":
            n = self.fresh()
            return {"id": n, "label": rtext(r)}
        if table == "fz_all_tag":
            return {"all_id": r.randint(1, 20), "tag_id": r.randint(1, 6)}
        if table == "fz_profile":
            return {"id": self.fresh(), "all_id": r.randint(1, 25),
                    "bio": rtext(r)}
        if table == "fz_rls":
            row = {"id": self.fresh()}
            if r.random() < 0.5:
                row["n"] = r.randint(0, 9)
            if r.random() < 0.5:
                row["note"] = rtext(r)
            return row
        n = self.fresh()
        row = {"req": rtext(r) or "r"}
        if r.random() < 0.7:
            row["id"] = n
        if r.random() < 0.5:
            row["email"] = "e%d@x.co" % n
        if r.random() < 0.3:
            row["ka"], row["kb"] = n, "k%d" % n
        if r.random() < 0.3:
            row["code"] = "c%d" % n
        for c, kind in TABLES["fz_all"].items():
            if c in ("id", "req", "email", "ka", "kb", "code", "gen", "i2") \
                    or r.random() < 0.6:
                continue
            v = valid_value(kind, r)
            if kind == "int8" and isinstance(v, Raw):
                v = r.randint(0, 9)
            row[c] = v
        return row

    def rand_data(self, table, update):
        """A data object: columns, bad keys, values and op objects."""
        r = self.r
        d = {}
        for _ in range(r.randint(0, 4)):
            k = col_key(table, r)
            kind = TABLES[table].get(k, "int4")
            c = r.random()
            if c < 0.06 and self.rels.get(table):
                name, v = self.nested(table, update)
                d[name] = v
            elif c < 0.35:
                d[k] = any_value(kind, r)
            elif c < 0.8:
                d[k] = self.assign_op(kind)
            else:
                d[k] = rany(r)
        return d

    NESTED_ACTIONS = ["create", "createMany", "connect", "connectOrCreate",
                      "disconnect", "set", "update", "updateMany", "upsert",
                      "delete", "deleteMany"]

    def child_row(self, target, depth):
        """A valid row of target for a nested create: without the key
        columns a relation sets, and sometimes with nested writes of its
        own."""
        row = {k: v for k, v in self.valid_row(target).items()
               if TABLES[target].get(k) not in ("fk", "boss", "allref")}
        if self.rels.get(target) and self.r.random() < 0.2 and depth < 3:
            name, action = self.nested(target, False, depth + 1)
            row[name] = action
        return row

    def allowed_actions(self, kind, update):
        """The nested actions a relation of kind takes, in a create or (with
        update) in an update."""
        acts = ["create", "connect", "connectOrCreate"]
        if kind == "to-many":
            acts.append("createMany")
        if update:
            acts += ["disconnect", "update", "upsert", "delete"]
            if kind in ("to-many", "many-to-many"):
                acts += ["set", "updateMany", "deleteMany"]
        return acts

    def nested(self, table, update, depth=0, valid=False):
        """A relation key of table and its nested actions: (name, value).
        valid: only actions the relation's kind takes where they are (they
        may still fail, on a missing row, a key or a constraint)."""
        r = self.r
        self.made_nested = True
        name, kind, target = r.choice(self.rels[table])
        many = kind in ("to-many", "many-to-many")
        if target not in TABLES or (not valid and r.random() < 0.05):
            return name, rany(r)
        acts = {}
        if valid:
            n = 1 if not many or r.random() < 0.7 else 2
        else:
            n = 1 if r.random() < 0.8 else r.randint(0, 3)
        for _ in range(n):
            if valid:
                a = r.choice(self.allowed_actions(kind, update))
            else:
                a = r.choice(self.NESTED_ACTIONS if r.random() < 0.95
                             else ["attach", "Create", "", "where"])
            uw = lambda: self.unique_where(target, valid or r.random() < 0.8)
            if a == "create":
                v = self.child_row(target, depth) if r.random() < 0.8 \
                    else self.rand_data(target, False)
                if many and r.random() < 0.4:
                    v = [v, self.child_row(target, depth)]
            elif a == "createMany":
                v = {"data": [self.child_row(target, 9)
                              for _ in range(r.randint(0, 3))]}
                if r.random() < 0.3:
                    v["skipDuplicates"] = r.choice([True, False, 1])
            elif a in ("connect", "disconnect", "delete") and \
                    (many or a == "connect"):
                v = uw() if r.random() < 0.8 else [uw(), uw()]
            elif a in ("disconnect", "delete"):
                v = r.choice([True, True, False, {}, 1])
            elif a == "connectOrCreate":
                v = {"where": uw(), "create": self.child_row(target, depth)}
                for k in v["where"]:            # the where's key wins
                    v["create"].pop(k, None)
            elif a == "set":
                v = [uw() for _ in range(r.randint(0, 2))]
            elif a in ("update", "updateMany") and many:
                v = {"where": uw() if a == "update" else self.where(target),
                     "data": self.valid_update_data(target)
                     if r.random() < 0.7 else self.rand_data(target, True)}
            elif a == "update":
                v = self.to_one_update(target) if r.random() < 0.4 \
                    else self.valid_update_data(target)
            elif a == "upsert":
                v = {"create": self.child_row(target, depth),
                     "update": self.valid_update_data(target)}
                if many:
                    v["where"] = uw()
                    for k in v["where"]:
                        v["create"].pop(k, None)
            elif a == "deleteMany":
                v = self.where(target) if r.random() < 0.9 else {}
            else:
                v = rany(r)
            if not valid and r.random() < 0.05:
                v = rany(r)
            acts[a] = v
        return name, acts

    def to_one_update(self, target):
        """A to-one or one-to-one update in Prisma's {where, data} form
        (where optional): the where filters the related row."""
        v = {"data": self.valid_update_data(target)}
        if self.r.random() < 0.7:
            v["where"] = self.where(target)
        return v

    def upsert_branches(self, table, a):
        """Nested actions in an upsert's create and update: to-one create,
        connect and connectOrCreate run only in the branch taken."""
        for branch, update in (("create", False), ("update", True)):
            if self.r.random() < 0.7:
                name, v = self.nested(table, update, valid=True)
                a[branch][name] = v

    def assign_op(self, kind):
        r = self.r
        c = r.random()
        if c < 0.07:
            return {}
        if c < 0.15:
            return {r.choice(FILTER_OPS + ["Increment", "inc", "", "pull"]):
                    1}
        if c < 0.25:
            return list_op(kind, r, valid=r.random() < 0.7)
        ops = {}
        for _ in range(1 if r.random() < 0.8 else r.randint(2, 3)):
            op = r.choice(ASSIGN_OPS)
            if op == "unset":
                ops[op] = r.choice([True, True, False, 1, None, "true"])
            elif op == "set":
                ops[op] = any_value(kind, r)
            elif r.random() < 0.6:
                ops[op] = r.choice([1, 2, -1, 0, 0.5, Raw("1e400"), "1",
                                    Raw("9223372036854775807")])
            else:
                ops[op] = any_value(kind, r)
        if r.random() < 0.05:                    # the same op twice
            op = next(iter(ops))
            return Pairs(list(ops.items()) + [(op, ops[op])])
        return ops

    def valid_update_data(self, table):
        r = self.r
        d = {}
        cols = [c for c, k in TABLES[table].items()
                if k not in ("gen", "owner", "allref", "tagref") and c != "id"]
        if not cols:
            return d
        for c in r.sample(cols, r.randint(0, min(3, len(cols)))):
            kind = TABLES[table][c]
            if c in ("email", "name", "code"):
                d[c] = "%s%d" % (c[0], self.fresh())
            elif c in ("ka", "kb", "i2"):
                continue
            elif kind in NUMBER_KINDS and kind not in ("fk", "domain", "boss") \
                    and r.random() < 0.5:
                op = r.choice(["increment", "decrement", "multiply", "divide"])
                d[c] = {op: r.choice([1, 2, 3]) if op != "decrement" else 1}
            elif kind in ("int[]", "text[]") and r.random() < 0.5:
                d[c] = list_op(kind, r)
            else:
                v = valid_value(kind, r)
                if kind == "int8" and isinstance(v, Raw):
                    v = 1
                d[c] = v
        return d

    # ---- where ---------------------------------------------------------

    def col_filter(self, table, kind, depth=0):
        r = self.r
        if r.random() < (0.5 if kind in ("json", "jsonb", "int[]", "text[]")
                         else 0.03):
            return new_filter(kind, r)
        c = r.random()
        if c < 0.3:
            return any_value(kind, r)
        if c < 0.35:
            return None
        ops = {}
        for _ in range(r.randint(0, 3)):
            op = r.choice(FILTER_OPS + ["", "EQUALS", "like", "has"]
                          if r.random() < 0.1 else FILTER_OPS)
            if op in ("in", "notIn"):
                v = ([valid_value(kind, r) for _ in range(r.randint(0, 5))]
                     if r.random() < 0.6 else any_value(kind, r))
            elif op in ("contains", "startsWith", "endsWith"):
                v = rtext(r) if r.random() < 0.6 else any_value(kind, r)
            elif op == "mode":
                v = r.choice(["insensitive", "default", "Insensitive", None,
                              1, ""])
            elif op == "not" and depth < 3 and r.random() < 0.3:
                v = self.col_filter(table, kind, depth + 1)
            else:
                v = any_value(kind, r)
            ops[op] = v
        return ops

    def compound(self, table):
        """A compound unique selector, right or wrong."""
        r = self.r
        if table == "fz_all_tag":
            sel = {"all_id": r.randint(1, 20), "tag_id": r.randint(1, 6)}
            if r.random() < 0.3:
                sel.pop(r.choice(list(sel)))
            return {r.choice(["all_id_tag_id", "fz_all_tag_pkey",
                              "tag_id_all_id"]): sel}
        if table != "fz_all":
            return {r.choice(["id_name", "%s_pkey" % table, "x_y"]):
                    {"id": r.randint(1, 20)}}
        i = r.randint(1, 25)
        name, cols = r.choice([
            ("ka_kb", ("ka", "kb")), ("fz_all_ka_kb_key", ("ka", "kb")),
            ("i2_m", ("i2", "m")), ("fz_all_i2_m_idx", ("i2", "m")),
            ("kb_ka", ("ka", "kb")), ("fz_all_pkey", ("id",)),
            ("fz_all_email_key", ("email",)), ("fz_all_code_idx", ("code",)),
        ])
        vals = {"ka": i, "kb": "k%d" % i, "i2": i, "m": MOODS[i % 3],
                "id": i, "email": "e%d@x.co" % i, "code": "c%d" % i}
        sel = {c: vals[c] for c in cols}
        c = r.random()
        if c < 0.5:
            pass                                     # right
        elif c < 0.6:
            sel.pop(r.choice(list(sel)))             # a column missing
        elif c < 0.7:
            sel["extra"] = 1
        elif c < 0.8:
            sel[r.choice(list(sel))] = r.choice([None, {}, [1], {"equals": 1}])
        elif c < 0.9:
            sel = rany(r)
        else:
            sel[r.choice(list(sel))] = any_value("int4", r)
        return {name: sel}

    def relation_filter(self, table, depth):
        """A filter on one of table's relations, right or wrong."""
        r = self.r
        name, kind, target = r.choice(self.rels[table])
        many = kind in ("to-many", "many-to-many")
        c = r.random()
        if c < 0.75:
            ops = {}
            for _ in range(r.randint(0, 2) if r.random() < 0.3 else 1):
                op = r.choice(["some", "none", "every"] if many
                              else ["is", "isNot"])
                if r.random() < 0.1:
                    op = r.choice(["some", "none", "every", "is", "isNot",
                                   "Some", "", "equals", "not", "in"])
                ops[op] = (self.where(target, depth + 1)
                           if r.random() < 0.9 else rany(r))
            if not many and r.random() < 0.2:
                return name, self.where(target, depth + 1)    # short for is
            return name, ops
        if c < 0.85:
            return name, None
        return name, rany(r)

    def where(self, table, depth=0):
        r = self.r
        w = {}
        for _ in range(r.randint(0, 3 if depth < 3 else 1)):
            c = r.random()
            if self.rels.get(table) and r.random() < 0.12 and depth < 6:
                k, v = self.relation_filter(table, depth)
                w[k] = v
            elif c < 0.55:
                k = col_key(table, r)
                w[k] = self.col_filter(table, TABLES[table].get(k, "int4"))
            elif c < 0.65:
                w.update(self.compound(table))
            elif depth < 4:
                k = r.choice(["AND", "OR", "NOT"])
                form = r.random()
                if form < 0.4:
                    w[k] = [self.where(table, depth + 1)
                            for _ in range(r.randint(0, 3))]
                elif form < 0.8:
                    w[k] = self.where(table, depth + 1)
                else:
                    w[k] = r.choice([None, 1, "x", [1], [None], [[]], True,
                                     [{}, 1], []])
        return w

    def default_key_where(self, table):
        """Sometimes, a where on a key column with a default (fz_all.id is
        serial) that the upsert's create leaves out, so that the row created
        takes the default: Prisma's where: {id: input.id ?? 0}, or an id
        that may exist; else None."""
        r = self.r
        if table != "fz_all" or r.random() >= 0.3:
            return None
        return {"id": 0 if r.random() < 0.5 else r.randint(1, 30)}

    def unique_where(self, table, valid=True):
        """A unique selector, maybe with extra filters."""
        r = self.r
        i = r.randint(1, 30)
        if table == "fz_all":
            c = r.random()
            if c < 0.4:
                w = {"id": i if r.random() < 0.8 else {"equals": i}}
            elif c < 0.55:
                w = {"email": "e%d@x.co" % i}
            elif c < 0.7:
                w = {r.choice(["ka_kb", "fz_all_ka_kb_key"]):
                     {"ka": i, "kb": "k%d" % i}}
            elif c < 0.8:
                w = {r.choice(["i2_m", "fz_all_i2_m_idx"]):
                     {"i2": i, "m": MOODS[i % 3]}}
            elif c < 0.9 and not valid:
                w = {"code": "c%d" % i}            # partial index: 42P10
            else:
                w = {"id": i}
        elif table == "fz_parent":
            w = {"id": i} if r.random() < 0.7 else {"name": "p%d" % i}
        elif table == "fz_all_tag":
            w = {r.choice(["all_id_tag_id", "fz_all_tag_pkey"]):
                 {"all_id": r.randint(1, 20), "tag_id": r.randint(1, 6)}}
        elif table == "fz_profile" and r.random() < 0.5:
            w = {"all_id": i}
        else:
            w = {"id": i}
        if r.random() < 0.25:                      # an extra filter
            k = r.choice(list(TABLES[table]))
            kind = TABLES[table][k]
            if valid:
                v = valid_value(kind, r)
                w[k] = {r.choice(["not", "gte", "lt"]): v} \
                    if kind not in ("json", "int[]", "text[]", "gen") \
                    and v is not None else {"not": None}
            else:
                w[k] = self.col_filter(table, kind)
        return w

    def relation_order(self, table, depth=0):
        """An orderBy entry through a relation of table: a to-one's column
        (or, through it, a further relation), a to-many's _count, and the
        wrong forms (a string, two keys, a to-many's column, a to-one's
        _count)."""
        r = self.r
        rels = self.rels.get(table)
        if not rels:
            return {r.choice(list(TABLES.get(table, {"id": 0}))): "asc"}
        name, kind, target = r.choice(rels)
        d = r.choice(["asc", "desc"]) if r.random() < 0.9 \
            else r.choice(["up", None, 1, {}])
        if r.random() < 0.1:
            return {name: r.choice([d, None, [], {},
                                    {"_count": "asc", "id": "asc"}])}
        if kind in ("to-many", "many-to-many"):
            return {name: {"_count" if r.random() < 0.85
                           else col_key(target, r, 0.3): d}}
        if r.random() < 0.3 and depth < 3:
            return {name: self.relation_order(target, depth + 1)}
        if r.random() < 0.3:                       # Prisma's {sort, nulls}
            d = {"sort": d if r.random() < 0.9 else None,
                 "nulls": r.choice(["first", "last", "middle", None])}
            if r.random() < 0.2:
                del d[r.choice(["sort", "nulls"])]
        return {name: {col_key(target, r, 0.2) if r.random() < 0.9
                       else "_count": d}}

    def count_arg(self, table, depth):
        """The value of _count in include or select: true, or a select of
        relations, each true, false or with a where; and wrong forms."""
        r = self.r
        c = r.random()
        if c < 0.3:
            return True
        if c < 0.35:
            return r.choice([False, None, 1, "x", [], {}, {"where": {}}])
        rels = self.rels.get(table, [])
        sel = {}
        for _ in range(r.randint(1, 3)):
            if rels and r.random() < 0.9:
                name, kind, target = r.choice(rels)
                v = r.random()
                if v < 0.4:
                    sel[name] = True
                elif v < 0.5:
                    sel[name] = False
                elif v < 0.9:
                    sel[name] = {"where": self.where(target, depth + 1)}
                else:
                    sel[name] = r.choice([1, {"take": 1}, None, {"where": 1}])
            else:
                sel[col_key(table, r, 0.5)] = True
        return {"select": sel}

    def negative_take(self):
        """Negative takes (the last rows of an include), to the int8 edge."""
        return [-2, -3, Raw("-9223372036854775808"), Raw("-9223372036854775807")]

    def order_by(self, table):
        r = self.r
        cols = list(TABLES.get(table, {"id": 0}))
        c = r.random()
        if c < 0.2:
            return self.relation_order(table) if r.random() < 0.6 else \
                [r.choice([self.relation_order(table),
                           {r.choice(cols): r.choice(["asc", "desc"])}])
                 for _ in range(r.randint(1, 3))]
        if c < 0.5:
            return {r.choice(cols): r.choice(["asc", "desc"])}
        if c < 0.7:
            return [{r.choice(cols): r.choice(["asc", "desc"])}
                    for _ in range(r.randint(0, 3))]
        if c < 0.8:
            return {r.choice(cols): r.choice(["ASC", "up", "", None, 1, {}]),
                    r.choice(cols): "asc"}
        if c < 0.9:
            return {col_key(table, r, 0.7): "asc"}
        return rany(r)

    def rel_args(self, target, depth):
        """The value of a relation in include or select."""
        r = self.r
        c = r.random()
        if c < 0.35:
            return True
        if c < 0.42:
            return r.choice([False, None, 1, "yes", [], [{}]])
        o = {}
        if r.random() < 0.3:
            o["where"] = self.where(target, depth + 1)
        if r.random() < 0.3:
            o["orderBy"] = self.order_by(target)
        for k in ("take", "skip"):
            if r.random() < 0.25:
                o[k] = r.choice([0, 1, 2, 5, 100, -1, 1.5, "2", None, True,
                                 Raw("1e400"), Raw("9223372036854775808"),
                                 2147483648, Raw("-0")] + self.negative_take())
        if r.random() < 0.15:
            o["cursor"] = self.unique_where(target, r.random() < 0.85) \
                if r.random() < 0.9 else rany(r)
        if r.random() < 0.35 and depth < 5:
            if r.random() < 0.5:
                o["include"] = self.include(target, depth + 1)
            else:
                o["select"] = self.select(target, depth + 1)
        if r.random() < 0.05:
            o[r.choice(["data", "AND", "distinct", "cursor", ""])] = 1
        return o

    def include(self, table, depth=0):
        r = self.r
        inc = {}
        rels = self.rels.get(table, [])
        for _ in range(r.randint(0, 3)):
            if rels and r.random() < 0.85:
                name, kind, target = r.choice(rels)
                inc[name] = self.rel_args(target, depth)
            else:
                inc[col_key(table, r, 0.5)] = r.choice([True, {}, 1])
        if r.random() < 0.15:
            inc["_count"] = self.count_arg(table, depth)
        return inc

    def select(self, table, depth=0):
        r = self.r
        if self.rels.get(table) and r.random() < 0.3:
            sel = {k: True for k in r.sample(list(TABLES[table]), 1)}
            for _ in range(r.randint(1, 2)):
                name, kind, target = r.choice(self.rels[table])
                sel[name] = self.rel_args(target, depth)
            if r.random() < 0.2:
                sel["_count"] = self.count_arg(table, depth)
            return sel
        c = r.random()
        if c < 0.6:
            cols = list(TABLES[table])
            return {k: True for k in r.sample(
                cols, r.randint(1, min(3, len(cols))))}
        if c < 0.7:
            return {k: True for k in TABLES[table]}
        if c < 0.8:
            return {r.choice(list(TABLES[table])): False}
        if c < 0.9:
            return {col_key(table, r, 0.5): r.choice([True, 1, "true", None,
                                                      {}, False])}
        return rany(r)

    def omit(self, table):
        """An omit: columns true or false, sometimes every column, a
        relation, an unknown column or a wrong type."""
        r = self.r
        cols = list(TABLES[table])
        c = r.random()
        if c < 0.6:
            return {k: r.random() < 0.85 for k in r.sample(
                cols, r.randint(1, min(3, len(cols))))}
        if c < 0.7:
            return {k: True for k in cols}
        if c < 0.8 and self.rels.get(table):
            return {r.choice(self.rels[table])[0]: True}
        if c < 0.9:
            return {col_key(table, r, 0.5): r.choice([True, 1, "true", None,
                                                      {}, False])}
        return rany(r)

    def limit(self):
        """A limit of updateMany / deleteMany, mostly valid."""
        r = self.r
        if r.random() < 0.8:
            return r.choice([0, 1, 2, 3, 10, 1000])
        return r.choice([-1, 1.5, "2", None, True, [], {}, Raw("1e400"),
                         Raw("9223372036854775808"), 2147483648, Raw("-0")])

    def returned(self, verb, table, a):
        """Add the keys of part 3 of issue 12 to a valid descriptor a of
        verb: omit (instead of a select) where rows are returned, limit on
        the many-row updates and deletes, and for the "and return" verbs a
        select or a to-one include."""
        r = self.r
        keys = VERB_KEYS[verb]
        if "omit" in keys and "select" not in a and r.random() < 0.25:
            cols = list(TABLES[table])
            a["omit"] = {k: True for k in r.sample(
                cols, r.randint(1, max(1, min(2, len(cols) - 1))))}
        if "limit" in keys and r.random() < 0.3:
            a["limit"] = r.choice([0, 1, 2, 5])
        if verb in RETURN_BASE and "omit" not in a and r.random() < 0.3:
            to_one = [x for x in self.rels.get(table, [])
                      if x[1] in ("to-one", "one-to-one")]
            if to_one and r.random() < 0.5:
                a["include"] = {r.choice(to_one)[0]: True}
            else:
                cols = list(TABLES[table])
                a["select"] = {k: True for k in r.sample(
                    cols, r.randint(1, min(3, len(cols))))}
        return a

    # ---- whole descriptors ---------------------------------------------

    def soft(self, verb, table):
        """A soft-delete verb's descriptor: a where (unique for the one-row
        verbs), sometimes a select or include."""
        r = self.r
        if verb in ("forge_soft_delete", "forge_restore"):
            a = {"where": self.unique_where(table)}
            if r.random() < 0.3:
                a["select"] = self.select(table)
            elif self.rels.get(table) and r.random() < 0.2:
                a["include"] = self.include(table)
            return a
        return {"where": self.where(table)} if r.random() < 0.9 else {}

    def with_deleted(self, verb, a):
        """Sometimes add "withDeleted" to a verb that takes it."""
        if "withDeleted" in VERB_KEYS[verb] and self.r.random() < 0.2:
            a["withDeleted"] = self.r.choice([True, False])
        return a

    def valid(self, verb, table):
        if verb in RETURN_BASE:
            return self.returned(verb, table,
                                 self.valid(RETURN_BASE[verb], table))
        return self.returned(verb, table,
                             self.with_deleted(verb, self.valid_verb(verb, table)))

    def valid_verb(self, verb, table):
        r = self.r
        if verb in SOFT_VERBS:
            return self.soft(verb, table)
        if verb == "forge_create":
            a = {"data": self.valid_row(table)}
        elif verb == "forge_create_many":
            a = {"data": [self.valid_row(table)
                          for _ in range(r.randint(0, 5))]}
            if r.random() < 0.5:
                a["skipDuplicates"] = r.choice([True, False])
        elif verb == "forge_update":
            a = {"where": self.unique_where(table),
                 "data": self.valid_update_data(table)}
        elif verb == "forge_update_many":
            a = {"data": self.valid_update_data(table)}
            if r.random() < 0.8:
                a["where"] = self.where(table)
        elif verb == "forge_upsert":
            w = self.default_key_where(table) or self.unique_where(table)
            create = self.valid_row(table)
            for k, v in w.items():       # forge fills the key in from where
                create.pop(k, None)
                if isinstance(v, dict):
                    for kk in v:
                        create.pop(kk, None)
            a = {"where": w, "create": create,
                 "update": self.valid_update_data(table)}
        elif verb == "forge_delete":
            a = {"where": self.unique_where(table)}
        else:
            a = {"where": self.where(table)} if r.random() < 0.9 else {}
        if verb in ("forge_create", "forge_update") and \
                self.rels.get(table) and r.random() < 0.2:
            name, v = self.nested(table, verb == "forge_update", valid=True)
            a["data"][name] = v
        if verb == "forge_upsert" and self.rels.get(table) and \
                r.random() < 0.2:
            self.upsert_branches(table, a)
        if verb in ("forge_create", "forge_update", "forge_upsert",
                    "forge_delete") and r.random() < 0.3:
            cols = list(TABLES[table])
            a["select"] = {k: True for k in r.sample(
                cols, r.randint(1, min(3, len(cols))))}
            if self.rels.get(table) and r.random() < 0.3:
                name, kind, target = r.choice(self.rels[table])
                a["select"][name] = True
        elif verb in ("forge_create", "forge_update", "forge_upsert",
                      "forge_delete") and self.rels.get(table) and \
                r.random() < 0.2:
            name, kind, target = r.choice(self.rels[table])
            a["include"] = {name: r.choice([
                True, {"take": 2, "orderBy": {
                    next(iter(TABLES.get(target, {"id": 0}))): "desc"}}]
                + ([self.valid_list_args(target)]
                   if kind in ("to-many", "many-to-many") else []))}
            if r.random() < 0.3:
                a["include"]["_count"] = True
        return a

    def valid_list_args(self, target):
        """A valid include of a to-many: ordered through a relation of the
        target (a to-one's first column, a to-many's _count), from a
        cursor, with the target's own counts."""
        r = self.r
        o = {"take": 3, "include": {"_count": True}}
        rels = self.rels.get(target)
        if rels:
            name, kind, other = r.choice(rels)
            o["orderBy"] = [{name: {"_count": "desc"}
                             if kind in ("to-many", "many-to-many") else
                             {next(iter(TABLES.get(other, {"id": 0}))): "asc"}}]
        if r.random() < 0.6:
            o["cursor"] = self.unique_where(target)
        return o

    def random(self, verb, table):
        """A descriptor built from the verb's keys with random contents."""
        r = self.r
        a = {}
        for k in VERB_KEYS[verb]:
            if k == "include":
                if r.random() < 0.3:
                    a[k] = self.include(table) if r.random() < 0.9 \
                        else rany(r)
                continue
            if r.random() < 0.12:
                continue                                   # key missing
            if r.random() < 0.1:
                a[k] = rany(r)                             # wrong type
            elif k in ("data", "create", "update"):
                if verb in ("forge_create_many",
                            "forge_create_many_and_return"):
                    a[k] = [self.rand_data(table, False)
                            if r.random() < 0.85 else rany(r)
                            for _ in range(r.randint(0, 4))]
                else:
                    a[k] = self.rand_data(table, k != "create")
            elif k == "where":
                a[k] = (self.unique_where(table, False)
                        if verb in ("forge_update", "forge_upsert",
                                    "forge_delete") and r.random() < 0.5
                        else self.where(table))
            elif k == "select":
                if r.random() < 0.4:
                    a[k] = self.select(table)
            elif k == "skipDuplicates":
                a[k] = r.choice([True, False, None, 1, "true", [], {}])
            elif k == "omit":
                if r.random() < 0.3:
                    a[k] = self.omit(table)
            elif k == "limit":
                if r.random() < 0.3:
                    a[k] = self.limit()
            elif k == "withDeleted":
                if r.random() < 0.3:
                    a[k] = r.choice([True, False, None, 1, "true", [], {}])
        for k in ["include", "orderBy", "Data", "where ", "data "] + \
                VERBS + [v for v in VERB_KEYS if v != verb]:
            if r.random() < 0.01:
                a[k] = rany(r)                             # unknown key
        return a

    def mutate(self, a):
        """Apply one to three mutations to the descriptor a (in place)."""
        r = self.r
        for _ in range(r.randint(1, 3)):
            slots = []
            collect(a, slots)
            if not slots:
                return rany(r)
            parent, key = r.choice(slots)
            m = r.randint(0, 9)
            if m == 0 and isinstance(parent, dict):          # drop the key
                del parent[key]
            elif m == 1:                                     # swap the type
                parent[key] = rany(r)
            elif m == 2:
                parent[key] = nasty(r)
            elif m == 3 and isinstance(parent, dict):        # rename the key
                v = parent.pop(key)
                parent[r.choice(BAD_KEYS + [key.upper(), key + "s"])] = v
            elif m == 4 and isinstance(parent, dict):        # add a key
                parent[r.choice(BAD_KEYS + ASSIGN_OPS + FILTER_OPS +
                                ["AND", "OR", "NOT", "id", "i4"])] = \
                    copy.deepcopy(r.choice(NASTY + [{}, []]))
            elif m == 5:                                     # wrap it
                v = parent[key]
                parent[key] = r.choice([[v], {"set": v}, {"equals": v},
                                        {"not": v}, {"in": v}, {"AND": v},
                                        {"increment": v}])
            elif m == 6:                                     # add an op
                v = parent[key]
                if isinstance(v, dict):
                    v[r.choice(ASSIGN_OPS + FILTER_OPS)] = nasty(r)
                else:
                    parent[key] = {r.choice(ASSIGN_OPS): v,
                                   r.choice(ASSIGN_OPS + FILTER_OPS): v}
            elif m == 7 and isinstance(parent, dict):        # duplicate key
                items = list(parent.items())
                items.append((key, nasty(r)))
                r.shuffle(items)
                parent.clear()
                holder = Pairs(items)
                return replace_obj(a, parent, holder)
            elif m == 8:
                parent[key] = r.choice([[], {}, None, "", 0])
            else:
                parent[key] = r.choice([{"AND": []}, {"OR": []}, {"NOT": []},
                                        {"NOT": {}}, {"OR": {}}, {"AND": {}},
                                        {"id": {"in": []}}])
        return a


def collect(v, slots):
    """Every (container, key) slot of the descriptor v (not inside Pairs,
    which are left as they are)."""
    if isinstance(v, Pairs):
        return
    if isinstance(v, dict):
        for k in list(v):
            slots.append((v, k))
            collect(v[k], slots)
    elif isinstance(v, list):
        for i in range(len(v)):
            slots.append((v, i))
            collect(v[i], slots)


def replace_obj(root, old, new):
    """root with the object old (by identity) replaced by new."""
    if root is old:
        return new
    if isinstance(root, Pairs):
        return root
    if isinstance(root, dict):
        for k in root:
            root[k] = replace_obj(root[k], old, new)
    elif isinstance(root, list):
        for i in range(len(root)):
            root[i] = replace_obj(root[i], old, new)
    return root


# --------------------------------------------------------------------------
# special descriptors: deep, huge, and odd at the top
# --------------------------------------------------------------------------

def nest(n, open_, close, inner):
    return Raw(open_ * n + inner + close * n)


def specials():
    """(label, verb, model, args text) for the big cases, run once each."""
    s = []
    for n in (100000, 20000, 10000, 5000, 3000, 1000, 501, 500, 499):
        s.append(("NOT object x%d" % n, "forge_delete_many", "fz_all",
                  '{"where": %s}' % nest(n, '{"NOT": ', "}", '{"id": 1}')))
    for n in (100000, 3000):
        s.append(("NOT array x%d" % n, "forge_delete_many", "fz_all",
                  '{"where": %s}' % nest(n, '{"NOT": [', "]}", '{"id": 1}')))
        s.append(("AND array x%d" % n, "forge_update_many", "fz_all",
                  '{"data": {"i4": 1}, "where": %s}'
                  % nest(n, '{"AND": [', "]}", '{"id": -1}')))
        s.append(("OR array x%d" % n, "forge_delete_many", "fz_all",
                  '{"where": %s}' % nest(n, '{"OR": [', "]}", '{"id": -1}')))
        s.append(("AND object x%d" % n, "forge_delete", "fz_all",
                  '{"where": %s}' % nest(n, '{"AND": ', "}", '{"id": -1}')))
        s.append(("column not x%d" % n, "forge_delete_many", "fz_all",
                  '{"where": {"i4": %s}}' % nest(n, '{"not": ', "}", "1")))
        s.append(("nested arrays x%d in data" % n, "forge_create", "fz_all",
                  '{"data": {"req": "r", "ia": %s}}' % nest(n, "[", "]", "1")))
        s.append(("nested arrays x%d in json" % n, "forge_create", "fz_all",
                  '{"data": {"req": "r", "jb": %s}}' % nest(n, "[", "]", "1")))
        s.append(("nested arrays x%d in an in list" % n, "forge_delete_many",
                  "fz_all",
                  '{"where": {"i4": {"in": %s}}}' % nest(n, "[", "]", "1")))
        s.append(("nested objects x%d as args" % n, "forge_create", "fz_all",
                  nest(n, '{"data": ', "}", "{}")))
    for n in (100000, 501, 18, 17, 16, 15, 8):    # relation chains
        s.append(("self-relation chain x%d" % n, "forge_delete_many",
                  "fz_parent", '{"where": %s}'
                  % nest(n, '{"boss": {"is": ', "}}", '{"id": 1}')))
        s.append(("to-one/to-many chain x%d" % n, "forge_update_many",
                  "fz_all", '{"data": {"i4": {"increment": 1}}, "where": %s}'
                  % nest(n // 2, '{"parent": {"is": {"fz_all": {"some": ',
                         "}}}}", '{"id": 1}')))
        s.append(("many-to-many chain x%d" % n, "forge_delete_many",
                  "fz_all", '{"where": %s}'
                  % nest(n // 2, '{"fz_tag": {"every": {"fz_all": {"none": ',
                         "}}}}", '{"id": -1}')))
        s.append(("NOT/relation chain x%d" % n, "forge_delete_many",
                  "fz_all", '{"where": %s}'
                  % nest(n // 2, '{"NOT": {"fz_profile": {"isNot": '
                         '{"all": ', "}}}}", '{"id": -1}')))
    for n in (100000, 100, 17, 16, 15):      # include and select chains
        s.append(("include chain x%d" % n, "forge_delete", "fz_all",
                  '{"where": {"id": 1}, "include": %s}'
                  % nest(n // 2, '{"parent": {"include": {"fz_all": '
                         '{"include": ', "}}}}", '{"parent": true}')))
        s.append(("select chain x%d" % n, "forge_update", "fz_parent",
                  '{"where": {"id": 3}, "data": {}, "select": %s}'
                  % nest(n, '{"boss": {"select": ', "}}", '{"id": true}')))
        s.append(("many-to-many include chain x%d" % n, "forge_create",
                  "fz_all", '{"data": {"req": "r"}, "include": %s}'
                  % nest(n // 2, '{"fz_tag": {"take": 3, "include": '
                         '{"fz_all": {"orderBy": {"id": "desc"}, '
                         '"include": ', "}}}}", '{"fz_tag": true}')))
    for d in (6, 7, 8):
        s.append(("int[] of %d dimensions" % d, "forge_create", "fz_all",
                  '{"data": {"req": "r", "ia": %s}}' % nest(d, "[", "]", "1")))
    ints = ", ".join(str(i) for i in range(100000))
    s.append(("in list of 100k", "forge_delete_many", "fz_all",
              '{"where": {"id": {"in": [%s]}}}' % ints))
    s.append(("notIn list of 100k", "forge_update_many", "fz_all",
              '{"data": {"i4": {"increment": 1}}, '
              '"where": {"i8": {"notIn": [%s]}}}' % ints))
    s.append(("in list of 100k strings", "forge_delete_many", "fz_all",
              '{"where": {"txt": {"in": [%s]}}}'
              % ", ".join('"s%d"' % i for i in range(100000))))
    s.append(("in list of 100k, the last bad", "forge_delete_many", "fz_all",
              '{"where": {"id": {"in": [%s, "x"]}}}' % ints))
    s.append(("in list of 100k arrays", "forge_delete_many", "fz_all",
              '{"where": {"i4": {"in": [%s]}}}'
              % ", ".join("[1]" for _ in range(100000))))
    s.append(("OR of 70k equalities (> 65535 parameters)", "forge_delete_many",
              "fz_all", '{"where": {"OR": [%s]}}'
              % ", ".join('{"id": %d}' % (-i) for i in range(70000))))
    s.append(("AND object of 30 columns x 2000 (duplicate keys)",
              "forge_delete_many", "fz_all", '{"where": {%s}}'
              % ", ".join('"i4": %d' % i for i in range(2000))))
    rows = ", ".join('{"req": "r", "i4": %d, "txt": "t%d"}' % (i, i)
                     for i in range(100000))
    s.append(("create_many of 100k rows", "forge_create_many", "fz_all",
              '{"data": [%s]}' % rows))
    s.append(("create_many of 100k rows, the last bad", "forge_create_many",
              "fz_all", '{"data": [%s, {"req": "r", "i4": "x"}]}' % rows))
    s.append(("create_many of 100k rows, the last without req",
              "forge_create_many", "fz_all",
              '{"data": [%s, {"i4": 1}]}' % rows))
    dup = ", ".join('{"id": %d, "req": "r"}' % (i % 50 + 5000)
                    for i in range(10000))
    s.append(("create_many of 10k rows with duplicates, skipDuplicates",
              "forge_create_many", "fz_all",
              '{"skipDuplicates": true, "data": [%s]}' % dup))
    s.append(("create_many of 10k rows with duplicates", "forge_create_many",
              "fz_all", '{"data": [%s]}' % dup))
    kinds = TABLES["fz_all"]
    cols = [c for c in kinds if c not in ("id", "i2", "email", "ka", "kb",
                                          "code", "gen", "req", "parent_id",
                                          "txt")]
    rr = random.Random(0)
    many = []
    for i in range(4000):                  # 4000 rows, ~4000 key sets
        row = {"req": "r", "txt": "k%d" % i}
        for c in cols:
            if rr.random() < 0.5:
                v = valid_value(kinds[c], rr)
                row[c] = 1 if isinstance(v, Raw) and kinds[c] == "int8" else v
        many.append(row)
    s.append(("create_many of 4000 rows in %d key sets"
              % len({tuple(sorted(x)) for x in many}),
              "forge_create_many", "fz_all", dumps({"data": many})))
    s.append(("1 MB text value", "forge_create", "fz_all",
              '{"data": {"req": "r", "txt": "%s"}}' % ("x" * 1000000)))
    rn = random.Random(3)
    noise = "".join(rn.choice("0123456789abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    for _ in range(9000))       # compresses badly
    s.append(("9000 random bytes in a unique text column", "forge_create",
              "fz_all", '{"data": {"req": "r", "email": "%s"}}' % noise))
    s.append(("9000 random bytes in a compound unique key", "forge_upsert",
              "fz_all", '{"where": {"ka_kb": {"ka": 1, "kb": "%s"}}, '
              '"create": {"req": "r"}, "update": {}}' % noise))
    s.append(("9000 random bytes in a unique selector", "forge_update",
              "fz_all", '{"where": {"email": "%s"}, "data": {}}' % noise))
    s.append(("100k-byte key", "forge_create", "fz_all",
              '{"data": {"%s": 1}}' % ("k" * 100000)))
    s.append(("1000 unknown keys", "forge_create", "fz_all",
              '{"data": {%s}}' % ", ".join('"k%d": 1' % i
                                          for i in range(1000))))
    s.append(("every column", "forge_create", "fz_all", dumps({
        "data": {c: valid_value(k, random.Random(1))
                 for c, k in TABLES["fz_all"].items() if k != "gen"},
        "select": {c: True for c in TABLES["fz_all"]}})))
    s.append(("args a 100k-element array", "forge_create", "fz_all",
              "[%s]" % ints))
    s.append(("select of 10k keys", "forge_delete", "fz_all",
              '{"where": {"id": 1}, "select": {%s}}'
              % ", ".join('"id%d": true' % i for i in range(10000))))
    s.append(("numeric of 100k digits", "forge_update_many", "fz_all",
              '{"data": {"num": {"increment": 1%s}}, "where": {"id": -1}}'
              % ("0" * 100000)))
    s.append(("text[] of 100k elements", "forge_create", "fz_all",
              '{"data": {"req": "r", "ta": [%s]}}'
              % ", ".join('"a%d"' % i for i in range(100000))))
    s.append(("int[] of 100k elements", "forge_create", "fz_all",
              '{"data": {"req": "r", "ia": [%s]}}' % ints))
    s.append(("\\u0000 in a key", "forge_create", "fz_all",
              '{"data": {"req\\u0000": "r"}}'))
    s.append(("\\u0000 in a value", "forge_create", "fz_all",
              '{"data": {"req": "r\\u0000"}}'))
    s.append(("NULL args", "forge_create", "fz_all", None))
    s.append(("NULL model", "forge_create", None, '{"data": {"req": "r"}}'))
    s.append(("a view", "forge_create", "fz_view", '{"data": {"id": 1}}'))
    s.append(("a sequence", "forge_delete_many", "fz_seq", '{}'))
    return s


# --------------------------------------------------------------------------
# triggers, DO blocks and doomed writes (forge called from plpgsql)
# --------------------------------------------------------------------------

# the key a row trigger passes to its calls as "@ROW@", per table
ROW_KEY = {"fz_all": "id", "fz_parent": "id", "fz_rls": "id", "fz_tag": "id",
           "fz_all_tag": "all_id", "fz_profile": "id"}
# calls tied to the trigger's row: (table of the trigger, verb, model, args)
ROW_CALLS = [
    ("fz_all", "forge_update_many", "fz_profile",
     {"where": {"all_id": "@ROW@"}, "data": {"bio": "trg"}}),
    ("fz_all", "forge_delete_many", "fz_all_tag",
     {"where": {"all_id": "@ROW@", "tag_id": {"gt": 3}}}),
    ("fz_all", "forge_create_many", "fz_all_tag",
     {"data": [{"all_id": "@ROW@", "tag_id": 1}], "skipDuplicates": True}),
    ("fz_all", "forge_update", "fz_all",
     {"where": {"id": "@ROW@"}, "data": {"i4": {"increment": 1}}}),
    ("fz_all", "forge_upsert", "fz_profile",
     {"where": {"all_id": "@ROW@"}, "create": {"id": Raw("@S1@"), "bio": "u"},
      "update": {"bio": "v"}}),
    ("fz_parent", "forge_update_many", "fz_all",
     {"where": {"parent_id": "@ROW@"}, "data": {"i8": {"increment": 1}}}),
    ("fz_parent", "forge_update_many", "fz_parent",
     {"where": {"boss_id": "@ROW@"}, "data": {"name": {"set": None}}}),
    ("fz_parent", "forge_create", "fz_parent",
     {"data": {"id": Raw("@S1@"), "name": "n@S1@", "boss": {
         "connect": {"id": "@ROW@"}}}}),
    ("fz_tag", "forge_delete_many", "fz_all_tag",
     {"where": {"tag_id": "@ROW@"}}),
    ("fz_tag", "forge_update", "fz_tag",
     {"where": {"id": "@ROW@"}, "data": {"label": "t"}}),
    ("fz_rls", "forge_update", "fz_rls",
     {"where": {"id": "@ROW@"}, "data": {"n": {"increment": 1}}}),
    ("fz_profile", "forge_update_many", "fz_all",
     {"where": {"fz_profile": {"some": {"id": "@ROW@"}}},
      "data": {"i4": {"decrement": 1}}}),
    ("fz_all_tag", "forge_update", "fz_all",
     {"where": {"id": "@ROW@"}, "data": {"b": True},
      "include": {"fz_tag": True}}),
]
# a BEFORE row trigger's change to NEW, per table
NEW_CHANGES = {"fz_all": "NEW.i4 := coalesce(NEW.i4, 0) + 1",
               "fz_rls": "NEW.note := coalesce(NEW.note, '') || '+'",
               "fz_tag": "NEW.label := coalesce(NEW.label, '') || '+'",
               "fz_profile": "NEW.bio := 'b'"}
GRANTABLE = ["fz_all", "fz_parent", "fz_rls", "fz_tag", "fz_all_tag"]


def placeholders(text, lo, hi):
    """text with every number the generator made fresh in [lo, hi) (ids,
    and the digits of "p1234", "e1234@x.co") replaced by @S1@..@S9@, which
    fz_desc() fills with fresh numbers on each call, so that a trigger's
    create does not collide with its own earlier rows."""
    out = text
    for k, n in enumerate(range(lo, hi)):
        if k >= 9:
            break
        out = re.sub(r"(?<![0-9])%d(?![0-9])" % n, "@S%d@" % (k + 1), out)
    return out


class PlGen:
    """Writes plpgsql that calls forge: trigger functions and DO blocks.
    All choices come from the descriptor generator's Random."""

    def __init__(self, gen):
        self.g = gen
        self.r = gen.r

    def descriptor(self, table, valid=0.85):
        """(verb, model, args text) for a call from plpgsql: mostly valid
        descriptors (fresh keys as placeholders), else random or mutated."""
        g, r = self.g, self.r
        verb = r.choice(VERBS)
        model = r.choice(TABLE_KEYS) if r.random() < 0.8 else table
        lo = g.next_id + 1
        c = r.random()
        if c < valid:
            a = g.valid(verb, model)
        elif c < valid + (1 - valid) / 2:
            a = g.mutate(g.valid(verb, model))
        else:
            a = g.random(verb, model)
        text = "{}" if a is None else dumps(a)
        return verb, model, placeholders(text, lo, g.next_id + 1)

    def doomed_descriptor(self):
        """(verb, model, args text): a write that marks its rows DOOMED."""
        g, r = self.g, self.r
        model = r.choice(list(DOOM_COL))
        col = DOOM_COL[model]
        verb = r.choice(["forge_create", "forge_create_many", "forge_update",
                         "forge_update_many", "forge_upsert"])
        lo = g.next_id + 1
        a = g.valid(verb, model)

        def mark(d):
            d[col] = "%s%d" % (DOOMED, g.fresh())
        if verb == "forge_create":
            mark(a["data"])
        elif verb == "forge_create_many":
            for row in a["data"]:
                mark(row)
        elif verb == "forge_upsert":
            mark(a["create"])
            mark(a["update"])
        else:
            mark(a["data"])
        return verb, model, placeholders(dumps(a), lo, g.next_id + 1)

    @staticmethod
    def call_sql(verb, model, args, rowkey="NULL"):
        return "PERFORM %s(%s::regclass, fz_desc(%s, %s));" % (
            verb, dollar_quote(model), dollar_quote(args), rowkey)

    def calls(self, table, rowkey, n):
        r = self.r
        out = []
        for _ in range(n):
            rc = [x for x in ROW_CALLS if x[0] == table]
            if rowkey != "NULL" and rc and r.random() < 0.35:
                _, verb, model, a = r.choice(rc)
                out.append(self.call_sql(verb, model, dumps(a), rowkey))
            else:
                out.append(self.call_sql(*self.descriptor(table), rowkey))
        return out

    def block(self, table, rowkey, kind, verify):
        """A BEGIN ... EXCEPTION block.  kind: "guarded" (its calls may
        fail, the handler swallows it) or "doomed" (marked writes, then a
        raise: it always rolls back, and its NOTIFYs go to fz_doomed).
        verify: the handler checks with fz_state() that the block left
        nothing behind."""
        r = self.r
        body = []
        if kind == "doomed":
            body.append("PERFORM pg_catalog.set_config('forge.notify_channel',"
                        " 'fz_doomed', true);")
            for _ in range(r.randint(1, 2)):
                body.append(self.call_sql(*self.doomed_descriptor()))
            if r.random() < 0.3:
                body += self.calls(table, rowkey, 1)
            body.append("RAISE EXCEPTION 'doomed' USING ERRCODE = 'FZ002';")
        else:
            body += self.calls(table, rowkey, r.randint(1, 2))
        handler = []
        if verify:
            handler.append("IF fz_state() IS DISTINCT FROM s0 THEN PERFORM "
                           "fz_bad('a caught exception left writes of its "
                           "block behind'); END IF;")
        if kind == "guarded" and r.random() < 0.25:
            handler += self.calls(table, rowkey, 1)
        if not handler:
            handler.append("NULL;")
        pre = "s0 := fz_state();\n" if verify else ""
        return "%sBEGIN\n  %s\nEXCEPTION WHEN others THEN\n  %s\nEND;" % (
            pre, "\n  ".join(body), "\n  ".join(handler))

    def trigger_function(self, name, table, timing, level):
        r = self.r
        row = level == "ROW"
        key = ROW_KEY[table]
        rowkey = ("CASE WHEN TG_OP = 'DELETE' THEN OLD.%s ELSE NEW.%s END"
                  % (key, key)) if row else "NULL"
        if timing == "BEFORE" and row:
            ret = ("IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; "
                   "RETURN NEW;")
        else:
            ret = "RETURN NULL;"
        stmts = []
        for _ in range(r.randint(1, 4)):
            c = r.random()
            if c < 0.3:
                stmts += self.calls(table, rowkey, 1)
            elif c < 0.5:
                stmts.append(self.block(table, rowkey, "guarded",
                                        r.random() < 0.3))
            elif c < 0.68:
                stmts.append(self.block(table, rowkey, "doomed",
                                        r.random() < 0.3))
            elif c < 0.76:
                stmts.append("IF nextval('fz_trig_seq') %% %d = 0 THEN RAISE "
                             "EXCEPTION 'fuzz trigger %s raised' USING "
                             "ERRCODE = 'FZ001'; END IF;"
                             % (r.randint(2, 9), name))
            elif c < 0.86:
                stmts.append("PERFORM forge_plan_cache_reset();")
            elif c < 0.92:
                stmts.append("PERFORM pg_catalog.set_config("
                             "'forge.plan_cache_size', '%d', true);"
                             % r.randint(0, 3))
            elif c < 0.96 and timing == "BEFORE" and row:
                if table in NEW_CHANGES:
                    stmts.append("IF TG_OP <> 'DELETE' THEN %s; END IF;"
                                 % NEW_CHANGES[table])
                else:
                    stmts.append("IF nextval('fz_trig_seq') %% %d = 0 THEN "
                                 "RETURN NULL; END IF;" % r.randint(3, 9))
            elif c < 0.98:
                # a catalog change under the running call (superuser only:
                # for the fuzz role GRANT would warn)
                stmts.append("IF current_user <> '%s' THEN GRANT SELECT ON %s "
                             "TO %s; END IF;" % (ROLE, r.choice(GRANTABLE),
                                                 ROLE))
            else:
                stmts += self.calls(table, rowkey, 3)
        depth = r.choice([1, 1, 2, 2, 3])
        return ("CREATE OR REPLACE FUNCTION %s() RETURNS trigger "
                "LANGUAGE plpgsql AS %s" % (name, dollar_quote(
                    "\nDECLARE s0 text;\nBEGIN\n"
                    "PERFORM nextval('fz_fire_seq');\n"
                    "IF pg_trigger_depth() > %d THEN %s END IF;\n%s\n%s\n"
                    "END" % (depth, ret, "\n".join(stmts), ret))))

    def trigger(self, idx):
        """(table, [SQL]) creating trigger fz_trg_IDX and its function."""
        r = self.r
        table = r.choice(["fz_all", "fz_all", "fz_all", "fz_parent",
                          "fz_parent", "fz_tag", "fz_rls", "fz_all_tag",
                          "fz_profile"])
        timing = r.choice(["BEFORE", "AFTER"])
        level = "ROW" if r.random() < 0.75 else "STATEMENT"
        events = [e for e in ("INSERT", "UPDATE", "DELETE")
                  if r.random() < 0.6] or [r.choice(["INSERT", "UPDATE",
                                                     "DELETE"])]
        fn = "fz_trgfn_%d" % idx
        return table, [
            self.trigger_function(fn, table, timing, level),
            "CREATE TRIGGER fz_trg_%d %s %s ON %s FOR EACH %s EXECUTE "
            "FUNCTION %s()" % (idx, timing, " OR ".join(events), table,
                               level, fn)]

    def do_block(self, tag):
        """(SQL of a DO block, forge calls in it, doomed).  The block tags
        its events with the channel tag, runs calls in an exception block
        (maybe with an inner one, maybe doomed), records each handler's
        SQLSTATE in fz.caught ("o:CODE" outer, "i:CODE" inner), and, when
        it verifies, checks with fz_state() that a caught block left
        nothing behind."""
        r = self.r
        table = r.choice(TABLE_KEYS)
        doomed = r.random() < 0.35
        verify = r.random() < 0.5
        ncalls = 0
        body = []
        if doomed:
            body.append("PERFORM pg_catalog.set_config('forge.notify_channel',"
                        " 'fz_doomed', true);")
        for _ in range(r.randint(1, 3)):
            c = r.random()
            if c < 0.25:
                inner_doomed = r.random() < 0.4
                inner = []
                if inner_doomed:
                    inner.append("PERFORM pg_catalog.set_config("
                                 "'forge.notify_channel', 'fz_doomed', true);")
                    inner.append(self.call_sql(*self.doomed_descriptor()))
                    inner.append("RAISE EXCEPTION 'doomed' USING ERRCODE = "
                                 "'FZ002';")
                else:
                    inner.append(self.call_sql(*self.descriptor(table, 0.5)))
                ncalls += 1
                body.append(
                    "s1 := fz_state();\nBEGIN\n  %s\nEXCEPTION WHEN others "
                    "THEN\n  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;\n"
                    "  PERFORM pg_catalog.set_config('fz.caught', "
                    "current_setting('fz.caught') || ' i:' || st, false);\n"
                    "  IF fz_state() IS DISTINCT FROM s1 THEN PERFORM fz_bad("
                    "'an inner caught block left writes behind'); END IF;\n"
                    "END;" % "\n  ".join(inner))
            elif c < 0.35:
                body.append("PERFORM forge_plan_cache_reset();")
            else:
                body.append(self.call_sql(*(self.doomed_descriptor()
                                            if doomed else
                                            self.descriptor(table, 0.6))))
                ncalls += 1
        if doomed:
            body.append("RAISE EXCEPTION 'doomed' USING ERRCODE = 'FZ002';")
        check = ("  IF fz_state() IS DISTINCT FROM s0 THEN PERFORM fz_bad("
                 "'a caught DO block left writes behind'); END IF;\n"
                 if verify else "")
        sql = ("DO %s" % dollar_quote(
            "\nDECLARE st text; s0 text; s1 text;\nBEGIN\n"
            "PERFORM pg_catalog.set_config('forge.notify_channel', '%s', "
            "true);\ns0 := fz_state();\nBEGIN\n%s\n"
            "EXCEPTION WHEN others THEN\n"
            "  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;\n"
            "  PERFORM pg_catalog.set_config('fz.caught', "
            "current_setting('fz.caught') || ' o:' || st, false);\n%s"
            "END;\nEND" % (tag, "\n".join(body), check)))
        return sql, ncalls, doomed


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------

# PostgreSQL's refusals of a row that a trigger of the same statement wrote
TRIGGER_CODES = {"27000", "21000"}


class Lost(Exception):
    """The connection went away in the middle of a transaction scenario."""


class Counts(dict):
    """Figures of the new scenarios, in the order first counted."""

    def __missing__(self, key):
        return 0


def documented_sqlstates(readme):
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"^## Errors\n(.*?)^## ", text, re.S | re.M)
    if not m:
        sys.exit("fuzz.py: no \"## Errors\" section in %s" % readme)
    codes = set(re.findall(r"`([0-9A-Z]{5})`", m.group(1)))
    if not codes:
        sys.exit("fuzz.py: no SQLSTATE in README's Errors section")
    return codes


def dollar_quote(s):
    tag = "fz"
    while ("$%s$" % tag) in s:
        tag += "z"
    return "$%s$%s$%s$" % (tag, s, tag)


class Fuzzer:
    def __init__(self, opt):
        self.opt = opt
        self.gen = Gen(opt.seed)
        self.r = random.Random(opt.seed + 1)
        self.documented = documented_sqlstates(opt.readme)
        self.by_verb = {v: {} for v in VERBS}
        self.by_outcome = {}
        self.by_kind = {}               # valid/mutated/random -> [sent, ok]
        self.example = {}               # outcome -> first message
        self.sent = 0
        self.housekeeping = 0
        self.crashes = []
        self.violations = []
        self.undocumented = {}          # code -> [count, example]
        self.slow = []                  # (seconds, label)
        self.state = None               # checksums as of the last call
        self.t_calls = self.t_checks = self.t_house = 0.0
        self.reseeds = 0
        self.logpos = None
        self.conn = None
        self.nviol_file = 0
        self.quiet = False
        self.specials = specials()
        self.pl = PlGen(self.gen)
        self.tx = Counts()             # transactions, savepoints, triggers
        self.triggers = {}             # idx -> (table, [SQL])
        self.trig_idx = 0
        self.cache_size = None         # the batch's forge.plan_cache_size
        self.bad_seen = 0              # fz_bad_seq as last seen
        self.doomed_seen = 0           # DOOMED rows as last seen
        self.script = []               # the running scenario's statements
        self.txn_pre = None
        self.txn_small = False
        self.progressed = 0
        self.fires = 0
        # a trigger of the fuzzer's raises FZ001 on purpose; FZ003 is
        # PostgreSQL's jsonb input refusing a descriptor in plpgsql (as
        # "input:" is for one sent directly)
        self.documented |= {"FZ001", "FZ003"}
        os.makedirs(opt.out, exist_ok=True)

    # ---- connections ---------------------------------------------------

    def connect(self, db):
        c = psycopg2.connect(dbname=db, connect_timeout=10,
                             application_name="forge-fuzz")
        c.autocommit = True
        return c

    def session(self):
        self.conn = self.connect(self.opt.db)
        cur = self.conn.cursor()
        cur.execute("SET jit = %s" % ("on" if self.opt.jit else "off"))
        cur.execute("SET statement_timeout = %d" % (self.opt.timeout * 1000))
        cur.execute("SET log_min_messages = fatal")
        cur.execute("SET log_min_error_statement = panic")
        cur.execute("SET client_min_messages = warning")
        # events: fz_doomed carries only doomed writes' events (never to
        # arrive); fzc_N tag the calls of a transaction scenario
        cur.execute("LISTEN fz_doomed; " + " ".join(
            "LISTEN fzc_%d;" % i for i in range(64)))
        cur.execute("SELECT pg_catalog.set_config('fz.caught', '', false)")
        self.cur = cur

    def setup(self):
        admin = self.connect("postgres")
        cur = admin.cursor()
        cur.execute("SET client_min_messages = warning")
        cur.execute("DROP DATABASE IF EXISTS %s" % self.opt.db)
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,))
        if cur.fetchone() is None:
            cur.execute("CREATE ROLE %s NOLOGIN" % ROLE)
        cur.execute("CREATE DATABASE %s" % self.opt.db)
        admin.close()
        self.session()
        self.cur.execute(SCHEMA)
        self.cur.execute(HELPERS)
        self.cur.execute("SELECT pg_current_logfile()")
        cur_log = self.cur.fetchone()[0]
        log = self.opt.server_log
        if not log and cur_log:
            self.cur.execute("SHOW data_directory")
            log = os.path.join(self.cur.fetchone()[0], cur_log)
        if not log:
            port = os.environ.get("FORGE_PGPORT") or os.environ.get("PGPORT")
            d = os.environ.get("FORGE_CLUSTER") or "/tmp/forge-cluster-%s" % port
            log = os.path.join(d, "server.log")
        self.log = log
        self.cur.execute("SELECT 1 FROM pg_proc WHERE proname = "
                         "'forge_relations'")
        self.has_relations = self.cur.fetchone() is not None
        if self.has_relations:
            self.read_relations()
        else:
            print("fuzz: this forge has no forge_relations(): no relation "
                  "filters")
        try:
            self.logpos = os.path.getsize(log)
        except OSError:
            print("fuzz: warning: cannot read the server log %s; crashes are "
                  "seen only through lost connections" % log)
            self.log = None
        self.reseed(batch=False)
        # statistics for the planner: without them it guesses that few rows
        # pass a soft-delete filter (deleted_at IS NULL) and nests loops so
        # deep that the self-relation chains of fz_parent time out
        self.cur.execute("ANALYZE fz_parent, fz_tag")

    def teardown(self):
        try:
            self.conn.close()
        except Exception:
            pass
        if self.opt.keep:
            return
        admin = self.connect("postgres")
        cur = admin.cursor()
        cur.execute("SET client_min_messages = warning")
        cur.execute("DROP DATABASE IF EXISTS %s" % self.opt.db)
        cur.execute("DROP ROLE IF EXISTS %s" % ROLE)
        admin.close()

    # ---- state ---------------------------------------------------------

    def checksum(self):
        """The tables' (and the outbox's) row counts and md5s; also checks
        that no row holds a doomed write's mark and that plpgsql found no
        caught block that left writes behind."""
        t0 = time.time()
        self.cur.execute("SELECT * FROM fz_checksum()")
        rows = self.cur.fetchall()
        self.t_checks += time.time() - t0
        extras = {t: n for t, n, h in rows if t.startswith("~")}
        if extras["~doomed"] > self.doomed_seen:
            self.violation("doomed-write-left", None, None,
                           self.script_text(), False, "",
                           "%d rows (or outbox events) hold the mark of a "
                           "write that an exception block or a savepoint "
                           "rolled back" % extras["~doomed"])
        self.doomed_seen = extras["~doomed"]
        if extras["~bad"] > self.bad_seen:
            self.violation("not-undone-in-plpgsql", None, None,
                           self.script_text(), False, "",
                           "plpgsql found %d caught exception blocks (in a "
                           "trigger or a DO block) whose writes were not "
                           "undone (fz_bad_seq)"
                           % (extras["~bad"] - self.bad_seen))
            self.bad_seen = extras["~bad"]
        return tuple(x for x in rows if not x[0].startswith("~"))

    def reseed(self, vacuum=False, batch=True):
        """Empty the tables through forge and fill them again; after a big
        write, vacuum them too, so that checksums stay fast.  The triggers
        go first; with batch, a new batch then starts (batch())."""
        t0 = time.time()
        self.reseeds += 1
        self.drop_triggers()
        self.cur.execute("RESET forge.plan_cache_size")
        g = random.Random(4242)
        calls = [
            ("forge_delete_many", "fz_all", "{}"),      # and its cascades
            ("forge_delete_many", "fz_profile", "{}"),  # disconnected ones
            ("forge_delete_many", "fz_all_tag", "{}"),
            ("forge_delete_many", "fz_rls", "{}"),
            # soft-deleted rows too
            ("forge_delete_many", "fz_parent", '{"withDeleted": true}'),
            ("forge_delete_many", "fz_tag", '{"withDeleted": true}'),
            ("forge_create_many", "fz_parent", dumps({"data": [
                {"id": i, "name": "p%d" % i,
                 "boss_id": None if i <= 2 else i // 2,
                 "deleted_at": "2024-01-01T00:00:00Z" if i == 10 else None}
                for i in range(1, 11)]})),
            ("forge_create_many", "fz_tag", dumps({"data": [
                {"id": i, "label": "tag%d" % i,
                 "deleted_at": "2024-01-01T00:00:00Z" if i == 5 else None}
                for i in range(1, 6)]})),
            ("forge_create_many", "fz_all", dumps({"data": [
                {"id": i, "i2": i, "i4": i * 10, "i8": i * 100,
                 "num": Raw("%d.5" % i), "f4": i / 4, "f8": i / 8,
                 "txt": "t%d %s" % (i, "é漢%_" if i % 2 else "Abc"),
                 "vc": "v%d" % i, "b": i % 2 == 0,
                 "d": "2024-01-%02d" % i, "ts": "2024-01-%02d 10:00" % i,
                 "tstz": "2024-01-%02dT10:00:00Z" % i,
                 "u": str(uuid.UUID(int=g.getrandbits(128))),
                 "j": {"i": i}, "jb": {"i": i, "a": [i]},
                 "ba": "\\x%02x" % i, "ia": [i, i + 1], "ta": ["a%d" % i],
                 "m": MOODS[i % 3], "p": i, "req": "r%d" % i,
                 "email": "e%d@x.co" % i, "ka": i, "kb": "k%d" % i,
                 "code": "c%d" % i, "parent_id": i % 10 + 1, LONG: i}
                for i in range(1, 21)]})),
            ("forge_create_many", "fz_rls", dumps({"data": [
                {"id": i, "owner": ROLE if i % 2 else "postgres", "n": i}
                for i in range(1, 21)]})),
            ("forge_create_many", "fz_all_tag", dumps({"data": [
                {"all_id": i, "tag_id": t} for i in range(1, 21)
                for t in range(1, 6) if (i + t) % 3 == 0]})),
            ("forge_create_many", "fz_profile", dumps({"data": [
                {"id": i, "all_id": i, "bio": "bio %d" % i}
                for i in range(1, 11)]})),
        ]
        for verb, model, args in calls:
            self.cur.execute("SELECT %s(%%s::regclass, %%s::jsonb)" % verb,
                             (model, args))
        warnings = [n.strip() for n in self.conn.notices if "WARNING" in n]
        del self.conn.notices[:]
        if warnings:
            self.violation("warning", "reseed", None, None, False, "",
                           " | ".join(warnings))
        self.cur.execute("DELETE FROM forge_outbox")
        if vacuum:
            self.cur.execute("VACUUM %s, forge_outbox" % ", ".join(TABLE_KEYS))
        self.housekeeping += len(calls)
        if batch:
            self.batch()
        self.t_house += time.time() - t0
        self.state = self.checksum()

    # ---- one call ------------------------------------------------------

    def check_log(self):
        if self.log is None:
            return None
        try:
            size = os.path.getsize(self.log)
        except OSError:
            return None
        if size == self.logpos:
            return None
        with open(self.log, "rb") as f:
            f.seek(self.logpos)
            new = f.read().decode("utf-8", "replace")
        self.logpos = size
        hits = [ln for ln in new.splitlines() if CRASH_RE.search(ln)]
        return hits or None

    def save(self, kind, verb, model, args, as_role, prefix, detail):
        """Write a replayable .sql file for a violation; its path."""
        if self.quiet:
            return "(self-test, not written)"
        self.nviol_file += 1
        path = os.path.join(self.opt.out, "%s-%04d.sql" % (kind,
                                                          self.nviol_file))
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("-- %s\n" % detail.replace("\n", "\n-- "))
            if verb is None:            # a scenario: its statements
                f.write("-- triggers in place:\n%s\n%s\n" % (
                    "\n".join(q + ";" for t, qs in self.triggers.values()
                              for q in qs),
                    args))
                return path
            if self.triggers:
                f.write("-- with the fuzzer's triggers in place:\n")
            for t, qs in self.triggers.values():
                for q in qs:
                    f.write(q + ";\n")
            if self.cache_size is not None:
                f.write("SET forge.plan_cache_size = %d;\n" % self.cache_size)
            f.write("BEGIN;\n%s\n" % prefix.strip() if prefix else "BEGIN;\n")
            f.write("SELECT %s(%s::regclass, %s::jsonb);\nCOMMIT;\n" % (
                verb, "NULL" if model is None else dollar_quote(model),
                "NULL" if args is None else dollar_quote(args)))
        return path

    def violation(self, kind, verb, model, args, as_role, prefix, detail):
        path = self.save(kind, verb, model, args, as_role, prefix, detail)
        short = (args if args is None or len(args) <= 300
                 else args[:300] + "... (%d bytes)" % len(args))
        if verb is None:
            verb, model, short = "scenario", "", "(see the file)"
        rec = "%s: %s(%r, %s)%s\n    %s\n    descriptor: %s" % (
            kind, verb, model, short, " as " + ROLE if as_role else "",
            detail.replace("\n", "\n    "), path)
        self.violations.append(rec)
        if not self.quiet:
            print("VIOLATION " + rec, flush=True)

    def recover(self):
        """After a crash: wait for the server, reconnect, reseed."""
        deadline = time.time() + 120
        while True:
            try:
                self.session()
                self.reseed()
                return
            except psycopg2.Error:
                if time.time() > deadline:
                    raise
                time.sleep(1)

    def call(self, verb, model, args, label=None, as_role=None):
        """Send one descriptor and check (a), (b), (c)."""
        r = self.r
        if as_role is None:
            as_role = r.random() < (0.8 if model == "fz_rls" else 0.3)
        prefix = ""
        if as_role:
            prefix += "SET LOCAL ROLE %s; " % ROLE
        if r.random() < 0.15:
            prefix += "SET LOCAL %s; " % r.choice([
                "forge.notify_keys = on", "forge.notify_model_channel = on",
                "forge.notify_timing = off", "forge.notify = off",
                "forge.plan_cache_size = 1", "forge.plan_cache_size = 0",
                "forge.plan_cache_size = 2", "forge.plan_cache_size = 3",
                "forge.notify_channel = 'fz'"])
        self.sent += 1
        if self.triggers:
            self.tx["calls with triggers in place"] += 1
        if self.cache_size is not None or "plan_cache_size" in prefix:
            self.tx["calls with plan_cache_size 0-3"] += 1
        vstats = self.by_verb[verb]
        sql = prefix + "SELECT %s(%%s::regclass, %%s::jsonb)::text" % verb
        if self.state is None:
            self.state = self.checksum()
        before = self.state
        t0 = time.time()
        outcome = None
        err = None
        try:
            self.cur.execute(sql, (model, args))
            result = self.cur.fetchone()[0]
            outcome = "ok"
        except psycopg2.Error as e:
            err = e
            if e.pgcode is None:
                outcome = "connection lost"
            elif e.diag.statement_position is not None:
                outcome = "input:" + e.pgcode
            else:
                outcome = e.pgcode
        except Exception as e:             # the client could not send it
            err = e
            outcome = "client:" + type(e).__name__
        dt = time.time() - t0
        self.t_calls += dt
        self.slow.append((dt, label or verb, model))
        self.slow.sort(reverse=True)
        del self.slow[5:]
        vstats[outcome] = vstats.get(outcome, 0) + 1
        if label and label.split(" (")[0] in ("valid", "mutated", "random",
                                              "odd-args"):
            k = self.by_kind.setdefault(label, [0, 0])
            k[0] += 1
            k[1] += outcome == "ok"
        else:
            k = self.by_kind.setdefault("big/special", [0, 0])
            k[0] += 1
            k[1] += outcome == "ok"
        if err is not None and outcome not in self.example:
            self.example[outcome] = str(err).strip().splitlines()[0][:110]
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1

        # (a) no crash: the connection answers and the log is clean
        lost = outcome == "connection lost"
        after = None
        if not lost:
            try:
                after = self.checksum()
            except psycopg2.Error as e:
                if e.pgcode is None:
                    lost = True
                else:
                    raise
        hits = self.check_log()
        if lost or hits:
            time.sleep(0.5)
            hits = (hits or []) + (self.check_log() or [])
            detail = "backend crash: %s\nserver log:\n%s" % (
                str(err).strip() if err else "connection lost after the call",
                "\n".join(hits) or "(nothing)")
            self.crashes.append(detail)
            self.violation("crash", verb, model, args, as_role, prefix, detail)
            if len(self.crashes) >= self.opt.max_crashes:
                raise SystemExit("fuzz: %d crashes, stopping" % len(self.crashes))
            self.recover()
            return outcome
        self.state = after
        self.notifies()

        # a WARNING during a call (a reference or resource leak reported at
        # commit or abort, say) is a bug in C code, whatever the outcome
        warnings = [n.strip() for n in self.conn.notices if "WARNING" in n]
        del self.conn.notices[:]
        if warnings:
            self.violation("warning", verb, model, args, as_role, prefix,
                           "%s, with: %s" % (outcome, " | ".join(warnings)))

        if outcome == "ok":
            try:
                val = json.loads(result)
            except RecursionError:           # a deeply nested json column
                val = {"deep": True} if result.startswith("{") else None
            except (TypeError, ValueError):
                val = None
            if verb.endswith("_and_return"):
                okshape = isinstance(val, list) and all(
                    isinstance(x, dict) and len(x) > 0 for x in val)
            else:
                okshape = isinstance(val, dict) and (
                    set(val) == {"count"} and isinstance(val["count"], int)
                    and val["count"] >= 0
                    if verb.endswith("_many") else len(val) > 0)
            if not okshape:
                self.violation("bad-result", verb, model, args, as_role,
                               prefix, ("returned %r" % (result,))[:500])
            return outcome

        # (b) a clean ERROR with a documented SQLSTATE
        msg = str(err).strip().splitlines()[0][:300] if err else ""
        if outcome.startswith("client:"):
            self.violation("client", verb, model, args, as_role, prefix,
                           "%s: %s" % (outcome, msg))
        elif not outcome.startswith("input:") and \
                not self.allowed(outcome):
            u = self.undocumented.get(outcome)
            if u is None:
                short = (args if args is None or len(args) <= 300
                         else args[:300] + "... (%d bytes)" % len(args))
                path = self.save("undocumented-" + outcome, verb, model, args,
                                 as_role, prefix, "%s: %s" % (outcome, msg))
                ex = "%s(%r, %s)%s -> %s: %s  [%s]" % (
                    verb, model, short, " as " + ROLE if as_role else "",
                    outcome, msg, path)
                self.undocumented[outcome] = [0, ex, label]
                if not self.quiet:
                    print("UNDOCUMENTED SQLSTATE %s: %s" % (outcome, ex),
                          flush=True)
            self.undocumented[outcome][0] += 1

        # (c) a failed call changed nothing
        if after != before:
            diff = ["%s: %s rows %s -> %s rows %s" % (b[0], b[1], b[2], a[1], a[2])
                    for b, a in zip(before, after) if b != a]
            self.violation("changed-on-failure", verb, model, args, as_role,
                           prefix, "%s: %s\n%s" % (outcome, msg,
                                                   "\n".join(diff)))
        return outcome

    # ---- the loop ------------------------------------------------------

    def pick_model(self):
        c = self.r.random()
        if c < 0.65:
            return "fz_all"
        if c < 0.77:
            return "fz_rls"
        if c < 0.87:
            return "fz_parent"
        if c < 0.95:
            return self.r.choice(["fz_tag", "fz_all_tag", "fz_profile"])
        return None

    def draw(self):
        """One descriptor: (verb, model, args text, kind, as_role), or a
        special one again: (verb, model, args, label, "special")."""
        g, r = self.gen, self.r
        verb = r.choice(VERBS)
        table = self.pick_model()
        model = table
        as_role = None
        if table is None:                               # an odd model
            table = "fz_all"
            model, as_role = r.choice([
                ("public.fz_all", None), ('"fz_all"', None),
                ("FZ_ALL", None), ('"FZ_ALL"', None), ("fz_view", None),
                ("fz_seq", None), ("no_such_table", None), ("", None),
                ("pg_class", True), ("pg_catalog.pg_proc", True),
                ("fz_all; DROP TABLE fz_parent", None), (None, None),
                ("forge_outbox", True), ("0", None), ("1259", True),
                ("999999", None), ("-1", None)])
        if r.random() < 0.001:                          # a big one again
            label, verb, model, args = r.choice(self.specials)
            return verb, model, args, label, "special"
        c = r.random()
        g.made_nested = False
        if c < 0.27:
            a = g.valid(verb, table)
            kind = "valid"
        elif c < 0.6:
            a = g.mutate(g.valid(verb, table))
            kind = "mutated"
        elif c < 0.97:
            a = g.random(verb, table)
            kind = "random"
        else:
            a = r.choice([rany(r), None, [], "", Raw('"\\u0000"'),
                          Raw("{}"), Raw("[{}]"), Raw(" { } "),
                          Raw('{"data": 1, "data": {}}'),
                          Raw('{"where": {}, "where": 1}')])
            kind = "odd-args"
        args = None if a is None else dumps(a)
        if g.made_nested:
            kind += " (nested)"
        return verb, model, args, kind, as_role

    def one(self):
        r = self.r
        if self.triggers and r.random() < 0.006:
            self.trigger_ddl()
        if r.random() < self.opt.txn_rate:
            self.txn()
            return "txn", False
        verb, model, args, kind, as_role = self.draw()
        if as_role == "special":
            if self.triggers:           # a 100k-row write fires them all
                return "skipped", False
            out = self.call(verb, model, args, label=kind, as_role=False)
            return out, True
        out = self.call(verb, model, args, label=kind, as_role=as_role)
        big = args is not None and len(args) > 100000
        return out, big

    # ---- triggers, savepoints, DO blocks --------------------------------

    def batch(self):
        """Start a batch (after each reseed): maybe a small plan cache for
        the session, maybe triggers that call forge on the tables."""
        r = self.r
        if r.random() < self.opt.small_cache_rate:
            self.cache_size = r.randint(0, 3)
            self.cur.execute("SET forge.plan_cache_size = %d" % self.cache_size)
            self.tx["small-cache batches"] += 1
        else:
            self.cache_size = None
            self.cur.execute("RESET forge.plan_cache_size")
        self.tx["batches"] += 1
        if self.has_relations and r.random() < self.opt.name_rate:
            self.name_relations()
        if r.random() < self.opt.trigger_rate:
            for _ in range(r.randint(1, 4)):
                self.add_trigger()

    def read_relations(self):
        """The relations descriptors may name, per table: each by its name
        (else its constraint's), and a declared name that clashed too (a
        descriptor that uses it must fail with 42710)."""
        self.cur.execute("SELECT 1 FROM pg_proc p JOIN pg_namespace n "
                         "ON n.oid = p.pronamespace WHERE proname = "
                         "'forge_relations' AND 'declared_name' = "
                         "ANY (proargnames)")
        declared = "declared_name" if self.cur.fetchone() else "NULL::text"
        for t in TABLE_KEYS:
            self.cur.execute("SELECT coalesce(name, constraint_name), "
                             "kind, target::text FROM forge_relations(%%s) "
                             "UNION ALL SELECT %s, kind, target::text "
                             "FROM forge_relations(%%s) WHERE name IS NULL "
                             "AND %s IS NOT NULL ORDER BY 1, 2"
                             % (declared, declared), (t, t))
            self.gen.rels[t] = [tuple(x) for x in self.cur.fetchall()]

    RELATION_NAMES = ["posts", "author", "tags", "parent", "boss", "profile",
                      "id", "req", "parent_id", "fz_tag", "fz_all",
                      "a b", "é漢", "x" * 70, "'", '"', "\\", "$1", ""]

    def name_relations(self):
        """Declare the foreign keys' relation names in their comments
        (PostGraphile's @fieldName, @foreignFieldName, @manyToManyFieldName,
        issue 12), or clear them, and read the relations again: names
        fresh, shared by several keys, equal to a column, odd, or empty;
        comments with free text and other tools' tags.  The event trigger
        makes forge see them at once."""
        r = self.r
        self.cur.execute("SELECT conname, conrelid::regclass::text "
                         "FROM pg_constraint WHERE contype = 'f' AND "
                         "connamespace = 'public'::regnamespace ORDER BY 1")
        stmts = []
        for con, table in self.cur.fetchall():
            if r.random() < 0.3:
                text = None
            else:
                lines = []
                for tag in ("fieldName", "foreignFieldName",
                            "manyToManyFieldName"):
                    if r.random() < 0.7:
                        name = r.choice(self.RELATION_NAMES) \
                            if r.random() < 0.5 else "rel%d" % r.randint(1, 9)
                        lines.append("@%s %s" % (tag, name))
                if r.random() < 0.2:
                    lines.insert(0, rtext(r).replace("\0", ""))
                if r.random() < 0.1:
                    lines.append("@" + rtext(r).replace("\0", ""))
                text = "\n".join(lines)
            stmts.append(self.cur.mogrify(
                "COMMENT ON CONSTRAINT %s ON %s IS %%s"
                % (psycopg2.extensions.quote_ident(con, self.cur), table),
                (text,)).decode())
        if self.ddl(stmts, "comment"):
            self.tx["batches with declared relation names"] += 1
        self.read_relations()

    def drop_triggers(self):
        for idx in sorted(self.triggers):
            self.cur.execute("DROP FUNCTION IF EXISTS fz_trgfn_%d() CASCADE"
                             % idx)
        self.triggers = {}

    def ddl(self, stmts, what):
        """Run the fuzzer's own DDL as the superuser; a failure is the
        fuzzer's bug, reported as a violation."""
        try:
            for q in stmts:
                self.cur.execute(q)
            return True
        except psycopg2.Error as e:
            if e.pgcode is None:
                raise
            self.violation("fuzzer-ddl", None, None, ";\n".join(stmts) + ";",
                           False, "", "%s: %s" % (what, str(e).strip()))
            return False

    def add_trigger(self):
        self.trig_idx += 1
        table, stmts = self.pl.trigger(self.trig_idx)
        if self.ddl(stmts, "create trigger"):
            self.triggers[self.trig_idx] = (table, stmts)
            self.tx["triggers created"] += 1

    def trigger_ddl(self):
        """Replace a trigger's function, drop a trigger, or add one, in the
        middle of a batch (plans and metadata of its table go stale)."""
        r = self.r
        c = r.random()
        idx = r.choice(sorted(self.triggers))
        table, stmts = self.triggers[idx]
        if c < 0.5:
            fn = self.pl.trigger_function(
                "fz_trgfn_%d" % idx, table,
                "BEFORE" if " BEFORE " in stmts[1] else "AFTER",
                "ROW" if " EACH ROW " in stmts[1] else "STATEMENT")
            if self.ddl([fn], "replace trigger function"):
                self.triggers[idx] = (table, [fn, stmts[1]])
                self.tx["trigger functions replaced"] += 1
        elif c < 0.75:
            self.cur.execute("DROP FUNCTION fz_trgfn_%d() CASCADE" % idx)
            del self.triggers[idx]
            self.tx["triggers dropped"] += 1
        else:
            self.add_trigger()

    def notifies(self):
        """Drain the session's notifications: a NOTIFY on fz_doomed is a
        violation (a rolled-back write's event was delivered); the rest
        (channels fzc_N) are returned."""
        got = []
        for n in self.conn.notifies:
            if n.channel == "fz_doomed":
                self.violation("event-of-rolled-back-write", None, None,
                               self.script_text(), False, "",
                               "NOTIFY on fz_doomed delivered: %s"
                               % n.payload[:300])
            else:
                got.append(n.channel)
        del self.conn.notifies[:]
        return got

    def script_text(self):
        return "\n".join(s.rstrip(";") + ";" for s in self.script) \
            if self.script else "-- (autocommit calls only)"

    def ctl(self, sql, params=None):
        """Run one statement of a transaction scenario, logged for the
        replay file; a lost connection raises Lost."""
        self.script.append(self.cur.mogrify(sql, params).decode(
            "utf-8", "replace") if params is not None else sql)
        try:
            self.cur.execute(sql, params)
        except psycopg2.Error as e:
            if e.pgcode is None:
                raise Lost(str(e))
            raise

    def tx_check(self, want, what):
        """The scenario's state check: the tables (outbox included) must
        equal want."""
        got = self.checksum()
        self.tx["state checks"] += 1
        if got != want:
            diff = ["%s: %s rows %s -> %s rows %s" % (b[0], b[1], b[2],
                                                     a[1], a[2])
                    for b, a in zip(want, got) if b != a]
            self.violation("not-undone", None, None, self.script_text(),
                           False, "", "%s\n%s" % (what, "\n".join(diff)))
        return got

    def tx_error(self, outcome, err, verb, label):
        """Check a failure's SQLSTATE inside a scenario, as call() does."""
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1
        if err is not None and outcome not in self.example:
            self.example[outcome] = str(err).strip().splitlines()[0][:110]
        if outcome == "FZ999":
            return              # counted by fz_bad_seq in the checksum
        if outcome.startswith("client:"):
            self.violation("client", None, None, self.script_text(), False,
                           "", "%s: %s" % (outcome, err))
        elif not outcome.startswith("input:") and \
                not self.allowed(outcome):
            u = self.undocumented.get(outcome)
            if u is None:
                msg = str(err).strip().splitlines()[0][:300] if err else ""
                path = self.save("undocumented-" + outcome, None, None,
                                 self.script_text(), False, "",
                                 "%s: %s" % (outcome, msg))
                self.undocumented[outcome] = [
                    0, "%s in a transaction -> %s: %s  [%s]" % (
                        verb, outcome, msg, path), label]
                if not self.quiet:
                    print("UNDOCUMENTED SQLSTATE %s: %s"
                          % (outcome, self.undocumented[outcome][1]),
                          flush=True)
            self.undocumented[outcome][0] += 1

    def txn(self):
        """One explicit transaction: forge calls (alone, each in its own
        savepoint, or bare), user savepoints rolled back to or released, DO
        blocks whose exception handlers catch forge's errors or a doomed
        block's raise; it ends in COMMIT or ROLLBACK.  Checks, besides
        (a) and (b):
          (d) after ROLLBACK TO SAVEPOINT s, the tables and the outbox equal
              the snapshot taken at s; after a DO block whose handler caught,
              they equal the state before the block (and plpgsql checks
              each caught block itself, fz_state()); after ROLLBACK, the
              state before BEGIN; after COMMIT, the last state inside;
          (e) each call runs with its own notify channel (fzc_N): after
              COMMIT the channels delivered are exactly those of the calls
              that succeeded and were not rolled back (none with
              forge.notify off, none after ROLLBACK); nothing ever arrives
              on fz_doomed."""
        r, pl = self.r, self.pl
        self.tx["transactions"] += 1
        self.script = []
        if self.state is None:
            self.state = self.checksum()
        pre = state = self.state
        self.txn_pre = pre
        notify = True
        stack = []              # [savepoint name, snapshot, len(live)]
        live = []               # (channel, must arrive) of surviving calls
        ntag = 0
        as_role = r.random() < 0.3
        self.notifies()
        try:
            self.ctl("BEGIN")
            self.txn_small = self.cache_size is not None
            if r.random() < 0.35:
                self.ctl("SET LOCAL forge.plan_cache_size = %d"
                         % r.randint(0, 3))
                self.txn_small = True
            if r.random() < 0.1:
                self.ctl("SET LOCAL forge.notify = off")
                notify = False
            if r.random() < 0.15:
                self.ctl("SET LOCAL forge.notify_keys = on")
            if as_role:
                self.ctl("SET LOCAL ROLE %s" % ROLE)
            ended = False
            for _ in range(r.randint(2, 8)):
                if self.sent >= self.opt.count:
                    break
                c = r.random()
                if c < 0.45:
                    ended = self.tx_call(ntag, as_role, notify, stack, live)
                    ntag += 1
                    if ended:
                        break
                elif c < 0.6 or (c < 0.8 and not stack):
                    name = "s%d" % len(stack)
                    self.ctl("SAVEPOINT %s" % name)
                    stack.append([name, self.checksum(), len(live)])
                    self.tx["savepoints"] += 1
                elif c < 0.72:
                    i = r.randrange(len(stack))
                    name, snap, nlive = stack[i]
                    self.ctl("ROLLBACK TO SAVEPOINT %s" % name)
                    self.tx_check(snap, "after ROLLBACK TO SAVEPOINT %s the "
                                  "tables differ from the snapshot taken at "
                                  "SAVEPOINT %s" % (name, name))
                    del stack[i + 1:]
                    del live[nlive:]
                    self.tx["rollbacks to savepoint"] += 1
                elif c < 0.8:
                    i = r.randrange(len(stack))
                    self.ctl("RELEASE SAVEPOINT %s" % stack[i][0])
                    del stack[i:]
                    self.tx["savepoints released"] += 1
                else:
                    self.tx_do(ntag, live)
                    ntag += 1
                self.state = None
            if not ended:
                state = self.checksum()
                if r.random() < 0.6:
                    self.ctl("COMMIT")
                    self.tx["committed"] += 1
                    self.state = self.tx_check(state, "after COMMIT the "
                                               "tables differ from the last "
                                               "state inside the transaction")
                    got = set(self.notifies())
                    allowed = {t for t, m in live} if notify else set()
                    must = {t for t, m in live if m} if notify else set()
                    self.tx["event checks"] += 1
                    if got - allowed or must - got:
                        self.violation(
                            "events", None, None, self.script_text(), False,
                            "", "after COMMIT: delivered on %s; expected %s "
                            "(forge.notify %s); unexpected %s, missing %s" % (
                                sorted(got), sorted(must), notify,
                                sorted(got - allowed), sorted(must - got)))
                else:
                    self.ctl("ROLLBACK")
                    self.tx["rolled back"] += 1
                    self.state = self.tx_check(pre, "after ROLLBACK the "
                                               "tables differ from the state "
                                               "before BEGIN")
                    got = self.notifies()
                    self.tx["event checks"] += 1
                    if got:
                        self.violation("events", None, None,
                                       self.script_text(), False, "",
                                       "after ROLLBACK: delivered on %s"
                                       % sorted(got))
            hits = self.check_log()
            if hits:
                raise Lost("server log: " + "\n".join(hits))
        except Lost as e:
            time.sleep(0.5)
            hits = self.check_log() or []
            detail = "backend crash in a transaction: %s\nserver log:\n%s" % (
                e, "\n".join(hits) or "(nothing)")
            self.crashes.append(detail)
            self.violation("crash", None, None, self.script_text(), as_role,
                           "", detail)
            if len(self.crashes) >= self.opt.max_crashes:
                raise SystemExit("fuzz: %d crashes, stopping"
                                 % len(self.crashes))
            self.recover()
        finally:
            self.script = []
            if self.conn is not None and not self.conn.closed and \
                    self.conn.get_transaction_status() != \
                    psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                self.cur.execute("ROLLBACK")
                self.state = None

    def tx_call(self, ntag, as_role, notify, stack, live):
        """One forge call in the transaction; True if it ended it."""
        r = self.r
        verb, model, args, kind, odd_role = self.draw()
        if odd_role == "special" or (odd_role and not as_role):
            verb, model, args, kind = "forge_update_many", "fz_all", \
                '{"data": {"i4": {"increment": 1}}, "where": {"id": 1}}', \
                "valid"
        tag = "fzc_%d" % ntag
        if self.triggers:
            self.tx["calls with triggers in place"] += 1
        if self.txn_small:
            self.tx["calls with plan_cache_size 0-3"] += 1
        wrapped = r.random() < 0.65
        before = self.checksum()
        if wrapped:
            self.ctl("SAVEPOINT fz_call")
        self.ctl("SET LOCAL forge.notify_channel = '%s'" % tag)
        self.sent += 1
        label = "in-transaction " + kind.split(" (")[0]
        k = self.by_kind.setdefault(label, [0, 0])
        k[0] += 1
        vstats = self.by_verb[verb]
        err = None
        try:
            self.ctl("SELECT %s(%%s::regclass, %%s::jsonb)::text" % verb,
                     (model, args))
            result = self.cur.fetchone()[0]
            outcome = "ok"
        except psycopg2.Error as e:
            err = e
            outcome = ("input:" + e.pgcode
                       if e.diag.statement_position is not None else e.pgcode)
        vstats[outcome] = vstats.get(outcome, 0) + 1
        warnings = [n.strip() for n in self.conn.notices if "WARNING" in n]
        del self.conn.notices[:]
        if warnings:
            self.violation("warning", None, None, self.script_text(), as_role,
                           "", "%s, with: %s" % (outcome, " | ".join(warnings)))
        if outcome == "ok":
            k[1] += 1
            self.by_outcome["ok"] = self.by_outcome.get("ok", 0) + 1
            try:
                val = json.loads(result)
            except (TypeError, ValueError, RecursionError):
                val = {"deep": True}
            if not isinstance(val, list if verb.endswith("_and_return")
                              else dict):
                self.violation("bad-result", None, None, self.script_text(),
                               as_role, "", "returned %r" % (result[:300],))
            if wrapped:
                self.ctl("RELEASE SAVEPOINT fz_call")
            live.append((tag, True))
            return False
        self.tx_error(outcome, err, verb, label)
        if wrapped:
            self.ctl("ROLLBACK TO SAVEPOINT fz_call")
            self.ctl("RELEASE SAVEPOINT fz_call")
            self.tx_check(before, "a failed call (%s) changed the tables: "
                          "after ROLLBACK TO its savepoint they differ from "
                          "the state before it" % outcome)
            self.tx["failed calls rolled back to their savepoint"] += 1
            return False
        if stack and r.random() < 0.8:       # the transaction is aborted
            i = r.randrange(len(stack))
            name, snap, nlive = stack[i]
            self.ctl("ROLLBACK TO SAVEPOINT %s" % name)
            self.tx_check(snap, "after a failed call (%s) and ROLLBACK TO "
                          "SAVEPOINT %s the tables differ from the snapshot "
                          "taken at SAVEPOINT %s" % (outcome, name, name))
            del stack[i + 1:]
            del live[nlive:]
            self.tx["rollbacks to savepoint"] += 1
            return False
        self.ctl("ROLLBACK")
        self.tx["rolled back"] += 1
        self.state = self.tx_check(self.pre_txn_state(), "after a failed call "
                                   "and ROLLBACK the tables differ from the "
                                   "state before BEGIN")
        got = self.notifies()
        if got:
            self.violation("events", None, None, self.script_text(), as_role,
                           "", "after ROLLBACK: delivered on %s" % sorted(got))
        return True

    def tx_do(self, ntag, live):
        """A DO block in the transaction (always inside a savepoint: only a
        cancel, or fz_bad's raise, can escape its handler)."""
        sql, ncalls, doomed = self.pl.do_block("fzc_%d" % ntag)
        self.sent += ncalls
        self.tx["DO blocks"] += 1
        self.tx["DO blocks doomed"] += doomed
        k = self.by_kind.setdefault("in-transaction DO block", [0, 0])
        k[0] += 1
        before = self.checksum()
        self.ctl("SAVEPOINT fz_call")
        self.ctl("SELECT pg_catalog.set_config('fz.caught', '', false)")
        try:
            self.ctl(sql)
        except psycopg2.Error as e:
            outcome = ("input:" + e.pgcode
                       if e.diag.statement_position is not None else e.pgcode)
            self.tx_error(outcome, e, "DO block", "DO block")
            self.ctl("ROLLBACK TO SAVEPOINT fz_call")
            self.ctl("RELEASE SAVEPOINT fz_call")
            self.tx_check(before, "a failed DO block (%s) changed the tables"
                          % outcome)
            return
        warnings = [n.strip() for n in self.conn.notices if "WARNING" in n]
        del self.conn.notices[:]
        if warnings:
            self.violation("warning", None, None, self.script_text(), False,
                           "", "DO block, with: %s" % " | ".join(warnings))
        self.ctl("SELECT current_setting('fz.caught')")
        caught = self.cur.fetchone()[0].split()
        self.ctl("RELEASE SAVEPOINT fz_call")
        outer = False
        for tok in caught:
            where, code = tok.split(":", 1)
            outer = outer or where == "o"
            self.tx["exceptions caught in DO blocks"] += 1
            if code == "FZ002":
                self.by_outcome["caught:FZ002"] = \
                    self.by_outcome.get("caught:FZ002", 0) + 1
                continue
            self.tx_error(code, None, "DO block", "DO block")
        if outer:
            self.tx_check(before, "after a DO block's handler caught %s the "
                          "tables differ from the state before the block"
                          % " ".join(caught))
        else:
            k[1] += 1
            live.append(("fzc_%d" % ntag, False))

    def allowed(self, outcome):
        """A failure's SQLSTATE is acceptable: README lists it, or, while
        the fuzzer's triggers are in place, it is what PostgreSQL says when
        a trigger wrote the row its statement is writing (27000 for an
        UPDATE or DELETE, 21000 for INSERT ... ON CONFLICT DO UPDATE)."""
        return outcome in self.documented or \
            (bool(self.triggers) and outcome in TRIGGER_CODES)

    def pre_txn_state(self):
        return self.txn_pre

    def self_test(self):
        """Prove the three detectors fire, before trusting their silence:
        a SQLSTATE taken off the list, a row changed behind a failing call
        (by a second connection), and a backend that goes away (terminated
        from a second connection) must each be reported.  The figures are
        reset afterwards."""
        failures = []
        self.quiet = True
        bad = ('forge_create', 'fz_all', '{"data": 1}')       # 22023
        self.documented.discard("22023")
        self.call(*bad, label="self-test", as_role=False)
        self.documented.add("22023")
        if "22023" not in self.undocumented:
            failures.append("an undocumented SQLSTATE went unreported")

        admin = self.connect(self.opt.db)
        admin.cursor().execute("UPDATE fz_parent SET name = name || '!' "
                               "WHERE id = 1")
        nv = len(self.violations)
        self.call(*bad, label="self-test", as_role=False)
        if not any(v.startswith("changed-on-failure")
                   for v in self.violations[nv:]):
            failures.append("a change behind a failed call went unreported")

        pid = self.conn.get_backend_pid()
        admin.cursor().execute("SELECT pg_terminate_backend(%s)", (pid,))
        admin.close()
        time.sleep(0.2)
        self.call(*bad, label="self-test", as_role=False)
        if not self.crashes:
            failures.append("a lost backend went unreported")
        failures += self.self_test_scenarios()
        if not CRASH_RE.search("2026-01-01 00:00:00.000 UTC [1] LOG:  server "
                               "process (PID 2) was terminated by signal 11: "
                               "Segmentation fault"):
            failures.append("the server log pattern misses a crash line")
        self.quiet = False
        if failures:
            for f in failures:
                print("fuzz: self-test: " + f)
            raise SystemExit(2)
        print("fuzz: self-test: the detectors fire (SQLSTATE, change on "
              "failure, crash; savepoint snapshot, doomed row, doomed and "
              "rolled-back events, plpgsql check, crash in a transaction)")
        self.reset_stats()
        self.reseed(vacuum=True, batch=False)

    def self_test_scenarios(self):
        """The detectors of the transaction scenarios, each made to fire
        by a second connection: a row changed between SAVEPOINT and
        ROLLBACK TO, a row holding the doomed mark, a NOTIFY on fz_doomed,
        an event delivered after ROLLBACK, fz_bad_seq advanced, and a
        backend terminated inside a transaction."""
        failures = []
        admin = self.connect(self.opt.db)
        acur = admin.cursor()

        def fired(kind, n0):
            return any(v.startswith(kind) for v in self.violations[n0:])
        self.reseed(batch=False)
        n0 = len(self.violations)
        self.script = []
        self.ctl("BEGIN")
        self.ctl("SAVEPOINT s0")
        snap = self.checksum()
        acur.execute("UPDATE fz_tag SET label = label || '!' WHERE id = 1")
        self.ctl("ROLLBACK TO SAVEPOINT s0")
        self.tx_check(snap, "self-test")
        self.ctl("ROLLBACK")
        if not fired("not-undone", n0):
            failures.append("a row changed behind ROLLBACK TO SAVEPOINT went "
                            "unreported")
        n0 = len(self.violations)
        acur.execute("UPDATE fz_tag SET label = '%s-self-test' WHERE id = 2"
                     % DOOMED)
        self.checksum()
        if not fired("doomed-write-left", n0):
            failures.append("a row with the doomed mark went unreported")
        n0 = len(self.violations)
        acur.execute("NOTIFY fz_doomed, 'self-test'")
        self.cur.execute("SELECT 1")
        self.notifies()
        if not fired("event-of-rolled-back-write", n0):
            failures.append("a NOTIFY on fz_doomed went unreported")
        n0 = len(self.violations)
        self.notifies()
        self.ctl("BEGIN")
        acur.execute("NOTIFY fzc_3, 'self-test'")
        self.ctl("ROLLBACK")
        if not self.notifies():
            failures.append("an event delivered after ROLLBACK went unseen")
        n0 = len(self.violations)
        acur.execute("SELECT nextval('fz_bad_seq')")
        self.checksum()
        if not fired("not-undone-in-plpgsql", n0):
            failures.append("fz_bad_seq advancing went unreported")
        ncrash = len(self.crashes)
        self.ctl("BEGIN")
        acur.execute("SELECT pg_terminate_backend(%s)",
                     (self.conn.get_backend_pid(),))
        time.sleep(0.2)
        try:
            self.ctl("SAVEPOINT s0")
            failures.append("a terminated backend answered")
        except Lost:
            self.crashes.append("self-test")
        if len(self.crashes) == ncrash:
            failures.append("a backend lost in a transaction went unreported")
        admin.close()
        self.recover()
        self.script = []
        return failures

    def reset_stats(self):
        self.by_verb = {v: {} for v in VERBS}
        self.by_outcome = {}
        self.by_kind = {}
        self.example = {}
        self.sent = 0
        self.crashes = []
        self.violations = []
        self.undocumented = {}
        self.slow = []
        self.t_calls = self.t_checks = self.t_house = 0.0

    def run(self):
        t0 = time.time()
        self.setup()
        if self.opt.self_test:
            self.self_test()
            t0 = time.time()
        since = 0
        for label, verb, model, args in self.specials:
            out = self.call(verb, model, args, label=label, as_role=False)
            if self.opt.verbose:
                print("special %-58s %s" % (label, out), flush=True)
            if out == "ok":
                self.reseed(vacuum=len(args or "") > 100000, batch=False)
        self.reseed()                   # the first batch
        while self.sent < self.opt.count:
            out, big = self.one()
            since += 1
            if self.opt.progress and self.sent // self.opt.progress > \
                    self.progressed:
                self.progressed = self.sent // self.opt.progress
                print("fuzz: %d sent, %.0f s, %d violations, %d undocumented"
                      " SQLSTATEs" % (self.sent, time.time() - t0,
                                      len(self.violations),
                                      len(self.undocumented)), flush=True)
            if self.state is None:
                self.state = self.checksum()
            if since >= self.opt.reseed or (big and out == "ok") or \
                    self.state[0][1] > 400 or self.state[0][1] < 5 or \
                    max(x[1] for x in self.state) > 3000:
                self.reseed(vacuum=(big and out == "ok") or
                            self.reseeds % 10 == 0)
                since = 0
        self.elapsed = time.time() - t0
        self.cur.execute("SELECT last_value - 1 FROM fz_fire_seq")
        self.fires = self.cur.fetchone()[0]

    def report(self):
        print()
        print("forge fuzz: seed %d, %d descriptors in %.1f s (%.0f/s), "
              "%d housekeeping calls" % (
                  self.opt.seed, self.sent, self.elapsed,
                  self.sent / max(self.elapsed, 1e-9), self.housekeeping))
        print("time: %.1f s in forge calls, %.1f s in checksums, %.1f s "
              "reseeding (%d reseeds)" % (self.t_calls, self.t_checks,
                                          self.t_house, self.reseeds))
        print("by verb:")
        for v in VERBS:
            s = self.by_verb[v]
            print("  %-18s %6d sent, %6d ok" % (v, sum(s.values()),
                                                s.get("ok", 0)))
        print("by outcome:")
        for k, c in sorted(self.by_outcome.items(),
                           key=lambda kv: (kv[0] != "ok",
                                           kv[0].startswith("input:"),
                                           -kv[1])):
            tag = ""
            if k in TRIGGER_CODES or k.startswith("FZ"):
                tag = "  (the fuzzer's triggers or plpgsql)"
            elif k not in ("ok",) and not k.startswith(("input:", "caught:")) \
                    and k not in self.documented:
                tag = "  (not in README's Errors)"
            print("  %-16s %7d  %s%s" % (k, c, self.example.get(k, ""), tag))
        print("by generator: " + ", ".join(
            "%s %d sent %d ok" % (k, v[0], v[1])
            for k, v in sorted(self.by_kind.items())))
        print("slowest calls:")
        for dt, label, model in self.slow:
            print("  %7.3f s  %s on %s" % (dt, label, model))
        fires = self.fires
        print("plpgsql and transactions: %s; trigger bodies run: %d" % (
            ", ".join("%s %d" % kv for kv in self.tx.items()) or "none",
            fires))
        print("crashes: %d" % len(self.crashes))
        print("undocumented SQLSTATEs: %d" % len(self.undocumented))
        for code, (count, ex, label) in sorted(self.undocumented.items()):
            print("  %s  %d times; first (%s): %s" % (code, count, label, ex))
        nviol = len(self.violations) + sum(
            1 for _ in self.undocumented)
        print("violations: %d (%d crashes, %d other, %d undocumented "
              "SQLSTATEs)" % (nviol, len(self.crashes),
                              len(self.violations) - len(self.crashes),
                              len(self.undocumented)))
        for v in self.violations:
            print("  " + v.replace("\n", "\n  "))
        return nviol


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--count", type=int, default=3000,
                   help="descriptors to send, the special ones included")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db", default="forge_fuzz")
    p.add_argument("--readme", default=os.path.join(here, "..", "..",
                                                    "README.md"))
    p.add_argument("--server-log", default=None,
                   help="the server log (default: pg_current_logfile(), "
                        "else $FORGE_CLUSTER or /tmp/forge-cluster-$PGPORT "
                        "/server.log)")
    p.add_argument("--out", default=None,
                   help="where violating descriptors are written "
                        "(default /tmp/forge-fuzz-SEED)")
    p.add_argument("--reseed", type=int, default=200,
                   help="empty and refill the tables every N calls")
    p.add_argument("--timeout", type=int, default=30,
                   help="statement_timeout, seconds")
    p.add_argument("--jit", action="store_true",
                   help="leave jit on (huge ORs then take minutes)")
    p.add_argument("--max-crashes", type=int, default=5)
    p.add_argument("--progress", type=int, default=0,
                   help="print a progress line every N descriptors")
    p.add_argument("--keep", action="store_true",
                   help="keep the database and role at the end")
    p.add_argument("--verbose", action="store_true",
                   help="print each special descriptor's outcome")
    p.add_argument("--allow", action="append", default=[],
                   metavar="SQLSTATE",
                   help="accept this SQLSTATE as if README listed it "
                        "(repeatable)")
    p.add_argument("--txn-rate", type=float, default=0.1,
                   help="share of draws that run a transaction scenario "
                        "(savepoints, DO blocks) instead of one call")
    p.add_argument("--trigger-rate", type=float, default=0.5,
                   help="share of batches (between reseeds) with triggers "
                        "that call forge")
    p.add_argument("--name-rate", type=float, default=0.3,
                   help="share of batches that first declare relation names "
                        "in the foreign keys' comments")
    p.add_argument("--small-cache-rate", type=float, default=0.35,
                   help="share of batches with forge.plan_cache_size 0-3")
    p.add_argument("--self-test", action="store_true",
                   help="first prove that each detector fires")
    opt = p.parse_args()
    if opt.out is None:
        opt.out = "/tmp/forge-fuzz-%d" % opt.seed
    f = Fuzzer(opt)
    f.documented |= set(opt.allow)
    f.elapsed = 0
    status = None
    try:
        f.run()
    except SystemExit as e:
        print(e)
        status = e.code if isinstance(e.code, int) else 1
    except psycopg2.Error as e:
        print("fuzz: could not run: %s" % str(e).strip())
        status = 2
    finally:
        try:
            f.teardown()
        except psycopg2.Error as e:
            print("fuzz: could not drop the database: %s" % str(e).strip())
    if status == 2:
        sys.exit(2)
    nviol = f.report()
    sys.exit(1 if nviol or status else 0)


if __name__ == "__main__":
    main()
