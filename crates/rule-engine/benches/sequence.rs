//! Throughput and peak memory of one sequence rule over generated events:
//! `sequence by process.entity_id with maxspan=5m [process where ...] [file where ...]`.
//!
//! Run: `cargo bench -p rule-engine --bench sequence` (optional argument: number of events,
//! default 1,000,000). Prints events/s and the process's peak resident memory (`VmHWM`).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::time::Instant;

use event_input::NdjsonReader;
use rule_compiler::{Compiler, EqlOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions};
use rule_model::RuleFile;

const RULE: &str = r#"[rule]
rule_id = "bench-sequence"
name = "Shell then scheduled job"
description = "bench"
risk_score = 47
severity = "medium"
type = "eql"
language = "eql"
index = ["logs-*"]
query = '''
sequence by process.entity_id with maxspan=5m
  [process where event.type == "start" and process.name : ("cmd.exe", "powershell.exe")]
  [file where event.type == "creation" and file.extension : "job"]
'''
"#;

fn main() {
    let count: usize =
        std::env::args().skip(1).find_map(|argument| argument.parse().ok()).unwrap_or(1_000_000);
    let input = generate(count);
    println!("{count} events, {:.1} MiB of NDJSON", input.len() as f64 / 1_048_576.0);
    let rule = RuleFile::parse("bench.toml", RULE).expect("bench rule loads").rule;
    let query = eql_syntax::parse(rule.query_text().expect("query")).expect("parses");
    let mut compiler = Compiler::new();
    let plan = compiler.compile_eql(&query, &EqlOptions::default()).expect("compiles");
    let runnable = CompiledQuery::from_eql(plan.plan, &plan.pipes).expect("a sequence rule");
    let mut engine =
        Engine::new(compiler.into_fields(), vec![(rule, runnable)], EngineOptions::default())
            .expect("engine");
    let start = Instant::now();
    let output = engine.run(NdjsonReader::new(input.as_bytes()));
    let seconds = start.elapsed().as_secs_f64();
    let rule = &output.summary.rules[0];
    let counts = rule.sequences.unwrap_or_default();
    println!(
        "sequence rule            {seconds:>7.3} s  {:>10.0} events/s",
        count as f64 / seconds
    );
    println!(
        "  {} events used, {} sequences, {} alerts, {} expired by maxspan, {} evicted, peak {} held events",
        rule.matched,
        counts.matcher.completed,
        rule.alerts,
        counts.matcher.expired_by_maxspan,
        counts.matcher.evicted,
        output.summary.peak_held_events
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

/// One event per 100 ms over 2,000 live processes: 35% process starts (1 in 10 a shell),
/// 40% file events (1 in 20 a `.job` creation), 15% network, 10% registry.
fn generate(count: usize) -> String {
    let mut out = String::with_capacity(count * 600);
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let base = 1_752_141_600_000_i64;
    for n in 0..count {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let millis = base + i64::try_from(n).unwrap_or(0) * 100;
        let entity = format!("{{{:08x}-proc}}", (seed >> 12) % 2000);
        let host = seed % 50;
        let common = format!(
            r#""@timestamp":{millis},"host":{{"name":"ws{host}","os":{{"type":"windows"}}}},"process":{{"entity_id":"{entity}","name":"{}","pid":{}}}"#,
            if (seed >> 20).is_multiple_of(10) { "cmd.exe" } else { "app.exe" },
            seed % 65536
        );
        let pick = seed % 100;
        let body = if pick < 35 {
            r#""event":{"category":["process"],"type":["start"],"kind":"event"}"#.to_owned()
        } else if pick < 75 {
            let extension = if (seed >> 28).is_multiple_of(20) { "job" } else { "txt" };
            format!(
                r#""event":{{"category":["file"],"type":["creation"],"kind":"event"}},"file":{{"name":"f{}.{extension}","extension":"{extension}","path":"C:\\Windows\\Tasks\\f.{extension}"}}"#,
                seed % 1000
            )
        } else if pick < 90 {
            format!(
                r#""event":{{"category":["network"],"type":["connection"],"kind":"event"}},"destination":{{"ip":"10.1.{}.{}","port":443}}"#,
                seed % 256,
                (seed >> 8) % 256
            )
        } else {
            r#""event":{"category":["registry"],"type":["change"],"kind":"event"},"registry":{"path":"HKLM\\Software\\X"}}"#.to_owned()
        };
        let _ = writeln!(out, "{{{common},{body}}}");
    }
    out
}
