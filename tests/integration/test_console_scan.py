"""The console's sign-in by scanning (issue 10 with issue 13's web
sessions): a web session made with {"purpose": "console"} and confirmed
by a unit admin hands the page the same console session a one-time code
gives (the unit admin role for their unit only, once); anyone else's
confirm is 403 and the page gets nothing; a replaced admin gets nothing;
an expired one is 410. The quiz page's sign-in is unchanged."""
import datetime
import hashlib
import time

from console_helpers import unit, registered_user, error_code

__order__ = 56


def clear_limits(stack):
    stack.set_clock(offset_s=0)
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:web-sess:*')) do redis.call('DEL', k) end",
                "0")


def make_admin(stack, tok, uid, u):
    """uid administers u, as an approval leaves it (the cached session is
    dropped so the roles reload)."""
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = %d WHERE id = %d" % (u, uid))
    stack.redis("DEL", "sess:" + hashlib.sha256(tok.encode()).hexdigest())


def unmake_admin(stack, tok, uid):
    stack.sql("UPDATE users SET roles = 1, admin_unit_id = NULL WHERE id = %d" % uid)
    stack.redis("DEL", "sess:" + hashlib.sha256(tok.encode()).hexdigest())


def create(stack, purpose="console"):
    r = stack.post("web/sessions", {"purpose": purpose})
    assert r.status == 201, r
    assert set(r.json) == {"session_id", "poll_secret", "qrcode_url", "expires_in"}, r.json
    return r.json


def poll(stack, s):
    return stack.get("web/sessions/%s?secret=%s" % (s["session_id"], s["poll_secret"]))


def confirm(stack, s, token):
    return stack.post("me/web-sessions/%s/confirm" % s["session_id"], token=token)


def test_an_admin_confirms_and_the_page_holds_their_unit_only(stack):
    clear_limits(stack)
    u, other = unit(stack), unit(stack)
    tok, uid = registered_user(stack, u, name="扫码管理")
    make_admin(stack, tok, uid, u)
    s = create(stack)
    assert poll(stack, s).json == {"state": "pending"}
    r = confirm(stack, s, tok)
    assert r.status == 204, r
    r = poll(stack, s)
    assert r.status == 200 and r.json["state"] == "confirmed", r
    j = r.json
    assert j["role"] == "unit_admin" and j["unit_id"] == u and j["token"] and j["expires_in"] > 0, j
    web = j["token"]
    assert web != tok
    # once
    r = poll(stack, s)
    assert r.status == 200 and r.json == {"state": "confirmed"}, r
    # their unit's members, and no other unit's
    r = stack.get("units/%d/members" % u, token=web)
    assert r.status == 200 and [m["real_name"] for m in r.json["members"]] == ["扫码管理"], r
    r = stack.get("units/%d/members" % other, token=web)
    assert r.status == 403 and error_code(r) == "forbidden", r
    # exactly the session a one-time code gives: the same answers on a
    # user's route and an organizer's route
    code = stack.post("me/console-code", {}, token=tok).json["code"]
    by_code = stack.post("admin/login", {"code": code}).json["token"]
    for path in ("me", "admin/units", "units/%d/members" % u, "units/%d/members" % other):
        a, b = stack.get(path, token=web), stack.get(path, token=by_code)
        assert a.status == b.status, (path, a, b)


def test_someone_who_is_no_unit_admin_gets_403_and_the_page_nothing(stack):
    clear_limits(stack)
    u = unit(stack)
    tok, _ = registered_user(stack, u)
    plain, _ = stack.login()                  # not even registered
    s = create(stack)
    for t in (tok, plain):
        r = confirm(stack, s, t)
        assert r.status == 403 and error_code(r) == "forbidden", r
    assert poll(stack, s).json == {"state": "pending"}
    assert stack.sql("SELECT IFNULL(user_id, 0), confirmed_at IS NULL FROM web_sessions WHERE id = '%s'"
                     % s["session_id"]) == [["0", "1"]]
    # the quiz page's sign-in is as before: anyone signs in, as a user only
    admin_tok, admin_uid = registered_user(stack, u)
    make_admin(stack, admin_tok, admin_uid, u)
    for who in (tok, admin_tok):
        q = create(stack, "quiz")
        assert confirm(stack, q, who).status == 204
        j = poll(stack, q).json
        assert set(j) == {"state", "token", "expires_in"}, j
        assert stack.get("me", token=j["token"]).status == 200
        # a user session only, even for the unit's admin
        r = stack.get("units/%d/members" % u, token=j["token"])
        assert r.status == 403 and error_code(r) == "forbidden", r
        assert stack.post("me/console-code", {}, token=j["token"]).status == 403
    # and a page that sends no body makes a quiz sign-in
    r = stack.post("web/sessions")
    assert r.status == 201, r
    assert stack.sql("SELECT purpose FROM web_sessions WHERE id = '%s'" % r.json["session_id"]) == [["quiz"]]


def test_a_replaced_admin_cannot(stack):
    clear_limits(stack)
    u = unit(stack)
    tok, uid = registered_user(stack, u)
    make_admin(stack, tok, uid, u)
    # confirmed while admin, replaced before the page collects: nothing
    s = create(stack)
    assert confirm(stack, s, tok).status == 204
    unmake_admin(stack, tok, uid)
    r = poll(stack, s)
    assert r.status == 200 and r.json == {"state": "confirmed"}, r
    # and once replaced, a confirm is refused
    s = create(stack)
    r = confirm(stack, s, tok)
    assert r.status == 403 and error_code(r) == "forbidden", r
    # admin of another unit since: the unit confirmed is the one handed over
    u2 = unit(stack)
    make_admin(stack, tok, uid, u)
    s = create(stack)
    assert confirm(stack, s, tok).status == 204
    make_admin(stack, tok, uid, u2)
    assert poll(stack, s).json == {"state": "confirmed"}


def at(stack, t):
    stack.set_clock(iso=datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat())


def test_expired_is_410_and_a_bad_purpose_400(stack):
    clear_limits(stack)
    u = unit(stack)
    tok, uid = registered_user(stack, u)
    make_admin(stack, tok, uid, u)
    t0 = int(time.time())
    try:
        at(stack, t0)
        s = create(stack)
        at(stack, t0 + 120)
        r = confirm(stack, s, tok)
        assert r.status == 410 and error_code(r) == "expired", r
        assert poll(stack, s).json == {"state": "expired"}
    finally:
        stack.set_clock(offset_s=0)
    n = int(stack.sql("SELECT COUNT(*) FROM web_sessions")[0][0])
    for body in ({"purpose": "admin"}, {"purpose": 1}, {"purpose": None}, {"purpose": "console\u0000"}):
        r = stack.post("web/sessions", body)
        assert r.status == 400 and error_code(r) == "invalid_parameter", (body, r)
    assert int(stack.sql("SELECT COUNT(*) FROM web_sessions")[0][0]) == n
