"""One module per resource the incoming events change (`cases`, `trainings`); each holds its thin handlers,
`on_<event>(event, ctx, deps)` -> use case -> write, and below them its rows of the subscription table."""
