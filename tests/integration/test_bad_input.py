"""Hostile input on every route: each route of the table (from `quizd
routes`) gets malformed bodies and odd parameters, with no token, a user's
and an organizer's. Nothing may answer 5xx, every error must be in the
contract's shape, and the server must keep serving."""
import json
import os

__order__ = 90

BODIES = [
    b"",
    b"not json",
    b"[]",
    b"null",
    b'{"a":',
    b'{"a":1,"a":2}',
    json.dumps({"code": 123, "name": ["x"], "region_code": {"a": 1}, "answers": "A",
                "contest_id": -1, "unit_id": 1e300, "real_name": None}).encode(),
    json.dumps({"answers": [{"question_id": "1", "choice": "A"}] * 3, "contest_id": "1"}).encode(),
    json.dumps({"real_name": "\u0000\u202e", "region_code": "11000%", "five_into": []}).encode(),
    b'{"name": "\xff\xfe", "credit_code": "\xc0\xaf"}',
    b'{"deep": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    json.dumps({"username": "a" * 5000, "password": "b" * 5000}).encode(),
]
PATH_VALUES = ["1", "0", "-1", "99999999999999999999", "abc", "%00", "1%27%20OR%201=1"]
QUERIES = ["", "?limit=-5&offset=abc", "?contest_id=0&scope=unit:x&order=zz&level=9&parent=%ff",
           "?q=%25_&region=999999&limit=100000", "?contest_id=99999999999999999999999"]


def routes(stack):
    out = stack.quizd("routes").stdout.decode().split("\n")
    return [line.split() for line in out if line.strip()]


def organizer_token(stack):
    name = "badinput" + os.urandom(3).hex()
    pw = "pw-" + os.urandom(8).hex()
    r = stack.quizd("organizer-add", name, input=(pw + "\n").encode())
    assert r.returncode == 0, r.stderr
    r = stack.post("admin/login", {"username": name, "password": pw})
    assert r.status == 200, r
    return r.json["token"]


# What no reply body may hold (API.md: no error leaks SQL, stack traces,
# secrets): SQL and the driver's words, a trace's marks, and, added by the
# test, the stack's own secrets.
LEAKS = [b"SELECT ", b"INSERT INTO", b"UPDATE ", b" WHERE ", b"SQL syntax", b"MariaDB", b"mysql",
         b"Traceback", b"AddressSanitizer", b"runtime error", b"Segmentation", b".c:", b"0x7f"]


def check(r, what, secrets=()):
    for needle in LEAKS + [s.encode() for s in secrets]:
        assert needle not in r.body, (what, needle, r.body[:300])
    assert r.status < 500 or (r.status == 503 and r.json and r.json["error"]["code"] in
                              ("overloaded", "wechat_unavailable", "boards_unavailable")), (what, r)
    if r.status >= 400:
        # every error, also nginx's own, is JSON in the contract's shape
        assert (r.header("Content-Type") or "").startswith("application/json"), (what, r, r.headers)
        j = r.json
        assert isinstance(j, dict) and set(j.get("error", {})) == {"code", "message"}, (what, r)


def test_every_route_survives_malformed_input(stack):
    user, _ = stack.login()
    tokens = [None, user, organizer_token(stack)]
    secrets = [stack.sim_secret, stack.phone_key, stack.db_password]
    n = 0
    for method, pattern, flags in routes(stack):
        if int(flags) & 2048 or pattern.startswith("/metrics"):
            continue
        for pv in PATH_VALUES:
            path = pattern.replace("{id}", pv)
            while "{" in path:
                a = path.index("{")
                path = path[:a] + pv + path[path.index("}", a) + 1:]
            for tok in tokens:
                for q in QUERIES if method == "GET" else [""]:
                    if method == "GET":
                        r = stack.request("GET", path + q, token=tok)
                        check(r, (method, path + q), secrets)
                        n += 1
                        continue
                    for body in BODIES:
                        r = stack.request(method, path + q, raw=body, token=tok,
                                          headers={"Content-Type": "application/json"})
                        check(r, (method, path, body[:40]), secrets)
                        n += 1
    print("      %d requests" % n)
    assert n > 500, n
    r = stack.get("/api/v1/healthz")
    assert r.status == 200, r
