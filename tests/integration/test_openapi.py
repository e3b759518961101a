"""docs/openapi.yaml against the route table (`quizd routes`), both ways:
every route is documented with the roles its flags give, every documented
operation is a route, and the document itself is sound (schemas compile,
path parameters declared, errors in the contract's shape). The runner
validates every answer the other tests receive against the same document
(openapi_check.ResponseChecker); the last test here shows that check fails
on answers that break the document.

Without a stack: `python3 tests/integration/test_openapi.py [build]`.
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))

import jsonschema  # noqa: E402

import openapi_check as oc  # noqa: E402
from stack import Response  # noqa: E402

__order__ = 5

TOKEN_ROLES = ("user", "unit_admin", "organizer")


def parse_routes(text):
    """{(METHOD, pattern): flags} from `quizd routes` (METHOD PATTERN FLAGS)."""
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split()
        assert len(f) >= 3 and f[2].isdigit(), "unexpected `quizd routes` line: %r" % line
        assert (f[0], f[1]) not in out, "route listed twice: %s %s" % (f[0], f[1])
        out[(f[0], f[1])] = int(f[2])
    assert out, "`quizd routes` printed no route"
    return out


def routes_of(stack):
    r = stack.quizd("routes")
    assert r.returncode == 0, r.stderr
    return parse_routes(r.stdout.decode())


def documented():
    return {(m, t): op for m, t, op in oc.spec().operations()}


def check_both_ways(routes):
    doc = documented()
    missing = sorted(set(routes) - set(doc))
    extra = sorted(set(doc) - set(routes))
    msg = []
    if missing:
        msg.append("routes not in docs/openapi.yaml: " + ", ".join("%s %s" % k for k in missing))
    if extra:
        msg.append("operations in docs/openapi.yaml that are not routes: " +
                   ", ".join("%s %s" % k for k in extra))
    assert not msg, "; ".join(msg)


def check_roles(routes):
    doc = documented()
    bad = []
    for key, flags in sorted(routes.items()):
        op = doc[key]
        want = oc.route_roles(flags)
        if op.get("x-roles") != want:
            bad.append("%s %s: x-roles %s, the flags (%d) say %s" % (key + (op.get("x-roles"), flags, want)))
        sec = op.get("security")
        if flags & oc.OPTIONAL_AUTH_BIT:
            want_sec = [{}, {"bearer": []}]
        elif any(r in want for r in TOKEN_ROLES):
            want_sec = [{"bearer": []}]
        else:
            want_sec = []
        if sec != want_sec:
            bad.append("%s %s: security %s, the flags say %s" % (key + (sec, want_sec)))
        if bool(op.get("x-slow")) != bool(flags & oc.SLOW_BIT):
            bad.append("%s %s: x-slow %s, the flags say %s" % (key + (op.get("x-slow"), bool(flags & oc.SLOW_BIT))))
        if bool(op.get("x-optional-auth")) != bool(flags & oc.OPTIONAL_AUTH_BIT):
            bad.append("%s %s: x-optional-auth does not match the flags" % key)
        codes = {s for s in op["responses"]}
        if any(r in want for r in TOKEN_ROLES) and not {"401", "403"} <= codes:
            bad.append("%s %s: needs a token but does not document 401 and 403" % key)
    assert not bad, "\n  ".join(["route flags and docs/openapi.yaml disagree:"] + bad)


def test_every_route_is_documented_and_every_operation_is_a_route(stack):
    check_both_ways(routes_of(stack))


def test_documented_roles_match_the_route_flags(stack):
    check_roles(routes_of(stack))


def error_codes(doc, response):
    """The codes an error response lists in its schema's enum."""
    if "$ref" in response:
        response = oc.pointer(doc, response["$ref"])
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    found = []

    def walk(n):
        if isinstance(n, dict):
            code = n.get("properties", {}).get("error", {}).get("properties", {}).get("code", {})
            found.extend(code.get("enum", []))
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)
    walk(schema)
    return found


def test_document_is_sound(stack=None):
    doc = oc.document()
    assert doc["openapi"].startswith("3.1"), doc["openapi"]
    sp = oc.spec()
    seen_ids = set()
    bad = []
    for method, template, op in sp.operations():
        where = "%s %s" % (method, template)
        if op.get("operationId") in seen_ids or not op.get("operationId"):
            bad.append("%s: missing or repeated operationId" % where)
        seen_ids.add(op.get("operationId"))
        names = set(re.findall(r"\{([^}]+)\}", template))
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        if names != declared:
            bad.append("%s: path parameters %s, declared %s" % (where, sorted(names), sorted(declared)))
        for p in op.get("parameters", []):
            jsonschema.Draft202012Validator.check_schema(oc.inline(doc, p["schema"]))
        for media in op.get("requestBody", {}).get("content", {}).values():
            jsonschema.Draft202012Validator.check_schema(oc.inline(doc, media["schema"]))
        for status, resp in op["responses"].items():
            if not re.fullmatch(r"[1-5]\d\d", status):
                bad.append("%s: response %r is not a status" % (where, status))
                continue
            resp = oc.pointer(doc, resp["$ref"]) if "$ref" in resp else resp
            for media in resp.get("content", {}).values():
                if "schema" in media:
                    jsonschema.Draft202012Validator.check_schema(oc.inline(doc, media["schema"]))
            if int(status) >= 400:
                codes = error_codes(doc, resp)
                if not codes:
                    bad.append("%s %s: an error response lists no code" % (where, status))
                if any(not re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in codes):
                    bad.append("%s %s: codes must be snake_case: %s" % (where, status, codes))
        for must in ("413", "503"):
            if must not in op["responses"]:
                bad.append("%s: every route can answer %s; document it" % (where, must))
    assert not bad, "\n  ".join(["docs/openapi.yaml:"] + bad)


# Answered for a request no operation matches, or by the dispatcher's last
# resort; the document's info names them.
GENERIC_CODES = {"not_found", "method_not_allowed", "headers_too_large", "internal"}


def test_every_error_code_the_c_code_replies_is_documented(stack=None):
    """Each literal code passed to reply_error() in the C sources (wherever
    they live) must appear in some response's list of codes."""
    doc = oc.document()
    listed = set()
    for _, _, op in oc.spec().operations():
        for resp in op["responses"].values():
            listed.update(error_codes(doc, resp))
    found = {}
    for folder, dirs, files in os.walk(oc.ROOT):
        dirs[:] = [d for d in dirs if not d.startswith((".", "build")) and d != "tests"]
        for name in files:
            if name.endswith(".c"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for code in re.findall(r'reply_error\([^,]+,\s*\d{3},\s*"([a-z0-9_]+)"', f.read()):
                        found.setdefault(code, os.path.relpath(path, oc.ROOT))
    assert len(found) > 10, "found only %d reply_error codes: has the call changed shape?" % len(found)
    missing = sorted("%s (%s)" % (c, w) for c, w in found.items() if c not in listed | GENERIC_CODES)
    assert not missing, "error codes the server sends that docs/openapi.yaml lists nowhere: " + ", ".join(missing)


def fake(status, body, ctype="application/json; charset=utf-8"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(status, [("Content-Type", ctype)], raw)


def test_the_response_check_fails_answers_that_break_the_document(stack=None):
    c = oc.ResponseChecker()
    ok_err = {"error": {"code": "invalid_code", "message": "x"}}
    # answers the document allows
    assert c.problem("GET", "/api/v1/ping", fake(200, {"pong": True})) is None
    assert c.problem("POST", "/api/v1/login", fake(400, ok_err)) is None
    busy = fake(503, {"error": {"code": "overloaded", "message": "x"}})
    busy.headers.append(("Retry-After", "1"))
    assert c.problem("GET", "/api/v1/ping", busy) is None
    assert c.problem("GET", "/api/v1/nowhere", fake(404, {"error": {"code": "not_found", "message": "x"}})) is None
    assert c.problem("GET", "/api/v1/units/7/qrcode", fake(200, b"\x89PNG", "image/png")) is None
    # and answers it does not
    cases = [
        ("GET", "/api/v1/ping", fake(200, {"pong": "yes"}), "pong"),
        ("GET", "/api/v1/ping", fake(418, {"error": {"code": "teapot", "message": "x"}}), "not documented"),
        ("POST", "/api/v1/login", fake(400, {"error": {"code": "no_such_code", "message": "x"}}), "no_such_code"),
        ("POST", "/api/v1/login", fake(400, {"error": "bad"}), "error"),
        ("POST", "/api/v1/login", fake(200, {"token": "t" * 32, "expires_in": 60}), "user"),
        ("GET", "/api/v1/units/7/qrcode", fake(200, b"x", "text/html"), "Content-Type"),
        ("GET", "/api/v1/contests", fake(200, b"{not json"), "not JSON"),
        ("GET", "/api/v1/nowhere", fake(404, {"oops": 1}), "error"),
        ("GET", "/api/v1/ping", fake(503, {"error": {"code": "overloaded", "message": "x"}}), "Retry-After"),
        ("GET", "/api/v1/contests/current?contest_id=1",
         fake(200, {"contest": {"id": 1}, "server_time": "2024-06-11T06:00:00+08:00"}), "name"),
    ]
    for method, path, resp, word in cases:
        p = c.problem(method, path, resp)
        assert p and word in p, (method, path, resp, p)
    # a body the server accepted must satisfy the documented request schema
    login = fake(200, {"token": "t" * 32, "expires_in": 60, "user": {"id": 1, "registered": False}})
    js = {"Content-Type": "application/json"}
    assert c.request_problem("POST", "/api/v1/login", login, b'{"code": "abc"}', js) is None
    p = c.request_problem("POST", "/api/v1/login", login, b'{"code": "a b"}', js)
    assert p and "request body" in p, p
    assert c.request_problem("POST", "/api/v1/login", fake(400, ok_err), b'{"code": 1}', js) is None
    # the hook raises in the caller and remembers the failure
    try:
        c("GET", "/api/v1/ping", fake(200, {}))
    except AssertionError as e:
        assert "pong" in str(e)
    else:
        raise AssertionError("the hook let a wrong answer through")
    assert len(c.failures) == 1 and c.checked == 1


def test_documented_answers_the_other_suites_do_not_reach(stack):
    """A few documented statuses nothing else asks for; the runner's check
    validates each answer against the document as it arrives."""
    from quiz_helpers import organizer_token
    r = stack.put("/api/v1/__test/clock", {"now": "not a time"})
    assert r.status == 400 and r.json["error"]["code"] == "invalid_time", r
    # a slug another contest holds: refused, nothing changes
    rows = stack.sql("SELECT id, slug FROM contests WHERE slug IN ('shuian', 'liuxiang') ORDER BY slug")
    assert len(rows) == 2, rows
    org = organizer_token(stack)
    r = stack.put("admin/contests/%s" % rows[0][0], {"slug": rows[1][1]}, token=org)
    assert r.status == 409 and r.json["error"]["code"] == "contest_exists", r
    assert stack.sql("SELECT slug FROM contests WHERE id = %s" % rows[0][0]) == [[rows[0][1]]]
    # bodies over the route's limit, from nginx: a GET and a JSON route
    r = stack.request("GET", "/api/v1/ping", raw=b"x" * (2 << 20))
    assert r.status == 413 and r.json["error"]["code"] == "body_too_large", r
    user, _ = stack.login()
    r = stack.request("POST", "/api/v1/me/phone", raw=b"{" + b" " * (32 << 10) + b"}", token=user,
                      headers={"Content-Type": "application/json"})
    assert r.status == 413 and r.json["error"]["code"] == "body_too_large", r


# Run by `python3 tests/integration/test_openapi.py [build]` without a stack.
STANDALONE = ("test_document_is_sound", "test_documented_roles_match_the_route_flags",
              "test_every_error_code_the_c_code_replies_is_documented",
              "test_every_route_is_documented_and_every_operation_is_a_route",
              "test_the_response_check_fails_answers_that_break_the_document")


class _Binary:
    """What the tests need of a stack, from a build folder alone."""

    def __init__(self, build):
        self.build = build

    def quizd(self, *args):
        return subprocess.run([os.path.join(self.build, "quizd")] + list(args), capture_output=True)


if __name__ == "__main__":
    b = _Binary(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build"))
    n = failed = 0
    for name, fn in sorted(globals().items()):
        if name in STANDALONE:
            n += 1
            try:
                fn(b)
                print("ok    " + name)
            except Exception as e:  # report every failure, then the summary
                failed += 1
                print("FAIL  %s: %s" % (name, e))
    print("%d passed, %d failed" % (n - failed, failed))
    sys.exit(1 if failed else 0)
