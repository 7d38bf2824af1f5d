"""What every stage of a run may use: where state lives, the run records, the disk check, the test pause hook."""
