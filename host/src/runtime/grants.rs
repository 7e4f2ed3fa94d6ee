//! Outbound HTTP grants: an adapter may reach an origin only if its manifest requests it and
//! the operator granted it (the intersection, as in Zed's and wasmCloud's capability models).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The scheme, host and port of a URL: what a grant names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// Lower-case host name or IP literal.
    pub host: String,
    /// Port, explicit or the scheme's default.
    pub port: u16,
}

/// The two schemes an adapter may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Plain HTTP (for systems inside the agency network).
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// An origin a manifest requests or an operator grants: `https://qlvb.example.gov.vn`,
/// `http://10.0.0.5:8080`, `https://*.example.gov.vn` for every sub-domain, or
/// `http://127.0.0.1:*` for every port of a host.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OriginPattern {
    scheme: Scheme,
    /// Host, or the suffix after `*.` when `any_subdomain` is set.
    host: String,
    any_subdomain: bool,
    /// `None` for any port.
    port: Option<u16>,
}

/// Whether `host` is a proper sub-domain of `domain`.
fn is_subdomain(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.'))
}

impl OriginPattern {
    /// Whether `origin` falls under this pattern.
    pub fn matches(&self, origin: &Origin) -> bool {
        if self.scheme != origin.scheme || self.port.is_some_and(|p| p != origin.port) {
            return false;
        }
        if self.any_subdomain {
            is_subdomain(&origin.host, &self.host)
        } else {
            self.host == origin.host
        }
    }

    /// The origins matched by both patterns, as a pattern; `None` if they share none.
    pub fn intersect(&self, other: &OriginPattern) -> Option<OriginPattern> {
        if self.scheme != other.scheme {
            return None;
        }
        let port = match (self.port, other.port) {
            (Some(a), Some(b)) if a != b => return None,
            (Some(a), _) | (None, Some(a)) => Some(a),
            (None, None) => None,
        };
        let (host, any_subdomain) = match (self.any_subdomain, other.any_subdomain) {
            (false, false) if self.host == other.host => (self.host.clone(), false),
            (false, false) => return None,
            (false, true) if is_subdomain(&self.host, &other.host) => (self.host.clone(), false),
            (true, false) if is_subdomain(&other.host, &self.host) => (other.host.clone(), false),
            (true, true) if self.host == other.host || is_subdomain(&self.host, &other.host) => {
                (self.host.clone(), true)
            }
            (true, true) if is_subdomain(&other.host, &self.host) => (other.host.clone(), true),
            _ => return None,
        };
        Some(OriginPattern {
            scheme: self.scheme,
            host,
            any_subdomain,
            port,
        })
    }
}

impl FromStr for OriginPattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| format!("origin `{s}` has no scheme; write `https://host[:port]`"))?;
        let scheme = match scheme {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => {
                return Err(format!(
                    "origin `{s}`: scheme `{other}` is not http or https"
                ));
            }
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) {
            return Err(format!(
                "origin `{s}` has a path, query or user part; an origin is only scheme, host and port"
            ));
        }
        let (host, port) = match rest.strip_suffix(":*") {
            Some(host) => (host, None),
            None => {
                let (host, port) = split_host_port(rest)
                    .ok_or_else(|| format!("origin `{s}` has an invalid port"))?;
                (host, Some(port.unwrap_or(scheme.default_port())))
            }
        };
        let (any_subdomain, host) = match host.strip_prefix("*.") {
            Some(h) => (true, h),
            None => (false, host),
        };
        if host.is_empty() || host.contains('*') {
            return Err(format!(
                "origin `{s}`: the host must be a name, an IP address or `*.` followed by a domain"
            ));
        }
        Ok(OriginPattern {
            scheme,
            host: host.to_ascii_lowercase(),
            any_subdomain,
            port,
        })
    }
}

impl TryFrom<String> for OriginPattern {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<OriginPattern> for String {
    fn from(p: OriginPattern) -> String {
        p.to_string()
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let star = if self.any_subdomain { "*." } else { "" };
        write!(f, "{}://{star}{}", self.scheme, self.host)?;
        match self.port {
            None => f.write_str(":*"),
            Some(p) if p != self.scheme.default_port() => write!(f, ":{p}"),
            Some(_) => Ok(()),
        }
    }
}

impl Origin {
    /// The origin of an absolute `http(s)` URL's parts.
    pub fn new(scheme: Scheme, authority: &str) -> Option<Origin> {
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return None;
        }
        Some(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(scheme.default_port()),
        })
    }
}

/// Splits `host[:port]`, keeping IPv6 literals (`[::1]:8080`) whole.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(p) => Some((host, Some(p.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((authority, None)),
    }
}

/// The origins one adapter generation may reach: requested by its manifest and granted by the
/// operator for the endpoint it serves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundGrants {
    allowed: Vec<OriginPattern>,
}

impl OutboundGrants {
    /// Nothing is reachable.
    pub fn none() -> Self {
        Self::default()
    }

    /// The intersection of what the adapter requests and what the operator grants.
    pub fn intersect(requested: &[OriginPattern], granted: &[OriginPattern]) -> Self {
        let mut allowed: Vec<OriginPattern> = Vec::new();
        for r in requested {
            for g in granted {
                if let Some(p) = r.intersect(g)
                    && !allowed.contains(&p)
                {
                    allowed.push(p);
                }
            }
        }
        Self { allowed }
    }

    /// Whether a request to `origin` is allowed.
    pub fn allows(&self, origin: &Origin) -> bool {
        self.allowed.iter().any(|p| p.matches(origin))
    }

    /// The effective patterns, for `inspect` and logs.
    pub fn patterns(&self) -> &[OriginPattern] {
        &self.allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> OriginPattern {
        s.parse().unwrap()
    }

    fn o(scheme: Scheme, a: &str) -> Origin {
        Origin::new(scheme, a).unwrap()
    }

    #[test]
    fn patterns_parse_with_default_ports_and_print_canonically() {
        assert_eq!(
            p("https://QLVB.example.gov.vn/").to_string(),
            "https://qlvb.example.gov.vn"
        );
        assert_eq!(
            p("http://127.0.0.1:8080").to_string(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(p("http://[::1]:81").to_string(), "http://::1:81");
        assert!("ftp://x".parse::<OriginPattern>().is_err());
        assert!("https://x/path".parse::<OriginPattern>().is_err());
        assert!("x.gov.vn".parse::<OriginPattern>().is_err());
        assert!("https://*".parse::<OriginPattern>().is_err());
        assert!("http://x:99999".parse::<OriginPattern>().is_err());
    }

    #[test]
    fn any_port_requests_narrow_to_the_granted_port() {
        let g =
            OutboundGrants::intersect(&[p("http://127.0.0.1:*")], &[p("http://127.0.0.1:8080")]);
        assert!(g.allows(&o(Scheme::Http, "127.0.0.1:8080")));
        assert!(!g.allows(&o(Scheme::Http, "127.0.0.1:8081")));
        assert_eq!(g.patterns()[0].to_string(), "http://127.0.0.1:8080");
        assert_eq!(p("http://127.0.0.1:*").to_string(), "http://127.0.0.1:*");
    }

    #[test]
    fn exact_pattern_matches_only_its_scheme_host_and_port() {
        let pat = p("http://127.0.0.1:8080");
        assert!(pat.matches(&o(Scheme::Http, "127.0.0.1:8080")));
        assert!(!pat.matches(&o(Scheme::Https, "127.0.0.1:8080")));
        assert!(!pat.matches(&o(Scheme::Http, "127.0.0.1:8081")));
        assert!(!pat.matches(&o(Scheme::Http, "127.0.0.1")));
    }

    #[test]
    fn wildcard_matches_subdomains_but_not_the_bare_domain_or_lookalikes() {
        let pat = p("https://*.gov.vn");
        assert!(pat.matches(&o(Scheme::Https, "qlvb.tayninh.gov.vn")));
        assert!(!pat.matches(&o(Scheme::Https, "gov.vn")));
        assert!(!pat.matches(&o(Scheme::Https, "evilgov.vn")));
    }

    #[test]
    fn grants_are_the_intersection_of_request_and_operator_grant() {
        let requested = [
            p("https://a.gov.vn"),
            p("https://b.gov.vn"),
            p("https://*.c.gov.vn"),
        ];
        let granted = [p("https://*.gov.vn")];
        let g = OutboundGrants::intersect(&requested, &granted);
        assert!(g.allows(&o(Scheme::Https, "a.gov.vn")));
        assert!(g.allows(&o(Scheme::Https, "x.c.gov.vn")));
        assert!(
            !g.allows(&o(Scheme::Https, "d.gov.vn")),
            "granted but not requested"
        );

        let g = OutboundGrants::intersect(
            &requested,
            &[p("https://a.gov.vn"), p("https://y.c.gov.vn")],
        );
        assert!(g.allows(&o(Scheme::Https, "a.gov.vn")));
        assert!(
            !g.allows(&o(Scheme::Https, "b.gov.vn")),
            "requested but not granted"
        );
        assert!(
            g.allows(&o(Scheme::Https, "y.c.gov.vn")),
            "wildcard request, narrower grant"
        );
        assert!(
            !g.allows(&o(Scheme::Https, "x.c.gov.vn")),
            "outside the narrower grant"
        );

        assert!(!OutboundGrants::intersect(&requested, &[]).allows(&o(Scheme::Https, "a.gov.vn")));
    }
}
