"""Pure logic of reporting: what each event contributes, working days, the report and its tables."""
