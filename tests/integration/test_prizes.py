"""Prizes: settings checked on create and update, the draw's commit and
reveal, the published winners and candidate list, and `quizd draw-verify`
agreeing with the server and with an independent reimplementation."""
import hashlib
import os
import secrets

from prizes_helpers import AFTER, DURING, commit_draw, logged_in_person, new_contest, person, python_draw, share_phone
from quiz_helpers import IN_MAIN, error_code, organizer_token

__order__ = 57

SETTINGS = {"tiers": [{"name": "一等奖", "count": 2}, {"name": "二等奖", "count": 3}],
            "draws": [{"name": "参与奖", "count": 5, "min_score_exclusive": 50}]}


def test_bad_prize_settings_are_400_naming_the_field(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    cases = [
        ({"tiers": [{"name": "一等奖", "count": 0}]}, "prize_settings.tiers[0].count"),
        ({"tiers": [{"name": "", "count": 3}]}, "prize_settings.tiers[0].name"),
        ({"draws": [{"name": "参与奖", "count": 3}]}, "prize_settings.draws[0].min_score_exclusive"),
        ({"full_marks_draw": {"count": 300}}, "prize_settings.full_marks_draw.fill_by_rank"),
        ({"tierz": []}, "prize_settings.tierz"),
        ("x", "prize_settings"),
    ]
    for settings, field in cases:
        r = stack.post("admin/contests", {"name": "坏设置", "registration_deadline": "2025-03-05T00:00:00+08:00",
                                          "starts_at": "2025-03-01T08:00:00+08:00",
                                          "ends_at": "2025-03-10T20:00:00+08:00",
                                          "paper": [{"category": "安全生产法", "count": 5}],
                                          "prize_settings": settings}, token=org)
        assert r.status == 400 and error_code(r) == "invalid_contest", r
        assert r.json["error"]["message"].startswith(field + ":"), (field, r)
    cid = new_contest(stack, org, SETTINGS)
    r = stack.put("admin/contests/%d" % cid, {"prize_settings": {"draws": "x"}}, token=org)
    assert r.status == 400 and r.json["error"]["message"].startswith("prize_settings.draws:"), r
    ok = {"full_marks_draw": {"count": 300, "fill_by_rank": True}}
    r = stack.put("admin/contests/%d" % cid, {"prize_settings": ok}, token=org)
    assert r.status == 200 and r.json["contest"]["prize_settings"] == ok, r
    # After the end: the same settings may be sent again, different ones are refused.
    stack.set_clock(iso=AFTER)
    r = stack.put("admin/contests/%d" % cid, {"prize_settings": SETTINGS}, token=org)
    assert r.status == 409 and error_code(r) == "contest_ended", r
    r = stack.put("admin/contests/%d" % cid, {"prize_settings": ok, "name": "改名"}, token=org)
    assert r.status == 200, r
    stack.set_clock(iso=IN_MAIN)


def candidates(stack, cid):
    """30 people: ties at the tier boundary, scores of exactly 50, and two
    logged-in accounts sharing one verified phone."""
    ids = []
    for i, score in enumerate([100, 95, 95, 90, 90, 90, 80, 70, 60, 55, 51, 51, 50, 50, 50, 40, 30,
                               65, 66, 67, 68, 69, 71, 72, 73, 20, 10]):
        ids.append(person(stack, cid, score, 1741000000 + i * 7 % 5, name="赵六"))
    phone = "139%08d" % secrets.randbelow(10 ** 8)
    a = logged_in_person(stack, cid, 99, 1741000001, phone=phone)
    b = logged_in_person(stack, cid, 98, 1741000001)
    share_phone(stack, a[1], b[1])                                         # the same number
    c = logged_in_person(stack, cid, 97, 1741000001, phone=None)
    return ids, a[1], b[1], c[1]


def test_commit_reveal_winners_and_verify(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    cid = new_contest(stack, org, SETTINGS)
    ids, same_a, same_b, nophone = candidates(stack, cid)
    seed = secrets.token_hex(32)
    commitment = hashlib.sha256(bytes.fromhex(seed)).hexdigest()
    pv = "中国福利彩票3D 2025066期开奖号码"
    base = "admin/contests/%d/draw/" % cid

    assert stack.get("contests/%d/winners" % cid).status == 404
    r = stack.post(base + "reveal", {"seed": seed, "public_value": "1 2 3"}, token=org)
    assert r.status == 409 and error_code(r) == "contest_not_ended", r
    r = stack.post(base + "commit", {"seed_sha256": "zz" * 32, "public_value_source": pv}, token=org)
    assert r.status == 400, r
    r = stack.post(base + "commit", {"seed_sha256": commitment, "public_value_source": pv}, token=org)
    assert r.status == 201 and r.json["commitment"]["seed_sha256"] == commitment, r
    assert r.json["commitment"]["committed_at"] == DURING, r
    r = stack.post(base + "commit", {"seed_sha256": commitment, "public_value_source": pv}, token=org)
    assert r.status == 409 and error_code(r) == "already_committed", r
    pub = stack.get("contests/%d/winners" % cid)
    assert pub.status == 200 and pub.json["commitment"]["seed_sha256"] == commitment, pub
    assert pub.json["seed"] is None and pub.json["public_value"] is None, pub
    assert [t["winners"] for t in pub.json["tiers"]] == [[], [], []], pub

    stack.set_clock(iso=AFTER)
    # A commitment after the end is refused (another contest, same clock).
    other = new_contest(stack, org, SETTINGS, ends_at="2025-03-09T20:00:00+08:00")
    r = stack.post("admin/contests/%d/draw/commit" % other, {"seed_sha256": commitment,
                                                             "public_value_source": pv}, token=org)
    assert r.status == 409 and error_code(r) == "contest_ended", r
    r = stack.post("admin/contests/%d/draw/reveal" % other, {"seed": seed, "public_value": "1"}, token=org)
    assert r.status == 409 and error_code(r) == "no_commitment", r

    # Frozen list first, published with its hash.
    assert stack.get("contests/%d/draw/candidates" % cid).status == 404
    r = stack.post(base + "freeze", {}, token=org)
    assert r.status == 200, r
    sha = r.json["candidates_sha256"]
    f = stack.get("contests/%d/draw/candidates" % cid)
    assert f.status == 200 and hashlib.sha256(f.body).hexdigest() == sha, f
    text = f.body.decode()
    assert "赵六" not in text and "139" not in text.split("count")[1].split("\n", 1)[0]
    assert stack.get("contests/%d/winners" % cid).json["candidates_sha256"] == sha

    wrong = secrets.token_hex(32)
    r = stack.post(base + "reveal", {"seed": wrong, "public_value": "5 1 7"}, token=org)
    assert r.status == 400 and error_code(r) == "seed_mismatch", r
    r = stack.post(base + "reveal", {"seed": seed, "public_value": "5 1 7"}, token=org)
    assert r.status == 200, r
    assert r.json["candidates_sha256"] == sha and r.json["seed"] == seed and r.json["public_value"] == "5 1 7"
    tiers = r.json["tiers"]
    assert [len(t["winners"]) for t in tiers] == [2, 3, 5], tiers
    flat = r.json["winners"]
    assert len(flat) == 10 and flat[0]["prize"] == "一等奖" and flat[-1]["prize"] == "参与奖", flat
    r2 = stack.post(base + "reveal", {"seed": seed, "public_value": "5 1 7"}, token=org)
    assert r2.status == 409 and error_code(r2) == "already_revealed", r2

    stored = [(int(g), int(u), "draw" if int(d) else "rank") for g, u, d in stack.sql(
        "SELECT prize_group, user_id, by_draw FROM prize_winners WHERE contest_id = %d"
        " ORDER BY prize_group, position" % cid)]
    # Ranked tiers: 100, then the two same-phone accounts count once (99 wins, 98 is skipped).
    assert stored[0][1] == ids[0] and stored[1][1] == same_a, stored
    winners = [u for _, u, _ in stored]
    assert same_b not in winners and len(set(winners)) == len(winners)
    assert nophone in winners[:5]
    # The participation draw: only scores above 50, nobody from the tiers.
    for g, u, how in stored:
        if g == 2:
            assert how == "draw"
            assert int(stack.sql("SELECT score FROM contest_scores WHERE contest_id = %d AND user_id = %d"
                                 % (cid, u))[0][0]) > 50

    # The public list: masked names, units, the seed and value, no ids.
    pub = stack.get("contests/%d/winners" % cid).json
    assert pub["seed"] == seed and pub["public_value"] == "5 1 7" and pub["algorithm"] == "quizd-draw-v1"
    w0 = pub["tiers"][0]["winners"][0]
    assert w0["name_masked"] == "赵*" and w0["unit_name"] == "测试水务局" and "user_id" not in w0, w0
    adm = stack.get("admin/contests/%d/winners" % cid, token=org).json
    flags = {w["user_id"]: w["phone_verified"] for t in adm["tiers"] for w in t["winners"]}
    assert flags[same_a] is True and flags[nophone] is False, flags

    # The CLI reruns the same draw from the published file.
    path = os.path.join(stack.dir, "candidates-%d.txt" % cid)
    with open(path, "wb") as fh:
        fh.write(f.body)
    p = stack.quizd("draw-verify", path, seed, "5 1 7")
    assert p.returncode == 0, p
    out = p.stdout.decode()
    assert ("# candidates_sha256 %s" % sha) in out
    rerun = [(int(x[0]), int(x[3]), x[4]) for x in (line.split("\t") for line in out.splitlines()
                                                     if not line.startswith("#"))]
    assert rerun == stored, (rerun, stored)
    # ... and so does an independent implementation of the README's description.
    assert python_draw(text, seed, "5 1 7") == stored
    # Same inputs, same winners; another seed or value, other winners.
    again = stack.quizd("draw-verify", path, seed, "5 1 7").stdout.decode()
    assert again == out
    assert stack.quizd("draw-verify", path, secrets.token_hex(32), "5 1 7").stdout.decode() != out
    assert stack.quizd("draw-verify", path, seed, "5 1 8").stdout.decode() != out
    # A tampered file is refused.
    with open(path, "wb") as fh:
        fh.write(f.body.replace(b"\ncount ", b"\ncount 9"))
    assert stack.quizd("draw-verify", path, seed, "5 1 7").returncode != 0
    stack.set_clock(iso=IN_MAIN)


def test_reveal_freezes_when_not_frozen_and_full_marks_rule(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    cid = new_contest(stack, org, {"full_marks_draw": {"name": "话费奖", "count": 4, "fill_by_rank": True}})
    full = [person(stack, cid, 100, 1741000000 + i) for i in range(2)]
    tied = [person(stack, cid, 80, 1741000000 + i) for i in range(5)]
    person(stack, cid, 60, 1741000000)
    # Someone who withdrew (DELETE /me) is no candidate, however high the score.
    gone_tok, gone, _ = logged_in_person(stack, cid, 100, 1740000000)
    r = stack.request("DELETE", "me", body={"confirm": True}, token=gone_tok)
    assert r.status == 204, r
    seed = commit_draw(stack, org, cid, "上证指数 2025-03-11 收盘")
    stack.set_clock(iso=AFTER)
    r = stack.post("admin/contests/%d/draw/reveal" % cid, {"seed": seed, "public_value": "3345.67"}, token=org)
    assert r.status == 200 and r.json["candidates_sha256"], r
    rows = stack.sql("SELECT user_id, by_draw FROM prize_winners WHERE contest_id = %d ORDER BY position" % cid)
    got = [int(u) for u, _ in rows]
    assert got[:2] == full and all(u in tied for u in got[2:]) and len(got) == 4, got
    assert [int(d) for _, d in rows] == [0, 0, 1, 1]
    text = stack.get("contests/%d/draw/candidates" % cid).body.decode()
    assert "\n%d " % gone not in text and "\ncount 8\n" in text, text
    stack.set_clock(iso=IN_MAIN)
