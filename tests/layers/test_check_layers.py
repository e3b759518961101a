#!/usr/bin/env python3
"""Holds scripts/check-layers.py to its word: it passes on a copy of the
tree as it is, and fails on copies into which one wrong include has been
written (a lower layer including a higher one, two engines including each
other, a folder LAYERS does not name). Ends with "N passed, N failed"."""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "scripts", "check-layers.py")
FOLDERS = ["lib", "server", "rules", "wx", "engines", "handlers", "app"]

passed = failed = 0


def copy_tree(dst):
    shutil.copy(os.path.join(ROOT, "LAYERS"), dst)
    for f in FOLDERS:
        shutil.copytree(os.path.join(ROOT, f), os.path.join(dst, f),
                        ignore=shutil.ignore_patterns("*.o", "*.d"))


def inject(root, path, line):
    """Add an include line after the first include of path."""
    full = os.path.join(root, path)
    with open(full, encoding="utf-8") as f:
        text = f.read()
    i = text.index("#include")
    j = text.index("\n", i) + 1
    with open(full, "w", encoding="utf-8") as f:
        f.write(text[:j] + line + "\n" + text[j:])


def run_check(root):
    p = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def case(name, edits, want_fail, want_text=None):
    global passed, failed
    with tempfile.TemporaryDirectory(prefix="layers-") as d:
        copy_tree(d)
        for path, line in edits:
            inject(d, path, line)
        rc, out = run_check(d)
    ok = (rc != 0) == want_fail and (want_text is None or want_text in out)
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name}: exit {rc}, wanted {'failure' if want_fail else 'success'}"
              + (f" mentioning {want_text!r}" if want_text else ""))
        print("      " + out.strip().replace("\n", "\n      "))


case("the tree as it is passes", [], want_fail=False)
case("server/ including handlers/ fails",
     [("server/clock.c", '#include "handlers/handlers.h"')], True,
     "server/clock.c: includes \"handlers/handlers.h\": server/ may not include handlers/")
case("lib/ including rules/ fails",
     [("lib/csv.c", '#include "rules/score.h"')], True, "lib/ may not include rules/")
case("an engine including handlers/ fails",
     [("engines/quiz/contest.c", '#include "handlers/units.h"')], True,
     "engines/quiz/ may not include handlers/")
case("rules/ including wx/ fails",
     [("rules/mask.c", '#include "wx/wx_client.h"')], True, "rules/ may not include wx/")
case("an engine including a lower layer passes",
     [("engines/quiz/rescore.c", '#include "lib/utf8.h"')], False)
case("one engine including another passes",
     [("engines/units/regions.c", '#include "engines/quiz/contest.h"')], False)
case("two engines including each other fail",
     [("engines/units/regions.c", '#include "engines/quiz/contest.h"'),
      ("engines/quiz/contest.c", '#include "engines/units/regions.h"')], True,
     "folders include each other")
case("a circle of three engines fails",
     [("engines/units/regions.c", '#include "engines/quiz/contest.h"'),
      ("engines/quiz/contest.c", '#include "engines/wechat/wxcall.h"'),
      ("engines/wechat/wxcall.c", '#include "engines/units/regions.h"')], True,
     "folders include each other")
case("a folder LAYERS does not name fails",
     [("handlers/health.c", '#include "web/x.h"')], True, "web/ is not in LAYERS")
case("an include without its folder fails",
     [("handlers/health.c", '#include "handlers.h"')], True, "without its folder")


# The link check (scripts/link-layers.sh, run by every build): on copies of
# the archives of a finished build, clean and with one object added to
# libserver.a that calls a handler.
LINK = os.path.join(ROOT, "scripts", "link-layers.sh")
LAYER_ORDER = ["lib", "server", "rules", "wx", "engines", "handlers", "app"]


def make_var(name):
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, "print-" + name],
                       capture_output=True, text=True)
    return p.stdout.strip()


def link_case(name, build, bad_object, want_fail, want_text=None):
    global passed, failed
    env = dict(os.environ, CC=make_var("CC") or "cc", LDFLAGS=make_var("LDFLAGS"),
               LDLIBS=make_var("LDLIBS"))
    with tempfile.TemporaryDirectory(prefix="layers-link-") as d:
        for l in LAYER_ORDER:
            shutil.copy(os.path.join(build, "lib%s.a" % l), d)
        if bad_object:
            src = os.path.join(d, "wrong_way.c")
            with open(src, "w") as f:
                f.write(bad_object)
            subprocess.run([env["CC"], "-c", "-o", os.path.join(d, "wrong_way.o"), src], check=True)
            subprocess.run(["ar", "rs", os.path.join(d, "libserver.a"),
                            os.path.join(d, "wrong_way.o")], check=True, capture_output=True)
        p = subprocess.run([LINK, d] + LAYER_ORDER, capture_output=True, text=True, env=env)
    out = p.stdout + p.stderr
    ok = (p.returncode != 0) == want_fail and (want_text is None or want_text in out)
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name}: exit {p.returncode}, wanted {'failure' if want_fail else 'success'}")
        print("      " + out.strip()[-2000:].replace("\n", "\n      "))


build = os.path.join(ROOT, os.environ.get("BUILD", "build"))
if all(os.path.exists(os.path.join(build, "lib%s.a" % l)) for l in LAYER_ORDER):
    link_case("the archives as built link layer by layer", build, None, False)
    link_case("server/ calling a handler fails to link", build,
              "struct req;\nint h_healthz(struct req *r);\n"
              "int (*wrong_way)(struct req *) = h_healthz;\n", True,
              "layer server/ calls into a higher layer")
else:
    print(f"skip  link checks: no archives in {build} (run make first)")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
