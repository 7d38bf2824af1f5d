"""Delivery: the inbox scan and ledger decisions, the file-name contract, reading a delivered file's tables."""
