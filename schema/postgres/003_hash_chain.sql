-- Tango Pass schema for PostgreSQL, part 3: the hash chain (twin of ../003_hash_chain.sql;
-- the algorithm is projections/chain.py, the same bytes on both stores).

CREATE TABLE IF NOT EXISTS event_hash_chain (
    notification_id BIGINT PRIMARY KEY,  -- stored_events.rowid
    link TEXT NOT NULL                   -- lowercase hex sha256
);

DROP TRIGGER IF EXISTS event_hash_chain_append_only ON event_hash_chain;
CREATE TRIGGER event_hash_chain_append_only BEFORE UPDATE OR DELETE ON event_hash_chain
FOR EACH ROW EXECUTE FUNCTION tangopass_append_only();

DROP TRIGGER IF EXISTS event_hash_chain_no_truncate ON event_hash_chain;
CREATE TRIGGER event_hash_chain_no_truncate BEFORE TRUNCATE ON event_hash_chain
FOR EACH STATEMENT EXECUTE FUNCTION tangopass_append_only();
