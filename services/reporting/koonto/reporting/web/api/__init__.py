"""The JSON (and file) API of reporting, one router per resource."""
