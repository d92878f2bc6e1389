//! The runner's progress bar on stderr (only when stderr is a terminal).

use super::stopping::Rule;
use super::{Job, Progress};

/// How far a job is.
pub(crate) struct Done {
    pub first_group_replications: u32,
    pub groups_done: usize,
}

/// A progress bar, or nothing.
pub(crate) struct Bar {
    bar: Option<indicatif::ProgressBar>,
    what: Progress,
}

impl Bar {
    pub fn new(job: &Job, rule: &Rule) -> Self {
        use std::io::IsTerminal;
        let hidden = Bar {
            bar: None,
            what: Progress::Hidden,
        };
        if job.progress == Progress::Hidden || !std::io::stderr().is_terminal() {
            return hidden;
        }
        let (len, unit) = match job.progress {
            Progress::Points => (job.groups.len() as u64, "points"),
            _ => (rule.max as u64, "replications"),
        };
        // Under a stopping rule the count is a cap, not a promise.
        let cap = if rule.first < rule.max && job.progress == Progress::Replications {
            " (at most; stops when precise enough)"
        } else {
            ""
        };
        let bar = indicatif::ProgressBar::new(len);
        let template = format!("{{spinner}} {unit} {{pos}}/{{len}}{cap} {{wide_bar}} {{elapsed}}");
        bar.set_style(
            indicatif::ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar {
            bar: Some(bar),
            what: job.progress,
        }
    }

    pub fn show(&self, done: &Done) {
        if let Some(b) = &self.bar {
            b.set_position(match self.what {
                Progress::Points => done.groups_done as u64,
                _ => done.first_group_replications as u64,
            });
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
