"""Kill everything once (issue 15, "Measured, not asserted"): under a crowd
of submits, MariaDB, Redis and the server are each killed with SIGKILL and
started again. The crowd sends a request again while it is answered 503 or
not at all, as a phone does. Afterwards:
  - every acknowledged submit is in MariaDB exactly once, with its score,
    and nothing else was submitted (none lost, none counted twice), and
    submitting it again answers the acknowledged reply byte for byte
    (nothing was acknowledged before its commit);
  - nobody has more submitted attempts a day than the cap, and everyone
    the cap stopped has exactly that many;
  - the boards equal MariaDB after catch-up and show each person's best
    acknowledged score.

`make test` runs one round (each of the three killed once); `make
crash-test` runs CRASH_ROUNDS rounds (default there: 5), each killing the
three in a random order."""
import os
import random
import signal
import time

from crowd_helpers import Crowd, CrowdWorld

__order__ = 91


def wait_for(cond, what, timeout=120):
    end = time.time() + timeout
    while not cond():
        assert time.time() < end, what
        time.sleep(0.1)


def kill_mariadb(st):
    st._stop_proc("mariadb", signal.SIGKILL)
    st.start_mariadb()


def kill_redis(st):
    st._stop_proc("redis", signal.SIGKILL)
    st.start_redis()


def kill_server(st):
    st.stop_server(0, signal.SIGKILL)
    st.start_server(0)


KILLS = {"mariadb": kill_mariadb, "redis": kill_redis, "quizd": kill_server}


def test_kill_mariadb_redis_and_the_server_under_submits(stack):
    rounds = int(os.environ.get("CRASH_ROUNDS", "1"))
    rng = random.Random(os.environ.get("CRASH_SEED", "15"))
    t = time.time()
    st = stack.factory()
    st.start()
    print("      stack up in %.1f s" % (time.time() - t))
    crowd = None
    try:
        people = 20
        # enough attempts for a few submits between kills; the cap stops
        # everyone in the end
        w = CrowdWorld(st, attempts_per_day=3 + 3 * rounds)
        t = time.time()
        uids = w.crowd_people(people)
        print("      %d people registered in %.1f s" % (people, time.time() - t))
        crowd = Crowd(w, uids, threads=6, seed=rng.randrange(1 << 30)).start()
        total = people * w.cap
        step = total // (3 * rounds + 1)
        order = []
        for r in range(rounds):
            names = list(KILLS)
            if r:
                rng.shuffle(names)
            order += names
        for i, name in enumerate(order):
            crowd.wait_count((i + 1) * step, "before killing %s" % name)
            t = time.time()
            KILLS[name](st)
            print("      killed and restarted %s after %d acknowledged submits (%.1f s)"
                  % (name, crowd.count(), time.time() - t))
        # the rest of the crowd runs until the cap stops everyone
        end = time.time() + 600
        while crowd.alive():
            assert not crowd.errors, crowd.errors[:3]
            assert time.time() < end, "the crowd did not finish: %d acknowledged" % crowd.count()
            time.sleep(0.1)
        crowd.finish()
        t_done = time.time()
        print("      %d submits acknowledged; %d requests sent again after a 503 or no answer"
              % (crowd.count(), len(crowd.retried)))
        # the outages met requests (else this test proved nothing)
        assert crowd.retried
        assert crowd.capped == set(uids), "not everyone reached the cap"
        crowd.assert_mariadb_holds_every_ack()
        crowd.assert_replies_replay()
        crowd.assert_boards_equal_mariadb()
        print("      the boards equal MariaDB %.1f s after the crowd finished" % (time.time() - t_done))
        wait_for(lambda: st.get("/api/v1/healthz").json == {"ok": True, "mariadb": "up", "redis": "up"},
                 "the stack healthy again")
    finally:
        if crowd:
            crowd.halt.set()   # a failed test's crowd must not outlive its stack
        t = time.time()
        st.stop()
        print("      stopped in %.1f s" % (time.time() - t))
