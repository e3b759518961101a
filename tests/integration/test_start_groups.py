"""Starts committed in groups (engines/quiz/start_group.h): starts that
arrive together are decided and written in one transaction, and each reply
waits for its group's commit. Whatever lands in one group: each start gets
the outcome it would get alone (a new attempt with its own paper, the open
attempt, or its refusal), a person's several starts make one attempt, one
start MariaDB refuses fails alone, and two servers sharing MariaDB keep one
attempt per person."""

from quiz_helpers import (at_once, IN_MAIN, contest_id, ensure_bank, error_code, registered, reset_seeded_contests)

__order__ = 63


def setup(stack):
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)


def start(stack, token):
    return stack.post("attempts", {}, token=token)


def stored_paper(stack, aid):
    """The question ids of attempt aid as stored, in order."""
    import json
    rows = stack.sql("SELECT questions FROM attempts WHERE id = %d" % aid)
    return [q["id"] for q in json.loads(rows[0][0])]


def attempts_of(stack, uid):
    return [int(r[0]) for r in stack.sql("SELECT id FROM attempts WHERE user_id = %d ORDER BY id" % uid)]


def assert_new(stack, r, uid):
    assert r.status == 201, r
    aid = r.json["attempt_id"]
    assert attempts_of(stack, uid) == [aid]
    assert [q["id"] for q in r.json["questions"]] == stored_paper(stack, aid), aid


def test_a_crowd_of_starts_gets_what_each_would_alone(stack):
    setup(stack)
    shuian = contest_id(stack, "shuian")
    people = [registered(stack, name="开卷%d" % i) for i in range(16)]
    twice, twice_uid = registered(stack, name="三次")
    nobody, _ = stack.login()                      # no profile
    capped, capped_uid = registered(stack, name="用完")
    for _ in range(3):                             # 3 a day: used up today
        r = start(stack, capped)
        assert r.status == 201, r
        s = stack.post("attempts/%d/submit" % r.json["attempt_id"], {"answers": []}, token=capped)
        assert s.status == 200, s
    opened, opened_uid = registered(stack, name="未交")
    first = start(stack, opened)
    assert first.status == 201, first
    calls = [(lambda t=t: start(stack, t)) for t, _ in people]
    calls += [lambda: start(stack, twice)] * 3
    calls += [lambda: start(stack, nobody), lambda: start(stack, capped), lambda: start(stack, opened)]
    results = at_once(calls)
    n = len(people)
    for r, (_, uid) in zip(results, people):
        assert_new(stack, r, uid)
    assert len({r.json["attempt_id"] for r in results[:n]}) == n
    # one person three times in the crowd: one new attempt, the others get it as open
    mine = results[n:n + 3]
    assert sorted(r.status for r in mine) == [200, 200, 201], mine
    assert len({r.json["attempt_id"] for r in mine}) == 1 and attempts_of(stack, twice_uid) == [mine[0].json["attempt_id"]]
    assert all(r.json["questions"] == mine[0].json["questions"] for r in mine)
    assert all(r.json["contest_id"] == shuian for r in mine)
    nob, cap, op = results[n + 3:]
    assert nob.status == 403 and error_code(nob) == "not_registered", nob
    assert cap.status == 403 and error_code(cap) == "daily_limit_reached", cap
    assert len(attempts_of(stack, capped_uid)) == 3
    assert op.status == 200 and op.json["attempt_id"] == first.json["attempt_id"], op
    assert op.json["questions"] == first.json["questions"] and op.json["deadline"] == first.json["deadline"]
    assert attempts_of(stack, opened_uid) == [first.json["attempt_id"]]


def test_one_start_mariadb_refuses_fails_alone(stack):
    setup(stack)
    bad, bad_uid = registered(stack, name="拒写")
    good = [registered(stack, name="照写%d" % i) for i in range(12)]
    # MariaDB refuses this one person's attempt row (a fault no retry cures)
    stack.sql("ALTER TABLE attempts ADD CONSTRAINT refuse_one CHECK (user_id <> %d)" % bad_uid)
    try:
        results = at_once([lambda: start(stack, bad)] + [(lambda t=t: start(stack, t)) for t, _ in good])
    finally:
        stack.sql("ALTER TABLE attempts DROP CONSTRAINT refuse_one")
    assert results[0].status == 503, results[0]
    assert attempts_of(stack, bad_uid) == []
    for r, (_, uid) in zip(results[1:], good):
        assert_new(stack, r, uid)
    again = start(stack, bad)
    assert_new(stack, again, bad_uid)


def test_two_servers_keep_one_attempt_per_person(stack):
    """Two servers behind one nginx share only MariaDB: each person's
    starts, landing on either server at once, make one attempt."""
    two = stack.factory(servers=2)
    two.start()
    try:
        setup(two)
        people = [registered(two, name="双服开卷%d" % i) for i in range(8)]
        calls = [(lambda t=t: start(two, t)) for t, _ in people for _ in range(4)]
        results = at_once(calls)
        for k, (_, uid) in enumerate(people):
            mine = results[4 * k:4 * k + 4]
            assert sorted(r.status for r in mine) == [200, 200, 200, 201], mine
            assert len({r.json["attempt_id"] for r in mine}) == 1
            assert attempts_of(two, uid) == [mine[0].json["attempt_id"]]
        # both servers took starts
        served = [two.server_log(i).count("POST /api/v1/attempts ") for i in range(2)]
        assert all(s > 0 for s in served), served
    finally:
        two.stop()
