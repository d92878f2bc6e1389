//! Reading the CSV files a scenario refers to (`staffing_csv`, `forecast_csv`): path relative
//! to the scenario's folder, size limit, header lookup, records with their line numbers.

use super::walk::Ctx;

/// Largest file accepted (scenario or CSV).
pub(crate) const MAX_BYTES: u64 = 10 * 1024 * 1024;

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
            format!("{rel} is larger than 10 MiB ({} bytes)", bytes.len()),
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

/// Reads a CSV file from the disk, reporting a missing file, a folder or an oversized file.
fn read_from_disk(ctx: &mut Ctx, key: &str, line: Option<usize>, rel: &str) -> Option<Vec<u8>> {
    let path = ctx.base_dir.join(rel);
    let file = path.display().to_string();
    let hint = "the path is relative to the scenario file's folder";
    match std::fs::metadata(&path) {
        Err(e) => {
            ctx.err_hint(line, key, format!("cannot read {file}: {e}"), hint);
            return None;
        }
        Ok(m) if m.is_dir() => {
            ctx.err_hint(
                line,
                key,
                format!("{file} is a folder, not a CSV file"),
                hint,
            );
            return None;
        }
        Ok(m) if m.len() > MAX_BYTES => {
            ctx.err(
                line,
                key,
                format!("{file} is larger than 10 MiB ({} bytes)", m.len()),
            );
            return None;
        }
        Ok(_) => {}
    }
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) => {
            ctx.err_hint(line, key, format!("cannot read {file}: {e}"), hint);
            None
        }
    }
}

/// Parses CSV bytes (`file` names them in messages): header and non-empty records.
fn parse_csv(ctx: &mut Ctx, key: &str, file: String, bytes: &[u8]) -> Option<CsvData> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            ctx.err_in(
                &file,
                Some(1),
                key,
                format!("cannot parse the header: {e}"),
                None,
            );
            return None;
        }
    };
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
            let skipped = line.first() == Some(&b'#') || line.iter().all(|&c| c == b'\r');
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
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                let at = line_at(r.position());
                if r.iter().all(str::is_empty) {
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
                    format!("not a readable CSV line: {e}"),
                    Some("save the file as UTF-8 CSV".into()),
                );
                return None;
            }
        }
    }
    Some(CsvData { file, header, rows })
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
                        csv.header.join(",")
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
