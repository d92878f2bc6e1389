//! The embedded chart font: Noto Sans registered once as plotters' "sans-serif", so charts
//! render the same on every machine without system fonts.

use std::sync::Once;

static REGISTER: Once = Once::new();

/// Registers the embedded font (idempotent, thread-safe).
pub fn ensure() {
    REGISTER.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            plotters::style::FontStyle::Normal,
            ttf_noto_sans::REGULAR,
        );
    });
}
