"""Great Expectations suites (kept in expectations/) run on parsed frames before anything loads."""
