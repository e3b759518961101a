#!/usr/bin/env python3
"""bench_boards.py: the leaderboards at one million people.

run(stack) -> [(label, value), ...] for scripts/bench.py. It fills MariaDB
directly (INSERT ... SELECT from MariaDB's seq_1_to_N sequence tables):
5,000 units over the counties, 1,000,000 registered people (one in ten a
five-into member) and a contest score for each; then it times
`quizd rebuild-boards` (every board of the contest from MariaDB into
Redis), and measures through nginx with wrk at 64 connections reads of
GET /leaderboards/individual?limit=50 with a token (top 50 plus `me`),
beside redis-benchmark running the bare ZREVRANGE key 0 49 WITHSCORES with
64 clients against the same Redis, and the read script itself.

    python3 scripts/bench_boards.py      (its own stack, then the figures)
    python3 scripts/bench_boards.py --rebuild-only [--builds A,B] [--rounds N]
        fill once, then only the rebuild, with each build's quizd in turn
        (A, B, A, B, ...: back-to-back pairs on the same data); prints the
        time, the split, and each process's CPU seconds per run
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PEOPLE = int(os.environ.get("BENCH_BOARD_PEOPLE", "1000000"))
UNITS = 5000
CONNS = 64
SECONDS = 10
START = 1718056800
BASE_UID = 500_000_000     # far above the ids logins get

# The requests are built once, one per token, when each wrk thread starts
# (wrk.format per request is work of the load generator, which shares the
# two cores with the stack: 5 % more reads in alternating runs, in noise).
LUA = r"""
function init(args)
  reqs = {}
  for t in io.lines(args[1]) do
    reqs[#reqs + 1] = wrk.format("GET", args[2], {["Authorization"] = "Bearer " .. t})
  end
  n = 0
end
function request()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end
"""


def sql(stack, text):
    """A statement through the client's standard input (long or slow ones too)."""
    import stack as stackmod
    r = subprocess.run([stackmod.which("mariadb", "mysql"), "--no-defaults", "-S", stack.db_socket, "-uroot",
                        "--batch", "--skip-column-names", "quiz"], input=text.encode(),
                       capture_output=True, timeout=3600)
    if r.returncode != 0:
        raise RuntimeError("sql failed: %s" % r.stderr.decode(errors="replace")[:400])
    return [l.split("\t") for l in r.stdout.decode().splitlines()]


def wait_search_index(stack):
    """The units just filled are added to the unit search index by quizd's
    background, a few hundred a second, a MariaDB transaction each (5,000
    units: about 15 s). A rebuild or reads measured meanwhile would share
    the cores with that, so the figures wait for it."""
    end = time.time() + 120
    while int(sql(stack, "SELECT COUNT(*) FROM units WHERE search_indexed = 0")[0][0]) and time.time() < end:
        time.sleep(0.5)


def fill(stack):
    """The contest, units, people and scores, the units' search index
    built; returns the contest id."""
    n = PEOPLE
    sql(stack, "INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
               " points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
               " VALUES ('benchboards', '压测竞赛', 0, %d, %d, %d, '[]', 5, 900, 3, 'best', 0, 0)"
               % (START - 86400, START, START + 20 * 86400))
    cid = int(sql(stack, "SELECT id FROM contests WHERE slug = 'benchboards'")[0][0])
    sql(stack, "INSERT INTO units (name, credit_code, region_code, province_code, city_code, county_code, type,"
               " headcount, created_at, verified)"
               " SELECT CONCAT('压测单位', s.seq), CONCAT('BENCH', LPAD(s.seq, 13, '0')), r.code, r.province_code,"
               " r.city_code, r.code, 'water_admin', 100 + s.seq %% 400, 0, 1 FROM seq_1_to_%d s"
               " JOIN (SELECT code, province_code, city_code, ROW_NUMBER() OVER (ORDER BY code) AS n"
               "       FROM regions WHERE level = 3 AND city_code IS NOT NULL) r"
               " ON r.n = 1 + s.seq %% 2800" % UNITS)
    umin = int(sql(stack, "SELECT MIN(id) FROM units WHERE credit_code LIKE 'BENCH%'")[0][0])
    # people live in their unit's county; every tenth is a five-into member
    sql(stack, "SET SESSION unique_checks = 0;"
               "INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
               " kind, unit_id, sponsor_unit_id, five_into_category, board_unit_id, created_at, updated_at)"
               " SELECT %d + s.seq, CONCAT(ELT(1 + s.seq %% 10, '王', '李', '张', '刘', '陈', '杨', '赵', '黄',"
               " '周', '欧阳'), ELT(1 + s.seq %% 3, '伟', '芳娜', '敏')), u.region_code, u.province_code,"
               " u.city_code, u.county_code, IF(s.seq %% 10 = 0, 'five_into', 'staff'),"
               " IF(s.seq %% 10 = 0, NULL, u.id), IF(s.seq %% 10 = 0, u.id, NULL),"
               " IF(s.seq %% 10 = 0, 'village', NULL), u.id, %d, %d"
               " FROM seq_1_to_%d s JOIN units u ON u.id = %d + s.seq %% %d"
               % (BASE_UID, START, START, n, umin, UNITS))
    # scores on 20 x 5 points, reached over the contest's 20 days: many ties
    sql(stack, "INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
               " first_submitted_at) SELECT %d, %d + seq, 5 * ((seq * 7919) %% 21), %d + (seq * 104729) %% 1728000,"
               " 1, %d FROM seq_1_to_%d" % (cid, BASE_UID, START, START, n))
    wait_search_index(stack)
    return cid


def cpu_seconds(stack):
    """CPU seconds (user + system) so far of Redis, MariaDB and this
    process's finished children (the quizd commands it ran)."""
    import resource
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for name in ("redis", "mariadb"):
        try:
            with open("/proc/%d/stat" % stack.procs[name].pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[name] = (int(fields[11]) + int(fields[12])) / tick
        except (KeyError, OSError, IndexError, ValueError):
            out[name] = 0.0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["quizd"] = ru.ru_utime + ru.ru_stime
    return out


def tokens(stack, cid, k=16):
    """k logged-in people who are on the board (so every read has a `me`)."""
    out = []
    for i in range(k):
        tok, user = stack.login()
        uid = user["id"]
        sql(stack, "INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
                   " kind, unit_id, board_unit_id, created_at, updated_at) SELECT %d, '压测者', region_code,"
                   " province_code, city_code, county_code, 'staff', id, id, 0, 0 FROM units"
                   " WHERE credit_code LIKE 'BENCH%%' LIMIT 1;"
                   "INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
                   " first_submitted_at) VALUES (%d, %d, %d, %d, 1, %d);"
                   "INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,"
                   " first_submit, created_at) VALUES (%d, %d, %d, 0, %d, %d, 1, %d)"
                   % (uid, cid, uid, 5 * i, START + i, START, cid, uid, 900000 + i, 5 * i, START + i, START))
        out.append(tok)
    return out


def wrk(stack, path, toks):
    d = tempfile.mkdtemp(prefix="bench-boards-")
    lua, tf = os.path.join(d, "read.lua"), os.path.join(d, "tokens")
    with open(lua, "w") as f:
        f.write(LUA)
    with open(tf, "w") as f:
        f.write("\n".join(toks) + "\n")
    out = subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d%ds" % SECONDS, "--latency", "-s", lua,
                          stack.base, "--", tf, path], capture_output=True, text=True,
                         timeout=SECONDS + 60).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    return "%.0f req/s  p50 %s  p99 %s  non-2xx %d" % (
        rps, p50.group(1) if p50 else "?", p99.group(1) if p99 else "?", int(non2xx.group(1)) if non2xx else 0)


def redis_bench(stack, *cmd):
    out = subprocess.run(["redis-benchmark", "-p", str(stack.redis_port), "-a", stack.redis_password, "-c", str(CONNS), "-n", "200000",
                          "-q"] + list(cmd), capture_output=True, text=True, timeout=300).stdout
    m = re.findall(r"([\d.]+) requests per second", out)
    return "%s req/s" % m[-1] if m else "? (%s)" % out.strip()[-200:]


def read_script_sha():
    """SHA-1 of the read script as the server sends it: engines/boards/read.lua,
    built into the binary byte for byte (Makefile: x.lua -> x.lua.h)."""
    with open(os.path.join(ROOT, "engines", "boards", "read.lua"), "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def rebuild_once(stack, cid, build):
    """One `quizd rebuild-boards` with build's binary on this stack: a row."""
    path = os.path.join(stack.dir, "quizd0.conf")
    cpu0 = cpu_seconds(stack)
    t0 = time.time()
    r = subprocess.run([os.path.join(build, "quizd"), "--config", path, "rebuild-boards", str(cid)],
                       capture_output=True, timeout=600, cwd=ROOT)
    took = time.time() - t0
    cpu1 = cpu_seconds(stack)
    if r.returncode != 0:
        return (build, "failed: %s" % (r.stdout + r.stderr).decode()[-300:])
    split = re.search(r"\(MariaDB[^,]* (\S+) ms, [^,]* (\S+) ms, replay and swap (\S+) ms\)", r.stdout.decode())
    return (build, "%.1f s  (read/write/replay %s ms)  CPU quizd / Redis / MariaDB: %s" % (
        took, " / ".join(split.groups()) if split else "?",
        " / ".join("%.1f s" % (cpu1[k] - cpu0[k]) for k in ("quizd", "redis", "mariadb"))))


def run_rebuild_only(stack, builds, rounds):
    t0 = time.time()
    cid = fill(stack)
    yield ("fill MariaDB: %d people, %d units, their search index" % (PEOPLE, UNITS), "%.1f s" % (time.time() - t0))
    for _ in range(rounds):
        for b in builds:
            yield rebuild_once(stack, cid, b)


def run(stack):
    rows = []
    t0 = time.time()
    cid = fill(stack)
    rows.append(("fill MariaDB: %d people, %d units, their search index" % (PEOPLE, UNITS), "%.1f s" % (time.time() - t0)))
    toks = tokens(stack, cid)
    cpu0 = cpu_seconds(stack)
    t0 = time.time()
    r = stack.quizd("rebuild-boards", str(cid))
    took = time.time() - t0
    cpu1 = cpu_seconds(stack)
    if r.returncode != 0:
        return rows + [("rebuild-boards", "failed: %s" % (r.stdout + r.stderr).decode()[-300:])]
    rows.append(("rebuild all boards of %d people (quizd rebuild-boards)" % PEOPLE, "%.1f s" % took))
    split = re.search(r"\(MariaDB[^,]* (\S+) ms, [^,]* (\S+) ms, replay and swap (\S+) ms\)", r.stdout.decode())
    if split:
        rows.append(("  of which reading MariaDB (and writing the people boards meanwhile) / the rest / replay",
                     "%s / %s / %s ms" % split.groups()))
    # CPU time each process spent on it: what the rebuild costs whatever
    # else the machine runs (wall time on a shared machine is mostly waiting)
    rows.append(("  CPU spent: quizd rebuild-boards / Redis / MariaDB",
                 " / ".join("%.1f s" % (cpu1[k] - cpu0[k]) for k in ("quizd", "redis", "mariadb"))))
    mem = re.search(r"used_memory_human:(\S+)", stack.redis("INFO", "memory") or "")
    rows.append(("Redis memory with the boards", mem.group(1) if mem else "?"))
    # the logged-in readers' own entries reach the boards through the outbox
    end = time.time() + 30
    while int(sql(stack, "SELECT COUNT(*) FROM board_outbox WHERE contest_id = %d AND applied_at IS NULL"
                  % cid)[0][0]) and time.time() < end:
        time.sleep(0.1)
    path = "/api/v1/leaderboards/individual?contest_id=%d&limit=50" % cid
    check = stack.get(path, token=toks[-1]).json
    assert check["total"] == PEOPLE + len(toks) and len(check["entries"]) == 50 and check["me"], check
    reads = wrk(stack, path, toks)
    rows.append(("GET /leaderboards/individual top 50 + me (64 conns)", reads))
    ver = stack.redis("GET", "{c%d}:ver" % cid)
    key = "{c%d}:v%s:p:n" % (cid, ver)
    anchor = redis_bench(stack, "ZREVRANGE", key, "0", "49", "WITHSCORES")
    rows.append(("redis-benchmark ZREVRANGE key 0 49 WITHSCORES (64 clients)", anchor))
    try:
        ratio = float(reads.split()[0]) / float(anchor.split()[0])
        rows.append(("ratio board reads / redis-benchmark (goal >= 0.5)", "%.2f" % ratio))
    except ValueError:
        rows.append(("ratio board reads / redis-benchmark", "?"))
    try:
        sha = read_script_sha()
        if stack.redis("SCRIPT", "EXISTS", sha) == "1":
            rows.append(("redis-benchmark the read script (top 50 + me + names)",
                         redis_bench(stack, "EVALSHA", sha, "1", "{c%d}:ver" % cid, "i", "p:n", "0", "50",
                                     str(BASE_UID + 12345))))
    except Exception as e:     # a figure less, not a failed benchmark
        rows.append(("read script", "not measured: %s" % e))
    rows.append(("GET /leaderboards/units top 50 (64 conns)",
                 wrk(stack, "/api/v1/leaderboards/units?contest_id=%d&limit=50" % cid, toks)))
    return rows


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild-only", action="store_true", help="fill, then time only the rebuild")
    ap.add_argument("--builds", default="build", help="comma-separated build directories (--rebuild-only)")
    ap.add_argument("--rounds", type=int, default=1, help="rebuilds per build (--rebuild-only)")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    import stack as stackmod
    st = stackmod.Stack(build="build")
    st.start()
    builds = [b if os.path.isabs(b) else os.path.join(ROOT, b) for b in args.builds.split(",")]
    try:
        rows = run_rebuild_only(st, builds, args.rounds) if args.rebuild_only else run(st)
        for label, value in rows:
            print("%-64s %s" % (label, value), flush=True)
    finally:
        st.stop()
