#!/usr/bin/env python3
"""Integration tests of wx/wxsim.py, the WeChat API simulator, over HTTPS.

Each test_<name>(stack) talks to a running simulator. `stack` has sim_url
(https://127.0.0.1:PORT), sim_ca (the CA file the simulator made), sim_appid
and sim_secret. Every test starts with POST /__sim/reset, so they run in any
order, but not in parallel with other users of the same simulator.

Run alone: `python3 tests/integration/test_wxsim.py` starts wxsim.py on a
free port in a temporary folder, runs every test, prints `ok NAME` or
`FAIL NAME: reason` and `N passed, N failed`, and exits 1 on any failure.

Standard library only.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import types
import urllib.parse
import zlib

LOGIN = "/sns/jscode2session"
STABLE = "/cgi-bin/stable_token"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

class Client:
    """One keep-alive HTTPS connection to the simulator, verifying its CA."""

    def __init__(self, stack, timeout=10):
        u = urllib.parse.urlsplit(stack.sim_url)
        ctx = ssl.create_default_context(cafile=stack.sim_ca)
        self.conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=timeout)

    def request(self, method, path, params=None, body=None):
        """Returns (status, content_type, raw bytes)."""
        if params:
            path += "?" + urllib.parse.urlencode(params)
        data, headers = None, {}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()

    def json(self, method, path, params=None, body=None):
        status, ctype, raw = self.request(method, path, params, body)
        assert ctype.startswith("application/json"), (path, status, ctype)
        return status, json.loads(raw)

    def close(self):
        self.conn.close()


def call(stack, method, path, params=None, body=None):
    """A JSON call on a fresh connection; returns the decoded body."""
    c = Client(stack)
    try:
        status, obj = c.json(method, path, params, body)
    finally:
        c.close()
    assert status == 200, (path, status, obj)
    return obj


def ctl(stack, path, body=None):
    """A control call under /__sim/: GET to read stats, latency or faults, else POST."""
    if body is None and path in ("stats", "latency", "faults"):
        return call(stack, "GET", "/__sim/" + path)
    return call(stack, "POST", "/__sim/" + path, body={} if body is None else body)


def login_params(stack, code, appid=None, secret=None):
    return {"appid": appid or stack.sim_appid, "secret": secret or stack.sim_secret,
            "js_code": code, "grant_type": "authorization_code"}


def login(stack, code, **kw):
    return call(stack, "GET", LOGIN, login_params(stack, code, **kw))


def stable_token(stack, force=False):
    return call(stack, "POST", STABLE, body={
        "grant_type": "client_credential", "appid": stack.sim_appid,
        "secret": stack.sim_secret, "force_refresh": force})


def plain_token(stack):
    return call(stack, "GET", "/cgi-bin/token", {
        "grant_type": "client_credential", "appid": stack.sim_appid, "secret": stack.sim_secret})


def with_token(stack, token, method, path, body=None, params=None):
    p = dict(params or {})
    if token is not None:
        p["access_token"] = token
    return call(stack, method, path, p, body)


def checksession(stack, token, openid, signature):
    return with_token(stack, token, "GET", "/wxa/checksession", params={
        "openid": openid, "signature": signature, "sig_method": "hmac_sha256"})


def errcode(obj):
    return obj.get("errcode", 0)


def fresh(stack):
    ctl(stack, "reset")


# ---------------------------------------------------------------------------
# Login (jscode2session)
# ---------------------------------------------------------------------------

def test_login_returns_session(stack):
    fresh(stack)
    r = login(stack, "test:alice")
    assert errcode(r) == 0, r
    assert r["openid"] == "alice"
    assert len(base64.b64decode(r["session_key"], validate=True)) == 16
    assert r["unionid"] == "u_alice"


def test_login_code_single_use(stack):
    fresh(stack)
    assert errcode(login(stack, "test:bob")) == 0
    assert errcode(login(stack, "test:bob")) == 40163
    # Another code for the same user is a new wx.login: works, new session key.
    a = login(stack, "test:bob:1")
    b = login(stack, "test:bob:2")
    assert a["openid"] == b["openid"] == "bob"
    assert a["session_key"] != b["session_key"]
    assert errcode(login(stack, "test:bob:2")) == 40163


def test_login_bad_code_40029(stack):
    fresh(stack)
    for code in ("abc", "test:", "test::x", "prod:alice", "TEST:alice"):
        assert errcode(login(stack, code)) == 40029, code


def test_login_bad_app_credentials(stack):
    fresh(stack)
    assert errcode(login(stack, "test:carol", secret="wrong")) == 40125
    assert errcode(login(stack, "test:carol", appid="wxsomeoneelse")) == 40013
    # Neither failure used the code up.
    assert errcode(login(stack, "test:carol")) == 0
    r = call(stack, "GET", LOGIN, {"appid": stack.sim_appid, "secret": stack.sim_secret,
                                   "js_code": "test:dan", "grant_type": "nope"})
    assert errcode(r) == 40002, r


# ---------------------------------------------------------------------------
# Faults and latency
# ---------------------------------------------------------------------------

def test_fault_errcode_then_success(stack):
    fresh(stack)
    ctl(stack, "faults", {"path": LOGIN, "errcode": -1, "count": 2})
    assert errcode(login(stack, "test:erin")) == -1
    assert errcode(login(stack, "test:erin")) == -1
    r = login(stack, "test:erin")          # the faulted calls did not use the code
    assert errcode(r) == 0 and r["openid"] == "erin", r
    s = ctl(stack, "stats")
    assert s["calls"][LOGIN] == 3 and s["faults_fired"] == 2, s
    assert s["pending_faults"] == {}, s


def test_fault_drop(stack):
    fresh(stack)
    ctl(stack, "faults", {"path": LOGIN, "errcode": "drop"})
    c = Client(stack)
    try:
        c.request("GET", LOGIN, login_params(stack, "test:frank"))
        raise AssertionError("a dropped call got an answer")
    except (http.client.RemoteDisconnected, ConnectionError, ssl.SSLError):
        pass
    finally:
        c.close()
    assert errcode(login(stack, "test:frank")) == 0


def test_fault_latency(stack):
    fresh(stack)
    ctl(stack, "faults", {"path": LOGIN, "errcode": None, "latency_ms": 300})
    t = time.monotonic()
    r = login(stack, "test:gina")
    assert time.monotonic() - t >= 0.3
    assert errcode(r) == 0, r                # a latency-only fault then answers normally
    t = time.monotonic()
    login(stack, "test:gina:2")
    assert time.monotonic() - t < 0.3


def test_global_latency(stack):
    fresh(stack)
    ctl(stack, "latency", {"ms": 200})
    assert ctl(stack, "latency")["latency_ms"] == 200
    t = time.monotonic()
    stable_token(stack)
    assert time.monotonic() - t >= 0.2
    t = time.monotonic()
    ctl(stack, "stats")                     # control calls are not delayed
    assert time.monotonic() - t < 0.2


def test_latency_is_parallel(stack):
    """Calls wait their latency side by side, not one after another."""
    fresh(stack)
    ctl(stack, "latency", {"ms": 200})
    errors = []

    def worker(i):
        try:
            c = Client(stack)
            for j in range(3):
                s, obj = c.json("GET", LOGIN, login_params(stack, "test:par%d:%d" % (i, j)))
                assert s == 200 and errcode(obj) == 0, obj
            c.close()
        except Exception as e:             # reported below
            errors.append(repr(e))

    t = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(64)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.monotonic() - t
    assert not errors, errors[:3]
    assert took < 3.0, took                 # 192 calls of 200 ms in well under 38 s
    assert ctl(stack, "stats")["calls"][LOGIN] == 192


def test_fault_validation(stack):
    fresh(stack)
    c = Client(stack)
    try:
        for bad in ({"path": "/nope", "errcode": -1}, {"path": LOGIN, "errcode": "x"},
                    {"path": LOGIN, "count": 0}):
            status, obj = c.json("POST", "/__sim/faults", body=bad)
            assert status == 400 and "error" in obj, (bad, status, obj)
    finally:
        c.close()


# ---------------------------------------------------------------------------
# Access tokens
# ---------------------------------------------------------------------------

def test_stable_token_same_then_expired(stack):
    fresh(stack)
    a, b = stable_token(stack), stable_token(stack)
    assert a["access_token"] == b["access_token"]
    assert 0 < b["expires_in"] <= 7200
    tok = a["access_token"]
    assert errcode(checksession(stack, tok, "nobody", "x")) == 87009   # the token works
    ctl(stack, "expire-tokens")
    assert errcode(checksession(stack, tok, "nobody", "x")) == 42001
    c = stable_token(stack)
    assert c["access_token"] != tok and c["expires_in"] == 7200
    assert errcode(checksession(stack, c["access_token"], "nobody", "x")) == 87009
    assert ctl(stack, "stats")["token_issues"] == 2


def test_stable_token_expires_in_counts_down(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    ctl(stack, "clock", {"advance_s": 1000})
    r = stable_token(stack)
    assert r["access_token"] == tok and 6190 <= r["expires_in"] <= 6200, r
    ctl(stack, "clock", {"advance_s": 6000})       # 200 s left: renewed, old still works
    r = stable_token(stack)
    assert r["access_token"] != tok and r["expires_in"] == 7200, r
    assert errcode(checksession(stack, tok, "nobody", "x")) == 87009
    ctl(stack, "clock", {"advance_s": 201})        # the old one's 7200 s are over
    assert errcode(checksession(stack, tok, "nobody", "x")) == 42001


def test_stable_token_force_refresh(stack):
    fresh(stack)
    old = stable_token(stack)["access_token"]
    new = stable_token(stack, force=True)["access_token"]
    assert new != old
    assert errcode(checksession(stack, old, "nobody", "x")) == 40001
    # Within 30 s of a force refresh another one does not refresh.
    assert stable_token(stack, force=True)["access_token"] == new
    for _ in range(19):
        ctl(stack, "clock", {"advance_s": 31})
        assert "access_token" in stable_token(stack, force=True)
    ctl(stack, "clock", {"advance_s": 31})
    assert errcode(stable_token(stack, force=True)) == 45009
    s = ctl(stack, "stats")
    assert s["force_refreshes"] == 20 and s["token_issues"] == 21, s


def test_cgi_bin_token_overlap(stack):
    fresh(stack)
    t1 = plain_token(stack)
    assert t1["expires_in"] == 7200 and "errcode" not in t1
    t2 = plain_token(stack)
    assert t1["access_token"] != t2["access_token"]
    # Both work during the 5-minute overlap ...
    for t in (t1, t2):
        assert errcode(checksession(stack, t["access_token"], "nobody", "x")) == 87009
    # ... then the old one is no longer the latest.
    ctl(stack, "clock", {"advance_s": 301})
    assert errcode(checksession(stack, t1["access_token"], "nobody", "x")) == 40001
    assert errcode(checksession(stack, t2["access_token"], "nobody", "x")) == 87009
    # stable_token and cgi-bin/token do not affect each other.
    s = stable_token(stack)["access_token"]
    plain_token(stack)
    ctl(stack, "clock", {"advance_s": 301})
    assert errcode(checksession(stack, s, "nobody", "x")) == 87009
    assert ctl(stack, "stats")["token_issues"] == 4


def test_token_missing_unknown(stack):
    fresh(stack)
    body = {"scene": "u=1"}
    assert errcode(with_token(stack, None, "POST", "/wxa/getwxacodeunlimit", body)) == 41001
    assert errcode(with_token(stack, "", "POST", "/wxa/getwxacodeunlimit", body)) == 41001
    assert errcode(with_token(stack, "made_up", "POST", "/wxa/getwxacodeunlimit", body)) == 40001
    r = call(stack, "POST", STABLE, body={"grant_type": "client_credential",
                                          "appid": stack.sim_appid, "secret": "bad"})
    assert errcode(r) == 40125, r
    assert errcode(call(stack, "POST", STABLE, body=b"not json")) == 47001


def test_stats_counts(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    stable_token(stack)
    login(stack, "test:hana")
    login(stack, "test:hana")                  # 40163, still a call
    with_token(stack, tok, "POST", "/wxa/msg_sec_check",
               {"version": 2, "openid": "hana", "scene": 1, "content": "hi"})
    with_token(stack, tok, "POST", "/cgi-bin/message/subscribe/send",
               {"touser": "hana", "template_id": "TPL1", "page": "pages/index/index",
                "data": {"thing1": {"value": "开始"}}})
    s = ctl(stack, "stats")
    assert s["calls"] == {STABLE: 2, LOGIN: 2, "/wxa/msg_sec_check": 1,
                          "/cgi-bin/message/subscribe/send": 1}, s["calls"]
    assert s["token_issues"] == 1 and s["logins"] == 1, s
    assert s["msg_sec_checks"] == 1 and s["subscribe_sent"] == 1, s
    m = s["subscribe_messages"][0]
    assert m["touser"] == "hana" and m["template_id"] == "TPL1"
    assert m["data"]["thing1"]["value"] == "开始"


# ---------------------------------------------------------------------------
# Mini-program codes
# ---------------------------------------------------------------------------

def read_png(data):
    """Check a PNG's signature and chunk CRCs; return (width, height, pixel bytes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + chunk) == crc, kind
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
        if kind == b"IEND":
            break
    assert ihdr is not None and pos == len(data)
    return ihdr[0], ihdr[1], zlib.decompress(idat)


def test_qrcode_png(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    c = Client(stack)
    try:
        path = "/wxa/getwxacodeunlimit?access_token=" + urllib.parse.quote(tok)
        status, ctype, png = c.request("POST", path, body={
            "scene": "u=123", "page": "pages/unit/join", "check_path": False,
            "env_version": "develop", "width": 430})
        assert status == 200 and ctype == "image/png", (status, ctype, png[:100])
        w, h, pixels = read_png(png)
        assert w == h and 280 <= w <= 430, (w, h)
        assert len(pixels) == h * (1 + (w + 7) // 8)        # 1-bit rows with filter bytes
        _, _, other = c.request("POST", path, body={"scene": "u=124"})
        assert other != png                                  # the image depends on the scene
        _, _, again = c.request("POST", path, body={"scene": "u=123"})
        assert read_png(again)[2] == pixels
    finally:
        c.close()


def test_qrcode_scene_and_page_validation(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    code = lambda body: errcode(with_token(stack, tok, "POST", "/wxa/getwxacodeunlimit", body))
    ok = "0123456789abcdefABCDEF!#$&'()*+,"                   # 32 valid characters
    assert len(ok) == 32
    c = Client(stack)
    try:
        status, ctype, _ = c.request("POST", "/wxa/getwxacodeunlimit?access_token=" + tok,
                                     body={"scene": ok})
        assert ctype == "image/png", ctype
        status, ctype, _ = c.request("POST", "/wxa/getwxacodeunlimit?access_token=" + tok,
                                     body={"scene": "/:;=?@-._~"})
        assert ctype == "image/png", ctype
    finally:
        c.close()
    for scene in (ok + "x", "", "单位", "a b", "a%20", "a\"b", None, 12):
        assert code({"scene": scene}) == 40169, scene
    assert code(b"{not json") == 40169
    for page in ("/pages/unit/join", "pages/unit/join?x=1", "pages//join", "pages/unit/", 5):
        assert code({"scene": "u=1", "page": page}) == 41030, page
    assert code({"scene": "u=1", "env_version": "beta"}) == 40097


# ---------------------------------------------------------------------------
# Phone numbers, content checks, session checks, subscribe messages
# ---------------------------------------------------------------------------

def test_phone_code(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    path = "/wxa/business/getuserphonenumber"
    r = with_token(stack, tok, "POST", path, {"code": "phone:13812345678"})
    assert errcode(r) == 0, r
    info = r["phone_info"]
    assert info["phoneNumber"] == info["purePhoneNumber"] == "13812345678"
    assert info["countryCode"] == "86"
    assert info["watermark"]["appid"] == stack.sim_appid
    assert abs(info["watermark"]["timestamp"] - time.time()) < 60
    assert errcode(with_token(stack, tok, "POST", path, {"code": "phone:13812345678"})) == 40029
    for bad in ({"code": "13812345678"}, {"code": "phone:abc"}, {}, {"code": 5}):
        assert errcode(with_token(stack, tok, "POST", path, bad)) == 40029, bad
    assert errcode(with_token(stack, "bogus", "POST", path, {"code": "phone:1390000"})) == 40001


def msg_check(stack, tok, **fields):
    body = {"version": 2, "scene": 2, "openid": "ivy", "content": "你好"}
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    return with_token(stack, tok, "POST", "/wxa/msg_sec_check", body)


def test_msg_sec_check(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    login(stack, "test:ivy")
    r = msg_check(stack, tok)
    assert errcode(r) == 0 and r["result"]["suggest"] == "pass", r
    assert r["trace_id"] and isinstance(r["detail"], list)
    r = msg_check(stack, tok, content="这里有违禁内容")
    assert r["result"]["suggest"] == "risky", r
    assert any(d.get("keyword") == "违禁" for d in r["detail"]), r
    assert msg_check(stack, tok, content="这个待审一下")["result"]["suggest"] == "review"
    assert msg_check(stack, tok, title="违禁标题")["result"]["suggest"] == "risky"
    assert ctl(stack, "stats")["msg_sec_checks"] == 4


def test_msg_sec_check_errors(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    login(stack, "test:ivy")
    assert errcode(msg_check(stack, tok, openid=None)) == 40003          # missing
    assert errcode(msg_check(stack, tok, openid="stranger")) == 40003    # never logged in
    assert errcode(msg_check(stack, tok, scene=5)) == 40129
    assert errcode(msg_check(stack, tok, version=None)) == 47001
    assert errcode(msg_check(stack, tok, version=1)) == 47001
    assert errcode(msg_check(stack, tok, content=None)) == 47001
    assert errcode(msg_check(stack, tok, content="x" * 2501)) == 47001
    assert errcode(with_token(stack, tok, "POST", "/wxa/msg_sec_check", b"{bad")) == 47001
    # The login is more than 2 hours old (the token too, so get a fresh one).
    ctl(stack, "clock", {"advance_s": 2 * 3600 + 1})
    tok = stable_token(stack)["access_token"]
    assert errcode(msg_check(stack, tok)) == 61010
    login(stack, "test:ivy:again")
    assert errcode(msg_check(stack, tok)) == 0


def test_checksession(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    sk = login(stack, "test:jack")["session_key"]
    sig = ctl(stack, "sign", {"openid": "jack", "data": ""})["signature"]
    assert sig == hmac.new(sk.encode(), b"", hashlib.sha256).hexdigest()
    assert errcode(checksession(stack, tok, "jack", sig)) == 0
    assert errcode(checksession(stack, tok, "jack", "0" * 64)) == 87009
    assert errcode(checksession(stack, tok, "nobody", sig)) == 87009
    # A new login replaces the session key: the old signature no longer matches.
    login(stack, "test:jack:2")
    assert errcode(checksession(stack, tok, "jack", sig)) == 87009
    sig2 = ctl(stack, "sign", {"openid": "jack"})["signature"]
    assert errcode(checksession(stack, tok, "jack", sig2)) == 0


def test_sign_and_encrypt(stack):
    fresh(stack)
    sk = login(stack, "test:kim")["session_key"]
    s = ctl(stack, "sign", {"openid": "kim", "data": '{"nickName":"k"}'})
    assert s["sha1_raw"] == hashlib.sha1(('{"nickName":"k"}' + sk).encode()).hexdigest()
    e = ctl(stack, "encrypt", {"openid": "kim", "data": {"phoneNumber": "13800000000"}})
    assert len(base64.b64decode(e["iv"])) == 16
    assert len(base64.b64decode(e["encrypted_data"])) % 16 == 0
    c = Client(stack)
    try:
        status, obj = c.json("POST", "/__sim/sign", body={"openid": "nobody"})
        assert status == 404, (status, obj)
        status, obj = c.json("GET", "/__sim/session", {"openid": "kim"})
        assert status == 404 and sk not in json.dumps(obj)         # keys are never served
    finally:
        c.close()


def test_subscribe_send(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    path = "/cgi-bin/message/subscribe/send"
    ok = {"touser": "lee", "template_id": "T", "data": {"thing1": {"value": "x"}}}
    assert errcode(with_token(stack, tok, "POST", path, ok)) == 0
    for missing in ("touser", "template_id"):
        body = {k: v for k, v in ok.items() if k != missing}
        assert errcode(with_token(stack, tok, "POST", path, body)) == 47003, missing
    bad_data = dict(ok, data={"thing1": "x"})
    assert errcode(with_token(stack, tok, "POST", path, bad_data)) == 47003
    assert ctl(stack, "stats")["subscribe_sent"] == 1


def test_wrong_method_and_unknown_path(stack):
    fresh(stack)
    assert errcode(call(stack, "POST", LOGIN, login_params(stack, "test:mo"), body={})) == 43001
    assert errcode(call(stack, "GET", STABLE)) == 43002
    c = Client(stack)
    try:
        status, _, _ = c.request("GET", "/no/such/api")
        assert status == 404
        status, _, _ = c.request("GET", "/__sim/reset")
        assert status == 405
    finally:
        c.close()


def test_keep_alive(stack):
    fresh(stack)
    c = Client(stack)
    try:
        for i in range(20):
            status, obj = c.json("GET", LOGIN, login_params(stack, "test:ned:%d" % i))
            assert status == 200 and errcode(obj) == 0, obj
        sock = c.conn.sock
        c.json("GET", "/__sim/stats")
        assert c.conn.sock is sock                 # still the same connection
    finally:
        c.close()


def test_reset(stack):
    fresh(stack)
    tok = stable_token(stack)["access_token"]
    login(stack, "test:olga")
    ctl(stack, "faults", {"path": STABLE, "errcode": -1, "count": 5})
    ctl(stack, "latency", {"ms": 50})
    ctl(stack, "clock", {"advance_s": 100})
    ctl(stack, "reset")
    s = ctl(stack, "stats")
    assert s["calls"] == {} and s["token_issues"] == 0 and s["logins"] == 0, s
    assert s["pending_faults"] == {} and s["latency_ms"] == 0, s
    assert errcode(checksession(stack, tok, "olga", "x")) == 40001     # token forgotten
    assert errcode(login(stack, "test:olga")) == 0                      # code usable again
    assert "access_token" in stable_token(stack)                         # fault cleared


# ---------------------------------------------------------------------------
# Standalone runner
# ---------------------------------------------------------------------------

def start_sim(tmp, appid="wxtestappid00000001", secret="testsecret0000000000000000000042"):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, os.path.join(root, "wx", "wxsim.py"), "--port", "0", "--dir", tmp,
         "--appid", appid, "--secret", secret],
        stdout=subprocess.PIPE, text=True)
    line = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    if not line or "listening on" not in line[0]:
        proc.kill()
        raise SystemExit("wxsim did not start: %r" % (line,))
    url = line[0].split("listening on", 1)[1].strip()
    return proc, types.SimpleNamespace(sim_url=url, sim_ca=os.path.join(tmp, "ca.pem"),
                                       sim_appid=appid, sim_secret=secret)


def main():
    tests = [(n, f) for n, f in sorted(globals().items())
             if n.startswith("test_") and callable(f)]
    if len(sys.argv) > 1:
        tests = [(n, f) for n, f in tests if any(a in n for a in sys.argv[1:])]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        proc, stack = start_sim(tmp)
        try:
            for name, fn in tests:
                try:
                    fn(stack)
                except Exception as e:
                    failed += 1
                    tb = traceback.extract_tb(e.__traceback__)[-1]
                    print("FAIL %s: %s: %s (line %d)" % (name, type(e).__name__, e, tb.lineno))
                else:
                    passed += 1
                    print("ok %s" % name)
        finally:
            proc.terminate()
            proc.wait(10)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
