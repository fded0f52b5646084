#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""Write a PKCS#10 request (PEM) whose names hold what openssl will not
put there: raw subject strings of any tag, SANs of any bytes, one RDN of
many attributes.  Properly self-signed (EC P-256, ECDSA-SHA256), so a
signer must judge the content, not the signature.

  craftcsr.py OUT [--ava OID TAG HEX]... [--rdn-of N] [--san KIND HEX]...
              [--exts N] [--key-out KEY.pem]

--ava adds an RDN of one attribute (TAG a number: 12 UTF8String, 19
PrintableString, 22 IA5String; HEX the content bytes); --rdn-of N adds
one RDN of N commonName attributes; --san KIND HEX (dns, email, uri, ip,
other) adds a general name; --exts N adds N dummy extensions; --key-out
writes the request's private key (PKCS#8 PEM).
"""
import base64
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        hdr = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        hdr = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + hdr + body


def oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def main(argv):
    out, args = argv[1], argv[2:]
    rdns, sans, n_exts, key_out = [], [], 0, None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--ava":
            o, tag, hx = args[i + 1 : i + 4]
            ava = tlv(0x30, oid(o) + tlv(int(tag), bytes.fromhex(hx)))
            rdns.append(tlv(0x31, ava))
            i += 4
        elif a == "--rdn-of":
            n = int(args[i + 1])
            avas = b"".join(
                tlv(0x30, oid("2.5.4.3") + tlv(12, b"a%d" % k)) for k in range(n)
            )
            rdns.append(tlv(0x31, avas))
            i += 2
        elif a == "--san":
            kind, hx = args[i + 1 : i + 3]
            tag = {"dns": 0x82, "email": 0x81, "uri": 0x86, "ip": 0x87}.get(kind)
            body = bytes.fromhex(hx)
            if kind == "other":  # otherName: type-id and [0] value
                sans.append(tlv(0xA0, oid("1.3.6.1.4.1.311.20.2.3") + tlv(0xA0, tlv(12, body))))
            else:
                sans.append(tlv(tag, body))
            i += 3
        elif a == "--key-out":
            key_out = args[i + 1]
            i += 2
        elif a == "--exts":
            n_exts = int(args[i + 1])
            i += 2
        else:
            sys.exit("craftcsr.py: unknown argument " + a)
    key = ec.generate_private_key(ec.SECP256R1())
    if key_out:
        with open(key_out, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    exts = []
    if sans:
        exts.append(tlv(0x30, oid("2.5.29.17") + tlv(0x04, tlv(0x30, b"".join(sans)))))
    for k in range(n_exts):
        exts.append(tlv(0x30, oid("1.3.6.1.4.1.99999.%d" % k) + tlv(0x04, tlv(0x05, b""))))
    attrs = b""
    if exts:
        attrs = tlv(
            0x30, oid("1.2.840.113549.1.9.14") + tlv(0x31, tlv(0x30, b"".join(exts)))
        )
    info = tlv(0x30, tlv(0x02, b"\x00") + tlv(0x30, b"".join(rdns)) + spki + tlv(0xA0, attrs))
    sig = key.sign(info, ec.ECDSA(hashes.SHA256()))
    alg = tlv(0x30, oid("1.2.840.10045.4.3.2"))
    der = tlv(0x30, info + alg + tlv(0x03, b"\x00" + sig))
    b64 = base64.encodebytes(der).decode().replace("\n", "")
    lines = [b64[k : k + 64] for k in range(0, len(b64), 64)]
    with open(out, "w") as f:
        f.write("-----BEGIN CERTIFICATE REQUEST-----\n")
        f.write("\n".join(lines) + "\n")
        f.write("-----END CERTIFICATE REQUEST-----\n")


if __name__ == "__main__":
    main(sys.argv)
