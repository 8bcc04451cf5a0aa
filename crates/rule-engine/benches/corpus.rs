//! Throughput and peak memory of every corpus rule the engine runs, at once, over generated
//! ECS events (process, file, network, registry, authentication and IAM; Windows, Linux and
//! AWS), the shape of `warden run --rules <corpus>`.
//!
//! Run: `cargo bench -p rule-engine --bench corpus` (optional arguments: number of events,
//! default 1,000,000, and `full-scan` to check every rule's gates one by one). Prints
//! events/s, alerts and the process's peak resident memory (`VmHWM`).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/ecs_events.rs"]
mod ecs_events;

use std::time::Instant;

use event_input::NdjsonReader;
use rule_engine::{Engine, EngineOptions, Routing};

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let count: usize =
        arguments.iter().find_map(|argument| argument.parse().ok()).unwrap_or(1_000_000);
    let routing = if arguments.iter().any(|argument| argument == "full-scan") {
        Routing::FullScan
    } else {
        Routing::Indexed
    };
    let options = EngineOptions { routing, ..EngineOptions::default() };
    let start = Instant::now();
    let (fields, rules, skipped) = corpus::load_corpus(&options);
    let rule_count = rules.len();
    let mut engine = Engine::new(fields, rules, options).expect("engine");
    println!(
        "{rule_count} rules ({skipped} corpus files skipped), loaded in {:.2} s, {routing:?} routing",
        start.elapsed().as_secs_f64()
    );
    println!("  peak RSS after loading (VmHWM): {}", peak_rss());

    let pool = ecs_events::event_pool(20_000);
    let start = Instant::now();
    let bytes =
        std::io::copy(&mut ecs_events::EventStream::new(pool.clone(), count), &mut std::io::sink())
            .expect("generated");
    let generate_seconds = start.elapsed().as_secs_f64();
    println!(
        "{count} events, {:.1} MiB of NDJSON, generated in {generate_seconds:.3} s (included below)",
        bytes as f64 / 1_048_576.0
    );

    let start = Instant::now();
    let stream =
        std::io::BufReader::with_capacity(1 << 16, ecs_events::EventStream::new(pool, count));
    let output = engine.run(NdjsonReader::new(stream));
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(output.summary.events_read, count as u64);
    println!(
        "engine ({rule_count} rules)   {seconds:>7.3} s  {:>10.0} events/s",
        count as f64 / seconds
    );
    let firing = output.summary.rules.iter().filter(|rule| rule.alerts > 0).count();
    let matched: u64 = output.summary.rules.iter().map(|rule| rule.matched).sum();
    println!(
        "  {} alerts from {firing} rules, {matched} rule matches, {} warnings",
        output.alerts.len(),
        output.summary.warnings.len()
    );
    println!("  peak RSS (VmHWM): {}", peak_rss());
}

/// The `VmHWM` line of `/proc/self/status` (Linux), or a note that it is unknown.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
