"""Credentials: the admin's (ADMIN_PASSWORD, or ADMIN_PASSWORD_HASH made by `python -m web.auth`)
and the API keys (API_KEYS) that may protect /api/ask and /v1/*."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
import sys
from dataclasses import dataclass

ITERATIONS = 200_000
DISABLED_MESSAGE = (
    "管理功能未开启。设置环境变量 ADMIN_PASSWORD（或用 python -m web.auth 生成 ADMIN_PASSWORD_HASH）后重启即可。"
)


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


@dataclass(frozen=True)
class AdminAuth:
    password: str = ""
    password_hash: str = ""

    def __post_init__(self) -> None:
        if self.password_hash and len(self.password_hash.split("$")) != 4:
            raise ValueError(
                "ADMIN_PASSWORD_HASH 格式应为 pbkdf2_sha256$迭代次数$盐$摘要（用 python -m web.auth 生成）"
            )

    @property
    def enabled(self) -> bool:
        return bool(self.password or self.password_hash)

    def check(self, candidate: str | None) -> bool:
        if not self.enabled or not candidate:
            return False
        if self.password_hash:
            _, iterations, salt, _ = self.password_hash.split("$")
            return hmac.compare_digest(hash_password(candidate, salt, int(iterations)), self.password_hash)
        return hmac.compare_digest(candidate.encode(), self.password.encode())


API_KEY_MESSAGE = "需要 API 密钥：Authorization: Bearer <API_KEYS 中的一个>"


@dataclass(frozen=True)
class ApiKeys:
    """Bearer keys for the question endpoints; none configured means they are open to all."""

    keys: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return bool(self.keys)

    def check(self, candidate: str | None) -> bool:
        if not self.required:
            return True
        given = (candidate or "").encode()
        # compare with every key, so the time taken does not tell which one nearly matched
        return sum(hmac.compare_digest(given, key.encode()) for key in self.keys) > 0 and bool(given)


if __name__ == "__main__":
    secret = sys.argv[1] if len(sys.argv) > 1 else getpass.getpass("管理员密码：")
    print(hash_password(secret))
