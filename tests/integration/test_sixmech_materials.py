"""Study materials (issue 13): the seed's open on 05-25 08:00; an
organizer publishes a link, or a PDF uploaded with POST /uploads, with
published_at and withdraws it; GET /materials lists, to anyone, those
published and not withdrawn, per contest; GET /materials/{id}/file serves
a published PDF (the same bytes) and nothing before or after. Only an
organizer's upload that is a PDF may be published; too large a file is
refused at upload."""
import urllib.parse

from console_helpers import multipart, pdf, png, upload
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
                         ({"upload_id": 5}, "invalid_material"),            # and a url: one or the other
                         ({"upload_id": "5", "url": None}, "invalid_material"),
                         ({"upload_id": 0, "url": None}, "invalid_material")):
        if change.get("url", "") is None:
            change = dict(change)
            del change["url"]
            body = {k: v for k, v in good.items() if k != "url"}
            r = stack.post("admin/materials", dict(body, **change), token=org)
            assert r.status == 400 and error_code(r) == code, (change, r)
            continue
        r = stack.post("admin/materials", dict(good, **change), token=org)
        assert r.status == 400 and error_code(r) == code, (change, r)
    r = stack.post("admin/materials", dict(good, contest_id=987654321), token=org)
    assert r.status == 404 and error_code(r) == "no_contest", r
    assert stack.sql("SELECT COUNT(*) FROM materials")[0][0] == n0
    r = stack.get("materials?contest_id=abc")
    assert r.status == 400, r
    user, _ = stack.login()
    assert stack.post("admin/materials", good, token=user).status == 403


MB = 1024 * 1024


def file_material(stack, org, data, title, published_at, contest=None):
    r = upload(stack, org, data, "ignored-name.pdf")
    assert r.status == 201 and r.json["media_type"] == "application/pdf", r
    r = stack.post("admin/materials", {"title": title, "upload_id": r.json["upload_id"],
                                       "published_at": published_at, "contest_id": contest}, token=org)
    assert r.status == 201, r
    return r.json["material"]


def test_pdf_material_uploaded_published_downloaded_withdrawn(stack):
    org = organizer_token(stack)
    six = contest_id(stack, "liuxiang")
    data = pdf(b"six mechanisms study notes " + bytes(range(256)) * 40)
    title = "六项机制/学习手册（2024）"
    m = file_material(stack, org, data, title, "2024-06-03T08:00:00+08:00", six)
    assert m["kind"] == "file" and m["url"] == "/api/v1/materials/%d/file" % m["id"], m
    try:
        # before published_at: neither listed nor served
        stack.set_clock(iso="2024-06-03T07:59:59+08:00")
        assert title not in titles(stack, six)
        r = stack.get(m["url"])
        assert r.status == 404 and error_code(r) == "material_not_found", r
        # published: listed with its public url, served to anyone, byte for byte
        stack.set_clock(iso="2024-06-03T08:00:00+08:00")
        listed = [x for x in stack.get("materials?contest_id=%d" % six).json["materials"] if x["id"] == m["id"]]
        assert listed == [m], listed
        r = stack.get(m["url"])
        assert r.status == 200 and r.header("Content-Type") == "application/pdf", r
        assert r.body == data
        cd = r.header("Content-Disposition")
        assert cd.startswith('inline; filename="material-%d.pdf"; filename*=UTF-8\'\'' % m["id"]), cd
        name = urllib.parse.unquote(cd.split("UTF-8''", 1)[1])
        assert name == "六项机制_学习手册（2024）.pdf", name    # no path separator survives
        assert all(c not in cd for c in "\r\n") and cd.isascii(), cd
        assert r.header("X-Content-Type-Options") == "nosniff"
        # withdrawn: gone from the list and the route
        assert stack.request("DELETE", "admin/materials/%d" % m["id"], token=org).status == 204
        assert title not in titles(stack, six)
        r = stack.get(m["url"])
        assert r.status == 404 and error_code(r) == "material_not_found", r
    finally:
        stack.set_clock(offset_s=0)
    # a link has no file here, and ids that are no material
    link = stack.post("admin/materials", {"title": "链接资料", "url": "https://example.org/x.pdf",
                                          "published_at": "2024-01-01T08:00:00+08:00"}, token=org).json["material"]
    try:
        for path in ("materials/%d/file" % link["id"], "materials/987654321/file", "materials/abc/file"):
            r = stack.get(path)
            assert r.status == 404 and error_code(r) == "material_not_found", (path, r)
    finally:
        stack.request("DELETE", "admin/materials/%d" % link["id"], token=org)


def test_only_an_organizers_pdf_is_published_and_size_is_capped(stack):
    org = organizer_token(stack)
    n0 = stack.sql("SELECT COUNT(*) FROM materials")[0][0]
    body = {"title": "资料文件", "published_at": "2024-06-01T08:00:00+08:00"}
    # a picture is an upload, but not a material's file
    r = upload(stack, org, png(), "a.png")
    assert r.status == 201 and r.json["media_type"] == "image/png", r
    r = stack.post("admin/materials", dict(body, upload_id=r.json["upload_id"]), token=org)
    assert r.status == 415 and error_code(r) == "unsupported_media_type", r
    # a person's upload (an application's certificate, say) is never published
    user, _ = stack.login()
    r = upload(stack, user, pdf(b"personal"), "mine.pdf")
    assert r.status == 201, r
    for uid in (r.json["upload_id"], 987654321):
        r = stack.post("admin/materials", dict(body, upload_id=uid), token=org)
        assert r.status == 404 and error_code(r) == "upload_not_found", r
    # not a PDF by its bytes, whatever its name or declared type
    r = upload(stack, org, b"<html>not a pdf</html>\n" * 20, "a.pdf")
    assert r.status == 415 and error_code(r) == "unsupported_media_type", r
    ct, raw = multipart([("file", "a.pdf", b"%PDF-1.4\n" + b"x" * 3000)])     # a PDF without its end
    r = stack.request("POST", "uploads", raw=raw, token=org, headers={"Content-Type": ct})
    assert r.status == 415, r
    # larger than 10 MB: refused by the server, and far larger by nginx, in the same shape
    for size in (10 * MB + 1, 12 * MB):
        r = upload(stack, org, pdf(b"0" * (size - len(pdf()))))
        assert r.status == 413 and error_code(r) == "body_too_large", (size, r)
    assert stack.sql("SELECT COUNT(*) FROM materials")[0][0] == n0
    # the organizer's uploads are theirs: counted and kept under the organizer
    rows = stack.sql("SELECT COUNT(*), COUNT(u.user_id) FROM uploads u JOIN sessions s ON s.organizer_id ="
                     " u.organizer_id WHERE s.token_hash = SHA2('%s', 256)" % org)
    assert rows == [["1", "0"]], rows
