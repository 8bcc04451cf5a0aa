//! The schemas shipped inside the binary (ECS 9.5.0, Elastic Defend endpoint fields,
//! Endgame, detection-rules' non-ECS fields) and the per-rule union of them.
//!
//! The data files under `data/` are generated from `shared/corpus/schemas/` by the
//! test `tests/generated_data.rs` (`WARDEN_REGENERATE=1 cargo test -p field-schema`).

use std::sync::LazyLock;

use crate::non_ecs::NonEcsSchema;
use crate::schema::Schema;

/// The ECS version of the built-in table.
pub const ECS_VERSION: &str = "9.5.0";

const ECS_TSV: &str = include_str!("../data/ecs.tsv");
const ENDPOINT_TSV: &str = include_str!("../data/endpoint.tsv");
const ENDGAME_TSV: &str = include_str!("../data/endgame.tsv");
const NON_ECS_JSON: &str = include_str!("../data/non-ecs-schema.json");

// The embedded files are checked by this crate's tests, so failing to load one is a
// build defect, not bad user input.
static ECS: LazyLock<Schema> =
    LazyLock::new(|| Schema::from_tsv("data/ecs.tsv", ECS_TSV).expect("embedded ECS table loads"));
static ENDPOINT: LazyLock<Schema> = LazyLock::new(|| {
    Schema::from_tsv("data/endpoint.tsv", ENDPOINT_TSV).expect("embedded endpoint table loads")
});
static ENDGAME: LazyLock<Schema> = LazyLock::new(|| {
    Schema::from_tsv("data/endgame.tsv", ENDGAME_TSV).expect("embedded endgame table loads")
});
static NON_ECS: LazyLock<NonEcsSchema> = LazyLock::new(|| {
    NonEcsSchema::from_json("data/non-ecs-schema.json", NON_ECS_JSON)
        .expect("embedded non-ECS schema loads")
});

/// ECS 9.5.0 field types, with each field's multi-fields (`file.path.text`) as
/// entries of their own and `ignore_above` where ECS sets it.
pub fn ecs() -> &'static Schema {
    &ECS
}

/// Elastic Defend's extra `process.*` fields (`process.Ext.*`, `process.name.caseless`, …).
pub fn endpoint() -> &'static Schema {
    &ENDPOINT
}

/// The Endgame fields (detection-rules' `endgame_ecs_mapping`, 8.4.0).
pub fn endgame() -> &'static Schema {
    &ENDGAME
}

/// detection-rules' non-ECS fields by index pattern.
pub fn non_ecs() -> &'static NonEcsSchema {
    &NON_ECS
}

impl Schema {
    /// The schema a rule with these `index` patterns is checked against, as
    /// detection-rules assembles it (`rule_validators.py`, `get_kql_schema` /
    /// `_prepare_integration_schema`). Later sources win on a conflicting path:
    ///
    /// 1. ECS (with multi-fields);
    /// 2. Endgame, when a pattern is exactly `endgame-*`;
    /// 3. the non-ECS fields of each pattern, looked up by its exact string, in the
    ///    rule's order;
    /// 4. the Elastic Defend endpoint fields, always, last (so `process.command_line.text`
    ///    is `text`, not ECS's `match_only_text`).
    pub fn for_index_patterns(patterns: &[&str]) -> Schema {
        let mut schema = ecs().clone();
        if patterns.contains(&"endgame-*") {
            schema.overlay(endgame());
        }
        for pattern in patterns {
            if let Some(extra) = non_ecs().for_index_pattern(pattern) {
                schema.overlay(extra);
            }
        }
        schema.overlay(endpoint());
        schema
    }
}
