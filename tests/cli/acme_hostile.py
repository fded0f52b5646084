#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
# A fake ACME server for tests/cli/acme-hostile.sh: https on 127.0.0.1,
# well-behaved (no JWS checks: it answers what a client sends) except at
# the one step that the first line of MODEFILE names, read at each request
# so that one server serves every case.
#   acme_hostile.py PORT CERT KEY MODEFILE
# Modes: ok, dir-notjson, dir-array, dir-nononce, dir-noorder, nononce,
# badnonce, acct-nolocation, problem-ctrl, problem-big, problem-nested,
# order-http, order-elsewhere, authz-nochall, processing-0,
# processing-long, cert-notpem, cert-big, slow.
import json
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, CERT, KEY, MODEFILE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
BASE = "https://127.0.0.1:%d" % PORT
nonce = [0]


def mode():
    try:
        with open(MODEFILE) as f:
            return f.readline().strip()
    except OSError:
        return "ok"


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (mode(), fmt % args))

    def send(self, code, body, ctype="application/json", headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if mode() != "nononce":
            nonce[0] += 1
            self.send_header("Replay-Nonce", "n%06d" % nonce[0])
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        if mode() == "slow":
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(1)
        else:
            self.wfile.write(body)

    def problem(self, typ, detail, code=400, **extra):
        p = {"type": "urn:ietf:params:acme:error:" + typ, "detail": detail}
        p.update(extra)
        self.send(code, p, "application/problem+json")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        m = mode()
        if self.path == "/dir":
            d = {"newNonce": BASE + "/nonce", "newAccount": BASE + "/acct",
                 "newOrder": BASE + "/order", "revokeCert": BASE + "/revoke",
                 "keyChange": BASE + "/keychange"}
            if m == "dir-notjson":
                return self.send(200, b"<html>not json</html>", "text/html")
            if m == "dir-array":
                return self.send(200, [d])
            if m == "dir-nononce":
                del d["newNonce"]
            if m == "dir-noorder":
                del d["newOrder"]
            return self.send(200, d)
        if self.path == "/nonce":
            return self.send(200, b"", "text/plain")
        return self.send(404, b"", "text/plain")

    def do_POST(self):
        m = mode()
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if m == "badnonce":
            return self.problem("badNonce", "bad nonce, again")
        p = self.path
        if p == "/acct":
            if m == "problem-ctrl":
                return self.problem("unauthorized", "bad\x1b[31m red\x07\nsecond line\r\x7fx")
            if m == "problem-big":
                return self.problem("unauthorized", "A" * 100000)
            if m == "problem-nested":
                sub = [{"type": "urn:ietf:params:acme:error:caa", "detail": "d\n%d" % i,
                        "identifier": {"type": "dns", "value": "x%d.example\x1b" % i},
                        "subproblems": [{"detail": "deeper " * 50}]} for i in range(300)]
                return self.problem("compound", "several", subproblems=sub)
            hdr = () if m == "acct-nolocation" else (("Location", BASE + "/acct/1"),)
            return self.send(201, {"status": "valid", "orders": BASE + "/orders"}, headers=hdr)
        if p == "/order":
            az, fin = BASE + "/authz/1", BASE + "/finalize/1"
            if m == "order-http":
                az, fin = az.replace("https:", "http:"), fin.replace("https:", "http:")
            if m == "order-elsewhere":
                az, fin = "https://127.0.0.2:9/authz/1", "https://127.0.0.2:9/finalize/1"
            return self.send(201, {"status": "pending", "authorizations": [az], "finalize": fin,
                                   "identifiers": [{"type": "dns", "value": "h.example"}]},
                             headers=(("Location", BASE + "/order/1"),))
        if p == "/authz/1":
            # well-behaved: valid already (nothing to answer); else no
            # challenge of the type asked
            ch = [{"type": "dns-01", "url": BASE + "/chall/1", "token": "t1",
                   "status": "pending"}]
            return self.send(200, {"status": "pending" if m == "authz-nochall" else "valid",
                                   "identifier": {"type": "dns", "value": "h.example"},
                                   "challenges": ch})
        if p in ("/finalize/1", "/order/1"):
            if m.startswith("processing"):
                ra = "0" if m == "processing-0" else "999999"
                return self.send(200, {"status": "processing"}, headers=(("Retry-After", ra),
                                 ("Location", BASE + "/order/1")))
            return self.send(200, {"status": "valid", "certificate": BASE + "/cert/1"},
                             headers=(("Location", BASE + "/order/1"),))
        if p == "/cert/1":
            if m == "cert-big":
                return self.send(200, b"-----BEGIN CERTIFICATE-----\n" + b"A" * (10 << 20),
                                 "application/pem-certificate-chain")
            return self.send(200, b"this is not PEM\n", "application/pem-certificate-chain")
        return self.problem("malformed", "no such resource", 404)


srv = ThreadingHTTPServer(("127.0.0.1", PORT), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
