"""The auditor: checks that the read models and the balances follow from the event store.

Modules, each one role of the check:

- ``reading``  read-only access to a database and its stored events, in one snapshot;
- ``rebuild``  replay every event through the live projectors into a fresh database;
- ``compare``  the one table comparer (the replay command and the tests use it);
- ``verify``   one pass that checks the hash chain, every ledger rule and every projection,
  with its books (``books``), rules (``lot_rules``, ``registration_rules``, ``lesson_rules``),
  chain walk (``chain_walk``), projection checks (``projection_checks``) and the schema's
  append-only triggers (``schema_checks``, read with sqlite-utils);
- ``terms``    the contract's terms and calendar arithmetic, restated by the auditor;
- ``balance``  every student's balance at a past instant, from the events alone.

How independent it is of the domain (``tangopass.ledger``): the auditor shares the domain's
*vocabulary* and nothing else. It decodes the stored events with the application's own event
classes (it must read the same bytes), uses their declared ledger entry types, the student
aggregate-id scheme and the ISO notation of instants. Every *rule* — the ranges of credits and
days, FIFO, expiry, the registration window, the month and day arithmetic of the studio time
zone — is restated in this package from the contract and never imported, so a bug in the domain
is caught by the audit instead of being shared with it. The rebuild, by design, runs the very
projector functions of the live hook (``tangopass.projections``): a rebuilt database equal to
the live one shows that the stored rows are what those functions make of the events.

Nothing here writes to the audited database: every connection to it is read-only.
"""
