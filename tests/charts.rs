//! The charts and report.html of a run: files exist, PNGs decode at full size and are not
//! blank, SVGs parse and carry their titles, the report is well-formed, self-contained and
//! states the verdict with the numbers of summary.json.

mod shop;

use kefu::model::Model;
use kefu::report::charts::{self, ChartFile};
use kefu::report::{html, json, OutputDir};
use kefu::runner::{run, Hooks, IntervalStore, Job, Progress, Reps};
use kefu::summary::Aggregate;

struct Written {
    dir: tempfile::TempDir,
    files: Vec<ChartFile>,
    summary: serde_json::Value,
    html: String,
}

fn simulate(m: &Model, reps: u32) -> Aggregate {
    let opts = Job {
        groups: vec![vec![&m]],
        seed: 7,
        reps: Reps::Fixed(reps),
        threads: Some(2),
        progress: Progress::Hidden,
        intervals: IntervalStore::Files,
    };
    run(&opts, Hooks::default()).unwrap().into_single().0
}

fn write(m: &Model, reps: u32, with_charts: bool) -> Written {
    let agg = simulate(m, reps);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let out = OutputDir::create(&dest).unwrap();
    let files = if with_charts {
        charts::write_charts(&out, m, &agg).unwrap()
    } else {
        Vec::new()
    };
    let verdict = kefu::verdict::Verdict::of_run(m, &agg).unwrap();
    let mut summary = json::summary(m, &agg, reps, 7);
    json::add_verdict(&mut summary, &verdict);
    let run_info = serde_json::json!({
        "scenario": m.name, "scenario_sha256": "abc123", "seed": 7, "replications": reps,
        "kefu_version": env!("CARGO_PKG_VERSION"), "wall_time_s": 0.5, "charts_s": 0.1,
    });
    let html = html::report_html(m, &agg, &summary, &run_info, &files, &verdict).unwrap();
    out.write("report.html", &html).unwrap();
    out.commit().unwrap();
    Written {
        dir,
        files,
        summary,
        html,
    }
}

fn png_non_background_share(path: &std::path::Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let total = (info.width * info.height) as usize;
    let ink = px
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 235))
        .count();
    (info.width, info.height, ink as f64 / total as f64)
}

fn check_charts(w: &Written) {
    let base = w.dir.path().join("out");
    assert_eq!(w.files.len(), 5);
    for f in &w.files {
        let (width, height, ink) = png_non_background_share(&base.join(&f.png));
        assert_eq!((width, height), charts::SIZE, "{}", f.png);
        assert!(
            ink > 0.03,
            "{} is nearly blank: {:.3} of pixels drawn",
            f.png,
            ink
        );
        let svg = std::fs::read_to_string(base.join(&f.svg)).unwrap();
        assert_eq!(svg, f.svg_text);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", f.svg));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(
            texts.contains(&f.title.as_str()),
            "{} lacks its title {:?}",
            f.svg,
            f.title
        );
        assert!(texts.len() > 15, "{} has too little text: {texts:?}", f.svg);
        assert!(!f.insight.is_empty());
    }
}

fn check_html(w: &Written) {
    let h = &w.html;
    let doc = roxmltree::Document::parse_with_options(
        h,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "html");
    // Inlined SVGs, one per chart, and unique ids.
    let svgs = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
    assert_eq!(svgs, w.files.len());
    let mut ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids in report.html");
    // Self-contained: nothing fetched.
    assert!(!h.contains("http"), "report.html mentions http");
    for (i, _) in h.match_indices("src=") {
        assert!(h[i..].starts_with("src=\"data:"), "external src at {i}");
    }
    assert!(!h.contains("<script"), "report.html has a script");
    assert!(!h.contains("<link"), "report.html links a resource");
    assert!(!h.contains("@import"), "report.html imports a style");
    // The verdict with the numbers of summary.json.
    let sl = &w.summary["human"]["service_level"];
    let expected = html::pct_ci((sl["mean"].as_f64(), sl["ci95"].as_f64()));
    let verdict = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("verdict"))
        .expect("a verdict");
    let verdict_text: String = verdict.descendants().filter_map(|n| n.text()).collect();
    assert!(
        verdict_text.contains(&expected),
        "verdict {verdict_text:?} lacks {expected}"
    );
    let met = w.summary["target"]["met"].as_bool().unwrap();
    assert_eq!(
        verdict_text.contains("NOT met") || verdict_text.contains("No verdict"),
        !met,
        "{verdict_text}"
    );
    let ab = &w.summary["human"]["abandon_rate"];
    assert!(h.contains(&html::pct_ci((ab["mean"].as_f64(), ab["ci95"].as_f64()))));
    assert!(h.contains("abc123") && h.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn shop_charts_and_report() {
    let m = shop::shop(1.0, 4);
    let w = write(&m, 4, true);
    check_charts(&w);
    check_html(&w);
    assert!(w.html.contains("Double 11 launch"), "the peak is named");
    assert!(w.html.contains("CNY"), "the cost is shown");
    assert!(charts::missing_glyph_warning(&m).is_none());
}

#[test]
fn plain_model_and_single_replication() {
    let m = shop::plain(1);
    let w = write(&m, 1, true);
    check_charts(&w);
    check_html(&w);
}

#[test]
fn report_without_charts() {
    let m = shop::plain(3);
    let w = write(&m, 3, false);
    check_html(&w);
    assert!(w.html.contains("--no-charts"));
    assert!(!w.dir.path().join("out/charts").exists());
}

#[test]
fn chinese_category_names_draw_and_warn() {
    let mut m = shop::shop(0.5, 2);
    m.categories[0].name = "售前咨询".into();
    m.categories[1].name = "售后 & <退款>".into();
    let w = write(&m, 2, true);
    check_charts(&w);
    check_html(&w);
    assert!(w.html.contains("售前咨询") && w.html.contains("售后 &amp; &lt;退款&gt;"));
    let warning = charts::missing_glyph_warning(&m).expect("a warning about CJK glyphs");
    assert!(warning.contains("售前咨询") && warning.contains("--font-file"));
}

#[test]
fn bad_font_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("not-a-font.ttf");
    std::fs::write(&p, b"hello").unwrap();
    assert!(charts::font::use_font_file(&p).is_err());
    assert!(charts::font::use_font_file(&dir.path().join("missing.ttf")).is_err());
}
