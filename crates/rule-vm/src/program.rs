//! [`Program`]: the instructions, their constant pools and debug spans, the
//! [`ProgramBuilder`] compilers use, and the textual listing.

use crate::analyzer::TokenQuery;
use crate::cidr::CidrBlock;
use crate::error::VmError;
use crate::field::FieldTable;
use crate::instr::{Instr, Test};
use crate::matcher::{CaseMode, StrMatcher};
use crate::typed::{DateRange, IpRange};
use crate::version::Version;
use std::collections::HashSet;
use std::fmt;

/// A set of exact values (`in`, `in~`, KQL value lists without wildcards).
#[derive(Clone, Debug)]
pub struct ValueSet {
    case: CaseMode,
    values: HashSet<Box<str>>,
    /// The values in source order, for listings.
    listed: Vec<Box<str>>,
}

impl ValueSet {
    /// A set of `values` compared in `case` mode.
    pub fn new<S: AsRef<str>>(values: impl IntoIterator<Item = S>, case: CaseMode) -> Self {
        let listed: Vec<Box<str>> = values
            .into_iter()
            .map(|value| case.normalize(value.as_ref()).into_boxed_str())
            .collect();
        ValueSet { case, values: listed.iter().cloned().collect(), listed }
    }

    /// True if `value` is in the set; `scratch` is used to fold it when case-insensitive.
    pub fn contains(&self, value: &str, scratch: &mut String) -> bool {
        self.values.contains(self.case.prepare(value, scratch))
    }

    /// The case mode.
    pub fn case(&self) -> CaseMode {
        self.case
    }

    /// The values, normalized for the case mode (folded when case-insensitive).
    pub(crate) fn normalized_values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|value| &**value)
    }
}

/// The literal side of a comparison: its text and, when it is numeric, its number.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// The text (compared lexicographically with non-numeric values).
    pub text: Box<str>,
    /// The number, when the literal is numeric.
    pub number: Option<f64>,
    /// The integer, when the literal is an integer (compared exactly with integer values).
    pub integer: Option<i64>,
}

impl Bound {
    /// A bound from literal text; it is numeric if the text parses as a number.
    pub fn from_text(text: &str) -> Self {
        Bound {
            text: text.into(),
            number: crate::text::parse_number(text),
            integer: text.trim().parse().ok(),
        }
    }
}

/// A literal pushed by a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Box<str>),
}

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constant::Null => f.write_str("null"),
            Constant::Bool(b) => write!(f, "{b}"),
            Constant::Int(i) => write!(f, "{i}"),
            Constant::Float(x) => write!(f, "{x:?}"),
            Constant::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// Compiled bytecode and its pools. Build one with [`ProgramBuilder`]; run it with
/// [`Vm::matches`](crate::Vm::matches).
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub(crate) instrs: Vec<Instr>,
    pub(crate) spans: Vec<(u32, u32)>,
    pub(crate) matchers: Vec<StrMatcher>,
    pub(crate) sets: Vec<ValueSet>,
    pub(crate) bounds: Vec<Bound>,
    pub(crate) regexes: Vec<regex::Regex>,
    pub(crate) cidrs: Vec<Vec<CidrBlock>>,
    pub(crate) constants: Vec<Constant>,
    pub(crate) token_queries: Vec<TokenQuery>,
    pub(crate) date_ranges: Vec<DateRange>,
    pub(crate) versions: Vec<Version>,
    pub(crate) ip_ranges: Vec<IpRange>,
}

impl Program {
    /// The instructions.
    pub fn instrs(&self) -> &[Instr] {
        &self.instrs
    }

    /// The query byte span (start, end) of each instruction (opaque to the VM).
    pub fn spans(&self) -> &[(u32, u32)] {
        &self.spans
    }

    /// True if the program is the single constant `true` (matches every event).
    pub fn is_match_all(&self) -> bool {
        matches!(self.instrs.as_slice(), [Instr::Const(true)] | [Instr::Const(true), Instr::Return])
    }

    /// A [`Display`](fmt::Display)able listing, one instruction per line with field names.
    pub fn listing<'p>(&'p self, fields: &'p FieldTable) -> Listing<'p> {
        Listing { program: self, fields }
    }

    /// The listing text of instruction `at` (`"?"` if there is none).
    pub fn instr_text(&self, at: usize, fields: &FieldTable) -> String {
        let mut text = String::new();
        match self.instrs.get(at) {
            Some(instr) => {
                let _ = write_instr(self, fields, *instr, &mut text);
            }
            None => text.push('?'),
        }
        text
    }

    fn check(&self) -> Result<(), VmError> {
        let count = self.instrs.len();
        for (at, instr) in self.instrs.iter().enumerate() {
            let in_pool = |test: &Test| match *test {
                Test::Exists => true,
                Test::Matches { matcher } => (matcher as usize) < self.matchers.len(),
                Test::InSet { set } => (set as usize) < self.sets.len(),
                Test::Compare { bound, .. } => (bound as usize) < self.bounds.len(),
                Test::Regex { regex } => (regex as usize) < self.regexes.len(),
                Test::Cidr { cidrs } => (cidrs as usize) < self.cidrs.len(),
                Test::Tokens { query } => (query as usize) < self.token_queries.len(),
                Test::Date { range } => (range as usize) < self.date_ranges.len(),
                Test::Version { bound, .. } => (bound as usize) < self.versions.len(),
                Test::IpRange { range } => (range as usize) < self.ip_ranges.len(),
            };
            let ok = match instr {
                Instr::Test { test, .. } | Instr::ScriptTest(test) => in_pool(test),
                Instr::TestAnyField { paths, test } => {
                    paths.is_none_or(|p| (p as usize) < self.matchers.len()) && in_pool(test)
                }
                Instr::JumpIfFalse(target) | Instr::JumpIfTrue(target) => {
                    (*target as usize) <= count
                }
                Instr::PushConst(n) => (*n as usize) < self.constants.len(),
                Instr::Nested { end, .. } => (*end as usize) > at && (*end as usize) <= count,
                _ => true,
            };
            if !ok {
                return Err(VmError::BadOperand { at });
            }
        }
        Ok(())
    }

    fn fmt_test(&self, test: Test, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match test {
            Test::Exists => f.write_str("exists"),
            Test::Matches { matcher } => match self.matchers.get(matcher as usize) {
                Some(m) => write!(f, "{m}"),
                None => f.write_str("matcher?"),
            },
            Test::InSet { set } => match self.sets.get(set as usize) {
                Some(s) => {
                    let ci = if s.case == CaseMode::Insensitive { "~" } else { "" };
                    write!(f, "in{ci} {:?}", s.listed)
                }
                None => f.write_str("set?"),
            },
            Test::Compare { op, bound } => match self.bounds.get(bound as usize) {
                Some(b) if b.number.is_some() => write!(f, "{} {}", op.symbol(), b.text),
                Some(b) => write!(f, "{} {:?}", op.symbol(), b.text),
                None => f.write_str("bound?"),
            },
            Test::Regex { regex } => match self.regexes.get(regex as usize) {
                Some(re) => write!(f, "regex {:?}", re.as_str()),
                None => f.write_str("regex?"),
            },
            Test::Cidr { cidrs } => match self.cidrs.get(cidrs as usize) {
                Some(blocks) => {
                    f.write_str("cidr")?;
                    for block in blocks {
                        write!(f, " {block}")?;
                    }
                    Ok(())
                }
                None => f.write_str("cidr?"),
            },
            Test::Tokens { query } => match self.token_queries.get(query as usize) {
                Some(q) => write!(f, "{q}"),
                None => f.write_str("tokens?"),
            },
            Test::Date { range } => match self.date_ranges.get(range as usize) {
                Some(r) => write!(f, "{r}"),
                None => f.write_str("date?"),
            },
            Test::Version { op, bound } => match self.versions.get(bound as usize) {
                Some(v) => write!(f, "version {} {v}", op.symbol()),
                None => f.write_str("version?"),
            },
            Test::IpRange { range } => match self.ip_ranges.get(range as usize) {
                Some(r) => write!(f, "{r}"),
                None => f.write_str("ip?"),
            },
        }
    }
}

/// A program listing (see [`Program::listing`]).
pub struct Listing<'p> {
    program: &'p Program,
    fields: &'p FieldTable,
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.program;
        for (at, instr) in p.instrs.iter().enumerate() {
            let mut line = String::new();
            write_instr(p, self.fields, *instr, &mut line)?;
            let (start, end) = p.spans.get(at).copied().unwrap_or((0, 0));
            writeln!(f, "{at:>3}  {line:<60} @{start}..{end}")?;
        }
        Ok(())
    }
}

fn write_instr(p: &Program, fields: &FieldTable, instr: Instr, out: &mut String) -> fmt::Result {
    use fmt::Write as _;
    struct TestFmt<'a>(&'a Program, Test);
    impl fmt::Display for TestFmt<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt_test(self.1, f)
        }
    }
    match instr {
        Instr::Test { field, test } => {
            write!(out, "test {} {}", fields.name(field), TestFmt(p, test))
        }
        Instr::TestAnyField { paths: None, test } => {
            write!(out, "test_any_field {}", TestFmt(p, test))
        }
        Instr::TestAnyField { paths: Some(m), test } => {
            let paths =
                p.matchers.get(m as usize).map_or_else(|| "?".to_owned(), ToString::to_string);
            write!(out, "test_any_field [{paths}] {}", TestFmt(p, test))
        }
        Instr::ExplicitNull { field } => write!(out, "explicit_null {}", fields.name(field)),
        Instr::Nested { path, end } => write!(out, "nested {} end {end}", fields.name(path)),
        Instr::Const(b) => write!(out, "const {b}"),
        Instr::Not => write!(out, "not"),
        Instr::JumpIfFalse(t) => write!(out, "jump_if_false {t}"),
        Instr::JumpIfTrue(t) => write!(out, "jump_if_true {t}"),
        Instr::Return => write!(out, "return"),
        Instr::PushField(field) => write!(out, "push_field {}", fields.name(field)),
        Instr::PushConst(n) => match p.constants.get(n as usize) {
            Some(c) => write!(out, "push_const {c}"),
            None => write!(out, "push_const ?"),
        },
        Instr::Call { func, argc, case_insensitive } => {
            let ci = if case_insensitive { "~" } else { "" };
            write!(out, "call {func}{ci}/{argc}")
        }
        Instr::Arith(op) => write!(out, "arith {}", op.symbol()),
        Instr::Cmp(op) => write!(out, "cmp {}", op.symbol()),
        Instr::Logic(op) => write!(out, "logic {}", op.keyword()),
        Instr::IsNull => write!(out, "is_null"),
        Instr::ScriptTest(test) => write!(out, "script_test {}", TestFmt(p, test)),
        Instr::ScriptEnd => write!(out, "script_end"),
    }
}

/// Builds a [`Program`] instruction by instruction.
#[derive(Debug, Default)]
pub struct ProgramBuilder {
    program: Program,
}

impl ProgramBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `instr` with the query span `span`; returns its index.
    pub fn emit(&mut self, instr: Instr, span: (u32, u32)) -> u32 {
        let at = self.here();
        self.program.instrs.push(instr);
        self.program.spans.push(span);
        at
    }

    /// The index the next instruction will get.
    pub fn here(&self) -> u32 {
        u32::try_from(self.program.instrs.len()).unwrap_or(u32::MAX)
    }

    /// Points the jump (or nested block) at index `jump` to `target`. Does nothing if
    /// `jump` is neither.
    pub fn patch_jump(&mut self, jump: u32, target: u32) {
        if let Some(Instr::JumpIfFalse(t) | Instr::JumpIfTrue(t) | Instr::Nested { end: t, .. }) =
            self.program.instrs.get_mut(jump as usize)
        {
            *t = target;
        }
    }

    /// Adds a string matcher to the pool; returns its index.
    pub fn add_matcher(&mut self, matcher: StrMatcher) -> u32 {
        push(&mut self.program.matchers, matcher)
    }

    /// Adds an exact-value set; returns its index.
    pub fn add_set(&mut self, set: ValueSet) -> u32 {
        push(&mut self.program.sets, set)
    }

    /// Adds a comparison bound; returns its index.
    pub fn add_bound(&mut self, bound: Bound) -> u32 {
        push(&mut self.program.bounds, bound)
    }

    /// Adds a compiled regex (it should be anchored by the caller); returns its index.
    pub fn add_regex(&mut self, regex: regex::Regex) -> u32 {
        push(&mut self.program.regexes, regex)
    }

    /// Adds a list of CIDR blocks; returns its index.
    pub fn add_cidrs(&mut self, blocks: Vec<CidrBlock>) -> u32 {
        push(&mut self.program.cidrs, blocks)
    }

    /// Adds a token query (text fields); returns its index.
    pub fn add_token_query(&mut self, query: TokenQuery) -> u32 {
        push(&mut self.program.token_queries, query)
    }

    /// Adds a date range; returns its index.
    pub fn add_date_range(&mut self, range: DateRange) -> u32 {
        push(&mut self.program.date_ranges, range)
    }

    /// Adds a version bound; returns its index.
    pub fn add_version(&mut self, version: Version) -> u32 {
        push(&mut self.program.versions, version)
    }

    /// Adds an IP address range; returns its index.
    pub fn add_ip_range(&mut self, range: IpRange) -> u32 {
        push(&mut self.program.ip_ranges, range)
    }

    /// Whether the JSON scalar `value` passes `test` (whose operands must already be in this
    /// builder's pools): the compiler asks this of a field's `null_value`.
    pub fn test_passes(&self, test: Test, value: &serde_json::Value) -> bool {
        crate::vm::test_value(&self.program, test, value)
    }

    /// Adds a script constant; returns its index.
    pub fn add_constant(&mut self, constant: Constant) -> u32 {
        push(&mut self.program.constants, constant)
    }

    /// Appends `Return` if the last instruction is not one, checks every operand and jump,
    /// and returns the program.
    pub fn finish(mut self) -> Result<Program, VmError> {
        if !matches!(self.program.instrs.last(), Some(Instr::Return)) {
            let span = self.program.spans.last().copied().unwrap_or((0, 0));
            self.emit(Instr::Return, span);
        }
        self.program.check()?;
        Ok(self.program)
    }
}

fn push<T>(pool: &mut Vec<T>, item: T) -> u32 {
    pool.push(item);
    u32::try_from(pool.len() - 1).unwrap_or(u32::MAX)
}
