//! Same scenario and seed → identical numbers whatever the thread count; another seed →
//! other numbers.

use crate::common::simulate;
use kefu::model::textbook::Textbook;
use kefu::report::json;

fn summary_text(threads: usize, seed: u64) -> String {
    let mut tb = Textbook::new(0.05, 180.0, 10);
    tb.mean_patience_s = Some(300.0);
    tb.vip_share = 0.2;
    tb.replications = 6;
    tb.seed = seed;
    let m = tb.model();
    let agg = simulate(&m, threads);
    json::to_text(&json::summary(&m, &agg, m.run.replications, seed))
}

#[test]
fn thread_count_does_not_change_numbers() {
    assert_eq!(summary_text(1, 5), summary_text(2, 5));
    assert_eq!(summary_text(1, 5), summary_text(3, 5));
}

#[test]
fn another_seed_gives_other_numbers() {
    assert_ne!(summary_text(2, 5), summary_text(2, 6));
}
