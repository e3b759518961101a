"""Video titles WeChat's content check marked `review` join the console's
review queue (kind video_title) for the organizers of the receipt's area;
accepting passes the work, rejecting marks it `rejected` in the
organizers' video list and the videos export (flagged, not hidden); both
decisions are audited."""
import secrets

from console_helpers import organizer, audit_rows, SHANXI, HEBEI
from quiz_helpers import IN_MAIN, registered
from reports_helpers import export, read_csv, organizer as rep_organizer

__order__ = 58
OPEN = "2024-07-01T10:00:00+08:00"


def vid():
    return "https://www.douyin.com/video/7%018d" % secrets.randbelow(10 ** 18)


def item(title):
    return {"title": title, "url": vid(), "author": "李四", "author_unit": "太原市水务局"}


def queued(stack, token, rid):
    r = stack.get("admin/reviews?kind=video_title&state=all&limit=100", token=token)
    assert r.status == 200, r
    ids = {int(i) for (i,) in stack.sql("SELECT id FROM video_items WHERE receipt_id = %d" % rid)}
    return {rv["subject_id"]: rv for rv in r.json["reviews"] if rv["subject_id"] in ids}


def test_video_title_review_queue_accept_and_reject(stack):
    stack.set_clock(iso=OPEN)
    tok, _ = registered(stack, "王二")
    tag = secrets.token_hex(2)
    body = {"unit_name": "太原市水务局", "contact_name": "张三", "contact_phone": "13912345678",
            "items": [item("待审标题甲" + tag), item("待审标题乙" + tag)]}
    r = stack.post("videos", body, token=tok)
    assert r.status == 201, r
    rid = r.json["receipt_id"]
    # a receipt WeChat passes queues nothing (the check covers a receipt's titles at once)
    r = stack.post("videos", dict(body, items=[item("汛期安全" + tag)]), token=tok)
    assert r.status == 201, r
    clean = r.json["receipt_id"]
    items = {t: int(i) for i, t in stack.sql("SELECT id, title FROM video_items WHERE receipt_id = %d" % rid)}
    stack.set_clock(iso=IN_MAIN)

    shanxi, _ = organizer(stack, SHANXI)
    hebei, _ = organizer(stack, HEBEI)
    got = queued(stack, shanxi, rid)
    # the two titles to review are queued, the passed one is not
    assert queued(stack, shanxi, clean) == {}
    assert set(got) == {items["待审标题甲" + tag], items["待审标题乙" + tag]}, got
    for rv in got.values():
        assert rv["kind"] == "video_title" and rv["state"] == "pending" and rv["check"] == "review", rv
        assert rv["region_code"] == stack.sql("SELECT region_code FROM video_receipts WHERE id = %d" % rid)[0][0]
    assert queued(stack, hebei, rid) == {}
    a, b = got[items["待审标题甲" + tag]], got[items["待审标题乙" + tag]]
    r = stack.post("admin/reviews/%d/reject" % a["id"], {"reason": "标题不当"}, token=hebei)
    assert r.status == 403, r

    before = audit_rows(stack, "review.reject"), audit_rows(stack, "review.accept")
    r = stack.post("admin/reviews/%d/reject" % a["id"], {"reason": "标题不当"}, token=shanxi)
    assert r.status == 200, r
    r = stack.post("admin/reviews/%d/accept" % b["id"], {}, token=shanxi)
    assert r.status == 200, r
    assert (audit_rows(stack, "review.reject"), audit_rows(stack, "review.accept")) == (before[0] + 1, before[1] + 1)
    state = {t: s for t, s in stack.sql("SELECT title, content_review FROM video_items WHERE receipt_id = %d" % rid)}
    assert state == {"待审标题甲" + tag: "rejected", "待审标题乙" + tag: "pass"}, state

    # the organizers' list flags the rejected work
    r = stack.get("admin/videos?limit=100", token=shanxi)
    assert r.status == 200, r
    listed = {v["title"]: v["content_review"] for v in r.json["videos"] if v["receipt_id"] == rid}
    assert listed.get("待审标题甲" + tag) == "rejected" and listed.get("待审标题乙" + tag) == "pass", listed
    # ... and so does the videos export
    tok_rep, _ = rep_organizer(stack)
    _, r = export(stack, tok_rep, {"kind": "videos", "format": "csv"})
    rows = read_csv(r.body)
    col = {h: i for i, h in enumerate(rows[0])}
    flags = {row[col["作品标题"]]: row[col["标题审核"]] for row in rows[1:] if row[col["回执编号"]] == str(rid)}
    assert flags == {"待审标题甲" + tag: "已驳回", "待审标题乙" + tag: "通过"}, flags
