"""One module per group of incoming events; each handler is thin: `on_<event>(event, ctx, deps)` -> plan
deliveries (or record what later messages need) -> write."""
