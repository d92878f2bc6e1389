//! Reading the CSV files a scenario refers to (`staffing_csv`, `forecast_csv`): path relative
//! to the scenario's folder, size limit, header lookup, records with their line numbers.

use super::walk::Ctx;
use crate::escape::excerpt;

/// Largest CSV file accepted.
pub(crate) const MAX_BYTES: u64 = crate::input::MAX_TEXT_BYTES;

/// A CSV file read whole: its display name, header and records with 1-based line numbers.
pub(crate) struct CsvData {
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

impl CsvData {
    /// Index of a column, by case-insensitive header name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }
}

/// Reads `rel` (relative to the scenario's folder) for the scenario key `key` at `line`.
/// Problems with the file itself are reported at the key; parse errors in the CSV's own lines.
pub(crate) fn read_csv(
    ctx: &mut Ctx,
    key: &str,
    line: Option<usize>,
    rel: &str,
) -> Option<CsvData> {
    let bytes = if let Some(files) = &ctx.memfiles {
        let found = files
            .iter()
            .find(|(name, _)| name == rel)
            .map(|(_, b)| b.clone());
        match found {
            Some(b) => b,
            None => {
                ctx.err(
                    line,
                    key,
                    format!("{rel} is not among the files recorded with this scenario"),
                );
                return None;
            }
        }
    } else {
        read_from_disk(ctx, key, line, rel)?
    };
    if bytes.len() as u64 > MAX_BYTES {
        ctx.err(
            line,
            key,
            format!(
                "{} is larger than {}",
                crate::escape::excerpt(rel),
                crate::input::human_bytes(MAX_BYTES)
            ),
        );
        return None;
    }
    ctx.files_read.push((rel.to_string(), bytes.clone()));
    let file = if ctx.memfiles.is_some() {
        rel.to_string()
    } else {
        ctx.base_dir.join(rel).display().to_string()
    };
    parse_csv(ctx, key, file, &bytes)
}

/// Reads a CSV file from the disk: a missing file, a folder, a special file or an oversized
/// one is reported at the scenario key.
fn read_from_disk(ctx: &mut Ctx, key: &str, line: Option<usize>, rel: &str) -> Option<Vec<u8>> {
    use crate::input::{read_input, InputError};
    let path = ctx.base_dir.join(rel);
    let what = if key.ends_with("staffing_csv") {
        "a staffing CSV"
    } else {
        "a forecast CSV"
    };
    match read_input(&path, MAX_BYTES, what) {
        Ok(b) => Some(b),
        Err(e @ InputError::Io { .. }) => {
            ctx.err_hint(
                line,
                key,
                e.to_string(),
                "the path is relative to the scenario file's folder",
            );
            None
        }
        Err(e) => {
            ctx.err(line, key, e.to_string());
            None
        }
    }
}

/// Line endings as `\n` only: the reader takes a lone `\r` (old Mac files) as a line end too,
/// and line numbers are counted on `\n`.
fn normalise_line_ends(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !bytes.contains(&b'\r') {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            b'\r' => out.push(b'\n'),
            b => out.push(b),
        }
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

/// The header's columns for a message ([`crate::escape::column_list`]).
fn header_excerpt(header: &[String]) -> String {
    crate::escape::column_list(header.iter().map(String::as_str))
}

/// Parses CSV bytes (`file` names them in messages): header and non-empty records. A
/// header naming a column twice, or a record with more or fewer fields than the header, is
/// an error (such a record is left out of the rows).
fn parse_csv(ctx: &mut Ctx, key: &str, file: String, raw: &[u8]) -> Option<CsvData> {
    // A NUL byte: binary or /proc data, not text; say where, quote nothing.
    if let Some(at) = raw.iter().position(|&b| b == 0) {
        let line = 1 + raw[..at].iter().filter(|&&b| b == b'\n').count();
        ctx.err_in(
            &file,
            Some(line),
            key,
            "holds a NUL byte: it is not a CSV text file",
            Some("save the file as UTF-8 CSV".into()),
        );
        return None;
    }
    let bytes: &[u8] = &normalise_line_ends(raw);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            ctx.err_in(
                &file,
                Some(1),
                key,
                format!("cannot parse the header: {}", csv_error(&e)),
                Some("save the file as UTF-8 CSV".into()),
            );
            return None;
        }
    };
    for (i, h) in header.iter().enumerate() {
        let name = h.trim();
        if !name.is_empty()
            && header[..i]
                .iter()
                .any(|o| o.trim().eq_ignore_ascii_case(name))
        {
            ctx.err_in(
                &file,
                Some(1),
                key,
                format!("the header names column `{}` twice", excerpt(name)),
                Some("each column may appear once".into()),
            );
            return None;
        }
    }
    let mut rows = Vec::new();
    // A record's position is where the reader started looking for it, before any `#`
    // comment or blank lines it skipped: step over those, then count newlines (records
    // come in order, so incrementally).
    let (mut seen_byte, mut seen_line) = (0usize, 1usize);
    let mut line_at = |p: Option<&csv::Position>| -> usize {
        let Some(p) = p else { return 0 };
        let mut b = (p.byte() as usize).min(bytes.len());
        loop {
            let rest = &bytes[b..];
            let end = rest.iter().position(|&c| c == b'\n');
            let line = &rest[..end.unwrap_or(rest.len())];
            let skipped = line.first() == Some(&b'#') || line.is_empty();
            match end {
                Some(e) if skipped => b += e + 1,
                _ => break,
            }
        }
        if b >= seen_byte {
            seen_line += bytes[seen_byte..b].iter().filter(|&&c| c == b'\n').count();
            seen_byte = b;
        }
        seen_line
    };
    let mut ragged = 0usize;
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let at = line_at(r.position());
                if r.iter().all(str::is_empty) {
                    continue;
                }
                if r.len() != header.len() {
                    // Report the first few; a whole file of them says nothing more.
                    ragged += 1;
                    if ragged <= MAX_RAGGED_REPORTED {
                        ctx.err_in(
                            &file,
                            Some(at),
                            key,
                            format!(
                                "the line has {} field(s), the header {}",
                                r.len(),
                                header.len()
                            ),
                            Some(format!("every line needs `{}`", header_excerpt(&header))),
                        );
                    }
                    continue;
                }
                rows.push((at, r.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let at = e.position().map(|p| line_at(Some(p)));
                ctx.err_in(
                    &file,
                    at,
                    key,
                    format!("not a readable CSV line: {}", csv_error(&e)),
                    Some("save the file as UTF-8 CSV".into()),
                );
                return None;
            }
        }
    }
    // Ragged lines are reported above and left out; the other lines are still checked, so
    // that every problem is listed at once.
    Some(CsvData { file, header, rows })
}

/// Most lines with the wrong number of fields reported one by one.
const MAX_RAGGED_REPORTED: usize = 5;

/// A CSV reader error without the record's content (the reader's own text may quote it).
fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "field {} is not UTF-8 text (invalid byte at offset {})",
            err.field() + 1,
            err.valid_up_to()
        ),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => excerpt(&e.to_string()),
    }
}

/// Checks that every column in `needed` exists; reports the missing ones at the header line.
pub(crate) fn require_columns(
    ctx: &mut Ctx,
    csv: &CsvData,
    key: &str,
    needed: &[&str],
) -> Option<Vec<usize>> {
    let mut cols = Vec::new();
    for name in needed {
        match csv.column(name) {
            Some(i) => cols.push(i),
            None => {
                ctx.err_in(
                    &csv.file,
                    Some(1),
                    key,
                    format!(
                        "the header has no `{name}` column (found: {})",
                        header_excerpt(&csv.header)
                    ),
                    Some(format!("the first line must be `{}`", needed.join(","))),
                );
            }
        }
    }
    (cols.len() == needed.len()).then_some(cols)
}

/// Cell `i` of a record (empty when the row is short).
pub(crate) fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or("")
}
