//! Errors a caller can act on. Each names what was wrong; none ever contains the auth token.

use std::fmt;

use super::frame::quoted;

/// Which JavaScript error class an error maps to at the API boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A value of the wrong type (`TypeError`).
    Type,
    /// A value of the right type outside its allowed range (`RangeError`).
    Range,
    /// A call that is not possible in the current state (`Error`).
    State,
}

/// An error returned to the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// An argument had the wrong type: `argument` names it, `expected` says what it must be.
    WrongType {
        argument: String,
        expected: &'static str,
    },
    /// An argument had the right type but a value that is not allowed.
    BadValue { argument: String, reason: String },
    /// `openChannel` (or a hook) was called before `configure`.
    NotConfigured,
    /// The channel handle belongs to a channel that has been closed.
    ChannelClosed { channel: String },
    /// A send while the channel is not joined, without `queueOfflineActions`.
    NotConnected { channel: String },
    /// The offline queue already holds `max` actions.
    QueueFull { channel: String, max: u32 },
    /// Storing a queued action failed (IndexedDB quota, transaction aborted).
    QueueStorage { channel: String, reason: String },
}

impl ClientError {
    /// The JavaScript error class this error is thrown as.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::WrongType { .. } => ErrorKind::Type,
            ClientError::BadValue { .. } => ErrorKind::Range,
            _ => ErrorKind::State,
        }
    }

    /// Shorthand for [`ClientError::WrongType`].
    pub fn wrong_type(argument: impl Into<String>, expected: &'static str) -> Self {
        ClientError::WrongType {
            argument: argument.into(),
            expected,
        }
    }

    /// Shorthand for [`ClientError::BadValue`].
    pub fn bad_value(argument: impl Into<String>, reason: impl Into<String>) -> Self {
        ClientError::BadValue {
            argument: argument.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::WrongType { argument, expected } => {
                write!(f, "{argument} must be {expected}")
            }
            ClientError::BadValue { argument, reason } => write!(f, "{argument} {reason}"),
            ClientError::NotConfigured => f.write_str(
                "xano-realtime is not configured: call configure({ instanceBaseUrl, realtimeConnectionCanonical }) first",
            ),
            ClientError::ChannelClosed { channel } => {
                let channel = quoted(channel);
                write!(
                    f,
                    "channel {channel} is closed; call openChannel({channel}) to open it again"
                )
            }
            ClientError::NotConnected { channel } => write!(
                f,
                "channel {} is not connected and was opened without queueOfflineActions, so the message was not sent",
                quoted(channel)
            ),
            ClientError::QueueFull { channel, max } => write!(
                f,
                "the offline queue of channel {} is full ({max} actions); the message was not queued",
                quoted(channel)
            ),
            ClientError::QueueStorage { channel, reason } => write!(
                f,
                "the offline queue of channel {} could not store the message: {reason}",
                quoted(channel)
            ),
        }
    }
}

impl std::error::Error for ClientError {}
