//! Turning a column of any input type into text, so that every format goes through the same
//! parsing and validation. Timestamps are written in a form the timestamp parser reads back
//! exactly; numbers use polars' shortest round-trip formatting.

use polars::prelude::*;

/// An expression giving `expr` (of type `dtype`) as text, or `None` when the type cannot
/// stand for a single value (lists, structs).
pub fn as_text(expr: Expr, dtype: &DataType) -> Option<Expr> {
    let text = match dtype {
        DataType::String => expr,
        DataType::Datetime(_, Some(_)) => expr
            .dt()
            .convert_time_zone(TimeZone::UTC)
            .dt()
            .to_string("%Y-%m-%dT%H:%M:%S%.f+00:00"),
        DataType::Datetime(_, None) => expr.dt().to_string("%Y-%m-%d %H:%M:%S%.f"),
        DataType::Date => expr.dt().to_string("%Y-%m-%d"),
        DataType::Null => expr.cast(DataType::String),
        dt if dt.is_bool() || dt.is_primitive_numeric() => expr.cast(DataType::String),
        DataType::Categorical(..) | DataType::Enum(..) => expr.cast(DataType::String),
        DataType::Decimal(..) | DataType::Time => expr.cast(DataType::String),
        _ => return None,
    };
    Some(text)
}
