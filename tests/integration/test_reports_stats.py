"""GET /admin/stats: the breakdown by region (one level below the
organizer's area) and each event's attendance; and the weekly report of
the current week agrees with the stats for the same moment."""
import datetime
import secrets

from reports_helpers import SqlWorld as World, q, user_token
from reports_helpers import organizer, export, read_xlsx
from test_reports_weekly import write_submits

__order__ = 58

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = int(datetime.datetime(2030, 5, 15, 12, 0, tzinfo=TZ).timestamp())   # a Wednesday
DAY = 86400


def iso(t):
    return datetime.datetime.fromtimestamp(t, TZ).isoformat()


def test_stats_by_region_events_and_weekly_agree(stack):
    w = World(stack)
    stack.sql("UPDATE contests SET starts_at = %d, registration_deadline = %d, ends_at = %d WHERE id = %d"
              % (NOW - 2 * DAY, NOW + 5 * DAY, NOW + 10 * DAY, w.id))
    a = w.unit("统计甲" + secrets.token_hex(2), "630102", headcount=5)
    b = w.unit("统计乙" + secrets.token_hex(2), "630102", headcount=3)
    people = []
    for i in range(5):
        uid = w.member(a if i < 3 else b, "630102", "王" + "一二三四五"[i], "staff" if i != 2 else "five_into")[1]
        stack.sql("UPDATE profiles SET created_at = %d WHERE user_id = %d" % (NOW - DAY, uid))
        people.append(uid)
    answered = people[:4]
    for n, uid in enumerate(answered):
        write_submits(stack, w.id, uid, [(NOW - 3600 + n, 50 + n), (NOW - 600 + n, 40)][: 1 + n % 2])
    org, _ = organizer(stack, "630000")
    nat, _ = organizer(stack)
    ev = stack.post("admin/events", {"title": "统计讲座", "sessions": [
        {"starts_at": iso(NOW - 3600), "ends_at": iso(NOW + 3600)}]}, token=nat).json["event"]
    try:
        stack.set_clock(iso=iso(NOW))
        for uid in people[:2]:
            r = stack.post("events/%d/check-in" % ev["id"], {}, token=user_token(stack, uid))
            assert r.status == 200, r
        r = stack.put("units/%d/events/%d/attendance" % (b, ev["id"]), {"user_ids": [people[3], people[4]]},
                      token=org)
        assert r.status == 200, r
        r = stack.put("units/%d/events/%d/attendance" % (a, ev["id"]), {"user_ids": [people[0]]}, token=org)
        assert r.status == 200, r

        s = stack.get("/api/v1/admin/stats?contest_id=%d" % w.id, token=org)
        assert s.status == 200, s
        st = s.json
        assert st["area"] == "630000"
        # one level below a province: its cities (another test may have put
        # a unit of its own elsewhere in 青海省; this test's are in 西宁市)
        rows = {x["region_code"]: x for x in st["regions"]}
        assert "630100" in rows and all(c.startswith("63") and c.endswith("00") and not c.endswith("0000")
                                        for c in rows), st["regions"]
        xn = rows["630100"]
        attempts = sum(1 + n % 2 for n in range(4))
        assert (xn["name"], xn["registrations"], xn["units"], xn["participants"], xn["attempts"]) == \
            ("西宁市", 5, 2, 4, attempts), xn
        assert st["totals"]["participants"] == 4 and st["totals"]["registrations"] == 5
        e = [x for x in st["events"] if x["id"] == ev["id"]][0]
        # check-ins: 2; recorded: 3; attended once each: people 0, 1, 3, 4
        assert (e["check_ins"], e["recorded"], e["attended"]) == (2, 3, 4), e
        # a nationwide organizer: provinces
        s2 = stack.get("/api/v1/admin/stats?contest_id=%d" % w.id, token=nat).json
        qh = [x for x in s2["regions"] if x["region_code"] == "630000"]
        assert qh and qh[0]["participants"] == 4 and qh[0]["name"] == "青海省", s2["regions"]
        assert all(len(x["region_code"]) == 6 and x["region_code"].endswith("0000") for x in s2["regions"])

        # the weekly report of this week agrees with the stats
        job, resp = export(stack, org, {"kind": "weekly", "format": "xlsx"})
        rows = read_xlsx(resp.body)["各单位"]["rows"]
        col = {h: i for i, h in enumerate(rows[0])}
        cname = stack.sql("SELECT name FROM contests WHERE id = %d" % w.id)[0][0]
        data = rows[1:]
        assert sum(r[col["%s·参与人数" % cname]] for r in data) == st["totals"]["participants"]
        assert sum(r[col["%s·答题次数" % cname]] for r in data) == st["totals"]["attempts"]
        assert sum(r[col["已注册职工"]] + r[col["五进人员"]] for r in data) == st["totals"]["registrations"]
        assert sum(r[col["讲座参加人数"]] for r in data) == e["attended"]
    finally:
        stack.set_clock(offset_s=0)
