"""Who may answer, and until when (issue 13), through the settable clock:
staff and five-into members, profiles made before and after each seeded
contest's registration deadline (six-mechanisms: staff only, by 06-05;
main: everyone, by 06-10), and changes of unit and kind between the two
deadlines, judged by the server's deadlines whatever contest the request
names. Runs on a stack of its own: registration now depends on every
contest in the database, and other tests leave contests of their own."""
from quiz_helpers import contest_id, ensure_bank, error_code, q, reset_seeded_contests

__order__ = 56

T1 = "2024-06-04T10:00:00+08:00"     # before both deadlines
T2 = "2024-06-07T10:00:00+08:00"     # six-mechanisms closed, main still registering
T3 = "2024-06-12T10:00:00+08:00"     # both closed for registration, both open for answering


def unit(st, name, code):
    st.sql("INSERT IGNORE INTO units (name, credit_code, region_code, province_code, city_code, county_code,"
           " type, headcount, created_at) VALUES (%s, %s, '140105', '140000', '140100', '140105',"
           " 'water_admin', 50, 0)" % (q(name), q(code)))
    return int(st.sql("SELECT id FROM units WHERE credit_code = %s" % q(code))[0][0])


def staff(u, name="张三"):
    return {"real_name": name, "region_code": "140105", "unit_id": u, "is_unit_leader": False}


def five(sponsor, name="李四"):
    return {"real_name": name, "region_code": "140105",
            "five_into": {"category": "village", "org_name": "东村村委会", "sponsor_unit_id": sponsor}}


def put(st, tok, body, contest=None):
    if contest:
        body = dict(body, contest_id=contest)
    return st.put("me/profile", body, token=tok)


def start(st, tok, contest):
    return st.post("attempts", {"contest_id": contest}, token=tok)


def created_at(st, tok):
    me = st.get("me", token=tok).json
    return st.sql("SELECT created_at FROM profiles WHERE user_id = %d" % me["user"]["id"])[0][0]


def test_audience_and_deadlines_per_contest(stack):
    st = stack.factory()
    st.start()
    try:
        ensure_bank(st)
        reset_seeded_contests(st)
        main, six = contest_id(st, "shuian"), contest_id(st, "liuxiang")
        u1, u2 = unit(st, "甲市水务局", "91140105MA0ELIG01X"), unit(st, "乙县水利局", "91140105MA0ELIG02X")
        # sessions first, in real time (a week long), then the clock goes back to June 2024
        a, b, c, d, e = (st.login()[0] for _ in range(5))

        st.set_clock(iso=T1)
        assert put(st, a, staff(u1)).status == 200          # staff, before both deadlines
        assert put(st, b, five(u1)).status == 200           # five-into, before both

        st.set_clock(iso=T2)
        r = put(st, c, staff(u1, "王五"))                    # staff, between the deadlines
        assert r.status == 200, r
        assert put(st, d, five(u1, "赵六")).status == 200     # five-into, between
        # a unit change between the deadlines: main still takes registrations
        # and A has not answered; naming the closed contest changes nothing
        r = put(st, a, staff(u2), contest=six)
        assert r.status == 200 and r.json["profile"]["unit_id"] == u2, r
        # a five-into member cannot become staff once the staff contest has
        # closed its registration (it would let them into it), whatever
        # contest the request names
        for named in (None, main):
            r = put(st, b, staff(u1, "李四"), contest=named)
            assert r.status == 403 and error_code(r) == "registration_closed", (named, r)

        st.set_clock(iso=T3)
        # six-mechanisms: staff registered by 06-05 only
        r = start(st, a, six)
        assert r.status == 201, r
        for tok, code in ((b, "not_in_audience"), (c, "registered_too_late"), (d, "not_in_audience")):
            r = start(st, tok, six)
            assert r.status == 403 and error_code(r) == code, (code, r)
        # the main contest: everyone registered by 06-10
        for tok in (a, b, c, d):
            r = start(st, tok, main)
            assert r.status == 201, r
        # after both deadlines: no new profile, no unit change, whatever is named
        for named in (None, main, six):
            r = put(st, e, staff(u1, "孙七"), contest=named)
            assert r.status == 403 and error_code(r) == "registration_closed", (named, r)
            r = put(st, c, staff(u2, "王五"), contest=named)
            assert r.status == 403 and error_code(r) == "registration_closed", (named, r)
        # the last second of a deadline still counts (the profile of D was made on 06-07)
        assert int(created_at(st, d)) < 1718035199
        # GET /contests shows who may answer
        st.set_clock(iso=T2)
        shown = {x["id"]: x for x in st.get("contests").json["contests"]}
        assert shown[six]["audience"] == "staff" and shown[main]["audience"] == "all", shown
        assert shown[six]["review_policy"] == shown[main]["review_policy"] == "after_end", shown
    finally:
        st.stop()


def test_a_later_contest_with_registration_open_lets_people_register(stack):
    """The rule is 'any contest the person may still join': a staff-only
    contest open for registration admits staff, not five-into members."""
    st = stack.factory()
    st.start()
    try:
        reset_seeded_contests(st)
        u = unit(st, "丙市水务局", "91140105MA0ELIG03X")
        s, f = st.login()[0], st.login()[0]
        st.sql("INSERT INTO contests (slug, name, is_main, audience, registration_deadline, starts_at, ends_at,"
               " paper, points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
               " VALUES ('elig-late', '职工专场', 0, 'staff', 1720000000, 1719000000, 1721000000, '[]', 5, 900,"
               " 3, 'best', 0, 0)")
        st.set_clock(iso=T3)
        r = put(st, f, five(u))
        assert r.status == 403 and error_code(r) == "registration_closed", r
        r = put(st, s, staff(u))
        assert r.status == 200, r
    finally:
        st.stop()
