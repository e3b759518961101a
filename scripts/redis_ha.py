"""redis_ha.py: a stack (scripts/stack.py) whose Redis is a primary, a
replica and three Sentinels on loopback ports, for the failover test
(tests/integration/test_redis_failover.py). quizd finds the primary through
the Sentinels (`redis_sentinels`), as in production (README, "Redis with
Sentinel").

Sentinel timings are short (the primary is judged down after one second)
so that a failover takes seconds; waits are deadlines, never fixed sleeps.

Standard library only.
"""
import os
import secrets
import signal
import subprocess

from stack import Stack, free_port, wait_for, which

MASTER = "quizd"
SENTINELS = 3
QUORUM = 2


class SentinelStack(Stack):
    """Stack with Redis under Sentinel. The primary starts as process
    "redis" on redis_port and the replica as "redis-replica"; after a
    failover their roles are swapped (primary_port() says which is which).
    Sentinels ask a password of their own (redis_sentinel_password)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.replica_port = free_port()
        self.sentinel_ports = [free_port() for _ in range(SENTINELS)]
        self.sentinel_password = secrets.token_hex(12)
        self.conf_extra.setdefault("redis_sentinels", ",".join("127.0.0.1:%d" % p for p in self.sentinel_ports))
        self.conf_extra.setdefault("redis_master_name", MASTER)
        self.conf_extra.setdefault("redis_sentinel_password", self.sentinel_password)
        # quizd must not use these: point them at a closed port
        self.conf_extra.setdefault("redis_port", free_port())

    # ---- the data nodes ----

    def node_names(self):
        return {self.redis_port: "redis", self.replica_port: "redis-replica"}

    def start_node(self, port, replicaof=None):
        name = self.node_names()[port]
        rdir = os.path.join(self.dir, name)
        os.makedirs(rdir, exist_ok=True)
        args = [which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", rdir,
                "--requirepass", self.redis_password, "--masterauth", self.redis_password,
                "--daemonize", "no"]
        if replicaof:
            args += ["--replicaof", "127.0.0.1", str(replicaof)]
        self._spawn(name, args)
        wait_for(lambda: self.node(port, "PING") == "PONG", name, 30, self.procs[name])

    def node(self, port, *args):
        """A command to one data node; its reply text or None."""
        r = subprocess.run([which("redis-cli"), "-p", str(port), "--raw", "--no-auth-warning",
                            "-a", self.redis_password] + list(args), capture_output=True, timeout=30)
        if r.returncode != 0 or r.stdout.startswith(b"Could not connect"):
            return None
        return r.stdout.decode().rstrip("\n")

    def role(self, port):
        info = self.node(port, "INFO", "replication") or ""
        for line in info.splitlines():
            if line.startswith("role:"):
                return line[5:].strip()
        return None

    # ---- Sentinels ----

    def sentinel(self, i, *args):
        r = subprocess.run([which("redis-cli"), "-p", str(self.sentinel_ports[i]), "--raw", "--no-auth-warning",
                            "-a", self.sentinel_password] + list(args), capture_output=True, timeout=30)
        if r.returncode != 0 or r.stdout.startswith(b"Could not connect"):
            return None
        return r.stdout.decode().rstrip("\n")

    def start_sentinel(self, i):
        conf = os.path.join(self.dir, "sentinel%d.conf" % i)
        sdir = os.path.join(self.dir, "sentinel%d" % i)
        os.makedirs(sdir, exist_ok=True)
        with open(conf, "w") as f:
            f.write("port %d\nbind 127.0.0.1\ndir %s\n" % (self.sentinel_ports[i], sdir))
            f.write("requirepass %s\nsentinel sentinel-pass %s\n" % (self.sentinel_password, self.sentinel_password))
            f.write("sentinel monitor %s 127.0.0.1 %d %d\n" % (MASTER, self.redis_port, QUORUM))
            f.write("sentinel auth-pass %s %s\n" % (MASTER, self.redis_password))
            f.write("sentinel down-after-milliseconds %s 1000\n" % MASTER)
            f.write("sentinel failover-timeout %s 4000\n" % MASTER)
            f.write("sentinel parallel-syncs %s 1\n" % MASTER)
        os.chmod(conf, 0o600)
        name = "sentinel%d" % i
        self._spawn(name, [which("redis-server"), conf, "--sentinel"])
        wait_for(lambda: self.sentinel(i, "PING") == "PONG", name, 30, self.procs[name])

    def sentinels_ready(self):
        """Every Sentinel knows the replica, the other Sentinels, and has a
        quorum: a failover can happen."""
        for i in range(SENTINELS):
            replicas = self.sentinel(i, "SENTINEL", "replicas", MASTER) or ""
            others = self.sentinel(i, "SENTINEL", "sentinels", MASTER) or ""
            quorum = self.sentinel(i, "SENTINEL", "ckquorum", MASTER) or ""
            if str(self.replica_port) not in replicas.split() and str(self.redis_port) not in replicas.split():
                return False
            if sum(1 for p in self.sentinel_ports if str(p) in others.split()) < SENTINELS - 1:
                return False
            if not quorum.startswith("OK"):
                return False
        return True

    def replica_known(self, port):
        """Every Sentinel lists the node on port as a healthy replica."""
        for i in range(SENTINELS):
            lines = (self.sentinel(i, "SENTINEL", "replicas", MASTER) or "").splitlines()
            entries, cur = [], None
            for k, v in zip(lines[0::2], lines[1::2]):
                if k == "name":
                    cur = {}
                    entries.append(cur)
                if cur is not None:
                    cur[k] = v
            if not any(e.get("port") == str(port) and e.get("flags") == "slave"
                       and e.get("master-link-status") == "ok" for e in entries):
                return False
        return True

    def primary_port(self, i=0):
        """The primary's port as Sentinel i names it (None: no answer)."""
        out = self.sentinel(i, "SENTINEL", "get-master-addr-by-name", MASTER)
        parts = (out or "").split()
        return int(parts[1]) if len(parts) == 2 else None

    # ---- Stack's Redis interface ----

    def start_redis(self):
        if "redis" not in self.procs and "redis-replica" not in self.procs:
            self.start_node(self.redis_port)
            self.start_node(self.replica_port, replicaof=self.redis_port)
            wait_for(lambda: "master_link_status:up" in (self.node(self.replica_port, "INFO", "replication") or ""),
                     "the replica in sync", 60)
            for i in range(SENTINELS):
                self.start_sentinel(i)
            wait_for(self.sentinels_ready, "the Sentinels", 120)

    def stop_redis(self):
        for name in ["sentinel%d" % i for i in range(SENTINELS)] + ["redis-replica", "redis"]:
            self._stop_proc(name)

    def redis(self, *args):
        """A command to the primary the Sentinels name now."""
        port = self.primary_port()
        return self.node(port, *args) if port else None

    def kill_primary(self):
        """SIGKILL the primary; returns its port."""
        port = self.primary_port()
        assert port in self.node_names(), port
        self._stop_proc(self.node_names()[port], signal.SIGKILL)
        return port
