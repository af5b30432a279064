//! The typst `World` of a report: the one place typst reads from. Everything is in memory:
//! the template files of the template set, the report data as `/data.json`, summary.json,
//! the chart SVGs, the fonts compiled into the binary, and a fixed "today". Nothing is read
//! from disk or the network.

use std::collections::HashMap;
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Noto Sans CJK HK, cut down to Big5 and HKSCS (see fonts/README.md), for Chinese text.
pub(crate) const FONT_REGULAR: &[u8] = include_bytes!("fonts/NotoSansCJKhk-Subset-Regular.otf");
pub(crate) const FONT_BOLD: &[u8] = include_bytes!("fonts/NotoSansCJKhk-Subset-Bold.otf");
const CJK_FONTS: [&[u8]; 2] = [FONT_REGULAR, FONT_BOLD];

/// Every font compiled into the binary: typst's own (Libertinus Serif, New Computer Modern,
/// DejaVu Sans Mono) and the Traditional Chinese one.
pub(crate) fn embedded_fonts() -> &'static [Font] {
    &fonts().0
}

/// The embedded fonts and their book, loaded once per process.
fn fonts() -> &'static (Vec<Font>, LazyHash<FontBook>) {
    static FONTS: OnceLock<(Vec<Font>, LazyHash<FontBook>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts: Vec<Font> = typst_kit::fonts::embedded().map(|(font, _)| font).collect();
        fonts.extend(
            CJK_FONTS
                .iter()
                .flat_map(|data| Font::iter(Bytes::new(*data))),
        );
        let book = LazyHash::new(FontBook::from_fonts(&fonts));
        (fonts, book)
    })
}

/// The file id of an absolute virtual path such as `/data.json`.
pub fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path)
        .ok()
        .map(|v| RootedPath::new(VirtualRoot::Project, v).intern())
}

/// An in-memory world for one report.
pub struct ReportWorld {
    library: LazyHash<Library>,
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

impl ReportWorld {
    /// `sources` are typst files (path, text), the first being the main file; `files` are
    /// other files (path, bytes).
    pub fn new(
        sources: Vec<(String, String)>,
        files: Vec<(String, Vec<u8>)>,
        today: Datetime,
    ) -> Option<ReportWorld> {
        let mut main = None;
        let mut source_map = HashMap::new();
        for (path, text) in sources {
            let id = file_id(&path)?;
            main.get_or_insert(id);
            source_map.insert(id, Source::new(id, text));
        }
        let files = files
            .into_iter()
            .filter_map(|(path, bytes)| Some((file_id(&path)?, Bytes::new(bytes))))
            .collect();
        Some(ReportWorld {
            library: LazyHash::new(Library::builder().build()),
            main: main?,
            sources: source_map,
            files,
            today,
        })
    }

    /// The text of a source or data file, for turning spans into lines and columns.
    pub fn text_of(&self, id: FileId) -> Option<String> {
        match self.sources.get(&id) {
            Some(source) => Some(source.text().to_string()),
            None => self
                .files
                .get(&id)
                .and_then(|b| std::str::from_utf8(b.as_slice()).ok().map(str::to_string)),
        }
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().1
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(source) = self.sources.get(&id) {
            return Ok(Bytes::from_string(source.text().to_string()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().0.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
