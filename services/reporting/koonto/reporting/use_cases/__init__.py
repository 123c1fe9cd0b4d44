"""Use cases of reporting: projecting events into the read models, building reports."""
