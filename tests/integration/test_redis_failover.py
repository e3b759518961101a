"""Redis under Sentinel (README, "Redis with Sentinel"): a primary, a
replica and three Sentinels on loopback ports (scripts/redis_ha.py); quizd
is given only the Sentinels (`redis_sentinels`).

The primary is killed with SIGKILL while a crowd submits: every submit is
acknowledged (a 503 during the switch is sent again, and a submit's replay
is byte for byte), the server writes to the new primary within seconds,
and after catch-up the boards equal MariaDB — also the applies the replica
had not received when its primary died (kv.c finds the data set changed
and the boards are rebuilt).

Then the killed node comes back (the Sentinels make it a replica) and an
operator's `SENTINEL FAILOVER` moves the primary back to it while the crowd
submits: the demoted node stays up (the Sentinels close its clients'
connections when they demote it; a write that reaches it anyway is
answered READONLY, which kv.c also takes as "ask the Sentinels again"),
and the server follows again, though the first Sentinel it asks is dead."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "scripts"))
import redis_ha  # noqa: E402
from crowd_helpers import Crowd, CrowdWorld  # noqa: E402

__order__ = 90


def log_of(st):
    with open(os.path.join(st.dir, "quizd0.log"), errors="replace") as f:
        return f.read()


def wait_for(cond, what, timeout):
    end = time.time() + timeout
    while not cond():
        assert time.time() < end, what
        time.sleep(0.1)


def follow(st, crowd, old, new):
    """Until the server's log says it moved from the old primary to the new
    one, and a submit sent after that was ranked (its board update ran on a
    writable primary). From the moment it says so the boards answer: a
    worker whose connection failed just before the move tries the new
    primary at once (kv.c), not when its pause after the failure ends."""
    moved = moved_line(old, new)
    wait_for(lambda: moved in log_of(st), "the server did not follow to %d" % new, 120)
    refused = reads_refused(crowd.world, seconds=1.5)
    since = moved_at(st, old, new)
    # what a failure needs to be understood: when the refusals came, and
    # what the server said of Redis and the boards meanwhile
    if refused:
        when = [x.at - since for x in refused]
        raise AssertionError(("board reads refused after the move", len(refused), refused[:3],
                              "%.2f-%.2f s after it" % (min(when), max(when)),
                              said_between(st, since - 1, since + max(when) + 0.2)))

    def ranked_after():
        with crowd.lock:
            return any(t > since and rank is not None for t, rank in crowd.ack_times)
    wait_for(ranked_after, "no submit ranked on the new primary %d" % new, 120)


def said_between(st, t0, t1, most=30):
    """The server's log lines from t0 to t1 (Unix time) but the requests
    it answered 2xx: what it said of Redis and the boards, and which
    requests it refused."""
    import re
    answered = re.compile(r" INFO req \S+ \S+ \S+ 2\d\d ")
    return [x for x in log_of(st).splitlines()
            if t0 <= line_time(x) <= t1 and not answered.search(x)][:most]


def line_time(line):
    """A log line's own timestamp (Unix time); -1 for a line without one."""
    import datetime
    try:
        return datetime.datetime.fromisoformat(line.split()[0]).timestamp()
    except (ValueError, IndexError):
        return -1


def reads_refused(world, seconds, threads=4):
    """Read the national board from a few threads at once for a while (the
    reads reach several of the server's workers); the answers that were not
    200."""
    import threading
    end, refused, lock = time.time() + seconds, [], threading.Lock()

    def reader():
        while time.time() < end:
            r = world.get("individual", scope="national", limit=20, offset=0)
            if r.status != 200:
                r.at = time.time()
                with lock:
                    refused.append(r)
    ts = [threading.Thread(target=reader) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return refused


def moved_line(old, new):
    return "the primary moved from 127.0.0.1:%d to 127.0.0.1:%d" % (old, new)


def moved_at(st, old, new):
    """When the server's log says it first reached the new primary (Unix
    time), from the line's own timestamp."""
    return line_time(next(x for x in log_of(st).splitlines() if moved_line(old, new) in x))


def all_name(st, port, sentinels=range(redis_ha.SENTINELS)):
    return all(st.primary_port(i) == port for i in sentinels)


def test_the_server_follows_failovers_under_submits(stack):
    st = redis_ha.SentinelStack(build=stack.build)
    st.start()
    crowd = None
    try:
        # a budget the crowd cannot spend before the end: 12 people at the
        # default 200 a day ran out (2,400 submits) while a fast server
        # waited for the Sentinels, and a crowd that stops fails the test
        w = CrowdWorld(st, attempts_per_day=2000)
        uids = w.crowd_people(12)
        wait_for(lambda: "the primary is 127.0.0.1:" in log_of(st), "the server named no primary", 30)

        # 1. the primary dies (whichever node it is now: a loaded machine
        # may already have seen one failover)
        crowd = Crowd(w, uids, threads=6).start()
        crowd.wait_count(30, "before the kill")
        # the crowd's contest is new: the reads after the move need boards
        # built before the kill (a contest with none yet is refused until
        # the background builds them, failover or not)
        wait_for(lambda: w.get("individual", scope="national", limit=20, offset=0).status == 200,
                 "the crowd's boards were not built", 30)
        # a rebuild of the crowd's boards runs at the kill: its building
        # lock, which outlives the kill by minutes, reaches the replica too
        old = st.primary_port()
        new = st.replica_port if old == st.redis_port else st.redis_port
        lock, stale = "{c%d}:building" % w.id, "999999 a-rebuild-at-the-kill"
        assert st.node(old, "SET", lock, stale, "PX", "600000") == "OK"
        wait_for(lambda: st.node(new, "GET", lock) == stale, "the lock did not reach the replica", 30)
        assert st.kill_primary() == old
        t_kill = time.time()
        wait_for(lambda: all_name(st, new), "the Sentinels did not promote the replica", 120)
        t_promoted = time.time()
        assert st.role(new) == "master"
        follow(st, crowd, old, new)
        print("      kill: the Sentinels named the replica %.1f s after it, the server wrote there %.1f s"
              " after it" % (t_promoted - t_kill, moved_at(st, old, new) - t_kill))
        crowd.wait_count(crowd.count() + 30, "after the failover")
        crowd.finish()
        crowd.assert_mariadb_holds_every_ack()
        crowd.assert_replies_replay(sample=150)
        # the replica may have lacked the last applies: the data set's new
        # id made the boards rebuild, and they equal MariaDB
        wait_for(lambda: "every board is rebuilt" in log_of(st), "no rebuild after the failover", 120)
        # the rebuild that held the lock at the kill is given up, and the
        # crowd's boards are rebuilt without waiting for the lock to expire
        assert "boards: contest %d: the rebuild that ran at the failover is given up" % w.id in log_of(st), \
            "the lock of the rebuild at the kill was not dropped"
        wait_for(lambda: "boards: rebuilt contest %d (asked for)" % w.id in log_of(st).split(moved_line(old, new))[1],
                 "the crowd's boards were not rebuilt after the failover", 30)
        assert st.node(new, "GET", lock) != stale
        crowd.assert_boards_equal_mariadb()

        # 2. the old primary returns as a replica; the operator moves the
        # primary back to it while the crowd submits; the first Sentinel
        # the server asks is dead by then (the next one answers)
        st.start_node(old)
        wait_for(lambda: st.role(old) == "slave" and st.replica_known(old),
                 "the old primary did not rejoin as a replica", 120)
        st._stop_proc("sentinel0", signal.SIGKILL)
        crowd.resume()
        crowd.wait_count(crowd.count() + 20, "before the switch back")
        t_switch = time.time()
        end = time.time() + 120
        while st.sentinel(1, "SENTINEL", "failover", redis_ha.MASTER) != "OK":
            assert time.time() < end, "SENTINEL FAILOVER was refused"
            time.sleep(0.5)
        wait_for(lambda: all_name(st, old, (1, 2)), "the Sentinels did not switch back", 120)
        t_named = time.time()
        wait_for(lambda: st.role(new) == "slave", "the demoted primary is no replica", 120)
        follow(st, crowd, new, old)
        print("      switch back: the Sentinels named it %.1f s after SENTINEL FAILOVER, the server wrote"
              " there %.1f s after it" % (t_named - t_switch, moved_at(st, new, old) - t_switch))
        crowd.wait_count(crowd.count() + 30, "after the switch back")
        crowd.finish()
        print("      %d submits acknowledged; %d requests sent again after a 503 or no answer"
              % (crowd.count(), len(crowd.retried)))
        crowd.assert_mariadb_holds_every_ack()
        crowd.assert_replies_replay(sample=150)
        crowd.assert_boards_equal_mariadb()
        h = st.get("/api/v1/healthz")
        assert h.status == 200 and h.json["redis"] == "up", h
    finally:
        if crowd:
            crowd.halt.set()   # a failed test's crowd must not outlive its stack
        st.stop()
