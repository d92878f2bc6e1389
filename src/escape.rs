//! Escaping user-given text (scenario, category, pool, key names; values quoted from input
//! files) for the medium it is written to, so that a name can never inject markup, a table
//! cell, a spreadsheet formula or a terminal control sequence:
//!
//! - [`html`]: HTML/XML text and attribute values.
//! - [`markdown`]: a Markdown table cell or heading (`|`, backticks, `<`, `*`, `_`, `[`…;
//!   newlines become spaces).
//! - [`csv_field`]: a CSV field, quoted when needed; a text field starting with `=`, `+`, `-`,
//!   `@`, TAB or CR gets a leading `'` so that a spreadsheet shows it rather than evaluating
//!   it (OWASP "CSV injection"). Only names go through it: numbers are written as they are.
//! - [`terminal`]: control characters (ESC, BEL, C1, DEL) and bidirectional overrides replaced
//!   by `�`, so that printing a name cannot move the cursor, set the title or hide text.
//! - [`excerpt`]: a short, sanitised quote of input text for an error message (≤
//!   [`EXCERPT_CHARS`] characters), never a file's raw bytes.
//! - [`num`]: a number for a message, compactly (`1e308`, not 309 digits).

/// The most characters of input text an error message quotes.
pub const EXCERPT_CHARS: usize = 40;

/// What replaces a character that must not be written.
const REPLACEMENT: char = '\u{FFFD}';

/// True for characters that act on a terminal or reorder text: C0 and C1 controls, DEL and
/// the Unicode bidirectional embeddings, overrides and isolates.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal: every unsafe character replaced (newlines included: a name is one
/// line).
pub fn terminal(s: &str) -> String {
    s.chars()
        .map(|c| if is_unsafe_char(c) { REPLACEMENT } else { c })
        .collect()
}

/// Several lines for a terminal: like [`terminal`], but line breaks are kept.
pub fn terminal_lines(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_unsafe_char(c) && c != '\n' {
                REPLACEMENT
            } else {
                c
            }
        })
        .collect()
}

/// HTML/XML text or attribute value.
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if is_unsafe_char(c) && !matches!(c, '\n' | '\t') => o.push(REPLACEMENT),
            _ => o.push(c),
        }
    }
    o
}

/// A Markdown table cell or heading text: what could end a cell, open code, raw HTML or a
/// link is neutralised (`\\`, `|`, backtick backslash-escaped; `<`, `>`, `&` as entities;
/// `](` as `]\\(`), line breaks become spaces. Other punctuation (`[0]`, `_`, `'`) is kept as
/// written: it can only change emphasis, and keys such as `pools[0].agents` stay readable.
pub fn markdown(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut previous = '\0';
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' => {
                o.push('\\');
                o.push(c);
            }
            '(' if previous == ']' => o.push_str("\\("),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\n' | '\r' => o.push(' '),
            c if is_unsafe_char(c) => o.push(REPLACEMENT),
            _ => o.push(c),
        }
        previous = c;
    }
    o
}

/// A CSV text field: formula-guarded, then quoted when it holds `,`, `"`, CR or LF.
pub fn csv_field(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A short quote of input text for a message: unsafe characters replaced, at most
/// [`EXCERPT_CHARS`] characters (then `…`).
pub fn excerpt(s: &str) -> String {
    let mut o = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == EXCERPT_CHARS {
            o.push('…');
            break;
        }
        o.push(if is_unsafe_char(c) { REPLACEMENT } else { c });
    }
    o
}

/// A CSV header's columns for a message: at most 8, and only those that look like column
/// names (a file that is not a CSV at all, e.g. a credentials file, is not quoted: `?`).
pub fn column_list<'a>(header: impl IntoIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 8;
    let looks_like_a_name = |h: &str| {
        h.chars().count() <= EXCERPT_CHARS
            && h.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, '_' | ' ' | '.' | '-' | ':' | '\u{feff}')
            })
    };
    let mut shown = Vec::new();
    let mut more = 0usize;
    for h in header {
        if shown.len() == SHOWN {
            more += 1;
            continue;
        }
        let h = h.trim();
        shown.push(if looks_like_a_name(h) { h } else { "?" });
    }
    let mut out = shown.join(",");
    if more > 0 {
        out.push_str(&format!(",… {more} more"));
    }
    out
}

/// A number for a message: as written when short, else in `1.5e300` form.
pub fn num(v: f64) -> String {
    let plain = format!("{v}");
    if plain.len() <= 16 || !v.is_finite() {
        plain
    } else {
        format!("{v:e}")
    }
}

/// A number with 2 decimals when that is short (`83333.33`), else in `1.5e300` form.
pub fn num_2dp(v: f64) -> String {
    let plain = format!("{v:.2}");
    if plain.len() <= 16 || !v.is_finite() {
        plain
    } else {
        format!("{v:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>|`x`\x1b]0;owned\x07\n=cmd";

    #[test]
    fn html_leaves_no_markup_or_control() {
        let e = html(HOSTILE);
        assert!(!e.contains('<') && !e.contains('\x1b') && !e.contains('\x07'));
        assert!(e.starts_with("&lt;script&gt;"));
    }

    #[test]
    fn markdown_leaves_no_cell_break_markup_or_newline() {
        let e = markdown(HOSTILE);
        assert!(!e.contains('<') && !e.contains('\n') && !e.contains('\x1b'));
        // Every `|` and backtick is escaped.
        for (i, c) in e.char_indices() {
            if c == '|' || c == '`' {
                assert_eq!(&e[i - 1..i], "\\", "{e}");
            }
        }
    }

    #[test]
    fn markdown_keeps_keys_readable_and_breaks_links() {
        assert_eq!(markdown("pools[0].agents"), "pools[0].agents");
        assert_eq!(markdown("[x](http://e)"), "[x]\\(http://e)");
    }

    #[test]
    fn terminal_replaces_escapes_and_bidi_overrides() {
        let e = terminal("a\x1b[2Jb\u{202E}c\u{9b}d");
        assert_eq!(e, "a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d");
    }

    #[test]
    fn csv_quotes_and_guards_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("-2,3"), "\"'-2,3\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn excerpt_is_short_and_clean() {
        let long = "SECRET=\0".repeat(20);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(!e.contains('\0'));
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn column_lists_hide_what_is_not_a_column_name() {
        assert_eq!(
            column_list(["start", " pool ", "agents"]),
            "start,pool,agents"
        );
        assert_eq!(column_list(["AWS_SECRET=abc", "x"]), "?,x");
        let many: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
        assert!(column_list(many.iter().map(String::as_str)).ends_with(",c7,… 2 more"));
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(1.5e300), "1.5e300");
        assert_eq!(num(2400.0), "2400");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(num(f64::INFINITY), "inf");
        assert!(num(1e-300).len() < 10);
    }
}
