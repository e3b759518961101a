#!/usr/bin/env python3
"""Checks schema/010_regions.sql as text: no database needed.

test_regions_seed_file(stack) takes the integration stack like every other
test here but does not use it.  Run this file directly to get
"1 passed, 0 failed" (exit 0) or the failure and "0 passed, 1 failed" (exit 1).
"""

import os
import re
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SQL_PATH = os.path.join(HERE, os.pardir, os.pardir, "schema", "010_regions.sql")

COLUMNS = "code, name, parent_code, level, province_code, city_code"
INSERT_HEAD = "INSERT INTO regions (%s) VALUES" % COLUMNS
ROW_RE = re.compile(
    r"\('([0-9]*)','((?:[^'\\]|'')*)',(NULL|'[0-9]*'),([0-9]+),'([0-9]*)',(NULL|'[0-9]*')\)([,;])$")
MAX_ROWS_PER_INSERT = 500


def _code(v):
    return None if v == "NULL" else v.strip("'")


def parse(path=SQL_PATH):
    """Rows of the file's INSERTs as dicts, and the row count of each INSERT.
    Fails on any line inside an INSERT that is not a well-formed row."""
    rows, inserts = [], []
    in_insert = False
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not in_insert:
                if line.startswith("INSERT"):
                    assert line == INSERT_HEAD, "line %d: unexpected INSERT head %r" % (lineno, line)
                    in_insert = True
                    inserts.append(0)
                continue
            m = ROW_RE.match(line)
            assert m, "line %d: not a region row: %r" % (lineno, line)
            code, name, parent, level, prov, city, end = m.groups()
            rows.append(dict(code=code, name=name.replace("''", "'"), parent=_code(parent),
                             level=int(level), province=prov, city=_code(city), line=lineno))
            inserts[-1] += 1
            if end == ";":
                in_insert = False
    assert not in_insert, "last INSERT not terminated with ';'"
    return rows, inserts


def test_regions_seed_file(stack):
    del stack  # textual check; the running stack is not needed
    with open(SQL_PATH, encoding="utf-8") as f:
        text = f.read()
    assert "CREATE TABLE regions" in text
    assert re.search(r"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_\w+;", text)
    assert not re.search(r"^\s*(DELIMITER|USE)\b", text, re.M | re.I), "DELIMITER/USE in migration"

    rows, inserts = parse()
    assert inserts and max(inserts) <= MAX_ROWS_PER_INSERT, "INSERT sizes %r" % inserts

    by_code = {}
    for r in rows:
        assert re.fullmatch(r"[0-9]{6}", r["code"]), "code not 6 digits: %r" % r
        assert r["code"] not in by_code, "duplicate code %s" % r["code"]
        assert 0 < len(r["name"]) <= 64, "bad name: %r" % r
        by_code[r["code"]] = r
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes), "rows not sorted by code"

    provinces = [r for r in rows if r["level"] == 1]
    cities = [r for r in rows if r["level"] == 2]
    counties = [r for r in rows if r["level"] == 3]
    assert len(provinces) + len(cities) + len(counties) == len(rows), "level outside 1..3"

    # 31 mainland provincial units; the package has no 台湾 71, 香港 81, 澳门 82.
    assert len(provinces) == 31, "%d provinces" % len(provinces)
    for r in provinces:
        assert r["code"].endswith("0000"), r
        assert r["parent"] is None and r["city"] is None and r["province"] == r["code"], r
        assert r["code"][:2] not in ("71", "81", "82"), r

    for r in cities:
        p = by_code.get(r["parent"])
        assert p is not None and p["level"] == 1, "city %s: parent %s is not a province" % (
            r["code"], r["parent"])
        assert r["code"].endswith("00") and r["code"][:2] == p["code"][:2], r
        assert r["province"] == p["code"] and r["city"] == r["code"], r
        assert r["name"] not in ("市辖区", "县"), "unrenamed municipal city %r" % r

    for r in counties:
        c = by_code.get(r["parent"])
        assert c is not None and c["level"] == 2, "county %s: parent %s is not a city" % (
            r["code"], r["parent"])
        assert not r["code"].endswith("00") and r["code"][:4] == c["code"][:4], r
        assert r["city"] == c["code"] and r["province"] == c["province"], r
        assert by_code[r["province"]]["level"] == 1, r

    def named(code, name, parent):
        r = by_code.get(code)
        assert r is not None, "%s missing" % code
        assert r["name"] == name and r["parent"] == parent, "%s: %r" % (code, r)

    named("140000", "山西省", None)
    named("140400", "长治市", "140000")
    named("140404", "上党区", "140400")
    named("110000", "北京市", None)
    named("110100", "北京市", "110000")
    named("120100", "天津市", "120000")
    named("310100", "上海市", "310000")
    named("500100", "重庆市", "500000")
    # Cities without counties are leaves; 省直辖 counties keep a parent city.
    for leaf in ("441900", "442000", "460400"):
        assert by_code[leaf]["level"] == 2, leaf
        assert not any(r["parent"] == leaf for r in rows), "%s has children" % leaf
    named("429004", "仙桃市", "429000")
    named("419001", "济源市", "419000")


if __name__ == "__main__":
    try:
        test_regions_seed_file(None)
    except Exception:  # report any failure, assertion or not, and exit 1
        traceback.print_exc()
        print("0 passed, 1 failed")
        sys.exit(1)
    print("1 passed, 0 failed")
