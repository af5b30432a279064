//! Issue 17, item 6: shell completions and the man page, generated from the command-line
//! definitions.

use crate::common::*;

const COMMANDS: [&str; 13] = [
    "init",
    "diff",
    "schema",
    "build",
    "validate",
    "demo",
    "explain",
    "templates",
    "verify",
    "cohort",
    "batch",
    "completions",
    "man",
];

#[test]
fn completions_name_every_command_in_every_shell_and_bash_loads_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
        assert!(script.contains("language"), "{shell}: flags missing");
    }
    // bash reads the script and registers the completion of the command.
    let script = stdout(&run(&["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox-report.bash");
    std::fs::write(&file, script).unwrap();
    let registered = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p sandbox-report",
            path_str(&file)
        ))
        .output()
        .expect("bash runs");
    assert!(registered.status.success(), "{}", stderr(&registered));
    assert!(
        stdout(&registered).contains("sandbox-report"),
        "{}",
        stdout(&registered)
    );
}

#[test]
fn the_man_page_documents_the_command_and_its_subcommands() {
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH sandbox-report 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for command in COMMANDS {
        assert!(
            page.contains(&format!("sandbox\\-report\\-{command}")) || page.contains(command),
            "{command}"
        );
    }
}
