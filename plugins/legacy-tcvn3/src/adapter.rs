//! The adapter: GOITIN XML in TCVN3 ↔ canonical messages.
//!
//! ```xml
//! <?xml version="1.0" encoding="TCVN3"?>
//! <GOITIN loai="VANBAN">
//!   <VANBAN>
//!     <MAVB>000.00.11.H53,2024/03/15,1234/STTTT-VP</MAVB>
//!     <COQUANGUI ma="000.00.11.H53" chuquan="UBND tØnh …">Së Th«ng tin …</COQUANGUI>
//!     <COQUANNHAN ma="000.00.01.A53">…</COQUANNHAN>
//!     <SOKYHIEU so="1234" kyhieu="STTTT-VP"/>
//!     <BANHANH noi="…" ngay="15/03/2024"/>
//!     …
//!     <TEP ma="1" ten="cv1234.pdf" kieu="application/pdf">JVBERi0…</TEP>
//!   </VANBAN>
//! </GOITIN>
//! ```
//!
//! Dates are `dd/MM/yyyy` (`dd/MM/yyyy HH:mm:ss` for times); a status package is
//! `<GOITIN loai="TRANGTHAI"><TRANGTHAI ma="05" …>`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use truc_guest::{
    AdapterError, AdapterInfo, Attachment, Business, BusinessAction, Code, Codec, Date, DateTime,
    Document, DocumentType, Message, Organ, OtherInfo, Payload, Promulgation, ReceiverChange,
    ReceiverChangeKind, Replace, Replacement, ResponseFor, Signer, Staff, Status, Trace, Update,
    dates, malformed, read_all, status, unsupported, write_blob,
};

use crate::tcvn3;
use crate::xml::{self, Element};

/// Largest GOITIN document read into memory.
const MAX_INPUT: u64 = 64 * 1024 * 1024;

struct LegacyTcvn3;

fn date(s: &str, at: &str) -> Result<Option<Date>, AdapterError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    dates::parse_date(s).map(Some).ok_or_else(|| {
        malformed(
            format!("`{s}` is not a date (dd/MM/yyyy)"),
            Some(at.to_owned()),
        )
    })
}

fn date_time(s: &str, at: &str) -> Result<Option<DateTime>, AdapterError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    dates::parse_date_time(s)
        .map(Some)
        .ok_or_else(|| malformed(format!("`{s}` is not a date and time"), Some(at.to_owned())))
}

fn legacy_date(d: &Option<Date>) -> String {
    d.as_ref()
        .map(|d| format!("{:02}/{:02}/{:04}", d.day, d.month, d.year))
        .unwrap_or_default()
}

fn legacy_date_time(d: &Option<DateTime>) -> String {
    d.as_ref()
        .map(|t| {
            format!(
                "{} {:02}:{:02}:{:02}",
                legacy_date(&Some(t.date)),
                t.hour,
                t.minute,
                t.second
            )
        })
        .unwrap_or_default()
}

fn organ(e: &Element) -> Organ {
    Organ {
        id: e.attr("ma").to_owned(),
        organization_in_charge: e.attr("chuquan").to_owned(),
        name: e.text.clone(),
        address: e.attr("diachi").to_owned(),
        email: e.attr("email").to_owned(),
        telephone: e.attr("dienthoai").to_owned(),
        fax: e.attr("fax").to_owned(),
        website: e.attr("web").to_owned(),
    }
}

fn organ_element(name: &str, o: &Organ) -> Element {
    Element::new(name)
        .with_attr("ma", o.id.clone())
        .with_attr("chuquan", o.organization_in_charge.clone())
        .with_attr("diachi", o.address.clone())
        .with_attr("email", o.email.clone())
        .with_attr("dienthoai", o.telephone.clone())
        .with_attr("fax", o.fax.clone())
        .with_attr("web", o.website.clone())
        .with_text(o.name.clone())
}

fn staff(e: Option<&Element>) -> Option<Staff> {
    e.map(|e| Staff {
        department: e.attr("phong").to_owned(),
        name: e.attr("ten").to_owned(),
        mobile: e.attr("didong").to_owned(),
        email: e.attr("email").to_owned(),
    })
}

fn staff_element(s: &Staff) -> Element {
    Element::new("VANTHU")
        .with_attr("phong", s.department.clone())
        .with_attr("ten", s.name.clone())
        .with_attr("didong", s.mobile.clone())
        .with_attr("email", s.email.clone())
}

fn response_for(e: &Element, at: &str) -> Result<ResponseFor, AdapterError> {
    Ok(ResponseFor {
        organ_id: e.attr("coquan").to_owned(),
        code: e.attr("sokyhieu").to_owned(),
        promulgation_date: date(e.attr("ngay"), at)?,
        document_id: e.attr("mavb").to_owned(),
    })
}

fn response_for_element(r: &ResponseFor) -> Element {
    Element::new("TRALOI")
        .with_attr("coquan", r.organ_id.clone())
        .with_attr("sokyhieu", r.code.clone())
        .with_attr("ngay", legacy_date(&r.promulgation_date))
        .with_attr("mavb", r.document_id.clone())
}

fn flag(s: &str) -> bool {
    s.trim() == "1"
}

fn bit(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn business(e: Option<&Element>) -> Result<Business, AdapterError> {
    let Some(e) = e else {
        return Ok(Business {
            action: BusinessAction::New,
            reason: String::new(),
            paper: false,
            staff: None,
        });
    };
    let target = e.attr("muctieu").to_owned();
    let action = match e.attr("loai").trim() {
        "" | "0" => BusinessAction::New,
        "1" => BusinessAction::Revoke(target),
        "2" => BusinessAction::Update(Update {
            target,
            metadata_changed: flag(e.attr("thaydoithongtin")),
            receivers_changed: flag(e.attr("thaydoinoinhan")),
            receiver_changes: e
                .children_named("THAYDOI")
                .map(|c| {
                    let kind = match c.attr("kieu") {
                        "them" => ReceiverChangeKind::Added,
                        "bot" => ReceiverChangeKind::Removed,
                        other => {
                            return Err(malformed(
                                format!("THAYDOI kieu=`{other}` is neither `them` nor `bot`"),
                                Some("GOITIN/VANBAN/NGHIEPVU/THAYDOI".into()),
                            ));
                        }
                    };
                    Ok(ReceiverChange {
                        organ_id: c.attr("ma").to_owned(),
                        kind,
                    })
                })
                .collect::<Result<_, _>>()?,
        }),
        "3" => BusinessAction::Replace(Replace {
            target,
            replacements: e
                .children_named("THAYTHE")
                .map(|r| Replacement {
                    document_id: r.attr("mavb").to_owned(),
                    organ_ids: r
                        .children_named("NOI")
                        .map(|n| n.attr("ma").to_owned())
                        .collect(),
                })
                .collect(),
        }),
        other => BusinessAction::Other(other.parse().map_err(|_| {
            malformed(
                format!("NGHIEPVU loai=`{other}` is not a number"),
                Some("GOITIN/VANBAN/NGHIEPVU".into()),
            )
        })?),
    };
    Ok(Business {
        action,
        reason: e.attr("lydo").to_owned(),
        paper: flag(e.attr("bangiay")),
        staff: staff(e.child("VANTHU")),
    })
}

fn business_element(b: &Business) -> Element {
    let mut e = Element::new("NGHIEPVU");
    let (loai, target) = match &b.action {
        BusinessAction::New => ("0".to_owned(), String::new()),
        BusinessAction::Revoke(t) => ("1".into(), t.clone()),
        BusinessAction::Update(u) => ("2".into(), u.target.clone()),
        BusinessAction::Replace(r) => ("3".into(), r.target.clone()),
        BusinessAction::Other(n) => (n.to_string(), String::new()),
    };
    e = e
        .with_attr("loai", loai)
        .with_attr("muctieu", target)
        .with_attr("lydo", b.reason.clone())
        .with_attr("bangiay", bit(b.paper));
    match &b.action {
        BusinessAction::Update(u) => {
            e = e
                .with_attr("thaydoithongtin", bit(u.metadata_changed))
                .with_attr("thaydoinoinhan", bit(u.receivers_changed));
            for c in &u.receiver_changes {
                let kieu = match c.kind {
                    ReceiverChangeKind::Added => "them",
                    ReceiverChangeKind::Removed => "bot",
                };
                e = e.with_child(
                    Element::new("THAYDOI")
                        .with_attr("ma", c.organ_id.clone())
                        .with_attr("kieu", kieu),
                );
            }
        }
        BusinessAction::Replace(r) => {
            for rep in &r.replacements {
                let mut t = Element::new("THAYTHE").with_attr("mavb", rep.document_id.clone());
                for o in &rep.organ_ids {
                    t = t.with_child(Element::new("NOI").with_attr("ma", o.clone()));
                }
                e = e.with_child(t);
            }
        }
        _ => {}
    }
    if let Some(s) = &b.staff {
        e = e.with_child(staff_element(s));
    }
    e
}

fn number<T: std::str::FromStr>(s: &str, at: &str) -> Result<Option<T>, AdapterError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| malformed(format!("`{s}` is not a number"), Some(at.to_owned())))
}

fn document(v: &Element) -> Result<Document, AdapterError> {
    let at = "GOITIN/VANBAN";
    let sender = v
        .child("COQUANGUI")
        .ok_or_else(|| malformed("the document has no COQUANGUI (sender)", Some(at.into())))?;
    let code = v.child("SOKYHIEU");
    let issued = v.child("BANHANH");
    let kind = v.child("LOAIVANBAN");
    let signer = v.child("NGUOIKY");
    let other = v.child("KHAC");
    let empty = Element::default();
    let other = other.unwrap_or(&empty);
    let mut attachments = Vec::new();
    for (i, t) in v.children_named("TEP").enumerate() {
        let compact: String = t
            .text
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = B64.decode(compact.as_bytes()).map_err(|e| {
            malformed(
                format!("file `{}` is not valid base64: {e}", t.attr("ten")),
                Some(format!("{at}/TEP[{}]", i + 1)),
            )
        })?;
        attachments.push(Attachment {
            content_id: t.attr("ma").to_owned(),
            name: t.attr("ten").to_owned(),
            description: t.attr("mota").to_owned(),
            content_type: t.attr("kieu").to_owned(),
            body: write_blob(&bytes)?,
        });
    }
    Ok(Document {
        id: v.child_text("MAVB").trim().to_owned(),
        sender: organ(sender),
        receivers: v.children_named("COQUANNHAN").map(organ).collect(),
        code: Code {
            number: code.map(|c| c.attr("so").to_owned()).unwrap_or_default(),
            notation: code
                .map(|c| c.attr("kyhieu").to_owned())
                .unwrap_or_default(),
        },
        promulgation: Promulgation {
            place: issued.map(|e| e.attr("noi").to_owned()).unwrap_or_default(),
            date: date(
                issued.map_or("", |e| e.attr("ngay")),
                &format!("{at}/BANHANH/@ngay"),
            )?,
        },
        document_type: DocumentType {
            code: kind.map(|k| k.attr("ma").to_owned()).unwrap_or_default(),
            detail: kind
                .map(|k| k.attr("chitiet").to_owned())
                .unwrap_or_default(),
            name: kind.map(|k| k.text.clone()).unwrap_or_default(),
        },
        subject: v.child_text("TRICHYEU").to_owned(),
        content: v.child_text("TOMTAT").to_owned(),
        signer: Signer {
            competence: signer
                .map(|s| s.attr("thamquyen").to_owned())
                .unwrap_or_default(),
            position: signer
                .map(|s| s.attr("chucvu").to_owned())
                .unwrap_or_default(),
            full_name: signer.map(|s| s.text.clone()).unwrap_or_default(),
        },
        due_date: date(v.child_text("HANXULY"), &format!("{at}/HANXULY"))?,
        to_places: v
            .children_named("NOINHAN")
            .map(|e| e.text.clone())
            .collect(),
        other: OtherInfo {
            priority: number(other.attr("dokhan"), &format!("{at}/KHAC/@dokhan"))?.unwrap_or(0),
            sphere_of_promulgation: other.attr("phamvi").to_owned(),
            typer_notation: other.attr("nguoisoan").to_owned(),
            promulgation_amount: number(other.attr("soban"), &format!("{at}/KHAC/@soban"))?,
            page_amount: number(other.attr("sotrang"), &format!("{at}/KHAC/@sotrang"))?,
            appendixes: v.children_named("PHULUC").map(|e| e.text.clone()).collect(),
            direction: match other.attr("huongxuly") {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        },
        response_for: v
            .children_named("TRALOI")
            .enumerate()
            .map(|(i, e)| response_for(e, &format!("{at}/TRALOI[{}]", i + 1)))
            .collect::<Result<_, _>>()?,
        steering_type: number(v.child_text("CHIDAO"), &format!("{at}/CHIDAO"))?,
        application_type: v.child("UNGDUNG").map(|e| e.text.clone()),
        business: business(v.child("NGHIEPVU"))?,
        traces: v
            .children_named("HANHTRINH")
            .enumerate()
            .map(|(i, e)| {
                Ok(Trace {
                    organ_id: e.attr("ma").to_owned(),
                    timestamp: date_time(
                        e.attr("luc"),
                        &format!("{at}/HANHTRINH[{}]/@luc", i + 1),
                    )?,
                })
            })
            .collect::<Result<_, AdapterError>>()?,
        attachments,
    })
}

fn document_element(d: &Document) -> Result<Element, AdapterError> {
    let mut v = Element::new("VANBAN")
        .with_child(Element::new("MAVB").with_text(d.id.clone()))
        .with_child(organ_element("COQUANGUI", &d.sender));
    for r in &d.receivers {
        v = v.with_child(organ_element("COQUANNHAN", r));
    }
    v = v
        .with_child(
            Element::new("SOKYHIEU")
                .with_attr("so", d.code.number.clone())
                .with_attr("kyhieu", d.code.notation.clone()),
        )
        .with_child(
            Element::new("BANHANH")
                .with_attr("noi", d.promulgation.place.clone())
                .with_attr("ngay", legacy_date(&d.promulgation.date)),
        )
        .with_child(
            Element::new("LOAIVANBAN")
                .with_attr("ma", d.document_type.code.clone())
                .with_attr("chitiet", d.document_type.detail.clone())
                .with_text(d.document_type.name.clone()),
        )
        .with_child(Element::new("TRICHYEU").with_text(d.subject.clone()))
        .with_child(Element::new("TOMTAT").with_text(d.content.clone()))
        .with_child(
            Element::new("NGUOIKY")
                .with_attr("thamquyen", d.signer.competence.clone())
                .with_attr("chucvu", d.signer.position.clone())
                .with_text(d.signer.full_name.clone()),
        )
        .with_child(Element::new("HANXULY").with_text(legacy_date(&d.due_date)));
    for p in &d.to_places {
        v = v.with_child(Element::new("NOINHAN").with_text(p.clone()));
    }
    let o = &d.other;
    v = v.with_child(
        Element::new("KHAC")
            .with_attr("dokhan", o.priority.to_string())
            .with_attr("phamvi", o.sphere_of_promulgation.clone())
            .with_attr("nguoisoan", o.typer_notation.clone())
            .with_attr(
                "soban",
                o.promulgation_amount
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            )
            .with_attr(
                "sotrang",
                o.page_amount.map(|n| n.to_string()).unwrap_or_default(),
            )
            .with_attr(
                "huongxuly",
                o.direction.map(|b| b.to_string()).unwrap_or_default(),
            ),
    );
    for a in &o.appendixes {
        v = v.with_child(Element::new("PHULUC").with_text(a.clone()));
    }
    for r in &d.response_for {
        v = v.with_child(response_for_element(r));
    }
    if let Some(s) = d.steering_type {
        v = v.with_child(Element::new("CHIDAO").with_text(s.to_string()));
    }
    if let Some(a) = &d.application_type {
        v = v.with_child(Element::new("UNGDUNG").with_text(a.clone()));
    }
    v = v.with_child(business_element(&d.business));
    for t in &d.traces {
        v = v.with_child(
            Element::new("HANHTRINH")
                .with_attr("ma", t.organ_id.clone())
                .with_attr("luc", legacy_date_time(&t.timestamp)),
        );
    }
    for a in &d.attachments {
        let bytes = read_all(&a.body, MAX_INPUT)?;
        v = v.with_child(
            Element::new("TEP")
                .with_attr("ma", a.content_id.clone())
                .with_attr("ten", a.name.clone())
                .with_attr("mota", a.description.clone())
                .with_attr("kieu", a.content_type.clone())
                .with_text(B64.encode(bytes)),
        );
    }
    Ok(v)
}

fn status_from(t: &Element) -> Result<Status, AdapterError> {
    let at = "GOITIN/TRANGTHAI";
    let sender = t
        .child("COQUANGUI")
        .ok_or_else(|| malformed("the status has no COQUANGUI (sender)", Some(at.into())))?;
    let regarding = t.child("TRALOI").ok_or_else(|| {
        malformed(
            "the status has no TRALOI (the document it is about)",
            Some(at.into()),
        )
    })?;
    Ok(Status {
        sender: organ(sender),
        response_for: response_for(regarding, &format!("{at}/TRALOI"))?,
        staff: staff(t.child("VANTHU")).unwrap_or_else(truc_guest::no_staff),
        code: status::from_code(t.attr("ma")),
        description: t.child_text("GHICHU").to_owned(),
        timestamp: date_time(t.attr("luc"), &format!("{at}/@luc"))?,
    })
}

fn status_element(s: &Status) -> Element {
    Element::new("TRANGTHAI")
        .with_attr("ma", status::to_code(&s.code))
        .with_attr("luc", legacy_date_time(&s.timestamp))
        .with_child(organ_element("COQUANGUI", &s.sender))
        .with_child(response_for_element(&s.response_for))
        .with_child(staff_element(&s.staff))
        .with_child(Element::new("GHICHU").with_text(s.description.clone()))
}

/// Checks every text and attribute is representable in TCVN3, naming the first that is not.
fn check_representable(e: &Element, path: &str) -> Result<(), AdapterError> {
    let here = format!("{path}/{}", e.name);
    for (k, v) in &e.attrs {
        if let Err(err) = tcvn3::encode(v) {
            return Err(unsupported(err.to_string(), Some(format!("{here}/@{k}"))));
        }
    }
    if let Err(err) = tcvn3::encode(&e.text) {
        return Err(unsupported(err.to_string(), Some(here)));
    }
    e.children
        .iter()
        .try_for_each(|c| check_representable(c, &here))
}

impl Codec for LegacyTcvn3 {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "legacy-tcvn3".into(),
            version: "1.0.0".into(),
            vendor: "truc project (example adapter)".into(),
            formats: vec!["application/xml; charset=x-tcvn3".into()],
            description: "GOITIN XML in TCVN3 (ABC), converted exactly to and from Unicode NFC."
                .into(),
        }
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, MAX_INPUT)?;
        let text = tcvn3::decode(&bytes)
            .map_err(|e| malformed(e.to_string(), Some(format!("byte {}", e.offset))))?;
        let root = xml::parse(&text)
            .map_err(|e| malformed(e.message, Some(format!("character {}", e.position))))?;
        if root.name != "GOITIN" {
            return Err(malformed(
                format!("the root element is `{}`, not `GOITIN`", root.name),
                None,
            ));
        }
        let mut out = Vec::new();
        for c in &root.children {
            match c.name.as_str() {
                "VANBAN" => out.push(Message::Document(document(c)?)),
                "TRANGTHAI" => out.push(Message::Status(status_from(c)?)),
                other => {
                    return Err(unsupported(
                        format!("GOITIN holds a `{other}`, which this adapter does not know"),
                        Some("GOITIN".into()),
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err(malformed(
                "GOITIN holds no VANBAN or TRANGTHAI",
                Some("GOITIN".into()),
            ));
        }
        Ok(out)
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let (loai, inner) = match &message {
            Message::Document(d) => ("VANBAN", document_element(d)?),
            Message::Status(s) => ("TRANGTHAI", status_element(s)),
        };
        let root = Element::new("GOITIN")
            .with_attr("loai", loai)
            .with_child(inner);
        check_representable(&root, "")?;
        let bytes =
            tcvn3::encode(&xml::write(&root)).map_err(|e| unsupported(e.to_string(), None))?;
        Ok(Payload {
            content_type: "application/xml; charset=x-tcvn3".into(),
            body: write_blob(&bytes)?,
        })
    }
}

truc_guest::export_adapter!(LegacyTcvn3);
