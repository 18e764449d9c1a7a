"""The query adapter as saved and applied: a low-rank map of the question's vector, kept per index scale."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.adapter import QueryAdapter


def adapter(passages: int = 100, scale: float = 1.0) -> QueryAdapter:
    rng = np.random.RandomState(0)
    return QueryAdapter(
        (rng.randn(6, 2) * scale).astype(np.float32), rng.randn(6, 2).astype(np.float32), {"passages": passages}
    )


def test_it_moves_a_vector_and_keeps_it_unit_length():
    a = adapter()
    q = np.array([1, 0, 0, 0, 0, 0], dtype=np.float32)
    moved = a.adapt(q)
    expected = q + a.left @ (a.right.T @ q)
    assert np.allclose(moved, expected / np.linalg.norm(expected), atol=1e-6)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    still = QueryAdapter(np.zeros((6, 1), np.float32), np.ones((6, 1), np.float32)).adapt(q)
    assert np.allclose(still, q)  # no learned direction: the question as embedded
    with pytest.raises(ValueError, match="6-dimensional"):
        a.adapt(np.ones(5, np.float32))


def test_its_json_round_trips_and_each_index_scale_keeps_its_own(tmp_path):
    path = tmp_path / "adapter.json"
    small, large = adapter(100), adapter(100_000, scale=2.0)
    small.save(path)
    large.save(path)
    assert b"\x80" not in path.read_bytes()[:2] and len(json.loads(path.read_text("utf-8"))["adapters"]) == 2
    q = np.linspace(-1, 1, 6).astype(np.float32)
    for saved, passages in ((small, 120), (large, 90_000)):
        loaded = QueryAdapter.load(path, passages)
        assert loaded is not None and loaded.trained_on == saved.trained_on
        assert np.allclose(loaded.adapt(q), saved.adapt(q), atol=1e-5)
    assert QueryAdapter.load(path, 10_000) is None  # an index of neither scale searches unadapted
    assert QueryAdapter.load(tmp_path / "none.json", 100) is None


@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        (np.zeros((6, 2)), np.zeros((5, 2)), "one shape"),
        (np.zeros(6), np.zeros(6), "one shape"),
        (np.full((6, 1), np.nan), np.zeros((6, 1)), "finite"),
    ],
)
def test_a_malformed_adapter_is_refused(left, right, message):
    with pytest.raises(ValueError, match=message):
        QueryAdapter(left.astype(np.float32), right.astype(np.float32))
    with pytest.raises(ValueError, match="format"):
        QueryAdapter.from_dict({"format": 9})
