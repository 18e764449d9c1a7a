"""The live index for a running app: a new version goes live without a restart, a broken one never does."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from index import rarity
from index.embedders import NamedEmbeddings
from index.progress import BuildProgress, BuildStatus
from index.retriever import HybridRetriever, default_options
from index.stores import IndexStore, as_store
from index.versions import IndexUnavailable

log = logging.getLogger(__name__)


class IndexBuilding(IndexUnavailable):
    """No version is live yet because the first one is still being built; `status` says how far it got."""

    def __init__(self, status: BuildStatus) -> None:
        super().__init__(status.describe())
        self.status = status


class LiveIndex:
    """Serves whichever version the store's pointer names, as long as it is whole.

    The folder store's pointer is one small file, read on every call. A store that can push changes
    (PostgreSQL: LISTEN/NOTIFY, with polling as the fallback) calls `refresh` from its own thread
    instead, so the new version is loaded in the background and questions never wait for it. Either
    way the new version is swapped in with one reference assignment: a search that already holds the
    previous retriever finishes on it (everything it needs is in memory or keyed by content), so no
    query in flight fails or mixes versions. If the new version cannot be loaded, the previous one
    keeps serving and `problem` says why; at start a broken or missing pointer falls back to the
    newest valid version.
    """

    def __init__(
        self,
        store: IndexStore | Path,
        embedder: NamedEmbeddings,
        building: BuildProgress | None = None,
        **retriever_options,
    ) -> None:
        """`building`: the first version is being built meanwhile; until it is live, `retriever()` raises
        IndexBuilding with its progress. Without it, a missing index fails here, at once."""
        self.store = as_store(store)
        self.embedder = embedder
        self.building = building
        self.options = retriever_options  # over the learned defaults, read for each version's size
        self._lock = threading.Lock()
        self._current: HybridRetriever | None = None
        self._failed: str | None = None  # a version that would not load, so it is not retried on every question
        self.problem = ""
        if building is None or self.store.live_version() is not None:
            self._current = self._load()
            self.problem = self._current.index.warning
            if self.problem:
                log.warning("%s", self.problem)
        self._pushed = self.store.watch(self.refresh)

    def _load(self) -> HybridRetriever:
        index = self.store.open(self.embedder.name, self.embedder.dimension)
        index.warm()
        rarity.warm()  # the relevance check's dictionary, read here rather than on the first question
        options = {**default_options(self.embedder.name, len(index.chunks)), **self.options}
        return HybridRetriever(index=index, embedder=self.embedder, **options)

    def retriever(self) -> HybridRetriever:
        if self._current is None:
            return self._first(self.store.live_version())
        if not self._pushed:
            self.refresh(self.store.live_version())
        return self._current

    def refresh(self, live: str | None) -> None:
        """Swap in version `live` if it is not the one serving (called per question, or by the store's watcher)."""
        current = self._current
        if current is None:  # still building the first version: the next question loads it (`_first`)
            return
        if live is None:
            self.problem = f"当前版本指针 CURRENT 缺失或无效，仍在使用版本 {current.index.version}"
            return
        if live == current.index.version:
            self.problem = current.index.warning
            return
        if live == self._failed:
            return
        with self._lock:  # one thread loads; the others keep answering from the old version meanwhile
            if self._current is not current or self._failed == live:
                return
            try:
                loaded = self._load()
            except Exception as exc:  # a broken version must not take the service down
                self._failed, self.problem = (
                    live,
                    f"索引版本 {live} 无法加载（{exc}），仍在使用 {current.index.version}",
                )
                log.error("%s", self.problem)
                return
            # the pointer's version did not verify and another was loaded instead: don't retry it every question
            self._failed = live if loaded.index.version != live else None
            self._current, self.problem = loaded, loaded.index.warning
            log.log(
                logging.WARNING if self.problem else logging.INFO,
                "index version %s is live %s",
                loaded.index.version,
                self.problem,
            )

    def _first(self, live: str | None) -> HybridRetriever:
        if live is None:
            if self.building is None:  # the index was deleted under a running app
                raise IndexUnavailable(f"{self.store.location()} 下没有索引")
            raise IndexBuilding(self.building.status())
        with self._lock:
            if self._current is None:
                self._current = self._load()
                self.problem = self._current.index.warning
                log.info("index version %s is live", self._current.index.version)
            return self._current

    def close(self) -> None:
        self.store.close()
