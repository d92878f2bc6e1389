//! Scenario files: TOML text → validated [`Model`], with every problem reported at once.
//!
//! # Sections
//! - [`load`] / [`load_str`]: the only ways in; they return a [`Loaded`] or a [`ScenarioError`]
//!   listing every [`Issue`] (file, line, key path, message, hint).
//! - `walk`: typed getters over the parsed TOML tree that collect issues instead of stopping.
//! - `sections`, `arrivals`, `categories`, `pools`, `dist`: one converter per part of the
//!   contract (`/work/shared/design/scenario-format.md`, section 1).
//! - `customers`: `[queue]` and `[retrials]` (docs/customers.md).
//! - `planning`: the `[planning]` settings of `kefu plan` (`docs/planning.md`).
//! - `clock`: strict parsing of date-times and `"HH:MM"` times of day.
//! - `csvfile`: the CSV files a scenario may refer to (`staffing_csv`, `forecast_csv`).
//! - Cross-checks at the end: skills served by no pool (error) or used by no category (warning).

mod arrivals;
mod bot_controls;
mod categories;
mod clock;
mod csvfile;
mod customers;
mod dist;
mod error;
pub mod limits;
mod planning;
mod pools;
mod routing;
mod sections;
#[cfg(test)]
mod tests;
mod walk;

use std::path::Path;

pub use error::{Issue, ScenarioError};

use crate::model::Model;
use walk::{Ctx, Tbl};

/// The built-in default scenario (`kefu run` without a file).
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.toml");

/// A validated scenario, with the warnings found on the way and the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub model: Model,
    pub warnings: Vec<Issue>,
    pub source_text: String,
    /// The CSV files the scenario refers to, as read (path as written → bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "run",
    "target",
    "arrivals",
    "categories",
    "bot",
    "pools",
    "routing",
    "surge",
    "costs",
    "offline",
    "queue",
    "retrials",
    "planning",
];

/// Reads and validates a scenario file. Refuses folders, special files (FIFOs, devices),
/// files over [`crate::input::MAX_TEXT_BYTES`] and non-UTF-8 text.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    use crate::input::{read_input_text, TextInputError, MAX_TEXT_BYTES};
    let file = path.display().to_string();
    let text = read_input_text(path, MAX_TEXT_BYTES, "a scenario file").map_err(|e| {
        let message = match e {
            TextInputError::Input(e) => e.reason(),
            TextInputError::NotUtf8 { offset, .. } => {
                format!("it is not UTF-8 text (invalid byte at offset {offset}); save it as UTF-8")
            }
        };
        ScenarioError::Io {
            file: file.clone(),
            message,
        }
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    load_str(&text, &file, base)
}

/// Validates scenario text; `origin` names the file in messages, `base_dir` resolves CSV paths.
pub fn load_str(text: &str, origin: &str, base_dir: &Path) -> Result<Loaded, ScenarioError> {
    load_ctx(Ctx::new(origin, text, base_dir.to_path_buf()), text, origin)
}

/// Like [`load_str`], but the CSV files it refers to come from `files` (path as written in
/// the scenario → contents) instead of the disk: for `kefu run --from run.json` and fuzzing.
pub fn load_str_with_files(
    text: &str,
    origin: &str,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Loaded, ScenarioError> {
    let mut ctx = Ctx::new(origin, text, std::path::PathBuf::new());
    ctx.memfiles = Some(files);
    load_ctx(ctx, text, origin)
}

fn load_ctx(mut ctx: Ctx, text: &str, origin: &str) -> Result<Loaded, ScenarioError> {
    let text_body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let model = match toml::de::DeTable::parse(text_body) {
        Ok(doc) => {
            let doc = doc.into_inner();
            if doc.is_empty() {
                ctx.err_hint(
                    None,
                    "",
                    "the file is empty: a scenario needs at least `name`, `[run] days`, `[arrivals] per_day`, `[[categories]]` and `[[pools]]`",
                    "start from scenarios/default.toml",
                );
            }
            build(&mut ctx, &doc)
        }
        Err(e) => {
            let line = e
                .span()
                .map(|s| ctx.line_at(s.start + (text.len() - text_body.len())));
            let message = e.message().trim().to_string();
            ctx.err_hint(
                line,
                "",
                format!("TOML syntax error: {message}"),
                "see https://toml.io",
            );
            None
        }
    };
    let Ctx {
        errors,
        mut warnings,
        files_read,
        ..
    } = ctx;
    match model {
        Some(model) if errors.is_empty() => {
            sort_issues(&mut warnings, origin);
            Ok(Loaded {
                model,
                warnings,
                source_text: text.to_string(),
                files: files_read,
            })
        }
        _ => {
            let mut issues = errors;
            sort_issues(&mut issues, origin);
            Err(ScenarioError::Invalid {
                file: origin.to_string(),
                issues,
            })
        }
    }
}

/// Scenario-file issues by line (file-level ones first), then those in other files.
fn sort_issues(issues: &mut [Issue], origin: &str) {
    issues.sort_by_key(|i| (i.file != origin, i.line.unwrap_or(0)));
}

/// Converts the whole document; `None` when a part could not be built (issues say why).
fn build(ctx: &mut Ctx, doc: &toml::de::DeTable<'_>) -> Option<Model> {
    let root = Tbl::new(ctx, "", Some(doc), None, TOP_KEYS);
    if !limits::check_counts(ctx, &root) {
        return None;
    }
    let name = match root.string(ctx, "name").map(str::trim) {
        Some("") => {
            ctx.err_hint(
                root.line_of(ctx, "name"),
                "name",
                "must not be empty",
                "name the scenario, e.g. name = \"Singles' Day\"",
            );
            None
        }
        Some(n) => Some(n.to_string()),
        None => {
            if !root.has("name") {
                root.missing(ctx, "name", "name = \"my scenario\"");
            }
            None
        }
    };
    let description = root.string(ctx, "description").map(str::to_string);
    let (run, _start) = sections::run(ctx, &root);
    let target = sections::target(ctx, &root);
    let bot = categories::bot(ctx, &root);
    let bot_controls = bot_controls::bot_controls(ctx, &root);
    let bot_promotion = match &bot {
        Ok(None) => None,
        Ok(Some(b)) => Some(b.promotion.is_some()),
        // An invalid bot: only complain about peaks if it has no promotion key at all.
        Err(()) => Some(
            root.get("bot")
                .and_then(|b| b.get_ref().get("promotion"))
                .is_some(),
        ),
    };
    let arrivals = arrivals::arrivals(ctx, &root, &run, bot_promotion);
    let cats = categories::categories(ctx, &root);
    let pools = pools::pools(ctx, &root, &run);
    let pool_names: Option<Vec<String>> = pools
        .as_ref()
        .map(|ps| ps.iter().map(|p| p.pool.name.clone()).collect());
    let surges = sections::surges(ctx, &root, pool_names.as_deref());
    let (mut routing, raw_order) = routing::routing(ctx, &root);
    let costs = sections::costs(ctx, &root);
    let offline = sections::offline(ctx, &root);
    let customers = customers::customers(ctx, &root);
    let planning = planning::planning(ctx, &root, &run, pool_names.as_deref());

    let (cats, pools) = (cats?, pools?);
    let (categories, pools, skills) = resolve_skills(ctx, cats, pools)?;
    routing::resolve_order(ctx, &mut routing, raw_order, &categories, &pools);
    let model = Model {
        name: name?,
        description,
        run,
        target,
        arrivals,
        categories,
        skills,
        bot: bot.ok()?,
        bot_controls,
        pools,
        routing,
        surges,
        costs,
        offline,
        customers,
        planning,
    };
    if ctx.error_count() == 0 {
        limits::check_model(ctx, &root, &model);
    }
    Some(model)
}

/// Gives skills their ids; a category skill no pool serves is an error, a pool skill no
/// category needs is a warning.
fn resolve_skills(
    ctx: &mut Ctx,
    cats: Vec<categories::RawCategory>,
    pools: Vec<pools::RawPool>,
) -> Option<(
    Vec<crate::model::Category>,
    Vec<crate::model::Pool>,
    Vec<String>,
)> {
    let mut skills: Vec<String> = Vec::new();
    let before = ctx.error_count();
    let served: Vec<String> = pools
        .iter()
        .flat_map(|p| p.skills.iter().cloned())
        .collect();
    let mut categories = Vec::new();
    for c in cats {
        if !served.contains(&c.skill) {
            let offer: Vec<String> = pools
                .iter()
                .map(|p| format!("{} serves {}", p.pool.name, p.skills.join(", ")))
                .collect();
            ctx.err_hint(
                c.skill_line,
                &format!("{}.skill", c.path),
                format!(
                    "no pool serves skill \"{}\" of category \"{}\"",
                    c.skill, c.category.name
                ),
                format!(
                    "{}; add \"{}\" to a pool's skills or change the category's skill",
                    offer.join("; "),
                    c.skill
                ),
            );
        }
        let mut cat = c.category;
        cat.skill = skill_id(&mut skills, &c.skill);
        categories.push(cat);
    }
    let used = skills.len();
    let mut out = Vec::new();
    let mut factors = Vec::new();
    for p in pools {
        let mut pool = p.pool;
        for s in &p.skills {
            let sid = skill_id(&mut skills, s);
            if sid >= used {
                ctx.warn(
                    p.skills_line,
                    &format!("{}.skills", p.path),
                    format!("no category needs skill \"{s}\""),
                    Some(
                        "this pool's agents only take contacts of the other skills it lists".into(),
                    ),
                );
            }
            pool.skills.push(sid);
        }
        factors.push((p.path, p.skills, p.handle_factor));
        out.push(pool);
    }
    // Handle-time factors by skill id, once every skill has its id.
    for (pool, (path, names, entries)) in out.iter_mut().zip(factors) {
        for (skill, factor, line) in entries {
            let key = format!("{path}.handle_factor.{}", crate::escape::excerpt(&skill));
            if !names.contains(&skill) {
                ctx.err_hint(
                    line,
                    &key,
                    format!("pool \"{}\" does not serve this skill", pool.name),
                    format!("its skills: {}", names.join(", ")),
                );
            } else if factor != 1.0 {
                if pool.handle_factor.is_empty() {
                    pool.handle_factor = vec![1.0; skills.len()];
                }
                pool.handle_factor[skill_id(&mut skills, &skill)] = factor;
            }
        }
    }
    (ctx.error_count() == before).then_some((categories, out, skills))
}

/// The id of a skill name, adding it when new.
fn skill_id(skills: &mut Vec<String>, s: &str) -> usize {
    match skills.iter().position(|k| k == s) {
        Some(i) => i,
        None => {
            skills.push(s.to_string());
            skills.len() - 1
        }
    }
}
