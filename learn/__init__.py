"""Learning from question/answer data: the query→statute vocabulary and the candidate ranker.

Above `index/` in the pipeline: it reads an index and a question file and writes the learned
tables that `index/` applies (`index/learned/*.json`). `python -m learn` retrains them
deterministically; `python -m eval --folds N` retrains them per fold to measure them.
"""
