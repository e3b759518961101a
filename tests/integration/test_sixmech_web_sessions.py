"""Sign-in on the web quiz page by scanning (issue 13): pending, confirmed
once (a second poll gets no token), expired (pending after two minutes,
and a confirm of an expired one is 410), a wrong poll secret (404), a
confirm by an unregistered user, the code itself (WeChat's, and the local
fallback that carries w=<id>), and the creation flood (429)."""
import datetime
import os
import struct
import subprocess
import tempfile
import threading
import time

__order__ = 55


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    return j["error"]["code"]


def clear_limits(stack):
    """Real time (another test may have left the clock in 2024: a session
    made then would expire before now) and no creation counted yet."""
    stack.set_clock(offset_s=0)
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:web-sess:*')) do redis.call('DEL', k) end",
                "0")


def create(stack):
    r = stack.post("web/sessions")
    assert r.status == 201, r
    j = r.json
    assert set(j) == {"session_id", "poll_secret", "qrcode_url", "expires_in"}, j
    assert j["expires_in"] == 120 and len(j["session_id"]) == 24 and len(j["poll_secret"]) == 43, j
    assert j["qrcode_url"] == "/api/v1/web/sessions/%s/qrcode" % j["session_id"], j
    return j


def poll(stack, s, secret=None):
    return stack.get("web/sessions/%s?secret=%s" % (s["session_id"], secret or s["poll_secret"]))


def confirm(stack, s, token):
    return stack.post("me/web-sessions/%s/confirm" % s["session_id"], token=token)


def test_pending_confirmed_once_and_the_token_works(stack):
    clear_limits(stack)
    s = create(stack)
    r = poll(stack, s)
    assert r.status == 200 and r.json == {"state": "pending"}, r
    assert "no-store" in (r.header("Cache-Control") or "")
    tok, user = stack.login()
    r = confirm(stack, s, tok)
    assert r.status == 204 and r.body == b"", r
    # a retried confirm by the same person is fine
    assert confirm(stack, s, tok).status == 204
    # someone else cannot take it over
    other, _ = stack.login()
    r = confirm(stack, s, other)
    assert r.status == 404 and error_code(r) == "not_found", r
    # two polls at once: one token between them
    got = []
    ts = [threading.Thread(target=lambda: got.append(poll(stack, s))) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert all(x.status == 200 and x.json["state"] == "confirmed" for x in got), got
    with_token = [x.json for x in got if "token" in x.json]
    assert len(with_token) == 1, got
    web = with_token[0]["token"]
    assert web != tok
    # and never again
    r = poll(stack, s)
    assert r.status == 200 and r.json == {"state": "confirmed"}, r
    # the page's session is the same user's, a user session only
    me = stack.get("me", token=web)
    assert me.status == 200 and me.json["user"]["id"] == user["id"], me
    assert me.json["roles"] == ["user"], me
    # the mini-program's token is untouched
    assert stack.get("me", token=tok).status == 200
    # no token is stored anywhere
    rows = stack.sql("SELECT COUNT(*) FROM web_sessions WHERE id = '%s' AND user_id = %d"
                     " AND delivered_at IS NOT NULL" % (s["session_id"], user["id"]))
    assert rows == [["1"]], rows


def test_wrong_secret_and_unknown_ids_are_404(stack):
    clear_limits(stack)
    s = create(stack)
    other = create(stack)
    for secret in (other["poll_secret"], "x" * 43, "", "%00"):
        r = poll(stack, s, secret=secret) if secret else stack.get("web/sessions/%s" % s["session_id"])
        assert r.status == 404 and error_code(r) == "not_found", (secret, r)
    tok, _ = stack.login()
    for sid in ("0" * 24, "abc", s["session_id"].upper(), s["session_id"] + "0"):
        r = stack.get("web/sessions/%s?secret=%s" % (sid, s["poll_secret"]))
        assert r.status == 404, (sid, r)
        r = stack.post("me/web-sessions/%s/confirm" % sid, token=tok)
        assert r.status == 404 and error_code(r) == "not_found", (sid, r)
    # a wrong secret learned nothing and changed nothing
    r = poll(stack, s)
    assert r.status == 200 and r.json == {"state": "pending"}, r
    # confirming needs a user's token
    assert stack.post("me/web-sessions/%s/confirm" % s["session_id"]).status == 401


def at(stack, t):
    """The server's clock fixed at Unix time t (a fixed clock: a slow
    machine cannot let a second slip between two requests)."""
    stack.set_clock(iso=datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat())


def test_expiry_after_two_minutes_and_confirm_of_an_expired_one(stack):
    clear_limits(stack)
    tok, _ = stack.login()            # a week from now, in real time
    t0 = int(time.time())
    try:
        at(stack, t0)
        s = create(stack)
        late = create(stack)
        at(stack, t0 + 119)
        assert poll(stack, s).json == {"state": "pending"}
        at(stack, t0 + 120)
        r = poll(stack, s)
        assert r.status == 200 and r.json == {"state": "expired"}, r
        r = confirm(stack, late, tok)
        assert r.status == 410 and error_code(r) == "expired", r
        assert poll(stack, late).json == {"state": "expired"}
        r = stack.get(s["qrcode_url"])
        assert r.status == 404, r
        # confirmed in the last second: two minutes from the confirmation to collect;
        # one not collected in time is expired
        at(stack, t0 + 200)
        c = create(stack)
        at(stack, t0 + 319)
        assert confirm(stack, c, tok).status == 204
        at(stack, t0 + 438)
        r = poll(stack, c)
        assert r.json["state"] == "confirmed" and r.json["token"], r
        d = create(stack)
        assert confirm(stack, d, tok).status == 204
        at(stack, t0 + 438 + 120)
        assert poll(stack, d).json == {"state": "expired"}
    finally:
        stack.set_clock(offset_s=0)


def test_an_unregistered_user_may_confirm(stack):
    clear_limits(stack)
    s = create(stack)
    tok, user = stack.login()
    assert user["registered"] is False, user
    assert confirm(stack, s, tok).status == 204
    r = poll(stack, s)
    assert r.json["state"] == "confirmed" and r.json["token"], r
    me = stack.get("me", token=r.json["token"])
    # the page then shows the registration form (web/quiz/)
    assert me.status == 200 and me.json["profile"] is None, me


def wx_log(stack):
    """The server's log lines about WeChat (for a failure's message)."""
    out = []
    for name in os.listdir(stack.dir):
        if name.startswith("quizd") and name.endswith(".log"):
            with open(os.path.join(stack.dir, name), errors="replace") as f:
                out += [line for line in f if "wx" in line.lower() or "wechat" in line.lower()]
    return "".join(out[-15:])


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    return struct.unpack(">II", data[16:24])


def zbar(data):
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(data)
        f.flush()
        p = subprocess.run(["zbarimg", "--quiet", "--raw", f.name], capture_output=True)
        return p.stdout.decode().strip()


def test_the_code_from_wechat_and_the_local_fallback(stack):
    clear_limits(stack)
    stack.sim("POST", "/__sim/reset")        # no fault another test left pending
    stack.redis("DEL", "qr:fail:web")
    s = create(stack)
    n0 = stack.sim("GET", "/__sim/stats")["calls"].get("/wxa/getwxacodeunlimit", 0)
    r = stack.get(s["qrcode_url"])                      # no token: an <img src>
    assert r.status == 200 and r.header("Content-Type") == "image/png", r
    png_size(r.body)
    # WeChat's code (the simulator's is a QR code of the scene itself), not the
    # local one; asked once, or twice when the cached access token had gone
    # stale (another test reset the simulator) and was renewed
    n1 = stack.sim("GET", "/__sim/stats")["calls"].get("/wxa/getwxacodeunlimit", 0)
    assert zbar(r.body) == "w=%s" % s["session_id"], (n0, n1, wx_log(stack))
    assert n1 - n0 in (1, 2), (n0, n1, wx_log(stack))
    # never kept: each code is shown once
    assert stack.sql("SELECT COUNT(*) FROM qr_codes WHERE scene = 'w=%s'" % s["session_id"]) == [["0"]]
    stack.sim("POST", "/__sim/faults", {"path": "/wxa/getwxacodeunlimit", "errcode": -1, "count": 10})
    try:
        s2 = create(stack)
        r = stack.get(s2["qrcode_url"])
        assert r.status == 200 and r.header("Content-Type") == "image/png", r
        w, h = png_size(r.body)
        assert w == h and w >= 21 * 8, (w, h)
        assert zbar(r.body) == "https://quiz.example.org/join?w=%s" % s2["session_id"]
    finally:
        stack.sim("POST", "/__sim/reset")
        stack.redis("DEL", "qr:fail:web")
    # once confirmed, the code is gone
    tok, _ = stack.login()
    assert confirm(stack, s, tok).status == 204
    assert stack.get(s["qrcode_url"]).status == 404


def test_creation_flood_is_429_with_retry_after(stack):
    clear_limits(stack)
    codes = []
    for _ in range(25):
        r = stack.post("web/sessions")
        codes.append(r.status)
        if r.status == 429:
            assert error_code(r) == "rate_limited", r
            assert int(r.header("Retry-After")) >= 1, r.headers
    assert codes[:20] == [201] * 20 and set(codes[20:]) == {429}, codes
    # polling and confirming are not limited by it
    clear_limits(stack)
    assert stack.post("web/sessions").status == 201
    clear_limits(stack)
