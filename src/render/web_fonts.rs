//! The Chinese glyphs of an HTML page, embedded in it: the page reads the same on a machine
//! without a CJK font (a Linux server shows boxes otherwise). The glyphs the page uses are
//! cut from the Noto Sans CJK HK fonts the PDF embeds (`subsetter`, as typst does), given back
//! the two tables a browser needs and a PDF does not (`cmap`, from the page's characters to
//! the kept glyphs, and `OS/2`, the original's), and written as `@font-face` data URLs of the
//! family "Sandbox Report CJK", limited by `unicode-range` to the CJK blocks: the stylesheets
//! name it first, so Chinese text is drawn with it everywhere (before any system font) and
//! Latin text with the fonts after it. A page without such characters is left as it is.

use std::collections::BTreeSet;

use base64::Engine;

/// The CJK fonts compiled in for typst: regular and bold.
const FACES: [(&[u8], u16); 2] = [
    (super::typst::FONT_REGULAR, 400),
    (super::typst::FONT_BOLD, 700),
];

/// The family the HTML stylesheets name first, for Chinese text.
const FAMILY: &str = "Sandbox Report CJK";

/// The blocks of [`needs_cjk_font`], as CSS `unicode-range`.
const RANGE: &str = "U+2E80-9FFF, U+F900-FAFF, U+FE30-FE4F, U+FF00-FFEF, U+20000-2FA1F";

/// `html` with an `@font-face` style for each weight before `</head>`, holding the glyphs of
/// the page's CJK characters; unchanged when it has none (or has no `</head>`).
pub fn embed(html: String) -> String {
    let chars: BTreeSet<char> = html.chars().filter(|c| needs_cjk_font(*c)).collect();
    let Some(at) = html.find("</head>") else {
        return html;
    };
    if chars.is_empty() {
        return html;
    }
    let mut style = String::from("<style>\n");
    for (font, weight) in FACES {
        let Some(subset) = subset(font, &chars) else {
            continue;
        };
        let data = base64::engine::general_purpose::STANDARD.encode(subset);
        style.push_str(&format!(
            "@font-face {{ font-family: \"{FAMILY}\"; font-weight: {weight}; unicode-range: {RANGE}; src: url(data:font/otf;base64,{data}) format(\"opentype\"); }}\n"
        ));
    }
    style.push_str("</style>\n");
    let mut out = html;
    out.insert_str(at, &style);
    out
}

/// Characters the Latin fonts of the page do not have: CJK scripts, punctuation and
/// full-width forms.
fn needs_cjk_font(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// The font cut to the glyphs of `chars`, with a `cmap` for them and the original `OS/2`.
fn subset(font: &[u8], chars: &BTreeSet<char>) -> Option<Vec<u8>> {
    let face = ttf_parser::Face::parse(font, 0).ok()?;
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut mapped = Vec::new();
    for c in chars {
        if let Some(glyph) = face.glyph_index(*c) {
            let new = remapper.remap(glyph.0);
            mapped.push((*c as u32, new));
        }
    }
    if mapped.is_empty() {
        return None;
    }
    let cut = subsetter::subset(font, 0, &remapper).ok()?;
    let os2 = face
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"OS/2"))?;
    Some(with_tables(
        &cut,
        &[(*b"cmap", cmap(&mapped)), (*b"OS/2", os2.to_vec())],
    ))
}

/// A `cmap` table with a Windows Unicode BMP subtable (format 4) and a full-repertoire one
/// (format 12), one segment per character: `(character, glyph)` in character order.
fn cmap(mapped: &[(u32, u16)]) -> Vec<u8> {
    let bmp: Vec<(u32, u16)> = mapped
        .iter()
        .copied()
        .filter(|(c, _)| *c <= 0xFFFF)
        .collect();
    // Format 4: a segment per character, then the closing 0xFFFF segment.
    let segments = bmp.len() + 1;
    let mut f4 = Vec::new();
    let length = 16 + segments * 8;
    let search = 2 * 2u16.pow((segments as f64).log2().floor() as u32);
    let selector = (search as f64 / 2.0).log2() as u16;
    for v in [
        4u16,
        length as u16,
        0,
        (segments * 2) as u16,
        search,
        selector,
        (segments * 2) as u16 - search,
    ] {
        f4.extend(v.to_be_bytes());
    }
    let ends: Vec<u16> = bmp.iter().map(|(c, _)| *c as u16).chain([0xFFFF]).collect();
    ends.iter().for_each(|e| f4.extend(e.to_be_bytes()));
    f4.extend(0u16.to_be_bytes());
    ends.iter().for_each(|e| f4.extend(e.to_be_bytes()));
    let deltas: Vec<u16> = bmp
        .iter()
        .map(|(c, g)| g.wrapping_sub(*c as u16))
        .chain([1])
        .collect();
    deltas.iter().for_each(|d| f4.extend(d.to_be_bytes()));
    (0..segments).for_each(|_| f4.extend(0u16.to_be_bytes()));
    // Format 12: a group per character.
    let mut f12 = Vec::new();
    f12.extend(12u16.to_be_bytes());
    f12.extend(0u16.to_be_bytes());
    f12.extend((16 + mapped.len() as u32 * 12).to_be_bytes());
    f12.extend(0u32.to_be_bytes());
    f12.extend((mapped.len() as u32).to_be_bytes());
    for (c, g) in mapped {
        f12.extend(c.to_be_bytes());
        f12.extend(c.to_be_bytes());
        f12.extend(u32::from(*g).to_be_bytes());
    }
    let mut table = Vec::new();
    table.extend(0u16.to_be_bytes());
    table.extend(2u16.to_be_bytes());
    let first = 4 + 2 * 8;
    for (platform, encoding, offset) in [(3u16, 1u16, first), (3, 10, first + f4.len())] {
        table.extend(platform.to_be_bytes());
        table.extend(encoding.to_be_bytes());
        table.extend((offset as u32).to_be_bytes());
    }
    table.extend(f4);
    table.extend(f12);
    table
}

/// The OpenType font `font` with `extra` tables added: the table directory rewritten in tag
/// order, each table 4-byte aligned with its checksum, and `head`'s checksum adjustment set.
fn with_tables(font: &[u8], extra: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let u16_at = |at: usize| u16::from_be_bytes([font[at], font[at + 1]]);
    let u32_at = |at: usize| u32::from_be_bytes(font[at..at + 4].try_into().unwrap());
    let count = u16_at(4) as usize;
    let mut tables: Vec<([u8; 4], Vec<u8>)> = (0..count)
        .map(|i| {
            let record = 12 + i * 16;
            let tag: [u8; 4] = font[record..record + 4].try_into().unwrap();
            let (offset, length) = (u32_at(record + 8) as usize, u32_at(record + 12) as usize);
            (tag, font[offset..offset + length].to_vec())
        })
        .filter(|(tag, _)| !extra.iter().any(|(t, _)| t == tag))
        .collect();
    tables.extend(extra.iter().cloned());
    tables.sort_by_key(|t| t.0);
    let n = tables.len();
    let power = 2usize.pow((n as f64).log2().floor() as u32);
    let mut out = Vec::new();
    out.extend(&font[0..4]);
    out.extend((n as u16).to_be_bytes());
    out.extend(((power * 16) as u16).to_be_bytes());
    out.extend((power.trailing_zeros() as u16).to_be_bytes());
    out.extend(((n * 16 - power * 16) as u16).to_be_bytes());
    let mut offset = 12 + n * 16;
    let mut head_at = None;
    let mut body = Vec::new();
    for (tag, data) in &mut tables {
        if tag == b"head" && data.len() >= 12 {
            data[8..12].copy_from_slice(&[0; 4]);
            head_at = Some(offset);
        }
        out.extend(*tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        body.extend(data.iter());
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + n * 16 + body.len();
    }
    out.extend(body);
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The OpenType checksum: the sum of the big-endian 32-bit words, the last one zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_maps_each_character_of_the_page_to_its_glyph() {
        let chars: BTreeSet<char> = "偵測結果：香港".chars().collect();
        let font = subset(FACES[0].0, &chars).unwrap();
        let face = ttf_parser::Face::parse(&font, 0).unwrap();
        for c in &chars {
            assert!(face.glyph_index(*c).is_some_and(|g| g.0 > 0), "{c}");
        }
        assert!(face.glyph_index('龘').is_none());
        assert!(font.len() < 100_000, "{}", font.len());
        assert_eq!(checksum(&font), 0xB1B0_AFBA);
    }

    #[test]
    fn a_page_without_chinese_is_unchanged() {
        let page = "<html><head></head><body>Results</body></html>".to_string();
        assert_eq!(embed(page.clone()), page);
        let chinese = embed("<html><head></head><body>結果</body></html>".into());
        assert!(
            chinese.contains("@font-face { font-family: \"Sandbox Report CJK\"; font-weight: 400;")
        );
    }
}
