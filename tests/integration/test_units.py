"""Units: registration (credit codes, every field's bad input, the
deadline, WeChat's content check, one unit per credit code under 20
parallel requests), GET /units/{id}, search (substring, region filter,
ranking, literal % and _), QR codes (WeChat once, cached in MariaDB; the
local fallback) and GET /regions."""
import json
import struct
import time
import zlib
from urllib.parse import quote

from units_helpers import (AFTER, BEFORE, DEADLINE, check_char, count, credit_code, error_code,
                           make_contest, parallel, q, register_unit, token, unit_body)

__order__ = 40


def at(stack, iso):
    stack.set_clock(iso=iso)


def real_time(stack):
    stack.set_clock(offset_s=0)


def units_with(stack, credit):
    return count(stack, "SELECT COUNT(*) FROM units WHERE credit_code = %s" % q(credit))


# ---- regions ---------------------------------------------------------------------

def test_regions_provinces_children_and_leaves(stack):
    r = stack.get("regions")
    assert r.status == 200, r
    provinces = r.json["regions"]
    assert len(provinces) == 31 and {"code": "140000", "name": "山西省", "level": 1,
                                      "has_children": True} in provinces, provinces[:3]
    r = stack.get("regions?parent=140000")
    assert r.status == 200 and {"140400", "140100"} <= {x["code"] for x in r.json["regions"]}, r
    r = stack.get("regions?parent=140400")
    assert "140404" in {x["code"] for x in r.json["regions"]}, r
    # a municipality's city level carries its name
    r = stack.get("regions?parent=110000")
    assert r.json["regions"] == [{"code": "110100", "name": "北京市", "level": 2,
                                  "has_children": True}], r
    # 东莞 has no counties: it is the leaf to pick
    r = stack.get("regions?parent=440000")
    dg = [x for x in r.json["regions"] if x["code"] == "441900"]
    assert dg == [{"code": "441900", "name": "东莞市", "level": 2, "has_children": False}], dg
    r = stack.get("regions?parent=441900")
    assert r.status == 200 and r.json == {"regions": []}, r
    for bad in ("999999", "14", "abcdef", "１４００００", "140000'--"):
        r = stack.get("regions?parent=" + quote(bad))
        assert r.status == 404 and error_code(r) == "region_not_found", (bad, r)


# ---- registration --------------------------------------------------------------

def test_register_a_unit_and_read_it(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        body = unit_body(cid, name="  长治市上党区%s水利局 " % token(), credit_code=" 9144030071526726xg ")
        stack.sql("DELETE FROM units WHERE credit_code = '9144030071526726XG'")
        r = stack.post("units", body, token=tok)
        assert r.status == 201, r
        u = r.json["unit"]
        assert u["name"] == body["name"].strip() and u["credit_code"] == "9144030071526726XG", u
        assert u["region_code"] == "140404" and u["province_code"] == "140000", u
        assert u["city_code"] == "140400" and u["county_code"] == "140404", u
        assert u["region_name"] == "上党区" and u["region_full_name"] == "山西省长治市上党区", u
        assert u["type"] == "water_admin" and u["headcount"] == 40, u
        assert "contact_phone" not in u and "contact_name" not in u, u
        # the phone is sealed at rest, never stored in clear
        row = stack.sql("SELECT contact_phone_sealed, created_by FROM units WHERE id = %d" % u["id"])[0]
        assert "13800138000" not in row[0] and len(row[0]) > 20, row
        g = stack.get("units/%d" % u["id"])
        assert g.status == 200, g
        v = g.json["unit"]
        assert v["name"] == u["name"] and v["members"] == 0 and v["participants"] == 0, v
        assert v["score"] == 0 and v["rank"] is None, v
        # a province or city is a valid region too
        r = stack.post("units", unit_body(cid, region_code="140000"), token=tok)
        assert r.status == 201 and r.json["unit"]["city_code"] is None, r
        r = stack.post("units", unit_body(cid, region_code="441900"), token=tok)
        assert r.status == 201 and r.json["unit"]["county_code"] is None, r
        assert r.json["unit"]["city_code"] == "441900", r
    finally:
        real_time(stack)


def test_unit_not_found(stack):
    for path in ("units/999999999", "units/abc", "units/0", "units/-1", "units/1.5"):
        r = stack.get(path)
        assert r.status == 404 and error_code(r) == "unit_not_found", (path, r)


def test_register_needs_a_user(stack):
    cid = make_contest(stack)
    r = stack.post("units", unit_body(cid))
    assert r.status == 401 and error_code(r) == "unauthorized", r


def test_credit_codes(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        # the brief's two examples are valid
        for code in ("9144030071526726XG", "12100000400010398P"):
            assert check_char(code[:17]) == code[17], code
        stack.sql("DELETE FROM units WHERE credit_code = '12100000400010398P'")
        r = stack.post("units", unit_body(cid, credit_code="12100000400010398p"), token=tok)
        assert r.status == 201 and r.json["unit"]["credit_code"] == "12100000400010398P", r
        good = credit_code()
        body17 = good[:17]
        wrong = body17 + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[17])
        bad = [wrong, "", good[:17], good + "1", good[:10], good + good,
               "91440300715267 6XG",                         # inner space
               "9144-030071526726XG",
               "９１４４０３００７１５２６７２６ＸＧ",          # full-width digits and letters
               "9144030071526726X\uff27",                     # one full-width letter
               ]
        # each forbidden letter, in the body and as the check character
        for letter in "IOSVZ":
            bad.append(body17[:10] + letter + body17[11:] + "0")
            bad.append(body17 + letter)
        for code in bad:
            n = units_with(stack, code.strip().upper()[:18])
            r = stack.post("units", unit_body(cid, credit_code=code), token=tok)
            assert r.status == 400 and error_code(r) == "invalid_credit_code", (code, r)
            assert units_with(stack, code.strip().upper()[:18]) == n, code
        for val in (914403007152672, None, True, ["9144030071526726XG"], {"c": 1}):
            r = stack.post("units", unit_body(cid, credit_code=val), token=tok)
            assert r.status == 400 and error_code(r) == "invalid_credit_code", (val, r)
    finally:
        real_time(stack)


def test_bad_input_on_every_field_is_400_and_writes_nothing(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        cases = {
            "name": (["", " ", "长", "长" * 101, "水利局\U0001F600", "水利\u0007局", "水利\t局",
                      "水利局'; DROP TABLE units; --", "水利局\" OR \"1\"=\"1", "<b>水利局</b>",
                      "水利局\u202e", "水利%局", 12345, 1.5, True, None, ["水利局"], {"n": "水利局"}],
                     "invalid_name"),
            "region_code": (["", "999999", "14", "1404040", "140004", "abcdef", "１４０４０４",
                             "140404'--", 140404, None, ["140404"]], "invalid_region"),
            "type": (["", "water", "WATER_ADMIN", "water_admin ", 1, None, ["other"]],
                     "invalid_parameter"),
            "headcount": (["40", 0, -1, 10000001, 1.5, "", None, True, [40]], "invalid_parameter"),
            "contact_name": (["", "张", "张" * 21, "张三1", "张三'--", "张\u0007三", 12, None],
                             "invalid_parameter"),
            "contact_phone": (["", "1234", "138-", "１３８００１３８０００", "13800138000; DROP",
                               "1" * 21, 13800138000, None], "invalid_parameter"),
        }
        before = count(stack, "SELECT COUNT(*) FROM units")
        reviews = count(stack, "SELECT COUNT(*) FROM content_reviews")
        for field, (values, code) in cases.items():
            for v in values:
                body = unit_body(cid)
                body[field] = v
                r = stack.post("units", body, token=tok)
                assert r.status == 400 and error_code(r) == code, (field, v, r)
                assert units_with(stack, body["credit_code"]) == 0, (field, v)
            body = unit_body(cid)
            del body[field]
            r = stack.post("units", body, token=tok)
            assert r.status == 400 and error_code(r) == code, ("missing", field, r)
        # bodies that are not JSON objects, or not UTF-8
        for raw in (b'{"name": "\xff\xfe"}', b'{"name": "\\ud800"}',
                    b"[]", b"", b"null",
                    b'{"name": "a", "name": "b"}', "{'name': 1}".encode()):
            r = stack.request("POST", "units", raw=raw, token=tok,
                              headers={"Content-Type": "application/json"})
            assert r.status == 400 and error_code(r) == "bad_json", (raw, r)
        # a NUL inside a string is well-formed JSON, refused by the field's own rule
        for field, code in (("name", "invalid_name"), ("credit_code", "invalid_credit_code"),
                            ("region_code", "invalid_region"), ("contact_name", "invalid_parameter")):
            body = unit_body(cid)
            body[field] = body[field][:4] + "\u0000" + body[field][4:]
            r = stack.post("units", body, token=tok)
            assert r.status == 400 and error_code(r) == code, (field, r)
        assert count(stack, "SELECT COUNT(*) FROM units") == before
        assert count(stack, "SELECT COUNT(*) FROM content_reviews") == reviews
    finally:
        real_time(stack)


def test_twenty_parallel_registrations_of_one_credit_code(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        toks = [stack.login()[0] for _ in range(20)]
        code = credit_code()
        rs = parallel(20, lambda i: stack.post("units", unit_body(cid, credit_code=code), token=toks[i]))
        created = [r for r in rs if r.status == 201]
        assert len(created) == 1, [r.status for r in rs]
        uid = created[0].json["unit"]["id"]
        for r in rs:
            if r.status != 201:
                assert r.status == 409 and r.json["error"]["code"] == "unit_exists", r
                assert r.json["unit_id"] == uid, r
        assert units_with(stack, code) == 1
        # and one more, later
        r = stack.post("units", unit_body(cid, credit_code=code.lower()), token=toks[0])
        assert r.status == 409 and r.json["unit_id"] == uid, r
    finally:
        real_time(stack)


def test_registration_deadline(stack):
    cid = make_contest(stack)
    try:
        tok, _ = stack.login()
        at(stack, "2024-06-10T23:59:59+08:00")           # the last second
        r = stack.post("units", unit_body(cid), token=tok)
        assert r.status == 201, r
        at(stack, AFTER)
        body = unit_body(cid)
        r = stack.post("units", body, token=tok)
        assert r.status == 403 and error_code(r) == "registration_closed", r
        assert units_with(stack, body["credit_code"]) == 0
        # a contest that is still open decides for itself
        later = make_contest(stack, deadline="2024-07-01T00:00:00+08:00")
        r = stack.post("units", unit_body(later), token=tok)
        assert r.status == 201, r
        r = stack.post("units", unit_body(999999999), token=tok)
        assert r.status == 404 and error_code(r) == "no_contest", r
    finally:
        real_time(stack)


def test_content_check_risky_refused_review_listed(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, user = stack.login()
        body = unit_body(cid, name="违禁%s水利局" % token())
        r = stack.post("units", body, token=tok)
        assert r.status == 422 and error_code(r) == "content_risky", r
        assert units_with(stack, body["credit_code"]) == 0
        name = "待审%s水利局" % token()
        r = stack.post("units", unit_body(cid, name=name), token=tok)
        assert r.status == 201, r
        rows = stack.sql("SELECT kind, subject_id, user_id, reason, state FROM content_reviews"
                         " WHERE content = %s" % q(name))
        assert rows == [["unit_name", str(r.json["unit"]["id"]), str(user["id"]), "review",
                         "pending"]], rows
        # WeChat down: accepted, listed as unchecked
        stack.sim("POST", "/__sim/faults", {"path": "/wxa/msg_sec_check", "errcode": -1, "count": 3})
        name = "不查%s水利局" % token()
        r = stack.post("units", unit_body(cid, name=name), token=tok)
        assert r.status == 201, r
        rows = stack.sql("SELECT reason FROM content_reviews WHERE content = %s" % q(name))
        assert rows == [["unchecked"]], rows
    finally:
        stack.sim("POST", "/__sim/reset")
        real_time(stack)


# ---- search ------------------------------------------------------------------------

def search(stack, qs):
    r = stack.get("units?" + qs)
    assert r.status == 200, r
    return r.json


def test_search_substring_two_characters_and_too_short(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        t = token(5)
        u = register_unit(stack, tok, cid, name="长治市上党区%s水利局" % t)
        j = search(stack, "q=" + quote("上党区%s水利" % t))
        assert [x["id"] for x in j["units"]] == [u["id"]] and j["total"] == 1, j
        assert j["units"][0] == {"id": u["id"], "name": u["name"], "region_code": "140404",
                                 "region_name": "上党区", "region_full_name": "山西省长治市上党区",
                                 "type": "water_admin"}, j
        j = search(stack, "q=" + quote(t[1:3]))                # two characters
        assert u["id"] in [x["id"] for x in j["units"]], j
        j = search(stack, "q=" + quote(t[2:] + "水利局"))        # the end of the name
        assert [x["id"] for x in j["units"]] == [u["id"]], j
        j = search(stack, "q=" + quote(t + "水利所"))            # not a substring
        assert j == {"units": [], "total": 0, "total_capped": False}, j
        for short in ("水", " 水 ", "a", "%"):
            r = stack.get("units?q=" + quote(short))
            assert r.status == 400 and error_code(r) == "query_too_short", (short, r)
        r = stack.get("units?q=%FF%FE")
        assert r.status == 400 and error_code(r) == "invalid_parameter", r
        # full-width and case fold both ways
        u2 = register_unit(stack, tok, cid, name="ABC%s水务（集团）有限公司" % t)
        j = search(stack, "q=" + quote("ａｂｃ%s水务(集团" % t))
        assert [x["id"] for x in j["units"]] == [u2["id"]], j
    finally:
        real_time(stack)


def test_search_region_filter(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        t = token(5)
        county = register_unit(stack, tok, cid, name="%s上党水利局" % t, region_code="140404")
        city = register_unit(stack, tok, cid, name="%s长治水务局" % t, region_code="140400")
        prov = register_unit(stack, tok, cid, name="%s山西水利厅" % t, region_code="140000")
        other = register_unit(stack, tok, cid, name="%s太原水务局" % t, region_code="140105")
        far = register_unit(stack, tok, cid, name="%s东莞水务局" % t, region_code="441900")

        def ids(region):
            return {x["id"] for x in search(stack, "q=%s&region=%s" % (quote(t), region))["units"]}
        assert ids("140000") == {county["id"], city["id"], prov["id"], other["id"]}
        assert ids("140400") == {county["id"], city["id"]}
        assert ids("140404") == {county["id"]}
        assert ids("140100") == {other["id"]}
        assert ids("441900") == {far["id"]}
        assert ids("440000") == {far["id"]}
        # browsing a region without a keyword: its units in registration order. A
        # county of a province no other test names: some count every unit of
        # theirs (test_reports_weekly's Xinjiang once counted 54, not 14, when
        # this unit of 40 landed there)
        rc = stack.sql("SELECT code FROM regions WHERE level = 3 AND province_code IN"
                       " ('340000', '350000', '360000', '370000', '430000', '450000', '520000', '530000',"
                       " '610000', '620000', '640000') ORDER BY RAND() LIMIT 1")[0][0]
        mine = register_unit(stack, tok, cid, name="%s某某水利站" % t, region_code=rc)
        j = search(stack, "region=%s&limit=100" % rc)
        want = [int(x[0]) for x in stack.sql("SELECT id FROM units WHERE county_code = '%s'"
                                              " AND disabled = 0 ORDER BY id LIMIT 100" % rc)]
        assert [x["id"] for x in j["units"]] == want and mine["id"] in want, (rc, want)
        assert j["total"] == count(stack, "SELECT COUNT(*) FROM units WHERE county_code = '%s'"
                                          " AND disabled = 0" % rc)
        for bad in ("999999", "14", "x"):
            r = stack.get("units?q=%s&region=%s" % (quote(t), bad))
            assert r.status == 400 and error_code(r) == "invalid_region", (bad, r)
    finally:
        real_time(stack)


def test_search_ranking_exact_then_prefix_then_substring(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        t = token(5)
        kw = "%s水利" % t
        sub1 = register_unit(stack, tok, cid, name="长治市%s水利局" % t)
        long_prefix = register_unit(stack, tok, cid, name="%s水利工程管理局" % t)
        sub2 = register_unit(stack, tok, cid, name="上党区%s水利站" % t)
        prefix = register_unit(stack, tok, cid, name="%s水利局" % t)
        exact = register_unit(stack, tok, cid, name=kw)
        j = search(stack, "q=" + quote(kw))
        assert [x["id"] for x in j["units"]] == [exact["id"], prefix["id"], long_prefix["id"],
                                                 sub1["id"], sub2["id"]], j
        assert j["total"] == 5, j
        # the same order inside a region (searched through the region's index)
        jr = search(stack, "q=%s&region=140404" % quote(kw))
        assert [x["id"] for x in jr["units"]] == [x["id"] for x in j["units"]], jr
        jr = search(stack, "q=%s&region=140400&limit=2&offset=2" % quote(kw))
        assert [x["id"] for x in jr["units"]] == [long_prefix["id"], sub1["id"]], jr
        # paging walks the same order, across the prefix/substring boundary
        got = []
        for off in range(0, 6, 2):
            got += [x["id"] for x in search(stack, "q=%s&limit=2&offset=%d" % (quote(kw), off))["units"]]
        assert got == [x["id"] for x in j["units"]], got
        assert search(stack, "q=%s&offset=5" % quote(kw)) == {"units": [], "total": 5,
                                                              "total_capped": False}
        for bad in ("limit=0", "limit=101", "limit=x", "offset=-1"):
            r = stack.get("units?q=%s&%s" % (quote(kw), bad))
            assert r.status == 400 and error_code(r) == "invalid_parameter", (bad, r)
    finally:
        real_time(stack)


def test_search_wildcards_are_literal(stack):
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        t = token(5)
        u = register_unit(stack, tok, cid, name="%s水利局" % t)
        assert [x["id"] for x in search(stack, "q=" + quote(t + "水利"))["units"]] == [u["id"]]
        for kw in (t + "%", t + "_", t[:2] + "%" + t[3:], t[:2] + "_" + t[3:], t + "水%",
                   t + "水_局", "%" + t[1:], "_" + t[1:], t + "\\", t + "'"):
            j = search(stack, "q=" + quote(kw))
            assert j["total"] == 0 and j["units"] == [], (kw, j)
        # nothing but wildcards matches nothing, not everything
        for kw in ("%%", "__", "%_%", "''", "\\%"):
            j = search(stack, "q=" + quote(kw))
            assert j["total"] == 0, (kw, j)
    finally:
        real_time(stack)


def test_search_finds_units_written_outside_the_api(stack):
    # seed-demo and admin tools insert rows directly; the server indexes them
    t = token(5)
    code = credit_code()
    stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code,"
              " county_code, type, headcount, created_at) VALUES (%s, %s, '140404', '140000',"
              " '140400', '140404', 'water_enterprise', 10, 0)" % (q("%s供水有限公司" % t), q(code)))
    import time
    deadline = time.time() + 10
    while time.time() < deadline:
        j = search(stack, "q=" + quote(t + "供水"))
        if j["total"] == 1:
            break
        time.sleep(0.2)
    assert j["total"] == 1 and j["units"][0]["name"] == "%s供水有限公司" % t, j
    # a rename marked for re-indexing is found under the new name only
    stack.sql("UPDATE units SET name = %s, search_indexed = 0 WHERE credit_code = %s"
              % (q("%s自来水公司" % t), q(code)))
    deadline = time.time() + 10
    while time.time() < deadline:
        if search(stack, "q=" + quote(t + "自来水"))["total"] == 1:
            break
        time.sleep(0.2)
    assert search(stack, "q=" + quote(t + "自来水"))["total"] == 1
    assert search(stack, "q=" + quote(t + "供水"))["total"] == 0


def test_search_count_is_capped_for_common_keywords(stack):
    t = token(3)
    # 1,005 units whose names hold the keyword, written in bulk
    values = ",".join("(%s, %s, '140404', '140000', '140400', '140404', 'other', 1, 0)"
                      % (q("%s单位%04d" % (t, i)), q(credit_code())) for i in range(1005))
    stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code,"
              " county_code, type, headcount, created_at) VALUES " + values)
    import time
    deadline = time.time() + 30
    while time.time() < deadline and count(stack, "SELECT COUNT(*) FROM units WHERE search_indexed = 0"):
        time.sleep(0.2)
    j = search(stack, "q=" + quote(t + "单位"))
    assert j["total"] == 1000 and j["total_capped"] is True and len(j["units"]) == 20, j
    j = search(stack, "q=%s&offset=990&limit=100" % quote(t + "单位"))
    assert len(j["units"]) == 10, j
    j = search(stack, "q=" + quote(t + "单位100"))        # 1000..1004
    assert j["total"] == 5 and j["total_capped"] is False, j
    j = search(stack, "q=%s&region=140400" % quote(t + "单位"))
    assert j["total"] == 1000 and j["total_capped"] is True and len(j["units"]) == 20, j
    j = search(stack, "q=%s&region=140404&offset=995" % quote(t + "单位"))
    assert len(j["units"]) == 5, j


# ---- public reads kept for seconds (engines/units/units.h) ---------------------------

def indexed_unit(st, name):
    """A unit written behind the server's back and already indexed, as another server
    process leaves it: this server's indexer has nothing to do for it, so the server
    learns of it only by asking MariaDB. Returns its id."""
    code = credit_code()
    st.sql("INSERT INTO units (name, name_fold, search_indexed, credit_code, region_code,"
           " province_code, city_code, county_code, type, headcount, created_at) VALUES"
           " (%s, %s, 1, %s, '140404', '140000', '140400', '140404', 'other', 10, 0)"
           % (q(name), q(name), q(code)))
    uid = int(st.sql("SELECT id FROM units WHERE credit_code = %s" % q(code))[0][0])
    st.sql("INSERT IGNORE INTO unit_ngrams (gram, unit_id) SELECT DISTINCT"
           " SUBSTRING(u.name_fold, s.seq, 2), u.id FROM units u JOIN seq_1_to_100 s"
           " ON s.seq < CHAR_LENGTH(u.name_fold) WHERE u.id = %d" % uid)
    return uid


def member_behind_the_back(st, unit_id):
    openid = "cache-" + token(8)
    st.sql("INSERT INTO users (openid, created_at, last_login_at) VALUES (%s, 0, 0)" % q(openid))
    uid = int(st.sql("SELECT id FROM users WHERE openid = %s" % q(openid))[0][0])
    st.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code,"
           " county_code, kind, unit_id, board_unit_id, created_at, updated_at) VALUES"
           " (%d, '缓存测试', '140404', '140000', '140400', '140404', 'staff', %d, %d, 0, 0)"
           % (uid, unit_id, unit_id))


def test_unit_reads_are_kept_bounded_and_fresh_after_this_servers_writes(stack):
    # a minute: nothing expires during the test, so every stale answer below is the cache's
    st = stack.factory(conf_extra={"unit_cache_ms": 60000, "unit_cache_entries": 3})
    st.start()
    try:
        t = token(5)
        assert search(st, "q=" + quote(t))["total"] == 0
        # served from the cache: a unit another process wrote does not show yet
        indexed_unit(st, t + "水务站")
        assert search(st, "q=" + quote(t))["total"] == 0
        fresh = search(st, "q=" + quote(t + "水务"))            # another keyword asks MariaDB
        assert fresh["total"] == 1, fresh
        # bounded: three entries at most, the least recently used leave first
        ks = [token(5) for _ in range(4)]
        for k in ks:
            assert search(st, "q=" + quote(k))["total"] == 0
        for k in ks:
            indexed_unit(st, k + "供水所")
        assert search(st, "q=" + quote(ks[3]))["total"] == 0, "kept"
        assert search(st, "q=" + quote(ks[0]))["total"] == 1, "dropped for the newer ones"
        assert search(st, "q=" + quote(t))["total"] == 1, "dropped long ago: MariaDB again"
        # the unit page's counts: kept, then fresh after this server's own write
        cid = make_contest(st)
        st.set_clock(iso=BEFORE)
        tok, _ = st.login()
        u = register_unit(st, tok, cid, name="%s水利局" % t)
        # a unit this server registered shows at once, in searches it had kept
        j = search(st, "q=" + quote(t))
        assert j["total"] == 2 and u["id"] in [x["id"] for x in j["units"]], j
        assert st.get("units/%d" % u["id"]).json["unit"]["members"] == 0
        member_behind_the_back(st, u["id"])
        assert st.get("units/%d" % u["id"]).json["unit"]["members"] == 0, "kept"
        consent = st.get("privacy").json["version"]
        r = st.put("me/profile", {"real_name": "李明", "region_code": "140404", "unit_id": u["id"],
                                  "is_unit_leader": False, "contest_id": cid,
                                  "consent_version": consent}, token=tok)
        assert r.status == 200, r
        v = st.get("units/%d" % u["id"]).json["unit"]
        assert (v["members"], v["staff_members"]) == (2, 2), v
    finally:
        st.stop()


def test_search_keeps_a_count_beyond_the_cap_longer_than_pages(stack):
    st = stack.factory(conf_extra={"unit_cache_ms": 1000, "unit_search_count_ms": 60000})
    st.start()
    try:
        t = token(3)
        values = ",".join("(%s, %s, 1, %s, '140404', '140000', '140400', '140404', 'other', 1, 0)"
                          % (q("%s站%04d" % (t, i)), q("%s站%04d" % (t, i)), q(credit_code()))
                          for i in range(1010))
        st.sql("INSERT INTO units (name, name_fold, search_indexed, credit_code, region_code,"
               " province_code, city_code, county_code, type, headcount, created_at) VALUES " + values)
        st.sql("INSERT IGNORE INTO unit_ngrams (gram, unit_id) SELECT DISTINCT"
               " SUBSTRING(u.name_fold, s.seq, 2), u.id FROM units u JOIN seq_1_to_100 s"
               " ON s.seq < CHAR_LENGTH(u.name_fold) WHERE u.name LIKE %s" % q(t + "站%"))
        j = search(st, "q=" + quote(t + "站"))
        assert j["total"] == 1000 and j["total_capped"] is True, j
        j = search(st, "q=" + quote(t + "站000"))           # 0000..0009
        assert j["total"] == 10 and j["total_capped"] is False, j
        # twenty of them go, behind the server's back: 990 remain
        st.sql("UPDATE units SET disabled = 1 WHERE name LIKE %s ORDER BY id LIMIT 20" % q(t + "站%"))
        import time
        time.sleep(1.5)                                   # the pages have expired
        j = search(st, "q=%s&limit=7" % quote(t + "站"))   # a page never asked: read now
        assert len(j["units"]) == 7 and j["total"] == 1000 and j["total_capped"] is True, j
        # a count below the cap is read with every page: 0000..0009 are gone
        j = search(st, "q=" + quote(t + "站000"))
        assert j["total"] == 0 and j["units"] == [] and j["total_capped"] is False, j
    finally:
        st.stop()


def test_unit_reads_expire(stack):
    st = stack.factory(conf_extra={"unit_cache_ms": 1000})
    st.start()
    try:
        import time
        t = token(5)
        uid = indexed_unit(st, t + "水务站")
        assert search(st, "q=" + quote(t))["total"] == 1
        assert st.get("units/%d" % uid).json["unit"]["members"] == 0
        indexed_unit(st, t + "供水所")
        member_behind_the_back(st, uid)
        deadline = time.time() + 15
        while time.time() < deadline:
            if search(st, "q=" + quote(t))["total"] == 2 and \
                    st.get("units/%d" % uid).json["unit"]["members"] == 1:
                break
            time.sleep(0.2)
        assert search(st, "q=" + quote(t))["total"] == 2
        assert st.get("units/%d" % uid).json["unit"]["members"] == 1
    finally:
        st.stop()


# ---- QR codes -----------------------------------------------------------------------

def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    w, h = struct.unpack(">II", data[16:24])
    return w, h


def decode_qr(png):
    """The text a QR code PNG holds, read by zbarimg (Debian's zbar-tools):
    an independent decoder, so a code that merely looks like one fails."""
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png)
        f.flush()
        r = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f.name],
                           capture_output=True, timeout=60)
    assert r.returncode == 0, (r.returncode, r.stderr[-300:])
    return r.stdout.decode().strip()


def wxacode_calls(stack):
    return stack.sim("GET", "/__sim/stats")["calls"].get("/wxa/getwxacodeunlimit", 0)


def new_unit(stack):
    """A new contest, a person and a unit that person registered in it
    (before registration closes): (contest id, token, unit)."""
    cid = make_contest(stack)
    at(stack, BEFORE)
    try:
        tok, _ = stack.login()
        return cid, tok, register_unit(stack, tok, cid)
    finally:
        real_time(stack)


def test_unit_qrcode_from_wechat_once_then_cached(stack):
    cid, tok, u = new_unit(stack)
    n0 = wxacode_calls(stack)
    r = stack.get("units/%d/qrcode" % u["id"])                 # no token: usable as <image src>
    assert r.status == 200 and r.header("Content-Type") == "image/png", r
    png_size(r.body)
    assert wxacode_calls(stack) == n0 + 1
    row = stack.sql("SELECT scene, content_type, LENGTH(image) FROM qr_codes WHERE scene = 'u=%d'" % u["id"])
    assert row == [["u=%d" % u["id"], "image/png", str(len(r.body))]], row
    # served from MariaDB from now on, by every server; WeChat is not asked again
    for _ in range(3):
        again = stack.get("units/%d/qrcode" % u["id"])
        assert again.status == 200 and again.body == r.body
    assert wxacode_calls(stack) == n0 + 1
    # parallel first requests for a new unit ask WeChat once
    at(stack, BEFORE)
    try:
        u2 = register_unit(stack, tok, cid)
    finally:
        real_time(stack)
    n1 = wxacode_calls(stack)
    rs = parallel(8, lambda i: stack.get("units/%d/qrcode" % u2["id"]))
    assert all(x.status == 200 for x in rs), rs
    assert wxacode_calls(stack) == n1 + 1, wxacode_calls(stack) - n1
    r = stack.get("units/999999999/qrcode")
    assert r.status == 404 and error_code(r) == "unit_not_found", r


def test_unit_qrcode_asked_of_wechat_once_by_requests_arriving_as_it_answers(stack):
    # A request that looked in the cache just before the asker stored its
    # image, and took the lock just after the asker let it go, asked WeChat
    # a second time (seen once in a full run under ASan): it looks again
    # once it holds the lock. Requests a millisecond apart across the moment
    # WeChat answers (after 300 ms) land in that gap now and then.
    _, _, u = new_unit(stack)
    r = stack.sim("POST", "/__sim/faults", {"path": "/wxa/getwxacodeunlimit", "errcode": None,
                                           "count": 1, "latency_ms": 300})
    assert r.get("ok"), r
    n0 = wxacode_calls(stack)
    t0 = time.monotonic()

    def get(i):
        # the first at once, the others from 250 ms on, a millisecond apart
        if i:
            time.sleep(max(0.0, t0 + 0.25 + i / 1000.0 - time.monotonic()))
        return stack.get("units/%d/qrcode" % u["id"])
    rs = parallel(120, get)
    assert all(x.status == 200 and x.header("Content-Type") == "image/png" for x in rs), rs
    assert wxacode_calls(stack) == n0 + 1, wxacode_calls(stack) - n0
    # every one of them got WeChat's image (none the local stand-in)
    assert len({x.body for x in rs}) == 1


def test_unit_qrcode_local_fallback_when_wechat_fails(stack):
    _, _, u = new_unit(stack)
    stack.sim("POST", "/__sim/faults", {"path": "/wxa/getwxacodeunlimit", "errcode": -1, "count": 10})
    try:
        r = stack.get("units/%d/qrcode" % u["id"])
        assert r.status == 200 and r.header("Content-Type") == "image/png", r
        w, h = png_size(r.body)
        assert w == h and w >= 21 * 8, (w, h)
        # it decodes back to the configured link with the unit's scene
        assert decode_qr(r.body) == "https://quiz.example.org/join?u=%d" % u["id"]
        assert count(stack, "SELECT COUNT(*) FROM qr_codes WHERE scene = 'u=%d'" % u["id"]) == 0
        assert "max-age=300" in r.header("Cache-Control"), r.headers
        # for a minute this scene goes straight to the local code
        calls = wxacode_calls(stack)
        r2 = stack.get("units/%d/qrcode" % u["id"])
        assert r2.status == 200 and r2.body == r.body and wxacode_calls(stack) == calls
    finally:
        stack.sim("POST", "/__sim/reset")
    # once the minute is over (the marker expires) WeChat's code replaces it
    stack.redis("DEL", "qr:fail:u=%d" % u["id"])
    r3 = stack.get("units/%d/qrcode" % u["id"])
    assert r3.status == 200 and r3.body != r.body, r3
    assert count(stack, "SELECT COUNT(*) FROM qr_codes WHERE scene = 'u=%d'" % u["id"]) == 1


def test_local_qrcode_without_wechat_configuration(stack):
    st = stack.factory(conf_extra={"wx_appid": ""})
    st.start()
    try:
        st.set_clock(iso=BEFORE)
        code = credit_code()
        st.sql("INSERT INTO units (name, credit_code, region_code, province_code, type, headcount,"
               " created_at) VALUES ('本地二维码测试水利局', %s, '140000', '140000', 'water_admin', 5, 0)"
               % q(code))
        uid = int(st.sql("SELECT id FROM units WHERE credit_code = %s" % q(code))[0][0])
        r = st.get("units/%d/qrcode" % uid)
        assert r.status == 200 and r.header("Content-Type") == "image/png", r
        png_size(r.body)
        assert decode_qr(r.body) == "https://quiz.example.org/join?u=%d" % uid
        assert st.sim("GET", "/__sim/stats")["calls"].get("/wxa/getwxacodeunlimit", 0) == 0
    finally:
        st.stop()


def test_registration_qrcode_for_organizers(stack):
    import hashlib
    import secrets
    tok = secrets.token_urlsafe(32)
    name = "org" + secrets.token_hex(6)
    stack.sql("INSERT INTO organizers (username, password_hash, area, created_at) VALUES (%s, 'x', '', 0);"
              "INSERT INTO sessions (token_hash, organizer_id, roles, area, created_at, expires_at)"
              " SELECT %s, id, 4, '', 0, 4102444800 FROM organizers WHERE username = %s"
              % (q(name), q(hashlib.sha256(tok.encode()).hexdigest()), q(name)))
    cid = make_contest(stack)
    r = stack.get("admin/qrcode/unit-registration?contest_id=%d" % cid, token=tok)
    assert r.status == 200 and r.header("Content-Type") == "image/png", r
    png_size(r.body)
    assert count(stack, "SELECT COUNT(*) FROM qr_codes WHERE scene = 'reg=%d'" % cid) == 1
    r = stack.get("admin/qrcode/unit-registration?contest_id=999999999", token=tok)
    assert r.status == 404 and error_code(r) == "no_contest", r
    r = stack.get("admin/qrcode/unit-registration")
    assert r.status == 401, r
    user_tok, _ = stack.login()
    r = stack.get("admin/qrcode/unit-registration", token=user_tok)
    assert r.status == 403 and error_code(r) == "forbidden", r
