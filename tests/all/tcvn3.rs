//! The TCVN3 (ABC) charset module of the legacy-tcvn3 adapter, tested natively: every byte,
//! round trips, normalization forms and error offsets.

use legacy_tcvn3::tcvn3::*;
use unicode_normalization::UnicodeNormalization;

/// One byte through the public decoder.
fn decode_byte(b: u8) -> Option<char> {
    decode(&[b]).ok().and_then(|s| s.chars().next())
}

/// One character through the public encoder, if it maps to exactly one byte.
fn encode_char(c: char) -> Option<u8> {
    encode(&c.to_string())
        .ok()
        .filter(|v| v.len() == 1)
        .map(|v| v[0])
}
use unicode_normalization::is_nfc;

/// Every defined byte value.
fn defined_bytes() -> Vec<u8> {
    (0..=255u8).filter(|&b| decode_byte(b).is_some()).collect()
}

#[test]
fn coverage_matches_the_sources() {
    let undefined: Vec<u8> = (0..=255u8).filter(|&b| decode_byte(b).is_none()).collect();
    assert_eq!(
        undefined,
        [
            0x81, 0x8D, 0x8F, 0x90, 0x9D, // unassigned in Windows-1252
            0xAF, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5,
            0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF, // VN1/VN2 only
        ]
    );
    // Wikipedia: VN3 adds 75 characters to ASCII — 67 lowercase, 7 capitals, NBSP.
    let vn3: Vec<char> = (0xA0..=0xFFu8).filter_map(decode_byte).collect();
    assert_eq!(vn3.len(), 75);
    assert_eq!(vn3.iter().filter(|c| c.is_lowercase()).count(), 67);
    assert_eq!(vn3.iter().filter(|c| c.is_uppercase()).count(), 7);
    assert_eq!(defined_bytes().len(), 230);
    assert_eq!(defined_bytes().iter().filter(|b| **b >= 0x80).count(), 102);
}

#[test]
fn ascii_and_controls_pass_through() {
    for b in 0..0x80u8 {
        assert_eq!(decode(&[b]), Ok((b as char).to_string()));
        assert_eq!(encode(&(b as char).to_string()), Ok(vec![b]));
    }
    assert_eq!(
        decode(b"\t\r\n\x00\x1B\x7F"),
        Ok("\t\r\n\0\u{1B}\u{7F}".into())
    );
}

/// Hand-typed from the published tables, independently of `UPPER`: each vowel with no
/// tone, huyền, hỏi, ngã, sắc, nặng.
const VOWELS: [(&str, [u8; 6]); 12] = [
    ("aàảãáạ", [0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9]),
    ("ăằẳẵắặ", [0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6]),
    ("âầẩẫấậ", [0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB]),
    ("eèẻẽéẹ", [0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1]),
    ("êềểễếệ", [0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6]),
    ("iìỉĩíị", [0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE]),
    ("oòỏõóọ", [0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4]),
    ("ôồổỗốộ", [0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9]),
    ("ơờởỡớợ", [0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE]),
    ("uùủũúụ", [0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4]),
    ("ưừửữứự", [0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9]),
    ("yỳỷỹýỵ", [0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE]),
];
const OTHERS: [(char, u8); 9] = [
    ('\u{A0}', 0xA0),
    ('Ă', 0xA1),
    ('Â', 0xA2),
    ('Ê', 0xA3),
    ('Ô', 0xA4),
    ('Ơ', 0xA5),
    ('Ư', 0xA6),
    ('Đ', 0xA7),
    ('đ', 0xAE),
];
const WINDOWS_1252: &str = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ";

#[test]
fn every_defined_byte_decodes_to_the_expected_scalar() {
    let mut expected: Vec<(u8, char)> = (0..0x80u8).map(|b| (b, b as char)).collect();
    for (letters, bytes) in VOWELS {
        assert!(is_nfc(letters), "{letters} must be typed precomposed");
        let letters: Vec<char> = letters.chars().collect();
        assert_eq!(letters.len(), 6);
        expected.extend(bytes.iter().copied().zip(letters));
    }
    expected.extend(OTHERS.iter().map(|&(c, b)| (b, c)));
    for (b, c) in (0x80..=0x9Fu8).zip(WINDOWS_1252.chars()) {
        if !c.is_control() {
            expected.push((b, c));
        }
    }
    expected.sort_unstable();
    expected.dedup();

    let table: Vec<(u8, char)> = (0..=255u8)
        .filter_map(|b| decode_byte(b).map(|c| (b, c)))
        .collect();
    assert_eq!(table, expected);
    for (b, c) in expected {
        assert_eq!(decode(&[b]), Ok(c.to_string()), "byte 0x{b:02X}");
        assert_eq!(encode(&c.to_string()), Ok(vec![b]), "{c}");
        assert!(is_representable(c));
    }
}

#[test]
fn every_mapped_character_is_nfc_on_its_own() {
    for b in defined_bytes() {
        let s = decode(&[b]).unwrap_or_default();
        assert!(is_nfc(&s), "byte 0x{b:02X}");
    }
}

/// Words encoded by hand from the table.
const WORDS: &[(&str, &[u8])] = &[
    (
        "Cộng hòa xã hội chủ nghĩa Việt Nam",
        b"C\xE9ng h\xDFa x\xB7 h\xE9i ch\xF1 ngh\xDCa Vi\xD6t Nam",
    ),
    (
        "Độc lập - Tự do - Hạnh phúc",
        b"\xA7\xE9c l\xCBp - T\xF9 do - H\xB9nh ph\xF3c",
    ),
    ("Đ", b"\xA7"),
    ("đ", b"\xAE"),
    ("ư", b"\xAD"),
    ("ơ", b"\xAC"),
    ("Ư", b"\xA6"),
    ("Ơ", b"\xA5"),
    ("Ăn", b"\xA1n"),
    ("Âu", b"\xA2u"),
    ("Ê", b"\xA3"),
    ("Ông", b"\xA4ng"),
    ("Sở Tài chính", b"S\xEB T\xB5i ch\xDDnh"),
    ("Quyết định", b"Quy\xD5t \xAE\xDEnh"),
    ("Nghị định", b"Ngh\xDE \xAE\xDEnh"),
    ("Thông tư", b"Th\xABng t\xAD"),
    ("Công văn", b"C\xABng v\xA8n"),
    ("Kính gửi", b"K\xDDnh g\xF6i"),
    ("Trân trọng", b"Tr\xA9n tr\xE4ng"),
    ("Nơi nhận", b"N\xACi nh\xCBn"),
    ("Giám đốc", b"Gi\xB8m \xAE\xE8c"),
    ("Chủ tịch", b"Ch\xF1 t\xDEch"),
    ("Hà Nội", b"H\xB5 N\xE9i"),
    (
        "Thành phố Hồ Chí Minh",
        b"Th\xB5nh ph\xE8 H\xE5 Ch\xDD Minh",
    ),
    ("Đà Nẵng", b"\xA7\xB5 N\xBDng"),
    ("Nguyễn Văn An", b"Nguy\xD4n V\xA8n An"),
    ("Trần Thị Bích", b"Tr\xC7n Th\xDE B\xDDch"),
    (
        "ngày 15 tháng 3 năm 2024",
        b"ng\xB5y 15 th\xB8ng 3 n\xA8m 2024",
    ),
    ("Số: 12/UBND-VP", b"S\xE8: 12/UBND-VP"),
    ("về việc", b"v\xD2 vi\xD6c"),
    ("Lê Thị Thủy", b"L\xAA Th\xDE Th\xF1y"),
    ("khẩn trương", b"kh\xC8n tr\xAD\xACng"),
    ("ứng dụng", b"\xF8ng d\xF4ng"),
    ("thửa đất", b"th\xF6a \xAE\xCAt"),
    ("kỹ thuật", b"k\xFC thu\xCBt"),
    ("ủy quyền", b"\xF1y quy\xD2n"),
    ("Trường", b"Tr\xAD\xEAng"),
    ("Phạm Ngọc Lan", b"Ph\xB9m Ng\xE4c Lan"),
];

#[test]
fn hand_encoded_words() {
    for &(text, bytes) in WORDS {
        assert_eq!(encode(text).as_deref(), Ok(bytes), "{text}");
        assert_eq!(decode(bytes).as_deref(), Ok(text), "{text}");
    }
}

#[test]
fn round_trip_every_defined_byte() {
    for b in defined_bytes() {
        let text = decode(&[b]);
        assert!(text.is_ok(), "byte 0x{b:02X}");
        let text = text.unwrap_or_default();
        assert_eq!(encode(&text), Ok(vec![b]), "byte 0x{b:02X}");
    }
}

/// xorshift64*: deterministic, no dependencies.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn round_trip_random_strings_of_defined_bytes() {
    let defined = defined_bytes();
    let mut rng = Rng(0x7C0F_FEE5_EED5_1993);
    for _ in 0..2000 {
        let len = rng.below(64);
        let bytes: Vec<u8> = (0..len)
            .map(|_| defined[rng.below(defined.len())])
            .collect();
        let text = decode(&bytes);
        assert!(text.is_ok(), "{bytes:02X?}");
        let text = text.unwrap_or_default();
        assert!(is_nfc(&text), "{bytes:02X?}");
        assert_eq!(text.chars().count(), bytes.len());
        assert_eq!(encode(&text), Ok(bytes.clone()), "{bytes:02X?}");
        // The same text in NFD encodes to the same bytes.
        let nfd: String = text.nfd().collect();
        assert_eq!(encode(&nfd), Ok(bytes), "{text:?}");
    }
}

#[test]
fn nfc_and_nfd_input_encode_identically() {
    for text in WORDS.iter().map(|&(t, _)| t).chain([SAMPLE]) {
        let nfd: String = text.nfd().collect();
        assert_eq!(encode(&nfd), encode(text), "{text}");
        assert!(encode(text).is_ok(), "{text}");
    }
    // Hand-written decomposed forms, also with the marks in non-canonical order.
    let expected = Ok(b"Vi\xD6t".to_vec());
    assert_eq!(encode("Vie\u{323}\u{302}t"), expected); // NFD
    assert_eq!(encode("Vie\u{302}\u{323}t"), expected); // mark order swapped
    assert_eq!(encode("Vi\u{1EB9}\u{302}t"), expected); // ẹ + circumflex
    assert_eq!(encode("Vi\u{EA}\u{323}t"), expected); // ê + dot below
    assert_eq!(
        encode("tru\u{31B}\u{300}o\u{31B}\u{300}ng"),
        Ok(b"tr\xF5\xEAng".to_vec())
    );
    // Deprecated Vietnamese tone marks U+0340/U+0341 normalize to U+0300/U+0301.
    assert_eq!(encode("a\u{341}"), Ok(vec![0xB8]));
    assert_eq!(encode("a\u{340}"), Ok(vec![0xB5]));
    // Canonical singletons: KELVIN SIGN is K, GREEK QUESTION MARK is ';'.
    assert_eq!(encode("\u{212A}\u{37E}"), Ok(b"K;".to_vec()));
}

/// Normalizing one combining sequence at a time agrees with normalizing the whole text.
#[test]
fn encoding_agrees_with_whole_text_nfc() {
    let alphabet: Vec<char> = "aAeEoOuUyYdDđĐăâêôơưĂÂÊÔƠƯxK<=; ủỦấẤ中가\u{212A}\u{37E}\u{A0}“–"
        .chars()
        .chain([
            '\u{300}', '\u{301}', '\u{302}', '\u{303}', '\u{306}', '\u{309}',
        ])
        .chain([
            '\u{31B}', '\u{323}', '\u{338}', '\u{340}', '\u{341}', '\u{344}',
        ])
        .collect();
    let mut rng = Rng(0x5712_1993_0000_0003);
    let mut encoded = 0;
    for _ in 0..20_000 {
        let len = 1 + rng.below(6);
        let text: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let whole: Option<Vec<u8>> = text.nfc().map(encode_char).collect();
        match (encode(&text), whole) {
            (Ok(bytes), Some(expected)) => {
                assert_eq!(bytes, expected, "{text:?}");
                encoded += 1;
            }
            (Err(e), None) => {
                assert!(e.offset < len, "{text:?}");
                assert!(text.is_char_boundary(e.byte_offset), "{text:?}");
                let at = text[e.byte_offset..].chars().next();
                assert_eq!(text.chars().nth(e.offset), at, "{text:?}");
            }
            (got, expected) => {
                panic!("{text:?}: {got:?} but whole-text NFC gives {expected:?}")
            }
        }
    }
    assert!(encoded > 1000, "{encoded}");
}

#[test]
fn unrepresentable_characters_are_reported_with_their_offset() {
    // A capital with a tone mark (VN3 has none).
    assert_eq!(
        encode("Ủy ban nhân dân"),
        Err(EncodeError {
            ch: 'Ủ',
            offset: 0,
            byte_offset: 0
        })
    );
    assert_eq!(
        encode("CỘNG HÒA"),
        Err(EncodeError {
            ch: 'Ộ',
            offset: 1,
            byte_offset: 1
        })
    );
    // Char offsets count characters, byte offsets count UTF-8 bytes.
    assert_eq!(
        encode("Hà Nội 東京"),
        Err(EncodeError {
            ch: '東',
            offset: 7,
            byte_offset: 10
        })
    );
    // Decomposed capital: reported composed, at its base letter.
    assert_eq!(
        encode("Ông A\u{302}\u{301}n"),
        Err(EncodeError {
            ch: 'Ấ',
            offset: 4,
            byte_offset: 5
        })
    );
    // A mark with no precomposed form: the mark itself, at its own position.
    assert_eq!(
        encode("ax\u{301}b"),
        Err(EncodeError {
            ch: '\u{301}',
            offset: 2,
            byte_offset: 2
        })
    );
    assert_eq!(
        encode("\u{301}a"),
        Err(EncodeError {
            ch: '\u{301}',
            offset: 0,
            byte_offset: 0
        })
    );
    // ê + hook + tilde: NFC is ể + a leftover tilde; reported at the base letter.
    assert_eq!(
        encode("xê\u{309}\u{303}"),
        Err(EncodeError {
            ch: '\u{303}',
            offset: 1,
            byte_offset: 1
        })
    );
    assert_eq!(
        encode("D\u{301}"),
        Err(EncodeError {
            ch: '\u{301}',
            offset: 1,
            byte_offset: 1
        })
    );
    // Latin-1 letters outside Vietnamese, C1 controls, emoji.
    assert_eq!(
        encode("naïve"),
        Err(EncodeError {
            ch: 'ï',
            offset: 2,
            byte_offset: 2
        })
    );
    assert_eq!(
        encode("a\u{93}"),
        Err(EncodeError {
            ch: '\u{93}',
            offset: 1,
            byte_offset: 1
        })
    );
    assert_eq!(
        encode("ok 👍"),
        Err(EncodeError {
            ch: '👍',
            offset: 3,
            byte_offset: 3
        })
    );
    for ch in ['Ủ', 'Ấ', 'Ý', '東', 'ß', '\u{301}', '\u{81}', 'ǎ', '°'] {
        assert!(!is_representable(ch), "{ch}");
    }
    for ch in ['Đ', 'đ', 'Ư', 'ự', ' ', '\u{A0}', '“', '–', '€', '\u{212A}'] {
        assert!(is_representable(ch), "{ch}");
    }
}

#[test]
fn undefined_bytes_are_reported_with_their_offset() {
    assert_eq!(
        decode(b"Vi\xD6t\xB0"),
        Err(DecodeError {
            byte: 0xB0,
            offset: 4
        })
    );
    assert_eq!(
        decode(b"\x81"),
        Err(DecodeError {
            byte: 0x81,
            offset: 0
        })
    );
    assert_eq!(
        decode(b"ab\xFFc\xC0"),
        Err(DecodeError {
            byte: 0xFF,
            offset: 2
        })
    );
    assert_eq!(decode(b""), Ok(String::new()));
    // The Windows-1252 block.
    assert_eq!(
        decode(b"\x93C\xABng v\xA8n\x94 \x96 \x85"),
        Ok("“Công văn” – …".into())
    );
}

#[test]
fn error_messages() {
    let e = DecodeError {
        byte: 0xB0,
        offset: 17,
    };
    assert_eq!(
        e.to_string(),
        "byte 0xB0 at offset 17 is not defined in TCVN3 (VN3)"
    );
    let e = encode("Ủy").err();
    assert_eq!(
        e.map(|e| e.to_string()).as_deref(),
        Some(
            "U+1EE6 'Ủ' at char offset 0 cannot be encoded in TCVN3 (VN3): \
             TCVN3 has no capital letters with tone marks"
        )
    );
    let e = encode("中").err();
    assert_eq!(
        e.map(|e| e.to_string()).as_deref(),
        Some("U+4E2D '中' at char offset 0 cannot be encoded in TCVN3 (VN3)")
    );
    let e = EncodeError {
        ch: '\u{301}',
        offset: 3,
        byte_offset: 3,
    };
    assert_eq!(
        e.to_string(),
        "U+0301 '\\u{301}' at char offset 3 cannot be encoded in TCVN3 (VN3)"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.source().is_none());
}

#[test]
fn sample_is_representable() {
    let bytes = encode(SAMPLE);
    assert!(bytes.is_ok(), "{bytes:?}");
    let bytes = bytes.unwrap_or_default();
    assert!(bytes.iter().any(|&b| b >= 0x80));
    assert_eq!(decode(&bytes).as_deref(), Ok(SAMPLE));
    assert!(is_nfc(SAMPLE));
}
