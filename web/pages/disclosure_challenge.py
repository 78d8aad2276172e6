"""The public comment form's challenge, made by the server with no outside service: a small sum whose operands
travel signed (the app's secret) with a nonce and a time, so the answer is checked without any state kept; the
nonce is stored with the comment, so one challenge sends one comment."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine.errors import InvalidInput

__all__ = ["Challenge", "address_hash", "check", "make"]

SALT = "awardflow.public-comment"
#: how long a challenge may be answered (seconds)
MAX_AGE_S = 1800


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def make() -> Challenge:
    """A new sum ("7 + 5") and its signed token."""
    a, b = 2 + secrets.randbelow(8), 2 + secrets.randbelow(8)
    token = _signer().dumps({"a": a, "b": b, "n": secrets.token_hex(16)})
    return Challenge(f"{a} + {b}", token)


def check(token: str, answer: str) -> str:
    """The challenge's nonce if ``answer`` solves it; InvalidInput naming ``answer`` otherwise."""
    wrong = InvalidInput("Câu trả lời kiểm tra chưa đúng.", {"answer": ["Câu trả lời kiểm tra chưa đúng."]})
    try:
        data = _signer().loads(token, max_age=MAX_AGE_S)
    except SignatureExpired:
        message = "Câu hỏi kiểm tra đã hết hạn; xin trả lời câu hỏi mới."
        raise InvalidInput(message, {"answer": [message]}) from None
    except BadSignature:
        raise wrong from None
    text = answer.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3) or not isinstance(data, dict):
        raise wrong
    if int(text) != data.get("a", 0) + data.get("b", 0):
        raise wrong
    return str(data["n"])


def address_hash(address: str | None) -> str:
    """The sender's address as a keyed hash: enough to count comments per sender, not to find the sender."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()
