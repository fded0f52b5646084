# SPDX-License-Identifier: MPL-2.0
# The independent half of test_acme.c: python's cryptography checks what
# the library signed.  acme_check.py jws FILE: FILE holds the flattened JWS
# and, for a kid-signed one, the JWK it must verify under; prints
# "ok ALG KID|jwk THUMBPRINT" or a reason.  acme_check.py eab FILE HMAC64U.
import base64
import hashlib
import hmac
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def thumbprint(jwk):
    if jwk["kty"] == "EC":
        m = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    else:
        m = {k: jwk[k] for k in ("e", "kty", "n")}
    text = json.dumps(m, sort_keys=True, separators=(",", ":"))
    return b64e(hashlib.sha256(text.encode()).digest())


def verify(jwk, alg, data, sig):
    if jwk["kty"] == "EC":
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
        h = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}
        x, y = (int.from_bytes(b64d(jwk[k]), "big") for k in ("x", "y"))
        pub = ec.EllipticCurvePublicNumbers(x, y, curve[jwk["crv"]]).public_key()
        n = len(sig) // 2
        der = encode_dss_signature(int.from_bytes(sig[:n], "big"), int.from_bytes(sig[n:], "big"))
        pub.verify(der, data, ec.ECDSA(h[alg]))
    else:
        n, e = (int.from_bytes(b64d(jwk[k]), "big") for k in ("n", "e"))
        pub = rsa.RSAPublicNumbers(e, n).public_key()
        pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())


def main():
    doc = json.load(open(sys.argv[2]))
    jws = doc["jws"]
    prot = json.loads(b64d(jws["protected"]))
    data = (jws["protected"] + "." + jws["payload"]).encode()
    sig = b64d(jws["signature"])
    if sys.argv[1] == "eab":
        mac = hmac.new(b64d(sys.argv[3]), data, hashlib.sha256).digest()
        payload = json.loads(b64d(jws["payload"]))
        ok = hmac.compare_digest(mac, sig) and prot["alg"] == "HS256"
        print("ok %s %s %s" % (prot["kid"], prot["url"], thumbprint(payload)) if ok else "bad mac")
        return
    jwk = prot.get("jwk") or doc["jwk"]
    try:
        verify(jwk, prot["alg"], data, sig)
    except InvalidSignature:
        print("bad signature")
        return
    print("ok %s %s %s %s %s" % (prot["alg"], prot.get("kid", "jwk"), prot["nonce"], prot["url"],
                                 thumbprint(jwk)))


main()
