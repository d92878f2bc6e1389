//! The what-if commands: load → validate every scenario or point → simulate on common random
//! numbers → write (atomically, like `kefu run`).

use super::compare::{self, Unit};
use super::edit::{self, fmt_value, SetSpec};
use super::reps::{self, GroupOutcome, Reps};
use super::sweep::{self, SweepInfo, SweepTable};
use crate::app::{load, say, sha256_hex, warn, Failure};
use crate::cli::{AutoArgs, CompareArgs, MergeArgs, Replications, SweepArgs};
use crate::model::Model;
use crate::report::whatif_charts::{self, Curve, DiffPanel, Heat};
use crate::report::{json::to_text, whatif_html, OutputDir};
use crate::runner::{RunOptions, RunOutcome};
use crate::scenario;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// The replication plan from `--replications` (default: `fixed`) and the auto options.
pub fn reps_of(r: Option<Replications>, fixed: u32, auto: &AutoArgs) -> Result<Reps, Failure> {
    let precision = auto.precision.unwrap_or(reps::DEFAULT_PRECISION);
    if !(precision.is_finite() && precision > 0.0 && precision < 1.0) {
        return Err(Failure::Input(format!(
            "--precision must be a share between 0 and 1 (e.g. 0.005), got {precision}"
        )));
    }
    let max = auto.max_replications.unwrap_or(reps::DEFAULT_MAX);
    if !(reps::AUTO_MIN..=100_000).contains(&max) {
        return Err(Failure::Input(format!(
            "--max-replications must be between {} and 100000, got {max}",
            reps::AUTO_MIN
        )));
    }
    Ok(match r {
        Some(Replications::Auto) => Reps::Auto {
            precision,
            min: reps::AUTO_MIN,
            max,
        },
        Some(Replications::Count(n)) => Reps::Fixed(n),
        None => Reps::Fixed(fixed),
    })
}

/// `kefu run --replications auto`: the aggregate of the replications the stopping rule kept.
pub fn auto_run(
    m: &Model,
    opts: &RunOptions,
    auto: &AutoArgs,
) -> Result<(RunOutcome, GroupOutcome), Failure> {
    let plan = reps_of(Some(Replications::Auto), opts.replications, auto)?;
    let mut run = reps::run_groups(&[vec![m.clone()]], opts.seed, plan, opts.threads)?;
    let outcome = run.outcomes[0];
    Ok((
        RunOutcome {
            aggregate: run.aggregates.remove(0).remove(0),
            wall_s: run.wall_s,
            threads: run.threads,
            events: run.events,
            contacts_simulated: run.contacts_simulated,
        },
        outcome,
    ))
}

/// The `replications_auto` entry of `run.json`.
pub fn auto_json(o: &GroupOutcome, auto: &AutoArgs) -> Value {
    json!({
        "precision": auto.precision.unwrap_or(reps::DEFAULT_PRECISION),
        "max_replications": auto.max_replications.unwrap_or(reps::DEFAULT_MAX),
        "replications": o.replications,
        "service_level_ci95": o.half_width,
        "converged": o.converged,
    })
}

/// The terminal line about an automatic replication count.
pub fn auto_line(o: &GroupOutcome, auto: &AutoArgs) -> String {
    let bound = auto.precision.unwrap_or(reps::DEFAULT_PRECISION);
    let hw = o
        .half_width
        .map_or("n/a".into(), |h| format!("{:.2} pp", h * 100.0));
    if o.converged {
        format!(
            "  replications    auto: {} needed for a service-level CI of ±{hw} (bound ±{:.2} pp)\n",
            o.replications,
            bound * 100.0
        )
    } else {
        format!(
            "  replications    auto: stopped at the cap of {} with ±{hw}, above the bound ±{:.2} pp\n",
            o.replications,
            bound * 100.0
        )
    }
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

fn reps_mode(plan: Reps) -> (Value, Option<f64>, Option<u32>) {
    match plan {
        Reps::Fixed(n) => (json!(n), None, None),
        Reps::Auto { precision, max, .. } => (json!("auto"), Some(precision), Some(max)),
    }
}

/// `kefu compare A B`.
pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let a = load(Some(&args.a))?;
    let b = load(Some(&args.b))?;
    let (ma, mb) = (&a.model, &b.model);
    let seed = args.seed.unwrap_or(ma.run.seed);
    let plan = reps_of(args.replications, ma.run.replications, &args.auto)?;
    if args.seed.is_none() && mb.run.seed != ma.run.seed {
        warn(&format!(
            "warning: B sets seed {} and A seed {}: both run with A's ({seed}) so that they see the same customers",
            mb.run.seed, ma.run.seed
        ));
    }
    if args.replications.is_none() && mb.run.replications != ma.run.replications {
        warn(&format!(
            "warning: B sets {} replications and A {}: both run A's",
            mb.run.replications, ma.run.replications
        ));
    }
    if (ma.run.counted_from, ma.run.counted_to, ma.run.interval_s)
        != (mb.run.counted_from, mb.run.counted_to, mb.run.interval_s)
    {
        warn("warning: A and B simulate different horizons ([run] start, days, warmup_hours or interval_minutes differ): the pairing is only as fair as the horizons are comparable");
    }
    let dest = args.out.clone().unwrap_or_else(|| {
        Path::new("output").join(format!("compare-{}-vs-{}", stem(&args.a), stem(&args.b)))
    });
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add_scenario(&args.a, a.files.iter().map(|(f, _)| f.as_str()));
    inputs.add_scenario(&args.b, b.files.iter().map(|(f, _)| f.as_str()));
    let out = OutputDir::create_for(&dest, &inputs)?;
    crate::app::notes(out.notes());
    let run = reps::run_groups(
        &[vec![ma.clone(), mb.clone()]],
        seed,
        plan,
        args.threads.map(|t| t as usize),
    )?;
    let o = run.outcomes[0];
    let rows = compare::compare(&run.aggregates[0][0], &run.aggregates[0][1]);
    let (mode, precision, max) = reps_mode(plan);
    let mut meta = Map::new();
    meta.insert(
        "scenario_a".into(),
        json!({"name": ma.name, "file": args.a.display().to_string(), "sha256": sha256_hex(&a.source_text)}),
    );
    meta.insert(
        "scenario_b".into(),
        json!({"name": mb.name, "file": args.b.display().to_string(), "sha256": sha256_hex(&b.source_text)}),
    );
    meta.insert("seed".into(), json!(seed));
    meta.insert("replications".into(), json!(o.replications));
    meta.insert(
        "replications_mode".into(),
        json!({"mode": mode, "precision": precision, "max_replications": max, "converged": matches!(plan, Reps::Auto{..}).then_some(o.converged)}),
    );
    meta.insert("pairing".into(), json!("common random numbers: replication r of A and of B use the same streams (same customers, handle times, patience)"));
    let doc = compare::to_json(meta, &rows);
    out.write("compare.json", to_text(&doc))?;
    let title = format!("B − A: {} → {}", ma.name, mb.name);
    whatif_charts::compare_chart(&out.path("compare"), &title, &panels(&rows))?;
    let mut md = format!(
        "## Comparison: {} (A) vs {} (B)\n\n{} paired replications, seed {seed}: replication r of A and of B saw the same customers (common random numbers), so each difference is estimated from paired replications.\n\n",
        ma.name, mb.name, o.replications
    );
    md.push_str(&compare::table(&rows, true));
    md.push('\n');
    md.push_str(&verdict_text(&rows));
    md.push_str("\n![B − A with 95% CIs](compare.png)\n");
    out.write("compare.md", md)?;
    let chart = whatif_html::chart_file(
        &out,
        "compare",
        &title,
        "Each panel is one metric: the dot is the mean difference B − A and the thick blue bar its paired 95% CI; \
         a bar clear of the red zero line is a real difference, and the thin grey bar shows how wide it would be \
         without pairing.",
    )?;
    out.write(
        "report.html",
        whatif_html::compare_html(&doc, &rows, ma.target.service_level, Some(&chart)),
    )?;
    let dest = out.commit()?;
    if !args.quiet {
        let mut s = format!(
            "A: {} ({})\nB: {} ({})\n{} paired replication(s), seed {seed}, common random numbers\n\n",
            ma.name,
            args.a.display(),
            mb.name,
            args.b.display(),
            o.replications
        );
        s.push_str(&compare::table(&rows, false));
        s.push('\n');
        s.push_str(&verdict_text(&rows));
        if let Reps::Auto { .. } = plan {
            s.push_str(&auto_line(&o, &args.auto));
        }
        s.push_str(&format!(
            "  results in {}/ ({:.2} s, {} threads)\n",
            dest.display(),
            run.wall_s,
            run.threads
        ));
        say(&s)?;
    }
    Ok(())
}

/// The service-level statement, the other real differences, and the variance reduction.
fn verdict_text(rows: &[compare::MetricCompare]) -> String {
    let mut s = String::new();
    let head = compare::headline(rows);
    if let Some((r, label, unit)) = head.first() {
        s.push_str(&format!("  {}\n", compare::statement(r, label, *unit)));
    }
    let real: Vec<&str> = head
        .iter()
        .filter(|(r, _, _)| r.significant() == Some(true))
        .map(|(_, l, _)| *l)
        .collect();
    s.push_str(&format!(
        "  real differences (95% CI excludes 0): {}\n",
        if real.is_empty() {
            "none".into()
        } else {
            real.join(", ")
        }
    ));
    if let Some(sl) = rows.iter().find(|r| r.name() == "human.service_level") {
        match sl.width_factor() {
            Some(f) => s.push_str(&format!(
                "  pairing: the service-level CI is {f:.1}× narrower than from independent runs (±{:.2} pp vs ±{:.2} pp; variance reduced {:.0}×)\n",
                sl.diff.ci95.unwrap_or(0.0) * 100.0,
                sl.independent_ci95.unwrap_or(0.0) * 100.0,
                f * f
            )),
            None => s.push_str("  pairing: the paired differences are all 0 (identical results)\n"),
        }
    }
    s
}

fn panels(rows: &[compare::MetricCompare]) -> Vec<DiffPanel> {
    compare::headline(rows)
        .into_iter()
        .filter(|(r, _, _)| r.name() != "human.offered")
        .take(8)
        .map(|(r, label, unit)| {
            let (scale, u) = match unit {
                Unit::Share => (100.0, "pp"),
                Unit::Seconds => (1.0, "s"),
                Unit::Count => (1.0, "contacts"),
                Unit::Hours => (1.0, "h"),
                Unit::Money => (1.0, "currency"),
            };
            DiffPanel {
                title: format!("{label} ({u})"),
                diff: r.diff.mean.unwrap_or(0.0) * scale,
                paired_ci95: r.diff.ci95.unwrap_or(0.0) * scale,
                independent_ci95: r.independent_ci95.unwrap_or(0.0) * scale,
            }
        })
        .collect()
}

/// A scenario with the point's values set, validated.
pub fn point_model(
    text: &str,
    origin: &str,
    base_dir: &Path,
    keys: &[SetSpec],
    values: &[f64],
) -> Result<(scenario::Loaded, Vec<String>), String> {
    let sets: Vec<(String, f64)> = keys
        .iter()
        .zip(values)
        .map(|(k, v)| (k.key.clone(), *v))
        .collect();
    let label = sets
        .iter()
        .map(|(k, v)| format!("{k}={}", fmt_value(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let (edited, notes) = edit::apply(text, &sets).map_err(|e| e.to_string())?;
    let loaded = scenario::load_str(&edited, &format!("{origin} [{label}]"), base_dir)
        .map_err(|e| e.to_string())?;
    Ok((loaded, notes))
}

/// `kefu sweep SCENARIO --set …`.
pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let base = load(Some(&args.scenario))?;
    let specs: Vec<SetSpec> = args
        .set
        .iter()
        .map(|s| edit::parse_set(s))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::Input(e.to_string()))?;
    if specs.len() > 2 {
        return Err(Failure::Input(
            "--set: a sweep takes one or two keys".into(),
        ));
    }
    if specs.len() == 2 && specs[0].key == specs[1].key {
        return Err(Failure::Input(format!(
            "--set {} is given twice",
            specs[0].key
        )));
    }
    let shard = args
        .shard
        .as_deref()
        .map(sweep::parse_shard)
        .transpose()
        .map_err(Failure::Input)?;
    let points = sweep::grid(&specs);
    let origin = args.scenario.display().to_string();
    let base_dir = args
        .scenario
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    // Every point is validated before anything runs, shard or not.
    let mut models = Vec::with_capacity(points.len());
    let (mut errors, mut notes) = (Vec::new(), Vec::new());
    for p in &points {
        match point_model(&base.source_text, &origin, &base_dir, &specs, p) {
            Ok((l, n)) => {
                for w in n
                    .into_iter()
                    .chain(l.warnings.iter().map(|w| w.to_string()))
                {
                    if !notes.contains(&w) {
                        notes.push(w);
                    }
                }
                models.push(l.model);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let n = errors.len();
        errors.truncate(3);
        return Err(Failure::Input(format!(
            "{n} of {} sweep point(s) are invalid:\n{}",
            points.len(),
            errors.join("\n")
        )));
    }
    for n in &notes {
        warn(&format!("note: {n}"));
    }
    let m0 = &base.model;
    let seed = args.seed.unwrap_or(m0.run.seed);
    let plan = reps_of(args.replications, m0.run.replications, &args.auto)?;
    let selected = sweep::shard_points(points.len(), shard);
    let dest = args.out.clone().unwrap_or_else(|| {
        let mut name = format!("{}-sweep", stem(&args.scenario));
        if let Some((k, n)) = shard {
            name.push_str(&format!("-shard-{k}-of-{n}"));
        }
        Path::new("output").join(name)
    });
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add_scenario(&args.scenario, base.files.iter().map(|(f, _)| f.as_str()));
    let out = OutputDir::create_for(&dest, &inputs)?;
    crate::app::notes(out.notes());
    let groups: Vec<Vec<Model>> = selected.iter().map(|&i| vec![models[i].clone()]).collect();
    let run = reps::run_groups(&groups, seed, plan, args.threads.map(|t| t as usize))?;
    let rows: Vec<sweep::Row> = selected
        .iter()
        .zip(&run.aggregates)
        .zip(&run.outcomes)
        .map(|((&i, aggs), o)| sweep::row(i, &points[i], o.replications, &aggs[0]))
        .collect();
    let metrics = run
        .aggregates
        .first()
        .map(|a| sweep::metric_names(&a[0]))
        .unwrap_or_default();
    let table = SweepTable {
        keys: specs.iter().map(|k| k.key.clone()).collect(),
        metrics,
        rows,
    };
    let info = SweepInfo {
        scenario: m0.name.clone(),
        keys: specs.clone(),
        target_service_level: m0.target.service_level,
        answer_within_s: m0.target.answer_within_s,
    };
    let (mode, precision, max) = reps_mode(plan);
    let manifest = sweep::manifest(
        &info,
        &sha256_hex(&base.source_text),
        seed,
        mode,
        precision,
        max,
        shard,
    );
    if shard.is_some() {
        out.write("sweep.json", to_text(&manifest))?;
        out.write("sweep.csv", sweep::csv_text(&table))?;
    } else {
        write_sweep(&out, &manifest, &table)?;
    }
    let dest = out.commit()?;
    if !args.quiet {
        let mut s = format!(
            "{} — sweep of {} ({} point(s){}), seed {seed}, common random numbers\n",
            m0.name,
            table.keys.join(" × "),
            selected.len(),
            shard.map_or(String::new(), |(k, n)| format!(
                " of {}: shard {k}/{n}",
                points.len()
            )),
        );
        for r in &table.rows {
            let sl = table.estimate(r, "human.service_level");
            let w = table.estimate(r, "human.mean_wait_s");
            let vals: Vec<String> = r.values.iter().map(|v| fmt_value(*v)).collect();
            s.push_str(&format!(
                "  {:<14} {:>5} reps  service level {}  mean wait {}\n",
                vals.join(", "),
                r.replications,
                match (sl.mean, sl.ci95) {
                    (Some(m), Some(c)) => format!("{:6.2}% ± {:.2}", m * 100.0, c * 100.0),
                    (Some(m), None) => format!("{:6.2}%", m * 100.0),
                    _ => "n/a".into(),
                },
                w.mean.map_or("n/a".into(), |m| format!("{m:.1} s"))
            ));
        }
        let total: u32 = table.rows.iter().map(|r| r.replications).sum();
        s.push_str(&format!(
            "  {} replications in {:.2} s wall time on {} threads ({:.0} contacts/s)\n  results in {}/\n",
            total,
            run.wall_s,
            run.threads,
            run.contacts_simulated as f64 / run.wall_s.max(1e-9),
            dest.display()
        ));
        say(&s)?;
    }
    Ok(())
}

/// Writes a whole sweep's files (one machine, or merged shards: the same bytes).
pub fn write_sweep(out: &OutputDir, manifest: &Value, table: &SweepTable) -> anyhow::Result<()> {
    let info = sweep::info_from_manifest(manifest)?;
    let seed = manifest["seed"].as_u64().unwrap_or(0);
    out.write("sweep.json", to_text(manifest))?;
    out.write("sweep.csv", sweep::csv_text(table))?;
    let mut md = sweep::markdown(&info, table, seed);
    let est = |name: &str| -> Vec<(Option<f64>, Option<f64>)> {
        table
            .rows
            .iter()
            .map(|r| {
                let e = table.estimate(r, name);
                (e.mean, e.ci95)
            })
            .collect()
    };
    let mut charts = Vec::new();
    let target_label = format!(
        "target {:.0}% within {:.0} s",
        info.target_service_level * 100.0,
        info.answer_within_s
    );
    match info.keys.as_slice() {
        [k] => {
            let xs: Vec<f64> = table.rows.iter().map(|r| r.values[0]).collect();
            whatif_charts::curve_chart(
                &out.path("sweep_service_level"),
                &Curve {
                    title: &format!("Service level against {} — {}", k.key, info.scenario),
                    x_desc: &k.key,
                    y_desc: &format!(
                        "answered within {:.0} s (% of offered)",
                        info.answer_within_s
                    ),
                    xs: &xs,
                    ys: &est("human.service_level"),
                    target: Some((info.target_service_level, &target_label)),
                    scale: 100.0,
                    series: "service level (mean over replications)",
                },
            )?;
            whatif_charts::curve_chart(
                &out.path("sweep_mean_wait"),
                &Curve {
                    title: &format!("Mean wait against {} — {}", k.key, info.scenario),
                    x_desc: &k.key,
                    y_desc: "mean wait of answered chats (s)",
                    xs: &xs,
                    ys: &est("human.mean_wait_s"),
                    target: None,
                    scale: 1.0,
                    series: "mean wait (mean over replications)",
                },
            )?;
            md.push_str(
                "\n![service level](sweep_service_level.png)\n![mean wait](sweep_mean_wait.png)\n",
            );
            charts.push(whatif_html::chart_file(
                out,
                "sweep_service_level",
                &format!("Service level against {}", k.key),
                &format!(
                    "The blue line is the service level at each value of {} with its 95% band; where it crosses the \
                     red line the target is met.",
                    k.key
                ),
            )?);
            charts.push(whatif_html::chart_file(
                out,
                "sweep_mean_wait",
                &format!("Mean wait against {}", k.key),
                "The mean wait of answered chats at each point, with its 95% band.",
            )?);
        }
        [kx, ky] => {
            let sl = est("human.service_level");
            let z: Vec<Vec<Option<f64>>> = (0..kx.values.len())
                .map(|i| {
                    (0..ky.values.len())
                        .map(|j| sl[i * ky.values.len() + j].0)
                        .collect()
                })
                .collect();
            whatif_charts::heat_chart(
                &out.path("sweep_heatmap"),
                &Heat {
                    title: &format!(
                        "Service level (answered within {:.0} s) — {}",
                        info.answer_within_s, info.scenario
                    ),
                    x_desc: &kx.key,
                    y_desc: &ky.key,
                    xs: &kx.values,
                    ys: &ky.values,
                    z: &z,
                    level: info.target_service_level,
                },
            )?;
            md.push_str("\n![service level heat map](sweep_heatmap.png)\n");
            charts.push(whatif_html::chart_file(
                out,
                "sweep_heatmap",
                &format!("Service level over {} × {}", kx.key, ky.key),
                "Each cell is one point of the sweep coloured by its service level; the line marks the target.",
            )?);
        }
        _ => {}
    }
    out.write("sweep.md", md)?;
    out.write(
        "report.html",
        whatif_html::sweep_html(&info, table, manifest, &charts),
    )?;
    Ok(())
}

/// `kefu merge SHARD_DIR…`.
pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let shards = args
        .shards
        .iter()
        .map(|d| sweep::read_shard(d))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| Failure::Input(format!("{e:#}")))?;
    let (manifest, table) = sweep::merge(shards).map_err(|e| Failure::Input(format!("{e:#}")))?;
    let dest: PathBuf = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join("sweep-merged"));
    let mut inputs = crate::outfs::Inputs::default();
    for d in &args.shards {
        inputs.add("shard folder", d);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    crate::app::notes(out.notes());
    write_sweep(&out, &manifest, &table)?;
    let dest = out.commit()?;
    if !args.quiet {
        say(&format!(
            "merged {} shard(s), {} point(s) → {}/\n",
            args.shards.len(),
            table.rows.len(),
            dest.display()
        ))?;
    }
    Ok(())
}
