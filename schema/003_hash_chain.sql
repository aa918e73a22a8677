-- Tango Pass schema, part 3: tamper evidence for the event store.
-- Every appended event extends a hash chain, written by the recorder hook in
-- the same transaction as the event (projections/chain.py has the algorithm):
--   link(n) = sha256(link(previous event) || canonical bytes of event n)
-- where the canonical bytes cover the notification id (rowid), originator_id,
-- originator_version, topic and state, each length-prefixed. The first link
-- starts from sha256('tangopass event hash chain v1').
-- `tangopass verify` recomputes every link from the events and names the first
-- broken one; `tangopass verify --head` prints the newest link to write down,
-- and `--expect-head` proves nothing before that point was rewritten.
-- The table is append-only, like the event store (see 002).

CREATE TABLE IF NOT EXISTS event_hash_chain (
    notification_id INTEGER PRIMARY KEY,  -- stored_events.rowid
    link TEXT NOT NULL                     -- lowercase hex sha256
);

CREATE TRIGGER IF NOT EXISTS event_hash_chain_no_update
BEFORE UPDATE ON event_hash_chain
BEGIN SELECT RAISE(ABORT, 'event_hash_chain is append-only: UPDATE refused'); END;

CREATE TRIGGER IF NOT EXISTS event_hash_chain_no_delete
BEFORE DELETE ON event_hash_chain
BEGIN SELECT RAISE(ABORT, 'event_hash_chain is append-only: DELETE refused'); END;

CREATE TRIGGER IF NOT EXISTS event_hash_chain_no_replace
BEFORE INSERT ON event_hash_chain
WHEN EXISTS (
    SELECT 1 FROM event_hash_chain WHERE notification_id = NEW.notification_id
)
BEGIN SELECT RAISE(ABORT, 'event_hash_chain is append-only: link already recorded'); END;
