"""The live index for a running app: a new version goes live without a restart."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from index.embedders import NamedEmbeddings
from index.progress import BuildProgress, BuildStatus
from index.retriever import HybridRetriever, default_options
from index.store import IndexUnavailable, current_version, open_index

log = logging.getLogger(__name__)


class IndexBuilding(IndexUnavailable):
    """No version is live yet because the first one is still being built; `status` says how far it got."""

    def __init__(self, status: BuildStatus) -> None:
        super().__init__(status.describe())
        self.status = status


class LiveIndex:
    """Serves whichever version CURRENT names.

    Every call reads the small CURRENT pointer; when an admin change has made another version
    live, that version is loaded once and swapped in with one reference assignment. A search that
    already holds the previous retriever finishes on it (everything is in memory), so no query in
    flight fails. If the new version cannot be loaded, the previous one keeps serving.
    """

    def __init__(
        self, root: Path, embedder: NamedEmbeddings, building: BuildProgress | None = None, **retriever_options
    ) -> None:
        """`building`: the first version is being built meanwhile; until it is live, `retriever()` raises
        IndexBuilding with its progress. Without it, a missing index fails here, at once."""
        self.root = Path(root)
        self.embedder = embedder
        self.building = building
        self.options = {**default_options(embedder.name), **retriever_options}
        self._lock = threading.Lock()
        self._current: HybridRetriever | None = None
        if building is None or current_version(self.root) is not None:
            self._current = self._load()

    def _load(self) -> HybridRetriever:
        index = open_index(self.root, self.embedder.name, self.embedder.dimension)
        return HybridRetriever(index=index, embedder=self.embedder, **self.options)

    def retriever(self) -> HybridRetriever:
        current = self._current
        live = current_version(self.root)
        if current is None:
            return self._first(live)
        if live is None or live == current.index.version:
            return current
        with self._lock:  # one thread loads; the others keep answering from the old version meanwhile
            if self._current is current:
                try:
                    self._current = self._load()
                    log.info("index version %s is live", live)
                except Exception as exc:  # a broken version must not take the service down
                    log.error("could not load index version %s, still serving %s: %s", live, current.index.version, exc)
            return self._current or current

    def _first(self, live: str | None) -> HybridRetriever:
        if live is None:
            if self.building is None:  # the index was deleted under a running app
                raise IndexUnavailable(f"{self.root} 下没有索引")
            raise IndexBuilding(self.building.status())
        with self._lock:
            if self._current is None:
                self._current = self._load()
                log.info("index version %s is live", live)
            return self._current
