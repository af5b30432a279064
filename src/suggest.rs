//! "Did you mean …?": the closest names to a word a user mistyped (a column name, a metric
//! id), by Jaro-Winkler similarity on lower-case text, so that a typo gets a fix, not a list.

/// Candidates at least this similar are offered.
const THRESHOLD: f64 = 0.8;

/// Up to `n` candidates closest to `word`, most similar first (ties in the given order).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    let word = word.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<&str> = Vec::new();
    for (_, c) in scored {
        if !out.contains(&c) && out.len() < n {
            out.push(c);
        }
    }
    out
}

/// `; did you mean "x"?` for the closest candidate, or nothing.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match closest(word, candidates, 1).first() {
        Some(best) => format!("; did you mean {best:?}?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word() {
        let headers = ["txn_id", "model_score", "is_fraud", "amount_hkd"];
        assert_eq!(closest("is_fruad", headers, 3), ["is_fraud"]);
        assert_eq!(closest("model_scr", headers, 3), ["model_score"]);
        assert!(closest("zzz", headers, 3).is_empty());
        let ids = ["detection.recall", "detection.precision"];
        assert_eq!(
            did_you_mean("detection.recal", ids),
            "; did you mean \"detection.recall\"?"
        );
        assert_eq!(did_you_mean("nothing", ids), "");
    }
}
