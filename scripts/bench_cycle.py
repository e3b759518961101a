#!/usr/bin/env python3
"""bench_cycle.py: submit cycles per second — each of 64 players starts an
attempt (POST /api/v1/attempts), submits what it was shown (POST
/api/v1/attempts/{id}/submit), and starts again — through quizd, and
through the anchor the issue measures it against: a conventional
Node/Express + mysql2 + ioredis implementation of the same two routes
(scripts/node-anchor/app.js), on the same MariaDB and Redis, one after the
other in the same run.

The client is wrk with 64 threads of one connection each, so that a
thread's Lua state is its connection's: a player's start and its submit go
one after the other on that connection (CYCLE_LUA). Each side gets its own
contest, open now with a daily cap of CAP attempts, and its own registered
people with a session each; a player moves to its next person after CAP
cycles, so no request meets the cap and every reply should be a 2xx.

quizd is reached through the stack's nginx; the Node app runs one process
per core on its own port (node:cluster, as pm2's cluster mode deploys it;
--node-workers) and is reached directly (no nginx in front: that leaves the
anchor a hop cheaper than quizd); its CPU is the primary's and the
workers'. Its npm packages (package.json, pinned, and package-lock.json)
are installed with `npm ci` into the stack's temporary folder at bench
time; Node is needed only by the benchmark.

Each side warms up first (WARMUP_*), then runs SECONDS; its lines give the
rate, the CPU of each process in % of one core and per cycle, what it wrote
checked in SQL (check_rows), and five submits sent again (replay_check).

    python3 scripts/bench_cycle.py [--build DIR] [--seconds S] [--only quizd|node] [--node-workers N] [--workers N]
        (its own stack, then the figures)

run(stack) -> rows for scripts/bench_submit.py's section of make bench:
(label, value) lines, and the two headlines (quizd beside the anchor; the
anchor's own row with node's CPU).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_cpu import children, part_pids, sample  # noqa: E402
from bench_metrics import group_commit_rows, scrape  # noqa: E402

PLAYERS = 64          # wrk threads, one connection each
SECONDS = 10
# The warm-up: rounds of WARMUP_SECONDS until WARMUP_CYCLES cycles are done
# or WARMUP_MAX_SECONDS have passed. V8 optimizes the anchor's code only
# after some thousand requests, and mysql2 prepares each statement once on
# each of its pool's connections: an idle machine gets there in a round or
# two; one busy with other work may not (see the warm-up line: a cold
# anchor's figure is low).
WARMUP_SECONDS = 5
WARMUP_CYCLES = 2000
WARMUP_MAX_SECONDS = 40
CAP = 3               # attempts per day, as the main contest has
# people prepared per side (a quarter for the warm-up, split over its
# rounds): a player uses one person per CAP cycles, so these last for
# people * CAP cycles, more than either side reaches in a round or in
# SECONDS (a player that runs out
# starts over and meets the cap: its 403s show as failures, and "people ran
# out" is printed)
PEOPLE = {"quizd": 48000, "node": 24000}
ANCHOR_DIR = os.path.join(HERE, "node-anchor")
# the anchor's processes on one port (node:cluster), one per core as a Node
# team deploys it (pm2's cluster mode); quizd uses every core too
NODE_WORKERS = os.cpu_count() or 1
GOAL = ">= 5"

CYCLE_LUA = r"""
-- one connection per thread: its Lua state is that connection's player
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  threads[#threads + 1] = thread
  counter = counter + 1
end
function init(args)
  -- args: people file, threads, contest id, cap
  local nthreads = tonumber(args[2])
  cap = tonumber(args[4])
  people = {}
  local i = 0
  for l in io.lines(args[1]) do
    if i % nthreads == tid then people[#people + 1] = l end
    i = i + 1
  end
  p, used, aid, body = 1, 0, nil, nil
  starts, submits, bad, ranout = 0, 0, 0, 0
  hdr = {["Content-Type"] = "application/json"}
  startbody = '{"contest_id":' .. args[3] .. '}'
  math.randomseed(tid * 7919 + os.time())
end
function request()
  hdr["Authorization"] = "Bearer " .. people[p]
  if aid then
    return wrk.format("POST", "/api/v1/attempts/" .. aid .. "/submit", hdr, body)
  end
  return wrk.format("POST", "/api/v1/attempts", hdr, startbody)
end
function response(status, headers, resp)
  if aid then
    if status == 200 then submits = submits + 1 else bad = bad + 1 end
    aid = nil
    used = used + 1
    if used >= cap then
      used, p = 0, p + 1
      if p > #people then p, ranout = 1, 1 end
    end
    return
  end
  if status ~= 201 and status ~= 200 then
    bad = bad + 1
    return
  end
  starts = starts + 1
  aid = resp:match('"attempt_id"%s*:%s*(%d+)')
  -- what it was shown: one of the first two letters for every question
  local a = {}
  for id in resp:gmatch('[{,]%s*"id"%s*:%s*(%d+)') do
    a[#a + 1] = '{"question_id":' .. id .. ',"choice":["' .. (math.random(2) == 1 and 'A' or 'B') .. '"]}'
  end
  body = '{"answers":[' .. table.concat(a, ',') .. ']}'
end
function done(summary, latency, requests)
  local s, st, b, r = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    s, st = s + t:get("submits"), st + t:get("starts")
    b, r = b + t:get("bad"), r + t:get("ranout")
  end
  io.write(string.format("CYCLES submits=%d starts=%d bad=%d ranout=%d duration_us=%d p50_us=%d p99_us=%d\n",
                         s, st, b, r, summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def players(stack, n, name):
    """A contest open now (bench_submit's paper, CAP attempts a day) and n
    registered people with a session each: (contest id, tokens)."""
    import bench_submit
    cid, tag, salt, _ = bench_submit.registered(stack, n, bench_submit.PAPER, name)
    stack.sql("UPDATE contests SET attempts_per_day = %d WHERE id = %d" % (CAP, cid))
    got = stack.sql("SELECT openid FROM users WHERE openid LIKE 'bench-%s-%%' ORDER BY id" % tag)
    return cid, [salt + o[0] for o in got]


class NodeAnchor:
    """The Node app in <stack dir>/node-anchor, on its own port."""

    def __init__(self, stack):
        self.stack = stack
        self.dir = os.path.join(stack.dir, "node-anchor")
        self.port = None
        self.proc = None

    def install(self):
        if not shutil.which("node") or not shutil.which("npm"):
            raise RuntimeError("node and npm are needed for the Node anchor (Node 18 or later)")
        os.makedirs(self.dir, exist_ok=True)
        for f in ("app.js", "cluster.js", "package.json", "package-lock.json"):
            shutil.copy(os.path.join(ANCHOR_DIR, f), self.dir)
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=self.dir,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("npm ci failed: %s" % (r.stderr or r.stdout)[-300:])

    def start(self):
        import stack as stackmod
        st = self.stack
        self.port = stackmod.free_port()
        env = dict(os.environ, PORT=str(self.port), DB_SOCKET=st.db_socket, DB_USER="quiz",
                   DB_PASSWORD=st.db_password, DB_NAME="quiz", REDIS_PORT=str(st.redis_port),
                   REDIS_PASSWORD=st.redis_password, NODE_ENV="production", WORKERS=str(NODE_WORKERS))
        # ANCHOR_NODE_ARGS: more options for node (say, --cpu-prof)
        args = ["node"] + os.environ.get("ANCHOR_NODE_ARGS", "").split() + ["cluster.js"]
        self.proc = st._spawn("node-anchor", args, cwd=self.dir, env=env)
        stackmod.wait_for(self._up, "the Node anchor", timeout=30, proc=self.proc)
        return "http://127.0.0.1:%d" % self.port

    def pids(self):
        """The anchor's processes: the cluster's primary and its workers."""
        return [self.proc.pid] + children(self.proc.pid) if self.proc else []

    def _up(self):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/api/v1/ping" % self.port, timeout=2)
        except urllib.error.HTTPError:
            return True             # it answers (404: the anchor has only the two routes)
        return True

    def stop(self):
        self.stack._stop_proc("node-anchor")


def wrk_cycles(base, tokens, cid, seconds):
    """wrk running CYCLE_LUA against base: a dict of the CYCLES line."""
    tmp = tempfile.mkdtemp(prefix="bench-cycle-")
    try:
        people, script = os.path.join(tmp, "people"), os.path.join(tmp, "cycle.lua")
        with open(people, "w") as f:
            f.write("\n".join(tokens) + "\n")
        with open(script, "w") as f:
            f.write(CYCLE_LUA)
        out = subprocess.run(["wrk", "-t%d" % PLAYERS, "-c%d" % PLAYERS, "-d%ds" % seconds, "--timeout", "10s",
                              "-s", script,
                              base + "/", "--", people, str(PLAYERS), str(cid), str(CAP)],
                             capture_output=True, text=True, timeout=seconds + 120)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    m = re.search(r"CYCLES (.*)", out.stdout)
    if not m:
        raise RuntimeError("wrk printed no CYCLES line: %s" % (out.stdout + out.stderr)[-300:])
    got = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out.stdout)
    errors = re.search(r"Socket errors:(.*)", out.stdout)
    got["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    got["socket_errors"] = errors.group(1).strip() if errors else ""
    return got


def measure(stack, base, tokens, cid, extra):
    """A warm-up on the first people, then the measured run on the rest:
    (CYCLES dict, {part: % of one core} over the measured run)."""
    warm = len(tokens) // 4
    rounds = WARMUP_MAX_SECONDS // WARMUP_SECONDS
    per = warm // rounds
    warmed, t0 = 0, time.time()
    for i in range(rounds):        # fresh people each round: none meets the cap
        warmed += wrk_cycles(base, tokens[i * per:(i + 1) * per], cid, WARMUP_SECONDS)["submits"]
        if warmed >= WARMUP_CYCLES:
            break
    warm_s = time.time() - t0
    g = part_pids(stack)
    g.update(extra)
    before, t0, m_before = sample(g), time.time(), scrape(stack)
    got = wrk_cycles(base, tokens[warm:], cid, SECONDS)
    wall = time.time() - t0
    after, m_after = sample(g), scrape(stack)
    got["group_commit"] = group_commit_rows(m_before, m_after, ("start", "submit"))
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {k: 100.0 * (after[k] - before[k]) / hz / wall for k in g}
    got["rate"] = got["submits"] / (got["duration_us"] / 1e6)
    # CPU per cycle: what a machine shared with other work still compares
    got["per_cycle"] = {k: 1e3 * (after[k] - before[k]) / hz / max(got["submits"], 1) for k in g}
    got["warm"], got["warm_s"] = warmed, warm_s
    return got, cpu


def check_rows(stack, cid):
    """What the cycles wrote, read back from MariaDB: a short text, and
    whether every check held. Each submitted attempt's score is recomputed
    here from its stored paper, choices and the questions' answer keys."""
    subm, opened = [int(x) for x in stack.sql(
        "SELECT COUNT(submitted_at), COUNT(*) - COUNT(submitted_at) FROM attempts WHERE contest_id = %d" % cid)[0]]
    over = int(stack.sql("SELECT COUNT(*) FROM (SELECT user_id, day FROM attempts WHERE contest_id = %d"
                         " GROUP BY user_id, day HAVING COUNT(*) > %d) t" % (cid, CAP))[0][0])
    twice = int(stack.sql("SELECT COUNT(*) FROM (SELECT user_id FROM attempts WHERE contest_id = %d AND"
                          " submitted_at IS NULL GROUP BY user_id HAVING COUNT(*) > 1) t" % cid)[0][0])
    wrong_best = int(stack.sql(
        "SELECT COUNT(*) FROM contest_scores s WHERE s.contest_id = %d AND s.score <> (SELECT MAX(a.score)"
        " FROM attempts a WHERE a.contest_id = s.contest_id AND a.user_id = s.user_id)" % cid)[0][0])
    wrong_count = int(stack.sql(
        "SELECT COUNT(*) FROM contest_scores s WHERE s.contest_id = %d AND s.attempts_submitted <> (SELECT"
        " COUNT(*) FROM attempts a WHERE a.contest_id = s.contest_id AND a.user_id = s.user_id AND"
        " a.submitted_at IS NOT NULL)" % cid)[0][0])
    rescored, wrong_score = 0, 0
    keys = {int(i): a for i, a in stack.sql("SELECT id, answer FROM questions")}
    for paper, choices, score, correct in stack.sql(
            "SELECT questions, choices, score, correct_count FROM attempts WHERE contest_id = %d AND"
            " submitted_at IS NOT NULL AND choices IS NOT NULL ORDER BY RAND() LIMIT 20" % cid):
        right = sum(1 for q, c in zip(json.loads(paper), json.loads(choices)) if c and c == keys[q["id"]])
        rescored += 1
        wrong_score += right != int(correct) or int(score) != 5 * right
    ok = not (over or twice or wrong_best or wrong_count or wrong_score)
    text = ("%d submitted, %d open; over the cap %d, two open %d; contest score not the best attempt %d,"
            " attempts_submitted off %d; %d attempts re-scored here, %d wrong"
            % (subm, opened, over, twice, wrong_best, wrong_count, rescored, wrong_score))
    return text, ok


def replay_check(stack, base, cid, tokens, n=5):
    """n submitted attempts submitted again (any body): the contract wants
    the first reply byte for byte, as the attempt row keeps it. Returns
    how many matched."""
    import http.client
    from urllib.parse import urlparse
    by_openid = {t[32:]: t for t in tokens}          # token = 32-hex salt + openid
    u = urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    same = 0
    for aid, openid, reply in stack.sql(
            "SELECT a.id, u.openid, a.reply FROM attempts a JOIN users u ON u.id = a.user_id"
            " WHERE a.contest_id = %d AND a.submitted_at IS NOT NULL ORDER BY RAND() LIMIT %d" % (cid, n)):
        conn.request("POST", "/api/v1/attempts/%s/submit" % aid, body='{"answers":[]}',
                     headers={"Authorization": "Bearer " + by_openid[openid], "Content-Type": "application/json"})
        r = conn.getresponse()
        same += r.status == 200 and r.read().decode() == reply
    conn.close()
    return same


def board_check(stack, cid, timeout=20.0):
    """The anchor's national board beside contest_scores: (members, rows).
    The submits wrk left in flight when it stopped still commit, then write
    the boards: read until the two agree or timeout passes."""
    end = time.time() + timeout
    while True:
        ver = stack.redis("GET", "{c%d}:ver" % cid)
        members = int(stack.redis("ZCARD", "{c%d}:v%s:p:n" % (cid, ver))) if ver else 0
        rows = int(stack.sql("SELECT COUNT(*) FROM contest_scores WHERE contest_id = %d" % cid)[0][0])
        if members == rows or time.time() > end:
            return members, rows
        time.sleep(0.5)


def wait_board(stack, cid, timeout=20.0):
    """quizd's background job builds the boards of a new contest (its
    {cN}:ver); the anchor writes into that version."""
    end = time.time() + timeout
    while time.time() < end:
        if stack.redis("GET", "{c%d}:ver" % cid):
            return True
        time.sleep(0.2)
    return False


def headline(path, value, unit, anchor, anchor_value, goal, cpu):
    """A row for bench.py's table (its headline format)."""
    return {"path": path, "value": value, "unit": unit, "anchor": anchor, "anchor_value": anchor_value,
            "goal": goal, "cpu": cpu}


def _cpu_text(cpu):
    return "  ".join("%s %.0f%%" % (k, v) for k, v in cpu.items())


def _side_rows(name, got, cpu):
    return [
        ("%s: cycles/s (start + submit, %d players)" % (name, PLAYERS),
         "%.0f  (%d submits, %d starts in %.1fs; non-2xx %d%s%s)"
         % (got["rate"], got["submits"], got["starts"], got["duration_us"] / 1e6, got["non2xx"],
            "; socket errors " + got["socket_errors"] if got["socket_errors"] else "",
            "; people ran out" if got["ranout"] else "")),
        ("%s: warm-up" % name,
         "%d cycles in %.0fs before the run (aim: %d)" % (got["warm"], got["warm_s"], WARMUP_CYCLES)),
        ("%s: request latency p50 / p99" % name, "%.1f / %.1f ms" % (got["p50_us"] / 1e3, got["p99_us"] / 1e3)),
        ("%s: CPU during the run (%% of one core)" % name, _cpu_text(cpu)),
        ("%s: CPU per cycle (ms)" % name, "  ".join("%s %.2f" % (k, v) for k, v in got["per_cycle"].items()
                                                   if v > 0 or k == "node")),
    ] + [("%s: %s" % (name, label), text) for label, text in got["group_commit"]]


def run(stack, only=None):
    rows = []
    anchor = NodeAnchor(stack)
    node_url = None
    if only != "quizd":
        anchor.install()
        node_url = anchor.start()
    try:
        res = {}
        for side in ("quizd", "node"):
            if only and side != only:
                continue
            cid, tokens = players(stack, PEOPLE[side], "循环基准测试" + side)
            if not wait_board(stack, cid):
                rows.append(("%s: board version" % side, "missing after 20 s: no ranks in the replies"))
            base = stack.base if side == "quizd" else node_url
            got, cpu = measure(stack, base, tokens, cid, {"node": anchor.pids()} if anchor.proc else {})
            res[side] = (got, cpu)
            rows += _side_rows(side, got, cpu)
            text, ok = check_rows(stack, cid)
            rows.append(("%s: rows written (SQL check)" % side, ("ok: " if ok else "WRONG: ") + text))
            rows.append(("%s: 5 submits sent again" % side, "%d of 5 got the stored first reply byte for byte"
                          % replay_check(stack, base, cid, tokens)))
            if side == "node":
                members, n = board_check(stack, cid)
                rows.append(("node: national board beside contest_scores",
                             "%d members, %d rows%s" % (members, n, "" if members == n else "  (DIFFERENT)")))
    finally:
        if anchor.proc:
            anchor.stop()
    q, n = res.get("quizd"), res.get("node")
    if q:
        rows.append(headline("submit cycles (start + submit), %d players, durable" % PLAYERS, q[0]["rate"], "/s",
                             "Node/Express+mysql2+ioredis", n[0]["rate"] if n else None, GOAL, q[1]))
    if n:
        rows.append(headline("  anchor: Node app, %d processes, no nginx" % NODE_WORKERS, n[0]["rate"], "/s",
                             None, None, None, n[1]))
    return rows


def main():
    import argparse
    ap = argparse.ArgumentParser(description="start + submit cycles: quizd beside the Node/Express anchor")
    ap.add_argument("--build", default="build", help="the build folder whose quizd runs")
    ap.add_argument("--seconds", type=int, default=SECONDS)
    ap.add_argument("--only", choices=("quizd", "node"), help="measure one side only")
    ap.add_argument("--node-workers", type=int, default=NODE_WORKERS, help="the anchor's processes (node:cluster)")
    ap.add_argument("--workers", type=int, default=None, help="quizd's fast workers (default: its config's)")
    args = ap.parse_args()
    globals()["SECONDS"] = args.seconds
    globals()["NODE_WORKERS"] = args.node_workers
    import stack as stackmod
    st = stackmod.Stack(build=args.build, quiet=True, workers=args.workers)
    st.start()
    try:
        for r in run(st, args.only):
            if isinstance(r, tuple):
                print("%-52s %s" % r)
            else:
                print("%-52s %.0f %s  (anchor %s)" % (r["path"], r["value"], r["unit"], r["anchor_value"]))
    finally:
        st.stop()


if __name__ == "__main__":
    main()
