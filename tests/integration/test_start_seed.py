"""Starts drawn in the server (schema 222, rules/paper_draw, engines/quiz/bank):
each attempt keeps its seed and the bank version it was drawn from; an edit
or an import moves the bank's version and the next start draws from the new
bank; one open attempt per person and the daily cap hold under parallel
starts."""
import json
import os
import tempfile
import threading

from quiz_helpers import (IN_MAIN, ensure_bank, error_code, organizer_token, registered, reset_seeded_contests)

__order__ = 62

CAT = "种子抽题"
CLOCK = "2031-03-02T10:00:00+08:00"
CONTEST = {
    "name": "种子抽题测试", "registration_deadline": "2031-03-10T00:00:00+08:00",
    "starts_at": "2031-03-01T08:00:00+08:00", "ends_at": "2031-03-20T20:00:00+08:00",
    "paper": [{"category": CAT, "count": 3}],
    "points_per_question": 10, "time_limit_s": 600, "attempts_per_day": 2, "score_rule": "best",
    "certificate_threshold": 20, "certificate_hours": 1, "certificate_days": 10,
    "prize_settings": None,
}
HEADER = "type,category,stem,A,B,C,D,E,F,answer,explanation\n"


def csv_of(stems):
    return (HEADER + "".join("single,%s,%s,甲,乙,丙,丁,,,A,说明\n" % (CAT, s) for s in stems)).encode()


def import_csv(stack, org, data):
    r = stack.request("POST", "/api/v1/admin/questions/import", raw=data, token=org,
                      headers={"Content-Type": "text/csv; charset=utf-8"}, timeout=300)
    assert r.status == 200 and r.json["rejected"] == [], r
    return r


def version(stack):
    return int(stack.sql("SELECT version FROM question_bank WHERE id = 1")[0][0])


def ids_of(stack):
    rows = stack.sql("SELECT id, stem FROM questions WHERE category = '%s' AND active = 1 ORDER BY id" % CAT)
    return {int(i): s for i, s in rows}


def start(stack, token, cid):
    return stack.post("attempts", {"contest_id": cid}, token=token)


def setup_contest(stack):
    ensure_bank(stack)
    reset_seeded_contests(stack)
    org = organizer_token(stack)
    stack.set_clock(iso=IN_MAIN)
    tag = os.urandom(3).hex()
    import_csv(stack, org, csv_of(["%s 第%d题" % (tag, i) for i in range(3)]))
    r = stack.post("admin/contests", dict(CONTEST, name=CONTEST["name"] + tag), token=org)
    assert r.status == 201, r
    stack.set_clock(iso=CLOCK)
    return org, r.json["contest"]["id"], tag


def teardown(stack, org):
    """The category out of the way of other papers ("*"), through the API
    so the bank's version moves as for any edit."""
    for qid in ids_of(stack):
        assert stack.put("admin/questions/%d" % qid, {"active": False}, token=org).status == 200
    stack.set_clock(iso=IN_MAIN)


def test_seed_version_and_a_new_bank_after_an_edit(stack):
    org, cid, tag = setup_contest(stack)
    try:
        v0 = version(stack)
        token, uid = registered(stack)
        r = start(stack, token, cid)
        assert r.status == 201, r
        bank = ids_of(stack)
        assert sorted(q["id"] for q in r.json["questions"]) == sorted(bank)
        row = stack.sql("SELECT HEX(seed), bank_version, questions FROM attempts WHERE id = %d"
                        % r.json["attempt_id"])[0]
        assert len(row[0]) == 32 and int(row[1]) == v0, row
        # The paper is the seed's: drawn again at that bank version, the same;
        # a stored paper changed by hand is not.
        aid = r.json["attempt_id"]
        v = stack.quizd("paper-verify", str(aid))
        assert v.returncode == 0 and b"the same paper" in v.stdout, (v.stdout, v.stderr)
        paper = json.loads(row[2])
        paper[0]["o"], paper[1]["o"] = paper[1]["o"], paper[0]["o"][::-1]
        stack.sql("UPDATE attempts SET questions = '%s' WHERE id = %d" % (json.dumps(paper), aid))
        v = stack.quizd("paper-verify", str(aid))
        assert v.returncode == 1 and b"differs" in v.stdout, (v.stdout, v.stderr)
        stack.sql("UPDATE attempts SET questions = '%s' WHERE id = %d" % (row[2], aid))
        assert stack.quizd("paper-verify", str(aid)).returncode == 0
        # An edit moves the version; the next start shows the new stem.
        first = min(bank)
        r = stack.put("admin/questions/%d" % first, {"stem": "%s 改过的题干" % tag}, token=org)
        assert r.status == 200, r
        assert version(stack) > v0
        v = stack.quizd("paper-verify", str(aid))
        assert v.returncode == 2 and b"cannot draw it again" in v.stdout, (v.stdout, v.stderr)
        t2, _ = registered(stack)
        r = start(stack, t2, cid)
        assert r.status == 201, r
        stems = {q["id"]: q["stem"] for q in r.json["questions"]}
        assert stems[first] == "%s 改过的题干" % tag, stems
        assert int(stack.sql("SELECT bank_version FROM attempts WHERE id = %d" % r.json["attempt_id"])[0][0]) \
            == version(stack)
        # A question taken out: the bank cannot fill the paper any more.
        gone = max(bank)
        assert stack.put("admin/questions/%d" % gone, {"active": False}, token=org).status == 200
        t3, _ = registered(stack)
        r = start(stack, t3, cid)
        assert r.status == 409 and error_code(r) == "paper_unavailable", r
        # An import adds one: papers again, never with the one taken out.
        v1 = version(stack)
        import_csv(stack, org, csv_of(["%s 新增题" % tag]))
        assert version(stack) > v1
        for _ in range(4):
            t, _ = registered(stack)
            r = start(stack, t, cid)
            assert r.status == 201, r
            got = {q["id"] for q in r.json["questions"]}
            assert gone not in got and len(got) == 3, got
        # seeds differ from attempt to attempt
        seeds = stack.sql("SELECT HEX(seed) FROM attempts WHERE contest_id = %d" % cid)
        assert len({s[0] for s in seeds}) == len(seeds) == 6, seeds
    finally:
        teardown(stack, org)


def test_parallel_starts_one_attempt_and_the_cap(stack):
    org, cid, _ = setup_contest(stack)
    try:
        token, uid = registered(stack)
        n = 8
        gate = threading.Barrier(n)
        out = [None] * n

        def go(i):
            gate.wait()
            out[i] = start(stack, token, cid)

        threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r.status in (200, 201) for r in out), [r.status for r in out]
        assert sum(r.status == 201 for r in out) == 1, [r.status for r in out]
        assert len({r.json["attempt_id"] for r in out}) == 1
        assert len({tuple(q["id"] for q in r.json["questions"]) for r in out}) == 1
        assert stack.sql("SELECT COUNT(*) FROM attempts WHERE contest_id = %d AND user_id = %d" % (cid, uid)) \
            == [["1"]]
        # The cap (2 a day): submit, start, submit, then refused, also in parallel.
        aid = out[0].json["attempt_id"]
        assert stack.post("attempts/%d/submit" % aid, {"answers": []}, token=token).status == 200
        r = start(stack, token, cid)
        assert r.status == 201, r
        assert stack.post("attempts/%d/submit" % r.json["attempt_id"], {"answers": []}, token=token).status == 200
        gate = threading.Barrier(n)
        threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r.status == 403 and error_code(r) == "daily_limit_reached" for r in out), \
            [r.status for r in out]
        assert stack.sql("SELECT COUNT(*) FROM attempts WHERE contest_id = %d AND user_id = %d" % (cid, uid)) \
            == [["2"]]
    finally:
        teardown(stack, org)
