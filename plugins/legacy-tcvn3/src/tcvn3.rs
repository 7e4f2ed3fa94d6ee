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
