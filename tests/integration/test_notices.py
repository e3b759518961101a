"""Notices: a subscribe message to each winner who accepted one when the
draw is revealed, and to each person who may download a certificate and
accepted one; only to them, once each, retried after WeChat's "system
busy"; the simulator records what it received."""
import secrets
import time

from prizes_helpers import AFTER, DURING, commit_draw, logged_in_person, new_contest
from quiz_helpers import IN_MAIN, error_code, organizer_token

__order__ = 58
SEND = "/cgi-bin/message/subscribe/send"


def received(stack, openids):
    msgs = stack.sim("GET", "/__sim/stats")["subscribe_messages"]
    return [m for m in msgs if m["touser"] in openids]


def wait_for_messages(stack, openids, n, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        got = received(stack, openids)
        if len(got) >= n:
            return got
        time.sleep(0.3)
    return received(stack, openids)


def subscribe(stack, token, template):
    r = stack.post("me/subscriptions", {"template": template}, token=token)
    assert r.status == 204, r


def test_subscription_body_is_checked(stack):
    tok, _ = stack.login()
    for body in ({"template": "spam"}, {}, {"template": 3}):
        r = stack.post("me/subscriptions", body, token=tok)
        assert r.status == 400 and error_code(r) == "invalid_parameter", r
    subscribe(stack, tok, "event")
    subscribe(stack, tok, "event")   # accepting again is fine


def test_result_notices_once_each_after_a_busy_wechat(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    cid = new_contest(stack, org, {"tiers": [{"name": "一等奖", "count": 3}]})
    people = {}
    for name, score in (("a", 100), ("b", 90), ("d", 80), ("c", 10)):
        tok, uid, openid = logged_in_person(stack, cid, score, 1741000000)
        people[name] = (tok, uid, openid)
    for name in ("a", "b", "c"):        # d, a winner, accepted nothing; c accepted but wins nothing
        subscribe(stack, people[name][0], "result")
    seed = commit_draw(stack, org, cid, "体彩排列3 2025-03-11")
    stack.set_clock(iso=AFTER)
    # WeChat busy for the first call and both of the client's own retries.
    stack.sim("POST", "/__sim/faults", {"path": SEND, "errcode": -1, "count": 3})
    r = stack.post("admin/contests/%d/draw/reveal" % cid, {"seed": seed, "public_value": "3 8 1"}, token=org)
    assert r.status == 200, r
    ids = {people[n][2] for n in ("a", "b", "c", "d")}
    # The busy answer leaves one notice pending for later; the other one goes.
    assert len(wait_for_messages(stack, ids, 1)) == 1
    end = time.time() + 20
    while time.time() < end and not stack.sql("SELECT id FROM notices WHERE contest_id = %d AND state = 'pending'"
                                              " AND last_errcode = -1" % cid):
        time.sleep(0.2)
    assert len(received(stack, ids)) == 1
    stack.set_clock(iso="2025-03-11T10:01:00+08:00")    # the test clock stands still: move it past the retry
    got = wait_for_messages(stack, ids, 2)
    time.sleep(3)                        # nothing more comes later
    got = received(stack, ids)
    assert sorted(m["touser"] for m in got) == sorted([people["a"][2], people["b"][2]]), got
    assert all(m["template_id"] == "tpl-result-test" and m["data"]["thing2"]["value"] == "一等奖" for m in got), got
    rows = stack.sql("SELECT user_id, state, attempts FROM notices WHERE kind = 'result' AND contest_id = %d" % cid)
    assert sorted(r[1] for r in rows) == ["sent", "sent"], rows
    assert max(int(r[2]) for r in rows) == 2, rows          # one was retried
    assert stack.sql("SELECT COUNT(*) FROM subscriptions WHERE user_id IN (%d, %d) AND template = 'result'"
                     " AND used_at IS NOT NULL" % (people["a"][1], people["b"][1])) == [["2"]]
    stack.set_clock(iso=IN_MAIN)


def test_certificate_notices_only_to_eligible_who_accepted(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    cid = new_contest(stack, org, None, certificate_threshold=85, certificate_hours=4, certificate_days=15)
    e = logged_in_person(stack, cid, 90, 1741000000, phone="133%08d" % secrets.randbelow(10 ** 8))
    f = logged_in_person(stack, cid, 95, 1741000000, phone="134%08d" % secrets.randbelow(10 ** 8))
    g = logged_in_person(stack, cid, 80, 1741000000, phone="131%08d" % secrets.randbelow(10 ** 8))
    h = logged_in_person(stack, cid, 99, 1741000000)                 # no verified phone
    for p in (e, g, h):
        subscribe(stack, p[0], "certificate")
    ids = {p[2] for p in (e, f, g, h)}
    time.sleep(2.5)
    assert received(stack, ids) == []        # not before the end
    stack.set_clock(iso=AFTER)
    got = wait_for_messages(stack, ids, 1)
    time.sleep(3)
    got = received(stack, ids)
    assert [m["touser"] for m in got] == [e[2]], got
    assert got[0]["template_id"] == "tpl-certificate-test" and got[0]["page"] == "pages/certificate/index", got
    stack.set_clock(iso=IN_MAIN)


def test_two_servers_send_each_notice_once(stack):
    """Both servers' background threads work the same queue while WeChat
    answers slowly: every winner still gets exactly one message."""
    two = stack.factory(servers=2)
    two.start()
    try:
        org = organizer_token(two)
        two.set_clock(iso=DURING)
        cid = new_contest(two, org, {"tiers": [{"name": "优胜奖", "count": 30}]})
        people = [logged_in_person(two, cid, 60 + i, 1741000000) for i in range(30)]
        for p in people:
            subscribe(two, p[0], "result")
        seed = commit_draw(two, org, cid, "体彩排列5 2025-03-11")
        two.sim("POST", "/__sim/latency", {"ms": 40})
        two.set_clock(iso=AFTER)
        r = two.post("admin/contests/%d/draw/reveal" % cid, {"seed": seed, "public_value": "1 2 3 4 5"}, token=org)
        assert r.status == 200, r
        ids = {p[2] for p in people}
        wait_for_messages(two, ids, 30, timeout=60)
        time.sleep(3)
        got = [m["touser"] for m in received(two, ids)]
        assert sorted(got) == sorted(ids), (len(got), len(set(got)))
        rows = two.sql("SELECT state, COUNT(*) FROM notices WHERE contest_id = %d GROUP BY state" % cid)
        assert rows == [["sent", "30"]], rows
    finally:
        two.stop()
