//! The chart font: Noto Sans compiled into the binary (see `assets/fonts/README.md`),
//! registered with plotters once under the family `sans-serif`; optionally replaced by a font
//! file given at run time (`--font-file`, e.g. a CJK font for Chinese category names).

use ab_glyph::{Font, FontRef};
use anyhow::{anyhow, Context, Result};
use plotters::style::{register_font, FontStyle};
use std::path::Path;
use std::sync::{Once, RwLock};

/// Noto Sans Regular (Apache-2.0).
pub static NOTO_SANS_REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSans-Regular.ttf"
));
/// Noto Sans Bold (Apache-2.0), for titles.
pub static NOTO_SANS_BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/NotoSans-Bold.ttf"
));

/// The family every chart text uses.
pub const FAMILY: &str = "sans-serif";

static REGISTER: Once = Once::new();
/// The bytes of the font in use for regular text (to check glyph coverage).
static ACTIVE: RwLock<Option<&'static [u8]>> = RwLock::new(None);

/// Registers the embedded font (once per process; later calls do nothing).
pub fn ensure_registered() {
    REGISTER.call_once(|| {
        register_font(FAMILY, FontStyle::Normal, NOTO_SANS_REGULAR)
            .unwrap_or_else(|_| panic!("embedded font is valid"));
        register_font(FAMILY, FontStyle::Bold, NOTO_SANS_BOLD)
            .unwrap_or_else(|_| panic!("embedded font is valid"));
        let mut active = ACTIVE.write().unwrap_or_else(|e| e.into_inner());
        active.get_or_insert(NOTO_SANS_REGULAR);
    });
}

/// Uses the font file at `path` (TTF, OTF or the first face of a TTC) for all chart text from
/// now on, instead of the embedded one. The bytes stay in memory for the life of the process.
pub fn use_font_file(path: &Path) -> Result<()> {
    let bytes = crate::input::read_input(path, crate::input::MAX_FONT_BYTES, "a font file")
        .with_context(|| format!("cannot use the font file {}", path.display()))?;
    FontRef::try_from_slice(&bytes)
        .map_err(|_| anyhow!("{} is not a font file plotters can use", path.display()))?;
    ensure_registered();
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    for style in [FontStyle::Normal, FontStyle::Bold] {
        register_font(FAMILY, style, bytes)
            .map_err(|_| anyhow!("{} is not a usable font", path.display()))?;
    }
    *ACTIVE.write().unwrap_or_else(|e| e.into_inner()) = Some(bytes);
    Ok(())
}

/// Whether the font in use has a glyph for every visible character of `text`.
pub fn covers(text: &str) -> bool {
    ensure_registered();
    let bytes = ACTIVE
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or(NOTO_SANS_REGULAR);
    let Ok(font) = FontRef::try_from_slice(bytes) else {
        return false;
    };
    text.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .all(|c| font.glyph_id(c).0 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_covers_chart_symbols_but_not_chinese() {
        assert!(covers("Service level ≤ 2 min ± 1.2% – 11-11 20:00 € ×"));
        assert!(!covers("售后"));
    }
}
