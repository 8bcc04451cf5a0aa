//! Lowers EQL and KQL ASTs to rule-vm programs.
