"""Personal data (PIPL, issue 14): the privacy notice (GET /privacy, a new
version by an organizer), consent in PUT /me/profile, GET /me/data,
DELETE /me (boards and totals unchanged, the person anonymous), the purge
after a contest's retention, one phone number per account and the
organizers' list of likely duplicates."""
import secrets
import threading

from boards_helpers import START, World
from units_helpers import BEFORE, make_contest, person_name, register_unit

__order__ = 45

PASSWORD = "privacy-test-password-1"


def error_code(r):
    j = r.json
    assert isinstance(j, dict) and set(j) == {"error"}, r
    return j["error"]["code"]


def organizer(stack, area=None):
    name = "priv" + secrets.token_hex(4)
    args = ["organizer-add", name] + ([area] if area else [])
    p = stack.quizd(*args, input=(PASSWORD + "\n").encode())
    assert p.returncode == 0, p.stderr
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 200, r
    return r.json["token"]


def phone_body(stack, uid, phone):
    """POST /me/phone's older form (encryptedData), which, unlike a
    single-use getPhoneNumber code, can carry one number to many accounts."""
    openid = stack.sql("SELECT openid FROM users WHERE id = %d" % uid)[0][0]
    return stack.sim("POST", "/__sim/encrypt", {"openid": openid, "data": {
        "phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}})


def notice(stack):
    r = stack.get("privacy")
    assert r.status == 200, r
    return r.json


def registration(stack):
    """A private contest open for registration, and a water unit in it."""
    cid = make_contest(stack)
    stack.set_clock(iso=BEFORE)
    tok, _ = stack.login()
    unit = register_unit(stack, tok, cid, type="water_admin", headcount=4)
    return cid, unit


def body(cid, unit, **kw):
    b = {"real_name": person_name(), "region_code": "140404", "unit_id": unit["id"],
         "is_unit_leader": False, "contest_id": cid}
    b.update(kw)
    return b


def test_the_notice_says_what_the_law_asks(stack):
    n = notice(stack)
    assert isinstance(n["version"], int) and n["version"] >= 1, n
    text = n["text"]
    for words in ("收集", "微信", "内容安全", "180天", "注销", "撤回", "我的数据"):
        assert words in text, words
    assert stack.get("privacy").json == n       # no token needed


def test_consent_missing_old_and_current(stack):
    try:
        cid, unit = registration(stack)
        tok, user = stack.login()
        b = body(cid, unit)
        r = stack.put("me/profile", b, token=tok)
        assert r.status == 400 and error_code(r) == "consent_required", r
        assert stack.sql("SELECT COUNT(*) FROM profiles WHERE user_id = %d" % user["id"]) == [["0"]]
        cur = notice(stack)["version"]
        for wrong in (cur - 1, cur + 1, str(cur), None, True):
            r = stack.put("me/profile", dict(b, consent_version=wrong), token=tok)
            assert r.status == 400 and error_code(r) == "consent_required", (wrong, r)
        r = stack.put("me/profile", dict(b, consent_version=cur), token=tok)
        assert r.status == 200, r
        rows = stack.sql("SELECT version, accepted_at > 0 FROM consents WHERE user_id = %d" % user["id"])
        assert rows == [[str(cur), "1"]], rows
        # accepted once: later changes need not send it again
        r = stack.put("me/profile", dict(b, position="科员"), token=tok)
        assert r.status == 200, r

        # an organizer publishes a new notice: recorded, and asked again
        org = organizer(stack)
        text = notice(stack)["text"] + "\n\n（修订：增加了证书下载的说明。）"
        r = stack.put("admin/privacy", {"text": text}, token=org)
        assert r.status == 200 and r.json["version"] > cur and r.json["text"] == text, r
        new = r.json["version"]
        assert notice(stack) == {"version": new, "text": text}
        logged = stack.sql("SELECT COUNT(*) FROM privacy_log WHERE action = 'notice' AND affected = %d"
                           " AND organizer_id IS NOT NULL" % new)
        assert logged == [["1"]], logged
        r = stack.put("me/profile", dict(b, position="主任科员"), token=tok)
        assert r.status == 400 and error_code(r) == "consent_required", r
        r = stack.put("me/profile", dict(b, position="主任科员", consent_version=cur), token=tok)
        assert r.status == 400 and error_code(r) == "consent_required", r
        r = stack.put("me/profile", dict(b, position="主任科员", consent_version=new), token=tok)
        assert r.status == 200 and r.json["profile"]["position"] == "主任科员", r
        rows = stack.sql("SELECT version FROM consents WHERE user_id = %d ORDER BY version" % user["id"])
        assert rows == [[str(cur)], [str(new)]], rows
        # only a nationwide organizer publishes; bad text is refused
        assert stack.put("admin/privacy", {"text": "short"}, token=org).status == 400
        assert stack.put("admin/privacy", {"text": text}, token=tok).status == 403
        regional = organizer(stack, "140000")
        assert stack.put("admin/privacy", {"text": text}, token=regional).status == 403
    finally:
        stack.set_clock(offset_s=0)


def test_me_data_holds_what_the_person_entered(stack):
    try:
        cid, unit = registration(stack)
        openid = "o" + secrets.token_hex(8)
        tok, user = stack.login(openid)
        name = person_name()
        phone = "1355%07d" % secrets.randbelow(10 ** 7)
        assert stack.post("me/phone", {"code": "phone:" + phone}, token=tok).status == 200
        b = body(cid, unit, real_name=name, position="工程师",
                 consent_version=notice(stack)["version"])
        assert stack.put("me/profile", b, token=tok).status == 200
        assert stack.post("me/subscriptions", {"template": "result"}, token=tok).status == 204
        r = stack.get("me/data", token=tok)
        assert r.status == 200, r
        d = r.json
        # what the prizes engine holds: nothing won yet, the subscription accepted
        assert d["prizes"] == [] and d["certificates"] == [] and d["video_receipts"] == [], d
        assert [x["template"] for x in d["subscriptions"]] == ["result"], d
        assert d["check_ins"] == [], d
        assert d["account"]["id"] == user["id"] and d["account"]["openid"] == openid, d
        assert d["account"]["phone_masked"] == phone[:3] + "****" + phone[-4:], d
        assert phone not in r.body.decode()          # masked, never the number
        assert d["profile"]["real_name"] == name and d["profile"]["position"] == "工程师", d
        assert d["profile"]["unit_id"] == unit["id"], d
        assert [c["version"] for c in d["consents"]] == [notice(stack)["version"]], d
        for key in ("scores", "attempts", "name_changes", "units_registered", "content_reviews"):
            assert isinstance(d[key], list), key
        assert stack.get("me/data").status == 401
    finally:
        stack.set_clock(offset_s=0)


def test_delete_me_keeps_the_boards_and_erases_the_person(stack):
    w = World(stack)
    u1 = w.unit("注销测试水务局" + secrets.token_hex(2), "140404", headcount=5)
    u2 = w.unit("注销测试供水公司" + secrets.token_hex(2), "140105", headcount=5)
    name = "欧阳" + person_name()[-2:]
    tok, uid = w.member(u1, "140404", name=name)
    other_tok, other = w.member(u1, "140404", name=person_name())
    third = w.person(u2, "140105", name=person_name())
    phone = "1366%07d" % secrets.randbelow(10 ** 7)
    assert stack.post("me/phone", {"code": "phone:" + phone}, token=tok).status == 200
    w.submit(uid, 85, 100)
    w.submit(other, 70, 200)
    w.submit(third, 90, 300)
    w.settle()
    before = w.snapshot()
    mine = [e for e in before["people"] if e[1] == uid]
    assert len(mine) == 1 and mine[0][3] != "已注销", before["people"]

    r = stack.request("DELETE", "me", body={}, token=tok)
    assert r.status == 400 and error_code(r) == "confirmation_required", r
    r = stack.request("DELETE", "me", body={"confirm": "yes"}, token=tok)
    assert r.status == 400 and error_code(r) == "confirmation_required", r
    assert stack.get("me", token=tok).status == 200
    r = stack.request("DELETE", "me", body={"confirm": True}, token=tok)
    assert r.status == 204, r

    # the token is dead everywhere, the person's data gone from MariaDB
    assert stack.get("me", token=tok).status == 401
    assert stack.get("me/data", token=tok).status == 401
    row = stack.sql("SELECT openid, IFNULL(unionid, '-'), IFNULL(phone_sealed, '-'),"
                    " IFNULL(phone_masked, '-'), IFNULL(phone_hash, '-'), erased_at IS NOT NULL"
                    " FROM users WHERE id = %d" % uid)
    assert row == [["erased:%d" % uid, "-", "-", "-", "-", "1"]], row
    assert stack.sql("SELECT real_name FROM profiles WHERE user_id = %d" % uid) == [["已注销"]]
    assert stack.sql("SELECT COUNT(*) FROM sessions WHERE user_id = %d" % uid) == [["0"]]
    assert stack.sql("SELECT COUNT(*) FROM privacy_log WHERE action = 'erase' AND user_id = %d"
                     % uid) == [["1"]]

    # boards: the same scores, ranks and totals; the person shown as 已注销
    after = w.snapshot()
    assert [e[:3] + e[4:] for e in after["people"]] == [e[:3] + e[4:] for e in before["people"]]
    assert [e[3] for e in after["people"] if e[1] == uid] == ["已注销"], after["people"]
    assert [e for e in after["people"] if e[1] != uid] == [e for e in before["people"] if e[1] != uid]
    for k in before:
        if k != "people":
            assert after[k] == before[k], k
    assert name not in str(after)
    # the boards rebuilt from MariaDB agree, and the check passes
    code, out = w.check()
    assert code == 0, out
    assert stack.quizd("rebuild-boards", str(w.id)).returncode == 0
    assert w.snapshot() == after
    # the phone number is free again for another account
    r = stack.post("me/phone", phone_body(stack, other, phone), token=other_tok)
    assert r.status == 200, r


def test_one_phone_number_one_account(stack):
    phone = "1377%07d" % secrets.randbelow(10 ** 7)
    a, ua = stack.login()
    b, ub = stack.login()
    r = stack.post("me/phone", {"code": "phone:" + phone}, token=a)
    assert r.status == 200, r
    r = stack.post("me/phone", phone_body(stack, ub["id"], phone), token=b)
    assert r.status == 409 and error_code(r) == "phone_in_use", r
    # the same account again is fine; the number stays sealed, its hash keyed
    assert stack.post("me/phone", phone_body(stack, ua["id"], phone), token=a).status == 200
    rows = stack.sql("SELECT id, phone_hash, phone_sealed FROM users WHERE id IN (%d, %d) ORDER BY id"
                     % (ua["id"], ub["id"]))
    assert rows[0][1] != "NULL" and len(rows[0][1]) == 64 and rows[1][1] == "NULL", rows
    assert phone not in str(rows)
    assert stack.sql("SELECT COUNT(*) FROM users WHERE phone_hash = '%s'" % rows[0][1]) == [["1"]]
    # two accounts verifying one new number at once: one wins
    phone2 = "1378%07d" % secrets.randbelow(10 ** 7)
    people = [stack.login() for _ in range(6)]
    bodies = [phone_body(stack, u["id"], phone2) for _, u in people]
    out = [None] * len(people)

    def go(i):
        out[i] = stack.post("me/phone", bodies[i], token=people[i][0]).status
    ts = [threading.Thread(target=go, args=(i,)) for i in range(len(people))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert sorted(out) == [200] + [409] * 5, out


def test_organizers_list_likely_duplicates(stack):
    w = World(stack)
    unit = w.unit("重复测试水务局" + secrets.token_hex(2), "140404")
    other = w.unit("重复测试水务局" + secrets.token_hex(2), "110101")
    name = person_name()
    ids = sorted(w.person(unit, "140404", name=name) for _ in range(3))
    w.person(unit, "140404", name=person_name())          # another name: not a duplicate
    w.person(other, "110101", name=name)                  # same name, another unit: not one
    org = organizer(stack)
    found, off = None, 0
    while found is None:
        r = stack.get("admin/duplicates?limit=100&offset=%d" % off, token=org)
        assert r.status == 200, r
        for d in r.json["duplicates"]:
            if d["unit_id"] == unit and d["real_name"] == name:
                found = d
        off += 100
        if off >= r.json["total"]:
            break
    assert found and found["user_ids"] == ids and found["phones_verified"] == 0, found
    assert not any(d["unit_id"] == other and d["real_name"] == name for d in r.json["duplicates"])
    # an organizer of another province does not see this unit
    beijing = organizer(stack, "110000")
    r = stack.get("admin/duplicates?limit=100", token=beijing)
    assert r.status == 200 and all(d["unit_id"] != unit for d in r.json["duplicates"]), r
    assert stack.get("admin/duplicates?offset=-1", token=org).status == 400
    user, _ = stack.login()
    assert stack.get("admin/duplicates", token=user).status == 403


def test_purge_before_and_after_its_time(stack):
    w = World(stack)
    unit = w.unit("清理测试水务局" + secrets.token_hex(2), "140404")
    name = person_name()
    tok, uid = w.member(unit, "140404", name=name)
    keep = w.person(unit, "140404", name=person_name())
    w.submit(uid, 60, 10)
    w.submit(keep, 50, 20)
    w.settle()
    # `keep` also answers a contest that has not ended: kept whole
    w2 = World(stack)
    w2.people[keep] = w.people[keep]          # the same person answers the second contest
    w2.submit(keep, 40, 30)
    w2.flush()
    stack.sql("UPDATE contests SET ends_at = %d WHERE id = %d" % (START + 30 * 86400, w2.id))

    # ended ten days ago: too early
    stack.sql("UPDATE contests SET ends_at = UNIX_TIMESTAMP() - 10 * 86400 WHERE id = %d" % w.id)
    p = stack.quizd("purge-personal-data", "--contest", str(w.id))
    assert p.returncode == 3 and b"nothing erased" in p.stdout, p
    assert stack.sql("SELECT real_name FROM profiles WHERE user_id = %d" % uid) == [[name]]
    assert stack.get("me", token=tok).status == 200

    # ended 181 days ago: erased, recorded, scores kept
    stack.sql("UPDATE contests SET ends_at = UNIX_TIMESTAMP() - 181 * 86400 WHERE id = %d" % w.id)
    stack.sql("UPDATE contests SET ends_at = UNIX_TIMESTAMP() + 86400 WHERE id = %d" % w2.id)
    p = stack.quizd("purge-personal-data", "--contest", str(w.id))
    assert p.returncode == 0 and b"of 1 people erased" in p.stdout, p
    assert stack.sql("SELECT real_name FROM profiles WHERE user_id = %d" % uid) == [["已注销"]]
    assert stack.sql("SELECT real_name <> '已注销' FROM profiles WHERE user_id = %d" % keep) == [["1"]]
    assert stack.get("me", token=tok).status == 401
    assert stack.sql("SELECT score FROM contest_scores WHERE contest_id = %d AND user_id = %d"
                     % (w.id, uid)) == [["60"]]
    assert stack.sql("SELECT affected FROM privacy_log WHERE action = 'purge' AND contest_id = %d"
                     % w.id) == [["1"]]
    names = [e["name"] for e in w.all_people()]
    assert "已注销" in names and name not in str(names), names
    # again: nobody is erased twice
    p = stack.quizd("purge-personal-data", "--contest", str(w.id))
    assert p.returncode == 0 and b"of 0 people erased" in p.stdout, p
    assert stack.quizd("purge-personal-data", "--contest", "x").returncode == 2
    assert stack.quizd("purge-personal-data", "--contest", "999999999").returncode == 2


def test_delete_me_erases_contacts_receipts_applications_and_certificates(stack):
    """DELETE /me erases what the person entered beyond the account and profile: the contact
    named for a unit they registered, their video receipts' contacts and authors, their unit
    admin applications and uploads, the name on their certificates (and its PDF) and on the
    winners' list; the rows stay, so counts and awards do not move."""
    import os
    try:
        cid, unit = registration(stack)
        tok, user = stack.login()
        uid = user["id"]
        assert stack.put("me/profile", body(cid, unit, consent_version=notice(stack)["version"]),
                         token=tok).status == 200
        contact, phone = "司马" + person_name()[-2:], "1377%07d" % secrets.randbelow(10 ** 7)
        # 待审: WeChat asks for a review, so the contact's name waits in the review list too
        mine = register_unit(stack, tok, cid, name="待审%s水利局" % secrets.token_hex(3),
                             contact_name=contact, contact_phone=phone)
        author, vphone = "上官" + person_name()[-2:], "1388%07d" % secrets.randbelow(10 ** 7)
        url = "https://www.douyin.com/video/7%018d" % secrets.randbelow(10 ** 18)
        r = stack.post("videos", {"unit_name": "太原市水务局", "contact_name": contact,
                                  "contact_phone": vphone, "items": [{
                                      "title": "汛期安全第一课", "url": url, "author": author,
                                      "author_unit": "太原市水务局"}]}, token=tok)
        assert r.status == 201, r
        rid = r.json["receipt_id"]
        stack.sql("INSERT INTO uploads (user_id, media_type, size, sha256, data, created_at) VALUES"
                  " (%d, 'image/png', 4, REPEAT('a', 64), 'scan', 0)" % uid)
        up = int(stack.sql("SELECT MAX(id) FROM uploads WHERE user_id = %d" % uid)[0][0])
        stack.sql("INSERT INTO admin_applications (unit_id, user_id, applicant_name, phone_sealed,"
                  " phone_masked, certificate_upload_id, authorization_upload_id, state, created_at)"
                  " VALUES (%d, %d, '%s', 'sealed-x', '137****0000', %d, %d, 'rejected', 0)"
                  % (unit["id"], uid, contact, up, up))
        serial = "T" + secrets.token_hex(8).upper()
        stack.sql("INSERT INTO certificates (serial, contest_id, user_id, phone_id, real_name, unit_name,"
                  " contest_name, score, hours, issued_at) VALUES ('%s', %d, %d, REPEAT('b', 64), '%s',"
                  " '测试水务局', '测试竞赛', 90, 2, 0)" % (serial, cid, uid, contact))
        pdf = os.path.join(stack.dir, "data", "certificates", serial + ".pdf")
        os.makedirs(os.path.dirname(pdf), exist_ok=True)
        with open(pdf, "wb") as f:
            f.write(b"%PDF-1.4 " + contact.encode())
        stack.sql("INSERT INTO prize_winners (contest_id, user_id, prize_group, prize_name, position,"
                  " by_draw, name_masked, unit_name, phone_verified, created_at) VALUES"
                  " (%d, %d, 0, '一等奖', 1, 0, '司*', '测试水务局', 0, 0)" % (cid, uid))

        # GET /me/data lists each of them
        d = stack.get("me/data", token=tok).json
        assert [(x["unit_id"], x["contact_name"]) for x in d["units_registered"]] == \
            [(mine["id"], contact)], d["units_registered"]
        assert [(x["receipt_id"], x["contact_name"]) for x in d["video_receipts"]] == [(rid, contact)], d
        assert [x["author"] for x in d["video_items"]] == [author], d
        assert [(x["applicant_name"], x["unit_id"]) for x in d["admin_applications"]] == \
            [(contact, unit["id"])], d
        assert [x["upload_id"] for x in d["uploads"]] == [up], d
        assert [(x["serial"], x["real_name"]) for x in d["certificates"]] == [(serial, contact)], d
        assert [x["name_masked"] for x in d["prizes"]] == ["司*"], d
        assert contact in [x["content"] for x in d["content_reviews"]], d["content_reviews"]

        counts = "SELECT (SELECT COUNT(*) FROM units), (SELECT COUNT(*) FROM video_receipts)," \
                 " (SELECT COUNT(*) FROM video_items), (SELECT COUNT(*) FROM certificates)," \
                 " (SELECT COUNT(*) FROM prize_winners), (SELECT COUNT(*) FROM admin_applications)"
        before = stack.sql(counts)
        assert stack.request("DELETE", "me", body={"confirm": True}, token=tok).status == 204

        row = stack.sql("SELECT contact_name, IFNULL(contact_phone_sealed, '-'), name FROM units"
                        " WHERE id = %d" % mine["id"])
        assert row == [["", "-", mine["name"]]], row
        assert stack.sql("SELECT contact_name, contact_phone_sealed, contact_phone_masked FROM"
                         " video_receipts WHERE id = %d" % rid) == [["已注销", "", ""]]
        assert stack.sql("SELECT author, title, url FROM video_items WHERE receipt_id = %d" % rid) == \
            [["已注销", "汛期安全第一课", url]]
        assert stack.sql("SELECT applicant_name, phone_sealed, phone_masked FROM admin_applications"
                         " WHERE user_id = %d" % uid) == [["已注销", "", ""]]
        assert stack.sql("SELECT size, LENGTH(data) FROM uploads WHERE id = %d" % up) == [["0", "0"]]
        assert stack.sql("SELECT real_name, phone_id = CONCAT('erased:', serial) FROM certificates"
                         " WHERE serial = '%s'" % serial) == [["已注销", "1"]]
        assert not os.path.exists(pdf)
        assert stack.sql("SELECT name_masked FROM prize_winners WHERE contest_id = %d AND user_id = %d"
                         % (cid, uid)) == [["已注销"]]
        assert stack.sql("SELECT COUNT(*) FROM content_reviews WHERE content IN ('%s', '%s')"
                         % (contact, author)) == [["0"]]
        # the rows stay: counts, works and awards do not move
        assert stack.sql(counts) == before
        # the contact's name and the phone numbers are nowhere in those tables
        for table, cols in (("units", "contact_name"), ("video_receipts", "contact_name"),
                            ("video_items", "author"), ("admin_applications", "applicant_name"),
                            ("certificates", "real_name"), ("content_reviews", "content")):
            assert stack.sql("SELECT COUNT(*) FROM %s WHERE %s IN ('%s', '%s')"
                             % (table, cols, contact, author)) == [["0"]], table
        assert stack.sql("SELECT COUNT(*) FROM video_receipts WHERE contact_phone_masked LIKE '%%%s'"
                         % vphone[-4:]) == [["0"]]
    finally:
        stack.set_clock(offset_s=0)
