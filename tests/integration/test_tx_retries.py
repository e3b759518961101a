"""Every write of the console (and the video receipt, and the organizer
commands) runs under db_tx, which tries a transaction again after a
deadlock or a lock wait timeout (server/db.h). Each case here holds the row
the write locks first, from a MariaDB client, for two seconds against a lock
wait timeout of one: the write's first try times out (1205), db_tx runs it
again, and the caller gets its answer, not 503. /metrics counts the retry.
A write with its own BEGIN/COMMIT would answer 503 here."""
import subprocess
import time

import stack as stackmod
from console_helpers import SHANXI, apply_for, organizer, registered_user, unit
from prizes_helpers import AFTER, DURING, commit_draw, new_contest, person
from quiz_helpers import registered
from test_console_reviews import register_under_review, review_of
from test_foundation import metric
from test_videos import OPEN, receipt, row, vid

__order__ = 58
HOLD_S = 2


def through_lock(st, what, lock_sql, call, in_server=True):
    """call() while a client holds lock_sql's rows; its result. Fails unless
    the call waited for the lock and (in_server) the server's db_tx counted
    a retry. A command's retries are its own process's: it succeeds only by
    one, as its first try ends in 1205 after the one second."""
    before = metric(st, "quiz_db_tx_retries_total")
    holder = subprocess.Popen(
        [stackmod.which("mariadb", "mysql"), "--no-defaults", "-S", st.db_socket, "-uroot", "quiz",
         "-e", "START TRANSACTION; %s; SELECT SLEEP(%d); COMMIT;" % (lock_sql, HOLD_S)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)        # the client holds the lock by now
        t0 = time.time()
        out = call()
        waited = time.time() - t0
    finally:
        _, err = holder.communicate(timeout=30)
    assert holder.returncode == 0, (what, err)
    assert waited > 1, "%s: never waited for the lock (%.2f s)" % (what, waited)
    assert not in_server or metric(st, "quiz_db_tx_retries_total") > before, "%s: no retry counted" % what
    return out


def check_console_writes(st):
    org, _ = organizer(st, SHANXI)

    # a content review's decision
    _, u = register_under_review(st)
    rv = review_of(st, org, u["id"])
    r = through_lock(st, "review", "SELECT id FROM content_reviews WHERE id = %d FOR UPDATE" % rv["id"],
                     lambda: st.post("admin/reviews/%d/reject" % rv["id"], {"reason": "名称含不当字词，请更正"},
                                     token=org))
    assert r.status == 200 and r.json["state"] == "rejected", r
    assert st.sql("SELECT state FROM content_reviews WHERE id = %d" % rv["id"]) == [["rejected"]]

    # a unit admin application's approval
    uid = unit(st)
    tok, user_id = registered_user(st, uid)
    a = apply_for(st, tok, uid)
    assert a.status == 201, a
    aid = a.json["application"]["id"]
    r = through_lock(st, "application", "SELECT id FROM admin_applications WHERE id = %d FOR UPDATE" % aid,
                     lambda: st.post("admin/admin-applications/%d/approve" % aid, {}, token=org))
    assert r.status == 200, r
    assert st.sql("SELECT admin_unit_id FROM users WHERE id = %d" % user_id) == [[str(uid)]]

    # a unit's correction
    r = through_lock(st, "unit", "SELECT id FROM units WHERE id = %d FOR UPDATE" % uid,
                     lambda: st.put("admin/units/%d" % uid, {"headcount": 12}, token=org))
    assert r.status == 200, r
    assert st.sql("SELECT headcount FROM units WHERE id = %d" % uid) == [["12"]]


def check_contest_and_draw(st):
    org, _ = organizer(st)
    st.set_clock(iso=DURING)
    cid = new_contest(st, org, {"tiers": [{"name": "一等奖", "count": 1}]})
    r = through_lock(st, "contest", "SELECT id FROM contests WHERE id = %d FOR UPDATE" % cid,
                     lambda: st.put("admin/contests/%d" % cid, {"name": "锁后改名"}, token=org))
    assert r.status == 200 and r.json["contest"]["name"] == "锁后改名", r
    assert st.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'contest.update' AND target_id = %d" % cid) \
        == [["1"]]
    winner = person(st, cid, 80, 1741000000)
    seed = commit_draw(st, org, cid, "上证指数 2025-03-11 收盘")
    st.set_clock(iso=AFTER)
    r = through_lock(st, "freeze", "SELECT contest_id FROM draws WHERE contest_id = %d FOR UPDATE" % cid,
                     lambda: st.post("admin/contests/%d/draw/freeze" % cid, {}, token=org))
    assert r.status == 200 and r.json["candidates_sha256"], r
    r = through_lock(st, "reveal", "SELECT contest_id FROM draws WHERE contest_id = %d FOR UPDATE" % cid,
                     lambda: st.post("admin/contests/%d/draw/reveal" % cid,
                                     {"seed": seed, "public_value": "3345.67"}, token=org))
    assert r.status == 200, r
    assert st.sql("SELECT user_id FROM prize_winners WHERE contest_id = %d" % cid) == [[str(winner)]]


def check_videos(st):
    org, _ = organizer(st)
    st.set_clock(iso=OPEN)
    tok, _ = registered(st, "王二")
    url = vid()
    # a gap lock where the new url would go: the receipt's insert waits
    r = through_lock(st, "receipt", "SELECT id FROM video_items WHERE url = '%s' FOR UPDATE" % url,
                     lambda: st.post("videos", receipt([row(url=url)]), token=tok))
    assert r.status == 201, r
    item = int(st.sql("SELECT id FROM video_items WHERE url = '%s'" % url)[0][0])
    r = through_lock(st, "award", "SELECT id FROM video_settings WHERE id = 1 FOR UPDATE",
                     lambda: st.put("admin/videos/%d/award" % item, {"award": "first"}, token=org))
    assert r.status == 200 and r.json["award"] == "first", r


def check_organizer_commands(st):
    _, name = organizer(st)
    p = through_lock(st, "organizer-password", "SELECT id FROM organizers WHERE username = '%s' FOR UPDATE" % name,
                     lambda: st.quizd("organizer-password", name, input=b"another-password-2\n"),
                     in_server=False)
    assert p.returncode == 0, p.stderr
    p = through_lock(st, "organizer-add", "SELECT id FROM organizers WHERE username = '%s' FOR UPDATE" % name,
                     lambda: st.quizd("organizer-add", name, input=b"yet-another-password-3\n"),
                     in_server=False)
    assert p.returncode == 0 and b"updated" in p.stdout, (p.stdout, p.stderr)


def test_writes_wait_out_a_held_lock_instead_of_503(stack):
    st = stack.factory(mariadb_extra=["--innodb-lock-wait-timeout=1"])
    st.start()
    try:
        check_console_writes(st)
        check_contest_and_draw(st)
        check_videos(st)
        check_organizer_commands(st)
    finally:
        st.stop()
