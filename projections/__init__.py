"""Read models: event → statement functions (run by the event store in the same
transaction as the event append), the queries, the schema, and storage/ (the
port, the SQLite and PostgreSQL adapters, the one write path)."""
