#!/usr/bin/env python3
"""bench_submit.py: submits per second through nginx, MariaDB committing
every submit (the stack's durable settings: innodb_flush_log_at_trx_commit=1).

run(stack) -> rows for scripts/bench.py's submit section: first the start +
submit cycles of quizd beside the Node/Express anchor (bench_cycle.py, the
section's headline), then run_submits below (its second line), then the
cycles again with two quizd processes behind one nginx (run_two_servers).

run_submits(stack) -> [(label, value), ..., headline]. It prepares, in
MariaDB directly, a contest open now and N registered people, each with a
session and one open attempt of 20 questions; then wrk with 64 connections
submits each attempt once (a Lua script hands every request its own attempt
and token), and the CPU time each process of the stack used during the run
is read from /proc/<pid>/stat.

    python3 scripts/bench_submit.py [--build DIR] [--servers N]
        (its own stack, then the figures; --servers 2: two quizd processes
        behind one nginx upstream, sharing MariaDB and Redis)

    python3 scripts/bench_submit.py --cycle [--people N] [--build DIR]
        the real start route, then the submit: N registered people (no
        attempt yet) each POST /attempts, then each submits what it was
        shown; the CPU of each process is read per phase, so the figures
        say MariaDB CPU per start and per submit. Clients are Python
        threads on keep-alive connections (their own CPU is not counted).
"""
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from bench_cpu import part_pids, sample  # noqa: E402
SEED = os.path.join(ROOT, "schema", "seed", "questions.csv")

CONNS = 64
SECONDS = 10
ATTEMPTS = 40000     # more than the run can use: every request submits a fresh attempt
SUBMIT_GOAL = 2800.0  # /s: issue 15's 5x of the Node anchor's cycles as first quoted (bench_cycle.py measures it)

LUA = r"""
-- every request submits its own attempt once: thread t takes lines t, t+T, ...
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  nthreads = tonumber(args[2])
  lines = {}
  for l in io.lines(args[1]) do
    local id, tok, b = l:match("^(%d+) (%S+) (%d+)$")
    lines[#lines + 1] = {id, tok, tonumber(b)}
  end
  bodies = {}
  for b in io.lines(args[3]) do bodies[#bodies + 1] = b end
  n = 0
end
function request()
  local i = tid + n * nthreads + 1
  n = n + 1
  local e = lines[((i - 1) % #lines) + 1]
  return wrk.format("POST", "/api/v1/attempts/" .. e[1] .. "/submit",
    {["Authorization"] = "Bearer " .. e[2], ["Content-Type"] = "application/json"}, bodies[e[3]])
end
"""


PAPER = [{"category": c, "count": k} for c, k in
         [("安全生产法", 4), ("六项机制", 4), ("隐患排查", 3), ("应急救援", 3), ("防灾减灾", 3), ("公共安全", 3)]]


def registered(stack, n, paper, name):
    """A contest open now with paper, and n registered people of one unit
    with a session each (token = salt + openid): (contest id, tag, salt, now)."""
    r = stack.quizd("import-questions", SEED)
    if r.returncode != 0:
        raise RuntimeError("import failed: %s" % r.stderr.decode()[-300:])
    now = int(time.time())
    tag = secrets.token_hex(4)
    salt = secrets.token_hex(16)
    stack.sql("INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
              " points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
              " VALUES ('bench-%s', '%s', 0, %d, %d, %d, '%s', 5, 3600, 100, 'best', %d, %d)"
              % (tag, name, now + 86400, now - 3600, now + 86400, json.dumps(paper, ensure_ascii=False), now, now))
    cid = int(stack.sql("SELECT id FROM contests WHERE slug = 'bench-%s'" % tag)[0][0])
    stack.sql("INSERT IGNORE INTO units (name, credit_code, region_code, province_code, city_code, county_code,"
              " type, headcount, created_at) VALUES ('基准测试水务局', '91140105MA0BENCH0X', '140105', '140000',"
              " '140100', '140105', 'water_admin', 100000, %d)" % now)
    unit = int(stack.sql("SELECT id FROM units WHERE credit_code = '91140105MA0BENCH0X'")[0][0])
    stack.sql(
        "INSERT INTO users (openid, roles, created_at, last_login_at)"
        " SELECT CONCAT('bench-%(tag)s-', seq), 1, %(now)d, %(now)d FROM seq_1_to_%(n)d;"
        "INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code, kind,"
        " unit_id, board_unit_id, created_at, updated_at)"
        " SELECT id, '基准测试', '140105', '140000', '140100', '140105', 'staff', %(unit)d, %(unit)d, %(now)d, %(now)d"
        " FROM users WHERE openid LIKE 'bench-%(tag)s-%%';"
        "INSERT INTO sessions (token_hash, user_id, roles, area, created_at, expires_at)"
        " SELECT SHA2(CONCAT('%(salt)s', openid), 256), id, 1, '', %(now)d, %(now)d + 86400"
        " FROM users WHERE openid LIKE 'bench-%(tag)s-%%';"
        % {"tag": tag, "now": now, "n": n, "unit": unit, "salt": salt})
    return cid, tag, salt, now


def prepare(stack, n):
    """A contest open now and n people with a session and an open attempt.
    Returns (contest id, lines for wrk, answer bodies)."""
    cid, tag, salt, now = registered(stack, n, PAPER, "提交基准测试")
    rows = []
    for p in PAPER:
        rows += stack.sql("SELECT id, type, JSON_LENGTH(options), answer FROM questions WHERE active = 1 AND"
                          " category = '%s' ORDER BY RAND() LIMIT %d" % (p["category"], p["count"]))
    qs = []
    for qid, typ, nopt, ans in rows:
        o = "AB" if typ == "judge" else "".join(random.sample("ABCDEF"[:int(nopt)], int(nopt)))
        qs.append({"id": int(qid), "o": o, "type": typ, "ans": ans})
    stored = json.dumps([{"id": x["id"], "o": x["o"]} for x in qs])
    # Four answer sheets: all right, and with 2, 5 and 9 wrong, so scores differ.
    bodies = []
    for wrong in (0, 2, 5, 9):
        answers = []
        for i, x in enumerate(qs):
            right = sorted(chr(65 + x["o"].index(b)) for b in x["ans"])
            choice = right if i >= wrong else (["A"] if right != ["A"] else ["B"])
            answers.append({"question_id": x["id"], "choice": choice})
        bodies.append(json.dumps({"answers": answers}))
    day = (now + 8 * 3600) // 86400
    stack.sql("INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions)"
              " SELECT %d, id, %d, %d, %d + 3600, '%s' FROM users WHERE openid LIKE 'bench-%s-%%'"
              % (cid, day, now, now, stored, tag))
    got = stack.sql("SELECT a.id, u.openid FROM attempts a JOIN users u ON u.id = a.user_id"
                    " WHERE a.contest_id = %d ORDER BY RAND()" % cid)
    lines = ["%s %s%s %d" % (aid, salt, openid, 1 + i % 4) for i, (aid, openid) in enumerate(got)]
    return cid, lines, bodies


def people(stack, n, paper):
    """A contest open now with paper and n registered people with a
    session and no attempt: (contest id, tokens)."""
    cid, tag, salt, _ = registered(stack, n, paper, "开始基准测试")
    got = stack.sql("SELECT openid FROM users WHERE openid LIKE 'bench-%s-%%'" % tag)
    return cid, [salt + o[0] for o in got]


def phase(stack, g, jobs, fn, threads=16):
    """fn(conn, job) for every job on `threads` keep-alive connections:
    (seconds, CPU ticks per process group, failures)."""
    import http.client
    import threading
    from urllib.parse import urlparse
    u = urlparse(stack.base)
    fails = [0]
    lock = threading.Lock()
    it = iter(jobs)

    def worker():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                break
            if not fn(conn, job):
                with lock:
                    fails[0] += 1
        conn.close()

    before = sample(g)
    t0 = time.time()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.time() - t0
    after = sample(g)
    return wall, {k: after[k] - before[k] for k in g}, fails[0]


def call(conn, method, path, token, body):
    conn.request(method, "/api/v1/" + path, body=json.dumps(body),
                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()


def run_cycle(stack, n):
    paper = [{"category": c, "count": k} for c, k in
             [("安全生产法", 4), ("六项机制", 4), ("隐患排查", 3), ("应急救援", 3), ("防灾减灾", 3), ("公共安全", 3)]]
    cid, tokens = people(stack, n, paper)
    g = part_pids(stack)
    started = {}

    def start(conn, tok):
        st, body = call(conn, "POST", "attempts", tok, {"contest_id": cid})
        if st != 201:
            return False
        a = json.loads(body)
        started[tok] = (a["attempt_id"], [{"question_id": q["id"], "choice": ["A"]} for q in a["questions"]])
        return True

    def submit(conn, tok):
        aid, answers = started[tok]
        st, _ = call(conn, "POST", "attempts/%d/submit" % aid, tok, {"answers": answers})
        return st == 200

    hz = os.sysconf("SC_CLK_TCK")
    rows = []
    for name, fn, jobs in (("start", start, tokens), ("submit", submit, None)):
        jobs = jobs if jobs is not None else list(started)
        wall, used, fails = phase(stack, g, jobs, fn)
        done = len(jobs) - fails
        rows.append(("%ss/s (16 client threads)" % name, "%.0f  (%d in %.1fs, %d failed)"
                     % (done / wall, done, wall, fails)))
        rows.append(("%s: MariaDB CPU per %s" % (name, name), "%.0f us" % (1e6 * used["mariadbd"] / hz / max(done, 1))))
        rows.append(("%s: quizd CPU per %s" % (name, name), "%.0f us" % (1e6 * used["quizd"] / hz / max(done, 1))))
        rows.append(("%s: CPU seconds" % name, "  ".join("%s %.1f" % (k, v / hz) for k, v in used.items())))
    return rows


def run_submits(stack):
    """Submits alone: rows and a headline."""
    cid, lines, bodies = prepare(stack, ATTEMPTS)
    tmp = tempfile.mkdtemp(prefix="bench-submit-")
    paths = {k: os.path.join(tmp, k) for k in ("lines", "bodies", "script.lua")}
    with open(paths["lines"], "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(paths["bodies"], "w") as f:
        f.write("\n".join(bodies) + "\n")
    with open(paths["script.lua"], "w") as f:
        f.write(LUA)
    g = part_pids(stack)
    before = sample(g)
    t0 = time.time()
    out = subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d%ds" % SECONDS, "--latency", "-s", paths["script.lua"],
                          stack.base + "/", "--", paths["lines"], "2", paths["bodies"]],
                         capture_output=True, text=True, timeout=SECONDS + 120).stdout
    wall = time.time() - t0
    after = sample(g)
    for p in paths.values():
        os.unlink(p)
    os.rmdir(tmp)
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    committed = int(stack.sql("SELECT COUNT(*) FROM attempts WHERE contest_id = %d AND submitted_at IS NOT NULL"
                              % cid)[0][0])
    used = {k: after[k] - before[k] for k in g}
    hz = os.sysconf("SC_CLK_TCK")
    all_ticks = sum(used.values()) or 1
    cpu = {k: 100.0 * v / hz / wall for k, v in used.items()}
    rows = [
        ("submits/s at %d users via nginx" % CONNS, "%.0f  (%d in %ds, %d committed%s)"
         % (rps, total, SECONDS, committed, ", some attempts submitted twice" if total > len(lines) else "")),
        ("submit latency p50 / p99", "%s / %s" % (p50.group(1) if p50 else "?", p99.group(1) if p99 else "?")),
        ("non-2xx responses", str(int(non2xx.group(1)) if non2xx else 0)),
        ("CPU share: quizd of (quizd+mariadbd+redis+nginx)", "%.0f%%" % (100.0 * used["quizd"] / all_ticks)),
        ("CPU seconds during the run", "  ".join("%s %.1f" % (k, v / hz) for k, v in used.items())
         + "  (wall %.1fs)" % wall),
        {"path": "submits only (attempts made in SQL), %d users" % CONNS, "value": rps, "unit": "/s",
         "anchor": "goal 5x Node/Express (fixed)", "anchor_value": SUBMIT_GOAL, "goal": ">= 1.0", "cpu": cpu},
    ]
    return rows


def run_two_servers(stack):
    """The cycles again with two quizd processes behind one nginx upstream
    (issue 15: several processes share the stack), on a stack of their own
    beside the section's (idle meanwhile)."""
    import bench_cycle
    import stack as stackmod
    two = stackmod.Stack(build=stack.build, servers=2, quiet=True)
    two.start()
    try:
        rows = bench_cycle.run(two, only="quizd")
    finally:
        two.stop()
    out = []
    for r in rows:
        if isinstance(r, tuple):
            out.append(("2 servers, " + r[0], r[1]))
        else:
            r["path"] = "  the same, two quizd processes behind one nginx"
            r["anchor"] = r["goal"] = None
            out.append(r)
    return out


def run(stack):
    """make bench's submit section: the start + submit cycles of quizd
    beside the Node/Express anchor (bench_cycle.py), then submits alone,
    then the cycles with two quizd processes."""
    import bench_cycle
    return bench_cycle.run(stack) + run_submits(stack) + run_two_servers(stack)


def main():
    import argparse
    ap = argparse.ArgumentParser(description="submits per second through nginx")
    ap.add_argument("--build", default="build", help="the build folder whose quizd runs")
    ap.add_argument("--servers", type=int, default=1, help="quizd processes behind one nginx upstream")
    ap.add_argument("--workers", type=int, default=None, help="fast workers per quizd (default: its config's)")
    ap.add_argument("--cycle", action="store_true", help="the real start route, then the submit (per-phase CPU)")
    ap.add_argument("--people", type=int, default=3000, help="--cycle: people, one start and one submit each")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    import stack as stackmod
    st = stackmod.Stack(build=args.build, servers=args.servers, workers=args.workers)
    st.start()
    print("%-52s %d" % ("quizd processes behind nginx", args.servers))
    try:
        for row in (run_cycle(st, args.people) if args.cycle else run_submits(st)):
            if isinstance(row, tuple):
                print("%-52s %s" % row)
    finally:
        st.stop()


if __name__ == "__main__":
    main()
