//! Reading the files of one stream: each file typed first and as text when it has to be (see
//! `ingest::typed`); of each batch, the failures grouped per check, the event ids hashed (see
//! `ids`) and the clean rows handed to the stream's [`CleanRows`]. What was read of a file
//! before it failed is left out with it.

use std::collections::BTreeSet;

use polars::prelude::*;

use super::checks::Check;
use super::plan::FilePlan;
use super::spill::{CleanRows, ROW_KEY};
use super::{Context, FILE_INDEX, KEEP, concat_frames, ids, mapped_text, parse};
use crate::ingest::{self, Mode, OpenFile, ROW, StreamLayout};
use crate::model::Finding;
use crate::schema::ColumnSpec;

/// Canonical columns no metric reads: left out of the clean rows.
const NOT_MEASURED: [&str; 2] = ["event_id", "model_version"];

/// A stream's files, to be read and checked.
pub(super) struct Stream<'a> {
    pub layout: &'a StreamLayout,
    pub present: &'a BTreeSet<String>,
    pub specs: &'a [&'a ColumnSpec],
    pub checks: &'a [Check],
    pub ctx: &'a Context,
}

/// What one file gave besides its clean rows: grouped failures, id hashes, rows read.
pub(super) struct FileRead {
    pub groups: Vec<DataFrame>,
    pub ids: Vec<DataFrame>,
    pub rows: u64,
}

type Outcome = PolarsResult<Result<FileRead, Box<Finding>>>;

impl Stream<'_> {
    pub(super) fn has_ids(&self) -> bool {
        self.specs.iter().any(|s| s.name == "event_id")
    }

    /// The clean rows of a batch of typed rows: free of errors and inside the period, the
    /// measured columns (and the row key, when the stream has event ids).
    pub(super) fn clean_part(&self, typed: DataFrame) -> PolarsResult<DataFrame> {
        let mut columns: Vec<Expr> = self
            .specs
            .iter()
            .map(|spec| spec.name.as_ref())
            .filter(|name| !NOT_MEASURED.contains(name))
            .map(col)
            .collect();
        if self.has_ids() {
            columns.push(ids::row_key().alias(ROW_KEY));
        }
        typed.lazy().filter(col(KEEP)).select(columns).collect()
    }

    /// Reads file `index` typed, and again as text when the typed read fails or a finding
    /// has to show a typed value as written.
    pub(super) fn read(&self, file: &OpenFile, index: u32, clean: &mut CleanRows) -> Outcome {
        let text_plan = || FilePlan::new(self.specs, self.checks, self.ctx, None);
        let mark = clean.mark();
        if file.typed.is_empty() {
            return self.read_as(file, index, Mode::Text, &text_plan(), clean);
        }
        let plan = FilePlan::new(self.specs, self.checks, self.ctx, Some((file, Mode::Typed)));
        if let Ok(read) = self.read_as(file, index, Mode::Typed, &plan, clean)? {
            let shown = read.groups.iter().try_fold(true, |all, g| {
                Ok::<_, PolarsError>(all && !plan.needs_text(g)?)
            })?;
            if shown {
                return Ok(Ok(read));
            }
        }
        clean.truncate(mark)?;
        self.read_as(file, index, Mode::Text, &text_plan(), clean)
    }

    fn read_as(
        &self,
        file: &OpenFile,
        index: u32,
        mode: Mode,
        plan: &FilePlan,
        clean: &mut CleanRows,
    ) -> Outcome {
        let mark = clean.mark();
        let mut read = FileRead {
            groups: Vec::new(),
            ids: Vec::new(),
            rows: 0,
        };
        let mut each = |chunk: DataFrame| -> PolarsResult<()> {
            read.rows += chunk.height() as u64;
            let (failures, typed) = plan.apply(chunk, index)?;
            read.groups.push(failures);
            if self.has_ids() {
                read.ids.push(ids::hashes(&typed)?);
            }
            clean.push(self.clean_part(typed)?)
        };
        let outcome = ingest::read(self.layout, file, self.present, mode, &mut each);
        if outcome.is_err() {
            clean.truncate(mark)?;
        }
        Ok(outcome.map(|()| read))
    }

    /// The rows of `files` whose event id hashes to one of `hashes`: `FILE_INDEX`, `ROW` and
    /// `event_id` as parsed, in file order (see `ids`).
    pub(super) fn reread_ids(
        &self,
        files: &[(u32, &OpenFile)],
        hashes: &Series,
    ) -> PolarsResult<DataFrame> {
        let present = BTreeSet::from(["event_id".to_string()]);
        let mut parts = Vec::new();
        for &(index, file) in files {
            let mut each = |batch: DataFrame| -> PolarsResult<()> {
                let batch = batch
                    .lazy()
                    .with_column(parse::trim_column("event_id"))
                    .select([
                        lit(index).cast(DataType::UInt32).alias(FILE_INDEX),
                        col(ROW),
                        mapped_text("event_id", self.ctx).alias("event_id"),
                    ])
                    .collect()?;
                parts.push(ids::with_hashes(batch, hashes)?);
                Ok(())
            };
            ingest::read(self.layout, file, &present, Mode::Text, &mut each)
                .map_err(|f| polars_err!(ComputeError: "{}: {}", file.display, f.message))?;
        }
        concat_frames(parts)
    }
}
