"""Study materials (issue 13): the seed's open on 05-25 08:00; an
organizer publishes a link with published_at and withdraws it; GET
/materials lists, to anyone, those published and not withdrawn, per
contest. Uploads do not exist in this server yet: upload_id is refused."""
from quiz_helpers import contest_id, error_code, organizer_token

# before test_roles and test_bad_input, whose walks withdraw material 1 as an organizer
__order__ = 57

SEED_OPEN = "2024-05-25T08:00:00+08:00"


def titles(stack, contest=None):
    r = stack.get("materials" + ("?contest_id=%d" % contest if contest else ""))
    assert r.status == 200, r
    return [m["title"] for m in r.json["materials"]]


def test_seeded_materials_open_on_05_25_at_eight(stack):
    six = contest_id(stack, "liuxiang")
    # the seed's rows as the migration left them (another test may have withdrawn one)
    stack.sql("UPDATE materials SET withdrawn_at = NULL, withdrawn_by = NULL WHERE created_by IS NULL")
    try:
        stack.set_clock(iso="2024-05-25T07:59:59+08:00")
        assert not [t for t in titles(stack, six) if "六项机制" in t or "安全生产法" in t]
        stack.set_clock(iso=SEED_OPEN)
        r = stack.get("materials?contest_id=%d" % six)
        seeded = [m for m in r.json["materials"] if m["published_at"] == SEED_OPEN]
        assert len(seeded) == 2, r.json
        for m in seeded:
            assert set(m) == {"id", "contest_id", "title", "kind", "url", "published_at"}, m
            assert m["kind"] == "link" and m["url"].startswith("https://") and m["contest_id"] == six, m
        # not the main contest's
        main = contest_id(stack, "shuian")
        assert not [m for m in stack.get("materials?contest_id=%d" % main).json["materials"]
                    if m["published_at"] == SEED_OPEN]
    finally:
        stack.set_clock(offset_s=0)


def test_publish_then_withdraw(stack):
    org = organizer_token(stack)
    six, main = contest_id(stack, "liuxiang"), contest_id(stack, "shuian")
    stack.set_clock(offset_s=0)
    body = {"title": "六项机制解读（第二讲）", "url": "https://example.org/six/2.pdf",
            "published_at": "2024-06-01T08:00:00+08:00", "contest_id": six}
    r = stack.post("admin/materials", body, token=org)
    assert r.status == 201, r
    m = r.json["material"]
    assert m["kind"] == "link" and m["title"] == body["title"] and m["published_at"] == body["published_at"], m
    general = stack.post("admin/materials", dict(body, title="通用安全知识", contest_id=None), token=org).json["material"]
    try:
        stack.set_clock(iso="2024-06-01T07:59:00+08:00")
        assert body["title"] not in titles(stack, six)
        stack.set_clock(iso="2024-06-01T08:00:00+08:00")
        assert body["title"] in titles(stack, six) and "通用安全知识" in titles(stack, six)
        assert body["title"] not in titles(stack, main) and "通用安全知识" in titles(stack, main)
        assert body["title"] in titles(stack)                    # no contest: every published one
        # withdrawn: gone, and the record says who and when
        assert stack.request("DELETE", "admin/materials/%d" % m["id"]).status == 401
        r = stack.request("DELETE", "admin/materials/%d" % m["id"], token=org)
        assert r.status == 204, r
        assert body["title"] not in titles(stack, six)
        r = stack.request("DELETE", "admin/materials/%d" % m["id"], token=org)
        assert r.status == 404 and error_code(r) == "material_not_found", r
        row = stack.sql("SELECT withdrawn_at IS NOT NULL, withdrawn_by IS NOT NULL, created_by IS NOT NULL"
                        " FROM materials WHERE id = %d" % m["id"])
        assert row == [["1", "1", "1"]], row
    finally:
        stack.request("DELETE", "admin/materials/%d" % general["id"], token=org)
        stack.set_clock(offset_s=0)


def test_bad_materials_are_400_and_write_nothing(stack):
    org = organizer_token(stack)
    good = {"title": "资料", "url": "https://example.org/a", "published_at": "2024-06-01T08:00:00+08:00"}
    n0 = stack.sql("SELECT COUNT(*) FROM materials")[0][0]
    for change, code in (({"url": "javascript:alert(1)"}, "invalid_material"),
                         ({"url": "https://example.org/a b"}, "invalid_material"),
                         ({"url": "https://"}, "invalid_material"),
                         ({"url": "https://x.org/\"><script>"}, "invalid_material"),
                         ({"url": "https://x.org/" + "a" * 500}, "invalid_material"),
                         ({"title": ""}, "invalid_material"), ({"title": "a\nb"}, "invalid_material"),
                         ({"title": None}, "invalid_material"),
                         ({"published_at": "tomorrow"}, "invalid_material"),
                         ({"contest_id": "1"}, "invalid_material"), ({"contest_id": 0}, "invalid_material"),
                         ({"upload_id": 5}, "uploads_unavailable")):
        r = stack.post("admin/materials", dict(good, **change), token=org)
        assert r.status == 400 and error_code(r) == code, (change, r)
    r = stack.post("admin/materials", dict(good, contest_id=987654321), token=org)
    assert r.status == 404 and error_code(r) == "no_contest", r
    assert stack.sql("SELECT COUNT(*) FROM materials")[0][0] == n0
    r = stack.get("materials?contest_id=abc")
    assert r.status == 400, r
    user, _ = stack.login()
    assert stack.post("admin/materials", good, token=user).status == 403
