//! Reading service records: the header is checked once (missing columns refuse the file),
//! then each row is parsed and checked; a bad row is skipped with its reason and line number.
//! Only the documented columns are looked at.

use crate::escape::excerpt;
use crate::trace::parse_epoch;

/// Columns a records file must have.
pub const REQUIRED: &[&str] = &[
    "arrival",
    "category",
    "queued_at",
    "service_start",
    "end",
    "abandoned",
];
/// Columns used when present.
pub const OPTIONAL: &[&str] = &[
    "replication",
    "contact_id",
    "visit",
    "intent",
    "vip",
    "bot_met",
    "bot_resolved",
    "ticket",
    "pool",
];

/// One usable row (times in epoch seconds).
#[derive(Debug, Clone)]
pub struct Record {
    pub replication: String,
    pub contact: Option<String>,
    pub visit: u32,
    pub arrival: f64,
    pub category: String,
    pub complex: Option<bool>,
    pub vip: Option<bool>,
    pub bot_met: Option<bool>,
    pub bot_resolved: Option<bool>,
    pub queued_at: Option<f64>,
    pub service_start: Option<f64>,
    pub end: f64,
    pub abandoned: bool,
    pub ticket: bool,
    pub pool: Option<String>,
}

/// Rows skipped for one reason.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub reason: &'static str,
    pub count: u64,
    /// The first few, as `line N: detail`.
    pub examples: Vec<String>,
}

/// What the reader saw.
#[derive(Debug, Clone)]
pub struct ReadStats {
    pub read: u64,
    pub skipped: Vec<Skipped>,
}

/// ` (reason: n rows, e.g. line 4: …; …)` for messages.
pub fn describe_skips(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = skipped
        .iter()
        .map(|s| {
            format!(
                "\n  {} row(s) skipped: {} — e.g. {}",
                s.count,
                s.reason,
                s.examples.join("; ")
            )
        })
        .collect();
    parts.concat()
}

/// A streaming reader of records.
pub struct Reader<R: std::io::Read> {
    csv: csv::Reader<R>,
    cols: Vec<Option<usize>>,
    rec: csv::StringRecord,
    stats: ReadStats,
}

const EXAMPLES: usize = 5;

fn col_index(name: &str) -> usize {
    REQUIRED
        .iter()
        .chain(OPTIONAL)
        .position(|c| *c == name)
        .expect("a known column")
}

impl<R: std::io::Read> Reader<R> {
    /// Reads the header; refuses (with the reason) when required columns are missing.
    pub fn new(input: R) -> Result<Self, String> {
        let mut csv = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(input);
        let header = csv
            .headers()
            .map_err(|e| {
                format!(
                    "line 1: cannot read the header: {}",
                    excerpt(&e.to_string())
                )
            })?
            .clone();
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
        };
        let cols: Vec<Option<usize>> = REQUIRED.iter().chain(OPTIONAL).map(|c| find(c)).collect();
        let missing: Vec<&str> = REQUIRED
            .iter()
            .zip(&cols)
            .filter(|(_, c)| c.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "line 1: the header lacks the column(s) {} (found: {}); records need at least {} \
                 (see docs/data.md)",
                missing.join(", "),
                crate::escape::column_list(header.iter()),
                REQUIRED.join(",")
            ));
        }
        Ok(Reader {
            csv,
            cols,
            rec: csv::StringRecord::new(),
            stats: ReadStats {
                read: 0,
                skipped: Vec::new(),
            },
        })
    }

    fn skip(&mut self, reason: &'static str, detail: String) {
        let s = match self.stats.skipped.iter_mut().find(|s| s.reason == reason) {
            Some(s) => s,
            None => {
                self.stats.skipped.push(Skipped {
                    reason,
                    count: 0,
                    examples: Vec::new(),
                });
                self.stats.skipped.last_mut().expect("just pushed")
            }
        };
        s.count += 1;
        if s.examples.len() < EXAMPLES {
            s.examples.push(detail);
        }
    }

    fn cell(&self, name: &str) -> Option<&str> {
        self.cols[col_index(name)]
            .and_then(|i| self.rec.get(i))
            .filter(|s| !s.is_empty())
    }

    /// The next usable record; `Ok(None)` at the end of the file. I/O failures refuse.
    pub fn next_record(&mut self) -> Result<Option<Record>, String> {
        loop {
            match self.csv.read_record(&mut self.rec) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    if let csv::ErrorKind::Io(_) = e.kind() {
                        return Err(format!("line {line}: cannot read: {e}"));
                    }
                    self.stats.read += 1;
                    self.skip(
                        "unreadable CSV line",
                        format!("line {line}: {}", excerpt(&e.to_string())),
                    );
                    continue;
                }
            }
            if self.rec.iter().all(str::is_empty) {
                continue;
            }
            self.stats.read += 1;
            let line = self.rec.position().map(|p| p.line()).unwrap_or(0);
            match self.parse() {
                Ok(r) => return Ok(Some(r)),
                Err((reason, detail)) => self.skip(reason, format!("line {line}: {detail}")),
            }
        }
    }

    fn parse(&self) -> Result<Record, (&'static str, String)> {
        let time = |name: &str, required: bool| -> Result<Option<f64>, (&'static str, String)> {
            match self.cell(name) {
                None if required => Err(("missing time", format!("{name} is empty"))),
                None => Ok(None),
                Some(s) => parse_epoch(s).map(Some).ok_or((
                    "unparseable time",
                    format!(
                        "{name} \"{}\" is not YYYY-MM-DDTHH:MM[:SS[.sss]]",
                        excerpt(s)
                    ),
                )),
            }
        };
        let flag = |name: &str| -> Result<Option<bool>, (&'static str, String)> {
            match self.cell(name) {
                None => Ok(None),
                Some(s) => match s.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "y" => Ok(Some(true)),
                    "0" | "false" | "no" | "n" => Ok(Some(false)),
                    _ => Err((
                        "unreadable flag",
                        format!("{name} \"{}\" is not 0/1", excerpt(s)),
                    )),
                },
            }
        };
        let arrival = time("arrival", true)?.expect("required");
        let queued_at = time("queued_at", false)?;
        let service_start = time("service_start", false)?;
        let end = time("end", true)?.expect("required");
        let category = self
            .cell("category")
            .ok_or(("missing category", "category is empty".to_string()))?
            .to_string();
        // Names go into the scenario written and onto the terminal: no control characters.
        for (what, name) in [
            ("category", Some(category.as_str())),
            ("pool", self.cell("pool")),
        ] {
            if name.is_some_and(|n| n.chars().any(crate::escape::is_unsafe_char)) {
                return Err((
                    "control character in a name",
                    format!(
                        "{what} \"{}\" holds a control character",
                        excerpt(name.unwrap_or(""))
                    ),
                ));
            }
        }
        let abandoned = flag("abandoned")?.unwrap_or(false);
        let order = |a: &str, ta: f64, b: &str, tb: f64| {
            if tb + 1e-6 < ta {
                Err((
                    "end before start",
                    format!("{b} is {:.3} s before {a}", ta - tb),
                ))
            } else {
                Ok(())
            }
        };
        order("arrival", arrival, "end", end)?;
        if let Some(q) = queued_at {
            order("arrival", arrival, "queued_at", q)?;
            order("queued_at", q, "end", end)?;
        }
        if let Some(s) = service_start {
            order(
                "queued_at",
                queued_at.unwrap_or(arrival),
                "service_start",
                s,
            )?;
            order("service_start", s, "end", end)?;
        }
        if abandoned && queued_at.is_none() {
            return Err((
                "abandoned without queue time",
                "abandoned = 1 but queued_at is empty".into(),
            ));
        }
        let complex = match self.cell("intent") {
            None => None,
            Some(s) => match s.to_ascii_lowercase().as_str() {
                "complex" => Some(true),
                "basic" | "simple" => Some(false),
                _ => {
                    return Err((
                        "unknown intent",
                        format!("intent \"{}\" is neither basic nor complex", excerpt(s)),
                    ))
                }
            },
        };
        let visit = match self.cell("visit") {
            None => 0,
            Some(s) => s.parse::<u32>().map_err(|_| {
                (
                    "unreadable visit",
                    format!("visit \"{}\" is not 0, 1, …", excerpt(s)),
                )
            })?,
        };
        Ok(Record {
            replication: self.cell("replication").unwrap_or("").to_string(),
            contact: self.cell("contact_id").map(str::to_string),
            visit,
            arrival,
            category,
            complex,
            vip: flag("vip")?,
            bot_met: flag("bot_met")?,
            bot_resolved: flag("bot_resolved")?,
            queued_at,
            service_start,
            end,
            abandoned,
            ticket: flag("ticket")?.unwrap_or(false),
            pool: self.cell("pool").map(str::to_string),
        })
    }

    /// Counts of rows read and skipped.
    pub fn finish(self) -> ReadStats {
        self.stats
    }
}
