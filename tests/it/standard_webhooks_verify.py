"""Verifies captured requests the way a Standard Webhooks receiver does, written from the
specification alone (standardwebhooks.com) with Python's standard library: nothing shared
with aftercare's own signing.

Reads JSON on stdin:
  {"secrets": ["whsec_..."], "now": <unix seconds>,
   "requests": [{"headers": {"name": "value"}, "body_b64": "..."}]}
Writes one JSON object per request, in order, as a list on stdout:
  {"ok": true|false, "matched": [indexes of the secrets whose signature is present],
   "error": "why not" | null}
"""

import base64
import hashlib
import hmac
import json
import sys

TOLERANCE_SECONDS = 5 * 60


def key_of(secret):
    if not secret.startswith("whsec_"):
        raise ValueError("secret without the whsec_ prefix")
    return base64.b64decode(secret[len("whsec_"):], validate=True)


def verify(request, keys, now):
    headers = {name.lower(): value for name, value in request["headers"].items()}
    body = base64.b64decode(request["body_b64"])
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        if not headers.get(name):
            return {"ok": False, "matched": [], "error": "missing " + name}
    msg_id = headers["webhook-id"]
    stamp = headers["webhook-timestamp"]
    if not stamp.isdigit():
        return {"ok": False, "matched": [], "error": "timestamp is not unix seconds"}
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        return {"ok": False, "matched": [], "error": "timestamp outside the tolerance"}
    signed = msg_id.encode() + b"." + stamp.encode() + b"." + body
    offered = []
    for part in headers["webhook-signature"].split(" "):
        version, _, value = part.partition(",")
        if version == "v1" and value:
            offered.append(value)
    matched = []
    for index, key in enumerate(keys):
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if any(hmac.compare_digest(expected, value) for value in offered):
            matched.append(index)
    if not matched:
        return {"ok": False, "matched": [], "error": "no signature matches"}
    return {"ok": True, "matched": matched, "error": None}


def main():
    given = json.load(sys.stdin)
    keys = [key_of(secret) for secret in given["secrets"]]
    results = [verify(request, keys, given["now"]) for request in given["requests"]]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
