"""The national-scale benchmark data set (issue 8)."""
