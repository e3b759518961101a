"""Helpers of the leaderboard tests (test_boards.py, test_dashboard.py):
a contest of its own per test, units and people made directly in MariaDB,
and submits written the way POST /attempts/{id}/submit writes them (the
contest score upserted and one board_outbox row, in one transaction), so
the boards are tested on their own and at any volume."""
import hashlib
import random
import secrets
import time

START = 1718056800            # 2024-06-11T06:00:00+08:00: every test contest's start

_rng = random.Random()
_next_user = [200_000_000 + _rng.randrange(10_000_000) * 10]
_next_attempt = [1_000_000 + _rng.randrange(1_000_000)]


def q(s):
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    return j["error"]["code"]


def user_token(stack, uid):
    """A mini-program session for user uid, who must exist (see World.member)."""
    token = secrets.token_urlsafe(32)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("INSERT INTO sessions (token_hash, user_id, roles, created_at, expires_at)"
              " VALUES (%s, %d, 1, 0, 4102444800)" % (q(h), uid))
    return token


def sql_script(stack, sql):
    """Run a long SQL script through the client's standard input (a command
    line holds only so much)."""
    import subprocess
    r = subprocess.run([stack_which("mariadb", "mysql"), "--no-defaults", "-S", stack.db_socket, "-uroot",
                        "--batch", "--skip-column-names", "quiz"], input=sql.encode(),
                       capture_output=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError("sql failed: %s" % r.stderr.decode(errors="replace")[:400])


def stack_which(*names):
    import stack as stackmod
    return stackmod.which(*names)


class World:
    """One contest with its own units and people."""

    def __init__(self, stack, main=False):
        self.stack = stack
        slug = "lb" + secrets.token_hex(6)
        stack.sql("INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
                  " points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
                  " VALUES (%s, %s, %d, %d, %d, %d, '[]', 5, 900, 3, 'best', 0, 0)"
                  % (q(slug), q("榜单测试" + slug[-4:]), 1 if main else 0, START - 86400, START, START + 20 * 86400))
        self.id = int(stack.sql("SELECT id FROM contests WHERE slug = %s" % q(slug))[0][0])
        self.pending_sql = []

    # ---- registration ----

    def unit(self, name, region, headcount=10, type="water_admin", verified=True):
        """A unit; verified by default, as an organizer does before units
        are ranked by participation rate (API.md Rules)."""
        code = "91" + secrets.token_hex(8).upper()
        prov, city, county = self.parents(region)
        self.stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code, county_code,"
                       " type, headcount, created_at, verified) VALUES (%s, %s, %s, %s, %s, %s, %s, %d, 0, %d)"
                       % (q(name), q(code), q(region), q(prov), city, county, q(type), headcount,
                          1 if verified else 0))
        return int(self.stack.sql("SELECT id FROM units WHERE credit_code = %s" % q(code))[0][0])

    def parents(self, region):
        """(province, city SQL, county SQL) of a region code, as the units helper stores them."""
        row = self.stack.sql("SELECT province_code, city_code, level FROM regions WHERE code = %s" % q(region))[0]
        prov, city, level = row[0], row[1], int(row[2])
        city_sql = q(city) if city and city != "NULL" else "NULL"
        county_sql = q(region) if level == 3 else "NULL"
        return prov, city_sql, county_sql

    def member(self, unit, region, name="张三", kind="staff"):
        """(token, uid) of a person who logged in through WeChat and registered."""
        token, user = self.stack.login()
        return token, self.person(unit, region, name, kind, uid=user["id"])

    def person(self, unit, region, name="张三", kind="staff", uid=None):
        """A registered person with no login (ids far above real users')."""
        if uid is None:
            uid = _next_user[0]
            _next_user[0] += 1
        prov, city, county = self.parents(region)
        self.stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
                       " kind, unit_id, five_into_category, five_into_org, sponsor_unit_id, board_unit_id,"
                       " created_at, updated_at) VALUES (%d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %d, %d, %d)"
                       % (uid, q(name), q(region), q(prov), city, county, q(kind),
                          unit if kind == "staff" else "NULL",
                          "'village'" if kind == "five_into" else "NULL",
                          "'某村'" if kind == "five_into" else "NULL",
                          unit if kind == "five_into" else "NULL", unit, START, START))
        return uid

    # ---- submits ----

    def submit(self, uid, score, t):
        """Queue one accepted submit: score reached t seconds after the start."""
        aid = _next_attempt[0]
        _next_attempt[0] += 1
        c, when = self.id, START + t
        # as the submit handler does under the `best` rule: the score only
        # goes up, and reached_at moves only when it does
        self.pending_sql.append(
            "START TRANSACTION;"
            "INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted, first_submitted_at)"
            " VALUES (%d, %d, %d, %d, 1, %d) ON DUPLICATE KEY UPDATE"
            " reached_at = IF(VALUES(score) > score, VALUES(reached_at), reached_at),"
            " score = GREATEST(score, VALUES(score)), attempts_submitted = attempts_submitted + 1;"
            "INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,"
            " first_submit, created_at) SELECT %d, %d, %d, 0, score, reached_at, 0, %d FROM contest_scores"
            " WHERE contest_id = %d AND user_id = %d;"
            "COMMIT;" % (c, uid, score, when, when, c, uid, aid, when, c, uid))
        return aid

    def flush(self):
        """Write the queued submits (one client call)."""
        if self.pending_sql:
            sql, self.pending_sql = "".join(self.pending_sql), []
            sql_script(self.stack, sql)

    def pending(self):
        return int(self.stack.sql("SELECT COUNT(*) FROM board_outbox WHERE contest_id = %d AND applied_at IS NULL"
                                  % self.id)[0][0])

    def settle(self, timeout=30):
        """Flush, then wait until the boards are readable and the outbox drained."""
        self.flush()
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


def crowd(world, people, submits, rng, horizon=86400):
    """Random submits by `people` (uids): scores on 20 x 5 points, times
    spread over `horizon` seconds (ties happen: few distinct scores)."""
    subs = sorted((rng.randrange(horizon), rng.choice(people), rng.randrange(0, 21) * 5)
                  for _ in range(submits))
    for t, uid, score in subs:     # in time order, as people really answer
        world.submit(uid, score, t)
