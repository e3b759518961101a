"""Every route that needs a role refuses callers without it: 401 without a
valid token, 403 with a token of another role. The routes come from the
server's own table (`quizd routes`), so routes added later are covered
without touching this file."""
import re
import secrets

__order__ = 60

R_USER, R_UNIT_ADMIN, R_ORGANIZER = 1, 2, 4
R_OPTIONAL_AUTH, R_TEST = 1024, 2048
ROLE_BITS = R_USER | R_UNIT_ADMIN | R_ORGANIZER
PASSWORD = "roles-test-password-1"


def routes(stack):
    p = stack.quizd("routes")
    assert p.returncode == 0, p
    out = []
    for line in p.stdout.decode().splitlines():
        method, pattern, flags = line.split()
        out.append((method, pattern, int(flags)))
    assert out, "no routes"
    return out


def concrete(pattern):
    return re.sub(r"\{[^/}]+\}", "1", pattern)


def call(stack, method, path, token=None):
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return stack.request(method, path, body=body, token=token)


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and "error" in j, r
    return j["error"]["code"]


def tokens(stack):
    """One token per role: a plain user, a unit admin's console session and
    an organizer."""
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:*')) do redis.call('DEL', k) end", "0")
    user, _ = stack.login()

    openid = "o" + secrets.token_hex(8)
    _, u = stack.login(openid)
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = 424242 WHERE id = %d" % u["id"])
    admin_app, _ = stack.login(openid)
    r = stack.post("me/console-code", {}, token=admin_app)
    assert r.status == 200, r
    r = stack.post("admin/login", {"code": r.json["code"]})
    assert r.status == 200 and r.json["role"] == "unit_admin", r
    console = r.json["token"]

    name = "roles" + secrets.token_hex(4)
    p = stack.quizd("organizer-add", name, input=(PASSWORD + "\n").encode())
    assert p.returncode == 0, p
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 200 and r.json["role"] == "organizer", r
    return {R_USER: user, R_UNIT_ADMIN: console, R_ORGANIZER: r.json["token"]}


def test_role_routes_refuse_missing_and_wrong_tokens(stack):
    toks = tokens(stack)
    checked = 0
    problems = []
    for method, pattern, flags in routes(stack):
        needed = flags & ROLE_BITS
        if not needed:
            continue
        path = concrete(pattern)
        for label, tok in (("no token", None), ("bad token", "x" * 43)):
            r = call(stack, method, path, tok)
            if r.status != 401 or error_code(r) != "unauthorized":
                problems.append("%s %s with %s: %s" % (method, pattern, label, r))
        for role, tok in toks.items():
            if role & needed:
                continue        # admitted: the handler would run; not this test's business
            r = call(stack, method, path, tok)
            if r.status != 403 or error_code(r) != "forbidden":
                problems.append("%s %s with role %d: %s" % (method, pattern, role, r))
        checked += 1
    assert not problems, "\n".join(problems)
    # the login issue's own role routes are in the table
    assert checked >= 2, checked


def test_public_routes_ignore_a_bad_token_when_optional(stack):
    """A public route that reads a token when given must not turn a stale
    token into a 401: the mini-program sends whatever it has stored."""
    problems, checked = [], []
    for method, pattern, flags in routes(stack):
        if flags & ROLE_BITS or not flags & R_OPTIONAL_AUTH or method != "GET":
            continue
        checked.append(pattern)
        anonymous = call(stack, method, concrete(pattern), None)
        r = call(stack, method, concrete(pattern), "x" * 43)
        # the stale token changes nothing: the same answer as no token
        if r.status == 401 or r.status != anonymous.status:
            problems.append("%s %s: %s (without a token: %s)" % (method, pattern, r, anonymous))
    assert not problems, "\n".join(problems)
    # the routes the contract marks optional are among those checked
    assert "/api/v1/leaderboards/individual" in checked, checked


def test_routes_listing_matches_the_known_login_routes(stack):
    table = {(m, p): f for m, p, f in routes(stack)}
    assert table[("POST", "/api/v1/login")] & ROLE_BITS == 0
    assert table[("POST", "/api/v1/me/phone")] & ROLE_BITS == R_USER
    assert table[("POST", "/api/v1/me/console-code")] & ROLE_BITS == R_UNIT_ADMIN
    assert table[("POST", "/api/v1/admin/login")] & ROLE_BITS == 0


def test_nationwide_routes_refuse_a_regional_organizer(stack):
    # Routes flagged R_NATIONWIDE (4096) change what every region shares —
    # contests and the question bank — so an organizer for one province
    # gets 403, while a nationwide organizer passes the role check.
    name = "regional" + secrets.token_hex(3)
    p = stack.quizd("organizer-add", name, "140000", input=(PASSWORD + "\n").encode())
    assert p.returncode == 0, p.stderr
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 200 and r.json["region_code"] == "140000", r
    regional = r.json["token"]
    nationwide = tokens(stack)[R_ORGANIZER]
    flagged = [(m, pat) for m, pat, flags in routes(stack) if int(flags) & 4096]
    assert len(flagged) >= 4, flagged
    for method, pattern in flagged:
        r = call(stack, method, concrete(pattern), regional)
        assert r.status == 403 and error_code(r) == "forbidden", (method, pattern, r)
        r = call(stack, method, concrete(pattern), nationwide)
        assert r.status != 403, (method, pattern, r)


def test_routes_listing_has_the_web_and_sixmech_routes(stack):
    # issue 13: the web sign-in is public but for the confirm (a user's);
    # attempts and materials are the caller's; materials admin, organizers'
    table = {(m, p): f & ROLE_BITS for m, p, f in routes(stack)}
    assert table[("POST", "/api/v1/web/sessions")] == 0
    assert table[("GET", "/api/v1/web/sessions/{id}")] == 0
    assert table[("GET", "/api/v1/web/sessions/{id}/qrcode")] == 0
    assert table[("POST", "/api/v1/me/web-sessions/{id}/confirm")] == R_USER
    assert table[("GET", "/api/v1/attempts")] == R_USER
    assert table[("GET", "/api/v1/attempts/{id}")] == R_USER
    assert table[("GET", "/api/v1/materials")] == 0
    assert table[("POST", "/api/v1/admin/materials")] == R_ORGANIZER
    assert table[("DELETE", "/api/v1/admin/materials/{id}")] == R_ORGANIZER
