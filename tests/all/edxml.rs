//! The edXML codec against the real VPCP SDK samples and the variants of reference §4–§7.

use std::io::{self, Write};

use truc::edxml::*;

use crate::edxml_support::{ctx, minimal_document, read_ok, sample};

fn document(pkg: &Package) -> &Document {
    match pkg {
        Package::Document(d) => d,
        Package::Status(_) => panic!("expected a document package"),
    }
}

/// (path, rule, severity) of each problem, in order.
fn summary(problems: &[Problem]) -> Vec<(String, &'static str, Severity)> {
    problems
        .iter()
        .map(|p| (p.path.clone(), p.rule.name(), p.severity))
        .collect()
}

fn write_vec(pkg: &Package, store: &dyn AttachmentSource) -> Vec<u8> {
    write_to_vec(pkg, store).unwrap_or_else(|e| panic!("write failed: {e}"))
}

#[test]
fn new_document_sample_reads_every_field() {
    let (pkg, store) = read_ok(&sample("edoc_new.edxml"));
    let d = document(&pkg);
    assert_eq!(
        d.from.organ_id.as_ref().map(OrganId::as_str),
        Some("000.00.11.H53")
    );
    assert_eq!(d.from.organ_name, "Sở Tính");
    assert_eq!(d.to.len(), 1);
    assert_eq!(d.to[0].organ_name, "Văn phòng tỉnh ủy");
    assert_eq!(
        (d.code.number.as_str(), d.code.notation.as_str()),
        ("2491", "STC-BCTC")
    );
    // §4.5: the sample writes dd/MM/yyyy; the model holds the date.
    assert_eq!(
        d.promulgation
            .date
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("2020/10/30")
    );
    assert_eq!(d.document_type.type_name, "Công văn");
    assert_eq!(d.due_date, None);
    assert_eq!(
        d.to_places,
        ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    );
    assert_eq!(d.other_info.priority, Some(Priority::Normal));
    assert_eq!(d.other_info.direction, "false");
    assert_eq!(d.other_info.appendixes, [""]);
    assert_eq!(
        d.steering_type.as_ref().map(SteeringType::as_str),
        Some("1")
    );
    assert_eq!(d.traces.len(), 1);
    let b = d.business.as_ref().expect("business block");
    assert_eq!(b.action, Some(BusinessAction::New));
    assert_eq!(
        b.staff.as_ref().map(|s| s.staff.as_str()),
        Some("Nguyễn Thị Ngọc Trâm")
    );
    // §5: a .doc labelled application/zip is a one-entry zip (with a data descriptor); stored unzipped.
    let a = &d.attachments[0];
    assert_eq!(
        (a.content_id.as_str(), a.name.as_str()),
        ("209", "1896_QD-TTg_m_294779.doc")
    );
    assert!(a.zipped);
    assert_eq!(a.size, 388_347);
    let expected = "8385739ec4a4ed36d71eabcaead629641ffc5ffff3d487ff5c34d2f821c9f36e";
    assert_eq!(a.sha256.to_string(), expected);
    let stored = store.get("209").expect("stored attachment");
    assert_eq!(Sha256::of(stored), a.sha256);
    assert!(
        stored.starts_with(b"<?xml"),
        "the zip's entry is itself an edXML file"
    );
}

#[test]
fn update_sample_reads_its_receiver_changes() {
    let (pkg, _) = read_ok(&sample("edoc_update.edxml"));
    let d = document(&pkg);
    assert_eq!(d.to.len(), 3);
    let b = d.business.as_ref().expect("business block");
    assert_eq!(b.action, Some(BusinessAction::Update));
    let info = b.document_info.as_ref().expect("BussinessDocumentInfo");
    assert_eq!(
        (info.document_info.as_str(), info.document_receiver.as_str()),
        ("1", "1")
    );
    let changes: Vec<_> = info
        .receivers
        .iter()
        .map(|r| {
            (
                r.organ_id.as_ref().map(ToString::to_string),
                r.change.clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                Some("000.00.00.H41".to_owned()),
                Some(ReceiverChange::Removed)
            ),
            (
                Some("000.00.00.H14".to_owned()),
                Some(ReceiverChange::Added)
            ),
        ]
    );
}

#[test]
fn status_sample_reads_as_a_status_package() {
    let (pkg, _) = read_ok(&sample("status_processing_05.edxml"));
    let Package::Status(s) = &pkg else {
        panic!("expected a status package")
    };
    assert_eq!(s.status_code, Some(StatusCode::Processing));
    assert_eq!(s.description, "Đang xử lý văn bản đến");
    assert_eq!(
        s.timestamp.as_ref().map(ToString::to_string).as_deref(),
        Some("2015/09/20 11:08:36")
    );
    let rf = s.response_for.as_ref().expect("ResponseFor");
    assert_eq!(rf.code, "7816/VPCP-TTĐT");
    assert_eq!(
        rf.document_id.as_ref().map(DocumentId::as_str),
        Some("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
    );
    assert_eq!(
        s.staff.as_ref().map(|x| x.department.as_str()),
        Some("Phong hanh chinh")
    );
}

#[test]
fn sdk_samples_report_exactly_their_known_defects() {
    use Severity::{Error, Warning};
    let check = |name: &str| {
        let (pkg, _) = read_ok(&sample(name));
        summary(&validate(&pkg, &ctx()))
    };
    let s = |p: &str, r: &'static str, sev| (p.to_owned(), r, sev);
    // edoc_new: the trace predates the document; a new document names a target whose date,
    // 2014/02/30, does not exist. Only warnings: a new document's target is ignored.
    assert_eq!(
        check("edoc_new.edxml"),
        [
            s(
                "TraceHeaderList/TraceHeader[1]/Timestamp",
                "time-order",
                Warning
            ),
            s(
                "TraceHeaderList/Bussiness/DocumentId",
                "business-target",
                Warning
            ),
            s(
                "TraceHeaderList/Bussiness/DocumentId",
                "document-id-format",
                Warning
            ),
        ]
    );
    // edoc_update: its own DocumentId's date (2015/09/30) disagrees with PromulgationDate
    // (2018/09/28); the updated document is named with the impossible date 2014/02/30 (an
    // error: an update must identify its target); the added receiver H14 is not in To.
    assert_eq!(
        check("edoc_update.edxml"),
        [
            s("MessageHeader/DocumentId", "document-id-mismatch", Warning),
            s(
                "TraceHeaderList/Bussiness/DocumentId",
                "document-id-format",
                Error
            ),
            s(
                "TraceHeaderList/Bussiness/BussinessDocumentInfo/ReceiverList/Receiver[2]/OrganId",
                "receiver-changes",
                Warning
            ),
        ]
    );
    // status_processing_05: "processing" on 2015/09/20, ten days before the answered document
    // was issued (2015/09/30).
    assert_eq!(
        check("status_processing_05.edxml"),
        [s("MessageHeader/Timestamp", "time-order", Warning)]
    );
}

#[test]
fn problems_carry_the_value_seen_and_an_actionable_message() {
    let (pkg, _) = read_ok(&sample("edoc_update.edxml"));
    let problems = validate(&pkg, &ctx());
    let p = problems
        .iter()
        .find(|p| p.rule == Rule::DocumentIdFormat)
        .expect("format problem");
    assert_eq!(
        p.value.as_deref(),
        Some("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT")
    );
    assert!(
        p.message.contains("2014/02/30") && p.message.contains("not a valid date"),
        "{}",
        p.message
    );
}

#[test]
fn canonical_form_is_a_fixed_point_for_every_sample() {
    for name in [
        "edoc_new.edxml",
        "edoc_update.edxml",
        "status_processing_05.edxml",
    ] {
        let (pkg, store) = read_ok(&sample(name));
        let once = write_vec(&pkg, &store);
        let (again, store2) = read_ok(&once);
        assert_eq!(
            again, pkg,
            "{name}: the canonical form reads back to the same package"
        );
        assert_eq!(
            write_vec(&again, &store2),
            once,
            "{name}: write(read(write(x))) == write(x)"
        );
    }
}

#[test]
fn canonical_form_prefixes_every_envelope_element_and_follows_the_spec_order() {
    let (pkg, store) = read_ok(&sample("edoc_new.edxml"));
    let text = String::from_utf8(write_vec(&pkg, &store)).expect("UTF-8");
    assert!(text.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">\n"
    ));
    let envelope = &text
        [text.find("<edXML:edXMLEnvelope").unwrap()..text.find("</edXML:edXMLEnvelope>").unwrap()];
    for tag in envelope.split('<').skip(1) {
        assert!(
            tag.starts_with("edXML:") || tag.starts_with("/edXML:"),
            "unprefixed element <{tag}"
        );
    }
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("missing {s}"));
    // §4.3 numbered order: Code (1.3) … ToPlaces (1.10), OtherInfo (1.11) … DocumentId (1.14).
    let order = [
        "<edXML:From>",
        "<edXML:To>",
        "<edXML:Code>",
        "<edXML:PromulgationInfo>",
        "<edXML:DocumentType>",
        "<edXML:Subject>",
        "<edXML:Content>",
        "<edXML:SignerInfo>",
        "<edXML:DueDate/>",
        "<edXML:ToPlaces>",
        "<edXML:OtherInfo>",
        "<edXML:SteeringType>",
        "<edXML:DocumentId>",
        "<edXML:TraceHeaderList>",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} must precede {}", w[0], w[1]);
    }
    assert!(text.contains("<edXML:PromulgationDate>2020/10/30</edXML:PromulgationDate>"));
    assert!(
        text.contains("<edXML:Bussiness>")
            && text.contains("<edXML:BussinessDocType>0</edXML:BussinessDocType>")
    );
    assert!(text.contains("<edXML:edXMLManifest version=\"1.0\">"));
    assert!(
        !text.contains("<Signature"),
        "the placeholder signature is not carried over"
    );
    assert!(text.contains(
        "      <edXML:ContentTransferEncoded xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">UEsDB"
    ));
    assert!(pos("</edXML:edXMLEnvelope>") < pos("<AttachmentEncoded>"));
    assert!(text.ends_with("  </AttachmentEncoded>\n</edXML>\n"));
}

#[test]
fn status_packages_are_written_as_message_header() {
    let bkav_style = String::from_utf8(sample("status_processing_05.edxml"))
        .expect("UTF-8")
        .replace("edXML:MessageHeader>", "edXML:Status>");
    let (pkg, store) = read_ok(bkav_style.as_bytes());
    assert!(
        matches!(pkg, Package::Status(_)),
        "a <Status> block is a status package (§7.1)"
    );
    let text = String::from_utf8(write_vec(&pkg, &store)).expect("UTF-8");
    assert!(text.contains("<edXML:MessageHeader>") && !text.contains("<edXML:Status>"));
    assert!(!text.contains("edXMLBody"), "status packages have no body");
}

#[test]
fn dotnet_style_variant_reads_like_the_java_one() {
    let data = b"%PDF-1.7 fake pdf bytes";
    let b64 = base64_encode(data);
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
<edXML:edXMLHeader>
<edXML:MessageHeader>
<edXML:DocumentId>000.00.00.G22,2018-09-28,7816/VPCP-TTĐT</edXML:DocumentId>
<edXML:To><edXML:OrganId> 000.00.00.H41 </edXML:OrganId></edXML:To>
<edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From>
<edXML:PromulgationInfo><edXML:PromulgationDate>2018-09-28T10:15:00+07:00</edXML:PromulgationDate></edXML:PromulgationInfo>
<edXML:Code><edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation><edXML:CodeNumber>7816</edXML:CodeNumber></edXML:Code>
<edXML:Subject>A &amp; B &lt;b&gt; <!-- note -->&#x110;&#7843;ng</edXML:Subject>
<edXML:DueDate/>
</edXML:MessageHeader>
<edXML:TraceHeaderList id="a1b2c3d4" version="1.0" mustUnderstand="1" actor="http://schemas.xmlsoap.org/soap/actor/next">
<edXML:Business><edXML:BusinessDocType>3</edXML:BusinessDocType>
<edXML:ReplacementInfoList><edXML:ReplacementInfo><edXML:DocumentId>000.00.00.G22,2018/09/01,7000/VPCP-TTĐT</edXML:DocumentId>
<edXML:OrganIdList><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:OrganIdList></edXML:ReplacementInfo></edXML:ReplacementInfoList>
</edXML:Business>
</edXML:TraceHeaderList>
<edXML:DigitalSignature/>
</edXML:edXMLHeader>
<edXML:edXMLBody><edXML:edXMLManifest version="1.0">
<edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:f1" xlink:role="XLinkRole" xlink:type="simple">
<edXML:Description>Tệp 1</edXML:Description><edXML:AttachmentName>quyet-dinh.pdf</edXML:AttachmentName>
<edXML:ContentType>application/pdf</edXML:ContentType><edXML:ContentId>f1</edXML:ContentId>
</edXML:Reference>
</edXML:edXMLManifest></edXML:edXMLBody>
</edXML:edXMLEnvelope>
<AttachmentEncoded><Attachment>
<ContentType>application/pdf</ContentType><ContentId>f1</ContentId><Description>Tệp 1</Description>
<ContentTransferEncoded>{b64}</ContentTransferEncoded>
<AttachmentName>quyet-dinh.pdf</AttachmentName>
</Attachment></AttachmentEncoded>
</edXML>"#
    );
    let (pkg, store) = read_ok(xml.as_bytes());
    let d = document(&pkg);
    assert_eq!(
        d.to[0].organ_id.as_ref().map(OrganId::as_str),
        Some("000.00.00.H41")
    );
    assert_eq!(
        d.promulgation
            .date
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("2018/09/28")
    );
    assert_eq!(
        (d.code.number.as_str(), d.code.notation.as_str()),
        ("7816", "VPCP-TTĐT")
    );
    assert_eq!(d.subject, "A & B <b> Đảng");
    let b = d.business.as_ref().expect("Business spelling accepted");
    assert_eq!(b.action, Some(BusinessAction::Replace));
    assert_eq!(b.replacements.len(), 1);
    assert_eq!(b.replacements[0].organ_ids.len(), 1);
    let a = &d.attachments[0];
    assert_eq!(
        (a.content_id.as_str(), a.name.as_str(), a.zipped),
        ("f1", "quyet-dinh.pdf", false)
    );
    assert_eq!(store.get("f1"), Some(&data[..]));
    assert!(
        validate(&pkg, &ctx())
            .iter()
            .all(|p| p.severity == Severity::Warning),
        "{:?}",
        validate(&pkg, &ctx())
    );
}

#[test]
fn zip_label_on_a_zip_file_or_on_plain_bytes_stores_the_bytes_as_sent() {
    for (name, content) in [
        ("bundle.zip", &b"PK\x03\x04 whatever"[..]),
        ("note.txt", &b"plain text, not a zip"[..]),
    ] {
        let mut doc = minimal_document();
        let mut store = MemorySink::new();
        store.insert("a1", content.to_vec());
        doc.attachments.push(Attachment {
            content_id: "a1".into(),
            name: name.into(),
            description: String::new(),
            content_type: "application/zip".into(),
            format: None,
            size: content.len() as u64,
            sha256: Sha256::of(content),
            zipped: false,
        });
        let bytes = write_vec(&Package::Document(Box::new(doc)), &store);
        let (pkg, back) = read_ok(&bytes);
        assert!(!document(&pkg).attachments[0].zipped, "{name}");
        assert_eq!(back.get("a1"), Some(content), "{name}");
    }
}

#[test]
fn corrupt_zip_attachment_is_an_error_naming_the_attachment() {
    let text = String::from_utf8(sample("edoc_new.edxml")).expect("UTF-8");
    // Flip base64 symbols deep inside the deflate stream.
    let at = text.find("UEsDB").expect("zip content") + 4000;
    let mut bytes = text.into_bytes();
    for b in &mut bytes[at..at + 40] {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    let err = read_bytes(&bytes, &mut NullSink, &Limits::default()).expect_err("corrupt zip");
    assert!(matches!(err.kind, ReadErrorKind::Zip(_)), "{err}");
    assert!(
        err.path.ends_with("Attachment/ContentTransferEncoded"),
        "{}",
        err.path
    );
}

/// Records the largest single write, to prove attachments stream in bounded chunks.
#[derive(Default)]
struct ChunkProbe {
    largest: usize,
    total: u64,
    finished: Option<(Sha256, u64)>,
}

struct ProbeWriter<'a>(&'a mut ChunkProbe);

impl Write for ProbeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.largest = self.0.largest.max(buf.len());
        self.0.total += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AttachmentWriter for ProbeWriter<'_> {
    fn finish(self: Box<Self>, sha256: &Sha256, size: u64) -> io::Result<()> {
        self.0.finished = Some((*sha256, size));
        Ok(())
    }
}

impl AttachmentSink for ChunkProbe {
    fn begin(&mut self, _: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        Ok(Box::new(ProbeWriter(self)))
    }
}

#[test]
fn attachments_reach_the_sink_in_bounded_chunks_with_their_digest() {
    // 6 MiB, wrapped at 76 columns with CRLF as MIME encoders do.
    let data: Vec<u8> = (0..6u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let b64 = base64_encode(&data);
    let wrapped: String = b64
        .as_bytes()
        .chunks(76)
        .map(|l| format!("{}\r\n", String::from_utf8_lossy(l)))
        .collect();
    let mut doc = minimal_document();
    let mut store = MemorySink::new();
    store.insert("big", vec![]);
    doc.attachments.push(Attachment {
        content_id: "big".into(),
        name: "big.pdf".into(),
        description: String::new(),
        content_type: "application/pdf".into(),
        format: None,
        size: 0,
        sha256: Sha256::of(b""),
        zipped: false,
    });
    let canonical =
        String::from_utf8(write_vec(&Package::Document(Box::new(doc)), &store)).expect("UTF-8");
    let xml = canonical.replace(
        "QCVN_102_2016\"></edXML:ContentTransferEncoded>",
        &format!("QCVN_102_2016\">{wrapped}</edXML:ContentTransferEncoded>"),
    );
    let mut probe = ChunkProbe::default();
    let pkg = read(
        io::BufReader::with_capacity(16 * 1024, xml.as_bytes()),
        &mut probe,
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let a = &document(&pkg).attachments[0];
    assert_eq!((a.size, a.sha256), (data.len() as u64, Sha256::of(&data)));
    assert_eq!(probe.finished, Some((a.sha256, a.size)));
    assert_eq!(probe.total, data.len() as u64);
    assert!(
        probe.largest <= 64 * 1024,
        "largest write {} bytes",
        probe.largest
    );
}

#[test]
fn every_limit_is_enforced_with_its_name() {
    let bytes = sample("edoc_update.edxml");
    let cases: [(&str, Limits); 7] = [
        (
            "nesting depth",
            Limits {
                max_depth: 5,
                ..Limits::default()
            },
        ),
        (
            "number of elements",
            Limits {
                max_elements: 50,
                ..Limits::default()
            },
        ),
        (
            "text of one element",
            Limits {
                max_text_bytes: 40,
                ..Limits::default()
            },
        ),
        (
            "number of attachments",
            Limits {
                max_attachments: 0,
                ..Limits::default()
            },
        ),
        (
            "package size",
            Limits {
                max_input_bytes: 10_000,
                ..Limits::default()
            },
        ),
        (
            "decoded size of one attachment",
            Limits {
                max_attachment_bytes: 1000,
                ..Limits::default()
            },
        ),
        (
            "number of attributes",
            Limits {
                max_attributes: 0,
                ..Limits::default()
            },
        ),
    ];
    for (what, limits) in cases {
        let err = read_bytes(&bytes, &mut NullSink, &limits).expect_err(what);
        match &err.kind {
            ReadErrorKind::Limit { what: w, .. } => assert!(w.contains(what), "{what}: {err}"),
            _ => panic!("{what}: expected a limit error, got {err}"),
        }
    }
    let long_tag = format!("<edXML xmlns=\"{NAMESPACE}\" a=\"{}\"/>", "x".repeat(5000));
    let limits = Limits {
        max_markup_bytes: 1024,
        ..Limits::default()
    };
    let err = read_bytes(long_tag.as_bytes(), &mut NullSink, &limits).expect_err("markup");
    assert!(
        matches!(err.kind, ReadErrorKind::Limit { what, .. } if what.contains("markup")),
        "{err}"
    );
}

#[test]
fn read_errors_give_the_byte_offset_and_element_path() {
    let text = String::from_utf8(sample("status_processing_05.edxml")).expect("UTF-8");
    let bad = text.replace(
        "<edXML:StatusCode>05</edXML:StatusCode>",
        "<edXML:StatusCode>05</edXML:Status>",
    );
    let err =
        read_bytes(bad.as_bytes(), &mut NullSink, &Limits::default()).expect_err("mismatched tag");
    assert_eq!(
        err.path,
        "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/StatusCode"
    );
    let at = bad.find("</edXML:Status>").expect("tag") as u64;
    assert!(
        err.offset >= at && err.offset <= at + 16,
        "offset {} near {at}",
        err.offset
    );
    assert!(
        err.to_string()
            .starts_with(&format!("byte {}, edXML/", err.offset)),
        "{err}"
    );
}

#[test]
fn writer_refuses_characters_xml_cannot_carry_and_keeps_carriage_returns() {
    let mut doc = minimal_document();
    doc.subject = "line one\r\nline two".into();
    let pkg = Package::Document(Box::new(doc.clone()));
    let bytes = write_vec(&pkg, &MemorySink::new());
    assert!(String::from_utf8_lossy(&bytes).contains("line one&#13;\nline two"));
    assert_eq!(read_ok(&bytes).0, pkg);
    doc.subject = "bell \u{7}".into();
    let err = write_to_vec(&Package::Document(Box::new(doc)), &MemorySink::new())
        .expect_err("control char");
    assert!(
        matches!(
            err,
            WriteError::ForbiddenChar {
                field: "Subject",
                code: 7
            }
        ),
        "{err}"
    );
}

#[test]
fn writer_detects_an_attachment_that_does_not_match_the_store() {
    let (pkg, mut store) = read_ok(&sample("edoc_new.edxml"));
    store.insert("209", b"something else".to_vec());
    let err = write_to_vec(&pkg, &store).expect_err("mismatch");
    assert!(
        matches!(err, WriteError::AttachmentMismatch { .. }),
        "{err}"
    );
    let err = write_to_vec(&pkg, &MemorySink::new()).expect_err("missing");
    assert!(matches!(err, WriteError::Source { .. }), "{err}");
}

#[test]
fn packages_serialize_to_json_with_domain_values_as_strings() {
    let (pkg, _) = read_ok(&sample("status_processing_05.edxml"));
    let json = serde_json::to_value(&pkg).expect("json");
    assert_eq!(json["kind"], "status");
    assert_eq!(json["status_code"], "05");
    assert_eq!(json["timestamp"], "2015/09/20 11:08:36");
    let back: Package = serde_json::from_value(json).expect("back");
    assert_eq!(back, pkg);
}

fn base64_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(sample("status_processing_05.edxml"));
    assert_eq!(
        read_ok(&bytes).0,
        read_ok(&sample("status_processing_05.edxml")).0
    );
}
