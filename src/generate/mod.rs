//! The seeded synthetic-data generator: realistic trial logs for the bundled samples and
//! large streams for benchmarks. Random draws come from a ChaCha generator (stable across
//! platforms and versions); every column is then derived with polars expressions.

pub mod bundles;
mod cohort;
mod draw;
mod frames;
mod kpis;
pub mod samples;
mod scans;
pub mod stream;
mod write;
