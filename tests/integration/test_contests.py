"""Contests: the two seeded contests as settings, GET /contests and
/contests/current by the server's clock, and the organizer's routes."""
import time

from quiz_helpers import (AFTER_ALL, BEFORE_MAIN, IN_MAIN, contest_id, ensure_bank, error_code,
                          organizer_token, registered, reset_seeded_contests, answer_key)

__order__ = 55


def test_seeded_contests_are_rules_md_settings(stack):
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)
    main = stack.get("contests/current").json["contest"]
    assert main["name"] == "《水安将军》趣味知识网络竞赛"
    assert (main["registration_deadline"], main["starts_at"], main["ends_at"]) == (
        "2024-06-10T23:59:59+08:00", "2024-06-11T06:00:00+08:00", "2024-06-30T23:00:00+08:00")
    assert (main["questions_per_attempt"], main["points_per_question"], main["time_limit_s"],
            main["attempts_per_day"], main["score_rule"], main["status"]) == (20, 5, 900, 3, "best", "open")
    assert sum(p["count"] for p in main["paper"]) == 20 and len(main["paper"]) > 1
    six = stack.get("contests/current?contest_id=%d" % contest_id(stack, "liuxiang")).json["contest"]
    assert (six["starts_at"], six["ends_at"]) == ("2024-06-05T00:00:00+08:00", "2024-06-30T23:00:00+08:00")
    assert (six["questions_per_attempt"], six["points_per_question"], six["time_limit_s"],
            six["attempts_per_day"], six["score_rule"], six["certificate_threshold"]) == (20, 5, 1200, 2, "best", 85)
    assert stack.sql("SELECT certificate_hours FROM contests WHERE slug = 'liuxiang'") == [["4"]]


def test_list_and_current_follow_the_clock(stack):
    reset_seeded_contests(stack)
    stack.set_clock(iso=BEFORE_MAIN)
    r = stack.get("contests")
    assert r.status == 200 and r.json["server_time"] == BEFORE_MAIN
    by_slug = {c["name"]: c["status"] for c in r.json["contests"]}
    assert by_slug["《水安将军》趣味知识网络竞赛"] == "upcoming" and by_slug["“六项机制”网络答题"] == "open", by_slug
    assert r.json["contests"][0]["name"] == "《水安将军》趣味知识网络竞赛"   # the main one first
    cur = stack.get("contests/current")
    assert cur.status == 200 and cur.json["contest"]["status"] == "upcoming" and cur.json["server_time"] == BEFORE_MAIN
    stack.set_clock(iso=AFTER_ALL)
    names = [c["name"] for c in stack.get("contests").json["contests"]]
    assert "《水安将军》趣味知识网络竞赛" not in names and "“六项机制”网络答题" not in names, names
    cur = stack.get("contests/current").json["contest"]
    assert cur["status"] == "closed"
    stack.set_clock(iso=IN_MAIN)


def test_current_with_contest_id(stack):
    r = stack.get("contests/current?contest_id=987654")
    assert r.status == 404 and error_code(r) == "no_contest", r
    r = stack.get("contests/current?contest_id=abc")
    assert r.status == 400, r


NEW = {
    "name": "测试竞赛", "registration_deadline": "2024-07-10T00:00:00+08:00",
    "starts_at": "2024-07-01T08:00:00+08:00", "ends_at": "2024-07-20T20:00:00+08:00",
    "paper": [{"category": "安全生产法", "count": 5}, {"category": "应急救援", "count": 5}],
    "points_per_question": 10, "time_limit_s": 600, "attempts_per_day": 1, "score_rule": "best",
    "certificate_threshold": 80, "certificate_hours": 2, "certificate_days": 10,
    "prize_settings": {"tiers": [{"name": "一等奖", "count": 1}]},
}


def test_organizer_creates_and_changes_a_contest(stack):
    ensure_bank(stack)
    stack.set_clock(iso=IN_MAIN)
    org = organizer_token(stack)
    user, _ = registered(stack)
    assert stack.post("admin/contests", NEW).status == 401
    assert stack.post("admin/contests", NEW, token=user).status == 403
    assert stack.post("admin/contests", NEW, token=organizer_token(stack, "140000")).status == 403
    r = stack.post("admin/contests", NEW, token=org)
    assert r.status == 201, r
    c = r.json["contest"]
    assert (c["name"], c["questions_per_attempt"], c["points_per_question"], c["attempts_per_day"],
            c["certificate_threshold"], c["status"]) == ("测试竞赛", 10, 10, 1, 80, "upcoming"), c
    assert c["prize_settings"] == NEW["prize_settings"] and c["is_main"] is False
    got = stack.get("contests/current?contest_id=%d" % c["id"]).json["contest"]
    assert got["starts_at"] == "2024-07-01T08:00:00+08:00" and got["paper"] == NEW["paper"]
    r = stack.put("admin/contests/%d" % c["id"], {"attempts_per_day": 4, "starts_at": "2024-06-01T08:00:00+08:00"},
                  token=org)
    assert r.status == 200 and r.json["contest"]["attempts_per_day"] == 4 and r.json["contest"]["status"] == "open", r
    assert stack.put("admin/contests/987654", {"attempts_per_day": 4}, token=org).status == 404
    # Scores exist: the rule and the points can no longer change.
    token, _ = registered(stack)
    a = stack.post("attempts", {"contest_id": c["id"]}, token=token).json
    assert stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": answer_key(stack, a)}, token=token).status == 200
    r = stack.put("admin/contests/%d" % c["id"], {"score_rule": "daily_best_sum"}, token=org)
    assert r.status == 409 and error_code(r) == "contest_has_results", r
    assert stack.put("admin/contests/%d" % c["id"], {"name": "测试竞赛（改）"}, token=org).status == 200


def test_bad_contest_settings_are_refused(stack):
    ensure_bank(stack)
    org = organizer_token(stack)
    n_before = stack.sql("SELECT COUNT(*) FROM contests")
    bad = [
        {k: v for k, v in NEW.items() if k != "paper"},
        dict(NEW, ends_at="2024-06-01T00:00:00+08:00"),
        dict(NEW, starts_at="yesterday"),
        dict(NEW, score_rule="average"),
        dict(NEW, points_per_question=0),
        dict(NEW, attempts_per_day=1000),
        dict(NEW, paper=[]),
        dict(NEW, paper=[{"category": "安全生产法", "count": 0}]),
        dict(NEW, paper=[{"category": "安全生产法", "count": 2}, {"category": "安全生产法", "count": 2}]),
        dict(NEW, paper=[{"category": "*", "count": 2}, {"category": "应急救援", "count": 2}]),
        dict(NEW, certificate_threshold=500),
        dict(NEW, unknown_setting=1),
        # a NUL inside a string is decoded, then refused by the field's own rule
        dict(NEW, starts_at=NEW["starts_at"] + "\u0000x"),
        dict(NEW, name="安全\u0000知识"),
        dict(NEW, slug="abc\u0000def"),
        dict(NEW, score_rule="best\u0000"),
        dict(NEW, prize_settings={"note": "a\u0000b"}),
        dict(NEW, paper=[{"category": "安全生产法\u0000", "count": 2}]),
    ]
    for body in bad:
        r = stack.post("admin/contests", body, token=org)
        assert r.status == 400 and error_code(r) == "invalid_contest", (body, r)
    r = stack.post("admin/contests", dict(NEW, paper=[{"category": "没有这类题", "count": 3}]), token=org)
    assert r.status == 400 and error_code(r) == "invalid_paper", r
    r = stack.post("admin/contests", dict(NEW, paper=[{"category": "责任保险", "count": 500}]), token=org)
    assert r.status == 400, r
    assert stack.sql("SELECT COUNT(*) FROM contests") == n_before


def test_seed_demo_then_the_crowd(stack):
    """`quizd seed-demo` on a stack of its own (it adds demo people and
    scores): contests open now with registration open, boards not empty,
    and running it again changes nothing; then a short crowd run goes
    through the whole path (login, register, start, submit)."""
    import subprocess
    import sys
    import os
    own = stack.factory()
    own.start()
    try:
        r = own.quizd("seed-demo")
        assert r.returncode == 0, r.stderr
        counts = lambda: [own.sql(s)[0][0] for s in (
            "SELECT COUNT(*) FROM questions", "SELECT COUNT(*) FROM units", "SELECT COUNT(*) FROM profiles",
            "SELECT COUNT(*) FROM contest_scores", "SELECT COUNT(*) FROM attempts",
            "SELECT GROUP_CONCAT(starts_at, ends_at, registration_deadline) FROM contests")]
        first = counts()
        assert int(first[0]) >= 150 and int(first[2]) >= 20 and int(first[3]) >= 20, first
        for c in own.get("contests").json["contests"]:
            assert c["status"] == "open", c
            # boards not empty: each contest's people board holds every
            # demo score of it (read through the API once it is built)
            n = int(own.sql("SELECT COUNT(*) FROM contest_scores WHERE contest_id = %d" % c["id"])[0][0])
            end = time.time() + 30
            while True:
                b = own.get("leaderboards/individual?contest_id=%d&limit=1" % c["id"])
                if b.status == 200 and b.json["total"] == n:
                    break
                assert time.time() < end, (c["id"], n, b)
                time.sleep(0.1)
            assert n > 0 and len(b.json["entries"]) == 1, (c["id"], n, b.json)
        cur = own.get("contests/current").json
        assert cur["contest"]["registration_deadline"] > cur["server_time"]
        r = own.quizd("seed-demo")
        assert r.returncode == 0 and b"0 new score(s)" in r.stdout, r.stdout
        assert counts() == first
        crowd = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                             "scripts", "crowd.py")
        p = subprocess.run([sys.executable, crowd, "--base", own.base, "--users", "6", "--concurrency", "3",
                            "--duration", "8", "--think-ms", "20"], capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr[-2000:]
        assert "POST /api/v1/attempts/{id}/submit" in p.stdout and "p99" in p.stdout, p.stdout
        assert "requests" in p.stderr
        submitted = int(own.sql("SELECT COUNT(*) FROM attempts WHERE submitted_at IS NOT NULL")[0][0])
        assert submitted > int(first[4]), (submitted, first)
    finally:
        own.stop()


def test_kept_contest_copy(stack):
    """contest_cache_ms on (as in production; the test stacks keep none):
    a contest named by id is read from MariaDB once and then served from
    the process's copy, every field as read; a change made in SQL behind
    the server's back is not seen while the copy lives; an organizer's
    change reads the row fresh (so it does not write an old copy back)
    and is seen at once by this process."""
    own = stack.factory(conf_extra={"contest_cache_ms": 60000})
    own.start()
    try:
        for slug in ("shuian", "liuxiang"):
            cid = contest_id(own, slug)
            path = "contests/current?contest_id=%d" % cid
            first, kept = own.get(path).json["contest"], own.get(path).json["contest"]
            assert first == kept and first["id"] == cid, (first, kept)
        cid = contest_id(own, "liuxiang")
        path = "contests/current?contest_id=%d" % cid
        before = own.get(path).json["contest"]
        own.sql("UPDATE contests SET name = '六项机制（SQL 改名）' WHERE id = %d" % cid)
        assert own.get(path).json["contest"] == before
        org = organizer_token(own)
        r = own.put("admin/contests/%d" % cid, {"attempts_per_day": before["attempts_per_day"] + 1}, token=org)
        assert r.status == 200, r
        assert r.json["contest"]["name"] == "六项机制（SQL 改名）", r.json
        after = own.get(path).json["contest"]
        assert after["name"] == "六项机制（SQL 改名）", after
        assert after["attempts_per_day"] == before["attempts_per_day"] + 1, after
    finally:
        own.stop()
