"""notify's use cases, one module per concern: planning, sending (claim -> send -> record) and its worker loop,
fan-out, the daily digest, recovery, and the preference links. They raise domain errors
(`koonto.notify.domain.errors`), never HTTP ones."""
