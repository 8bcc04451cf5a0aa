//! Arbitrary text never panics a loader or the date reader: every input gives a
//! value or a coded error. Inputs come from a fixed-seed generator over the
//! characters these parsers care about.

use field_schema::{DateFormat, NonEcsSchema, Schema};

/// A small xorshift generator, so the cases are the same on every run.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn text(&mut self, alphabet: &[&str], max_len: u64) -> String {
        let len = self.next() % max_len;
        (0..len)
            .map(|_| {
                let index = usize::try_from(self.next() % alphabet.len() as u64).unwrap();
                alphabet[index]
            })
            .collect()
    }
}

#[test]
fn date_formats_and_values() {
    let format_alphabet = [
        "y",
        "yyyy",
        "M",
        "MM",
        "MMM",
        "d",
        "dd",
        "H",
        "HH",
        "mm",
        "ss",
        "SSS",
        "Z",
        "X",
        "'",
        "'T'",
        "[",
        "]",
        "-",
        ":",
        " ",
        "||",
        "epoch_millis",
        "strict_date_optional_time",
        "E",
        "é",
    ];
    let value_alphabet =
        ["0", "1", "2", "9", "12", "2022", "-", ":", "T", "Z", "+", ".", ",", " ", "Jan", "é", ""];
    let mut generator = Generator(0x5eed_1234_abcd_ef01);
    let mut compiled = 0;
    for _ in 0..3000 {
        let source = generator.text(&format_alphabet, 8);
        let Ok(format) = DateFormat::parse(&source) else {
            continue;
        };
        compiled += 1;
        for _ in 0..10 {
            let value = generator.text(&value_alphabet, 12);
            let millis = format.parse_millis(&value);
            let nanos = format.parse_nanos(&value);
            if let (Some(millis), Some(nanos)) = (millis, nanos) {
                assert_eq!(millis, nanos.div_euclid(1_000_000), "{source} / {value}");
            }
        }
    }
    assert!(compiled > 100, "enough formats compiled ({compiled})");
}

#[test]
fn schema_loaders() {
    let alphabet = [
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"properties\"",
        "\"type\"",
        "\"alias\"",
        "\"path\"",
        "\"fields\"",
        "\"keyword\"",
        "\"a\"",
        "\"a.b\"",
        "\"format\"",
        "\"null_value\"",
        "1",
        "null",
        "\t",
        "\n",
        "#",
        "=",
    ];
    let mut generator = Generator(0x0dd_ba11_cafe_f00d);
    for _ in 0..5000 {
        let text = generator.text(&alphabet, 24);
        let _ = Schema::from_es_mapping("fuzz", &text);
        let _ = Schema::from_flat_json("fuzz", &text);
        let _ = Schema::from_tsv("fuzz", &text);
        let _ = NonEcsSchema::from_json("fuzz", &text);
    }
}
