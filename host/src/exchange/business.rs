//! Documents and their business actions (reference §8): a new document goes to its receivers;
//! a revoke (type 1), update (2) or replace (3) also acts on the document it names, whose
//! timeline then tells the whole story.
//!
//! - Revoke: pending, not yet fetched deliveries of the target are cancelled; receivers that
//!   have it are asked (the package goes to them) and answer 15/16.
//! - Update: receivers added by the update get it (they did not have the document); removed
//!   receivers get a revocation (a 13 status the hub issues in the sender's name) and their
//!   pending deliveries of the target are cancelled.
//! - Replace: the replaced documents' receipts are marked, their timelines show the replacement.

use std::collections::HashMap;

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::audit::{self, Event};
use super::commit::Batch;
use super::error::IngestError;
use super::ingest::{self, Facts};
use super::route::Route;
use super::spool::Spooled;
use super::{Caller, Exchange, Receipt, UnknownReceivers, doc_key, new_transport_id};
use crate::edxml::{
    BusinessAction, DocumentId, EdDateTime, Package, ReceiverChange, ResponseFor, Status,
    StatusCode,
};
use crate::edxml::{Problem, Rule, Severity};
use crate::policy::{self, AttachmentScan};
use crate::store::Tx;
use crate::store::script::Script;

/// The stored document a business action or status refers to.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub package_id: i64,
    pub sender: String,
    pub document_id: String,
}

/// Finds the stored document `document_id` sent by `sender`.
pub(crate) async fn find_document(
    conn: &mut AnyConnection,
    sender: &str,
    document_id: &str,
) -> Result<Option<Origin>, IngestError> {
    let row = sqlx::query("SELECT id FROM packages WHERE dedupe_key = $1")
        .bind(format!("doc\u{1f}{sender}\u{1f}{document_id}"))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some(Origin {
            package_id: r.try_get("id")?,
            sender: sender.to_owned(),
            document_id: document_id.to_owned(),
        }),
        None => None,
    })
}

/// Marks the revoke/update sub-state of `receivers` of `origin`.
async fn mark_change(
    conn: &mut AnyConnection,
    origin: i64,
    receivers: &[String],
    change: &str,
) -> Result<(), IngestError> {
    // In receiver order, like ingest's inserts: the report rollups' rows (migration 0004) that
    // their triggers update are then locked in one order, so concurrent transactions on
    // PostgreSQL do not deadlock on them (decision 0029).
    let mut receivers: Vec<&String> = receivers.iter().collect();
    receivers.sort_unstable();
    for r in receivers {
        sqlx::query("UPDATE receipts SET change = $1 WHERE package_id = $2 AND receiver = $3")
            .bind(change)
            .bind(origin)
            .bind(r)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Cancels the still-pending deliveries of `origin` to `receivers`; returns who was cancelled.
pub(crate) async fn cancel_pending(
    conn: &mut AnyConnection,
    origin: i64,
    receivers: Option<&[String]>,
) -> Result<Vec<String>, IngestError> {
    let rows = sqlx::query(
        "SELECT id, receiver FROM deliveries WHERE package_id = $1 AND state = 'pending'",
    )
    .bind(origin)
    .fetch_all(&mut *conn)
    .await?;
    let mut cancelled = Vec::new();
    for row in rows {
        let receiver: String = row.try_get("receiver")?;
        if receivers.is_some_and(|rs| !rs.contains(&receiver)) {
            continue;
        }
        let id: String = row.try_get("id")?;
        sqlx::query(
            "UPDATE deliveries SET state = 'cancelled' WHERE id = $1 AND state = 'pending'",
        )
        .bind(&id)
        .execute(&mut *conn)
        .await?;
        cancelled.push(receiver);
    }
    Ok(cancelled)
}

/// The receivers that have (or were sent) `origin`.
pub(crate) async fn receivers_of(
    conn: &mut AnyConnection,
    origin: i64,
) -> Result<Vec<String>, IngestError> {
    let rows = sqlx::query("SELECT receiver FROM receipts WHERE package_id = $1 ORDER BY receiver")
        .bind(origin)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("receiver"))
        .collect::<Result<_, _>>()?)
}

impl Exchange {
    /// Stores and routes a document package inside `tx`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn accept_document(
        &self,
        tx: &mut Tx,
        batch: &mut Batch,
        caller: Option<&Caller>,
        package: &Package,
        files: &HashMap<String, Spooled>,
        scans: &[AttachmentScan],
        decision: &policy::Decision,
        facts: &Facts,
        transport_id: &str,
    ) -> Result<Receipt, IngestError> {
        let Package::Document(d) = package else {
            return Err(IngestError::Internal("not a document".into()));
        };
        let business = d.business.as_ref();
        let action = business
            .and_then(|b| b.action.clone())
            .unwrap_or(BusinessAction::New);

        // The document a revoke, update or replace acts on, if this hub carried it.
        let target = match (&action, business.and_then(|b| b.document_id.as_ref())) {
            (
                BusinessAction::Revoke | BusinessAction::Update | BusinessAction::Replace,
                Some(t),
            ) => find_document(tx, &facts.sender, t.as_str()).await?,
            _ => None,
        };
        if matches!(
            action,
            BusinessAction::Revoke | BusinessAction::Update | BusinessAction::Replace
        ) && target.is_none()
        {
            tracing::info!(document = %facts.document_id, "business action names a document this hub has not carried; routed as sent");
        }

        // Receivers: the To list, plus any receiver an update adds.
        let mut codes: Vec<String> =
            d.to.iter()
                .filter_map(|o| o.organ_id.as_ref().map(|o| o.to_string()))
                .collect();
        let mut added = Vec::new();
        let mut removed = Vec::new();
        if action == BusinessAction::Update
            && let Some(info) = business.and_then(|b| b.document_info.as_ref())
        {
            for r in &info.receivers {
                let Some(code) = r.organ_id.as_ref().map(|o| o.to_string()) else {
                    continue;
                };
                match r.change {
                    Some(ReceiverChange::Added) => {
                        if !codes.contains(&code) {
                            codes.push(code.clone());
                        }
                        added.push(code);
                    }
                    Some(ReceiverChange::Removed) => {
                        codes.retain(|c| c != &code);
                        removed.push(code);
                    }
                    _ => {}
                }
            }
        }
        let (routes, unknown) = self.routes(tx, batch.generation, &codes, caller).await?;
        // A package from the upstream axis lists every receiver in To (§2); this hub keeps
        // the ones it hosts.
        let keep_known = self.settings.unknown_receivers == UnknownReceivers::AcceptKnown
            || self.is_upstream(tx, caller).await?;
        if !unknown.is_empty() && (!keep_known || routes.is_empty()) {
            return Err(IngestError::UnknownReceivers(unknown));
        }

        // Everything the package writes goes to the store as one script: on SQLite one round
        // trip for the package, its attachments, figures, deliveries, receipts and audit entry
        // (decision 0017). On PostgreSQL the audit entry comes last: it locks the chain's head
        // until commit, so nothing else may run between that lock and the commit.
        let mut script = Script::new();
        let package_id = ingest::insert_package(
            tx,
            batch,
            &mut script,
            facts,
            package,
            transport_id,
            caller.map(|c| c.endpoint_id),
            target.as_ref().map(|t| t.package_id),
        )
        .await?;
        ingest::attachments_into(tx, &mut script, package_id, package, files).await?;
        policy::record_into(&mut script, package_id, &facts.sender, decision, scans);
        let deliveries = ingest::deliveries_into(&mut script, package_id, &routes);
        ingest::receipts_into(&mut script, package_id, &routes);
        audit::append_after(
            &self.store,
            tx,
            &mut batch.head,
            script,
            Event {
                event: "accepted",
                package_id: Some(package_id),
                document: Some(&facts.doc_key),
                receiver: None,
                detail: json!({
                    "kind": "document",
                    "action": action.code(),
                    "transport_id": transport_id,
                    "endpoint": caller.map(|c| c.name.as_str()),
                    "subject": facts.subject,
                    "deliveries": deliveries.iter().map(|d| json!({"id": d.id, "receiver": d.receiver, "endpoint": d.endpoint})).collect::<Vec<_>>(),
                    "unknown_receivers": unknown,
                    "policy": {
                        "type": decision.doc_type.as_ref().map(|t| &t.code),
                        "paper": decision.paper,
                        "pdfs": decision.pdfs,
                        "signed_pdfs": decision.signed_pdfs,
                        "flag": decision.flag,
                        "signatures": scans.iter().map(|s| json!({"attachment": s.name, "signatures": s.scan.signatures})).collect::<Vec<_>>(),
                    },
                }),
            },
        )
        .await?;

        if let Some(target) = &target {
            self.act_on_target(
                tx, batch, package_id, facts, &action, target, &added, &removed, d,
            )
            .await?;
        }

        Ok(Receipt {
            package_id,
            transport_id: transport_id.to_owned(),
            kind: "document".into(),
            sender: facts.sender.clone(),
            document_id: facts.document_id.clone(),
            duplicate: false,
            deliveries,
            unknown_receivers: unknown,
            ignored: None,
            warnings: decision
                .flag
                .as_ref()
                .map(|flag| Problem {
                    path: "edXMLBody/edXMLManifest".into(),
                    rule: Rule::UnsignedAttachment,
                    message: format!(
                        "{flag}; the operator's policy flags documents that are scanned, not signed"
                    ),
                    value: None,
                    severity: Severity::Warning,
                })
                .into_iter()
                .collect(),
        })
    }

    /// Applies a revoke, update or replace to the document it names.
    #[allow(clippy::too_many_arguments)]
    async fn act_on_target(
        &self,
        tx: &mut Tx,
        batch: &mut Batch,
        package_id: i64,
        facts: &Facts,
        action: &BusinessAction,
        target: &Origin,
        added: &[String],
        removed: &[String],
        d: &crate::edxml::Document,
    ) -> Result<(), IngestError> {
        match action {
            BusinessAction::Revoke => {
                let cancelled = cancel_pending(tx, target.package_id, None).await?;
                let all = receivers_of(tx, target.package_id).await?;
                mark_change(tx, target.package_id, &all, "13").await?;
                self.audit_target(
                    tx,
                    batch,
                    target,
                    package_id,
                    "revoke-requested",
                    json!({ "by": facts.document_id, "cancelled_before_delivery": cancelled }),
                )
                .await?;
            }
            BusinessAction::Update => {
                let cancelled = cancel_pending(tx, target.package_id, Some(removed)).await?;
                let all = receivers_of(tx, target.package_id).await?;
                let kept: Vec<String> = all
                    .iter()
                    .filter(|r| !removed.contains(r))
                    .cloned()
                    .collect();
                mark_change(tx, target.package_id, &kept, "update").await?;
                mark_change(tx, target.package_id, removed, "13").await?;
                // Removed receivers that may hold the document get a revocation in the sender's name.
                let to_revoke: Vec<String> = removed
                    .iter()
                    .filter(|r| !cancelled.contains(r))
                    .cloned()
                    .collect();
                if !to_revoke.is_empty() {
                    self.issue_revocation(tx, batch, target, &to_revoke, d, &facts.document_id)
                        .await?;
                }
                self.audit_target(
                    tx,
                    batch,
                    target,
                    package_id,
                    "updated",
                    json!({ "by": facts.document_id, "added": added, "removed": removed, "cancelled_before_delivery": cancelled }),
                )
                .await?;
            }
            BusinessAction::Replace => {
                let replaced: Vec<(String, Vec<String>)> = d
                    .business
                    .as_ref()
                    .map(|b| {
                        b.replacements
                            .iter()
                            .filter_map(|r| {
                                Some((
                                    r.document_id.as_ref()?.to_string(),
                                    r.organ_ids.iter().map(|o| o.to_string()).collect(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                for (doc, organs) in &replaced {
                    if let Some(old) = find_document(tx, &facts.sender, doc).await? {
                        mark_change(tx, old.package_id, organs, "replaced").await?;
                        if old.package_id != target.package_id {
                            self.audit_target(
                                tx,
                                batch,
                                &old,
                                package_id,
                                "replaced",
                                json!({ "by": facts.document_id }),
                            )
                            .await?;
                        }
                    }
                }
                let all = receivers_of(tx, target.package_id).await?;
                mark_change(tx, target.package_id, &all, "replaced").await?;
                self.audit_target(tx, batch, target, package_id, "replaced", json!({ "by": facts.document_id, "replaced": replaced.iter().map(|r| &r.0).collect::<Vec<_>>() })).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn audit_target(
        &self,
        tx: &mut Tx,
        batch: &mut Batch,
        target: &Origin,
        by: i64,
        event: &str,
        detail: serde_json::Value,
    ) -> Result<(), IngestError> {
        let key = doc_key(&target.sender, &target.document_id);
        audit::append_after(
            &self.store,
            tx,
            &mut batch.head,
            Script::new(),
            Event {
                event,
                package_id: Some(by),
                document: Some(&key),
                receiver: None,
                detail,
            },
        )
        .await?;
        Ok(())
    }

    /// Issues a revocation (status 13) of `target` in its sender's name to `receivers`.
    async fn issue_revocation(
        &self,
        tx: &mut Tx,
        batch: &mut Batch,
        target: &Origin,
        receivers: &[String],
        update: &crate::edxml::Document,
        update_id: &str,
    ) -> Result<(), IngestError> {
        let now = chrono::Utc::now() + chrono::Duration::hours(7);
        let target_id: Option<DocumentId> = target.document_id.parse().ok();
        let status = Status {
            from: update.from.clone(),
            response_for: Some(ResponseFor {
                organ_id: update.from.organ_id.clone(),
                code: target_id
                    .as_ref()
                    .and_then(|t| t.parts())
                    .map(|p| p.notation.to_owned())
                    .unwrap_or_default(),
                promulgation_date: None,
                document_id: target_id,
            }),
            staff: update.business.as_ref().and_then(|b| b.staff.clone()),
            status_code: Some(StatusCode::RevokeRequested),
            description: format!(
                "Thu hồi: đơn vị không còn là nơi nhận theo văn bản cập nhật {update_id}"
            ),
            timestamp: Some(EdDateTime::Valid(now.naive_utc())),
            traces: Vec::new(),
        };
        let package = Package::Status(Box::new(status));
        let mut facts = ingest::Facts::of(&package)?;
        // One revocation per update: the update's id makes the key unique.
        facts.dedupe_key = format!("{}\u{1f}by\u{1f}{update_id}", facts.dedupe_key);
        let (routes, _unknown) = self.routes(tx, batch.generation, receivers, None).await?;
        let mut script = Script::new();
        let package_id = ingest::insert_package(
            tx,
            batch,
            &mut script,
            &facts,
            &package,
            &new_transport_id(),
            None,
            Some(target.package_id),
        )
        .await?;
        let deliveries = ingest::deliveries_into(&mut script, package_id, &routes);
        audit::append_after(
            &self.store,
            tx,
            &mut batch.head,
            script,
            Event {
                event: "revocation-issued",
                package_id: Some(package_id),
                document: Some(&doc_key(&target.sender, &target.document_id)),
                receiver: None,
                detail: json!({ "status": "13", "by_update": update_id, "deliveries": deliveries.iter().map(|d| json!({"id": d.id, "receiver": d.receiver})).collect::<Vec<_>>() }),
            },
        )
        .await?;
        Ok(())
    }
}

impl Exchange {
    /// Routes to one agency's endpoint (or upstream), or explains why there is none.
    pub(crate) async fn route_to(
        &self,
        conn: &mut AnyConnection,
        generation: Option<i64>,
        agency: &str,
        caller: Option<&Caller>,
    ) -> Result<Vec<Route>, IngestError> {
        let (routes, unknown) = self
            .routes(conn, generation, &[agency.to_owned()], caller)
            .await?;
        if !unknown.is_empty() {
            return Err(IngestError::UnknownReceivers(unknown));
        }
        Ok(routes)
    }
}
