# SPDX-License-Identifier: MPL-2.0
"""Craft hostile PKCS#12 files for the tests: bags taken from files openssl
wrote (with -certpbe NONE, so every safe is plain data), rearranged,
emptied or repeated, and sealed with a valid SHA-256 MAC.

usage: p12craft.py OUT PASSWORD ITEM...
  all:F.p12          every bag of F
  key:F.p12[:ID]     its key bags (localKeyID set to hex ID when given)
  cert:F.p12[:ID]    its certificate bags (likewise)
  emptycert          a certBag whose [0] holds nothing: SafeBag [0] {}
  emptyinner         a certBag whose CertBag's [0] holds nothing
  N*ITEM             ITEM N times
"""
import hashlib
import hmac
import os
import sys


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    out = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        enc = [a & 0x7F]
        a >>= 7
        while a:
            enc.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def parse(data, pos=0):
    """(tag, body, header+body length) of the TLV at pos."""
    tag = data[pos]
    ln = data[pos + 1]
    hdr = 2
    if ln & 0x80:
        k = ln & 0x7F
        ln = int.from_bytes(data[pos + 2:pos + 2 + k], "big")
        hdr += k
    return tag, data[pos + hdr:pos + hdr + ln], hdr + ln


def children(body):
    out, pos = [], 0
    while pos < len(body):
        tag, inner, n = parse(body, pos)
        out.append((tag, inner, body[pos:pos + n]))
        pos += n
    return out


DATA = "1.2.840.113549.1.7.1"
CERT_BAG = "1.2.840.113549.1.12.10.1.3"
X509_CERT = "1.2.840.113549.1.9.22.1"
LOCAL_KEY_ID = "1.2.840.113549.1.9.21"
KEY_BAGS = (oid("1.2.840.113549.1.12.10.1.1"), oid("1.2.840.113549.1.12.10.1.2"))


def bags_of(path):
    """Every SafeBag of a PKCS#12 whose safes are plain data."""
    pfx = children(parse(open(path, "rb").read())[1])
    auth = children(pfx[1][1])  # ContentInfo: OID, [0]
    safes = children(auth[1][1])[0][1]  # [0] -> OCTET STRING
    out = []
    for _, ci, _ in children(parse(safes)[1]):
        kind, content = children(ci)
        if kind[2] != oid(DATA):
            sys.exit("p12craft: %s has an encrypted safe (use -certpbe NONE)" % path)
        contents = children(content[1])[0][1]
        out += [raw for _, _, raw in children(parse(contents)[1])]
    return out


def with_key_id(bag, key_id):
    parts = children(parse(bag)[1])
    attrs = [raw for _, _, raw in children(parts[2][1])] if len(parts) > 2 else []
    attrs = [a for a in attrs if children(parse(a)[1])[0][2] != oid(LOCAL_KEY_ID)]
    attrs.append(seq(oid(LOCAL_KEY_ID), tlv(0x31, tlv(0x04, bytes.fromhex(key_id)))))
    return seq(parts[0][2], parts[1][2], tlv(0x31, b"".join(attrs)))


def is_key(bag):
    return children(parse(bag)[1])[0][2] in KEY_BAGS


def item(spec):
    if "*" in spec:
        n, rest = spec.split("*", 1)
        return item(rest) * int(n)
    if spec == "emptycert":
        return [seq(oid(CERT_BAG), tlv(0xA0, b""))]
    if spec == "emptyinner":
        return [seq(oid(CERT_BAG), tlv(0xA0, seq(oid(X509_CERT), tlv(0xA0, b""))))]
    kind, _, rest = spec.partition(":")
    path, _, key_id = rest.partition(":")
    bags = bags_of(path)
    if kind == "key":
        bags = [b for b in bags if is_key(b)]
    elif kind == "cert":
        bags = [b for b in bags if not is_key(b)]
    elif kind != "all":
        sys.exit("p12craft: unknown item " + spec)
    return [with_key_id(b, key_id) for b in bags] if key_id else bags


def p12_kdf(password, salt, ident, iterations, n):
    """RFC 7292 appendix B with SHA-256 (u = 32, v = 64)."""
    u, v = 32, 64
    pw = (password + "\0").encode("utf-16-be")

    def fill(s):
        size = v * ((len(s) + v - 1) // v)
        return (s * (size // len(s) + 1))[:size] if s else b""

    i = bytearray(fill(salt) + fill(pw))
    out = b""
    while len(out) < n:
        a = bytes([ident]) * v + bytes(i)
        for _ in range(iterations):
            a = hashlib.sha256(a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i), v):
            x = (int.from_bytes(i[j:j + v], "big") + b + 1) % (1 << (8 * v))
            i[j:j + v] = x.to_bytes(v, "big")
    return out[:n]


def pfx(bags, password):
    contents = seq(*bags)
    safe = seq(oid(DATA), tlv(0xA0, tlv(0x04, contents)))
    auth = seq(safe)
    salt, iterations = os.urandom(8), 2048
    key = p12_kdf(password, salt, 3, iterations, 32)
    mac = hmac.new(key, auth, hashlib.sha256).digest()
    mac_data = seq(seq(seq(oid("2.16.840.1.101.3.4.2.1"), b"\x05\x00"), tlv(0x04, mac)),
                   tlv(0x04, salt), tlv(0x02, iterations.to_bytes(2, "big")))
    return seq(tlv(0x02, b"\x03"), seq(oid(DATA), tlv(0xA0, tlv(0x04, auth))), mac_data)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    bags = [b for spec in sys.argv[3:] for b in item(spec)]
    open(sys.argv[1], "wb").write(pfx(bags, sys.argv[2]))
