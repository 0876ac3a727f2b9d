"""A test Saleor signer: makes detached RS256 JWS exactly as Saleor 3.24 does (PyJWT, b64=false)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt import api_jws
from jwt.algorithms import RSAAlgorithm
from jwt.utils import base64url_encode


@dataclass
class SaleorSigner:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls, kid: str = "test-key-1") -> SaleorSigner:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid)

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def sign(self, body: bytes) -> str:
        return api_jws.encode(
            body,
            key=self.private_key,
            algorithm="RS256",
            headers={"kid": self.kid, "crit": ["b64"], "b64": False},
            is_payload_detached=True,
        )

    def sign_with_header(self, body: bytes, header: dict) -> str:
        """A detached JWS over `body` with exactly this protected header, signed by this key (RS256 over
        `<header>.` + body, as b64=false asks): for headers Saleor never sends."""
        segment = base64url_encode(json.dumps(header).encode())
        signature = self.private_key.sign(segment + b"." + body, padding.PKCS1v15(), hashes.SHA256())
        return f"{segment.decode()}..{base64url_encode(signature).decode()}"

    def token(self, claims: dict) -> str:
        """A JWT as Saleor makes its access tokens (RS256, the same key as webhooks, header kid)."""
        return jwt.encode(claims, key=self.private_key, algorithm="RS256", headers={"kid": self.kid})


def tamper(body: bytes) -> bytes:
    """Change one byte inside the body, keeping it valid JSON where possible."""
    index = body.index(b'"', 2) + 1
    return body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]


__all__ = ["SaleorSigner", "jwt", "tamper"]
