"""People: PUT /me/profile (staff and five-into, every field's bad input,
the sponsor rule, the deadline and name corrections, the lock once a
person has answered, WeChat's content check) and GET /me."""
from units_helpers import (AFTER, BEFORE, count, error_code, make_contest, person_name, q,
                           register_unit, token)

__order__ = 41


def real_time(stack):
    stack.set_clock(offset_s=0)


# The privacy notice in force: every profile body accepts it (API.md,
# consent_version; test_privacy.py tests the consent itself).
_consent = [None]


def setup(stack):
    """A private contest, the clock before its deadline, and three units:
    water admin, water enterprise, other."""
    r = stack.get("privacy")
    assert r.status == 200, r
    _consent[0] = r.json["version"]
    cid = make_contest(stack)
    stack.set_clock(iso=BEFORE)
    tok, _ = stack.login()
    admin = register_unit(stack, tok, cid, type="water_admin", headcount=4)
    ent = register_unit(stack, tok, cid, type="water_enterprise", name="%s供水有限公司" % token())
    other = register_unit(stack, tok, cid, type="other", name="%s第一中学" % token())
    return cid, admin, ent, other


def staff(cid, unit, **kw):
    b = {"real_name": person_name(), "region_code": "140404", "unit_id": unit["id"],
         "is_unit_leader": False, "contest_id": cid, "consent_version": _consent[0]}
    b.update(kw)
    return b


def five(cid, sponsor, **kw):
    b = {"real_name": person_name(), "region_code": "140404", "contest_id": cid,
         "consent_version": _consent[0], "five_into": {"category": "village", "org_name": "%s村委会" % token(),
                       "sponsor_unit_id": sponsor["id"]}}
    b.update(kw)
    return b


def profile_row(stack, uid):
    return stack.sql("SELECT real_name, kind, IFNULL(unit_id, ''), IFNULL(sponsor_unit_id, ''),"
                     " board_unit_id, region_code FROM profiles WHERE user_id = %d" % uid)


def test_staff_registration_and_get_me(stack):
    try:
        cid, admin, _, _ = setup(stack)
        tok, user = stack.login()
        r = stack.get("me", token=tok)
        assert r.status == 200 and r.json["profile"] is None and r.json["user"]["registered"] is False, r
        assert "user" in r.json["roles"], r
        body = staff(cid, admin, is_unit_leader=True, position="局长", real_name=" 阿卜杜拉·买买提 ",
                     region_code="140400")
        r = stack.put("me/profile", body, token=tok)
        assert r.status == 200, r
        p = r.json["profile"]
        assert p["real_name"] == "阿卜杜拉·买买提" and p["kind"] == "staff", p
        assert p["unit_id"] == admin["id"] and p["unit_name"] == admin["name"], p
        assert p["is_unit_leader"] is True and p["position"] == "局长" and p["five_into"] is None, p
        assert p["region_code"] == "140400" and p["region_full_name"] == "山西省长治市", p
        assert p["board_unit_id"] == admin["id"] and p["locked"] is False, p
        me = stack.get("me?contest_id=%d" % cid, token=tok).json
        assert me["user"]["registered"] is True and me["profile"] == p, me
        assert me["stats"] == {"contest_id": cid, "score": None, "rank": None, "attempts_today": 0,
                               "open_attempt_id": None}, me["stats"]
        # the same body again changes nothing
        before = stack.sql("SELECT updated_at FROM profiles WHERE user_id = %d" % user["id"])
        assert stack.put("me/profile", body, token=tok).status == 200
        assert stack.sql("SELECT updated_at FROM profiles WHERE user_id = %d" % user["id"]) == before
        # login now says registered
        assert stack.get("units/%d" % admin["id"]).json["unit"]["staff_members"] >= 1
    finally:
        real_time(stack)


def test_me_needs_a_token(stack):
    assert stack.get("me").status == 401
    assert stack.put("me/profile", {"real_name": "张三"}).status == 401
    assert stack.get("me", token="x" * 43).status == 401


def test_leader_needs_a_position_and_unknown_units(stack):
    try:
        cid, admin, _, _ = setup(stack)
        tok, user = stack.login()
        r = stack.put("me/profile", staff(cid, admin, is_unit_leader=True), token=tok)
        assert r.status == 400 and error_code(r) == "invalid_parameter", r
        r = stack.put("me/profile", staff(cid, {"id": 999999999}), token=tok)
        assert r.status == 404 and error_code(r) == "unit_not_found", r
        r = stack.put("me/profile", five(cid, {"id": 999999999}), token=tok)
        assert r.status == 404 and error_code(r) == "unit_not_found", r
        # a disabled unit is gone; a merged one leads to the unit that remains
        gone = register_unit(stack, tok, cid)
        stack.sql("UPDATE units SET disabled = 1 WHERE id = %d" % gone["id"])
        r = stack.put("me/profile", staff(cid, gone), token=tok)
        assert r.status == 404 and error_code(r) == "unit_not_found", r
        assert profile_row(stack, user["id"]) == []
        dup = register_unit(stack, tok, cid)
        stack.sql("UPDATE units SET merged_into = %d WHERE id = %d" % (admin["id"], dup["id"]))
        r = stack.put("me/profile", staff(cid, dup), token=tok)
        assert r.status == 200 and r.json["profile"]["unit_id"] == admin["id"], r
        assert stack.get("units/%d" % dup["id"]).json["unit"]["merged_into"] == admin["id"]
    finally:
        real_time(stack)


def test_five_into_sponsor_must_be_a_water_unit_and_counts_under_it(stack):
    try:
        cid, admin, ent, other = setup(stack)
        tok, user = stack.login()
        r = stack.put("me/profile", five(cid, other), token=tok)
        assert r.status == 400 and error_code(r) == "sponsor_not_water_unit", r
        assert profile_row(stack, user["id"]) == []
        r = stack.put("me/profile", five(cid, ent), token=tok)
        assert r.status == 200, r
        p = r.json["profile"]
        assert p["kind"] == "five_into" and p["unit_id"] is None and p["board_unit_id"] == ent["id"], p
        assert p["five_into"]["sponsor_unit_id"] == ent["id"], p
        assert p["five_into"]["sponsor_unit_name"] == ent["name"], p
        assert p["five_into"]["category"] == "village", p
        # a staff member of the sponsor, and a five-into member of the admin unit
        tok2, user2 = stack.login()
        assert stack.put("me/profile", staff(cid, ent), token=tok2).status == 200
        tok3, user3 = stack.login()
        assert stack.put("me/profile", five(cid, admin), token=tok3).status == 200
        u = stack.get("units/%d?contest_id=%d" % (ent["id"], cid)).json["unit"]
        assert (u["members"], u["staff_members"], u["five_into_members"]) == (2, 1, 1), u
        assert (u["participants"], u["score"]) == (0, 0), u
        # scores join the sponsor's total; the other contest's do not
        stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, first_submitted_at)"
                  " VALUES (%d, %d, 80, 0, 0), (%d, %d, 55, 0, 0), (%d, %d, 90, 0, 0)"
                  % (cid, user["id"], cid, user2["id"], cid, user3["id"]))
        other_cid = make_contest(stack)
        stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, first_submitted_at)"
                  " VALUES (%d, %d, 7, 0, 0)" % (other_cid, user["id"]))
        # written behind the server's back, as another server process would: the unit's
        # counts may be kept up to unit_cache_ms (5 s, README) before they show
        import time
        deadline = time.time() + 15
        while True:
            u = stack.get("units/%d?contest_id=%d" % (ent["id"], cid)).json["unit"]
            if u["participants"] == 2 or time.time() > deadline:
                break
            time.sleep(0.2)
        assert (u["participants"], u["score"], u["contest_id"]) == (2, 135, cid), u
        assert u["participation_rate"] == 1 / 40, u
        a = stack.get("units/%d?contest_id=%d" % (admin["id"], cid)).json["unit"]
        assert (a["members"], a["five_into_members"], a["participants"], a["score"]) == (1, 1, 1, 90), a
        assert a["participation_rate"] == 0, a
        r = stack.get("units/%d?contest_id=999999999" % ent["id"])
        assert r.status == 404 and error_code(r) == "no_contest", r
    finally:
        real_time(stack)


def test_bad_input_on_every_field_is_400_and_writes_nothing(stack):
    try:
        cid, admin, ent, _ = setup(stack)
        tok, user = stack.login()
        cases = [
            ("real_name", ["", " ", "张", "张" * 21, "张三1", "张 三", "·张三", "张三·", "张三\U0001F600",
                           "张\u0007三", "张三'; DROP TABLE profiles; --", "Robert'); --", 12, None,
                           ["张三"], True], "invalid_name"),
            ("region_code", ["", "999999", "14", "140004", "１４０４０４", "140404 OR 1=1", 140404, None],
             "invalid_region"),
            ("unit_id", ["1", 0, -5, 1.5, True, [1]], "invalid_parameter"),
            ("is_unit_leader", ["yes", 1, "true"], "invalid_parameter"),
            ("position", [12, "局长\U0001F600", "局长'--", "局" * 41, ["局长"]], "invalid_parameter"),
        ]
        for field, values, code in cases:
            for v in values:
                body = staff(cid, admin)
                body[field] = v
                r = stack.put("me/profile", body, token=tok)
                assert r.status == 400 and error_code(r) == code, (field, v, r)
            if field in ("real_name", "region_code"):
                body = staff(cid, admin)
                del body[field]
                r = stack.put("me/profile", body, token=tok)
                assert r.status == 400 and error_code(r) == code, ("missing", field, r)
        five_cases = [
            ("category", ["", "factory", "Village", 3, None]),
            ("org_name", ["", "村", "村" * 101, "村委会'; --", "村委\U0001F600", 12, None]),
            ("sponsor_unit_id", ["%d" % ent["id"], 0, 1.5, None, True]),
        ]
        for field, values in five_cases:
            for v in values:
                body = five(cid, ent)
                body["five_into"][field] = v
                r = stack.put("me/profile", body, token=tok)
                assert r.status == 400 and error_code(r) == "invalid_parameter", (field, v, r)
        for fi in ("village", 12, [], None):
            body = five(cid, ent)
            body["five_into"] = fi
            if fi is None:
                del body["five_into"]
            r = stack.put("me/profile", body, token=tok)
            assert r.status == 400 and error_code(r) == "invalid_parameter", (fi, r)
        # both a unit and five_into, or neither
        body = five(cid, ent)
        body["unit_id"] = admin["id"]
        r = stack.put("me/profile", body, token=tok)
        assert r.status == 400 and error_code(r) == "invalid_parameter", r
        for raw in (b'{"real_name": "\xff"}', b"[1]", b""):
            r = stack.request("PUT", "me/profile", raw=raw, token=tok,
                              headers={"Content-Type": "application/json"})
            assert r.status == 400 and error_code(r) == "bad_json", (raw, r)
        # a NUL inside a string is decoded, then refused by the field's own rule
        for name in ("\u0000", "张三\u0000", "张\u0000三丰"):
            body = five(cid, ent)
            body["real_name"] = name
            r = stack.put("me/profile", body, token=tok)
            assert r.status == 400 and error_code(r) == "invalid_name", (name, r)
        body = five(cid, ent)
        body["five_into"]["org_name"] = body["five_into"]["org_name"] + "\u0000x"
        r = stack.put("me/profile", body, token=tok)
        assert r.status == 400 and error_code(r) == "invalid_parameter", r
        assert profile_row(stack, user["id"]) == []
        assert count(stack, "SELECT COUNT(*) FROM content_reviews WHERE user_id = %d" % user["id"]) == 0
    finally:
        real_time(stack)


def test_deadline_name_corrections_are_recorded(stack):
    # Registration is judged by every contest's own deadline (issue 13), so
    # contests other tests left open for registration would keep it open:
    # this runs on a stack of its own.
    own = stack.factory()
    own.start()
    try:
        deadline_name_corrections(own)
    finally:
        own.stop()


def deadline_name_corrections(stack):
    try:
        cid, admin, ent, _ = setup(stack)
        tok, user = stack.login()
        late_tok, late_user = stack.login()
        body = staff(cid, admin, real_name="张三丰")
        assert stack.put("me/profile", body, token=tok).status == 200
        stack.set_clock(iso=AFTER)
        # no new registrations
        r = stack.put("me/profile", staff(cid, admin), token=late_tok)
        assert r.status == 403 and error_code(r) == "registration_closed", r
        assert profile_row(stack, late_user["id"]) == []
        # no other change
        for change in ({"unit_id": ent["id"]}, {"region_code": "140400"},
                       {"is_unit_leader": True, "position": "局长"}):
            b = dict(body, **change)
            r = stack.put("me/profile", b, token=tok)
            assert r.status == 403 and error_code(r) == "registration_closed", (change, r)
        assert profile_row(stack, user["id"])[0][:2] == ["张三丰", "staff"]
        # but the name's spelling, which goes on certificates, may be corrected
        r = stack.put("me/profile", dict(body, real_name="张三峰"), token=tok)
        assert r.status == 200 and r.json["profile"]["real_name"] == "张三峰", r
        rows = stack.sql("SELECT old_name, new_name, contest_id, after_deadline FROM name_changes"
                         " WHERE user_id = %d ORDER BY id" % user["id"])
        assert rows == [["张三丰", "张三峰", str(cid), "1"]], rows
        # and a change before the deadline is recorded too
        stack.set_clock(iso=BEFORE)
        assert stack.put("me/profile", dict(body, real_name="张君宝"), token=tok).status == 200
        rows = stack.sql("SELECT old_name, new_name, after_deadline FROM name_changes"
                         " WHERE user_id = %d ORDER BY id" % user["id"])
        assert rows[-1] == ["张三峰", "张君宝", "0"], rows
    finally:
        real_time(stack)


def test_unit_and_sponsor_locked_once_answered(stack):
    try:
        cid, admin, ent, _ = setup(stack)
        tok, user = stack.login()
        body = staff(cid, admin, real_name="李四光")
        assert stack.put("me/profile", body, token=tok).status == 200
        # before answering, the unit may change
        r = stack.put("me/profile", dict(body, unit_id=ent["id"]), token=tok)
        assert r.status == 200 and r.json["profile"]["unit_id"] == ent["id"], r
        stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, first_submitted_at)"
                  " VALUES (%d, %d, 60, 0, 0)" % (cid, user["id"]))
        assert stack.get("me", token=tok).json["profile"]["locked"] is True
        for change in ({"unit_id": admin["id"]}, {"unit_id": ent["id"], "region_code": "140000"}):
            r = stack.put("me/profile", dict(body, **change), token=tok)
            assert r.status == 409 and error_code(r) == "profile_locked", (change, r)
        five_body = five(cid, ent, real_name="李四光")
        r = stack.put("me/profile", five_body, token=tok)       # the same board unit, as five-into
        assert r.status == 409 and error_code(r) == "profile_locked", r
        assert profile_row(stack, user["id"])[0] == ["李四光", "staff", str(ent["id"]), "",
                                                     str(ent["id"]), "140404"]
        # the name and the position may still change
        r = stack.put("me/profile", dict(body, unit_id=ent["id"], real_name="李四方",
                                         is_unit_leader=True, position="总经理"), token=tok)
        assert r.status == 200 and r.json["profile"]["position"] == "总经理", r
        # five-into members are locked to their sponsor the same way
        tok2, user2 = stack.login()
        fb = five(cid, ent)
        assert stack.put("me/profile", fb, token=tok2).status == 200
        stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, first_submitted_at)"
                  " VALUES (%d, %d, 60, 0, 0)" % (cid, user2["id"]))
        fb2 = dict(fb, five_into=dict(fb["five_into"], sponsor_unit_id=admin["id"]))
        r = stack.put("me/profile", fb2, token=tok2)
        assert r.status == 409 and error_code(r) == "profile_locked", r
        fb3 = dict(fb, five_into=dict(fb["five_into"], org_name="%s社区居委会" % token()))
        assert stack.put("me/profile", fb3, token=tok2).status == 200
    finally:
        real_time(stack)


def test_content_check_on_names(stack):
    try:
        cid, admin, ent, _ = setup(stack)
        tok, user = stack.login()
        r = stack.put("me/profile", staff(cid, admin, is_unit_leader=True, position="违禁局长"), token=tok)
        assert r.status == 422 and error_code(r) == "content_risky", r
        r = stack.put("me/profile", five(cid, ent, five_into={"category": "school",
                                                             "org_name": "违禁%s小学" % token(),
                                                             "sponsor_unit_id": ent["id"]}), token=tok)
        assert r.status == 422 and error_code(r) == "content_risky", r
        assert profile_row(stack, user["id"]) == []
        r = stack.put("me/profile", staff(cid, admin, real_name="待审"), token=tok)
        assert r.status == 200 and r.json["profile"]["name_review"] == "review", r
        rows = stack.sql("SELECT kind, subject_id, content, reason, state FROM content_reviews"
                         " WHERE user_id = %d" % user["id"])
        assert rows == [["real_name", str(user["id"]), "待审", "review", "pending"]], rows
        # an unchanged name is not checked again
        n = stack.sim("GET", "/__sim/stats")["msg_sec_checks"]
        r = stack.put("me/profile", staff(cid, admin, real_name="待审", region_code="140400"), token=tok)
        assert r.status == 200 and stack.sim("GET", "/__sim/stats")["msg_sec_checks"] == n, r
    finally:
        real_time(stack)


def test_me_stats_from_scores_and_attempts(stack):
    try:
        cid, admin, _, _ = setup(stack)
        tok, user = stack.login()
        assert stack.put("me/profile", staff(cid, admin), token=tok).status == 200
        uid = user["id"]
        # the score as a submit writes it: the row and its outbox entry
        stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, first_submitted_at)"
                  " VALUES (%d, %d, 85, 0, 0);"
                  "INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,"
                  " first_submit, created_at) VALUES (%d, %d, 0, 0, 85, 0, 1, 0)" % (cid, uid, cid, uid))
        # Shanghai day numbers of the fixed clock
        import datetime
        now = int(datetime.datetime.fromisoformat(BEFORE).timestamp())
        today = (now + 8 * 3600) // 86400
        stack.sql("INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, submitted_at,"
                  " questions) VALUES (%d, %d, %d, %d, %d, %d, '[]'), (%d, %d, %d, %d, %d, NULL, '[]'),"
                  " (%d, %d, %d, %d, %d, NULL, '[]')"
                  % (cid, uid, today - 1, now - 86400, now - 86000, now - 86100,     # yesterday
                     cid, uid, today, now - 2000, now - 1000,                        # expired, open
                     cid, uid, today, now - 60, now + 840))                          # open now
        open_id = int(stack.sql("SELECT MAX(id) FROM attempts WHERE user_id = %d" % uid)[0][0])
        # rank is the boards': the only score of this contest is first once
        # the outbox row is applied (waited for, with a deadline)
        import time
        deadline = time.time() + 30
        while True:
            st = stack.get("me?contest_id=%d" % cid, token=tok).json["stats"]
            if st.get("rank") is not None or time.time() > deadline:
                break
            time.sleep(0.05)
        assert st.pop("rank") == 1, st
        assert st == {"contest_id": cid, "score": 85, "attempts_today": 2,
                      "open_attempt_id": open_id}, st
        r = stack.get("me?contest_id=abc", token=tok)
        assert r.status == 400, r
        r = stack.get("me?contest_id=999999999", token=tok)
        assert r.status == 404 and error_code(r) == "no_contest", r
    finally:
        real_time(stack)


def test_profile_locks_after_a_real_submit(stack):
    """Registered through PUT /me/profile, then one attempt started and
    submitted through the API: the unit can no longer change (409
    profile_locked), the name still can."""
    from boards_helpers import World, forget_time
    try:
        w = World(stack)
        first = w.unit("锁定前单位", "140404")
        second = w.unit("锁定后单位", "140404")
        tok, uid = w.member(first, "140404", "周锁")
        body = {"real_name": "周锁", "region_code": "140404", "unit_id": second, "is_unit_leader": False,
                "contest_id": w.id}
        # before answering the unit may still change, and back
        assert stack.put("me/profile", body, token=tok).status == 200
        assert stack.put("me/profile", dict(body, unit_id=first), token=tok).status == 200
        assert stack.get("me", token=tok).json["profile"]["locked"] is False
        w.submit(uid, 40, 100)
        assert stack.get("me", token=tok).json["profile"]["locked"] is True
        r = stack.put("me/profile", body, token=tok)
        assert r.status == 409 and error_code(r) == "profile_locked", r
        assert profile_row(stack, uid)[0][2] == str(first)
        r = stack.put("me/profile", dict(body, unit_id=first, real_name="周锁改"), token=tok)
        assert r.status == 200 and r.json["profile"]["real_name"] == "周锁改", r
    finally:
        forget_time(stack)
