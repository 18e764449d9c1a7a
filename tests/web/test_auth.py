"""API keys: read from API_KEYS in settings, checked as bearer tokens; none configured means open."""

from __future__ import annotations

from settings import Settings
from web.auth import ApiKeys


def test_api_keys_are_read_comma_separated_and_blank_ones_dropped():
    assert Settings.from_env({"API_KEYS": " k1, ,k2,"}).api_keys == ("k1", "k2")
    assert Settings.from_env({}).api_keys == ()


def test_no_keys_means_open_and_keys_mean_one_of_them():
    assert ApiKeys().check(None) and ApiKeys().check("anything") and not ApiKeys().required
    keys = ApiKeys(("k1", "k2"))
    assert keys.required and keys.check("k1") and keys.check("k2")
    assert not keys.check(None) and not keys.check("") and not keys.check("k3") and not keys.check("k1 ")
