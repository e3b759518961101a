"""The console's organizer accounts and audit (issue 10, part 1): the
organizer commands, each recorded; a disabled organizer's or reset
password's sessions end at once, even while Redis still holds a copy;
GET /admin/audit for nationwide organizers, with filters and paging; and
organizer areas on the console's area-bound routes."""
import hashlib
import json

from console_helpers import (PASSWORD, SHANXI, HEBEI, SHANGDANG, SHIJIAZHUANG, organizer, unit, q,
                             error_code, count, audit_rows)

__order__ = 45


def test_organizer_commands_are_recorded(stack):
    tok, name = organizer(stack, SHANXI)
    r = stack.get("admin/units", token=tok)
    assert r.status == 200, r
    row = stack.sql("SELECT actor, after_json FROM audit_log WHERE action = 'organizer.add'"
                    " AND target_id = (SELECT id FROM organizers WHERE username = %s)" % q(name))
    assert row and row[0][0] == "cli", row
    after = json.loads(row[0][1])
    assert after["username"] == name and after["area"] == SHANXI and "password" not in row[0][1], after

    p = stack.quizd("organizer-list")
    assert p.returncode == 0, p
    line = [ln for ln in p.stdout.decode().splitlines() if "\t%s\t" % name in ln]
    assert line and SHANXI in line[0] and "enabled" in line[0] and "1 sessions" in line[0], p.stdout

    # a bad area or user name is refused and writes nothing
    before = count(stack, "SELECT COUNT(*) FROM organizers")
    for args in (["organizer-add", "x"], ["organizer-add", "okname1", "--area", "12345"],
                 ["organizer-add", "okname2", "--area", "999999"], ["organizer-disable", "nobody-here"]):
        p = stack.quizd(*args, input=(PASSWORD + "\n").encode())
        assert p.returncode == 2, (args, p)
    assert count(stack, "SELECT COUNT(*) FROM organizers") == before


def test_disabled_organizer_sessions_end_at_once(stack):
    tok, name = organizer(stack, "")
    assert stack.get("admin/units", token=tok).status == 200   # cached in Redis now
    n = audit_rows(stack, "organizer.disable")
    p = stack.quizd("organizer-disable", name)
    assert p.returncode == 0, p
    assert audit_rows(stack, "organizer.disable") == n + 1
    r = stack.get("admin/units", token=tok)
    assert r.status == 401 and error_code(r) == "unauthorized", r
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 401, r


def test_disabled_organizer_refused_even_with_a_stale_cache_entry(stack):
    tok, name = organizer(stack, "")
    assert stack.get("admin/units", token=tok).status == 200
    key = "sess:" + hashlib.sha256(tok.encode()).hexdigest()
    cached = stack.redis("GET", key)
    assert cached, "the session is cached"
    p = stack.quizd("organizer-disable", name)
    assert p.returncode == 0, p
    # put the cached copy back, as if the Redis DEL had been lost
    stack.redis("SET", key, cached)
    r = stack.get("admin/units", token=tok)
    assert r.status == 401, r


def test_password_reset_ends_sessions_and_is_recorded(stack):
    tok, name = organizer(stack, "")
    n = audit_rows(stack, "organizer.password")
    p = stack.quizd("organizer-password", name, input=b"another-password-2\n")
    assert p.returncode == 0, p
    assert audit_rows(stack, "organizer.password") == n + 1
    assert stack.get("admin/units", token=tok).status == 401
    r = stack.post("admin/login", {"username": name, "password": "another-password-2"})
    assert r.status == 200, r


def test_audit_is_nationwide_filtered_and_paged(stack):
    nat, _ = organizer(stack, "")
    reg, _ = organizer(stack, SHANXI)
    r = stack.get("admin/audit", token=reg)
    assert r.status == 403 and error_code(r) == "forbidden", r
    u = unit(stack, SHANGDANG)
    for hc in (11, 12, 13):
        r = stack.put("admin/units/%d" % u, {"headcount": hc}, token=nat)
        assert r.status == 200, r
    r = stack.get("admin/audit?target_kind=unit&target_id=%d&limit=2" % u, token=nat)
    assert r.status == 200, r
    j = r.json
    assert j["total"] == 3 and len(j["entries"]) == 2, j
    e = j["entries"][0]
    assert e["action"] == "unit.update" and e["before"]["headcount"] == 12 and e["after"]["headcount"] == 13, e
    assert e["organizer"] and e["source"] == "api" and e["at"].endswith("+08:00"), e
    r = stack.get("admin/audit?target_kind=unit&target_id=%d&limit=2&offset=2" % u, token=nat)
    assert [x["after"]["headcount"] for x in r.json["entries"]] == [11], r
    r = stack.get("admin/audit?action=unit.merge&target_id=%d" % u, token=nat)
    assert r.json["total"] == 0, r
    for bad in ("limit=0", "limit=101", "offset=-1", "action=DROP%20TABLE", "since=yesterday",
                "organizer_id=x", "target_kind=%27"):
        r = stack.get("admin/audit?" + bad, token=nat)
        assert r.status == 400, (bad, r)


def test_area_bound_unit_routes(stack):
    shanxi, _ = organizer(stack, SHANXI)
    hebei, _ = organizer(stack, HEBEI)
    nat, _ = organizer(stack, "")
    ours = unit(stack, SHANGDANG)
    theirs = unit(stack, SHIJIAZHUANG, name="石家庄市%s水务局" % "甲乙丙")
    r = stack.get("admin/units/%d" % theirs, token=shanxi)
    assert r.status == 403 and error_code(r) == "forbidden", r
    r = stack.put("admin/units/%d" % theirs, {"headcount": 5}, token=shanxi)
    assert r.status == 403, r
    r = stack.post("admin/units/%d/merge" % ours, {"into": theirs}, token=shanxi)
    assert r.status == 403, r
    r = stack.get("units/%d/members" % theirs, token=shanxi)
    assert r.status == 403, r
    # moving a unit out of one's own area is refused too
    r = stack.put("admin/units/%d" % ours, {"region_code": SHIJIAZHUANG}, token=shanxi)
    assert r.status == 403, r
    assert stack.sql("SELECT headcount, region_code FROM units WHERE id = %d" % theirs)[0] == ["10", SHIJIAZHUANG]
    ids = [u["id"] for u in stack.get("admin/units?limit=100&q=%E7%94%B2%E4%B9%99%E4%B8%99", token=hebei).json["units"]]
    assert theirs in ids, ids
    listed = stack.get("admin/units?limit=100", token=shanxi).json
    assert all(x["province_code"] == SHANXI for x in listed["units"]), listed
    assert theirs not in [x["id"] for x in listed["units"]]
    assert stack.get("admin/units/%d" % ours, token=shanxi).status == 200
    assert stack.get("admin/units/%d" % theirs, token=nat).status == 200


def test_contest_changes_are_recorded(stack):
    from test_contests import NEW
    from quiz_helpers import ensure_bank
    ensure_bank(stack)
    nat, name = organizer(stack, "")
    n_create, n_update = audit_rows(stack, "contest.create"), audit_rows(stack, "contest.update")
    r = stack.post("admin/contests", NEW, token=nat)
    assert r.status == 201, r
    cid = r.json["contest"]["id"]
    r = stack.put("admin/contests/%d" % cid, {"attempts_per_day": 4}, token=nat)
    assert r.status == 200, r
    assert audit_rows(stack, "contest.create") == n_create + 1
    assert audit_rows(stack, "contest.update") == n_update + 1
    j = stack.get("admin/audit?target_kind=contest&target_id=%d" % cid, token=nat).json
    upd = [e for e in j["entries"] if e["action"] == "contest.update"][0]
    assert upd["organizer"] == name and upd["before"]["attempts_per_day"] == 1 \
        and upd["after"]["attempts_per_day"] == 4, upd
    # a refused change is not recorded
    r = stack.put("admin/contests/%d" % cid, {"attempts_per_day": -4}, token=nat)
    assert r.status == 400, r
    assert audit_rows(stack, "contest.update") == n_update + 1
