"""The staff API, one router per resource."""
