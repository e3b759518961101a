#!/usr/bin/env python3
"""stack.py: the whole system in one folder — MariaDB, Redis, the WeChat
simulator, one or more quizd servers and nginx — for `make run`, the tests
and the benchmarks.

    python3 scripts/stack.py run [--build build] [--port 8080] [--dir DIR]

`run` stays in the foreground, prints the address and stops everything it
started on Ctrl-C. Tests use the Stack class directly: it starts the same
parts in a temporary folder on free ports and tears them down, also when a
test fails.

Standard library only.
"""
import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (folder, log file) of every stack that stopped with a sanitizer report;
# its folder is kept for reading.
SANITIZER_REPORTS = []
# (folder, process name, exit status) of every quizd that exited on its own
# or answered SIGTERM with a non-zero status: the test runner fails the test
# during which it happened. A SIGKILL a test sends on purpose is not listed.
QUIZD_EXITS = []


_PORTS_GIVEN = set()


def free_port():
    """A port free now and outside the kernel's ephemeral range, so that no
    outgoing connection (of the tests' own clients, or quizd's to Redis and
    the simulator) takes it as its local port before the part that is to
    listen on it binds it (CI: nginx exited on such a port). Never the same
    port twice in one process."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 0
    if low > 12000:
        rng = secrets.SystemRandom()
        for _ in range(200):
            port = rng.randrange(10000, low)
            if port in _PORTS_GIVEN:
                continue
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _PORTS_GIVEN.add(port)
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(*names):
    for n in names:
        p = shutil.which(n) or (os.path.exists("/usr/sbin/" + n) and "/usr/sbin/" + n)
        if p:
            return p
    raise RuntimeError("none of %s is installed (run `make deps`)" % (names,))


def log_tail(paths, limit=2000):
    """The last lines of a part's logs, for the error when it exits early."""
    out = ""
    for path in paths:
        try:
            with open(path, "rb") as f:
                text = f.read()[-limit:].decode(errors="replace").strip()
        except OSError:
            continue
        if text:
            out += "\n--- %s:\n%s" % (os.path.basename(path), text)
    return out


def wait_for(check, what, timeout=30.0, proc=None):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited with status %s%s" % (what, proc.returncode,
                                                              log_tail(getattr(proc, "log_paths", ()))))
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise RuntimeError("%s did not become ready in %ss" % (what, timeout))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class TableLock:
    """LOCK TABLES held by a mariadb client of its own (Stack.lock_tables):
    a MariaDB that holds a writer up, for tests. unlock() lets go; close()
    ends the client whatever happened."""

    def __init__(self, stack, spec):
        self.client = subprocess.Popen([which("mariadb", "mysql"), "--no-defaults", "-S", stack.db_socket,
                                        "-uroot", "--batch", "--skip-column-names", "-n", "quiz"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._say("LOCK TABLES %s" % spec, "locked")

    def _say(self, sql, word):
        self.client.stdin.write("%s;\nSELECT '%s';\n" % (sql, word))
        self.client.stdin.flush()
        got = self.client.stdout.readline().strip()
        if got != word:
            raise RuntimeError("%s: the client said %r" % (sql, got))

    def unlock(self):
        self._say("UNLOCK TABLES", "unlocked")

    def close(self):
        self.client.kill()
        self.client.wait()


class Stack:
    """One complete system in a folder. Attributes tests use:
    base (http://127.0.0.1:PORT), api (base + /api/v1), dir, sim_url, sim_ca,
    sim_appid, sim_secret, db_socket, redis_port."""

    # Called as hook(method, path, response, request_body, request_headers)
    # after every request() (the integration runner validates each answer,
    # and each body the server accepted, against docs/openapi.yaml); an
    # exception it raises fails the test that made the request.
    response_hook = None

    def __init__(self, build="build", dir=None, port=None, servers=1, settable_clock=True,
                 quiet=True, workers=None, queue_max=None, conf_extra=None, login_rate=5000,
                 read_rate=None, mariadb_port=None, mariadb_extra=None):
        self.build = os.path.join(ROOT, build) if not os.path.isabs(build) else build
        self.own_dir = dir is None
        self.dir = dir or tempfile.mkdtemp(prefix="quizstack-")
        os.makedirs(self.dir, exist_ok=True)
        self.port = port or free_port()
        self.nservers = servers
        self.settable_clock = settable_clock
        self.quiet = quiet
        self.workers = workers
        self.queue_max = queue_max
        self.conf_extra = conf_extra or {}
        # nginx's limit_req on the login routes: per client address (r/s,
        # burst twice that) and in all (ten times that). The test suite logs
        # everyone in from 127.0.0.1, so its stack allows a lot; the abuse
        # tests start stacks with a low rate.
        self.login_rate = login_rate
        self.read_rate = read_rate or 100 * login_rate    # every request, per address
        # MariaDB listens on 127.0.0.1:mariadb_port too when set (a replica
        # connects over TCP); mariadb_extra are more server options (binlog).
        self.mariadb_port = mariadb_port
        self.mariadb_extra = list(mariadb_extra or [])
        self.procs = {}
        self.base = "http://127.0.0.1:%d" % self.port
        self.api = self.base + "/api/v1"
        self.sim_appid = "wxdemoappid0000001"
        self.sim_secret = "demosecret" + secrets.token_hex(8)
        self.phone_key = secrets.token_hex(32)
        self.db_socket = os.path.join(self.dir, "mariadb.sock")
        self.redis_port = free_port()
        self.sim_port = free_port()
        self.sim_url = "https://127.0.0.1:%d" % self.sim_port
        self.sim_ca = os.path.join(self.dir, "wxsim", "ca.pem")
        self.db_password = secrets.token_hex(12)
        # Redis asks for a password (requirepass), as in production: whoever
        # reaches its port without it can neither read nor write sessions.
        self.redis_password = secrets.token_hex(12)

    # ---- lifecycle ----

    def _spawn(self, name, args, logs=(), **kw):
        kw_logs = [os.path.join(self.dir, n) for n in logs]
        log = open(os.path.join(self.dir, name + ".out"), "ab")
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=kw.pop("cwd", ROOT), start_new_session=True, **kw)
        p.log_paths = [log.name] + kw_logs
        self.procs[name] = p
        return p

    def start(self):
        try:
            self.start_mariadb(init=True)
            self.start_redis()
            self.start_sim()
            for i in range(self.nservers):
                self.start_server(i)
            self.start_nginx()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        for name in list(self.procs)[::-1]:
            self._stop_proc(name)
        # A sanitizer report in any server's output must fail the run, also
        # for the private stacks tests start and stop themselves.
        reports = self.sanitizer_reports() if os.path.isdir(self.dir) else []
        if reports:
            SANITIZER_REPORTS.extend((self.dir, name) for name in reports)
        elif self.own_dir and os.environ.get("KEEP_STACK") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def sanitizer_reports(self):
        return [name for name, data in self.logs()
                if b"ERROR: AddressSanitizer" in data or b"runtime error:" in data
                or b"ERROR: LeakSanitizer" in data]

    def _stop_proc(self, name, sig=signal.SIGTERM, timeout=20):
        p = self.procs.pop(name, None)
        if not p:
            return
        if p.poll() is not None:
            self._note_exit(name, p.returncode)
            return
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            self._note_exit(name, "hung after signal %d, killed" % sig)
            return
        if sig == signal.SIGTERM:
            self._note_exit(name, p.returncode)

    def _note_exit(self, name, status):
        if name.startswith("quizd") and status != 0:
            QUIZD_EXITS.append((self.dir, name, status))

    def dead_servers(self):
        """(name, status) of every quizd of this stack that has exited while
        still registered as running (a crash nobody stopped)."""
        out = []
        for name, p in list(self.procs.items()):
            if name.startswith("quizd") and p.poll() is not None:
                out.append((name, p.returncode))
        return out

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- MariaDB ----

    def start_mariadb(self, init=False):
        data = os.path.join(self.dir, "mariadb")
        fresh = not os.path.exists(data)
        if fresh:
            shutil.copytree(mariadb_template(), data, symlinks=True)
        # Its temporary tables in the stack's own folder, not /tmp: a clean-up
        # of /tmp by anything else on the machine cannot fail a query.
        tmp = os.path.join(self.dir, "mariadb-tmp")
        os.makedirs(tmp, exist_ok=True)
        # Durable settings (the defaults: every commit is flushed to disk).
        self._spawn("mariadb", [which("mariadbd", "mysqld"), "--no-defaults",
                                "--datadir=" + data, "--socket=" + self.db_socket, "--tmpdir=" + tmp,
                                *(["--port=%d" % self.mariadb_port, "--bind-address=127.0.0.1"]
                                  if self.mariadb_port else ["--skip-networking"]),
                                "--user=" + _user(),
                                "--pid-file=" + os.path.join(self.dir, "mariadb.pid"),
                                "--log-error=" + os.path.join(self.dir, "mariadb.err"),
                                "--max-connections=400", "--innodb-buffer-pool-size=512M",
                                "--innodb-log-file-size=256M", "--skip-name-resolve",
                                "--character-set-server=utf8mb4",
                                "--collation-server=utf8mb4_unicode_ci",
                                "--innodb-flush-log-at-trx-commit=1"] + self.mariadb_extra)
        wait_for(lambda: self.sql_root("SELECT 1") is not None, "mariadb", 60, self.procs["mariadb"])
        if fresh:
            pw = self.db_password
            self.sql_root("CREATE DATABASE IF NOT EXISTS quiz CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
                          "CREATE USER IF NOT EXISTS 'quiz'@'localhost' IDENTIFIED BY '%s';"
                          "GRANT ALL ON quiz.* TO 'quiz'@'localhost';" % pw)

    def stop_mariadb(self):
        self._stop_proc("mariadb")

    def sql_root(self, sql, db=None):
        """Run SQL as root through the mariadb client; returns rows (lists of
        strings) or None when the server is not reachable."""
        args = [which("mariadb", "mysql"), "--no-defaults", "-S", self.db_socket, "-uroot",
                "--batch", "--skip-column-names", "--default-character-set=utf8mb4", "-e", sql]
        if db:
            args.append(db)
        r = subprocess.run(args, capture_output=True, timeout=60)
        if r.returncode != 0:
            if b"Can't connect" in r.stderr or b"No such file" in r.stderr:
                return None
            raise RuntimeError("sql failed: %s" % r.stderr.decode(errors="replace")[:400])
        out = r.stdout.decode()
        return [line.split("\t") for line in out.splitlines()]

    def sql(self, sql):
        """Rows of a query on the quiz database (tests)."""
        return self.sql_root(sql, "quiz")

    def lock_tables(self, spec):
        """LOCK TABLES spec ("users WRITE") until the TableLock's unlock()."""
        return TableLock(self, spec)

    # ---- Redis ----

    def start_redis(self):
        rdir = os.path.join(self.dir, "redis")
        os.makedirs(rdir, exist_ok=True)
        self._spawn("redis", [which("redis-server"), "--port", str(self.redis_port),
                              "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--maxmemory-policy", "noeviction", "--dir", rdir,
                              "--requirepass", self.redis_password,
                              "--daemonize", "no"])
        wait_for(lambda: self.redis("PING") == "PONG", "redis", 20, self.procs["redis"])

    def stop_redis(self):
        self._stop_proc("redis")

    def redis(self, *args):
        r = subprocess.run([which("redis-cli"), "-p", str(self.redis_port), "--raw",
                            "--no-auth-warning", "-a", self.redis_password] + list(args),
                           capture_output=True, timeout=30)
        if r.returncode != 0 or r.stdout.startswith(b"Could not connect"):
            return None
        return r.stdout.decode().rstrip("\n")

    # ---- WeChat simulator ----

    def start_sim(self):
        sdir = os.path.join(self.dir, "wxsim")
        os.makedirs(sdir, exist_ok=True)
        p = self._spawn("wxsim", [sys.executable, os.path.join(ROOT, "wx", "wxsim.py"),
                                  "--port", str(self.sim_port), "--dir", sdir,
                                  "--appid", self.sim_appid, "--secret", self.sim_secret])
        wait_for(lambda: os.path.exists(self.sim_ca) and self._sim_up(), "wxsim", 30, p)

    def _sim_up(self):
        self.sim("GET", "/__sim/stats")
        return True

    def sim(self, method, path, body=None):
        """Call the simulator (control endpoints for tests)."""
        import ssl
        ctx = ssl.create_default_context(cafile=self.sim_ca)
        c = http.client.HTTPSConnection("127.0.0.1", self.sim_port, context=ctx, timeout=30)
        data = None if body is None else json.dumps(body).encode()
        c.request(method, path, body=data, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        raw = r.read()
        c.close()
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    # ---- quizd ----

    def server_conf(self, i):
        conf = {
            "listen": "unix:" + os.path.join(self.dir, "quizd%d.sock" % i),
            "db_socket": self.db_socket, "db_user": "quiz", "db_password": self.db_password,
            "db_name": "quiz", "redis_host": "127.0.0.1", "redis_port": self.redis_port,
            "redis_password": self.redis_password,
            "wx_base_url": self.sim_url, "wx_ca_file": self.sim_ca,
            "wx_appid": self.sim_appid, "wx_secret": self.sim_secret,
            "phone_key_hex": self.phone_key,
            "log_file": os.path.join(self.dir, "quizd%d.log" % i),
            "schema_dir": os.path.join(ROOT, "schema"),
            "data_dir": os.path.join(self.dir, "data"),
            "clock_settable": 1 if self.settable_clock else 0,
            # the server's own login and WeChat-write limits: every test
            # client is 127.0.0.1, so they are wide here (test_abuse.py
            # narrows them on stacks of its own)
            "login_rate_per_addr": 100000, "login_rate_total": 100000,
            "wx_write_rate_per_user": 100000,
            "qr_fallback_url": "https://quiz.example.org/join",
            "public_base_url": "https://quiz.example.org",
            "wx_tpl_result": "tpl-result-test", "wx_tpl_certificate": "tpl-certificate-test",
            "cert_font": os.path.join(ROOT, "build-font", "cert-font.ttf"),
            # nginx sends export files itself (location /_exports/ below)
            "export_accel_path": "/_exports/",
        }
        if self.workers:
            conf["workers"] = self.workers
        if self.queue_max:
            conf["queue_max"] = self.queue_max
        conf.update(self.conf_extra)
        return conf

    def start_server(self, i=0):
        conf = self.server_conf(i)
        os.makedirs(conf["data_dir"], exist_ok=True)
        path = os.path.join(self.dir, "quizd%d.conf" % i)
        with open(path, "w") as f:
            for k, v in conf.items():
                f.write("%s = %s\n" % (k, v))
        os.chmod(path, 0o600)   # it holds secrets
        sock = conf["listen"][5:]
        if os.path.exists(sock):
            os.unlink(sock)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:halt_on_error=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        p = self._spawn("quizd%d" % i, [os.path.join(self.build, "quizd"), "--config", path, "serve"],
                        env=env)
        wait_for(lambda: os.path.exists(sock), "quizd%d" % i, 60, p)

    def stop_server(self, i=0, sig=signal.SIGTERM):
        self._stop_proc("quizd%d" % i, sig)

    def quizd(self, *args, input=None, i=0):
        """Run a quizd subcommand with this stack's configuration."""
        path = os.path.join(self.dir, "quizd%d.conf" % i)
        return subprocess.run([os.path.join(self.build, "quizd"), "--config", path] + list(args),
                              input=input, capture_output=True, timeout=600, cwd=ROOT)

    # ---- nginx ----

    def write_nginx_conf(self):
        d = self.dir
        for sub in ("client_body", "fastcgi", "proxy", "uwsgi", "scgi"):
            os.makedirs(os.path.join(d, "nginx-tmp", sub), exist_ok=True)
        loc = subprocess.run([os.path.join(self.build, "quizd"), "nginx-locations", "quizd"],
                             capture_output=True, check=True).stdout.decode()
        with open(os.path.join(d, "quizd_locations.conf"), "w") as f:
            f.write(loc)
        with open(os.path.join(d, "quizd_fastcgi.conf"), "w") as f:
            f.write(FASTCGI_PARAMS)
        upstreams = "\n".join("    server unix:%s/quizd%d.sock max_fails=0;" % (d, i)
                              for i in range(self.nservers))
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF % {"dir": d, "port": self.port, "upstreams": upstreams,
                                  "login_rate": self.login_rate, "login_burst": 2 * self.login_rate,
                                  "login_all": 10 * self.login_rate,
                                  "login_all_burst": 20 * self.login_rate,
                                  "read_rate": self.read_rate,
                                  "read_burst": 2 * self.read_rate,
                                  "web": os.path.join(ROOT, "web"),
                                  "user": "user root;" if os.getuid() == 0 else ""})

    def start_nginx(self):
        self.write_nginx_conf()
        p = self._spawn("nginx", [which("nginx"), "-p", self.dir, "-c",
                                  os.path.join(self.dir, "nginx.conf"), "-g", "daemon off;"],
                        logs=["nginx-error.log"])
        wait_for(lambda: self.get("/api/v1/ping").status == 200, "nginx", 20, p)

    # ---- HTTP for tests ----

    def request(self, method, path, body=None, token=None, headers=None, raw=None, timeout=30,
                source=None):
        """One HTTP request to nginx. body: a JSON-able value; raw: bytes;
        source: the client's address (any 127.x.y.z: another client)."""
        if not path.startswith("/"):
            path = "/api/v1/" + path
        h = {"Connection": "close"}
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                       source_address=(source, 0) if source else None)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()
        if Stack.response_hook:
            Stack.response_hook(method, path, resp, data, h)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {}, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body if body is not None else {}, **kw)

    def set_clock(self, iso=None, offset_s=None):
        body = {}
        if iso:
            body["now"] = iso
        if offset_s is not None:
            body["offset_s"] = offset_s
        for i in range(self.nservers):
            r = self.put("/api/v1/__test/clock", body)
            assert r.status == 200, r
        return r

    def login(self, openid=None):
        """Log a new (or given) WeChat user in through the simulator; returns (token, user)."""
        openid = openid or "o" + secrets.token_hex(8)
        r = self.post("login", {"code": "test:%s:%s" % (openid, secrets.token_hex(4))})
        assert r.status == 200, r
        return r.json["token"], r.json["user"]

    def server_log(self, i=0, quiet_s=0.6, timeout=15.0):
        """quizd i's log once it has written the request lines it gathers
        (server/log.h: they go out at least every 200 ms): its text when the
        file has not grown for quiet_s seconds (or timeout passed)."""
        path = os.path.join(self.dir, "quizd%d.log" % i)
        end = time.time() + timeout
        size, since = -1, time.time()
        while time.time() < end:
            n = os.path.getsize(path) if os.path.exists(path) else 0
            if n != size:
                size, since = n, time.time()
            elif time.time() - since >= quiet_s:
                break
            time.sleep(0.1)
        with open(path, errors="replace") as f:
            return f.read()

    def logs(self):
        """Every log the stack wrote (for the leak scan)."""
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith((".log", ".out", ".err")):
                with open(os.path.join(self.dir, name), "rb") as f:
                    out.append((name, f.read()))
        return out


def mariadb_template():
    """An initialised, empty MariaDB data folder, made once and copied for
    every stack: mariadb-install-db costs seconds and, with several stacks
    starting at once, now and then fails; a copy does neither."""
    ver = subprocess.run([which("mariadbd", "mysqld"), "--version"], capture_output=True,
                         text=True).stdout.split()
    tag = "".join(c for c in (ver[2] if len(ver) > 2 else "x") if c.isalnum() or c in ".-")
    path = os.path.join(tempfile.gettempdir(), "quiz-mariadb-template-%s-%d" % (tag, os.getuid()))
    if os.path.isdir(path):
        return path
    last = None
    for attempt in range(3):
        work = tempfile.mkdtemp(prefix="quiz-mariadb-init-")
        r = subprocess.run([which("mariadb-install-db", "mysql_install_db"), "--no-defaults",
                            "--datadir=" + os.path.join(work, "data"),
                            "--auth-root-authentication-method=normal", "--skip-test-db",
                            "--user=" + _user()], capture_output=True)
        if r.returncode == 0:
            try:
                os.rename(os.path.join(work, "data"), path)
            except OSError:
                pass   # another stack made it first
            shutil.rmtree(work, ignore_errors=True)
            return path
        last = r.stderr.decode(errors="replace")[-800:] + r.stdout.decode(errors="replace")[-800:]
        shutil.rmtree(work, ignore_errors=True)
        time.sleep(1)
    raise RuntimeError("mariadb-install-db failed three times: %s" % last)


def _user():
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


# REQUEST_ID names a request in quizd's log: nginx's connection number and
# the request's number on it, unique while nginx runs and free to make
# ($request_id would draw 16 random bytes from OpenSSL for every request).
FASTCGI_PARAMS = """fastcgi_keep_conn on;
fastcgi_param REQUEST_METHOD  $request_method;
fastcgi_param REQUEST_URI     $request_uri;
fastcgi_param QUERY_STRING    $query_string;
fastcgi_param CONTENT_TYPE    $content_type;
fastcgi_param CONTENT_LENGTH  $content_length;
fastcgi_param REMOTE_ADDR     $remote_addr;
fastcgi_param REQUEST_ID      $connection.$connection_requests;
fastcgi_param SERVER_PROTOCOL $server_protocol;
fastcgi_read_timeout 60s;
"""

# error_page turns nginx's own errors into the contract's JSON shape: a body
# over the limit (413), a server that is down or too slow (502/504 → 503) and
# a request line nginx refuses (400).
NGINX_CONF = """%(user)s
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/nginx-error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path %(dir)s/nginx-tmp/client_body;
    fastcgi_temp_path %(dir)s/nginx-tmp/fastcgi;
    proxy_temp_path %(dir)s/nginx-tmp/proxy;
    uwsgi_temp_path %(dir)s/nginx-tmp/uwsgi;
    scgi_temp_path %(dir)s/nginx-tmp/scgi;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    keepalive_requests 100000;

    # Logins are limited per client address and in all before they reach
    # quizd (which limits them again): an empty key is not counted, so only
    # the login routes are.
    map $uri $quiz_login_addr { ~^/api/v1/(admin/)?login$ $binary_remote_addr; default ""; }
    map $uri $quiz_login_all { ~^/api/v1/(admin/)?login$ "login"; default ""; }
    limit_req_zone $quiz_login_addr zone=quiz_login_addr:10m rate=%(login_rate)dr/s;
    limit_req_zone $quiz_login_all zone=quiz_login_all:1m rate=%(login_all)dr/s;
    # and every request per client address (public reads): far above what a
    # person sends, well below what one address can flood with
    limit_req_zone $binary_remote_addr zone=quiz_reads:10m rate=%(read_rate)dr/s;
    limit_req_status 429;

    upstream quizd {
%(upstreams)s
        # idle connections kept to quizd per nginx worker: at least the requests
        # in flight at once (hundreds of logins wait ~100 ms on WeChat), or each
        # one past it costs a new FastCGI connection and its accept and close
        keepalive 512;
        # nginx closes a kept-alive upstream connection after 1,000 requests
        # by default: a new socket, connect and accept each time for nothing
        keepalive_requests 100000;
    }

    server {
        listen 127.0.0.1:%(port)d backlog=4096;
        root %(web)s;
        error_page 413 = @too_large;
        error_page 502 504 = @unavailable;
        error_page 400 /__errors/400;
        error_page 429 = @rate_limited;
        limit_req zone=quiz_login_addr burst=%(login_burst)d nodelay;
        limit_req zone=quiz_login_all burst=%(login_all_burst)d nodelay;
        limit_req zone=quiz_reads burst=%(read_burst)d nodelay;

        location @too_large {
            default_type "application/json; charset=utf-8";
            return 413 '{"error":{"code":"body_too_large","message":"the body is larger than this route accepts"}}';
        }
        # a request line nginx itself refuses (a NUL escape in the path, say);
        # a URI, not a named location: such a request has no URI to keep
        location = /__errors/400 {
            internal;
            default_type "application/json; charset=utf-8";
            return 400 '{"error":{"code":"invalid_parameter","message":"the request line is malformed"}}';
        }
        location @unavailable {
            default_type "application/json; charset=utf-8";
            add_header Retry-After 1 always;
            return 503 '{"error":{"code":"unavailable","message":"the server is unavailable; try again shortly"}}';
        }
        location @rate_limited {
            default_type "application/json; charset=utf-8";
            add_header Retry-After 1 always;
            return 429 '{"error":{"code":"rate_limited","message":"too many requests; try again shortly"}}';
        }
        # nginx's own figure for the benchmark: the same machine, no backend
        location = /nginx-fixed { default_type text/plain; return 200 "ok"; }
        location = /metrics {
            allow 127.0.0.1;
            deny all;
            include quizd_fastcgi.conf;
            fastcgi_pass quizd;
        }
        include quizd_locations.conf;
        # export files, sent by nginx when quizd answers X-Accel-Redirect
        location /_exports/ { internal; alias %(dir)s/data/exports/; }
        # the console (web/console/): only its own scripts, files shown from blob: URLs
        location /console/ {
            index index.html;
            try_files $uri $uri/ =404;
            add_header Content-Security-Policy "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'" always;
            add_header Cache-Control "no-cache" always;
        }
        # the web quiz page holds a session: only its own scripts and styles
        location /quiz/ {
            add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" always;
            add_header X-Content-Type-Options nosniff always;
            add_header Referrer-Policy no-referrer always;
            index index.html; try_files $uri $uri/ =404;
        }
        location / { index index.html; try_files $uri $uri/ =404; }
    }
}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["run"])
    ap.add_argument("--build", default="build")
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    ap.add_argument("--dir", default=os.path.join(ROOT, "run"))
    ap.add_argument("--no-demo", action="store_true", help="start without demo data")
    args = ap.parse_args()
    # The local stack keeps its data between runs in ./run (delete it to start over).
    # make run: the crowd simulator logs in from one address, so the login
    # limit per address is that of a busy NAT rather than of one person
    st = Stack(build=args.build, dir=args.dir, port=args.port, settable_clock=False, login_rate=200)
    if os.path.exists(os.path.join(args.dir, "stack.json")):
        with open(os.path.join(args.dir, "stack.json")) as f:
            saved = json.load(f)
        st.db_password, st.phone_key, st.sim_secret = saved["db_password"], saved["phone_key"], saved["sim_secret"]
        st.redis_password = saved.get("redis_password", st.redis_password)
    else:
        os.makedirs(args.dir, exist_ok=True)
        with open(os.path.join(args.dir, "stack.json"), "w") as f:
            json.dump({"db_password": st.db_password, "phone_key": st.phone_key,
                       "sim_secret": st.sim_secret, "redis_password": st.redis_password}, f)
        os.chmod(os.path.join(args.dir, "stack.json"), 0o600)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    try:
        st.start()
        if not args.no_demo:
            r = st.quizd("seed-demo")
            sys.stdout.write(r.stdout.decode())
            if r.returncode != 0:
                sys.stderr.write(r.stderr.decode())
        # A demo organizer for the dashboard's statistics (local stack only).
        pw = saved_pw = None
        pwfile = os.path.join(args.dir, "organizer-password")
        if os.path.exists(pwfile):
            saved_pw = open(pwfile).read().strip()
        pw = saved_pw or secrets.token_urlsafe(12)
        if not saved_pw:
            r = st.quizd("organizer-add", "demo", input=(pw + "\n").encode())
            if r.returncode == 0:
                with open(pwfile, "w") as f:
                    f.write(pw)
                os.chmod(pwfile, 0o600)
        print("demo organizer: username demo, password in %s" % pwfile)
        print("quiz stack running at %s  (dashboard: %s/dashboard/, API: %s/api/v1/)"
              % (st.base, st.base, st.base))
        print("WeChat simulator at %s; data and logs in %s. Ctrl-C stops everything." % (st.sim_url, st.dir))
        sys.stdout.flush()
        while not stop:
            for name, p in list(st.procs.items()):
                if p.poll() is not None:
                    print("%s exited (status %s); see %s" % (name, p.returncode, st.dir))
                    stop.append(1)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping...")
        st.stop()


if __name__ == "__main__":
    main()
