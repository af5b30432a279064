//! Duplicate event ids across every file of a stream, found exactly at 8 bytes a row. Each
//! batch's ids are hashed to 64 bits, and the stream's hashes are searched for repeats. A repeated hash is almost always a repeated
//! id, but two ids may share a hash: so when there are repeats, the ids with those hashes are
//! read again as text (one more pass over the stream's files, only then) and compared as
//! written. The text of the ids is never held for the whole stream.

use polars::prelude::*;

use super::{FILE_INDEX, concat_frames};
use crate::ingest::ROW;

/// Column of the typed rows: the hash of `event_id` (null where the id is empty).
pub(super) const ID_HASH: &str = "event_id#hash";

/// Column of [`repeats`]: the [`row_key`] of the id's first occurrence in the stream.
pub(super) const FIRST_KEY: &str = "event_id#first";

/// The hashes of column `name` of `frame` as column `ID_HASH` (null where `name` is null).
fn hashed(frame: DataFrame, name: &str) -> PolarsResult<DataFrame> {
    let ids = frame.column(name)?.as_materialized_series().clone();
    let mut hashes = Vec::with_capacity(ids.len());
    ids.vec_hash(PlSeedableRandomStateQuality::fixed(), &mut hashes)?;
    let hashes = Series::new(ID_HASH.into(), hashes);
    frame
        .lazy()
        .with_column(
            when(col(name).is_null())
                .then(lit(NULL).cast(DataType::UInt64))
                .otherwise(lit(hashes))
                .alias(ID_HASH),
        )
        .collect()
}

/// The hashes of a batch's event ids, as column `ID_HASH`.
pub(super) fn hashes(typed: &DataFrame) -> PolarsResult<DataFrame> {
    hashed(typed.select(["event_id"])?, "event_id")?.select([ID_HASH])
}

/// The hashes are searched for repeats in this many parts (by the hash modulo), so that the
/// search's table holds a sixteenth of the stream's hashes at a time.
const SEARCH_PARTS: u64 = 16;

/// The rows whose event id occurred earlier in the stream: `FILE_INDEX`, `ROW`, `event_id`
/// (as parsed) and `FIRST_KEY` (where the id was first seen), in file order. `parts` are the id hashes of every batch (see
/// [`hashes`]); `reread` gives the same columns for every row whose id hashes to one of the
/// hashes it is given.
pub(super) fn repeats(
    parts: &[DataFrame],
    reread: &mut dyn FnMut(Series) -> PolarsResult<DataFrame>,
) -> PolarsResult<DataFrame> {
    let all = concat(
        parts.iter().map(|p| p.clone().lazy()).collect::<Vec<_>>(),
        UnionArgs::default(),
    )?;
    let hash = col(ID_HASH);
    let mut repeated = Vec::new();
    for part in 0..SEARCH_PARTS {
        let found = all
            .clone()
            .filter((hash.clone() % lit(SEARCH_PARTS)).eq(lit(part)))
            .filter(hash.clone().is_duplicated())
            .select([hash.clone().unique()])
            .collect()?;
        repeated.push(found);
    }
    let hashes = concat_frames(repeated)?;
    let hashes = hashes.column(ID_HASH)?.as_materialized_series().clone();
    if hashes.is_empty() {
        return Ok(DataFrame::empty_with_schema(&repeat_schema()));
    }
    let id = col("event_id");
    reread(hashes)?
        .lazy()
        .with_column(row_key().min().over([id.clone()])?.alias(FIRST_KEY))
        .filter(id.clone().is_not_null().and(id.is_first_distinct().not()))
        .collect()
}

/// The file index and row of a [`row_key`].
pub(super) fn key_file(key: Expr) -> Expr {
    (key / lit(1u64 << 40)).cast(DataType::UInt32)
}

pub(super) fn key_row(key: Expr) -> Expr {
    key % lit(1u64 << 40)
}

fn repeat_schema() -> Schema {
    Schema::from_iter([
        Field::new(FILE_INDEX.into(), DataType::UInt32),
        Field::new(ROW.into(), DataType::UInt64),
        Field::new("event_id".into(), DataType::String),
        Field::new(FIRST_KEY.into(), DataType::UInt64),
    ])
}

/// Of one batch of `FILE_INDEX`, `ROW` and `event_id` (as parsed), the rows whose id hashes
/// to one of `hashes`.
pub(super) fn with_hashes(batch: DataFrame, hashes: &Series) -> PolarsResult<DataFrame> {
    hashed(batch, "event_id")?
        .lazy()
        .filter(col(ID_HASH).is_in(lit(hashes.clone()).implode(false), false))
        .select([col(FILE_INDEX), col(ROW), col("event_id")])
        .collect()
}

/// The key of a row in the stream: its file index and row, in one number.
pub(super) fn row_key() -> Expr {
    (col(FILE_INDEX).cast(DataType::UInt64) * lit(1u64 << 40)) + col(ROW).cast(DataType::UInt64)
}

/// The keys of `repeats` (see [`row_key`]), to leave those rows out of the clean rows.
pub(super) fn repeat_keys(repeats: &DataFrame) -> PolarsResult<Option<Series>> {
    if repeats.height() == 0 {
        return Ok(None);
    }
    let keys = repeats
        .clone()
        .lazy()
        .select([row_key().alias("key")])
        .collect()?;
    Ok(Some(keys.column("key")?.as_materialized_series().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows 1 to 3 of file 0 with hashes 5, 5, 7.
    fn ids() -> DataFrame {
        df!(ID_HASH => [5u64, 5, 7]).unwrap()
    }

    fn texts(ids: [&str; 2]) -> impl FnMut(Series) -> PolarsResult<DataFrame> {
        move |hashes: Series| {
            assert_eq!(hashes.u64()?.into_no_null_iter().collect::<Vec<_>>(), [5]);
            df!(FILE_INDEX => [0u32, 0], ROW => [1u64, 2], "event_id" => ids)
        }
    }

    #[test]
    fn a_repeated_hash_of_a_repeated_id_is_a_repeat() {
        let repeats = repeats(&[ids()], &mut texts(["a", "a"])).unwrap();
        assert_eq!(repeats.column(ROW).unwrap().u64().unwrap().get(0), Some(2));
        assert_eq!(repeats.height(), 1);
    }

    #[test]
    fn two_ids_that_share_a_hash_are_not_repeats() {
        let repeats = repeats(&[ids()], &mut texts(["a", "b"])).unwrap();
        assert_eq!(repeats.height(), 0);
    }

    #[test]
    fn without_repeated_hashes_nothing_is_read_again() {
        let ids =
            df!(FILE_INDEX => [0u32, 1], ROW => [1u64, 1], ID_HASH => [Some(5u64), None]).unwrap();
        let mut reread = |_: Series| -> PolarsResult<DataFrame> { panic!("read again") };
        assert_eq!(repeats(&[ids], &mut reread).unwrap().height(), 0);
    }
}
