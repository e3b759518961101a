#!/usr/bin/env python3
"""bench_export.py: a 200,000-row participants export, as .xlsx and .csv.

    run(stack) -> [(label, value), ...]     (scripts/bench.py calls this)
    python3 scripts/bench_export.py         (starts a stack of its own)

Writes ROWS people with a contest score in bulk (MariaDB's sequence
engine), asks POST /api/v1/admin/exports as an organizer, follows the job
to the end and reports the time from the request to the finished file,
the file's size, and quizd's resident memory: before, the highest seen
while the job ran (sampled every 20 ms from /proc) and the kernel's
high-water mark (VmHWM, the whole process life)."""
import hashlib
import os
import secrets
import sys
import threading
import time

ROWS = 200000
UNITS = 2000
BASE_UID = 700_000_000


def _rss_kb(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _fill(stack):
    tag = secrets.token_hex(3).upper()
    stack.sql("INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
              " points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
              " VALUES ('bench%s', '导出基准竞赛', 0, 1718035199, 1718056800, 1719759600, '[]', 5, 900, 3, 'best', 0, 0)"
              % tag.lower())
    cid = int(stack.sql("SELECT id FROM contests WHERE slug = 'bench%s'" % tag.lower())[0][0])
    stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code, county_code, type,"
              " headcount, created_at) SELECT CONCAT('太原市小店区基准水利单位', seq), CONCAT('91B%s', LPAD(seq, 9, '0')),"
              " '140105', '140000', '140100', '140105', 'water_admin', 120, 0 FROM seq_1_to_%d" % (tag, UNITS))
    first = int(stack.sql("SELECT MIN(id) FROM units WHERE credit_code LIKE '91B%s%%'" % tag)[0][0])
    base = BASE_UID + secrets.randbelow(1000) * 1_000_000
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code, kind,"
              " unit_id, board_unit_id, position, created_at, updated_at)"
              " SELECT %d + seq, CONCAT(ELT(1 + seq %% 8, '张', '王', '李', '赵', '欧阳', '陈', '刘', '杨'), '某', seq %% 97),"
              " '140105', '140000', '140100', '140105', 'staff', %d + seq %% %d, %d + seq %% %d, '科员', 1718000000, 1718000000"
              " FROM seq_1_to_%d" % (base, first, UNITS, first, UNITS, ROWS))
    stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted, first_submitted_at)"
              " SELECT %d, %d + seq, 5 * (seq %% 21), 1718060000 + seq, 1 + seq %% 3, 1718060000 + seq"
              " FROM seq_1_to_%d" % (cid, base, ROWS))
    return cid


def _organizer(stack):
    token = secrets.token_urlsafe(32)
    h = hashlib.sha256(token.encode()).hexdigest()
    name = "bench" + secrets.token_hex(4)
    stack.sql("INSERT INTO organizers (username, password_hash, area, created_at) VALUES ('%s', 'x', '', 0);"
              "INSERT INTO sessions (token_hash, organizer_id, roles, area, created_at, expires_at)"
              " SELECT '%s', id, 4, '', 0, 4102444800 FROM organizers WHERE username = '%s'" % (name, h, name))
    return token


def _one(stack, token, pid, body):
    peak = [0]
    stop = []

    def sample():
        while not stop:
            peak[0] = max(peak[0], _rss_kb(pid))
            time.sleep(0.02)
    before = _rss_kb(pid)
    th = threading.Thread(target=sample)
    th.start()
    t0 = time.time()
    try:
        r = stack.post("admin/exports", body, token=token)
        if r.status != 202:
            raise RuntimeError("export: %s" % r)
        jid = r.json["job_id"]
        while True:
            j = stack.get("/api/v1/admin/jobs/%d" % jid, token=token).json
            if j["state"] in ("done", "failed"):
                break
            time.sleep(0.05)
        took = time.time() - t0
    finally:
        stop.append(1)
        th.join()
    if j["state"] != "done":
        raise RuntimeError("job failed: %s" % j)
    f = stack.get(j["download_url"], token=token, timeout=120)
    return j["rows"], took, len(f.body), before, peak[0]


def run(stack):
    t0 = time.time()
    cid = _fill(stack)
    rows = [("rows written for the export", "%d people with scores in %.1fs" % (ROWS, time.time() - t0))]
    token = _organizer(stack)
    pid = stack.procs["quizd0"].pid
    for fmt in ("xlsx", "csv"):
        n, took, size, before, peak = _one(stack, token, pid, {"kind": "participants", "format": fmt,
                                                                "contest_id": cid})
        rows.append(("participants export .%s (%d rows)" % (fmt, n),
                     "%.1f s  %.1f MB  quizd RSS %.0f MB before, peak %.0f MB during (+%.1f MB)"
                     % (took, size / 1e6, before / 1024.0, peak / 1024.0, (peak - before) / 1024.0)))
    rows.append(("quizd VmHWM (peak resident, whole life)", "%.0f MB" % (_rss_kb(pid, "VmHWM") / 1024.0)))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import stack as stackmod
    st = stackmod.Stack(build="build")
    st.start()
    try:
        for label, value in run(st):
            print("%-48s %s" % (label, value), flush=True)
    finally:
        st.stop()
