# SPDX-License-Identifier: MPL-2.0
"""test_nethttp's peer: HTTP and HTTPS servers on 127.0.0.1 with a test CA.

Usage: nethttp_server.py DIR.  Makes DIR/ca.pem (the CA), DIR/other-ca.pem
(a CA that signed nothing), a server certificate for IP 127.0.0.1 and one
for the name wrong.example (both from ca.pem); serves plain http, https
with the good certificate and https with the misnamed one, then prints
"PORTS HTTP HTTPS HTTPS_BADNAME" and serves until killed.  Each request is
logged to DIR/log as one line: METHOD PATH content-type=.. accept=..
user-agent=.. body=.. (the server's own view, which the test compares
with what it asked for).
"""
import http.server
import os
import ssl
import subprocess
import sys
import threading
import time

D = sys.argv[1]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_ca(name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", f"{D}/{name}.key", "-out", f"{D}/{name}.pem",
            "-days", "2", "-subj", f"/CN=nethttp test {name}")


def make_server(name, san):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", f"{D}/{name}.key", "-out", f"{D}/{name}.csr",
            "-subj", f"/CN={name}")
    with open(f"{D}/{name}.ext", "w") as f:
        f.write(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", f"{D}/{name}.csr", "-CA", f"{D}/ca.pem",
            "-CAkey", f"{D}/ca.key", "-CAcreateserial", "-out", f"{D}/{name}.pem",
            "-days", "2", "-extfile", f"{D}/{name}.ext")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body):
        with open(f"{D}/log", "a") as f:
            f.write(f"{self.command} {self.path}"
                    f" content-type={self.headers.get('Content-Type', '-')}"
                    f" accept={self.headers.get('Accept', '-')}"
                    f" user-agent={self.headers.get('User-Agent', '-')}"
                    f" body={body.decode('latin-1') or '-'}\n")

    def send(self, code, body, headers=(), length=True):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if not length:
            self.close_connection = True

    def answer(self, body):
        self.record(body)
        p = self.path
        if p == "/hello":
            self.send(200, b"hello, world\n", [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Replay-Nonce", "nonce-1"),
                ("Retry-After", "7"),
                ("Location", "http://example.test/order/1"),
                ("Link", '<http://example.test/dir>;rel="index"'),
                ("Link", '<http://example.test/alt>;rel="alternate"')])
        elif p == "/echo":
            self.send(201, body, [("Content-Type", "application/octet-stream"),
                                  ("Replay-Nonce", "nonce-2")])
        elif p == "/redirect":
            self.send(302, b"", [("Location", "/hello"), ("Replay-Nonce", "nonce-r")])
        elif p == "/redirect-body":
            self.send(301, b"moved to /hello\n", [("Location", "/hello"),
                                                 ("Content-Type", "text/plain")])
        elif p == "/loop":
            self.send(302, b"", [("Location", "/loop")])
        elif p == "/to-ftp":
            self.send(302, b"", [("Location", "ftp://127.0.0.1/x")])
        elif p == "/to-file":
            self.send(302, b"", [("Location", "file:///etc/passwd")])
        elif p == "/big":
            # announced: refused before the body comes
            self.send(200, b"x" * 5000)
        elif p == "/big-unannounced":
            # no length: refused while it arrives
            self.send(200, b"y" * 5000, length=False)
        elif p == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            for _ in range(10):
                try:
                    self.wfile.write(b"z")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(1)
        elif p == "/huge-headers":
            self.send(200, b"", [("X-Filler-%d" % i, "f" * 1000) for i in range(100)])
        elif p == "/status-404":
            self.send(404, b"not here\n", [("Content-Type", "text/plain")])
        else:
            self.send(404, b"")

    def do_GET(self):
        self.answer(b"")

    def do_HEAD(self):
        self.answer(b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.answer(self.rfile.read(n))


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hung up on purpose (the size limits)


def serve(cert=None):
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(f"{D}/{cert}.pem", f"{D}/{cert}.key")
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


make_ca("ca")
make_ca("other-ca")
make_server("good", "IP:127.0.0.1")
make_server("badname", "DNS:wrong.example")
ports = [serve(), serve("good"), serve("badname")]
print("PORTS", *ports, flush=True)
while True:
    time.sleep(3600)
