//! A small world for exchange tests: four agencies on four endpoints, and builders for the
//! packages they send.

#![allow(dead_code)]

use sqlx::Row;
use truc::edxml::{
    self, Attachment, Business, BusinessAction, Code, Document, DocumentType, EdDate, EdDateTime,
    MemorySink, Organ, Package, PromulgationInfo, ResponseFor, Sha256, StaffInfo, Status,
    StatusCode,
};
use truc::exchange::{Caller, Exchange, ExchangeSettings, Receipt};
use truc::store::{Store, now_ms};

/// Văn phòng Chính phủ.
pub const G22: &str = "000.00.00.G22";
/// UBND Tỉnh Nghệ An.
pub const H41: &str = "000.00.00.H41";
/// UBND Tỉnh Cao Bằng.
pub const H14: &str = "000.00.00.H14";
/// UBND TP Hồ Chí Minh.
pub const H29: &str = "000.00.00.H29";

/// The exchange and one caller per agency's endpoint.
pub struct World {
    pub ex: Exchange,
    pub vpcp: Caller,
    pub nghean: Caller,
    pub caobang: Caller,
    pub hcm: Caller,
}

/// Registers an endpoint hosting `agencies` directly in the store.
pub async fn endpoint(store: &Store, name: &str, mode: &str, agencies: &[&str]) -> Caller {
    let id: i64 = sqlx::query(
        "INSERT INTO endpoints (name, mode, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(mode)
    .bind(now_ms())
    .fetch_one(store.pool())
    .await
    .unwrap()
    .try_get("id")
    .unwrap();
    for code in agencies {
        sqlx::query("INSERT INTO agencies (code, name, endpoint_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(*code)
            .bind(format!("Agency {code}"))
            .bind(id)
            .bind(now_ms())
            .execute(store.pool())
            .await
            .unwrap();
    }
    Caller {
        endpoint_id: id,
        name: name.into(),
    }
}

/// The world with default settings.
pub async fn world(store: Store) -> World {
    world_with(store, ExchangeSettings::default()).await
}

/// The world with these settings.
pub async fn world_with(store: Store, settings: ExchangeSettings) -> World {
    let vpcp = endpoint(&store, "vpcp", "pull", &[G22]).await;
    let nghean = endpoint(&store, "nghean", "pull", &[H41]).await;
    let caobang = endpoint(&store, "caobang", "pull", &[H14]).await;
    let hcm = endpoint(&store, "hcm", "pull", &[H29]).await;
    World {
        ex: Exchange::new(store, settings),
        vpcp,
        nghean,
        caobang,
        hcm,
    }
}

fn organ(code: &str) -> Organ {
    Organ {
        organ_id: Some(code.parse().unwrap()),
        organ_name: format!("Cơ quan {code}"),
        ..Organ::default()
    }
}

/// Today's date in the standard's form.
pub fn today() -> String {
    let now = chrono::Utc::now() + chrono::Duration::hours(7);
    now.format("%Y/%m/%d").to_string()
}

/// The DocumentId of document `number` from `sender` issued today.
pub fn doc_id(sender: &str, number: u32) -> String {
    format!("{sender},{},{number}/VP-TTĐT", today())
}

/// A document package (model) with one small attachment; `bytes` holds the attachment.
pub fn document_model(sender: &str, to: &[&str], number: u32) -> (Package, Vec<u8>) {
    let bytes = format!("%PDF-1.7 document {number} from {sender}\n").into_bytes();
    let doc = Document {
        from: organ(sender),
        to: to.iter().map(|c| organ(c)).collect(),
        code: Code {
            number: number.to_string(),
            notation: "VP-TTĐT".into(),
        },
        promulgation: PromulgationInfo {
            place: "Hà Nội".into(),
            date: Some(EdDate::parse(&today())),
        },
        document_type: DocumentType {
            type_code: "1".into(),
            type_name: "Công văn".into(),
            type_detail: "0".into(),
        },
        subject: format!("V/v kết nối liên thông, văn bản số {number}"),
        content: "Nội dung tóm tắt".into(),
        document_id: Some(doc_id(sender, number).parse().unwrap()),
        business: Some(Business {
            action: Some(BusinessAction::New),
            reason: "Văn bản điện tử mới".into(),
            paper: "0".into(),
            staff: Some(StaffInfo {
                department: "Văn thư".into(),
                staff: "Nguyễn Thị Ngọc Trâm".into(),
                ..StaffInfo::default()
            }),
            ..Business::default()
        }),
        attachments: vec![Attachment {
            content_id: format!("f{number}"),
            name: format!("{number}.pdf"),
            description: "Văn bản".into(),
            content_type: "application/pdf".into(),
            format: None,
            size: bytes.len() as u64,
            sha256: Sha256::of(&bytes),
            zipped: false,
        }],
        ..Document::default()
    };
    (Package::Document(Box::new(doc)), bytes)
}

/// Canonical edXML bytes of a model (and its single attachment, if any).
pub fn edxml_bytes(package: &Package, attachment: Option<&[u8]>) -> Vec<u8> {
    let mut sink = MemorySink::new();
    if let (Package::Document(d), Some(bytes)) = (package, attachment) {
        sink.insert(d.attachments[0].content_id.clone(), bytes.to_vec());
    }
    edxml::write_to_vec(package, &sink).unwrap()
}

/// A new document's edXML bytes.
pub fn document(sender: &str, to: &[&str], number: u32) -> Vec<u8> {
    let (p, b) = document_model(sender, to, number);
    edxml_bytes(&p, Some(&b))
}

/// A status package's edXML bytes from `sender` about document `number` sent by `origin`.
pub fn status(sender: &str, origin: &str, number: u32, code: &str, description: &str) -> Vec<u8> {
    let now = chrono::Utc::now() + chrono::Duration::hours(7);
    let s = Status {
        from: organ(sender),
        response_for: Some(ResponseFor {
            organ_id: Some(origin.parse().unwrap()),
            code: format!("{number}/VP-TTĐT"),
            promulgation_date: Some(EdDate::parse(&today())),
            document_id: Some(doc_id(origin, number).parse().unwrap()),
        }),
        staff: Some(StaffInfo {
            department: "Văn thư".into(),
            staff: "Trần Văn Bình".into(),
            ..StaffInfo::default()
        }),
        status_code: Some(code.parse::<StatusCode>().unwrap()),
        description: description.into(),
        // A distinct time per call keeps repeated statuses distinct packages.
        timestamp: Some(EdDateTime::parse(&format!(
            "{} {}",
            now.format("%Y/%m/%d"),
            now.format("%H:%M:%S")
        ))),
        traces: Vec::new(),
    };
    edxml_bytes(&Package::Status(Box::new(s)), None)
}

/// Submits bytes as `caller`.
pub async fn send(
    ex: &Exchange,
    caller: &Caller,
    bytes: Vec<u8>,
) -> Result<Receipt, truc::exchange::IngestError> {
    ex.submit(caller, std::io::Cursor::new(bytes), None).await
}

/// Counts rows of a table.
pub async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(store.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap()
}
