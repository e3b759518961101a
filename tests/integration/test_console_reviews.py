"""Content reviews (issue 10, part 3): what WeChat's content check sent to
review is listed for the organizers of its area, who accept or reject it
with a reason; a rejected name shows as 待审核 in public lists and boards
until it is corrected, and its owner sees why in GET /me."""
import time
import urllib.parse

from boards_helpers import World
from console_helpers import organizer, error_code, count, audit_rows, q, SHANXI, HEBEI
from units_helpers import BEFORE, make_contest, unit_body

__order__ = 47
HIDDEN = "待审核"


def wait_until(fn, what, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def register_under_review(stack):
    """(owner token, unit) of a unit whose name WeChat answered `review` for."""
    cid = make_contest(stack, deadline="2099-12-31T23:59:59+08:00")
    tok, _ = stack.login()
    body = unit_body(cid)
    body["name"] = "长治市待审%s水利局" % body["name"][5:9]
    r = stack.post("units", body, token=tok)
    assert r.status == 201, r
    return tok, r.json["unit"]


def review_of(stack, org, unit_id, kind="unit_name"):
    r = stack.get("admin/reviews?kind=%s&limit=100" % kind, token=org)
    assert r.status == 200, r
    hits = [x for x in r.json["reviews"] if x["subject_id"] == unit_id]
    return hits[0] if hits else None


def test_reviews_are_listed_by_area_and_decided(stack):
    owner, u = register_under_review(stack)
    shanxi, _ = organizer(stack, SHANXI)
    hebei, _ = organizer(stack, HEBEI)
    rv = review_of(stack, shanxi, u["id"])
    assert rv and rv["state"] == "pending" and rv["check"] == "review" and rv["content"] == u["name"], rv
    assert rv["created_at"].endswith("+08:00") and rv["user_id"], rv
    assert review_of(stack, hebei, u["id"]) is None
    # another area's review: 403, nothing decided
    r = stack.post("admin/reviews/%d/reject" % rv["id"], {"reason": "名称不规范"}, token=hebei)
    assert r.status == 403 and error_code(r) == "forbidden", r
    # bad input: nothing written
    n = audit_rows(stack, "review.reject")
    for body in ({}, {"reason": ""}, {"reason": "x"}, {"reason": 5}, {"reason": "甲" * 201}):
        r = stack.post("admin/reviews/%d/reject" % rv["id"], body, token=shanxi)
        assert r.status == 400 and error_code(r) == "invalid_parameter", (body, r)
    for bad in ("state=bogus", "kind=password", "limit=0", "offset=x"):
        assert stack.get("admin/reviews?" + bad, token=shanxi).status == 400, bad
    r = stack.post("admin/reviews/999999999/accept", {}, token=shanxi)
    assert r.status == 404 and error_code(r) == "review_not_found", r
    assert audit_rows(stack, "review.reject") == n
    assert stack.get("units/%d" % u["id"]).json["unit"]["name"] == u["name"]

    r = stack.post("admin/reviews/%d/reject" % rv["id"], {"reason": "名称含不当字词，请更正"}, token=shanxi)
    assert r.status == 200 and r.json["state"] == "rejected", r
    assert audit_rows(stack, "review.reject") == n + 1
    r = stack.post("admin/reviews/%d/accept" % rv["id"], {}, token=shanxi)
    assert r.status == 409 and error_code(r) == "already_decided", r
    # hidden in public: the unit, the search list
    assert stack.get("units/%d" % u["id"]).json["unit"]["name"] == HIDDEN
    listed = stack.get("units?q=%s" % urllib.parse.quote(u["name"][3:7])).json["units"]
    assert [x["name"] for x in listed if x["id"] == u["id"]] == [HIDDEN], listed
    # the owner sees why
    me = stack.get("me", token=owner).json
    assert me["name_reviews"]["units"] == [{"id": u["id"], "name_state": "rejected",
                                            "reason": "名称含不当字词，请更正"}], me
    # listed as decided, with who
    r = stack.get("admin/reviews?state=rejected&limit=100", token=shanxi)
    mine = [x for x in r.json["reviews"] if x["id"] == rv["id"]]
    assert mine and mine[0]["decided_by"] and mine[0]["reason"] == "名称含不当字词，请更正", mine
    # corrected (by an organizer of the area): shown again
    r = stack.put("admin/units/%d" % u["id"], {"name": "长治市上党区水利局"}, token=shanxi)
    assert r.status == 200, r
    assert stack.get("units/%d" % u["id"]).json["unit"]["name"] == "长治市上党区水利局"
    assert stack.get("me", token=owner).json["name_reviews"]["units"] == []


def test_accepting_keeps_the_name(stack):
    _, u = register_under_review(stack)
    org, _ = organizer(stack, "")
    rv = review_of(stack, org, u["id"], kind="contact_name")
    assert rv and rv["state"] == "pending", rv
    r = stack.post("admin/reviews/%d/accept" % rv["id"], {}, token=org)
    assert r.status == 200 and r.json["state"] == "accepted", r
    assert stack.sql("SELECT state FROM content_reviews WHERE id = %d" % rv["id"])[0][0] == "accepted"
    assert stack.get("units/%d" % u["id"]).json["unit"]["name"] == u["name"]


def test_rejected_names_are_hidden_on_the_boards(stack):
    org, _ = organizer(stack, "")
    w = World(stack)
    unit = w.unit("长治市待审单位", "140404", headcount=2)
    tok, uid = w.member(unit, "140404", "王待审")
    w.submit(uid, 40, 1)
    w.settle()
    for kind, subject, content in (("real_name", uid, "王待审"), ("unit_name", unit, "长治市待审单位")):
        stack.sql("INSERT INTO content_reviews (kind, subject_id, user_id, content, reason, created_at)"
                  " VALUES (%s, %d, %d, %s, 'review', 0)" % (q(kind), subject, uid, q(content)))
        rid = int(stack.sql("SELECT MAX(id) FROM content_reviews")[0][0])
        r = stack.post("admin/reviews/%d/reject" % rid, {"reason": "请使用真实姓名和单位全称"}, token=org)
        assert r.status == 200, r

    def hidden():
        e = w.ok("individual")["entries"]
        un = w.ok("units")["entries"]
        return e and e[0]["name"] == HIDDEN and e[0]["unit_name"] == HIDDEN and un[0]["name"] == HIDDEN
    wait_until(hidden, "the rejected names hidden on the boards")
    wait_until(lambda: w.check()[0] == 0, "check-boards to agree")
    me = stack.get("me", token=tok).json
    assert me["name_reviews"]["real_name"] == {"state": "rejected", "reason": "请使用真实姓名和单位全称"}, me
    # a later submit keeps them hidden (the live apply path)
    w.submit(uid, 60, 5)
    w.settle()
    assert hidden()
    assert w.check()[0] == 0
    # the owner corrects the name: the boards show the new one (masked)
    r = stack.put("me/profile", {"real_name": "王正名", "region_code": "140404", "unit_id": unit,
                                 "is_unit_leader": False, "contest_id": w.id}, token=tok)
    assert r.status == 200, r
    wait_until(lambda: w.ok("individual")["entries"][0]["name"] == "王**", "the corrected name on the board")
    assert w.ok("individual")["entries"][0]["unit_name"] == HIDDEN     # the unit's is still rejected
    wait_until(lambda: w.check()[0] == 0, "check-boards to agree")


def test_owner_corrects_a_rejected_name(stack):
    cid = make_contest(stack, deadline="2099-12-31T23:59:59+08:00")
    # registration is open while some contest that has not ended takes it
    # (issue 13): answer at a time before this contest's end; the runner
    # puts the clock back after the test
    stack.set_clock(iso=BEFORE)
    tok, _ = stack.login()
    r = stack.post("units", unit_body(cid), token=tok)
    assert r.status == 201, r
    u = r.json["unit"]
    body = {"real_name": "王待审", "region_code": "140404", "unit_id": u["id"], "is_unit_leader": False,
            "contest_id": cid}
    r = stack.put("me/profile", body, token=tok)
    assert r.status == 200, r
    org, _ = organizer(stack, SHANXI)
    rv = [x for x in stack.get("admin/reviews?kind=real_name&limit=100", token=org).json["reviews"]
          if x["content"] == "王待审" and x["user_id"] == r.json["profile"]["user_id"]]
    assert rv, "the name is listed for review"
    assert stack.post("admin/reviews/%d/reject" % rv[0]["id"], {"reason": "请填写真实姓名"}, token=org).status == 200
    me = stack.get("me", token=tok).json
    assert me["name_reviews"]["real_name"] == {"state": "rejected", "reason": "请填写真实姓名"}, me
    # another change that keeps the name keeps the rejection
    r = stack.put("me/profile", dict(body, is_unit_leader=True, position="科员"), token=tok)
    assert r.status == 200, r
    assert stack.get("me", token=tok).json["name_reviews"]["real_name"]["state"] == "rejected"
    # the corrected name clears it
    r = stack.put("me/profile", dict(body, real_name="王正明"), token=tok)
    assert r.status == 200, r
    me = stack.get("me", token=tok).json
    assert me["name_reviews"]["real_name"] is None and me["profile"]["real_name"] == "王正明", me
