"""Unit admins (issue 10, part 4): uploads (one PDF, JPEG or PNG of at most
10 MB, judged by its bytes, and the hostile cases), applications with two
uploaded documents, the organizers' decision (one admin per unit; the
replaced admin loses the role at once), GET /me's state and reason, and a
unit's member list with its filters — for the unit's own admin and the
organizers of its area only."""
import hashlib

from boards_helpers import World
from console_helpers import (organizer, unit, profile, registered_user, pdf, png, jpeg, multipart,
                             upload, upload_id, apply_for, error_code, count, audit_rows, q,
                             SHANXI, HEBEI, SHANGDANG, SHIJIAZHUANG)

__order__ = 48
MB = 1024 * 1024


def console_token(stack, mini_token):
    r = stack.post("me/console-code", {}, token=mini_token)
    assert r.status == 200, r
    r = stack.post("admin/login", {"code": r.json["code"]})
    assert r.status == 200 and r.json["role"] == "unit_admin", r
    return r.json["token"]


def test_upload_types_are_judged_by_bytes(stack):
    u = unit(stack)
    tok, _ = registered_user(stack, u)
    for data, name, mt in ((pdf(), "cert.pdf", "application/pdf"), (png(), "a.png", "image/png"),
                           (jpeg(), "b.jpg", "image/jpeg"),
                           (pdf(), "really-a-pdf.png", "application/pdf"),
                           (png(), "../../etc/passwd", "image/png"),
                           (jpeg(), "C:\\\\Windows\\\\x.exe", "image/jpeg")):
        r = upload(stack, tok, data, name)
        assert r.status == 201 and r.json["media_type"] == mt, (name, r)
        g = stack.get("uploads/%d" % r.json["upload_id"], token=tok)
        assert g.status == 200 and g.body == data and g.header("Content-Type") == mt, g
        cd = g.header("Content-Disposition")
        assert cd == 'inline; filename="upload-%d.%s"' % (r.json["upload_id"], {"application/pdf": "pdf",
                     "image/png": "png", "image/jpeg": "jpg"}[mt]), cd
    n = count(stack, "SELECT COUNT(*) FROM uploads")
    refused = [
        (b"hello, world\n" * 10, "a.pdf", 415),              # text named .pdf
        (b"MZ\x90\x00" + b"\x00" * 100, "x.png", 415),       # an executable
        (png()[:-12], "cut.png", 415),                       # a truncated PNG
        (b"%PDF-1.4\n" + b"x" * 2000, "cut.pdf", 415),       # a PDF without its end
        (b"", "empty.pdf", 400),                             # an empty file
    ]
    for data, name, status in refused:
        r = upload(stack, tok, data, name)
        assert r.status == status, (name, r)
        assert error_code(r) == ("unsupported_media_type" if status == 415 else "invalid_upload"), r
    # two files in one request
    ct, body = multipart([("file", "a.pdf", pdf()), ("file2", "b.pdf", pdf())])
    r = stack.request("POST", "uploads", raw=body, token=tok, headers={"Content-Type": ct})
    assert r.status == 400 and error_code(r) == "invalid_upload", r
    # the boundary inside the file cuts it: the rest is not a part
    b = "XyZbOuNdArY"
    ct, body = multipart([("file", "a.pdf", pdf(b"\r\n--" + b.encode() + b"\r\nrest of file"))], boundary=b)
    r = stack.request("POST", "uploads", raw=body, token=tok, headers={"Content-Type": ct})
    assert r.status in (400, 415), r
    # a truncated body (no closing delimiter)
    ct, body = multipart([("file", "a.pdf", pdf())])
    r = stack.request("POST", "uploads", raw=body[:-20], token=tok, headers={"Content-Type": ct})
    assert r.status == 400 and error_code(r) == "invalid_upload", r
    # not multipart at all
    r = stack.request("POST", "uploads", raw=pdf(), token=tok, headers={"Content-Type": "application/pdf"})
    assert r.status == 415, r
    r = stack.post("uploads", {"file": "x"}, token=tok)
    assert r.status == 415, r
    # a part with no file name and no field "file"
    ct, body = multipart([("other", None, pdf())])
    r = stack.request("POST", "uploads", raw=body, token=tok, headers={"Content-Type": ct})
    assert r.status == 400, r
    assert count(stack, "SELECT COUNT(*) FROM uploads") == n


def test_upload_size_limit_matches_nginx(stack):
    u = unit(stack)
    tok, _ = registered_user(stack, u)
    # exactly 10 MB is taken and read back whole
    big = pdf(b"0" * (10 * MB - len(pdf())))
    assert len(big) == 10 * MB
    r = upload(stack, tok, big)
    assert r.status == 201 and r.json["size"] == 10 * MB, r
    g = stack.get("uploads/%d" % r.json["upload_id"], token=tok)
    assert g.status == 200 and hashlib.sha256(g.body).digest() == hashlib.sha256(big).digest()
    # one byte more: refused by the server (the framing fits nginx's limit)
    r = upload(stack, tok, pdf(b"0" * (10 * MB + 1 - len(pdf()))))
    assert r.status == 413 and error_code(r) == "body_too_large", r
    # far more: refused by nginx, in the same shape
    r = upload(stack, tok, pdf(b"0" * (12 * MB)))
    assert r.status == 413 and error_code(r) == "body_too_large", r
    loc = stack.quizd("nginx-locations", "quizd").stdout.decode()
    block = loc[loc.index("/uploads$"):]
    assert "client_max_body_size 10304k;" in block.split("}")[0], block[:200]


def test_who_may_read_an_upload(stack):
    u = unit(stack, SHANGDANG)
    tok, _ = registered_user(stack, u)
    stranger, _ = stack.login()
    shanxi, _ = organizer(stack, SHANXI)
    hebei, _ = organizer(stack, HEBEI)
    nat, _ = organizer(stack, "")
    r = apply_for(stack, tok, u)
    assert r.status == 201, r
    cert = r.json["application"]["certificate_upload_id"]
    assert stack.get("uploads/%d" % cert, token=tok).status == 200
    assert stack.get("uploads/%d" % cert, token=shanxi).status == 200
    assert stack.get("uploads/%d" % cert, token=nat).status == 200
    for t in (stranger, hebei):
        r = stack.get("uploads/%d" % cert, token=t)
        assert r.status == 403 and error_code(r) == "forbidden", r
    # an upload no application names yet: its uploader and nationwide organizers only
    loose = upload_id(stack, tok, png())
    assert stack.get("uploads/%d" % loose, token=shanxi).status == 403
    assert stack.get("uploads/%d" % loose, token=nat).status == 200
    assert stack.get("uploads/999999999", token=tok).status == 404


def test_application_bad_input_and_refusals(stack):
    u = unit(stack, SHANGDANG)
    tok, uid = registered_user(stack, u)
    cert = upload_id(stack, tok, pdf())
    auth = upload_id(stack, tok, jpeg(), "a.jpg")
    good = {"applicant_name": "李四", "phone": "13800138000", "certificate_upload_id": cert,
            "authorization_upload_id": auth}
    n = count(stack, "SELECT COUNT(*) FROM admin_applications")
    bad = [("applicant_name", None, "invalid_name"), ("applicant_name", "x", "invalid_name"),
           ("applicant_name", "李四<b>", "invalid_name"), ("applicant_name", 5, "invalid_name"),
           ("phone", "abc", "invalid_parameter"), ("phone", "1", "invalid_parameter"),
           ("phone", 13800138000, "invalid_parameter"),
           ("certificate_upload_id", "1", "invalid_parameter"), ("certificate_upload_id", 0, "invalid_parameter"),
           ("authorization_upload_id", None, "invalid_parameter"),
           ("authorization_upload_id", cert, "invalid_parameter")]     # the same file twice
    for field, value, code in bad:
        body = dict(good)
        if value is None:
            body.pop(field)
        else:
            body[field] = value
        r = stack.post("units/%d/admin-applications" % u, body, token=tok)
        assert r.status == 400 and error_code(r) == code, (field, value, r)
    # someone else's upload: 403; an upload that does not exist: 404; no such unit: 404
    other, _ = registered_user(stack, u)
    theirs = upload_id(stack, other, pdf())
    r = stack.post("units/%d/admin-applications" % u, dict(good, certificate_upload_id=theirs), token=tok)
    assert r.status == 403 and error_code(r) == "forbidden", r
    r = stack.post("units/%d/admin-applications" % u, dict(good, certificate_upload_id=999999999), token=tok)
    assert r.status == 404 and error_code(r) == "upload_not_found", r
    r = stack.post("units/999999999/admin-applications", good, token=tok)
    assert r.status == 404 and error_code(r) == "unit_not_found", r
    # not registered: 403
    unreg, _ = stack.login()
    c2, a2 = upload_id(stack, unreg, pdf()), upload_id(stack, unreg, png())
    r = stack.post("units/%d/admin-applications" % u, dict(good, certificate_upload_id=c2,
                   authorization_upload_id=a2), token=unreg)
    assert r.status == 403 and error_code(r) == "not_registered", r
    assert count(stack, "SELECT COUNT(*) FROM admin_applications") == n
    # the first is taken, a second pending one is 409
    r = stack.post("units/%d/admin-applications" % u, good, token=tok)
    assert r.status == 201 and r.json["application"]["state"] == "pending", r
    assert r.json["application"]["phone_masked"] == "138****8000", r
    assert "13800138000" not in r.body.decode()
    r = stack.post("units/%d/admin-applications" % u, good, token=tok)
    assert r.status == 409 and error_code(r) == "application_pending", r
    me = stack.get("me", token=tok).json
    assert me["admin_application"]["state"] == "pending" and me["admin_application"]["unit_id"] == u, me


def test_approval_makes_one_admin_and_replaces_the_last(stack):
    u = unit(stack, SHANGDANG)
    shanxi, _ = organizer(stack, SHANXI)
    hebei, _ = organizer(stack, HEBEI)
    first, first_uid = registered_user(stack, u, "赵一")
    second, second_uid = registered_user(stack, u, "钱二")
    a1 = apply_for(stack, first, u, name="赵一").json["application"]
    # organizers of another area neither see nor decide it
    listed = stack.get("admin/admin-applications?state=pending&limit=100", token=hebei).json
    assert a1["id"] not in [x["id"] for x in listed["applications"]]
    for path in ("admin/admin-applications/%d" % a1["id"],):
        assert stack.get(path, token=hebei).status == 403
    r = stack.post("admin/admin-applications/%d/approve" % a1["id"], {}, token=hebei)
    assert r.status == 403, r
    listed = stack.get("admin/admin-applications?state=pending&limit=100", token=shanxi).json
    assert a1["id"] in [x["id"] for x in listed["applications"]], listed
    opened = stack.get("admin/admin-applications/%d" % a1["id"], token=shanxi).json["application"]
    assert opened["certificate_url"] == "/api/v1/uploads/%d" % a1["certificate_upload_id"], opened
    assert stack.get(opened["authorization_url"], token=shanxi).status == 200
    for bad in ("state=maybe", "limit=1000", "unit_id=x"):
        assert stack.get("admin/admin-applications?" + bad, token=shanxi).status == 400, bad

    n = audit_rows(stack, "application.approve")
    r = stack.post("admin/admin-applications/%d/approve" % a1["id"], {}, token=shanxi)
    assert r.status == 200 and r.json["application"]["state"] == "approved", r
    assert audit_rows(stack, "application.approve") == n + 1
    r = stack.post("admin/admin-applications/%d/approve" % a1["id"], {}, token=shanxi)
    assert r.status == 409 and error_code(r) == "already_decided", r
    me = stack.get("me", token=first).json
    assert "unit_admin" in me["roles"] and me["user"]["admin_unit_id"] == u, me
    assert me["admin_application"]["state"] == "approved", me
    console1 = console_token(stack, first)
    assert stack.get("units/%d/members" % u, token=console1).status == 200

    # the second approval replaces the first; the first's sessions lose the role at once
    a2 = apply_for(stack, second, u, name="钱二").json["application"]
    r = stack.post("admin/admin-applications/%d/approve" % a2["id"], {}, token=shanxi)
    assert r.status == 200, r
    r = stack.get("units/%d/members" % u, token=console1)
    assert r.status in (401, 403), r
    r = stack.post("me/console-code", {}, token=first)
    assert r.status == 403, r
    assert "unit_admin" not in stack.get("me", token=first).json["roles"]
    assert stack.sql("SELECT state FROM admin_applications WHERE id = %d" % a1["id"])[0][0] == "replaced"
    assert count(stack, "SELECT COUNT(*) FROM users WHERE admin_unit_id = %d" % u) == 1
    console2 = console_token(stack, second)
    assert stack.get("units/%d/members" % u, token=console2).status == 200

    # a rejection tells the applicant why
    third, _ = registered_user(stack, u, "孙三")
    a3 = apply_for(stack, third, u, name="孙三").json["application"]
    for body in ({}, {"reason": "x"}, {"reason": 1}):
        r = stack.post("admin/admin-applications/%d/reject" % a3["id"], body, token=shanxi)
        assert r.status == 400, (body, r)
    r = stack.post("admin/admin-applications/%d/reject" % a3["id"], {"reason": "授权书未盖章"}, token=shanxi)
    assert r.status == 200 and r.json["application"]["state"] == "rejected", r
    me = stack.get("me", token=third).json
    assert me["admin_application"]["state"] == "rejected" and me["admin_application"]["reason"] == "授权书未盖章", me
    assert "unit_admin" not in me["roles"]
    assert stack.post("admin/admin-applications/999999999/approve", {}, token=shanxi).status == 404


def test_members_list_filters_and_area(stack):
    w = World(stack)
    u = w.unit("成员单位", "140404", headcount=10)
    elsewhere = w.unit("他省单位", "130100", headcount=10)
    admin_tok, admin_uid = w.member(u, "140404", "赵管理")
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = %d WHERE id = %d" % (u, admin_uid))
    # as an approval does: the cached session is dropped, roles reload
    stack.redis("DEL", "sess:" + hashlib.sha256(admin_tok.encode()).hexdigest())
    people = {}
    for name, kind, score in (("钱一", "staff", 90), ("孙二", "staff", 60), ("李三", "five_into", 75),
                              ("周四", "staff", None)):
        people[name] = w.person(u, "140404", name, kind=kind)
        if score is not None:
            w.submit(people[name], score, len(people))
    stack.sql("UPDATE profiles SET is_unit_leader = 1 WHERE user_id = %d" % people["孙二"])
    stack.sql("UPDATE users SET phone_masked = '139****0001' WHERE id = %d" % admin_uid)
    # the World answers at a fixed clock (start = submit); give 钱一's one
    # real attempt a duration of 130 s for the best time
    stack.sql("UPDATE attempts SET started_at = submitted_at - 130 WHERE contest_id = %d AND user_id = %d"
              % (w.id, people["钱一"]))
    w.person(elsewhere, "130100", "吴五")
    w.settle()
    console = console_token(stack, admin_tok)

    def names(qs, tok=console):
        r = stack.get("units/%d/members?contest_id=%d&%s" % (u, w.id, qs), token=tok)
        assert r.status == 200, (qs, r)
        return [m["real_name"] for m in r.json["members"]], r.json

    got, j = names("")
    assert got == ["钱一", "李三", "孙二", "赵管理", "周四"][:len(got)] and j["total"] == 5, j
    top = j["members"][0]
    assert (top["score"], top["attempts"], top["best_time_s"], top["kind"]) == (90, 1, 130, "staff"), top
    li = [m for m in j["members"] if m["real_name"] == "李三"][0]
    assert li["five_into"] == {"category": "village", "org_name": "某村村委会"}, li   # as World registers it
    zhao = [m for m in j["members"] if m["real_name"] == "赵管理"][0]
    assert zhao["phone_masked"] == "139****0001", zhao
    assert names("kind=five_into")[0] == ["李三"]
    assert names("participated=false")[0] == ["赵管理", "周四"]
    assert names("participated=true&min_score=70")[0] == ["钱一", "李三"]
    assert names("max_score=70&participated=true")[0] == ["孙二"]
    assert names("leader=true")[0] == ["孙二"]
    assert names("q=%E9%92%B1")[0] == ["钱一"]                 # 钱
    assert names("q=%25")[0] == []                             # % is literal
    got, j = names("limit=2&offset=2")
    assert len(got) == 2 and j["total"] == 5, j
    for bad in ("kind=boss", "participated=maybe", "min_score=-1", "limit=0", "limit=101",
                "offset=-1", "leader=2", "contest_id=99999999999"):
        r = stack.get("units/%d/members?%s" % (u, bad), token=console)
        assert r.status in (400, 404), (bad, r)
    # another unit: 403 for the unit admin; organizers by area
    r = stack.get("units/%d/members" % elsewhere, token=console)
    assert r.status == 403 and error_code(r) == "forbidden", r
    shanxi, _ = organizer(stack, SHANXI)
    hebei, _ = organizer(stack, HEBEI)
    assert names("", tok=shanxi)[1]["total"] == 5
    assert stack.get("units/%d/members" % u, token=hebei).status == 403
    assert stack.get("units/%d/members" % elsewhere, token=hebei).status == 200
    assert stack.get("units/999999999/members", token=shanxi).status == 404
    # expired, forged and used credentials
    assert stack.get("units/%d/members" % u, token="x" * 43).status == 401
    assert stack.get("units/%d/members" % u).status == 401
    code = stack.post("me/console-code", {}, token=admin_tok).json["code"]
    assert stack.post("admin/login", {"code": code}).status == 200
    r = stack.post("admin/login", {"code": code})
    assert r.status == 400 and error_code(r) == "invalid_code", r
    stack.sql("UPDATE sessions SET expires_at = 1 WHERE token_hash = %s"
              % q(hashlib.sha256(console.encode()).hexdigest()))
    stack.redis("DEL", "sess:" + hashlib.sha256(console.encode()).hexdigest())
    assert stack.get("units/%d/members" % u, token=console).status == 401


def test_uploads_are_capped_per_person_and_day(stack):
    u = unit(stack)
    tok, uid = registered_user(stack, u)
    # 28 made earlier today (as rows), two more through the API
    stack.sql("INSERT INTO uploads (user_id, media_type, size, sha256, data, created_at)"
              " SELECT %d, 'image/png', 1, REPEAT('0', 64), 'x', UNIX_TIMESTAMP() FROM seq_1_to_28" % uid)
    assert upload(stack, tok, png()).status == 201
    assert upload(stack, tok, png()).status == 201
    r = upload(stack, tok, png())
    assert r.status == 429 and error_code(r) == "rate_limited" and r.header("Retry-After"), r
    assert count(stack, "SELECT COUNT(*) FROM uploads WHERE user_id = %d" % uid) == 30
    # another person is not held back
    other, _ = registered_user(stack, u)
    assert upload(stack, other, png()).status == 201


def test_approval_for_a_unit_merged_since_is_refused(stack):
    u = unit(stack, SHANGDANG)
    keep = unit(stack, SHANGDANG)
    org, _ = organizer(stack, SHANXI)
    tok, _ = registered_user(stack, u)
    a = apply_for(stack, tok, u).json["application"]
    r = stack.post("admin/units/%d/merge" % u, {"into": keep}, token=org)
    assert r.status == 200, r
    r = stack.post("admin/admin-applications/%d/approve" % a["id"], {}, token=org)
    assert r.status == 409 and error_code(r) == "unit_inactive", r
    r = stack.post("admin/admin-applications/%d/reject" % a["id"], {"reason": "单位已合并，请向新单位申请"}, token=org)
    assert r.status == 200, r
