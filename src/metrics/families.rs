//! The measures of each stream kind, as polars expressions over the canonical columns:
//! detection (confusion matrix, value, presentation-attack rates), assistant (outcomes,
//! quality, latency, cost), redteam (attack success, over-refusal), and oversight and
//! incidents, which any event stream may carry.

use polars::prelude::*;

use super::measure::{Measure, count_present, count_true};
use crate::schema::{BONA_FIDE, StreamKind};

/// The measures of a stream of `kind`; `has` tells which columns the stream has.
pub fn measures(kind: StreamKind, has: &dyn Fn(&str) -> bool) -> Vec<Measure> {
    let mut all = match kind {
        StreamKind::Detection => detection(has),
        StreamKind::Assistant => {
            let mut list = assistant();
            list.extend(hallucinations());
            list
        }
        StreamKind::Redteam => redteam(has),
        StreamKind::Kpis => return Vec::new(),
    };
    all.extend(oversight_and_incidents());
    all
}

fn decision() -> Expr {
    col("decision")
}

fn label() -> Expr {
    col("label")
}

fn tp() -> Expr {
    count_true(decision().and(label()))
}

fn fp() -> Expr {
    count_true(decision().and(label().not()))
}

fn tn() -> Expr {
    count_true(decision().not().and(label().not()))
}

fn fn_() -> Expr {
    count_true(decision().not().and(label()))
}

/// APCER over the attack presentations of a species: its rows, less those labelled genuine
/// (an export's `none` species of genuine attempts; `attack_type_genuine` names them).
fn apcer(has: &dyn Fn(&str) -> bool) -> Measure {
    if has("label") {
        let attack = label().fill_null(lit(true));
        Measure::ratio(
            "detection.apcer",
            count_true(decision().not().and(attack.clone())),
            count_true(attack),
        )
    } else {
        Measure::ratio("detection.apcer", count_true(decision().not()), len())
    }
}

fn detection(has: &dyn Fn(&str) -> bool) -> Vec<Measure> {
    let attack_type = col("attack_type");
    let bona_fide = attack_type.clone().eq(lit(BONA_FIDE));
    let mut list = vec![
        Measure::count("detection.events", len()),
        Measure::count("detection.labelled", count_present("label")),
        Measure::ratio("detection.alert_rate", count_true(decision()), len()),
        Measure::count("detection.tp", tp()),
        Measure::count("detection.fp", fp()),
        Measure::count("detection.tn", tn()),
        Measure::count("detection.fn", fn_()),
        Measure::ratio("detection.precision", tp(), tp() + fp()),
        Measure::ratio("detection.recall", tp(), tp() + fn_()),
        Measure::ratio("detection.fpr", fp(), fp() + tn()),
        Measure::ratio("detection.fnr", fn_(), tp() + fn_()),
        Measure::ratio("detection.specificity", tn(), tn() + fp()),
        Measure::ratio("detection.accuracy", tp() + tn(), count_present("label")),
        Measure::ratio(
            "detection.f1",
            lit(2.0) * tp(),
            lit(2.0) * tp() + fp() + fn_(),
        ),
        Measure::ratio("detection.fp_to_tp", fp(), tp()),
        apcer(has),
        Measure::ratio(
            "detection.bpcer",
            count_true(bona_fide.clone().and(decision())),
            count_true(bona_fide),
        ),
    ];
    if has("amount") {
        let amount_where = |mask: Expr| {
            when(mask.fill_null(lit(false)))
                .then(col("amount"))
                .otherwise(lit(0.0))
                .sum()
        };
        list.push(Measure::ratio(
            "detection.value_detection_rate",
            amount_where(label().and(decision())),
            amount_where(label()),
        ));
    }
    list
}

fn assistant() -> Vec<Measure> {
    let outcome = |word: &str| count_true(col("outcome").eq(lit(word)));
    let quantile = |id, per_mille| Measure::quantile(id, "latency_ms", per_mille);
    let tokens = col("input_tokens") + col("output_tokens");
    vec![
        Measure::count("assistant.interactions", len()),
        Measure::ratio("assistant.resolution_rate", outcome("resolved"), len()),
        Measure::ratio("assistant.escalation_rate", outcome("escalated"), len()),
        Measure::ratio("assistant.abandonment_rate", outcome("abandoned"), len()),
        Measure::complement("assistant.containment_rate", outcome("escalated"), len()),
        Measure::ratio(
            "assistant.hallucination_rate",
            count_true(col("hallucination")),
            count_present("hallucination"),
        ),
        Measure::ratio(
            "assistant.disclosure_rate",
            count_true(col("ai_disclosed")),
            count_present("ai_disclosed"),
        ),
        Measure::ratio(
            "assistant.opt_out_offer_rate",
            count_true(col("opt_out_offered")),
            count_present("opt_out_offered"),
        ),
        Measure::ratio(
            "assistant.handover_honour_rate",
            count_true(col("human_requested").and(col("human_provided"))),
            count_true(col("human_requested")),
        ),
        Measure::mean("assistant.csat_mean", col("csat")),
        Measure::ratio(
            "assistant.csat_satisfied_rate",
            count_true(col("csat").gt_eq(lit(4))),
            count_present("csat"),
        ),
        quantile("assistant.latency_p50", 500),
        quantile("assistant.latency_p95", 950),
        quantile("assistant.latency_p99", 990),
        Measure::mean("assistant.latency_mean", col("latency_ms")),
        Measure::mean("assistant.tokens_mean", tokens),
        Measure::statistic("assistant.cost_total", col("cost").sum(), "cost"),
        Measure::ratio(
            "assistant.cost_per_interaction",
            col("cost").sum(),
            count_present("cost"),
        ),
    ]
}

/// The hallucination rate by kind (share of evaluated interactions with a hallucination of
/// that kind) and by evaluator (the hallucination rate among the interactions it judged).
fn hallucinations() -> Vec<Measure> {
    let evaluated = || count_present("hallucination");
    let by_kind = |id, kind: &str| {
        let mask = col("hallucination").and(col("hallucination_kind").eq(lit(kind.to_string())));
        Measure::ratio(id, count_true(mask), evaluated())
    };
    let by_evaluator = |id, who: &str| {
        let judged = col("evaluator").eq(lit(who.to_string()));
        let found = col("hallucination").and(judged.clone());
        let of = col("hallucination").is_not_null().and(judged);
        Measure::ratio(id, count_true(found), count_true(of))
    };
    vec![
        by_kind("assistant.hallucination_incorrect_rate", "incorrect"),
        by_kind("assistant.hallucination_incomplete_rate", "incomplete"),
        by_kind("assistant.hallucination_omission_rate", "omission"),
        by_kind("assistant.hallucination_irrelevant_rate", "irrelevant"),
        by_evaluator("assistant.hallucination_rate_human", "human"),
        by_evaluator("assistant.hallucination_rate_llm_judge", "llm_judge"),
        by_evaluator("assistant.hallucination_rate_rule", "rule"),
    ]
}

fn redteam(has: &dyn Fn(&str) -> bool) -> Vec<Measure> {
    // Without a `benign` column every row is an attempt. (A literal mask would count one
    // value, not one per row, so the two cases are written out.)
    let (attempts, successes) = if has("benign") {
        let attempt = col("benign").fill_null(lit(false)).not();
        (
            count_true(attempt.clone()),
            count_true(attempt.and(col("attack_success"))),
        )
    } else {
        (len(), count_true(col("attack_success")))
    };
    let benign = col("benign").fill_null(lit(false));
    vec![
        Measure::count("redteam.attempts", attempts.clone()),
        Measure::ratio("redteam.attack_success_rate", successes, attempts),
        Measure::ratio(
            "redteam.over_refusal_rate",
            count_true(benign.clone().and(col("refused"))),
            count_true(benign),
        ),
    ]
}

fn oversight_and_incidents() -> Vec<Measure> {
    let reviewed = col("human_reviewed");
    vec![
        Measure::ratio(
            "oversight.review_rate",
            count_true(reviewed.clone()),
            count_present("human_reviewed"),
        ),
        Measure::ratio(
            "oversight.override_rate",
            count_true(reviewed.clone().and(col("human_override"))),
            count_true(reviewed),
        ),
        Measure::quantile("oversight.review_seconds_median", "review_seconds", 500),
        Measure::count("incidents.total", count_present("incident_type")),
        Measure::per_thousand("incidents.per_1k", count_present("incident_type"), len()),
    ]
}
