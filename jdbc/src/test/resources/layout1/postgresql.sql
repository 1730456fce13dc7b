-- The tables of the first release (layout 1), as PostgresBackend created them.
CREATE TABLE ps_schema (component TEXT PRIMARY KEY, version INT NOT NULL);
CREATE TABLE ps_profiles (store TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL, payload BYTEA, epoch BIGINT NOT NULL DEFAULT 0, owner_server TEXT, owner_place TEXT, owner_job TEXT, inbox BYTEA, inbox_version BIGINT NOT NULL DEFAULT 0, revision BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (store, pkey)) WITH (fillfactor = 80);
CREATE INDEX ps_profiles_owned ON ps_profiles (store, pkey) WHERE owner_server IS NOT NULL;
CREATE TABLE ps_servers (server_id TEXT PRIMARY KEY, place_id TEXT, job_id TEXT, expires_at BIGINT NOT NULL);
CREATE TABLE ps_quarantine (id BIGSERIAL PRIMARY KEY, store TEXT COLLATE "C" NOT NULL, pkey TEXT COLLATE "C" NOT NULL, payload BYTEA NOT NULL, reason TEXT NOT NULL, at_millis BIGINT NOT NULL);
CREATE INDEX ps_quarantine_key ON ps_quarantine (store, pkey);
CREATE TABLE ps_messages (id BIGSERIAL PRIMARY KEY, target TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX ps_messages_target ON ps_messages (target, id);
INSERT INTO ps_schema (component, version) VALUES ('profiles', 1)
