-- Index versions in PostgreSQL. Chunk and document records are stored once, keyed by a hash of their
-- content, and shared by every version that holds them; a version is its manifest, its row order
-- (version_rows), its documents and its keyword-index files. Vectors live in `embeddings`, which is
-- also the embedding cache: one row per (model, text), found by the HNSW index of its model.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE embedding_models (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    dimension int NOT NULL CHECK (dimension > 0)
);

CREATE TABLE embeddings (
    model_id int NOT NULL REFERENCES embedding_models (id),
    text_hash bytea NOT NULL,          -- sha1 of the chunk's search text
    embedding vector NOT NULL,         -- L2-normalised: inner product is cosine
    PRIMARY KEY (model_id, text_hash)
);
-- Each model gets a partial HNSW index on embedding::vector(dimension), created with its first version
-- (index/stores/postgres.py): a vector index needs a fixed dimension.

CREATE TABLE chunk_records (
    hash bytea PRIMARY KEY,            -- sha1 of the chunk's JSON: equal records are stored once
    text_hash bytea NOT NULL,
    doc_id text NOT NULL,
    source text NOT NULL,
    title text NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    start_at int NOT NULL,
    end_at int NOT NULL,
    article text NOT NULL,
    part int NOT NULL,
    heading_path text[] NOT NULL,
    region text NOT NULL,
    date text NOT NULL,
    warning text NOT NULL
);
CREATE INDEX chunk_records_doc ON chunk_records (doc_id);

CREATE TABLE document_records (
    hash bytea PRIMARY KEY,            -- sha1 of the document's JSON (its text and what was read from it)
    doc_id text NOT NULL,
    record jsonb NOT NULL
);

CREATE TABLE index_versions (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,         -- v20261125-163447-727061, as the folder store names them
    model_id int NOT NULL REFERENCES embedding_models (id),
    manifest jsonb NOT NULL,
    chunk_count int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE version_rows (
    version_id bigint NOT NULL REFERENCES index_versions (id) ON DELETE CASCADE,
    row_number int NOT NULL,           -- the chunk's row in the loaded index (keyword and dense sides agree on it)
    chunk_hash bytea NOT NULL REFERENCES chunk_records (hash),
    text_hash bytea NOT NULL,          -- the chunk's, repeated here: loading a version reads this narrow table only
    PRIMARY KEY (version_id, row_number)
);
CREATE INDEX version_rows_chunk ON version_rows (chunk_hash);

CREATE TABLE version_documents (
    version_id bigint NOT NULL REFERENCES index_versions (id) ON DELETE CASCADE,
    position int NOT NULL,
    document_hash bytea NOT NULL REFERENCES document_records (hash),
    PRIMARY KEY (version_id, position)
);
CREATE INDEX version_documents_document ON version_documents (document_hash);

CREATE TABLE version_files (           -- the keyword index as bm25s saves it (.npy and .json, no pickles)
    version_id bigint NOT NULL REFERENCES index_versions (id) ON DELETE CASCADE,
    name text NOT NULL,
    sha256 text NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (version_id, name)
);

CREATE TABLE live_version (            -- the pointer: one row; moved in the transaction that writes a version
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version_id bigint NOT NULL REFERENCES index_versions (id),
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    entry jsonb NOT NULL               -- at, who, action, target, result, version, added, removed, errors
);
