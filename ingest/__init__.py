"""Documents in, chunk records out: load, clean, describe and split."""
