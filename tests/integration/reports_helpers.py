"""Helpers of the reports tests: sessions for organizers and unit admins,
waiting for an export job, and reading its .xlsx (unzip, sheet XML with
inline or shared strings) and .csv (BOM, CRLF) back."""
import csv
import hashlib
import io
import re
import secrets
import time
import zipfile
import xml.etree.ElementTree as ET

from boards_helpers import q, user_token  # noqa: F401 (re-exported)

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def organizer(stack, area=""):
    """(token, organizer id) of a new organizer for area."""
    token = secrets.token_urlsafe(32)
    name = "rep" + secrets.token_hex(6)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("INSERT INTO organizers (username, password_hash, area, created_at) VALUES (%s, 'x', %s, 0);"
              "INSERT INTO sessions (token_hash, organizer_id, roles, area, created_at, expires_at)"
              " SELECT %s, id, 4, %s, 0, 4102444800 FROM organizers WHERE username = %s"
              % (q(name), q(area), q(h), q(area), q(name)))
    oid = int(stack.sql("SELECT id FROM organizers WHERE username = %s" % q(name))[0][0])
    return token, oid


def unit_admin(stack, uid, unit):
    """A unit admin's console session (roles = ROLE_UNIT_ADMIN) for user uid."""
    token = secrets.token_urlsafe(32)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = %d WHERE id = %d;"
              "INSERT INTO sessions (token_hash, user_id, roles, admin_unit_id, created_at, expires_at)"
              " VALUES (%s, %d, 2, %d, 0, 4102444800)" % (unit, uid, q(h), uid, unit))
    return token


def export(stack, token, body, timeout=60):
    """Ask for an export, wait for it, return (job, file bytes)."""
    r = stack.post("admin/exports", body, token=token)
    assert r.status in (200, 202), r
    return wait_job(stack, token, r.json["job_id"], timeout)


def wait_job(stack, token, job_id, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        r = stack.get("/api/v1/admin/jobs/%d" % job_id, token=token)
        assert r.status == 200, r
        job = r.json
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("job %d did not finish: %s" % (job_id, job))
    assert job["state"] == "done", job
    assert job["download_url"] == "/api/v1/admin/jobs/%d/file" % job_id, job
    r = stack.get(job["download_url"], token=token)
    assert r.status == 200, r
    return job, r


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def ooxml_text(s):
    """OOXML's escape of characters XML cannot hold raw (_x000D_ is CR)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def read_xlsx(data):
    """{sheet name: {"rows": [[value...]], "cells": [[(type, style, has_formula)...]], "xml": text}}
    plus "_styles" (styles.xml text). Strings come from inlineStr or the
    shared-string table; numbers are floats."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    shared = []
    if "xl/sharedStrings.xml" in names:
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {"_styles": z.read("xl/styles.xml").decode()}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for sh in wb.find("m:sheets", NS):
        xml = z.read("xl/" + target[sh.get(rid)]).decode()
        root = ET.fromstring(xml)
        rows, cells = [], []
        for row in root.find("m:sheetData", NS):
            vals, meta = [], []
            for c in row:
                i = col_index(c.get("r"))
                while len(vals) < i:
                    vals.append(None)
                    meta.append(None)
                t = c.get("t")
                if t == "inlineStr":
                    v = ooxml_text("".join(x.text or "" for x in c.iter("{%s}t" % NS["m"])))
                elif t == "s":
                    v = ooxml_text(shared[int(c.find("m:v", NS).text)])
                elif c.find("m:v", NS) is not None:
                    v = float(c.find("m:v", NS).text)
                else:
                    v = None
                vals.append(v)
                meta.append((t, c.get("s"), c.find("m:f", NS) is not None))
            rows.append(vals)
            cells.append(meta)
        out[sh.get("name")] = {"rows": rows, "cells": cells, "xml": xml}
    return out


def read_csv(data):
    """Sections of a CSV export: [[row...]] per sheet (sheets after the first
    follow an empty line and a line with the sheet's name)."""
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    text = data[3:].decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "a line end that is not CRLF"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows


def excel_time(v):
    """An Excel serial date-time (1900 system) as epoch seconds of Shanghai local time."""
    return round((v - 25569) * 86400) - 8 * 3600


# ---- data written straight to MariaDB (the boards tests feed the API;
# the reports only read MariaDB, so their data sets are written directly,
# with the outbox rows the submit handler would leave) ----
import random  # noqa: E402

START = 1718056800            # 2024-06-11T06:00:00+08:00: every test contest's start

_rng = random.Random()
_next_user = [200_000_000 + _rng.randrange(10_000_000) * 10]
_next_attempt = [1_000_000 + _rng.randrange(1_000_000)]


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


class SqlWorld:
    """One contest with its own units, people and scores written to MariaDB
    directly (the reports read MariaDB; the boards follow through the outbox
    rows written with each score, as the submit handler leaves them)."""

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

    def unit(self, name, region, headcount=10, type="water_admin"):
        code = "91" + secrets.token_hex(8).upper()
        prov, city, county = self.parents(region)
        self.stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code, county_code,"
                       " type, headcount, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %d, 0)"
                       % (q(name), q(code), q(region), q(prov), city, county, q(type), headcount))
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


def sql_crowd(world, people, submits, rng, horizon=86400):
    """Random submits by `people` (uids): scores on 20 x 5 points, times
    spread over `horizon` seconds (ties happen: few distinct scores)."""
    subs = sorted((rng.randrange(horizon), rng.choice(people), rng.randrange(0, 21) * 5)
                  for _ in range(submits))
    for t, uid, score in subs:     # in time order, as people really answer
        world.submit(uid, score, t)
