//! Benchmark-sized streams: one synthetic log file of any length, in canonical column names,
//! for a detection, assistant or red-team stream over a 92-day period from 2025-06-01 (Hong
//! Kong time). The format follows the file name.

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;

use super::frames::{self, AssistantSpec, DetectionSpec, RedteamSpec, Timeline};
use super::write::{TimeStyle, style_timestamps, write_frame};
use crate::error::{Error, Result};

/// The kind of stream to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Detection,
    Assistant,
    Redteam,
}

/// The timeline of every benchmark stream.
pub fn timeline() -> Timeline {
    Timeline {
        start: NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid date"),
        days: 92,
        tz: chrono_tz::Asia::Hong_Kong,
        lead_in_hours: 2,
    }
}

/// Writes `rows` events of `kind` to `out`; returns the number of rows written.
pub fn write(kind: Kind, rows: usize, seed: u64, out: &Path) -> Result<usize> {
    let data = |source| Error::Data {
        stream: "generator".into(),
        source,
    };
    let frame = frame(kind, rows, seed).map_err(data)?;
    let name = out.to_string_lossy().to_ascii_lowercase();
    let tz = timeline().tz;
    let style = if name.contains(".parquet") {
        TimeStyle::Native(tz)
    } else if name.contains(".jsonl") || name.contains(".ndjson") {
        TimeStyle::Rfc3339(tz)
    } else {
        TimeStyle::LocalNaive(tz)
    };
    let mut styled = style_timestamps(frame, "timestamp", style).map_err(data)?;
    write_frame(&mut styled, out).map_err(data)?;
    Ok(styled.height())
}

fn frame(kind: Kind, rows: usize, seed: u64) -> PolarsResult<DataFrame> {
    let timeline = timeline();
    match kind {
        Kind::Detection => frames::detection(
            &DetectionSpec {
                rows,
                timeline,
                id_prefix: "BENCH-DET".into(),
                prevalence: 0.02,
                weekend_factor: 1.5,
                positive_mean: 0.72,
                negative_mean: 0.2,
                spread: 0.15,
                threshold: 0.5,
                recent_unlabelled: 0.3,
                with_amount: true,
                species: Vec::new(),
                with_arms: false,
                with_segments: true,
                with_oversight: true,
                models: ("bench-1".into(), "bench-2".into()),
            },
            seed,
        ),
        Kind::Assistant => frames::assistant(
            &AssistantSpec {
                rows,
                timeline,
                id_prefix: "BENCH-AST".into(),
                escalation: 0.2,
                abandonment: 0.06,
                hallucination: 0.03,
                latency_median_ms: 1500.0,
                models: ("bench-1".into(), "bench-2".into()),
            },
            seed,
        ),
        Kind::Redteam => frames::redteam(
            &RedteamSpec {
                rows,
                timeline,
                id_prefix: "BENCH-RT".into(),
                categories: vec![
                    ("prompt_injection".into(), 0.4, 0.06),
                    ("jailbreak".into(), 0.4, 0.08),
                    ("data_exfiltration".into(), 0.2, 0.02),
                ],
                benign_share: 0.1,
                over_refusal: 0.05,
                models: ("bench-1".into(), "bench-2".into()),
            },
            seed,
        ),
    }
}
