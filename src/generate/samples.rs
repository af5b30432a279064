//! The bundled sample submissions: four fictional banks, each trialling one use case, with
//! configs, narrative and logs exported the way banks export them (native column names,
//! several formats, files split into nested folders). `sandbox-report-gen samples DIR`
//! writes them; the committed `sample-data/` is exactly that output with the default seed.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use polars::prelude::*;

use super::frames::{self, AssistantSpec, DetectionSpec, RedteamSpec, Timeline};
use super::kpis;
use super::write::{TimeStyle, style_timestamps, write_frame};
use crate::error::{Error, Result};

const HK: Tz = chrono_tz::Asia::Hong_Kong;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn data_error(err: PolarsError) -> Error {
    Error::Data {
        stream: "generator".into(),
        source: err,
    }
}

/// Writes every sample submission into `dir`; returns the files written.
pub fn write_all(dir: &Path, seed: u64) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let harbour = Texts {
        config: CARD_FRAUD_YAML,
        lessons: Some(CARD_FRAUD_LESSONS),
        kpis: "exports/kpi-sheet/harbour-kpis-2025Q3.csv",
    };
    written.extend(
        card_fraud(
            &dir.join("submissions/harbour-bank-card-fraud"),
            seed,
            &harbour,
        )
        .map_err(data_error)?,
    );
    // The same trial data reported in Traditional Chinese by a bank with a Chinese name.
    let kowloon_bay = Texts {
        config: CARD_FRAUD_ZH_YAML,
        lessons: Some(CARD_FRAUD_ZH_LESSONS),
        kpis: "exports/kpi-sheet/kowloon-bay-kpis-2025Q3.csv",
    };
    written.extend(
        card_fraud(
            &dir.join("submissions/kowloon-bay-bank-card-fraud-zh"),
            seed,
            &kowloon_bay,
        )
        .map_err(data_error)?,
    );
    written.extend(
        liveness(&dir.join("submissions/lantern-bank-liveness"), seed + 1).map_err(data_error)?,
    );
    let peak = Texts {
        config: ASSISTANT_YAML,
        lessons: Some(ASSISTANT_LESSONS),
        kpis: "warehouse/kpis/monthly-kpis.jsonl",
    };
    written.extend(
        assistant(
            &dir.join("submissions/peak-bank-assistant"),
            seed + 2,
            &peak,
        )
        .map_err(data_error)?,
    );
    // The same assistant data reported in English and Traditional Chinese together.
    let tsing_yi = Texts {
        config: ASSISTANT_BILINGUAL_YAML,
        lessons: None,
        kpis: "warehouse/kpis/monthly-kpis.jsonl",
    };
    written.extend(
        assistant(
            &dir.join("submissions/tsing-yi-bank-assistant-bilingual"),
            seed + 2,
            &tsing_yi,
        )
        .map_err(data_error)?,
    );
    written.extend(
        redteam(&dir.join("submissions/junk-bay-bank-redteam"), seed + 3).map_err(data_error)?,
    );
    written.extend(super::cohort::write(&dir.join("cohort"), seed + 10).map_err(data_error)?);
    Ok(written)
}

/// The texts of one sample submission: its config, its lessons narrative file (if any) and
/// where its KPI sheet goes.
struct Texts {
    config: &'static str,
    lessons: Option<&'static str>,
    kpis: &'static str,
}

/// Writes the config and the narrative file of a sample.
fn write_texts(dir: &Path, texts: &Texts, written: &mut Vec<PathBuf>) -> PolarsResult<()> {
    written.push(text_file(dir.join("submission.yaml"), texts.config)?);
    if let Some(lessons) = texts.lessons {
        written.push(text_file(dir.join("narrative/lessons.md"), lessons)?);
    }
    Ok(())
}

pub(super) fn text_file(path: PathBuf, text: &str) -> PolarsResult<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Splits `frame` by the local month of `timestamp` and writes one file per month, naming
/// each with `name(month)` (e.g. `2025-07/alerts.csv.gz`).
pub(super) fn write_monthly(
    frame: &DataFrame,
    dir: &Path,
    tz: Tz,
    name: &dyn Fn(&str) -> String,
    prepare: &dyn Fn(DataFrame) -> PolarsResult<DataFrame>,
) -> PolarsResult<Vec<PathBuf>> {
    let zone = TimeZone::opt_try_new(Some(tz.name()))
        .ok()
        .flatten()
        .unwrap_or(TimeZone::UTC);
    let keyed = frame
        .clone()
        .lazy()
        .with_column(
            col("timestamp")
                .dt()
                .convert_time_zone(zone)
                .dt()
                .to_string("%Y-%m")
                .alias("__month"),
        )
        .collect()?;
    let mut parts = keyed.partition_by_stable(["__month"], true)?;
    parts.sort_by_key(|p| {
        p.column("__month")
            .ok()
            .and_then(|c| c.str().ok()?.get(0).map(str::to_string))
    });
    let mut written = Vec::new();
    for part in parts {
        let month = part
            .column("__month")?
            .str()?
            .get(0)
            .unwrap_or("unknown")
            .to_string();
        let mut out = prepare(part.drop("__month")?)?;
        let path = dir.join(name(&month));
        write_frame(&mut out, &path)?;
        written.push(path);
    }
    Ok(written)
}

fn card_fraud(dir: &Path, seed: u64, texts: &Texts) -> PolarsResult<Vec<PathBuf>> {
    let timeline = Timeline {
        start: date(2025, 6, 1),
        days: 92,
        tz: HK,
        lead_in_hours: 10,
    };
    let spec = DetectionSpec {
        rows: 12_000,
        timeline,
        id_prefix: "HB-TXN".into(),
        prevalence: 0.016,
        weekend_factor: 1.6,
        positive_mean: 0.71,
        negative_mean: 0.2,
        spread: 0.14,
        threshold: 0.52,
        recent_unlabelled: 0.3,
        with_amount: true,
        species: Vec::new(),
        with_arms: false,
        with_segments: true,
        with_oversight: true,
        models: ("txn-gbm-4.1".into(), "txn-gbm-4.2".into()),
    };
    let frame = frames::detection(&spec, seed)?;
    let native = |part: DataFrame| -> PolarsResult<DataFrame> {
        let part = style_timestamps(part, "timestamp", TimeStyle::LocalNaive(HK))?;
        part.lazy()
            .select([
                col("event_id").alias("txn_ref"),
                col("timestamp").alias("txn_time"),
                col("model_version").alias("model_ver"),
                when(col("decision"))
                    .then(lit("Y"))
                    .otherwise(lit("N"))
                    .alias("alert_flag"),
                when(col("label"))
                    .then(lit("FRAUD"))
                    .when(col("label").not())
                    .then(lit("GENUINE"))
                    .otherwise(lit(NULL).cast(DataType::String))
                    .alias("confirmed_fraud"),
                col("score").alias("risk_score"),
                col("amount").alias("amount_hkd"),
                col("age_band").alias("cust_age_band"),
                col("channel"),
                col("human_reviewed").alias("analyst_reviewed"),
                col("human_override").alias("analyst_overrode"),
                col("review_seconds").alias("review_secs"),
                col("incident_type"),
                col("incident_severity"),
            ])
            .collect()
    };
    let name = |month: &str| {
        let ext = if month == "2025-07" { "csv.gz" } else { "csv" };
        format!("exports/card-alerts/{month}/alerts-{month}.{ext}")
    };
    let mut written = write_monthly(&frame, dir, HK, &name, &native)?;
    let reported = kpis::reported(
        &frame,
        "card-fraud",
        crate::schema::StreamKind::Detection,
        &timeline,
        &[
            ("detection.recall", None, 0.003),
            ("detection.precision", None, -0.002),
            ("detection.fpr", None, 0.011),
            ("detection.alert_rate", None, 0.0004),
            ("detection.recall", Some(("age_band", "60+")), 0.001),
        ],
    )?;
    let mut reported = reported;
    let path = dir.join(texts.kpis);
    write_frame(&mut reported, &path)?;
    written.push(path);
    write_texts(dir, texts, &mut written)?;
    Ok(written)
}

fn liveness(dir: &Path, seed: u64) -> PolarsResult<Vec<PathBuf>> {
    let timeline = Timeline {
        start: date(2025, 7, 1),
        days: 92,
        tz: HK,
        lead_in_hours: 0,
    };
    let species = [
        ("bona_fide", 0.82, 0.0),
        ("printed_photo", 0.05, 0.1),
        ("screen_replay", 0.05, 0.05),
        ("face_swap", 0.04, -0.14),
        ("deepfake_video", 0.03, -0.2),
        ("mask_3d", 0.01, 0.0),
    ];
    let spec = DetectionSpec {
        rows: 8_000,
        timeline,
        id_prefix: "LB-LIV".into(),
        prevalence: 0.0,
        weekend_factor: 1.0,
        positive_mean: 0.8,
        negative_mean: 0.12,
        spread: 0.13,
        threshold: 0.5,
        recent_unlabelled: 0.0,
        with_amount: false,
        species: species
            .iter()
            .map(|(s, p, d)| (s.to_string(), *p, *d))
            .collect(),
        with_arms: true,
        with_segments: false,
        with_oversight: false,
        models: ("liveguard-2.0".into(), "liveguard-2.1".into()),
    };
    let frame = frames::detection(&spec, seed)?;
    let rfc = |part: DataFrame| style_timestamps(part, "timestamp", TimeStyle::Rfc3339(HK));
    let name = |month: &str| {
        let ext = if month == "2025-09" {
            "jsonl.gz"
        } else {
            "jsonl"
        };
        format!("logs/onboarding/{month}/liveness-checks.{ext}")
    };
    let mut written = write_monthly(&frame, dir, HK, &name, &rfc)?;
    written.push(text_file(dir.join("submission.yaml"), LIVENESS_YAML)?);
    Ok(written)
}

fn assistant(dir: &Path, seed: u64, texts: &Texts) -> PolarsResult<Vec<PathBuf>> {
    let timeline = Timeline {
        start: date(2025, 7, 1),
        days: 92,
        tz: HK,
        lead_in_hours: 0,
    };
    let spec = AssistantSpec {
        rows: 9_000,
        timeline,
        id_prefix: "PB-CHAT".into(),
        escalation: 0.22,
        abandonment: 0.07,
        hallucination: 0.035,
        latency_median_ms: 1650.0,
        models: ("peak-assist-1.4".into(), "peak-assist-1.5".into()),
    };
    let frame = frames::assistant(&spec, seed)?;
    let native = |part: DataFrame| style_timestamps(part, "timestamp", TimeStyle::Native(HK));
    let name = |month: &str| format!("warehouse/chat-sessions/month={month}/sessions.parquet");
    let mut written = write_monthly(&frame, dir, HK, &name, &native)?;
    let mut reported = kpis::reported(
        &frame,
        "cs-assistant",
        crate::schema::StreamKind::Assistant,
        &timeline,
        &[
            ("assistant.escalation_rate", None, -0.001),
            ("assistant.resolution_rate", None, 0.002),
            ("assistant.hallucination_rate", None, -0.009),
            ("assistant.csat_mean", None, 0.003),
        ],
    )?;
    let path = dir.join(texts.kpis);
    write_frame(&mut reported, &path)?;
    written.push(path);
    write_texts(dir, texts, &mut written)?;
    Ok(written)
}

fn redteam(dir: &Path, seed: u64) -> PolarsResult<Vec<PathBuf>> {
    let timeline = Timeline {
        start: date(2025, 8, 1),
        days: 31,
        tz: HK,
        lead_in_hours: 0,
    };
    let categories = [
        ("prompt_injection", 0.3, 0.07),
        ("jailbreak", 0.25, 0.1),
        ("data_exfiltration", 0.15, 0.025),
        ("voice_clone", 0.15, 0.14),
        ("face_swap", 0.15, 0.05),
    ];
    let spec = RedteamSpec {
        rows: 1_600,
        timeline,
        id_prefix: "JB-RT".into(),
        categories: categories
            .iter()
            .map(|(c, p, r)| (c.to_string(), *p, *r))
            .collect(),
        benign_share: 0.15,
        over_refusal: 0.06,
        models: ("guard-llm-0.9".into(), "guard-llm-1.0".into()),
    };
    let frame = frames::redteam(&spec, seed)?;
    let naive = |part: DataFrame| style_timestamps(part, "timestamp", TimeStyle::LocalNaive(HK));
    let name = |month: &str| format!("exercise/round-1/{month}/attempts.csv.gz");
    let mut written = write_monthly(&frame, dir, HK, &name, &naive)?;
    written.push(text_file(dir.join("submission.yaml"), REDTEAM_YAML)?);
    written.extend(super::scans::write(dir)?);
    Ok(written)
}

const CARD_FRAUD_YAML: &str = include_str!("samples/card-fraud.yaml");
const CARD_FRAUD_LESSONS: &str = include_str!("samples/card-fraud-lessons.md");
const CARD_FRAUD_ZH_YAML: &str = include_str!("samples/card-fraud-zh.yaml");
const CARD_FRAUD_ZH_LESSONS: &str = include_str!("samples/card-fraud-zh-lessons.md");
const LIVENESS_YAML: &str = include_str!("samples/liveness.yaml");
const ASSISTANT_YAML: &str = include_str!("samples/assistant.yaml");
const ASSISTANT_LESSONS: &str = include_str!("samples/assistant-lessons.md");
const ASSISTANT_BILINGUAL_YAML: &str = include_str!("samples/assistant-bilingual.yaml");
const REDTEAM_YAML: &str = include_str!("samples/redteam.yaml");
