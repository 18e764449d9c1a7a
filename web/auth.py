"""Credentials: the admin's (ADMIN_PASSWORD, or ADMIN_PASSWORD_HASH made by `python -m web.auth`),
guessing throttled per client; the upload token that keeps Gradio's file upload for the admin tab;
and the API keys (API_KEYS) that may protect /api/ask and /v1/*."""

from __future__ import annotations

import getpass
import hashlib
import hmac
import math
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

ITERATIONS = 200_000
DISABLED_MESSAGE = (
    "管理功能未开启。设置环境变量 ADMIN_PASSWORD（或用 python -m web.auth 生成 ADMIN_PASSWORD_HASH）后重启即可。"
)


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


class LoginThrottle:
    """Failed logins per client: a few are free, then each attempt must wait longer (1 s, 2 s, 4 s…),
    and after `lock_after` failures the client is locked out for `lock_seconds`. A success clears it."""

    def __init__(self, free: int = 5, lock_after: int = 10, lock_seconds: float = 600.0) -> None:
        if not 0 < free <= lock_after or lock_seconds <= 0:
            raise ValueError("need 0 < free <= lock_after and lock_seconds > 0")
        self.free, self.lock_after, self.lock_seconds = free, lock_after, lock_seconds
        self._failures: dict[str, tuple[int, float]] = {}  # client → (count, time of the last failure)
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> float:
        """Seconds the client must still wait before another attempt; 0 when it may try now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            count, last = self._failures.get(client, (0, 0.0))
        return self.waiting(count, last, now)

    def waiting(self, count: int, last: float, now: float) -> float:
        """Seconds left to wait after `count` failures, the last at `last`."""
        if count >= self.lock_after:
            wait = self.lock_seconds
        elif count >= self.free:
            wait = float(2 ** (count - self.free))
        else:
            return 0.0
        return max(0.0, last + wait - now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            count, last = self._failures.get(client, (0, 0.0))
            if count >= self.lock_after and now - last >= self.lock_seconds:
                count = 0  # the lock ran out: start over
            self._failures[client] = (count + 1, now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


class UploadTokens:
    """Tokens handed to a logged-in admin's browser (as a cookie) so that only the admin tab can upload."""

    COOKIE = "admin_upload"

    def __init__(self, lifetime_s: float = 12 * 3600) -> None:
        self.lifetime_s = lifetime_s
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._tokens = {t: at for t, at in self._tokens.items() if now - at < self.lifetime_s}
            self._tokens[token] = now
        return token

    def valid(self, token: str | None) -> bool:
        with self._lock:
            issued = self._tokens.get(token or "")
        return issued is not None and time.monotonic() - issued < self.lifetime_s


# One password check at a time, on its own thread: a stream of guesses against a PBKDF2 hash then
# costs one core at most, never the workers' questions.
_VERIFIER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-check")


@dataclass(frozen=True)
class AdminAuth:
    password: str = ""
    password_hash: str = ""
    throttle: LoginThrottle = field(default_factory=LoginThrottle, compare=False, repr=False)
    upload_tokens: UploadTokens = field(default_factory=UploadTokens, compare=False, repr=False)

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
        return _VERIFIER.submit(self._matches, candidate).result()

    def attempt(self, client: str, candidate: str | None) -> Login:
        """A login attempt from `client`: refused without checking while the client must wait."""
        if not candidate:
            return Login(False)  # no credentials is not a guess
        wait = self.throttle.retry_after(client)
        if wait > 0:
            return Login(False, math.ceil(wait))
        if self.check(candidate):
            self.throttle.succeeded(client)
            return Login(True)
        self.throttle.failed(client)
        return Login(False)

    def _matches(self, candidate: str) -> bool:
        if self.password_hash:
            _, iterations, salt, _ = self.password_hash.split("$")
            return hmac.compare_digest(hash_password(candidate, salt, int(iterations)), self.password_hash)
        return hmac.compare_digest(candidate.encode(), self.password.encode())


@dataclass(frozen=True)
class Login:
    ok: bool
    retry_after: int = 0  # seconds; > 0 when the client was refused for trying too often

    @property
    def message(self) -> str:
        if self.ok:
            return "已登录。"
        if self.retry_after:
            return f"登录失败次数过多，请 {self.retry_after} 秒后再试。"
        return "密码不对。"


class UploadGuard:
    """ASGI middleware: Gradio's file upload route only for a browser holding an admin upload token."""

    def __init__(self, app: ASGIApp, tokens: UploadTokens) -> None:
        self.app, self.tokens = app, tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/gradio_api/upload"):
            cookies = SimpleCookie(dict(scope["headers"]).get(b"cookie", b"").decode("latin-1"))
            morsel = cookies.get(UploadTokens.COOKIE)
            if not self.tokens.valid(morsel.value if morsel else None):
                response = JSONResponse({"detail": "只有登录的管理员可以上传文件。"}, status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


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
