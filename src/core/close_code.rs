//! What to do after the socket closed without the app asking: reconnect, or stop.
//!
//! The official SDK reconnects after 1006, 1011, 1012, 1013, 1014 and 4000. We add: any loss of a
//! socket that had been open is retried, except 1000 (the server ended the session normally) and
//! 1008 (policy violation: retrying would be refused again). Failed handshakes are retried a
//! bounded number of times while no socket has ever opened with the current settings, so a wrong
//! URL or canonical is not retried forever; once one has opened, the settings are known to be
//! right and an outage is ridden out for as long as it lasts (at the backoff's longest delay).

/// The decision after an unexpected close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterClose {
    /// Wait the backoff delay, then open a new socket.
    Reconnect,
    /// Stay down until the app acts (opens a channel, configures, sets a token).
    Stop,
}

/// Close codes after which the official SDK reconnects.
pub const RETRY_CODES: [u16; 6] = [1006, 1011, 1012, 1013, 1014, 4000];

/// How many handshakes in a row may fail (the socket never opened) before the client gives up.
pub const MAX_FAILED_HANDSHAKES: u32 = 8;

/// What is known when a socket closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseContext {
    /// The close code.
    pub code: u16,
    /// Whether this socket had opened.
    pub was_open: bool,
    /// Whether any socket opened since the settings last changed.
    pub ever_opened: bool,
    /// Failed handshakes in a row, this one included.
    pub failed_handshakes: u32,
}

/// Decides what follows an unexpected close.
pub fn after_close(ctx: CloseContext) -> AfterClose {
    let CloseContext {
        code,
        was_open,
        ever_opened,
        failed_handshakes,
    } = ctx;
    if code == 1000 || code == 1008 {
        return AfterClose::Stop;
    }
    if was_open {
        return AfterClose::Reconnect;
    }
    if RETRY_CODES.contains(&code) && (ever_opened || failed_handshakes < MAX_FAILED_HANDSHAKES) {
        AfterClose::Reconnect
    } else {
        AfterClose::Stop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(code: u16, was_open: bool, failed_handshakes: u32) -> AfterClose {
        after_close(CloseContext {
            code,
            was_open,
            ever_opened: was_open,
            failed_handshakes,
        })
    }

    #[test]
    fn normal_close_and_policy_violation_never_reconnect() {
        for was_open in [true, false] {
            assert_eq!(after(1000, was_open, 1), AfterClose::Stop);
            assert_eq!(after(1008, was_open, 1), AfterClose::Stop);
        }
    }

    #[test]
    fn sdk_retry_codes_reconnect() {
        for code in RETRY_CODES {
            assert_eq!(after(code, true, 0), AfterClose::Reconnect);
            assert_eq!(after(code, false, 1), AfterClose::Reconnect);
        }
    }

    #[test]
    fn any_other_loss_of_an_open_socket_reconnects() {
        for code in [1001, 1002, 1003, 1005, 1009, 1015, 3000, 4001, 4999] {
            assert_eq!(after(code, true, 0), AfterClose::Reconnect, "{code}");
        }
    }

    #[test]
    fn a_handshake_refused_with_another_code_stops() {
        assert_eq!(after(1002, false, 1), AfterClose::Stop);
        assert_eq!(after(4001, false, 1), AfterClose::Stop);
    }

    #[test]
    fn failing_handshakes_give_up_after_the_limit() {
        assert_eq!(
            after(1006, false, MAX_FAILED_HANDSHAKES - 1),
            AfterClose::Reconnect
        );
        assert_eq!(after(1006, false, MAX_FAILED_HANDSHAKES), AfterClose::Stop);
    }

    #[test]
    fn an_outage_after_a_successful_open_is_retried_without_limit() {
        let ctx = CloseContext {
            code: 1006,
            was_open: false,
            ever_opened: true,
            failed_handshakes: 1_000,
        };
        assert_eq!(after_close(ctx), AfterClose::Reconnect);
    }
}
