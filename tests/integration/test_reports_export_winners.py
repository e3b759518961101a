"""The winners export (the payout list): after a draw, its rows are the
winners GET /admin/contests/{id}/winners lists, in order, with real names
and verified phone numbers in full (待核实 and no number when not
verified), as .csv and .xlsx; formula prefixes neutralised; a regional
organizer (403) and an unknown contest (404) are refused."""
import secrets

from prizes_helpers import AFTER, DURING, commit_draw, logged_in_person, new_contest, person
from quiz_helpers import IN_MAIN, organizer_token
from reports_helpers import organizer, export, read_xlsx, read_csv

__order__ = 58


def phone():
    return "139%08d" % secrets.randbelow(10 ** 8)


def run_draw(stack, org):
    stack.set_clock(iso=DURING)
    cid = new_contest(stack, org, {"tiers": [{"name": "一等奖", "count": 2}],
                                   "draws": [{"name": "参与奖", "count": 1, "min_score_exclusive": 50}]})
    phones = {}
    p1, p2 = phone(), phone()
    _, a, _ = logged_in_person(stack, cid, 100, 1741000000, phone=p1, name="=HYPERLINK(1)")
    phones[a] = p1
    _, b, _ = logged_in_person(stack, cid, 90, 1741000001, phone=p2, name="钱一")
    phones[b] = p2
    c = person(stack, cid, 80, 1741000002, name="孙二")          # no verified phone
    seed = commit_draw(stack, org, cid, "上证指数 2025-03-11 收盘")
    stack.set_clock(iso=AFTER)
    r = stack.post("admin/contests/%d/draw/reveal" % cid, {"seed": seed, "public_value": "3345.67"}, token=org)
    assert r.status == 200, r
    stack.set_clock(iso=IN_MAIN)
    return cid, phones, {a: "=HYPERLINK(1)", b: "钱一", c: "孙二"}


def test_winners_export_is_the_payout_list(stack):
    org = organizer_token(stack)
    cid, phones, names = run_draw(stack, org)
    adm = stack.get("admin/contests/%d/winners" % cid, token=org).json
    want = [(t["name"], w) for t in adm["tiers"] for w in t["winners"]]
    assert len(want) == 3, adm

    tok, _ = organizer(stack)
    _, r = export(stack, tok, {"kind": "winners", "format": "csv", "contest_id": cid})
    rows = read_csv(r.body)
    col = {h: i for i, h in enumerate(rows[0])}
    data = rows[1:]
    assert len(data) == len(want), data
    for row, (prize, w) in zip(data, want):
        uid = w["user_id"]
        assert int(row[col["用户ID"]]) == uid and row[col["奖项"]] == prize, (row, w)
        assert row[col["单位"]] == w["unit_name"] and row[col["地区"]] != "", row
        name = names[uid]
        assert row[col["姓名"]] == ("'" + name if name[0] == "=" else name), row
        if w["phone_verified"]:
            assert row[col["手机号"]] == phones[uid] and row[col["手机核实"]] == "已核实", row
        else:
            assert row[col["手机号"]] == "" and row[col["手机核实"]] == "待核实", row
        score = stack.sql("SELECT score FROM contest_scores WHERE contest_id = %d AND user_id = %d" % (cid, uid))
        assert row[col["成绩"]] == score[0][0], row
    assert sum(1 for _, w in want if not w["phone_verified"]) >= 1
    assert sum(1 for _, w in want if w["phone_verified"]) >= 1
    for row in data:
        for cell in row:
            assert cell == "" or cell[0] not in "=+-@\t\r", row

    _, r = export(stack, tok, {"kind": "winners", "format": "xlsx", "contest_id": cid})
    sheet = read_xlsx(r.body)["获奖名单"]
    assert [int(x[4]) for x in sheet["rows"][1:]] == [w["user_id"] for _, w in want]
    got_phones = {int(x[4]): x[8] for x in sheet["rows"][1:]}
    for uid, p in phones.items():
        if uid in got_phones:
            assert str(got_phones[uid]) == p, got_phones

    # regional organizers may not; a contest that does not exist is 404
    # (without contest_id the current contest is meant, as for every kind)
    tok_sx, _ = organizer(stack, "140000")
    r = stack.post("admin/exports", {"kind": "winners", "format": "csv", "contest_id": cid}, token=tok_sx)
    assert r.status == 403, r
    r = stack.post("admin/exports", {"kind": "winners", "format": "csv", "contest_id": 987654321}, token=tok)
    assert r.status == 404, r
