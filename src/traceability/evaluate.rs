//! A submission's status against each requirement: whether it applies (and why not), the
//! evidence that shows it (data before declarations), and what would close a gap. Reads only
//! the summary, so `build`, `validate --requirements` and the cohort all see the same.

use crate::model::Arm;
use std::collections::{BTreeMap, BTreeSet};

use super::catalogue::{self, Conditions, Framework, Mode, Requirement, Rule};
use crate::declared::FrameworkGroup;
use crate::messages::{text, text_with};
use crate::metrics::catalogue::ReportTable;
use crate::model::{
    AttackCoverage, AttackTested, FrameworkInfo, RequirementStatus, Summary, TraceStatus,
    Traceability,
};
use crate::schema::{Family, Language, StreamKind};

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
            let status = status(&facts, f, r, Language::En);
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

/// The reasons of the requirements of `summary`'s mapping in the report's `language`, by
/// requirement id: summary.json holds them in English (its data is the same in every
/// language); the report says them in its own. A bilingual report gives both sentences.
pub fn reasons(summary: &Summary, language: Language) -> BTreeMap<String, String> {
    let Some(trace) = &summary.traceability else {
        return BTreeMap::new();
    };
    let facts = Facts::of(summary);
    let reason = |f: &Framework, r: &Requirement, lang| status(&facts, f, r, lang).reason;
    trace
        .requirements
        .iter()
        .filter(|s| s.reason.is_some())
        .filter_map(|s| {
            let (f, r) = catalogue::find(&s.id)?;
            let text = match language {
                Language::Bilingual => {
                    format!(
                        "{} {}",
                        reason(f, r, Language::En)?,
                        reason(f, r, Language::ZhHk)?
                    )
                }
                lang => reason(f, r, lang)?,
            };
            Some((s.id.clone(), text))
        })
        .collect()
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
    /// streams; with the words that say which, in `lang` (en or zh-HK).
    fn customer_facing(&self, lang: Language) -> (bool, String) {
        if let Some(declared) = self.summary.submission.declared.customer_facing {
            let declared_text = text(lang, yes_no(declared));
            let why = text_with(
                lang,
                "reason.facing_declared",
                &[("declared", &declared_text)],
            );
            return (declared, why);
        }
        let assistant = self.has_stream("assistant");
        let family = self.summary.submission.use_case.family;
        let assumed = assistant || family == Family::CustomerExperience;
        let key = if assistant {
            "reason.facing_assumed_assistant"
        } else {
            "reason.facing_assumed"
        };
        let family = term(lang, family.as_str());
        let why = text_with(
            lang,
            key,
            &[
                ("assumed", &text(lang, yes_no(assumed))),
                ("family", &family),
            ],
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

/// Why a requirement does not apply, when it does not, in `lang` (en or zh-HK).
fn not_applicable(facts: &Facts, c: &Conditions, lang: Language) -> Option<String> {
    let declared = &facts.summary.submission.declared;
    let or = text(lang, "reason.or");
    if let Some(wanted) = c.customer_facing {
        let (is, why) = facts.customer_facing(lang);
        if is != wanted {
            return Some(text_with(lang, "reason.customer_facing", &[("why", &why)]));
        }
    }
    if c.eu_ai_act == Some(true) && declared.eu_ai_act.is_none() {
        return Some(text(lang, "reason.no_eu_role"));
    }
    if let Some(classes) = &c.risk_class {
        let class = declared.eu_ai_act.as_ref().map(|e| e.risk_class);
        if !class.is_some_and(|k| classes.contains(&k)) {
            let names: Vec<&str> = classes.iter().map(|k| k.as_str()).collect();
            let is = class.map_or_else(|| text(lang, "reason.risk_none"), |k| k.as_str().into());
            let classes = names.join(", ");
            return Some(text_with(
                lang,
                "reason.risk_class",
                &[("classes", &classes), ("is", &is)],
            ));
        }
    }
    if let Some(kinds) = &c.stream
        && !kinds.iter().any(|k| facts.has_stream(k.as_str()))
    {
        let names: Vec<String> = kinds.iter().map(|k| term(lang, k.as_str())).collect();
        let kinds = names.join(&or);
        return Some(text_with(lang, "reason.stream_kind", &[("kinds", &kinds)]));
    }
    if let Some(families) = &c.family {
        let family = facts.summary.submission.use_case.family;
        if !families.contains(&family) {
            let names: Vec<String> = families.iter().map(|f| term(lang, f.as_str())).collect();
            let families = names.join(", ");
            return Some(text_with(
                lang,
                "reason.families",
                &[("families", &families)],
            ));
        }
    }
    None
}

/// The message of a yes or no in a reason.
fn yes_no(value: bool) -> &'static str {
    if value { "reason.true" } else { "reason.false" }
}

/// The report's word for a term (a family, a stream kind) in zh-HK; English keeps the id
/// (`risk_management`), as summary.json has always said it.
pub(super) fn term(lang: Language, key: &str) -> String {
    match lang {
        Language::En => key.to_string(),
        _ => crate::messages::term(lang, key).unwrap_or_else(|| key.to_string()),
    }
}

fn status(facts: &Facts, f: &Framework, r: &Requirement, lang: Language) -> RequirementStatus {
    let mut out = RequirementStatus {
        id: r.id.clone(),
        framework: f.id.clone(),
        status: TraceStatus::NotApplicable,
        evidence: Vec::new(),
        reason: None,
    };
    if let Some(why) = not_applicable(facts, &f.applies_when, lang)
        .or_else(|| not_applicable(facts, &r.applies_when, lang))
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
        out.reason = Some(super::rules::what_would_evidence(r, lang));
    } else if out.status == TraceStatus::Declared && r.mode == Mode::Logs {
        out.reason = Some(super::rules::what_data_would_show(r, lang));
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
