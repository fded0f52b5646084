#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""mkcerts.py N OUT.pem: N distinct self-signed EC P-256 CA certificates.

One PEM bundle, subjects "CN=Bench CA 000001,O=p11cert bench" ..., fixed
dates (2025 to 2045) so that a cached bundle stays valid.  python3's
cryptography makes 100,000 in about a minute; without it, one openssl
process a certificate (slow: for the quick mode's few dozen).
"""
import datetime
import os
import subprocess
import sys
import tempfile

NOT_BEFORE = datetime.datetime(2025, 1, 1)
NOT_AFTER = datetime.datetime(2045, 1, 1)


def common_name(i):
    return "Bench CA %06d" % i


def with_cryptography(n, out):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    for i in range(1, n + 1):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, common_name(i)),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "p11cert bench"),
        ])
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (x509.CertificateBuilder()
                .subject_name(name).issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                             False, False), critical=True)
                .add_extension(ski, critical=False)
                .sign(key, hashes.SHA256()))
        out.write(cert.public_bytes(serialization.Encoding.PEM))


def with_openssl(n, out):
    with tempfile.TemporaryDirectory() as tmp:
        key, pem = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
        for i in range(1, n + 1):
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                 "-subj", "/CN=%s/O=p11cert bench" % common_name(i), "-days", "7300",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", pem],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(pem, "rb") as f:
                out.write(f.read())


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkcerts.py N OUT.pem")
    n, path = int(sys.argv[1]), sys.argv[2]
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        try:
            import cryptography  # noqa: F401
            make = with_cryptography
        except ImportError:
            make = with_openssl
        make(n, out)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
