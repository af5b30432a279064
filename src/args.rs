//! Command-line arguments (clap derive): every command, flag and its help text. Flags that
//! schedulers set have an environment variable too.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::OutputFormat;
use crate::schema::Language;

/// Turn the raw evidence of an AI sandbox trial into the report a banking regulator asks for.
///
/// Exit codes: 0 success; 1 the inputs have errors (or some cohort bundles were rejected);
/// 2 usage error, unreadable or invalid config, template error, or an output that could not
/// be written.
#[derive(Debug, Parser)]
#[command(name = "sandbox-report", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// How progress is logged on standard error: text for people, json for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "SANDBOX_REPORT_LOG_FORMAT")]
    pub log_format: LogFormat,

    /// Log level: error, warn, info, debug or trace (a tracing filter such as `sandbox_report=debug` also works).
    #[arg(
        long,
        global = true,
        default_value = "warn",
        env = "SANDBOX_REPORT_LOG"
    )]
    pub log_level: String,

    /// No progress bars (they are drawn only when standard error is a terminal and logs are
    /// text).
    #[arg(long, short, global = true, env = "SANDBOX_REPORT_QUIET")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Propose a first submission config from a folder of exports: finds the logs and KPI
    /// sheets, guesses their kind, column and value mappings, and marks what it cannot decide
    /// with TODO.
    #[command(
        after_help = "Examples:\n  sandbox-report init exports/ -o submission.yaml\n  sandbox-report init exports/ -o submission.yaml --interactive\n  sandbox-report validate submission.yaml"
    )]
    Init(InitArgs),
    /// Build the evidence bundle of one submission: summary.json, reports and manifest.json.
    #[command(
        after_help = "Examples:\n  sandbox-report build submission.yaml -o bundle\n  sandbox-report build submission.yaml -o bundle --format pdf,html --language zh-HK\n  sandbox-report build submission.yaml -o bundle --sign-key bank.key"
    )]
    Build(BuildArgs),
    /// Check a submission's config and logs and list every finding, without writing anything.
    #[command(
        after_help = "Examples:\n  sandbox-report validate submission.yaml\n  sandbox-report validate submission.yaml --requirements\n  sandbox-report validate submission.yaml --format json > findings.json"
    )]
    Validate(ValidateArgs),
    /// Build every bundled sample submission and the sample cohort summary, and print where they are.
    Demo(DemoArgs),
    /// Print the definition, formula, inputs and interval rule of a metric.
    Explain(ExplainArgs),
    /// List or export the built-in report templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Compare two bundles: inputs by hash, metrics (with the 95% interval of each change),
    /// criteria and findings. Exit 0 when equal, 1 when different, 2 on error.
    #[command(
        after_help = "Examples:\n  sandbox-report diff bundles/2025-Q2 bundles/2025-Q3\n  sandbox-report diff bundle bundle-amended --format json > changes.json"
    )]
    Diff(DiffArgs),
    /// Check a bundle's files against its manifest.json.
    Verify(VerifyArgs),
    /// Merge many banks' bundles into one pseudonymised cohort summary (for regulators).
    #[command(
        after_help = "Examples:\n  sandbox-report cohort bundles/ -o cohort --letters\n  sandbox-report cohort bundles/ -o cohort --trusted-keys keys/ --min-banks 5"
    )]
    Cohort(CohortArgs),
    /// Build many submissions (and a cohort) unattended: a plan file, or every
    /// submission.yaml under a folder; unchanged bundles are skipped.
    #[command(
        after_help = "Examples:\n  sandbox-report batch submissions/ -o bundles --jobs 2\n  sandbox-report batch plan.yaml --fail-fast"
    )]
    Batch(BatchArgs),
    /// Print the JSON Schema of the submission config or the batch plan (for editors that
    /// complete keys and flag typos as you type), or of a bundle's summary.json.
    #[command(
        after_help = "Examples:\n  sandbox-report schema config > submission.schema.json\n  sandbox-report schema plan > plan.schema.json\nThen start the YAML file with the line\n  # yaml-language-server: $schema=submission.schema.json"
    )]
    Schema(SchemaArgs),
    /// Print the shell completion script for bash, zsh, fish or powershell.
    Completions(CompletionsArgs),
    /// Print the manual page (roff; view it with `man -l -`).
    Man,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of exports: logs (CSV, JSON Lines, Parquet, each perhaps gzip), KPI sheets
    /// and red-team tool results.
    pub data: PathBuf,

    /// The config to write (default: DATA/submission.yaml). Stream paths are written relative
    /// to its folder.
    #[arg(short, long)]
    pub out: Option<PathBuf>,

    /// Replace the config if it exists.
    #[arg(long)]
    pub force: bool,

    /// Ask on the terminal for what the files cannot tell (institution, cohort, use case).
    #[arg(long, short = 'i')]
    pub interactive: bool,

    /// Rows read from each file to guess from.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rows: u64,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file: config (the submission config), plan (the batch plan) or summary (a
    /// bundle's summary.json).
    #[arg(value_enum)]
    pub of: SchemaArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    Config,
    Plan,
    Summary,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// A batch plan (YAML), or a folder: every submission.yaml under it is built into
    /// OUT/<its folder name>.
    pub target: PathBuf,

    /// With a folder: where the bundles and run-report.json go (a plan says it itself).
    #[arg(short, long)]
    pub out: Option<PathBuf>,

    /// Jobs run at once (default: one per core, at most one per 4 GiB of memory).
    #[arg(long, short = 'j', env = "SANDBOX_REPORT_JOBS", value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,

    /// Stop starting jobs after the first one with data errors or a failure.
    #[arg(long)]
    pub fail_fast: bool,

    /// Rebuild every job, also those whose bundle is up to date.
    #[arg(long)]
    pub force: bool,

    /// Seconds to wait for another run to release an output folder before reporting the job
    /// `locked`.
    #[arg(long, default_value_t = 60, env = "SANDBOX_REPORT_LOCK_TIMEOUT")]
    pub lock_timeout: u64,

    /// The report language of every job and of the cohort, overriding configs and plan.
    #[arg(long, value_enum, env = "SANDBOX_REPORT_LANGUAGE")]
    pub language: Option<LanguageArg>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The submission config (YAML). Paths inside it are relative to its folder.
    pub config: PathBuf,

    /// The bundle folder to write. Replaced only when the build succeeds; a folder that is
    /// not a bundle is never replaced.
    #[arg(short, long, env = "SANDBOX_REPORT_OUT")]
    pub out: PathBuf,

    /// Output formats, overriding the config's report.formats (summary.json is always written).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub format: Vec<FormatArg>,

    /// A minisign secret key: sign manifest.json into manifest.json.minisig. A
    /// password-protected key takes its password from SANDBOX_REPORT_SIGN_PASSWORD.
    #[arg(long, env = "SANDBOX_REPORT_SIGN_KEY")]
    pub sign_key: Option<PathBuf>,

    /// The report language, overriding the config's report.language: en, zh-HK or bilingual.
    #[arg(long, value_enum, env = "SANDBOX_REPORT_LANGUAGE")]
    pub language: Option<LanguageArg>,

    /// Seconds to wait for another run (a batch, a build) writing the same folder.
    #[arg(long, default_value_t = 60, env = "SANDBOX_REPORT_LOCK_TIMEOUT")]
    pub lock_timeout: u64,

    /// The bundle of the period before: verified, then summary.json records its hash and the
    /// change of every metric the two have (the `lineage` block).
    #[arg(long)]
    pub previous: Option<PathBuf>,
}

/// A report language on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LanguageArg {
    En,
    #[value(name = "zh-HK", alias = "zh-hk")]
    ZhHk,
    Bilingual,
}

impl From<LanguageArg> for Language {
    fn from(arg: LanguageArg) -> Language {
        match arg {
            LanguageArg::En => Language::En,
            LanguageArg::ZhHk => Language::ZhHk,
            LanguageArg::Bilingual => Language::Bilingual,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Pdf,
    Html,
    Md,
    Json,
    Xlsx,
}

impl From<FormatArg> for OutputFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Pdf => OutputFormat::Pdf,
            FormatArg::Html => OutputFormat::Html,
            FormatArg::Md => OutputFormat::Md,
            FormatArg::Json => OutputFormat::Json,
            FormatArg::Xlsx => OutputFormat::Xlsx,
        }
    }
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The submission config (YAML).
    pub config: PathBuf,

    /// How findings are printed: text for people, json for programs.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// In text output, how many findings of one code to list before summarising the rest.
    #[arg(long, default_value_t = 20)]
    pub max_per_code: usize,

    /// Also list the regulatory requirements that have a gap or are only declared (with
    /// `--format json`: the whole mapping).
    #[arg(long)]
    pub requirements: bool,

    /// Check as a report in this language would be built (overriding the config's
    /// report.language): en, zh-HK or bilingual. It decides which narrative texts are missing
    /// and which characters the PDF must print.
    #[arg(long, value_enum, env = "SANDBOX_REPORT_LANGUAGE")]
    pub language: Option<LanguageArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write the demo bundles into.
    #[arg(short, long, default_value = "demo-output")]
    pub out: PathBuf,

    /// The sample-data folder (default: ./sample-data, or the one next to the source code).
    #[arg(long)]
    pub samples: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A metric id such as detection.eer, a finding code such as value_invalid, or a
    /// reference page: config, input, exit-codes, outputs, cohort.
    #[arg(required_unless_present_any = ["list", "markdown", "codes_markdown"])]
    pub metric: Option<String>,

    /// List every metric id with its title, then every finding code with its severity.
    #[arg(long)]
    pub list: bool,

    /// Print the whole catalogue as Markdown (this is how docs/metrics.md is made).
    #[arg(long, conflicts_with_all = ["metric", "list"])]
    pub markdown: bool,

    /// Print the finding-code table of docs/exit-codes.md (made from the code registry).
    #[arg(long, conflicts_with_all = ["metric", "list", "markdown"])]
    pub codes_markdown: bool,

    /// The language of a metric's title and definition (and of `--list`'s titles): en,
    /// zh-HK or bilingual.
    #[arg(long, value_enum, default_value = "en")]
    pub language: LanguageArg,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List the files of the built-in template set.
    List,
    /// Write the built-in templates into DIR, to start a custom set.
    Export {
        /// An empty or new folder.
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CohortArgs {
    /// Folders searched (recursively) for bundles: folders holding manifest.json and summary.json.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,

    /// The language of the cohort report and letters: en, zh-HK or bilingual.
    #[arg(
        long,
        value_enum,
        default_value = "en",
        env = "SANDBOX_REPORT_LANGUAGE"
    )]
    pub language: LanguageArg,

    /// The cohort folder to write (replaced only when the run succeeds).
    #[arg(short, long, env = "SANDBOX_REPORT_COHORT_OUT")]
    pub out: PathBuf,

    /// Groups with fewer banks than this are suppressed.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub min_banks: u64,

    /// File holding the pseudonymisation key (64 hex digits). Default: the environment
    /// variable SANDBOX_REPORT_PSEUDONYM_KEY, else ~/.config/sandbox-report/pseudonym.key,
    /// created on first use.
    #[arg(long, env = "SANDBOX_REPORT_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Show real institution ids instead of pseudonyms (regulator-internal outputs only).
    #[arg(long)]
    pub reveal: bool,

    /// A folder of minisign public keys named <institution id>.pub: a bundle is used only
    /// when its manifest's signature verifies against its institution's key. Without it,
    /// bundles are checked for integrity but not for authenticity.
    #[arg(long, env = "SANDBOX_REPORT_TRUSTED_KEYS")]
    pub trusted_keys: Option<PathBuf>,

    /// Also write one peer benchmark letter per bank into OUT/letters/.
    #[arg(long)]
    pub letters: bool,

    /// Report formats (cohort.json is always written).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Pdf, FormatArg::Html, FormatArg::Md])]
    pub format: Vec<FormatArg>,

    /// A folder of templates overriding the built-in ones file by file.
    #[arg(long)]
    pub template: Option<PathBuf>,

    /// Seconds to wait for another run writing the same folder.
    #[arg(long, default_value_t = 60, env = "SANDBOX_REPORT_LOCK_TIMEOUT")]
    pub lock_timeout: u64,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first bundle (the earlier one).
    pub a: PathBuf,
    /// The second bundle.
    pub b: PathBuf,
    /// text for people, json for tools.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle folder (holding manifest.json).
    pub bundle: PathBuf,

    /// A minisign public key: also check manifest.json.minisig.
    #[arg(long, env = "SANDBOX_REPORT_PUBLIC_KEY")]
    pub public_key: Option<PathBuf>,
}
