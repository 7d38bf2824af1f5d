"""Further sample programmes beside the Slagelse one: each proves the warehouse serves many helhedsplaner."""
