"""Helpers shared by test_contests.py, test_attempts.py and test_import.py:
organizer sessions, registered users and the sample bank, made directly in
MariaDB so these tests depend only on the quiz routes they test."""
import hashlib
import os
import secrets
import threading

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


class Bank:
    """The test's own copy of the question bank, read from the CSV the bank
    was imported from (never from MariaDB): stem -> (type, option texts in
    the CSV's order, right answer as CSV letters or 对/错)."""

    def __init__(self, paths=(SEED_CSV,)):
        import csv
        self.rows = {}
        for path in paths:
            with open(path, encoding="utf-8-sig", newline="") as f:
                self.add_rows(csv.DictReader(f))

    def add_rows(self, rows):
        for row in rows:
            if row["type"] == "judge":
                opts = ["对", "错"]
                right = ["对", "错"].index(row["answer"].strip())
                answer = [right]
            else:
                opts = [row[c] for c in "ABCDEF" if row.get(c)]
                answer = [ord(c) - 65 for c in row["answer"].strip()]
            self.rows[row["stem"]] = (row["type"], opts, answer)

    def copy(self):
        other = Bank(paths=())
        other.rows = dict(self.rows)
        return other

    def set_answer(self, stem, texts):
        """A correction: the right options are now those with these texts."""
        kind, opts, _ = self.rows[stem]
        self.rows[stem] = (kind, opts, sorted(opts.index(t) for t in texts))

    def right_texts(self, stem):
        kind, opts, answer = self.rows[stem]
        return {opts[i] for i in answer}


SEED_BANK = Bank()


def answer_key(stack, attempt, bank=None):
    """The right choice for every question of an attempt reply, as the
    letters shown: the letters whose shown text is a right option's text in
    the bank the test imported. Nothing is read from the server's stored
    attempt, so a server that scores against the wrong option order fails.
    (stack is unused; kept so every call reads the same.)"""
    bank = bank or SEED_BANK
    out = []
    for qu in attempt["questions"]:
        assert qu["stem"] in bank.rows, "question %d is not in the test's bank: %s" % (qu["id"], qu["stem"])
        kind, opts, _ = bank.rows[qu["stem"]]
        shown = [o["text"] for o in qu["options"]]
        assert sorted(shown) == sorted(opts), (qu["id"], shown, opts)
        right = bank.right_texts(qu["stem"])
        out.append({"question_id": qu["id"], "choice": sorted(o["key"] for o in qu["options"] if o["text"] in right)})
    return out


def shown_order(attempt, bank=None):
    """For each question of an attempt reply: its options as indexes into
    the bank's order, in the order they were shown."""
    bank = bank or SEED_BANK
    out = {}
    for qu in attempt["questions"]:
        opts = bank.rows[qu["stem"]][1]
        out[qu["stem"]] = [opts.index(o["text"]) for o in qu["options"]]
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


def at_once(calls):
    """Run every call in its own thread, released together; their results in
    order. A call that raised, or one that never came back, fails the test."""
    results, errors = [None] * len(calls), []
    gate = threading.Barrier(len(calls))

    def go(i):
        try:
            gate.wait(30)
            results[i] = calls[i]()
        except Exception as e:     # kept: a thread that raised must fail the test
            errors.append(repr(e))
    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a call never came back"
    assert not errors, errors[:3]
    return results
