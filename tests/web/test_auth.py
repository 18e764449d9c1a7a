"""Admin login throttling, upload tokens and API keys."""

from __future__ import annotations

from settings import Settings
from web.auth import AdminAuth, ApiKeys, LoginThrottle, UploadTokens, hash_password


def test_throttle_backs_off_then_locks_and_a_success_clears_it():
    throttle = LoginThrottle(free=3, lock_after=6, lock_seconds=600)
    for _ in range(3):
        assert throttle.retry_after("a", now=100.0) == 0
        throttle.failed("a", now=100.0)
    assert throttle.retry_after("a", now=100.0) == 1.0  # the fourth try waits 1 s, then 2 s, 4 s…
    assert throttle.retry_after("a", now=101.0) == 0
    for _ in range(3):
        throttle.failed("a", now=101.0)
    assert throttle.retry_after("a", now=102.0) == 599.0  # locked
    assert throttle.retry_after("b", now=102.0) == 0  # per client
    throttle.succeeded("a")
    assert throttle.retry_after("a", now=102.0) == 0


def test_attempts_are_refused_unchecked_while_throttled():
    auth = AdminAuth(password_hash=hash_password("s3cret", iterations=1000))
    for _ in range(auth.throttle.free):
        assert not auth.attempt("x", "guess").ok
    refused = auth.attempt("x", "s3cret")
    assert not refused.ok and refused.retry_after > 0 and "秒后再试" in refused.message
    assert auth.attempt("y", "s3cret").ok  # another client is not affected
    assert not auth.attempt("z", None).ok and auth.throttle.retry_after("z") == 0  # no password is no guess


def test_upload_tokens_are_issued_and_checked():
    tokens = UploadTokens()
    token = tokens.issue()
    assert tokens.valid(token) and not tokens.valid("forged") and not tokens.valid(None)


def test_api_keys_are_read_comma_separated_and_blank_ones_dropped():
    assert Settings.from_env({"API_KEYS": " k1, ,k2,"}).api_keys == ("k1", "k2")
    assert Settings.from_env({}).api_keys == ()


def test_no_keys_means_open_and_keys_mean_one_of_them():
    assert ApiKeys().check(None) and ApiKeys().check("anything") and not ApiKeys().required
    keys = ApiKeys(("k1", "k2"))
    assert keys.required and keys.check("k1") and keys.check("k2")
    assert not keys.check(None) and not keys.check("") and not keys.check("k3") and not keys.check("k1 ")
