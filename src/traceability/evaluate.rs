//! A submission's status against each requirement: whether it applies (and why not), the
//! evidence that shows it (data before declarations), and what would close a gap. Reads only
//! the summary, so `build`, `validate --requirements` and the cohort all see the same.

use crate::model::Arm;
use std::collections::BTreeSet;

use super::catalogue::{self, Conditions, Framework, Mode, Requirement, Rule};
use crate::declared::FrameworkGroup;
use crate::metrics::catalogue::ReportTable;
use crate::model::{
    AttackCoverage, AttackTested, FrameworkInfo, RequirementStatus, Summary, TraceStatus,
    Traceability,
};
use crate::schema::{Family, StreamKind};

/// The mapping of `summary` over the frameworks of `groups` (None: hkma, and eu-ai-act when
/// the submission declares an EU AI Act position).
pub fn evaluate(summary: &Summary, groups: Option<&[FrameworkGroup]>) -> Traceability {
    let default = default_groups(summary);
    let groups = groups.unwrap_or(&default);
    let frameworks: Vec<&Framework> = catalogue::get()
        .frameworks
        .iter()
        .filter(|f| groups.contains(&f.group))
        .collect();
    let facts = Facts::of(summary);
    let mut requirements = Vec::new();
    let mut required: BTreeSet<String> = BTreeSet::new();
    for f in &frameworks {
        for r in &f.requirements {
            let status = status(&facts, f, r);
            if status.status != TraceStatus::NotApplicable {
                required.extend(redteam_ids(r));
            }
            requirements.push(status);
        }
    }
    Traceability {
        frameworks: frameworks.iter().map(|f| info(f)).collect(),
        requirements,
        attack_coverage: facts.coverage(&required),
    }
}

fn default_groups(summary: &Summary) -> Vec<FrameworkGroup> {
    let mut groups = vec![FrameworkGroup::Hkma];
    if summary.submission.declared.eu_ai_act.is_some() {
        groups.push(FrameworkGroup::EuAiAct);
    }
    groups
}

fn info(f: &Framework) -> FrameworkInfo {
    FrameworkInfo {
        id: f.id.clone(),
        title: f.title.clone(),
        date: f.date,
        level: f.level,
    }
}

fn redteam_ids(r: &Requirement) -> Vec<String> {
    r.rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::Redteam { redteam } => Some(redteam.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// What the summary holds, in the terms the rules ask about.
struct Facts<'a> {
    summary: &'a Summary,
    /// The submission as JSON, for field paths.
    submission: serde_json::Value,
    /// Attack categories of the data (red-team categories, presentation-attack types) with
    /// their attempts.
    attacks: Vec<Attacked>,
    /// The vocabulary ids those categories map to, and the categories that map to none.
    tested: Vec<AttackTested>,
    unmapped: Vec<String>,
}

impl<'a> Facts<'a> {
    fn of(summary: &'a Summary) -> Facts<'a> {
        let attacks: Vec<Attacked> = summary
            .metrics
            .iter()
            .filter(|m| {
                matches!(
                    m.id.as_str(),
                    "redteam.attack_success_rate" | "detection.apcer"
                ) && m.arm.is_none_or(|a| a == Arm::Ai)
            })
            .filter_map(|m| {
                let seg = m.segment.as_ref()?;
                let value = seg.value.clone()?;
                let n = m.denominator.unwrap_or(0.0);
                let stream = if m.id.starts_with("detection.") {
                    StreamKind::Detection
                } else {
                    StreamKind::Redteam
                };
                (n > 0.0).then_some((value, n, stream))
            })
            .collect();
        let (tested, unmapped) = tested(&attacks);
        Facts {
            summary,
            submission: serde_json::to_value(&summary.submission).unwrap_or_default(),
            attacks,
            tested,
            unmapped,
        }
    }

    /// Whether the use case faces customers: as declared, else assumed from its family and
    /// streams; with the words that say which.
    fn customer_facing(&self) -> (bool, String) {
        if let Some(declared) = self.summary.submission.declared.customer_facing {
            return (declared, format!("submission.customer_facing: {declared}"));
        }
        let assistant = self.has_stream("assistant");
        let family = self.summary.submission.use_case.family;
        let assumed = assistant || family == Family::CustomerExperience;
        let why = format!(
            "submission.customer_facing not declared; assumed {assumed} from the family {}{}",
            family.as_str(),
            if assistant {
                " and an assistant stream"
            } else {
                ""
            }
        );
        (assumed, why)
    }

    fn has_stream(&self, kind: &str) -> bool {
        self.summary
            .streams
            .iter()
            .any(|s| (kind == "any" || s.kind.as_str() == kind) && s.events > 0)
    }

    fn coverage(&self, required: &BTreeSet<String>) -> Option<AttackCoverage> {
        if self.attacks.is_empty() && required.is_empty() {
            return None;
        }
        let required_untested = catalogue::get()
            .attack_categories
            .iter()
            .map(|c| c.id.clone())
            .filter(|id| required.contains(id) && !self.tested.iter().any(|t| &t.id == id))
            .collect();
        Some(AttackCoverage {
            tested: self.tested.clone(),
            unmapped: self.unmapped.clone(),
            required_untested,
        })
    }
}

/// A category (or species) of the data, its attempts, and the kind of stream it comes from.
type Attacked = (String, f64, StreamKind);

/// The vocabulary ids `attacks` were tested in, and the categories that map to none.
fn tested(attacks: &[Attacked]) -> (Vec<AttackTested>, Vec<String>) {
    let mut tested: Vec<AttackTested> = Vec::new();
    let mut unmapped = BTreeSet::new();
    for (raw, n, stream) in attacks {
        let Some(entry) = catalogue::attack_category(raw, *stream) else {
            unmapped.insert(raw.clone());
            continue;
        };
        match tested.iter_mut().find(|t| t.id == entry.id) {
            Some(t) => {
                t.attempts += n;
                if !t.categories.contains(raw) {
                    t.categories.push(raw.clone());
                }
            }
            None => tested.push(AttackTested {
                id: entry.id.clone(),
                name: entry.name.clone(),
                categories: vec![raw.clone()],
                attempts: *n,
            }),
        }
    }
    let order = |id: &str| {
        catalogue::get()
            .attack_categories
            .iter()
            .position(|c| c.id == id)
    };
    tested.sort_by_key(|t| order(&t.id));
    (tested, unmapped.into_iter().collect())
}

/// Why a requirement does not apply, when it does not.
fn not_applicable(facts: &Facts, c: &Conditions) -> Option<String> {
    let declared = &facts.summary.submission.declared;
    if let Some(wanted) = c.customer_facing {
        let (is, why) = facts.customer_facing();
        if is != wanted {
            return Some(format!("applies only to customer-facing use cases ({why})"));
        }
    }
    if c.eu_ai_act == Some(true) && declared.eu_ai_act.is_none() {
        return Some("no EU AI Act role is declared (submission.eu_ai_act)".into());
    }
    if let Some(classes) = &c.risk_class {
        let class = declared.eu_ai_act.as_ref().map(|e| e.risk_class);
        if !class.is_some_and(|k| classes.contains(&k)) {
            let names: Vec<&str> = classes.iter().map(|k| k.as_str()).collect();
            let is = class.map_or("none declared", |k| k.as_str());
            return Some(format!(
                "applies to risk class {} (this system: {is})",
                names.join(", ")
            ));
        }
    }
    if let Some(kinds) = &c.stream
        && !kinds.iter().any(|k| facts.has_stream(k.as_str()))
    {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Some(format!(
            "applies only with a stream of kind {}",
            names.join(" or ")
        ));
    }
    if let Some(families) = &c.family {
        let family = facts.summary.submission.use_case.family;
        if !families.contains(&family) {
            let names: Vec<&str> = families.iter().map(|f| f.as_str()).collect();
            return Some(format!("applies to the families {}", names.join(", ")));
        }
    }
    None
}

fn status(facts: &Facts, f: &Framework, r: &Requirement) -> RequirementStatus {
    let mut out = RequirementStatus {
        id: r.id.clone(),
        framework: f.id.clone(),
        status: TraceStatus::NotApplicable,
        evidence: Vec::new(),
        reason: None,
    };
    if let Some(why) =
        not_applicable(facts, &f.applies_when).or_else(|| not_applicable(facts, &r.applies_when))
    {
        out.reason = Some(why);
        return out;
    }
    let (data, declared): (Vec<_>, Vec<_>) = r
        .rules
        .iter()
        .filter_map(|rule| {
            super::rules::evidence(facts.summary, &facts.submission, &facts.tested, rule)
        })
        .partition(|(is_data, _)| *is_data);
    out.status = if !data.is_empty() {
        TraceStatus::Evidenced
    } else if !declared.is_empty() {
        TraceStatus::Declared
    } else {
        TraceStatus::Gap
    };
    out.evidence = data.into_iter().chain(declared).map(|(_, e)| e).collect();
    if out.status == TraceStatus::Gap {
        out.reason = Some(super::rules::what_would_evidence(r));
    } else if out.status == TraceStatus::Declared && r.mode == Mode::Logs {
        out.reason = Some(super::rules::what_data_would_show(r));
    }
    out
}

/// The report section that shows a metric.
pub(super) fn metric_section(id: &str) -> &'static str {
    let shown = crate::metrics::catalogue::find(id).and_then(|d| d.shown_in.first().copied());
    match shown {
        Some(ReportTable::RedTeam | ReportTable::Species) => "adversarial",
        Some(ReportTable::FairnessRates) => "fairness",
        Some(ReportTable::Oversight) => "oversight",
        Some(ReportTable::Operations) => "operations",
        Some(ReportTable::Results) => "results",
        _ if id.starts_with("fairness.") => "fairness",
        _ if id.starts_with("incidents.") => "incidents",
        _ if id.starts_with("redteam.") => "adversarial",
        _ if id.starts_with("oversight.") => "oversight",
        _ => "results",
    }
}
