"""Pure notify logic: message kinds and consent, SMS segments, quiet hours, retries, calendar files, keys."""
