"""Storage adapters: the one write path (load, decide, append once) and its stores.

``port`` names what a store offers; ``sqlite`` and ``postgres`` are the adapters;
``event_store`` loads aggregates and appends a command's events, projection
rows, hash-chain links, snapshots and idempotent answer in one transaction;
``runner`` runs a command inside that transaction, with bounded retries.
Read models (projectors, queries, export) live one folder up.
"""
