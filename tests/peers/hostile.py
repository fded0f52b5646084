#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""Hostile TLS peers for the fetch-chain tests (see tests/cli/servers.sh).

hostile.py silent ADDR PORT: accept connections and never send a byte.
hostile.py closer ADDR PORT: an SMTP server that answers EHLO with
STARTTLS, says "220 Ready" to STARTTLS, reads the first TLS record (the
ClientHello) and closes the connection.
hostile.py inject ADDR PORT: as closer, but sends a forged SMTP reply
right behind "220 Ready", in the same write (the STARTTLS command
injection of CVE-2011-0411 and its kin, seen from the client's side).
hostile.py greedy ADDR PORT: an SMTP server whose EHLO reply never ends.
hostile.py trickle ADDR PORT: an SMTP server whose greeting comes one byte
a second ("220 localhost ESMTP ..." and a long multi-line reply).
hostile.py trickle-tls ADDR PORT: reads the ClientHello, then sends a
ServerHello record's header and its body one byte a second.
hostile.py trickle-http ADDR PORT: an http server whose answer (a 200 with
a long body) comes one byte a second.
"""
import signal
import socket
import sys
import threading
import time


def silent(conn):
    with conn:
        while conn.recv(4096):
            pass


def closer(conn, inject=False):
    with conn:
        f = conn.makefile("rb")
        conn.sendall(b"220 localhost ESMTP closer\r\n")
        for line in f:
            verb = line.strip().upper()
            if verb.startswith((b"EHLO", b"HELO")):
                conn.sendall(b"250-localhost\r\n250 STARTTLS\r\n")
            elif verb == b"STARTTLS":
                conn.sendall(b"220 Ready\r\n" + (b"250 forged\r\n" if inject else b""))
                # The first TLS record, whole, so that the close is a FIN
                # (end of file to the client), not a reset.
                head = f.read(5)
                if len(head) == 5:
                    f.read(int.from_bytes(head[3:5], "big"))
                return
            elif verb == b"QUIT":
                conn.sendall(b"221 Bye\r\n")
                return
            else:
                conn.sendall(b"502 Not implemented\r\n")


def inject(conn):
    closer(conn, inject=True)


def greedy(conn):
    with conn:
        conn.sendall(b"220 localhost ESMTP greedy\r\n")
        conn.recv(4096)
        try:
            while True:
                conn.sendall(b"250-more\r\n" * 100)
        except OSError:
            pass


def drip(conn, data):
    """Send data a byte a second; stop when the client has gone."""
    try:
        for b in data:
            conn.sendall(bytes([b]))
            time.sleep(1)
    except OSError:
        pass


def trickle(conn):
    with conn:
        drip(conn, b"220-localhost ESMTP trickle\r\n" * 20 + b"220 ready\r\n")


def trickle_tls(conn):
    with conn:
        f = conn.makefile("rb")
        head = f.read(5)
        if len(head) == 5:
            f.read(int.from_bytes(head[3:5], "big"))
        # handshake record, TLS 1.2, 16 KiB: a ServerHello that never ends
        drip(conn, b"\x16\x03\x03\x40\x00\x02\x00\x3f\xfc\x03\x03" + b"\x00" * 200)


def trickle_http(conn):
    with conn:
        conn.recv(4096)
        drip(conn, b"HTTP/1.0 200 OK\r\nContent-Type: application/pkix-cert\r\n\r\n" + b"0" * 200)


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    serve = {"silent": silent, "closer": closer, "inject": inject, "greedy": greedy,
             "trickle": trickle, "trickle-tls": trickle_tls,
             "trickle-http": trickle_http}[mode]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    print(f"{mode} listening on {addr} port {port}", flush=True)
    while True:
        conn, peer = srv.accept()
        print(f"connection from {peer[0]} port {peer[1]}", flush=True)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
