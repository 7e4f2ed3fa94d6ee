//! Calling adapters: describe, decode, encode through a fresh instance each time.

use truc::bundled;
use truc::edxml::{Package, StatusCode};
use truc::runtime::{BindingSettings, Payload};

use crate::common;

#[tokio::test]
async fn a_trivial_adapter_describes_itself_and_decodes() {
    let rt = common::runtime();
    let g = common::load(&rt, bundled::TRIVIAL, BindingSettings::default()).await;
    let info = g.describe().await.unwrap();
    assert_eq!(info.name, "trivial");
    let msgs = g
        .decode(&Payload::from_bytes("text/plain", &b"05"[..]))
        .await
        .unwrap();
    assert_eq!(msgs.len(), 1);
    let Package::Status(s) = &msgs[0].package else {
        panic!("a status")
    };
    assert_eq!(s.status_code, Some(StatusCode::Processing));
    let out = g.encode(&msgs[0]).await.unwrap();
    assert_eq!(&out.body.to_bytes().unwrap()[..], b"05");
}
