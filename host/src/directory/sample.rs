//! A realistic, deterministic directory for tests, demos and the import benchmark: the
//! four-level tree of §3.1/§3.4 with Vietnamese names.
//!
//! Level 1: ministries (`G`), provincial People's Committees (`H`) and Party committees (`A`);
//! level 2: departments (`000.00.JJ.Hnn`, JJ 01–20) and districts (JJ 30+); level 3: communes
//! under districts and sub-departments (`000.KK.JJ.Hnn`); level 4: schools, health stations and
//! other units of a commune (`LLL.KK.JJ.Hnn`). Level-1 and level-2 agencies, and the communes of
//! every third province, have QĐ 20 codes; one commune in 40 was renumbered (`old_code`, from a
//! former district numbered 90–99, which no current code uses). The names are illustrative —
//! codes and names here are not the official table (§3.2 warns against hard-coding it).

use super::agency::NewAgency;

/// Provincial-level units, H01…H63 in the order the reference's anchors fix (§3.2), with the
/// e-mail domain label of each.
const PROVINCES: [(&str, &str); 63] = [
    ("An Giang", "angiang"),
    ("Bà Rịa - Vũng Tàu", "baria-vungtau"),
    ("Bạc Liêu", "baclieu"),
    ("Bắc Giang", "bacgiang"),
    ("Bắc Kạn", "backan"),
    ("Bắc Ninh", "bacninh"),
    ("Bến Tre", "bentre"),
    ("Bình Dương", "binhduong"),
    ("Bình Định", "binhdinh"),
    ("Bình Phước", "binhphuoc"),
    ("Bình Thuận", "binhthuan"),
    ("Cà Mau", "camau"),
    ("Cần Thơ", "cantho"),
    ("Cao Bằng", "caobang"),
    ("Đắk Lắk", "daklak"),
    ("Đắk Nông", "daknong"),
    ("Đà Nẵng", "danang"),
    ("Điện Biên", "dienbien"),
    ("Đồng Nai", "dongnai"),
    ("Đồng Tháp", "dongthap"),
    ("Gia Lai", "gialai"),
    ("Hà Giang", "hagiang"),
    ("Hải Dương", "haiduong"),
    ("Hải Phòng", "haiphong"),
    ("Hà Nam", "hanam"),
    ("Hà Nội", "hanoi"),
    ("Hà Tĩnh", "hatinh"),
    ("Hậu Giang", "haugiang"),
    ("Hồ Chí Minh", "hochiminhcity"),
    ("Hòa Bình", "hoabinh"),
    ("Hưng Yên", "hungyen"),
    ("Khánh Hòa", "khanhhoa"),
    ("Kiên Giang", "kiengiang"),
    ("Kon Tum", "kontum"),
    ("Lai Châu", "laichau"),
    ("Lâm Đồng", "lamdong"),
    ("Lạng Sơn", "langson"),
    ("Lào Cai", "laocai"),
    ("Long An", "longan"),
    ("Nam Định", "namdinh"),
    ("Nghệ An", "nghean"),
    ("Ninh Bình", "ninhbinh"),
    ("Ninh Thuận", "ninhthuan"),
    ("Phú Thọ", "phutho"),
    ("Phú Yên", "phuyen"),
    ("Quảng Bình", "quangbinh"),
    ("Quảng Nam", "quangnam"),
    ("Quảng Ngãi", "quangngai"),
    ("Quảng Ninh", "quangninh"),
    ("Quảng Trị", "quangtri"),
    ("Sóc Trăng", "soctrang"),
    ("Sơn La", "sonla"),
    ("Tây Ninh", "tayninh"),
    ("Thái Bình", "thaibinh"),
    ("Thái Nguyên", "thainguyen"),
    ("Thanh Hóa", "thanhhoa"),
    ("Thừa Thiên Huế", "thuathienhue"),
    ("Tiền Giang", "tiengiang"),
    ("Trà Vinh", "travinh"),
    ("Tuyên Quang", "tuyenquang"),
    ("Vĩnh Long", "vinhlong"),
    ("Vĩnh Phúc", "vinhphuc"),
    ("Yên Bái", "yenbai"),
];

/// Centrally governed cities: "thành phố", not "tỉnh".
const CITIES: [&str; 5] = ["Cần Thơ", "Đà Nẵng", "Hải Phòng", "Hà Nội", "Hồ Chí Minh"];

/// Ministry-level bodies G01…G22 (the anchors of §3.2: G01, G09, G12, G17, G18, G22).
const MINISTRIES: [&str; 22] = [
    "Bộ Công an",
    "Bộ Quốc phòng",
    "Bộ Ngoại giao",
    "Bộ Tư pháp",
    "Bộ Kế hoạch và Đầu tư",
    "Bộ Công Thương",
    "Bộ Nông nghiệp và Phát triển nông thôn",
    "Bộ Giao thông vận tải",
    "Bộ Nội vụ",
    "Bộ Tài nguyên và Môi trường",
    "Bộ Thông tin và Truyền thông",
    "Bộ Tài chính",
    "Bộ Lao động - Thương binh và Xã hội",
    "Bộ Văn hóa, Thể thao và Du lịch",
    "Bộ Khoa học và Công nghệ",
    "Bộ Giáo dục và Đào tạo",
    "Bộ Xây dựng",
    "Bộ Y tế",
    "Ngân hàng Nhà nước Việt Nam",
    "Thanh tra Chính phủ",
    "Ủy ban Dân tộc",
    "Văn phòng Chính phủ",
];

/// Units directly under a ministry (level 2).
const MINISTRY_UNITS: [&str; 8] = [
    "Văn phòng",
    "Vụ Tổ chức cán bộ",
    "Vụ Pháp chế",
    "Vụ Kế hoạch - Tài chính",
    "Thanh tra",
    "Vụ Hợp tác quốc tế",
    "Cục Công nghệ thông tin",
    "Trung tâm Thông tin",
];

/// Provincial departments (level 2, JJ = 01…20).
const DEPARTMENTS: [&str; 20] = [
    "Văn phòng UBND",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra",
    "Sở Ngoại vụ",
    "Ban Dân tộc",
    "Ban Quản lý các khu công nghiệp",
];

/// Level-3 sub-departments (chi cục) of some departments, by department number.
fn sub_departments(department: usize) -> &'static [&'static str] {
    match department {
        7 => &["Chi cục Kiểm lâm", "Chi cục Thủy lợi"],
        10 => &["Chi cục Bảo vệ môi trường"],
        16 => &[
            "Chi cục Dân số - Kế hoạch hóa gia đình",
            "Chi cục An toàn vệ sinh thực phẩm",
        ],
        _ => &[],
    }
}

/// Units of a commune (level 4).
const COMMUNE_UNITS: [&str; 10] = [
    "Trường Mầm non",
    "Trường Tiểu học",
    "Trường Trung học cơ sở",
    "Trạm Y tế",
    "Công an",
    "Ban Chỉ huy Quân sự",
    "Hội Nông dân",
    "Hội Liên hiệp Phụ nữ",
    "Đoàn Thanh niên",
    "Hội Cựu chiến binh",
];

/// Syllables of place names, combined in pairs.
const FIRST: [&str; 24] = [
    "An", "Bình", "Cẩm", "Đông", "Gia", "Hòa", "Hưng", "Kim", "Long", "Minh", "Nam", "Phú",
    "Quang", "Tân", "Thanh", "Thạch", "Tiên", "Trung", "Vĩnh", "Xuân", "Yên", "Đức", "Hồng", "Lạc",
];
const SECOND: [&str; 24] = [
    "An", "Bình", "Châu", "Điền", "Hải", "Hòa", "Khê", "Lâm", "Lương", "Lộc", "Mỹ", "Ninh",
    "Phong", "Phúc", "Sơn", "Thành", "Thịnh", "Thủy", "Tiến", "Trạch", "Tường", "Vinh", "Xá",
    "Yên",
];

/// SplitMix64: a fixed, dependency-free mix, so the directory is the same on every machine and
/// every version of every crate.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A place name for the node identified by `key`.
fn place(key: u64) -> String {
    let h = mix(key);
    let first = FIRST[(h % FIRST.len() as u64) as usize];
    let second = SECOND[((h >> 16) % SECOND.len() as u64) as usize];
    format!("{first} {second}")
}

/// A number in `base..base + spread` for the node identified by `key`.
fn count(key: u64, base: usize, spread: u64) -> usize {
    base + (mix(key) % spread) as usize
}

/// The tree, written parents first and depth-first, cut at `limit` agencies.
struct Tree {
    agencies: Vec<NewAgency>,
    limit: usize,
    /// Extra level-4 units per commune, so that large sizes are reached.
    extra_units: usize,
    communes: usize,
}

impl Tree {
    /// Adds an agency; `false` once the limit is reached.
    fn add(
        &mut self,
        code: String,
        name: String,
        parent: Option<&str>,
        qd20: Option<String>,
        domain: &str,
    ) -> bool {
        if self.agencies.len() >= self.limit {
            return false;
        }
        let email = if parent.is_none() {
            format!("vanthu@{domain}")
        } else {
            format!("{}@{domain}", code.replace('.', "").to_ascii_lowercase())
        };
        self.agencies.push(NewAgency {
            code,
            name,
            parent_code: parent.map(str::to_owned),
            qd20_code: qd20,
            old_code: None,
            email,
        });
        true
    }

    fn ministries(&mut self) -> bool {
        for (i, ministry) in MINISTRIES.iter().enumerate() {
            let g = format!("G{:02}", i + 1);
            if !self.add(
                format!("000.00.00.{g}"),
                (*ministry).to_owned(),
                None,
                Some(g),
                "chinhphu.vn",
            ) {
                return false;
            }
        }
        true
    }

    fn ministry_units(&mut self) -> bool {
        for (i, ministry) in MINISTRIES.iter().enumerate() {
            let g = format!("G{:02}", i + 1);
            let parent = format!("000.00.00.{g}");
            for (j, unit) in MINISTRY_UNITS.iter().enumerate() {
                let name = format!("{unit} {ministry}");
                let qd20 = Some(format!("{g}.{:02}", j + 1));
                let code = format!("000.00.{:02}.{g}", j + 1);
                if !self.add(code, name, Some(&parent), qd20, "chinhphu.vn") {
                    return false;
                }
            }
        }
        true
    }

    fn province(&mut self, p: usize) -> bool {
        let (name, label) = PROVINCES[p - 1];
        let domain = format!("{label}.gov.vn");
        let kind = if CITIES.contains(&name) {
            "thành phố"
        } else {
            "tỉnh"
        };
        let h = format!("H{p:02}");
        let ubnd = format!("000.00.00.{h}");
        if !self.add(
            ubnd.clone(),
            format!("UBND {kind} {name}"),
            None,
            Some(h.clone()),
            &domain,
        ) {
            return false;
        }
        let party = if kind == "tỉnh" {
            "Tỉnh ủy"
        } else {
            "Thành ủy"
        };
        let a = format!("A{p:02}");
        if !self.add(
            format!("000.00.00.{a}"),
            format!("{party} {name}"),
            None,
            Some(a),
            &domain,
        ) {
            return false;
        }
        // Districts first, so even a small sample reaches level 4.
        let districts = count(p as u64, 8, 9);
        for d in 0..districts {
            if !self.district(p, d, &h, &ubnd, &domain) {
                return false;
            }
        }
        for (j, department) in DEPARTMENTS.iter().enumerate() {
            let jj = j + 1;
            let code = format!("000.00.{jj:02}.{h}");
            let full = format!("{department} {kind} {name}");
            if !self.add(
                code.clone(),
                full,
                Some(&ubnd),
                Some(format!("{h}.{jj:02}")),
                &domain,
            ) {
                return false;
            }
            for (k, sub) in sub_departments(jj).iter().enumerate() {
                let sub_code = format!("000.{:02}.{jj:02}.{h}", k + 1);
                if !self.add(
                    sub_code,
                    format!("{sub} {kind} {name}"),
                    Some(&code),
                    None,
                    &domain,
                ) {
                    return false;
                }
            }
        }
        true
    }

    fn district(&mut self, p: usize, d: usize, h: &str, ubnd: &str, domain: &str) -> bool {
        let key = ((p as u64) << 16) | d as u64;
        let kind = match d {
            0 => "thành phố",
            1 if p % 2 == 1 => "thị xã",
            _ => "huyện",
        };
        let jj = 30 + d;
        let code = format!("000.00.{jj:02}.{h}");
        let qd20 = Some(format!("{h}.{jj:02}"));
        if !self.add(
            code.clone(),
            format!("UBND {kind} {}", place(key)),
            Some(ubnd),
            qd20,
            domain,
        ) {
            return false;
        }
        let communes = count(key, 12, 14);
        for c in 0..communes {
            let commune_key = (key << 16) | c as u64;
            let commune_kind = match (kind, c) {
                ("huyện", 0) => "thị trấn",
                ("huyện", _) => "xã",
                (_, c) if c < 8 => "phường",
                _ => "xã",
            };
            let commune_name = place(commune_key);
            let kk = c + 1;
            let commune = format!("000.{kk:02}.{jj:02}.{h}");
            let qd20 = p.is_multiple_of(3).then(|| format!("{h}.{jj:02}.{kk:02}"));
            let full = format!("UBND {commune_kind} {commune_name}");
            if !self.add(commune.clone(), full, Some(&code), qd20, domain) {
                return false;
            }
            self.communes += 1;
            if self.communes % 40 == 7 {
                // A former district 90–99 that no current code uses.
                let old = format!("000.{:02}.{:02}.{h}", kk + 30 * (d / 10), 90 + d % 10);
                if let Some(last) = self.agencies.last_mut() {
                    last.old_code = Some(old);
                }
            }
            let units = count(commune_key, 6, 5) + self.extra_units;
            for u in 0..units.min(999) {
                let kind_name = COMMUNE_UNITS[u % COMMUNE_UNITS.len()];
                let round = u / COMMUNE_UNITS.len();
                let unit_name = if round == 0 {
                    format!("{kind_name} {commune_kind} {commune_name}")
                } else {
                    format!("{kind_name} số {} {commune_kind} {commune_name}", round + 1)
                };
                let unit_code = format!("{:03}.{kk:02}.{jj:02}.{h}", u + 1);
                if !self.add(unit_code, unit_name, Some(&commune), None, domain) {
                    return false;
                }
            }
        }
        true
    }

    fn build(limit: usize, extra_units: usize) -> Tree {
        let mut tree = Tree {
            agencies: Vec::with_capacity(limit.min(1 << 20)),
            limit,
            extra_units,
            communes: 0,
        };
        // The first province before the ministries' units, so even a small sample reaches
        // level 4.
        let _complete = tree.ministries()
            && tree.province(1)
            && tree.ministry_units()
            && (2..=PROVINCES.len()).all(|p| tree.province(p));
        tree
    }
}

/// `n` agencies of a realistic directory, always the same for the same `n`, parents before
/// children. The basic tree holds 123,071 agencies, about the real directory (§9.7); a larger
/// `n` adds units to every commune (up to 999 each, some 14 million agencies at most).
pub fn sample_directory(n: usize) -> Vec<NewAgency> {
    let tree = Tree::build(n, 0);
    if tree.agencies.len() >= n || tree.communes == 0 {
        return tree.agencies;
    }
    let missing = n - tree.agencies.len();
    Tree::build(n, missing.div_ceil(tree.communes)).agencies
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::directory::code::{derived_parent, level};

    #[test]
    fn the_sample_has_the_requested_size_and_is_deterministic() {
        assert_eq!(sample_directory(0).len(), 0);
        assert_eq!(sample_directory(500), sample_directory(500));
        assert_eq!(sample_directory(123_000).len(), 123_000);
        assert_eq!(sample_directory(200_000).len(), 200_000);
    }

    #[test]
    fn the_sample_is_a_consistent_four_level_tree() {
        let agencies = sample_directory(123_000);
        let codes: HashSet<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes.len(), agencies.len(), "codes are unique");
        let qd20: Vec<&str> = agencies
            .iter()
            .filter_map(|a| a.qd20_code.as_deref())
            .collect();
        assert_eq!(
            qd20.iter().collect::<HashSet<_>>().len(),
            qd20.len(),
            "QĐ 20 codes are unique"
        );
        let mut levels = [0usize; 5];
        for a in &agencies {
            let l = level(&a.code).unwrap_or_else(|| panic!("{} is strict", a.code));
            levels[l as usize] += 1;
            match &a.parent_code {
                Some(parent) => {
                    assert!(codes.contains(parent.as_str()), "{} has its parent", a.code);
                    assert_eq!(
                        level(parent),
                        Some(l - 1),
                        "{} sits one level below",
                        a.code
                    );
                    assert_eq!(
                        derived_parent(&a.code).as_ref(),
                        Some(parent),
                        "{} is built from its parent's code (§3.4)",
                        a.code
                    );
                }
                None => assert_eq!(l, 1),
            }
            if let Some(old) = &a.old_code {
                assert!(
                    !codes.contains(old.as_str()),
                    "former code {old} is not reused"
                );
            }
        }
        assert!(
            levels[1..].iter().all(|n| *n > 100),
            "every level is populated: {levels:?}"
        );
        let renumbered = agencies.iter().filter(|a| a.old_code.is_some()).count();
        assert!(renumbered > 100, "{renumbered} renumbered");
        let small = sample_directory(60);
        assert!(
            small.iter().any(|a| level(&a.code) == Some(4)),
            "a small sample reaches level 4"
        );
    }
}
