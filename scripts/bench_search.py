#!/usr/bin/env python3
"""bench_search.py: unit search latency at 100,000 units.

    run(stack) -> [(label, value), ...]     (scripts/bench.py calls this)
    python3 scripts/bench_search.py         (starts a stack of its own)

Fills the stack up to UNITS units with `quizd units-generate` (realistic
names: city + county + place + kind of unit, bigrams built in bulk), then
asks GET /api/v1/units?q=<keyword> through nginx on one kept-alive
connection, QUERIES times, with 2-4 character keywords cut at random
from random unit names (so common fragments like 水利 and rare ones like
a county's name both occur, as people type them), and reports p50/p99;
then the same with a province filter, and the throughput of CLIENTS
connections at once.
"""
import http.client
import os
import random
import sys
import threading
import time
from urllib.parse import quote

UNITS = 100000
QUERIES = 400
CLIENTS = 16
THROUGHPUT_S = 5.0


def _pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def _keywords(stack, n, rnd):
    names = [row[0] for row in stack.sql("SELECT name FROM units ORDER BY RAND() LIMIT %d" % n)]
    out = []
    for name in names:
        k = rnd.choice((2, 2, 3, 3, 4))
        if len(name) >= k:
            i = rnd.randrange(0, len(name) - k + 1)
            out.append(name[i:i + k])
    return out


def _get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise RuntimeError("%s -> %d %s" % (path, r.status, body[:200]))
    return body


def _latencies(stack, paths):
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    for p in paths[:20]:          # warm the caches
        _get(conn, p)
    ms = []
    for p in paths:
        t = time.perf_counter()
        _get(conn, p)
        ms.append((time.perf_counter() - t) * 1000)
    conn.close()
    return ms


def _throughput(stack, paths):
    stop = time.time() + THROUGHPUT_S
    done = [0] * CLIENTS
    errors = []

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        k = i
        try:
            while time.time() < stop:
                _get(conn, paths[k % len(paths)])
                done[i] += 1
                k += CLIENTS
        except Exception as e:          # reported, not raised: a figure, not a test
            errors.append(str(e))
        conn.close()
    ts = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / THROUGHPUT_S, len(errors)


def run(stack):
    rows = []
    have = int(stack.sql("SELECT COUNT(*) FROM units")[0][0])
    if have < UNITS:
        t = time.time()
        r = stack.quizd("units-generate", str(UNITS - have))
        if r.returncode != 0:
            raise RuntimeError("units-generate failed: %s" % r.stderr.decode()[-300:])
        rows.append(("generate %d units with bigrams" % (UNITS - have), "%.1f s" % (time.time() - t)))
    n = int(stack.sql("SELECT COUNT(*) FROM units")[0][0])
    grams = int(stack.sql("SELECT COUNT(*) FROM unit_ngrams")[0][0])
    rows.append(("units / bigram rows", "%d / %d" % (n, grams)))
    rnd = random.Random(2024)
    kws = _keywords(stack, QUERIES, rnd)
    paths = ["/api/v1/units?q=%s" % quote(k) for k in kws]
    ms = _latencies(stack, paths)
    rows.append(("GET /units?q= (%d keywords of 2-4 chars)" % len(ms),
                 "p50 %.1f ms  p99 %.1f ms  max %.1f ms" % (_pct(ms, 0.5), _pct(ms, 0.99), max(ms))))
    provinces = [row[0] for row in stack.sql("SELECT code FROM regions WHERE level = 1")]
    rpaths = ["%s&region=%s" % (p, rnd.choice(provinces)) for p in paths]
    ms = _latencies(stack, rpaths)
    rows.append(("  with &region=<province>",
                 "p50 %.1f ms  p99 %.1f ms  max %.1f ms" % (_pct(ms, 0.5), _pct(ms, 0.99), max(ms))))
    rps, errs = _throughput(stack, paths)
    rows.append(("searches/s at %d connections" % CLIENTS, "%.0f/s%s" % (rps, "  (%d errors)" % errs
                                                                           if errs else "")))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import stack as stackmod
    st = stackmod.Stack(build="build")
    st.start()
    try:
        for label, value in run(st):
            print("%-48s %s" % (label, value))
    finally:
        st.stop()
