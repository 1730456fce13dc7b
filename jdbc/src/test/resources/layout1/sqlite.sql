-- The tables of the first release (layout 1), as SqliteBackend created them.
CREATE TABLE ps_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE ps_profiles (store TEXT NOT NULL, pkey TEXT NOT NULL, payload BLOB, epoch INTEGER NOT NULL DEFAULT 0, owner_server TEXT, owner_place TEXT, owner_job TEXT, inbox BLOB, inbox_version INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (store, pkey));
CREATE INDEX ps_profiles_owned ON ps_profiles (store, pkey) WHERE owner_server IS NOT NULL;
CREATE TABLE ps_servers (server_id TEXT PRIMARY KEY, place_id TEXT, job_id TEXT, expires_at INTEGER NOT NULL);
CREATE TABLE ps_quarantine (id INTEGER PRIMARY KEY AUTOINCREMENT, store TEXT NOT NULL, pkey TEXT NOT NULL, payload BLOB NOT NULL, reason TEXT NOT NULL, at_millis INTEGER NOT NULL);
CREATE INDEX ps_quarantine_key ON ps_quarantine (store, pkey);
CREATE TABLE ps_messages (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX ps_messages_target ON ps_messages (target, id);
INSERT INTO ps_schema (component, version) VALUES ('profiles', 1)
