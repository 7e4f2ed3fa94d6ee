//! TCVN3 ("ABC", TCVN 5712:1993 VN3) ↔ Unicode (NFC).
//!
//! TCVN3 is a single-byte encoding: ASCII in 0x00–0x7F, Vietnamese letters in the upper half.
//! VN3 is the smallest of the three TCVN 5712:1993 sets: it keeps all of ASCII (C0 controls and
//! DEL included) and adds 75 characters — the no-break space, the 7 capitals without tone marks
//! (Ă Â Ê Ô Ơ Ư Đ) and all 67 lowercase Vietnamese letters. Capitals *with* tone marks were
//! typed with an all-capitals font (`.VnTimeH`) over the lowercase codes, so the bytes do not say
//! they are capitals: text that needs them (`Ủy ban`, `CỘNG HÒA`) cannot be encoded and is
//! reported as an [`EncodeError`].
//!
//! # Sources checked (byte by byte)
//!
//! * glibc `localedata/charmaps/TCVN5712-1` (VN1, a superset of VN3) and the same table as
//!   run by this machine's glibc iconv (`iconv -f TCVN5712-1`); libiconv `lib/tcvn.h` agrees.
//! * UniKey's `vnconv` TCVN3 table (`ukengine/tables/singlebyte/tcvn3.cpp` in
//!   hoangduytran/ibus-unikey; `unikey/data.cpp` in fcitx/fcitx5-unikey), whose "western
//!   symbols" section maps 0x80–0x9F as Windows-1252.
//! * Wikipedia, "VSCII" (TCVN 5712): VN3 = ASCII + 67 lowercase + 7 capitals + NBSP, C0 and C1
//!   control codes not reassigned.
//! * The converter table in backupvietsoft/HRM `ConvertVNI/XtraForm1.cs` and the "Bảng đối
//!   chiếu encoding" comparison chart (TCVN column), for the 74 letters.
//!
//! Every source agrees on the 74 letters and NBSP. Where they differ:
//!
//! * 0xAF, 0xB0–0xB4, 0xBA, 0xBF, 0xC0–0xC5, 0xCD, 0xD9–0xDB, 0xE0, 0xF0, 0xFF hold capitals
//!   with tone marks and combining tone marks in VN1/VN2 (glibc, libiconv) but are empty in
//!   VN3 (Wikipedia's count of 75). They are **undefined** here: a decode error, because reading
//!   them as VN1 would invent capitals a VN3 system never wrote.
//! * 0x80–0x9F: VN1 puts more capitals there, the standard's VN3 leaves the C1 control codes,
//!   and UniKey reads them as Windows-1252 punctuation (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – —
//!   ˜ ™ š › œ ž Ÿ). We follow UniKey: TCVN3 text was produced on Windows with the ABC fonts
//!   laid over code page 1252, so a 0x93 in a legacy document is a “ typed in Word, never a C1
//!   control. 0x81, 0x8D, 0x8F, 0x90 and 0x9D, unassigned in Windows-1252 too, are undefined.
//!
//! So 230 byte values decode (0x00–0x7F, 27 in 0x80–0x9F, 75 in 0xA0–0xFF) and 26 are errors.
//! The mapping is one-to-one, so `encode(&decode(b)?)? == b` for every decodable `b`.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// A realistic, fully representable administrative text (a công văn heading, subject and
/// signature block), for samples and tests. Note: no capital carries a tone mark.
pub const SAMPLE: &str = "UBND tỉnh Bắc Ninh\n\
Sở Thông tin và Truyền thông\n\
Số: 1234/STTTT-VP\n\
V/v triển khai hệ thống quản lý văn bản và điều hành\n\
Cộng hòa xã hội chủ nghĩa Việt Nam\n\
Độc lập - Tự do - Hạnh phúc\n\
Bắc Ninh, ngày 15 tháng 3 năm 2024\n\
Kính gửi: Các cơ quan, đơn vị trực thuộc\n\
Thực hiện chỉ đạo của UBND tỉnh về việc đẩy mạnh ứng dụng công nghệ thông tin, \
Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị khẩn trương triển khai gửi, \
nhận văn bản điện tử trên hệ thống trước ngày 30/4/2024.\n\
Nơi nhận:\n\
- Như trên;\n\
- Lưu: VT, VP.\n\
KT. Giám đốc\n\
Phó Giám đốc\n\
Nguyễn Văn Hùng";

/// Bytes 0x80–0xFF. 0x00–0x7F are ASCII and not listed.
#[rustfmt::skip]
const UPPER: [Option<char>; 128] = [
    // 0x80–0x9F: Windows-1252 symbols (see the module notes).
    /* 0x80 */ Some('\u{20AC}'), // €
    /* 0x81 */ None,
    /* 0x82 */ Some('\u{201A}'), // ‚
    /* 0x83 */ Some('\u{0192}'), // ƒ
    /* 0x84 */ Some('\u{201E}'), // „
    /* 0x85 */ Some('\u{2026}'), // …
    /* 0x86 */ Some('\u{2020}'), // †
    /* 0x87 */ Some('\u{2021}'), // ‡
    /* 0x88 */ Some('\u{02C6}'), // ˆ
    /* 0x89 */ Some('\u{2030}'), // ‰
    /* 0x8A */ Some('\u{0160}'), // Š
    /* 0x8B */ Some('\u{2039}'), // ‹
    /* 0x8C */ Some('\u{0152}'), // Œ
    /* 0x8D */ None,
    /* 0x8E */ Some('\u{017D}'), // Ž
    /* 0x8F */ None,
    /* 0x90 */ None,
    /* 0x91 */ Some('\u{2018}'), // ‘
    /* 0x92 */ Some('\u{2019}'), // ’
    /* 0x93 */ Some('\u{201C}'), // “
    /* 0x94 */ Some('\u{201D}'), // ”
    /* 0x95 */ Some('\u{2022}'), // •
    /* 0x96 */ Some('\u{2013}'), // –
    /* 0x97 */ Some('\u{2014}'), // —
    /* 0x98 */ Some('\u{02DC}'), // ˜
    /* 0x99 */ Some('\u{2122}'), // ™
    /* 0x9A */ Some('\u{0161}'), // š
    /* 0x9B */ Some('\u{203A}'), // ›
    /* 0x9C */ Some('\u{0153}'), // œ
    /* 0x9D */ None,
    /* 0x9E */ Some('\u{017E}'), // ž
    /* 0x9F */ Some('\u{0178}'), // Ÿ
    // 0xA0–0xFF: TCVN 5712:1993 VN3.
    /* 0xA0 */ Some('\u{00A0}'), // no-break space
    /* 0xA1 */ Some('\u{0102}'), // Ă
    /* 0xA2 */ Some('\u{00C2}'), // Â
    /* 0xA3 */ Some('\u{00CA}'), // Ê
    /* 0xA4 */ Some('\u{00D4}'), // Ô
    /* 0xA5 */ Some('\u{01A0}'), // Ơ
    /* 0xA6 */ Some('\u{01AF}'), // Ư
    /* 0xA7 */ Some('\u{0110}'), // Đ
    /* 0xA8 */ Some('\u{0103}'), // ă
    /* 0xA9 */ Some('\u{00E2}'), // â
    /* 0xAA */ Some('\u{00EA}'), // ê
    /* 0xAB */ Some('\u{00F4}'), // ô
    /* 0xAC */ Some('\u{01A1}'), // ơ
    /* 0xAD */ Some('\u{01B0}'), // ư
    /* 0xAE */ Some('\u{0111}'), // đ
    /* 0xAF */ None,             // (VN1/VN2: Ằ)
    /* 0xB0 */ None,             // (VN1/VN2: combining grave)
    /* 0xB1 */ None,             // (VN1/VN2: combining hook above)
    /* 0xB2 */ None,             // (VN1/VN2: combining tilde)
    /* 0xB3 */ None,             // (VN1/VN2: combining acute)
    /* 0xB4 */ None,             // (VN1/VN2: combining dot below)
    /* 0xB5 */ Some('\u{00E0}'), // à
    /* 0xB6 */ Some('\u{1EA3}'), // ả
    /* 0xB7 */ Some('\u{00E3}'), // ã
    /* 0xB8 */ Some('\u{00E1}'), // á
    /* 0xB9 */ Some('\u{1EA1}'), // ạ
    /* 0xBA */ None,             // (VN1/VN2: Ẳ)
    /* 0xBB */ Some('\u{1EB1}'), // ằ
    /* 0xBC */ Some('\u{1EB3}'), // ẳ
    /* 0xBD */ Some('\u{1EB5}'), // ẵ
    /* 0xBE */ Some('\u{1EAF}'), // ắ
    /* 0xBF */ None,             // (VN1/VN2: Ẵ)
    /* 0xC0 */ None,             // (VN1/VN2: Ắ)
    /* 0xC1 */ None,             // (VN1/VN2: Ầ)
    /* 0xC2 */ None,             // (VN1/VN2: Ẩ)
    /* 0xC3 */ None,             // (VN1/VN2: Ẫ)
    /* 0xC4 */ None,             // (VN1/VN2: Ấ)
    /* 0xC5 */ None,             // (VN1/VN2: Ề)
    /* 0xC6 */ Some('\u{1EB7}'), // ặ
    /* 0xC7 */ Some('\u{1EA7}'), // ầ
    /* 0xC8 */ Some('\u{1EA9}'), // ẩ
    /* 0xC9 */ Some('\u{1EAB}'), // ẫ
    /* 0xCA */ Some('\u{1EA5}'), // ấ
    /* 0xCB */ Some('\u{1EAD}'), // ậ
    /* 0xCC */ Some('\u{00E8}'), // è
    /* 0xCD */ None,             // (VN1/VN2: Ể)
    /* 0xCE */ Some('\u{1EBB}'), // ẻ
    /* 0xCF */ Some('\u{1EBD}'), // ẽ
    /* 0xD0 */ Some('\u{00E9}'), // é
    /* 0xD1 */ Some('\u{1EB9}'), // ẹ
    /* 0xD2 */ Some('\u{1EC1}'), // ề
    /* 0xD3 */ Some('\u{1EC3}'), // ể
    /* 0xD4 */ Some('\u{1EC5}'), // ễ
    /* 0xD5 */ Some('\u{1EBF}'), // ế
    /* 0xD6 */ Some('\u{1EC7}'), // ệ
    /* 0xD7 */ Some('\u{00EC}'), // ì
    /* 0xD8 */ Some('\u{1EC9}'), // ỉ
    /* 0xD9 */ None,             // (VN1/VN2: Ễ)
    /* 0xDA */ None,             // (VN1/VN2: Ế)
    /* 0xDB */ None,             // (VN1/VN2: Ồ)
    /* 0xDC */ Some('\u{0129}'), // ĩ
    /* 0xDD */ Some('\u{00ED}'), // í
    /* 0xDE */ Some('\u{1ECB}'), // ị
    /* 0xDF */ Some('\u{00F2}'), // ò
    /* 0xE0 */ None,             // (VN1/VN2: Ổ)
    /* 0xE1 */ Some('\u{1ECF}'), // ỏ
    /* 0xE2 */ Some('\u{00F5}'), // õ
    /* 0xE3 */ Some('\u{00F3}'), // ó
    /* 0xE4 */ Some('\u{1ECD}'), // ọ
    /* 0xE5 */ Some('\u{1ED3}'), // ồ
    /* 0xE6 */ Some('\u{1ED5}'), // ổ
    /* 0xE7 */ Some('\u{1ED7}'), // ỗ
    /* 0xE8 */ Some('\u{1ED1}'), // ố
    /* 0xE9 */ Some('\u{1ED9}'), // ộ
    /* 0xEA */ Some('\u{1EDD}'), // ờ
    /* 0xEB */ Some('\u{1EDF}'), // ở
    /* 0xEC */ Some('\u{1EE1}'), // ỡ
    /* 0xED */ Some('\u{1EDB}'), // ớ
    /* 0xEE */ Some('\u{1EE3}'), // ợ
    /* 0xEF */ Some('\u{00F9}'), // ù
    /* 0xF0 */ None,             // (VN1/VN2: Ỗ)
    /* 0xF1 */ Some('\u{1EE7}'), // ủ
    /* 0xF2 */ Some('\u{0169}'), // ũ
    /* 0xF3 */ Some('\u{00FA}'), // ú
    /* 0xF4 */ Some('\u{1EE5}'), // ụ
    /* 0xF5 */ Some('\u{1EEB}'), // ừ
    /* 0xF6 */ Some('\u{1EED}'), // ử
    /* 0xF7 */ Some('\u{1EEF}'), // ữ
    /* 0xF8 */ Some('\u{1EE9}'), // ứ
    /* 0xF9 */ Some('\u{1EF1}'), // ự
    /* 0xFA */ Some('\u{1EF3}'), // ỳ
    /* 0xFB */ Some('\u{1EF7}'), // ỷ
    /* 0xFC */ Some('\u{1EF9}'), // ỹ
    /* 0xFD */ Some('\u{00FD}'), // ý
    /* 0xFE */ Some('\u{1EF5}'), // ỵ
    /* 0xFF */ None,             // (VN1/VN2: Ố)
];

/// The character a byte stands for, or `None` if TCVN3 leaves it undefined.
const fn decode_byte(byte: u8) -> Option<char> {
    if byte < 0x80 {
        Some(byte as char)
    } else {
        UPPER[(byte - 0x80) as usize]
    }
}

/// How many of 0x80–0xFF are defined.
const UPPER_DEFINED: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < UPPER.len() {
        if UPPER[i].is_some() {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The upper half inverted: (character, byte), sorted by character for binary search.
/// Built at compile time from [`UPPER`], which fails to compile if a character repeats.
static ENCODE_UPPER: [(char, u8); UPPER_DEFINED] = {
    let mut table = [('\0', 0u8); UPPER_DEFINED];
    let mut n = 0;
    let mut i = 0;
    while i < UPPER.len() {
        if let Some(ch) = UPPER[i] {
            assert!(ch as u32 >= 0x80, "the upper half must not repeat ASCII");
            table[n] = (ch, 0x80 + i as u8);
            n += 1;
        }
        i += 1;
    }
    // Insertion sort (const context).
    let mut j = 1;
    while j < table.len() {
        let mut k = j;
        while k > 0 && (table[k - 1].0 as u32) > (table[k].0 as u32) {
            let tmp = table[k - 1];
            table[k - 1] = table[k];
            table[k] = tmp;
            k -= 1;
        }
        j += 1;
    }
    let mut k = 1;
    while k < table.len() {
        assert!(
            table[k - 1].0 as u32 != table[k].0 as u32,
            "a character is mapped twice"
        );
        k += 1;
    }
    table
};

/// The byte for one (NFC) character, if TCVN3 has one.
fn encode_char(ch: char) -> Option<u8> {
    if ch.is_ascii() {
        return Some(ch as u8);
    }
    ENCODE_UPPER
        .binary_search_by_key(&ch, |&(c, _)| c)
        .ok()
        .and_then(|i| ENCODE_UPPER.get(i))
        .map(|&(_, byte)| byte)
}

/// A byte that TCVN3 does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// The byte value.
    pub byte: u8,
    /// Its offset in the input, in bytes.
    pub offset: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "byte 0x{:02X} at offset {} is not defined in TCVN3 (VN3)",
            self.byte, self.offset
        )
    }
}

impl std::error::Error for DecodeError {}

/// A character that TCVN3 cannot represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeError {
    /// The character, in NFC: for `A` + U+0302 + U+0301 it is `Ấ`.
    pub ch: char,
    /// Its offset in the input text, in `char`s. When normalization merged or reordered
    /// characters, the offset of the first character of that sequence (its base letter).
    pub offset: usize,
    /// The same position as a byte offset into the input `&str`.
    pub byte_offset: usize,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "U+{:04X} '{}' at char offset {} cannot be encoded in TCVN3 (VN3)",
            self.ch as u32,
            self.ch.escape_debug(),
            self.offset
        )?;
        let mut lower = self.ch.to_lowercase();
        if let (Some(l), None) = (lower.next(), lower.next())
            && l != self.ch
            && encode_char(l).is_some()
        {
            f.write_str(": TCVN3 has no capital letters with tone marks")?;
        }
        Ok(())
    }
}

impl std::error::Error for EncodeError {}

/// Decodes TCVN3 bytes to Unicode. The result is in NFC (every mapped character is a
/// precomposed letter or a starter that composes with nothing).
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    // Vietnamese letters take 2 or 3 bytes in UTF-8.
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for (offset, &byte) in bytes.iter().enumerate() {
        match decode_byte(byte) {
            Some(ch) => out.push(ch),
            None => return Err(DecodeError { byte, offset }),
        }
    }
    Ok(out)
}

/// Encodes text to TCVN3. Any normalization form is accepted: the text is brought to NFC
/// first, so `e` + U+0323 + U+0302 encodes like `ệ`. A character left without a byte —
/// a capital with a tone mark, a combining mark with no precomposed form (`x` + U+0301),
/// anything but ASCII, Vietnamese letters, NBSP and the 27 Windows-1252 symbols of 0x80–0x9F
/// (so not `ï` or `°`) — is an [`EncodeError`] with its position.
pub fn encode(text: &str) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(text.len());
    // A combining sequence: a starter and the non-starters after it, normalized together.
    let mut seq: Vec<char> = Vec::new();
    let mut seq_start = (0usize, 0usize); // (char offset, byte offset)
    for (offset, (byte_offset, ch)) in text.char_indices().enumerate() {
        if canonical_combining_class(ch) == 0 && !seq.is_empty() {
            encode_sequence(&seq, seq_start, &mut out)?;
            seq.clear();
        }
        if seq.is_empty() {
            seq_start = (offset, byte_offset);
        }
        seq.push(ch);
    }
    if !seq.is_empty() {
        encode_sequence(&seq, seq_start, &mut out)?;
    }
    Ok(out)
}

fn encode_sequence(
    seq: &[char],
    (start, byte_start): (usize, usize),
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    // Fast path: one character with a byte of its own is already NFC.
    if let [ch] = seq
        && let Some(byte) = encode_char(*ch)
    {
        out.push(byte);
        return Ok(());
    }
    let nfc: Vec<char> = seq.iter().copied().nfc().collect();
    let unchanged = nfc.as_slice() == seq;
    let mut byte_offset = byte_start;
    for (i, &ch) in nfc.iter().enumerate() {
        match encode_char(ch) {
            Some(byte) => out.push(byte),
            None if unchanged => {
                return Err(EncodeError {
                    ch,
                    offset: start + i,
                    byte_offset,
                });
            }
            None => {
                return Err(EncodeError {
                    ch,
                    offset: start,
                    byte_offset: byte_start,
                });
            }
        }
        byte_offset += ch.len_utf8();
    }
    Ok(())
}

/// Whether `ch` on its own can be encoded (after NFC, so U+212A KELVIN SIGN counts as `K`).
/// A combining mark alone is not representable, though it may be after a base letter.
pub fn is_representable(ch: char) -> bool {
    let mut buf = [0u8; 4];
    encode(ch.encode_utf8(&mut buf)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(ENCODE_UPPER.len(), 102);
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
}
