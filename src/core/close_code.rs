//! What to do after the socket closed without the app asking: reconnect, or stop.
//!
//! Only two close codes from the server stop the client: 1000 (the server ended the session
//! normally) and 1008 (policy violation: retrying would be refused again). Everything else is
//! retried on the backoff for as long as a channel is open, also a handshake that never succeeds
//! (a page that starts during an outage must join once the server is back). A wrong URL or
//! canonical therefore costs one attempt per `maxDelayMs`; after [`WARN_AFTER_FAILED_HANDSHAKES`]
//! failures in a row the state change says what is likely wrong.

/// The decision after an unexpected close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterClose {
    /// Wait the backoff delay, then open a new socket.
    Reconnect,
    /// Stay down until the app acts (opens a channel, configures, sets a token).
    Stop,
}

/// Failed handshakes in a row after which the state change names the likely causes (URL,
/// canonical, token, or the server down); the client keeps retrying.
pub const WARN_AFTER_FAILED_HANDSHAKES: u32 = 5;

/// Decides what follows an unexpected close with `code`.
pub fn after_close(code: u16) -> AfterClose {
    if code == 1000 || code == 1008 {
        AfterClose::Stop
    } else {
        AfterClose::Reconnect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_close_and_policy_violation_stop() {
        assert_eq!(after_close(1000), AfterClose::Stop);
        assert_eq!(after_close(1008), AfterClose::Stop);
    }

    #[test]
    fn every_other_code_reconnects() {
        for code in [
            1001, 1002, 1003, 1005, 1006, 1009, 1011, 1012, 1013, 1014, 1015, 3000, 4000, 4001,
            4999,
        ] {
            assert_eq!(after_close(code), AfterClose::Reconnect, "{code}");
        }
    }
}
