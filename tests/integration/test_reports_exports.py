"""Export jobs: participants, units and a unit's members as .xlsx and .csv,
read back and compared with what the API reports; formulas neutralised;
the requester alone downloads (403 for others), for a day (410 after);
identical requests and the per-requester limit; a job interrupted by a
server restart is taken up again or failed with its reason."""
import os
import secrets
import signal
import socket
import subprocess
import time

from reports_helpers import SqlWorld as World, q
from reports_helpers import (organizer, unit_admin, export, wait_job, read_xlsx, read_csv,
                             excel_time)

__order__ = 55

FORMULAS = ["=1+1", "+8613800138000", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def world_with_people(stack):
    w = World(stack)
    a = w.unit("导出测试甲单位" + secrets.token_hex(2), "140105", headcount=4)
    b = w.unit("导出测试乙单位" + secrets.token_hex(2), "130102", headcount=10)
    people = {}
    for i, name in enumerate(["张三", "李四"] + FORMULAS):
        uid = w.person(a if i % 2 == 0 else b, "140105" if i % 2 == 0 else "130102", name)
        people[uid] = name
    five = w.person(a, "140105", "欧阳娜娜", kind="five_into")
    people[five] = "欧阳娜娜"
    silent = w.person(b, "130102", "王五")       # registered, never answered
    for n, uid in enumerate(sorted(people)):
        w.submit(uid, 50 + 5 * n, 100 + n)
    w.settle()
    return w, a, b, people, five, silent


def test_participants_xlsx_rows_equal_the_board(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    tok, _ = organizer(stack)
    job, r = export(stack, tok, {"kind": "participants", "format": "xlsx", "contest_id": w.id})
    assert r.header("Content-Type").startswith("application/vnd.openxmlformats"), r.headers
    assert "attachment" in r.header("Content-Disposition"), r.headers
    assert r.header("X-Accel-Redirect") is None, r.headers     # nginx sent the file, the header stays inside
    assert job["rows"] == len(people) and job["source"] == "primary", job
    book = read_xlsx(r.body)
    sheet = book["参赛人员"]
    header, rows = sheet["rows"][0], sheet["rows"][1:]
    assert header[:2] == ["用户ID", "姓名"] and "成绩" in header, header
    # bold header, frozen first row, widths set
    hstyle = sheet["cells"][0][0][1]
    assert hstyle is not None and "<b/>" in book["_styles"], hstyle
    assert 'ySplit="1"' in sheet["xml"] and 'state="frozen"' in sheet["xml"], sheet["xml"][:600]
    assert "<cols>" in sheet["xml"] and 'customWidth="1"' in sheet["xml"]
    assert "<f>" not in sheet["xml"], "a formula in the sheet"
    # rows equal the board: the same people and scores
    board = {e["user_id"]: e for e in w.all_people()}
    col = {h: i for i, h in enumerate(header)}
    got = {int(row[col["用户ID"]]): row for row in rows}
    assert set(got) == set(board) == set(people), (sorted(got), sorted(board))
    for uid, row in got.items():
        assert row[col["成绩"]] == board[uid]["score"], (row, board[uid])
        # names in full for an organizer; text stays text, formulas too
        assert row[col["姓名"]] == people[uid], (row, people[uid])
    for r_meta, row in zip(sheet["cells"][1:], rows):
        assert r_meta[col["用户ID"]][0] is None, r_meta          # a number
        assert r_meta[col["成绩"]][0] is None, r_meta
        assert r_meta[col["姓名"]][0] in ("inlineStr", "s"), r_meta
        t_meta = r_meta[col["成绩取得时间"]]
        assert t_meta[0] is None and t_meta[1] is not None, t_meta   # a styled number: a date-time
    uid0 = min(people)
    row0 = got[uid0]
    reached = int(stack.sql("SELECT reached_at FROM contest_scores WHERE contest_id = %d AND user_id = %d"
                            % (w.id, uid0))[0][0])
    assert excel_time(row0[col["成绩取得时间"]]) == reached, (row0, reached)
    assert 'formatCode="yyyy-mm-dd hh:mm:ss"' in book["_styles"]


def test_participants_csv_neutralises_formulas_and_filters(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    tok, _ = organizer(stack)
    job, r = export(stack, tok, {"kind": "participants", "format": "csv", "contest_id": w.id})
    assert r.header("Content-Type").startswith("text/csv"), r.headers
    assert r.body.count(b"\r\n") >= len(people) + 1
    rows = read_csv(r.body)
    header, data = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(header)}
    assert len(data) == len(people), data
    names = {int(row[col["用户ID"]]): row[col["姓名"]] for row in data}
    for uid, name in people.items():
        if name in FORMULAS:
            assert names[uid] == "'" + name, (names[uid], name)
        else:
            assert names[uid] == name, (names[uid], name)
    for row in data:
        for cell in row:
            assert cell == "" or cell[0] not in "=+-@\t\r", row
    # filters: a unit, five-into only, a score range, a region
    _, r = export(stack, tok, {"kind": "participants", "format": "csv", "contest_id": w.id, "unit_id": a})
    ids = {int(x[0]) for x in read_csv(r.body)[1:]}
    want = {int(u) for (u,) in stack.sql("SELECT p.user_id FROM profiles p JOIN contest_scores s ON"
                                         " s.user_id = p.user_id AND s.contest_id = %d WHERE p.board_unit_id = %d"
                                         % (w.id, a))}
    assert ids == want and ids, (ids, want)
    _, r = export(stack, tok, {"kind": "participants", "format": "csv", "contest_id": w.id,
                               "person_kind": "five_into"})
    assert {int(x[0]) for x in read_csv(r.body)[1:]} == {five}
    lo, hi = 60, 75
    _, r = export(stack, tok, {"kind": "participants", "format": "csv", "contest_id": w.id,
                               "min_score": lo, "max_score": hi})
    scores = {int(x[0]): int(x[col["成绩"]]) for x in read_csv(r.body)[1:]}
    board = {e["user_id"]: e["score"] for e in w.all_people()}
    assert scores == {u: s for u, s in board.items() if lo <= s <= hi} and scores, scores
    _, r = export(stack, tok, {"kind": "participants", "format": "csv", "contest_id": w.id, "region": "130000"})
    assert {int(x[0]) for x in read_csv(r.body)[1:]} == {u for u in people if
                                                          stack.sql("SELECT province_code FROM profiles WHERE"
                                                                    " user_id = %d" % u)[0][0] == "130000"}
    # an organizer of another province sees none of them
    tok_sx, _ = organizer(stack, "130000")
    _, r = export(stack, tok_sx, {"kind": "participants", "format": "csv", "contest_id": w.id})
    for x in read_csv(r.body)[1:]:
        assert stack.sql("SELECT province_code FROM profiles WHERE user_id = %s" % x[0])[0][0] == "130000"
    # bad filters are 400s
    for body in ({"kind": "nope", "format": "csv"}, {"kind": "participants", "format": "pdf"},
                 {"kind": "participants", "format": "csv", "min_score": -1},
                 {"kind": "participants", "format": "csv", "region": "14"},
                 {"kind": "participants", "format": "csv", "min_score": 90, "max_score": 10},
                 {"kind": "participants", "format": "csv", "person_kind": "boss"},
                 {"kind": "weekly", "format": "csv", "week": "2024-06-18"}):
        r = stack.post("admin/exports", body, token=tok)
        assert r.status == 400, (body, r)


def test_units_export_counts(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    tok, _ = organizer(stack)
    _, r = export(stack, tok, {"kind": "units", "format": "xlsx", "contest_id": w.id})
    sheet = read_xlsx(r.body)["单位"]
    header = sheet["rows"][0]
    col = {h: i for i, h in enumerate(header)}
    got = {int(row[0]): row for row in sheet["rows"][1:]}
    for unit in (a, b):
        row = got[unit]
        staff = int(stack.sql("SELECT COUNT(*) FROM profiles WHERE board_unit_id = %d AND kind = 'staff'" % unit)[0][0])
        answered = int(stack.sql("SELECT COUNT(*) FROM profiles p JOIN contest_scores s ON s.user_id = p.user_id"
                                 " AND s.contest_id = %d WHERE p.board_unit_id = %d AND p.kind = 'staff'"
                                 % (w.id, unit))[0][0])
        head = int(stack.sql("SELECT headcount FROM units WHERE id = %d" % unit)[0][0])
        assert row[col["已注册职工"]] == staff and row[col["参与职工"]] == answered, row
        assert abs(row[col["参与率"]] - min(1.0, answered / head)) < 1e-9, row
    assert got[a][col["五进人员"]] == 1


def test_unit_admin_exports_own_members_only(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    admin_uid = w.member(a, "140105", "赵六")[1]
    tok = unit_admin(stack, admin_uid, a)
    job, r = export(stack, tok, {"kind": "members", "format": "csv", "contest_id": w.id})
    rows = read_csv(r.body)
    col = {h: i for i, h in enumerate(rows[0])}
    got = {int(x[0]): x for x in rows[1:]}
    want = {int(u) for (u,) in stack.sql("SELECT user_id FROM profiles WHERE board_unit_id = %d" % a)}
    assert set(got) == want, (set(got), want)
    # the same people, names and scores as the console's member list shows the admin
    r = stack.get("/api/v1/units/%d/members?contest_id=%d&limit=100" % (a, w.id), token=tok)
    assert r.status == 200, r
    listed = {m["user_id"]: m for m in r.json["members"]}
    assert set(listed) == set(got), (set(listed), set(got))
    for uid, m in listed.items():
        row = got[uid]
        name = m["real_name"]
        assert row[col["姓名"]] == ("'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name), (row, m)
        assert row[col["成绩"]] == ("" if m["score"] is None else str(m["score"])), (row, m)
    assert got[five][col["姓名"]] == "欧阳娜娜" and got[admin_uid][col["姓名"]] == "赵六"
    # another unit, another kind: 403
    r = stack.post("admin/exports", {"kind": "members", "format": "csv", "unit_id": b}, token=tok)
    assert r.status == 403, r
    r = stack.post("admin/exports", {"kind": "participants", "format": "csv"}, token=tok)
    assert r.status == 403, r
    # a user without the role
    user, _ = stack.login()
    r = stack.post("admin/exports", {"kind": "members", "format": "csv"}, token=user)
    assert r.status == 403, r


def freeze(stack, job_id):
    """Hold a job as running on another host (until the test lets it go):
    1 when it was still queued."""
    n = stack.sql("UPDATE export_jobs SET state = 'running', runner = 'elsewhere:1:0',"
                  " heartbeat_at = UNIX_TIMESTAMP() + 100000 WHERE id = %d AND state = 'queued';"
                  " SELECT ROW_COUNT()" % job_id)
    return int(n[0][0]) == 1


def test_identical_request_returns_the_running_job_and_limit(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    tok, _ = organizer(stack)
    held = []
    for attempt in range(20):
        body = {"kind": "units", "format": "csv", "contest_id": w.id, "region": "140000"}
        r = stack.post("admin/exports", body, token=tok)
        assert r.status in (200, 202), r
        if freeze(stack, r.json["job_id"]):
            held.append(r.json["job_id"])
            break
        wait_job(stack, tok, r.json["job_id"])
    assert held, "could not catch a job while queued"
    r = stack.post("admin/exports", body, token=tok)
    assert r.status == 200 and r.json["job_id"] == held[0] and r.json["existing"], r
    r = stack.get("/api/v1/admin/jobs/%d" % held[0], token=tok)
    assert r.json["state"] == "running" and "download_url" not in r.json, r
    r = stack.get("/api/v1/admin/jobs/%d/file" % held[0], token=tok)
    assert r.status == 409 and r.json["error"]["code"] == "job_not_done", r
    # a few at once at most (export_max_jobs = 3)
    for region in ("130000", "110000", "120000", "150000", "210000"):
        r = stack.post("admin/exports", {"kind": "units", "format": "csv", "region": region}, token=tok)
        if r.status == 429:
            assert r.json["error"]["code"] == "too_many_jobs" and r.header("Retry-After"), r
            break
        assert r.status == 202, r
        if freeze(stack, r.json["job_id"]):
            held.append(r.json["job_id"])
    else:
        raise AssertionError("no limit reached")
    assert len(held) >= 2
    stack.sql("UPDATE export_jobs SET state = 'failed', error = 'test' WHERE runner = 'elsewhere:1:0'")


def test_other_requester_403_and_expiry_410(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    tok, _ = organizer(stack)
    other, _ = organizer(stack)
    job, r = export(stack, tok, {"kind": "participants", "format": "xlsx", "contest_id": w.id})
    for path in ("/api/v1/admin/jobs/%d" % job["id"], job["download_url"]):
        r = stack.get(path, token=other)
        assert r.status == 403 and r.json["error"]["code"] == "forbidden", r
    r = stack.get("/api/v1/admin/jobs/999999999", token=tok)
    assert r.status == 404, r
    name = stack.sql("SELECT file_name FROM export_jobs WHERE id = %d" % job["id"])[0][0]
    path = os.path.join(stack.dir, "data", "exports", name)
    assert os.path.exists(path)
    try:
        stack.set_clock(offset_s=25 * 3600)
        r = stack.get(job["download_url"], token=tok)
        assert r.status == 410 and r.json["error"]["code"] == "export_expired", r
        r = stack.get("/api/v1/admin/jobs/%d" % job["id"], token=tok)
        assert r.json["expired"] and "download_url" not in r.json, r
        end = time.time() + 20
        while os.path.exists(path) and time.time() < end:
            time.sleep(0.2)
        assert not os.path.exists(path), "the expired file is still there"
    finally:
        stack.set_clock(offset_s=0)
    r = stack.get(job["download_url"], token=tok)
    assert r.status == 410, r     # removed stays removed


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_job_interrupted_by_a_restart(stack):
    w, a, b, people, five, silent = world_with_people(stack)
    tok, _ = organizer(stack)
    host = socket.gethostname()
    ids = []
    for region, tries in (("140000", 1), ("130000", 3)):
        r = stack.post("admin/exports", {"kind": "units", "format": "csv", "region": region}, token=tok)
        assert r.status == 202, r
        ids.append(r.json["job_id"])
    # Both as a runner of a process of this host that died would leave them
    # (the runners may have finished them already: put them back running).
    pid = dead_pid()
    stack.stop_server(0, sig=signal.SIGKILL)
    for jid, tries in zip(ids, (1, 3)):
        stack.sql("UPDATE export_jobs SET state = 'running', runner = %s, tries = %d, progress = 0.4,"
                  " heartbeat_at = UNIX_TIMESTAMP(), file_name = NULL, finished_at = NULL, expires_at = NULL"
                  " WHERE id = %d" % (q("%s:%d:0" % (host, pid)), tries, jid))
    stack.start_server(0)
    job, r = wait_job(stack, tok, ids[0], timeout=60)
    assert job["state"] == "done" and r.body.startswith(b"\xef\xbb\xbf")
    assert int(stack.sql("SELECT tries FROM export_jobs WHERE id = %d" % ids[0])[0][0]) == 2
    end = time.time() + 30
    while time.time() < end:
        j = stack.get("/api/v1/admin/jobs/%d" % ids[1], token=tok).json
        if j["state"] != "running":
            break
        time.sleep(0.2)
    assert j["state"] == "failed" and "interrupted" in j["error"], j
    # A real kill in the middle: the job ends done after the restart.
    r = stack.post("admin/exports", {"kind": "participants", "format": "xlsx", "contest_id": w.id}, token=tok)
    jid = r.json["job_id"]
    stack.stop_server(0, sig=signal.SIGKILL)
    stack.start_server(0)
    job, r = wait_job(stack, tok, jid, timeout=90)
    assert job["rows"] == len(people), job


def test_a_server_stop_puts_the_running_job_back(stack):
    """SIGTERM while a job runs: the runner puts it back in the queue without
    using up a try, and the next start finishes it (tries stays 1)."""
    w = World(stack)
    unit = w.unit("停机测试单位", "140105")
    base = 600_000_000 + secrets.randbelow(10_000) * 10_000
    n = 40000
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code, kind,"
              " unit_id, board_unit_id, created_at, updated_at) SELECT %d + seq, '张三', '140105', '140000',"
              " '140100', '140105', 'staff', %d, %d, 0, 0 FROM seq_1_to_%d;"
              "INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
              " first_submitted_at) SELECT %d, %d + seq, seq %% 100, 1718060000, 1, 1718060000 FROM seq_1_to_%d"
              % (base, unit, unit, n, w.id, base, n))
    tok, _ = organizer(stack)
    for attempt in range(5):
        r = stack.post("admin/exports", {"kind": "participants", "format": "xlsx", "contest_id": w.id,
                                         "min_score": attempt}, token=tok)
        jid = r.json["job_id"]
        end = time.time() + 30
        while time.time() < end:
            j = stack.get("/api/v1/admin/jobs/%d" % jid, token=tok).json
            if j["state"] != "queued":
                break
            time.sleep(0.02)
        if j["state"] == "running":
            break
        # it finished before the stop could catch it: try again with more to do
    else:
        raise AssertionError("never caught a job running")
    stack.stop_server(0, sig=signal.SIGTERM)
    row = stack.sql("SELECT state, tries, error FROM export_jobs WHERE id = %d" % jid)[0]
    assert row[0] in ("queued", "done"), row
    if row[0] == "queued":
        assert row[1] == "0" and "server stop" in row[2], row
    stack.start_server(0)
    job, r = wait_job(stack, tok, jid, timeout=120)
    assert job["rows"] == int(stack.sql("SELECT COUNT(*) FROM contest_scores WHERE contest_id = %d AND score >= %d"
                                        % (w.id, attempt))[0][0]), job
    assert int(stack.sql("SELECT tries FROM export_jobs WHERE id = %d" % jid)[0][0]) == 1
