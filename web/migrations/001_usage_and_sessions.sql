-- What users asked and thought of it (the same columns as the SQLite usage store, so the queries in
-- web/usage.py serve both), and the admin state every replica must share.
CREATE TABLE questions (
    id bigserial PRIMARY KEY,
    asked_at text NOT NULL,            -- ISO 8601, UTC, as in SQLite
    question text NOT NULL,
    refused integer NOT NULL
);
CREATE INDEX questions_refused ON questions (refused);

CREATE TABLE feedback (
    id bigserial PRIMARY KEY,
    created_at text NOT NULL,
    rating integer NOT NULL,           -- 1 for 👍, -1 for 👎
    question text NOT NULL,
    answer text NOT NULL,
    refused integer NOT NULL,
    citations text NOT NULL            -- JSON list of the citation labels and chunk ids
);

-- Upload tokens handed to a logged-in admin's browser: an upload may reach another replica.
CREATE TABLE admin_upload_tokens (
    token_hash bytea PRIMARY KEY,      -- sha256 of the token: a reader of the table cannot reuse one
    issued_at double precision NOT NULL  -- seconds since the epoch
);

-- Failed admin logins per client: guesses spread over replicas are counted together.
CREATE TABLE admin_login_failures (
    client text PRIMARY KEY,
    failures integer NOT NULL,
    last_failure double precision NOT NULL  -- seconds since the epoch
);
