#!/usr/bin/python3
"""Feed forge-listen event payloads of every JSON shape forge can produce.

forge's payloads are JSON objects whose values come from jsonb: numbers of
any size (a numeric(20,0) key of 18446744073709551615, 1e400 written out as
401 digits), nesting of any depth (a jsonb column in "changes"), any Unicode
(names and text values, escaped or not), strings of any length.  This
generates such objects from a seed and checks that forge-listen hands each
one on exactly: the same tokens, byte for byte, whitespace between tokens
removed.

  payloads.py notify --db DB --channel C --count N --seed S --expect FILE
      sends N objects of under 8000 bytes with pg_notify on channel C (one
      transaction each) and writes, one per line, the compact text
      forge-listen --json must print for each.
  payloads.py outbox --db DB --count N --seed S
      inserts N objects into forge_outbox (as its owner: only forge's
      capture or the owner may), large ones included: strings of 1 MB,
      nesting 5,000 deep, numbers of 1,000 digits.
  payloads.py expect-outbox --db DB --dir DIR
      writes DIR/expected.ID for every event forge_outbox_claim would hand
      out now: the compact text of its payload (claimed and rolled back).
  payloads.py compare --got FILE --expect FILE
  payloads.py compare-dir --dir DIR
      compare what forge-listen printed (--json lines), or what its --exec
      command saved as DIR/got.ID, with the expected texts; exit 1, naming
      the first difference, if any differs.

Run by test/suites/listen.sh with PG* set; needs python3-psycopg2.
"""
import argparse
import os
import random
import sys

WS = " \t\n\r"


def compact(text):
    """text without whitespace between tokens (text is valid JSON)."""
    out = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in WS:
            continue
        out.append(ch)
    return "".join(out)


class Gen:
    """Random JSON texts, written with random whitespace."""

    def __init__(self, rng, for_jsonb):
        self.rng = rng
        self.for_jsonb = for_jsonb    # no \u0000, no lone surrogates

    def ws(self):
        r = self.rng
        return "" if r.random() < 0.6 else "".join(r.choice(WS) for _ in range(r.randint(1, 3)))

    def number(self, big=False):
        r = self.rng
        digits = r.choice([1, 2, 5, 19, 20, 21, 40, 310, 1000 if big else 60])
        s = ("-" if r.random() < 0.3 else "") + r.choice("123456789") + \
            "".join(r.choice("0123456789") for _ in range(digits - 1))
        if r.random() < 0.2:
            s = s[:1] + "0" if s.startswith("-") else "0"
        kind = r.random()
        if kind < 0.3:
            s += "." + "".join(r.choice("0123456789") for _ in range(r.randint(1, 30)))
        elif kind < 0.5:
            s += r.choice("eE") + r.choice(["", "+", "-"]) + str(r.choice([0, 5, 308, 309, 400, 4000]))
        return r.choice(["18446744073709551615", "-9223372036854775809", "1e400",
                         "4.9e-325", s, s, s, s])

    PLAIN = list("abcdefghij XYZ0123.:'#{}[],")
    UNICODE = ["ü", "é", "ß", "ж", "中", "文", "✓", "😀", "𝄞", "\u200b"]
    ESCAPES = ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
               "\\u00e9", "\\u4e2d", "\\ud83d\\ude00", "\\u001f"]
    JSONB_ONLY = ["\\u0041"]
    NOT_JSONB = ["\\u0000", "\\ud800", "\\udc00x", "\\uFFFF"]

    def string(self, long=False):
        r = self.rng
        n = r.choice([0, 1, 5, 30, 200, 1_000_000 if long else 1500])
        odd = self.JSONB_ONLY if self.for_jsonb else self.NOT_JSONB
        pool = self.PLAIN + self.UNICODE + self.ESCAPES + odd
        weights = [50 / len(self.PLAIN)] * len(self.PLAIN) + \
            [20 / len(self.UNICODE)] * len(self.UNICODE) + \
            [20 / len(self.ESCAPES)] * len(self.ESCAPES) + [10 / len(odd)] * len(odd)
        if n > 5000:
            return '"' + "x" * (n - 20) + "".join(r.choices(pool, weights, k=20)) + '"'
        return '"' + "".join(r.choices(pool, weights, k=n)) + '"'

    def deep(self, depth):
        r = self.rng
        opens, closes = [], []
        arrays_only = r.random() < 0.3
        for _ in range(depth):
            if arrays_only or r.random() < 0.5:
                opens.append("[" + self.ws())
                closes.append(self.ws() + "]")
            else:
                key = self.string()
                opens.append("{" + self.ws() + key + self.ws() + ":" + self.ws())
                closes.append(self.ws() + "}")
        return "".join(opens) + self.value(0) + "".join(reversed(closes))

    def value(self, depth, big=False):
        r = self.rng
        k = r.random()
        if depth > 3 or k < 0.35:
            return r.choice([self.number(big), self.number(big), self.string(),
                             "true", "false", "null"])
        if k < 0.5:
            return self.string(long=big)
        if k < 0.55:
            return self.deep(r.choice([10, 100, 1000, 5000 if big else 2100]))
        n = r.randint(0, 5)
        if k < 0.75:
            return "[" + self.ws() + ("," + self.ws()).join(
                self.value(depth + 1, big) for _ in range(n)) + self.ws() + "]"
        return "{" + self.ws() + ("," + self.ws()).join(
            self.string() + self.ws() + ":" + self.ws() + self.value(depth + 1, big)
            for _ in range(n)) + self.ws() + "}"

    def event(self, limit, big=False):
        """A forge-shaped event object, with random values, under limit bytes."""
        tries = 0
        while True:
            tries += 1
            fields = ['"adapter":"postgres"', '"model":' + self.string(),
                      '"schema":' + self.string(), '"table":' + self.string(),
                      '"op":"' + self.rng.choice(["insert", "update", "delete"]) + '"',
                      '"verb":"forge_create"', '"rowCount":' + self.number(),
                      '"seq":1', '"keys":' + self.value(1 if tries < 3 else 4, big),
                      '"changes":' + self.value(0 if tries < 3 else 4, big)]
            self.rng.shuffle(fields)
            text = self.ws() + "{" + self.ws() + ("," + self.ws()).join(
                f.replace(":", self.ws() + ":" + self.ws(), 1) for f in fields) + self.ws() + "}"
            if len(text.encode()) < limit:
                return text


def connect(db):
    import psycopg2
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    return conn


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["notify", "outbox", "expect-outbox", "compare", "compare-dir"])
    p.add_argument("--db")
    p.add_argument("--channel", default="forge")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--expect")
    p.add_argument("--got")
    p.add_argument("--dir")
    a = p.parse_args()

    if a.mode == "notify":
        gen = Gen(random.Random(a.seed), for_jsonb=False)
        conn = connect(a.db)
        cur = conn.cursor()
        with open(a.expect, "w", encoding="utf-8") as f:
            for _ in range(a.count):
                text = gen.event(7999)
                cur.execute("SELECT pg_notify(%s, %s)", (a.channel, text))
                f.write(compact(text) + "\n")
    elif a.mode == "outbox":
        gen = Gen(random.Random(a.seed), for_jsonb=True)
        conn = connect(a.db)
        cur = conn.cursor()
        for _ in range(a.count):
            cur.execute("INSERT INTO forge_outbox (model, event) VALUES ('payloads', %s::jsonb)",
                        (gen.event(3_000_000, big=True),))
    elif a.mode == "expect-outbox":
        conn = connect(a.db)
        cur = conn.cursor()
        cur.execute("BEGIN")
        cur.execute("SELECT id, payload::text FROM forge_outbox_claim(1000000)")
        for i, text in cur.fetchall():
            with open(os.path.join(a.dir, "expected.%d" % i), "w", encoding="utf-8") as f:
                f.write(compact(text) + "\n")
        cur.execute("ROLLBACK")
    elif a.mode == "compare":
        got = open(a.got, encoding="utf-8").read().split("\n")
        want = open(a.expect, encoding="utf-8").read().split("\n")
        for n, (g, w) in enumerate(zip(got, want), 1):
            if g != w:
                sys.exit("payload %d differs: got %r..., want %r..." % (n, g[:300], w[:300]))
        if len(got) != len(want):
            sys.exit("%d lines, want %d" % (len(got) - 1, len(want) - 1))
    else:
        names = sorted(n for n in os.listdir(a.dir) if n.startswith("expected."))
        if not names:
            sys.exit("no expected payloads in " + a.dir)
        for name in names:
            i = name.split(".", 1)[1]
            want = open(os.path.join(a.dir, name), encoding="utf-8").read()
            try:
                got = open(os.path.join(a.dir, "got." + i), encoding="utf-8").read()
            except FileNotFoundError:
                sys.exit("outbox event %s never reached the command" % i)
            if got != want:
                sys.exit("outbox event %s differs: got %d bytes %r..., want %d bytes %r..."
                         % (i, len(got), got[:200], len(want), want[:200]))
        print("%d outbox payloads compared" % len(names))


if __name__ == "__main__":
    main()
