"""Check the notifications psql printed during test/suites/events.sh.

Usage: events.py OUTPUT.  Exits 1, printing what differs, on any failure.
"""
import json
import re
import sys

NOTE = re.compile(r'^Asynchronous notification "([^"]*)" with payload "(.*)" '
                  r'received from server process with PID \d+\.$')
FIELDS = {"adapter", "model", "schema", "table", "txid", "op", "verb",
          "semanticOp", "rowCount", "duration_ms", "startedAt", "seq", "sql"}

step = None
events = {}          # step -> list of (channel, payload dict, raw length)
model_channel = None  # what forge_model_channel('ev') returned
LONG = "c" * 62
long_channels = {}    # table -> forge_model_channel(table, LONG)
nested_error = None   # the error the failing nested write must raise
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("STEP "):
        step = line[5:]
        events[step] = []
        continue
    if line.startswith("MODEL-CHANNEL "):
        model_channel = line[len("MODEL-CHANNEL "):]
        continue
    if line.startswith("LONG-CHANNEL "):
        table, channel = line[len("LONG-CHANNEL "):].split(" ", 1)
        long_channels[table] = channel
        continue
    m = NOTE.match(line)
    if m:
        raw = m.group(2)
        events[step].append((m.group(1), json.loads(raw), len(raw.encode())))
    elif line.startswith(("ERROR", "psql:")):
        if step == "nested-failed" and "record to connect" in line:
            nested_error = line
            continue
        sys.exit("psql failed: " + line)

failures = []


def expect(stepname, want):
    """want: list of (verb, op, rowCount, seq) in delivery order."""
    got = events.get(stepname)
    if got is None:
        failures.append(f"{stepname}: step missing")
        return
    summary = [(p["verb"], p["op"], p["rowCount"], p["seq"]) for _, p, _ in got]
    if summary != want:
        failures.append(f"{stepname}: got {summary}, want {want}")
    for channel, p, size in got:
        if channel != "forge":
            failures.append(f"{stepname}: channel {channel}")
        if set(p) - {"sqlTruncated"} != FIELDS:
            failures.append(f"{stepname}: fields {sorted(p)}")
        if p["adapter"] != "postgres" or p["semanticOp"] is not None:
            failures.append(f"{stepname}: adapter/semanticOp {p}")
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", p["startedAt"]):
            failures.append(f"{stepname}: startedAt {p['startedAt']}")
        if not isinstance(p["duration_ms"], (int, float)) or p["duration_ms"] < 0:
            failures.append(f"{stepname}: duration_ms {p['duration_ms']}")
        if size >= 8000:
            failures.append(f"{stepname}: payload of {size} bytes")
        if p["model"] != p["schema"] + "." + p["table"]:
            failures.append(f"{stepname}: model {p['model']}, schema {p['schema']}, "
                            f"table {p['table']}")
        if not isinstance(p["txid"], int) or p["txid"] <= 0:
            failures.append(f"{stepname}: txid {p['txid']}")
        if "a@x.co" in json.dumps(p) or "u@x.co" in json.dumps(p):
            failures.append(f"{stepname}: a column value in the payload")


expect("autocommit-create", [("forge_create", "insert", 1, 1)])
# psql prints notifications after each command: nothing before COMMIT,
# both identical updates (seq 1 and 2) right after it.
expect("two-identical-updates", [])
expect("before-commit", [("forge_update", "update", 1, 1),
                         ("forge_update", "update", 1, 2)])
expect("after-commit", [])
expect("rollback", [])
expect("savepoint", [("forge_create_many", "insert", 2, 2)])
expect("upsert-insert", [("forge_upsert", "insert", 1, 1)])
expect("upsert-update", [("forge_upsert", "update", 1, 1)])
# one event per table and operation, rows summed, in the order first written
expect("nested", [("forge_create", "insert", 1, 1), ("forge_create", "insert", 2, 2),
                  ("forge_upsert", "insert", 1, 3), ("forge_create_many", "insert", 1, 4)])
expect("nested-failed", [])
if nested_error is None:
    failures.append("nested-failed: the nested write did not fail with P2025")
for (_, p, _), model in zip(events.get("nested", []),
                            ["users", "posts", "tags", "post_tags"]):
    if p["model"] != "public.evn_" + model:
        failures.append(f"nested: event for {p['model']}, want public.evn_{model}")
# the trigger's good call sends its events when it ends, inside the outer
# call, whose own come at its end; the failed one sends nothing.  Then the
# next nested write, without the trigger, works as before.
expect("nested-trigger", [("forge_create", "insert", 1, 1), ("forge_create", "insert", 1, 2),
                          ("forge_create", "insert", 1, 3), ("forge_create", "insert", 1, 4),
                          ("forge_create", "insert", 1, 1), ("forge_create", "insert", 1, 2)])
for (_, p, _), model in zip(events.get("nested-trigger", []),
                            ["log", "log_items", "users", "posts", "users", "posts"]):
    if p["model"] != "public.evn_" + model:
        failures.append(f"nested-trigger: event for {p['model']}, want public.evn_{model}")
# the trigger's calls in rolled-back blocks (a create, and an updateMany
# in a block inside that one) send nothing; its deleteMany in two blocks
# that end well sends its event, between the outer call's two.
expect("nested-trigger-rollback", [("forge_create", "insert", 1, 1),
                                   ("forge_delete_many", "delete", 0, 2),
                                   ("forge_create", "insert", 1, 3)])
for (_, p, _), model in zip(events.get("nested-trigger-rollback", []),
                            ["users", "log", "posts"]):
    if p["model"] != "public.evn_" + model:
        failures.append(f"nested-trigger-rollback: event for {p['model']}, want public.evn_{model}")
# a one-to-one connect: the row that held the key lets go (an update
# event); when none did, the let-go wrote nothing and sends nothing
expect("let-go", [("forge_create", "insert", 1, 1)])
expect("let-go-again", [("forge_update_many", "update", 1, 1),
                        ("forge_create", "insert", 1, 2)])
expect("many", [("forge_update_many", "update", 4, 1),
                ("forge_delete", "delete", 1, 1),
                ("forge_delete_many", "delete", 2, 1)])
expect("notify-off", [])
expect("other-channel", [])
expect("long-names", [("forge_create", "insert", 1, 1)])

# (txid, seq) names an event: the two updates of one transaction share
# its txid and differ in seq; autocommitted calls have txids of their own.
txids = [p["txid"] for _, p, _ in events.get("before-commit", [])]
if len(txids) != 2 or txids[0] != txids[1]:
    failures.append(f"before-commit: txids {txids}, want one txid twice")
txids = [p["txid"] for _, p, _ in events.get("many", [])]
if len(set(txids)) != 3:
    failures.append(f"many: txids {txids}, want three different")
for _, p, size in events.get("before-commit", []):
    if p["model"] != "public.ev" or "UPDATE public.ev AS t" not in p["sql"] or "$" not in p["sql"]:
        failures.append(f"payload fields: {p}")
for _, p, size in events.get("long-names", []):
    if p.get("sqlTruncated") is not True or p["model"] != "public." + "t" * 63:
        failures.append(f"long payload ({size} bytes) not truncated as expected: "
                        f"{ {k: v for k, v in p.items() if k != 'sql'} }")
    else:
        print(f"long-names payload: {size} bytes, sql cut to {len(p['sql'])} characters")


def summary_of(stepname):
    return [(c, p["verb"], p["op"], p["rowCount"], p["seq"])
            for c, p, _ in events.get(stepname, [])]


# forge.notify_keys = on: one update, its key; nothing else changes.
got = events.get("keys-update", [])
if summary_of("keys-update") != [("forge", "forge_update", "update", 1, 1)]:
    failures.append(f"keys-update: got {summary_of('keys-update')}")
for _, p, size in got:
    if p.get("keys") != [7] or "keysTruncated" in p:
        failures.append(f"keys-update: keys {p.get('keys')}, "
                        f"keysTruncated {p.get('keysTruncated')}")
    if set(p) - {"sqlTruncated"} != FIELDS | {"keys"}:
        failures.append(f"keys-update: fields {sorted(p)}")

# Over 5,000 rows: the payload stays under 8000 bytes, holds some of the
# keys (distinct keys of written rows), fewer than the rows, and says so.
got = events.get("keys-many", [])
if summary_of("keys-many") != [("forge", "forge_update_many", "update", 5000, 1)]:
    failures.append(f"keys-many: got {summary_of('keys-many')}")
for _, p, size in got:
    keys = p.get("keys")
    if size >= 8000:
        failures.append(f"keys-many: payload of {size} bytes")
    if p.get("keysTruncated") is not True:
        failures.append(f"keys-many: keysTruncated {p.get('keysTruncated')}")
    if (not isinstance(keys, list) or not 0 < len(keys) < 5000
            or len(set(keys)) != len(keys)
            or not all(isinstance(k, int) and 1 <= k <= 5000 for k in keys)):
        failures.append(f"keys-many: keys {str(keys)[:200]}")
    elif not failures:
        print(f"keys-many payload: {size} bytes, {len(keys)} of 5000 keys")

# forge.notify_model_channel = on: the event goes to "forge" and, the same
# payload, to the table's channel, "forge:public.ev"; a write on another
# table does not reach ev's channel.
if model_channel != "forge:public.ev":
    failures.append(f"forge_model_channel('ev') is {model_channel!r}")
want = [("forge", "forge_update", "update", 1, 1),
        ("forge:public.ev", "forge_update", "update", 1, 1)]
if summary_of("model-channel") != want:
    failures.append(f"model-channel: got {summary_of('model-channel')}, want {want}")
elif events["model-channel"][0][1] != events["model-channel"][1][1]:
    failures.append("model-channel: the two payloads differ")
want = [("forge", "forge_update", "update", 1, 1)]
if summary_of("model-channel-other-table") != want:
    failures.append(f"model-channel-other-table: got "
                    f"{summary_of('model-channel-other-table')}, want {want}")
for stepname in ("model-channel", "model-channel-other-table"):
    for _, p, _ in events.get(stepname, []):
        if "keys" in p:
            failures.append(f"{stepname}: keys after RESET forge.notify_keys")

# A 62-byte notify channel: each table's channel is its own (cut, "#", a
# hash), and carries only that table's events, which name it by "schema"
# and "table" whatever characters the names hold.
got = events.get("long-channel", [])
want = {(long_channels.get("ev"), "public", "ev"),
        (long_channels.get("odd"), 'we"ird.sch', "a.b")}
if len(set(long_channels.values())) != 2 or len(got) != 4 or \
        {(c, p["schema"], p["table"]) for c, p, _ in got if c != LONG} != want:
    failures.append(f"long-channel: channels {long_channels}, got "
                    f"{[(c, p['schema'], p['table']) for c, p, _ in got]}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"events: {sum(len(v) for v in events.values())} notifications checked")
