#!/usr/bin/env python3
"""crowd.py: many mini-program users at once, for live demos and load.

Each simulated person logs in through the WeChat simulator (a `test:<openid>`
code), registers — about one in ten first registers a unit (POST /units),
the others join one as staff or, one in four, as five-into members
sponsored by it (PUT /me/profile) — then starts attempts and answers them
with think time per question until the daily cap, the contest's end or the
run's duration. Accuracy is the chance of knowing a question's answer once
the crowd has seen it (people compare notes: results teach the crowd the
right options of each question by their text). Standard library only.

    python3 scripts/crowd.py [--base http://127.0.0.1:8080] [--users 200]
        [--concurrency 32] [--duration 60] [--accuracy 0.7] [--think-ms 300]
        [--contest-id N]

Progress goes to stderr every two seconds; the summary at the end lists
requests by route and status and the p50/p99 latency of each route.
"""
import argparse
import http.client
import json
import queue
import random
import re
import secrets
import sys
import threading
import time
import urllib.parse

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉力鹏飞宇晨欣怡浩然子涵梓轩"
REGIONS = ["140105", "140106", "110105", "320506", "330106", "420106", "510104", "441900"]
FIVE_INTO = ["enterprise", "village", "community", "school", "family"]


def credit_code(serial):
    """A valid GB 32100 code: 91 + region-ish digits + serial + check."""
    base = "91" + "%06d" % random.randint(110000, 659999) + "MA" + ("%07d" % serial)[-7:]
    s = sum(CHARSET.index(c) * w for c, w in zip(base, WEIGHTS))
    return base + CHARSET[(31 - s % 31) % 31]


def route_of(method, path):
    path = path.split("?")[0]
    path = re.sub(r"/\d+(?=/|$)", "/{id}", path)
    return "%s %s" % (method, path)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = {}          # (route, status) -> n
        self.lat = {}            # route -> [seconds]
        self.total = 0
        self.submits = 0
        self.scores = []

    def add(self, route, status, secs):
        with self.lock:
            self.count[(route, status)] = self.count.get((route, status), 0) + 1
            self.lat.setdefault(route, []).append(secs)
            self.total += 1


def pct(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


class Client:
    """One keep-alive connection per simulated person."""

    def __init__(self, base, stats):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path.rstrip("/")
        self.stats = stats
        self.token = None
        self.conn = None

    def call(self, method, path, body=None):
        full = self.prefix + "/api/v1/" + path.lstrip("/")
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        t = time.time()
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.conn.request(method, full, body=data, headers=headers)
                r = self.conn.getresponse()
                raw = r.read()
                status = r.status
                break
            except (OSError, http.client.HTTPException):
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    status, raw = 0, b""
        self.stats.add(route_of(method, "/api/v1/" + path.lstrip("/")), status, time.time() - t)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


class Crowd:
    def __init__(self, args):
        self.args = args
        self.stats = Stats()
        self.run_id = secrets.token_hex(3)
        self.units = []                      # unit ids the crowd registered or found
        self.units_lock = threading.Lock()
        self.knowledge = {}                  # question id -> set of right option texts
        self.k_lock = threading.Lock()
        self.stop_at = time.time() + args.duration
        self.active = 0

    def think(self, ms):
        time.sleep(min(max(0.0, random.expovariate(1.0 / ms) / 1000.0 if ms > 0 else 0), 30))

    def name(self):
        return random.choice(SURNAMES) + "".join(random.choice(GIVEN) for _ in range(random.choice((1, 2))))

    def register(self, c, i):
        region = random.choice(REGIONS)
        with self.units_lock:
            need_unit = not self.units or random.random() < 0.1
        if need_unit:
            st, j = c.call("POST", "units", {
                "name": "群体模拟%s水务单位%d（演示）" % (self.run_id, i), "credit_code": credit_code(i),
                "region_code": region, "type": random.choice(["water_admin", "water_enterprise"]),
                "headcount": random.randint(20, 200), "contact_name": self.name(), "contact_phone": "13800138000"})
            uid = (j or {}).get("unit", {}).get("id") if st == 201 else (j or {}).get("unit_id")
            if uid:
                with self.units_lock:
                    self.units.append(uid)
        with self.units_lock:
            units = list(self.units)
        if not units:
            st, j = c.call("GET", "units?q=%s&limit=20" % urllib.parse.quote("水务"))
            units = [u["id"] for u in (j or {}).get("units", [])] if st == 200 else []
            with self.units_lock:
                self.units.extend(units)
        if not units:
            return False
        unit = random.choice(units)
        if random.random() < 0.25:
            body = {"real_name": self.name(), "region_code": region,
                    "five_into": {"category": random.choice(FIVE_INTO), "org_name": "模拟社区%d" % i,
                                  "sponsor_unit_id": unit}}
        else:
            body = {"real_name": self.name(), "region_code": region, "unit_id": unit,
                    "is_unit_leader": False, "position": "职员"}
        st, _ = c.call("PUT", "me/profile", body)
        return st == 200

    def answer(self, q):
        keys = [o["key"] for o in q["options"]]
        with self.k_lock:
            known = self.knowledge.get(q["id"])
        if known and random.random() < self.args.accuracy:
            return [o["key"] for o in q["options"] if o["text"] in known]
        if q["type"] == "multiple":
            return sorted(random.sample(keys, random.randint(2, len(keys))))
        return [random.choice(keys)]

    def learn(self, attempt, result):
        by_id = {q["id"]: q for q in attempt["questions"]}
        with self.k_lock:
            # only contests whose review policy is after_submit show the key
            for r in result.get("results") or []:
                q = by_id.get(r["question_id"])
                if q:
                    self.knowledge[q["id"]] = {o["text"] for o in q["options"] if o["key"] in r["answer"]}

    def person(self, i):
        c = Client(self.args.base, self.stats)
        st, j = c.call("POST", "login", {"code": "test:crowd-%s-%d:%s" % (self.run_id, i, secrets.token_hex(3))})
        if st != 200:
            return
        c.token = j["token"]
        if not j.get("user", {}).get("registered") and not self.register(c, i):
            return
        body = {"contest_id": self.args.contest_id} if self.args.contest_id else {}
        while time.time() < self.stop_at:
            st, a = c.call("POST", "attempts", body)
            if st not in (200, 201):
                return   # daily cap, contest closed, not registered: this person is done
            answers = []
            for q in a["questions"]:
                self.think(self.args.think_ms)
                if time.time() >= self.stop_at:
                    break
                answers.append({"question_id": q["id"], "choice": self.answer(q)})
            if not answers:
                return
            st, res = c.call("POST", "attempts/%d/submit" % a["attempt_id"], {"answers": answers})
            if st == 200 and res:
                with self.stats.lock:
                    self.stats.submits += 1
                    self.stats.scores.append(res.get("score", 0))
                self.learn(a, res)
            self.think(self.args.think_ms * 3)

    def worker(self, q):
        while time.time() < self.stop_at:
            try:
                i = q.get_nowait()
            except queue.Empty:
                return
            with self.units_lock:
                self.active += 1
            try:
                self.person(i)
            finally:
                with self.units_lock:
                    self.active -= 1

    def progress(self, t0, done):
        last = 0
        while not done.wait(2.0):
            s = self.stats
            with s.lock:
                total, submits = s.total, s.submits
                errors = sum(n for (r, st), n in s.count.items() if st >= 500 or st == 0)
            sys.stderr.write("[%5.0fs] requests %d (%.0f/s)  submits %d  5xx/failed %d  active people %d\n"
                             % (time.time() - t0, total, (total - last) / 2.0, submits, errors, self.active))
            sys.stderr.flush()
            last = total

    def run(self):
        q = queue.Queue()
        for i in range(self.args.users):
            q.put(i)
        t0 = time.time()
        done = threading.Event()
        pt = threading.Thread(target=self.progress, args=(t0, done), daemon=True)
        pt.start()
        threads = [threading.Thread(target=self.worker, args=(q,), daemon=True)
                   for _ in range(self.args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        self.summary(time.time() - t0)

    def summary(self, wall):
        s = self.stats
        print("\ncrowd: %d people, %.0fs, %d requests (%.0f/s), %d submits"
              % (self.args.users, wall, s.total, s.total / max(wall, 0.001), s.submits))
        if s.scores:
            print("scores: mean %.1f, best %d" % (sum(s.scores) / len(s.scores), max(s.scores)))
        print("\n%-40s %6s %8s" % ("route", "status", "count"))
        for (route, status), n in sorted(s.count.items()):
            print("%-40s %6s %8d" % (route, status or "fail", n))
        print("\n%-40s %8s %10s %10s" % ("route", "count", "p50 ms", "p99 ms"))
        every = []
        for route, lat in sorted(s.lat.items()):
            every += lat
            print("%-40s %8d %10.1f %10.1f" % (route, len(lat), pct(lat, 50) * 1000, pct(lat, 99) * 1000))
        print("%-40s %8d %10.1f %10.1f" % ("all", len(every), pct(every, 50) * 1000, pct(every, 99) * 1000))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="http://127.0.0.1:8080", help="the stack's address (nginx)")
    ap.add_argument("--users", type=int, default=200, help="people to simulate")
    ap.add_argument("--concurrency", type=int, default=32, help="people active at once")
    ap.add_argument("--duration", type=float, default=60, help="seconds to run")
    ap.add_argument("--accuracy", type=float, default=0.7, help="chance of knowing a seen question's answer")
    ap.add_argument("--think-ms", type=float, default=300, help="mean think time per question")
    ap.add_argument("--contest-id", type=int, default=0, help="contest to answer (default: the main one)")
    args = ap.parse_args(argv)
    Crowd(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
