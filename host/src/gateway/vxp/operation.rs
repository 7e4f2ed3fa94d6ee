//! The VXP operations, named exactly as the SDK appends them to its endpoint (§9.3).

use std::fmt;

/// One operation of the axis API, identified by the last path segment the SDK sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /sendEdoc`: submit an edoc or a status package.
    SendEdoc,
    /// `POST /getReceivedEdocList`: the caller's mailbox.
    GetReceivedEdocList,
    /// `POST /getEdoc`: one package, base64 in JSON.
    GetEdoc,
    /// `POST /updateStatus`: delivery acknowledgement (`done`/`fail`, §9.6).
    UpdateStatus,
    /// `POST /getSentEdocList`: per-recipient tracking of what the caller sent.
    GetSentEdocList,
    /// `POST /getAgenciesList`: the directory.
    GetAgenciesList,
    /// `POST /getAgenciesListQD20`: the directory with QĐ 20 codes.
    GetAgenciesListQd20,
    /// `POST /registerAgency`: add an agency (JSON body).
    RegisterAgency,
    /// `POST /deleteAgency`: remove an agency (`AgencyCode` header).
    DeleteAgency,
    /// `POST /countReceiveEdoc`: size of the mailbox.
    CountReceiveEdoc,
    /// `POST /countReceiveStatus`: number of pending status packages.
    CountReceiveStatus,
}

impl Operation {
    /// Every operation, for routing tables and exhaustive tests.
    pub const ALL: [Operation; 11] = [
        Operation::SendEdoc,
        Operation::GetReceivedEdocList,
        Operation::GetEdoc,
        Operation::UpdateStatus,
        Operation::GetSentEdocList,
        Operation::GetAgenciesList,
        Operation::GetAgenciesListQd20,
        Operation::RegisterAgency,
        Operation::DeleteAgency,
        Operation::CountReceiveEdoc,
        Operation::CountReceiveStatus,
    ];

    /// The path segment, as the SDK spells it (`{endpoint}/<segment>`).
    pub fn path(self) -> &'static str {
        match self {
            Operation::SendEdoc => "sendEdoc",
            Operation::GetReceivedEdocList => "getReceivedEdocList",
            Operation::GetEdoc => "getEdoc",
            Operation::UpdateStatus => "updateStatus",
            Operation::GetSentEdocList => "getSentEdocList",
            Operation::GetAgenciesList => "getAgenciesList",
            Operation::GetAgenciesListQd20 => "getAgenciesListQD20",
            Operation::RegisterAgency => "registerAgency",
            Operation::DeleteAgency => "deleteAgency",
            Operation::CountReceiveEdoc => "countReceiveEdoc",
            Operation::CountReceiveStatus => "countReceiveStatus",
        }
    }

    /// The operation a path segment names; exact spelling, as the SDK never varies it.
    pub fn from_path(segment: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.path() == segment)
    }

    /// Whether the call changes state, so a replay of it must be refused (see `auth`).
    pub fn changes_state(self) -> bool {
        matches!(
            self,
            Operation::SendEdoc
                | Operation::UpdateStatus
                | Operation::RegisterAgency
                | Operation::DeleteAgency
        )
    }

    /// `XroadVnpt-*` headers (lower case, without the prefix) whose values this call acts on,
    /// besides `systemid` and `timestamp`; when present they must be covered by the signature.
    pub fn covered_headers(self) -> &'static [&'static str] {
        match self {
            Operation::SendEdoc => &["servicetype", "messagetype", "from", "to", "hash-file"],
            Operation::GetReceivedEdocList => &["servicetype", "messagetype", "fromdate", "todate"],
            Operation::GetSentEdocList
            | Operation::CountReceiveEdoc
            | Operation::CountReceiveStatus => &["servicetype", "messagetype"],
            Operation::GetEdoc => &["docid"],
            Operation::UpdateStatus => &["docid", "status", "description"],
            Operation::DeleteAgency => &["agencycode"],
            Operation::GetAgenciesList
            | Operation::GetAgenciesListQd20
            | Operation::RegisterAgency => &[],
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_round_trips_and_unknown_paths_are_none() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_path(op.path()), Some(op));
        }
        assert_eq!(Operation::from_path("sendedoc"), None);
        assert_eq!(Operation::from_path("downloadEdoc"), None);
        assert_eq!(Operation::from_path(""), None);
    }

    #[test]
    fn only_the_four_writing_calls_change_state() {
        let writing: Vec<_> = Operation::ALL
            .into_iter()
            .filter(|op| op.changes_state())
            .collect();
        assert_eq!(
            writing,
            [
                Operation::SendEdoc,
                Operation::UpdateStatus,
                Operation::RegisterAgency,
                Operation::DeleteAgency
            ]
        );
    }

    #[test]
    fn covered_header_names_are_lower_case() {
        for op in Operation::ALL {
            for h in op.covered_headers() {
                assert_eq!(*h, h.to_ascii_lowercase(), "{op}: {h}");
            }
        }
    }
}
