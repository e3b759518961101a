"""Leaderboards (engines/boards/): people, units and regions in Redis, fed
by the outbox, rebuilt from MariaDB, checked against it; what the API
shows (ties, five-into members under their sponsor, participation rate,
region totals and rates, paging, `me`, both score rules), and the boards
surviving a Redis flush, a Redis restart during submits, a rebuild during
submits, and two servers.

Every score is fed through the real routes (boards_helpers.World: login,
registration, start, submit), and the boards are judged against a model
the test computes from its own submits (World.assert_boards_match_model),
besides `quizd check-boards`."""
import os
import random
import socket
import struct
import threading
import time

from boards_helpers import START, World, crowd, error_code, fcgi_call, forget_time

__order__ = 70


def get_until_ok(stack, path, token=None, timeout=10):
    end = time.time() + timeout
    while True:
        r = stack.get(path, token=token)
        if r.status == 200 or time.time() > end:
            return r
        time.sleep(0.05)


# ---- what the boards show ----

def test_ties_rank_whoever_reached_the_score_first(stack):
    w = World(stack)
    u = w.unit("长治市水务局", "140403")
    a = w.person(u, "140403", "张三")
    b = w.person(u, "140403", "李四")
    c = w.person(u, "140403", "王五")
    w.submit(a, 80, 300)
    w.submit(b, 80, 100)       # same score, 200 s earlier: ranks above a
    w.submit(c, 85, 900)       # more points win whatever the time
    w.submit(b, 80, 1000)      # reaching 80 again changes nothing
    w.settle()
    e = w.ok("individual")["entries"]
    assert [x["user_id"] for x in e] == [c, b, a], e
    assert [x["rank"] for x in e] == [1, 2, 3]
    assert [x["score"] for x in e] == [85, 80, 80]
    # masked names and the unit's name
    assert [x["name"] for x in e] == ["王*", "李*", "张*"], e
    assert {x["unit_name"] for x in e} == {"长治市水务局"}
    # a's later 80 at 2000 s does not pass b either, and a higher score does
    w.submit(a, 80, 2000)
    w.submit(a, 90, 3000)
    w.settle()
    assert [x["user_id"] for x in w.ok("individual")["entries"]] == [a, c, b]
    w.assert_boards_match_model()


def test_an_equal_score_reached_later_stays_behind_through_the_handler(stack):
    """Through the submit handler: three people reach 90 at three times (in
    an order unlike their ids and their registration), and the one who got
    there first stays first also after the others submit 90 again."""
    w = World(stack)
    u = w.unit("同分单位", "140403")
    p = [w.person(u, "140403", n) for n in ("甲甲", "乙乙", "丙丙")]
    w.submit(p[1], 90, 70)
    w.submit(p[0], 90, 50)
    w.submit(p[2], 90, 60)
    w.submit(p[0], 90, 500)       # the same score again: the time it was reached stays 50
    w.submit(p[2], 85, 640)       # lower: nothing moves
    w.settle()
    # neither id order nor its reverse: only the times give this order
    got = [(e["user_id"], e["score"]) for e in w.ok("individual")["entries"]]
    assert got == [(p[0], 90), (p[2], 90), (p[1], 90)], got
    w.assert_boards_match_model()


def test_five_into_members_count_for_their_sponsor_not_its_rate(stack):
    w = World(stack)
    sponsor = w.unit("上党区水利局", "140404", headcount=4)
    other = w.unit("小店区水务局", "140105", headcount=2)
    s1 = w.person(sponsor, "140404", "赵一")
    s2 = w.person(sponsor, "140404", "钱二")
    w.person(sponsor, "140404", "孙三")                       # registered, never answers
    # five-into members living elsewhere (Nanjing): their score joins the
    # sponsor's total and the sponsor's regions; their own people boards
    # use their own region
    f1 = w.person(sponsor, "320102", "欧阳娜娜", kind="five_into")
    f2 = w.person(sponsor, "320102", "司马光", kind="five_into")
    o1 = w.person(other, "140105", "周四")
    w.submit(s1, 60, 10)
    w.submit(s2, 40, 20)
    w.submit(f1, 100, 30)
    w.submit(f2, 0, 40)                                       # zero points: still a participant
    w.submit(o1, 70, 50)
    w.settle()
    units = {e["unit_id"]: e for e in w.ok("units")["entries"]}
    sp = units[sponsor]
    assert sp["score"] == 200 and sp["participants"] == 4 and sp["headcount"] == 4, sp
    assert sp["staff_participants"] == 2 and sp["participation_rate"] == 0.5, sp
    assert sp["name"] == "上党区水利局"
    ot = units[other]
    assert ot["score"] == 70 and ot["participants"] == 1 and ot["participation_rate"] == 0.5, ot
    # by score: sponsor first; by participation: equal rates, higher total first
    assert [e["unit_id"] for e in w.ok("units")["entries"]] == [sponsor, other]
    assert [e["unit_id"] for e in w.ok("units", order="participation")["entries"]] == [sponsor, other]
    # the sponsor's own people board holds its five-into members
    ids = [e["user_id"] for e in w.ok("individual", scope="unit:%d" % sponsor)["entries"]]
    assert ids == [f1, s1, s2, f2], ids
    assert w.ok("individual", scope="unit:%d" % sponsor)["entries"][0]["name"] == "欧阳**"
    # people by their own region: the five-into members are in Jiangsu ...
    assert {e["user_id"] for e in w.ok("individual", scope="province:320000")["entries"]} == {f1, f2}
    assert {e["user_id"] for e in w.ok("individual", scope="county:140404")["entries"]} == {s1, s2}
    # ... but regions total units by the unit's region: nothing in Jiangsu
    provinces = w.ok("regions", level="province")["entries"]
    assert [(e["region_code"], e["score"], e["participants"]) for e in provinces] == [("140000", 270, 5)]
    assert provinces[0]["name"] == "山西省" and provinces[0]["rank"] == 1
    # units boards of the province and the city
    assert [e["unit_id"] for e in w.ok("units", scope="city:140400")["entries"]] == [sponsor]
    assert [e["unit_id"] for e in w.ok("units", scope="province:140000")["entries"]] == [sponsor, other]
    assert w.ok("units", scope="province:320000") == {"entries": [], "total": 0}
    w.assert_boards_match_model()


def test_participation_rate_is_capped_and_orders_the_board(stack):
    w = World(stack)
    big = w.unit("大单位", "140105", headcount=10)
    small = w.unit("小单位", "140105", headcount=2)
    full = w.unit("满员单位", "140105", headcount=1)
    for i in range(3):
        w.submit(w.person(big, "140105", "甲" + "一二三"[i]), 100, i)       # 3/10, 300 points
    w.submit(w.person(small, "140105", "乙一"), 10, 5)                      # 1/2, 10 points
    for i in range(3):
        w.submit(w.person(full, "140105", "丙" + "一二三"[i]), 5, 10 + i)  # 3/1 -> 1
    w.settle()
    by_rate = w.ok("units", order="participation")["entries"]
    assert [e["unit_id"] for e in by_rate] == [full, small, big], by_rate
    assert [e["participation_rate"] for e in by_rate] == [1.0, 0.5, 0.3]
    assert by_rate[0]["participants"] == 3 and by_rate[0]["headcount"] == 1
    by_score = w.ok("units")["entries"]
    assert [e["unit_id"] for e in by_score] == [big, full, small]
    assert [e["score"] for e in by_score] == [300, 15, 10]
    assert [e["rank"] for e in by_score] == [1, 2, 3]
    w.assert_boards_match_model()


def test_region_totals_by_level_and_parent(stack):
    w = World(stack)
    u1 = w.unit("潞州区水利局", "140403")
    u2 = w.unit("上党区水利局", "140404")
    u3 = w.unit("太原市水务局", "140100")         # a city-level unit: no county
    u4 = w.unit("南京市水务局", "320102")
    plan = [(u1, 50), (u1, 30), (u2, 100), (u3, 20), (u4, 45)]
    for i, (u, s) in enumerate(plan):
        w.submit(w.person(u, "140105", "某" + "一二三四五"[i]), s, i)
    w.settle()

    def rows(**p):
        return [(e["region_code"], e["name"], e["score"], e["participants"])
                for e in w.ok("regions", **p)["entries"]]
    assert rows(level="province") == [("140000", "山西省", 200, 4), ("320000", "江苏省", 45, 1)]
    assert rows() == rows(level="province")
    assert rows(level="city", parent="140000") == [("140400", "长治市", 180, 3), ("140100", "太原市", 20, 1)]
    assert rows(level="city") == [("140400", "长治市", 180, 3), ("320100", "南京市", 45, 1),
                                  ("140100", "太原市", 20, 1)]
    assert rows(level="county", parent="140400") == [("140404", "上党区", 100, 1), ("140403", "潞州区", 80, 2)]
    assert rows(level="county", parent="140000") == rows(level="county", parent="140400")
    assert rows(level="county") == [("140404", "上党区", 100, 1), ("140403", "潞州区", 80, 2),
                                    ("320102", "玄武区", 45, 1)]
    assert rows(level="county", parent="110000") == []
    ranks = [e["rank"] for e in w.ok("regions", level="county")["entries"]]
    assert ranks == [1, 2, 3]
    for bad in [dict(level="town"), dict(level="province", parent="140000"),
                dict(level="city", parent="140400"), dict(level="county", parent="14040")]:
        r = w.get("regions", **bad)
        assert r.status == 400, (bad, r)
    assert error_code(w.get("regions", level="town")) == "invalid_level"
    assert error_code(w.get("regions", level="city", parent="1404")) == "invalid_scope"
    assert error_code(w.get("regions", level="county", order="rate")) == "invalid_order"
    w.assert_boards_match_model()


def test_regions_are_ordered_by_participation_and_show_its_rate(stack):
    """API.md: regions boards take order=score|participation and every entry
    carries participation_rate = staff who answered / the headcount of the
    region's units (also units nobody answered for; five-into members count
    for the score, not the rate)."""
    w = World(stack)
    # two counties no other test uses, so their headcounts are this test's
    free = [c for c, in stack.sql("SELECT code FROM regions WHERE level = 3 AND code LIKE '14%%' AND code NOT IN"
                                  " (SELECT county_code FROM units WHERE county_code IS NOT NULL)"
                                  " ORDER BY RAND() LIMIT 2")]
    assert len(free) == 2, free
    big, small = free
    a = w.unit("大县单位", big, headcount=10)
    w.unit("大县无人单位", big, headcount=10)         # nobody answers: still in the headcount
    b = w.unit("小县单位", small, headcount=4)
    for i in range(3):
        w.submit(w.person(a, big, "大" + "甲乙丙"[i]), 100, 10 + i)       # 3 of 20 staff, 300 points
    w.submit(w.person(b, small, "小甲"), 30, 20)                         # 2 of 4 staff, 50 points
    w.submit(w.person(b, small, "小乙"), 20, 21)
    w.submit(w.person(b, small, "小丙", kind="five_into"), 100, 22)      # score only
    w.settle()
    rows = {e["region_code"]: e for e in w.ok("regions", level="county")["entries"]}
    assert rows[big]["participation_rate"] == 0.15 and rows[big]["score"] == 300, rows[big]
    assert rows[small]["participation_rate"] == 0.5 and rows[small]["score"] == 150, rows[small]
    by_score = [e["region_code"] for e in w.ok("regions", level="county")["entries"]]
    by_rate = [e["region_code"] for e in w.ok("regions", level="county", order="participation")["entries"]]
    assert by_score == [big, small] and by_rate == [small, big], (by_score, by_rate)
    assert [e["rank"] for e in w.ok("regions", level="county", order="participation")["entries"]] == [1, 2]
    w.assert_boards_match_model()
    code, out = w.check()
    assert code == 0, out


def test_daily_best_sum_contest_on_the_boards(stack):
    """A daily_best_sum contest: a person's board score is the sum of each
    Shanghai day's best, reached when the sum last went up."""
    w = World(stack, rule="daily_best_sum")
    u = w.unit("累计单位", "140403")
    a, b, c = (w.person(u, "140403", n) for n in ("赵甲", "钱乙", "孙丙"))
    w.submit(a, 60, 100)               # day 1 (06-11): 60
    w.submit(a, 40, 200)               # a worse try the same day: still 60
    w.submit(b, 90, 300)               # day 1: 90
    w.submit(a, 50, 86400 + 100)       # day 2: 60 + 50 = 110, reached on day 2
    w.submit(c, 100, 86400 + 50)       # 100
    w.submit(b, 20, 86400 + 200)       # 90 + 20 = 110, after a: below a
    w.submit(c, 10, 2 * 86400 + 10)    # day 3: 110, after both
    w.settle()
    got = [(e["user_id"], e["score"]) for e in w.ok("individual")["entries"]]
    assert got == [(a, 110), (b, 110), (c, 110)], got
    assert w.replies[3]["contest_score"] == 110, w.replies[3]
    units = w.ok("units")["entries"]
    assert units[0]["score"] == 330 and units[0]["participants"] == 3, units
    w.assert_boards_match_model()
    code, out = w.check()
    assert code == 0, out


def test_paging_at_the_edges(stack):
    w = World(stack)
    u = w.unit("分页单位", "140105")
    people = [w.person(u, "140105", "分" + str(i)) for i in range(7)]
    for i, p in enumerate(people):
        w.submit(p, 5 * i, i)
    w.settle()
    full = w.ok("individual", limit=100)
    assert full["total"] == 7 and [e["user_id"] for e in full["entries"]] == people[::-1]
    assert len(w.ok("individual")["entries"]) == 7                       # default limit 20
    j = w.ok("individual", limit=3, offset=6)
    assert j["total"] == 7 and [(e["rank"], e["user_id"]) for e in j["entries"]] == [(7, people[0])]
    j = w.ok("individual", limit=3, offset=3)
    assert [e["rank"] for e in j["entries"]] == [4, 5, 6]
    assert w.ok("individual", offset=7)["entries"] == []
    assert w.ok("individual", offset=1000)["total"] == 7
    assert w.ok("individual", limit=1)["entries"][0]["user_id"] == people[-1]
    assert len(w.ok("individual", limit=100)["entries"]) == 7
    for bad in [dict(limit=0), dict(limit=101), dict(limit=-1), dict(offset=-1), dict(limit="x"),
                dict(offset="1.5")]:
        r = w.get("individual", **bad)
        assert r.status == 400 and error_code(r) == "invalid_parameter", (bad, r)
    # units pages the same way
    assert w.ok("units", limit=1, offset=1) == {"entries": [], "total": 1}
    # a board nobody is on yet
    assert w.ok("individual", scope="county:110101") == {"entries": [], "total": 0, "me": None}
    assert w.ok("individual", scope="unit:999999999") == {"entries": [], "total": 0, "me": None}


def test_scopes_and_contests_that_do_not_exist(stack):
    w = World(stack)
    for bad in ["province:140400", "city:140000", "county:140400", "unit:0", "unit:-3", "unit:01",
                "nation", "province:", "province:abcdef", "unit:1x", "county:1404041"]:
        r = w.get("individual", scope=bad)
        assert r.status == 400 and error_code(r) == "invalid_scope", (bad, r)
    for bad in ["county:140404", "unit:5", "province:14"]:
        r = w.get("units", scope=bad)
        assert r.status == 400 and error_code(r) == "invalid_scope", (bad, r)
    r = w.get("units", order="rate")
    assert r.status == 400 and error_code(r) == "invalid_order", r
    for board in ["individual", "units", "regions"]:
        r = w.get(board, contest_id=987654321)
        assert r.status == 404 and error_code(r) == "no_contest", r
        r = w.get(board, contest_id="abc")
        assert r.status == 400, r


def test_me_with_and_without_a_score(stack):
    w = World(stack)
    u = w.unit("我的单位", "140403")
    ta, a = w.member(u, "140403", "张三")
    b = w.person(u, "140403", "李四")
    tn, nobody = w.member(u, "140403", "王五")
    w.submit(a, 50, 10)
    w.submit(b, 70, 20)
    w.settle()
    assert w.ok("individual", token=ta)["me"] == {"rank": 2, "score": 50}
    # me is the caller's place on the board asked for, whatever the page
    assert w.ok("individual", token=ta, limit=1)["me"] == {"rank": 2, "score": 50}
    assert w.ok("individual", token=ta, scope="county:140403")["me"] == {"rank": 2, "score": 50}
    assert w.ok("individual", token=ta, scope="province:320000")["me"] is None
    # registered, never answered: no rank, and the board is served as usual
    j = w.ok("individual", token=tn)
    assert j["me"] is None and j["total"] == 2
    # no token or a bad one: public, me null
    assert w.ok("individual")["me"] is None
    assert w.ok("individual", token="not-a-valid-token-at-all-xxxxx")["me"] is None



# ---- GET /me and GET /units/{id} ----

def me_stats(stack, token, cid):
    r = stack.get("me?contest_id=%d" % cid, token=token)
    assert r.status == 200, r
    return r.json["stats"]


def unit_page(stack, unit, cid):
    r = stack.get("units/%d?contest_id=%d" % (unit, cid))
    assert r.status == 200, r
    return r.json["unit"]


def test_me_and_unit_pages_show_the_national_places(stack):
    """stats.rank of GET /me and rank of GET /units/{id} are the places the
    national boards show; null without a score."""
    w = World(stack)
    first = w.unit("名次一局", "140403")
    second = w.unit("名次二局", "140105")
    idle = w.unit("无人作答局", "140403")
    ta, a = w.member(first, "140403", "张三")
    tb, b = w.member(second, "140105", "李四")
    tn, nobody = w.member(idle, "140403", "王五")
    c = w.person(first, "140403", "赵六")
    f = w.person(second, "320102", "钱七", kind="five_into")    # counts for its sponsor
    w.submit(a, 60, 10)
    w.submit(b, 90, 20)
    w.submit(c, 60, 5)          # a's score, reached earlier: above a
    w.submit(f, 80, 30)
    w.settle()
    people = {e["user_id"]: e["rank"] for e in w.all_people()}
    assert people == {b: 1, f: 2, c: 3, a: 4}, people
    for tok, uid in ((ta, a), (tb, b)):
        st = me_stats(stack, tok, w.id)
        assert st["rank"] == people[uid] == w.ok("individual", token=tok)["me"]["rank"], (uid, st)
    units = {e["unit_id"]: e for e in w.ok("units")["entries"]}
    assert [units[u]["rank"] for u in (second, first)] == [1, 2], units       # 170, 120
    for u in (first, second):
        page = unit_page(stack, u, w.id)
        assert page["rank"] == units[u]["rank"] and page["score"] == units[u]["score"], page
    # registered, never answered; a unit nobody answered for
    st = me_stats(stack, tn, w.id)
    assert st["rank"] is None and st["score"] is None, st
    assert unit_page(stack, idle, w.id)["rank"] is None
    # the places move with the boards
    w.submit(a, 100, 40)
    w.submit(c, 75, 50)         # first: 175 passes second's 170
    w.settle()
    assert me_stats(stack, ta, w.id)["rank"] == 1
    assert me_stats(stack, tb, w.id)["rank"] == 2
    assert unit_page(stack, first, w.id)["rank"] == 1
    assert unit_page(stack, second, w.id)["rank"] == 2


def wait_boards_equal_mariadb(stack, cid, timeout=60):
    """Until `quizd check-boards` finds no difference for the contest."""
    end = time.time() + timeout
    while True:
        r = stack.quizd("check-boards", str(cid))
        if r.returncode == 0:
            return
        assert time.time() < end, r.stdout.decode()[-800:] + r.stderr.decode()[-400:]
        time.sleep(0.2)


def test_me_rank_after_a_submit_and_while_redis_is_down(stack):
    """After a real submit GET /me shows the place the submit and the board
    give; with Redis stopped GET /me and GET /units/{id} still answer 200,
    rank null."""
    from quiz_helpers import (IN_MAIN, answer_key, contest_id, demo_unit, ensure_bank, registered,
                              reset_seeded_contests)
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)
    try:
        cid = contest_id(stack, "shuian")
        tok, uid = registered(stack, name="名次")
        tn, _ = registered(stack, name="未答")
        unit = demo_unit(stack)
        a = stack.post("attempts", {"contest_id": cid}, token=tok)
        assert a.status in (200, 201), a
        r = stack.post("attempts/%d/submit" % a.json["attempt_id"], {"answers": answer_key(stack, a.json)},
                       token=tok)
        assert r.status == 200 and isinstance(r.json["rank"], int), r
        # other tests' submits and corrections of this contest are on the
        # boards (check-boards waits for the outbox and compares the boards
        # with MariaDB; a lowered score is on them after its rebuild): the
        # places hold still
        wait_boards_equal_mariadb(stack, cid)
        st = me_stats(stack, tok, cid)
        assert st["score"] == r.json["contest_score"] and isinstance(st["rank"], int), st
        b = stack.get("leaderboards/individual?contest_id=%d&offset=%d&limit=1" % (cid, st["rank"] - 1),
                      token=tok)
        assert b.status == 200 and b.json["me"] == {"rank": st["rank"], "score": st["score"]}, (st, b)
        assert [(e["rank"], e["user_id"]) for e in b.json["entries"]] == [(st["rank"], uid)], b
        place = unit_page(stack, unit, cid)["rank"]
        assert isinstance(place, int), place
        u = stack.get("leaderboards/units?contest_id=%d&offset=%d&limit=1" % (cid, place - 1))
        assert u.status == 200 and [(e["rank"], e["unit_id"]) for e in u.json["entries"]] == [(place, unit)], u
        assert me_stats(stack, tn, cid)["rank"] is None

        stack.stop_redis()
        try:
            down = me_stats(stack, tok, cid)
            assert down["rank"] is None and down["score"] == st["score"], down
            assert unit_page(stack, unit, cid)["rank"] is None
        finally:
            stack.start_redis()
        # every worker finds its broken link once and reconnects a second
        # later; the background rebuilds the boards Redis lost
        threads = [threading.Thread(target=stack.get, args=("me",), kwargs={"token": tok}) for _ in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_boards_equal_mariadb(stack, cid)
        # a worker that met the broken link waits a second before it
        # reconnects: wait until sixteen reads in a row (every worker) agree
        end = time.time() + 15
        while time.time() < end and not all(me_stats(stack, tok, cid)["rank"] is not None for _ in range(16)):
            time.sleep(0.1)
        again = me_stats(stack, tok, cid)
        assert again["rank"] == st["rank"], (again, st, stack.quizd("check-boards", str(cid)).stdout[-600:])
    finally:
        stack.set_clock(offset_s=0)

# ---- rebuild and check ----

def test_rebuild_equals_incremental_and_survives_flushall(stack):
    rng = random.Random(6)
    w = World(stack)
    regions = ["140403", "140404", "140105", "320102", "110101"]
    units = [w.unit("单位%d" % i, regions[i % 5], headcount=rng.randrange(1, 30)) for i in range(8)]
    people = []
    for i in range(30):
        u = rng.choice(units)
        kind = "five_into" if i % 7 == 0 else "staff"
        people.append(w.person(u, rng.choice(regions), "众" + str(i), kind=kind))
    crowd(w, people, 90, rng)
    w.settle()
    # incremental (the apply script) against MariaDB (the rebuild's model),
    # and against the test's own model
    code, out = w.check()
    assert code == 0 and "0 difference(s)" in out, out
    w.assert_boards_match_model()
    before = w.snapshot()
    assert len(before["people"]) == len({p[1] for p in before["people"]}) == len(w.model().scores) > 20

    # Redis loses everything: the server finds the boards missing and rebuilds
    assert stack.redis("FLUSHALL") == "OK"
    end = time.time() + 20
    while w.get("individual").status != 200:
        assert time.time() < end, "boards were not rebuilt after FLUSHALL"
        time.sleep(0.05)
    assert w.snapshot() == before
    code, out = w.check()
    assert code == 0, out
    w.assert_boards_match_model()
    ver = int(stack.redis("GET", "{c%d}:ver" % w.id))

    # the command rebuilds into a new version and swaps it in
    r = stack.quizd("rebuild-boards", str(w.id))
    assert r.returncode == 0 and b"rebuilt" in r.stdout, r
    assert w.snapshot() == before
    assert int(stack.redis("GET", "{c%d}:ver" % w.id)) > ver
    # nothing of older versions is left
    keys = stack.redis("--scan", "--pattern", "{c%d}:v*" % w.id).split("\n")
    live = stack.redis("GET", "{c%d}:ver" % w.id)
    assert all(k.startswith("{c%d}:v%s:" % (w.id, live)) or k == "{c%d}:ver" % w.id for k in keys), keys


def test_check_finds_and_lists_differences(stack):
    w = World(stack)
    u = w.unit("核对单位", "140403")
    ta, a = w.member(u, "140403", "张三")
    b = w.person(u, "140403", "李四")
    w.submit(a, 50, 10)
    w.submit(b, 60, 10)
    w.settle()
    assert w.check()[0] == 0
    live = stack.redis("GET", "{c%d}:ver" % w.id)
    p = "{c%d}:v%s:" % (w.id, live)
    stack.redis("ZADD", p + "p:n", "1", str(a))             # a wrong score
    stack.redis("HINCRBY", p + "u:%d" % u, "s", "7")        # a wrong total
    stack.redis("ZADD", p + "p:x:999999", "5", "12345")     # a board that should not exist
    stack.redis("ZREM", p + "p:u:%d" % u, str(b))           # someone missing
    code, out = w.check()
    assert code == 1, out
    assert "p:n: member %d is" % a in out, out
    assert "u:%d: field s is" % u in out, out
    assert "p:x:999999: should not be there" in out, out
    assert "p:u:%d: member %d missing" % (u, b) in out, out
    # an organizer asks for a rebuild: any server's background does it
    from quiz_helpers import organizer_token
    tok = organizer_token(stack)
    r = stack.post("admin/boards/rebuild", {"contest_id": w.id}, token=tok)
    assert r.status == 202 and r.json == {"contest_id": w.id, "state": "queued"}, r
    end = time.time() + 20
    while True:
        s = stack.get("admin/boards/rebuild?contest_id=%d" % w.id, token=tok).json
        if s["state"] == "done" and not s["queued"] and s["version"] > int(live):
            break
        assert time.time() < end, s
        time.sleep(0.1)
    assert s["people"] == 2 and s["units"] == 1 and s["done"] == s["total"] == 2, s
    assert w.check()[0] == 0
    # only organizers
    r = stack.post("admin/boards/rebuild", {"contest_id": w.id}, token=ta)
    assert r.status == 403, r
    assert stack.post("admin/boards/rebuild", {"contest_id": w.id}).status == 401
    r = stack.post("admin/boards/rebuild", {"contest_id": 987654321}, token=tok)
    assert r.status == 404 and error_code(r) == "no_contest", r


def test_rebuild_while_submits_keep_coming(stack):
    """Submits accepted during a rebuild are journaled and replayed before
    the swap: none is missing from the boards swapped in. The submitter
    goes through the real routes; its errors fail the test, and some of its
    submits are shown to have been accepted while a rebuild was running."""
    w = World(stack)
    units = [w.unit("并发%d" % i, "140403", headcount=50) for i in range(5)]
    # 30,000 people already on the board (written in bulk: the load the
    # rebuild reads, not the path under test), so a rebuild takes a while
    base = 300_000_000 + random.randrange(1_000_000) * 100
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
              " kind, unit_id, board_unit_id, created_at, updated_at)"
              " SELECT %d + seq, CONCAT('人', seq), '140403', '140000', '140400', '140403', 'staff',"
              " ELT(1 + seq %% 5, %s), ELT(1 + seq %% 5, %s), 0, 0 FROM seq_1_to_30000"
              % (base, ",".join(map(str, units)), ",".join(map(str, units))))
    stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
              " first_submitted_at) SELECT %d, %d + seq, (seq * 7) %% 101, %d + seq, 1, %d FROM seq_1_to_30000"
              % (w.id, base, START, START))
    assert stack.quizd("rebuild-boards", str(w.id)).returncode == 0
    live = [w.person(units[i % 5], "140404", "新" + "甲乙丙丁戊己庚辛"[i]) for i in range(8)]
    stop, errors, accepted = [], [], []      # accepted: (time before, time after) of each submit
    rng = random.Random(7)

    def submitter():
        t = 100000
        try:
            while not stop:
                t += 1
                t0 = time.time()
                w.submit(rng.choice(live), rng.randrange(0, 21) * 5, t)
                accepted.append((t0, time.time()))
        except Exception as e:                   # kept: a dead submitter fails the test
            errors.append(repr(e))
    th = threading.Thread(target=submitter)
    th.start()
    rebuilds = []
    try:
        for _ in range(3):
            t0 = time.time()
            r = stack.quizd("rebuild-boards", str(w.id))
            rebuilds.append((t0, time.time()))
            assert r.returncode == 0, r
            assert th.is_alive(), errors
    finally:
        stop.append(1)
        th.join(60)
    assert not errors, errors
    during = [s for s in accepted if any(r0 < s[0] and s[1] < r1 for r0, r1 in rebuilds)]
    assert during, ("no submit was accepted while a rebuild ran", rebuilds, accepted[:5])
    w.settle()
    code, out = w.check()
    assert code == 0, out
    # the live people's places, against the test's own model of them
    m = w.model()
    for uid in live:
        if uid in m.scores:
            assert w.ok("individual", token=w.people[uid]["token"], limit=1)["me"]["score"] == m.scores[uid][0]


def test_rebuild_writes_skip_lists_with_nothing_extra(stack):
    """A rebuild of a few thousand people (a national board past one bulk
    ZADD, unit boards past the stream's buffers): every board equals
    MariaDB, every sorted set of the new version was created as a skip
    list (the placeholder member that makes Redis skip the listpack), and
    no placeholder, nor any member longer than an id, is left behind."""
    w = World(stack)
    units = [w.unit("编码%d" % i, "140403", headcount=500) for i in range(3)]
    base = 310_000_000 + random.randrange(1_000_000) * 100
    n = 4500
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
              " kind, unit_id, board_unit_id, created_at, updated_at)"
              " SELECT %d + seq, CONCAT('人', seq), IF(seq %% 2, '140403', '140105'), '140000',"
              " IF(seq %% 2, '140400', '140100'), IF(seq %% 2, '140403', '140105'), 'staff',"
              " ELT(1 + seq %% 3, %s), ELT(1 + seq %% 3, %s), 0, 0 FROM seq_1_to_%d"
              % (base, ",".join(map(str, units)), ",".join(map(str, units)), n))
    stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
              " first_submitted_at) SELECT %d, %d + seq, (seq * 7) %% 101, %d + seq %% 97, 1, %d"
              " FROM seq_1_to_%d" % (w.id, base, START, START, n))
    r = stack.quizd("rebuild-boards", str(w.id))
    assert r.returncode == 0 and b"%d people" % n in r.stdout, r
    code, out = w.check()
    assert code == 0 and "0 difference(s)" in out, out
    live = stack.redis("GET", "{c%d}:ver" % w.id)
    keys = [k for k in stack.redis("--scan", "--pattern", "{c%d}:v%s:*" % (w.id, live)).split("\n") if k]
    zsets = [k for k in keys if stack.redis("TYPE", k) == "zset"]
    assert "{c%d}:v%s:p:n" % (w.id, live) in zsets and len(zsets) > 10, keys
    for k in zsets:
        assert stack.redis("OBJECT", "ENCODING", k) == "skiplist", k
        members = stack.redis("ZRANGE", k, "0", "-1").split("\n")
        assert members and all(0 < len(m) <= 20 for m in members), (k, [m for m in members if len(m) > 20])
    assert stack.redis("ZCARD", "{c%d}:v%s:p:n" % (w.id, live)) == str(n)
    assert stack.redis("ZCARD", "{c%d}:v%s:p:u:%d" % (w.id, live, units[0])) == str(n // 3)


def test_crowd_simulator_then_check_and_flush(stack):
    """People through the real routes (scripts/crowd.py: login, registration,
    attempts, submits): the boards equal MariaDB, also after FLUSHALL."""
    import subprocess
    import sys
    from quiz_helpers import IN_MAIN, contest_id, ensure_bank, reset_seeded_contests
    ensure_bank(stack)
    reset_seeded_contests(stack)
    cid = contest_id(stack, "shuian")
    # registration and answering in one run: keep registration open
    stack.sql("UPDATE contests SET registration_deadline = ends_at WHERE id = %d" % cid)
    stack.set_clock(iso=IN_MAIN)
    try:
        r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "..", "scripts",
                                                         "crowd.py"), "--base", stack.base, "--users", "40",
                            "--concurrency", "16", "--duration", "8", "--think-ms", "5",
                            "--contest-id", str(cid)], capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr.decode()[-2000:]
    finally:
        reset_seeded_contests(stack)
    n = int(stack.sql("SELECT COUNT(*) FROM contest_scores WHERE contest_id = %d" % cid)[0][0])
    assert n >= 20, (n, r.stderr.decode()[-2000:])
    check = stack.quizd("check-boards", str(cid))
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()

    def everything():
        out = []
        for board, extra in [("individual", "limit=100"), ("units", "limit=100"),
                             ("units", "limit=100&order=participation"), ("regions", "level=county")]:
            out.append(get_until_ok(stack, "leaderboards/%s?contest_id=%d&%s" % (board, cid, extra)).json)
        return out
    before = everything()
    assert before[0]["total"] == n
    stack.redis("FLUSHALL")
    end = time.time() + 20
    while stack.get("leaderboards/individual?contest_id=%d" % cid).status != 200:
        assert time.time() < end
        time.sleep(0.05)
    assert everything() == before
    check = stack.quizd("check-boards", str(cid))
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()


# ---- Redis going away ----

def test_redis_restarts_while_submits_continue(stack):
    """The boards catch up by themselves, and no submit fails for it."""
    from quiz_helpers import IN_MAIN, answer_key, contest_id, ensure_bank, registered, reset_seeded_contests
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)
    cid = contest_id(stack, "shuian")
    users = [registered(stack, name="赛" + str(i)) for i in range(4)]
    attempts = []
    for tok, uid in users:
        a = stack.post("attempts", {"contest_id": cid}, token=tok)
        assert a.status in (200, 201), a
        attempts.append(a.json)
    # one submit with Redis up: its reply's rank is the board's
    tok, uid = users[0]
    r = stack.post("attempts/%d/submit" % attempts[0]["attempt_id"], {"answers": answer_key(stack, attempts[0])},
                   token=tok)
    assert r.status == 200 and isinstance(r.json["rank"], int), r
    b = stack.get("leaderboards/individual?contest_id=%d" % cid, token=tok)
    assert b.status == 200, b
    assert b.json["me"] == {"rank": r.json["rank"], "score": r.json["contest_score"]}, (b.json, r.json)

    # meanwhile a crowd answers another contest through the real routes
    w = World(stack)
    unit = w.unit("断线单位", "140403")
    crowd_people = [w.person(unit, "140403", "断" + "甲乙丙丁戊己"[i]) for i in range(6)]
    w.settle()
    stop, errors, rng = [], [], random.Random(9)
    landed = []                                 # (Redis up?, reply) of every crowd submit

    def submitter():
        t = 0
        try:
            while not stop:
                t += 3
                up = stack.procs.get("redis") is not None and stack.procs["redis"].poll() is None
                landed.append((up, w.submit(rng.choice(crowd_people), rng.randrange(0, 21) * 5, t)))
        except Exception as e:                 # kept: a dead submitter fails the test
            errors.append(repr(e))

    def wait(cond, what, timeout=20):
        end = time.time() + timeout
        while not cond():
            assert time.time() < end, what
            assert not errors, errors
            time.sleep(0.02)
    th = threading.Thread(target=submitter)
    th.start()
    try:
        wait(lambda: len(landed) >= 3, "the crowd's first submits")
        stack.stop_redis()
        try:
            n = len(landed)
            wait(lambda: len(landed) >= n + 3, "crowd submits with Redis down")
            for i in (1, 2):
                tok, uid = users[i]
                r = stack.post("attempts/%d/submit" % attempts[i]["attempt_id"],
                               {"answers": answer_key(stack, attempts[i])}, token=tok)
                assert r.status == 200 and r.json["rank"] is None, r
            r = w.get("individual")
            assert r.status == 503 and error_code(r) == "boards_unavailable", r
            assert r.header("Retry-After"), r.headers
        finally:
            stack.start_redis()
        wait(lambda: stack.get("/api/v1/healthz").json.get("redis") == "up", "Redis back in /healthz")
        tok, uid = users[3]
        r = stack.post("attempts/%d/submit" % attempts[3]["attempt_id"], {"answers": answer_key(stack, attempts[3])},
                       token=tok)
        assert r.status == 200, r
        n = len(landed)
        wait(lambda: len(landed) >= n + 3, "crowd submits after Redis came back")
    finally:
        stop.append(1)
        th.join(60)
    assert not errors, errors
    assert any(not up for up, _ in landed), "no crowd submit was made while Redis was down"
    w.settle()
    assert w.check()[0] == 0
    w.assert_boards_match_model()
    r = stack.quizd("check-boards", str(cid))
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    # everyone who submitted is on the main contest's board
    for tok, uid in users:
        # each server worker finds its own Redis connection broken once and
        # reconnects within a second: until then its reads are 503
        b = get_until_ok(stack, "leaderboards/individual?contest_id=%d" % cid, token=tok)
        assert b.status == 200 and b.json["me"] is not None and b.json["me"]["rank"] >= 1, b


# ---- two servers ----

def fcgi_get(sock_path, path, query):
    """GET through one server's FastCGI socket, past nginx: (status, body)."""
    return fcgi_call(sock_path, "GET", path, query)


def test_two_servers_serve_the_same_boards(stack):
    """Two servers behind one nginx: submits through nginx land on either;
    both serve the same boards, equal to the test's model, and a submit
    made through one server's own socket shows on the other's."""
    two = stack.factory(servers=2)
    two.start()
    try:
        w = World(two)
        units = [w.unit("双服%d" % i, "140403") for i in range(3)]
        people = [w.person(units[i % 3], "140404", "双" + "甲乙丙丁戊己庚辛壬癸"[i]) for i in range(10)]
        crowd(w, people, 40, random.Random(11), top=95)
        w.settle()
        assert w.check()[0] == 0
        w.assert_boards_match_model()
        socks = [os.path.join(two.dir, "quizd%d.sock" % i) for i in range(2)]
        for path, query in [("individual", "limit=50"), ("individual", "scope=unit:%d" % units[1]),
                            ("units", "order=participation"), ("regions", "level=county")]:
            query = "contest_id=%d&%s" % (w.id, query)
            answers = [fcgi_call(sock, "GET", "/api/v1/leaderboards/" + path, query) for sock in socks]
            assert answers[0][0] == 200 and answers[0] == answers[1], (path, answers)
        # a submit made on server 0 itself (start and submit past nginx)
        # is first on server 1's board at once: the submit applies its own
        # outbox row before it replies
        import json
        from quiz_helpers import answer_key
        from boards_helpers import START, set_time
        tok, star = w.member(units[0], "140404", "欧阳娜娜")
        set_time(two, START + 200000)
        st, body = fcgi_call_auth(socks[0], "POST", "/api/v1/attempts", tok, {"contest_id": w.id})
        assert st == 201, body
        a = json.loads(body)
        st, body = fcgi_call_auth(socks[0], "POST", "/api/v1/attempts/%d/submit" % a["attempt_id"], tok,
                                  {"answers": answer_key(two, a)})
        assert st == 200 and json.loads(body)["score"] == 100 and json.loads(body)["rank"] == 1, body
        # at once: the very next read, on the other server, with no wait
        st, body = fcgi_call(socks[1], "GET", "/api/v1/leaderboards/individual", "contest_id=%d&limit=1" % w.id)
        assert st == 200 and json.loads(body)["entries"][0]["user_id"] == star, body
        w.settle()
        # the servers' own logs show one rebuild per contest, not one each
        rebuilt = sum(two.server_log(i).count("rebuilt contest %d " % w.id) for i in range(2))
        assert rebuilt == 1, rebuilt
    finally:
        two.stop()


def fcgi_call_auth(sock, method, path, token, body):
    """A JSON request with a bearer token through one server's socket."""
    import json
    import socket as socketmod
    import struct as structmod
    data = json.dumps(body).encode()

    def rec(t, content):
        return structmod.pack(">BBHHBB", 1, t, 1, len(content), 0, 0) + content

    def pair(k, v):
        def n(x):
            return bytes([len(x)]) if len(x) < 128 else structmod.pack(">I", len(x) | 0x80000000)
        return n(k) + n(v) + k + v
    env = [(b"REQUEST_METHOD", method.encode()), (b"REQUEST_URI", path.encode()), (b"QUERY_STRING", b""),
           (b"REMOTE_ADDR", b"127.0.0.1"), (b"CONTENT_TYPE", b"application/json"),
           (b"CONTENT_LENGTH", str(len(data)).encode()), (b"HTTP_AUTHORIZATION", ("Bearer " + token).encode())]
    params = b"".join(pair(k, v) for k, v in env)
    s = socketmod.socket(socketmod.AF_UNIX)
    s.settimeout(30)
    s.connect(sock)
    s.sendall(rec(1, structmod.pack(">HB5x", 1, 0)) + rec(4, params) + rec(4, b"") + rec(5, data) + rec(5, b""))
    raw = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    s.close()
    out, i = b"", 0
    while i + 8 <= len(raw):
        _, t, _, clen, plen, _ = structmod.unpack(">BBHHBB", raw[i:i + 8])
        if t == 6:
            out += raw[i + 8:i + 8 + clen]
        i += 8 + clen + plen
    head, _, rbody = out.partition(b"\r\n\r\n")
    status = 200
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = int(line.split()[1])
    return status, rbody


# ---- stats ----

def test_stats_for_organizers(stack):
    """GET /admin/stats counted from what this test made: its people and
    units live in a county no other test uses, so an organizer of that
    county sees exactly them; the contest is the test's own. A correction
    that rescores an attempt adds no attempt to any day."""
    from quiz_helpers import SEED_BANK, organizer_token
    w = World(stack)
    county = stack.sql("SELECT code FROM regions WHERE level = 3 AND code LIKE '14%%' AND code NOT IN"
                       " (SELECT county_code FROM units WHERE county_code IS NOT NULL) AND code NOT IN"
                       " (SELECT county_code FROM profiles WHERE county_code IS NOT NULL)"
                       " ORDER BY RAND() LIMIT 1")[0][0]
    u = w.unit("统计单位", county)
    w.unit("统计无人单位", county)
    (ta, a), b = w.member(u, county, "统一"), w.person(u, county, "统二")
    w.person(u, county, "统三")                                  # registered, never answers
    day1, day2 = "2024-06-11", "2024-06-12"
    w.submit(a, 50, 10)                                           # day 1
    w.submit(a, 60, 86400 + 10)                                   # day 2
    w.submit(b, 10, 86400 + 20)                                   # day 2
    w.settle()
    tok = organizer_token(stack, area=county)

    def stats():
        stack.redis("DEL", "{c%d}:stats:%s" % (w.id, county))     # the few seconds' cache
        r = stack.get("admin/stats?contest_id=%d" % w.id, token=tok)
        assert r.status == 200, r
        return r.json
    j = stats()
    assert j["area"] == county, j
    assert j["totals"] == {"registrations": 3, "units": 2, "participants": 2, "attempts": 3}, j["totals"]
    days = {d["date"]: d for d in j["series"]}
    # registrations on the day people registered (boards_helpers.REGISTER_AT, 06-11 04:00)
    assert days[day1]["registrations"] == 3 and days[day1]["participants"] == 1 and days[day1]["attempts"] == 1, days
    assert days[day2]["participants"] == 1 and days[day2]["attempts"] == 2, days
    assert sum(d["attempts"] for d in j["series"]) == 3, j["series"]

    # a correction of a question b answered rescores b's attempt (an outbox
    # row of its own): still three attempts, two on day 2
    org = organizer_token(stack)
    aid = w.replies[2]["attempt_id"]
    shown = w.papers[2]["questions"][19]           # boards_helpers answers the last ones right
    qid, stem = shown["id"], shown["stem"]
    old = "".join(chr(65 + i) for i in SEED_BANK.rows[stem][2])
    if SEED_BANK.rows[stem][0] == "multiple":
        new = "AB" if old != "AB" else "AC"
    else:
        new = "A" if old != "A" else "B"
    from boards_helpers import START, set_time
    set_time(stack, START + 86400 + 3600)                           # on day 2
    try:
        r = stack.put("admin/questions/%d" % qid, {"answer": new}, token=org)
        assert r.status == 200 and r.json["attempts_rescored"] >= 1, r
    finally:
        r = stack.put("admin/questions/%d" % qid, {"answer": old}, token=org)
        assert r.status == 200, r
    rescored = int(stack.sql("SELECT COUNT(*) FROM board_outbox WHERE contest_id = %d AND attempt_id < 0"
                             % w.id)[0][0])
    assert rescored >= 1, "the correction rescored none of this contest's attempts (attempt %d)" % aid
    j = stats()
    assert j["totals"]["attempts"] == 3, j["totals"]
    days = {d["date"]: d for d in j["series"]}
    assert days[day1]["attempts"] == 1 and days[day2]["attempts"] == 2, days
    # an organizer of another area sees none of these people
    far = organizer_token(stack, area="320000")
    j2 = stack.get("admin/stats?contest_id=%d" % w.id, token=far).json
    assert j2["totals"]["participants"] == 0 and j2["area"] == "320000", j2
    # not for the public or for mini-program users
    assert stack.get("admin/stats?contest_id=%d" % w.id).status == 401
    assert stack.get("admin/stats?contest_id=%d" % w.id, token=ta).status == 403
