#!/usr/bin/env python3
"""bench_metrics.py: what quizd's GET /metrics says changed during a
benchmark's run, as lines for its section: the group-commit queues
(lib/group_commit.h), which show how much of a login's or a submit's time
went to waiting for its group's transaction.

    before = scrape(stack)
    ... the measured run ...
    rows = group_commit_rows(before, scrape(stack), ("login",))
"""
import re

FAMILIES = ("groups", "entries", "write_seconds", "wait_seconds")
LINE = re.compile(r'^quiz_group_commit_(%s)_total\{queue="(\w+)"\} (\S+)$' % "|".join(FAMILIES))


def scrape(stack):
    """{(queue, family): value} of the stack's one quizd; None when it runs
    several (nginx would answer from any one of them)."""
    if len([n for n in stack.procs if n.startswith("quizd")]) != 1:
        return None
    r = stack.get("/metrics")
    if r.status != 200:
        return None
    out = {}
    for line in r.body.decode().splitlines():
        m = LINE.match(line)
        if m:
            out[(m.group(2), m.group(1))] = float(m.group(3))
    return out


def group_commit_rows(before, after, queues, label=""):
    """One line per queue that wrote during the run: groups, their mean
    size, the mean time writing one, and the mean wait of a request from
    queued to written (which holds its own group's write)."""
    if before is None or after is None:
        return []
    rows = []
    for q in queues:
        d = {f: after.get((q, f), 0.0) - before.get((q, f), 0.0) for f in FAMILIES}
        if d["groups"] <= 0 or d["entries"] <= 0:
            continue
        rows.append(("%sgroup commit: %s" % (label, q),
                     "%d groups of %.1f on average; writing one took %.1f ms, a request waited %.1f ms"
                     % (d["groups"], d["entries"] / d["groups"], 1e3 * d["write_seconds"] / d["groups"],
                        1e3 * d["wait_seconds"] / d["entries"])))
    return rows
