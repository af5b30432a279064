//! The integration tests: one test binary (`cargo test` compiles and links the shared code
//! once), a module per area. The helpers shared by the areas are `common`, `md` (reading the
//! Markdown report) and `cohort_support`.

mod cohort_support;
mod common;
mod md;

mod bad_input;
mod batch;
mod browser;
mod build_bundle;
mod cohort;
mod cohort_pooling;
mod cohort_trust;
mod correct_or_loud;
mod crosscheck;
mod demo;
mod dialects;
mod diff;
mod disclosure;
mod docs;
mod edge_cases;
mod excel_in;
mod file_by_file;
mod init;
mod json_schema;
mod languages;
mod loud_round2;
mod markdown_tables;
mod red_team_tools;
mod report;
mod report_wording;
mod robustness;
mod shell;
mod snapshots;
mod traceability;
mod typed_reading;
mod xlsx;
