//! Validation of a read package: every problem at once, each with its path, rule and value.
//!
//! Separate from reading on purpose: the reader accepts whatever real systems send, and the hub
//! decides here what it refuses (errors) and what it only reports (warnings).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::date::{EdDate, EdDateTime};
use super::model::{
    Attachment, Business, Document, Organ, Package, ResponseFor, Status, TraceHeader,
};
use super::problem::{Problem, Rule, Severity, ValidationContext};
use super::types::{BusinessAction, DocumentId, OrganId, OrganIdShape, ReceiverChange, StatusCode};

/// Checks `pkg` against every rule and returns all problems, errors and warnings, in package order.
pub fn validate(pkg: &Package, ctx: &ValidationContext) -> Vec<Problem> {
    let mut v = Checks {
        ctx,
        out: Vec::new(),
    };
    match pkg {
        Package::Document(d) => v.document(d),
        Package::Status(s) => v.status(s),
    }
    v.out
}

struct Checks<'c> {
    ctx: &'c ValidationContext,
    out: Vec<Problem>,
}

/// NĐ 30/2020 Annex VI maximum lengths, in characters (§4.3).
mod max_len {
    pub const ORGAN_NAME: usize = 200;
    pub const ORGAN_ADD: usize = 500;
    pub const CODE_NUMBER: usize = 11;
    pub const CODE_NOTATION: usize = 30;
    pub const SUBJECT: usize = 500;
    pub const CONTENT: usize = 500;
    pub const POSITION: usize = 100;
    pub const FULL_NAME: usize = 50;
    pub const TO_PLACES: usize = 1000;
    pub const TYPER_NOTATION: usize = 10;
    pub const ATTACHMENT_NAME: usize = 500;
}

impl Checks<'_> {
    fn push(
        &mut self,
        sev: Severity,
        path: &str,
        rule: Rule,
        message: String,
        value: Option<&str>,
    ) {
        self.out.push(Problem {
            path: path.to_owned(),
            rule,
            message,
            value: value.map(str::to_owned),
            severity: sev,
        });
    }

    fn error(&mut self, path: &str, rule: Rule, message: String, value: Option<&str>) {
        self.push(Severity::Error, path, rule, message, value);
    }

    fn warn(&mut self, path: &str, rule: Rule, message: String, value: Option<&str>) {
        self.push(Severity::Warning, path, rule, message, value);
    }

    fn required(&mut self, path: &str, what: &str) {
        self.error(
            path,
            Rule::Required,
            format!("{what} is required but missing or empty"),
            None,
        );
    }

    fn document(&mut self, d: &Document) {
        let h = "MessageHeader";
        self.organ(&format!("{h}/From"), &d.from, "the sender's agency code");
        if d.to.is_empty() {
            self.required(&format!("{h}/To"), "at least one receiver (To)");
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, to) in d.to.iter().enumerate() {
            let path = format!("{h}/To[{}]", i + 1);
            self.organ(&path, to, "the receiver's agency code");
            if let Some(id) = &to.organ_id
                && let Some(first) = seen.insert(id.as_str(), i + 1)
            {
                let msg = format!(
                    "receiver {id} is listed twice (also To[{first}]); list each receiver once"
                );
                self.error(
                    &format!("{path}/OrganId"),
                    Rule::DuplicateReceiver,
                    msg,
                    Some(id.as_str()),
                );
                seen.insert(id.as_str(), first);
            }
        }
        self.text(
            &format!("{h}/Code/CodeNumber"),
            &d.code.number,
            max_len::CODE_NUMBER,
            true,
        );
        self.text(
            &format!("{h}/Code/CodeNotation"),
            &d.code.notation,
            max_len::CODE_NOTATION,
            true,
        );
        let pdate_path = format!("{h}/PromulgationInfo/PromulgationDate");
        let promulgated = self.date(&pdate_path, d.promulgation.date.as_ref(), true);
        if let Some(date) = promulgated
            && date > self.ctx.today
        {
            let msg = format!(
                "the promulgation date is in the future (today is {}); a document is sent after it is issued",
                self.ctx.today.format("%Y/%m/%d")
            );
            self.error(
                &pdate_path,
                Rule::FutureDate,
                msg,
                Some(&date.format("%Y/%m/%d").to_string()),
            );
        }
        self.text(&format!("{h}/Subject"), &d.subject, max_len::SUBJECT, true);
        self.text(&format!("{h}/Content"), &d.content, max_len::CONTENT, false);
        self.text(
            &format!("{h}/SignerInfo/Position"),
            &d.signer.position,
            max_len::POSITION,
            false,
        );
        self.text(
            &format!("{h}/SignerInfo/FullName"),
            &d.signer.full_name,
            max_len::FULL_NAME,
            false,
        );
        let due_path = format!("{h}/DueDate");
        if let (Some(due), Some(p)) = (
            self.date(&due_path, d.due_date.as_ref(), false),
            promulgated,
        ) && due < p
        {
            let msg = "the due date precedes the promulgation date".to_owned();
            self.warn(
                &due_path,
                Rule::TimeOrder,
                msg,
                Some(&due.format("%Y/%m/%d").to_string()),
            );
        }
        let places: usize = d.to_places.iter().map(|p| p.chars().count()).sum();
        if places > max_len::TO_PLACES {
            let msg = format!(
                "the places (Nơi nhận) total {places} characters; at most {} are allowed",
                max_len::TO_PLACES
            );
            self.error(&format!("{h}/ToPlaces"), Rule::FieldLength, msg, None);
        }
        self.other_info(d);
        for (i, rf) in d.response_for.iter().enumerate() {
            self.response_for(&format!("{h}/ResponseFor[{}]", i + 1), rf, false);
        }
        self.own_document_id(d, promulgated);
        self.traces(&d.traces, promulgated);
        if let Some(b) = &d.business {
            self.business(b, d);
        }
        for (i, a) in d.attachments.iter().enumerate() {
            self.attachment(&format!("AttachmentEncoded/Attachment[{}]", i + 1), a);
        }
    }

    fn other_info(&mut self, d: &Document) {
        let o = &d.other_info;
        let p = "MessageHeader/OtherInfo";
        if let Some(pr) = &o.priority
            && !pr.is_known()
        {
            let msg = "the priority must be 0 (thường) to 4 (hỏa tốc hẹn giờ)".to_owned();
            self.error(
                &format!("{p}/Priority"),
                Rule::PriorityRange,
                msg,
                Some(pr.code()),
            );
        }
        self.text(
            &format!("{p}/TyperNotation"),
            &o.typer_notation,
            max_len::TYPER_NOTATION,
            false,
        );
        for (name, value) in [
            ("PromulgationAmount", &o.promulgation_amount),
            ("PageAmount", &o.page_amount),
        ] {
            if !value.is_empty() && value.parse::<u32>().is_err() {
                let msg = format!("{name} must be a non-negative whole number");
                self.error(&format!("{p}/{name}"), Rule::NotANumber, msg, Some(value));
            }
        }
    }

    fn own_document_id(&mut self, d: &Document, promulgated: Option<NaiveDate>) {
        let path = "MessageHeader/DocumentId";
        let Some(id) = &d.document_id else {
            return self.required(path, "the document's DocumentId");
        };
        // A malformed own id still works as a key, so it is a warning; mismatches too (§4.5).
        if !self.document_id_format(path, id, Severity::Warning) {
            return;
        }
        let Some(parts) = id.parts() else { return };
        if let Some(from) = &d.from.organ_id
            && parts.organ != from.as_str()
        {
            let msg = format!(
                "the DocumentId names agency {} but the sender (From) is {from}",
                parts.organ
            );
            self.warn(path, Rule::DocumentIdMismatch, msg, Some(id.as_str()));
        }
        if let (Some(date), Some(p)) = (parts.parsed_date(), promulgated)
            && date != p
        {
            let msg = format!(
                "the DocumentId's date {} differs from the promulgation date {}",
                date.format("%Y/%m/%d"),
                p.format("%Y/%m/%d")
            );
            self.warn(path, Rule::DocumentIdMismatch, msg, Some(id.as_str()));
        }
        let code = format!("{}/{}", d.code.number, d.code.notation);
        if !d.code.number.is_empty() && parts.notation != code {
            let msg = format!(
                "the DocumentId's number {} differs from Code {code}",
                parts.notation
            );
            self.warn(path, Rule::DocumentIdMismatch, msg, Some(id.as_str()));
        }
    }

    /// Checks the three-part form; returns whether it holds.
    fn document_id_format(&mut self, path: &str, id: &DocumentId, sev: Severity) -> bool {
        let Some(parts) = id.parts() else {
            let msg =
                "a DocumentId must read {OrganId},{yyyy/MM/dd},{number}/{notation}".to_owned();
            self.push(sev, path, Rule::DocumentIdFormat, msg, Some(id.as_str()));
            return false;
        };
        if parts.parsed_date().is_none() {
            let msg = format!("the DocumentId's date {:?} is not a valid date", parts.date);
            self.push(sev, path, Rule::DocumentIdFormat, msg, Some(id.as_str()));
            return false;
        }
        true
    }

    fn traces(&mut self, traces: &[TraceHeader], promulgated: Option<NaiveDate>) {
        for (i, t) in traces.iter().enumerate() {
            let path = format!("TraceHeaderList/TraceHeader[{}]", i + 1);
            if let Some(id) = &t.organ_id {
                self.organ_id(&format!("{path}/OrganId"), id);
            }
            let ts_path = format!("{path}/Timestamp");
            if let (Some(ts), Some(p)) = (
                self.datetime(&ts_path, t.timestamp.as_ref(), false),
                promulgated,
            ) && ts.date() < p
            {
                let msg = format!(
                    "the package passed this system before the document was issued ({})",
                    p.format("%Y/%m/%d")
                );
                self.warn(
                    &ts_path,
                    Rule::TimeOrder,
                    msg,
                    Some(&EdDateTime::Valid(ts).to_string()),
                );
            }
        }
    }

    fn business(&mut self, b: &Business, d: &Document) {
        let p = "TraceHeaderList/Bussiness";
        let target_path = format!("{p}/DocumentId");
        let action = b.action.clone().unwrap_or(BusinessAction::New);
        match &action {
            BusinessAction::New => {
                if let Some(target) = &b.document_id {
                    let msg = "a new document (BussinessDocType 0) names a target document; the target is ignored".to_owned();
                    self.warn(
                        &target_path,
                        Rule::BusinessTarget,
                        msg,
                        Some(target.as_str()),
                    );
                    self.document_id_format(&target_path, target, Severity::Warning);
                }
            }
            BusinessAction::Revoke | BusinessAction::Update | BusinessAction::Replace => {
                match &b.document_id {
                    // A replacement may name its targets in ReplacementInfoList instead (§8).
                    None if action == BusinessAction::Replace && !b.replacements.is_empty() => {}
                    None => {
                        let msg = format!(
                            "a {} (BussinessDocType {}) must name its target in Bussiness/DocumentId",
                            action_name(&action),
                            action.code()
                        );
                        self.error(&target_path, Rule::BusinessTarget, msg, None);
                    }
                    Some(target) => {
                        self.document_id_format(&target_path, target, Severity::Error);
                    }
                }
            }
            BusinessAction::Other(code) => {
                let msg = "BussinessDocType must be 0 (new), 1 (revoke), 2 (update) or 3 (replace)"
                    .to_owned();
                self.warn(
                    &format!("{p}/BussinessDocType"),
                    Rule::UnknownBusinessAction,
                    msg,
                    Some(code),
                );
            }
        }
        self.flag(&format!("{p}/Paper"), &b.paper);
        if action == BusinessAction::Update {
            self.update_receivers(b, d);
        }
        if action == BusinessAction::Replace && b.replacements.is_empty() {
            let msg =
                "a replacement must list the replaced documents in ReplacementInfoList".to_owned();
            self.error(
                &format!("{p}/ReplacementInfoList"),
                Rule::ReplacementInfo,
                msg,
                None,
            );
        }
        for (i, r) in b.replacements.iter().enumerate() {
            let rp = format!("{p}/ReplacementInfoList/ReplacementInfo[{}]", i + 1);
            match &r.document_id {
                Some(id) => {
                    self.document_id_format(&format!("{rp}/DocumentId"), id, Severity::Error);
                }
                None => self.required(
                    &format!("{rp}/DocumentId"),
                    "the replaced document's DocumentId",
                ),
            }
            if r.organ_ids.is_empty() {
                let msg =
                    "a replacement should list where the replaced document was sent (OrganIdList)"
                        .to_owned();
                self.warn(
                    &format!("{rp}/OrganIdList"),
                    Rule::ReplacementInfo,
                    msg,
                    None,
                );
            }
            for (j, id) in r.organ_ids.iter().enumerate() {
                self.organ_id(&format!("{rp}/OrganIdList/OrganId[{}]", j + 1), id);
            }
        }
    }

    fn update_receivers(&mut self, b: &Business, d: &Document) {
        let p = "TraceHeaderList/Bussiness/BussinessDocumentInfo";
        let Some(info) = &b.document_info else {
            let msg = "an update should say what changed in BussinessDocumentInfo".to_owned();
            return self.warn(p, Rule::ReceiverChanges, msg, None);
        };
        self.flag(&format!("{p}/DocumentInfo"), &info.document_info);
        self.flag(&format!("{p}/DocumentReceiver"), &info.document_receiver);
        let changes_receivers = info.document_receiver == "1";
        if changes_receivers && info.receivers.is_empty() {
            let msg =
                "DocumentReceiver is 1 (recipients changed) but ReceiverList lists no receiver"
                    .to_owned();
            self.error(
                &format!("{p}/ReceiverList"),
                Rule::ReceiverChanges,
                msg,
                None,
            );
        }
        if !changes_receivers && !info.receivers.is_empty() {
            let msg = "ReceiverList lists changes but DocumentReceiver is not 1".to_owned();
            self.warn(
                &format!("{p}/DocumentReceiver"),
                Rule::ReceiverChanges,
                msg,
                Some(&info.document_receiver),
            );
        }
        let in_to = |id: &OrganId| d.to.iter().any(|t| t.organ_id.as_ref() == Some(id));
        for (i, r) in info.receivers.iter().enumerate() {
            let rp = format!("{p}/ReceiverList/Receiver[{}]", i + 1);
            let Some(id) = &r.organ_id else {
                self.required(
                    &format!("{rp}/OrganId"),
                    "the changed receiver's agency code",
                );
                continue;
            };
            self.organ_id(&format!("{rp}/OrganId"), id);
            match &r.change {
                None => self.required(
                    &format!("{rp}/ReceiverType"),
                    "ReceiverType (0 removed, 1 added)",
                ),
                Some(ReceiverChange::Added) if !in_to(id) => {
                    let msg =
                        format!("receiver {id} is added by this update but is not listed in To");
                    self.warn(
                        &format!("{rp}/OrganId"),
                        Rule::ReceiverChanges,
                        msg,
                        Some(id.as_str()),
                    );
                }
                Some(ReceiverChange::Removed) if in_to(id) => {
                    let msg = format!(
                        "receiver {id} is removed by this update but is still listed in To"
                    );
                    self.warn(
                        &format!("{rp}/OrganId"),
                        Rule::ReceiverChanges,
                        msg,
                        Some(id.as_str()),
                    );
                }
                Some(ReceiverChange::Other(v)) => {
                    let msg = "ReceiverType must be 0 (removed) or 1 (added)".to_owned();
                    self.warn(
                        &format!("{rp}/ReceiverType"),
                        Rule::UnknownValue,
                        msg,
                        Some(v),
                    );
                }
                Some(_) => {}
            }
        }
    }

    fn attachment(&mut self, path: &str, a: &Attachment) {
        if a.content_id.is_empty() {
            self.required(&format!("{path}/ContentId"), "the attachment's ContentId");
        }
        self.text(
            &format!("{path}/AttachmentName"),
            &a.name,
            max_len::ATTACHMENT_NAME,
            true,
        );
    }

    fn status(&mut self, s: &Status) {
        let h = "MessageHeader";
        self.organ(
            &format!("{h}/From"),
            &s.from,
            "the reporting unit's agency code",
        );
        let mut issued = None;
        match &s.response_for {
            None => self.required(
                &format!("{h}/ResponseFor"),
                "ResponseFor (the document the status is about)",
            ),
            Some(rf) => issued = self.response_for(&format!("{h}/ResponseFor"), rf, true),
        }
        match &s.status_code {
            None => self.required(&format!("{h}/StatusCode"), "the StatusCode"),
            Some(StatusCode::Other(code)) => {
                let msg = "unknown status code; known codes are 01–06, 13, 15 and 16".to_owned();
                self.warn(
                    &format!("{h}/StatusCode"),
                    Rule::UnknownStatusCode,
                    msg,
                    Some(code),
                );
            }
            Some(StatusCode::Rejected) if s.description.is_empty() => {
                let msg = "a refusal (02) must give the reason in Description".to_owned();
                self.error(
                    &format!("{h}/Description"),
                    Rule::RejectionReason,
                    msg,
                    None,
                );
            }
            Some(_) => {}
        }
        let ts_path = format!("{h}/Timestamp");
        if let (Some(ts), Some(issued)) =
            (self.datetime(&ts_path, s.timestamp.as_ref(), false), issued)
            && ts.date() < issued
        {
            let msg = format!(
                "the status is dated before the document it answers was issued ({})",
                issued.format("%Y/%m/%d")
            );
            self.warn(
                &ts_path,
                Rule::TimeOrder,
                msg,
                Some(&EdDateTime::Valid(ts).to_string()),
            );
        }
        self.traces(&s.traces, None);
    }

    /// Checks a `ResponseFor`; returns the answered document's promulgation date if known.
    fn response_for(&mut self, path: &str, rf: &ResponseFor, in_status: bool) -> Option<NaiveDate> {
        match &rf.organ_id {
            Some(id) => self.organ_id(&format!("{path}/OrganId"), id),
            None if in_status => {
                self.required(&format!("{path}/OrganId"), "the answered document's sender")
            }
            None => {}
        }
        if in_status && rf.code.is_empty() {
            self.required(
                &format!("{path}/Code"),
                "the answered document's number/notation (Code)",
            );
        }
        let date = self.date(
            &format!("{path}/PromulgationDate"),
            rf.promulgation_date.as_ref(),
            false,
        );
        let id_path = format!("{path}/DocumentId");
        let Some(id) = &rf.document_id else {
            if in_status {
                self.required(
                    &id_path,
                    "ResponseFor/DocumentId, the key that links the status to its document",
                );
            }
            return date;
        };
        let sev = if in_status {
            Severity::Error
        } else {
            Severity::Warning
        };
        if !self.document_id_format(&id_path, id, sev) {
            return date;
        }
        let Some(parts) = id.parts() else { return date };
        if let Some(org) = &rf.organ_id
            && parts.organ != org.as_str()
        {
            let msg = format!(
                "the DocumentId names agency {} but ResponseFor/OrganId is {org}",
                parts.organ
            );
            self.warn(&id_path, Rule::DocumentIdMismatch, msg, Some(id.as_str()));
        }
        if let (Some(a), Some(b)) = (parts.parsed_date(), date)
            && a != b
        {
            let msg = format!(
                "the DocumentId's date {} differs from ResponseFor/PromulgationDate {}",
                a.format("%Y/%m/%d"),
                b.format("%Y/%m/%d")
            );
            self.warn(&id_path, Rule::DocumentIdMismatch, msg, Some(id.as_str()));
        }
        if !rf.code.is_empty() && parts.notation != rf.code {
            let msg = format!(
                "the DocumentId's number {} differs from ResponseFor/Code {}",
                parts.notation, rf.code
            );
            self.warn(&id_path, Rule::DocumentIdMismatch, msg, Some(id.as_str()));
        }
        date.or_else(|| parts.parsed_date())
    }

    fn organ(&mut self, path: &str, o: &Organ, what: &str) {
        match &o.organ_id {
            Some(id) => self.organ_id(&format!("{path}/OrganId"), id),
            None => self.required(&format!("{path}/OrganId"), what),
        }
        self.text(
            &format!("{path}/OrganName"),
            &o.organ_name,
            max_len::ORGAN_NAME,
            false,
        );
        self.text(
            &format!("{path}/OrganAdd"),
            &o.organ_add,
            max_len::ORGAN_ADD,
            false,
        );
    }

    fn organ_id(&mut self, path: &str, id: &OrganId) {
        match id.shape() {
            OrganIdShape::Strict => {}
            OrganIdShape::Tolerant => {
                let msg =
                    "irregular agency code: not of the form LLL.KK.JJ.XNN (e.g. 000.00.00.G22)"
                        .to_owned();
                self.warn(path, Rule::IrregularOrganId, msg, Some(id.as_str()));
            }
            OrganIdShape::Other => {
                let msg = "not a QCVN 102 agency code; expected LLL.KK.JJ.XNN (e.g. 000.00.00.G22)"
                    .to_owned();
                self.error(path, Rule::OrganIdShape, msg, Some(id.as_str()));
            }
        }
    }

    fn text(&mut self, path: &str, value: &str, max: usize, required: bool) {
        if value.is_empty() {
            if required {
                let what = path.rsplit('/').next().unwrap_or(path).to_owned();
                self.required(path, &what);
            }
            return;
        }
        let n = value.chars().count();
        if n > max {
            let msg = format!("{n} characters; NĐ 30/2020 Annex VI allows at most {max}");
            let shown: String = value.chars().take(60).collect();
            self.error(path, Rule::FieldLength, msg, Some(&shown));
        }
    }

    fn flag(&mut self, path: &str, value: &str) {
        if !matches!(value, "" | "0" | "1") {
            let msg = "expected 0 or 1".to_owned();
            self.warn(path, Rule::UnknownValue, msg, Some(value));
        }
    }

    fn date(&mut self, path: &str, d: Option<&EdDate>, required: bool) -> Option<NaiveDate> {
        match d {
            Some(EdDate::Valid(date)) => Some(*date),
            Some(EdDate::Invalid(raw)) => {
                let msg = "not a valid date; write yyyy/MM/dd".to_owned();
                self.error(path, Rule::InvalidDate, msg, Some(raw));
                None
            }
            None => {
                if required {
                    let what = path.rsplit('/').next().unwrap_or(path).to_owned();
                    self.required(path, &what);
                }
                None
            }
        }
    }

    fn datetime(
        &mut self,
        path: &str,
        d: Option<&EdDateTime>,
        required: bool,
    ) -> Option<chrono::NaiveDateTime> {
        match d {
            Some(EdDateTime::Valid(t)) => Some(*t),
            Some(EdDateTime::Invalid(raw)) => {
                let msg = "not a valid timestamp; write yyyy/MM/dd HH:mm:ss".to_owned();
                self.error(path, Rule::InvalidDate, msg, Some(raw));
                None
            }
            None => {
                if required {
                    self.required(path, "the timestamp");
                }
                None
            }
        }
    }
}

fn action_name(a: &BusinessAction) -> &'static str {
    match a {
        BusinessAction::New => "new document",
        BusinessAction::Revoke => "revocation",
        BusinessAction::Update => "update",
        BusinessAction::Replace => "replacement",
        BusinessAction::Other(_) => "business action",
    }
}
