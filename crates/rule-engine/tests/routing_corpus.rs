//! The routing differential over the whole corpus: every rule the engine runs, over generated
//! ECS events, gives the same alerts and summary with the witness and category indexes as
//! with every rule's gates checked one by one.

#[path = "../benches/support/corpus.rs"]
mod corpus;
#[path = "../benches/support/ecs_events.rs"]
mod ecs_events;

use std::io::BufReader;

use event_input::NdjsonReader;
use rule_engine::{Engine, EngineOptions, Routing, RunOutput};

const EVENTS: usize = 3000;

fn run(routing: Routing) -> (usize, RunOutput) {
    let options = EngineOptions { routing, ..EngineOptions::default() };
    let (fields, rules, _) = corpus::load_corpus(&options);
    let count = rules.len();
    let mut engine = Engine::new(fields, rules, options).expect("engine");
    let stream = ecs_events::EventStream::new(ecs_events::event_pool(2000), EVENTS);
    (count, engine.run(NdjsonReader::new(BufReader::new(stream))))
}

#[test]
fn witness_index_equals_full_scan_over_the_corpus() {
    let (rules, indexed) = run(Routing::Indexed);
    let (_, scanned) = run(Routing::FullScan);
    assert!(rules > 1500, "only {rules} corpus rules loaded");
    let firing = indexed.summary.rules.iter().filter(|rule| rule.alerts > 0).count();
    assert!(firing >= 10 && indexed.alerts.len() > 500, "{firing} rules fired");
    assert_eq!(indexed.summary, scanned.summary);
    assert_eq!(indexed.alerts, scanned.alerts);
}
