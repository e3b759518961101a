"""Board pages built once per interval and shared (engines/boards/cache.c),
and conditional reads (ETag, If-None-Match -> 304).

A page is kept for board_cache_ms: a change made to Redis behind the
server's back shows only once the interval has passed, while the caller's
own place (`me`) and the board's size are read live on every request; an
apply made by the server itself (a submit) drops the pages it changed at
once. The cache's bounds are held by tests/unit/test_board_cache.c."""
import hashlib
import re
import time

from boards_helpers import World, error_code
from quiz_helpers import organizer_token

__order__ = 71

T25 = 1 << 25          # a rank key is score * 2^25 + earliness (rules/rank_key.h)
INTERVAL_MS = 5000     # long, so that "within the interval" holds on a loaded machine


def order(w, **kw):
    return [e["user_id"] for e in w.ok("individual", **kw)["entries"]]


def two_people(w, unit_name):
    """Two members of a new unit, first with 80 and second with 60, the
    boards settled: (token, uid) of each."""
    u = w.unit(unit_name, "140403")
    ta, a = w.member(u, "140403", "张三")
    tb, b = w.member(u, "140403", "李四")
    w.submit(a, 80, 100)
    w.submit(b, 60, 100)
    w.settle()
    return (ta, a), (tb, b)


def test_pages_are_shared_for_the_interval_and_me_is_always_live(stack):
    st = stack.factory(conf_extra={"board_cache_ms": INTERVAL_MS})
    st.start()
    try:
        w = World(st)
        (ta, a), (tb, b) = two_people(w, "缓存单位")
        u = w.people[a]["unit"]
        assert order(w) == [a, b]

        # the server's own apply drops the pages it changed: a submit shows
        # at once although the interval is long
        tc, c = w.member(u, "140403", "王五")
        w.submit(c, 100, 200)
        assert order(w) == [c, a, b]
        w.settle()
        w.assert_boards_match_model()

        # a page built now (a page size no read asked for yet) ...
        t0 = time.time()
        assert order(w, limit=7) == [c, a, b]
        live = st.redis("GET", "{c%d}:ver" % w.id)
        board = "{c%d}:v%s:p:n" % (w.id, live)
        # ... and b passes everyone behind the server's back (with the
        # script's own copies of the page gone too)
        key_c = int(float(st.redis("ZSCORE", board, str(c))))
        st.redis("ZADD", board, str(key_c + 10 * T25), str(b))
        st.redis("DEL", board + ":pc")
        # the page is the one kept; b's own place is already the new one
        j = w.ok("individual", token=tb, limit=7)
        assert [e["user_id"] for e in j["entries"]] == [c, a, b], j
        assert j["me"] == {"rank": 1, "score": 110}, j
        assert j["total"] == 3, j
        assert order(w, limit=7) == [c, a, b]
        assert w.ok("individual", token=ta, limit=7)["me"]["rank"] == 3
        assert time.time() - t0 < INTERVAL_MS / 1000.0, "the checks took longer than the interval"

        # once the interval has passed, the page is read again
        end = t0 + INTERVAL_MS / 1000.0 + 20
        while order(w, limit=7) != [b, c, a]:
            assert time.time() < end, "the page was not read again after the interval"
            time.sleep(0.1)
        assert time.time() - t0 >= INTERVAL_MS / 1000.0 - 0.05

        # a rebuild (another process) swaps in a new version: a page of the
        # old one is not served after it, whatever its age
        st.redis("ZADD", board, str(key_c + 20 * T25), str(a))
        st.redis("DEL", board + ":pc")
        r = st.quizd("rebuild-boards", str(w.id))
        assert r.returncode == 0, r
        assert order(w) == [c, a, b]      # MariaDB's boards again
    finally:
        st.stop()


def test_board_reads_answer_304_to_a_matching_etag(stack):
    w = World(stack)
    (ta, a), (_, b) = two_people(w, "标签单位")
    paths = ["individual?contest_id=%d&limit=10" % w.id,
             "units?contest_id=%d&limit=10" % w.id,
             "units?contest_id=%d&order=participation" % w.id,
             "regions?contest_id=%d&level=city" % w.id]
    tags = {}
    for p in paths:
        r = stack.get("leaderboards/" + p)
        assert r.status == 200 and r.json["entries"], r
        etag = r.header("ETag")
        assert etag and etag.startswith('"') and etag.endswith('"'), r.headers
        assert r.header("Cache-Control") == "no-cache", r.headers
        # the same page again: 304, no body, the same tag
        r2 = stack.get("leaderboards/" + p, headers={"If-None-Match": etag})
        assert r2.status == 304 and r2.body == b"", r2
        assert r2.header("ETag") == etag
        # a list holding it, or a weak form of it, matches too
        r3 = stack.get("leaderboards/" + p, headers={"If-None-Match": '"0000000000000000", W/' + etag})
        assert r3.status == 304, r3
        # another tag: the whole page
        r4 = stack.get("leaderboards/" + p, headers={"If-None-Match": '"0000000000000000"'})
        assert r4.status == 200 and r4.json == r.json and r4.header("ETag") == etag, r4
        tags[p] = etag
    # the caller's own place is part of the page: another caller, another tag
    mine = stack.get("leaderboards/" + paths[0], token=ta)
    assert mine.status == 200 and mine.json["me"]["rank"] == 1
    assert mine.header("ETag") != tags[paths[0]]
    assert stack.get("leaderboards/" + paths[0], token=ta,
                     headers={"If-None-Match": mine.header("ETag")}).status == 304
    # a new score changes the page: the old tag gets the new page
    w.submit(b, 100, 200)
    w.settle()
    for p in paths:
        r = stack.get("leaderboards/" + p, headers={"If-None-Match": tags[p]})
        assert r.status == 200 and r.header("ETag") != tags[p], (p, r)
    assert stack.get("leaderboards/" + paths[0], token=ta,
                     headers={"If-None-Match": mine.header("ETag")}).json["me"]["rank"] == 2


def redis_reads(stack):
    """Redis's count of read events: one per round trip a client makes."""
    return int(re.search(r"total_reads_processed:(\d+)", stack.redis("INFO", "stats")).group(1))


def test_me_comes_with_the_session_in_one_round_trip_and_only_for_its_own_user(stack):
    """A token on the individual board is looked up in the same round trip
    as the page's live part, beside the place of the user the token was
    last seen to be (handlers/leaderboards.c); that place is shown only
    once the session says it is that user's."""
    w = World(stack)
    (ta, a), (tb, b) = two_people(w, "一趟单位")
    # a token's first read here, and its reads after
    for _ in range(3):
        assert w.ok("individual", token=ta)["me"] == {"rank": 1, "score": 80}
        assert w.ok("individual", token=tb)["me"] == {"rank": 2, "score": 60}

    # one round trip to Redis per read (a read of its own for the session
    # made two); the background's own reads meanwhile are a few
    n = 100
    before = redis_reads(stack)
    for _ in range(n):
        assert w.ok("individual", token=ta)["me"]["rank"] == 1
    spent = redis_reads(stack) - before
    assert spent < 1.5 * n, "%d reads of Redis for %d board reads" % (spent, n)

    # the session's copy gone from Redis: MariaDB says who it is, and the
    # copy is made again
    hb = hashlib.sha256(tb.encode()).hexdigest()
    assert stack.redis("DEL", "sess:" + hb) == "1"
    assert w.ok("individual", token=tb)["me"] == {"rank": 2, "score": 60}
    copy = stack.redis("GET", "sess:" + hb)
    assert copy and copy.split()[1] == str(b), copy
    # a copy made to say another user (its MAC no longer holds) is not
    # believed: MariaDB says it is b's, and b's place is shown
    stack.redis("SET", "sess:" + hb, copy.replace(" %d " % b, " %d " % a, 1))
    assert w.ok("individual", token=tb)["me"] == {"rank": 2, "score": 60}

    # a token whose session ended shows no place, although its user's place
    # was read beside its lookup: the same page as without a token
    assert stack.post("logout", token=ta).status == 204
    j = w.ok("individual", token=ta)
    assert j["me"] is None and j == w.ok("individual"), j
    # a token never seen, and an organizer's (no user): no place either
    assert w.ok("individual", token="x" * 43)["me"] is None
    org = organizer_token(stack)
    for _ in range(2):
        assert w.ok("individual", token=org)["me"] is None


def kv_read_groups(stack):
    """GET /metrics: (groups, requests) of the queue whose requests' Redis
    reads go in one pipeline (server/defer.h)."""
    text = stack.get("/metrics").body.decode()
    got = []
    for k in ("groups", "entries"):
        m = re.search(r'^quiz_group_commit_%s_total\{queue="kv_read"\} (\d+)$' % k, text, re.M)
        got.append(int(m.group(1)) if m else 0)    # listed from the queue's first request on
    return tuple(got)


def test_reads_at_once_go_to_redis_together_and_each_gets_its_own_place(stack):
    """Kept pages' live reads of requests that come at once travel to Redis
    in one pipeline and are answered by one thread (server/defer.h): every
    reply still carries its own caller's place (or none without a valid
    session); reads that come while Redis is slow to answer go together
    once it does; and with Redis gone such a read is a 503, not a wait."""
    import os
    import random
    import signal
    import threading
    # pages kept for a minute (applies still drop theirs): every read below
    # is of a kept page; Redis may pause for a second without a timeout
    st = stack.factory(conf_extra={"board_cache_ms": 60000, "redis_timeout_ms": 10000})
    st.start()
    try:
        w = World(st)
        u = w.unit("同行单位", "140403")
        names = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二", "陈三", "褚四"]
        people = []
        for i, name in enumerate(names):
            tok, uid = w.member(u, "140403", name)
            w.submit(uid, 5 * (i + 1), 100 + i)
            people.append((tok, {"rank": len(names) - i, "score": 5 * (i + 1)}))
        w.settle()
        ended, _ = people[0]
        assert st.post("logout", token=ended).status == 204
        readers = people[1:] + [(ended, None), (None, None), ("y" * 43, None)]
        assert w.ok("individual")["total"] == len(names)
        wrong, errors = [], []

        def read(tok, want):
            try:
                j = w.ok("individual", token=tok)
                if j["me"] != want or len(j["entries"]) != len(names):
                    wrong.append((tok, want, j["me"]))
            except Exception as e:      # kept: a dead reader fails the test
                errors.append(repr(e))

        def finish(threads):
            for t in threads:
                t.join()
            assert not errors, errors[:3]
            assert not wrong, wrong[:5]

        def run(threads):
            for t in threads:
                t.start()
            finish(threads)

        # 24 readers, 25 reads each, tokens drawn at random
        groups0, entries0 = kv_read_groups(st)
        rngs = [random.Random(i) for i in range(24)]
        run([threading.Thread(target=lambda g=g: [read(*g.choice(readers)) for _ in range(25)]) for g in rngs])
        groups, entries = kv_read_groups(st)
        assert entries - entries0 == 24 * 25, (entries0, entries)
        assert entries - entries0 > groups - groups0, (groups0, groups, entries0, entries)

        # Redis paused: the reads that come meanwhile wait behind the one in
        # flight, holding no thread, and go together once Redis answers it
        pid = st.procs["redis"].pid
        threads = [threading.Thread(target=read, args=readers[i % len(readers)]) for i in range(24)]
        os.kill(pid, signal.SIGSTOP)
        try:
            for t in threads:
                t.start()
            time.sleep(1.5)
        finally:
            os.kill(pid, signal.SIGCONT)
        finish(threads)
        groups1, entries1 = kv_read_groups(st)
        assert entries1 - entries == 24 and groups1 - groups <= 4, (groups, groups1, entries, entries1)

        # Redis gone: a read of the kept page is answered 503 at once
        st.stop_redis()
        try:
            for tok, _ in readers[:3]:
                t0 = time.time()
                r = w.get("individual", token=tok)
                assert r.status == 503 and error_code(r) == "boards_unavailable", r
                assert r.header("Retry-After") and time.time() - t0 < 5, r
        finally:
            st.start_redis()
    finally:
        st.stop()
