"""The console's pages (web/console/) in headless Chromium, served by nginx
beside the dashboard: an organizer signs in, opens a unit admin
application with its two files, approves it; the new admin signs in with
the one-time code from the mini-program and sees the unit's members as the
API lists them. Screenshots are kept in tests/artifacts/console-*.png."""
import json
import os

from boards_helpers import World
from cdp import Browser
from console_helpers import PASSWORD, organizer, upload_id, pdf, png, SHANXI

__order__ = 76

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ART = os.path.join(ROOT, "tests", "artifacts")

READ_MEMBERS = """JSON.stringify(Array.from(document.querySelectorAll('#members-table tbody tr'))
  .filter(tr => tr.dataset.id).map(tr => Array.from(tr.cells).map(td => td.textContent)))"""


def fill_and_submit(b, fields, form):
    for k, v in fields.items():
        b.eval("document.getElementById(%s).value = %s" % (json.dumps(k), json.dumps(v)))
    b.eval("document.getElementById(%s).requestSubmit()" % json.dumps(form))


def big_png():
    """A 240x160 picture, so the screenshot shows the file."""
    import struct
    import zlib
    w, h = 240, 160
    raw = b"".join(b"\x00" + b"".join(bytes((200, 40 + y, 40 + (x % 200))) for x in range(w)) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_console_sign_in_approve_and_members(stack):
    w = World(stack)
    u = w.unit("长治市上党区水利局", "140404", headcount=12)
    for name, score in (("钱一", 95), ("孙二", 80), ("李三", 60)):
        w.submit(w.person(u, "140404", name), score, len(name) + score)
    w.person(u, "140404", "周四")
    app_tok, app_user = stack.login()
    w.person(u, "140404", "赵申请", login=(app_tok, app_user))
    w.settle()
    cert = upload_id(stack, app_tok, pdf(), "营业执照.pdf")
    auth = upload_id(stack, app_tok, big_png(), "授权书.png")
    r = stack.post("units/%d/admin-applications" % u, {"applicant_name": "赵申请", "phone": "13912345678",
                   "certificate_upload_id": cert, "authorization_upload_id": auth}, token=app_tok)
    assert r.status == 201, r
    app_id = r.json["application"]["id"]
    _, org_name = organizer(stack, SHANXI)
    # an unverified unit of the area, and a name waiting for review
    pending_unit = w.unit("长治市潞州区待审供水站", "140403", headcount=5, verified=False)
    stack.sql("INSERT INTO content_reviews (kind, subject_id, user_id, content, reason, created_at)"
              " VALUES ('unit_name', %d, %d, '长治市潞州区待审供水站', 'review', UNIX_TIMESTAMP())"
              % (pending_unit, app_user["id"]))
    review_id = int(stack.sql("SELECT MAX(id) FROM content_reviews")[0][0])

    r = stack.get("/console/")
    assert r.status == 200 and "竞赛管理控制台" in r.body.decode(), r
    assert "default-src 'self'" in (r.header("Content-Security-Policy") or ""), r
    assert "<script src=\"console.js\"></script>" in r.body.decode()
    assert "http" not in r.body.decode().lower().replace("http-equiv", ""), "no outside scripts or fonts"
    b = Browser(width=1400, height=900)
    try:
        b.goto("%s/console/?contest_id=%d" % (stack.base, w.id))
        b.wait_for("document.body.dataset.view === 'signin'", what="the sign-in form")
        b.screenshot(os.path.join(ART, "console-signin.png"))
        fill_and_submit(b, {"in-user": org_name, "in-pass": PASSWORD}, "form-password")
        b.wait_for("document.body.dataset.view === 'applications' && document.body.dataset.loaded === '1'",
                   what="the applications list")
        assert "组织者" in b.eval("document.getElementById('who').textContent")
        row = "document.querySelector('#apps-table tr[data-id=\"%d\"]')" % app_id
        b.wait_for("!!" + row, what="the application in the list")
        cells = json.loads(b.eval("JSON.stringify(Array.from(%s.cells).map(c => c.textContent))" % row))
        assert cells[1:5] == ["长治市上党区水利局", "赵申请", "139****5678", "待审批"], cells
        b.eval("%s.querySelector('button[data-op=open]').click()" % row)
        b.wait_for("!!document.querySelector('#file-auth img') && document.querySelector('#file-auth img').complete"
                   " && document.querySelector('#file-auth img').naturalWidth === 240", what="the authorization letter")
        b.wait_for("!!document.querySelector('#file-cert a')", what="the certificate link")
        assert b.eval("document.querySelector('#file-cert a').href.startsWith('blob:')")
        b.screenshot(os.path.join(ART, "console-application.png"))
        b.eval("document.getElementById('app-approve').click()")
        b.wait_for("document.getElementById('msg').textContent.indexOf('已批准') >= 0", what="the approval")
        assert stack.sql("SELECT state FROM admin_applications WHERE id = %d" % app_id)[0][0] == "approved"
        assert stack.sql("SELECT admin_unit_id FROM users WHERE id = %d" % app_user["id"])[0][0] == str(u)

        # the units view lists the unit of the organizer's area
        b.eval("location.hash = '#units'")
        b.wait_for("document.body.dataset.view === 'units' && document.body.dataset.loaded === '1'",
                   what="the units list")
        cc = stack.sql("SELECT credit_code FROM units WHERE id = %d" % u)[0][0]
        fill_and_submit(b, {"units-q": cc}, "units-search")
        b.wait_for("document.querySelectorAll('#units-table tbody tr').length === 1 && "
                   "!!document.querySelector('#units-table tr[data-id=\"%d\"]')" % u,
                   what="the unit found by its credit code")
        b.screenshot(os.path.join(ART, "console-units.png"))

        # verify the unverified unit from its row
        cc = stack.sql("SELECT credit_code FROM units WHERE id = %d" % pending_unit)[0][0]
        fill_and_submit(b, {"units-q": cc}, "units-search")
        vrow = "document.querySelector('#units-table tr[data-id=\"%d\"]')" % pending_unit
        b.wait_for("!!%s && !!%s.querySelector('button[data-op=verify]')" % (vrow, vrow), what="the verify button")
        b.eval("%s.querySelector('button[data-op=verify]').click()" % vrow)
        b.wait_for("!!%s && %s.textContent.indexOf('已核实') >= 0" % (vrow, vrow), what="the unit verified")
        assert stack.sql("SELECT verified FROM units WHERE id = %d" % pending_unit)[0][0] == "1"

        # reject the name under review with a reason
        b.eval("location.hash = '#reviews'")
        rrow = "document.querySelector('#reviews-table tr[data-id=\"%d\"]')" % review_id
        b.wait_for("document.body.dataset.view === 'reviews' && !!%s" % rrow, what="the review row")
        b.screenshot(os.path.join(ART, "console-reviews.png"))
        b.eval("%s.querySelector('input').value = '名称含测试字样，请改为单位全称'" % rrow)
        b.eval("%s.querySelector('button.danger').click()" % rrow)
        b.wait_for("document.getElementById('msg').textContent === '已驳回'", what="the rejection")
        assert stack.sql("SELECT state, reject_reason FROM content_reviews WHERE id = %d" % review_id)[0] == \
            ["rejected", "名称含测试字样，请改为单位全称"]
        assert stack.get("units/%d" % pending_unit).json["unit"]["name"] == "待审核"

        # the new unit admin signs in with the mini-program's one-time code
        r = stack.post("me/console-code", {}, token=app_tok)
        assert r.status == 200, r
        b.eval("sessionStorage.clear()")
        b.goto("%s/console/?contest_id=%d" % (stack.base, w.id))
        b.wait_for("document.body.dataset.view === 'signin'", what="the sign-in form again")
        fill_and_submit(b, {"in-code": r.json["code"]}, "form-code")
        b.wait_for("document.body.dataset.view === 'members' && document.body.dataset.loaded === '1'",
                   what="the member list")
        b.wait_for("document.getElementById('members-total').textContent.indexOf('共') >= 0")
        shown = json.loads(b.eval(READ_MEMBERS))
        console = json.loads(b.eval("sessionStorage.getItem('quiz_console')"))["token"]
        api = stack.get("units/%d/members?contest_id=%d" % (u, w.id), token=console).json
        assert [row[0] for row in shown] == [m["real_name"] for m in api["members"]], (shown, api)
        assert [row[0] for row in shown][:3] == ["钱一", "孙二", "李三"], shown
        assert [row[4] for row in shown][:3] == ["95", "80", "60"], shown
        assert "单位管理员" in b.eval("document.getElementById('who').textContent")
        # a unit admin gets no organizer views
        assert b.eval("document.querySelector('nav a[href=\"#units\"]').hidden")
        b.wait_for("document.getElementById('members-unit').textContent.indexOf('长治市上党区水利局') >= 0")
        b.screenshot(os.path.join(ART, "console-members.png"))
        # the filters: only those who answered, at least 70 points
        b.eval("document.getElementById('m-part').value = 'true'")
        fill_and_submit(b, {"m-min": "70"}, "members-filter")
        b.wait_for("document.getElementById('members-total').textContent === '共 2 人'", what="the filtered list")
        assert [row[0] for row in json.loads(b.eval(READ_MEMBERS))] == ["钱一", "孙二"]
        for name in ("console-signin.png", "console-application.png", "console-members.png"):
            assert os.path.getsize(os.path.join(ART, name)) > 5000, name
    finally:
        b.close()
