# SPDX-License-Identifier: MPL-2.0
# ACME Renewal Information in front of a pebble that has none (pebble 2.4):
# an https server on 127.0.0.1:PORT that serves pebble's directory with a
# "renewalInfo" of its own, and answers GET renewalInfo/CERTID with a
# fixed suggested window, writing each CERTID asked for to LOG.  Every
# other URL of the directory is pebble's own, so the rest of the talk goes
# to pebble directly.
#   python3 ari_proxy.py PORT CERT KEY PEBBLE_DIR PEBBLE_CA LOG START END
import json
import ssl
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, cert, key, pebble_dir, pebble_ca, log, start, end = sys.argv[1:9]
port = int(port)
base = "https://127.0.0.1:%d" % port


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def answer(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Retry-After", "21600")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/dir":
            ctx = ssl.create_default_context(cafile=pebble_ca)
            with urllib.request.urlopen(pebble_dir, context=ctx) as r:
                d = json.load(r)
            d["renewalInfo"] = base + "/renewal-info/"
            self.answer(200, json.dumps(d))
        elif self.path.startswith("/renewal-info/"):
            with open(log, "a") as f:
                f.write(self.path[len("/renewal-info/"):] + "\n")
            self.answer(200, json.dumps({"suggestedWindow": {"start": start, "end": end}}))
        else:
            self.answer(404, "{}")


srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
