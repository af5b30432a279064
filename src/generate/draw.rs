//! Random draws for the generator: columns of uniform and standard-normal numbers from a
//! seeded ChaCha8 generator, and small helpers that turn them into categories with polars.

use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A seeded source of random columns. The same seed gives the same columns everywhere.
pub struct Draws {
    rng: ChaCha8Rng,
}

impl Draws {
    pub fn new(seed: u64) -> Draws {
        Draws {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// `n` uniform numbers in [0, 1).
    pub fn uniform(&mut self, name: &str, n: usize) -> Column {
        let values: Vec<f64> = (&mut self.rng).random_iter().take(n).collect();
        Column::new(name.into(), values)
    }

    /// `n` standard-normal numbers.
    pub fn normal(&mut self, name: &str, n: usize) -> Column {
        let values: Vec<f64> = (&mut self.rng)
            .sample_iter(StandardNormal)
            .take(n)
            .collect();
        Column::new(name.into(), values)
    }

    /// A frame of `n` rows with the named uniform (`u…`) and normal (`z…`) columns.
    pub fn frame(
        &mut self,
        n: usize,
        uniforms: &[&str],
        normals: &[&str],
    ) -> PolarsResult<DataFrame> {
        let mut columns = Vec::new();
        for name in uniforms {
            columns.push(self.uniform(name, n));
        }
        for name in normals {
            columns.push(self.normal(name, n));
        }
        DataFrame::new(n, columns)
    }
}

/// Picks a category by a uniform column: `choices` are (value, probability) summing to 1.
pub fn categorical(uniform: &str, choices: &[(&str, f64)]) -> Expr {
    let mut bounds = Vec::with_capacity(choices.len());
    let mut cumulative = 0.0;
    for (value, p) in choices {
        cumulative += p;
        bounds.push((*value, cumulative));
    }
    let Some((last, _)) = bounds.pop() else {
        return lit(NULL).cast(DataType::String);
    };
    bounds.iter().rev().fold(lit(last), |rest, (value, bound)| {
        when(col(uniform).lt(lit(*bound)))
            .then(lit(*value))
            .otherwise(rest)
    })
}

/// A log-normal value `exp(mu + sigma·z)` from a normal column.
pub fn log_normal(normal: &str, mu: f64, sigma: f64) -> Expr {
    (lit(mu) + lit(sigma) * col(normal)).exp()
}
