//! Detection-rule TOML files: loading with spans and shape checks.
