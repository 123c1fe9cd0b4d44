"""Partner suggestions: which other associations have similar ideas (pure; the index lives in memory)."""
