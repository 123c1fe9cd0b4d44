"""HTTP side of intake: the JSON API under /api/v1 and the public pages (forms work without JavaScript)."""
