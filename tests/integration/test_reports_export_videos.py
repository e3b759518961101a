"""The videos export: every work on the receipts of the organizer's area,
one row each, contact phone masked, title review state shown, formula
prefixes neutralised (a title starting with '='); a unit admin may not ask
for it (403)."""
import secrets

from reports_helpers import SqlWorld as World, q
from reports_helpers import organizer, unit_admin, export, read_xlsx, read_csv

__order__ = 56


def receipt(stack, unit, region, prov, city, items):
    """A receipt with its works, written as the videos engine stores one."""
    stack.sql("INSERT INTO video_receipts (user_id, unit_name, contact_name, contact_phone_sealed,"
              " contact_phone_masked, region_code, province_code, city_code, county_code, created_at)"
              " VALUES (1, %s, '赵六', 'sealed', '138****0000', %s, %s, %s, %s, 1717600000)"
              % (q(unit), q(region), q(prov), q(city), q(region)))
    rid = int(stack.sql("SELECT MAX(id) FROM video_receipts WHERE unit_name = %s" % q(unit))[0][0])
    for n, (title, review, award) in enumerate(items):
        url = "https://www.douyin.com/video/7%018d" % secrets.randbelow(10 ** 18)
        stack.sql("INSERT INTO video_items (receipt_id, seq, title, url, author, author_unit, content_review, award)"
                  " VALUES (%d, %d, %s, %s, '钱七', %s, %s, %s)"
                  % (rid, n + 1, q(title), q(url), q(unit), q(review), "NULL" if award is None else q(award)))
    return rid


def test_videos_export_rows_masked_and_neutralised(stack):
    unit = "视频导出单位" + secrets.token_hex(3)
    other = "视频导出外省单位" + secrets.token_hex(3)
    rid = receipt(stack, unit, "140105", "140000", "140100",
                  [("=1+1防汛", "pass", "first"), ("安全生产月", "review", None)])
    far = receipt(stack, other, "130102", "130000", "130100", [("河北作品", "unchecked", None)])

    tok, _ = organizer(stack)
    _, r = export(stack, tok, {"kind": "videos", "format": "csv"})
    rows = read_csv(r.body)
    col = {h: i for i, h in enumerate(rows[0])}
    mine = [row for row in rows[1:] if row[col["回执编号"]] == str(rid)]
    assert len(mine) == 2, rows
    titles = sorted(row[col["作品标题"]] for row in mine)
    assert titles == ["'=1+1防汛", "安全生产月"], titles
    for row in mine:
        assert row[col["报送单位"]] == unit and row[col["联系人"]] == "赵六", row
        assert row[col["联系电话"]] == "138****0000", row
        assert row[col["作者"]] == "钱七" and row[col["地区"]] != "", row
        assert row[col["抖音链接"]].startswith("https://www.douyin.com/video/"), row
    by_title = {row[col["作品标题"]]: row for row in mine}
    assert by_title["'=1+1防汛"][col["奖项"]] == "一等奖"
    assert by_title["安全生产月"][col["标题审核"]] == "待人工审核"
    for row in rows[1:]:
        for cell in row:
            assert cell == "" or cell[0] not in "=+-@\t\r", row
    assert any(row[col["回执编号"]] == str(far) for row in rows[1:])

    # an organizer of Shanxi sees Shanxi's receipts only (xlsx this time)
    tok_sx, _ = organizer(stack, "140000")
    _, r = export(stack, tok_sx, {"kind": "videos", "format": "xlsx"})
    sheet = read_xlsx(r.body)["视频作品"]
    ids = {int(row[0]) for row in sheet["rows"][1:]}
    assert rid in ids and far not in ids, ids

    # a unit admin may not ask for it
    w = World(stack)
    u = w.unit("视频导出管理员单位" + secrets.token_hex(2), "140105")
    uid = w.member(u, "140105", "孙八")[1]
    r = stack.post("admin/exports", {"kind": "videos", "format": "csv"}, token=unit_admin(stack, uid, u))
    assert r.status == 403, r
