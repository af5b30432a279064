//! The registry of finding codes: every problem the tool can find in a submission's data, with
//! its severity, what it means and how to fix it. Findings carry a [`Code`], never a string;
//! `explain CODE` prints an entry and docs/exit-codes.md's table is this registry's own output
//! ([`markdown_table`]), checked by a test.
//!
//! To add a code: add one row to the `codes!` list below (the variant, its id as written in
//! summary.json, the severity, the meaning, the fix), then construct findings with it.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How serious a finding is: errors stop a build, warnings are reported.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    /// A fact worth keeping with the evidence (which tool run a file came from).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $id:literal, $severity:ident, $meaning:literal, $fix:literal;)*) => {
        /// A finding code: one kind of problem in a submission's data.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the order docs/exit-codes.md lists them.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The id written in summary.json and printed by `validate`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $id,)*
                }
            }

            /// How serious a finding of this code is (errors stop a build).
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// What a finding of this code means, in one sentence.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)*
                }
            }

            /// What to do about it, in general (a finding may add advice of its own).
            pub fn fix(self) -> &'static str {
                match self {
                    $(Code::$variant => $fix,)*
                }
            }
        }
    };
}

codes! {
    PathNotFound = "path_not_found", Error,
        "the stream's `path` does not exist",
        "check the path in the config; it is relative to the config's folder";
    PathInvalid = "path_invalid", Error,
        "the stream's `path` is not a valid glob",
        "fix the pattern (`**` for any folders, `*` for any name, `{a,b}` for either)";
    IncludeInvalid = "include_invalid", Error,
        "an `include` pattern is not a valid glob",
        "fix the pattern in `include`";
    NoInputFiles = "no_input_files", Error,
        "the `path` matched no data file",
        "check the path and `include`; files must end in .csv, .jsonl, .parquet (optionally .gz)";
    FormatUnknown = "format_unknown", Error,
        "a file named directly has an extension the tool does not know; set `format`",
        "set the stream's `format` to csv, jsonl or parquet";
    PathUnreadable = "path_unreadable", Error,
        "a file or folder could not be read (permissions, a broken or looping link, a pipe or device)",
        "check the file's permissions and that links point to real files";
    SymlinkLoop = "symlink_loop", Warning,
        "a symbolic link leads back to a parent folder; it is not followed",
        "remove the link or point the stream's `path` below it";
    FileEmpty = "file_empty", Warning,
        "a CSV or JSON Lines file holds nothing at all, not even a header; it is skipped",
        "export the file again, or leave it out of the folder";
    FileUnreadable = "file_unreadable", Error,
        "the file is not valid in its format (e.g. a corrupt Parquet file, a number too large for any numeric type)",
        "export the file again; check that its extension matches its content";
    FileTooLarge = "file_too_large", Error,
        "a compressed file inflates past `limits.inflated_mib` (16 GiB by default) or past `limits.inflation_ratio` times its compressed size (200 by default, checked past 64 MiB of text): a decompression bomb is refused within seconds instead of stalling the run",
        "if the file is genuine, raise `limits.inflated_mib` or `limits.inflation_ratio` in the config";
    LineTooLong = "line_too_long", Error,
        "a line of a CSV or JSON Lines file (a row, a record) is longer than `limits.line_kib` (1 MiB by default): a file without line breaks or a field of megabytes; the file is not read",
        "export the file again with one row per line, or raise `limits.line_kib` in the config";
    ValueTooLong = "value_too_long", Error,
        "a text value (a category, species, segment, model version) is longer than `limits.value_chars` (200 characters by default); it would become a category of summary.json and the report",
        "correct the value (often a whole record pasted into one cell), or raise `limits.value_chars` in the config";
    InputChanged = "input_changed", Error,
        "an input file changed (size or time of change) while the build read it: the bundle would sign bytes that were never measured, so nothing is written",
        "run the build again once the export has finished writing the file";
    FileTypeWrong = "file_type_wrong", Error,
        "a file read as CSV or JSON Lines is something else by its first bytes: an Excel workbook (.xlsx is a ZIP archive, .xls an OLE file), another ZIP archive, a PDF, a Parquet file, or text in UTF-16 or UTF-32 without a byte-order mark; one error names the file and what it is, instead of findings about its bytes",
        "name an Excel workbook .xlsx (it is read as it is) or save the sheet as CSV UTF-8 (Excel: File > Save As > CSV UTF-8), name a Parquet file .parquet (or set the stream's format: parquet), or export the data itself rather than a PDF";
    ToolResultInvalid = "tool_result_invalid", Error,
        "a red-team tool's result file (a garak report, a promptfoo output) cannot be read: truncated, or not that tool's layout; the line is given where known",
        "export the result again from the tool, or check the stream's `format`";
    ToolResultsErrored = "tool_results_errored", Warning,
        "some results of a red-team tool are errors (promptfoo's failureReason 2: the target or grader failed): they carry no verdict and are left out of the metrics; the message counts them",
        "rerun the failed tests in the tool, or say in the narrative why they failed";
    ToolVersionUnknown = "tool_version_unknown", Warning,
        "a red-team tool's result file has a layout version the reader was not written for (promptfoo results other than version 3)",
        "check the counts against the tool's own summary";
    ToolRunRead = "tool_run_read", Info,
        "a red-team tool's result file was read: the tool and its version, the run, its start and target, how many results were read and how many records left out, and the threshold applied",
        "nothing to do: it records where the evidence came from";
    CsvMalformed = "csv_malformed", Error,
        "a CSV row has a different number of fields than the header, or bytes that are not UTF-8; row and line are given",
        "fix the row (a stray separator or quote), or save the file as UTF-8";
    JsonlMalformed = "jsonl_malformed", Error,
        "a line of a JSON Lines file is not a JSON object",
        "fix the line: each line must be one JSON object";
    ColumnMissing = "column_missing", Error,
        "a required column is absent from a file's header (or, for JSON Lines, from its records' keys); the message lists the columns found and the closest names, and the hint gives the mapping to write; for a segment column it says that `segments` asks for it and how to give the stream its own list",
        "add the column to the export, or map the bank's name to it under the stream's `columns`";
    ColumnMappedAbsent = "column_mapped_absent", Error,
        "`columns` maps a canonical column to a name that no file of the stream has (a typo such as `label: is_fruad`); the message names the files and the closest names they have. Without this error every metric that needs the column would be left out silently",
        "correct the name in `columns` to one the files have";
    ColumnTypeUnsupported = "column_type_unsupported", Error,
        "a Parquet column holds lists or structs, or a JSON Lines file mixes lists or objects into a column so that it cannot be read (the line and key are given). A list or object in an otherwise readable JSON Lines column is `value_invalid`, with the JSON as the value found",
        "export the column as plain values (text, numbers, booleans, timestamps)";
    ColumnNameSpaces = "column_name_spaces", Warning,
        "a header name has spaces around it (`score `); the column is read under the trimmed name",
        "trim the header in the export, or ignore this warning";
    ColumnDuplicate = "column_duplicate", Error,
        "the header names a column more than once",
        "rename or remove one of the columns";
    ValueMissing = "value_missing", Error,
        "a required value is empty (also a KPI's `segment_attribute` without `segment_value`, or the reverse)",
        "fill the value, or leave the row out of the export";
    ValueInvalid = "value_invalid", Error,
        "a value cannot be read as its type (a boolean, number, whole number, timestamp, date), or a local time that does not exist in the config's timezone (skipped when daylight saving starts); a boolean or word column gets one finding per distinct value, with the `values` mapping to write as a hint",
        "correct the value, or map the bank's words under the stream's `values`";
    ValueNotAllowed = "value_not_allowed", Error,
        "a value is not one of the allowed words (`outcome`, `arm`, `incident_severity`), or a KPI names an unknown metric; one finding per distinct value with its count, and a hint with the `values` mapping (or the closest metric id) to write",
        "map the bank's word to an allowed one under the stream's `values`";
    ValueOutOfRange = "value_out_of_range", Error,
        "a number outside its range (a score of 1.7, a negative cost, a csat of 6) or not finite (`NaN`, `inf`); also a KPI value outside [0, 1] for a ratio metric (`85` for 85%: the hint says to write 0.85)",
        "correct the value, or rescale the column in the export";
    EventIdDuplicate = "event_id_duplicate", Error,
        "an `event_id` seen before in the same stream; the file and row of the repeat and of the first occurrence are given",
        "remove the repeated rows (often the same file exported twice)";
    TimezoneAssumed = "timezone_assumed", Warning,
        "timestamps without a UTC offset were read while the config sets no `timezone`, so they were read as UTC; set `timezone` (e.g. `Asia/Hong_Kong`)",
        "set `timezone:` in the config, e.g. timezone: Asia/Hong_Kong";
    PeriodSparse = "period_sparse", Warning,
        "more than a quarter of the weeks of the reporting period hold no event of a detection or assistant stream (a mistyped period end, a missing month of files); the message gives the first and last event dates",
        "check the period in the config and that every month's files are in the folder";
    CurrencyMissing = "currency_missing", Warning,
        "a stream has a `cost` or `amount` column but the config sets no `currency`: money would be printed without a unit and left out of cohort comparisons",
        "set `currency:` in the config, e.g. currency: HKD";
    JsonlBom = "jsonl_bom", Warning,
        "a JSON Lines file starts with a byte-order mark (Windows tools write one); it is read without it",
        "nothing to do; the file is read correctly";
    GlyphMissing = "glyph_missing", Error,
        "a text the PDF report would print (a config field, a value from the data, a finding quoting one) holds characters no embedded font has, e.g. an emoji or a Chinese character outside Big5 and HKSCS; the PDF cannot be made, so `validate` and `build` stop on it (`build --format html,md` leaves the PDF out)",
        "write the text with characters the fonts have, or build without the PDF";
    NarrativeLanguageMissing = "narrative_language_missing", Warning,
        "a narrative field is given per language (`{ en: ..., zh-HK: ... }`) but without a text in the report's language (for a bilingual report: in one of the two); the report prints the other language's text",
        "add the missing language under the field, e.g. `zh-HK: ...`";
    OutsidePeriod = "outside_period", Warning,
        "an event outside the reporting period; left out of the metrics",
        "check the period in the config, or leave the rows out of the export";
    ValueBlank = "value_blank", Warning,
        "an empty cell in an optional column a metric reads (`score`, `amount`, `latency_ms`, `csat`, `hallucination`, …): the row is left out of those metrics, whose n shrinks; one finding per column and file with the count and the first row, and the message names the metrics",
        "fill the values if they are known (a score the export dropped), or leave them empty knowingly: the metrics are computed on the rows that have them";
    LabelMissing = "label_missing", Warning,
        "an empty `label`; the event counts in alert rates but not in accuracy metrics",
        "fill in the ground truth when it is known";
    AttackTypeGenuine = "attack_type_genuine", Warning,
        "rows labelled genuine (`label` false) whose `attack_type` is not `bona_fide` (an export that writes `none` or `live` for genuine attempts); one finding per distinct value with its count. The rows are left out of that species' APCER and out of BPCER, and a species whose rows are all genuine is not reported as an attack species",
        "map the export's word for no attack under the stream's `values`, e.g. values: { attack_type: { none: bona_fide } }; if the rows are attacks, correct their label";
    BpcerNoBonaFide = "bpcer_no_bona_fide", Warning,
        "a detection stream with `attack_type` has no row whose attack_type is `bona_fide`, so BPCER cannot be computed; the message says how many rows are labelled genuine",
        "give genuine attempts attack_type bona_fide (map the export's word under `values`)";
    AttackSpeciesUnknown = "attack_species_unknown", Warning,
        "an `attack_type` of a detection stream that is no species of the vocabulary (docs/traceability.md), so its attempts evidence no deepfake category (DF-*); the message lists the species known",
        "map the export's name to a known species under the stream's `values`, e.g. values: { attack_type: { cloned_voice: voice_clone } }";
    LabelAbsent = "label_absent", Warning,
        "a detection stream without a `label` column: confusion-matrix metrics cannot be computed",
        "add the ground-truth column to the export and map it as `label`";
    ArmMissing = "arm_missing", Warning,
        "an empty `arm` in a stream that has arms; the event is left out",
        "fill in the arm (ai or baseline) of every event";
    StreamEmpty = "stream_empty", Warning,
        "the stream's files hold no rows, or no event is left after leaving out rows outside the period or with errors",
        "check the files and the period";
    FairnessGroupExcluded = "fairness_group_excluded", Warning,
        "groups of a segment attribute too small to take part in the fairness measures (named, with their size)",
        "nothing to do for this period; lower `fairness.min_group_size` only with the regulator's agreement";
    DisparateImpactBelowFloor = "disparate_impact_below_floor", Warning,
        "the disparate impact ratio of a segment attribute is below `fairness.disparate_impact_floor`",
        "review the system's outcomes for the groups named; the report shows the ratio and its groups";
}

impl Code {
    /// What a finding of this code means, in Traditional Chinese (Hong Kong), for reports in
    /// zh-HK and bilingual (the finding's own message, with the values found, is English).
    pub fn meaning_zh(self) -> &'static str {
        match self {
            Code::PathNotFound => "數據流的路徑不存在",
            Code::PathInvalid => "數據流的路徑不是有效的萬用字元樣式",
            Code::IncludeInvalid => "include 樣式無效",
            Code::NoInputFiles => "路徑沒有對應任何數據檔案",
            Code::FormatUnknown => "無法從副檔名判斷檔案格式",
            Code::PathUnreadable => "檔案或資料夾無法讀取",
            Code::SymlinkLoop => "符號連結指回上層資料夾，不予跟隨",
            Code::FileEmpty => "檔案完全空白，已略過",
            Code::FileUnreadable => "檔案格式無效，無法讀取",
            Code::FileTooLarge => "壓縮檔解壓後超出上限，不予讀取",
            Code::LineTooLong => "一行長度超出上限，檔案不予讀取",
            Code::ValueTooLong => "文字值長度超出上限",
            Code::InputChanged => "建置期間輸入檔案有改動，不寫出任何結果",
            Code::FileTypeWrong => {
                "檔案並非 CSV 或 JSON Lines 文字（例如 Excel 活頁簿、PDF 或 Parquet）"
            }
            Code::ToolResultInvalid => "無法讀取紅隊測試工具的結果檔案",
            Code::ToolResultsErrored => "紅隊測試工具的部分結果為錯誤，已不計入指標",
            Code::ToolVersionUnknown => "紅隊測試工具結果檔案的版本未知",
            Code::ToolRunRead => "已讀取紅隊測試工具的結果檔案（工具、版本、運行）",
            Code::CsvMalformed => "CSV 行的欄位數目與表頭不符，或含非 UTF-8 位元組",
            Code::JsonlMalformed => "JSON Lines 的一行不是 JSON 物件",
            Code::ColumnMissing => "檔案缺少必需的欄",
            Code::ColumnMappedAbsent => "columns 對應的欄名在數據流的檔案中不存在",
            Code::ColumnTypeUnsupported => "欄內含無法讀取的巢狀數值",
            Code::ColumnNameSpaces => "表頭欄名前後有空格，已按去除空格的名稱讀取",
            Code::ColumnDuplicate => "表頭重複列出同一欄",
            Code::ValueMissing => "必需的數值空白",
            Code::ValueInvalid => "數值無法按其類型讀取",
            Code::ValueNotAllowed => "數值不是允許的字詞之一",
            Code::ValueOutOfRange => "數值超出範圍或不是有限數",
            Code::EventIdDuplicate => "同一數據流內 event_id 重複",
            Code::TimezoneAssumed => "時間戳記沒有時區，已按 UTC 讀取",
            Code::PeriodSparse => "報告期內超過四分之一的週沒有事件",
            Code::CurrencyMissing => "有金額欄但設定未指明貨幣",
            Code::JsonlBom => "JSON Lines 檔案以位元組順序記號開始，已略去後讀取",
            Code::GlyphMissing => "文字含嵌入字型沒有的字元，無法製作 PDF",
            Code::NarrativeLanguageMissing => "敘述欄缺少報告語言的文字，改印另一語言",
            Code::OutsidePeriod => "事件在報告期以外，不計入指標",
            Code::ValueBlank => "指標讀取的選填欄有空白值，該行不計入相關指標",
            Code::LabelMissing => "label 空白：事件計入警示率，但不計入準確度指標",
            Code::AttackTypeGenuine => {
                "標示為真實的行的 attack_type 不是 bona_fide，不計入攻擊類別"
            }
            Code::BpcerNoBonaFide => "沒有 attack_type 為 bona_fide 的行，無法計算 BPCER",
            Code::AttackSpeciesUnknown => {
                "attack_type 不屬詞彙中的攻擊類別，不能作為深偽類別的證據"
            }
            Code::LabelAbsent => "偵測數據流沒有 label 欄，無法計算混淆矩陣指標",
            Code::ArmMissing => "有分組的數據流中 arm 空白，事件不予計算",
            Code::StreamEmpty => "數據流沒有可用的事件",
            Code::FairnessGroupExcluded => "分組屬性中規模太小的組別不參與公平性量度",
            Code::DisparateImpactBelowFloor => "差別影響比率低於下限",
        }
    }

    /// The code with this id, if there is one.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "A finding code (docs/exit-codes.md)",
            "type": "string",
            "enum": ids
        })
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let id = String::deserialize(d)?;
        Code::from_id(&id).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown finding code {id:?} (written by a newer sandbox-report?)"
            ))
        })
    }
}

/// The finding-code table of docs/exit-codes.md.
pub fn markdown_table() -> String {
    let mut s =
        String::from("| code | severity | meaning | what to do |\n| --- | --- | --- | --- |\n");
    for c in Code::ALL {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.as_str(),
            c.severity().as_str(),
            c.meaning(),
            c.fix()
        ));
    }
    s
}

/// The plain-text explanation of one code, for `explain CODE`.
pub fn explain(code: Code) -> String {
    format!(
        "{} — finding code ({})\nmeaning:  {}\nfix:      {}\n",
        code.as_str(),
        code.severity().as_str(),
        code.meaning(),
        code.fix()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut ids: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Code::ALL.len());
        for c in Code::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), *c);
        }
        assert!(serde_json::from_str::<Code>("\"no_such_code\"").is_err());
        assert!(Code::ALL.iter().all(|c| !c.meaning_zh().is_empty()));
    }
}
