//! Errors raised while assembling a [`Program`](crate::Program).

/// A program that cannot run: an operand points outside its pool, or a jump outside the code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VmError {
    /// An instruction refers to a pool entry or jump target that does not exist (a compiler
    /// bug, never user input).
    #[error("instruction {at} has an operand outside the program's pools or code")]
    BadOperand {
        /// The instruction index.
        at: usize,
    },
}
