"""One module per incoming event; each is thin: decode (done by the consumer) -> use case -> write."""
