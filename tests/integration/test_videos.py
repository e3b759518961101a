"""Short videos: the receipt (links, rows, window, content check, mail
subject), the organizers' list, counts per city and county, awards."""
import secrets

from quiz_helpers import IN_MAIN, error_code, organizer_token, registered

__order__ = 57
OPEN = "2024-07-01T10:00:00+08:00"
CLOSED = "2024-09-01T00:00:01+08:00"


def vid():
    return "https://www.douyin.com/video/7%018d" % secrets.randbelow(10 ** 18)


def receipt(items, unit="太原市水务局"):
    return {"unit_name": unit, "contact_name": "张三", "contact_phone": "13912345678", "items": items}


def row(title="汛期安全第一课", url=None):
    return {"title": title, "url": vid() if url is None else url, "author": "李四", "author_unit": "太原市水务局"}


def test_video_receipt_checks(stack):
    stack.set_clock(iso=OPEN)
    tok, _ = registered(stack, "王二")
    share = "https://v.douyin.com/%s/" % secrets.token_urlsafe(6).replace("-", "a")[:8]
    first = receipt([row(), row("防汛应急演练", share)])
    r = stack.post("videos", first, token=tok)
    assert r.status == 201, r
    again = stack.post("videos", first, token=tok)          # a retry: the same receipt again
    assert again.status == 200 and again.json == r.json, again
    assert r.json["mail_subject"] == "水利安全+太原市水务局+汛期安全第一课", r
    assert r.json["mail_subjects"][1] == "水利安全+太原市水务局+防汛应急演练", r
    rid = r.json["receipt_id"]
    rows = stack.sql("SELECT seq, url FROM video_items WHERE receipt_id = %d ORDER BY seq" % rid)
    assert rows[1][1] == share.rstrip("/"), rows
    assert stack.sql("SELECT contact_phone_masked, county_code FROM video_receipts WHERE id = %d" % rid) == [
        ["139****5678", "140105"]]

    for bad_url in ("https://www.youtube.com/watch?v=1", "http://v.douyin.com/abcdefg/", "抖音 " + vid(), ""):
        r = stack.post("videos", receipt([row(), row(url=bad_url)]), token=tok)
        assert r.status == 400 and error_code(r) == "invalid_video_url", (bad_url, r)
        assert r.json["error"]["message"].startswith("items[1].url"), r
    r = stack.post("videos", receipt([row(), {"title": "", "url": "", "author": " ", "author_unit": ""}]), token=tok)
    assert r.status == 400 and r.json["error"]["message"] == "items[1]: an empty row", r
    r = stack.post("videos", receipt([]), token=tok)
    assert r.status == 400 and r.json["error"]["message"].startswith("items:"), r
    r = stack.post("videos", receipt([row() for _ in range(11)]), token=tok)
    assert r.status == 400 and r.json["error"]["message"].startswith("items:"), r
    same = vid()
    r = stack.post("videos", receipt([row(url=same), row(url=same)]), token=tok)
    assert r.status == 400 and error_code(r) == "invalid_video_url", r
    r = stack.post("videos", receipt([row(url=rows[0][1])]), token=tok)
    assert r.status == 409 and error_code(r) == "video_exists", r
    r = stack.post("videos", receipt([row("含违禁内容的标题")]), token=tok)
    assert r.status == 422 and error_code(r) == "content_risky", r
    r = stack.post("videos", receipt([row("汛期\x00安全")]), token=tok)     # a NUL inside is no title
    assert r.status == 400 and r.json["error"]["message"].startswith("items[0].title"), r
    r = stack.post("videos", dict(receipt([row()]), contact_phone="call me"), token=tok)
    assert r.status == 400 and r.json["error"]["message"].startswith("contact_phone"), r
    # Nothing of the refused receipts was stored.
    assert stack.sql("SELECT COUNT(*) FROM video_items WHERE title = '含违禁内容的标题'") == [["0"]]

    stack.set_clock(iso=CLOSED)
    tok, _ = stack.login()      # the window is checked before anything else
    r = stack.post("videos", receipt([row()]), token=tok)
    assert r.status == 403 and error_code(r) == "submissions_closed", r
    stack.set_clock(iso="2024-06-04T23:59:00+08:00")
    tok, _ = stack.login()
    r = stack.post("videos", receipt([row()]), token=tok)
    assert r.status == 403 and error_code(r) == "submissions_closed", r
    stack.set_clock(iso=IN_MAIN)


def test_video_list_counts_and_awards(stack):
    stack.set_clock(iso=IN_MAIN)
    tok, _ = registered(stack, "王三")
    r = stack.post("videos", receipt([row(), row(), row()], unit="测试水务局"), token=tok)
    assert r.status == 201, r
    rid = r.json["receipt_id"]
    org = organizer_token(stack)
    r = stack.get("admin/videos?limit=100", token=org)
    assert r.status == 200 and r.json["total"] >= 3, r
    mine = [v for v in r.json["videos"] if v["receipt_id"] == rid]
    assert len(mine) == 3 and mine[0]["contact_phone_masked"] == "139****5678" and mine[0]["award"] is None, mine
    assert "13912345678" not in r.body.decode()
    r = stack.get("admin/videos/regions?level=county&parent=140100", token=org)
    assert r.status == 200, r
    c = {g["region_code"]: g for g in r.json["regions"]}
    assert c["140105"]["works"] >= 3 and c["140105"]["meets_minimum"] is True, c["140105"]
    assert any(g["works"] == 0 and g["meets_minimum"] is False for g in r.json["regions"]), r.json
    r = stack.get("admin/videos/regions?level=city&parent=140000", token=org)
    assert r.status == 200 and any(g["region_code"] == "140100" and g["works"] >= 3 for g in r.json["regions"]), r
    assert stack.get("admin/videos/regions?level=town", token=org).status == 400
    # Another area's organizer does not see these works.
    far = organizer_token(stack, area="110000")
    r = stack.get("admin/videos?limit=100", token=far)
    assert r.status == 200 and all(v["receipt_id"] != rid for v in r.json["videos"]), r

    stack.sql("UPDATE video_settings SET first_count = 1 WHERE id = 1")
    try:
        stack.sql("UPDATE video_items SET award = NULL WHERE award = 'first'")
        a, b = mine[0]["id"], mine[1]["id"]
        r = stack.put("admin/videos/%d/award" % a, {"award": "first"}, token=org)
        assert r.status == 200 and r.json["award"] == "first", r
        r = stack.put("admin/videos/%d/award" % b, {"award": "first"}, token=org)
        assert r.status == 409 and error_code(r) == "award_full", r
        r = stack.put("admin/videos/%d/award" % a, {"award": "first"}, token=org)   # again: unchanged
        assert r.status == 200, r
        r = stack.put("admin/videos/%d/award" % b, {"award": "gold"}, token=org)
        assert r.status == 400, r
        r = stack.put("admin/videos/%d/award" % a, {"award": None}, token=org)
        assert r.status == 200 and r.json["award"] is None, r
        r = stack.put("admin/videos/%d/award" % b, {"award": "first"}, token=org)
        assert r.status == 200, r
        assert stack.put("admin/videos/999999999/award", {"award": "third"}, token=org).status == 404
    finally:
        stack.sql("UPDATE video_settings SET first_count = 3 WHERE id = 1")
