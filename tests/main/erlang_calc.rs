//! `kefu erlang` as a planner's calculator, driven as a user drives it (issue 16): an
//! overload is named unstable in words, and `--interval-csv` turns a column of volumes into
//! a column of agents that agrees with the one-interval answer.

use std::process::Command;

fn kefu(args: &[&str]) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn an_overloaded_interval_is_called_unstable() {
    let (ok, out, _) = kefu(&[
        "erlang",
        "--rate-per-hour",
        "826",
        "--handle-s",
        "180",
        "--agents",
        "15",
    ]);
    assert!(ok);
    assert!(
        out.contains("41.3 Erlangs offered to 15 agent(s): the queue grows without bound"),
        "{out}"
    );
    assert!(!out.contains("inf s"), "{out}");
}

#[test]
fn interval_csv_gives_the_agents_of_each_volume() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("volumes.csv");
    std::fs::write(&csv, "volume\n100\n0\n250\n").unwrap();
    let common = [
        "--handle-s",
        "180",
        "--target-s",
        "20",
        "--target",
        "0.8",
        "--shrinkage",
        "0.3",
    ];
    let mut args = vec!["erlang", "--interval-csv", csv.to_str().unwrap()];
    args.extend(common);
    let (ok, out, err) = kefu(&args);
    assert!(ok, "{err}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!(rows[1][2], "0", "no volume, no agents");
    // Each row agrees with the one-interval answer at the same rate (30-minute intervals).
    for (row, per_hour) in [(&rows[0], "200"), (&rows[2], "500")] {
        let mut one = vec!["erlang", "--rate-per-hour", per_hour];
        one.extend(common);
        let (_, text, _) = kefu(&one);
        let needed = format!(
            "agents needed (Erlang C): {} agents ({} paid",
            row[2], row[3]
        );
        assert!(text.contains(&needed), "{text} vs {row:?}");
    }
    // The published pyworkforce example (100 per 30 min): 14 productive, 20 paid.
    assert_eq!(&rows[0][2..4], ["14", "20"]);
}

#[test]
fn a_bad_volume_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("v.csv");
    std::fs::write(&csv, "10\nlots\n").unwrap();
    let (ok, _, err) = kefu(&[
        "erlang",
        "--interval-csv",
        csv.to_str().unwrap(),
        "--handle-s",
        "60",
    ]);
    assert!(!ok);
    assert!(err.contains("line 2"), "{err}");
}
