"""Organizers correct, verify, disable and merge units (issue 10, part 2):
every field checked as at registration (a bad value is a 400 that writes
nothing), a unit's region change moves it on the boards, only verified
units are ranked by participation rate, and a merge moves members and
scores — `quizd check-boards` then finds no difference."""
import time
import urllib.parse

from boards_helpers import World
from console_helpers import (organizer, unit, q, credit_code, error_code, count, audit_rows,
                             SHANGDANG, SHIJIAZHUANG, HEBEI)

__order__ = 46


def wait_until(fn, what, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def boards_agree(w):
    """The background rebuild ran and the boards match MariaDB."""
    wait_until(lambda: w.check()[0] == 0, "check-boards to agree for contest %d" % w.id)


def row(stack, uid):
    return stack.sql("SELECT name, credit_code, region_code, type, headcount, disabled, verified"
                     " FROM units WHERE id = %d" % uid)[0]


def test_every_bad_field_is_400_and_writes_nothing(stack):
    tok, _ = organizer(stack)
    u = unit(stack, SHANGDANG)
    other = unit(stack, SHANGDANG)
    before, audits = row(stack, u), count(stack, "SELECT COUNT(*) FROM audit_log")
    bad = [({"name": "x"}, "invalid_name"), ({"name": "水利局<script>"}, "invalid_name"),
           ({"name": 12}, "invalid_name"), ({"name": "甲" * 101}, "invalid_name"),
           ({"credit_code": "91140404MA0TEST01Y"}, "invalid_credit_code"),
           ({"credit_code": None}, "invalid_credit_code"),
           ({"region_code": "999999"}, "invalid_region"), ({"region_code": 140404}, "invalid_region"),
           ({"type": "company"}, "invalid_parameter"), ({"type": None}, "invalid_parameter"),
           ({"headcount": 0}, "invalid_parameter"), ({"headcount": "10"}, "invalid_parameter"),
           ({"headcount": 10.5}, "invalid_parameter"), ({"headcount": 10 ** 9}, "invalid_parameter"),
           ({"disabled": "yes"}, "invalid_parameter"), ({"verified": 1}, "invalid_parameter"),
           ({}, "invalid_parameter"), ({"contact_phone": "1"}, "invalid_parameter"),
           # one bad field spoils a good one: nothing is written
           ({"headcount": 99, "type": "bad"}, "invalid_parameter"),
           ({"verified": True, "name": "a"}, "invalid_name")]
    for body, code in bad:
        r = stack.put("admin/units/%d" % u, body, token=tok)
        assert r.status == 400 and error_code(r) == code, (body, r)
    r = stack.request("PUT", "admin/units/%d" % u, raw=b"{bad", token=tok)
    assert r.status == 400 and error_code(r) == "bad_json", r
    # another unit's credit code: 409 with that unit's id
    cc = stack.sql("SELECT credit_code FROM units WHERE id = %d" % other)[0][0]
    r = stack.put("admin/units/%d" % u, {"credit_code": cc, "headcount": 77}, token=tok)
    assert r.status == 409 and r.json["unit_id"] == other, r
    assert row(stack, u) == before
    assert count(stack, "SELECT COUNT(*) FROM audit_log") == audits
    for path in ("admin/units/999999999", "admin/units/0"):
        r = stack.put(path, {"headcount": 3}, token=tok)
        assert r.status == 404 and error_code(r) == "unit_not_found", r


def test_correction_is_recorded_and_applied(stack):
    tok, _ = organizer(stack)
    u = unit(stack, SHANGDANG)
    cc = credit_code()
    n = audit_rows(stack, "unit.update")
    r = stack.put("admin/units/%d" % u, {"name": "长治市上党区水务局（更正）", "credit_code": cc.lower(),
                                          "type": "water_enterprise", "headcount": 55, "verified": True},
                  token=tok)
    assert r.status == 200, r
    got = r.json["unit"]
    assert (got["name"], got["credit_code"], got["type"], got["headcount"], got["verified"]) == \
        ("长治市上党区水务局（更正）", cc, "water_enterprise", 55, True), got
    assert audit_rows(stack, "unit.update") == n + 1
    b, a = stack.sql("SELECT before_json, after_json FROM audit_log WHERE action = 'unit.update'"
                     " AND target_id = %d" % u)[0]
    assert '"headcount":10' in b and '"headcount":55' in a, (b, a)
    # the corrected name is found by search
    r = stack.get("units?q=%s" % urllib.parse.quote("上党区水务局（更正）"))
    assert u in [x["id"] for x in r.json["units"]], r
    # disabled: gone from the public view
    r = stack.put("admin/units/%d" % u, {"disabled": True}, token=tok)
    assert r.status == 200 and r.json["unit"]["disabled"] is True, r
    assert stack.get("units/%d" % u).status == 404


def test_only_verified_units_are_ranked_by_participation(stack):
    tok, _ = organizer(stack)
    w = World(stack)
    ver = w.unit("已核实单位", "140404", headcount=4)
    unv = w.unit("未核实单位", "140404", headcount=2, verified=False)
    w.submit(w.person(ver, "140404", "甲一"), 50, 1)
    w.submit(w.person(unv, "140404", "乙一"), 40, 2)
    w.settle()
    by_rate = [e["unit_id"] for e in w.ok("units", order="participation")["entries"]]
    assert by_rate == [ver], by_rate
    by_score = [e["unit_id"] for e in w.ok("units")["entries"]]
    assert by_score == [ver, unv], by_score
    assert w.check()[0] == 0, w.check()
    r = stack.put("admin/units/%d" % unv, {"verified": True}, token=tok)
    assert r.status == 200, r
    wait_until(lambda: [e["unit_id"] for e in w.ok("units", order="participation")["entries"]] == [unv, ver],
               "the verified unit on the participation board")
    boards_agree(w)
    # a submit applied live keeps the rule too
    unv2 = w.unit("又一未核实单位", "140404", headcount=1, verified=False)
    w.submit(w.person(unv2, "140404", "丙一"), 5, 3)
    w.settle()
    assert unv2 not in [e["unit_id"] for e in w.ok("units", order="participation")["entries"]]
    assert unv2 in [e["unit_id"] for e in w.ok("units")["entries"]]
    assert w.check()[0] == 0, w.check()


def test_region_change_moves_the_unit_on_the_boards(stack):
    tok, _ = organizer(stack)
    w = World(stack)
    u = w.unit("搬迁单位", "140404", headcount=3)
    stay = w.unit("留下单位", "140404", headcount=3)
    w.submit(w.person(u, "140404", "甲二"), 60, 1)
    w.submit(w.person(stay, "140404", "乙二"), 30, 2)
    w.settle()
    assert [e["unit_id"] for e in w.ok("units", scope="province:140000")["entries"]] == [u, stay]
    r = stack.put("admin/units/%d" % u, {"region_code": SHIJIAZHUANG}, token=tok)
    assert r.status == 200 and r.json["unit"]["province_code"] == HEBEI, r
    wait_until(lambda: [e["unit_id"] for e in w.ok("units", scope="province:130000")["entries"]] == [u],
               "the unit on Hebei's board")
    assert [e["unit_id"] for e in w.ok("units", scope="province:140000")["entries"]] == [stay]
    provinces = {e["region_code"]: e["score"] for e in w.ok("regions", level="province")["entries"]}
    assert provinces == {"130000": 60, "140000": 30}, provinces
    boards_agree(w)


def test_merge_moves_members_and_scores(stack):
    tok, _ = organizer(stack)
    w = World(stack)
    dup = w.unit("重复单位", "140404", headcount=5)
    keep = w.unit("保留单位", "140404", headcount=5)
    s1 = w.person(dup, "140404", "甲三")
    f1 = w.person(dup, "140404", "乙三", kind="five_into")
    s2 = w.person(keep, "140404", "丙三")
    w.submit(s1, 50, 1)
    w.submit(f1, 20, 2)
    w.submit(s2, 30, 3)
    w.settle()
    # the duplicate's admin loses the role with the merge
    tok_admin, admin = stack.login()
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = %d WHERE id = %d" % (dup, admin["id"]))
    n = audit_rows(stack, "unit.merge")
    r = stack.post("admin/units/%d/merge" % dup, {"into": keep}, token=tok)
    assert r.status == 200 and r.json["members_moved"] == 2, r
    assert audit_rows(stack, "unit.merge") == n + 1
    assert stack.sql("SELECT unit_id, board_unit_id FROM profiles WHERE user_id = %d" % s1)[0] == [str(keep)] * 2
    assert stack.sql("SELECT sponsor_unit_id, board_unit_id FROM profiles WHERE user_id = %d" % f1)[0] == [str(keep)] * 2
    assert stack.sql("SELECT roles, IFNULL(admin_unit_id, 0) FROM users WHERE id = %d" % admin["id"])[0] == ["1", "0"]
    me = stack.get("me", token=tok_admin).json
    assert "unit_admin" not in me["roles"], me
    g = stack.get("units/%d" % dup).json["unit"]
    assert g["merged_into"] == keep, g
    wait_until(lambda: [(e["unit_id"], e["score"], e["participants"]) for e in w.ok("units")["entries"]]
               == [(keep, 100, 3)], "the merged totals on the unit board")
    boards_agree(w)
    k = stack.get("units/%d?contest_id=%d" % (keep, w.id)).json["unit"]
    assert (k["members"], k["score"], k["participants"]) == (3, 100, 3), k

    # refusals: itself, from a merged unit, into a merged one (a circle),
    # into a disabled one, into nothing
    other = w.unit("另一单位", "140404")
    off = w.unit("停用单位", "140404")
    stack.sql("UPDATE units SET disabled = 1 WHERE id = %d" % off)
    cases = [(keep, {"into": keep}, 400, "invalid_merge"),
             (dup, {"into": other}, 409, "merge_refused"),
             (keep, {"into": dup}, 409, "merge_circle"),
             (other, {"into": off}, 409, "merge_refused"),
             (other, {"into": 999999999}, 404, "unit_not_found"),
             (other, {"into": "1"}, 400, "invalid_parameter"),
             (other, {}, 400, "invalid_parameter")]
    for src, body, status, code in cases:
        r = stack.post("admin/units/%d/merge" % src, body, token=tok)
        assert r.status == status and error_code(r) == code, (src, body, r)
    assert audit_rows(stack, "unit.merge") == n + 1
    assert stack.sql("SELECT IFNULL(merged_into, 0) FROM units WHERE id = %d" % keep)[0][0] == "0"
