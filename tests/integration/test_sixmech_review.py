"""Answers kept back (issue 13): with review_policy after_end (both seeded
contests), no submit reply and no attempt read contains an answer key or
an explanation while the contest runs (searched for in the raw bytes);
after the end GET /attempts/{id} shows them; the stored reply is still
replayed byte for byte; someone else's attempt is 404; GET /attempts lists
the caller's own, paged."""
import json

from quiz_helpers import (AFTER_ALL, IN_MAIN, answer_key, contest_id, ensure_bank, error_code,
                          registered, reset_seeded_contests, wrong_answers)

__order__ = 61


def setup(stack):
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)


def explanations(stack, attempt):
    ids = ",".join(str(x["id"]) for x in attempt["questions"])
    rows = stack.sql("SELECT explanation FROM questions WHERE id IN (%s)" % ids)
    return [r[0] for r in rows if r[0] and r[0] != "NULL" and len(r[0]) >= 4]


def assert_no_key(body, expl):
    assert b'"answer"' not in body and b'"explanation"' not in body and b'"correct"' not in body, body[:300]
    for e in expl:
        for form in (e.encode(), json.dumps(e).encode()[1:-1]):
            assert form not in body, e


def test_after_end_keeps_the_key_back_until_the_contest_closes(stack):
    stack.set_clock(offset_s=0)
    # sessions made in real time last past the contest's end (2024)
    token, uid = registered(stack)
    other, _ = registered(stack)
    setup(stack)
    six = contest_id(stack, "liuxiang")
    try:
        a = stack.post("attempts", {"contest_id": six}, token=token).json
        expl = explanations(stack, a)
        assert len(expl) >= 5, expl
        key = answer_key(stack, a)
        # an open attempt shows no key either
        r = stack.get("attempts/%d" % a["attempt_id"], token=token)
        assert r.status == 200 and r.json["submitted_at"] is None and r.json["review_open"] is False, r
        assert_no_key(r.body, expl)
        first = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": wrong_answers(key, 2)}, token=token)
        assert first.status == 200, first
        j = first.json
        assert j["results"] is None and j["score"] == 90 and j["correct_count"] == 18 and j["max_score"] == 100, j
        assert set(j) == {"attempt_id", "contest_id", "score", "max_score", "correct_count", "results",
                          "contest_score", "rank"}, j
        assert_no_key(first.body, expl)
        # reading it back during the contest: the choices, not the key
        r = stack.get("attempts/%d" % a["attempt_id"], token=token)
        assert r.status == 200, r
        assert_no_key(r.body, expl)
        got = r.json
        assert got["score"] == 90 and got["correct_count"] == 18 and got["review_open"] is False, got
        assert [q["id"] for q in got["questions"]] == [q["id"] for q in a["questions"]]
        assert [q["choice"] for q in got["questions"]] == [x["choice"] for x in wrong_answers(key, 2)]
        assert [q["options"] for q in got["questions"]] == [q["options"] for q in a["questions"]]
        # someone else's attempt, and one that does not exist: 404
        for tok, aid in ((other, a["attempt_id"]), (token, 999999999)):
            r = stack.get("attempts/%d" % aid, token=tok)
            assert r.status == 404 and error_code(r) == "attempt_not_found", r

        # the contest closes
        stack.set_clock(iso=AFTER_ALL)
        r = stack.get("attempts/%d" % a["attempt_id"], token=token)
        assert r.status == 200 and r.json["review_open"] is True, r
        qs = r.json["questions"]
        assert [q["answer"] for q in qs] == [x["choice"] for x in key]
        assert [q["correct"] for q in qs] == [False, False] + [True] * 18
        assert all(isinstance(q["explanation"], str) for q in qs)
        shown = b"".join(q["explanation"].encode() for q in qs)
        assert all(e.encode() in shown for e in expl)
        # a later submit still gets the first reply, byte for byte
        again = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": key}, token=token)
        assert again.status == 200 and again.body == first.body, again
        r = stack.get("attempts/%d" % a["attempt_id"], token=other)
        assert r.status == 404, r
    finally:
        stack.set_clock(offset_s=0)


def test_after_submit_shows_results_but_never_for_an_open_attempt(stack):
    setup(stack)
    main = contest_id(stack, "shuian")
    stack.sql("UPDATE contests SET review_policy = 'after_submit' WHERE id = %d" % main)
    try:
        token, _ = registered(stack)
        a = stack.post("attempts", {"contest_id": main}, token=token).json
        expl = explanations(stack, a)
        r = stack.get("attempts/%d" % a["attempt_id"], token=token)
        assert r.status == 200 and r.json["review_open"] is False, r
        assert_no_key(r.body, expl)
        key = answer_key(stack, a)
        s = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": key}, token=token).json
        assert len(s["results"]) == 20 and all(x["correct"] for x in s["results"]), s
        r = stack.get("attempts/%d" % a["attempt_id"], token=token).json
        assert r["review_open"] is True and [q["answer"] for q in r["questions"]] == [x["choice"] for x in key]
    finally:
        reset_seeded_contests(stack)
        stack.set_clock(offset_s=0)


def test_attempts_lists_only_the_callers_own_paged(stack):
    setup(stack)
    main, six = contest_id(stack, "shuian"), contest_id(stack, "liuxiang")
    try:
        token, _ = registered(stack)
        other, _ = registered(stack)
        mine = []
        for c in (six, main, main):
            a = stack.post("attempts", {"contest_id": c}, token=token).json
            stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": answer_key(stack, a)[:5]}, token=token)
            mine.append(a["attempt_id"])
        open_one = stack.post("attempts", {"contest_id": six}, token=token).json["attempt_id"]
        theirs = stack.post("attempts", {"contest_id": main}, token=other).json["attempt_id"]
        r = stack.get("attempts", token=token)
        assert r.status == 200 and r.json["total"] == 4, r
        assert [x["attempt_id"] for x in r.json["attempts"]] == [open_one] + mine[::-1]
        assert r.json["attempts"][0]["submitted_at"] is None and r.json["attempts"][0]["score"] is None
        assert r.json["attempts"][1]["score"] == 25
        assert theirs not in [x["attempt_id"] for x in r.json["attempts"]]
        r = stack.get("attempts?contest_id=%d&limit=1&offset=1" % main, token=token).json
        assert r["total"] == 2 and [x["attempt_id"] for x in r["attempts"]] == [mine[1]], r
        r = stack.get("attempts?offset=50", token=token).json
        assert r == {"attempts": [], "total": 4}, r
        assert stack.get("attempts").status == 401
        for bad in ("limit=0", "limit=101", "offset=-1", "contest_id=abc"):
            r = stack.get("attempts?" + bad, token=token)
            assert r.status == 400, (bad, r)
    finally:
        stack.set_clock(offset_s=0)
