"""Helpers shared by test_contests.py, test_attempts.py and test_import.py:
organizer sessions, registered users and the sample bank, made directly in
MariaDB so these tests depend only on the quiz routes they test."""
import hashlib
import os
import secrets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED_CSV = os.path.join(ROOT, "schema", "seed", "questions.csv")

# The seeded contests' windows (schema/030_contests.sql), Asia/Shanghai.
IN_MAIN = "2024-06-12T10:00:00+08:00"        # both contests open
BEFORE_MAIN = "2024-06-08T10:00:00+08:00"    # main upcoming, six-mechanisms open
AFTER_ALL = "2024-07-01T08:00:00+08:00"


def q(s):
    """A SQL string literal for test values we made ourselves."""
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def contest_id(stack, slug):
    return int(stack.sql("SELECT id FROM contests WHERE slug = %s" % q(slug))[0][0])


def reset_seeded_contests(stack):
    """Put the two seeded contests back to RULES.md's June 2024 windows
    (another test or seed-demo may have moved them)."""
    stack.sql("UPDATE contests SET registration_deadline = 1718035199, starts_at = 1718056800,"
              " ends_at = 1719759600, attempts_per_day = 3, time_limit_s = 900, audience = 'all',"
              " review_policy = 'after_end' WHERE slug = 'shuian';"
              "UPDATE contests SET registration_deadline = 1717603199, starts_at = 1717516800,"
              " ends_at = 1719759600, attempts_per_day = 2, time_limit_s = 1200, audience = 'staff',"
              " review_policy = 'after_end' WHERE slug = 'liuxiang'")


def organizer_token(stack, area=""):
    """A session of a new organizer (roles = ROLE_ORGANIZER)."""
    token = secrets.token_urlsafe(32)
    name = "org" + secrets.token_hex(6)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("INSERT INTO organizers (username, password_hash, area, created_at) VALUES (%s, 'x', %s, 0);"
              "INSERT INTO sessions (token_hash, organizer_id, roles, area, created_at, expires_at)"
              " SELECT %s, id, 4, %s, 0, 4102444800 FROM organizers WHERE username = %s"
              % (q(name), q(area), q(h), q(area), q(name)))
    return token


def ensure_bank(stack):
    """The sample bank loaded (idempotent: the import upserts)."""
    n = int(stack.sql("SELECT COUNT(*) FROM questions WHERE category = '安全生产法'")[0][0])
    if n < 20:
        r = stack.quizd("import-questions", SEED_CSV)
        assert r.returncode == 0, r.stderr


def demo_unit(stack):
    stack.sql("INSERT IGNORE INTO units (name, credit_code, region_code, province_code, city_code, county_code,"
              " type, headcount, created_at) VALUES ('测试水务局', '91140105MA0TEST01X', '140105', '140000',"
              " '140100', '140105', 'water_admin', 50, 0)")
    return int(stack.sql("SELECT id FROM units WHERE credit_code = '91140105MA0TEST01X'")[0][0])


def registered(stack, name="张三"):
    """(token, user_id) of a new mini-program user with a profile."""
    token, user = stack.login()
    uid = user["id"]
    unit = demo_unit(stack)
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
              " kind, unit_id, board_unit_id, created_at, updated_at) VALUES (%d, %s, '140105', '140000',"
              " '140100', '140105', 'staff', %d, %d, 0, 0)" % (uid, q(name), unit, unit))
    return token, uid


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    return j["error"]["code"]


def answer_key(stack, attempt):
    """The right choice for every question of an attempt reply, as the
    letters shown: read from the bank and the stored option order."""
    import json
    aid = attempt["attempt_id"]
    paper = json.loads(stack.sql("SELECT questions FROM attempts WHERE id = %d" % aid)[0][0])
    out = []
    for item in paper:
        ans = stack.sql("SELECT answer FROM questions WHERE id = %d" % item["id"])[0][0]
        shown = sorted(chr(65 + item["o"].index(b)) for b in ans)
        out.append({"question_id": item["id"], "choice": shown})
    return out


def wrong_answers(key, nwrong):
    """key with the first nwrong questions answered wrong."""
    out = []
    for i, a in enumerate(key):
        if i < nwrong:
            c = "A" if a["choice"] != ["A"] else "B"
            out.append({"question_id": a["question_id"], "choice": [c]})
        else:
            out.append(a)
    return out
