//! `kibana.alert.reason`: the one-line summary Kibana writes on every alert.
//!
//! Kibana builds it in `reason_formatters.ts` (`buildReasonMessageUtil`, `security_solution`
//! detection engine) from a fixed list of fields, read as the `fields` API returns them
//! (arrays, joined with `", "`): event.category, process.name, process.parent.name,
//! file.name, source.address:source.port, destination.address:destination.port, user.name,
//! host.name. The word "with" appears only when one of the process, file, source or
//! destination fields is present. A field with no value, or whose only value is `-`, is left
//! out.

use serde_json::Value;

use crate::fields::{field_values, scalar_text};

/// The reason for an alert of rule `name` with `severity` on `document`.
pub fn alert_reason(document: &Value, name: &str, severity: &str) -> String {
    let read = |path: &str| joined(document, path);
    let category = read("event.category");
    let process = read("process.name");
    let parent = read("process.parent.name");
    let file = read("file.name");
    let source_address = read("source.address");
    let source_port = read("source.port");
    let destination_address = read("destination.address");
    let destination_port = read("destination.port");
    let user = read("user.name");
    let host = read("host.name");

    let of_interest = [&process, &parent, &file, &source_address, &source_port]
        .into_iter()
        .chain([&destination_address, &destination_port])
        .any(Option::is_some);

    let mut reason = String::new();
    if let Some(category) = &category {
        reason.push_str(category);
        reason.push(' ');
    }
    reason.push_str("event");
    if of_interest {
        reason.push_str(" with");
    }
    if let Some(process) = &process {
        push_all(&mut reason, &[" process ", process, ","]);
    }
    if let Some(parent) = &parent {
        push_all(&mut reason, &[" parent process ", parent, ","]);
    }
    if let Some(file) = &file {
        push_all(&mut reason, &[" file ", file, ","]);
    }
    push_endpoint(&mut reason, "source", source_address.as_deref(), source_port.as_deref());
    push_endpoint(
        &mut reason,
        "destination",
        destination_address.as_deref(),
        destination_port.as_deref(),
    );
    if let Some(user) = &user {
        push_all(&mut reason, &[" by ", user]);
    }
    if let Some(host) = &host {
        push_all(&mut reason, &[" on ", host]);
    }
    push_all(&mut reason, &[" created ", severity, " alert ", name, "."]);
    reason
}

/// ` source 10.0.0.1:443,` (address and port are each optional, as in Kibana's template).
fn push_endpoint(reason: &mut String, label: &str, address: Option<&str>, port: Option<&str>) {
    if let Some(address) = address {
        push_all(reason, &[" ", label, " ", address]);
    }
    if let Some(port) = port {
        push_all(reason, &[":", port, ","]);
    }
}

/// Appends each piece in turn.
fn push_all(reason: &mut String, pieces: &[&str]) {
    for piece in pieces {
        reason.push_str(piece);
    }
}

/// The field's values joined with `", "`; `None` when it has none or only `-`.
fn joined(document: &Value, path: &str) -> Option<String> {
    let values: Vec<String> =
        field_values(document, path).into_iter().filter_map(scalar_text).collect();
    if values.is_empty() || (values.len() == 1 && values[0] == "-") {
        return None;
    }
    Some(values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_event_with_process_file_user_and_host() {
        let event = json!({
            "event": {"category": ["file"]},
            "process": {"name": "schtasks.exe"},
            "file": {"name": "evil.job"},
            "user": {"name": "alice"},
            "host": {"name": "ws-01"}
        });
        assert_eq!(
            alert_reason(&event, "Persistence via Scheduled Job Creation", "medium"),
            "file event with process schtasks.exe, file evil.job, by alice on ws-01 created medium alert Persistence via Scheduled Job Creation."
        );
    }

    #[test]
    fn no_field_of_interest_means_no_with() {
        let event = json!({"event": {"category": ["iam", "configuration"]}, "user": {"name": "bob"}, "host": {"name": "dc1"}});
        assert_eq!(
            alert_reason(&event, "R", "low"),
            "iam, configuration event by bob on dc1 created low alert R."
        );
        assert_eq!(alert_reason(&json!({}), "R", "high"), "event created high alert R.");
    }

    #[test]
    fn network_endpoints_and_dash_values() {
        let event = json!({
            "source": {"address": "10.0.0.1", "port": 5555},
            "destination": {"address": "10.0.0.2"},
            "process": {"name": "-", "parent": {"name": "explorer.exe"}}
        });
        assert_eq!(
            alert_reason(&event, "R", "critical"),
            "event with parent process explorer.exe, source 10.0.0.1:5555, destination 10.0.0.2 created critical alert R."
        );
    }
}
