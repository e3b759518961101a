"""Helpers of test_prizes.py, test_certificates.py and test_notices.py:
contests with prizes, people with scores made directly in MariaDB (their
profiles are what registration would make), and an independent Python
implementation of the draw written from README "The draw" alone, so the
documentation is checked to be enough to rerun a draw."""
import hashlib
import hmac
import json
import secrets

from quiz_helpers import demo_unit, ensure_bank, q

DURING = "2025-03-05T10:00:00+08:00"
AFTER = "2025-03-11T10:00:00+08:00"
LATE = "2025-04-20T10:00:00+08:00"      # more than 15 days after the end


def new_contest(stack, org, prize_settings, **extra):
    """A contest from 2025-03-01 to 2025-03-10 20:00 (Shanghai) with a
    5-question paper of 20 points each (full marks 100)."""
    ensure_bank(stack)
    body = {"name": "奖项测试" + secrets.token_hex(3), "slug": "p" + secrets.token_hex(6),
            "registration_deadline": "2025-03-05T00:00:00+08:00",
            "starts_at": "2025-03-01T08:00:00+08:00", "ends_at": "2025-03-10T20:00:00+08:00",
            "paper": [{"category": "安全生产法", "count": 5}], "points_per_question": 20,
            "prize_settings": prize_settings}
    body.update(extra)
    r = stack.post("admin/contests", body, token=org)
    assert r.status == 201, r
    return r.json["contest"]["id"]


def commit_draw(stack, org, contest, public_value_source):
    """Commit a new random seed for the contest's draw (201); the seed, as hex."""
    seed = secrets.token_hex(16)
    r = stack.post("admin/contests/%d/draw/commit" % contest,
                   {"seed_sha256": hashlib.sha256(bytes.fromhex(seed)).hexdigest(),
                    "public_value_source": public_value_source}, token=org)
    assert r.status == 201, r
    return seed


def person(stack, contest, score, reached_at, name="李四", unit=None):
    """A user with a real-name profile and a contest score; returns the id."""
    openid = "o" + secrets.token_hex(8)
    unit = unit or demo_unit(stack)
    stack.sql("INSERT INTO users (openid, created_at, last_login_at) VALUES (%s, 0, 0)" % q(openid))
    uid = int(stack.sql("SELECT id FROM users WHERE openid = %s" % q(openid))[0][0])
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
              " kind, unit_id, board_unit_id, created_at, updated_at) VALUES (%d, %s, '140105', '140000',"
              " '140100', '140105', 'staff', %d, %d, 0, 0);"
              "INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
              " first_submitted_at) VALUES (%d, %d, %d, %d, 1, %d)"
              % (uid, q(name), unit, unit, contest, uid, score, reached_at, reached_at))
    return uid


def logged_in_person(stack, contest, score, reached_at, phone=None, name="王五"):
    """Like person(), but logged in through the simulator (a token, an openid
    the simulator knows) and with a verified phone when given."""
    openid = "o" + secrets.token_hex(8)
    token, user = stack.login(openid)
    uid = user["id"]
    unit = demo_unit(stack)
    stack.sql("INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code, county_code,"
              " kind, unit_id, board_unit_id, created_at, updated_at) VALUES (%d, %s, '140105', '140000',"
              " '140100', '140105', 'staff', %d, %d, 0, 0)" % (uid, q(name), unit, unit))
    if score is not None:
        stack.sql("INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
                  " first_submitted_at) VALUES (%d, %d, %d, %d, 1, %d)" % (contest, uid, score, reached_at, reached_at))
    if phone:
        r = stack.post("me/phone", {"code": "phone:" + phone}, token=token)
        assert r.status == 200, r
    return token, uid, openid


def share_phone(stack, from_uid, to_uid):
    """Give to_uid the same verified phone as from_uid, as two accounts
    verified before one-number-one-account was enforced would have it (the
    sealed number itself is copied; the server never sees it in clear)."""
    stack.sql("UPDATE users b JOIN users a ON a.id = %d SET b.phone_sealed = a.phone_sealed,"
              " b.phone_masked = a.phone_masked WHERE b.id = %d" % (from_uid, to_uid))


# ---- the draw, reimplemented from the README ----

class HmacDrbg:
    """NIST SP 800-90A HMAC_DRBG with SHA-256, no nonce, no personalization,
    no reseed, no additional input."""

    def __init__(self, material):
        self.k = b"\x00" * 32
        self.v = b"\x01" * 32
        self._update(material)

    def _h(self, key, data):
        return hmac.new(key, data, hashlib.sha256).digest()

    def _update(self, data):
        self.k = self._h(self.k, self.v + b"\x00" + data)
        self.v = self._h(self.k, self.v)
        if data:
            self.k = self._h(self.k, self.v + b"\x01" + data)
            self.v = self._h(self.k, self.v)

    def generate(self, n):
        out = b""
        while len(out) < n:
            self.v = self._h(self.k, self.v)
            out += self.v
        self._update(b"")
        return out[:n]


class DrawRng:
    def __init__(self, seed_hex, public_value):
        seed = bytes.fromhex(seed_hex)
        material = b"quizd-draw-v1" + len(seed).to_bytes(4, "big") + seed + public_value.encode()
        self.drbg = HmacDrbg(material)

    def index(self, n):
        limit = 2 ** 64 - (2 ** 64 % n)
        while True:
            x = int.from_bytes(self.drbg.generate(8), "big")
            if x < limit:
                return x % n


def parse_candidates(text):
    lines = text.split("\n")
    assert lines[0] == "quizd-draw-candidates v1" and lines[-1] == "", lines[:6]
    settings = json.loads(lines[3][len("settings "):])
    full = int(lines[2].split()[1])
    n = int(lines[4].split()[1])
    cands = [tuple(int(x) for x in line.split()) for line in lines[5:5 + n]]
    assert len(cands) == n and len(lines) == 5 + n + 1
    return settings, full, cands


def python_draw(text, seed_hex, public_value):
    """[(group, user_id, 'rank'|'draw')] for tiers-and-draws settings."""
    settings, _, cands = parse_candidates(text)
    rng = DrawRng(seed_hex, public_value)
    won, phones, out = set(), set(), []

    def blocked(i):
        return i in won or (cands[i][3] and cands[i][3] in phones)

    def win(i, group, how):
        won.add(i)
        if cands[i][3]:
            phones.add(cands[i][3])
        out.append((group, cands[i][0], how))

    nxt = 0
    tiers = settings.get("tiers", [])
    for g, t in enumerate(tiers):
        left = t["count"]
        while nxt < len(cands) and left > 0:
            if not blocked(nxt):
                win(nxt, g, "rank")
                left -= 1
            nxt += 1
    for d, draw in enumerate(settings.get("draws", [])):
        pool = [i for i in range(len(cands)) if cands[i][1] > draw["min_score_exclusive"] and not blocked(i)]
        got = 0
        while got < draw["count"] and pool:
            win(pool[rng.index(len(pool))], len(tiers) + d, "draw")
            got += 1
            pool = [i for i in pool if not blocked(i)]
    return out
