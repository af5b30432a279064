//! Issue 17, item 2: the JSON Schema of the submission config and the batch plan, generated
//! from the types the loader reads, shipped in docs/schema/, printed by `schema`.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

fn shipped(name: &str) -> String {
    std::fs::read_to_string(repo().join("docs/schema").join(name)).unwrap()
}

/// Every leaf error of validating `instance` against `schema`, as `location: problem`.
fn violations(schema: &str, instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema).unwrap();
    let (mut schemas, mut compiler) = (boon::Schemas::new(), boon::Compiler::new());
    compiler.enable_format_assertions();
    compiler
        .add_resource("urn:sandbox-report:schema", schema)
        .unwrap();
    let index = compiler
        .compile("urn:sandbox-report:schema", &mut schemas)
        .unwrap();
    let mut found = Vec::new();
    if let Err(error) = schemas.validate(instance, index) {
        fn leaves(e: &boon::ValidationError, out: &mut Vec<String>) {
            if e.causes.is_empty() {
                out.push(format!("{}: {}", e.instance_location, e.kind));
            }
            for cause in &e.causes {
                leaves(cause, out);
            }
        }
        leaves(&error, &mut found);
    }
    found
}

fn yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sample_configs() -> Vec<std::path::PathBuf> {
    let mut configs: Vec<_> = walkdir::WalkDir::new(samples())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "submission.yaml")
        .map(|e| e.into_path())
        .collect();
    configs.sort();
    configs
}

#[test]
fn the_shipped_schemas_are_the_generated_ones() {
    for (which, file) in [
        ("config", "submission.schema.json"),
        ("plan", "plan.schema.json"),
    ] {
        let out = run(&["schema", which]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            shipped(file),
            "docs/schema/{file} is stale: regenerate it with `sandbox-report schema {which} > docs/schema/{file}`"
        );
    }
}

#[test]
fn every_sample_config_validates_against_the_schema() {
    let schema = shipped("submission.schema.json");
    let configs = sample_configs();
    assert!(configs.len() >= 6, "{configs:?}");
    for config in configs {
        let found = violations(&schema, &yaml(&config));
        assert!(found.is_empty(), "{}: {found:#?}", config.display());
    }
}

#[test]
fn the_schema_rejects_an_unknown_key_and_a_wrong_value() {
    let schema = shipped("submission.schema.json");
    let config = samples().join("submissions/harbour-bank-card-fraud/submission.yaml");
    let mut value = yaml(&config);
    value["streams"][0]["colums"] = serde_json::json!({ "event_id": "txn_ref" });
    value["submission"]["use_case"]["family"] = "anti-fraud".into();
    value["submission"]["period"]["end"] = "2025-02-30".into();
    let found = violations(&schema, &value).join("\n");
    assert!(
        found.contains("/streams/0: additionalProperties 'colums' not allowed"),
        "{found}"
    );
    assert!(found.contains("/submission/use_case/family"), "{found}");
    assert!(found.contains("/submission/period/end"), "{found}");
}

#[test]
fn a_batch_plan_validates_against_its_schema() {
    let schema = shipped("plan.schema.json");
    let plan: Value = serde_saphyr::from_str(
        "jobs:\n  - { config: \"submissions/*/submission.yaml\", out: \"bundles/{dir}\", formats: [pdf, json] }\ncohort: { out: cohort, min_banks: 5 }\n",
    )
    .unwrap();
    assert_eq!(violations(&schema, &plan), Vec::<String>::new());
    let wrong: Value =
        serde_saphyr::from_str("jobs:\n  - { config: a.yaml, output: b }\n").unwrap();
    let found = violations(&schema, &wrong).join("\n");
    assert!(
        found.contains("additionalProperties 'output' not allowed"),
        "{found}"
    );
}

#[test]
fn every_sample_bundles_summary_validates_against_the_summary_schema() {
    let schema = shipped("summary.schema.json");
    let out = tempfile::tempdir().unwrap();
    for (i, config) in sample_configs().iter().enumerate() {
        let bundle = out.path().join(i.to_string());
        let summary = build_ok(config, &bundle, "json");
        let found = violations(&schema, &summary);
        assert!(found.is_empty(), "{}: {found:#?}", config.display());
    }
    // A summary missing its metrics, or with a finding code no version wrote, is refused.
    let mut summary = yaml(&out.path().join("0/summary.json"));
    summary.as_object_mut().unwrap().remove("metrics");
    summary["findings"] = serde_json::json!([
        { "severity": "warning", "code": "no_such_code", "message": "m", "count": 1 }
    ]);
    let found = violations(&schema, &summary).join("\n");
    assert!(found.contains("missing properties 'metrics'"), "{found}");
    assert!(found.contains("/findings/0/code"), "{found}");
}
