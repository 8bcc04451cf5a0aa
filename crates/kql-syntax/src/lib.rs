//! KQL (Kibana Query Language) parser: query text to a typed AST with spans.
