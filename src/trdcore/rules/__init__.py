"""Pure functions that turn data into judgements; no I/O, no clock."""
