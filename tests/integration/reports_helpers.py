"""Helpers of the reports tests: sessions for organizers and unit admins,
waiting for an export job, and reading its .xlsx (unzip, sheet XML with
inline or shared strings) and .csv (BOM, CRLF) back."""
import csv
import hashlib
import io
import re
import secrets
import time
import zipfile
import xml.etree.ElementTree as ET

from boards_helpers import q

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def organizer(stack, area=""):
    """(token, organizer id) of a new organizer for area."""
    token = secrets.token_urlsafe(32)
    name = "rep" + secrets.token_hex(6)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("INSERT INTO organizers (username, password_hash, area, created_at) VALUES (%s, 'x', %s, 0);"
              "INSERT INTO sessions (token_hash, organizer_id, roles, area, created_at, expires_at)"
              " SELECT %s, id, 4, %s, 0, 4102444800 FROM organizers WHERE username = %s"
              % (q(name), q(area), q(h), q(area), q(name)))
    oid = int(stack.sql("SELECT id FROM organizers WHERE username = %s" % q(name))[0][0])
    return token, oid


def unit_admin(stack, uid, unit):
    """A unit admin's console session (roles = ROLE_UNIT_ADMIN) for user uid."""
    token = secrets.token_urlsafe(32)
    h = hashlib.sha256(token.encode()).hexdigest()
    stack.sql("UPDATE users SET roles = 3, admin_unit_id = %d WHERE id = %d;"
              "INSERT INTO sessions (token_hash, user_id, roles, admin_unit_id, created_at, expires_at)"
              " VALUES (%s, %d, 2, %d, 0, 4102444800)" % (unit, uid, q(h), uid, unit))
    return token


def export(stack, token, body, timeout=60):
    """Ask for an export, wait for it, return (job, file bytes)."""
    r = stack.post("admin/exports", body, token=token)
    assert r.status in (200, 202), r
    return wait_job(stack, token, r.json["job_id"], timeout)


def wait_job(stack, token, job_id, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        r = stack.get("/api/v1/admin/jobs/%d" % job_id, token=token)
        assert r.status == 200, r
        job = r.json
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("job %d did not finish: %s" % (job_id, job))
    assert job["state"] == "done", job
    assert job["download_url"] == "/api/v1/admin/jobs/%d/file" % job_id, job
    r = stack.get(job["download_url"], token=token)
    assert r.status == 200, r
    return job, r


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def ooxml_text(s):
    """OOXML's escape of characters XML cannot hold raw (_x000D_ is CR)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def read_xlsx(data):
    """{sheet name: {"rows": [[value...]], "cells": [[(type, style, has_formula)...]], "xml": text}}
    plus "_styles" (styles.xml text). Strings come from inlineStr or the
    shared-string table; numbers are floats."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    shared = []
    if "xl/sharedStrings.xml" in names:
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {"_styles": z.read("xl/styles.xml").decode()}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for sh in wb.find("m:sheets", NS):
        xml = z.read("xl/" + target[sh.get(rid)]).decode()
        root = ET.fromstring(xml)
        rows, cells = [], []
        for row in root.find("m:sheetData", NS):
            vals, meta = [], []
            for c in row:
                i = col_index(c.get("r"))
                while len(vals) < i:
                    vals.append(None)
                    meta.append(None)
                t = c.get("t")
                if t == "inlineStr":
                    v = ooxml_text("".join(x.text or "" for x in c.iter("{%s}t" % NS["m"])))
                elif t == "s":
                    v = ooxml_text(shared[int(c.find("m:v", NS).text)])
                elif c.find("m:v", NS) is not None:
                    v = float(c.find("m:v", NS).text)
                else:
                    v = None
                vals.append(v)
                meta.append((t, c.get("s"), c.find("m:f", NS) is not None))
            rows.append(vals)
            cells.append(meta)
        out[sh.get("name")] = {"rows": rows, "cells": cells, "xml": xml}
    return out


def read_csv(data):
    """Sections of a CSV export: [[row...]] per sheet (sheets after the first
    follow an empty line and a line with the sheet's name)."""
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    text = data[3:].decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "a line end that is not CRLF"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows


def excel_time(v):
    """An Excel serial date-time (1900 system) as epoch seconds of Shanghai local time."""
    return round((v - 25569) * 86400) - 8 * 3600
