//! Synthetic trial logs as polars frames in canonical columns: a fraud or liveness detector,
//! a customer-service assistant and a red-team exercise, each with plausible rates, a weekly
//! rhythm, a model update half-way, and a few imperfections a real export has (unlabelled
//! recent events, rows from before the period).

use chrono::NaiveDate;
use chrono::TimeZone as _;
use chrono_tz::Tz;
use polars::prelude::*;

use super::draw::{Draws, categorical, log_normal};

/// When the events happen.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    pub start: NaiveDate,
    pub days: u32,
    pub tz: Tz,
    /// Hours before the period start that the export also covers (rows outside the period).
    pub lead_in_hours: u32,
}

impl Timeline {
    fn bounds_micros(&self) -> (i64, i64) {
        let midnight = self.start.and_hms_opt(0, 0, 0).expect("midnight exists");
        let start = self
            .tz
            .from_local_datetime(&midnight)
            .earliest()
            .expect("start exists");
        let begin = start.timestamp_micros() - i64::from(self.lead_in_hours) * 3_600_000_000;
        let end = start.timestamp_micros() + i64::from(self.days) * 86_400_000_000;
        (begin, end)
    }

    /// Sorted timestamps drawn uniformly over the timeline, as `timestamp` (UTC), plus
    /// `week` (0-based week of the period) and `weekend` (local Saturday or Sunday).
    fn columns(&self) -> Vec<Expr> {
        let (begin, end) = self.bounds_micros();
        let span = (end - begin) as f64;
        let ts = (lit(begin as f64) + col("u_time") * lit(span))
            .floor()
            .cast(DataType::Int64)
            .cast(DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ));
        vec![ts.alias("timestamp")]
    }

    fn derived(&self) -> Vec<Expr> {
        let (begin, _) = self.bounds_micros();
        let micros = col("timestamp").cast(DataType::Int64);
        let local_day = col("timestamp")
            .dt()
            .convert_time_zone(
                TimeZone::opt_try_new(Some(self.tz.name()))
                    .ok()
                    .flatten()
                    .unwrap_or(TimeZone::UTC),
            )
            .dt()
            .weekday();
        vec![
            ((micros - lit(begin)) / lit(7 * 86_400_000_000i64)).alias("week"),
            local_day.gt_eq(lit(6)).alias("weekend"),
        ]
    }

    /// Micros of the instant `days` days after the period start.
    pub fn day_micros(&self, days: u32) -> i64 {
        let (begin, _) = self.bounds_micros();
        begin + i64::from(self.lead_in_hours) * 3_600_000_000 + i64::from(days) * 86_400_000_000
    }
}

/// Sorts by time and numbers the events `PREFIX-10000001`, `PREFIX-10000002`, ….
fn sequence(frame: LazyFrame, prefix: &str) -> LazyFrame {
    frame
        .sort(["timestamp"], SortMultipleOptions::default())
        .with_column(
            concat_str(
                [
                    lit(format!("{prefix}-")),
                    (int_range(lit(0i64), len(), 1, DataType::Int64) + lit(10_000_001i64))
                        .cast(DataType::String),
                ],
                "",
                true,
            )
            .alias("event_id"),
        )
}

/// A yes/no classifier: fraud alerts or liveness checks.
#[derive(Debug, Clone)]
pub struct DetectionSpec {
    pub rows: usize,
    pub timeline: Timeline,
    pub id_prefix: String,
    /// Share of positives on weekdays; weekends have `weekend_factor` times as many.
    pub prevalence: f64,
    pub weekend_factor: f64,
    /// Mean score of positives and negatives; spread of scores.
    pub positive_mean: f64,
    pub negative_mean: f64,
    pub spread: f64,
    pub threshold: f64,
    /// Share of events in the last 14 days whose label is not yet known.
    pub recent_unlabelled: f64,
    pub with_amount: bool,
    /// Presentation-attack species with their share of all events and a score shift
    /// (harder species score lower). When set, `prevalence` is ignored.
    pub species: Vec<(String, f64, f64)>,
    /// Half the events come from an incumbent baseline with poorer separation.
    pub with_arms: bool,
    pub with_segments: bool,
    pub with_oversight: bool,
    pub models: (String, String),
}

pub fn detection(spec: &DetectionSpec, seed: u64) -> PolarsResult<DataFrame> {
    let mut draws = Draws::new(seed);
    let base = draws.frame(
        spec.rows,
        &[
            "u_time",
            "u_label",
            "u_unknown",
            "u_species",
            "u_arm",
            "u_age",
            "u_channel",
            "u_review",
            "u_override",
            "u_incident",
            "u_sev",
        ],
        &["z_score", "z_amount", "z_review"],
    )?;
    let tl = &spec.timeline;
    let recent = tl.day_micros(tl.days.saturating_sub(14));
    let second_half = tl.day_micros(tl.days / 2);
    let late = col("timestamp")
        .cast(DataType::Int64)
        .gt_eq(lit(second_half));
    let mut frame = base
        .lazy()
        .with_columns(tl.columns())
        .with_columns(tl.derived());
    frame = frame.with_columns([
        categorical(
            "u_age",
            &[
                ("18-29", 0.22),
                ("30-44", 0.33),
                ("45-59", 0.27),
                ("60+", 0.18),
            ],
        )
        .alias("age_band"),
        categorical(
            "u_channel",
            &[("mobile", 0.6), ("web", 0.3), ("branch", 0.1)],
        )
        .alias("channel"),
        when(col("u_arm").lt(lit(0.5)))
            .then(lit("ai"))
            .otherwise(lit("baseline"))
            .alias("arm"),
        when(late.clone())
            .then(lit(spec.models.1.as_str()))
            .otherwise(lit(spec.models.0.as_str()))
            .alias("model_version"),
    ]);
    let (label, shift) = if spec.species.is_empty() {
        let p = when(col("weekend"))
            .then(lit(spec.prevalence * spec.weekend_factor))
            .otherwise(lit(spec.prevalence));
        (col("u_label").lt(p), lit(0.0))
    } else {
        let choices: Vec<(&str, f64)> = spec
            .species
            .iter()
            .map(|(s, p, _)| (s.as_str(), *p))
            .collect();
        frame = frame.with_column(categorical("u_species", &choices).alias("attack_type"));
        let shift = spec.species.iter().fold(lit(0.0), |rest, (s, _, shift)| {
            when(col("attack_type").eq(lit(s.as_str())))
                .then(lit(*shift))
                .otherwise(rest)
        });
        (col("attack_type").neq(lit(crate::schema::BONA_FIDE)), shift)
    };
    let baseline = col("arm").eq(lit("baseline")).and(lit(spec.with_arms));
    let pos_mean = lit(spec.positive_mean) + shift + when(late).then(lit(0.03)).otherwise(lit(0.0));
    let neg_mean = lit(spec.negative_mean)
        + when(col("age_band").eq(lit("60+")))
            .then(lit(0.04))
            .otherwise(lit(0.0));
    let mean = when(col("truth")).then(pos_mean).otherwise(neg_mean);
    let mean = when(baseline)
        .then(lit(0.5) + (mean.clone() - lit(0.5)) * lit(0.7))
        .otherwise(mean);
    frame = frame
        .with_column(label.alias("truth"))
        .with_column(
            (mean + lit(spec.spread) * col("z_score"))
                .clip(lit(0.001), lit(0.999))
                .round(3, RoundMode::HalfToEven)
                .alias("score"),
        )
        .with_column(col("score").gt_eq(lit(spec.threshold)).alias("decision"));
    let unknown = when(col("timestamp").cast(DataType::Int64).gt_eq(lit(recent)))
        .then(lit(spec.recent_unlabelled))
        .otherwise(lit(0.004));
    frame = frame.with_column(
        when(col("u_unknown").lt(unknown))
            .then(lit(NULL).cast(DataType::Boolean))
            .otherwise(col("truth"))
            .alias("label"),
    );
    frame = frame.with_columns([
        (log_normal("z_amount", 6.0, 1.1) * when(col("truth")).then(lit(2.5)).otherwise(lit(1.0)))
            .round(2, RoundMode::HalfToEven)
            .alias("amount"),
        col("decision")
            .and(col("u_review").lt(lit(0.93)))
            .alias("human_reviewed"),
    ]);
    frame = frame.with_columns([
        col("human_reviewed")
            .and(col("u_override").lt(when(col("truth")).then(lit(0.02)).otherwise(lit(0.55))))
            .alias("human_override"),
        when(col("human_reviewed"))
            .then(log_normal("z_review", 4.6, 0.6).round(1, RoundMode::HalfToEven))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("review_seconds"),
        incident(&[("customer_complaint", 0.7), ("false_block", 0.3)], 0.0015),
    ]);
    frame = frame.with_column(severity());
    let mut keep = vec![
        "event_id",
        "timestamp",
        "model_version",
        "decision",
        "label",
        "score",
    ];
    if !spec.species.is_empty() {
        keep.push("attack_type");
    }
    if spec.with_amount {
        keep.push("amount");
    }
    if spec.with_arms {
        keep.push("arm");
    }
    if spec.with_segments {
        keep.extend(["age_band", "channel"]);
    }
    if spec.with_oversight {
        keep.extend([
            "human_reviewed",
            "human_override",
            "review_seconds",
            "incident_type",
            "incident_severity",
        ]);
    }
    sequence(frame, &spec.id_prefix)
        .select(keep.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// An incident of one of `types` on a share `rate` of events (`u_incident`).
fn incident(types: &[(&str, f64)], rate: f64) -> Expr {
    let scaled = col("u_incident") / lit(rate);
    let mut cumulative = 0.0;
    let mut bounds = Vec::new();
    for (t, p) in types {
        cumulative += p;
        bounds.push((*t, cumulative));
    }
    bounds
        .iter()
        .rev()
        .fold(lit(NULL).cast(DataType::String), |rest, (t, b)| {
            when(scaled.clone().lt(lit(*b)))
                .then(lit(*t))
                .otherwise(rest)
        })
        .alias("incident_type")
}

/// A severity for every incident (`u_sev`), null where there is none.
fn severity() -> Expr {
    when(col("incident_type").is_not_null())
        .then(categorical(
            "u_sev",
            &[
                ("low", 0.58),
                ("medium", 0.28),
                ("high", 0.11),
                ("critical", 0.03),
            ],
        ))
        .otherwise(lit(NULL).cast(DataType::String))
        .alias("incident_severity")
}

/// A GenAI customer-service assistant.
#[derive(Debug, Clone)]
pub struct AssistantSpec {
    pub rows: usize,
    pub timeline: Timeline,
    pub id_prefix: String,
    pub escalation: f64,
    pub abandonment: f64,
    pub hallucination: f64,
    pub latency_median_ms: f64,
    pub models: (String, String),
}

pub fn assistant(spec: &AssistantSpec, seed: u64) -> PolarsResult<DataFrame> {
    let mut draws = Draws::new(seed);
    let base = draws.frame(
        spec.rows,
        &[
            "u_time",
            "u_outcome",
            "u_age",
            "u_channel",
            "u_judged",
            "u_halluc",
            "u_asked",
            "u_csat",
            "u_review",
            "u_override",
            "u_incident",
            "u_sev",
        ],
        &["z_latency", "z_in", "z_out", "z_review"],
    )?;
    let tl = &spec.timeline;
    let second_half = tl.day_micros(tl.days / 2);
    let late = col("timestamp")
        .cast(DataType::Int64)
        .gt_eq(lit(second_half));
    let older = col("age_band").eq(lit("60+"));
    let escalation = lit(spec.escalation)
        * when(late.clone()).then(lit(0.85)).otherwise(lit(1.0))
        * when(older).then(lit(1.35)).otherwise(lit(1.0))
        * when(col("channel").eq(lit("whatsapp")))
            .then(lit(1.15))
            .otherwise(lit(1.0));
    let frame =
        base.lazy()
            .with_columns(tl.columns())
            .with_columns(tl.derived())
            .with_columns([
                categorical(
                    "u_age",
                    &[
                        ("18-29", 0.24),
                        ("30-44", 0.34),
                        ("45-59", 0.26),
                        ("60+", 0.16),
                    ],
                )
                .alias("age_band"),
                categorical(
                    "u_channel",
                    &[("app", 0.5), ("web", 0.35), ("whatsapp", 0.15)],
                )
                .alias("channel"),
                when(late.clone())
                    .then(lit(spec.models.1.as_str()))
                    .otherwise(lit(spec.models.0.as_str()))
                    .alias("model_version"),
            ])
            .with_column(escalation.alias("p_escalate"))
            .with_column(
                when(col("u_outcome").lt(col("p_escalate")))
                    .then(lit("escalated"))
                    .when(col("u_outcome").lt(col("p_escalate") + lit(spec.abandonment)))
                    .then(lit("abandoned"))
                    .otherwise(lit("resolved"))
                    .alias("outcome"),
            )
            .with_columns([
                log_normal("z_latency", spec.latency_median_ms.ln(), 0.45)
                    .round(1, RoundMode::HalfToEven)
                    .alias("latency_ms"),
                log_normal("z_in", 6.3, 0.5)
                    .round(0, RoundMode::HalfToEven)
                    .cast(DataType::Int64)
                    .alias("input_tokens"),
                log_normal("z_out", 5.2, 0.4)
                    .round(0, RoundMode::HalfToEven)
                    .cast(DataType::Int64)
                    .alias("output_tokens"),
                when(col("u_judged").lt(lit(0.4)))
                    .then(
                        col("u_halluc")
                            .lt(lit(spec.hallucination)
                                * when(late).then(lit(0.7)).otherwise(lit(1.0))),
                    )
                    .otherwise(lit(NULL).cast(DataType::Boolean))
                    .alias("hallucination"),
                csat().alias("csat"),
                col("u_review").lt(lit(0.15)).alias("human_reviewed"),
            ])
            .with_columns([
                ((col("input_tokens").cast(DataType::Float64) * lit(0.0000195)
                    + col("output_tokens").cast(DataType::Float64) * lit(0.000078))
                .round(5, RoundMode::HalfToEven))
                .alias("cost"),
                col("human_reviewed")
                    .and(col("u_override").lt(lit(0.09)))
                    .alias("human_override"),
                when(col("human_reviewed"))
                    .then(log_normal("z_review", 4.0, 0.5).round(1, RoundMode::HalfToEven))
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("review_seconds"),
                when(
                    col("hallucination")
                        .fill_null(lit(false))
                        .and(col("u_incident").lt(lit(0.5))),
                )
                .then(lit("hallucination"))
                .when(col("u_incident").gt(lit(0.9994)))
                .then(lit("pii_leak"))
                .when(col("u_incident").gt(lit(0.9985)))
                .then(lit("prompt_injection"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("incident_type"),
            ])
            .with_column(severity());
    let keep = [
        "event_id",
        "timestamp",
        "model_version",
        "outcome",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "cost",
        "hallucination",
        "csat",
        "age_band",
        "channel",
        "human_reviewed",
        "human_override",
        "review_seconds",
        "incident_type",
        "incident_severity",
    ];
    sequence(frame, &spec.id_prefix)
        .select(keep.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}

/// Satisfaction answers from about a fifth of customers, better when resolved.
fn csat() -> Expr {
    let answered = col("u_asked").lt(lit(0.22));
    let resolved = col("outcome").eq(lit("resolved"));
    let score = when(resolved)
        .then(bucket("u_csat", &[0.03, 0.07, 0.17, 0.5]))
        .otherwise(bucket("u_csat", &[0.2, 0.42, 0.7, 0.9]));
    when(answered)
        .then(score)
        .otherwise(lit(NULL).cast(DataType::Int64))
}

/// 1 + the number of `bounds` the uniform column exceeds.
fn bucket(uniform: &str, bounds: &[f64]) -> Expr {
    bounds.iter().fold(lit(1i64), |acc, b| {
        acc + col(uniform).gt_eq(lit(*b)).cast(DataType::Int64)
    })
}

/// A red-team exercise: attack attempts per category, plus benign controls.
#[derive(Debug, Clone)]
pub struct RedteamSpec {
    pub rows: usize,
    pub timeline: Timeline,
    pub id_prefix: String,
    /// (category, share of attempts, success rate).
    pub categories: Vec<(String, f64, f64)>,
    pub benign_share: f64,
    pub over_refusal: f64,
    pub models: (String, String),
}

pub fn redteam(spec: &RedteamSpec, seed: u64) -> PolarsResult<DataFrame> {
    let mut draws = Draws::new(seed);
    let base = draws.frame(
        spec.rows,
        &["u_time", "u_cat", "u_benign", "u_success", "u_refuse"],
        &[],
    )?;
    let choices: Vec<(&str, f64)> = spec
        .categories
        .iter()
        .map(|(c, p, _)| (c.as_str(), *p))
        .collect();
    let success_rate = spec.categories.iter().fold(lit(0.0), |rest, (c, _, rate)| {
        when(col("attack_category").eq(lit(c.as_str())))
            .then(lit(*rate))
            .otherwise(rest)
    });
    let tl = &spec.timeline;
    let late = col("timestamp")
        .cast(DataType::Int64)
        .gt_eq(lit(tl.day_micros(tl.days / 2)));
    let frame = base
        .lazy()
        .with_columns(tl.columns())
        .with_columns([
            categorical("u_cat", &choices).alias("attack_category"),
            col("u_benign").lt(lit(spec.benign_share)).alias("benign"),
            when(late.clone())
                .then(lit(spec.models.1.as_str()))
                .otherwise(lit(spec.models.0.as_str()))
                .alias("model_version"),
        ])
        .with_column(
            when(col("benign"))
                .then(lit(NULL).cast(DataType::Boolean))
                .otherwise(
                    col("u_success")
                        .lt(success_rate * when(late).then(lit(0.6)).otherwise(lit(1.0))),
                )
                .alias("attack_success"),
        )
        .with_column(
            when(col("benign"))
                .then(col("u_refuse").lt(lit(spec.over_refusal)))
                .otherwise(
                    col("attack_success")
                        .not()
                        .and(col("u_refuse").lt(lit(0.9))),
                )
                .alias("refused"),
        );
    let keep = [
        "event_id",
        "timestamp",
        "model_version",
        "attack_category",
        "benign",
        "attack_success",
        "refused",
    ];
    sequence(frame, &spec.id_prefix)
        .select(keep.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
}
