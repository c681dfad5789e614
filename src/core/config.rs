//! The client's settings, checked: the socket URL derived from the instance's base URL, the token,
//! the backoff bounds and the offline-queue settings.

use super::backoff::Backoff;
use super::error::ClientError;
use super::frame::quoted;

/// Settings as the app gave them, before checking (the shell reads them off the JS object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigInput {
    /// `instanceBaseUrl`.
    pub instance_base_url: String,
    /// `realtimeConnectionCanonical` (or its old name `realtimeConnectionHash`).
    pub canonical: String,
    /// `realtimeAuthToken`; `None` for an anonymous client.
    pub token: Option<String>,
    /// `reconnect.minDelayMs`.
    pub min_delay_ms: Option<f64>,
    /// `reconnect.maxDelayMs`.
    pub max_delay_ms: Option<f64>,
    /// `queue.database`.
    pub queue_database: Option<String>,
    /// `queue.maxActions`.
    pub queue_max_actions: Option<f64>,
}

/// Checked settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The WebSocket URL, e.g. `wss://x8ki.n7.xano.io/rt/abc` or `ws://127.0.0.1:8787/rt/dev`.
    pub url: String,
    /// The auth token, offered as the only WebSocket subprotocol.
    pub token: Option<String>,
    /// Reconnect delays.
    pub backoff: Backoff,
    /// The IndexedDB database that holds the offline queue.
    pub queue_database: String,
    /// The most actions one channel's offline queue may hold.
    pub queue_max_actions: u32,
}

/// The default IndexedDB database name of the offline queue.
pub const DEFAULT_QUEUE_DATABASE: &str = "xano-realtime";
/// The default cap on one channel's offline queue.
pub const DEFAULT_QUEUE_MAX_ACTIONS: u32 = 10_000;

impl Config {
    /// Checks `input`; the error names the first setting that is wrong.
    pub fn from_input(input: ConfigInput) -> Result<Config, ClientError> {
        let url = socket_url(&input.instance_base_url, &input.canonical)?;
        let token = checked_token(input.token)?;
        let defaults = Backoff::default();
        let min_ms = delay("reconnect.minDelayMs", input.min_delay_ms, defaults.min_ms)?;
        let max_ms = delay(
            "reconnect.maxDelayMs",
            input.max_delay_ms,
            defaults.max_ms.max(min_ms),
        )?;
        if max_ms < min_ms {
            return Err(ClientError::bad_value(
                "reconnect.maxDelayMs",
                format!("({max_ms}) must not be less than reconnect.minDelayMs ({min_ms})"),
            ));
        }
        let queue_database = match input.queue_database {
            Some(name) if name.trim().is_empty() => {
                return Err(ClientError::bad_value(
                    "queue.database",
                    "must not be empty",
                ))
            }
            Some(name) => name,
            None => DEFAULT_QUEUE_DATABASE.to_owned(),
        };
        let queue_max_actions = match input.queue_max_actions {
            None => DEFAULT_QUEUE_MAX_ACTIONS,
            Some(n) if n.fract() == 0.0 && (1.0..=10_000_000.0).contains(&n) => n as u32,
            Some(_) => {
                return Err(ClientError::bad_value(
                    "queue.maxActions",
                    "must be a whole number from 1 to 10000000",
                ))
            }
        };
        Ok(Config {
            url,
            token,
            backoff: Backoff { min_ms, max_ms },
            queue_database,
            queue_max_actions,
        })
    }
}

fn delay(argument: &str, value: Option<f64>, default: u32) -> Result<u32, ClientError> {
    match value {
        None => Ok(default),
        Some(ms) if ms.is_finite() && (0.0..=3_600_000.0).contains(&ms) => Ok(ms as u32),
        Some(_) => Err(ClientError::bad_value(
            argument,
            "must be a number of milliseconds from 0 to 3600000",
        )),
    }
}

/// Builds the socket URL. `https://HOST[:port][/path]` gives `wss://HOST/rt/CANONICAL` (path and
/// port dropped, as the official SDK does); `http://HOST[:PORT]` gives `ws://HOST[:PORT]/rt/CANONICAL`
/// so that a local server can be reached.
pub fn socket_url(base: &str, canonical: &str) -> Result<String, ClientError> {
    const ARG: &str = "instanceBaseUrl";
    let base = base.trim();
    let (secure, rest) = if let Some(rest) = base.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = base.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(ClientError::bad_value(
            ARG,
            format!("must start with https:// or http://, got {}", quoted(base)),
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err(ClientError::bad_value(
            ARG,
            format!(
                "must name a host, like https://x8ki-letl-twmt.n7.xano.io, got {}",
                quoted(base)
            ),
        ));
    }
    let host = host_without_port(authority).ok_or_else(|| {
        ClientError::bad_value(
            ARG,
            format!("has a malformed host or port: {}", quoted(base)),
        )
    })?;
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':'))
    {
        return Err(ClientError::bad_value(
            ARG,
            format!(
                "has characters not allowed in a host name: {}",
                quoted(base)
            ),
        ));
    }
    check_canonical(canonical)?;
    Ok(if secure {
        format!("wss://{host}/rt/{canonical}")
    } else {
        format!("ws://{authority}/rt/{canonical}")
    })
}

/// The host part of `host[:port]` (or `[v6][:port]`), or `None` when the port is not a number.
fn host_without_port(authority: &str) -> Option<&str> {
    if let Some(end) = authority.find(']') {
        let (host, rest) = authority.split_at(end + 1);
        return match rest.strip_prefix(':') {
            None if rest.is_empty() => Some(host),
            Some(port) if is_port(port) => Some(host),
            _ => None,
        };
    }
    match authority.split_once(':') {
        None => Some(authority),
        Some((host, port)) if !host.is_empty() && is_port(port) => Some(host),
        _ => None,
    }
}

fn is_port(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.parse::<u32>().is_ok_and(|p| p <= 65_535)
}

fn check_canonical(canonical: &str) -> Result<(), ClientError> {
    const ARG: &str = "realtimeConnectionCanonical";
    if canonical.is_empty() {
        return Err(ClientError::bad_value(ARG, "must not be empty"));
    }
    if !canonical
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ClientError::bad_value(
            ARG,
            format!(
                "may hold only letters, digits, '-' and '_', got {}",
                quoted(canonical)
            ),
        ));
    }
    Ok(())
}

/// Checks an auth token: an empty one means anonymous (`None`). A subprotocol must be an HTTP
/// token, or the browser refuses to open the socket. The error never repeats the token.
pub fn checked_token(token: Option<String>) -> Result<Option<String>, ClientError> {
    match token {
        Some(t) if t.is_empty() => Ok(None),
        Some(t) => check_token(&t).map(|()| Some(t)),
        None => Ok(None),
    }
}

fn check_token(token: &str) -> Result<(), ClientError> {
    let ok = token
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ClientError::bad_value(
            "realtimeAuthToken",
            "holds characters a WebSocket subprotocol cannot carry (spaces, quotes, separators); pass the token exactly as Xano issued it",
        ))
    }
}

/// Checks a channel name: not empty, at most 512 characters, no control characters.
pub fn check_channel_name(name: &str) -> Result<(), ClientError> {
    if name.is_empty() {
        return Err(ClientError::bad_value("channel name", "must not be empty"));
    }
    if name.chars().count() > 512 {
        return Err(ClientError::bad_value(
            "channel name",
            "must be at most 512 characters long",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ClientError::bad_value(
            "channel name",
            format!("must not contain control characters: {}", quoted(name)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(base: &str, canonical: &str) -> ConfigInput {
        ConfigInput {
            instance_base_url: base.into(),
            canonical: canonical.into(),
            ..ConfigInput::default()
        }
    }

    #[test]
    fn https_base_maps_to_wss_without_path_or_port() {
        assert_eq!(
            socket_url("https://x8ki-letl-twmt.n7.xano.io/api:abc", "C1").unwrap(),
            "wss://x8ki-letl-twmt.n7.xano.io/rt/C1"
        );
        assert_eq!(
            socket_url("https://example.com:8443", "C1").unwrap(),
            "wss://example.com/rt/C1"
        );
    }

    #[test]
    fn http_base_keeps_its_port_for_a_local_server() {
        assert_eq!(
            socket_url("http://127.0.0.1:8787", "dev").unwrap(),
            "ws://127.0.0.1:8787/rt/dev"
        );
        assert_eq!(
            socket_url("http://[::1]:9000/", "dev").unwrap(),
            "ws://[::1]:9000/rt/dev"
        );
    }

    #[test]
    fn bad_base_urls_are_refused_naming_the_setting() {
        for base in [
            "",
            "ftp://x",
            "x8ki.xano.io",
            "https://",
            "http://a:b",
            "http://u@h",
            "https://a b",
        ] {
            let err = socket_url(base, "C").unwrap_err();
            assert!(
                err.to_string().starts_with("instanceBaseUrl"),
                "{base}: {err}"
            );
        }
    }

    #[test]
    fn bad_canonicals_are_refused() {
        for c in ["", "a/b", "a b", "a?x"] {
            let err = socket_url("https://h", c).unwrap_err();
            assert!(err.to_string().starts_with("realtimeConnectionCanonical"));
        }
    }

    #[test]
    fn defaults_apply_when_settings_are_absent() {
        let c = Config::from_input(input("http://127.0.0.1:1", "dev")).unwrap();
        assert_eq!(c.backoff, Backoff::default());
        assert_eq!(c.queue_database, "xano-realtime");
        assert_eq!(c.queue_max_actions, 10_000);
        assert_eq!(c.token, None);
    }

    #[test]
    fn an_empty_token_means_anonymous() {
        let mut i = input("http://h", "c");
        i.token = Some(String::new());
        assert_eq!(Config::from_input(i).unwrap().token, None);
    }

    #[test]
    fn a_token_error_never_repeats_the_token() {
        let mut i = input("http://h", "c");
        i.token = Some("secret value".into());
        let err = Config::from_input(i).unwrap_err().to_string();
        assert!(err.starts_with("realtimeAuthToken"));
        assert!(!err.contains("secret"));
    }

    #[test]
    fn backoff_bounds_are_checked() {
        let mut i = input("http://h", "c");
        i.min_delay_ms = Some(5_000.0);
        i.max_delay_ms = Some(100.0);
        assert!(Config::from_input(i.clone())
            .unwrap_err()
            .to_string()
            .starts_with("reconnect.maxDelayMs"));
        i.max_delay_ms = Some(f64::NAN);
        assert!(Config::from_input(i.clone()).is_err());
        i.max_delay_ms = None;
        let c = Config::from_input(i).unwrap();
        assert_eq!(c.backoff.max_ms, 60_000);
        let mut i = input("http://h", "c");
        i.min_delay_ms = Some(90_000.0);
        assert_eq!(Config::from_input(i).unwrap().backoff.max_ms, 90_000);
    }

    #[test]
    fn queue_settings_are_checked() {
        let mut i = input("http://h", "c");
        i.queue_max_actions = Some(0.0);
        assert!(Config::from_input(i.clone()).is_err());
        i.queue_max_actions = Some(2.5);
        assert!(Config::from_input(i.clone()).is_err());
        i.queue_max_actions = Some(3.0);
        i.queue_database = Some(" ".into());
        assert!(Config::from_input(i.clone()).is_err());
        i.queue_database = Some("db".into());
        let c = Config::from_input(i).unwrap();
        assert_eq!((c.queue_max_actions, c.queue_database.as_str()), (3, "db"));
    }

    #[test]
    fn channel_names_are_checked() {
        assert!(check_channel_name("chat/42").is_ok());
        assert!(check_channel_name("").is_err());
        assert!(check_channel_name("a\nb").is_err());
        assert!(check_channel_name(&"x".repeat(513)).is_err());
    }
}
