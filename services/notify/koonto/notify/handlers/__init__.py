"""One module per group of incoming events (`people`, `ideas`, `staff`, `announcements`); each handler is thin:
`on_<event>(event, ctx, deps)` -> plan deliveries (or record what later messages need) -> write. Each module ends
with its rows of the subscription table."""
