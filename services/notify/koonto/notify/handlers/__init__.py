"""One module per group of incoming events; each handler is thin: decode -> plan deliveries -> write."""
