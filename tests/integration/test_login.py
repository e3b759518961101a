"""Mini-program login (POST /login), phone numbers (POST /me/phone),
organizer and unit-admin sign-in (POST /admin/login, POST /me/console-code)
and sessions surviving Redis, through nginx against the WeChat simulator."""
import hashlib
import os
import secrets
import subprocess
import threading
import time
import urllib.parse

__order__ = 30

JSCODE = "/sns/jscode2session"


# ---- helpers ----

def new_code(openid=None):
    return "test:%s:%s" % (openid or "o" + secrets.token_hex(8), secrets.token_hex(4))


def calls(stack, path):
    return stack.sim("GET", "/__sim/stats")["calls"].get(path, 0)


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and set(j) == {"error"}, r
    return j["error"]["code"]


def fault(stack, path, errcode, count=1, latency_ms=0):
    r = stack.sim("POST", "/__sim/faults", {"path": path, "errcode": errcode, "count": count,
                                           "latency_ms": latency_ms})
    assert r.get("ok"), r


def use_code_elsewhere(stack, code):
    """Spend a login code at WeChat directly, as another backend (or the
    same person's earlier, forgotten login) would."""
    q = urllib.parse.urlencode({"appid": stack.sim_appid, "secret": stack.sim_secret,
                                "js_code": code, "grant_type": "authorization_code"})
    r = stack.sim("GET", JSCODE + "?" + q)
    assert "openid" in r, r


def in_parallel(n, fn):
    """Run fn(i) in n threads released together; returns the results in order."""
    out = [None] * n
    gate = threading.Barrier(n)

    def run(i):
        gate.wait()
        try:
            out[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - reported by the caller's assert
            out[i] = e

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return out


def settle_redis(stack, timeout=20):
    """After a Redis restart each pooled link of the server notices on its
    first use and reconnects a second later: touch the links, then wait
    until three rounds in a row of parallel /healthz (spread over the
    workers) all see Redis up, so the next test starts with Redis back."""
    in_parallel(24, lambda i: stack.post("login", {"code": "settle-%d" % i}))
    end, good = time.time() + timeout, 0
    while good < 3:
        assert time.time() < end, "the server's Redis links did not come back"
        rs = in_parallel(24, lambda i: stack.get("/api/v1/healthz"))
        up = all(getattr(r, "status", None) == 200 and r.json.get("redis") == "up" for r in rs)
        good = good + 1 if up else 0
        if not up:
            time.sleep(0.1)


def clear_rate_limits(stack):
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:*')) do redis.call('DEL', k) end",
                "0")


ORG_PASSWORD = "Sh1-an-jiang-jun-2024"


def organizer(stack, name=None, area=None, password=ORG_PASSWORD):
    name = name or "org" + secrets.token_hex(4)
    args = ["organizer-add", name] + ([area] if area is not None else [])
    p = stack.quizd(*args, input=(password + "\n").encode())
    assert p.returncode == 0, p
    return name


def unit_admin_token(stack, unit_id=None):
    """A user holding the unit admin role (granted in SQL, as the approval
    flow would), logged in afresh so the session carries it."""
    openid = "o" + secrets.token_hex(8)
    token, user = stack.login(openid)
    unit_id = unit_id or 900000 + secrets.randbelow(99999)
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = %d WHERE id = %d" % (unit_id, user["id"]))
    token, user = stack.login(openid)
    return token, user, unit_id


# ---- POST /login ----

def test_login_happy_path(stack):
    openid = "o" + secrets.token_hex(8)
    r = stack.post("login", {"code": new_code(openid)})
    assert r.status == 200, r
    j = r.json
    assert set(j) == {"token", "expires_in", "user"}, j
    assert set(j["user"]) == {"id", "registered"} and j["user"]["registered"] is False, j
    assert isinstance(j["expires_in"], int) and j["expires_in"] > 0, j
    assert len(j["token"]) >= 32, j
    row = stack.sql("SELECT id, unionid, session_key_sealed FROM users WHERE openid = '%s'" % openid)
    assert row and int(row[0][0]) == j["user"]["id"] and row[0][1] == "u_" + openid, row
    # the session key is kept sealed: not WeChat's 24-character base64
    assert len(row[0][2]) > 40, row
    # the token is stored only as its hash
    h = hashlib.sha256(j["token"].encode()).hexdigest()
    assert stack.sql("SELECT user_id FROM sessions WHERE token_hash = '%s'" % h) == [[row[0][0]]]
    assert stack.sql("SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'" % j["token"]) == [["0"]]
    # the token is recognised: a user-only caller gets 403 (wrong role), not 401
    r = stack.post("me/console-code", {}, token=j["token"])
    assert r.status == 403 and error_code(r) == "forbidden", r
    r = stack.post("me/console-code", {}, token="x" * 43)
    assert r.status == 401 and error_code(r) == "unauthorized", r


def test_login_again_is_the_same_user(stack):
    openid = "o" + secrets.token_hex(8)
    t1, u1 = stack.login(openid)
    t2, u2 = stack.login(openid)
    assert u1["id"] == u2["id"] and t1 != t2


def test_registered_follows_the_profile_row(stack):
    openid = "o" + secrets.token_hex(8)
    _, user = stack.login(openid)
    assert user["registered"] is False
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, kind,"
              " board_unit_id, created_at, updated_at) VALUES (%d, 'x', '140000', '140000',"
              " 'staff', 1, 0, 0)" % user["id"])
    _, again = stack.login(openid)
    assert again["registered"] is True and again["id"] == user["id"]


def test_same_code_within_the_window_gives_the_same_login(stack):
    code = new_code()
    before = calls(stack, JSCODE)
    r1 = stack.post("login", {"code": code})
    r2 = stack.post("login", {"code": code})
    assert r1.status == 200 and r2.status == 200, (r1, r2)
    assert r1.body == r2.body
    assert calls(stack, JSCODE) == before + 1      # WeChat asked once


def test_same_code_after_redis_flush_comes_from_mariadb(stack):
    code = new_code()
    r1 = stack.post("login", {"code": code})
    assert r1.status == 200, r1
    stack.redis("FLUSHALL")
    r2 = stack.post("login", {"code": code})
    assert r2.status == 200 and r2.body == r1.body, (r1, r2)


def test_same_code_while_redis_is_down(stack):
    stack.stop_redis()
    try:
        code = new_code()
        fault(stack, JSCODE, None, latency_ms=400)
        before = calls(stack, JSCODE)
        rs = in_parallel(4, lambda i: stack.post("login", {"code": code}))
        assert all(getattr(r, "status", None) == 200 for r in rs), rs
        assert len({r.body for r in rs}) == 1, rs
        assert calls(stack, JSCODE) == before + 1
        again = stack.post("login", {"code": code})
        assert again.body == rs[0].body, again
    finally:
        stack.start_redis()
        settle_redis(stack)
    # and after Redis is back (empty), MariaDB still remembers it
    assert stack.post("login", {"code": code}).body == rs[0].body


def test_code_used_elsewhere_is_invalid(stack):
    code = new_code()
    use_code_elsewhere(stack, code)
    r = stack.post("login", {"code": code})
    assert r.status == 400 and error_code(r) == "invalid_code", r


def test_same_code_after_the_window_is_invalid(stack):
    code = new_code()
    assert stack.post("login", {"code": code}).status == 200
    try:
        stack.set_clock(offset_s=6 * 60)
        r = stack.post("login", {"code": code})
        assert r.status == 400 and error_code(r) == "invalid_code", r
    finally:
        stack.set_clock(offset_s=0)


def test_invalid_codes(stack):
    for code in ["nonsense", "test:", "test:has space:1"]:
        r = stack.post("login", {"code": code})
        assert r.status == 400 and error_code(r) == "invalid_code", (code, r)
    for body in [{}, {"code": ""}, {"code": 12}, {"code": None}, {"code": "x" * 300}]:
        before = calls(stack, JSCODE)
        r = stack.post("login", body)
        assert r.status == 400 and error_code(r) == "invalid_code", (body, r)
        assert calls(stack, JSCODE) == before     # refused before asking WeChat
    r = stack.request("POST", "login", raw=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status == 400 and error_code(r) == "bad_json", r


def test_rate_limited_45011_is_429_with_retry_after(stack):
    code = new_code()
    fault(stack, JSCODE, 45011)
    r = stack.post("login", {"code": code})
    assert r.status == 429 and error_code(r) == "rate_limited", r
    assert r.header("Retry-After") and int(r.header("Retry-After")) >= 1, r.headers
    # the refused call did not use the code up, nor did we remember a failure
    assert stack.post("login", {"code": code}).status == 200


def test_risky_user_40226_is_403(stack):
    fault(stack, JSCODE, 40226)
    r = stack.post("login", {"code": new_code()})
    assert r.status == 403 and error_code(r) == "risky_user", r


def test_two_busy_answers_then_success(stack):
    before = calls(stack, JSCODE)
    fault(stack, JSCODE, -1, count=2)
    r = stack.post("login", {"code": new_code()})
    assert r.status == 200, r
    assert calls(stack, JSCODE) == before + 3       # two -1, then the one that worked


def test_busy_every_time_is_503(stack):
    fault(stack, JSCODE, -1, count=3)
    r = stack.post("login", {"code": new_code()})
    assert r.status == 503 and error_code(r) == "wechat_unavailable", r
    assert r.header("Retry-After"), r.headers
    pend = stack.sim("GET", "/__sim/stats")["pending_faults"]
    assert JSCODE not in pend, pend


def test_dropped_connection_is_503_without_retry(stack):
    code = new_code()
    before = calls(stack, JSCODE)
    fault(stack, JSCODE, "drop")
    r = stack.post("login", {"code": code})
    assert r.status == 503 and error_code(r) == "wechat_unavailable", r
    assert r.header("Retry-After"), r.headers
    assert calls(stack, JSCODE) == before + 1       # the request may have arrived: not repeated
    # the claim on the code was dropped, so the phone's retry can go through
    assert stack.post("login", {"code": code}).status == 200


def test_wechat_slower_than_the_timeout_is_503_in_time(stack):
    st = stack.factory(conf_extra={"wx_timeout_ms": 1000})
    st.start()
    try:
        st.sim("POST", "/__sim/latency", {"ms": 3000})
        before = calls(st, JSCODE)
        t = time.time()
        r = st.post("login", {"code": new_code()})
        took = time.time() - t
        assert r.status == 503 and error_code(r) == "wechat_unavailable", r
        assert r.header("Retry-After"), r.headers
        assert took < 2.5, took
        assert calls(st, JSCODE) == before + 1
        st.sim("POST", "/__sim/latency", {"ms": 0})
    finally:
        st.stop()


# ---- POST /me/phone ----

def test_phone_needs_a_token(stack):
    r = stack.post("me/phone", {"code": "phone:13800000000"})
    assert r.status == 401 and error_code(r) == "unauthorized", r


def test_phone_by_code(stack):
    token, user = stack.login()
    r = stack.post("me/phone", {"code": "phone:13812345678"}, token=token)
    assert r.status == 200 and r.json == {"phone_masked": "138****5678"}, r
    row = stack.sql("SELECT phone_masked, phone_sealed FROM users WHERE id = %d" % user["id"])
    assert row[0][0] == "138****5678" and "13812345678" not in row[0][1], row
    # a used phone code is refused as WeChat refuses it
    r = stack.post("me/phone", {"code": "phone:13812345678"}, token=token)
    assert r.status == 400 and error_code(r) == "invalid_code", r


def redis_clients(st):
    return len([x for x in st.redis("CLIENT", "LIST").split("\n") if x.strip()])


def test_slow_threads_borrow_redis_from_the_pool(stack):
    """Token-using WeChat calls run on the slow pool; they borrow Redis from
    its `slow_stores` stores (README) instead of one connection per thread."""
    st = stack.factory(conf_extra={"slow_stores": 2, "slow_workers": 32})
    st.start()
    try:
        users = [st.login() for _ in range(16)]
        st.sim("POST", "/__sim/latency", {"ms": 300})
        before = redis_clients(st)
        results = [None] * len(users)

        def go(i):
            results[i] = st.post("me/phone", {"code": "phone:1381234%04d" % i}, token=users[i][0])
        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(users))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        st.sim("POST", "/__sim/latency", {"ms": 0})
        assert all(r.status == 200 for r in results), results
        after = redis_clients(st)
        # at most the pool's two stores connect (and one for a background job)
        assert after - before <= 3, (before, after)
    finally:
        st.stop()


def test_phone_bad_input(stack):
    token, _ = stack.login()
    for body in [{}, {"code": 5}, {"encrypted_data": "abc"}, {"iv": "abc"}]:
        r = stack.post("me/phone", body, token=token)
        assert r.status == 400, (body, r)


def test_phone_by_encrypted_data(stack):
    openid = "o" + secrets.token_hex(8)
    token, user = stack.login(openid)
    enc = stack.sim("POST", "/__sim/encrypt", {"openid": openid, "data": {
        "phoneNumber": "13987654321", "purePhoneNumber": "13987654321", "countryCode": "86"}})
    r = stack.post("me/phone", {"encrypted_data": enc["encrypted_data"], "iv": enc["iv"]}, token=token)
    assert r.status == 200 and r.json == {"phone_masked": "139****4321"}, r
    row = stack.sql("SELECT phone_masked FROM users WHERE id = %d" % user["id"])
    assert row == [["139****4321"]], row


def test_phone_encrypted_for_another_app_is_400(stack):
    openid = "o" + secrets.token_hex(8)
    token, _ = stack.login(openid)
    enc = stack.sim("POST", "/__sim/encrypt", {"openid": openid, "appid": "wxsomeoneelse00001",
                                              "data": {"purePhoneNumber": "13900000001"}})
    r = stack.post("me/phone", enc, token=token)
    assert r.status == 400 and error_code(r) == "invalid_encrypted_data", r


def test_phone_garbage_with_a_current_key_is_400(stack):
    openid = "o" + secrets.token_hex(8)
    token, _ = stack.login(openid)
    # decrypts under the right key, but to no JSON: checksession says the key is current
    enc = stack.sim("POST", "/__sim/encrypt", {"openid": openid, "data": "not json at all"})
    r = stack.post("me/phone", enc, token=token)
    assert r.status == 400 and error_code(r) == "invalid_encrypted_data", r


def test_phone_with_a_stale_session_key_is_401_relogin(stack):
    openid = "o" + secrets.token_hex(8)
    token, _ = stack.login(openid)
    # the phone logs in to WeChat again without telling us: our key is stale
    use_code_elsewhere(stack, new_code(openid))
    before = calls(stack, "/wxa/checksession")
    enc = stack.sim("POST", "/__sim/encrypt", {"openid": openid, "data": {
        "purePhoneNumber": "13911112222", "phoneNumber": "13911112222", "countryCode": "86"}})
    r = stack.post("me/phone", enc, token=token)
    assert r.status == 401 and error_code(r) == "relogin_required", r
    assert calls(stack, "/wxa/checksession") == before + 1
    # after logging in again it works
    token, _ = stack.login(openid)
    enc = stack.sim("POST", "/__sim/encrypt", {"openid": openid, "data": {
        "purePhoneNumber": "13911112222", "phoneNumber": "13911112222", "countryCode": "86"}})
    r = stack.post("me/phone", enc, token=token)
    assert r.status == 200 and r.json == {"phone_masked": "139****2222"}, r


# ---- POST /admin/login ----

def test_admin_login_good_and_bad(stack):
    clear_rate_limits(stack)
    name = organizer(stack)
    r = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD})
    assert r.status == 200, r
    assert r.json["role"] == "organizer" and r.json["region_code"] is None and r.json["unit_id"] is None
    assert set(r.json) == {"token", "role", "region_code", "unit_id"}, r.json
    h = hashlib.sha256(r.json["token"].encode()).hexdigest()
    assert stack.sql("SELECT roles, organizer_id IS NOT NULL FROM sessions WHERE token_hash = '%s'" % h) == [["4", "1"]]

    bad_pw = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD + "x"})
    bad_name = stack.post("admin/login", {"username": name + "x", "password": ORG_PASSWORD})
    assert bad_pw.status == bad_name.status == 401, (bad_pw, bad_name)
    assert bad_pw.body == bad_name.body and error_code(bad_pw) == "invalid_credentials"
    assert [k for k, _ in bad_pw.headers if k.lower() not in ("date",)] == \
        [k for k, _ in bad_name.headers if k.lower() not in ("date",)]
    clear_rate_limits(stack)


def test_admin_login_unknown_name_costs_a_hash_too(stack):
    clear_rate_limits(stack)
    name = organizer(stack)

    def timed(body):
        t = time.time()
        r = stack.post("admin/login", body)
        assert r.status == 401, r
        return time.time() - t

    # interleaved, so a burst of load on the machine hits both kinds alike
    wrong_pw, no_name = [], []
    for i in range(5):
        wrong_pw.append(timed({"username": name, "password": "nope-" + str(i)}))
        no_name.append(timed({"username": "ghost" + secrets.token_hex(4), "password": "nope"}))
    wrong_pw, no_name = min(wrong_pw), min(no_name)
    # an unknown name skipping the hash would answer in ~1 ms against ~50+ ms
    assert no_name > 0.5 * wrong_pw, (no_name, wrong_pw)
    clear_rate_limits(stack)


def test_admin_login_with_area_and_bad_commands(stack):
    name = organizer(stack, area="140000")
    r = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD})
    assert r.status == 200 and r.json["region_code"] == "140000", r
    assert stack.quizd("organizer-add", "orgx" + secrets.token_hex(3), "999999",
                       input=b"long enough password\n").returncode == 2
    assert stack.quizd("organizer-add", "orgx" + secrets.token_hex(3),
                       input=b"short\n").returncode == 2
    assert stack.quizd("organizer-add", "x", input=b"long enough password\n").returncode == 2
    # the password from the environment instead of stdin
    env_name = "orgenv" + secrets.token_hex(3)
    p = subprocess.run([os.path.join(stack.build, "quizd"), "--config",
                        os.path.join(stack.dir, "quizd0.conf"), "organizer-add", env_name, "all"],
                       env=dict(os.environ, QUIZ_NEW_PASSWORD="from the environment"),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert p.returncode == 0 and b"created (area: all)" in p.stdout, p
    r2 = stack.post("admin/login", {"username": env_name, "password": "from the environment"})
    assert r2.status == 200 and r2.json["region_code"] is None, r2
    # a new password for the same name ends the old sessions
    old = r.json["token"]
    organizer(stack, name=name, area="140000", password="another long password")
    h = hashlib.sha256(old.encode()).hexdigest()
    assert stack.sql("SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'" % h) == [["0"]]
    assert stack.post("admin/login", {"username": name, "password": ORG_PASSWORD}).status == 401
    assert stack.post("admin/login", {"username": name, "password": "another long password"}).status == 200
    clear_rate_limits(stack)


def test_admin_login_bad_requests(stack):
    for body in [{}, {"username": "a"}, {"password": "b"}, {"username": 1, "password": "x"}]:
        r = stack.post("admin/login", body)
        assert r.status == 400 and error_code(r) == "invalid_parameter", (body, r)
    # a NUL inside a field is well-formed JSON; each field's own rule refuses it
    clear_rate_limits(stack)
    name = organizer(stack)
    for body in [{"username": name + "\u0000x", "password": ORG_PASSWORD},
                 {"username": name, "password": ORG_PASSWORD + "\u0000"},
                 {"username": name, "password": ORG_PASSWORD[:6] + "\u0000" + ORG_PASSWORD[6:]}]:
        r = stack.post("admin/login", body)
        assert r.status == 401 and error_code(r) == "invalid_credentials", (body, r)
    r = stack.post("admin/login", {"code": "\u0000"})
    assert r.status == 400 and error_code(r) == "invalid_code", r
    r = stack.post("login", {"code": "abc\u0000def"})
    assert r.status == 400 and error_code(r) == "invalid_code", r
    clear_rate_limits(stack)
    assert stack.post("admin/login", {"username": name, "password": ORG_PASSWORD}).status == 200


def test_admin_login_rate_limit_per_account(stack):
    clear_rate_limits(stack)
    name = organizer(stack)
    for i in range(10):
        r = stack.post("admin/login", {"username": name, "password": "guess%d" % i})
        assert r.status == 401, (i, r)
    r = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD})
    assert r.status == 429 and error_code(r) == "rate_limited", r
    assert 1 <= int(r.header("Retry-After")) <= 15 * 60, r.headers
    # another account from the same address is not affected by this one
    other = organizer(stack)
    assert stack.post("admin/login", {"username": other, "password": ORG_PASSWORD}).status == 200
    clear_rate_limits(stack)
    assert stack.post("admin/login", {"username": name, "password": ORG_PASSWORD}).status == 200


def test_admin_login_rate_limit_holds_for_requests_at_once(stack):
    clear_rate_limits(stack)
    name = organizer(stack)
    rs = in_parallel(30, lambda i: stack.post("admin/login", {"username": name, "password": "g%d" % i}))
    statuses = sorted(getattr(r, "status", None) for r in rs)
    # attempts are counted as they are admitted, before hashing: exactly
    # the limit is tried, the rest refused without costing a hash
    assert statuses.count(401) == 10 and statuses.count(429) == 20, statuses
    clear_rate_limits(stack)


def test_admin_login_rate_limit_per_address(stack):
    clear_rate_limits(stack)
    for i in range(20):
        r = stack.post("admin/login", {"username": "spray%d" % i, "password": "guess"})
        assert r.status == 401, (i, r)
    name = organizer(stack)
    r = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD})
    assert r.status == 429 and error_code(r) == "rate_limited", r
    r = stack.post("admin/login", {"code": "ABCD2345"})
    assert r.status == 429, r
    clear_rate_limits(stack)


def test_admin_login_rate_limit_holds_while_redis_is_down(stack):
    # on a stack of its own: what the server counts by itself while Redis
    # is down is handed to Redis when it is back (ratelimit.c), and must
    # not reach the other tests' address budget
    own = stack.factory()
    own.start()
    try:
        limit_holds_while_redis_is_down(own)
    finally:
        own.stop()


def limit_holds_while_redis_is_down(stack):
    name = organizer(stack)
    stack.stop_redis()
    try:
        for i in range(10):
            r = stack.post("admin/login", {"username": name, "password": "guess%d" % i})
            assert r.status == 401, (i, r)
        r = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD})
        assert r.status == 429, r
        other = organizer(stack)
        r = stack.post("admin/login", {"username": other, "password": ORG_PASSWORD})
        assert r.status == 200, r      # organizers can still sign in
    finally:
        stack.start_redis()
        settle_redis(stack)
    # Redis is back: the ten failures counted while it was down still hold
    # the name (they are handed over with the next attempt)
    r = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD})
    assert r.status == 429, r


# ---- console codes ----

def test_console_code_flow(stack):
    clear_rate_limits(stack)
    token, user, unit = unit_admin_token(stack)
    r = stack.post("me/console-code", {}, token=token)
    assert r.status == 200 and r.json["expires_in"] == 600, r
    code = r.json["code"]
    assert len(code) == 8 and code.isalnum(), code
    typed = (code[:4] + "-" + code[4:]).lower()            # as a person might type it
    r = stack.post("admin/login", {"code": typed})
    assert r.status == 200, r
    assert r.json["role"] == "unit_admin" and r.json["unit_id"] == unit and r.json["region_code"] is None
    console = r.json["token"]
    # single use
    r = stack.post("admin/login", {"code": code})
    assert r.status == 400 and error_code(r) == "invalid_code", r
    # the console session is the unit admin's, not the mini-program user's
    assert stack.post("me/phone", {"code": "phone:13800000009"}, token=console).status == 403
    assert stack.post("me/console-code", {}, token=console).status == 200
    clear_rate_limits(stack)


def test_console_code_replaced_and_expired(stack):
    clear_rate_limits(stack)
    token, _, _ = unit_admin_token(stack)
    first = stack.post("me/console-code", {}, token=token).json["code"]
    second = stack.post("me/console-code", {}, token=token).json["code"]
    r = stack.post("admin/login", {"code": first})
    assert r.status == 400, r                       # replaced by the second
    try:
        stack.set_clock(offset_s=11 * 60)
        r = stack.post("admin/login", {"code": second})
        assert r.status == 400 and error_code(r) == "invalid_code", r
    finally:
        stack.set_clock(offset_s=0)
    for bad in ["", "short", "0000OOOO", "ABCDEFGHJ"]:
        assert stack.post("admin/login", {"code": bad}).status == 400
    clear_rate_limits(stack)


def test_role_changes_apply_once_the_cache_is_gone(stack):
    token, user, _ = unit_admin_token(stack)
    assert stack.post("me/console-code", {}, token=token).status == 200
    stack.sql("UPDATE users SET roles = 1, admin_unit_id = NULL WHERE id = %d" % user["id"])
    stack.redis("FLUSHALL")       # what session_forget_user does for one user
    r = stack.post("me/console-code", {}, token=token)
    assert r.status == 403, r
    # the user session itself still works
    assert stack.post("me/phone", {"code": "phone:13800000010"}, token=token).status == 200


# ---- sessions and Redis ----

def test_redis_restart_logs_no_one_out(stack):
    clear_rate_limits(stack)
    token, _ = stack.login()
    admin, _, _ = unit_admin_token(stack)
    name = organizer(stack)
    org = stack.post("admin/login", {"username": name, "password": ORG_PASSWORD}).json["token"]
    n = [0]

    def still_in():
        n[0] += 1
        r = stack.post("me/phone", {"code": "phone:1370000%04d" % (n[0] + secrets.randbelow(9000))},
                       token=token)
        assert r.status == 200, r
        r = stack.post("me/console-code", {}, token=admin)
        assert r.status == 200, r
        # the organizer token is known: wrong role (403), not unknown (401)
        r = stack.post("me/console-code", {}, token=org)
        assert r.status == 403, r

    still_in()
    stack.stop_redis()
    try:
        still_in()                  # Redis down: sessions come from MariaDB
    finally:
        stack.start_redis()
        settle_redis(stack)
    still_in()                      # Redis back, empty
    stack.redis("FLUSHALL")
    still_in()


def test_expired_session_is_401(stack):
    token, _ = stack.login()
    try:
        stack.set_clock(offset_s=8 * 24 * 3600)
        r = stack.post("me/phone", {"code": "phone:13800000011"}, token=token)
        assert r.status == 401, r
    finally:
        stack.set_clock(offset_s=0)


# ---- two servers: one claim per code, one access token ----

def test_two_servers_same_code_at_once_and_token_storm(stack):
    # Generous WeChat timeouts: this test counts tokens, and the simulator
    # (Python, one core) is slow to shake hands with 256 new TLS clients at
    # once, more so beside a sanitizer build.
    st = stack.factory(servers=2, conf_extra={"wx_connect_timeout_ms": 10000, "wx_timeout_ms": 20000})
    st.start()
    try:
        # the same code at once on both servers: WeChat is asked once, all
        # get the one reply (the claim lives in Redis, shared by the servers)
        code = new_code()
        before = calls(st, JSCODE)
        fault(st, JSCODE, None, latency_ms=400)      # keep the first one busy
        rs = in_parallel(8, lambda i: st.post("login", {"code": code}))
        assert all(getattr(r, "status", None) == 200 for r in rs), rs
        assert len({r.body for r in rs}) == 1, rs
        assert calls(st, JSCODE) == before + 1

        # token storm: 200 users log in; WeChat expires every token; 200
        # phone calls at once over both servers fetch at most one token each
        n = 200
        def login(i):
            for _ in range(3):      # setup: a phone would retry a 503 too
                r = st.post("login", {"code": new_code()}, timeout=60)
                if r.status != 503:
                    break
            assert r.status == 200, r
            return r.json["token"]

        tokens = in_parallel(n, login)
        assert all(isinstance(t, str) for t in tokens), [t for t in tokens if not isinstance(t, str)][:3]
        assert st.post("me/phone", {"code": "phone:13900009999"}, token=tokens[0]).status == 200
        st.sim("POST", "/__sim/expire-tokens")
        before = st.sim("GET", "/__sim/stats")["token_issues"]
        rs = in_parallel(n, lambda i: st.post("me/phone", {"code": "phone:1380000%04d" % i},
                                              token=tokens[i], timeout=60))
        bad = [r for r in rs if getattr(r, "status", None) != 200]
        assert not bad, (len(bad), bad[:3])
        assert [r.json["phone_masked"] for r in rs[:2]] == ["138****0000", "138****0001"]
        issued = st.sim("GET", "/__sim/stats")["token_issues"] - before
        assert issued <= 2, issued
        # both servers took part
        for i in range(2):
            assert st.server_log(i).count("/api/v1/me/phone 200") >= 20, i
    finally:
        st.stop()


# ---- logins committed together (engines/accounts/login_group.h) ----

def procedure_calls(stack):
    return int(stack.sql("SHOW GLOBAL STATUS LIKE 'Com_call_procedure'")[0][1])


def test_logins_at_once_are_committed_together_and_each_is_its_own(stack):
    """Logins whose WeChat answers come back together share transactions:
    fewer login_finish_group calls than logins, and still every login gets
    its own session, the same person the same user id, and the replay of
    its own code."""
    twice = "o" + secrets.token_hex(8)
    registered = "o" + secrets.token_hex(8)
    _, reg_user = stack.login(registered)
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, kind, unit_id,"
              " board_unit_id, created_at, updated_at) VALUES (%d, 'x', '140000', '140000',"
              " 'staff', 1, 1, 0, 0)" % reg_user["id"])
    codes = [new_code() for _ in range(32)] + [new_code(twice) for _ in range(4)] + \
        [new_code(registered) for _ in range(4)]
    stack.sim("POST", "/__sim/latency", {"ms": 200})
    try:
        before = procedure_calls(stack)
        results = in_parallel(len(codes), lambda i: stack.post("login", {"code": codes[i]}))
        calls_made = procedure_calls(stack) - before
    finally:
        stack.sim("POST", "/__sim/latency", {"ms": 0})
    assert all(getattr(r, "status", None) == 200 for r in results), results
    assert calls_made < len(codes), calls_made
    tokens = [r.json["token"] for r in results]
    assert len(set(tokens)) == len(tokens)
    ids = [r.json["user"]["id"] for r in results]
    assert len(set(ids[:32])) == 32 and len(set(ids[32:36])) == 1 and set(ids[36:]) == {reg_user["id"]}
    assert not set(ids[:32]) & set(ids[32:])
    assert [r.json["user"]["registered"] for r in results] == [False] * 36 + [True] * 4
    for code, tok, uid in zip(codes, tokens, ids):
        h = hashlib.sha256(tok.encode()).hexdigest()
        assert stack.sql("SELECT user_id FROM sessions WHERE token_hash = '%s'" % h) == [[str(uid)]]
        me = stack.get("me", token=tok)
        assert me.status == 200 and me.json["user"]["id"] == uid, me
        again = stack.post("login", {"code": code})        # the remembered reply: same bytes
        assert again.status == 200 and again.json == results[codes.index(code)].json, again
    assert stack.sql("SELECT COUNT(*) FROM users WHERE openid = '%s'" % twice) == [["1"]]


def test_one_bad_login_in_a_group_fails_alone(stack):
    """A login whose write fails for good fails the group's transaction;
    the group is written again login by login, so the others still log in."""
    bad = "o" + secrets.token_hex(8)
    stack.login(bad)
    stack.sql("DELIMITER //\nCREATE TRIGGER t_login_bad BEFORE UPDATE ON users FOR EACH ROW"
              " BEGIN IF NEW.openid = '%s' THEN SIGNAL SQLSTATE '45000'"
              " SET MESSAGE_TEXT = 'refused by the test'; END IF; END//" % bad)
    codes = [new_code(bad)] + [new_code() for _ in range(15)]
    stack.sim("POST", "/__sim/latency", {"ms": 200})
    try:
        results = in_parallel(len(codes), lambda i: stack.post("login", {"code": codes[i]}))
    finally:
        stack.sim("POST", "/__sim/latency", {"ms": 0})
        stack.sql("DROP TRIGGER IF EXISTS t_login_bad")
    assert results[0].status == 503, results[0]
    assert all(getattr(r, "status", None) == 200 for r in results[1:]), results
    for r in results[1:]:
        assert stack.get("me", token=r.json["token"]).status == 200
    # the failed one left no claim behind: its next code logs in
    assert stack.post("login", {"code": new_code(bad)}).status == 200


def test_logins_waiting_for_their_group_hold_no_slow_thread(stack):
    """A login WeChat has answered waits for its group's commit parked
    (login_group.h), its slow-pool thread free: while MariaDB holds the
    group's writer up (the users table locked), the pool's three threads
    still take every other login to WeChat, and once the lock goes every
    login is written and answered. (Were the waiters holding their threads,
    three logins would reach WeChat and the rest wait in the queue.)"""
    st = stack.factory(conf_extra={"slow_workers": 3})
    st.start()
    lock = st.lock_tables("users WRITE")
    try:
        before = calls(st, JSCODE)
        codes = [new_code() for _ in range(9)]
        results = [None] * len(codes)

        def go(i):
            results[i] = st.post("login", {"code": codes[i]})
        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(codes))]
        for t in threads:
            t.start()
        end = time.time() + 20
        while calls(st, JSCODE) - before < len(codes) and time.time() < end:
            time.sleep(0.05)
        reached = calls(st, JSCODE) - before
        waiting = sum(t.is_alive() for t in threads)
        lock.unlock()
        for t in threads:
            t.join(60)
        assert reached == len(codes), reached
        assert waiting == len(codes), waiting      # none answered before its commit
        assert all(getattr(r, "status", None) == 200 for r in results), results
        for r in results:
            assert st.get("me", token=r.json["token"]).status == 200
    finally:
        lock.close()
        st.stop()
