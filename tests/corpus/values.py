"""Synthetic secret generators for the leakscan corpus and rule examples.

Every value is random (seeded) and of the right *shape* only: none is a real credential.
GitHub/npm tokens get a valid CRC32/base62 checksum so that `validate:` passes.
"""
import base64
import random
import string
import uuid as _uuid
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
UP = string.ascii_uppercase
LO = string.ascii_lowercase
DIG = string.digits
HEX = "0123456789abcdef"
B32 = string.ascii_uppercase + "234567"
B64 = string.ascii_letters + string.digits + "+/"
URLSAFE = string.ascii_letters + string.digits + "-_"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def s(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    # ---- generic shapes
    def b62(self, n):
        # make sure it has upper, lower and digits (realistic tokens do)
        while True:
            v = self.s(B62, n)
            if n < 8 or (any(c.isupper() for c in v) and any(c.islower() for c in v) and any(c.isdigit() for c in v)):
                return v

    def hexs(self, n):
        return self.s(HEX, n)

    def uuid(self):
        return str(_uuid.UUID(int=self.r.getrandbits(128), version=4))

    def b64(self, nbytes):
        return base64.b64encode(self.r.randbytes(nbytes)).decode()

    def urlsafe(self, n):
        return self.s(URLSAFE, n)

    def password(self, n=16):
        while True:
            v = self.s(string.ascii_letters + string.digits + "!#%*+-_.^", n)
            if v[0].isalnum() and any(c.isdigit() for c in v) and any(c.isupper() for c in v):
                return v

    # ---- checksummed tokens
    @staticmethod
    def _b62_6(n):
        out = ""
        while n:
            n, r = divmod(n, 62)
            out = B62[r] + out
        return out.rjust(6, "0")

    def crc_token(self, prefix, nrandom=30):
        rnd = self.b62(nrandom)
        return prefix + rnd + self._b62_6(zlib.crc32(rnd.encode()))

    def github(self, kind="ghp"):
        return self.crc_token(kind + "_", 70 if kind == "ghr" else 30)

    def npm(self):
        return self.crc_token("npm_")

    # ---- AWS
    def aws_akid(self, prefix="AKIA"):
        # new-generation ids: first base32 char after the prefix has its top bit set (Q-Z, 2-7)
        return prefix + self.s("QRSTUVWXYZ234567", 1) + self.s(B32, 15)

    def aws_iam_id(self, prefix="AIDA"):
        return prefix + self.s("QRSTUVWXYZ234567", 1) + self.s(B32, 16)

    def aws_secret(self):
        while True:
            v = self.s(string.ascii_letters + string.digits + "+/", 40)
            if any(c.isdigit() for c in v) and any(c in "+/" for c in v):
                return v

    def aws_session_token(self):
        return "IQoJb3JpZ2luX2VjE" + self.b64(300).rstrip("=")

    def aws_account(self):
        return str(self.r.randint(100000000000, 999999999999))

    # ---- misc providers
    def jwt(self):
        def enc(b):
            return base64.urlsafe_b64encode(b).decode().rstrip("=")
        hdr = enc(b'{"alg":"HS256","typ":"JWT"}')
        sub = self.r.randint(1000, 99999)
        payload = enc(('{"sub":"%d","name":"svc-%s","iat":%d,"exp":%d}' % (
            sub, self.s(LO, 6), 1700000000 + sub, 1800000000 + sub)).encode())
        return "%s.%s.%s" % (hdr, payload, enc(self.r.randbytes(32)))

    def private_key_body(self, nbytes=900):
        raw = self.b64(nbytes)
        return "\n".join(raw[i:i + 64] for i in range(0, len(raw), 64))

    def pem(self, label, nbytes=900, headers=""):
        # a DER body begins with a SEQUENCE of two length bytes (0x30 0x82: base64 "MII"), as
        # every real PKCS#1, SEC1, DSA and PKCS#8 key does; the rest stays random
        body = self.private_key_body(nbytes)
        if not headers:
            body = "MII" + body[3:]
        return "-----BEGIN %s-----\n%s%s\n-----END %s-----" % (label, headers, body, label)
