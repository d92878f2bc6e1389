//! Shared look: font sizes that stay readable when a 1600×900 chart is projected or shrunk to
//! laptop width, and one colour per meaning across all charts.

use super::font::FAMILY;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const TITLE_PX: f64 = 42.0;
pub const AXIS_DESC_PX: f64 = 30.0;
pub const TICK_PX: f64 = 26.0;
pub const LEGEND_PX: f64 = 26.0;
pub const NOTE_PX: f64 = 28.0;

/// Blue: the main measured quantity (all contacts, normal customers).
pub const MAIN: RGBColor = RGBColor(31, 100, 180);
/// Purple: VIP customers.
pub const VIP: RGBColor = RGBColor(150, 60, 170);
/// Red: the target and anything below it.
pub const TARGET: RGBColor = RGBColor(210, 40, 40);
/// Orange: promotion peaks.
pub const PEAK: RGBColor = RGBColor(245, 150, 30);
/// Green: capacity (agents) and answered within target.
pub const GOOD: RGBColor = RGBColor(40, 150, 70);
/// Amber: late.
pub const LATE: RGBColor = RGBColor(235, 170, 20);
/// Grey: context.
pub const GREY: RGBColor = RGBColor(120, 120, 120);
/// Teal: the bot.
pub const BOT: RGBColor = RGBColor(20, 150, 160);
/// Dark text.
pub const INK: RGBColor = RGBColor(30, 30, 30);

pub fn title() -> TextStyle<'static> {
    (FAMILY, TITLE_PX, FontStyle::Bold).into_font().color(&INK)
}

/// The caption of one panel of a chart.
pub fn panel_caption() -> TextStyle<'static> {
    (FAMILY, AXIS_DESC_PX + 2.0, FontStyle::Bold)
        .into_font()
        .color(&INK)
}

pub fn axis_desc() -> TextStyle<'static> {
    (FAMILY, AXIS_DESC_PX).into_font().color(&INK)
}

pub fn tick() -> TextStyle<'static> {
    (FAMILY, TICK_PX).into_font().color(&INK)
}

pub fn legend() -> TextStyle<'static> {
    (FAMILY, LEGEND_PX).into_font().color(&INK)
}

/// Annotation text with a chosen anchor.
pub fn note_at(color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FAMILY, NOTE_PX)
        .into_font()
        .color(color)
        .pos(Pos::new(h, v))
}

/// Bold annotation text with a chosen anchor.
pub fn bold_note_at(color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FAMILY, NOTE_PX, FontStyle::Bold)
        .into_font()
        .color(color)
        .pos(Pos::new(h, v))
}

/// `c` blended with white, as a solid colour (`share` 1 = `c`).
pub fn solid(c: RGBColor, share: f64) -> RGBColor {
    let mix = |v: u8| (v as f64 * share + 255.0 * (1.0 - share)).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A percent tick label with as many decimals as the tick needs (at most two): `0%`,
/// `0.5%`, `12.25%`, so that ticks closer than 1 point apart never repeat a label.
pub fn pct_tick(v: f64) -> String {
    format!("{}%", trimmed(v))
}

/// `v` with at most two decimals and no trailing zeros: `2`, `2.5`, `0.25`.
pub fn trimmed(v: f64) -> String {
    let s = format!("{:.2}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A "nice" upper bound ≥ `v` (1, 2, 2.5, 5 × 10^k) for axis ranges.
pub fn nice_ceil(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for f in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if f * p >= v * (1.0 - 1e-9) {
            return f * p;
        }
    }
    10.0 * p
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_ticks_are_distinct_at_half_point_steps() {
        let labels: Vec<String> = (0..=10).map(|i| super::pct_tick(i as f64 * 0.5)).collect();
        assert_eq!(labels[..4], ["0%", "0.5%", "1%", "1.5%"]);
        let unique: std::collections::HashSet<&String> = labels.iter().collect();
        assert_eq!(unique.len(), labels.len());
        assert_eq!(super::pct_tick(100.0), "100%");
        assert_eq!(super::trimmed(-0.0001), "0");
    }

    #[test]
    fn nice_ceil() {
        assert_eq!(super::nice_ceil(0.0), 1.0);
        assert_eq!(super::nice_ceil(7.3), 8.0);
        assert_eq!(super::nice_ceil(101.0), 120.0);
        assert_eq!(super::nice_ceil(100.0), 100.0);
    }
}

/// The marker of a legend entry.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    Line(RGBColor, u32),
    Dashed(RGBColor, u32),
    Box(RGBAColor),
    Dot(RGBColor),
}

/// Splits a chart into its plot and a legend column under a title.
#[allow(clippy::type_complexity)]
pub fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title_text: &str,
) -> Result<
    (
        DrawingArea<DB, plotters::coord::Shift>,
        DrawingArea<DB, plotters::coord::Shift>,
    ),
    DrawingAreaErrorKind<DB::ErrorType>,
> {
    let body = root.margin(14, 0, 0, 0).titled(title_text, title())?;
    let w = body.dim_in_pixel().0;
    Ok(body.split_horizontally(w - LEGEND_W))
}

/// Width of the legend column at the right of a chart `[px]`.
pub const LEGEND_W: u32 = 370;

/// Draws a legend as a column of entries in `area` (the strip right of the plot), so that it
/// never hides data. Labels may hold `\n` for a second line.
pub fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    top: i32,
    entries: &[(Mark, String)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mut y = top;
    let line_h = (LEGEND_PX * 1.25) as i32;
    for (mark, label) in entries {
        let cy = y + line_h / 2;
        match *mark {
            Mark::Line(c, w) => area.draw(&PathElement::new(
                vec![(10, cy), (50, cy)],
                c.stroke_width(w),
            ))?,
            Mark::Dashed(c, w) => {
                for x in [10, 26, 42] {
                    area.draw(&PathElement::new(
                        vec![(x, cy), (x + 9, cy)],
                        c.stroke_width(w),
                    ))?;
                }
            }
            Mark::Box(c) => {
                area.draw(&Rectangle::new([(10, cy - 12), (50, cy + 12)], c.filled()))?
            }
            Mark::Dot(c) => area.draw(&Circle::new((30, cy), 8, c.filled()))?,
        }
        for (k, text) in label.split('\n').enumerate() {
            let st = legend().pos(Pos::new(HPos::Left, VPos::Center));
            area.draw_text(text, &st, (62, cy + k as i32 * line_h))?;
        }
        y += line_h * label.split('\n').count() as i32 + 14;
    }
    Ok(())
}
