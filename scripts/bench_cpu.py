#!/usr/bin/env python3
"""bench_cpu.py: the CPU each process of the stack uses while something
runs, for scripts/bench.py's table (and any section that wants its own
window):

    meter = CpuMeter(stack)
    with meter:
        ... the measured run ...
    meter.percent()   # {"quizd": 131.0, "nginx": 22.5, "mariadbd": 9.1, "redis-server": 0.4}

Figures are % of one core (200 % = both cores of the benchmark machine)
over the wall time between enter and exit, from utime + stime in
/proc/<pid>/stat summed over each part's processes: every quizd of the
stack, nginx's master and workers, mariadbd, redis-server. A process
that exits meanwhile counts what it used until its last sample."""
import os
import time

PARTS = ("quizd", "nginx", "mariadbd", "redis-server")


def cpu_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def children(pid):
    """Direct children of pid (nginx's workers under its master)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return out


def part_pids(stack):
    """{part: [pid, ...]} of the stack's processes (stack.procs names them)."""
    g = {p: [] for p in PARTS}
    for name, p in stack.procs.items():
        if name.startswith("quizd"):
            g["quizd"].append(p.pid)
        elif name == "mariadb":
            g["mariadbd"].append(p.pid)
        elif name == "redis":
            g["redis-server"].append(p.pid)
        elif name == "nginx":
            g["nginx"] += [p.pid] + children(p.pid)
    return g


def sample(pids):
    """{part: ticks} now; a process gone is left out of its part's sum."""
    out = {}
    for part, ps in pids.items():
        t = 0
        for pid in ps:
            try:
                t += cpu_ticks(pid)
            except OSError:
                pass
        out[part] = t
    return out


class CpuMeter:
    """CPU per part of the stack between __enter__ and __exit__. The
    processes are looked up at enter (a server restarted by the section is
    not followed: its figure is then low, never invented)."""

    def __init__(self, stack):
        self.stack = stack
        self.before = self.after = None
        self.wall = 0.0

    def __enter__(self):
        self.pids = part_pids(self.stack)
        self.before, self.t0 = sample(self.pids), time.time()
        return self

    def __exit__(self, *exc):
        self.after, self.wall = sample(self.pids), time.time() - self.t0
        return False

    def seconds(self):
        hz = os.sysconf("SC_CLK_TCK")
        return {p: (self.after[p] - self.before[p]) / hz for p in PARTS} if self.after else {}

    def percent(self):
        if not self.after or self.wall <= 0:
            return {}
        return {p: 100.0 * s / self.wall for p, s in self.seconds().items()}
