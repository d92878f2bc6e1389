use kefu::model::textbook::Textbook;
use kefu::runner::{run, RunOptions};
fn main() {
    let mut tb = Textbook::new(0.08, 100.0, 10);
    tb.days = 10.0;
    let m = tb.model();
    let o = RunOptions {
        replications: 10,
        seed: 1,
        threads: Some(2),
        progress: false,
    };
    let out = run(&m, &o).unwrap();
    for p in [
        &["human", "waited_fraction"][..],
        &["human", "mean_wait_s"],
        &["human", "service_level"],
        &["human", "occupancy"],
        &["contacts"],
        &["human", "wait_p90_s"],
    ] {
        println!("{:?} {:?}", p, out.aggregate.get(p));
    }
    println!(
        "wall {:.3}s contacts {} -> {:.1} M/s",
        out.wall_s,
        out.contacts_simulated,
        out.contacts_simulated as f64 / out.wall_s / 1e6
    );
    let mut tb = Textbook::new(200.0 / 100.0, 100.0, 200);
    tb.mean_patience_s = Some(300.0);
    tb.days = 2.0;
    let m = tb.model();
    let o = RunOptions {
        replications: 2,
        seed: 1,
        threads: Some(1),
        progress: false,
    };
    let out = run(&m, &o).unwrap();
    println!(
        "abandon {:?} sl {:?}",
        out.aggregate.get(&["human", "abandon_rate"]),
        out.aggregate.get(&["human", "service_level"])
    );
    println!(
        "wall {:.3}s contacts {} -> {:.2} M/s (1 thread)",
        out.wall_s,
        out.contacts_simulated,
        out.contacts_simulated as f64 / out.wall_s / 1e6
    );
}
