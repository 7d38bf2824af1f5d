"""The run around the flow: one run per warehouse at a time (lock), the record of every run (runlog),
and what the operating commands (schedule, status, alerts) build on."""
