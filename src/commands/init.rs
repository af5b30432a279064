//! `sandbox-report init DATA -o submission.yaml`: proposes a first config from a folder of
//! exports, prints what it decided and why, and writes the config (never over an existing
//! one without `--force`; written whole or not at all).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use crate::args::InitArgs;
use crate::error::{Error, Outcome, Result};
use crate::init::{self, Identity, InitError, Options};

pub fn run(args: &InitArgs) -> Result<Outcome> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| init::default_config(&args.data));
    if out.exists() && !args.force {
        return Err(Error::InitTarget { path: out });
    }
    if args.interactive && !std::io::stdin().is_terminal() {
        return Err(Error::Init {
            reason: "--interactive asks its questions on a terminal, and standard input is not one"
                .into(),
        });
    }
    let options = Options {
        rows_per_file: args.rows,
        ..Options::default()
    };
    let proposal = init::propose(&args.data, &out, options).map_err(|e| match e {
        InitError::Folder(reason) => Error::Init { reason },
        InitError::NoTrialLog { looked_at, why } => Error::NoTrialLog {
            path: args.data.clone(),
            looked_at,
            why,
        },
    })?;
    for line in &proposal.decisions {
        crate::outln!("{line}");
    }
    let identity = if args.interactive {
        ask()?
    } else {
        Identity::default()
    };
    let text = proposal.yaml(&identity);
    write_whole(&out, &text)?;
    let schema = out.with_file_name(crate::config::SchemaOf::Config.file_name());
    let ours = |text: &str| text.contains("\"title\": \"sandbox-report submission config");
    let replace = std::fs::read_to_string(&schema).map_or(true, |t| ours(&t));
    if replace {
        write_whole(
            &schema,
            &crate::config::json_schema(crate::config::SchemaOf::Config),
        )?;
    }
    let todo = text
        .lines()
        .filter(|l| l.split('#').next().is_some_and(|v| v.contains("TODO")))
        .count();
    crate::outln!("wrote {}", out.display());
    if replace {
        crate::outln!(
            "wrote {} (the config's JSON Schema: editors with a YAML extension complete keys and flag typos)",
            schema.display()
        );
    }
    if todo > 0 {
        crate::outln!(
            "next: replace the {todo} line(s) marked TODO, then run `sandbox-report validate {}`",
            out.display()
        );
    } else {
        crate::outln!("next: run `sandbox-report validate {}`", out.display());
    }
    Ok(Outcome::Success)
}

/// Asks for what the files cannot tell; an empty answer leaves the TODO.
fn ask() -> Result<Identity> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock();
    let mut question = |text: &str| -> Result<Option<String>> {
        eprint!("{text}: ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        lines
            .read_line(&mut answer)
            .map_err(|source| Error::Input {
                path: "standard input".into(),
                source,
            })?;
        let answer = answer.trim();
        Ok((!answer.is_empty()).then(|| answer.to_string()))
    };
    Ok(Identity {
        institution_id: question("Institution id in the sandbox (e.g. HBK-001)")?,
        institution_name: question("Institution name")?,
        cohort: question("Sandbox cohort (e.g. 2)")?,
        use_case_id: question("Use case id (e.g. UC-HB-01)")?,
        use_case_title: question("Use case title (one line)")?,
    })
}

/// Writes `text` to `path` through a temporary file in the same folder, so that the config
/// is there whole or not at all.
fn write_whole(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
