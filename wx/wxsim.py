#!/usr/bin/env python3
"""wxsim: a simulator of the parts of WeChat's server API the quiz backend uses.

The backend cannot reach api.weixin.qq.com from here, so tests, benchmarks and
the local demo point its WeChat base URL at this program instead. It listens on
loopback, speaks HTTPS with a throwaway CA made at start, and answers like
WeChat does, error bodies included. Spec: shared/WXSIM.md.

Usage:
    python3 wx/wxsim.py --port PORT --dir DIR [--host 127.0.0.1]
        [--appid wxdemoappid0000001] [--secret demosecret0000000000000000000001]
        [--risky-word 违禁]... [--review-word 待审]... [--force-refresh-limit 20]
        [--verbose]

At start it makes (or reuses, if still valid) in DIR:
    ca.pem, ca.key          the throwaway CA; give ca.pem to the backend as its CA file
    server.pem, server.key  the server certificate for 127.0.0.1, ::1 and localhost
    wxsim.pid               this process's id (removed at exit)
and prints one line, `wxsim listening on https://HOST:PORT`, once it accepts
connections. --port 0 picks a free port; the line tells which.

WeChat endpoints (HTTP status is always 200 for WeChat answers; the body says
{"errcode": N, "errmsg": "... rid: ..."} on failure, as WeChat does):

    GET  /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
         js_code `test:<openid>` or `test:<openid>:<anything>` (openid: 1-64
         printable ASCII characters, no ':') -> {"openid", "session_key",
         "unionid": "u_<openid>"} (no errcode on success, as WeChat). Each code
         is single-use. A login replaces the user's session_key and starts their
         2-hour msg_sec_check window.
    GET  /cgi-bin/token?grant_type=client_credential&appid&secret
         a new token per call (expires_in 7200); the previous one stays valid for
         5 more minutes, then answers 40001 ("not latest").
    POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh}
         separate from cgi-bin/token. Normal mode returns the current stable
         token with expires_in counting down, and a new one once fewer than
         300 s are left (the old one lives out its time). force_refresh
         replaces it (the old one answers 40001 at once); within 30 s of the
         previous force refresh it returns the current token unchanged; beyond
         --force-refresh-limit refreshes in 24 h -> 45009.
    POST /wxa/getwxacodeunlimit?access_token {scene, page, check_path, env_version, width}
         -> image/png: a real QR code (level M) whose content is the scene.
    POST /wxa/business/getuserphonenumber?access_token {code}
         code `phone:<digits>` (single-use) -> phone_info {phoneNumber,
         purePhoneNumber, countryCode: "86", watermark {timestamp, appid}}.
    POST /wxa/msg_sec_check?access_token {version: 2, openid, scene: 1-4, content, title?, nickname?, signature?}
         -> result.suggest "risky" if the text has a --risky-word, "review" if
         it has a --review-word, else "pass"; with detail[] and trace_id.
    GET  /wxa/checksession?access_token&openid&signature&sig_method=hmac_sha256
         0 when signature == hex HMAC-SHA256(key=<session_key as the base64
         text>, msg=b"") for that user's current session_key, else 87009.
    POST /cgi-bin/message/subscribe/send?access_token {touser, template_id, page?, data?, ...}
         recorded (see /__sim/stats).

Error codes used (all documented WeChat codes):
    -1     system error (only from injected faults)
    40001  access_token unknown, or superseded (cgi-bin/token after the 5-minute
           overlap; stable_token after a force refresh)
    40002  grant_type is not client_credential / authorization_code
    40003  msg_sec_check: openid missing or of a user who never logged in
    40013  invalid appid                 40125  invalid appsecret
    41002  appid missing                 41004  appsecret missing
    41008  js_code missing               41001  access_token missing
    40029  invalid code (login or phone; a used phone code too)
    40163  login code already used
    40097  invalid args (getwxacodeunlimit env_version)
    40129  msg_sec_check scene not 1-4
    40169  getwxacodeunlimit: bad scene, or the body is not JSON
    41030  getwxacodeunlimit: page not a path like "pages/unit/join"
    42001  access_token expired (its 7200 s are over, or /__sim/expire-tokens)
    43001  require GET method            43002  require POST method
    44002  msg_sec_check content is empty
    45009  stable_token force_refresh daily limit reached
    47001  body not JSON, a required field missing or of the wrong type
           (msg_sec_check: version not 2, content missing or over 2500 characters)
    47003  subscribe/send: touser or template_id missing, or data malformed
    61010  msg_sec_check: the user's last login is more than 2 hours ago
    87009  checksession: signature does not match
Faults can answer any errcode (40226 risky user, 45011 rate limit, ...).

Control endpoints (tests and demo only; plain JSON, 4xx with {"error": ...} on misuse):
    POST /__sim/faults   {"path", "errcode": int | "drop" | null, "count": 1, "latency_ms": 0}
                         (or a list of such). The next `count` calls to `path`
                         wait latency_ms, then answer errcode, or close the
                         connection without an answer ("drop"), or (null) go on
                         normally. A faulted call does not use up a code.
    GET  /__sim/faults   the pending faults.
    POST /__sim/latency  {"ms": 100}: added to every WeChat call (GET shows it).
    POST /__sim/expire-tokens   every token issued so far answers 42001.
    POST /__sim/clock    {"advance_s": N}: moves the simulator's clock forward
                         (token lifetimes, the 2-hour login window, watermarks).
    GET  /__sim/stats    calls per path, token_issues, force_refreshes, logins,
                         msg_sec_checks, subscribe_sent, subscribe_messages
                         (the last 1000), faults_fired, pending_faults.
    POST /__sim/reset    forgets everything: users, codes, tokens, faults,
                         latency, clock offset, stats.
    POST /__sim/sign     {"openid", "data": ""} -> {"signature": hex HMAC-SHA256
                         (key=session_key, msg=data), "sha1_raw": hex SHA1(data +
                         session_key)}: what a client holding the session key
                         would send. The session key itself is never served.
    POST /__sim/encrypt  {"openid", "data": str | object, "appid"?} ->
                         {"encrypted_data", "iv"} (base64, AES-128-CBC, PKCS#7,
                         key = the user's session key), as wx.getPhoneNumber gave
                         older clients. An object gets a "watermark" {appid,
                         timestamp} unless it has one.
    GET  /__sim/ping     {"ok": true}

Standard library only (plus the `openssl` command for certificates and AES).
"""

import argparse
import base64
import collections
import functools
import hashlib
import hmac
import email.utils
import heapq
import http
import json
import os
import re
import secrets
import selectors
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import zlib

DEFAULT_APPID = "wxdemoappid0000001"
DEFAULT_SECRET = "demosecret0000000000000000000001"

TOKEN_TTL = 7200            # seconds an access_token lives
TOKEN_OVERLAP = 300         # old token's grace after a refresh / stable renewal window
FORCE_REFRESH_GAP = 30      # stable_token: minimum seconds between force refreshes
LOGIN_WINDOW = 2 * 3600     # msg_sec_check: user must have logged in this recently
MAX_BODY = 1 << 20          # bytes; larger request bodies get 413
IDLE_TIMEOUT = 120          # seconds a keep-alive connection may sit idle
MAX_KEPT = 1000             # subscribe messages kept for /__sim/stats

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40097: "invalid args",
    40125: "invalid appsecret",
    40129: "invalid scene",
    40163: "code been used",
    40169: "invalid length for scene, or the data is not json string",
    40226: "invalid user, high risk",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    41030: "invalid page",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
    61010: "code is expired",
    87009: "invalid signature",
}

SCENE_RE = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")
PAGE_RE = re.compile(r"[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*")
OPENID_RE = re.compile(r"[!-9;-~]{1,64}")          # printable ASCII except ':'
PHONE_RE = re.compile(r"[0-9]{5,20}")


class WxError(Exception):
    """A WeChat-style failure: answered as {"errcode", "errmsg"} with HTTP 200."""

    def __init__(self, errcode, hint=""):
        super().__init__(errcode)
        self.errcode = errcode
        self.hint = hint


def wx_error_body(errcode, hint=""):
    msg = ERRMSG.get(errcode, "error")
    if hint:
        msg += " hint: [" + hint + "]"
    # WeChat appends a request id to every errmsg; clients must not compare errmsg.
    rid = "-".join(secrets.token_hex(4) for _ in range(3))
    return {"errcode": errcode, "errmsg": msg + " rid: " + rid}


# ---------------------------------------------------------------------------
# Simulator state. One lock guards all of it; handlers hold it only for short
# dictionary work, never while sleeping or drawing images.
# ---------------------------------------------------------------------------

class Token:
    __slots__ = ("kind", "expires_at", "dead_at", "expired")

    def __init__(self, kind, expires_at):
        self.kind = kind                # "token" (cgi-bin/token) or "stable"
        self.expires_at = expires_at    # sim time when it expires -> 42001
        self.dead_at = None             # sim time when it was superseded -> 40001
        self.expired = False            # set by /__sim/expire-tokens -> 42001


class State:
    def __init__(self, appid, secret, risky_words, review_words, force_refresh_limit):
        self.appid = appid
        self.secret = secret
        self.risky_words = risky_words
        self.review_words = review_words
        self.force_refresh_limit = force_refresh_limit
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        """Forget everything. Called at start and by /__sim/reset (under the lock)."""
        self.clock_offset = 0.0
        self.used_login_codes = set()
        self.used_phone_codes = set()
        self.users = {}                 # openid -> {"session_key", "login_at"}
        self.tokens = {}                # token string -> Token
        self.latest_token = None        # newest cgi-bin/token token
        self.stable_token = None        # current stable_token token
        self.force_refresh_times = []   # sim times of force refreshes (last 24 h)
        self.faults = collections.defaultdict(collections.deque)   # path -> deque
        self.latency_ms = 0
        self.calls = collections.Counter()
        self.token_issues = 0
        self.force_refreshes = 0
        self.logins = 0
        self.msg_sec_checks = 0
        self.subscribe_sent = 0
        self.subscribe_messages = collections.deque(maxlen=MAX_KEPT)
        self.faults_fired = 0

    def now(self):
        """The simulator's clock: wall time plus whatever /__sim/clock added."""
        return time.time() + self.clock_offset

    # -- tokens (caller holds the lock) --

    def issue_token(self, kind):
        tok = "%d_%s" % (secrets.randbelow(90) + 10, secrets.token_urlsafe(60))
        self.tokens[tok] = Token(kind, self.now() + TOKEN_TTL)
        self.token_issues += 1
        return tok

    def token_usable(self, tok):
        rec = self.tokens.get(tok) if tok else None
        return rec is not None and self.token_error(rec) is None

    def token_error(self, rec):
        now = self.now()
        if rec.expired or now >= rec.expires_at:
            return 42001
        if rec.dead_at is not None and now >= rec.dead_at:
            return 40001
        return None

    def check_access_token(self, tok):
        """Raise the errcode WeChat gives for a bad access_token, or return."""
        if not tok:
            raise WxError(41001)
        with self.lock:
            rec = self.tokens.get(tok)
            err = 40001 if rec is None else self.token_error(rec)
        if err:
            raise WxError(err)

    def check_app(self, appid, secret):
        if not appid:
            raise WxError(41002)
        if appid != self.appid:
            raise WxError(40013)
        if not secret:
            raise WxError(41004)
        if not hmac.compare_digest(secret.encode(), self.secret.encode()):
            raise WxError(40125)


# ---------------------------------------------------------------------------
# WeChat endpoints. Each takes (state, query dict, body bytes) and returns a
# dict (sent as JSON) or a (content_type, bytes) pair, or raises WxError.
# ---------------------------------------------------------------------------

def parse_json_object(body, errcode=47001):
    try:
        obj = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WxError(errcode)
    if not isinstance(obj, dict):
        raise WxError(errcode)
    return obj


def h_jscode2session(st, q, body):
    st.check_app(q.get("appid"), q.get("secret"))
    code = q.get("js_code")
    if not code:
        raise WxError(41008)
    if q.get("grant_type") != "authorization_code":
        raise WxError(40002)
    parts = code.split(":", 2)
    if len(parts) < 2 or parts[0] != "test" or not OPENID_RE.fullmatch(parts[1]):
        raise WxError(40029)
    openid = parts[1]
    session_key = base64.b64encode(os.urandom(16)).decode()
    with st.lock:
        if code in st.used_login_codes:
            raise WxError(40163)
        st.used_login_codes.add(code)
        st.users[openid] = {"session_key": session_key, "login_at": st.now()}
        st.logins += 1
    return {"session_key": session_key, "openid": openid, "unionid": "u_" + openid}


def h_token(st, q, body):
    if q.get("grant_type") != "client_credential":
        raise WxError(40002)
    st.check_app(q.get("appid"), q.get("secret"))
    with st.lock:
        prev = st.tokens.get(st.latest_token)
        if prev is not None and prev.dead_at is None:
            # The previous token keeps working for 5 minutes, then is "not latest".
            prev.dead_at = min(prev.expires_at, st.now() + TOKEN_OVERLAP)
        st.latest_token = st.issue_token("token")
        return {"access_token": st.latest_token, "expires_in": TOKEN_TTL}


def h_stable_token(st, q, body):
    req = parse_json_object(body)
    if req.get("grant_type") != "client_credential":
        raise WxError(40002)
    st.check_app(req.get("appid"), req.get("secret"))
    force = req.get("force_refresh") in (True, "true", 1)
    with st.lock:
        now = st.now()
        cur = st.stable_token if st.token_usable(st.stable_token) else None
        if force and cur is not None and st.force_refresh_times \
                and now - st.force_refresh_times[-1] < FORCE_REFRESH_GAP:
            force = False           # documented: too soon after the last one, no refresh
        if force:
            st.force_refresh_times = [t for t in st.force_refresh_times if now - t < 86400]
            if len(st.force_refresh_times) >= st.force_refresh_limit:
                raise WxError(45009)
            st.force_refresh_times.append(now)
            st.force_refreshes += 1
            if cur is not None:
                st.tokens[cur].dead_at = now       # the old one stops at once
            cur = None
        elif cur is not None and st.tokens[cur].expires_at - now <= TOKEN_OVERLAP:
            cur = None              # renewed in its last 5 minutes; the old one lives out its time
        if cur is None:
            cur = st.stable_token = st.issue_token("stable")
        expires_in = int(st.tokens[cur].expires_at - now)
        return {"access_token": cur, "expires_in": expires_in}


def h_getwxacodeunlimit(st, q, body):
    req = parse_json_object(body, errcode=40169)
    scene = req.get("scene")
    if not isinstance(scene, str) or not SCENE_RE.fullmatch(scene):
        raise WxError(40169)
    page = req.get("page", "")
    if not isinstance(page, str) or (page and not PAGE_RE.fullmatch(page)) or len(page) > 128:
        raise WxError(41030)
    if req.get("env_version", "release") not in ("release", "trial", "develop"):
        raise WxError(40097)
    if not isinstance(req.get("check_path", True), bool):
        raise WxError(47001)
    width = req.get("width", 430)
    if isinstance(width, bool) or not isinstance(width, int):
        raise WxError(47001)
    width = max(280, min(1280, width))          # WeChat clamps to 280..1280 px
    return ("image/png", qr_png(scene, width))


def h_getuserphonenumber(st, q, body):
    req = parse_json_object(body)
    code = req.get("code")
    if not isinstance(code, str) or not code.startswith("phone:") \
            or not PHONE_RE.fullmatch(code[6:]):
        raise WxError(40029)
    with st.lock:
        if code in st.used_phone_codes:
            raise WxError(40029)
        st.used_phone_codes.add(code)
        now = st.now()
    number = code[6:]
    return {"errcode": 0, "errmsg": "ok", "phone_info": {
        "phoneNumber": number, "purePhoneNumber": number, "countryCode": "86",
        "watermark": {"timestamp": int(now), "appid": st.appid}}}


def h_msg_sec_check(st, q, body):
    req = parse_json_object(body)
    if req.get("version") not in (2, "2"):
        raise WxError(47001, "version must be 2")
    openid = req.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WxError(40003)
    scene = req.get("scene")
    if isinstance(scene, bool) or scene not in (1, 2, 3, 4):
        raise WxError(40129)
    content = req.get("content")
    if not isinstance(content, str):
        raise WxError(47001)
    if not content:
        raise WxError(44002)
    if len(content) > 2500:
        raise WxError(47001, "content over 2500 characters")
    texts = [content] + [req.get(k) for k in ("title", "nickname", "signature")
                         if isinstance(req.get(k), str)]
    with st.lock:
        user = st.users.get(openid)
        if user is None:
            raise WxError(40003)
        if st.now() - user["login_at"] > LOGIN_WINDOW:
            raise WxError(61010)
        st.msg_sec_checks += 1
    text = "\n".join(texts)
    detail = [{"strategy": "content_model", "errcode": 0, "suggest": "pass",
               "label": 100, "prob": 90}]
    suggest, label = "pass", 100
    for words, sug, lab in ((st.risky_words, "risky", 20006), (st.review_words, "review", 21000)):
        hit = next((w for w in words if w and w in text), None)
        if hit is not None:
            suggest, label = sug, lab
            detail = [{"strategy": "content_model", "errcode": 0, "suggest": sug,
                       "label": lab, "prob": 90},
                      {"strategy": "keyword", "errcode": 0, "suggest": sug,
                       "label": lab, "level": 20, "keyword": hit}]
            break
    return {"errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": label},
            "detail": detail, "trace_id": "-".join(secrets.token_hex(4) for _ in range(3))}


def h_checksession(st, q, body):
    openid, sig = q.get("openid", ""), q.get("signature", "")
    with st.lock:
        user = st.users.get(openid)
        key = user["session_key"] if user else None
    if key is None or q.get("sig_method") != "hmac_sha256":
        raise WxError(87009)
    want = hmac.new(key.encode(), b"", hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig.lower()):
        raise WxError(87009)
    return {"errcode": 0, "errmsg": "ok"}


def h_subscribe_send(st, q, body):
    req = parse_json_object(body)
    touser, template_id = req.get("touser"), req.get("template_id")
    if not isinstance(touser, str) or not touser:
        raise WxError(47003, "touser")
    if not isinstance(template_id, str) or not template_id:
        raise WxError(47003, "template_id")
    data = req.get("data", {})
    if not isinstance(data, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("value"), str) for v in data.values()):
        raise WxError(47003, "data")
    with st.lock:
        st.subscribe_sent += 1
        st.subscribe_messages.append({
            "touser": touser, "template_id": template_id, "page": req.get("page"),
            "data": data, "miniprogram_state": req.get("miniprogram_state"),
            "lang": req.get("lang"), "at": int(st.now())})
    return {"errcode": 0, "errmsg": "ok", "msgid": secrets.randbelow(10 ** 15)}


# path -> (method, handler, takes an access_token)
WECHAT_ROUTES = {
    "/sns/jscode2session": ("GET", h_jscode2session, False),
    "/cgi-bin/token": ("GET", h_token, False),
    "/cgi-bin/stable_token": ("POST", h_stable_token, False),
    "/wxa/getwxacodeunlimit": ("POST", h_getwxacodeunlimit, True),
    "/wxa/business/getuserphonenumber": ("POST", h_getuserphonenumber, True),
    "/wxa/msg_sec_check": ("POST", h_msg_sec_check, True),
    "/wxa/checksession": ("GET", h_checksession, True),
    "/cgi-bin/message/subscribe/send": ("POST", h_subscribe_send, True),
}


# ---------------------------------------------------------------------------
# Control endpoints under /__sim/. Each takes (state, query, body) and returns
# (status, dict); a ControlError becomes a 4xx.
# ---------------------------------------------------------------------------

class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def control_json(body):
    if not body.strip():
        return {}
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ControlError(400, "body is not JSON")


def c_faults_add(st, q, body):
    req = control_json(body)
    items = req if isinstance(req, list) else [req]
    parsed = []
    for f in items:
        if not isinstance(f, dict) or f.get("path") not in WECHAT_ROUTES:
            raise ControlError(400, "path must be one of " + ", ".join(WECHAT_ROUTES))
        errcode, count, latency = f.get("errcode"), f.get("count", 1), f.get("latency_ms", 0)
        if not (errcode is None or errcode == "drop"
                or (isinstance(errcode, int) and not isinstance(errcode, bool))):
            raise ControlError(400, 'errcode must be an integer, "drop" or null')
        if not isinstance(count, int) or count < 1:
            raise ControlError(400, "count must be a positive integer")
        if not isinstance(latency, (int, float)) or latency < 0:
            raise ControlError(400, "latency_ms must be >= 0")
        parsed.append((f["path"], {"errcode": errcode, "latency_ms": latency}, count))
    with st.lock:
        for path, fault, count in parsed:
            st.faults[path].extend(dict(fault) for _ in range(count))
        return 200, {"ok": True, "pending_faults": pending_faults(st)}


def pending_faults(st):
    return {p: len(d) for p, d in st.faults.items() if d}


def c_faults_list(st, q, body):
    with st.lock:
        return 200, {"faults": {p: list(d) for p, d in st.faults.items() if d}}


def c_latency_set(st, q, body):
    ms = control_json(body).get("ms")
    if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms < 0:
        raise ControlError(400, "ms must be a number >= 0")
    with st.lock:
        st.latency_ms = ms
    return 200, {"ok": True, "latency_ms": ms}


def c_latency_get(st, q, body):
    with st.lock:
        return 200, {"latency_ms": st.latency_ms}


def c_expire_tokens(st, q, body):
    with st.lock:
        for rec in st.tokens.values():
            rec.expired = True
        return 200, {"ok": True, "expired": len(st.tokens)}


def c_clock(st, q, body):
    adv = control_json(body).get("advance_s")
    if not isinstance(adv, (int, float)) or isinstance(adv, bool) or adv < 0:
        raise ControlError(400, "advance_s must be a number >= 0")
    with st.lock:
        st.clock_offset += adv
        return 200, {"ok": True, "offset_s": st.clock_offset, "now": st.now()}


def c_stats(st, q, body):
    with st.lock:
        return 200, {
            "calls": dict(st.calls),
            "token_issues": st.token_issues,
            "force_refreshes": st.force_refreshes,
            "logins": st.logins,
            "msg_sec_checks": st.msg_sec_checks,
            "subscribe_sent": st.subscribe_sent,
            "subscribe_messages": list(st.subscribe_messages),
            "faults_fired": st.faults_fired,
            "pending_faults": pending_faults(st),
            "latency_ms": st.latency_ms,
        }


def c_reset(st, q, body):
    with st.lock:
        st.reset()
    return 200, {"ok": True}


def session_key_of(st, req):
    openid = req.get("openid")
    with st.lock:
        user = st.users.get(openid) if isinstance(openid, str) else None
        if user is None:
            raise ControlError(404, "no user with that openid has logged in")
        return user["session_key"]


def c_sign(st, q, body):
    req = control_json(body)
    data = req.get("data", "")
    if not isinstance(data, str):
        raise ControlError(400, "data must be a string")
    key = session_key_of(st, req)
    return 200, {
        "signature": hmac.new(key.encode(), data.encode(), hashlib.sha256).hexdigest(),
        "sha1_raw": hashlib.sha1((data + key).encode()).hexdigest()}


def c_encrypt(st, q, body):
    req = control_json(body)
    data, appid = req.get("data"), req.get("appid", st.appid)
    if isinstance(data, dict):
        data = dict(data)
        with st.lock:
            now = int(st.now())
        data.setdefault("watermark", {"timestamp": now, "appid": appid})
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    elif isinstance(data, str):
        plain = data.encode()
    else:
        raise ControlError(400, "data must be a string or an object")
    key = base64.b64decode(session_key_of(st, req))
    iv = os.urandom(16)
    return 200, {"encrypted_data": base64.b64encode(aes128cbc_encrypt(key, iv, plain)).decode(),
                 "iv": base64.b64encode(iv).decode()}


def c_ping(st, q, body):
    return 200, {"ok": True}


# (method, path) -> handler
CONTROL_ROUTES = {
    ("POST", "/__sim/faults"): c_faults_add,
    ("GET", "/__sim/faults"): c_faults_list,
    ("POST", "/__sim/latency"): c_latency_set,
    ("GET", "/__sim/latency"): c_latency_get,
    ("POST", "/__sim/expire-tokens"): c_expire_tokens,
    ("POST", "/__sim/clock"): c_clock,
    ("GET", "/__sim/stats"): c_stats,
    ("POST", "/__sim/reset"): c_reset,
    ("POST", "/__sim/sign"): c_sign,
    ("POST", "/__sim/encrypt"): c_encrypt,
    ("GET", "/__sim/ping"): c_ping,
}


def aes128cbc_encrypt(key, iv, plain):
    """AES-128-CBC with PKCS#7 padding via the openssl tool (no AES in the stdlib)."""
    out = subprocess.run(
        ["openssl", "enc", "-aes-128-cbc", "-K", key.hex(), "-iv", iv.hex()],
        input=plain, capture_output=True, check=True)
    return out.stdout


# ---------------------------------------------------------------------------
# QR code (ISO/IEC 18004): byte mode, error correction level M, versions 1-3,
# which hold up to 42 bytes, enough for any valid 32-character scene. Versions
# 1-3 at level M have a single Reed-Solomon block and no version information,
# which keeps this short.
# ---------------------------------------------------------------------------

QR_M_CODEWORDS = {1: (26, 10), 2: (44, 16), 3: (70, 26)}   # version: (total, EC)

# GF(256) with the QR polynomial x^8+x^4+x^3+x^2+1.
GF_EXP, GF_LOG = [0] * 512, [0] * 256
_x = 1
for _i in range(255):
    GF_EXP[_i], GF_LOG[_x] = _x, _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    GF_EXP[_i] = GF_EXP[_i - 255]


def gf_mul(a, b):
    return 0 if a == 0 or b == 0 else GF_EXP[GF_LOG[a] + GF_LOG[b]]


def rs_ecc(data, n):
    """The n Reed-Solomon error correction codewords for data."""
    gen = [1]                                   # prod (x + a^i), highest power first
    for i in range(n):
        gen = [c ^ gf_mul(p, GF_EXP[i]) for c, p in zip(gen + [0], [0] + gen)]
    rem = [0] * n
    for b in data:
        f = b ^ rem[0]
        rem = rem[1:] + [0]
        for i in range(n):
            rem[i] ^= gf_mul(gen[i + 1], f)
    return rem


QR_MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def qr_matrix(text, mask=None):
    """The QR code of text (bytes) as rows of bools (True = dark).

    mask: 0-7, or None to pick the mask with the lowest penalty, as the
    standard recommends. Raises ValueError if text is over 42 bytes."""
    version = next((v for v, (total, ec) in QR_M_CODEWORDS.items()
                    if len(text) <= total - ec - 2), None)
    if version is None:
        raise ValueError("text too long for a version 1-3 QR code")
    total, ecn = QR_M_CODEWORDS[version]
    ndata = total - ecn

    # Data codewords: mode 0100 (bytes), 8-bit count, data, terminator, padding.
    bits = "0100" + format(len(text), "08b") + "".join(format(b, "08b") for b in text)
    bits += "0" * min(4, ndata * 8 - len(bits))
    bits += "0" * (-len(bits) % 8)
    data = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    data += [0xEC, 0x11] * ((ndata - len(data)) // 2) + [0xEC] * ((ndata - len(data)) % 2)
    codewords = data + rs_ecc(data, ecn)

    size = 17 + 4 * version
    dark = [[False] * size for _ in range(size)]
    func = [[False] * size for _ in range(size)]    # function patterns: not data, not masked

    def put(r, c, d):
        dark[r][c], func[r][c] = d, True

    for i in range(size):                           # timing patterns
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cr, cc in ((3, 3), (3, size - 4), (size - 4, 3)):   # finders with separators
        for dr in range(-4, 5):
            for dc in range(-4, 5):
                if 0 <= cr + dr < size and 0 <= cc + dc < size:
                    put(cr + dr, cc + dc, max(abs(dr), abs(dc)) not in (2, 4))
    if version > 1:                                 # the one alignment pattern
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                put(size - 7 + dr, size - 7 + dc, max(abs(dr), abs(dc)) != 1)

    def put_format(m):
        """Format information: level M (00) and mask m, BCH(15,5), both copies."""
        v = m                                       # level M's bits are 00
        rem = v
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        f = ((v << 10) | rem) ^ 0x5412
        bit = [(f >> i) & 1 == 1 for i in range(15)]
        for i in range(6):
            put(i, 8, bit[i])
        put(7, 8, bit[6])
        put(8, 8, bit[7])
        put(8, 7, bit[8])
        for i in range(9, 15):
            put(8, 14 - i, bit[i])
        for i in range(8):
            put(8, size - 1 - i, bit[i])
        for i in range(8, 15):
            put(size - 15 + i, 8, bit[i])
        put(size - 8, 8, True)                      # the dark module

    put_format(0)                                   # reserve the format areas

    # Data bits in the zigzag order: column pairs from the right, up then down,
    # skipping the vertical timing column.
    allbits = "".join(format(b, "08b") for b in codewords)
    i = 0
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        upward = (right + 1) & 2 == 0
        for vert in range(size):
            r = size - 1 - vert if upward else vert
            for c in (right, right - 1):
                if not func[r][c] and i < len(allbits):
                    dark[r][c] = allbits[i] == "1"
                    i += 1

    def with_mask(m):
        """The finished symbol with mask m applied and its format information."""
        put_format(m)
        mf = QR_MASKS[m]
        return [[dark[r][c] ^ (not func[r][c] and mf(r, c)) for c in range(size)]
                for r in range(size)]

    if mask is None:
        mask = min(range(8), key=lambda m: qr_penalty(with_mask(m)))
    return with_mask(mask)


def qr_penalty(mat):
    """The standard's mask penalty: runs, 2x2 blocks, finder look-alikes, balance."""
    size = len(mat)
    lines = ["".join("1" if d else "0" for d in row) for row in mat]
    lines += ["".join(lines[r][c] for r in range(size)) for c in range(size)]
    score = 0
    for line in lines:
        for run in re.findall(r"0{5,}|1{5,}", line):        # N1: runs of 5+
            score += 3 + len(run) - 5
        padded = "0000" + line + "0000"                     # N3: 1:1:3:1:1 with light side
        for pat in ("10111010000", "00001011101"):
            start = padded.find(pat)
            while start != -1:
                score += 40
                start = padded.find(pat, start + 1)
    for r in range(size - 1):                               # N2: 2x2 blocks
        for c in range(size - 1):
            if mat[r][c] == mat[r][c + 1] == mat[r + 1][c] == mat[r + 1][c + 1]:
                score += 3
    darks = sum(row.count(True) for row in mat)             # N4: dark/light balance
    score += 10 * (abs(darks * 20 - size * size * 10) // (size * size))
    return score


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=256)
def qr_png(scene, width):
    """A 1-bit grayscale PNG about width pixels wide of the scene's QR code."""
    mat = qr_matrix(scene.encode())
    border = 4                                      # the quiet zone the standard asks for
    n = len(mat) + 2 * border
    scale = max(1, width // n)
    side = n * scale
    raw = bytearray()
    for r in range(-border, len(mat) + border):
        row = "".join(("0" if 0 <= r < len(mat) and 0 <= c < len(mat) and mat[r][c] else "1") * scale
                      for c in range(-border, len(mat) + border))
        row += "1" * (-len(row) % 8)
        raw += (b"\x00" + int(row, 2).to_bytes(len(row) // 8, "big")) * scale
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + png_chunk(b"IEND", b""))


# ---------------------------------------------------------------------------
# HTTP(S) server: one thread, one event loop (selectors) over non-blocking
# TLS sockets. A WeChat call's latency is a timer, not a sleeping thread, so
# hundreds of calls wait in parallel at no cost; one request at a time per
# connection, answered in order, kept alive as HTTP/1.1 does by default.
# (A thread per connection cost the stack's two cores more per call than
# the server under test spends: issue 15.)
# ---------------------------------------------------------------------------

MAX_HEAD = 64 * 1024        # request line and headers; larger gets 431
RESPONSES = {s.value: s.phrase for s in http.HTTPStatus}
_date_cache = [0, ""]


def http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0] = now
        _date_cache[1] = email.utils.formatdate(now, usegmt=True)
    return _date_cache[1]


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Request:
    """One parsed request: method, target, version, headers (lower-case
    names; the last of a repeated header), body."""
    __slots__ = ("method", "target", "version", "headers", "body", "close")


def parse_head(head):
    """Parse the request line and headers (bytes, without the blank line)."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) == 2 and parts[1:] and parts[0] == "GET":
        parts.append("HTTP/0.9")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise BadRequest(400, "bad request line")
    req = Request()
    req.method, req.target, req.version = parts
    if req.version not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(505, "HTTP version not supported")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "bad header line")
        headers[name.lower()] = value.strip()
    req.headers = headers
    conn = headers.get("connection", "").lower()
    if req.version == "HTTP/1.0":
        req.close = "keep-alive" not in conn
    else:
        req.close = "close" in conn
    return req


def parse_body(req, buf, start):
    """The body from buf[start:]: (body, end) when complete, None when more
    bytes are needed. Raises BadRequest (413 over MAX_BODY, 400 malformed)."""
    if "chunked" in req.headers.get("transfer-encoding", "").lower():
        body = bytearray()
        pos = start
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                if len(buf) - pos > 1024:
                    raise BadRequest(400, "bad request body")
                return None
            try:
                size = int(bytes(buf[pos:eol]).split(b";")[0].strip() or b"0", 16)
            except ValueError:
                raise BadRequest(400, "bad request body")
            pos = eol + 2
            if size == 0:
                while True:         # trailers, up to the blank line
                    eol = buf.find(b"\r\n", pos)
                    if eol < 0:
                        return None
                    if eol == pos:
                        return bytes(body), eol + 2
                    pos = eol + 2
            if len(body) + size > MAX_BODY:
                raise BadRequest(413, "body too large")
            if len(buf) < pos + size + 2:
                return None
            body += buf[pos:pos + size]
            pos += size + 2         # the CRLF after each chunk
    try:
        length = int(req.headers.get("content-length") or 0)
    except ValueError:
        raise BadRequest(400, "bad request body")
    if length > MAX_BODY:
        raise BadRequest(413, "body too large")
    if length < 0:
        raise BadRequest(400, "bad request body")
    if len(buf) < start + length:
        return None
    return bytes(buf[start:start + length]), start + length


class Conn:
    """One client connection: its TLS socket, what it has sent and what is
    still to be written to it."""

    def __init__(self, server, sock, addr):
        self.server = server
        self.sock = sock
        self.addr = addr
        self.inbuf = bytearray()
        self.outbuf = b""
        self.handshaken = False
        self.busy = False           # a request is being answered (or waits its latency)
        self.closing = False        # close once the answer is written
        self.closed = False
        self.continued = False      # "100 Continue" sent for the request being read
        self.last = time.monotonic()
        self.events = 0

    def address_string(self):
        return str(self.addr[0])

    def log(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("wxsim: %s %s\n" % (self.address_string(), fmt % args))

    def want(self, events):
        if self.closed or events == self.events:
            return
        self.server.sel.modify(self.sock, events, self)
        self.events = events

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            self.server.sel.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.server.conns.discard(self)
        try:
            self.sock.close()
        except OSError:
            pass

    def drop(self):
        """Close the connection without any answer, as a network failure would."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close()

    # -- events --

    def on_event(self, mask):
        self.last = time.monotonic()
        try:
            if not self.handshaken:
                return self.handshake()
            if mask & selectors.EVENT_WRITE and self.outbuf:
                self.flush()
            if mask & selectors.EVENT_READ and not self.closed:
                self.read()
        except (OSError, ssl.SSLError):
            self.close()

    def handshake(self):
        try:
            self.sock.do_handshake()
        except ssl.SSLWantReadError:
            return self.want(selectors.EVENT_READ)
        except ssl.SSLWantWriteError:
            return self.want(selectors.EVENT_WRITE)
        except (OSError, ssl.SSLError) as e:
            if self.server.verbose:
                sys.stderr.write("wxsim: TLS handshake with %s failed: %s\n" % (self.addr, e))
            return self.close()
        self.handshaken = True
        self.want(selectors.EVENT_READ)
        self.read()                 # a request may have come with the handshake's end

    def read(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLWantWriteError:
                break
            if not data:            # the client closed its side
                return self.close()
            self.inbuf += data
            if len(self.inbuf) > MAX_HEAD + MAX_BODY + 65536:
                return self.close()     # more than one request can hold: a flood
            if not self.sock.pending():
                break       # the next record, if any, is still the socket's: the selector says so
        self.process()

    def write(self, data):
        self.outbuf += data
        self.flush()

    def flush(self):
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                return self.want(selectors.EVENT_READ | selectors.EVENT_WRITE)
            self.outbuf = self.outbuf[n:]
        if self.closing:
            return self.close()
        self.want(selectors.EVENT_READ)

    # -- requests --

    def process(self):
        """Answer the next complete request in inbuf, if any and none is in hand."""
        while not self.busy and not self.closing and not self.closed and self.inbuf:
            end = self.inbuf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.inbuf) > MAX_HEAD:
                    self.closing = True
                    self.send_json(431, {"error": "request headers too large"})
                return
            try:
                req = parse_head(bytes(self.inbuf[:end]))
            except BadRequest as e:
                self.closing = True
                return self.send_json(e.status, {"error": str(e)})
            try:
                got = parse_body(req, self.inbuf, end + 4)
            except BadRequest as e:
                self.closing = True
                return self.send_json(e.status, {"error": str(e)})
            if got is None:
                if (not self.continued and req.version == "HTTP/1.1"
                        and req.headers.get("expect", "").lower() == "100-continue"):
                    self.continued = True
                    self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                return
            req.body, used = got
            del self.inbuf[:used]
            self.continued = False
            self.busy = True
            if req.close:
                self.closing = True
            self.server.dispatch(self, req)

    def send(self, status, ctype, body, request=None):
        """One write with status line, headers and body, so a response is one TLS record run."""
        if request is not None:
            self.log('"%s %s %s" %s %s', request.method, request.target, request.version, status, len(body))
        head = ["HTTP/1.1 %d %s" % (status, RESPONSES.get(status, "")),
                "Server: wxsim",
                "Date: " + http_date(),
                "Content-Type: " + ctype,
                "Content-Length: %d" % len(body)]
        if self.closing:
            head.append("Connection: close")
        elif request is not None and request.version == "HTTP/1.0":
            head.append("Connection: keep-alive")
        self.busy = False
        self.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def send_json(self, status, obj, request=None):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        self.send(status, "application/json; charset=utf-8", body, request)

    def done(self):
        """After an answer: the next request already sent, if any."""
        if not self.closed:
            self.process()


class Server:
    """The listening socket, the connections and the timers of one loop."""

    def __init__(self, addr, state, ssl_context, verbose):
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.lsock = socket.socket(family, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(addr)
        self.lsock.listen(1024)
        self.lsock.setblocking(False)
        self.server_address = self.lsock.getsockname()
        self.state = state
        self.ssl_context = ssl_context
        self.verbose = verbose
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.lsock, selectors.EVENT_READ, None)
        self.conns = set()
        self.timers = []            # heap of (due monotonic time, seq, fn)
        self.seq = 0

    def later(self, seconds, fn):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + seconds, self.seq, fn))

    def accept(self):
        while True:
            try:
                sock, addr = self.lsock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # answers go out at once
            try:
                tls = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            except (OSError, ssl.SSLError):
                sock.close()
                continue
            c = Conn(self, tls, addr)
            self.conns.add(c)
            self.sel.register(tls, selectors.EVENT_READ, c)
            c.events = selectors.EVENT_READ
            c.handshake()

    def sweep(self):
        """Close connections idle longer than IDLE_TIMEOUT."""
        limit = time.monotonic() - IDLE_TIMEOUT
        for c in [c for c in self.conns if not c.busy and c.last < limit]:
            c.close()
        self.later(1.0, self.sweep)

    def serve_forever(self):
        self.later(1.0, self.sweep)
        while True:
            timeout = None
            if self.timers:
                timeout = max(0.0, self.timers[0][0] - time.monotonic())
            for key, mask in self.sel.select(timeout):
                if key.data is None:
                    self.accept()
                else:
                    key.data.on_event(mask)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, fn = heapq.heappop(self.timers)
                fn()

    def server_close(self):
        for c in list(self.conns):
            c.close()
        self.sel.close()
        self.lsock.close()

    # -- dispatch --

    def dispatch(self, c, req):
        st = self.state
        url = urllib.parse.urlsplit(req.target)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            if path.startswith("/__sim/"):
                self.dispatch_control(c, req, st, path, query)
            elif path in WECHAT_ROUTES:
                self.dispatch_wechat(c, req, st, path, query)
            else:
                c.send_json(404, {"errcode": -1, "errmsg": "not found: " + path}, req)
        except Exception:       # a bug here; say so, keep serving
            traceback.print_exc()
            c.send_json(500, wx_error_body(-1), req)

    def dispatch_control(self, c, req, st, path, query):
        fn = CONTROL_ROUTES.get((req.method, path))
        if fn is None:
            if any(p == path for (_, p) in CONTROL_ROUTES):
                return c.send_json(405, {"error": "method not allowed"}, req)
            return c.send_json(404, {"error": "no such control endpoint"}, req)
        try:
            status, obj = fn(st, query, req.body)
        except ControlError as e:
            status, obj = e.status, {"error": str(e)}
        c.send_json(status, obj, req)

    def dispatch_wechat(self, c, req, st, path, query):
        want_method, fn, needs_token = WECHAT_ROUTES[path]
        with st.lock:
            st.calls[path] += 1
            fault = st.faults[path].popleft() if st.faults.get(path) else None
            if fault is not None:
                st.faults_fired += 1
            delay = st.latency_ms + (fault["latency_ms"] if fault else 0)

        def answer():
            if c.closed:
                return
            try:
                if fault is not None and fault["errcode"] == "drop":
                    return c.drop()
                try:
                    if fault is not None and fault["errcode"] is not None:
                        raise WxError(fault["errcode"])
                    if req.method != want_method:
                        raise WxError(43002 if want_method == "POST" else 43001)
                    if needs_token:
                        st.check_access_token(query.get("access_token"))
                    result = fn(st, query, req.body)
                except WxError as e:
                    result = wx_error_body(e.errcode, e.hint)
                if isinstance(result, tuple):
                    c.send(200, result[0], result[1], req)
                else:
                    c.send_json(200, result, req)
            except (OSError, ssl.SSLError):
                return c.close()
            except Exception:   # a bug here; say so, keep serving
                traceback.print_exc()
                c.send_json(500, wx_error_body(-1), req)

        def answer_later():
            answer()
            c.done()            # the next request this connection sent meanwhile

        if delay:
            self.later(delay / 1000.0, answer_later)    # calls wait in parallel, on no thread
        else:
            answer()


# ---------------------------------------------------------------------------
# Certificates: a throwaway CA and a server certificate signed by it, made with
# the openssl tool. EC P-256 keys: fast to make and to handshake with.
# ---------------------------------------------------------------------------

OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = wxsim
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
# DNS:127.0.0.1 too: mbedTLS 2.x matches a host name only against DNS entries.
subjectAltName = IP:127.0.0.1,IP:::1,DNS:localhost,DNS:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""


def openssl(*args, check=True):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=check)


def same_public_key(cert, key):
    a = openssl("x509", "-in", cert, "-noout", "-pubkey", check=False)
    b = openssl("pkey", "-in", key, "-pubout", check=False)
    return a.returncode == 0 and b.returncode == 0 and a.stdout == b.stdout


def ca_ok(d):
    ca, key = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
    return (os.path.exists(ca) and os.path.exists(key)
            and openssl("x509", "-in", ca, "-noout", "-checkend", "86400", check=False).returncode == 0
            and same_public_key(ca, key))


def server_cert_ok(d):
    ca, cert, key = (os.path.join(d, n) for n in ("ca.pem", "server.pem", "server.key"))
    if not (os.path.exists(cert) and os.path.exists(key)):
        return False
    if openssl("verify", "-CAfile", ca, cert, check=False).returncode != 0:
        return False
    if openssl("x509", "-in", cert, "-noout", "-checkend", "86400", check=False).returncode != 0:
        return False
    san = openssl("x509", "-in", cert, "-noout", "-ext", "subjectAltName", check=False).stdout
    return ("IP Address:127.0.0.1" in san and "DNS:localhost" in san
            and same_public_key(cert, key))


def ensure_certs(d):
    """Make DIR's CA and server certificate unless valid ones are there already.
    Keeping a valid CA means a backend configured with it keeps trusting us."""
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)
    with tempfile.TemporaryDirectory() as tmp:
        cnf = os.path.join(tmp, "openssl.cnf")
        with open(cnf, "w") as f:
            f.write(OPENSSL_CNF)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        new_ca = not ca_ok(d)
        if new_ca:
            openssl("req", "-x509", "-config", cnf, "-extensions", "v3_ca", *ec,
                    "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "3650",
                    "-subj", "/O=wxsim/CN=wxsim throwaway CA")
        if new_ca or not server_cert_ok(d):
            csr = os.path.join(tmp, "server.csr")
            openssl("req", "-new", "-config", cnf, *ec, "-keyout", p("server.key"),
                    "-out", csr, "-subj", "/O=wxsim/CN=127.0.0.1")
            openssl("x509", "-req", "-in", csr, "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
                    "-set_serial", "0x" + secrets.token_hex(16), "-days", "825",
                    "-extfile", cnf, "-extensions", "v3_server", "-out", p("server.pem"))
    for name in ("ca.key", "server.key"):
        os.chmod(p(name), 0o600)
    return p("ca.pem"), p("server.pem"), p("server.key")


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description="WeChat server API simulator (HTTPS, loopback).")
    ap.add_argument("--port", type=int, required=True, help="port to listen on; 0 picks one")
    ap.add_argument("--dir", required=True, help="folder for ca.pem, certificates and wxsim.pid")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--appid", default=DEFAULT_APPID)
    ap.add_argument("--secret", default=DEFAULT_SECRET)
    ap.add_argument("--risky-word", action="append", dest="risky_words",
                    help="msg_sec_check answers risky for text with it (repeatable; default 违禁)")
    ap.add_argument("--review-word", action="append", dest="review_words",
                    help="msg_sec_check answers review for text with it (repeatable; default 待审)")
    ap.add_argument("--force-refresh-limit", type=int, default=20,
                    help="stable_token force refreshes allowed in 24 h (default 20)")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)

    _, cert, key = ensure_certs(args.dir)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)

    state = State(args.appid, args.secret, args.risky_words or ["违禁"],
                  args.review_words or ["待审"], args.force_refresh_limit)
    server = Server((args.host, args.port), state, ctx, args.verbose)
    port = server.server_address[1]

    pidfile = os.path.join(args.dir, "wxsim.pid")
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))    # unwinds to the finally below

    host = "[%s]" % args.host if ":" in args.host else args.host
    print("wxsim listening on https://%s:%d" % (host, port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        try:
            os.remove(pidfile)
        except OSError:
            pass


if __name__ == "__main__":
    main()
