//! Java `DateTimeFormatter`-style date patterns (`dd-MM-yyyy`, `yyyy-MM-dd'T'HH:mm:ss.SSSZ`,
//! `yyyy-MM-dd[ HH:mm]`): compiled to items, then read greedily against a value.
//!
//! Letter semantics follow `java.time.format.DateTimeFormatterBuilder.appendPattern`
//! (which ES uses for custom formats): one letter is a variable-width number, two a
//! fixed two-digit number, `yy` a two-digit year based at 2000, `yyyy` four or more
//! digits, `MMM`/`MMMM` English month names, `S…S` a fraction of exactly that many
//! digits, `Z`/`X`/`x` an offset, `'…'` literal text, `[…]` an optional section.

use super::DateFormatError;
use super::calendar::{Cursor, Parts};

/// One compiled element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// Text that must appear as written.
    Literal(String),
    /// A number of `min..=max` digits stored into one component.
    Number { component: Component, min: usize, max: usize },
    /// `yy`: two digits, 2000-based.
    TwoDigitYear,
    /// `MMM` (short) or `MMMM` (full) English month name, case-insensitive.
    MonthName { full: bool },
    /// `S…S`: fraction of a second with exactly this many digits.
    Fraction(usize),
    /// `Z`, `X`, `x`: a UTC offset.
    Offset,
    /// `[…]`: read if present, skipped otherwise.
    Optional(Vec<Item>),
}

/// The date-time component a number goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Compiles a pattern, rejecting letters this reader does not implement.
pub(crate) fn compile(pattern: &str) -> Result<Vec<Item>, DateFormatError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut index = 0;
    while index < chars.len() {
        let ch = chars[index];
        let items = stack.last_mut().expect("the stack always has the outer level");
        match ch {
            '\'' => {
                let (text, next) = quoted(&chars, index, pattern)?;
                push_literal(items, &text);
                index = next;
                continue;
            }
            '[' => stack.push(Vec::new()),
            ']' => {
                if stack.len() == 1 {
                    return Err(DateFormatError::UnbalancedBracket { pattern: pattern.to_owned() });
                }
                let section = stack.pop().expect("checked above");
                stack.last_mut().expect("outer level remains").push(Item::Optional(section));
            }
            letter if letter.is_ascii_alphabetic() => {
                let count = chars[index..].iter().take_while(|&&c| c == letter).count();
                items.push(letter_item(letter, count, pattern)?);
                index += count;
                continue;
            }
            other => push_literal(items, other.encode_utf8(&mut [0; 4])),
        }
        index += 1;
    }
    if stack.len() != 1 {
        return Err(DateFormatError::UnbalancedBracket { pattern: pattern.to_owned() });
    }
    Ok(stack.pop().expect("one level left"))
}

fn push_literal(items: &mut Vec<Item>, text: &str) {
    if let Some(Item::Literal(existing)) = items.last_mut() {
        existing.push_str(text);
    } else if !text.is_empty() {
        items.push(Item::Literal(text.to_owned()));
    }
}

/// Reads a quoted literal starting at `chars[start] == '\''`; `''` is one quote.
fn quoted(chars: &[char], start: usize, pattern: &str) -> Result<(String, usize), DateFormatError> {
    let mut text = String::new();
    let mut index = start + 1;
    if chars.get(index) == Some(&'\'') {
        return Ok(("'".to_owned(), index + 1));
    }
    while index < chars.len() {
        if chars[index] == '\'' {
            if chars.get(index + 1) == Some(&'\'') {
                text.push('\'');
                index += 2;
                continue;
            }
            return Ok((text, index + 1));
        }
        text.push(chars[index]);
        index += 1;
    }
    Err(DateFormatError::UnterminatedQuote { pattern: pattern.to_owned() })
}

fn letter_item(letter: char, count: usize, pattern: &str) -> Result<Item, DateFormatError> {
    let number = |component, min, max| Item::Number { component, min, max };
    let small = |component| match count {
        1 => Some(number(component, 1, 2)),
        2 => Some(number(component, 2, 2)),
        _ => None,
    };
    let item = match letter {
        'y' | 'u' => Some(match count {
            2 => Item::TwoDigitYear,
            1 => number(Component::Year, 1, 9),
            _ => number(Component::Year, count, 9.max(count)),
        }),
        'M' => match count {
            1 | 2 => small(Component::Month),
            3 => Some(Item::MonthName { full: false }),
            4 => Some(Item::MonthName { full: true }),
            _ => None,
        },
        'd' => small(Component::Day),
        'H' => small(Component::Hour),
        'm' => small(Component::Minute),
        's' => small(Component::Second),
        'S' if count <= 9 => Some(Item::Fraction(count)),
        'Z' | 'X' | 'x' if count <= 5 && count != 4 => Some(Item::Offset),
        _ => None,
    };
    item.ok_or_else(|| DateFormatError::UnsupportedLetter {
        letters: std::iter::repeat_n(letter, count).collect(),
        pattern: pattern.to_owned(),
    })
}

/// Reads the whole `text` with `items`, or `None` when it does not fit.
pub(crate) fn read(items: &[Item], text: &str) -> Option<Parts> {
    let mut cursor = Cursor::new(text);
    let mut parts = Parts::default();
    read_items(items, &mut cursor, &mut parts)?;
    cursor.at_end().then_some(parts)
}

fn read_items(items: &[Item], cursor: &mut Cursor<'_>, parts: &mut Parts) -> Option<()> {
    for (index, item) in items.iter().enumerate() {
        match item {
            Item::Literal(text) => cursor.eat_str(text, false).then_some(())?,
            Item::Number { component, min, max } => {
                // Adjacent value parsing (java.time): a variable-width number followed by
                // fixed-width numbers leaves them their digits (`yyyyMMdd`).
                let reserved = reserved_width(&items[index + 1..]);
                let available = cursor.digit_run().saturating_sub(reserved);
                let value = cursor.digits(*min, (*max).min(available.max(*min)))?;
                store(parts, *component, value);
            }
            Item::TwoDigitYear => parts.year = Some(2000 + cursor.digits(2, 2)?),
            Item::MonthName { full } => parts.month = Some(month_name(cursor, *full)?),
            Item::Fraction(width) => parts.nanos = Some(cursor.fraction_nanos(*width, *width)?),
            Item::Offset => parts.offset_seconds = Some(cursor.offset()?),
            Item::Optional(section) => {
                let (saved_cursor, saved_parts) = (*cursor, *parts);
                if read_items(section, cursor, parts).is_none() {
                    *cursor = saved_cursor;
                    *parts = saved_parts;
                }
            }
        }
    }
    Some(())
}

/// Digits that the numeric items directly after a number need for themselves.
fn reserved_width(rest: &[Item]) -> usize {
    rest.iter()
        .map_while(|item| match item {
            Item::Number { min, .. } => Some(*min),
            Item::TwoDigitYear => Some(2),
            Item::Fraction(width) => Some(*width),
            _ => None,
        })
        .sum()
}

fn store(parts: &mut Parts, component: Component, value: i64) {
    let slot = match component {
        Component::Year => &mut parts.year,
        Component::Month => &mut parts.month,
        Component::Day => &mut parts.day,
        Component::Hour => &mut parts.hour,
        Component::Minute => &mut parts.minute,
        Component::Second => &mut parts.second,
    };
    *slot = Some(value);
}

fn month_name(cursor: &mut Cursor<'_>, full: bool) -> Option<i64> {
    (1_i64..)
        .zip(MONTHS)
        .find(|(_, name)| {
            let wanted = if full { name } else { &name[..3] };
            cursor.eat_str(wanted, true)
        })
        .map(|(number, _)| number)
}

#[cfg(test)]
mod tests {
    use super::{Component, Item, compile};

    #[test]
    fn compiles_literals_and_numbers() {
        let items = compile("dd-MM-yyyy'T'").unwrap();
        assert_eq!(
            items,
            vec![
                Item::Number { component: Component::Day, min: 2, max: 2 },
                Item::Literal("-".into()),
                Item::Number { component: Component::Month, min: 2, max: 2 },
                Item::Literal("-".into()),
                Item::Number { component: Component::Year, min: 4, max: 9 },
                Item::Literal("T".into()),
            ]
        );
    }

    #[test]
    fn doubled_quote_is_a_quote() {
        assert_eq!(compile("HH''mm").unwrap()[1], Item::Literal("'".into()));
    }
}
