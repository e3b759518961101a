"""Reports from a replica: a stack of its own whose MariaDB writes a binary
log, and a second mariadbd replicating from it by GTID. An export reads
the replica (a row only the replica holds shows it), a replica whose
replication is stopped or that is down sends the job to the primary, and
the job says which it read."""
import os
import secrets
import shutil
import subprocess
import time

import stack as stackmod
from reports_helpers import SqlWorld as World, q
from reports_helpers import organizer, export, read_csv

__order__ = 59


def replica_sql(st, sock, sql):
    r = subprocess.run([stackmod.which("mariadb", "mysql"), "--no-defaults", "-S", sock, "-uroot", "--batch",
                        "--skip-column-names", "-e", sql], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("replica sql failed: %s" % r.stderr.decode(errors="replace")[:400])
    return [line.split("\t") for line in r.stdout.decode().splitlines()]


def start_replica(st, port, sock):
    data = os.path.join(st.dir, "replica")
    shutil.copytree(stackmod.mariadb_template(), data, symlinks=True)
    st._spawn("replica", [stackmod.which("mariadbd", "mysqld"), "--no-defaults", "--datadir=" + data,
                          "--socket=" + sock, "--port=%d" % port, "--bind-address=127.0.0.1",
                          "--user=" + stackmod._user(), "--server-id=2", "--read-only",
                          "--pid-file=" + os.path.join(st.dir, "replica.pid"),
                          "--log-error=" + os.path.join(st.dir, "replica.err"), "--skip-name-resolve",
                          "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                          "--innodb-buffer-pool-size=128M"])
    stackmod.wait_for(lambda: os.path.exists(sock) and replica_sql(st, sock, "SELECT 1") is not None,
                      "replica", 60, st.procs["replica"])


def caught_up(st, sock):
    pos = st.sql_root("SELECT @@gtid_binlog_pos")[0][0]
    got = replica_sql(st, sock, "SELECT MASTER_GTID_WAIT(%s, 60)" % q(pos))[0][0]
    assert got == "0", "the replica did not catch up with %s: %s" % (pos, got)


def test_exports_read_the_replica_and_fall_back_to_the_primary(stack):
    p1, p2 = stackmod.free_port(), stackmod.free_port()
    st = stack.factory(mariadb_port=p1, mariadb_extra=["--log-bin=binlog", "--server-id=1",
                                                       "--binlog-format=ROW"],
                       conf_extra={"db_replica_host": "127.0.0.1", "db_replica_port": p2,
                                   "db_replica_max_lag_s": 30,
                                   # this stack: quizd sends the files itself (no X-Accel-Redirect)
                                   "export_accel_path": ""})
    st.start()
    try:
        sock = os.path.join(st.dir, "replica.sock")
        repl_pw = secrets.token_hex(8)
        st.sql_root("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY %s;"
                    "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';"
                    "CREATE USER 'quiz'@'127.0.0.1' IDENTIFIED BY %s;"
                    "GRANT ALL ON quiz.* TO 'quiz'@'127.0.0.1';"
                    "GRANT SLAVE MONITOR ON *.* TO 'quiz'@'127.0.0.1'" % (q(repl_pw), q(st.db_password)))
        start_replica(st, p2, sock)
        replica_sql(st, sock, "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='repl',"
                              " MASTER_PASSWORD=%s, MASTER_USE_GTID=slave_pos; START SLAVE" % (p1, q(repl_pw)))
        w = World(st)
        unit = w.unit("副本测试单位", "140105")
        people = [w.person(unit, "140105", "张三") for _ in range(5)]
        for n, uid in enumerate(people):
            w.submit(uid, 50 + n, n)
        w.flush()
        caught_up(st, sock)
        # A row only the replica holds: it shows which database the job read.
        extra = people[-1] + 1000
        replica_sql(st, sock, "INSERT INTO quiz.profiles (user_id, real_name, region_code, province_code, kind,"
                              " unit_id, board_unit_id, created_at, updated_at) VALUES (%d, '副本', '140105',"
                              " '140000', 'staff', %d, %d, 0, 0);"
                              "INSERT INTO quiz.contest_scores (contest_id, user_id, score, reached_at,"
                              " attempts_submitted, first_submitted_at) VALUES (%d, %d, 1, 1, 1, 1)"
                              % (extra, unit, unit, w.id, extra))
        tok, _ = organizer(st)
        body = {"kind": "participants", "format": "csv", "contest_id": w.id}
        job, r = export(st, tok, body)
        ids = {int(x[0]) for x in read_csv(r.body)[1:]}
        assert job["source"] == "replica" and ids == set(people) | {extra}, (job, ids)

        # the stats read the replica too
        st_ = st.get("/api/v1/admin/stats?contest_id=%d" % w.id, token=tok).json
        assert st_["source"] == "replica" and st_["totals"]["participants"] == len(people) + 1, st_

        # replication stopped: the primary, and the job says why
        replica_sql(st, sock, "STOP SLAVE")
        job, r = export(st, tok, dict(body, format="xlsx"))
        assert job["source"] == "primary (replica not replicating)", job
        replica_sql(st, sock, "START SLAVE")
        caught_up(st, sock)
        job, r = export(st, tok, dict(body, unit_id=unit))
        assert job["source"] == "replica", job

        # the replica down: the primary (without the replica's own row)
        st._stop_proc("replica")
        job, r = export(st, tok, dict(body, min_score=0))
        ids = {int(x[0]) for x in read_csv(r.body)[1:]}
        assert job["source"] == "primary (replica down)" and ids == set(people), (job, ids)
        time.sleep(3.5)                  # the stats' cache lasts 3 s
        st_ = st.get("/api/v1/admin/stats?contest_id=%d" % w.id, token=tok).json
        assert st_["source"] == "primary (replica down)" and st_["totals"]["participants"] == len(people), st_
    finally:
        st.stop()
