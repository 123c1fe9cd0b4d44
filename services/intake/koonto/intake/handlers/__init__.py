"""One module per resource the incoming events change (`ideas`, `calls`, `scheduled_events`, `people`); each holds
its handlers, `on_<event>(event, ctx, deps)` -> domain -> one idempotent write, and below them its rows of the
subscription table."""
