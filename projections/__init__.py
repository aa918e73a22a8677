"""Read models: event → row functions, the recorder hook that runs them in the
same transaction as the event append, the schema, and the rebuild."""
