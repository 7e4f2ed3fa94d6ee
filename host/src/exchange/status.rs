//! The processing-status state machine of one document at one receiver (reference §7.3):
//! `01 → 03 → 04 → 05 → 06`, skips allowed, `02` (refusal) only before acceptance and final.
//! A status that would go backwards is kept but not passed on, and logged.

use crate::edxml::StatusCode;

/// What to do with a processing status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A step forward: record it and pass it to the sender.
    Accept,
    /// Not a step forward: keep it, do not pass it on, say why.
    Ignore(String),
}

/// The position of a processing status in the lifecycle; `None` for codes outside it.
fn rank(code: &str) -> Option<u8> {
    Some(match code {
        "01" => 1,
        "03" => 2,
        "04" => 3,
        "05" => 4,
        "06" => 5,
        _ => return None,
    })
}

/// Whether `code` is one of the lifecycle statuses (01–06) that this machine orders.
pub fn is_lifecycle(code: &StatusCode) -> bool {
    matches!(code.code(), "01" | "02" | "03" | "04" | "05" | "06")
}

/// Judges status `new` given the receiver's current status (`None`: nothing yet).
pub fn judge(current: Option<&str>, new: &StatusCode) -> Verdict {
    let new = new.code();
    match (current, new) {
        (Some("02"), _) => Verdict::Ignore(format!(
            "the document was already refused (02), which is final; {new} ignored"
        )),
        (Some("06"), _) => Verdict::Ignore(format!(
            "processing was already completed (06); {new} ignored"
        )),
        (None | Some("01"), "02") => Verdict::Accept,
        (Some(cur), "02") => Verdict::Ignore(format!(
            "the document was already accepted ({cur}); it can no longer be refused (02)"
        )),
        (None, _) => Verdict::Accept,
        (Some(cur), _) => match (rank(cur), rank(new)) {
            (Some(c), Some(n)) if n > c => Verdict::Accept,
            (Some(_), Some(_)) if cur == new => {
                Verdict::Ignore(format!("status {new} was already recorded"))
            }
            (Some(_), Some(_)) => Verdict::Ignore(format!(
                "{new} would go back from {cur}; regressions are ignored"
            )),
            _ => Verdict::Accept,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(c: &str) -> StatusCode {
        c.parse().unwrap()
    }

    #[test]
    fn the_lifecycle_moves_forward_with_skips() {
        assert_eq!(judge(None, &s("01")), Verdict::Accept);
        assert_eq!(judge(Some("01"), &s("03")), Verdict::Accept);
        assert_eq!(
            judge(Some("03"), &s("05")),
            Verdict::Accept,
            "04 may be skipped"
        );
        assert_eq!(judge(Some("05"), &s("06")), Verdict::Accept);
        assert_eq!(judge(None, &s("03")), Verdict::Accept, "01 may be skipped");
    }

    #[test]
    fn regressions_and_repeats_are_ignored_with_a_reason() {
        assert!(matches!(judge(Some("05"), &s("03")), Verdict::Ignore(r) if r.contains("go back")));
        assert!(
            matches!(judge(Some("03"), &s("03")), Verdict::Ignore(r) if r.contains("already recorded"))
        );
        assert!(matches!(judge(Some("06"), &s("05")), Verdict::Ignore(_)));
    }

    #[test]
    fn refusal_is_possible_only_before_acceptance_and_is_final() {
        assert_eq!(judge(None, &s("02")), Verdict::Accept);
        assert_eq!(judge(Some("01"), &s("02")), Verdict::Accept);
        assert!(
            matches!(judge(Some("03"), &s("02")), Verdict::Ignore(r) if r.contains("no longer be refused"))
        );
        assert!(matches!(judge(Some("02"), &s("03")), Verdict::Ignore(r) if r.contains("final")));
    }
}

mod apply {
    //! Applying a status package: who may send it, what it changes, where it goes.

    use serde_json::json;
    use sqlx::Row;

    use super::{Verdict, judge};
    use crate::edxml::{Package, StatusCode};
    use crate::exchange::audit::{self, Event};
    use crate::exchange::business::{self, find_document};
    use crate::exchange::commit::Batch;
    use crate::exchange::error::IngestError;
    use crate::exchange::ingest::{self, Facts};
    use crate::exchange::{Caller, DeliveryRef, Exchange, Receipt};
    use crate::store::script::Script;
    use crate::store::{Tx, now_ms};

    impl Exchange {
        /// Stores a status package inside `tx`, applies it to the receiver's state and routes it.
        pub(crate) async fn accept_status(
            &self,
            tx: &mut Tx,
            batch: &mut Batch,
            caller: Option<&Caller>,
            package: &Package,
            facts: &Facts,
            transport_id: &str,
        ) -> Result<Receipt, IngestError> {
            let Package::Status(s) = package else {
                return Err(IngestError::Internal("not a status".into()));
            };
            let code = s
                .status_code
                .clone()
                .unwrap_or(StatusCode::Other(String::new()));
            let origin = find_document(tx, &facts.origin_sender, &facts.document_id)
                .await?
                .ok_or_else(|| IngestError::UnknownDocument {
                    sender: facts.origin_sender.clone(),
                    document_id: facts.document_id.clone(),
                })?;
            let not_allowed = |why: &str| IngestError::NotAllowed {
                agency: facts.sender.clone(),
                action: format!("send status {} about", code.code()),
                document_id: facts.document_id.clone(),
                why: why.to_owned(),
            };

            let mut ignored = None;
            // Who gets this status.
            let targets: Vec<String> = match &code {
                StatusCode::RevokeRequested => {
                    if facts.sender != origin.sender {
                        return Err(not_allowed(
                            "only the document's sender may ask to take it back (13)",
                        ));
                    }
                    // Receivers that have not fetched it yet simply never will.
                    business::cancel_pending(tx, origin.package_id, None).await?;
                    let receivers = business::receivers_of(tx, origin.package_id).await?;
                    for r in &receivers {
                        sqlx::query("UPDATE receipts SET change = '13' WHERE package_id = $1 AND receiver = $2")
                            .bind(origin.package_id)
                            .bind(r)
                            .execute(&mut **tx)
                            .await?;
                    }
                    let delivered = sqlx::query("SELECT receiver FROM deliveries WHERE package_id = $1 AND state = 'delivered'")
                        .bind(origin.package_id)
                        .fetch_all(&mut **tx)
                        .await?;
                    delivered
                        .iter()
                        .map(|r| r.try_get("receiver"))
                        .collect::<Result<_, _>>()?
                }
                _ => {
                    let row = sqlx::query("SELECT status, change FROM receipts WHERE package_id = $1 AND receiver = $2")
                        .bind(origin.package_id)
                        .bind(&facts.sender)
                        .fetch_optional(&mut **tx)
                        .await?
                        .ok_or_else(|| not_allowed("it is not a receiver of that document"))?;
                    let current: Option<String> = row.try_get("status")?;
                    match &code {
                        StatusCode::ChangeAccepted | StatusCode::ChangeRefused => {
                            sqlx::query("UPDATE receipts SET change = $1 WHERE package_id = $2 AND receiver = $3")
                                .bind(code.code())
                                .bind(origin.package_id)
                                .bind(&facts.sender)
                                .execute(&mut **tx)
                                .await?;
                        }
                        c if super::is_lifecycle(c) => match judge(current.as_deref(), c) {
                            Verdict::Accept => {
                                let now = now_ms();
                                let reason =
                                    (c == &StatusCode::Rejected).then(|| s.description.clone());
                                sqlx::query(
                                    "UPDATE receipts SET status = $1, status_at = $2, \
                                     first_status_at = COALESCE(first_status_at, $2), reason = COALESCE($3, reason) \
                                     WHERE package_id = $4 AND receiver = $5",
                                )
                                .bind(c.code())
                                .bind(now)
                                .bind(reason)
                                .bind(origin.package_id)
                                .bind(&facts.sender)
                                .execute(&mut **tx)
                                .await?;
                            }
                            Verdict::Ignore(why) => {
                                tracing::info!(document = %facts.document_id, receiver = %facts.sender, "status ignored: {why}");
                                ignored = Some(why);
                            }
                        },
                        // Codes outside the lifecycle are passed on unchanged (§7.2: keep unknown values).
                        _ => {}
                    }
                    if ignored.is_some() {
                        Vec::new()
                    } else {
                        vec![origin.sender.clone()]
                    }
                }
            };

            let mut script = Script::new();
            let package_id = ingest::insert_package(
                tx,
                batch,
                &mut script,
                facts,
                package,
                transport_id,
                caller.map(|c| c.endpoint_id),
                Some(origin.package_id),
            )
            .await?;
            let mut routes = Vec::new();
            for t in &targets {
                routes.extend(self.route_to(tx, batch.generation, t, caller).await?);
            }
            let deliveries: Vec<DeliveryRef> =
                ingest::deliveries_into(&mut script, package_id, &routes);
            audit::append_after(
                &self.store,
                tx,
                &mut batch.head,
                script,
                Event {
                    event: if ignored.is_some() { "status-ignored" } else { "status" },
                    package_id: Some(package_id),
                    document: Some(&facts.doc_key),
                    receiver: Some(&facts.sender),
                    detail: json!({
                        "code": code.code(),
                        "description": s.description,
                        "ignored": ignored,
                        "deliveries": deliveries.iter().map(|d| json!({"id": d.id, "receiver": d.receiver})).collect::<Vec<_>>(),
                    }),
                },
            )
            .await?;
            Ok(Receipt {
                package_id,
                transport_id: transport_id.to_owned(),
                kind: "status".into(),
                sender: facts.sender.clone(),
                document_id: facts.document_id.clone(),
                duplicate: false,
                deliveries,
                unknown_receivers: Vec::new(),
                ignored,
                warnings: Vec::new(),
            })
        }
    }
}
