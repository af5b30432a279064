#!/usr/bin/env python3
"""Independent cross-check of the metrics in sandbox-report's summary.json.

What it does
------------
1. Generates N synthetic submissions with numpy (seeded, so a run is reproducible):
   detection, assistant and redteam streams of a few dozen up to --max-events events (at
   least two of >= 100k events), with rare and balanced classes, a stream where only one
   class is labelled, score ties (scores rounded to 1-3 decimals, one stream where every
   score is the same), missing labels, events just outside the reporting period, segments
   (`age_band`, `channel`) with groups smaller than `fairness.min_group_size`, A/B arms,
   attack species including `bona_fide`, amounts, oversight and incident columns, assistant
   usage/quality columns with nulls and red-team benign controls. Each is written as CSV
   (some gzip-compressed, in nested folders, some with bank-native column names mapped by
   `columns`/`values`) with a submission.yaml, in Asia/Hong_Kong, UTC or Europe/London
   (RFC 3339 timestamps across a daylight-saving change), and one period across an ISO
   year boundary. Two small datasets test a written rule each: one has empty segment
   values (summary-v1: "Rows whose segment value is null form no group"), one has an exact
   FNR = FPR tie at a ROC point (the EER threshold is the score at the first point with
   FNR <= FPR).
2. Runs `BIN build submission.yaml -o OUT --format json` (SOURCE_DATE_EPOCH=1756684800) and
   reads OUT/summary.json. A non-zero exit code is a failure.
3. Does the same for the bundled sample `lantern-bank-liveness` (JSON Lines incl. .jsonl.gz,
   RFC 3339 timestamps with offsets, arms, attack species).
4. Reads the input files back with pandas and recomputes every metric independently:
   confusion counts, precision, recall, accuracy, F1 (scikit-learn), ROC AUC
   (`roc_auc_score`), average precision (`average_precision_score`), Wilson intervals
   (statsmodels `proportion_confint(method="wilson")`), Newcombe intervals for the `delta`
   arm (statsmodels `confint_proportions_2indep(method="newcomb", compare="diff")`),
   quantiles (numpy, linear), demographic parity difference / ratio and equalized odds
   difference (fairlearn) on the rows of the groups that take part; everything else (EER
   and its threshold, APCER/BPCER, value detection rate, assistant, redteam, oversight and
   incident metrics, per-segment metrics, escalation-rate gap, weekly series) from the
   written definitions in shared/spec/summary-v1.md and docs/metrics.md.
5. Compares every value, ci_low, ci_high, numerator, denominator (and EER threshold) against
   summary.json, matched on (id, stream, segment, arm); also every weekly series point, and
   the per-stream rows_read / rows_outside_period / events. Tolerance: 1e-9 absolute for
   values and intervals (plus 1e-12 relative, which only matters for sums, means and
   quantiles of magnitude > 1000, where summation order changes the last bits); integer
   counts must be equal; null must match null. A metric missing from summary.json, or one
   in summary.json that the definitions do not produce, is a mismatch.

Run
---
    python3 -m venv /root/.cache/sandbox-report/venv
    /root/.cache/sandbox-report/venv/bin/pip install -r tests/crosscheck/requirements.txt
    /root/.cache/sandbox-report/venv/bin/python tests/crosscheck/crosscheck.py \\
        --bin /root/.cache/sandbox-report/target/debug/sandbox-report

Options: --datasets N (24), --max-events N (200000), --seed S (20250901), --samples DIR
(the repo's sample-data), --work DIR (kept afterwards; default a temporary folder that is
removed), --mismatches FILE (every mismatch as JSON Lines). The fixed scenarios (SCENARIOS)
come first, so a small --datasets still covers the edge cases; the rest are random mixes.

Output: one line per dataset, then `crosscheck: compared N values over M datasets, K
mismatches`, then `crosscheck: ok` on success. Exit status 1 on any mismatch (the first 50
are printed with id/stream/segment/arm/field/expected/found, then a count per metric and
field; a build that fails counts as a mismatch), 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
)
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

warnings.filterwarnings("ignore")  # fairlearn / sklearn chatter on small groups

SOURCE_DATE_EPOCH = "1756684800"
ALPHA = 0.05
ABS_TOL = 1e-9
REL_TOL = 1e-12
MAX_PRINTED = 50
REPO = Path(__file__).resolve().parents[2]

# Metrics whose unit is "ratio": with arms they are also reported as "delta" (ai - baseline).
DELTA_IDS = {
    "detection.alert_rate", "detection.precision", "detection.recall", "detection.fpr",
    "detection.fnr", "detection.specificity", "detection.accuracy", "detection.f1", "detection.fp_to_tp",
    "detection.roc_auc", "detection.average_precision", "detection.eer",
    "detection.value_detection_rate", "detection.apcer", "detection.apcer_max",
    "detection.bpcer",
    "assistant.resolution_rate", "assistant.escalation_rate", "assistant.abandonment_rate",
    "assistant.containment_rate", "assistant.hallucination_rate",
    "assistant.csat_satisfied_rate",
    "redteam.attack_success_rate", "redteam.over_refusal_rate",
    "oversight.review_rate", "oversight.override_rate",
    "fairness.disparate_impact_ratio",
}

BOOL_COLS = ["decision", "label", "human_reviewed", "human_override", "hallucination",
             "benign", "attack_success", "refused"]
NUM_COLS = ["score", "amount", "review_seconds", "latency_ms", "input_tokens",
            "output_tokens", "cost", "csat"]
LOWER_COLS = ["arm", "outcome", "incident_severity"]  # "one of a set, in any case"
TRUE_WORDS = {"true", "1", "yes", "y"}
FALSE_WORDS = {"false", "0", "no", "n"}
EXTENSIONS = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


# ----------------------------------------------------------------------------------------
# Small record helpers. A record is a dict of the fields to compare; keys starting with "_"
# carry data for the delta arm and are never compared.
# ----------------------------------------------------------------------------------------

def wilson(x: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval (statsmodels), exact 0 / 1 at the extremes."""
    lo, hi = proportion_confint(int(x), int(n), alpha=ALPHA, method="wilson")
    lo, hi = float(lo), float(hi)
    if x == 0:
        lo = 0.0
    if x == n:
        hi = 1.0
    return lo, hi


def rec_count(v) -> dict:
    return {"value": int(v), "ci_low": None, "ci_high": None,
            "numerator": None, "denominator": None}


def rec_wilson(x, n, value=None) -> dict:
    """Ratio x/n with a Wilson interval; `value` lets a library-computed value stand in."""
    x, n = int(x), int(n)
    if n == 0:
        return {"value": None, "ci_low": None, "ci_high": None, "numerator": x,
                "denominator": 0, "_wilson": False}
    lo, hi = wilson(x, n)
    return {"value": float(x / n if value is None else value), "ci_low": lo, "ci_high": hi,
            "numerator": x, "denominator": n, "_wilson": True, "_x": x, "_n": n}


def rec_ratio(num, den) -> dict:
    """Ratio without an interval (f1, fp_to_tp, value detection rate, cost per interaction)."""
    v = None if den == 0 else num / den
    return {"value": v, "ci_low": None, "ci_high": None, "numerator": num,
            "denominator": den}


def rec_stat(value, n) -> dict:
    """Mean or quantile: denominator is the number of values (numerator not defined)."""
    return {"value": None if n == 0 else float(value), "ci_low": None, "ci_high": None,
            "denominator": int(n)}


def quantile(values: np.ndarray, q: float) -> float | None:
    return None if len(values) == 0 else float(np.quantile(values, q, method="linear"))


def is_true(s: pd.Series) -> np.ndarray:
    """Mask of a nullable boolean column being true (null counts as not true)."""
    return s.fillna(False).to_numpy(dtype=bool)


def true_count(s: pd.Series) -> int:
    return int(is_true(s).sum())


def benign_mask(d: pd.DataFrame) -> np.ndarray:
    """Red-team benign controls; an absent column or empty cell means not benign."""
    return is_true(d["benign"]) if "benign" in d.columns else np.zeros(len(d), dtype=bool)


# ----------------------------------------------------------------------------------------
# Reading a submission back (config + input files) into canonical, typed columns
# ----------------------------------------------------------------------------------------

@dataclass
class Stream:
    name: str
    kind: str
    df: pd.DataFrame          # all rows, typed; plus "_day" (local day number), "_in_period"
    cols: set                 # canonical columns present in the files
    has_arms: bool


def parse_bool(s: pd.Series, col: str) -> pd.Series:
    def one(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        t = str(v).strip().lower()
        if t == "":
            return None
        if t in TRUE_WORDS:
            return True
        if t in FALSE_WORDS:
            return False
        raise ValueError(f"column {col}: not a boolean: {v!r}")
    return pd.Series([one(v) for v in s], index=s.index, dtype="boolean")


def parse_text(s: pd.Series) -> pd.Series:
    def one(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        t = str(v).strip()
        return t if t else None
    return pd.Series([one(v) for v in s], index=s.index, dtype=object)


def local_days(s: pd.Series, tz: str) -> np.ndarray:
    """Local calendar day of each timestamp in the config's timezone, as a day number
    (days since 1970-01-01).
    RFC 3339 timestamps (offset or Z) are converted; naive ones are already local."""
    s = s.astype(str).str.strip()
    has_offset = s.str.contains(r"(?:Z|z|[+-]\d\d:?\d\d)$", regex=True)
    out = np.empty(len(s), dtype="datetime64[s]")
    if has_offset.any():
        t = pd.to_datetime(s[has_offset], utc=True, format="ISO8601")
        out[has_offset.to_numpy()] = t.dt.tz_convert(tz).dt.tz_localize(None).to_numpy()
    if (~has_offset).any():
        t = pd.to_datetime(s[~has_offset].str.replace("T", " "), format="ISO8601")
        out[(~has_offset).to_numpy()] = t.to_numpy()
    return out.astype("datetime64[D]").astype(np.int64)


def list_files(base: Path, include) -> list[Path]:
    if base.is_file():
        return [base]
    if base.is_dir():
        files = sorted(p for p in base.rglob("*") if p.is_file())
    else:
        files = sorted(Path(p) for p in base.parent.glob(base.name))
    files = [p for p in files if p.name.lower().endswith(EXTENSIONS)]
    if include:
        files = [p for p in files if any(fnmatch.fnmatch(p.name, pat) for pat in include)]
    return files


def read_file(p: Path) -> pd.DataFrame:
    name = p.name.lower()
    if ".csv" in name:
        return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.read_json(p, lines=True, dtype=False, convert_dates=False)


def load_submission(config_path: Path):
    cfg = yaml.safe_load(config_path.read_text())
    tz = cfg.get("timezone", "UTC")
    period = cfg["submission"]["period"]
    start = int(np.datetime64(str(period["start"]), "D").astype(np.int64))
    end = int(np.datetime64(str(period["end"]), "D").astype(np.int64))
    streams = []
    for sc in cfg["streams"]:
        if sc["kind"] == "kpis":
            continue
        files = list_files(config_path.parent / sc["path"], sc.get("include"))
        rename = {v: k for k, v in (sc.get("columns") or {}).items()}
        values = sc.get("values") or {}
        frames = []
        for f in files:
            part = read_file(f).rename(columns=rename)
            frames.append(part)
        df = pd.concat(frames, ignore_index=True, sort=False)
        cols = set(df.columns)
        for col in df.columns:
            s = df[col]
            if col in values:
                mapping = {str(k): v for k, v in values[col].items()}
                s = s.map(lambda v: mapping.get(str(v).strip(), v) if v is not None else v)
            if col in BOOL_COLS:
                s = parse_bool(s, col)
            elif col in NUM_COLS:
                s = pd.to_numeric(parse_text(s), errors="raise").astype(float)
            elif col != "timestamp":
                s = parse_text(s)
                if col in LOWER_COLS:
                    s = s.map(lambda v: v.lower() if isinstance(v, str) else v)
            df[col] = s
        df["_day"] = local_days(df["timestamp"], tz)
        df["_in_period"] = (df["_day"] >= start) & (df["_day"] <= end)
        streams.append(Stream(sc["name"], sc["kind"], df, cols, "arm" in cols))
    settings = {
        "tz": tz, "start": start, "end": end,
        "segments": list(cfg.get("segments") or []),
        "min_group": int((cfg.get("fairness") or {}).get("min_group_size", 30)),
    }
    return settings, streams


# ----------------------------------------------------------------------------------------
# Metric families. Each takes the population rows of one arm (or the whole stream) and a
# context with stream-wide facts (columns present, the groups that exist), and returns
# {(metric id, segment key): record}. Segment key: None, (attribute,) or (attribute, value).
# ----------------------------------------------------------------------------------------

@dataclass
class Ctx:
    cols: set
    segments: list
    min_group: int
    groups: dict = field(default_factory=dict)       # attribute -> sorted values
    species: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    incident_types: list = field(default_factory=list)
    severities: list = field(default_factory=list)
    has_benign: bool = False


def make_ctx(pop: pd.DataFrame, cols: set, settings: dict) -> Ctx:
    def values(col, mask=None):
        s = pop[col] if mask is None else pop.loc[mask, col]
        return sorted({v for v in s if v is not None})
    ctx = Ctx(cols=cols, segments=[a for a in settings["segments"] if a in cols],
              min_group=settings["min_group"])
    for a in ctx.segments:
        ctx.groups[a] = values(a)
    if "attack_type" in cols:
        # A species is one with an attack presentation (a row not labelled genuine) in some arm.
        attack = pop["label"].map(lambda v: pd.isna(v) or bool(v)) if "label" in cols else None
        ctx.species = [v for v in values("attack_type", attack) if v != "bona_fide"]
    if "attack_category" in cols:
        benign = benign_mask(pop)
        ctx.categories = values("attack_category", ~benign)
        ctx.has_benign = bool(benign.any())
    if "incident_type" in cols:
        ctx.incident_types = values("incident_type")
        if "incident_severity" in cols:
            ctx.severities = values("incident_severity", pop["incident_type"].notna())
    return ctx


def confusion(d: pd.DataFrame) -> tuple[int, int, int, int, np.ndarray, np.ndarray]:
    """(tp, fp, tn, fn, y_true, y_pred) over the labelled events, via sklearn."""
    known = d["label"].notna().to_numpy()
    y = d["label"].to_numpy(dtype=object)[known].astype(bool)
    p = d["decision"].to_numpy(dtype=object)[known].astype(bool)
    if len(y) == 0:
        return 0, 0, 0, 0, y, p
    tn, fp, fn, tp = confusion_matrix(y, p, labels=[False, True]).ravel()
    return int(tp), int(fp), int(tn), int(fn), y, p


def eer(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """Equal error rate per summary-v1: distinct scores descending, starting at the point
    "nothing positive"; first point i with FNR <= FPR (decided exactly, in integers); linear
    interpolation of FPR - FNR between points i-1 and i; threshold = score at point i."""
    P = int(y.sum())
    N = len(y) - P
    thr, inv = np.unique(s, return_inverse=True)  # ascending
    pos_at = np.bincount(inv, weights=y.astype(float), minlength=len(thr)).round().astype(np.int64)
    neg_at = np.bincount(inv, minlength=len(thr)).astype(np.int64) - pos_at
    thr, pos_at, neg_at = thr[::-1], pos_at[::-1], neg_at[::-1]  # descending thresholds
    tp = np.concatenate([[0], np.cumsum(pos_at)])
    fp = np.concatenate([[0], np.cumsum(neg_at)])
    # FNR <= FPR  <=>  (P - tp) / P <= fp / N  <=>  (P - tp) * N <= fp * P
    ok = np.nonzero((P - tp) * N <= fp * P)[0]
    i = int(ok[0])
    fpr = [Fraction(int(v), N) for v in (fp[i - 1], fp[i])]
    fnr = [1 - Fraction(int(v), P) for v in (tp[i - 1], tp[i])]
    d0, d1 = fpr[0] - fnr[0], fpr[1] - fnr[1]
    sfrac = d0 / (d0 - d1)
    return float(fpr[0] + sfrac * (fpr[1] - fpr[0])), float(thr[i - 1])


def detection_core(d: pd.DataFrame, ctx: Ctx) -> dict:
    """events, labelled, alert rate, confusion counts and rates, F1, fp_to_tp, value rate."""
    R = {}
    dec = d["decision"].to_numpy(dtype=object).astype(bool)
    R[("detection.events", None)] = rec_count(len(d))
    R[("detection.alert_rate", None)] = rec_wilson(dec.sum(), len(d))
    if "label" not in ctx.cols:
        return R
    tp, fp, tn, fn, y, p = confusion(d)
    R[("detection.labelled", None)] = rec_count(len(y))
    for k, v in (("tp", tp), ("fp", fp), ("tn", tn), ("fn", fn)):
        R[(f"detection.{k}", None)] = rec_count(v)
    R[("detection.precision", None)] = rec_wilson(
        tp, tp + fp, precision_score(y, p) if tp + fp else None)
    R[("detection.recall", None)] = rec_wilson(tp, tp + fn, recall_score(y, p) if tp + fn else None)
    R[("detection.fpr", None)] = rec_wilson(fp, fp + tn)
    R[("detection.fnr", None)] = rec_wilson(fn, tp + fn)
    # Specificity through scikit-learn: the recall of the negative class.
    R[("detection.specificity", None)] = rec_wilson(
        tn, tn + fp, recall_score(y, p, pos_label=False) if tn + fp else None)
    R[("detection.accuracy", None)] = rec_wilson(
        tp + tn, len(y), accuracy_score(y, p) if len(y) else None)
    f1 = rec_ratio(2 * tp, 2 * tp + fp + fn)
    if f1["value"] is not None:
        f1["value"] = float(f1_score(y, p))
    R[("detection.f1", None)] = f1
    R[("detection.fp_to_tp", None)] = rec_ratio(fp, tp)
    if "amount" in ctx.cols:
        amt = d["amount"].to_numpy(dtype=float)
        lab = is_true(d["label"])
        has = ~np.isnan(amt)
        num = math.fsum(amt[has & lab & dec])
        den = math.fsum(amt[has & lab])
        R[("detection.value_detection_rate", None)] = rec_ratio(num, den)
    return R


def detection_rank(d: pd.DataFrame, ctx: Ctx) -> dict:
    """ROC AUC and average precision (sklearn), EER with threshold, over label & score."""
    if "label" not in ctx.cols or "score" not in ctx.cols:
        return {}
    m = (d["label"].notna() & d["score"].notna()).to_numpy()
    y = d["label"].to_numpy(dtype=object)[m].astype(bool)
    s = d["score"].to_numpy(dtype=float)[m]
    n = len(y)
    both = n > 0 and 0 < y.sum() < n
    blank = {"value": None, "ci_low": None, "ci_high": None, "numerator": None, "denominator": n}
    auc, ap, er = dict(blank), dict(blank), dict(blank, threshold=None)
    if both:
        auc["value"] = float(roc_auc_score(y, s))
        ap["value"] = float(average_precision_score(y, s))
        er["value"], er["threshold"] = eer(y, s)
    return {("detection.roc_auc", None): auc, ("detection.average_precision", None): ap,
            ("detection.eer", None): er}


def detection_pad(d: pd.DataFrame, ctx: Ctx) -> dict:
    """APCER per species over its attack presentations (its rows less those labelled
    genuine), APCER max (ties: first species by name),
    BPCER."""
    if "attack_type" not in ctx.cols:
        return {}
    R = {}
    at = d["attack_type"].to_numpy(dtype=object)
    dec = d["decision"].to_numpy(dtype=object).astype(bool)
    if "label" in ctx.cols:
        genuine = np.array([(not pd.isna(v)) and not bool(v)
                            for v in d["label"].to_numpy(dtype=object)], dtype=bool)
    else:
        genuine = np.zeros(len(at), dtype=bool)
    best = None
    for sp in ctx.species:
        m = (at == sp) & ~genuine
        r = rec_wilson((m & ~dec).sum(), m.sum())
        R[("detection.apcer", ("attack_type", sp))] = r
        if r["value"] is not None:
            if best is None or Fraction(r["numerator"], r["denominator"]) > Fraction(
                    best["numerator"], best["denominator"]):
                best = r
    if best is None:
        R[("detection.apcer_max", None)] = {"value": None, "ci_low": None, "ci_high": None,
                                             "_wilson": False}
    else:
        R[("detection.apcer_max", None)] = dict(best)
    m = at == "bona_fide"
    R[("detection.bpcer", None)] = rec_wilson((m & dec).sum(), m.sum())
    return R


def detection_segments(d: pd.DataFrame, ctx: Ctx) -> dict:
    """Per group: alert_rate, recall, fpr."""
    R = {}
    for a in ctx.segments:
        for v in ctx.groups[a]:
            g = d[d[a] == v]
            key = (a, v)
            dec = g["decision"].to_numpy(dtype=object).astype(bool)
            R[("detection.alert_rate", key)] = rec_wilson(dec.sum(), len(g))
            if "label" in ctx.cols:
                tp, fp, tn, fn, _, _ = confusion(g)
                R[("detection.recall", key)] = rec_wilson(tp, tp + fn)
                R[("detection.fpr", key)] = rec_wilson(fp, fp + tn)
    return R


def detection_fairness(d: pd.DataFrame, ctx: Ctx) -> dict:
    """Demographic parity difference / disparate impact ratio / equalized odds difference
    (fairlearn) over the groups that take part; null with fewer than two groups."""
    R = {}
    for a in ctx.segments:
        key = (a,)
        seg = d[a]
        sizes = seg.value_counts()
        big = [v for v in ctx.groups[a] if sizes.get(v, 0) >= ctx.min_group]
        dp = {"value": None, "ci_low": None, "ci_high": None, "numerator": None, "denominator": None}
        di = dict(dp)
        if len(big) >= 2:
            rows = seg.isin(big).to_numpy()
            yp = d["decision"].to_numpy(dtype=object)[rows].astype(int)
            sf = seg.to_numpy(dtype=object)[rows]
            dp["value"] = float(demographic_parity_difference(np.zeros_like(yp), yp, sensitive_features=sf))
            rates = pd.Series(yp).groupby(sf).mean()
            if rates.max() > 0:
                di["value"] = float(demographic_parity_ratio(np.zeros_like(yp), yp, sensitive_features=sf))
        R[("fairness.demographic_parity_difference", key)] = dp
        R[("fairness.disparate_impact_ratio", key)] = di
        if "label" in ctx.cols:
            eo = {"value": None, "ci_low": None, "ci_high": None, "numerator": None, "denominator": None}
            lab = d[d["label"].notna()]
            ok = []
            for v in ctx.groups[a]:
                yl = lab.loc[lab[a] == v, "label"].to_numpy(dtype=object).astype(bool)
                if len(yl) >= ctx.min_group and 0 < yl.sum() < len(yl):
                    ok.append(v)
            if len(ok) >= 2:
                rows = lab[a].isin(ok).to_numpy()
                yt = lab["label"].to_numpy(dtype=object)[rows].astype(int)
                yp = lab["decision"].to_numpy(dtype=object)[rows].astype(int)
                sf = lab[a].to_numpy(dtype=object)[rows]
                eo["value"] = float(equalized_odds_difference(yt, yp, sensitive_features=sf))
            R[("fairness.equalized_odds_difference", key)] = eo
    return R


def assistant_metrics(d: pd.DataFrame, ctx: Ctx) -> dict:
    """Outcome rates, containment, hallucination, CSAT, latency, tokens, cost."""
    R = {}
    n = len(d)
    out = d["outcome"].to_numpy(dtype=object)
    esc = int((out == "escalated").sum())
    R[("assistant.interactions", None)] = rec_count(n)
    R[("assistant.resolution_rate", None)] = rec_wilson((out == "resolved").sum(), n)
    R[("assistant.escalation_rate", None)] = rec_wilson(esc, n)
    R[("assistant.abandonment_rate", None)] = rec_wilson((out == "abandoned").sum(), n)
    e = R[("assistant.escalation_rate", None)]
    c = {"value": None, "ci_low": None, "ci_high": None, "numerator": n - esc,
         "denominator": n, "_wilson": False}
    if n:
        c.update(value=1 - e["value"], ci_low=1 - e["ci_high"], ci_high=1 - e["ci_low"],
                 _wilson=True, _x=n - esc, _n=n)
    R[("assistant.containment_rate", None)] = c
    if "hallucination" in ctx.cols:
        h = d["hallucination"]
        R[("assistant.hallucination_rate", None)] = rec_wilson(true_count(h), h.notna().sum())
    if "csat" in ctx.cols:
        cs = d["csat"].dropna().to_numpy(dtype=float)
        R[("assistant.csat_mean", None)] = rec_stat(cs.mean() if len(cs) else 0, len(cs))
        R[("assistant.csat_satisfied_rate", None)] = rec_wilson((cs >= 4).sum(), len(cs))
    if "latency_ms" in ctx.cols:
        lat = d["latency_ms"].dropna().to_numpy(dtype=float)
        for q, name in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99")):
            R[(f"assistant.latency_{name}", None)] = rec_stat(quantile(lat, q) or 0, len(lat))
        R[("assistant.latency_mean", None)] = rec_stat(lat.mean() if len(lat) else 0, len(lat))
    if "input_tokens" in ctx.cols and "output_tokens" in ctx.cols:
        t = (d["input_tokens"] + d["output_tokens"]).dropna().to_numpy(dtype=float)
        R[("assistant.tokens_mean", None)] = rec_stat(t.mean() if len(t) else 0, len(t))
    if "cost" in ctx.cols:
        cost = d["cost"].dropna().to_numpy(dtype=float)
        total = math.fsum(cost)
        R[("assistant.cost_total", None)] = {"value": total if len(cost) else None,
                                             "ci_low": None, "ci_high": None}
        R[("assistant.cost_per_interaction", None)] = rec_ratio(total, len(cost))
    return R


def assistant_segments(d: pd.DataFrame, ctx: Ctx) -> dict:
    """Per group: escalation rate, hallucination rate, CSAT mean; escalation-rate gap."""
    R = {}
    for a in ctx.segments:
        rates = []
        for v in ctx.groups[a]:
            g = d[d[a] == v]
            key = (a, v)
            esc = int((g["outcome"] == "escalated").sum())
            R[("assistant.escalation_rate", key)] = rec_wilson(esc, len(g))
            if len(g) >= ctx.min_group:
                rates.append(esc / len(g))
            if "hallucination" in ctx.cols:
                h = g["hallucination"]
                R[("assistant.hallucination_rate", key)] = rec_wilson(true_count(h), h.notna().sum())
            if "csat" in ctx.cols:
                cs = g["csat"].dropna().to_numpy(dtype=float)
                R[("assistant.csat_mean", key)] = rec_stat(cs.mean() if len(cs) else 0, len(cs))
        R[("fairness.escalation_rate_gap", (a,))] = {
            "value": max(rates) - min(rates) if len(rates) >= 2 else None,
            "ci_low": None, "ci_high": None, "numerator": None, "denominator": None}
    return R


def redteam_metrics(d: pd.DataFrame, ctx: Ctx) -> dict:
    """Attempts, attack success rate (overall, per category), over-refusal rate."""
    R = {}
    benign = benign_mask(d)
    att = d[~benign]
    R[("redteam.attempts", None)] = rec_count(len(att))
    R[("redteam.attack_success_rate", None)] = rec_wilson(true_count(att["attack_success"]), len(att))
    for cat in ctx.categories:
        g = att[att["attack_category"] == cat]
        R[("redteam.attack_success_rate", ("attack_category", cat))] = rec_wilson(
            true_count(g["attack_success"]), len(g))
    if ctx.has_benign and "refused" in ctx.cols:
        b = d[benign]
        R[("redteam.over_refusal_rate", None)] = rec_wilson(true_count(b["refused"]), len(b))
    return R


def oversight_incident_metrics(d: pd.DataFrame, ctx: Ctx) -> dict:
    """oversight.* and incidents.* (any kind, when the columns exist)."""
    R = {}
    if "human_reviewed" in ctx.cols:
        hr = d["human_reviewed"]
        R[("oversight.review_rate", None)] = rec_wilson(true_count(hr), hr.notna().sum())
        if "human_override" in ctx.cols:
            reviewed = is_true(hr)
            R[("oversight.override_rate", None)] = rec_wilson(
                true_count(d.loc[reviewed, "human_override"]), reviewed.sum())
    if "review_seconds" in ctx.cols:
        rs = d["review_seconds"].dropna().to_numpy(dtype=float)
        R[("oversight.review_seconds_median", None)] = rec_stat(quantile(rs, 0.5) or 0, len(rs))
    if "incident_type" in ctx.cols:
        it = d["incident_type"]
        total = int(it.notna().sum())
        R[("incidents.total", None)] = rec_count(total)
        for v in ctx.incident_types:
            R[("incidents.total", ("incident_type", v))] = rec_count((it == v).sum())
        if "incident_severity" in ctx.cols:
            sev = d.loc[it.notna(), "incident_severity"]
            for v in ctx.severities:
                R[("incidents.total", ("incident_severity", v))] = rec_count((sev == v).sum())
        R[("incidents.per_1k", None)] = {
            "value": None if len(d) == 0 else total / len(d) * 1000, "ci_low": None,
            "ci_high": None, "numerator": total, "denominator": len(d)}
    return R


FAMILIES = {
    "detection": [detection_core, detection_rank, detection_pad, detection_segments,
                  detection_fairness, oversight_incident_metrics],
    "assistant": [assistant_metrics, assistant_segments, oversight_incident_metrics],
    "redteam": [redteam_metrics, oversight_incident_metrics],
}


def delta(a: dict, b: dict) -> dict:
    """ai - baseline; Newcombe interval when both arms have Wilson intervals."""
    r = {"value": None, "ci_low": None, "ci_high": None, "numerator": None, "denominator": None}
    if a.get("value") is not None and b.get("value") is not None:
        r["value"] = a["value"] - b["value"]
        if a.get("_wilson") and b.get("_wilson"):
            lo, hi = confint_proportions_2indep(a["_x"], a["_n"], b["_x"], b["_n"],
                                                method="newcomb", compare="diff", alpha=ALPHA)
            r["ci_low"], r["ci_high"] = float(lo), float(hi)
    return r


# ----------------------------------------------------------------------------------------
# Weekly series
# ----------------------------------------------------------------------------------------

def monday(day):
    """Day number of the Monday starting the ISO week of `day` (1970-01-01 was a Thursday)."""
    return day - ((day + 3) % 7)


def week_starts(start: int, end: int) -> list[int]:
    return list(range(monday(start), monday(end) + 1, 7))


def series_points(d: pd.DataFrame, kind: str, cols: set, settings: dict) -> dict:
    """{metric id: [points]} for one arm (or the whole stream)."""
    mondays = monday(d["_day"].to_numpy(dtype=np.int64))
    want = []
    if kind == "detection":
        want.append("detection.alert_rate")
        if "label" in cols:
            want += ["detection.precision", "detection.recall"]
    elif kind == "assistant":
        want.append("assistant.escalation_rate")
        if "hallucination" in cols:
            want.append("assistant.hallucination_rate")
        if "latency_ms" in cols:
            want.append("assistant.latency_p95")
    else:
        want.append("redteam.attack_success_rate")
    out = {m: [] for m in want}
    for wk in week_starts(settings["start"], settings["end"]):
        w = d[mondays == wk]
        day = dt.date(1970, 1, 1) + dt.timedelta(days=int(wk))
        iso = day.isocalendar()
        label = f"{iso[0]}-W{iso[1]:02d}"
        vals = {}
        if kind == "detection":
            dec = w["decision"].to_numpy(dtype=object).astype(bool)
            vals["detection.alert_rate"] = (dec.sum(), len(w))
            if "label" in cols:
                tp, fp, tn, fn, _, _ = confusion(w)
                vals["detection.precision"] = (tp, tp + fp)
                vals["detection.recall"] = (tp, tp + fn)
        elif kind == "assistant":
            vals["assistant.escalation_rate"] = ((w["outcome"] == "escalated").sum(), len(w))
            if "hallucination" in cols:
                vals["assistant.hallucination_rate"] = (true_count(w["hallucination"]),
                                                        w["hallucination"].notna().sum())
        else:
            benign = benign_mask(w)
            vals["redteam.attack_success_rate"] = (true_count(w.loc[~benign, "attack_success"]),
                                                   int((~benign).sum()))
        for m in want:
            if m == "assistant.latency_p95":
                lat = w["latency_ms"].dropna().to_numpy(dtype=float)
                v, n = quantile(lat, 0.95), len(lat)
            else:
                x, n = vals[m]
                v = None if n == 0 else x / n
            out[m].append({"period": label, "start": day.isoformat(), "value": v, "denominator": int(n)})
    return out


# ----------------------------------------------------------------------------------------
# Expected values for a whole submission
# ----------------------------------------------------------------------------------------

def expected_for(settings: dict, streams: list[Stream]):
    metrics, series, stream_facts = {}, {}, {}
    for st in streams:
        df = st.df
        in_p = df["_in_period"].to_numpy()
        pop = df[in_p]
        if st.has_arms:
            pop = pop[pop["arm"].notna()]
        stream_facts[st.name] = {"rows_read": len(df), "rows_outside_period": int((~in_p).sum()),
                                 "events": len(pop)}
        ctx = make_ctx(pop, st.cols, settings)
        arms = ["ai", "baseline"] if st.has_arms else [None]
        per_arm = {}
        for arm in arms:
            sub = pop if arm is None else pop[pop["arm"] == arm]
            recs = {}
            for fam in FAMILIES[st.kind]:
                recs.update(fam(sub, ctx))
            per_arm[arm] = recs
            for (mid, seg), r in recs.items():
                metrics[(mid, st.name, seg, arm)] = r
            for mid, pts in series_points(sub, st.kind, st.cols, settings).items():
                series[(mid, st.name, arm)] = pts
        if st.has_arms:
            for (mid, seg), a in per_arm["ai"].items():
                if mid in DELTA_IDS:
                    metrics[(mid, st.name, seg, "delta")] = delta(a, per_arm["baseline"][(mid, seg)])
    return metrics, series, stream_facts


# ----------------------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------------------

@dataclass
class Mismatch:
    dataset: str
    id: str
    stream: str
    segment: object
    arm: object
    field: str
    expected: object
    found: object

    def __str__(self):
        seg = "-" if self.segment is None else "/".join(self.segment)
        return (f"  [{self.dataset}] {self.id} stream={self.stream} segment={seg} "
                f"arm={self.arm} {self.field}: expected {self.expected!r}, found {self.found!r}")


def same(e, f, integral=False) -> bool:
    if e is None or f is None:
        return e is None and f is None
    if isinstance(f, bool) or isinstance(e, bool):
        return False
    if integral:
        return float(f) == float(e) and float(f).is_integer()
    return abs(float(e) - float(f)) <= ABS_TOL or abs(float(e) - float(f)) <= REL_TOL * abs(float(e))


def seg_key(seg):
    if seg is None:
        return None
    if "value" in seg:
        return (seg["attribute"], seg["value"])
    return (seg["attribute"],)


def compare(name, summary, metrics, series, facts) -> tuple[int, list[Mismatch]]:
    compared, bad = 0, []
    found = {}
    for m in summary.get("metrics", []):
        found[(m["id"], m["stream"], seg_key(m.get("segment")), m.get("arm"))] = m
    for key, rec in metrics.items():
        mid, stream, seg, arm = key
        f = found.get(key)
        if f is None:
            bad.append(Mismatch(name, mid, stream, seg, arm, "metric", "present", "missing"))
            continue
        for fld, e in rec.items():
            if fld.startswith("_"):
                continue
            # counts (and the counts behind ratios) must match exactly; float sums use the tolerance
            integral = isinstance(e, (int, np.integer)) and not isinstance(e, bool)
            compared += 1
            if fld == "threshold" and e is None and fld not in f:
                continue  # a null EER may leave its threshold out
            if not same(e, f.get(fld, "absent"), integral):
                bad.append(Mismatch(name, mid, stream, seg, arm, fld, e, f.get(fld, "absent")))
    for key in found:
        if key not in metrics and found[key]["stream"] in facts:
            mid, stream, seg, arm = key
            bad.append(Mismatch(name, mid, stream, seg, arm, "metric", "absent", "present"))
    got_series = {(s["metric"], s["stream"], s.get("arm")): s["points"] for s in summary.get("series", [])}
    for key, pts in series.items():
        mid, stream, arm = key
        g = got_series.get(key)
        if g is None:
            bad.append(Mismatch(name, "series:" + mid, stream, None, arm, "series", "present", "missing"))
            continue
        if [p["period"] for p in g] != [p["period"] for p in pts]:
            bad.append(Mismatch(name, "series:" + mid, stream, None, arm, "periods",
                                [p["period"] for p in pts], [p["period"] for p in g]))
            continue
        for ep, gp in zip(pts, g):
            for fld in ("start", "value", "denominator"):
                compared += 1
                e, f = ep[fld], gp.get(fld, "absent")
                ok = e == f if fld == "start" else same(e, f, fld == "denominator")
                if not ok:
                    bad.append(Mismatch(name, "series:" + mid, stream, None, arm,
                                        f"{ep['period']}.{fld}", e, f))
    for key in got_series:
        if key not in series and key[1] in facts:
            bad.append(Mismatch(name, "series:" + key[0], key[1], None, key[2], "series", "absent", "present"))
    got_streams = {s["name"]: s for s in summary.get("streams", [])}
    for sname, fact in facts.items():
        for fld, e in fact.items():
            compared += 1
            f = got_streams.get(sname, {}).get(fld, "absent")
            if not same(e, f, True):
                bad.append(Mismatch(name, "streams." + fld, sname, None, None, "value", e, f))
    return compared, bad


# ----------------------------------------------------------------------------------------
# Synthetic data
# ----------------------------------------------------------------------------------------

AGE_BANDS = ["18-29", "30-44", "45-59", "60+"]
CHANNELS = ["mobile", "web", "branch"]
SPECIES = ["deepfake_video", "face_swap", "mask_3d", "printed_photo", "screen_replay"]
CATEGORIES = ["prompt_injection", "jailbreak", "data_exfiltration", "voice_clone", "face_swap"]
INCIDENTS = ["false_block", "customer_complaint", "pii_leak", "hallucination", "prompt_injection"]
SEVERITIES = ["low", "medium", "high", "critical"]
BOOL_STYLES = {"tf": (["true"], ["false"]), "10": (["1"], ["0"]), "yn": (["yes"], ["no"]),
               "YN": (["Y"], ["N"]),
               "mixed": (["true", "TRUE", "1", "yes", "Y"], ["false", "False", "0", "no", "n"])}

# Fixed scenarios first (so that a small --datasets still covers the edge cases), then
# random mixes. size: large >= 100k events, medium, small, tiny, or random.
SCENARIOS = [
    dict(kind="detection", size="large", tz="Asia/Hong_Kong", arms=True, attack=True,
         amount=True, oversight=True, incidents=True, decimals=3),
    dict(kind="detection", size="large", tz="UTC", pos_rate=0.002, decimals=2, amount=True,
         oversight=True, incidents=True, mapped=True),
    dict(kind="assistant", size="medium", tz="Asia/Hong_Kong", arms=True, oversight=True,
         incidents=True),
    dict(kind="redteam", size="medium", tz="UTC", benign=True, oversight=True, incidents=True),
    dict(kind="detection", size="tiny", one_class=True, attack=True),
    dict(kind="detection", size="small", constant_score=True, amount=True),
    dict(kind="detection", size="medium", no_label=True, oversight=True),
    dict(kind="assistant", size="small", tz="UTC", sparse=True),
    dict(kind="redteam", size="small", arms=True, benign=True, incidents=True),
    dict(kind="detection", size="medium", arms=True, pos_rate=0.01, decimals=1, attack=True,
         year_edge=True),
    dict(kind="detection", size="medium", tz="Europe/London", rfc3339=True, dst=True,
         attack=True, incidents=True),
    dict(kind="assistant", size="tiny", tz="Asia/Hong_Kong", arms=True),
    dict(kind="redteam", size="tiny", benign=False, benign_column=False),
    dict(kind="detection", size="small", null_segments=True),
    dict(kind="detection", size="tiny", eer_tie=True, tz="UTC"),
]


@dataclass
class Dataset:
    name: str
    kind: str
    tz: str
    start: dt.date
    end: dt.date
    min_group: int
    table: pd.DataFrame          # canonical, typed
    opts: dict


def pick_size(rng, size: str, max_events: int) -> int:
    lo_large = min(100_000, max_events)
    if size == "large":
        return int(rng.integers(lo_large, max_events + 1))
    bounds = {"medium": (2_000, 30_000), "small": (150, 2_000), "tiny": (30, 120),
              "random": (40, max(41, max_events // 3))}[size]
    lo, hi = min(bounds[0], max_events), min(bounds[1], max_events)
    return int(round(math.exp(rng.uniform(math.log(max(lo, 1)), math.log(max(hi, 2))))))


def random_scenario(rng) -> dict:
    kind = rng.choice(["detection"] * 6 + ["assistant"] * 2 + ["redteam"] * 2)
    return dict(kind=str(kind), size="random", tz=str(rng.choice(["Asia/Hong_Kong", "UTC"])),
                arms=bool(rng.random() < 0.35), attack=bool(rng.random() < 0.5),
                amount=bool(rng.random() < 0.5), oversight=bool(rng.random() < 0.6),
                incidents=bool(rng.random() < 0.6), benign=bool(rng.random() < 0.7),
                decimals=int(rng.integers(1, 4)),
                pos_rate=float(rng.choice([0.005, 0.03, 0.1, 0.3, 0.5])),
                mapped=bool(rng.random() < 0.2), gzip=bool(rng.random() < 0.3))


def nullable(values, mask) -> list:
    return [None if m else v for v, m in zip(values, mask)]


def gen_times(rng, n, tz, start: dt.date, end: dt.date, out_frac: float, edges=True) -> pd.Series:
    """UTC instants: most inside the period (local days), some in the 3 days around it,
    plus rows exactly on the local day boundaries."""
    lo = pd.Timestamp(start).tz_localize(tz).tz_convert("UTC")
    hi = pd.Timestamp(end + dt.timedelta(days=1)).tz_localize(tz).tz_convert("UTC")
    span = int((hi - lo).total_seconds())
    secs = rng.integers(0, span, n)
    out = rng.random(n) < out_frac
    before = rng.random(n) < 0.5
    off = rng.integers(1, 3 * 86400, n)
    secs = np.where(out & before, -off, np.where(out, span - 1 + off, secs))
    t = lo + pd.to_timedelta(secs, unit="s")
    if edges and n >= 8:  # local-day edges: first and last second inside, just outside on both sides
        edges = [pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta("23:59:59"),
                 pd.Timestamp(start) - pd.Timedelta(seconds=1),
                 pd.Timestamp(end) + pd.Timedelta(days=1)]
        idx = rng.choice(n, 4, replace=False)
        t = pd.Series(t)
        for i, e in zip(idx, edges):
            t.iloc[i] = e.tz_localize(tz).tz_convert("UTC")
        return t.reset_index(drop=True)
    return pd.Series(t)


def gen_common(rng, n, sc, tz, start, end, min_group) -> dict:
    cols = {"event_id": [f"EV-{i:07d}" for i in rng.permutation(n)]}
    if sc.get("eer_tie"):
        cols["timestamp"] = gen_times(rng, n, tz, start, end, 0.0, edges=False)
    else:
        cols["timestamp"] = gen_times(rng, n, tz, start, end, float(rng.choice([0.0, 0.01, 0.05])))
    if sc.get("arms"):
        arm = np.where(rng.random(n) < 0.5, "ai", "baseline").astype(object)
        if sc.get("size") == "random" and rng.random() < 0.5:
            arm[rng.random(n) < 0.003] = None          # empty arm: left out of the metrics
        cols["arm"] = arm
    if sc["kind"] in ("detection", "assistant"):
        for a, vals in (("age_band", AGE_BANDS), ("channel", CHANNELS)):
            p = rng.dirichlet(np.ones(len(vals)) * 3)
            v = rng.choice(np.array(vals, dtype=object), n, p=p)
            if sc.get("null_segments"):
                v[rng.random(n) < 0.01] = None      # summary-v1: such rows form no group
            k = int(rng.integers(1, max(2, min_group)))   # one group below min_group_size
            v[rng.choice(n, min(k, n), replace=False)] = "tiny-" + a
            cols[a] = v
    if sc.get("oversight"):
        rev = rng.random(n) < 0.15
        rev_null = rng.random(n) < 0.02
        cols["human_reviewed"] = nullable(rev, rev_null)
        over = rng.random(n) < 0.25
        cols["human_override"] = [bool(o) if r and not rn else None
                                  for o, r, rn in zip(over, rev, rev_null)]
        secs = np.round(rng.lognormal(4, 0.7, n), 1)
        cols["review_seconds"] = [float(s) if r and not rn and rng_ok else None for s, r, rn, rng_ok
                                  in zip(secs, rev, rev_null, rng.random(n) > 0.05)]
    if sc.get("incidents"):
        has = rng.random(n) < float(rng.choice([0.002, 0.01, 0.03]))
        types = rng.choice(np.array(INCIDENTS, dtype=object), n, p=[.3, .3, .1, .2, .1])
        sev = rng.choice(np.array(SEVERITIES, dtype=object), n, p=[.5, .3, .15, .05])
        if rng.random() < 0.5:
            sev = np.array([s.upper() if rng_u < 0.2 else s for s, rng_u in zip(sev, rng.random(n))],
                           dtype=object)
        cols["incident_type"] = nullable(types, ~has)
        cols["incident_severity"] = nullable(sev, ~has)
    return cols


def gen_detection(rng, n, sc, cols):
    arm = cols.get("arm")
    base = np.array([a == "baseline" for a in arm]) if arm is not None else np.zeros(n, bool)
    pos_rate = sc.get("pos_rate", float(rng.choice([0.02, 0.1, 0.3])))
    latent = rng.random(n) < pos_rate
    sep = np.where(base, 0.25, 0.4)
    raw = rng.normal(0.3 + sep * latent, 0.15)
    score = np.clip(np.round(np.clip(raw, 0, 1), sc.get("decimals", 2)), 0, 1)
    if sc.get("constant_score"):
        score = np.full(n, 0.5)
    if sc.get("eer_tie"):
        # Interleaved classes (P = N): at t = 0.7, FNR = FPR = 1/3 exactly, so the written
        # EER procedure stops there (threshold 0.7), while 1 - 2/3 > 1/3 in floating point.
        k = np.arange(n) % 6
        latent = k % 2 == 0
        score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])[k]
        raw = score
    thr = float(rng.uniform(0.45, 0.6))
    flip = rng.random(n) < 0.02
    cols["decision"] = list(((raw >= thr) ^ flip).astype(bool))
    miss = rng.random(n) < (0.0 if sc.get("eer_tie") else float(rng.choice([0.0, 0.05, 0.25])))
    if sc.get("one_class"):
        miss |= latent                               # only negatives are labelled
    if not sc.get("no_label"):
        cols["label"] = nullable(latent, miss)
        if not sc.get("no_score", False):
            snull = rng.random(n) < (0.02 if rng.random() < 0.5 and not sc.get("eer_tie") else 0.0)
            cols["score"] = nullable(score.tolist(), snull)
    if sc.get("attack"):
        k = int(rng.integers(2, len(SPECIES) + 1))
        species = np.array(sorted(rng.choice(SPECIES, k, replace=False)), dtype=object)
        sp = rng.choice(species, n, p=rng.dirichlet(np.ones(k)))
        at = np.where(latent, sp, "bona_fide").astype(object)
        at[rng.random(n) < 0.005] = None
        cols["attack_type"] = at
    if sc.get("amount"):
        amt = np.round(rng.lognormal(6, 1.3, n), 2)
        cols["amount"] = nullable(amt.tolist(), rng.random(n) < 0.02)


def gen_assistant(rng, n, sc, cols):
    arm = cols.get("arm")
    base = np.array([a == "baseline" for a in arm]) if arm is not None else np.zeros(n, bool)
    u = rng.random(n)
    pe = np.where(base, 0.35, 0.22)
    cols["outcome"] = np.where(u < pe, "escalated", np.where(u < pe + 0.08, "abandoned", "resolved")).astype(object)
    if rng.random() < 0.3:
        cols["outcome"] = np.array([o.upper() if v < 0.1 else o for o, v in zip(cols["outcome"], rng.random(n))], dtype=object)
    sparse = sc.get("sparse")
    lat = np.round(rng.lognormal(7.3, 0.5, n), 1)
    cols["latency_ms"] = nullable(lat.tolist(), rng.random(n) < (0.3 if sparse else 0.01))
    it = rng.poisson(450, n)
    ot = rng.poisson(250, n)
    cols["input_tokens"] = nullable(it.tolist(), rng.random(n) < 0.03)
    cols["output_tokens"] = nullable(ot.tolist(), rng.random(n) < 0.03)
    cost = np.round((it * 3e-6 + ot * 1.5e-5) * rng.uniform(0.9, 1.1, n), 6)
    cols["cost"] = nullable(cost.tolist(), np.ones(n, bool) if sparse else rng.random(n) < 0.02)
    hal = rng.random(n) < np.where(base, 0.06, 0.03)
    cols["hallucination"] = nullable(hal.tolist(), rng.random(n) < 0.6)
    cs = rng.choice([1, 2, 3, 4, 5], n, p=[.07, .08, .15, .35, .35])
    cols["csat"] = nullable(cs.tolist(), np.ones(n, bool) if sparse else rng.random(n) < 0.75)


def gen_redteam(rng, n, sc, cols):
    k = int(rng.integers(2, len(CATEGORIES) + 1))
    cats = np.array(rng.choice(CATEGORIES, k, replace=False), dtype=object)
    cols["attack_category"] = rng.choice(cats, n)
    benign = rng.random(n) < (0.15 if sc.get("benign") else 0.0)
    succ = rng.random(n) < rng.uniform(0.02, 0.2)
    cols["attack_success"] = nullable(succ.tolist(), benign)
    if sc.get("benign_column", sc.get("benign", False) or rng.random() < 0.5):
        cols["benign"] = list(benign)
    refused = rng.random(n) < np.where(benign, 0.07, 0.6)
    cols["refused"] = nullable(refused.tolist(), rng.random(n) < (0.05 if rng.random() < 0.5 else 0))


def make_dataset(i: int, sc: dict, seed: int, max_events: int) -> Dataset:
    rng = np.random.default_rng([seed, i])
    kind = sc["kind"]
    tz = sc.get("tz", str(rng.choice(["Asia/Hong_Kong", "UTC"])))
    if sc.get("dst"):
        start = dt.date(2025, 3, 10) if rng.random() < 0.5 else dt.date(2025, 10, 13)
        length = int(rng.integers(20, 40))
    elif sc.get("year_edge"):
        start, length = dt.date(2024, 12, 18), int(rng.integers(20, 50))
    else:
        start = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 280)))
        length = int(rng.integers(7, 121))
    end = start + dt.timedelta(days=length - 1)
    min_group = int(rng.choice([10, 30, 50]))
    n = pick_size(rng, sc["size"], max_events)
    if sc.get("eer_tie"):
        n = 30  # five copies of the six-score pattern in gen_detection
    cols = gen_common(rng, n, sc, tz, start, end, min_group)
    {"detection": gen_detection, "assistant": gen_assistant, "redteam": gen_redteam}[kind](rng, n, sc, cols)
    table = pd.DataFrame(cols)
    opts = dict(sc)
    opts["bool_style"] = str(rng.choice(list(BOOL_STYLES)))
    opts["files"] = int(rng.integers(1, 4)) if n > 50 else 1
    opts.setdefault("gzip", rng.random() < 0.3)
    opts["rfc3339"] = sc.get("rfc3339", rng.random() < 0.15)
    return Dataset(f"{i:02d}-{kind}", kind, tz, start, end, min_group, table, opts)


def fmt_bool(values, rng, style) -> list:
    t_words, f_words = BOOL_STYLES[style]
    pick_t = rng.integers(0, len(t_words), len(values))
    pick_f = rng.integers(0, len(f_words), len(values))
    return ["" if v is None else (t_words[a] if v else f_words[b])
            for v, a, b in zip(values, pick_t, pick_f)]


def fmt_cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


MAPPED_COLUMNS = {"event_id": "txn_ref", "timestamp": "txn_time", "decision": "alert_flag",
                  "label": "confirmed_fraud"}


def write_dataset(ds: Dataset, folder: Path, seed: int) -> Path:
    rng = np.random.default_rng([seed, 999, int(ds.name[:2])])
    t = ds.table
    out = {}
    ts = t["timestamp"]
    if ds.opts["rfc3339"]:
        local = ts.dt.tz_convert(ds.tz)
        z = ts.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        off = local.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
        out["timestamp"] = np.where(rng.random(len(t)) < 0.5, z, off)
    else:
        out["timestamp"] = ts.dt.tz_convert(ds.tz).dt.strftime("%Y-%m-%d %H:%M:%S")
    mapped = ds.opts.get("mapped") and ds.kind == "detection" and "label" in t
    for c in t.columns:
        if c == "timestamp":
            continue
        vals = t[c].tolist()
        if c in BOOL_COLS:
            if mapped and c == "label":
                out[c] = ["" if v is None else ("FRAUD" if v else "GENUINE") for v in vals]
            elif c == "benign" and rng.random() < 0.5:
                out[c] = ["true" if v else "" for v in vals]   # empty benign = false
            else:
                out[c] = fmt_bool(vals, rng, ds.opts["bool_style"])
        else:
            out[c] = [fmt_cell(v) for v in vals]
    frame = pd.DataFrame(out)[list(t.columns)]
    if mapped:
        frame = frame.rename(columns=MAPPED_COLUMNS)
    logs = folder / "logs"
    parts = np.array_split(np.arange(len(frame)), ds.opts["files"])
    for k, idx in enumerate(parts):
        sub = logs / f"part-{k}"
        sub.mkdir(parents=True, exist_ok=True)
        gz = ds.opts["gzip"] and k == len(parts) - 1
        path = sub / (f"events-{k}.csv.gz" if gz else f"events-{k}.csv")
        frame.iloc[idx].to_csv(path, index=False, compression="gzip" if gz else None)
    (logs / "README.txt").write_text("not a log file; the tool skips it\n")
    lines = [
        "schema_version: 1",
        f"timezone: {ds.tz}",
        "currency: HKD",
        "submission:",
        f"  institution: {{ id: XC-{ds.name[:2]}, name: \"Crosscheck Bank {ds.name}\" }}",
        "  programme: \"HKMA GenA.I. Sandbox\"",
        "  cohort: \"2\"",
        f"  use_case: {{ id: UC-XC-{ds.name[:2]}, title: \"Crosscheck {ds.name}\", family: other }}",
        f"  period: {{ start: {ds.start.isoformat()}, end: {ds.end.isoformat()} }}",
        "streams:",
        f"  - name: xc-{ds.kind}",
        f"    kind: {ds.kind}",
        "    path: logs",
    ]
    if mapped:
        lines.append("    columns: { " + ", ".join(f"{k}: {v}" for k, v in MAPPED_COLUMNS.items()) + " }")
        lines.append("    values: { label: { FRAUD: true, GENUINE: false } }")
    if ds.kind in ("detection", "assistant"):
        lines.append("segments: [age_band, channel]")
    lines.append(f"fairness: {{ min_group_size: {ds.min_group}, disparate_impact_floor: 0.8 }}")
    lines.append("report:\n  formats: [json]")
    cfg = folder / "submission.yaml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


# ----------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------

def run_build(binary: str, config: Path, out: Path) -> dict:
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    if out.exists():
        shutil.rmtree(out)
    p = subprocess.run([binary, "build", str(config), "-o", str(out), "--format", "json"],
                       env=env, capture_output=True, text=True)
    if p.returncode != 0:
        errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error")] or ["(no error line)"]
        raise RuntimeError(f"build exited {p.returncode}: {errors[0]}\n"
                           f"config: {config}\n{p.stderr.strip()}")
    return json.loads((out / "summary.json").read_text())


def check(name: str, binary: str, config: Path, out: Path, describe: str):
    summary = run_build(binary, config, out)
    settings, streams = load_submission(config)
    metrics, series, facts = expected_for(settings, streams)
    n, bad = compare(name, summary, metrics, series, facts)
    print(f"[{name}] {describe}: {n} values, {len(bad)} mismatches", flush=True)
    return n, bad


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Cross-check sandbox-report's summary.json.")
    ap.add_argument("--bin", required=True, help="path to the sandbox-report binary")
    ap.add_argument("--datasets", type=int, default=24)
    ap.add_argument("--max-events", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=20250901)
    ap.add_argument("--samples", default=str(REPO / "sample-data"))
    ap.add_argument("--work", default=None, help="folder for datasets and bundles (kept)")
    ap.add_argument("--mismatches", default=None, help="also write every mismatch to this JSON Lines file")
    args = ap.parse_args(argv)

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="crosscheck-"))
    work.mkdir(parents=True, exist_ok=True)
    total, mismatches, datasets, failures = 0, [], 0, []
    try:
        scen_rng = np.random.default_rng([args.seed, 12345])
        for i in range(args.datasets):
            sc = SCENARIOS[i] if i < len(SCENARIOS) else random_scenario(scen_rng)
            ds = make_dataset(i, sc, args.seed, args.max_events)
            folder = work / ds.name
            if folder.exists():
                shutil.rmtree(folder)
            cfg = write_dataset(ds, folder, args.seed)
            arms = "arms" if "arm" in ds.table else "no arms"
            desc = (f"{len(ds.table)} rows, {ds.tz}, {ds.start}..{ds.end}, {arms}, "
                    f"min_group {ds.min_group}")
            datasets += 1
            try:
                n, bad = check(ds.name, args.bin, cfg, folder / "out", desc)
            except Exception as e:  # a failed build or unreadable output is a failure
                failures.append(f"[{ds.name}] {e}")
                print(f"[{ds.name}] {desc}: FAILED: {str(e).splitlines()[0]}", flush=True)
                continue
            total += n
            mismatches += bad
        sample = Path(args.samples) / "submissions" / "lantern-bank-liveness" / "submission.yaml"
        datasets += 1
        try:
            n, bad = check("lantern-bank-liveness", args.bin, sample, work / "lantern-out",
                           "bundled sample, JSON Lines")
            total += n
            mismatches += bad
        except Exception as e:
            failures.append(f"[lantern-bank-liveness] {e}")
            print(f"[lantern-bank-liveness] FAILED: {str(e).splitlines()[0]}", flush=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    if args.mismatches:
        with open(args.mismatches, "w") as fh:
            for m in mismatches:
                fh.write(json.dumps(m.__dict__, default=str) + "\n")
    for m in mismatches[:MAX_PRINTED]:
        print(m)
    if len(mismatches) > MAX_PRINTED:
        print(f"  ... and {len(mismatches) - MAX_PRINTED} more")
    if mismatches:
        print("mismatches by metric and field:")
        groups = {}
        for m in mismatches:
            kind = "group" if m.segment and len(m.segment) == 2 else "overall"
            key = (m.id, kind, m.field.split(".")[-1])
            count, names = groups.get(key, (0, set()))
            groups[key] = (count + 1, names | {m.dataset})
        for (mid, kind, fld), (count, names) in sorted(groups.items()):
            print(f"  {mid} ({kind}) {fld}: {count} in {', '.join(sorted(names))}")
    for f in failures:
        lines = f.splitlines()
        print("\n  ".join(lines[:6]) + ("\n  ..." if len(lines) > 6 else ""))
    k = len(mismatches) + len(failures)
    print(f"crosscheck: compared {total} values over {datasets} datasets, {k} mismatches")
    if k:
        return 1
    print("crosscheck: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
