//! The detection-rules corpus's three EQL `sample` rules run in `warden run` and alert on
//! events built for them (`fixtures/samples/sample-rules.ndjson`: for each rule one sample,
//! and a near miss that must not alert), each sample as a shell alert and its building blocks.

mod common;

use common::{warden, workspace};

/// The corpus's `sample by` rules (`grep -rl "sample by" rules/`).
const SAMPLE_RULES: [&str; 3] = [
    "linux/execution_shell_via_meterpreter_linux.toml",
    "linux/execution_shell_via_udp_cli_utility_linux.toml",
    "linux/execution_netcon_from_rwx_mem_region_binary.toml",
];

#[test]
fn the_corpus_sample_rules_alert_on_their_events() {
    let corpus = workspace().join("../shared/corpus/detection-rules/rules");
    let rules: Vec<String> =
        SAMPLE_RULES.iter().map(|rule| corpus.join(rule).display().to_string()).collect();
    let mut args = vec!["run", "--rules"];
    args.extend(rules.iter().map(String::as_str));
    args.extend(["--events", "crates/rule-cli/tests/fixtures/samples/sample-rules.ndjson"]);
    let (code, stdout, stderr) = warden(&workspace(), &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("skipped"), "{stderr}");
    let digest: Vec<String> = stdout
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).unwrap();
            let events: Vec<&str> = alert["kibana.alert.ancestors"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|ancestor| ancestor["type"] == "event")
                .map(|ancestor| ancestor["id"].as_str().unwrap())
                .collect();
            let role = match alert.get("kibana.alert.group.index") {
                Some(index) => format!("building block {index}"),
                None => "shell".to_owned(),
            };
            format!(
                "{} | {role} | {} | {}",
                alert["kibana.alert.rule.name"].as_str().unwrap(),
                alert["@timestamp"].as_str().unwrap(),
                events.join(" "),
            )
        })
        .collect();
    // Three samples: a shell and one building block per filter (5, 3 and 2 filters).
    assert_eq!(digest.iter().filter(|line| line.contains("| shell |")).count(), 3);
    assert_eq!(digest.len(), 3 + 5 + 3 + 2);
    insta::assert_snapshot!(format!("{}\n---\n{stderr}", digest.join("\n")));
}
