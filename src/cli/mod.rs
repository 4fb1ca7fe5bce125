//! Command-line commands that start from the whole configuration. They sit above the
//! domains so that no domain needs the configuration itself.

pub mod sync;
