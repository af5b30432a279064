//! Issue 17, item 1: `init` proposes a first config from a folder of exports.

use std::path::Path;

use serde_json::{Value, json};

use crate::common::*;

/// Copies the sample `name` without its config into a new folder.
fn sample_without_config(name: &str) -> tempfile::TempDir {
    let from = samples().join("submissions").join(name);
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(&from).unwrap();
        let to = dir.path().join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else if rel != Path::new("submission.yaml") {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

fn yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The stream of `kind` in a config.
fn stream<'a>(config: &'a Value, kind: &str) -> &'a Value {
    config["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} stream in {config}"))
}

/// The mapping `key` of a stream, `{}` when absent.
fn mapping(stream: &Value, key: &str) -> Value {
    stream.get(key).cloned().unwrap_or_else(|| json!({}))
}

/// Fills the identity fields `init` leaves TODO.
fn fill_todo(config: &Path) {
    let text = std::fs::read_to_string(config).unwrap();
    let filled: Vec<String> = text
        .lines()
        .map(|line| {
            let Some((key, rest)) = line.split_once(": TODO") else {
                return line.to_string();
            };
            let value = match key.trim() {
                "id" => "X-1",
                "name" => "Example Bank",
                "cohort" => "\"2\"",
                "title" => "A trial",
                other => panic!("unexpected TODO at {other}: {rest}"),
            };
            format!("{key}: {value}")
        })
        .collect();
    std::fs::write(config, filled.join("\n") + "\n").unwrap();
}

#[test]
fn init_proposes_each_samples_own_mapping_and_its_output_validates_once_filled() {
    let names = [
        "harbour-bank-card-fraud",
        "kowloon-bay-bank-card-fraud-zh",
        "lantern-bank-liveness",
        "peak-bank-assistant",
        "tsing-yi-bank-assistant-bilingual",
        "junk-bay-bank-redteam",
    ];
    for name in names {
        let dir = sample_without_config(name);
        let config = dir.path().join("submission.yaml");
        let out = run(&["init", &path_str(dir.path()), "-o", &path_str(&config)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let proposed = yaml(&config);
        let original = yaml(
            &samples()
                .join("submissions")
                .join(name)
                .join("submission.yaml"),
        );
        for sample_stream in original["streams"].as_array().unwrap() {
            let kind = sample_stream["kind"].as_str().unwrap();
            let ours = stream(&proposed, kind);
            for key in ["columns", "values"] {
                assert_eq!(
                    mapping(ours, key),
                    mapping(sample_stream, key),
                    "{name}: {kind} stream's {key}"
                );
            }
        }
        assert_eq!(
            proposed.get("segments").cloned().unwrap_or(json!([])),
            original.get("segments").cloned().unwrap_or(json!([])),
            "{name}: segments"
        );
        assert_eq!(
            proposed["submission"]["use_case"]["family"],
            original["submission"]["use_case"]["family"],
            "{name}: family"
        );
        // As written, the identity is TODO and validate says where.
        let written = std::fs::read_to_string(&config).unwrap();
        let line = 1 + written
            .lines()
            .position(|l| l.starts_with("    id: TODO"))
            .unwrap();
        let out = run(&["validate", &path_str(&config)]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(&format!("submission.yaml:{line}:9: `id` is still TODO")),
            "{name}: {}",
            stderr(&out)
        );
        fill_todo(&config);
        let out = run(&["validate", &path_str(&config)]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stdout(&out).contains("0 error(s)"), "{name}");
    }
}

#[test]
fn init_says_what_it_decided_and_why() {
    let dir = sample_without_config("harbour-bank-card-fraud");
    let config = dir.path().join("submission.yaml");
    let out = run(&["init", &path_str(dir.path()), "-o", &path_str(&config)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out).replace(&path_str(dir.path()), "DIR");
    insta::assert_snapshot!("init_harbour", text);
}

#[test]
fn init_reads_other_spellings_and_maps_their_values() {
    let csv = "SessionID,StartedAt,Resolution,LatencyMs,Hallucinated,Channel\n";
    let mut rows = String::from(csv);
    let outcomes = ["closed", "handed_over", "dropped", "Resolved"];
    let flags = ["Y", "N", "N", "N"];
    let channels = ["app", "web", "phone"];
    for i in 0..60 {
        rows.push_str(&format!(
            "S-{i:03},2025-07-{:02} 10:{:02},{},{},{},{}\n",
            1 + i % 28,
            i % 60,
            outcomes[i % 4],
            800 + i * 10,
            flags[i % 4],
            channels[i % 3]
        ));
    }
    let dir = submission(&[("exports/chats/july.csv", &rows)]);
    let config = dir.path().join("submission.yaml");
    let out = run(&[
        "init",
        &path_str(&dir.path().join("exports")),
        "-o",
        &path_str(&config),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let proposed = yaml(&config);
    let ours = stream(&proposed, "assistant");
    assert_eq!(ours["path"], "exports/chats");
    assert_eq!(
        mapping(ours, "columns"),
        json!({
            "event_id": "SessionID",
            "timestamp": "StartedAt",
            "outcome": "Resolution",
            "latency_ms": "LatencyMs",
            "hallucination": "Hallucinated",
            "channel": "Channel",
        })
    );
    assert_eq!(
        mapping(ours, "values"),
        json!({"outcome": {"closed": "resolved", "handed_over": "escalated", "dropped": "abandoned"}})
    );
    assert_eq!(proposed["segments"], json!(["channel"]));
    assert_eq!(
        proposed["submission"]["period"],
        json!({"start": "2025-07-01", "end": "2025-07-28"})
    );
    fill_todo(&config);
    let out = run(&["validate", &path_str(&config)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn init_on_a_folder_without_a_trial_log_says_so_with_exit_2() {
    let dir = submission(&[
        (
            "data/cities.csv",
            "name,country,population\nHong Kong,China,7500000\n",
        ),
        (
            "data/notes.jsonl",
            "{\"note\": \"hello\", \"author\": \"me\"}\n",
        ),
    ]);
    let config = dir.path().join("submission.yaml");
    let out = run(&[
        "init",
        &path_str(&dir.path().join("data")),
        "-o",
        &path_str(&config),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out).replace(&path_str(dir.path()), "DIR");
    insta::assert_snapshot!("init_no_trial_log", text);
    assert!(!config.exists(), "nothing is written");
}

#[test]
fn init_never_replaces_a_config_without_force() {
    let dir = sample_without_config("lantern-bank-liveness");
    let config = dir.path().join("submission.yaml");
    std::fs::write(&config, "mine\n").unwrap();
    let out = run(&["init", &path_str(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("exists already"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "mine\n");
    let out = run(&["init", &path_str(dir.path()), "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("kind: detection")
    );
}
