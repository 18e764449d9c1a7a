"""The live index for a running app: a new version goes live without a restart."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from index.embedders import NamedEmbeddings
from index.retriever import HybridRetriever, default_options
from index.store import current_version, open_index

log = logging.getLogger(__name__)


class LiveIndex:
    """Serves whichever version CURRENT names.

    Every call reads the small CURRENT pointer; when an admin change has made another version
    live, that version is loaded once and swapped in with one reference assignment. A search that
    already holds the previous retriever finishes on it (everything is in memory), so no query in
    flight fails. If the new version cannot be loaded, the previous one keeps serving.
    """

    def __init__(self, root: Path, embedder: NamedEmbeddings, **retriever_options) -> None:
        self.root = Path(root)
        self.embedder = embedder
        self.options = {**default_options(embedder.name), **retriever_options}
        self._lock = threading.Lock()
        self._current = self._load()

    def _load(self) -> HybridRetriever:
        index = open_index(self.root, self.embedder.name, self.embedder.dimension)
        return HybridRetriever(index=index, embedder=self.embedder, **self.options)

    def retriever(self) -> HybridRetriever:
        current = self._current
        live = current_version(self.root)
        if live is None or live == current.index.version:
            return current
        with self._lock:  # one thread loads; the others keep answering from the old version meanwhile
            if self._current.index.version != live:
                try:
                    self._current = self._load()
                    log.info("index version %s is live", self._current.index.version)
                except Exception as exc:  # a broken version must not take the service down
                    log.error("could not load index version %s, still serving %s: %s", live, current.index.version, exc)
        return self._current
