"""Exit codes shared by every `segur-bench` command (CONVENTIONS: Commands)."""

PASS = 0
LGO_FAILED = 1
BENCH_FAILED = 2
USAGE = 3  # usage error, or a command not available yet ("pas encore disponible")
COVERAGE_GAP = 4
