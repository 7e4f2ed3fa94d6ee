//! What can go wrong in the directory, worded for the clerk or operator who has to fix it.

use crate::store::StoreError;

use super::code::CodeError;
use super::endpoint::Mode;

/// Why a directory operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// A code (agency, parent, former or QĐ 20 code) is malformed.
    #[error(transparent)]
    Code(#[from] CodeError),
    /// An agency has no name.
    #[error("agency {code} has no name; give the agency's official name")]
    MissingName {
        /// The agency.
        code: String,
    },
    /// An agency names itself as its parent.
    #[error(
        "agency {code} names itself as its parent; give the code of the unit above it, or none"
    )]
    OwnParent {
        /// The agency.
        code: String,
    },
    /// No agency has this code, current or former.
    #[error(
        "no agency has the code {0}; check it with `truc agency list`, or add or import it first"
    )]
    UnknownAgency(String),
    /// A former code was reused by several agencies, so it names none of them.
    #[error("{code} is the former code of several agencies ({}); use the current code", candidates.join(", "))]
    AmbiguousFormerCode {
        /// The former code asked for.
        code: String,
        /// The agencies that list it as their former code.
        candidates: Vec<String>,
    },
    /// A QĐ 20 code is already another agency's.
    #[error(
        "QĐ 20 code {qd20} already belongs to agency {holder}, so agency {code} cannot have it too; correct one of the two"
    )]
    Qd20Taken {
        /// The QĐ 20 code.
        qd20: String,
        /// The agency that asked for it.
        code: String,
        /// The agency that has it.
        holder: String,
    },
    /// The same agency (or QĐ 20 code) appears twice in one import.
    #[error(
        "{what} {value} already appeared at {unit} {first}; this {unit} is skipped, keep one of the two"
    )]
    Duplicate {
        /// `code` or `QĐ 20 code`.
        what: &'static str,
        /// The repeated value.
        value: String,
        /// `line` or `item`.
        unit: &'static str,
        /// Where it first appeared.
        first: u64,
    },
    /// An endpoint name does not follow the naming rule.
    #[error(
        "endpoint name `{0}` is not valid: use 1–64 characters of a-z, 0-9 and '-', such as `so-tai-chinh-h53`"
    )]
    InvalidEndpointName(String),
    /// An endpoint with this name exists already.
    #[error(
        "an endpoint named {0} already exists; choose another name, or use `truc endpoint rotate-key {0}` for new credentials"
    )]
    EndpointExists(String),
    /// No endpoint has this name.
    #[error("no endpoint is named {0}; see `truc endpoint list`")]
    UnknownEndpoint(String),
    /// A VXP system id is already another endpoint's.
    #[error(
        "VXP system id {system_id} is already used by endpoint {endpoint}; each QLVB system has its own system id"
    )]
    VxpSystemTaken {
        /// The system id.
        system_id: String,
        /// The endpoint that has it.
        endpoint: String,
    },
    /// VXP credentials are incomplete or malformed.
    #[error("VXP credentials refused: {0}")]
    InvalidVxp(String),
    /// Agencies to host do not exist.
    #[error("unknown agencies: {}; add or import them before hosting them", .0.join(", "))]
    UnknownAgencies(Vec<String>),
    /// An agency is already hosted by another endpoint.
    #[error(
        "agency {agency} is already hosted by endpoint {endpoint}; an agency has one endpoint, so unhost it there first to move it"
    )]
    AlreadyHosted {
        /// The agency.
        agency: String,
        /// Its current endpoint.
        endpoint: String,
    },
    /// An agency to unhost is not hosted by the endpoint named.
    #[error("agency {agency} is not hosted by endpoint {endpoint}")]
    NotHostedBy {
        /// The agency.
        agency: String,
        /// The endpoint named.
        endpoint: String,
    },
    /// A push or poll endpoint has no adapter to deliver or poll through.
    #[error(
        "endpoint {endpoint} uses {mode} mode, which goes through an adapter: give one as NAME@VERSION (or use pull mode)"
    )]
    AdapterRequired {
        /// The endpoint.
        endpoint: String,
        /// Its mode.
        mode: Mode,
    },
    /// An adapter reference is not `name@version`.
    #[error("adapter `{0}` is not NAME@VERSION, such as json-office@1.2.0")]
    InvalidAdapter(String),
    /// An adapter configuration is not a JSON object.
    #[error(
        "the adapter configuration must be a JSON object such as {{\"base_url\": \"https://…\"}}, not {0}"
    )]
    InvalidAdapterConfig(String),
    /// A granted origin is malformed.
    #[error(
        "granted origin `{0}` is not an origin: write scheme://host[:port], such as https://qlvb.example.gov.vn or http://10.0.0.5:8080 (`*.` before a domain and `:*` for any port are allowed)"
    )]
    InvalidOrigin(String),
    /// An import file could not be read as a whole.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DirectoryError {
    fn from(e: sqlx::Error) -> Self {
        DirectoryError::Store(StoreError::Sql(e))
    }
}

/// Why a directory file cannot be imported at all (problems of single rows are reported per row
/// instead, see [`super::ImportReport`]).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading failed.
    #[error("cannot read the directory file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not UTF-8.
    #[error("the directory file is not UTF-8 (first bad byte at offset {0}); save it as UTF-8")]
    NotUtf8(usize),
    /// The CSV file has no usable header row.
    #[error(
        "the CSV header row is unreadable ({0}); the first line must name the columns, e.g. code,name,parent_code,qd20_code,old_code,email"
    )]
    CsvHeader(String),
    /// A required CSV column is missing.
    #[error(
        "the CSV header has no `{0}` column; the first line must name the columns, e.g. code,name,parent_code,qd20_code,old_code,email"
    )]
    MissingColumn(&'static str),
    /// A CSV column is not one we know.
    #[error(
        "the CSV column `{0}` is not one of code, name, parent_code, qd20_code, old_code, email; rename or remove it"
    )]
    UnknownColumn(String),
    /// A CSV column appears twice.
    #[error("the CSV column `{0}` appears twice in the header; keep one")]
    DuplicateColumn(String),
    /// The JSON text is malformed.
    #[error("the JSON is malformed at line {line}, column {column}: {message}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser says.
        message: String,
    },
    /// The JSON is well-formed but not a list of agencies.
    #[error("expected a JSON array of agencies or a VXP answer {{\"data\": [...]}}, found {0}")]
    JsonShape(String),
    /// A VXP answer reports a failure instead of carrying data.
    #[error(
        "the VXP answer carries no agencies (ErrorCode {code}: {description}); fetch the list again"
    )]
    VxpFailure {
        /// `ErrorCode` of the answer.
        code: String,
        /// `ErrorDesc` of the answer.
        description: String,
    },
}
