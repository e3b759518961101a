"""Helpers of the outage tests (test_redis_failover.py,
test_crash_recovery.py): a contest open now (real time, so a server that
restarts with its own clock needs nothing set), registered people, and a
crowd of threads that start and submit attempts through nginx the way a
phone does — a 503 (or a connection that broke) is sent again, the same
request, until it is answered — while the test kills stores and servers.

What the crowd was told is the truth the test holds the system to:
  - every submit acknowledged (200) is in MariaDB once, with its score;
  - no person has more submitted attempts a day than the contest's cap,
    and one who was refused a start has exactly that many;
  - the boards equal MariaDB (`quizd check-boards`) and show each person's
    best acknowledged score.
Waits are deadlines; nothing assumes the machine's speed."""
import http.client
import random
import secrets
import threading
import time

from boards_helpers import REGISTER_AT, POINTS, PAPER, World, q, set_time
from quiz_helpers import answer_key, wrong_answers

RETRYABLE = (502, 503, 504)


class CrowdWorld(World):
    """A World whose contest is open now (started an hour ago), with
    people registered through the API (at REGISTER_AT, as World does);
    then the servers' clocks are back at real time."""

    def __init__(self, stack, attempts_per_day=200, rule="best"):
        self.stack = stack
        self.rule = rule
        from quiz_helpers import ensure_bank
        ensure_bank(stack)
        now = int(time.time())
        slug = "cr" + secrets.token_hex(6)
        stack.sql("INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
                  " points_per_question, time_limit_s, attempts_per_day, score_rule, created_at, updated_at)"
                  " VALUES (%s, %s, 0, %d, %d, %d, %s, %d, 3600, %d, %s, 0, 0)"
                  % (q(slug), q("故障测试" + slug[-4:]), now + 86400, now - 3600, now + 5 * 86400,
                     q(PAPER), POINTS, attempts_per_day, q(rule)))
        self.id = int(stack.sql("SELECT id FROM contests WHERE slug = %s" % q(slug))[0][0])
        self.cap = attempts_per_day
        self.units, self.people, self.submits, self.replies, self.papers = {}, {}, [], [], []

    def crowd_people(self, n, regions=("140403", "140404", "140105", "320102")):
        units = [self.unit("故障单位%d" % i, regions[i % len(regions)], headcount=20) for i in range(3)]
        # log in at real time (a session made while the clock shows
        # REGISTER_AT would have expired by now), then register
        self.stack.set_clock(offset_s=0)
        logins = [self.stack.login() for _ in range(n)]
        uids = [self.person(units[i % 3], regions[i % len(regions)], "众" + str(i), login=logins[i])
                for i in range(n)]
        set_time(self.stack, REGISTER_AT)
        self.stack.set_clock(offset_s=0)
        return uids


def send(stack, method, path, body, token, deadline, retried=None, halt=None):
    """One request, sent again while the answer is a 503 (or no answer):
    the phone's retry. Returns the first other answer; retried (a list)
    gets one item per repeat; halt (an Event) set stops the retries."""
    last = None
    while True:
        if halt is not None and halt.is_set():
            raise AssertionError("halted: the test is over")
        try:
            r = stack.request(method, path, body=body, token=token, timeout=60)
            if r.status not in RETRYABLE:
                return r
            last = r
        except (OSError, http.client.HTTPException) as e:
            last = e
        if retried is not None:
            retried.append(1)
        if time.time() > deadline:
            raise AssertionError("%s %s unanswered until the deadline: %r" % (method, path, last))
        time.sleep(0.1)


class Crowd:
    """Threads, each with its own people, making start + submit cycles
    until stopped. acked: (uid, attempt_id, score) of every submit answered
    200; capped: people refused a start for the daily cap; errors: any
    other answer (the test fails on any)."""

    def __init__(self, world, uids, threads=6, seed=1, give_up_s=300):
        self.world = world
        self.uids = uids
        self.nthreads = threads
        self.rng = random.Random(seed)
        self.give_up_s = give_up_s
        self.lock = threading.Lock()
        self.acked, self.capped, self.errors = [], set(), []
        self.bodies = {}      # attempt id -> (token, the acknowledged reply's bytes)
        self.retried = []     # one item per request sent again (list.append is atomic)
        self.ack_times = []   # (time the submit was first sent, rank) of each acknowledgement
        self.stop = threading.Event()   # finish the cycle in hand, then stop
        self.halt = threading.Event()   # stop now (the test failed; its stack goes away)
        self.threads = []

    def cycle(self, uid, rng):
        st, w = self.world.stack, self.world
        token = w.people[uid]["token"]
        deadline = time.time() + self.give_up_s
        r = send(st, "POST", "attempts", {"contest_id": w.id}, token, deadline, self.retried, self.halt)
        if r.status == 403 and (r.json or {}).get("error", {}).get("code") == "daily_limit_reached":
            with self.lock:
                self.capped.add(uid)
            return False
        if r.status not in (200, 201):
            raise AssertionError("start: %r" % (r,))
        a = r.json
        key = answer_key(st, a)
        wrong = rng.randrange(0, 21)
        answers = wrong_answers(key, wrong)
        t_sent = time.time()
        s = send(st, "POST", "attempts/%d/submit" % a["attempt_id"], {"answers": answers}, token, deadline,
                 self.retried, self.halt)
        want = (20 - wrong) * POINTS
        if s.status != 200 or s.json.get("score") != want or s.json.get("attempt_id") != a["attempt_id"]:
            raise AssertionError("submit of attempt %d (score %d): %r" % (a["attempt_id"], want, s))
        with self.lock:
            self.acked.append((uid, a["attempt_id"], want))
            self.bodies[a["attempt_id"]] = (token, s.body)
            self.ack_times.append((t_sent, s.json.get("rank")))
        return True

    def run_thread(self, mine, seed):
        rng = random.Random(seed)
        active = list(mine)
        try:
            while active and not self.stop.is_set():
                uid = rng.choice(active)
                if not self.cycle(uid, rng):
                    active.remove(uid)
        except Exception as e:  # the test reports it
            with self.lock:
                self.errors.append("%s: %s" % (type(e).__name__, e))

    def start(self):
        for t in range(self.nthreads):
            mine = self.uids[t::self.nthreads]
            th = threading.Thread(target=self.run_thread, args=(mine, self.rng.randrange(1 << 30)), daemon=True)
            th.start()
            self.threads.append(th)
        return self

    def resume(self):
        """Start again after finish(), with the same people and record."""
        self.stop.clear()
        self.threads = []
        return self.start()

    def alive(self):
        return any(t.is_alive() for t in self.threads)

    def count(self):
        with self.lock:
            return len(self.acked)

    def wait_count(self, n, what, timeout=300):
        end = time.time() + timeout
        while self.count() < n:
            assert not self.errors, self.errors[:3]
            assert self.alive(), "the crowd stopped at %d acknowledged submits: %s" % (self.count(), what)
            assert time.time() < end, "%d acknowledged submits, not %d: %s" % (self.count(), n, what)
            time.sleep(0.05)

    def finish(self, timeout=400):
        self.stop.set()
        for t in self.threads:
            t.join(timeout)
            assert not t.is_alive(), "a crowd thread is still waiting"
        assert not self.errors, self.errors[:5]

    # ---- the checks ----

    def assert_mariadb_holds_every_ack(self):
        """Every acknowledged submit once, with its score; nothing else
        submitted; the contest score and the count per person agree; no one
        over the daily cap, and one refused at the cap holds exactly it."""
        w = self.world
        rows = w.stack.sql("SELECT id, user_id, score, day FROM attempts WHERE contest_id = %d"
                           " AND submitted_at IS NOT NULL" % w.id)
        got = sorted((int(u), int(a), int(s)) for a, u, s, _ in rows)
        want = sorted(self.acked)
        assert len({a for _, a, _ in want}) == len(want), "an attempt acknowledged twice"
        assert got == want, ("MariaDB's submitted attempts differ from the acknowledged ones",
                             sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5])
        per_day = {}
        for _, u, _, day in rows:
            per_day[(int(u), int(day))] = per_day.get((int(u), int(day)), 0) + 1
        assert all(n <= w.cap for n in per_day.values()), ("over the daily cap", per_day)
        for uid in self.capped:
            assert max(n for (u, _), n in per_day.items() if u == uid) == w.cap, (uid, per_day)
        best, count = {}, {}
        for uid, _, score in self.acked:
            best[uid] = max(best.get(uid, 0), score)
            count[uid] = count.get(uid, 0) + 1
        scores = {int(u): (int(s), int(n)) for u, s, n in w.stack.sql(
            "SELECT user_id, score, attempts_submitted FROM contest_scores WHERE contest_id = %d" % w.id)}
        assert scores == {u: (best[u], count[u]) for u in best}, ("contest_scores", scores, best, count)
        return best

    def assert_replies_replay(self, sample=None):
        """Each acknowledged reply is the one the server keeps: submitting
        the attempt again (any body) answers it byte for byte. A reply sent
        before its commit, and lost with a killed MariaDB, would not be.
        sample: check that many, drawn at random (all when None)."""
        st = self.world.stack
        items = sorted(self.bodies.items())
        if sample is not None and len(items) > sample:
            items = self.rng.sample(items, sample)
        for aid, (token, body) in items:
            r = st.post("attempts/%d/submit" % aid, {"answers": []}, token=token)
            assert r.status == 200 and r.body == body, (aid, r, body[:200])

    def assert_boards_equal_mariadb(self, timeout=180):
        """`quizd check-boards` finds no difference (it waits for the
        outbox itself), and the national board shows each person's best
        acknowledged score."""
        w = self.world
        end = time.time() + timeout
        while True:
            r = w.stack.quizd("check-boards", str(w.id))
            if r.returncode == 0:
                break
            assert time.time() < end, r.stdout.decode()[-800:] + r.stderr.decode()[-400:]
            time.sleep(0.5)
        best = {}
        for uid, _, score in self.acked:
            best[uid] = max(best.get(uid, 0), score)
        board = {e["user_id"]: e["score"] for e in w.all_people()}
        assert board == best, ("the national board", board, best)
