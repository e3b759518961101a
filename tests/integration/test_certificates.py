"""Certificates: who gets one (score >= threshold, real name, verified
phone, one per phone), the window (403 before the end, 410 after
certificate_days), the PDF's text read back with pdftotext, page 1 rendered
with pdftoppm into tests/artifacts/, the public verification, and forged
serials."""
import os
import re
import secrets
import subprocess
import tempfile

from prizes_helpers import AFTER, DURING, LATE, logged_in_person, new_contest, share_phone
from quiz_helpers import IN_MAIN, ROOT, error_code, organizer_token

__order__ = 57
ARTIFACTS = os.path.join(ROOT, "tests", "artifacts")


def ink(pgm, top, bottom):
    """Dark pixels of a binary PGM between two fractions of its height,
    inside the frame (10 % margins left and right)."""
    with open(pgm, "rb") as f:
        raw = f.read()
    parts = raw.split(maxsplit=4)
    assert parts[0] == b"P5", parts[:4]
    w, h, pixels = int(parts[1]), int(parts[2]), parts[4]
    n = 0
    for y in range(int(h * top), int(h * bottom)):
        row = pixels[y * w:(y + 1) * w]
        n += sum(1 for x in range(w // 10, w - w // 10) if row[x] < 160)
    return n


def cert_contest(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    return new_contest(stack, org, None, certificate_threshold=85, certificate_hours=4, certificate_days=15)


def test_certificate_pdf_window_and_verification(stack):
    cid = cert_contest(stack)
    phone = "137%08d" % secrets.randbelow(10 ** 8)
    good, good_id, good_openid = logged_in_person(stack, cid, 90, 1741000000, phone=phone, name="欧阳娜娜")
    twin, twin_id, _ = logged_in_person(stack, cid, 95, 1741000000, name="欧阳娜")
    share_phone(stack, good_id, twin_id)
    low, _, _ = logged_in_person(stack, cid, 80, 1741000000, phone="136%08d" % secrets.randbelow(10 ** 8))
    edge, _, _ = logged_in_person(stack, cid, 85, 1741000000, phone="135%08d" % secrets.randbelow(10 ** 8))
    nophone, _, _ = logged_in_person(stack, cid, 100, 1741000000)
    url = "me/certificate?contest_id=%d" % cid

    r = stack.get(url, token=good)
    assert r.status == 403 and error_code(r) == "not_eligible" and "end" in r.json["error"]["message"], r
    assert r.json["reason"] == "before_end", r
    stack.set_clock(iso=AFTER)
    r = stack.get(url, token=good)
    assert r.status == 200 and r.header("Content-Type") == "application/pdf", r
    serial = re.search(r'filename="certificate-([0-9a-f]{24})\.pdf"', r.header("Content-Disposition")).group(1)
    assert r.body.startswith(b"%PDF-") and len(r.body) > 100000, len(r.body)
    # Made once and kept: the second download is the same file, and one row.
    again = stack.get(url, token=good)
    assert again.status == 200 and again.body == r.body
    assert stack.sql("SELECT COUNT(*) FROM certificates WHERE contest_id = %d" % cid) == [["1"]]

    with tempfile.TemporaryDirectory() as d:
        pdf = os.path.join(d, "c.pdf")
        with open(pdf, "wb") as f:
            f.write(r.body)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, check=True).stdout.decode()
        for want in ("学时证明", "欧阳娜娜", "测试水务局", "90 分", "4 学时", "兹证明", "达到学时认定标准", serial, "2025年3月11日",
                     "/api/v1/certificates/" + serial):
            assert want in text, (want, text)
        os.makedirs(ARTIFACTS, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf,
                        os.path.join(ARTIFACTS, "certificate")], check=True)
        # The text layer can be right while glyphs print blank (a font whose
        # composite glyphs lose their parts): the title must show ink.
        subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", pdf,
                        os.path.join(d, "g")], check=True)
        assert ink(os.path.join(d, "g.pgm"), 0.12, 0.24) > 150, "the title printed blank"
        assert ink(os.path.join(d, "g.pgm"), 0.30, 0.50) > 400, "the body printed blank"
    assert os.path.getsize(os.path.join(ARTIFACTS, "certificate.png")) > 5000

    # Not eligible: below the threshold, no verified phone, the same phone again.
    for tok, why, reason in ((low, "85", "below_threshold"), (nophone, "phone", "phone_unverified"),
                             (twin, "same phone", "phone_taken")):
        r = stack.get(url, token=tok)
        assert r.status == 403 and error_code(r) == "not_eligible" and why in r.json["error"]["message"], (why, r)
        assert r.json["reason"] == reason, (reason, r)
    assert stack.get(url, token=edge).status == 200     # exactly the threshold earns it

    v = stack.get("certificates/" + serial)
    assert v.status == 200 and v.json["valid"] is True and v.json["name_masked"] == "欧阳**", v
    assert v.json["score"] == 90 and v.json["hours"] == 4, v
    forged = secrets.token_hex(12)
    assert stack.get("certificates/" + forged).status == 404
    # A row with a serial that is not its HMAC does not verify either.
    stack.sql("INSERT INTO certificates (serial, contest_id, user_id, phone_id, real_name, unit_name,"
              " contest_name, score, hours, issued_at) VALUES ('%s', %d, %d, '%s', '假的', 'x', 'x', 100, 4, 0)"
              % (forged, cid, good_id + 100000, secrets.token_hex(32)))
    assert stack.get("certificates/" + forged).status == 404
    assert stack.get("certificates/" + serial.upper()).status == 404
    assert stack.get("certificates/..%2f..%2fetc").status == 404

    stack.set_clock(iso=LATE)
    good, _ = stack.login(good_openid)      # sessions last 7 days
    r = stack.get(url, token=good)
    assert r.status == 410 and error_code(r) == "certificate_window_closed", r
    stack.set_clock(iso=IN_MAIN)


def test_contest_without_certificates(stack):
    org = organizer_token(stack)
    stack.set_clock(iso=DURING)
    cid = new_contest(stack, org, None)
    tok, _, _ = logged_in_person(stack, cid, 100, 1741000000, phone="138%08d" % secrets.randbelow(10 ** 8))
    stack.set_clock(iso=AFTER)
    r = stack.get("me/certificate?contest_id=%d" % cid, token=tok)
    assert r.status == 403 and error_code(r) == "not_eligible" and r.json["reason"] == "no_certificate", r
    stack.set_clock(iso=IN_MAIN)
