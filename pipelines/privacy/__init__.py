"""Personal data: the only package that ever sees a CPR number."""
