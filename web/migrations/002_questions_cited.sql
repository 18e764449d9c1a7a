-- The documents each answer quoted, for the admin's most-cited statistics (as in the SQLite store).
ALTER TABLE questions ADD COLUMN cited text NOT NULL DEFAULT '[]';  -- JSON list of document titles
