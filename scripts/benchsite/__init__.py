"""Settings used only by scripts/bench.py: the production settings plus one reference page, /bench/bare/."""
