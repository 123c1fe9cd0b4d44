"""Pure advisory logic: the case lifecycle, working days, service levels, call notices. No store, no broker."""
