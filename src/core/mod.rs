//! Platform-independent client core.
