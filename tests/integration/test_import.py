"""The question bank: CSV import over HTTP (raw and multipart) and from the
command line, bad lines, Excel's dialect, a 10 MB file, and corrections that
rescore the attempts that had the question."""
import json
import os
import tempfile
import time

from quiz_helpers import (IN_MAIN, SEED_CSV, ensure_bank, error_code, organizer_token, registered,
                          reset_seeded_contests, answer_key, q, SEED_BANK)

__order__ = 58

HEADER = "type,category,stem,A,B,C,D,E,F,answer,explanation\r\n"


def post_csv(stack, token, data, ctype="text/csv; charset=utf-8"):
    return stack.request("POST", "/api/v1/admin/questions/import", raw=data, token=token,
                         headers={"Content-Type": ctype}, timeout=300)


def test_seed_bank_twice_changes_nothing(stack):
    org = organizer_token(stack)
    with open(SEED_CSV, "rb") as f:
        data = f.read()
    r1 = post_csv(stack, org, data)
    assert r1.status == 200 and r1.json["rejected"] == [], r1
    n = int(stack.sql("SELECT COUNT(*) FROM questions WHERE category = '安全生产法'")[0][0])
    assert n >= 20
    before = stack.sql("SELECT id, content_hash, revision, updated_at FROM questions ORDER BY id")
    r2 = post_csv(stack, org, data)
    assert r2.status == 200, r2
    assert r2.json["imported"] == 0 and r2.json["unchanged"] >= 150 and r2.json["rejected"] == [], r2.json
    assert stack.sql("SELECT id, content_hash, revision, updated_at FROM questions ORDER BY id") == before


def test_broken_lines_are_rejected_with_line_numbers(stack):
    org = organizer_token(stack)
    tag = str(time.time_ns())
    rows = [
        'single,测试分类,正确的单选题%s,甲,乙,丙,丁,,,B,解析' % tag,                      # 2 ok
        'single,测试分类,错误字母%s,甲,乙,丙,丁,,,E,选项只有四个' % tag,                   # 3 answer E
        'multiple,测试分类,多选题%s,甲,乙,丙,丁,,,"c,a",排序' % tag,                      # 4 ok -> AC
        'multiple,测试分类,多选只有一个答案%s,甲,乙,丙,丁,,,A,' % tag,                     # 5 one letter
        'judge,测试分类,判断题对%s,,,,,,,对,' % tag,                                     # 6 ok A
        'judge,测试分类,判断题错误%s,,,,,,,错误,' % tag,                                 # 7 ok B
        'judge,测试分类,判断题乱答%s,,,,,,,也许,' % tag,                                 # 8 bad
        'single,测试分类,,甲,乙,,,,,A,' ,                                               # 9 no stem
        'essay,测试分类,未知题型%s,甲,乙,,,,,A,' % tag,                                  # 10 bad type
        'single,测试分类,缺选项%s,甲,,丙,,,,A,' % tag,                                   # 11 option gap
        'single,测试分类,多余列%s,甲,乙,,,,,A,,多出来' % tag,                             # 12 extra field
        'single,测试分类,正确的单选题%s,甲,乙,丙,丁,,,B,解析' % tag,                      # 13 duplicate of 2
    ]
    data = (HEADER + "\r\n".join(rows) + "\r\n").encode()
    r = post_csv(stack, org, data)
    assert r.status == 200, r
    j = r.json
    assert j["created"] == 4 and j["imported"] == 4, j
    assert sorted(x["line"] for x in j["rejected"]) == [3, 5, 8, 9, 10, 11, 12, 13], j["rejected"]
    assert all(x["reason"] for x in j["rejected"])
    got = dict(stack.sql("SELECT stem, answer FROM questions WHERE stem LIKE '%%%s'" % tag))
    assert got == {"正确的单选题" + tag: "B", "多选题" + tag: "AC", "判断题对" + tag: "A", "判断题错误" + tag: "B"}, got
    judge_opts = stack.sql("SELECT options FROM questions WHERE stem = %s" % q("判断题对" + tag))[0][0]
    assert json.loads(judge_opts) == ["对", "错"]


def test_excel_bom_quotes_commas_and_newlines(stack):
    org = organizer_token(stack)
    tag = str(time.time_ns())
    data = ("\ufeff" + HEADER +
            'single,测试分类,"带逗号, 和""引号""的题干%s",甲,"乙,二",丙,,,,B,"解析第一行\r\n解析第二行"\r\n' % tag +
            'single,测试分类,"题干\r\n换行%s",甲,乙,,,,,A,\r\n' % tag +
            'single,测试分类,,甲,乙,,,,,A,这一行没有题干\r\n').encode()
    r = post_csv(stack, org, data)
    assert r.status == 200 and r.json["created"] == 2, r
    # Line numbers count the line breaks inside quoted cells.
    assert [x["line"] for x in r.json["rejected"]] == [6], r.json
    row = stack.sql("SELECT options, explanation FROM questions WHERE stem = %s" % q('带逗号, 和"引号"的题干' + tag))
    assert row, "the quoted stem was stored exactly"
    assert json.loads(row[0][0]) == ["甲", "乙,二", "丙"]
    n = stack.sql("SELECT COUNT(*) FROM questions WHERE stem = %s" % q("题干\n换行" + tag))
    assert n == [["1"]], n


def test_multipart_upload_and_file_errors(stack):
    org = organizer_token(stack)
    tag = str(time.time_ns())
    csv = (HEADER + "single,测试分类,表单上传%s,甲,乙,,,,,A,\r\n" % tag).encode()
    b = "----quizboundary" + tag
    body = ("--%s\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bank.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n" % (b, b)).encode() + csv + ("\r\n--%s--\r\n" % b).encode()
    r = post_csv(stack, org, body, "multipart/form-data; boundary=" + b)
    assert r.status == 200 and r.json["created"] == 1, r
    r = post_csv(stack, org, b"--x\r\nbroken", "multipart/form-data; boundary=x")
    assert r.status == 400 and error_code(r) == "invalid_csv", r
    r = post_csv(stack, org, "题目,答案\r\n一,二\r\n".encode())
    assert r.status == 400 and error_code(r) == "invalid_csv", r
    assert post_csv(stack, org, b"").status == 400
    user, _ = registered(stack)
    assert post_csv(stack, user, csv).status == 403
    assert post_csv(stack, None, csv).status == 401


def big_csv(tag, target=10 * 1024 * 1024):
    parts = ["\ufeff" + HEADER]
    size, i = 0, 0
    filler = "为检验大文件导入而生成的题干文字，" * 12
    while size < target:
        line = ('single,批量导入,"%s第%d题（%s）",选项甲,"选项乙, 含逗号",选项丙,选项丁,,,C,"解析%d"\r\n'
                % (filler, i, tag, i))
        parts.append(line)
        size += len(line.encode())
        i += 1
    return "".join(parts).encode(), i


def test_ten_megabyte_file(stack):
    org = organizer_token(stack)
    tag = str(time.time_ns())
    data, n = big_csv(tag)
    assert len(data) >= 10 * 1024 * 1024
    t = time.time()
    r = post_csv(stack, org, data)
    took = time.time() - t
    assert r.status == 200, r
    assert r.json["created"] == n and r.json["rejected_total"] == 0, r.json
    assert took < 120, took
    # Again: nothing changes.
    r = post_csv(stack, org, data)
    assert r.status == 200 and r.json["unchanged"] == n and r.json["imported"] == 0, r.json
    # Out of the way of other tests' papers.
    stack.sql("UPDATE questions SET active = 0 WHERE category = '批量导入'")


def test_command_line_import_shows_progress(stack):
    tag = str(time.time_ns())
    data, n = big_csv(tag, target=600 * 1024)
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as f:
        f.write(data)
    try:
        r = stack.quizd("import-questions", f.name)
    finally:
        os.unlink(f.name)
    assert r.returncode == 0, r.stderr
    assert b"importing: line" in r.stderr and b"(100%)" in r.stderr, r.stderr[-300:]
    assert ("%d new" % n).encode() in r.stdout, r.stdout
    stack.sql("UPDATE questions SET active = 0 WHERE category = '批量导入'")
    r = stack.quizd("import-questions", "/nonexistent.csv")
    assert r.returncode != 0


def test_correcting_an_answer_key_rescores_attempts(stack):
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)
    org = organizer_token(stack)
    token, uid = registered(stack)
    a = stack.post("attempts", {}, token=token).json
    key = answer_key(stack, a)
    # Answer a single-choice question wrong on purpose, the rest right.
    i = next(k for k, qu in enumerate(a["questions"]) if qu["type"] == "single")
    qid = key[i]["question_id"]
    wrong_shown = "A" if key[i]["choice"] != ["A"] else "B"
    answers = [dict(x) for x in key]
    answers[i] = {"question_id": qid, "choice": [wrong_shown]}
    first = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": answers}, token=token)
    res = first.json
    assert res["score"] == 95 and res["contest_score"] == 95
    # The organizer decides the key was wrong: the chosen option is right.
    # Its letter in the bank comes from the text shown under wrong_shown.
    stem = a["questions"][i]["stem"]
    text = next(o["text"] for o in a["questions"][i]["options"] if o["key"] == wrong_shown)
    old_answer = "".join(chr(65 + k) for k in SEED_BANK.rows[stem][2])
    new_answer = chr(65 + SEED_BANK.rows[stem][1].index(text))
    r = stack.put("admin/questions/%d" % qid, {"answer": new_answer}, token=org)
    assert r.status == 200, r
    try:
        assert r.json["attempts_rescored"] >= 1 and r.json["question"]["answer"] == new_answer, r.json
        assert stack.sql("SELECT score, correct_count FROM attempts WHERE id = %d" % a["attempt_id"]) == [["100", "20"]]
        assert stack.sql("SELECT score FROM contest_scores WHERE user_id = %d" % uid) == [["100"]]
        rec = stack.sql("SELECT r.answer_changed, s.old_score, s.new_score FROM question_revisions r"
                        " JOIN attempt_rescores s ON s.revision_id = r.id WHERE s.attempt_id = %d" % a["attempt_id"])
        assert rec == [["1", "95", "100"]], rec
        out = stack.sql("SELECT attempt_id < 0, old_score, new_score FROM board_outbox WHERE user_id = %d"
                        " ORDER BY id" % uid)
        assert out[-1] == ["1", "95", "100"], out
        # The reply stays what the person was told (byte for byte).
        again = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": answers}, token=token)
        assert again.status == first.status and again.body == first.body, (first, again)
    finally:
        # Back to the original key (the bank other tests grade against):
        # rescored down again, recorded again.
        r = stack.put("admin/questions/%d" % qid, {"answer": old_answer}, token=org)
    assert r.status == 200 and r.json["attempts_rescored"] >= 1
    assert stack.sql("SELECT score FROM contest_scores WHERE user_id = %d" % uid) == [["95"]]
    assert int(stack.sql("SELECT COUNT(*) FROM question_revisions WHERE question_id = %d" % qid)[0][0]) >= 2


def test_a_submit_after_a_correction_scores_with_the_corrected_key(stack):
    """The submit scores from the bank in memory: a correction made after
    the attempt started (the bank already read at the old version) is the
    key the submit uses, with the corrected explanation; a question taken
    out of the bank since the draw is scored from MariaDB's key."""
    ensure_bank(stack)
    reset_seeded_contests(stack)
    stack.sql("UPDATE contests SET review_policy = 'after_submit' WHERE slug = 'shuian'")
    stack.set_clock(iso=IN_MAIN)
    org = organizer_token(stack)
    token, _ = registered(stack)
    a = stack.post("attempts", {}, token=token).json   # reads the bank at today's version
    key = answer_key(stack, a)
    i = next(k for k, qu in enumerate(a["questions"]) if qu["type"] == "single")
    qid = key[i]["question_id"]
    wrong_shown = "A" if key[i]["choice"] != ["A"] else "B"
    stem = a["questions"][i]["stem"]
    text = next(o["text"] for o in a["questions"][i]["options"] if o["key"] == wrong_shown)
    old_answer = "".join(chr(65 + k) for k in SEED_BANK.rows[stem][2])
    new_answer = chr(65 + SEED_BANK.rows[stem][1].index(text))
    old_expl = stack.sql("SELECT explanation FROM questions WHERE id = %d" % qid)[0][0]
    gone = None
    try:
        r = stack.put("admin/questions/%d" % qid, {"answer": new_answer, "explanation": "更正后的解析 %d" % qid},
                      token=org)
        assert r.status == 200, r
        answers = [dict(x) for x in key]
        answers[i] = {"question_id": qid, "choice": [wrong_shown]}
        res = stack.post("attempts/%d/submit" % a["attempt_id"], {"answers": answers}, token=token).json
        assert res["score"] == 100 and res["correct_count"] == 20, res
        mine = next(x for x in res["results"] if x["question_id"] == qid)
        assert mine["correct"] and mine["answer"] == [wrong_shown], mine
        assert mine["explanation"] == "更正后的解析 %d" % qid, mine
        # Now the key the person was shown as right is wrong, and one
        # question of the next paper is no longer in the bank.
        t2, _ = registered(stack)
        b = stack.post("attempts", {}, token=t2).json
        key2 = answer_key(stack, b)   # the seed's key: wrong for qid now
        g = next(k for k, x in enumerate(key2) if x["question_id"] != qid)
        gone = key2[g]["question_id"]
        assert stack.put("admin/questions/%d" % gone, {"active": False}, token=org).status == 200
        expect = 95 if qid in [x["question_id"] for x in key2] else 100
        res = stack.post("attempts/%d/submit" % b["attempt_id"], {"answers": key2}, token=t2).json
        assert res["score"] == expect, (res, expect)
        out = next(x for x in res["results"] if x["question_id"] == gone)
        assert out["correct"] and out["answer"] == key2[g]["choice"], out
    finally:
        if gone is not None:
            assert stack.put("admin/questions/%d" % gone, {"active": True}, token=org).status == 200
        r = stack.put("admin/questions/%d" % qid, {"answer": old_answer, "explanation": old_expl}, token=org)
        assert r.status == 200, r
        reset_seeded_contests(stack)


def test_question_corrections_are_checked(stack):
    ensure_bank(stack)
    org = organizer_token(stack)
    qid, opts = stack.sql("SELECT id, options FROM questions WHERE type = 'single' AND category = '安全生产法'"
                          " ORDER BY id LIMIT 1")[0]
    qid = int(qid)
    n = len(json.loads(opts))
    r = stack.put("admin/questions/%d" % qid, {"answer": "F"}, token=org)
    assert r.status == 400 and error_code(r) == "invalid_question", r
    r = stack.put("admin/questions/%d" % qid, {"type": "judge"}, token=org)
    assert r.status == 400, r
    r = stack.put("admin/questions/999999999", {"answer": "A"}, token=org)
    assert r.status == 404 and error_code(r) == "question_not_found", r
    user, _ = registered(stack)
    assert stack.put("admin/questions/%d" % qid, {"answer": "A"}, token=user).status == 403
    # An explanation fix is recorded, no attempt rescored.
    r = stack.put("admin/questions/%d" % qid, {"explanation": "更正后的解析"}, token=org)
    assert r.status == 200 and r.json["attempts_rescored"] == 0 and r.json["question"]["explanation"] == "更正后的解析"
    # A question people have been shown keeps its number of options: show
    # one (a real start), then try to cut its options to two.
    reset_seeded_contests(stack)
    stack.set_clock(iso=IN_MAIN)
    shown = stack.post("attempts", {}, token=user)
    assert shown.status in (200, 201), shown
    qu = next(x for x in shown.json["questions"] if x["type"] == "single" and len(x["options"]) > 2)
    uq = qu["id"]
    before = stack.sql("SELECT options, answer, revision FROM questions WHERE id = %d" % uq)
    texts = SEED_BANK.rows[qu["stem"]][1]
    r = stack.put("admin/questions/%d" % uq, {"options": texts[:2], "answer": "A"}, token=org)
    assert r.status == 409 and error_code(r) == "question_in_use", r
    assert stack.sql("SELECT options, answer, revision FROM questions WHERE id = %d" % uq) == before
    assert n >= 2
