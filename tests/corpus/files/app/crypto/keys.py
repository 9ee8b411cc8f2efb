from cryptography.hazmat.primitives.asymmetric import ed25519

_OID_NAMES = {
    NameOID.COMMON_NAME: "commonName",
    AttributeOID.CHALLENGE_PASSWORD: "challengePassword",
}


class _EllipticCurvePublicKey:
    def __init__(self, backend, private_key: "_EllipticCurvePrivateKey"):
        self._backend = backend


def load_ssh_private_key(data, password=None) -> ed25519.Ed25519PrivateKey:
    private_key: ed25519.Ed25519PrivateKey
    return private_key


SIGNING_KEY = "Mns4762jVSaJ_ioyT4qHtZfLWhAw-v1nANfJap-B"
