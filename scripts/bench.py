#!/usr/bin/env python3
"""bench.py: the benchmarks, as figures (never pass/fail).

Starts one stack (the -O2 build) in a temporary folder and runs each
section in turn, printing its lines as it goes; at the end it prints ONE
table: each headline figure beside its anchor measured in the same run
(or the issue's fixed goal where there is no program to measure against),
the ratio figure / anchor, the goal for that ratio, and the CPU each
process of the stack (quizd, nginx, mariadbd, redis-server) used during
that section, in % of one core (the machine has two; the load generator
takes the rest).

    ping    — GET /ping through nginx and quizd (wrk, 64 connections) beside
              nginx's own fixed `return 200`
    login   — logins per second with WeChat answering after 100 ms, beside
              the ideal clients / latency
    search  — unit search at 100,000 units: p99 and throughput (16 connections)
    submit  — start + submit cycles per second, 64 players, MariaDB committing
              each, beside a conventional Node/Express + mysql2 + ioredis
              implementation of the same two routes (scripts/node-anchor,
              run by bench_cycle.py in the same run; node's CPU in its row);
              then submits alone at 64 users beside the issue's fixed goal
    boards  — leaderboard reads at 1,000,000 people beside redis-benchmark
              ZREVRANGE 0 49 WITHSCORES on that board (64 clients); rebuild time
    export  — a 200,000-row participants export (.xlsx and .csv): time and peak memory

    python3 scripts/bench.py [section ...]      (make bench: all of them)

A section is a module scripts/bench_<name>.py (ping lives here) with

    run(stack) -> [row, ...]

where a row is either (label, value) — a line printed under the section —
or a headline: a dict

    {"path": "board reads: top 50 + me", "value": 5012.0, "unit": "req/s",
     "anchor": "redis-benchmark ZREVRANGE 0 49", "anchor_value": 42000.0,
     "goal": ">= 0.5",                       # of the ratio value / anchor_value
     "cpu": {"quizd": 131.0, ...}}           # optional: % of one core during
                                             # the measured run (bench_cpu.py)

that goes into the table ("cpu" may also name "node": the Node anchor). A section that returns no headline gets its
headlines read from its lines (HEADLINES below names the line each figure
comes from), so sections written before this interface still fill the
table; a figure whose line is missing shows as "?". Without a "cpu" of
its own a headline shows the CPU of its whole section, setup included
(marked "s").
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
from bench_cpu import PARTS, CpuMeter  # noqa: E402

SECTIONS = ["ping", "login", "search", "submit", "boards", "export"]
# the table's CPU columns: the stack's processes, and the Node anchor of the
# submit section ("-" where it did not run)
CPU_COLUMNS = PARTS + ("node",)

# The fixed goals (issue 15), where no program runs beside ours.
SUBMIT_GOAL = 2800.0        # /s: 5x the Node anchor's cycles as issue 15 quotes them (for old sections)
SEARCH_GOAL = 2000.0        # /s at 100,000 units, 16 connections
SEARCH_P99_GOAL = 20.0      # ms
REBUILD_GOAL = 10.0         # s for every board of 1,000,000 people
BOARD_CLIENTS = 64


def wrk(url, seconds=10, conns=64, threads=2):
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    return rps, p50.group(1) if p50 else "?", p99.group(1) if p99 else "?", int(non2xx.group(1)) if non2xx else 0


def headline(path, value, unit, anchor, anchor_value, goal, cpu=None):
    return {"path": path, "value": value, "unit": unit, "anchor": anchor, "anchor_value": anchor_value,
            "goal": goal, "cpu": cpu}


def cpu_text(pct):
    return "  ".join("%s %.0f%%" % (k, pct[k]) for k in CPU_COLUMNS if k in pct)


def bench_ping(st):
    fixed = wrk(st.base + "/nginx-fixed")
    with CpuMeter(st) as m:
        ping = wrk(st.api + "/ping")
    return [("nginx return 200 (64 conns)", "%.0f req/s  p50 %s  p99 %s" % fixed[:3]),
            ("GET /api/v1/ping via quizd (64 conns)", "%.0f req/s  p50 %s  p99 %s  non-2xx %d" % ping),
            ("CPU during the ping run (% of one core)", cpu_text(m.percent()) + "  (wrk takes the rest)"),
            headline("GET /ping through nginx + quizd", ping[0], "req/s", "nginx `return 200`", fixed[0],
                     ">= 0.5", m.percent())]


def redis_anchor(st, key, clients=BOARD_CLIENTS, n=200000):
    """redis-benchmark ZREVRANGE key 0 49 WITHSCORES against the stack's
    Redis: the rate Redis itself reads a board's top 50. Returns req/s or
    None."""
    out = subprocess.run(["redis-benchmark", "-p", str(st.redis_port), "-a", st.redis_password, "-c", str(clients),
                          "-n", str(n), "-q", "ZREVRANGE", key, "0", "49", "WITHSCORES"],
                         capture_output=True, text=True, timeout=300).stdout
    m = re.findall(r"([\d.]+) requests per second", out)
    return float(m[-1]) if m else None


def board_key(st):
    """The national board of bench_boards.py's contest (slug benchboards)."""
    cid = st.sql("SELECT id FROM contests WHERE slug = 'benchboards'")
    if not cid:
        return None
    ver = st.redis("GET", "{c%s}:ver" % cid[0][0])
    return "{c%s}:v%s:p:n" % (cid[0][0], ver) if ver else None


# ---- headlines read from the lines of sections that return none ----

def _line(rows, prefix):
    for r in rows:
        if isinstance(r, tuple) and r[0].startswith(prefix):
            return str(r[1])
    return None


def _num(text, pattern=r"([\d.]+)"):
    m = re.search(pattern, text or "")
    return float(m.group(1)) if m else None


# the names sections print for the parts of the stack
_PART_NAMES = {"quizd": "quizd", "nginx": "nginx", "mariadb": "mariadbd", "mariadbd": "mariadbd",
               "redis": "redis-server", "redis-server": "redis-server"}


def _part(name):
    return _PART_NAMES.get(re.sub(r"\d+$", "", name))


def _login_cpu(rows):
    """bench_login's lines "CPU s during the run: <part>" -> {part: %}."""
    cpu = {}
    for r in rows:
        m = re.match(r"CPU s during the run: (\S+)$", r[0]) if isinstance(r, tuple) else None
        pct = _num(str(r[1]), r"\(([\d.]+)% of one core") if m else None
        if m and _part(m.group(1)) and pct is not None:
            cpu[_part(m.group(1))] = cpu.get(_part(m.group(1)), 0.0) + pct
    return cpu or None


def _submit_cpu(rows):
    """bench_submit's line "CPU seconds during the run": "quizd 1.2  ...  (wall 10.3s)" -> {part: %}."""
    text = _line(rows, "CPU seconds during the run")
    wall = _num(text, r"wall ([\d.]+)s")
    if not text or not wall:
        return None
    return {_part(k): 100.0 * float(v) / wall for k, v in re.findall(r"([a-z-]+\d*) ([\d.]+)", text) if _part(k)} or None


def _login(rows, st):
    import bench_login as bl
    ideal = bl.CLIENTS / (bl.LATENCY_MS / 1000.0)
    return [headline("logins, %d clients, WeChat %d ms" % (bl.CLIENTS, bl.LATENCY_MS),
                     _num(_line(rows, "logins/s")), "/s", "ideal clients / latency", ideal, ">= 0.9",
                     _login_cpu(rows))]


def _search(rows, st):
    return [headline("unit search at 100,000 units, 16 conns", _num(_line(rows, "searches/s")), "/s",
                     "goal (fixed)", SEARCH_GOAL, ">= 1.0"),
            headline("unit search p99 (one connection)", _num(_line(rows, "GET /units?q="), r"p99 ([\d.]+) ms"),
                     "ms", "goal (fixed)", SEARCH_P99_GOAL, "<= 1.0")]


def _submit(rows, st):
    return [headline("submits, 64 users, every commit durable", _num(_line(rows, "submits/s")), "/s",
                     "goal 5x Node/Express (fixed)", SUBMIT_GOAL, ">= 1.0", _submit_cpu(rows))]


def _boards(rows, st):
    anchor = _num(_line(rows, "redis-benchmark ZREVRANGE"), r"([\d.]+) req/s")
    if anchor is None:
        key = board_key(st)
        anchor = redis_anchor(st, key) if key else None
    return [headline("board reads: top 50 + me, 64 conns", _num(_line(rows, "GET /leaderboards/individual"),
                                                                r"([\d.]+) req/s"),
                     "req/s", "redis-benchmark ZREVRANGE 0 49", anchor, ">= 0.5"),
            headline("rebuild every board, 1 M people", _num(_line(rows, "rebuild all boards"), r"([\d.]+) s"),
                     "s", "goal (fixed)", REBUILD_GOAL, "<= 1.0")]


def _export(rows, st):
    return [headline(str(r[0]), _num(str(r[1]), r"in ([\d.]+) ?s") or _num(str(r[1])), "s", None, None, None)
            for r in rows if isinstance(r, tuple) and r[0].startswith("participants export")]


HEADLINES = {"login": _login, "search": _search, "submit": _submit, "boards": _boards, "export": _export}


# ---- the one table ----

def _fmt(v, unit):
    if v is None:
        return "?"
    return ("%.1f %s" if v < 100 else "%.0f %s") % (v, unit)


def table(results):
    """results: [(section, [headline, ...], section_cpu or None, error or None)]."""
    head = ("section", "path", "measured", "anchor (same run)", "ratio", "goal",
            "CPU % of one core: " + " / ".join(CPU_COLUMNS))
    lines = []
    for name, heads, sec_cpu, err in results:
        if err:
            lines.append((name, "error: " + err[:60], "", "", "", "", ""))
            continue
        for h in heads:
            cpu, mark = (h.get("cpu"), "") if h.get("cpu") else (sec_cpu or {}, " s")
            av = h.get("anchor_value")
            if h.get("anchor") is None:
                anchor, ratio = "-", "-"
            else:
                anchor = "%s %s" % (h["anchor"], _fmt(av, h["unit"]))
                ratio = "%.2f" % (h["value"] / av) if h.get("value") is not None and av else "?"
            cpus = " / ".join("%.0f" % cpu[p] if p in cpu else "?" if p in PARTS else "-"
                              for p in CPU_COLUMNS) + mark if cpu else "?"
            lines.append((name, h["path"], _fmt(h.get("value"), h["unit"]), anchor, ratio, h.get("goal") or "-", cpus))
    widths = [max(len(str(x[i])) for x in [head] + lines) for i in range(len(head))]
    out = ["  ".join(str(x[i]).ljust(widths[i]) for i in range(len(head))).rstrip() for x in [head] + lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def run_section(st, name):
    """(rows, section CPU %, error text or None)."""
    if name == "ping":
        fn = bench_ping
    else:
        if not os.path.exists(os.path.join(HERE, "bench_%s.py" % name)):
            return [], None, "no scripts/bench_%s.py" % name
        fn = importlib.import_module("bench_" + name).run
    meter = CpuMeter(st)
    try:
        with meter:
            rows = fn(st)
    except Exception as e:
        return [], None, "%s: %s" % (type(e).__name__, e)
    return rows, meter.percent(), None


def main():
    wanted = sys.argv[1:] or SECTIONS
    for name in wanted:
        if name not in SECTIONS:
            sys.exit("unknown section %r (sections: %s)" % (name, " ".join(SECTIONS)))
    # BENCH_BUILD: another build folder (say, a copy of the last commit's) for a before/after pair
    st = stackmod.Stack(build=os.environ.get("BENCH_BUILD", "build"), quiet=True)
    st.start()
    results = []
    try:
        for name in wanted:
            t0 = time.time()
            print("== %s" % name, flush=True)
            rows, cpu, err = run_section(st, name)
            heads = [r for r in rows if isinstance(r, dict)]
            if not heads and not err and name in HEADLINES:
                try:
                    heads = HEADLINES[name](rows, st)
                except Exception as e:          # a figure less, not a failed benchmark
                    err = "headlines: %s: %s" % (type(e).__name__, e)
            for r in rows:
                if isinstance(r, tuple):
                    print("   %-48s %s" % r, flush=True)
            if err:
                print("   error: %s" % err, flush=True)
            if cpu:
                print("   %-48s %s" % ("CPU during the section (% of one core)", cpu_text(cpu)), flush=True)
            print("   (%.0fs)" % (time.time() - t0), flush=True)
            results.append((name, heads, cpu, err))
    finally:
        st.stop()
    print("\nbench: figures beside anchors measured in the same run; ratio = measured / anchor; never pass or fail.")
    print("2 cores shared by every process of the stack and the load generator: figures are noisy under other load.")
    print("CPU: during the measured run, or during the whole section including its setup (s).\n")
    print(table(results))


if __name__ == "__main__":
    main()
