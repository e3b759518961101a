"""No secret or personal datum reaches a log. Runs last, over every log the
stack wrote during the whole suite: it makes its own traffic with known
values (tokens, openids, phone numbers, a password, a console code, real
names, a unit's contact name and phone), also through the error paths that
log, then scans every log for them and for the stack's own secrets."""
import re
import secrets
import time

__order__ = 99

PASSWORD = "leak-check-password-77"


def test_logs_hold_no_tokens_keys_or_personal_data(stack):
    needles = {}          # text -> what it is

    def keep(value, what):
        assert value and len(value.encode()) >= 6, (what, value)
        needles[value] = what

    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:*')) do redis.call('DEL', k) end", "0")
    users = []
    for i in range(4):
        openid = "o" + secrets.token_hex(8)
        code = "test:%s:%s" % (openid, secrets.token_hex(4))
        r = stack.post("login", {"code": code})
        assert r.status == 200, r
        token, uid = r.json["token"], r.json["user"]["id"]
        keep(openid, "openid")
        keep(code, "login code")
        keep(token, "user token")
        users.append((openid, token, uid))
        # the same code again (replayed reply)
        assert stack.post("login", {"code": code}).json["token"] == token

    # phone by code, by encrypted data, and the refusals that log
    for i, (openid, token, _) in enumerate(users):
        phone = "1365%07d" % secrets.randbelow(10 ** 7)
        keep(phone, "phone number")
        if i % 2 == 0:
            r = stack.post("me/phone", {"code": "phone:" + phone}, token=token)
        else:
            enc = stack.sim("POST", "/__sim/encrypt", {"openid": openid, "data": {
                "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}})
            keep(enc["encrypted_data"], "encrypted data")
            r = stack.post("me/phone", enc, token=token)
        assert r.status == 200, r
    garbage = stack.sim("POST", "/__sim/encrypt", {"openid": users[0][0], "data": "junk"})
    assert stack.post("me/phone", garbage, token=users[0][1]).status == 400
    stack.sim("POST", "/__sim/faults", {"path": "/sns/jscode2session", "errcode": -1, "count": 3})
    code = "test:%s:%s" % (users[1][0], secrets.token_hex(4))
    keep(code, "login code")
    assert stack.post("login", {"code": code}).status == 503
    stack.sim("POST", "/__sim/faults", {"path": "/sns/jscode2session", "errcode": "drop"})
    assert stack.post("login", {"code": code}).status == 503

    # an organizer, and a unit admin's console code
    name = "leak" + secrets.token_hex(4)
    assert stack.quizd("organizer-add", name, input=(PASSWORD + "\n").encode()).returncode == 0
    keep(PASSWORD, "organizer password")
    assert stack.post("admin/login", {"username": name, "password": PASSWORD + "x"}).status == 401
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 200, r
    keep(r.json["token"], "organizer token")
    openid, _, uid = users[2]
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = 77 WHERE id = %d" % uid)
    app_token = stack.post("login", {"code": "test:%s:%s" % (openid, secrets.token_hex(4))}).json["token"]
    keep(app_token, "user token")
    r = stack.post("me/console-code", {}, token=app_token)
    assert r.status == 200, r
    keep(r.json["code"], "console code")
    r = stack.post("admin/login", {"code": r.json["code"]})
    assert r.status == 200, r
    keep(r.json["token"], "console token")

    # real names and a unit's contact (name and phone): registered through
    # the API, also with a refusal that logs, and a name correction
    from units_helpers import BEFORE, make_contest, register_unit, token as rare
    cid = make_contest(stack)
    stack.set_clock(iso=BEFORE)
    try:
        contact, contact_phone = rare(2) + rare(2), "1391%07d" % secrets.randbelow(10 ** 7)
        keep(contact, "contact name")
        keep(contact_phone, "contact phone")
        unit = register_unit(stack, users[3][1], cid, contact_name=contact, contact_phone=contact_phone)
        for i, (_, token, _) in enumerate(users[:2]):
            real = rare(3)
            keep(real, "real name")
            body = {"real_name": real, "region_code": "140404", "unit_id": unit["id"], "is_unit_leader": False,
                    "contest_id": cid, "consent_version": stack.get("privacy").json["version"]}
            assert stack.put("me/profile", dict(body, unit_id=999999999), token=token).status == 404
            assert stack.put("me/profile", body, token=token).status == 200
            fixed = rare(3)
            keep(fixed, "real name")
            assert stack.put("me/profile", dict(body, real_name=fixed), token=token).status == 200
        assert stack.get("me", token=users[0][1]).status == 200
        # the privacy routes (issue 14): a profile with a real name after the
        # consent, the person's data, a logout, and a withdrawal; duplicates,
        # a new notice and a purge by organizers
        openid = "o" + secrets.token_hex(8)
        r = stack.post("login", {"code": "test:%s:%s" % (openid, secrets.token_hex(4))})
        token, uid = r.json["token"], r.json["user"]["id"]
        keep(openid, "openid")
        keep(token, "user token")
        unit = register_unit(stack, token, cid, type="water_admin", headcount=3)
        real_name = "司徒" + "".join(secrets.choice("明华建国志强秀英") for _ in range(2))
        # four characters, twelve bytes of UTF-8: specific enough as a needle
        assert len(real_name.encode()) == 12, real_name
        needles[real_name] = "real name"
        phone = "1357%07d" % secrets.randbelow(10 ** 7)
        keep(phone, "phone number")
        assert stack.post("me/phone", {"code": "phone:" + phone}, token=token).status == 200
        version = stack.get("privacy").json["version"]
        body = {"real_name": real_name, "region_code": "140404", "unit_id": unit["id"],
                "is_unit_leader": False, "contest_id": cid}
        assert stack.put("me/profile", body, token=token).status == 400          # consent_required
        body["consent_version"] = version
        assert stack.put("me/profile", body, token=token).status == 200
        assert stack.get("me/data", token=token).status == 200
        r = stack.post("login", {"code": "test:%s:%s" % (openid, secrets.token_hex(4))})
        second = r.json["token"]
        keep(second, "user token")
        assert stack.post("logout", token=second).status == 204
        org = stack.post("admin/login", {"username": name, "password": PASSWORD}).json["token"]
        keep(org, "organizer token")
        assert stack.get("admin/duplicates", token=org).status == 200
        assert stack.request("DELETE", "me", body={"confirm": False}, token=token).status == 400
        assert stack.request("DELETE", "me", body={"confirm": True}, token=token).status == 204
        assert stack.quizd("purge-personal-data", "--contest", str(cid)).returncode in (0, 3)
        assert stack.post("logout", token=org).status == 204
    finally:
        stack.set_clock(offset_s=0)

    # a web sign-in by scanning (issue 13): the page's poll secret and token
    stack.redis("EVAL", "for _, k in ipairs(redis.call('KEYS', 'rl:web-sess:*')) do redis.call('DEL', k) end", "0")
    r = stack.post("web/sessions")
    assert r.status == 201, r
    ws = r.json
    keep(ws["poll_secret"], "web sign-in poll secret")
    assert stack.get(ws["qrcode_url"]).status == 200
    assert stack.post("me/web-sessions/%s/confirm" % ws["session_id"], token=app_token).status == 204
    r = stack.get("web/sessions/%s?secret=%s" % (ws["session_id"], ws["poll_secret"]))
    assert r.status == 200 and r.json["token"], r
    keep(r.json["token"], "web session token")
    assert stack.get("me", token=r.json["token"]).status == 200

    # the stack's own secrets
    keep(stack.sim_secret, "WeChat app secret")
    keep(stack.phone_key, "sealing key")
    keep(stack.db_password, "database password")
    keep(stack.redis_password, "Redis password")

    # A running server gathers its request lines and writes them every 200 ms
    # (server/log.h); a graceful stop writes them all, so the scan below
    # sees every line this test's traffic made.
    for i in range(stack.nservers):
        stack.stop_server(i)
    for i in range(stack.nservers):
        stack.start_server(i)
    end = time.time() + 30
    while stack.get("/api/v1/ping").status != 200:
        assert time.time() < end, "the servers are not back behind nginx"
        time.sleep(0.1)

    found = []
    # WeChat session keys: base64 of 16 bytes, as WeChat sends them
    session_key = re.compile(rb"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{22}==")
    for fname, data in stack.logs():
        for needle, what in needles.items():
            if needle.encode() in data:
                found.append("%s in %s" % (what, fname))
        if fname.startswith("quizd"):
            m = session_key.search(data)
            if m:
                found.append("something shaped like a session key in %s: %r" % (fname, m.group(0)[:6]))
            if b"session_key" in data:
                found.append("the word session_key in %s" % fname)
    assert not found, "\n".join(sorted(set(found)))
    assert any(f.startswith("quizd") for f, _ in stack.logs())
