"""Developer tools, run as scripts; ``tools.pgcluster`` is also imported by the tests."""
