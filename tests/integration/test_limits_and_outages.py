"""Each route's own body limit (413 from nginx and from the server itself,
past nginx), the server down behind nginx (503 in the contract's shape),
and replies that leak nothing while MariaDB is down."""
import json
import os
import socket
import struct
import time

from boards_helpers import fcgi_call

__order__ = 85

# (route, limit in bytes) as handlers/routes.c declares them
LIMITS = [("/api/v1/login", 4096), ("/api/v1/attempts", 1024), ("/api/v1/attempts/1/submit", 128 * 1024),
          ("/api/v1/admin/questions/import", 16448 * 1024)]


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and set(j.get("error", {})) == {"code", "message"}, r
    return j["error"]["code"]


def padded(n):
    """A JSON object of exactly n bytes."""
    head = b'{"pad":"'
    return head + b"x" * (n - len(head) - 2) + b'"}'


def fcgi_post(stack, path, body):
    """POST straight to quizd0's socket (no nginx in front): (status, body)."""
    return fcgi_call(os.path.join(stack.dir, "quizd0.sock"), "POST", path, "", body)


def test_each_route_refuses_a_body_over_its_own_limit(stack):
    for path, limit in LIMITS:
        # through nginx: over the route's limit is nginx's 413, in the contract's shape
        r = stack.request("POST", path, raw=padded(limit + 1), headers={"Content-Type": "application/json"},
                          timeout=120)
        assert r.status == 413 and error_code(r) == "body_too_large", (path, r)
        assert r.header("Content-Type").startswith("application/json"), r.headers
        # at the limit: not refused for its size (other errors are fine)
        r = stack.request("POST", path, raw=padded(limit), headers={"Content-Type": "application/json"},
                          timeout=120)
        assert r.status != 413, (path, r)
    # the server keeps its own limits too, for a peer that is not our nginx
    for path, limit in LIMITS[:3]:
        status, body = fcgi_post(stack, path, padded(limit + 1))
        assert status == 413 and json.loads(body)["error"]["code"] == "body_too_large", (path, status, body)
        status, body = fcgi_post(stack, path, padded(limit))
        assert status != 413, (path, status, body)


def wait_until(cond, what, timeout=30):
    end = time.time() + timeout
    while not cond():
        assert time.time() < end, what
        time.sleep(0.05)


def test_server_down_behind_nginx_is_503_unavailable(stack):
    """nginx in front of a stopped server answers 503 with a code
    docs/API.md names (`unavailable`) and Retry-After, as JSON."""
    stack.stop_server(0)
    try:
        for method, path in [("GET", "/api/v1/ping"), ("POST", "/api/v1/login"), ("GET", "/api/v1/healthz")]:
            r = stack.request(method, path, body={} if method == "POST" else None)
            assert r.status == 503 and error_code(r) == "unavailable", (path, r)
            assert r.header("Retry-After") == "1", r.headers
            assert r.header("Content-Type").startswith("application/json"), r.headers
    finally:
        stack.start_server(0)
    wait_until(lambda: stack.get("/api/v1/ping").status == 200, "the server back behind nginx")


def test_replies_leak_nothing_while_mariadb_is_down(stack):
    user, _ = stack.login()
    stack.stop_mariadb()
    try:
        for method, path, tok in [("GET", "/api/v1/me", user), ("POST", "/api/v1/attempts", user),
                                  ("GET", "/api/v1/contests/current", None), ("GET", "/api/v1/units?q=xyz", None),
                                  ("POST", "/api/v1/admin/login", None)]:
            body = {"username": "x", "password": "y"} if path.endswith("admin/login") else \
                ({} if method == "POST" else None)
            r = stack.request(method, path, body=body, token=tok)
            assert r.status == 503, (path, r)
            assert error_code(r) in ("unavailable", "overloaded"), (path, r)
            for needle in (b"SQL", b"MariaDB", b"mysql", b"socket", stack.db_password.encode(), b".c:"):
                assert needle not in r.body, (path, needle, r.body)
    finally:
        stack.start_mariadb()
    wait_until(lambda: stack.get("/api/v1/healthz").status == 200, "MariaDB back in /healthz")


def test_a_peer_that_sends_a_body_longer_than_announced_is_refused(stack):
    """CONTENT_LENGTH says 10, the stream carries 20: the server answers
    400 or drops the connection; it never reads the extra bytes as a body."""
    def rec(t, content):
        return struct.pack(">BBHHBB", 1, t, 1, len(content), 0, 0) + content

    def pair(k, v):
        return bytes([len(k)]) + bytes([len(v)]) + k + v
    params = b"".join(pair(k, v) for k, v in [
        (b"REQUEST_METHOD", b"POST"), (b"REQUEST_URI", b"/api/v1/login"), (b"QUERY_STRING", b""),
        (b"REMOTE_ADDR", b"127.0.0.1"), (b"CONTENT_TYPE", b"application/json"), (b"CONTENT_LENGTH", b"10")])
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(os.path.join(stack.dir, "quizd0.sock"))
    s.sendall(rec(1, struct.pack(">HB5x", 1, 0)) + rec(4, params) + rec(4, b"") + rec(5, b'{"a":' + b"1" * 15)
              + rec(5, b""))
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except ConnectionResetError:
        pass
    s.close()
    assert out == b"" or b"Status: 400" in out or b"Status: 413" in out, out[:200]
    status, _ = fcgi_call(os.path.join(stack.dir, "quizd0.sock"), "GET", "/api/v1/ping", "")
    assert status == 200
