//! `kefu batch MANIFEST --pooled POOLS.toml`: the agent-hours one pool per shop needs against
//! shared pools, for the same target, on common random numbers (see `batch::pooling`).

use super::{BatchArgs, Checked};
use crate::batch::pooling::{self, PoolShop, PoolsFile};
use crate::batch::prepare;
use crate::failure::{say, Failure};
use crate::report::OutputDir;
use std::fmt::Write;
use std::path::Path;

/// Largest POOLS.toml read.
const MAX_POOLS_BYTES: u64 = 4 * crate::input::MIB;

pub(super) fn pooled(args: &BatchArgs, c: &Checked, pools_file: &Path) -> Result<(), Failure> {
    let text = crate::input::read_input_text(pools_file, MAX_POOLS_BYTES, "a pools file")
        .map_err(Failure::input)?;
    let spec: PoolsFile = toml::from_str(&text)
        .map_err(|e| Failure::Input(format!("{}: {}", pools_file.display(), e.message())))?;
    let mut shops = Vec::new();
    for s in &c.manifest.shops {
        let l = prepare::shop_model(&c.manifest, s, &c.sources).map_err(Failure::input)?;
        let doc: toml::Table = l
            .source_text
            .parse()
            .map_err(|e: toml::de::Error| Failure::Input(e.message().to_string()))?;
        shops.push(PoolShop {
            id: s.id.clone(),
            category: s.category.clone().unwrap_or_default(),
            doc,
        });
    }
    let fail = |e: pooling::PoolingError| Failure::Input(format!("{}: {e}", pools_file.display()));
    let groups = pooling::groups(&spec, &shops).map_err(fail)?;
    let combined = pooling::combine(&shops, &groups).map_err(fail)?;
    let separate = pooling::separate(&combined, &shops);
    let (_, model) =
        pooling::staffed(&combined, &vec![1; combined.pooled_pools.len()]).map_err(fail)?;
    let target = model.target.service_level;
    let reps = args.replications.unwrap_or(model.run.replications);
    let threads = args.threads.map(|t| t as usize);
    let sep_need =
        pooling::requirement(&separate, target, args.seed, reps, threads).map_err(fail)?;
    let pool_need =
        pooling::requirement(&combined, target, args.seed, reps, threads).map_err(fail)?;
    let report = pooling::savings(
        &groups,
        &shops,
        &sep_need,
        &pool_need,
        combined.counted_hours,
        (reps, args.seed, target),
    );
    // The pooled scenario at the largest per-replication requirement of each pool.
    let worst: Vec<u32> = pool_need
        .iter()
        .map(|v| v.iter().copied().max().unwrap_or(1))
        .collect();
    let (pooled_text, _) = pooling::staffed(&combined, &worst).map_err(fail)?;
    let dest = args.out.clone().unwrap_or_else(|| {
        super::super::default_out(format!("{}-pooled", super::super::stem(&args.manifest)))
    });
    let mut inputs = crate::outfs::Inputs::default();
    inputs.add("manifest", &args.manifest);
    if let Some(t) = &args.template {
        inputs.add("template scenario", t);
    }
    if let Some(p) = &args.pooled {
        inputs.add("pools file", p);
    }
    let out = OutputDir::create_for(&dest, &inputs)?;
    crate::failure::notes(out.notes());
    let json = serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?;
    out.write("pooling.json", format!("{json}\n"))?;
    out.write("pooled.toml", pooled_text)?;
    let md = markdown(&report);
    out.write("pooling.md", &md)?;
    let dest = out.commit()?;
    if !args.quiet {
        say(&crate::escape::terminal_lines(&format!(
            "{md}  results in {}/\n",
            dest.display()
        )))?;
    }
    Ok(())
}

fn hours(m: &pooling::Mean) -> String {
    match (m.mean, m.ci95) {
        (Some(x), Some(c)) => format!("{x:.1} ± {c:.1} h"),
        (Some(x), None) => format!("{x:.1} h"),
        _ => "n/a".into(),
    }
}

/// `pooling.md` (also printed).
fn markdown(r: &pooling::PoolingReport) -> String {
    let md = crate::escape::markdown;
    let mut s = format!(
        "## Pooling: agent-hours for {:.0}% of every shop's chats within target\n\n{} replications, seed {}, one scenario with both staffings on common random numbers; ± is a 95% CI (paired for the saving).\n\n| pool | shops | one pool per shop | shared | saved | share |\n| --- | --- | --- | --- | --- | --- |\n",
        r.target_service_level * 100.0,
        r.replications,
        r.seed
    );
    for p in r.pools.iter().chain([&r.total]) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            md(&p.pool),
            p.shops.len(),
            hours(&p.separate_agent_hours),
            hours(&p.pooled_agent_hours),
            hours(&p.saved_agent_hours),
            p.saved_share
                .map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0))
        );
    }
    s
}
