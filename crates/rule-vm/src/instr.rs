//! The bytecode ABI: [`Instr`], the field [`Test`]s it applies, and the operator and
//! function enums used by scripts.
//!
//! A program is a flat list of instructions over one boolean accumulator. Predicate
//! instructions set it ("does any value of the field pass the test?", missing field ⇒ false,
//! which is how Elasticsearch's term/range/wildcard queries behave on arrays and absent fields);
//! `Not` and the two conditional jumps build `not`/`and`/`or` with short-circuits. Script
//! instructions run a small three-valued stack machine for functions and arithmetic; a script
//! ends with `ScriptEnd`, which sets the accumulator to "the result is `true`" (a null result
//! is false for that leaf, eql.md §1.5).
//!
//! Operands are indexes into the pools of the [`Program`](crate::Program).

use std::fmt;

/// A test applied to each value of a field (or to one script value).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Test {
    /// The field has a value (any non-null value; `""` counts).
    Exists,
    /// The value's text matches string matcher number `matcher` (exact, prefix, glob, ...).
    Matches {
        /// Index into the program's matchers.
        matcher: u32,
    },
    /// The value's text is in exact-value set number `set`.
    InSet {
        /// Index into the program's sets.
        set: u32,
    },
    /// The value compares with bound number `bound` by `op`: numerically when both are
    /// numbers (or numeric strings), else as text.
    Compare {
        /// The comparison.
        op: CmpOp,
        /// Index into the program's bounds.
        bound: u32,
    },
    /// The value's text matches (anchored) regex number `regex`.
    Regex {
        /// Index into the program's regexes.
        regex: u32,
    },
    /// The value is an IP address inside one of the blocks of CIDR list number `cidrs`.
    Cidr {
        /// Index into the program's CIDR lists.
        cidrs: u32,
    },
    /// The value, analysed like a `text` field, matches token query number `query`.
    Tokens {
        /// Index into the program's token queries.
        query: u32,
    },
    /// The value, read as a date with the range's format, lies in date range number `range`.
    Date {
        /// Index into the program's date ranges.
        range: u32,
    },
    /// The value, read as an ES `version`, compares with version number `bound` by `op`.
    Version {
        /// The comparison.
        op: CmpOp,
        /// Index into the program's versions.
        bound: u32,
    },
    /// The value is an IP address inside address range number `range`.
    IpRange {
        /// Index into the program's IP ranges.
        range: u32,
    },
}

/// Comparison operators (field tests and scripts).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// True if `ordering` satisfies the operator.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }

    /// The operator's source symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Arithmetic operators of scripts (Java semantics: int/int division truncates, `%` takes the
/// dividend's sign; eql.md §1.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// unary `-`
    Neg,
}

impl ArithOp {
    /// The operator's source symbol (`neg` for unary minus).
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
            ArithOp::Neg => "neg",
        }
    }
}

/// Boolean operators of scripts, three-valued (Kleene logic: `false and null` is false,
/// `true or null` is true, `not null` is null; eql.md §1.3, ES QL `BinaryLogicProcessor` and
/// `NotProcessor`). A non-boolean operand counts as null.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LogicOp {
    /// `and`
    And,
    /// `or`
    Or,
    /// `not` (one operand)
    Not,
}

impl LogicOp {
    /// The operator's source keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
            LogicOp::Not => "not",
        }
    }
}

/// The EQL functions the VM implements (eql.md §1.4).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Func {
    /// `add(a, b)`
    Add,
    /// `between(src, left, right[, greedy])`
    Between,
    /// `cidrMatch(ip, cidr, ...)`
    CidrMatch,
    /// `concat(v, ...)`
    Concat,
    /// `divide(a, b)`
    Divide,
    /// `endsWith(src, sub)`
    EndsWith,
    /// `indexOf(src, sub[, start])`
    IndexOf,
    /// `length(src)`
    Length,
    /// `modulo(a, b)`
    Modulo,
    /// `multiply(a, b)`
    Multiply,
    /// `number(src[, base])`
    Number,
    /// `startsWith(src, prefix)`
    StartsWith,
    /// `string(v)`
    String,
    /// `stringContains(src, sub)`
    StringContains,
    /// `substring(src, start[, end])`
    Substring,
    /// `subtract(a, b)`
    Subtract,
}

impl Func {
    /// Every function.
    pub const ALL: [Func; 16] = [
        Func::Add,
        Func::Between,
        Func::CidrMatch,
        Func::Concat,
        Func::Divide,
        Func::EndsWith,
        Func::IndexOf,
        Func::Length,
        Func::Modulo,
        Func::Multiply,
        Func::Number,
        Func::StartsWith,
        Func::String,
        Func::StringContains,
        Func::Substring,
        Func::Subtract,
    ];

    /// The function's name as the reference page spells it.
    pub fn name(self) -> &'static str {
        match self {
            Func::Add => "add",
            Func::Between => "between",
            Func::CidrMatch => "cidrMatch",
            Func::Concat => "concat",
            Func::Divide => "divide",
            Func::EndsWith => "endsWith",
            Func::IndexOf => "indexOf",
            Func::Length => "length",
            Func::Modulo => "modulo",
            Func::Multiply => "multiply",
            Func::Number => "number",
            Func::StartsWith => "startsWith",
            Func::String => "string",
            Func::StringContains => "stringContains",
            Func::Substring => "substring",
            Func::Subtract => "subtract",
        }
    }

    /// Looks a function up by name, case-insensitively (ES resolves function names through a
    /// case-insensitive registry, eql.md §1.1). The name must not carry the `~`.
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The accepted argument counts: (minimum, maximum or `None` for variadic).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::Length | Func::String => (1, Some(1)),
            Func::Add
            | Func::Divide
            | Func::Modulo
            | Func::Multiply
            | Func::Subtract
            | Func::EndsWith
            | Func::StartsWith
            | Func::StringContains => (2, Some(2)),
            Func::Number => (1, Some(2)),
            Func::IndexOf | Func::Substring => (2, Some(3)),
            Func::Between => (3, Some(4)),
            Func::CidrMatch => (2, None),
            Func::Concat => (1, None),
        }
    }

    /// True if the function has a case-insensitive `~` variant.
    pub fn has_insensitive_variant(self) -> bool {
        matches!(
            self,
            Func::Between
                | Func::EndsWith
                | Func::IndexOf
                | Func::StartsWith
                | Func::StringContains
        )
    }
}

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One bytecode instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Instr {
    /// acc = some value of `field` passes `test` (false when the field is missing).
    Test {
        /// The field.
        field: crate::FieldId,
        /// The test.
        test: Test,
    },
    /// acc = some leaf value anywhere in the event passes `test`, restricted to leaves whose
    /// dotted path matches matcher number `paths` when given (KQL free text and wildcard
    /// field names).
    TestAnyField {
        /// Index into the program's matchers, matched against the leaf's dotted path.
        paths: Option<u32>,
        /// The test.
        test: Test,
    },
    /// acc = the field holds an explicit JSON `null` (alone or inside an array), which ES
    /// indexes as the mapping's `null_value` (ES reference, "`null_value`"). The compiler
    /// emits it where the `null_value` itself passes the leaf's test.
    ExplicitNull {
        /// The field.
        field: crate::FieldId,
    },
    /// acc = some object value of `path` satisfies the instructions from here up to `end`
    /// (exclusive), run with that object as the whole event (an ES `nested` query: every
    /// condition holds on the same array element). Execution continues at `end`.
    Nested {
        /// The nested field (its objects become the sub-events).
        path: crate::FieldId,
        /// The index of the first instruction after the nested block.
        end: u32,
    },
    /// acc = the constant.
    Const(bool),
    /// acc = !acc.
    Not,
    /// Jump to the instruction index if acc is false (acc unchanged).
    JumpIfFalse(u32),
    /// Jump to the instruction index if acc is true (acc unchanged).
    JumpIfTrue(u32),
    /// Stop and return acc.
    Return,
    /// Script: push the field's value (its first value; null when missing).
    PushField(crate::FieldId),
    /// Script: push constant number `n`.
    PushConst(u32),
    /// Script: pop `argc` arguments, push the function's result.
    Call {
        /// The function.
        func: Func,
        /// The number of arguments on the stack.
        argc: u8,
        /// The `~` variant.
        case_insensitive: bool,
    },
    /// Script: pop operands, push the arithmetic result (null if an operand is null).
    Arith(ArithOp),
    /// Script: pop two values, push the comparison (null if one is null).
    Cmp(CmpOp),
    /// Script: pop two values (one for `not`), push the three-valued boolean result.
    Logic(LogicOp),
    /// Script: pop one value, push whether it is null.
    IsNull,
    /// Script: pop one value, push the test's result on it (null if it is null).
    ScriptTest(Test),
    /// Script: pop the result; acc = it is `true`. Clears the stack.
    ScriptEnd,
}
