"""Attempts: starting (window, registration, one open attempt, the daily
cap, also after Redis loses everything, Shanghai midnight, two contests
side by side), submitting (server-side scoring, score rules, idempotent and
concurrent submits, the deadline, someone else's attempt, bad answers)."""
import json

from quiz_helpers import (AFTER_ALL, at_once, BEFORE_MAIN, IN_MAIN, contest_id, ensure_bank, error_code,
                          organizer_token, registered, reset_seeded_contests, answer_key, wrong_answers,
                          shown_order, SEED_BANK)

__order__ = 60


def setup(stack, iso=IN_MAIN):
    ensure_bank(stack)
    reset_seeded_contests(stack)
    # these tests read each answer in the submit's results: practice mode
    # (the seed keeps the key back until the end: test_sixmech_review.py)
    stack.sql("UPDATE contests SET review_policy = 'after_submit' WHERE slug IN ('shuian', 'liuxiang')")
    stack.set_clock(iso=iso)


def start(stack, token, contest=None):
    return stack.post("attempts", {"contest_id": contest} if contest else {}, token=token)


def submit(stack, token, aid, answers):
    return stack.post("attempts/%d/submit" % aid, {"answers": answers}, token=token)


def keys_of(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            keys_of(v, out)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, out)
    return out


def test_attempt_shows_no_answer_or_explanation(stack):
    setup(stack)
    token, uid = registered(stack)
    r = start(stack, token)
    assert r.status == 201, r
    a = r.json
    assert set(a) == {"attempt_id", "contest_id", "deadline", "server_time", "questions"}, a.keys()
    assert a["server_time"] == IN_MAIN and a["deadline"] == "2024-06-12T10:15:00+08:00", a
    assert len(a["questions"]) == 20
    keys = keys_of(a, set())
    assert not keys & {"answer", "answers", "explanation", "correct"}, keys
    # No answer text either: no explanation of any drawn question appears.
    for qu in a["questions"]:
        expl = stack.sql("SELECT explanation FROM questions WHERE id = %d" % qu["id"])[0][0]
        assert expl not in r.body.decode(), qu["id"]
        assert [o["key"] for o in qu["options"]] == [chr(65 + i) for i in range(len(qu["options"]))]
        if qu["type"] == "judge":
            assert [o["text"] for o in qu["options"]] == ["对", "错"], qu
    # The paper's per-category counts are honoured.
    cats = {}
    for qu in a["questions"]:
        c = stack.sql("SELECT category FROM questions WHERE id = %d" % qu["id"])[0][0]
        cats[c] = cats.get(c, 0) + 1
    paper = stack.get("contests/current").json["contest"]["paper"]
    assert cats == {p["category"]: p["count"] for p in paper}, cats
    # Stored in MariaDB: questions with their option order, and the deadline.
    row = stack.sql("SELECT user_id, deadline, questions FROM attempts WHERE id = %d" % a["attempt_id"])[0]
    assert int(row[0]) == uid and [x["id"] for x in json.loads(row[2])] == [x["id"] for x in a["questions"]]


def test_options_are_shuffled_per_attempt(stack):
    """The order a reply shows, read from the option texts against the
    test's own bank (not the order the server stored): some question is
    shown in an order other than the bank's, and a question two attempts
    share is shown in two different orders."""
    setup(stack)
    orders = []
    for _ in range(6):
        token, _ = registered(stack)
        r = start(stack, token)
        assert r.status == 201, r
        orders.append(shown_order(r.json))
    moved = [stem for o in orders for stem, perm in o.items() if perm != sorted(perm)]
    assert moved, "every question shown in the bank's order"
    twice = differ = 0
    for i in range(len(orders)):
        for j in range(i + 1, len(orders)):
            for stem in orders[i].keys() & orders[j].keys():
                if len(orders[i][stem]) > 2:
                    twice += 1
                    differ += orders[i][stem] != orders[j][stem]
    assert twice >= 3, "too few shared questions to judge (%d)" % twice
    assert differ >= 1, "%d shared questions, each shown in the same order every time" % twice
    # Judge questions keep 对 before 错.
    assert all(o[s] == [0, 1] for o in orders for s in o if SEED_BANK.rows[s][0] == "judge")


def test_questions_are_drawn_at_random_per_attempt(stack):
    """Six attempts of the same paper draw six different sets of questions,
    each within the paper's categories and counts (from the bank's CSV)."""
    setup(stack)
    paper = {p["category"]: p["count"] for p in stack.get("contests/current").json["contest"]["paper"]}
    by_stem = {}
    import csv
    from quiz_helpers import SEED_CSV
    with open(SEED_CSV, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            by_stem[row["stem"]] = row["category"]
    sets = []
    for _ in range(6):
        token, _ = registered(stack)
        r = start(stack, token)
        assert r.status == 201, r
        stems = [qu["stem"] for qu in r.json["questions"]]
        assert len(set(stems)) == 20, stems
        cats = {}
        for stem in stems:
            cats[by_stem[stem]] = cats.get(by_stem[stem], 0) + 1
        assert cats == paper, cats
        sets.append(frozenset(stems))
    assert len(set(sets)) == 6, "two attempts drew the same 20 questions"
    # and not the same few questions every time: the six draws together
    # cover clearly more than one paper's worth
    assert len(frozenset().union(*sets)) > 40


def test_open_attempt_is_returned_again(stack):
    setup(stack)
    token, _ = registered(stack)
    a = start(stack, token)
    b = start(stack, token)
    assert a.status == 201 and b.status == 200, (a, b)
    assert b.json["attempt_id"] == a.json["attempt_id"] and b.json["questions"] == a.json["questions"]


def test_parallel_starts_yield_one_attempt(stack):
    setup(stack)
    token, uid = registered(stack)
    results = at_once([lambda: start(stack, token)] * 50)     # all 50 leave together
    assert all(r is not None for r in results)
    assert all(r.status in (200, 201) for r in results), [r for r in results if r.status not in (200, 201)][:3]
    assert sum(r.status == 201 for r in results) == 1
    assert len({r.json["attempt_id"] for r in results}) == 1
    assert stack.sql("SELECT COUNT(*) FROM attempts WHERE user_id = %d" % uid) == [["1"]]


def use_attempt(stack, token, contest=None, wrong=0):
    r = start(stack, token, contest)
    assert r.status == 201, r
    s = submit(stack, token, r.json["attempt_id"], wrong_answers(answer_key(stack, r.json), wrong))
    assert s.status == 200, s
    return s.json


def test_daily_cap_also_after_redis_is_flushed(stack):
    setup(stack)
    six = contest_id(stack, "liuxiang")   # 2 a day
    token, uid = registered(stack)
    use_attempt(stack, token, six)
    # An attempt left open counts too (it was started).
    r = start(stack, token, six)
    assert r.status == 201
    stack.set_clock(iso="2024-06-12T10:30:00+08:00")   # past its deadline, unsubmitted
    r = start(stack, token, six)
    assert r.status == 403 and error_code(r) == "daily_limit_reached", r
    assert stack.redis("FLUSHALL") == "OK"
    r = start(stack, token, six)
    assert r.status == 403 and error_code(r) == "daily_limit_reached", r
    assert stack.sql("SELECT COUNT(*) FROM attempts WHERE user_id = %d" % uid) == [["2"]]


def test_day_turns_at_shanghai_midnight(stack):
    setup(stack, "2024-06-12T23:40:00+08:00")
    six = contest_id(stack, "liuxiang")
    token, uid = registered(stack)
    use_attempt(stack, token, six)
    use_attempt(stack, token, six)
    stack.set_clock(iso="2024-06-12T23:59:59+08:00")
    r = start(stack, token, six)
    assert r.status == 403 and error_code(r) == "daily_limit_reached", r
    # 16:00 UTC is midnight in Shanghai: a new day, new attempts.
    stack.set_clock(iso="2024-06-12T16:00:00Z")
    r = start(stack, token, six)
    assert r.status == 201, r
    days = stack.sql("SELECT day, COUNT(*) FROM attempts WHERE user_id = %d GROUP BY day ORDER BY day" % uid)
    assert [d[1] for d in days] == ["2", "1"] and int(days[1][0]) == int(days[0][0]) + 1, days


def test_two_contests_keep_separate_caps_and_scores(stack):
    setup(stack)
    main, six = contest_id(stack, "shuian"), contest_id(stack, "liuxiang")
    token, uid = registered(stack)
    use_attempt(stack, token, six, wrong=0)
    use_attempt(stack, token, six, wrong=1)
    assert error_code(start(stack, token, six)) == "daily_limit_reached"
    res = use_attempt(stack, token, None, wrong=4)    # the main contest is still available
    assert res["contest_id"] == main and res["score"] == 80 and res["contest_score"] == 80
    rows = dict(stack.sql("SELECT contest_id, score FROM contest_scores WHERE user_id = %d" % uid))
    assert rows == {str(six): "100", str(main): "80"}, rows


def test_best_rule_and_reply_fields(stack):
    setup(stack)
    token, uid = registered(stack)
    r1 = use_attempt(stack, token, wrong=3)
    assert set(r1) == {"attempt_id", "contest_id", "score", "max_score", "correct_count", "results",
                       "contest_score", "rank"}, r1.keys()
    assert (r1["score"], r1["max_score"], r1["correct_count"], r1["contest_score"]) == (85, 100, 17, 85)
    assert len(r1["results"]) == 20 and sum(x["correct"] for x in r1["results"]) == 17
    for x in r1["results"]:
        assert set(x) == {"question_id", "correct", "choice", "answer", "explanation"}
        assert x["answer"] and x["explanation"]
    reached = stack.sql("SELECT reached_at FROM contest_scores WHERE user_id = %d" % uid)[0][0]
    stack.set_clock(iso="2024-06-12T11:00:00+08:00")
    r2 = use_attempt(stack, token, wrong=8)
    assert r2["score"] == 60 and r2["contest_score"] == 85
    assert stack.sql("SELECT reached_at FROM contest_scores WHERE user_id = %d" % uid)[0][0] == reached
    r3 = use_attempt(stack, token, wrong=0)
    assert r3["score"] == 100 and r3["contest_score"] == 100
    row = stack.sql("SELECT score, attempts_submitted FROM contest_scores WHERE user_id = %d" % uid)[0]
    assert row == ["100", "3"], row
    outbox = stack.sql("SELECT old_score, new_score, first_submit FROM board_outbox WHERE user_id = %d ORDER BY id" % uid)
    assert outbox == [["0", "85", "1"], ["85", "85", "0"], ["85", "100", "0"]], outbox


def test_daily_best_sum_across_midnight(stack):
    setup(stack, "2024-06-12T23:30:00+08:00")
    org = organizer_token(stack)
    r = stack.post("admin/contests", {
        "name": "每日累计测试赛", "registration_deadline": "2024-06-20T00:00:00+08:00",
        "starts_at": "2024-06-10T00:00:00+08:00", "ends_at": "2024-06-20T00:00:00+08:00",
        "paper": [{"category": "安全生产法", "count": 4}, {"category": "六项机制", "count": 4}],
        "points_per_question": 5, "time_limit_s": 600, "attempts_per_day": 5, "score_rule": "daily_best_sum"},
        token=org)
    assert r.status == 201, r
    cid = r.json["contest"]["id"]
    token, uid = registered(stack)
    a = use_attempt(stack, token, cid, wrong=2)          # 30
    b = use_attempt(stack, token, cid, wrong=1)          # 35: the day's best
    c = use_attempt(stack, token, cid, wrong=4)          # 20
    assert (a["contest_score"], b["contest_score"], c["contest_score"]) == (30, 35, 35)
    stack.set_clock(iso="2024-06-13T00:00:05+08:00")     # the next Shanghai day
    d = use_attempt(stack, token, cid, wrong=6)          # 10
    assert d["contest_score"] == 45, d
    e = use_attempt(stack, token, cid, wrong=0)          # 40 replaces 10
    assert e["contest_score"] == 75, e
    best = stack.sql("SELECT score FROM daily_best WHERE contest_id = %d AND user_id = %d ORDER BY day" % (cid, uid))
    assert best == [["35"], ["40"]], best
    assert stack.sql("SELECT score FROM contest_scores WHERE contest_id = %d AND user_id = %d" % (cid, uid)) == [["75"]]


def test_an_attempt_started_before_midnight_counts_for_its_day(stack):
    setup(stack, "2024-06-12T23:55:00+08:00")
    token, uid = registered(stack)
    r = start(stack, token)
    stack.set_clock(iso="2024-06-13T00:05:00+08:00")
    s = submit(stack, token, r.json["attempt_id"], answer_key(stack, r.json))
    assert s.status == 200, s
    day = stack.sql("SELECT day FROM daily_best WHERE user_id = %d" % uid)[0][0]
    assert int(day) == (1718207700 + 8 * 3600) // 86400   # 2024-06-12


def test_double_and_concurrent_submits_count_once(stack):
    setup(stack)
    token, uid = registered(stack)
    a = start(stack, token).json
    key = answer_key(stack, a)
    bodies = [key] + [wrong_answers(key, n) for n in range(1, 12)]
    results = at_once([(lambda b=b: submit(stack, token, a["attempt_id"], b)) for b in bodies])
    assert all(r.status == 200 for r in results), results
    assert len({r.body for r in results}) == 1, "every submit got the same bytes"
    again = submit(stack, token, a["attempt_id"], wrong_answers(key, 20))
    assert again.status == 200 and again.body == results[0].body
    assert stack.sql("SELECT attempts_submitted FROM contest_scores WHERE user_id = %d" % uid) == [["1"]]
    assert stack.sql("SELECT COUNT(*) FROM board_outbox WHERE user_id = %d" % uid) == [["1"]]
    stored = stack.sql("SELECT score FROM attempts WHERE id = %d" % a["attempt_id"])[0][0]
    assert int(stored) == results[0].json["score"]


def test_a_retry_gets_the_first_reply_whatever_its_body(stack):
    setup(stack)
    token, uid = registered(stack)
    a = start(stack, token).json
    first = submit(stack, token, a["attempt_id"], answer_key(stack, a))
    assert first.status == 200, first
    path = "/api/v1/attempts/%d/submit" % a["attempt_id"]
    for raw in (b"{not json", b"", b"[]", b"null", b'{"answers": "A"}', b'{"answers": []}', b"\xff\xfe"):
        r = stack.request("POST", path, raw=raw, token=token, headers={"Content-Type": "application/json"})
        assert r.status == 200 and r.body == first.body, (raw, r)
    assert stack.sql("SELECT attempts_submitted FROM contest_scores WHERE user_id = %d" % uid) == [["1"]]
    # Someone else's submitted attempt stays "not found", whatever the body.
    other, _ = registered(stack)
    for raw in (b"{not json", json.dumps({"answers": []}).encode()):
        r = stack.request("POST", path, raw=raw, token=other, headers={"Content-Type": "application/json"})
        assert r.status in (400, 404) and r.body != first.body, (raw, r)
        assert error_code(r) in ("bad_json", "attempt_not_found"), r


def test_an_empty_list_is_a_blank_paper(stack):
    setup(stack)
    token, uid = registered(stack)
    a = start(stack, token).json
    r = submit(stack, token, a["attempt_id"], [])
    assert r.status == 200, r
    j = r.json
    assert (j["score"], j["correct_count"], j["max_score"], j["contest_score"]) == (0, 0, 100, 0), j
    assert len(j["results"]) == 20 and not any(x["correct"] or x["choice"] for x in j["results"]), j
    row = stack.sql("SELECT score, correct_count, choices FROM attempts WHERE id = %d" % a["attempt_id"])[0]
    assert row[:2] == ["0", "0"] and json.loads(row[2]) == [""] * 20, row
    assert stack.sql("SELECT score, attempts_submitted FROM contest_scores WHERE user_id = %d" % uid) == [["0", "1"]]
    # ... and a later submit with answers changes nothing.
    again = submit(stack, token, a["attempt_id"], answer_key(stack, a))
    assert again.status == 200 and again.body == r.body


def test_late_submit_is_gone(stack):
    setup(stack)
    token, uid = registered(stack)
    b_token, _ = registered(stack)
    a = start(stack, token).json
    b = start(stack, b_token).json
    # The deadline (10:15:00) plus a few seconds' grace is still accepted ...
    stack.set_clock(iso="2024-06-12T10:15:08+08:00")
    assert submit(stack, b_token, b["attempt_id"], answer_key(stack, b)).status == 200
    # ... but not after the grace.
    stack.set_clock(iso="2024-06-12T10:15:30+08:00")
    r = submit(stack, token, a["attempt_id"], answer_key(stack, a))
    assert r.status == 410 and error_code(r) == "attempt_expired", r
    assert stack.sql("SELECT submitted_at, score FROM attempts WHERE id = %d" % a["attempt_id"]) == [["NULL", "NULL"]]
    assert stack.sql("SELECT COUNT(*) FROM contest_scores WHERE user_id = %d" % uid) == [["0"]]


def test_someone_elses_attempt_is_not_found(stack):
    setup(stack)
    token, _ = registered(stack)
    other, _ = registered(stack)
    a = start(stack, token).json
    r = submit(stack, other, a["attempt_id"], answer_key(stack, a))
    assert r.status == 404 and error_code(r) == "attempt_not_found", r
    r = submit(stack, other, 999999999, [])
    assert r.status == 404 and error_code(r) == "attempt_not_found", r
    assert stack.sql("SELECT submitted_at FROM attempts WHERE id = %d" % a["attempt_id"]) == [["NULL"]]
    r = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": []})
    assert r.status == 401, r


def test_bad_answers_are_400_and_write_nothing(stack):
    setup(stack)
    token, uid = registered(stack)
    a = start(stack, token).json
    key = answer_key(stack, a)
    qs = a["questions"]
    four = next(q for q in qs if len(q["options"]) == 4)
    single = next(q for q in qs if q["type"] == "single")
    judge = next((q for q in qs if q["type"] == "judge"), None)
    other_q = int(stack.sql("SELECT MAX(id) FROM questions")[0][0])
    cases = {
        "not in the attempt": key[:-1] + [{"question_id": other_q + 1000, "choice": ["A"]}],
        "unknown option letter": [{"question_id": four["id"], "choice": ["E"]}],
        "not a letter": [{"question_id": four["id"], "choice": ["AB"]}],
        "lower case": [{"question_id": four["id"], "choice": ["a"]}],
        "duplicate question": key + [key[0]],
        "duplicate question, short list": [key[0], key[0]],
        "option twice": [{"question_id": four["id"], "choice": ["A", "A"]}],
        "two for a single": [{"question_id": single["id"], "choice": ["A", "B"]}],
        "huge list": [{"question_id": qs[i % 20]["id"], "choice": ["A"]} for i in range(2000)],
        "not a list": {"x": 1},
        "id as text": [{"question_id": str(four["id"]), "choice": ["A"]}],
        "choice not a list": [{"question_id": four["id"], "choice": "A"}],
    }
    if judge:
        cases["judge has two options"] = [{"question_id": judge["id"], "choice": ["C"]}]
    for name, answers in cases.items():
        r = submit(stack, token, a["attempt_id"], answers)
        assert r.status == 400 and error_code(r) == "invalid_answers", (name, r)
    r = stack.request("POST", "/api/v1/attempts/%d/submit" % a["attempt_id"], raw=b"{not json", token=token,
                      headers={"Content-Type": "application/json"})
    assert r.status == 400 and error_code(r) == "bad_json", r
    assert stack.sql("SELECT submitted_at FROM attempts WHERE id = %d" % a["attempt_id"]) == [["NULL"]]
    assert stack.sql("SELECT COUNT(*) FROM contest_scores WHERE user_id = %d" % uid) == [["0"]]
    assert stack.sql("SELECT COUNT(*) FROM board_outbox WHERE user_id = %d" % uid) == [["0"]]
    # A partial, valid list is fine: unanswered questions count as wrong.
    r = submit(stack, token, a["attempt_id"], key[:10])
    assert r.status == 200 and r.json["correct_count"] == 10, r


def test_multiple_choice_counts_only_when_exact(stack):
    setup(stack)
    # papers are drawn at random: take the first of a few people whose
    # paper has a multiple-choice question with two or more right options
    for _ in range(10):
        token, _ = registered(stack)
        a = start(stack, token).json
        key = answer_key(stack, a)
        multi = [i for i, q in enumerate(a["questions"]) if q["type"] == "multiple" and len(key[i]["choice"]) >= 2]
        if multi:
            break
    assert multi, "ten papers without a multiple-choice question with two or more right options"
    i = multi[0]
    answers = [dict(x) for x in key]
    answers[i] = {"question_id": key[i]["question_id"], "choice": key[i]["choice"][:-1]}   # one missing
    r = submit(stack, token, a["attempt_id"], answers).json
    res = {x["question_id"]: x for x in r["results"]}
    assert res[key[i]["question_id"]]["correct"] is False
    assert res[key[i]["question_id"]]["answer"] == key[i]["choice"]
    assert r["correct_count"] == 19


def test_window_before_start_and_after_end(stack):
    setup(stack, BEFORE_MAIN)
    token, _ = registered(stack)
    r = start(stack, token)
    assert r.status == 403 and error_code(r) == "contest_not_open", r
    six = contest_id(stack, "liuxiang")
    assert start(stack, token, six).status == 201        # the quiz is open already
    stack.set_clock(iso=AFTER_ALL)
    token, _ = registered(stack)   # sessions made in early June have expired by July
    for c in (None, six):
        r = start(stack, token, c)
        assert r.status == 403 and error_code(r) == "contest_not_open", r
    stack.set_clock(iso=IN_MAIN)


def test_deadline_never_passes_the_end(stack):
    setup(stack, "2024-06-30T22:55:00+08:00")
    token, _ = registered(stack)
    r = start(stack, token)
    assert r.status == 201 and r.json["deadline"] == "2024-06-30T23:00:00+08:00", r


def test_only_registered_people_start(stack):
    setup(stack)
    token, _ = stack.login()
    r = start(stack, token)
    assert r.status == 403 and error_code(r) == "not_registered", r
    assert stack.post("attempts", {}).status == 401
    org = organizer_token(stack)
    assert stack.post("attempts", {}, token=org).status == 403
    reg, _ = registered(stack)
    r = stack.post("attempts", {"contest_id": 987654}, token=reg)
    assert r.status == 404 and error_code(r) == "no_contest", r
