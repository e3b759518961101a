"""Helpers of the console tests (test_console_*.py): organizers made with
the real command (`quizd organizer-add`), units in a region of our choice,
files to upload, and multipart bodies as wx.uploadFile sends them."""
import secrets
import struct
import zlib

from units_helpers import q, credit_code, token as rare, error_code  # noqa: F401

PASSWORD = "console-test-pw-1"

# Two provinces with cities and counties the tests use.
SHANXI, CHANGZHI, SHANGDANG = "140000", "140400", "140404"
HEBEI, SHIJIAZHUANG = "130000", "130100"


def organizer(stack, area=None):
    """(token, username) of a new organizer made by `quizd organizer-add`."""
    name = "con" + secrets.token_hex(5)
    args = ["organizer-add", name] + (["--area", area] if area else [])
    p = stack.quizd(*args, input=(PASSWORD + "\n").encode())
    assert p.returncode == 0, p.stderr
    r = stack.post("admin/login", {"username": name, "password": PASSWORD})
    assert r.status == 200 and r.json["role"] == "organizer", r
    return r.json["token"], name


def region_row(stack, code):
    row = stack.sql("SELECT province_code, IFNULL(city_code, ''), level FROM regions WHERE code = %s" % q(code))[0]
    prov, city, level = row[0], row[1], int(row[2])
    return prov, city or None, code if level == 3 else None


def unit(stack, region=SHANGDANG, headcount=10, name=None, verified=0, created_by=None):
    """A unit written directly (registration is tested elsewhere); its id."""
    prov, city, county = region_row(stack, region)
    code = credit_code(region=region if len(region) == 6 else "140404")
    name = name or "长治市%s水利局" % rare()
    stack.sql("INSERT INTO units (name, credit_code, region_code, province_code, city_code, county_code, type,"
              " headcount, created_at, verified, created_by) VALUES (%s, %s, %s, %s, %s, %s, 'water_admin', %d,"
              " 0, %d, %s)" % (q(name), q(code), q(region), q(prov), q(city) if city else "NULL",
                               q(county) if county else "NULL", headcount, verified,
                               str(created_by) if created_by else "NULL"))
    return int(stack.sql("SELECT id FROM units WHERE credit_code = %s" % q(code))[0][0])


def profile(stack, uid, unit_id, name="张三", region=SHANGDANG, kind="staff", leader=0):
    prov, city, county = region_row(stack, region)
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
              " kind, unit_id, is_unit_leader, five_into_category, five_into_org, sponsor_unit_id,"
              " board_unit_id, created_at, updated_at) VALUES (%d, %s, %s, %s, %s, %s, %s, %s, %d, %s, %s, %s,"
              " %d, 0, 0)" % (uid, q(name), q(region), q(prov), q(city) if city else "NULL",
                              q(county) if county else "NULL", q(kind),
                              unit_id if kind == "staff" else "NULL", leader,
                              "'village'" if kind == "five_into" else "NULL",
                              "'某村委会'" if kind == "five_into" else "NULL",
                              unit_id if kind == "five_into" else "NULL", unit_id))


def registered_user(stack, unit_id, name="张三"):
    """(token, uid) of a WeChat user with a staff profile in unit_id."""
    tok, user = stack.login()
    profile(stack, user["id"], unit_id, name=name)
    return tok, user["id"]


# ---- files ----

def pdf(extra=b""):
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + extra + b"\ntrailer << >>\n%%EOF\n"


def png(w=2, h=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg():
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


def multipart(parts, boundary=None):
    """parts: [(field, filename or None, bytes)] → (content_type, body)."""
    b = boundary or "----wxupload" + secrets.token_hex(8)
    out = b""
    for field, filename, data in parts:
        disp = 'form-data; name="%s"' % field
        if filename is not None:
            disp += '; filename="%s"' % filename
        out += ("--%s\r\nContent-Disposition: %s\r\nContent-Type: application/octet-stream\r\n\r\n"
                % (b, disp)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return "multipart/form-data; boundary=%s" % b, out


def upload(stack, tok, data, filename="file.pdf"):
    ct, body = multipart([("file", filename, data)])
    return stack.request("POST", "uploads", raw=body, token=tok, headers={"Content-Type": ct})


def upload_id(stack, tok, data, filename="file.pdf"):
    r = upload(stack, tok, data, filename)
    assert r.status == 201, r
    return r.json["upload_id"]


def apply_for(stack, tok, unit_id, name="李四", phone="13800138000"):
    """An application with two fresh uploads; the reply."""
    cert = upload_id(stack, tok, pdf())
    auth = upload_id(stack, tok, png(), "auth.png")
    return stack.post("units/%d/admin-applications" % unit_id,
                      {"applicant_name": name, "phone": phone, "certificate_upload_id": cert,
                       "authorization_upload_id": auth}, token=tok)


def count(stack, sql):
    return int(stack.sql(sql)[0][0])


def audit_rows(stack, action):
    return count(stack, "SELECT COUNT(*) FROM audit_log WHERE action = %s" % q(action))
