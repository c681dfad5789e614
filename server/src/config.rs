//! Channel rules and auth tokens: the `--config FILE.toml` format.
//!
//! ```toml
//! [[channel]]
//! pattern = "chat/*"
//! history = 25
//!
//! [[token]]
//! token = "alice-secret"
//! dbo_id = 1
//! row_id = 7
//! extras = { name = "Alice" }
//! ```
//!
//! See `server/examples/realtime.toml` for every key with its default.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The history lengths a channel may keep (the values a Xano instance offers).
pub const HISTORY_LENGTHS: [usize; 6] = [0, 25, 50, 100, 250, 1000];

/// Who may use a kind of client messaging on a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Every member that may send at all.
    All,
    /// Only clients that connected with a known token.
    Authenticated,
    /// Nobody.
    Off,
}

fn yes() -> bool {
    true
}
fn all() -> Access {
    Access::All
}
fn default_history() -> usize {
    100
}

/// One `[[channel]]` table: the settings of the channels whose name matches `pattern`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRule {
    /// `"name"` (exact), `"prefix/*"` (matches `prefix/` followed by anything) or `"*"`.
    pub pattern: String,
    /// Send `presence_full` / `presence_update` frames. Default true.
    #[serde(default = "yes")]
    pub presence: bool,
    /// Number of public messages kept; one of [`HISTORY_LENGTHS`]. Default 100.
    #[serde(default = "default_history")]
    pub history: usize,
    /// Anonymous clients may join (and listen). Default true.
    #[serde(default = "yes")]
    pub anonymous_clients: bool,
    /// Anonymous clients may send messages. Default false.
    #[serde(default)]
    pub anonymous_send: bool,
    /// Who may send public messages. Default `all`.
    #[serde(default = "all")]
    pub public_messaging: Access,
    /// Who may send private messages (`options.socketId`). Default `all`.
    #[serde(default = "all")]
    pub private_messaging: Access,
    /// Whether messages with `options.authenticated: true` are allowed. Default true.
    #[serde(default = "yes")]
    pub authenticated_messaging: bool,
}

impl ChannelRule {
    /// The development default: everything open, presence on, history 100, anonymous may send.
    pub fn open(pattern: &str) -> Self {
        ChannelRule {
            pattern: pattern.to_string(),
            presence: true,
            history: 100,
            anonymous_clients: true,
            anonymous_send: true,
            public_messaging: Access::All,
            private_messaging: Access::All,
            authenticated_messaging: true,
        }
    }

    /// Whether this rule applies to the channel `name`.
    pub fn matches(&self, name: &str) -> bool {
        pattern_matches(&self.pattern, name)
    }
}

/// A `row_id`: Xano uses numbers, but strings (UUIDs) exist too.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RowId {
    /// A numeric row id.
    Int(i64),
    /// A string row id.
    Str(String),
}

/// Who a token stands for.
#[derive(Debug, Clone)]
pub struct Identity {
    /// `permissions.dbo_id` of the client.
    pub dbo_id: i64,
    /// `permissions.row_id` of the client.
    pub row_id: RowId,
    /// `extras` of the client (a JSON object).
    pub extras: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token: String,
    dbo_id: i64,
    row_id: RowId,
    #[serde(default)]
    extras: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    channel: Vec<ChannelRule>,
    #[serde(default)]
    token: Vec<TokenEntry>,
}

/// The server's channel rules and tokens.
#[derive(Debug, Clone)]
pub struct Config {
    /// Rules in file order; the first match wins. A channel no rule matches is refused.
    pub rules: Vec<ChannelRule>,
    /// Token string to identity. Never log the keys.
    pub tokens: HashMap<String, Identity>,
}

impl Default for Config {
    fn default() -> Self {
        Config::development()
    }
}

impl Config {
    /// The configuration without a config file: every channel open to every client, presence on,
    /// history 100, anonymous clients may join and send, no tokens.
    pub fn development() -> Self {
        Config {
            rules: vec![ChannelRule::open("*")],
            tokens: HashMap::new(),
        }
    }

    /// Parses and checks a TOML configuration.
    pub fn from_toml_str(text: &str) -> Result<Self, String> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (i, rule) in file.channel.iter().enumerate() {
            if !pattern_valid(&rule.pattern) {
                return Err(format!(
                    "[[channel]] #{}: bad pattern {:?}: use an exact name, \"prefix/*\" or \"*\"",
                    i + 1,
                    rule.pattern
                ));
            }
            if !HISTORY_LENGTHS.contains(&rule.history) {
                return Err(format!(
                    "[[channel]] #{} ({:?}): history = {} is not allowed; use one of 0, 25, 50, 100, 250, 1000",
                    i + 1,
                    rule.pattern,
                    rule.history
                ));
            }
        }
        let mut tokens = HashMap::new();
        for (i, entry) in file.token.into_iter().enumerate() {
            if entry.token.is_empty() {
                return Err(format!("[[token]] #{}: token must not be empty", i + 1));
            }
            if !entry
                .token
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
            {
                // A subprotocol must be an HTTP token, or browsers refuse to offer it.
                return Err(format!(
                    "[[token]] #{}: a token may only contain visible ASCII characters other than ()<>@,;:\\\"/[]?={{}} (it travels as a WebSocket subprotocol)",
                    i + 1
                ));
            }
            let extras = serde_json::to_value(&entry.extras)
                .map_err(|e| format!("[[token]] #{}: extras: {e}", i + 1))?;
            let identity = Identity {
                dbo_id: entry.dbo_id,
                row_id: entry.row_id,
                extras,
            };
            if tokens.insert(entry.token, identity).is_some() {
                return Err(format!("[[token]] #{}: duplicate token", i + 1));
            }
        }
        Ok(Config {
            rules: file.channel,
            tokens,
        })
    }

    /// Reads and checks a TOML configuration file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Config::from_toml_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The first rule that matches `channel`, if any.
    pub fn rule_for(&self, channel: &str) -> Option<&ChannelRule> {
        self.rules.iter().find(|r| r.matches(channel))
    }
}

fn pattern_valid(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let fixed = pattern.strip_suffix("/*").unwrap_or(pattern);
    !fixed.is_empty() && !fixed.contains('*')
}

fn pattern_matches(pattern: &str, name: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix("/*") {
        Some(prefix) => name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.is_empty()),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exact_prefix_and_star() {
        assert!(pattern_matches("chat/*", "chat/1"));
        assert!(pattern_matches("chat/*", "chat/a/b"));
        assert!(!pattern_matches("chat/*", "chat"));
        assert!(!pattern_matches("chat/*", "chat/"));
        assert!(!pattern_matches("chat/*", "chatx/1"));
        assert!(pattern_matches("lobby", "lobby"));
        assert!(!pattern_matches("lobby", "lobby2"));
        assert!(pattern_matches("*", "anything"));
    }

    #[test]
    fn bad_patterns_are_rejected() {
        for p in ["", "chat*", "a/*/b", "/*", "**"] {
            assert!(!pattern_valid(p), "{p}");
        }
    }

    #[test]
    fn defaults_apply() {
        let c = Config::from_toml_str("[[channel]]\npattern = \"x\"\n").expect("valid");
        let r = &c.rules[0];
        assert!(r.presence && r.anonymous_clients && r.authenticated_messaging);
        assert!(!r.anonymous_send);
        assert_eq!(r.history, 100);
        assert_eq!(r.public_messaging, Access::All);
    }

    #[test]
    fn config_errors_are_reported() {
        assert!(Config::from_toml_str("[[channel]]\npattern = \"x\"\nhistory = 7\n").is_err());
        assert!(Config::from_toml_str("[[channel]]\npattern = \"x\"\ncolour = 1\n").is_err());
        assert!(Config::from_toml_str("bogus = 1\n").is_err());
        assert!(Config::from_toml_str(
            "[[token]]\ntoken=\"a\"\ndbo_id=1\nrow_id=1\n[[token]]\ntoken=\"a\"\ndbo_id=1\nrow_id=2\n"
        )
        .is_err());
    }
}
