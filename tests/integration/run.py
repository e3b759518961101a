#!/usr/bin/env python3
"""run.py: the integration suite. Starts one stack (scripts/stack.py) in a
temporary folder, runs every test_* function of tests/integration/test_*.py
against it (each gets the stack), tears the stack down and prints
`N passed, N failed`.

    python3 tests/integration/run.py [--build build] [-k SUBSTRING]... [files...]

(-k more than once: the tests any of them selects.)

Tests that need their own stack (two servers, a tiny queue) start it
themselves with `stack_factory`. The simulator's own tests
(test_wxsim.py) are not part of this suite: they reset the simulator, so
they run on a simulator of their own (`python3 tests/integration/test_wxsim.py`,
a separate step of scripts/test-all.sh).

What the runner counts, besides a test raising:
  - a -k that selects no test is a failure (a typo must not pass);
  - a test module that cannot be imported is one failure under its name,
    and the other modules still run;
  - a quizd that exits on its own, or answers SIGTERM with a non-zero
    status, while a test runs fails that test (also servers of the private
    stacks a test starts);
  - an answer that breaks docs/openapi.yaml: every answer a test receives
    through `Stack.request` is validated against it
    (tests/integration/openapi_check.py); a status the route does not
    document, or a JSON body its schema refuses, fails that test;
  - a sanitizer report anywhere fails the run.

Between two tests the runner puts back what a test may have moved, so that
no test depends on the one before: it restarts a store or server a test left
stopped, sets the server clock back to real time, puts the two seeded
contests back to RULES.md's windows, and then requires /healthz to answer
200 with MariaDB and Redis up (else the run stops: nothing after it would be
meaningful).
"""
import argparse
import glob
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)

import stack as stackmod  # noqa: E402
import openapi_check  # noqa: E402

# Files whose tests run on their own (see the docstring).
STANDALONE = {"test_wxsim.py"}


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def heal(st):
    """Bring back a store or server a test left stopped."""
    if "redis" not in st.procs or st.procs["redis"].poll() is not None:
        st.start_redis()
    if "mariadb" not in st.procs or st.procs["mariadb"].poll() is not None:
        st.start_mariadb()
    for i in range(st.nservers):
        name = "quizd%d" % i
        if name not in st.procs or st.procs[name].poll() is not None:
            st.start_server(i)


def put_back(st):
    """The state tests share, back to where a fresh stack has it; raises
    when the stack is not healthy afterwards."""
    heal(st)
    st.set_clock(offset_s=0)
    # RULES.md's June 2024 windows of the seeded contests (schema/030_contests.sql)
    st.sql("UPDATE contests SET registration_deadline = 1718035199, starts_at = 1718056800,"
           " ends_at = 1719759600, attempts_per_day = 3, time_limit_s = 900 WHERE slug = 'shuian';"
           "UPDATE contests SET registration_deadline = 1717603199, starts_at = 1717516800,"
           " ends_at = 1719759600, attempts_per_day = 2, time_limit_s = 1200 WHERE slug = 'liuxiang'")
    end = time.time() + 30
    last = None
    while time.time() < end:
        last = st.get("/api/v1/healthz")
        if last.status == 200 and last.json == {"ok": True, "mariadb": "up", "redis": "up"}:
            return
        time.sleep(0.1)
    raise RuntimeError("the stack is not healthy after putting it back: %r" % (last,))


def collect(files, k):
    """([(name, fn, order)], [(module name, error text)])."""
    tests, broken = [], []
    for f in files:
        try:
            mod = load(f)
        except Exception as e:
            broken.append((os.path.basename(f), "%s: %s" % (type(e).__name__, e)))
            traceback.print_exc(limit=4, file=sys.stdout)
            continue
        for name in dir(mod):
            fn = getattr(mod, name)
            if name.startswith("test_") and callable(fn) and any(x in mod.__name__ + "." + name for x in k):
                tests.append((mod.__name__ + "." + name, fn, getattr(mod, "__order__", 50)))
    tests.sort(key=lambda t: (t[2], t[0]))
    return tests, broken


# The tests change contests in SQL behind the server's back (windows,
# policies) and read them through the API at once: their stacks keep no
# copy of a contest (contest_cache_ms, 1 s by default). test_contests.py
# turns it on where it tests it.
TEST_CONF = {"contest_cache_ms": 0}


def make_stack(build, **kw):
    kw["conf_extra"] = dict(TEST_CONF, **(kw.get("conf_extra") or {}))
    return stackmod.Stack(build=build, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", action="append", default=[])
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(f for f in glob.glob(os.path.join(HERE, "test_*.py"))
                                 if os.path.basename(f) not in STANDALONE)
    for f in files:
        if os.path.basename(f) in STANDALONE:
            print("%s runs on a simulator of its own: python3 %s" % (os.path.basename(f), f))
            print("0 passed, 1 failed")
            sys.exit(1)
    tests, broken = collect(files, args.k or [""])
    passed = failed = 0
    failures = []
    for mod, err in broken:
        failed += 1
        failures.append(mod)
        print("FAIL  %s: the module does not import: %s" % (mod, err), flush=True)
    if not tests:
        failed += 1
        print("FAIL  no test selected (-k %r, %d files)" % (args.k, len(files)))
        print("%d passed, %d failed" % (passed, failed))
        sys.exit(1)
    t0 = time.time()
    checker = openapi_check.ResponseChecker()
    stackmod.Stack.response_hook = checker
    st = make_stack(args.build)
    st.factory = lambda **kw: make_stack(args.build, **kw)
    try:
        st.start()
        print("stack up in %.1fs at %s (folder %s)" % (time.time() - t0, st.base, st.dir), flush=True)
        for name, fn, _ in tests:
            t = time.time()
            exits_before = len(stackmod.QUIZD_EXITS)
            try:
                mark = len(checker.failures)
                fn(st)
                # a helper thread may have swallowed the hook's exception
                late = checker.failures[mark:]
                if late:
                    raise AssertionError("%d answer(s) broke docs/openapi.yaml; the first: %s"
                                         % (len(late), late[0]))
                dead = st.dead_servers() + [(n, s) for _, n, s in stackmod.QUIZD_EXITS[exits_before:]]
                if dead:
                    raise AssertionError("quizd exited during the test: %s"
                                         % ", ".join("%s status %s" % d for d in dead))
                passed += 1
                print("ok    %s (%.2fs)" % (name, time.time() - t), flush=True)
            except Exception as e:
                failed += 1
                failures.append(name)
                print("FAIL  %s (%.2fs): %s: %s" % (name, time.time() - t, type(e).__name__, e), flush=True)
                traceback.print_exc(limit=6, file=sys.stdout)
            try:
                put_back(st)
            except Exception as he:
                failed += 1
                failures.append("(stack after %s)" % name)
                print("FAIL  could not restore the stack after %s: %s" % (name, he), flush=True)
                break
        # The process must still be running, and the sanitizers quiet.
        for i in range(st.nservers):
            p = st.procs.get("quizd%d" % i)
            if p is None or p.poll() is not None:
                failed += 1
                print("FAIL  quizd%d is not running at the end" % i)
    finally:
        exits_before = len(stackmod.QUIZD_EXITS)
        st.stop()
        for folder, pname, status in stackmod.QUIZD_EXITS[exits_before:]:
            failed += 1
            print("FAIL  %s exited with status %s when stopped at the end (%s)" % (pname, status, folder))
        if stackmod.SANITIZER_REPORTS:
            failed += 1
            print("FAIL  sanitizer reports (folders kept):")
            for folder, name in stackmod.SANITIZER_REPORTS:
                print("      %s/%s" % (folder, name))
                with open(os.path.join(folder, name), "rb") as f:
                    sys.stdout.write(f.read().decode(errors="replace")[-3000:])
    print("integration: %.1fs; %d answers checked against docs/openapi.yaml (%d of its %d statuses seen)"
          % ((time.time() - t0, checker.checked) + checker.coverage()))
    if failures:
        print("failed: " + ", ".join(failures))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
