//! Rule types, schedules and alerts: what Elastic's detection engine does with a compiled rule.
