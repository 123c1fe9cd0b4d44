"""Turning one incoming event into read-model writes; the same code serves live consumers and the replay."""
