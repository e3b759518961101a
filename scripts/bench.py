#!/usr/bin/env python3
"""bench.py: the benchmarks, as figures (never pass/fail).

Starts one stack (the -O2 build) in a temporary folder and runs each
section in turn; a section is a module scripts/bench_<name>.py with
run(stack) -> [(label, value), ...]:

    ping    — a route touching no store through nginx (wrk, 64 connections)
              beside nginx's own fixed `return 200`, and their ratio
    login   — logins per second with WeChat answering after 100 ms
    search  — unit search latency at 100,000 units
    submit  — submits per second at 64 users, MariaDB committing each
    boards  — leaderboard reads at 1,000,000 people, and rebuild time
    export  — a 200,000-row participants export (.xlsx and .csv): time and peak memory

    python3 scripts/bench.py [section ...]
"""
import importlib
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import stack as stackmod  # noqa: E402

SECTIONS = ["ping", "login", "search", "submit", "boards", "export"]


def wrk(url, seconds=10, conns=64, threads=2):
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    return rps, p50.group(1) if p50 else "?", p99.group(1) if p99 else "?", int(non2xx.group(1)) if non2xx else 0


def bench_ping(st):
    from bench_submit import groups, sample
    fixed = wrk(st.base + "/nginx-fixed")
    g = groups(st)
    before, t0 = sample(g), time.time()
    ping = wrk(st.api + "/ping")
    after, wall = sample(g), time.time() - t0
    tick = os.sysconf("SC_CLK_TCK")
    split = "  ".join("%s %.0f%%" % (k, 100.0 * (after[k] - before[k]) / tick / wall)
                      for k in ("quizd", "nginx") if k in after)
    return [("nginx return 200 (64 conns)", "%.0f req/s  p50 %s  p99 %s" % fixed[:3]),
            ("GET /api/v1/ping via quizd (64 conns)", "%.0f req/s  p50 %s  p99 %s  non-2xx %d" % ping),
            ("ratio quizd / nginx", "%.2f" % (ping[0] / fixed[0])),
            ("CPU during the ping run (% of one core)", split + "  (wrk takes the rest)")]


def main():
    wanted = sys.argv[1:] or SECTIONS
    # BENCH_BUILD: another build folder (say, a copy of the last commit's) for a before/after pair
    st = stackmod.Stack(build=os.environ.get("BENCH_BUILD", "build"), quiet=True)
    st.start()
    results = []
    try:
        for name in wanted:
            t0 = time.time()
            print("== %s" % name, flush=True)
            try:
                if name == "ping":
                    rows = bench_ping(st)
                else:
                    path = os.path.join(HERE, "bench_%s.py" % name)
                    if not os.path.exists(path):
                        print("   (no scripts/bench_%s.py yet)" % name)
                        continue
                    rows = importlib.import_module("bench_" + name).run(st)
            except Exception as e:
                rows = [("error", "%s: %s" % (type(e).__name__, e))]
            for label, value in rows:
                print("   %-48s %s" % (label, value), flush=True)
                results.append((name, label, value))
            print("   (%.0fs)" % (time.time() - t0))
    finally:
        st.stop()
    print("\nsummary (2 cores shared by every process of the stack and the load generator):")
    for name, label, value in results:
        print("  %-8s %-48s %s" % (name, label, value))


if __name__ == "__main__":
    main()
