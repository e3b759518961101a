"""Events: the seeded public lecture, organizers creating and changing
events, the check-in code (scene e=<id>, cached like the unit codes),
check-ins before, inside and after a session, twice, by someone
unregistered, and the attendance a unit records (own members only)."""
import datetime
import secrets
import struct

from reports_helpers import SqlWorld as World, q, user_token
from reports_helpers import organizer, unit_admin

__order__ = 56

LECTURE = [("2024-06-16T09:00:00+08:00", "2024-06-16T11:30:00+08:00"),
           ("2024-06-16T14:30:00+08:00", "2024-06-16T16:30:00+08:00")]


def sessions(pairs):
    return [{"starts_at": a, "ends_at": b} for a, b in pairs]


def make_event(stack, tok, title=None, pairs=LECTURE):
    r = stack.post("admin/events", {"title": title or "讲座" + secrets.token_hex(3),
                                    "sessions": sessions(pairs), "watch_url": "https://live.example.org/x"},
                   token=tok)
    assert r.status == 201, r
    return r.json["event"]


def test_seeded_lecture_is_listed(stack):
    r = stack.get("events")
    assert r.status == 200 and "server_time" in r.json, r
    lec = [e for e in r.json["events"] if e["title"] == "水利安全生产公益讲座"]
    assert len(lec) == 1, r.json
    e = lec[0]
    assert [(s["starts_at"], s["ends_at"]) for s in e["sessions"]] == LECTURE, e
    assert e["starts_at"] == LECTURE[0][0] and e["ends_at"] == LECTURE[1][1]
    assert set(e) >= {"id", "title", "starts_at", "ends_at", "watch_url", "status"}


def test_organizers_create_and_change_events(stack):
    tok, _ = organizer(stack)
    ev = make_event(stack, tok, "安全讲座甲")
    assert ev["title"] == "安全讲座甲" and len(ev["sessions"]) == 2 and ev["watch_url"].startswith("https://")
    r = stack.put("admin/events/%d" % ev["id"], {"title": "安全讲座乙"}, token=tok)
    assert r.status == 200 and r.json["event"]["title"] == "安全讲座乙", r
    assert r.json["event"]["sessions"] == ev["sessions"]          # left out: kept
    r = stack.put("admin/events/%d" % ev["id"], {"sessions": sessions(LECTURE[:1])}, token=tok)
    assert r.status == 200 and len(r.json["event"]["sessions"]) == 1, r
    listed = [e for e in stack.get("events").json["events"] if e["id"] == ev["id"]]
    assert listed and listed[0]["title"] == "安全讲座乙" and listed[0]["ends_at"] == LECTURE[0][1], listed
    bad = [({"sessions": sessions(LECTURE)}, "invalid_title"),
           ({"title": "", "sessions": sessions(LECTURE)}, "invalid_title"),
           ({"title": "x", "sessions": []}, "invalid_sessions"),
           ({"title": "x", "sessions": sessions([LECTURE[1], LECTURE[0]])}, "invalid_sessions"),
           ({"title": "x", "sessions": sessions([(LECTURE[0][1], LECTURE[0][0])])}, "invalid_sessions"),
           ({"title": "x", "sessions": [{"starts_at": "tomorrow", "ends_at": "later"}]}, "invalid_sessions"),
           ({"title": "x", "sessions": sessions(LECTURE), "watch_url": "javascript:alert(1)"}, "invalid_watch_url"),
           ({"title": "x", "sessions": sessions(LECTURE), "audience": "everyone"}, "invalid_audience")]
    for body, code in bad:
        r = stack.post("admin/events", body, token=tok)
        assert r.status == 400 and r.json["error"]["code"] == code, (body, r)
    r = stack.put("admin/events/999999999", {"title": "x"}, token=tok)
    assert r.status == 404 and r.json["error"]["code"] == "event_not_found", r
    # a provincial organizer changes only their own events
    regional, _ = organizer(stack, "140000")
    r = stack.put("admin/events/%d" % ev["id"], {"title": "改"}, token=regional)
    assert r.status == 403, r
    own = make_event(stack, regional)
    r = stack.put("admin/events/%d" % own["id"], {"title": "改"}, token=regional)
    assert r.status == 200, r
    row = stack.sql("SELECT created_by, updated_by FROM events WHERE id = %d" % own["id"])[0]
    assert row[0] == row[1] != "NULL", row
    # every organizer change is in the audit record
    acts = stack.sql("SELECT action, organizer_id FROM audit_log WHERE target_kind = 'event' AND target_id = %d"
                     " ORDER BY id" % own["id"])
    assert acts == [["event.create", row[0]], ["event.update", row[0]]], acts
    acts = stack.sql("SELECT action FROM audit_log WHERE target_kind = 'event' AND target_id = %d ORDER BY id"
                     % ev["id"])
    assert [a[0] for a in acts] == ["event.create", "event.update", "event.update"], acts


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    return struct.unpack(">II", data[16:24])


def test_event_check_in_code_is_cached(stack):
    tok, _ = organizer(stack)
    ev = make_event(stack, tok)
    r = stack.get("admin/qrcode/event/%d" % ev["id"], token=tok)
    assert r.status == 200 and r.header("Content-Type") == "image/png", r
    png_size(r.body)
    row = stack.sql("SELECT content_type, LENGTH(image) FROM qr_codes WHERE scene = 'e=%d'" % ev["id"])
    assert row == [["image/png", str(len(r.body))]], row
    calls = stack.sim("GET", "/__sim/stats")["calls"].get("/wxa/getwxacodeunlimit", 0)
    again = stack.get("admin/qrcode/event/%d" % ev["id"], token=tok)
    assert again.body == r.body
    assert stack.sim("GET", "/__sim/stats")["calls"].get("/wxa/getwxacodeunlimit", 0) == calls
    r = stack.get("admin/qrcode/event/999999999", token=tok)
    assert r.status == 404 and r.json["error"]["code"] == "event_not_found", r


def test_check_in_before_inside_after_twice_unregistered(stack):
    tok, _ = organizer(stack)
    ev = make_event(stack, tok)
    w = World(stack)
    unit = w.unit("签到测试单位" + secrets.token_hex(2), "140105")
    people = [user_token(stack, w.member(unit, "140105", "张三")[1]) for _ in range(4)]
    unregistered, _ = stack.login()
    path = "events/%d/check-in" % ev["id"]
    try:
        stack.set_clock(iso="2024-06-16T08:40:00+08:00")      # before (grace is 15 minutes)
        r = stack.post(path, {}, token=people[0])
        assert r.status == 403 and r.json["error"]["code"] == "event_not_open", r
        stack.set_clock(iso="2024-06-16T08:50:00+08:00")      # within the grace
        r = stack.post(path, {}, token=people[0])
        assert r.status == 200 and r.json["checked_in_at"] == "2024-06-16T08:50:00+08:00", r
        stack.set_clock(iso="2024-06-16T10:00:00+08:00")      # again: the first time
        r = stack.post(path, {}, token=people[0])
        assert r.status == 200 and r.json["checked_in_at"] == "2024-06-16T08:50:00+08:00", r
        r = stack.post(path, {}, token=people[1])
        assert r.status == 200 and r.json["checked_in_at"] == "2024-06-16T10:00:00+08:00", r
        r = stack.post(path, {}, token=unregistered)
        assert r.status == 403 and r.json["error"]["code"] == "not_registered", r
        stack.set_clock(iso="2024-06-16T13:00:00+08:00")      # between the sessions
        r = stack.post(path, {}, token=people[2])
        assert r.status == 403 and r.json["error"]["code"] == "event_not_open", r
        stack.set_clock(iso="2024-06-16T16:40:00+08:00")      # after, within the grace
        r = stack.post(path, {}, token=people[2])
        assert r.status == 200, r
        stack.set_clock(iso="2024-06-16T17:00:00+08:00")      # after
        r = stack.post(path, {}, token=people[3])
        assert r.status == 403 and r.json["error"]["code"] == "event_not_open", r
        r = stack.post(path, {}, token=people[0])             # the first check-in stays
        assert r.status == 200 and r.json["checked_in_at"] == "2024-06-16T08:50:00+08:00", r
        r = stack.post("events/999999999/check-in", {}, token=people[0])
        assert r.status == 404, r
    finally:
        stack.set_clock(offset_s=0)
    n = int(stack.sql("SELECT COUNT(*) FROM event_checkins WHERE event_id = %d" % ev["id"])[0][0])
    assert n == 3, n
    # the person sees their check-in in GET /me/data (PIPL access)
    first = int(datetime.datetime.fromisoformat("2024-06-16T08:50:00+08:00").timestamp())
    d = stack.get("me/data", token=people[0]).json
    assert [(c["event_id"], c["checked_in_at"]) for c in d["check_ins"]] == [(ev["id"], first)], d["check_ins"]


def test_attendance_own_members_only(stack):
    tok, _ = organizer(stack)
    ev = make_event(stack, tok)
    w = World(stack)
    a = w.unit("集中收看甲" + secrets.token_hex(2), "140105")
    b = w.unit("集中收看乙" + secrets.token_hex(2), "130102")
    admin_uid = w.member(a, "140105", "张三")[1]     # a real login: ids of its own
    mine = [admin_uid] + [w.person(a, "140105", "张三") for _ in range(2)]
    five = w.person(a, "140105", "李四", kind="five_into")
    theirs = w.person(b, "130102", "王五")
    admin = unit_admin(stack, admin_uid, a)
    path = "units/%d/events/%d/attendance"
    r = stack.put(path % (a, ev["id"]), {"user_ids": mine + [five]}, token=admin)
    assert r.status == 200 and r.json["added"] == 4, r
    r = stack.put(path % (a, ev["id"]), {"user_ids": mine}, token=admin)
    assert r.status == 200 and r.json["added"] == 0, r          # recorded once
    r = stack.put(path % (a, ev["id"]), {"user_ids": [theirs]}, token=admin)
    assert r.status == 403 and r.json["error"]["code"] == "forbidden", r
    r = stack.put(path % (b, ev["id"]), {"user_ids": [theirs]}, token=admin)
    assert r.status == 403, r
    for bad in ({}, {"user_ids": []}, {"user_ids": ["1"]}, {"user_ids": [0]}, {"user_ids": list(range(1, 1100))}):
        r = stack.put(path % (a, ev["id"]), bad, token=admin)
        assert r.status == 400 and r.json["error"]["code"] == "invalid_user_ids", (bad, r)
    r = stack.put(path % (a, 999999999), {"user_ids": mine}, token=admin)
    assert r.status == 404 and r.json["error"]["code"] == "event_not_found", r
    # organizers: of the unit's area yes, of another province no
    sx, sx_id = organizer(stack, "140000")
    r = stack.put(path % (b, ev["id"]), {"user_ids": [theirs]}, token=sx)
    assert r.status == 403, r
    hb, hb_id = organizer(stack, "130000")
    r = stack.put(path % (b, ev["id"]), {"user_ids": [theirs]}, token=hb)
    assert r.status == 200 and r.json["added"] == 1, r
    rows = stack.sql("SELECT user_id, unit_id, recorded_by_user, recorded_by_organizer FROM event_attendance"
                     " WHERE event_id = %d ORDER BY user_id" % ev["id"])
    assert len(rows) == 5, rows
    assert [x for x in rows if x[0] == str(theirs)][0][3] == str(hb_id)
    assert [x for x in rows if x[0] == str(mine[1])][0][2] == str(admin_uid)
    # the organizer's record is audited (the unit admin's carries their user id)
    acts = stack.sql("SELECT action, organizer_id, after_json FROM audit_log WHERE target_kind = 'unit'"
                     " AND target_id = %d AND action = 'event.attendance'" % b)
    assert len(acts) == 1 and acts[0][1] == str(hb_id) and str(theirs) in acts[0][2], acts
