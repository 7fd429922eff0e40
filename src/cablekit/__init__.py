"""cablekit: parse, archive, search, secure and compose diplomatic cables."""
