"""Helpers of the leaderboard tests (test_boards.py, test_dashboard.py):
a contest of its own per test, people who log in and register through the
API, submits through the real routes (POST /attempts, then
POST /attempts/{id}/submit with as many right answers as the score needs,
at the time the test says), and a model of every board computed here from
what the test did, to judge the boards against (not only `quizd
check-boards`, which compares Redis with MariaDB, both the server's).

Units are organizer data and are written to MariaDB directly; every score
reaches the boards only through the submit handler."""
import hashlib
import math
import secrets
import time

from quiz_helpers import answer_key, ensure_bank, wrong_answers

START = 1718056800            # 2024-06-11T06:00:00+08:00: every test contest's start
REGISTER_AT = START - 7200    # people register before the contest's deadline (START - 3600)
POINTS = 5                    # per question; 20 questions: scores 0..100 in steps of 5
PAPER = '[{"category":"安全生产法","count":20}]'

# Uncommon characters for names made from a number (a real name has no digits).
NAME_CHARS = "甲乙丙丁戊己庚辛壬癸"


def q(s):
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    return j["error"]["code"]


def valid_name(name):
    """name with every ASCII digit spelled as a CJK character."""
    return "".join(NAME_CHARS[int(c)] if c.isdigit() else c for c in name)


def iso(t):
    """A Unix time as ISO 8601 in Asia/Shanghai."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(t + 8 * 3600))


def shanghai_day(t):
    return (t + 8 * 3600) // 86400


def user_token(stack, uid):
    """A mini-program session for user uid, who must exist."""
    token = secrets.token_urlsafe(32)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("INSERT INTO sessions (token_hash, user_id, roles, created_at, expires_at)"
              " VALUES (%s, %d, 1, 0, 4102444800)" % (q(h), uid))
    return token


def set_time(stack, t):
    """Every server's clock at Unix time t: through nginx for one server;
    past nginx, on each server's own socket, for several (nginx would pick
    the server)."""
    if stack.nservers == 1:
        stack.set_clock(iso=iso(t))
        return
    import json
    import os
    for i in range(stack.nservers):
        status, body = fcgi_call(os.path.join(stack.dir, "quizd%d.sock" % i), "PUT", "/api/v1/__test/clock", "",
                                 json.dumps({"now": iso(t)}).encode())
        assert status == 200, (i, status, body)


def fcgi_call(sock_path, method, path, query, body=b"", extra=()):
    """One request through a server's FastCGI socket, past nginx: (status, body).
    extra: more (name, value) params, bytes (HTTP_AUTHORIZATION ...)."""
    import socket
    import struct

    def rec(t, content):
        return struct.pack(">BBHHBB", 1, t, 1, len(content), 0, 0) + content

    def pair(k, v):
        return bytes([len(k)]) + bytes([len(v)]) + k + v
    uri = path + ("?" + query if query else "")
    env = [(b"REQUEST_METHOD", method.encode()), (b"REQUEST_URI", uri.encode()),
           (b"QUERY_STRING", query.encode()), (b"REMOTE_ADDR", b"127.0.0.1")]
    if body:
        env += [(b"CONTENT_TYPE", b"application/json"), (b"CONTENT_LENGTH", str(len(body)).encode())]
    env += list(extra)
    params = b"".join(pair(k, v) for k, v in env)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(sock_path)
    stdin = b"".join(rec(5, body[i:i + 65535]) for i in range(0, len(body), 65535))
    s.sendall(rec(1, struct.pack(">HB5x", 1, 0)) + rec(4, params) + rec(4, b"") + stdin + rec(5, b""))
    buf, out = b"", b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            _, t, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            if t == 6:
                out += buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if t == 3:
                s.close()
                head, _, rbody = out.partition(b"\r\n\r\n")
                status = 200
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"status:"):
                        status = int(line.split()[1])
                return status, rbody
    s.close()
    raise EOFError("no END_REQUEST")


def forget_time(stack):
    stack.set_clock(offset_s=0)


def redis_order(items, key):
    """items sorted by key, equal keys in the order Redis gives members of
    equal score on a ZREVRANGE: their names (decimal ids), descending."""
    return sorted(sorted(items, key=str, reverse=True), key=key)


class World:
    """One contest with its own units and people, and the record of every
    submit made through it (the model's input)."""

    def __init__(self, stack, main=False, rule="best", attempts_per_day=200):
        self.stack = stack
        self.rule = rule
        ensure_bank(stack)
        slug = "lb" + secrets.token_hex(6)
        stack.sql("INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
                  " points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
                  " VALUES (%s, %s, %d, %d, %d, %d, %s, %d, 900, %d, %s, 0, 0)"
                  % (q(slug), q("榜单测试" + slug[-4:]), 1 if main else 0, START - 3600, START, START + 20 * 86400,
                     q(PAPER), POINTS, attempts_per_day, q(rule)))
        self.id = int(stack.sql("SELECT id FROM contests WHERE slug = %s" % q(slug))[0][0])
        self.units = {}       # id -> {"name", "codes": (province, city, county), "head"}
        self.people = {}      # uid -> {"kind", "unit", "codes", "token"}
        self.submits = []     # (uid, score, time) of every accepted submit, in order
        self.replies = []     # the submit replies, in the same order
        self.papers = []      # the attempts' start replies (the questions shown), in the same order

    # ---- registration ----

    def codes(self, region):
        """(province, city or None, county or None) of a region code, from
        the regions reference table."""
        row = self.stack.sql("SELECT province_code, IFNULL(city_code, ''), level FROM regions WHERE code = %s"
                             % q(region))[0]
        level = int(row[2])
        return row[0], (row[1] or None) if level >= 2 else None, region if level == 3 else None

    def unit(self, name, region, headcount=10, type="water_admin", verified=True):
        """A unit; verified by default, as an organizer does before units
        are ranked by participation rate (API.md Rules)."""
        code = "91" + secrets.token_hex(8).upper()
        prov, city, county = self.codes(region)
        self.stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code, county_code,"
                       " type, headcount, created_at, verified) VALUES (%s, %s, %s, %s, %s, %s, %s, %d, 0, %d)"
                       % (q(name), q(code), q(region), q(prov), q(city) if city else "NULL",
                          q(county) if county else "NULL", q(type), headcount, 1 if verified else 0))
        uid = int(self.stack.sql("SELECT id FROM units WHERE credit_code = %s" % q(code))[0][0])
        self.units[uid] = {"name": name, "codes": (prov, city, county), "head": headcount,
                           "verified": verified}
        return uid

    def consent(self):
        """The privacy notice in force, which a profile body accepts."""
        r = self.stack.get("privacy")
        assert r.status == 200, r
        return r.json["version"]

    def member(self, unit, region, name="张三", kind="staff", login=None):
        """(token, uid) of a person who logged in through WeChat and
        registered through PUT /me/profile; login: a (token, user) of
        stack.login() to register instead of a new one."""
        token, user = login or self.stack.login()
        uid = user["id"]
        body = {"real_name": valid_name(name), "region_code": region, "contest_id": self.id,
                "consent_version": self.consent()}
        if kind == "staff":
            body.update(unit_id=unit, is_unit_leader=False)
        else:
            body["five_into"] = {"category": "village", "org_name": "某村村委会", "sponsor_unit_id": unit}
        set_time(self.stack, REGISTER_AT)
        r = self.stack.put("me/profile", body, token=token)
        assert r.status == 200, (body, r)
        self.people[uid] = {"kind": kind, "unit": unit, "codes": self.codes(region), "token": token}
        return token, uid

    def person(self, unit, region, name="张三", kind="staff", login=None):
        """A registered person (through the API); returns the user id."""
        return self.member(unit, region, name, kind, login)[1]

    # ---- submits ----

    def submit(self, uid, score, t):
        """One submit through the real routes: score (a multiple of 5 up to
        100) reached t seconds after the start. Returns the reply."""
        assert score % POINTS == 0 and 0 <= score <= 20 * POINTS, score
        token = self.people[uid]["token"]
        set_time(self.stack, START + t)
        r = self.stack.post("attempts", {"contest_id": self.id}, token=token)
        assert r.status == 201, r
        a = r.json
        key = answer_key(self.stack, a)
        wrong = 20 - score // POINTS
        answers = wrong_answers(key, wrong)
        s = self.stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": answers}, token=token)
        assert s.status == 200 and s.json["score"] == score, (score, s)
        self.submits.append((uid, score, START + t))
        self.replies.append(s.json)
        self.papers.append(a)
        return s.json

    def flush(self):
        """Submits are written as they are made; kept for the callers."""

    def pending(self):
        return int(self.stack.sql("SELECT COUNT(*) FROM board_outbox WHERE contest_id = %d AND applied_at IS NULL"
                                  % self.id)[0][0])

    def settle(self, timeout=30):
        """Wait until the boards are readable and the outbox drained."""
        end = time.time() + timeout
        while time.time() < end:
            if self.pending() == 0 and self.get("individual").status == 200:
                return
            time.sleep(0.05)
        raise AssertionError("the boards of contest %d did not settle" % self.id)

    # ---- reads ----

    def get(self, board, token=None, **params):
        params.setdefault("contest_id", self.id)
        qs = "&".join("%s=%s" % (k, v) for k, v in params.items())
        return self.stack.get("/api/v1/leaderboards/%s?%s" % (board, qs), token=token)

    def ok(self, board, token=None, **params):
        r = self.get(board, token=token, **params)
        assert r.status == 200, r
        return r.json

    def all_people(self, scope="national"):
        """Every entry of a people board, paging through it."""
        out, off = [], 0
        while True:
            j = self.ok("individual", scope=scope, limit=100, offset=off)
            out += j["entries"]
            off += 100
            if off >= j["total"]:
                return out

    def all_units(self, **params):
        out, off = [], 0
        while True:
            j = self.ok("units", limit=100, offset=off, **params)
            out += j["entries"]
            off += 100
            if off >= j["total"]:
                return out

    def snapshot(self):
        """Everything the boards show, for comparing two builds."""
        snap = {"people": [(e["rank"], e["user_id"], e["score"], e["name"], e["unit_name"])
                           for e in self.all_people()]}
        for order in ("score", "participation"):
            snap["units/" + order] = self.ok("units", order=order, limit=100)["entries"]
        for level in ("province", "city", "county"):
            snap["regions/" + level] = self.ok("regions", level=level)["entries"]
        return snap

    def check(self):
        """quizd check-boards for this contest: (exit code, output)."""
        r = self.stack.quizd("check-boards", str(self.id))
        return r.returncode, r.stdout.decode() + r.stderr.decode()

    # ---- the model ----

    def model(self):
        return Model(self)

    def assert_boards_match_model(self):
        """Every board of this contest, read through the API, equals the
        model computed from the test's own submits."""
        m = self.model()
        got = [(e["user_id"], e["score"]) for e in self.all_people()]
        assert got == m.people(), ("national people board", got, m.people())
        scopes = set()
        for p in m.scores:
            prov, city, county = self.people[p]["codes"]
            scopes.update({"province:" + prov, "city:%s" % city if city else None,
                           "county:%s" % county if county else None, "unit:%d" % m.board_unit(p)})
        for scope in sorted(s for s in scopes if s):
            got = [(e["user_id"], e["score"]) for e in self.all_people(scope)]
            assert got == m.people(scope), (scope, got, m.people(scope))
        for order in ("score", "participation"):
            got = [(e["unit_id"], e["score"], e["participants"], e["staff_participants"], e["headcount"],
                    e["participation_rate"]) for e in self.all_units(order=order)]
            assert got == m.units(order), ("units by " + order, got, m.units(order))
            assert [e["rank"] for e in self.all_units(order=order)] == list(range(1, len(got) + 1))
        for level in ("province", "city", "county"):
            for order in ("score", "participation"):
                j = self.ok("regions", level=level, order=order)["entries"]
                got = [(e["region_code"], e["score"], e["participants"], e["participation_rate"]) for e in j]
                want = m.regions(level, order)
                assert got == want, ("regions", level, order, got, want)
                assert [e["rank"] for e in j] == list(range(1, len(j) + 1))
        return m


class Model:
    """The boards as RULES.md and API.md describe them, from the submits the
    test made: a person's contest score by the contest's rule (best: the
    best attempt; daily_best_sum: the sum of each Shanghai day's best), the
    time it was reached (moves only when the score goes up), people ranked
    by score then by who reached it first; a five-into member counts for
    the sponsor; units and regions total their members' scores, regions by
    the unit's region; participation = staff who answered / headcount."""

    def __init__(self, world):
        self.w = world
        self.scores = {}      # uid -> (score, reached)
        day_best = {}
        for uid, score, t in world.submits:
            old = self.scores.get(uid)
            if world.rule == "best":
                new = score if old is None else max(old[0], score)
            else:
                d = shanghai_day(t)
                day_best[(uid, d)] = max(day_best.get((uid, d), 0), score)
                new = sum(v for (u, _), v in day_best.items() if u == uid)
            if old is None or new > old[0]:
                self.scores[uid] = (new, t)

    def board_unit(self, uid):
        return self.w.people[uid]["unit"]

    def people(self, scope="national"):
        def within(uid):
            prov, city, county = self.w.people[uid]["codes"]
            kind, _, arg = scope.partition(":")
            return (kind == "national" or (kind == "province" and prov == arg)
                    or (kind == "city" and city == arg) or (kind == "county" and county == arg)
                    or (kind == "unit" and str(self.board_unit(uid)) == arg))
        ranked = redis_order([uid for uid in self.scores if within(uid)],
                             lambda u: (-self.scores[u][0], self.scores[u][1]))
        return [(u, self.scores[u][0]) for u in ranked]

    def unit_rows(self):
        rows = {}
        for uid, (score, _) in self.scores.items():
            u = self.board_unit(uid)
            r = rows.setdefault(u, {"total": 0, "parts": 0, "staff": 0})
            r["total"] += score
            r["parts"] += 1
            r["staff"] += self.w.people[uid]["kind"] == "staff"
        return rows

    @staticmethod
    def ppm(staff, head):
        if staff <= 0:
            return 0
        if head <= 0 or staff >= head:
            return 1000000
        return staff * 1000000 // head

    @staticmethod
    def shown(ppm):
        """To 4 decimals, halves away from zero (C's round())."""
        return math.floor(ppm / 100 + 0.5) / 10000

    def units(self, order="score"):
        rows = self.unit_rows()
        if order != "score":   # only verified units are ranked by participation (API.md Rules)
            rows = {u: r for u, r in rows.items() if self.w.units[u]["verified"]}
        head = {u: self.w.units[u]["head"] for u in rows}
        if order == "score":
            keyf = lambda u: (-rows[u]["total"], u)                                   # noqa: E731
        else:
            keyf = lambda u: (-self.ppm(rows[u]["staff"], head[u]), -rows[u]["total"])  # noqa: E731
        return [(u, rows[u]["total"], rows[u]["parts"], rows[u]["staff"], head[u],
                 self.shown(self.ppm(rows[u]["staff"], head[u]))) for u in redis_order(rows, keyf)]

    def regions(self, level, order="score"):
        """[(code, total, participants, rate)] of one level, nationwide. The
        rate is staff who answered in verified units over the headcount of
        every verified active unit of the region in MariaDB (also other
        tests' units and those nobody answered for): read here."""
        i = {"province": 0, "city": 1, "county": 2}[level]
        col = ("province_code", "city_code", "county_code")[i]
        agg = {}
        for u, r in self.unit_rows().items():
            code = self.w.units[u]["codes"][i]
            if not code:
                continue
            a = agg.setdefault(code, [0, 0, 0])
            a[0] += r["total"]
            a[1] += r["parts"]
            a[2] += r["staff"] if self.w.units[u]["verified"] else 0
        heads = {}
        if agg:
            rows = self.w.stack.sql("SELECT %s, SUM(headcount) FROM units WHERE disabled = 0 AND merged_into IS NULL"
                                    " AND verified = 1 AND %s IN (%s) GROUP BY %s" % (col, col, ",".join(q(c) for c in agg), col))
            heads = {c: int(h) for c, h in rows}
        rate = {c: self.ppm(a[2], heads.get(c, 0)) for c, a in agg.items()}
        if order == "score":
            keyf = lambda c: (-agg[c][0], c)                        # noqa: E731
        else:
            keyf = lambda c: (-rate[c], -agg[c][0], c)              # noqa: E731
        return [(c, agg[c][0], agg[c][1], self.shown(rate[c])) for c in sorted(agg, key=keyf)]


def crowd(world, people, submits, rng, horizon=86400, top=100):
    """Random submits by `people` (uids): scores on 20 x 5 points up to top, at
    distinct times spread over `horizon` seconds (equal scores happen: few
    distinct scores; equal times do not, so the order is defined)."""
    times = sorted(rng.sample(range(horizon), submits))
    for t in times:     # in time order, as people really answer
        world.submit(rng.choice(people), rng.randrange(0, top // 5 + 1) * 5, t)
