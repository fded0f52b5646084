#!/usr/bin/python3
# SPDX-License-Identifier: MPL-2.0
# Edit the bags of an unencrypted PKCS#12 (openssl pkcs12 -export -keypbe
# NONE -certpbe NONE) for fuzz seeds: p12-edit.py IN OUT EDIT, EDIT one of
#   empty-certbag   a certBag whose [0] is empty (issue 11, item 1)
#   two-certbags    the certificate's bag twice
# The MAC is left stale: fuzz_pkcs12 makes it again (first byte odd).
import sys


def tlv(b, i):
    """(tag, start of contents, end) of the DER element at i."""
    tag, n = b[i], b[i + 1]
    if n < 0x80:
        return tag, i + 2, i + 2 + n
    k = n & 0x7F
    return tag, i + 2 + k, i + 2 + k + int.from_bytes(b[i + 2:i + 2 + k], "big")


def children(b):
    out, i = [], 0
    while i < len(b):
        tag, s, e = tlv(b, i)
        out.append((tag, b[s:e]))
        i = e
    return out


def enc(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    k = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | k]) + n.to_bytes(k, "big") + content


def seq(items):
    return enc(0x30, b"".join(enc(t, c) for t, c in items))


CERT_BAG = bytes.fromhex("060b2a864886f70d010c0a0103")

def contents(b):
    _, s, e = tlv(b, 0)
    return b[s:e]


pfx = children(contents(open(sys.argv[1], "rb").read()))
version, authsafe_ci, mac = pfx
ci = children(authsafe_ci[1])  # OID data, [0] { OCTET STRING }
octets = children(ci[1][1])[0][1]
safes = children(children(octets)[0][1])  # the ContentInfos
new_safes = []
for t, c in safes:
    parts = children(c)
    inner = children(parts[1][1])[0][1]  # the SafeContents DER
    bags = children(contents(inner))
    if any(b.startswith(CERT_BAG) for _, b in bags):
        if sys.argv[3] == "empty-certbag":
            bags.append((0x30, CERT_BAG + b"\xa0\x00"))
        elif sys.argv[3] == "two-certbags":
            bags += [x for x in bags if x[1].startswith(CERT_BAG)]
    sc = seq(bags)
    new_safes.append((t, enc(parts[0][0], parts[0][1]) + enc(0xA0, enc(0x04, sc))))
octets = seq(new_safes)
authsafe = enc(ci[0][0], ci[0][1]) + enc(0xA0, enc(0x04, octets))
open(sys.argv[2], "wb").write(seq([version, (0x30, authsafe), mac]))
