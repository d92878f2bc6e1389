//! What `scenario::load` reports: one [`Issue`] per problem, and the [`ScenarioError`] that
//! carries every issue of an invalid file at once.

use std::fmt;

/// One problem (or warning) found in a scenario file or in a CSV file it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The file the problem is in, as shown to the user.
    pub file: String,
    /// 1-based line in `file`, when known.
    pub line: Option<usize>,
    /// Key path, e.g. `pools[1].schedule[0].from`; empty for a file-level problem.
    pub key: String,
    /// What is wrong, as a short lower-case sentence.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read: missing, a folder, not UTF-8, or too large.
    #[error("cannot read {file}: {message}")]
    Io { file: String, message: String },
    /// The file was read but is not a valid scenario; every problem found is listed.
    #[error("{}", render_invalid(file, issues))]
    Invalid { file: String, issues: Vec<Issue> },
}

impl ScenarioError {
    /// The issues of an invalid scenario (empty for an I/O error).
    pub fn issues(&self) -> &[Issue] {
        match self {
            ScenarioError::Io { .. } => &[],
            ScenarioError::Invalid { issues, .. } => issues,
        }
    }
}

fn render_invalid(file: &str, issues: &[Issue]) -> String {
    let n = issues.len();
    let mut s = format!(
        "{file} is not a valid scenario ({n} problem{}):",
        if n == 1 { "" } else { "s" }
    );
    for issue in issues {
        s.push_str("\n  ");
        s.push_str(&issue.to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_display_matches_contract_style() {
        let i = Issue {
            file: "scenarios/x.toml".into(),
            line: Some(14),
            key: "pools[1].schedule[0].from".into(),
            message: "\"25:00\" is not a time of day".into(),
            hint: Some("use \"HH:MM\", 00:00–23:59".into()),
        };
        assert_eq!(
            i.to_string(),
            "scenarios/x.toml:14: pools[1].schedule[0].from: \"25:00\" is not a time of day (use \"HH:MM\", 00:00–23:59)"
        );
        let e = ScenarioError::Invalid {
            file: "x.toml".into(),
            issues: vec![i.clone(), i],
        };
        let text = e.to_string();
        assert!(text
            .starts_with("x.toml is not a valid scenario (2 problems):\n  scenarios/x.toml:14:"));
        assert_eq!(text.lines().count(), 3);
    }
}
