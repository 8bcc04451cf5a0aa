//! CIDR blocks for `cidrMatch` (EQL function reference): IPv4 and IPv6 addresses and
//! `address/prefix` blocks. A bare address is a block of one.

use std::fmt;
use std::net::IpAddr;

/// One IPv4 or IPv6 network.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CidrBlock {
    /// The network address as a 128-bit number (IPv4 addresses are kept as IPv4).
    bits: u128,
    v6: bool,
    prefix: u8,
}

impl CidrBlock {
    /// Parses `10.0.0.0/8`, `fe80::/10` or a bare address. Returns `None` when malformed.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let (bits, v6) = ip_bits(addr.parse().ok()?);
        let max = if v6 { 128 } else { 32 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        Some(CidrBlock { bits: bits & mask(prefix, max), v6, prefix })
    }

    /// True if `ip` (an address in text) lies in this block.
    pub fn contains_text(&self, ip: &str) -> bool {
        ip.trim().parse::<IpAddr>().is_ok_and(|ip| self.contains(ip))
    }

    /// True if `ip` lies in this block (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (bits, v6) = ip_bits(ip);
        let max = if self.v6 { 128 } else { 32 };
        v6 == self.v6 && bits & mask(self.prefix, max) == self.bits
    }
}

impl fmt::Display for CidrBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addr = if self.v6 {
            IpAddr::from(self.bits.to_be_bytes())
        } else {
            IpAddr::from(u32::try_from(self.bits).unwrap_or(0).to_be_bytes())
        };
        write!(f, "{addr}/{}", self.prefix)
    }
}

fn ip_bits(ip: IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), false),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (u128::from(u32::from(v4)), false),
            None => (u128::from(v6), true),
        },
    }
}

fn mask(prefix: u8, max: u8) -> u128 {
    let host_bits = u32::from(max - prefix);
    let all = if max == 128 { u128::MAX } else { (1u128 << max) - 1 };
    if host_bits >= 128 { 0 } else { all & !((1u128 << host_bits) - 1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_contain_their_addresses() {
        let block = CidrBlock::parse("10.0.0.0/8").expect("valid");
        assert!(block.contains_text("10.1.2.3"));
        assert!(!block.contains_text("11.1.2.3"));
        assert!(!block.contains_text("not an ip"));
        let all = CidrBlock::parse("0.0.0.0/0").expect("valid");
        assert!(all.contains_text("1.2.3.4"));
        assert!(!all.contains_text("::2"));
        let v6 = CidrBlock::parse("fe80::/10").expect("valid");
        assert!(v6.contains_text("fe80::1"));
        assert!(!v6.contains_text("10.0.0.1"));
        assert!(CidrBlock::parse("1.2.3.4").expect("valid").contains_text("1.2.3.4"));
        assert_eq!(CidrBlock::parse("10.9.0.0/8").expect("valid").to_string(), "10.0.0.0/8");
        assert!(CidrBlock::parse("10.0.0.0/33").is_none());
        assert!(CidrBlock::parse("x/8").is_none());
    }
}
