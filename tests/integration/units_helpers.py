"""Helpers shared by test_units.py and test_profile.py: credit codes,
unique names, a private contest with known dates, and units made through
the API."""
import datetime
import secrets
import threading

# GB 32100-2015: 31 characters (no I, O, S, V, Z), weights 3^i mod 31.
CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

# A private contest's dates (Asia/Shanghai): registration until the 10th.
DEADLINE = "2024-06-10T23:59:59+08:00"
BEFORE = "2024-06-09T10:00:00+08:00"   # sessions last 7 days: stay within them
AFTER = "2024-06-11T08:00:00+08:00"

# Uncommon characters: names made of them are unique in any test data.
RARE = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥乾坤震巽坎离艮兑"
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def q(s):
    """A SQL string literal for values the tests made themselves."""
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def check_char(body17):
    s = sum(CS.index(c) * w for c, w in zip(body17, WEIGHTS))
    return CS[(31 - s % 31) % 31]


def credit_code(prefix="91", region="140404"):
    body = prefix + region + "".join(secrets.choice(CS) for _ in range(9))
    return body + check_char(body)


def token(n=4):
    """n uncommon characters: a keyword only this test's units contain."""
    return "".join(secrets.choice(RARE) for _ in range(n))


def person_name():
    return secrets.choice(SURNAMES) + "".join(secrets.choice(GIVEN) for _ in range(2))


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    assert set(j["error"]) == {"code", "message"}, j
    return j["error"]["code"]


def epoch(iso):
    return int(datetime.datetime.fromisoformat(iso).timestamp())


def make_contest(stack, deadline=DEADLINE):
    """A contest of our own (not main), so other tests moving the seeded
    contests cannot change this test's deadline. Returns its id."""
    slug = "t" + secrets.token_hex(6)
    stack.sql("INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at,"
              " paper, points_per_question, time_limit_s, attempts_per_day, score_rule, created_at,"
              " updated_at) VALUES (%s, '测试竞赛', 0, %d, %d, %d, '[]', 5, 900, 3, 'best', 0, 0)"
              % (q(slug), epoch(deadline), epoch("2024-06-11T06:00:00+08:00"),
                 epoch("2024-06-30T23:00:00+08:00")))
    return int(stack.sql("SELECT id FROM contests WHERE slug = %s" % q(slug))[0][0])


def unit_body(contest_id, **kw):
    body = {"name": "长治市上党区%s水利局" % token(), "credit_code": credit_code(),
            "region_code": "140404", "type": "water_admin", "headcount": 40,
            "contact_name": person_name(), "contact_phone": "13800138000",
            "contest_id": contest_id}
    body.update(kw)
    return body


def register_unit(stack, tok, contest_id, **kw):
    """A unit through POST /units; returns its JSON."""
    r = stack.post("units", unit_body(contest_id, **kw), token=tok)
    assert r.status == 201, r
    return r.json["unit"]


def count(stack, sql):
    return int(stack.sql(sql)[0][0])


def parallel(n, fn):
    """Run fn(i) in n threads started together; returns the results."""
    out = [None] * n
    gate = threading.Barrier(n)

    def run(i):
        gate.wait()
        out[i] = fn(i)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out
