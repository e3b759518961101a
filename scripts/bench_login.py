#!/usr/bin/env python3
"""bench_login.py: logins per second while WeChat takes 100 ms to answer.

    run(stack) -> [(label, value), ...]     (scripts/bench.py calls this)
    python3 scripts/bench_login.py          (starts a stack of its own)

256 clients, each with one kept-alive HTTP connection to nginx, post
POST /api/v1/login with a fresh wx.login code in a loop for DURATION_S
seconds. The simulator adds 100 ms to every WeChat call, so the ideal is
clients / latency = 2560 logins/s; the figure beside it, and their ratio,
show how close the server comes, and the CPU seconds each process of the
stack spent during the run show where the time went (on 2 cores shared by
everything, the load generator included).

The clients are wrk's connections (scripts/bench_login.lua), which cost a
tenth of the CPU of Python threads, so that more of the two cores go to
the stack; BENCH_LOGIN_CLIENT=python (or no wrk) uses the Python threads
of before instead (at most MAX_REQUESTS in all).
"""
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time

from bench_metrics import group_commit_rows, scrape

CLIENTS = 256
LATENCY_MS = 100
DURATION_S = 10.0
MAX_REQUESTS = 60000
WARMUP_S = 2.0


def _proc_stats():
    """{pgrp: cpu seconds} over every process, from /proc/<pid>/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                s = f.read()
        except OSError:
            continue
        # the command name may hold spaces: fields start after the last ')'
        fields = s[s.rindex(")") + 2:].split()
        pgrp = int(fields[2])
        cpu = (int(fields[11]) + int(fields[12])) / tick     # utime + stime
        out[pgrp] = out.get(pgrp, 0.0) + cpu
    return out


def _cpu_by_part(stack, before, after):
    """CPU seconds per part of the stack. Each part was started in a session
    of its own (stack.py), so its process group is its leader's pid: nginx's
    workers and any helper processes are counted with their leader."""
    rows = []
    names = sorted(n for n in stack.procs if n.startswith("quizd")) + ["wxsim", "nginx", "mariadb", "redis"]
    for name in names:
        p = stack.procs.get(name)
        if p is None:
            continue
        rows.append((name, after.get(p.pid, 0.0) - before.get(p.pid, 0.0)))
    return rows


def _client(stack, idx, stop, counts, lat, lock):
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    openid = "bench%03d%s" % (idx, secrets.token_hex(3))
    n = ok = 0
    errors = {}
    mine = []
    while not stop.is_set():
        n += 1
        body = json.dumps({"code": "test:%s:%d" % (openid, n)}).encode()
        t = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/login", body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        except (OSError, http.client.HTTPException):
            status = "io"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        mine.append(time.perf_counter() - t)
        if status == 200:
            ok += 1
        else:
            errors[status] = errors.get(status, 0) + 1
        with lock:
            counts[0] += 1
            if counts[0] >= MAX_REQUESTS:
                stop.set()
    conn.close()
    with lock:
        counts[1] += ok
        for k, v in errors.items():
            counts[2][k] = counts[2].get(k, 0) + v
        lat.extend(mine)


def _load(stack, seconds):
    stop = threading.Event()
    counts = [0, 0, {}]
    lat = []
    lock = threading.Lock()
    threads = [threading.Thread(target=_client, args=(stack, i, stop, counts, lat, lock), daemon=True)
               for i in range(CLIENTS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(60)
    return time.perf_counter() - t0, counts, sorted(lat)


def _wrk(stack, seconds):
    """The same load from wrk: (seconds, (total, ok, errors), latencies in
    seconds as far as wrk's --latency tells them: p50, p99)."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_login.lua")
    out = subprocess.run(["wrk", "-t2", "-c%d" % CLIENTS, "-d%ds" % seconds, "--latency", "-s", script,
                          "http://127.0.0.1:%d/api/v1/login" % stack.port, "--", secrets.token_hex(4)],
                         capture_output=True, text=True, timeout=seconds + 120).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    total = int(m.group(1))
    secs = float(m.group(2)) / (1000.0 if m.group(3) == "ms" else 1.0)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = {}
    if non2xx:
        errors["non-2xx"] = int(non2xx.group(1))
    if sock and sum(int(x) for x in sock.groups()):
        errors["socket"] = sum(int(x) for x in sock.groups())

    def ms(p):
        v = re.search(r"%d%%\s+([\d.]+)(us|ms|s)" % p, out)
        if not v:
            return None
        return float(v.group(1)) / {"us": 1e6, "ms": 1e3, "s": 1.0}[v.group(2)]
    return secs, (total, total - errors.get("non-2xx", 0), errors), [x for x in (ms(50), ms(99)) if x]


def _use_wrk():
    return os.environ.get("BENCH_LOGIN_CLIENT", "wrk") != "python" and shutil.which("wrk")


def run(stack):
    stack.sim("POST", "/__sim/latency", {"ms": LATENCY_MS})
    load = _wrk if _use_wrk() else _load
    try:
        load(stack, WARMUP_S)           # connections, caches, first users
        before, t_before, m_before = _proc_stats(), os.times(), scrape(stack)
        secs, (total, ok, errors), lat = load(stack, DURATION_S)
        after, t_after, m_after = _proc_stats(), os.times(), scrape(stack)
    finally:
        stack.sim("POST", "/__sim/latency", {"ms": 0})
    ideal = CLIENTS / (LATENCY_MS / 1000.0)
    rate = ok / secs if secs else 0.0
    slow = stack.server_conf(0).get("slow_workers", 512)
    nservers = len([n for n in stack.procs if n.startswith("quizd")])

    def pct(p):
        if load is _wrk:            # wrk gave p50 and p99 only
            v = lat[0 if p < 0.9 else -1] if lat else None
            return "%.0f ms" % (v * 1000) if v is not None else "-"
        return "%.0f ms" % (lat[min(len(lat) - 1, int(p * len(lat)))] * 1000) if lat else "-"

    rows = [
        ("logins/s, %d clients, WeChat %d ms" % (CLIENTS, LATENCY_MS),
         "%.0f/s  (ideal %.0f/s = clients / latency; %.0f%%)" % (rate, ideal, 100 * rate / ideal)),
        ("ideal logins/s (clients / WeChat latency)", "%.0f/s" % ideal),
        ("ratio logins / ideal (goal 0.90)", "%.2f" % (rate / ideal)),
        ("load generator", "wrk, %d connections" % CLIENTS if load is _wrk
         else "Python, %d threads" % CLIENTS),
        ("login latency p50 / p99", "%s / %s" % (pct(0.50), pct(0.99))),
        ("requests, failures", "%d in %.1f s, %s" % (total, secs, errors or "none")),
        ("slow-pool threads (cap on logins in flight)",
         "%d x %d server(s) = %.0f/s at most at %d ms" % (slow, nservers, slow * nservers * 1000.0 / LATENCY_MS,
                                                          LATENCY_MS)),
    ]
    rows += group_commit_rows(m_before, m_after, ("login",))
    for name, cpu in _cpu_by_part(stack, before, after):
        rows.append(("CPU s during the run: %s" % name, "%.1f  (%.0f%% of one core)" % (cpu, 100 * cpu / secs)))
    gen = (t_after.user - t_before.user) + (t_after.system - t_before.system) + \
        (t_after.children_user - t_before.children_user) + \
        (t_after.children_system - t_before.children_system)
    rows.append(("CPU s during the run: load generator", "%.1f  (%.0f%% of one core)" % (gen, 100 * gen / secs)))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import stack as stackmod
    st = stackmod.Stack(build=sys.argv[1] if len(sys.argv) > 1 else "build")
    st.start()
    try:
        for label, value in run(st):
            print("   %-48s %s" % (label, value))
    finally:
        st.stop()
