//! Throughput of the two seed rules over ~200k generated ECS events, next to a bare
//! `serde_json` parse of the same lines (the floor any JSON-reading engine pays).
//!
//! Run: `cargo bench -p rule-engine --bench seeds` (optional argument: number of events).
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use event_input::NdjsonReader;
use rule_compiler::{Compiler, EqlOptions};
use rule_engine::{CompiledQuery, Engine, EngineOptions};
use rule_model::{Language, RuleFile};
use serde_json::Value;

const RULES: [&str; 2] = [
    "rules/windows/persistence_local_scheduled_job_creation.toml",
    "rules/windows/persistence_scheduled_task_updated.toml",
];

fn main() {
    let count: usize =
        std::env::args().skip(1).find_map(|argument| argument.parse().ok()).unwrap_or(200_000);
    let input = generate(count);
    println!("{count} events, {:.1} MiB of NDJSON", input.len() as f64 / 1_048_576.0);

    let start = Instant::now();
    let mut parsed = 0_usize;
    for line in input.lines() {
        if serde_json::from_str::<Value>(line).is_ok() {
            parsed += 1;
        }
    }
    let parse_seconds = start.elapsed().as_secs_f64();
    assert_eq!(parsed, count);
    report("serde_json parse only", count, parse_seconds);

    for round in 0..2 {
        let mut engine = build_engine();
        let start = Instant::now();
        let output = engine.run(NdjsonReader::new(input.as_bytes()));
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(output.summary.events_read, count as u64);
        if round == 1 {
            report("engine (2 seed rules)", count, seconds);
            let alerts: Vec<String> = output
                .summary
                .rules
                .iter()
                .map(|rule| format!("{}: {} alerts", rule.name, rule.alerts))
                .collect();
            println!("  {}", alerts.join("; "));
            println!("  engine / parse time: {:.2}", seconds / parse_seconds);
        }
    }
}

fn report(label: &str, count: usize, seconds: f64) {
    println!("{label:<24} {seconds:>7.3} s  {:>10.0} events/s", count as f64 / seconds);
}

fn build_engine() -> Engine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut compiler = Compiler::new();
    let mut rules = Vec::new();
    for path in RULES {
        let text = std::fs::read_to_string(root.join(path)).expect("seed rule file");
        let rule = RuleFile::parse(path, &text).expect("seed rule loads").rule;
        let query = rule.query_text().expect("a query");
        let query_plan = if rule.language == Some(Language::Eql) {
            let ast = eql_syntax::parse(query).expect("EQL parses");
            let plan = compiler.compile_eql(&ast, &EqlOptions::default()).expect("EQL compiles");
            CompiledQuery::from_eql(plan.plan, &plan.pipes).expect("event query")
        } else {
            let ast = kql_syntax::parse(query).expect("KQL parses");
            CompiledQuery::from_kql(compiler.compile_kql(&ast).expect("KQL compiles"))
        };
        rules.push((rule, query_plan));
    }
    Engine::new(compiler.into_fields(), rules, EngineOptions::default()).expect("engine")
}

/// A deterministic mix: 40% process starts, 20% network, 25% file events (1 in 50 a `.job`
/// creation under `C:\Windows\Tasks`), 15% Security 4702 (tasks over 40 hosts x 30 names,
/// a few by SYSTEM), one event per second.
fn generate(count: usize) -> String {
    let mut out = String::with_capacity(count * 700);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let base = 1_752_141_600_000_i64; // 2025-07-10T10:00:00Z
    for n in 0..count {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let pick = seed % 100;
        let host = seed % 40;
        let millis = base + i64::try_from(n).unwrap_or(0) * 1000;
        let time = format!("{millis}");
        let common = format!(
            r#""@timestamp":{time},"host":{{"id":"host-{host}","name":"ws{host}","os":{{"type":"windows"}}}},"user":{{"name":"user{}"}},"agent":{{"type":"endpoint","version":"8.17.0"}},"ecs":{{"version":"8.11.0"}}"#,
            seed % 200
        );
        if pick < 40 {
            let _ = writeln!(
                out,
                r#"{{{common},"data_stream":{{"type":"logs","dataset":"endpoint.events.process","namespace":"default"}},"event":{{"category":["process"],"type":["start"],"kind":"event","ingested":{time}}},"process":{{"name":"proc{}.exe","executable":"C:\\Windows\\System32\\proc{}.exe","command_line":"proc{} --flag value","pid":{}}}}}"#,
                seed % 300,
                seed % 300,
                seed % 300,
                seed % 65536
            );
        } else if pick < 60 {
            let _ = writeln!(
                out,
                r#"{{{common},"data_stream":{{"type":"logs","dataset":"endpoint.events.network","namespace":"default"}},"event":{{"category":["network"],"type":["connection","start"],"kind":"event","ingested":{time}}},"source":{{"ip":"10.0.{}.{}","port":{}}},"destination":{{"ip":"192.168.1.{}","port":443}}}}"#,
                seed % 256,
                (seed >> 8) % 256,
                seed % 65536,
                (seed >> 16) % 256
            );
        } else if pick < 85 {
            let job = (seed >> 20).is_multiple_of(50);
            let (folder, name, extension) = if job {
                (r"C:\\Windows\\Tasks", format!("task{}.job", seed % 1000), "job")
            } else {
                (r"C:\\Users\\user\\Documents", format!("doc{}.docx", seed % 1000), "docx")
            };
            let _ = writeln!(
                out,
                r#"{{{common},"data_stream":{{"type":"logs","dataset":"endpoint.events.file","namespace":"default"}},"event":{{"category":["file"],"type":["creation"],"kind":"event","ingested":{time}}},"file":{{"path":"{folder}\\{name}","name":"{name}","extension":"{extension}"}},"process":{{"executable":"C:\\Program Files\\App\\app{}.exe","name":"app{}.exe"}}}}"#,
                seed % 20,
                seed % 20
            );
        } else {
            let sid =
                if (seed >> 24).is_multiple_of(10) { "S-1-5-18" } else { "S-1-5-21-1-2-3-1104" };
            let _ = writeln!(
                out,
                r#"{{{common},"data_stream":{{"type":"logs","dataset":"system.security","namespace":"default"}},"event":{{"category":["iam","configuration"],"code":"4702","type":["change"],"kind":"event","ingested":{time}}},"winlog":{{"channel":"Security","event_data":{{"SubjectUserSid":"{sid}","TaskName":"\\Vendor\\Task{}"}}}}}}"#,
                seed % 30
            );
        }
    }
    out
}
