"""Sessions and trust (issue 14): POST /logout ends a token everywhere;
organizer sessions are short and confirmed in MariaDB, so disabling an
account or changing its area acts at once; a session written into Redis by
someone without the server's key is not accepted; Redis asks for a
password; a stranger's failed sign-ins cannot lock an organizer out; a TCP
FastCGI listener talks only to its trusted peers."""
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import time

from test_foundation import fcgi_pair, fcgi_record, read_fcgi_reply

__order__ = 32

PASSWORD = "sessions-test-password-1"


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and set(j) == {"error"}, r
    return j["error"]["code"]


def clear_rate_limits(stack):
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:*')) do redis.call('DEL', k) end",
                "0")


def organizer(stack, area=None):
    name = "sess" + secrets.token_hex(4)
    args = ["organizer-add", name] + ([area] if area else [])
    p = stack.quizd(*args, input=(PASSWORD + "\n").encode())
    assert p.returncode == 0, p.stderr
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 200, r
    return name, r.json["token"]


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def test_logout_ends_a_user_token_everywhere(stack):
    tok, user = stack.login()
    h = token_hash(tok)
    assert stack.get("me", token=tok).status == 200
    assert stack.redis("EXISTS", "sess:" + h) == "1"       # cached by the login
    r = stack.post("logout", token=tok)
    assert r.status == 204 and r.body == b"", r
    assert stack.redis("EXISTS", "sess:" + h) == "0"
    assert stack.sql("SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'" % h) == [["0"]]
    r = stack.get("me", token=tok)
    assert r.status == 401 and error_code(r) == "unauthorized", r
    # logging out again with the dead token, or with none: 401
    assert stack.post("logout", token=tok).status == 401
    assert stack.post("logout").status == 401
    # another session of the same person lives on
    tok2, u2 = stack.login("o" + secrets.token_hex(8))
    assert stack.get("me", token=tok2).status == 200


def wait_until(cond, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError("not within %d s: %s" % (seconds, what))


def test_a_logout_while_redis_is_unreachable_ends_the_cached_copy_when_it_is_back(stack):
    tok, user = stack.login()
    h = token_hash(tok)
    assert stack.get("me", token=tok).status == 200
    assert stack.redis("EXISTS", "sess:" + h) == "1"
    pid = stack.procs["redis"].pid
    os.kill(pid, signal.SIGSTOP)            # unreachable, but keeps what it holds
    try:
        r = stack.post("logout", token=tok, timeout=60)
        assert r.status == 204, r
        assert stack.sql("SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'" % h) == [["0"]]
        assert stack.sql("SELECT COUNT(*) FROM session_revocations WHERE token_hash = '%s'" % h) == [["1"]]
    finally:
        os.kill(pid, signal.SIGCONT)
    # Redis is back with the copy still in it: the background drops it
    wait_until(lambda: stack.redis("EXISTS", "sess:" + h) == "0", 30, "the cached copy dropped")
    wait_until(lambda: stack.sql("SELECT COUNT(*) FROM session_revocations WHERE token_hash = '%s'" % h)
               == [["0"]], 30, "the revocation done")
    r = stack.get("me", token=tok)
    assert r.status == 401 and error_code(r) == "unauthorized", r


def test_logout_of_an_organizer(stack):
    _, tok = organizer(stack)
    assert stack.get("admin/stats", token=tok).status == 200
    assert stack.post("logout", token=tok).status == 204
    assert stack.get("admin/stats", token=tok).status == 401


def test_organizer_sessions_last_twelve_hours(stack):
    _, tok = organizer(stack)
    rows = stack.sql("SELECT expires_at - created_at FROM sessions WHERE token_hash = '%s'"
                     % token_hash(tok))
    assert rows == [["43200"]], rows
    # a mini-program session keeps the longer life
    utok, _ = stack.login()
    rows = stack.sql("SELECT expires_at - created_at FROM sessions WHERE token_hash = '%s'"
                     % token_hash(utok))
    assert rows == [["604800"]], rows


def test_disabling_an_organizer_acts_on_live_sessions_at_once(stack):
    name, tok = organizer(stack)
    assert stack.get("admin/stats", token=tok).status == 200
    stack.sql("UPDATE organizers SET disabled = 1 WHERE username = '%s'" % name)
    r = stack.get("admin/stats", token=tok)
    assert r.status == 401 and error_code(r) == "unauthorized", r
    stack.sql("UPDATE organizers SET disabled = 0 WHERE username = '%s'" % name)
    assert stack.get("admin/stats", token=tok).status == 200


def test_an_organizers_changed_area_acts_at_once(stack):
    name, tok = organizer(stack)
    # a nationwide route: a too-short notice is refused by the handler (400)
    r = stack.put("admin/privacy", {"text": "x"}, token=tok)
    assert r.status == 400 and error_code(r) == "invalid_text", r
    stack.sql("UPDATE organizers SET area = '140000' WHERE username = '%s'" % name)
    r = stack.put("admin/privacy", {"text": "x"}, token=tok)
    assert r.status == 403 and error_code(r) == "forbidden", r


def test_a_unit_admin_whose_role_is_taken_loses_it_at_once(stack):
    openid = "o" + secrets.token_hex(8)
    _, u = stack.login(openid)
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = 4242 WHERE id = %d" % u["id"])
    tok, _ = stack.login(openid)
    assert stack.post("me/console-code", {}, token=tok).status == 200
    # no cache flush, no call to anything: the next request knows
    stack.sql("UPDATE users SET roles = 1, admin_unit_id = NULL WHERE id = %d" % u["id"])
    r = stack.post("me/console-code", {}, token=tok)
    assert r.status == 403 and error_code(r) == "forbidden", r
    assert stack.get("me", token=tok).status == 200


def test_a_forged_redis_session_is_not_accepted(stack):
    exp = int(time.time()) + 3600
    # an organizer session made up from nothing, with and without a MAC
    for forged in ("1 0 1 4 0 %d -" % exp, "1 0 1 4 0 %d - %s" % (exp, "ab" * 32)):
        tok = secrets.token_urlsafe(32)
        assert stack.redis("SET", "sess:" + token_hash(tok), forged, "EX", "600") == "OK"
        r = stack.get("admin/stats", token=tok)
        assert r.status == 401 and error_code(r) == "unauthorized", (forged, r)
    # a user session made up the same way
    tok = secrets.token_urlsafe(32)
    stack.redis("SET", "sess:" + token_hash(tok), "1 999999 0 1 0 %d - %s" % (exp, "cd" * 32),
                "EX", "600")
    assert stack.get("me", token=tok).status == 401
    # a real user's cached entry, with its roles raised: the MAC no longer
    # holds, so the server reloads the session from MariaDB (roles: user)
    utok, _ = stack.login()
    key = "sess:" + token_hash(utok)
    entry = stack.redis("GET", key)
    assert entry and entry.startswith("1 "), entry
    parts = entry.split(" ")
    assert len(parts) == 8 and len(parts[7]) == 64, entry
    parts[3] = "7"
    stack.redis("SET", key, " ".join(parts), "EX", "600")
    r = stack.get("admin/stats", token=utok)
    assert r.status == 403 and error_code(r) == "forbidden", r
    # the entry was moved to another token: refused as well
    other = secrets.token_urlsafe(32)
    stack.redis("SET", "sess:" + token_hash(other), entry, "EX", "600")
    assert stack.get("me", token=other).status == 401
    assert stack.get("me", token=utok).status == 200


def test_redis_asks_for_a_password(stack):
    r = subprocess.run(["redis-cli", "-p", str(stack.redis_port), "--raw", "SET", "sess:x", "y"],
                       capture_output=True, timeout=30)
    assert b"NOAUTH" in r.stdout + r.stderr, r
    assert stack.redis("PING") == "PONG"
    r = stack.get("healthz")
    assert r.status == 200 and r.json["redis"] == "up", r


def test_a_stranger_cannot_lock_an_organizer_out(stack):
    clear_rate_limits(stack)
    name, _ = organizer(stack)
    # a stranger at another address fails until refused
    seen = []
    for i in range(15):
        r = stack.post("admin/login", {"username": name, "password": "wrong-%d" % i},
                       source="127.0.0.2")
        seen.append(r.status)
    assert seen.count(401) == 10 and seen[-1] == 429, seen
    r = stack.post("admin/login", {"username": name, "password": PASSWORD}, source="127.0.0.2")
    assert r.status == 429 and error_code(r) == "rate_limited" and r.header("Retry-After"), r
    # the organizer, from their own address, signs in
    r = stack.post("admin/login", {"username": name, "password": PASSWORD}, source="127.0.0.3")
    assert r.status == 200 and r.json["role"] == "organizer", r
    clear_rate_limits(stack)


# ---- the TCP listener ----

def fcgi_ping(remote_addr=b"127.0.0.9"):
    params = b"".join(fcgi_pair(k, v) for k, v in [
        (b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/metrics"), (b"REMOTE_ADDR", remote_addr)])
    return (fcgi_record(1, 1, b"\x00\x01\x00\x00\x00\x00\x00\x00") + fcgi_record(4, 1, params)
            + fcgi_record(4, 1, b"") + fcgi_record(5, 1, b""))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_tcp_listener_answers_only_trusted_peers(stack):
    conf = stack.server_conf(0)
    port = free_port()
    conf.update({"listen": "127.0.0.1:%d" % port, "trusted_peers": "127.0.0.5, ::1",
                 "log_file": os.path.join(stack.dir, "quizd-tcp.log"), "migrate_on_start": 0})
    path = os.path.join(stack.dir, "quizd-tcp.conf")
    with open(path, "w") as f:
        for k, v in conf.items():
            f.write("%s = %s\n" % (k, v))
    os.chmod(path, 0o600)
    p = stack._spawn("quizd-tcp", [os.path.join(stack.build, "quizd"), "--config", path, "serve"])
    try:
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline and p.poll() is None, "quizd-tcp did not start"
                time.sleep(0.1)
        # an untrusted peer (127.0.0.1) claiming to be loopback: closed unanswered
        s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.1", 0))
        try:
            try:
                s.sendall(fcgi_ping(b"127.0.0.1"))
                got = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                got = b""
            assert got == b"", got
        finally:
            s.close()
        # the trusted peer is answered, and its REMOTE_ADDR is believed
        s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.5", 0))
        try:
            s.sendall(fcgi_ping(b"127.0.0.1"))
            out = read_fcgi_reply(s)
            assert b"Status: 200" in out or b"quiz_" in out, out[:200]
        finally:
            s.close()
        s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.5", 0))
        try:
            s.sendall(fcgi_ping(b"10.1.2.3"))      # a loopback-only route from afar
            out = read_fcgi_reply(s)
            assert b"403" in out.split(b"\r\n")[0], out[:200]
        finally:
            s.close()
        with open(conf["log_file"], "rb") as f:
            assert b"not in trusted_peers" in f.read()
    finally:
        stack._stop_proc("quizd-tcp")
