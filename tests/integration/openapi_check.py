"""openapi_check.py: docs/openapi.yaml as the integration suite uses it.

- `document()` loads the document once per process.
- `ResponseChecker` validates every answer `Stack.request` receives (the
  runner installs it as `Stack.response_hook`): the route must document
  the status, and a JSON body must match that status's schema (Draft
  2020-12, Debian's python3-jsonschema). A JSON request body the server
  accepted (2xx) must match the documented request schema too. A mismatch raises AssertionError
  in the test that made the request, and is also kept in `failures` so the
  runner fails a test whose helper thread swallowed the exception.
- `route_roles(flags)` turns the numeric flags `quizd routes` prints into
  the `x-roles` names the document uses.

Validators are compiled once per (operation, status, media type), so the
check costs microseconds per request. The document's `$ref`s are inlined
before compiling (no resolver: the same code runs on jsonschema 4.10 as
Debian ships it and on newer ones).
"""
import functools
import json
import os
import re
import threading

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DOC_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# Statuses any route may answer (the document's info says so): header limit
# and the dispatcher's last resort. Their bodies must still be errors.
GENERIC_STATUSES = (431, 500)
# nginx answers a request line it refuses itself (a %00 in the path) before
# quizd sees it, with the fixed error body of its configuration
# (scripts/stack.py, deploy/nginx-site.conf); the document's info notes it.
NGINX_OWN = ((400, "application/json",
              b'{"error":{"code":"invalid_parameter","message":"the request line is malformed"}}'),)

# The route flags (server/router.h; the roles and R_NATIONWIDE are the
# application's, beside the route table), by the names x-roles uses. R_SLOW and
# R_OPTIONAL_AUTH are not roles: they map to x-slow and x-optional-auth.
FLAG_BITS = {
    "user": 1 << 0, "unit_admin": 1 << 1, "organizer": 1 << 2, "loopback": 1 << 8,
    "test": 1 << 11, "nationwide": 1 << 12,
}
SLOW_BIT = 1 << 9
OPTIONAL_AUTH_BIT = 1 << 10
ROLE_ORDER = ["public", "user", "unit_admin", "organizer", "nationwide", "loopback", "test"]


@functools.lru_cache(maxsize=None)
def document(path=DOC_PATH):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def pointer(doc, ref):
    """The node a local "#/a/b" reference names."""
    if not ref.startswith("#/"):
        raise ValueError("only local references are used in the document: %s" % ref)
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline(doc, node, seen=()):
    """node with every $ref replaced by what it names. A $ref with sibling
    keywords (allowed in 2020-12) becomes allOf [target, siblings]."""
    if isinstance(node, list):
        return [inline(doc, x, seen) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise ValueError("recursive reference %s" % ref)
        target = inline(doc, pointer(doc, ref), seen + (ref,))
        rest = {k: inline(doc, v, seen) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target, rest]} if rest else target
    return {k: inline(doc, v, seen) for k, v in node.items()}


def template_regex(template):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def route_roles(flags):
    """x-roles for a route's numeric flags, in the document's order."""
    names = [n for n, bit in FLAG_BITS.items() if flags & bit]
    if not any(n in names for n in ("user", "unit_admin", "organizer", "loopback")):
        names.append("public")
    return sorted(names, key=ROLE_ORDER.index)


class Spec:
    """The document with its operations indexed for lookups by request."""

    def __init__(self, doc):
        self.doc = doc
        # Literal segments first, so /contests/current wins over a
        # /contests/{id} should both exist.
        self.templates = sorted(doc["paths"], key=lambda t: (t.count("{"), t))
        self.regex = {t: template_regex(t) for t in self.templates}
        self._validators = {}
        self._lock = threading.Lock()
        self.error_schema = inline(doc, {"$ref": "#/components/schemas/Error"})

    def operations(self):
        """(METHOD, template, operation) for every operation."""
        for t in self.templates:
            for m, op in self.doc["paths"][t].items():
                if m in METHODS:
                    yield m.upper(), t, op

    def match(self, method, path):
        """(template, operation) for a request, or (None, None)."""
        path = path.split("?", 1)[0]
        for t in self.templates:
            if self.regex[t].match(path):
                op = self.doc["paths"][t].get(method.lower())
                if op is not None:
                    return t, op
        return None, None

    def validator(self, key, schema):
        v = self._validators.get(key)
        if v is None:
            schema = inline(self.doc, schema)
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            with self._lock:
                self._validators[key] = v
        return v


@functools.lru_cache(maxsize=None)
def spec():
    return Spec(document())


def _media(ctype):
    return (ctype or "").split(";", 1)[0].strip().lower()


def _problem(v, body):
    err = jsonschema.exceptions.best_match(v.iter_errors(body))
    if err is None:
        return None
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    return "at %s: %s" % (where, err.message[:400])


class ResponseChecker:
    """Stack.response_hook: validates each answer against the document."""

    def __init__(self, sp=None):
        self.spec = sp or spec()
        self.failures = []
        self.checked = 0
        self.seen = set()       # (METHOD, template, status) answered
        self._lock = threading.Lock()

    def __call__(self, method, path, resp, body=None, headers=None):
        problem = self.problem(method, path, resp) or self.request_problem(method, path, resp, body, headers)
        with self._lock:
            self.checked += 1
            if problem:
                self.failures.append(problem)
        if problem:
            raise AssertionError(problem)

    def problem(self, method, path, resp):
        """None when resp agrees with the document, else what is wrong."""
        status, media = resp.status, _media(resp.header("Content-Type"))
        if (status, media, resp.body) in NGINX_OWN:
            return None
        template, op = self.spec.match(method, path)
        what = "%s %s -> %d" % (method, path[:200], status)
        body_text = (resp.body or b"")[:300].decode("utf-8", "replace")
        if op is None:
            # an unknown route, another method, or a page nginx serves
            if status >= 400 and media == "application/json":
                return self._check(("error",), self.spec.error_schema, resp, what, body_text)
            return None
        r = op["responses"].get(str(status))
        if r is not None and "$ref" in r:
            r = pointer(self.spec.doc, r["$ref"])
        self.seen.add((method, template, str(status)))
        if r is None and status in GENERIC_STATUSES:
            r = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if r is None:
            return ("openapi: %s: status %d is not documented for %s %s in docs/openapi.yaml; "
                    "body: %s" % (what, status, method, template, body_text))
        for name, h in (r.get("headers") or {}).items():
            h = pointer(self.spec.doc, h["$ref"]) if "$ref" in h else h
            if h.get("required") and resp.header(name) is None:
                return ("openapi: %s: the document requires header %s for %s %s" %
                        (what, name, method, template))
        content = r.get("content") or {}
        if not content:
            if resp.body:
                return "openapi: %s: the document says no body, the server sent %r" % (what, body_text)
            return None
        if media not in content:
            return ("openapi: %s: Content-Type %r, the document has %s for %s %s" %
                    (what, media, sorted(content), method, template))
        schema = content[media].get("schema")
        if media != "application/json" or schema is None:
            return None
        key = (method, template, status, media)
        return self._check(key, schema, resp, what, body_text)

    def coverage(self):
        """(answered, documented): how many documented statuses the run saw."""
        documented = {(m, t, st) for m, t, op in self.spec.operations() for st in op["responses"]}
        return len(documented & self.seen), len(documented)

    def request_problem(self, method, path, resp, body, headers):
        """A JSON body the server accepted (2xx) must satisfy the documented
        request schema: the document may not be stricter than the server."""
        if not 200 <= resp.status < 300 or not body:
            return None
        ctype = ""
        for k, v in (headers or {}).items():
            if k.lower() == "content-type":
                ctype = v
        if _media(ctype) != "application/json":
            return None
        template, op = self.spec.match(method, path)
        schema = (((op or {}).get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema")
        what = "%s %s -> %d" % (method, path[:200], resp.status)
        if schema is None:
            return None   # a route that reads no body
        if (op or {}).get("x-replay-any-body"):
            return None   # a retry gets the stored reply whatever its body (the route says so)
        try:
            value = json.loads(body)
        except ValueError:
            return None
        p = _problem(self.spec.validator((method, template, "request"), schema), value)
        if p:
            return ("openapi: %s: the server accepted a request body docs/openapi.yaml refuses %s; body: %s"
                    % (what, p, body[:300].decode("utf-8", "replace")))
        return None

    def _check(self, key, schema, resp, what, body_text):
        try:
            body = json.loads(resp.body)
        except ValueError:
            return "openapi: %s: the body is not JSON: %s" % (what, body_text)
        p = _problem(self.spec.validator(key, schema), body)
        if p:
            return "openapi: %s does not match docs/openapi.yaml %s; body: %s" % (what, p, body_text)
        return None
