#!/usr/bin/env python3
"""run.py: the integration suite. Starts one stack (scripts/stack.py) in a
temporary folder, runs every test_* function of tests/integration/test_*.py
against it (each gets the stack), tears the stack down and prints
`N passed, N failed`.

    python3 tests/integration/run.py [--build build] [-k SUBSTRING] [files...]

Tests that need their own stack (two servers, a tiny queue) start it
themselves with `stack_factory`. A test that stops a store must start it
again before it returns; the runner checks /healthz between tests and
restarts what a failed test left down.

Every answer a test receives through `Stack.request` is validated against
docs/openapi.yaml (tests/integration/openapi_check.py): a status the route
does not document, or a JSON body its schema refuses, fails that test.
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


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def heal(st):
    """Bring back a store a failed test left stopped."""
    if "redis" not in st.procs or st.procs["redis"].poll() is not None:
        st.start_redis()
    if "mariadb" not in st.procs or st.procs["mariadb"].poll() is not None:
        st.start_mariadb()
    for i in range(st.nservers):
        name = "quizd%d" % i
        if name not in st.procs or st.procs[name].poll() is not None:
            st.start_server(i)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", default="")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(HERE, "test_*.py")))
    tests = []
    for f in files:
        mod = load(f)
        for name in dir(mod):
            fn = getattr(mod, name)
            if name.startswith("test_") and callable(fn) and args.k in mod.__name__ + "." + name:
                tests.append((mod.__name__ + "." + name, fn, getattr(mod, "__order__", 50)))
    tests.sort(key=lambda t: (t[2], t[0]))
    passed = failed = 0
    failures = []
    t0 = time.time()
    checker = openapi_check.ResponseChecker()
    stackmod.Stack.response_hook = checker
    st = stackmod.Stack(build=args.build)
    st.factory = lambda **kw: stackmod.Stack(build=args.build, **kw)
    try:
        st.start()
        print("stack up in %.1fs at %s (folder %s)" % (time.time() - t0, st.base, st.dir), flush=True)
        for name, fn, _ in tests:
            t = time.time()
            try:
                mark = len(checker.failures)
                fn(st)
                # a helper thread may have swallowed the hook's exception
                late = checker.failures[mark:]
                if late:
                    raise AssertionError("%d answer(s) broke docs/openapi.yaml; the first: %s"
                                         % (len(late), late[0]))
                passed += 1
                print("ok    %s (%.2fs)" % (name, time.time() - t), flush=True)
            except Exception as e:
                failed += 1
                failures.append(name)
                print("FAIL  %s (%.2fs): %s: %s" % (name, time.time() - t, type(e).__name__, e), flush=True)
                traceback.print_exc(limit=6, file=sys.stdout)
                try:
                    heal(st)
                except Exception as he:
                    print("      could not restore the stack: %s" % he)
        # The process must still be running, and the sanitizers quiet.
        for i in range(st.nservers):
            p = st.procs.get("quizd%d" % i)
            if p is None or p.poll() is not None:
                failed += 1
                print("FAIL  quizd%d is not running at the end" % i)
    finally:
        st.stop()
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
