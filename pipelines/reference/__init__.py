"""The reference files (`<sources>/reference/`): resolved one by one, checked, and the address registers."""
