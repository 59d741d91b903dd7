//! Use-case tests with in-memory ports (being written).
