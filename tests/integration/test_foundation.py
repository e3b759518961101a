"""The server itself, through nginx: routes, errors in the contract's shape,
body limits, kept-alive connections, hostile FastCGI peers, stores going
away and coming back, and overload."""
import http.client
import json
import os
import socket
import struct
import subprocess
import threading
import time

import stack as stackmod

__order__ = 10


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    assert set(j["error"]) == {"code", "message"}, j
    return j["error"]["code"]


def test_route_and_content_type(stack):
    r = stack.get("/api/v1/ping")
    assert r.status == 200 and r.json == {"pong": True}, r
    assert r.header("Content-Type") == "application/json; charset=utf-8", r.headers


def test_unknown_route_is_404_in_contract_shape(stack):
    r = stack.get("/api/v1/no/such/thing")
    assert r.status == 404 and error_code(r) == "not_found", r


def test_wrong_method_is_405(stack):
    r = stack.request("DELETE", "/api/v1/healthz")
    assert r.status == 405 and error_code(r) == "method_not_allowed", r


def test_body_over_the_limit_is_413(stack):
    r = stack.request("POST", "/api/v1/ping", raw=b"x" * (1024 * 1024 + 10),
                      headers={"Content-Type": "application/json"})
    assert r.status == 413 and error_code(r) == "body_too_large", r


def test_healthz(stack):
    r = stack.get("/api/v1/healthz")
    assert r.status == 200 and r.json == {"ok": True, "mariadb": "up", "redis": "up"}, r


def test_keepalive_several_requests_on_one_connection(stack):
    c = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    for i in range(20):
        c.request("GET", "/api/v1/ping")
        r = c.getresponse()
        assert r.status == 200 and json.loads(r.read()) == {"pong": True}
    c.close()


def fcgi_record(t, rid, content, pad=0):
    return struct.pack(">BBHHBB", 1, t, rid, len(content), pad, 0) + content + b"\0" * pad


def fcgi_pair(name, value):
    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def fcgi_request(path, keep=True):
    params = b"".join(fcgi_pair(k, v) for k, v in [
        (b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", path), (b"REMOTE_ADDR", b"127.0.0.1")])
    return (fcgi_record(1, 1, struct.pack(">HB5x", 1, 1 if keep else 0)) + fcgi_record(4, 1, params)
            + fcgi_record(4, 1, b"") + fcgi_record(5, 1, b""))


def read_fcgi_reply(s):
    """Read records until END_REQUEST; returns the STDOUT bytes."""
    out, buf = b"", b""
    s.settimeout(10)
    while True:
        while len(buf) < 8:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        _, t, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
        while len(buf) < 8 + clen + plen:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        body, buf = buf[8:8 + clen], buf[8 + clen + plen:]
        if t == 6:
            out += body
        if t == 3:
            return out


def server_socket(stack):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(stack.dir, "quizd0.sock"))
    return s


def test_raw_fastcgi_keep_conn_and_records_split(stack):
    s = server_socket(stack)
    req = fcgi_request(b"/api/v1/ping")
    # one byte at a time: records split across reads
    for i in range(len(req)):
        s.send(req[i:i + 1])
    assert b'"pong":true' in read_fcgi_reply(s)
    s.sendall(req)   # the same connection again
    assert b'"pong":true' in read_fcgi_reply(s)
    s.close()


def closed_without_reply(s, timeout=5):
    """Reads until the server closes the connection; returns what it sent.
    A server that keeps the connection open past timeout fails the test."""
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                return out
            out += d
    except ConnectionResetError:
        return out
    except socket.timeout:
        raise AssertionError("the server kept a broken connection open for %ss (got %r)" % (timeout, out[:80]))


def ping_over_fastcgi(stack):
    s = server_socket(stack)
    s.sendall(fcgi_request(b"/api/v1/ping"))
    out = read_fcgi_reply(s)
    s.close()
    assert b'"pong":true' in out, out[:200]


def test_garbage_and_half_requests_do_not_hurt_the_server(stack):
    # Not FastCGI, random bytes, a header cut short, a record whose content
    # runs past what is sent: each connection is closed by the server with
    # no reply, and the next well-formed request is answered. The random
    # bytes never start with 1: that is FastCGI's version, and a record of
    # version 1 with an unknown type is rightly answered with UNKNOWN_TYPE
    # (tests/unit/test_fcgi.c, unknown_type_reply) instead of closed.
    noise = os.urandom(4096)
    noise = bytes([noise[0] | 2]) + noise[1:]
    for junk in [b"GET / HTTP/1.1\r\n\r\n", noise, fcgi_request(b"/api/v1/ping")[:13],
                 struct.pack(">BBHHBB", 1, 4, 1, 65535, 0, 0) + b"\x7f" * 50]:
        s = server_socket(stack)
        s.sendall(junk)
        s.shutdown(socket.SHUT_WR)
        assert closed_without_reply(s) == b"", junk[:20]
        s.close()
        ping_over_fastcgi(stack)
    # a lying name-value length inside PARAMS (a value of 127 bytes in a
    # record of 7): the connection is dropped at once, even though the
    # peer keeps it open
    s = server_socket(stack)
    bad = fcgi_record(1, 1, struct.pack(">HB5x", 1, 1)) + fcgi_record(4, 1, b"\x05\x7fABCDE") + fcgi_record(4, 1, b"")
    s.sendall(bad)
    assert closed_without_reply(s) == b""
    s.close()
    ping_over_fastcgi(stack)
    # a client that stops half-way and stays connected holds no worker
    idle = [server_socket(stack) for _ in range(40)]
    for s in idle:
        s.sendall(fcgi_request(b"/api/v1/ping")[:20])
    r = stack.get("/api/v1/ping")
    assert r.status == 200, r
    for s in idle:
        s.close()


def test_get_values_management_record(stack):
    s = server_socket(stack)
    s.sendall(fcgi_record(9, 0, fcgi_pair(b"FCGI_MPXS_CONNS", b"") + fcgi_pair(b"FCGI_MAX_REQS", b"")))
    s.settimeout(5)
    data = s.recv(4096)
    assert data[1] == 10, data   # GET_VALUES_RESULT
    assert b"FCGI_MPXS_CONNS0" in data and b"FCGI_MAX_REQS" in data, data
    s.close()


def test_metrics_from_loopback(stack):
    stack.get("/api/v1/ping")
    r = stack.get("/metrics")
    assert r.status == 200, r
    text = r.body.decode()
    assert 'quiz_requests_total{method="GET",route="/api/v1/ping",status="200"}' in text
    assert "quiz_request_seconds_bucket" in text and "quiz_workers" in text


def metric(stack, name):
    for line in stack.get("/metrics").body.decode().splitlines():
        if line.startswith(name + " "):
            return int(line.split()[-1])
    raise AssertionError("no %s in /metrics" % name)


def test_db_tx_retries_are_counted_in_metrics(stack):
    # A lock wait timeout of one second, and a row lock held for two: the
    # login's transaction on that user's row times out (1205) at least once,
    # db_tx runs it again, the login succeeds, and /metrics counts the retry.
    st = stack.factory(mariadb_extra=["--innodb-lock-wait-timeout=1"])
    st.start()
    try:
        openid = "o" + os.urandom(8).hex()
        st.login(openid)
        before = metric(st, "quiz_db_tx_retries_total")
        holder = subprocess.Popen(
            [stackmod.which("mariadb", "mysql"), "--no-defaults", "-S", st.db_socket, "-uroot", "quiz",
             "-e", "START TRANSACTION; SELECT id FROM users WHERE openid = '%s' FOR UPDATE;"
                   " SELECT SLEEP(2); COMMIT;" % openid],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)    # the client holds the lock by now
            t0 = time.time()
            token, user = st.login(openid)
            assert token and time.time() - t0 > 1, "the login never waited for the lock"
        finally:
            holder.wait(30)
        assert metric(st, "quiz_db_tx_retries_total") > before
    finally:
        st.stop()


def group_commit(stack, queue):
    """{family: value} of one group-commit queue's lines in /metrics."""
    out = {}
    for line in stack.get("/metrics").body.decode().splitlines():
        for fam in ("groups", "entries", "write_seconds", "wait_seconds"):
            if line.startswith('quiz_group_commit_%s_total{queue="%s"} ' % (fam, queue)):
                out[fam] = float(line.split()[-1])
    return out


def test_group_commit_queues_are_in_metrics(stack):
    # Logins are written in groups (engines/accounts/login_group.c): three
    # logins one after the other are three entries in one to three groups,
    # and each waited at least as long as its group took to write.
    stack.login()
    before = group_commit(stack, "login")
    assert set(before) == {"groups", "entries", "write_seconds", "wait_seconds"}, before
    for _ in range(3):
        stack.login()
    after = group_commit(stack, "login")
    entries = after["entries"] - before["entries"]
    groups = after["groups"] - before["groups"]
    assert entries == 3 and 1 <= groups <= 3, (before, after)
    # in whole microseconds, as the server counts them: a login parked for
    # its group (login_group.h) can wait exactly as long as the write took,
    # and the difference of two float sums may then come out a hair apart
    us = lambda k: round(after[k] * 1e6) - round(before[k] * 1e6)  # noqa: E731
    wrote, waited = us("write_seconds"), us("wait_seconds")
    assert 0 < wrote <= waited < 30e6, (before, after)


def test_metrics_refused_from_elsewhere(stack):
    # REMOTE_ADDR is what the route's loopback flag checks: send it directly
    s = server_socket(stack)
    params = b"".join(fcgi_pair(k, v) for k, v in [
        (b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", b"/metrics"), (b"REMOTE_ADDR", b"203.0.113.9")])
    s.sendall(fcgi_record(1, 1, struct.pack(">HB5x", 1, 1, )) + fcgi_record(4, 1, params)
              + fcgi_record(4, 1, b"") + fcgi_record(5, 1, b""))
    out = read_fcgi_reply(s)
    assert out.startswith(b"Status: 403"), out[:100]
    s.close()


def test_redis_down_is_reported_and_recovers(stack):
    stack.stop_redis()
    try:
        r = stack.get("/api/v1/healthz")
        assert r.status == 200 and r.json["redis"] == "down" and r.json["mariadb"] == "up", r
    finally:
        stack.start_redis()
    deadline = time.time() + 10
    while time.time() < deadline:
        r = stack.get("/api/v1/healthz")
        if r.json.get("redis") == "up":
            break
        time.sleep(0.3)
    assert r.status == 200 and r.json["redis"] == "up", r


def test_mariadb_down_is_503_and_recovers(stack):
    stack.stop_mariadb()
    try:
        r = stack.get("/api/v1/healthz")
        assert r.status == 503 and r.json["mariadb"] == "down", r
    finally:
        stack.start_mariadb()
    deadline = time.time() + 20
    while time.time() < deadline:
        r = stack.get("/api/v1/healthz")
        if r.status == 200:
            break
        time.sleep(0.3)
    assert r.status == 200 and r.json["mariadb"] == "up", r


def test_burst_beyond_the_queue_gets_503_overloaded(stack):
    # A stack with one worker and a queue of one: a burst of slow requests
    # (healthz with MariaDB stopped waits on connect) must be refused at
    # once: the 503s arrive while MariaDB is still stopped, so they did not
    # wait for a worker.
    small = stack.factory(workers=1, queue_max=1)
    small.start()
    try:
        n = 30
        results, errors = [None] * n, []
        arrived = [None] * n
        gate = threading.Barrier(n)

        def hit(i):
            try:
                gate.wait(30)
                results[i] = small.get("/api/v1/healthz", timeout=60)
                arrived[i] = time.time()
            except Exception as e:
                errors.append(repr(e))
        small.sql_root("SELECT 1")
        # make every healthz slow: hold MariaDB's connection handshake by pausing it
        os_pid = small.procs["mariadb"].pid
        os.kill(os_pid, 19)  # SIGSTOP
        try:
            ts = [threading.Thread(target=hit, args=(i,)) for i in range(n)]
            for t in ts:
                t.start()
            # wait (with a deadline) until the refusals are back
            deadline = time.time() + 30
            while time.time() < deadline and sum(r is not None and r.status == 503 for r in results) < n - 2:
                time.sleep(0.02)
            resumed = time.time()
        finally:
            os.kill(os_pid, 18)  # SIGCONT
        for t in ts:
            t.join(60)
        assert not any(t.is_alive() for t in ts), "a request never came back"
        assert not errors, errors[:3]
        codes = [r.status for r in results]
        assert set(codes) <= {200, 503}, codes
        over = [i for i, r in enumerate(results) if r.status == 503]
        # one in the worker, one in the queue; every other one refused
        assert len(over) >= n - 2, codes
        assert all(error_code(results[i]) == "overloaded" and results[i].header("Retry-After") for i in over)
        assert all(arrived[i] < resumed for i in over), "a 503 waited for MariaDB to come back"
        assert sum(c == 200 for c in codes) >= 1, codes
    finally:
        small.stop()


def fast_busy(stack):
    for line in stack.get("/metrics").body.decode().splitlines():
        if line.startswith('quiz_workers{pool="fast",state="busy"}'):
            return int(line.split()[-1])
    raise AssertionError("no busy gauge in /metrics")


def test_sigterm_finishes_requests_in_flight(stack):
    small = stack.factory()
    small.start()
    try:
        results = []
        os_pid = small.procs["mariadb"].pid
        os.kill(os_pid, 19)
        t = threading.Thread(target=lambda: results.append(small.get("/api/v1/healthz", timeout=30)))
        t.start()
        # in flight: a worker holds it (the /metrics request is the other busy one)
        deadline = time.time() + 20
        while fast_busy(small) < 2:
            assert time.time() < deadline, "the request never reached a worker"
            time.sleep(0.02)
        p = small.procs["quizd0"]
        p.send_signal(15)
        # the server has taken the signal: it stops accepting (the socket
        # goes away or refuses) while the request is still held
        deadline = time.time() + 20
        while True:
            try:
                probe = server_socket(small)
                probe.close()
            except OSError:
                break
            assert time.time() < deadline, "quizd kept accepting after SIGTERM"
            time.sleep(0.02)
        assert p.poll() is None and not results, "the request in flight was not waited for"
        os.kill(os_pid, 18)
        t.join(30)
        p.wait(30)
        assert results and results[0].status == 200, results
        assert p.returncode == 0, p.returncode
    finally:
        small.stop()
