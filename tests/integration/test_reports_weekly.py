"""The weekly report on a crafted data set: units in two provinces, staff
and five-into members, a leader who answered and one who did not,
registrations and answers before, inside and after the week, check-ins
inside and outside a session and for an event outside the week, recorded
attendance. Every figure is computed here from the data the test wrote and
compared with the .xlsx (and the .csv's sections)."""
import datetime
import secrets

from reports_helpers import SqlWorld as World, q, sql_script, user_token
from reports_helpers import organizer, unit_admin, export, read_xlsx, read_csv

__order__ = 57

TZ = datetime.timezone(datetime.timedelta(hours=8))


def ts(*a):
    return int(datetime.datetime(*a, tzinfo=TZ).timestamp())


F = ts(2031, 3, 3)            # a Monday
T = F + 7 * 86400
DAY = 86400


def iso(t):
    return datetime.datetime.fromtimestamp(t, TZ).isoformat()


def write_submits(stack, cid, uid, subs):
    """contest_scores and one board_outbox row per submit, as the submit
    handler leaves them under the `best` rule."""
    best, reached, sql = 0, 0, []
    for n, (t, score) in enumerate(sorted(subs)):
        old = best
        if score > best:
            best, reached = score, t
        sql.append("INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,"
                   " first_submit, created_at) VALUES (%d, %d, %d, %d, %d, %d, %d, %d);"
                   % (cid, uid, 900_000_000 + secrets.randbelow(10**8), old, best, reached, n == 0, t))
    sql.append("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
               " first_submitted_at) VALUES (%d, %d, %d, %d, %d, %d);"
               % (cid, uid, best, reached, len(subs), min(t for t, _ in subs)))
    sql_script(stack, "".join(sql))


PEOPLE = [
    # key, unit, kind, registered at, submits [(time, score)], leader position, logs in
    ("s1", "U1", "staff", F - 3 * DAY, [(F + 3600, 80), (F + 7200, 90), (T + 3600, 100)], "局长", True),
    ("s2", "U1", "staff", F + DAY, [(F + 2 * DAY, 60)], None, True),
    ("s3", "U1", "staff", F - 5 * DAY, [(F - 2 * DAY, 70)], None, False),
    ("f1", "U1", "five_into", F - DAY, [(F + 3 * DAY, 50)], None, False),
    ("s7", "U1", "staff", T + 3600, [], None, False),
    ("s4", "U2", "staff", F - DAY, [], "主任", False),
    ("s5", "U2", "staff", F - 6 * DAY, [(F - 3 * DAY, 40), (F + 4 * DAY, 45)], None, False),
    ("s6", "U3", "staff", F - 2 * DAY, [], None, True),
]
# Xinjiang (65) and Tibet (54) are this test's own: the region summary counts
# every unit there, so no other test may register a unit in them
UNITS = {"U1": ("650102", 4), "U2": ("650103", 10), "U3": ("540102", 5)}


def expected(uid_of):
    """Per unit: the figures the report must show, from PEOPLE alone."""
    out = {}
    for u, (region, head) in UNITS.items():
        mine = [p for p in PEOPLE if p[1] == u]
        staff = [p for p in mine if p[2] == "staff"]
        part_t = [p for p in mine if p[4] and min(t for t, _ in p[4]) < T]
        part_f = [p for p in mine if p[4] and min(t for t, _ in p[4]) < F]
        staff_part = [p for p in part_t if p[2] == "staff"]
        attempts = sum(1 for p in mine for t, _ in p[4] if F <= t < T)
        prev = sum(1 for p in mine for t, _ in p[4] if F - 7 * DAY <= t < F)
        score = sum(max(s for t, s in p[4] if t < T) for p in part_t)
        leader = [p for p in staff if p[5]]
        out[u] = {
            "职工人数": head,
            "已注册职工": sum(1 for p in staff if p[3] < T),
            "注册较上期": sum(1 for p in staff if F <= p[3] < T),
            "五进人员": sum(1 for p in mine if p[2] == "five_into" and p[3] < T),
            "主要负责人已注册": "是" if leader and leader[0][3] < T else ("无" if not leader else "否"),
            "主要负责人职务": leader[0][5] if leader else None,
            "主要负责人已参与": ("无" if not leader else
                         "是" if leader[0] in part_t else "否"),
            "参与人数": len(part_t),
            "参与较上期": len(part_t) - len(part_f),
            "参与率": min(1.0, len(staff_part) / head),
            "答题次数": attempts,
            "答题次数较上期": attempts - prev,
            "总分": score,
            "平均分": score / len(part_t) if part_t else 0.0,
        }
    return out


def test_weekly_report_equals_figures_computed_here(stack):
    w = World(stack)
    cid = w.id
    stack.sql("UPDATE contests SET starts_at = %d, registration_deadline = %d, ends_at = %d, name = %s"
              " WHERE id = %d" % (F - 20 * DAY, F + 20 * DAY, F + 60 * DAY, q("周报竞赛" + secrets.token_hex(2)), cid))
    cname = stack.sql("SELECT name FROM contests WHERE id = %d" % cid)[0][0]
    # a contest that ended before the week is not reported
    old = World(stack)
    stack.sql("UPDATE contests SET starts_at = %d, ends_at = %d WHERE id = %d" % (F - 60 * DAY, F - 30 * DAY, old.id))
    units = {u: w.unit("周报%s单位%s" % (u, secrets.token_hex(2)), region, headcount=head)
             for u, (region, head) in UNITS.items()}
    late = w.unit("周报后注册单位" + secrets.token_hex(2), "540102", headcount=2)
    stack.sql("UPDATE units SET created_at = %d WHERE id = %d" % (T + DAY, late))
    uid_of, tok_of = {}, {}
    for key, u, kind, reg, subs, pos, logs_in in PEOPLE:
        region = UNITS[u][0]
        if logs_in:
            _, uid = w.member(units[u], region, "张" + key, kind)
            tok_of[key] = user_token(stack, uid)    # lasts past 2031 (the clock goes there)
        else:
            uid = w.person(units[u], region, "李" + key, kind)
        uid_of[key] = uid
        stack.sql("UPDATE profiles SET created_at = %d, is_unit_leader = %d, position = %s WHERE user_id = %d"
                  % (reg, 1 if pos else 0, q(pos) if pos else "NULL", uid))
        if subs:
            write_submits(stack, cid, uid, subs)
    # events: E in the week, E2 after it
    org, _ = organizer(stack)
    e_in = stack.post("admin/events", {"title": "周报讲座", "sessions": [
        {"starts_at": iso(F + 2 * DAY + 3600), "ends_at": iso(F + 2 * DAY + 3 * 3600)}]}, token=org).json["event"]
    e_out = stack.post("admin/events", {"title": "下周讲座", "sessions": [
        {"starts_at": iso(T + 3 * DAY), "ends_at": iso(T + 3 * DAY + 7200)}]}, token=org).json["event"]
    try:
        stack.set_clock(iso=iso(F + 2 * DAY + 2 * 3600))          # inside E's session
        for key in ("s1", "s6"):
            r = stack.post("events/%d/check-in" % e_in["id"], {}, token=tok_of[key])
            assert r.status == 200, r
        r = stack.post("events/%d/check-in" % e_out["id"], {}, token=tok_of["s2"])   # outside E2's session
        assert r.status == 403, r
        stack.set_clock(iso=iso(T + 3 * DAY + 600))              # inside E2's, after the week
        r = stack.post("events/%d/check-in" % e_out["id"], {}, token=tok_of["s2"])
        assert r.status == 200, r
    finally:
        stack.set_clock(offset_s=0)
    r = stack.put("units/%d/events/%d/attendance" % (units["U1"], e_in["id"]),
                  {"user_ids": [uid_of["s1"], uid_of["s3"]]}, token=org)
    assert r.status == 200 and r.json["added"] == 2, r
    r = stack.put("units/%d/events/%d/attendance" % (units["U2"], e_out["id"]), {"user_ids": [uid_of["s5"]]},
                  token=org)
    assert r.status == 200, r
    att = {"U1": (1, 2, 2), "U2": (0, 0, 0), "U3": (1, 0, 1)}

    job, resp = export(stack, org, {"kind": "weekly", "format": "xlsx", "week": "2031-03-03"})
    book = read_xlsx(resp.body)
    assert {"各单位", "地区汇总", "无人参与单位"} <= set(book), list(book)
    rows = book["各单位"]["rows"]
    head = rows[0]
    # only the contest running in the week has columns
    assert all(h.startswith(cname + "·") for h in head if "·" in h), head
    col = {h: i for i, h in enumerate(head)}
    by_id = {int(r[col["单位ID"]]): r for r in rows[1:]}
    assert late not in by_id, "a unit registered after the week is in it"
    want = expected(uid_of)
    for u, unit in units.items():
        row = by_id[unit]
        for k, v in want[u].items():
            name = k if k in col else "%s·%s" % (cname, k)
            got = row[col[name]]
            if isinstance(v, float):
                assert abs(got - v) < 1e-9, (u, k, got, v)
            else:
                assert got == v, (u, k, got, v, row)
        c, rec, total = att[u]
        assert (row[col["讲座签到"]], row[col["讲座集中收看登记"]], row[col["讲座参加人数"]]) == (c, rec, total), (u, row)
    # grouped province -> city -> county: the report's order keeps regions together
    order = [int(r[col["单位ID"]]) for r in rows[1:]]
    assert order.index(units["U3"]) < order.index(units["U1"]) < order.index(units["U2"]), "540000 before 650000"
    # units with nobody taking part
    nobody = {int(r[3]) for r in book["无人参与单位"]["rows"][1:]}
    assert units["U3"] in nobody and units["U1"] not in nobody and units["U2"] not in nobody
    # the summary per region
    summ = book["地区汇总"]["rows"]
    sc = {h: i for i, h in enumerate(summ[0])}
    by_name = {(r[0], r[1]): r for r in summ[1:]}
    xj = by_name[("省", "新疆维吾尔自治区")]
    parts = want["U1"]["参与人数"] + want["U2"]["参与人数"]
    total_score = want["U1"]["总分"] + want["U2"]["总分"]
    assert xj[sc["单位数"]] == 2 and xj[sc["职工人数"]] == 14, xj
    assert xj[sc["已注册职工"]] == want["U1"]["已注册职工"] + want["U2"]["已注册职工"]
    assert xj[sc["%s·参与人数" % cname]] == parts
    assert abs(xj[sc["%s·参与率" % cname]] - (3 + 1) / 14) < 1e-9, xj
    assert abs(xj[sc["%s·平均分" % cname]] - total_score / parts) < 1e-9, xj
    assert xj[sc["%s·答题次数" % cname]] == want["U1"]["答题次数"] + want["U2"]["答题次数"]
    assert xj[sc["讲座参加人数"]] == 2 and xj[sc["无人参与单位数"]] == 0
    assert by_name[("县（区）", "天山区")][sc["单位数"]] == 1
    xz = by_name[("省", "西藏自治区")]
    assert xz[sc["无人参与单位数"]] >= 1 and xz[sc["讲座参加人数"]] >= 1

    # the same as CSV: sections in the same order, the same unit rows
    job, resp = export(stack, org, {"kind": "weekly", "format": "csv", "week": "2031-03-03"})
    lines = read_csv(resp.body)
    assert lines[0] == head
    csv_rows = {int(r[col["单位ID"]]): r for r in lines[1:] if r and r[0] != "" and len(r) == len(head)
                and r[col["单位ID"]].isdigit()}
    assert csv_rows[units["U1"]][col["%s·参与人数" % cname]] == str(want["U1"]["参与人数"])
    assert ["地区汇总"] in lines and ["无人参与单位"] in lines

    # an organizer of one province gets their area only
    xjorg, _ = organizer(stack, "650000")
    job, resp = export(stack, xjorg, {"kind": "weekly", "format": "xlsx", "week": "2031-03-03"})
    ids = {int(r[3]) for r in read_xlsx(resp.body)["各单位"]["rows"][1:]}
    assert units["U1"] in ids and units["U2"] in ids and units["U3"] not in ids, ids
    # a date range works too; a unit admin may not ask for it
    job, resp = export(stack, org, {"kind": "weekly", "format": "csv", "from": "2031-03-03", "to": "2031-03-09"})
    assert read_csv(resp.body)[0] == head
    adm = unit_admin(stack, uid_of["s1"], units["U1"])
    r = stack.post("admin/exports", {"kind": "weekly", "format": "csv"}, token=adm)
    assert r.status == 403, r
