"""Submits committed in groups (engines/quiz/group.h): submits that arrive
together are written in one transaction, and each reply waits for its
group's commit. Whatever lands in one group: every good submit is
acknowledged and committed exactly once, a retry gets its reply byte for
byte, two submits of one person apply in turn as two transactions would,
a second submit of one attempt gets the first one's reply, and one submit
that MariaDB refuses fails alone."""
import hashlib
import threading
import time

from quiz_helpers import (at_once, IN_MAIN, answer_key, contest_id, ensure_bank, error_code, registered,
                          reset_seeded_contests, wrong_answers)

__order__ = 61


def setup(stack, iso=IN_MAIN):
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.sql("UPDATE contests SET review_policy = 'after_submit' WHERE slug IN ('shuian', 'liuxiang')")
    stack.set_clock(iso=iso)


def start(stack, token, contest=None):
    r = stack.post("attempts", {"contest_id": contest} if contest else {}, token=token)
    assert r.status in (200, 201), r
    return r.json


def submit(stack, token, aid, answers):
    return stack.post("attempts/%d/submit" % aid, {"answers": answers}, token=token)


def crowd(stack, n, contest=None):
    """n registered people, each with an open attempt: (token, uid, attempt, key)."""
    out = []
    for i in range(n):
        token, uid = registered(stack, name="群组%d" % i)
        a = start(stack, token, contest)
        out.append((token, uid, a, answer_key(stack, a)))
    return out


def committed_once(stack, uid, aid, body):
    # compared by digest: the mysql client escapes some bytes in its output
    got = stack.sql("SELECT SHA2(reply, 256) FROM attempts WHERE id = %d AND submitted_at IS NOT NULL" % aid)
    assert got == [[hashlib.sha256(body).hexdigest()]], (aid, got, body)
    assert stack.sql("SELECT COUNT(*) FROM board_outbox WHERE attempt_id = %d" % aid) == [["1"]], aid


def test_a_crowd_commits_each_submit_once_and_replays_byte_for_byte(stack):
    setup(stack)
    people = crowd(stack, 24)
    stranger, _ = registered(stack, name="旁人")
    calls = [(lambda p=p, k=k: submit(stack, p[0], p[2]["attempt_id"], wrong_answers(p[3], k % 7)))
             for k, p in enumerate(people)]
    dup = people[0]
    # the same attempt a second time, with another body: it gets the first's bytes
    calls.append(lambda: submit(stack, dup[0], dup[2]["attempt_id"], wrong_answers(dup[3], 20)))
    # answers that do not fit the paper, and someone else's attempt
    bad_token, _ = registered(stack, name="坏答卷")
    bad = start(stack, bad_token)
    calls.append(lambda: submit(stack, bad_token, bad["attempt_id"], [{"question_id": 1, "choice": "A"}]))
    calls.append(lambda: submit(stack, stranger, people[1][2]["attempt_id"], people[1][3]))
    results = at_once(calls)
    n = len(people)
    for k, p in enumerate(people):
        r = results[k]
        assert r.status == 200, (k, r)
        # person 0 sent two submits of one attempt: whichever came first counts
        scores = (100, 0) if k == 0 else (5 * (20 - k % 7),)
        assert r.json["score"] in scores and r.json["contest_score"] == r.json["score"], r.json
        assert isinstance(r.json["rank"], int) and r.json["rank"] >= 1, r.json
        committed_once(stack, p[1], p[2]["attempt_id"], r.body)
        assert stack.sql("SELECT attempts_submitted, score FROM contest_scores WHERE user_id = %d" % p[1]) \
            == [["1", str(r.json["score"])]]
    assert results[n].status == 200 and results[n].body == results[0].body
    assert results[n + 1].status == 400 and error_code(results[n + 1]) == "invalid_answers", results[n + 1]
    assert results[n + 2].status == 404 and error_code(results[n + 2]) == "attempt_not_found", results[n + 2]
    assert stack.sql("SELECT submitted_at IS NULL FROM attempts WHERE id = %d" % bad["attempt_id"]) == [["1"]]
    # every retry, together again, gets its first reply byte for byte
    again = at_once([(lambda p=p: submit(stack, p[0], p[2]["attempt_id"], [])) for p in people])
    assert [r.body for r in again] == [r.body for r in results[:n]]


def test_two_submits_of_one_person_together_apply_in_turn(stack):
    setup(stack)
    token, uid = registered(stack, name="两次")
    first = start(stack, token)
    key_a = answer_key(stack, first)
    # the first attempt's time is over (but not its grace): a second may start
    stack.set_clock(iso="2024-06-12T10:15:05+08:00")
    second = start(stack, token)
    assert second["attempt_id"] != first["attempt_id"]
    key_b = answer_key(stack, second)
    others = crowd(stack, 12)
    calls = [lambda: submit(stack, token, first["attempt_id"], key_a),
             lambda: submit(stack, token, second["attempt_id"], wrong_answers(key_b, 5))]
    calls += [(lambda p=p: submit(stack, p[0], p[2]["attempt_id"], p[3])) for p in others]
    results = at_once(calls)
    assert all(r.status == 200 for r in results), results
    a, b = results[0].json, results[1].json
    assert (a["score"], b["score"]) == (100, 75)
    # whichever was written first, the contest score is the best of both
    assert max(a["contest_score"], b["contest_score"]) == 100
    assert stack.sql("SELECT attempts_submitted, score FROM contest_scores WHERE user_id = %d AND contest_id = %d"
                     % (uid, contest_id(stack, "shuian"))) == [["2", "100"]]
    assert stack.sql("SELECT score FROM daily_best WHERE user_id = %d" % uid) == [["100"]]
    rows = stack.sql("SELECT old_score, new_score, first_submit FROM board_outbox WHERE user_id = %d ORDER BY id"
                     % uid)
    assert len(rows) == 2 and rows[0][0] == "0" and rows[0][2] == "1", rows
    assert rows[1][0] == rows[0][1] and rows[1][2] == "0" and rows[1][1] == "100", rows
    committed_once(stack, uid, first["attempt_id"], results[0].body)
    committed_once(stack, uid, second["attempt_id"], results[1].body)


def test_one_submit_mariadb_refuses_fails_alone(stack):
    setup(stack)
    bad_token, bad_uid = registered(stack, name="拒收")
    bad = start(stack, bad_token)
    bad_key = answer_key(stack, bad)
    good = crowd(stack, 16)
    # MariaDB refuses this one attempt's outbox row (a fault no retry cures)
    stack.sql("ALTER TABLE board_outbox ADD CONSTRAINT refuse_one CHECK (attempt_id <> %d)" % bad["attempt_id"])
    try:
        calls = [lambda: submit(stack, bad_token, bad["attempt_id"], bad_key)]
        calls += [(lambda p=p: submit(stack, p[0], p[2]["attempt_id"], p[3])) for p in good]
        results = at_once(calls)
    finally:
        stack.sql("ALTER TABLE board_outbox DROP CONSTRAINT refuse_one")
    assert results[0].status == 503, results[0]
    assert stack.sql("SELECT submitted_at IS NULL FROM attempts WHERE id = %d" % bad["attempt_id"]) == [["1"]]
    assert stack.sql("SELECT COUNT(*) FROM board_outbox WHERE user_id = %d" % bad_uid) == [["0"]]
    for r, p in zip(results[1:], good):
        assert r.status == 200, r
        committed_once(stack, p[1], p[2]["attempt_id"], r.body)
    # the refused one, tried again, now goes through
    again = submit(stack, bad_token, bad["attempt_id"], bad_key)
    assert again.status == 200 and again.json["score"] == 100, again




def test_submits_waiting_on_mariadb_hold_one_thread_and_one_statement(stack):
    """A submit makes no MariaDB round trip of its own: it is parked with
    its body, and its group's writer reads its attempt together with the
    others' (group.c). So while MariaDB holds the attempts table, six
    submits to a server of two fast threads wait in one statement, on one
    thread (the writer's); the other thread still answers. Once the lock
    goes every submit is scored and committed once. (Were each submit
    reading its attempt itself, both threads would wait, each in a read.)"""
    st = stack.factory(conf_extra={"workers": 2})
    st.start()
    lock = None
    try:
        setup(st)
        people = crowd(st, 6)
        lock = st.lock_tables("attempts WRITE")
        results = [None] * len(people)

        def go(i):
            p = people[i]
            results[i] = submit(st, p[0], p[2]["attempt_id"], wrong_answers(p[3], i))
        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(people))]
        for t in threads:
            t.start()

        def waiting_statements():
            return int(st.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                              " WHERE STATE LIKE 'Waiting for table%' AND INFO LIKE '%attempts%'")[0][0])
        end = time.time() + 10
        while waiting_statements() == 0 and time.time() < end:
            time.sleep(0.05)
        time.sleep(1)   # the other submits arrive meanwhile
        try:
            ping = st.get("ping", timeout=5).status
        except OSError as e:   # a timeout: no thread was free
            ping = e
        waiting = waiting_statements()
        unanswered = sum(t.is_alive() for t in threads)
        lock.unlock()
        for t in threads:
            t.join(60)
        assert unanswered == len(people), unanswered   # none answered before its commit
        assert waiting == 1, waiting
        assert ping == 200, ping
        for i, (r, p) in enumerate(zip(results, people)):
            assert getattr(r, "status", None) == 200 and r.json["score"] == 5 * (20 - i), r
            committed_once(st, p[1], p[2]["attempt_id"], r.body)
    finally:
        if lock:
            lock.close()
        st.stop()


def test_ranks_of_a_group_after_redis_lost_its_scripts(stack):
    """The ranks of a group are read in one pipelined round trip; when Redis
    has lost its scripts (a restart, SCRIPT FLUSH) each rank is read again
    one by one, loading the script, and every reply still holds its rank."""
    setup(stack)
    people = crowd(stack, 6)
    assert stack.redis("SCRIPT", "FLUSH") == "OK"
    calls = [(lambda i=i, p=p: submit(stack, p[0], p[2]["attempt_id"], wrong_answers(p[3], i)))
             for i, p in enumerate(people)]
    results = at_once(calls)
    assert all(r.status == 200 for r in results), results
    for i, (p, r) in enumerate(zip(people, results)):
        committed_once(stack, p[1], p[2]["attempt_id"], r.body)
        assert r.json["score"] == 100 - 5 * i, r.json
        assert isinstance(r.json["rank"], int) and r.json["rank"] >= 1, r.json
    # and the pipelined read once the scripts are back: the best of the six
    # ranks above the others
    more = crowd(stack, 2)
    results = at_once([lambda: submit(stack, more[0][0], more[0][2]["attempt_id"], more[0][3]),
                       lambda: submit(stack, more[1][0], more[1][2]["attempt_id"], wrong_answers(more[1][3], 10))])
    ranks = [r.json["rank"] for r in results]
    assert all(isinstance(k, int) for k in ranks) and ranks[0] < ranks[1], ranks
