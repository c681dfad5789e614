//! Native tests of the client core's state machine: what it opens, joins, closes, reports and
//! queues, for each rule of `client.rs`.

use alloc::vec::Vec;

use super::client::*;
use super::config::Settings;

fn settings(min: f64, max: f64, cap: f64) -> Settings {
    Settings::check(Some(min), Some(max), Some(cap)).unwrap()
}

fn configured() -> Client {
    let mut c = Client::new(1);
    c.configure(settings(1_000.0, 60_000.0, 10_000.0));
    c.take_outputs();
    c
}

fn opened_socket(outputs: &[Output]) -> SocketId {
    outputs
        .iter()
        .find_map(|o| match o {
            Output::OpenSocket(s) => Some(*s),
            _ => None,
        })
        .expect("an OpenSocket output")
}

fn joins(outputs: &[Output]) -> Vec<ChannelId> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Join(_, ch) => Some(*ch),
            _ => None,
        })
        .collect()
}

fn statuses(outputs: &[Output]) -> Vec<(Option<ChannelId>, bool)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Status(ch, up) => Some((*ch, *up)),
            _ => None,
        })
        .collect()
}

fn timer(outputs: &[Output]) -> Option<(TimerId, u32)> {
    outputs.iter().rev().find_map(|o| match o {
        Output::Timer(t, d) => Some((*t, *d)),
        _ => None,
    })
}

fn states(outputs: &[Output]) -> Vec<StateChange> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::State(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn requeued(outputs: &[Output]) -> Vec<ChannelId> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Requeue(ch) => Some(*ch),
            _ => None,
        })
        .collect()
}

fn flush_of(outputs: &[Output], id: ChannelId) -> Option<u32> {
    outputs.iter().find_map(|o| match o {
        Output::Flush(ch, f) if *ch == id => Some(*f),
        _ => None,
    })
}

fn mode_of(outputs: &[Output], id: ChannelId) -> Option<Mode> {
    outputs.iter().rev().find_map(|o| match o {
        Output::Mode(ch, m) if *ch == id => Some(*m),
        _ => None,
    })
}

/// Opens a channel and brings the socket up; returns (channel, socket).
fn open_and_connect(c: &mut Client, queue: bool) -> (ChannelId, SocketId) {
    let id = c.open_channel(queue);
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    c.take_outputs();
    (id, socket)
}

#[test]
fn the_first_channel_opens_one_socket_with_a_handshake_timer() {
    let mut c = configured();
    c.open_channel(false);
    let out = c.take_outputs();
    assert!(matches!(out[0], Output::OpenSocket(_)));
    assert_eq!(timer(&out).map(|t| t.1), Some(HANDSHAKE_TIMEOUT_MS));
    assert_eq!(c.state(), ConnectionState::Connecting);
}

#[test]
fn two_opens_in_a_row_share_one_socket_and_join_once_it_opens() {
    let mut c = configured();
    let a = c.open_channel(false);
    let b = c.open_channel(true);
    let out = c.take_outputs();
    assert_eq!(
        out.iter()
            .filter(|o| matches!(o, Output::OpenSocket(_)))
            .count(),
        1
    );
    assert!(joins(&out).is_empty(), "no join before the socket is open");
    c.socket_opened(opened_socket(&out));
    let out = c.take_outputs();
    assert_eq!(joins(&out), [a, b]);
    assert_eq!(statuses(&out), [(None, true)]);
    assert!(
        out.contains(&Output::CancelTimer),
        "the handshake timer is cancelled"
    );
    assert_eq!(c.state(), ConnectionState::Open);
}

#[test]
fn a_channel_opened_on_an_open_socket_joins_at_once_and_alone_hears_connected() {
    let mut c = configured();
    open_and_connect(&mut c, false);
    let b = c.open_channel(false);
    let out = c.take_outputs();
    assert_eq!(joins(&out), [b]);
    assert_eq!(statuses(&out), [(Some(b), true)]);
    assert_eq!(
        mode_of(&out, b),
        Some(Mode {
            joined: true,
            direct: true
        })
    );
}

#[test]
fn closing_a_channel_sends_leave_and_reports_no_disconnected() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, false);
    let b = c.open_channel(false);
    c.take_outputs();
    assert!(c.close_channel(b));
    let out = c.take_outputs();
    assert_eq!(out, [Output::Leave(socket, b)]);
    assert!(!c.close_channel(b), "closing again does nothing");
    assert_eq!(
        c.mode(a),
        Some(Mode {
            joined: true,
            direct: true
        })
    );
}

#[test]
fn closing_the_last_channel_leaves_then_closes_the_socket_with_1000() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, false);
    c.close_channel(a);
    let out = c.take_outputs();
    assert_eq!(out[0], Output::Leave(socket, a));
    assert_eq!(out[1], Output::CloseSocket(socket, 1000));
    assert!(statuses(&out).is_empty());
    assert_eq!(c.state(), ConnectionState::Idle);
}

#[test]
fn close_then_reopen_of_the_last_channel_uses_a_new_socket_untouched_by_the_old_one() {
    let mut c = configured();
    let (a, old) = open_and_connect(&mut c, false);
    c.close_channel(a);
    let b = c.open_channel(false);
    let new = opened_socket(&c.take_outputs());
    assert_ne!(old, new);
    c.socket_closed(old, 1000, 0.0);
    assert!(
        c.take_outputs().is_empty(),
        "the old socket's close is ignored"
    );
    c.socket_opened(new);
    assert_eq!(joins(&c.take_outputs()), [b]);
}

#[test]
fn closing_while_connecting_closes_the_socket_and_never_joins() {
    let mut c = configured();
    let a = c.open_channel(false);
    let socket = opened_socket(&c.take_outputs());
    c.close_channel(a);
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    c.socket_opened(socket);
    assert!(c.take_outputs().is_empty());
}

#[test]
fn an_unexpected_loss_reports_disconnected_once_and_schedules_a_reconnect() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, false);
    c.socket_closed(socket, 1006, 5_000.0);
    let out = c.take_outputs();
    assert_eq!(statuses(&out), [(None, false)]);
    let (_, delay) = timer(&out).unwrap();
    assert!((500..1_000).contains(&delay), "{delay}");
    let s = states(&out);
    assert_eq!(s[0].state, ConnectionState::Reconnecting);
    assert_eq!((s[0].attempt, s[0].code), (0, Some(1006)));
    assert_eq!(s[0].reason, Reason::ConnectionLost);
    assert_eq!(mode_of(&out, a), Some(Mode::default()));
}

#[test]
fn after_a_reconnect_every_channel_joins_again() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, false);
    let b = c.open_channel(false);
    c.socket_closed(socket, 1012, 0.0);
    let (t, _) = timer(&c.take_outputs()).unwrap();
    c.timer_fired(t, 800.0);
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let out = c.take_outputs();
    assert_eq!(joins(&out), [a, b]);
    assert_eq!(statuses(&out), [(None, true)]);
}

#[test]
fn close_codes_1000_and_1008_from_the_server_stop_after_reporting_disconnected() {
    for code in [1000, 1008] {
        let mut c = configured();
        let (_, socket) = open_and_connect(&mut c, false);
        c.socket_closed(socket, code, 0.0);
        let out = c.take_outputs();
        assert_eq!(statuses(&out), [(None, false)]);
        assert!(timer(&out).is_none());
        assert_eq!(c.state(), ConnectionState::Idle);
        let s = states(&out);
        assert_eq!(s.last().unwrap().code, Some(code));
    }
}

#[test]
fn a_page_that_starts_during_an_outage_never_gives_up() {
    let mut c = Client::new(3);
    c.configure(settings(100.0, 800.0, 10.0));
    c.open_channel(true);
    let mut now = 0.0;
    let mut out = c.take_outputs();
    // 12 s of refused handshakes: the client keeps trying, at most 800 ms apart.
    while now < 12_000.0 {
        let socket = opened_socket(&out);
        c.socket_closed(socket, 1006, now);
        out = c.take_outputs();
        let (t, delay) = timer(&out).expect("a retry is always scheduled");
        assert!(delay <= 800, "{delay}");
        assert_eq!(c.state(), ConnectionState::Reconnecting);
        now += f64::from(delay);
        c.timer_fired(t, now);
        out = c.take_outputs();
    }
    let socket = opened_socket(&out);
    c.socket_opened(socket);
    assert_eq!(c.state(), ConnectionState::Open);
}

#[test]
fn repeated_handshake_failures_name_the_likely_causes_but_keep_trying() {
    let mut c = configured();
    c.open_channel(false);
    let mut out = c.take_outputs();
    let mut reasons = Vec::new();
    for i in 0..8 {
        c.socket_closed(opened_socket(&out), 1006, f64::from(i) * 1_000.0);
        out = c.take_outputs();
        reasons.push(states(&out)[0].reason);
        let (t, _) = timer(&out).unwrap();
        c.timer_fired(t, f64::from(i) * 1_000.0 + 900.0);
        out = c.take_outputs();
        assert_eq!(states(&out)[0].attempt, i + 1);
    }
    assert_eq!(reasons[0], Reason::ConnectionLost);
    assert_eq!(reasons[4], Reason::HandshakeKeepsFailing);
    assert_eq!(reasons[7], Reason::HandshakeKeepsFailing);
}

#[test]
fn a_handshake_that_never_answers_is_abandoned_and_retried() {
    let mut c = configured();
    c.open_channel(false);
    let out = c.take_outputs();
    let socket = opened_socket(&out);
    let (t, _) = timer(&out).unwrap();
    c.timer_fired(t, 10_000.0);
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    assert!(
        statuses(&out).is_empty(),
        "it never opened: no disconnected"
    );
    assert_eq!(states(&out)[0].reason, Reason::HandshakeTimeout);
    assert!(timer(&out).is_some());
    c.socket_closed(socket, 1006, 10_001.0);
    assert!(
        c.take_outputs().is_empty(),
        "the abandoned socket's close is ignored"
    );
}

#[test]
fn a_silent_open_socket_is_dropped_its_messages_requeued_and_the_client_reconnects() {
    let mut c = configured();
    let (ch, socket) = open_and_connect(&mut c, true);
    c.socket_silent(socket, 50_000.0);
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    assert_eq!(
        statuses(&out),
        vec![(None, false)],
        "the channels hear disconnected"
    );
    assert_eq!(
        requeued(&out),
        vec![ch],
        "what the socket carried goes back to the queue"
    );
    let state = states(&out)[0];
    assert_eq!(state.state, ConnectionState::Reconnecting);
    assert_eq!(state.reason, Reason::ServerSilent);
    let (t, _) = timer(&out).expect("a reconnect timer");
    c.socket_closed(socket, 1006, 50_001.0);
    assert!(
        c.take_outputs().is_empty(),
        "the dropped socket's close is ignored"
    );
    c.timer_fired(t, 51_000.0);
    assert!(opened_socket(&c.take_outputs()) != socket, "a new socket");
}

#[test]
fn silence_of_a_socket_that_is_not_the_open_one_is_ignored() {
    let mut c = configured();
    c.open_channel(false);
    let socket = opened_socket(&c.take_outputs());
    c.socket_silent(socket, 1.0);
    assert!(
        c.take_outputs().is_empty(),
        "still connecting: the handshake timer decides"
    );
    c.socket_opened(socket);
    c.take_outputs();
    c.socket_silent(socket + 1000, 2.0);
    assert!(c.take_outputs().is_empty(), "another socket's silence");
    assert_eq!(c.state(), ConnectionState::Open);
}

#[test]
fn the_backoff_grows_with_the_outage_and_resets_after_an_open() {
    let mut c = configured();
    let (_, socket) = open_and_connect(&mut c, false);
    c.socket_closed(socket, 1006, 0.0);
    let mut out = c.take_outputs();
    let mut now = 0.0;
    let mut last = 0;
    while now < 600_000.0 {
        let (t, delay) = timer(&out).unwrap();
        last = delay;
        now += f64::from(delay);
        c.timer_fired(t, now);
        let socket = opened_socket(&c.take_outputs());
        c.socket_closed(socket, 1006, now);
        out = c.take_outputs();
    }
    assert!(
        last > 15_000,
        "after 10 minutes down the spacing is ~40 s: {last}"
    );
    let (t, delay) = timer(&out).unwrap();
    c.timer_fired(t, now + f64::from(delay));
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    c.take_outputs();
    c.socket_closed(socket, 1006, now + 100_000.0);
    let (_, delay) = timer(&c.take_outputs()).unwrap();
    assert!(
        delay < 1_000,
        "a new outage starts from the minimum: {delay}"
    );
}

#[test]
fn a_stale_timer_is_ignored() {
    let mut c = configured();
    let (_, socket) = open_and_connect(&mut c, false);
    c.socket_closed(socket, 1006, 0.0);
    let (t, _) = timer(&c.take_outputs()).unwrap();
    c.timer_fired(t + 1_000, 1_000.0);
    assert!(c.take_outputs().is_empty());
    assert_eq!(c.state(), ConnectionState::Reconnecting);
}

#[test]
fn offline_closes_the_open_socket_and_online_reconnects_at_once() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    c.browser_offline();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    assert_eq!(statuses(&out), [(None, false)]);
    assert_eq!(requeued(&out), [a]);
    assert_eq!(c.state(), ConnectionState::Offline);
    assert_eq!(mode_of(&out, a), Some(Mode::default()));
    assert!(timer(&out).is_none(), "no retries while offline");
    c.socket_closed(socket, 1006, 1.0);
    assert!(c.take_outputs().is_empty());
    c.browser_online();
    let out = c.take_outputs();
    assert!(out.iter().any(|o| matches!(o, Output::OpenSocket(_))));
    assert_eq!(c.state(), ConnectionState::Connecting);
}

#[test]
fn offline_cancels_a_pending_retry_and_a_channel_opened_offline_waits() {
    let mut c = configured();
    let (_, socket) = open_and_connect(&mut c, false);
    c.socket_closed(socket, 1006, 0.0);
    c.take_outputs();
    c.browser_offline();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CancelTimer));
    assert_eq!(c.state(), ConnectionState::Offline);
    c.open_channel(false);
    assert!(!c
        .take_outputs()
        .iter()
        .any(|o| matches!(o, Output::OpenSocket(_))));
}

#[test]
fn a_page_that_starts_offline_connects_when_the_browser_is_online() {
    let mut c = configured();
    c.browser_offline();
    c.open_channel(false);
    let out = c.take_outputs();
    assert!(!out.iter().any(|o| matches!(o, Output::OpenSocket(_))));
    assert_eq!(c.state(), ConnectionState::Offline);
    c.browser_online();
    assert!(c
        .take_outputs()
        .iter()
        .any(|o| matches!(o, Output::OpenSocket(_))));
}

#[test]
fn a_visible_page_retries_at_once_and_a_hidden_one_waits() {
    let mut c = configured();
    let (_, socket) = open_and_connect(&mut c, false);
    c.socket_closed(socket, 1006, 0.0);
    c.take_outputs();
    c.page_visible();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CancelTimer));
    assert!(out.iter().any(|o| matches!(o, Output::OpenSocket(_))));
}

#[test]
fn configure_and_token_changes_reconnect_at_once_without_disconnected() {
    let mut c = configured();
    let (_, socket) = open_and_connect(&mut c, false);
    c.token_changed();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    assert!(statuses(&out).is_empty());
    assert!(out.iter().any(|o| matches!(o, Output::OpenSocket(_))));
    // Also while waiting to retry: the new settings are tried at once.
    let socket = opened_socket(&out);
    c.socket_closed(socket, 1006, 0.0);
    c.take_outputs();
    c.configure(settings(1_000.0, 60_000.0, 5.0));
    assert!(c
        .take_outputs()
        .iter()
        .any(|o| matches!(o, Output::OpenSocket(_))));
}

#[test]
fn a_server_that_closed_with_1000_stays_down_until_the_app_acts() {
    let mut c = configured();
    let (_, socket) = open_and_connect(&mut c, false);
    c.socket_closed(socket, 1000, 0.0);
    c.take_outputs();
    c.page_visible();
    c.browser_online();
    assert!(c.take_outputs().is_empty());
    c.token_changed();
    assert!(c
        .take_outputs()
        .iter()
        .any(|o| matches!(o, Output::OpenSocket(_))));
}

// ---- sends and the offline queue ----------------------------------------------------------

#[test]
fn a_joined_channel_without_a_queue_sends_directly_and_refuses_otherwise() {
    let mut c = configured();
    let a = c.open_channel(false);
    let out = c.take_outputs();
    assert_eq!(
        mode_of(&out, a),
        None,
        "not joined: the mode stays the default"
    );
    assert_eq!(c.mode(a), Some(Mode::default()));
    c.socket_opened(opened_socket(&out));
    assert_eq!(
        mode_of(&c.take_outputs(), a),
        Some(Mode {
            joined: true,
            direct: true
        })
    );
}

#[test]
fn a_queue_channel_flushes_its_backlog_before_sending_directly() {
    let mut c = configured();
    let a = c.open_channel(true);
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let out = c.take_outputs();
    let flush = flush_of(&out, a).expect("a flush of what an earlier page may have left");
    assert_eq!(
        mode_of(&out, a),
        Some(Mode {
            joined: true,
            direct: false
        })
    );
    c.flush_finished(a, flush, c.last_queued(a), true, 0, c.last_queued(a));
    assert_eq!(
        mode_of(&c.take_outputs(), a),
        Some(Mode {
            joined: true,
            direct: true
        })
    );
}

#[test]
fn queued_messages_are_counted_and_flushed_in_order_before_later_sends() {
    let mut c = configured();
    let a = c.open_channel(true);
    let socket = opened_socket(&c.take_outputs());
    c.enqueue(a).unwrap();
    c.enqueue(a).unwrap();
    let out = c.take_outputs();
    assert_eq!(out.last(), Some(&Output::Pending(a, 2)));
    c.socket_opened(socket);
    let flush = flush_of(&c.take_outputs(), a).unwrap();
    let covers = c.last_queued(a);
    // Sent while the flush runs: behind it.
    c.enqueue(a).unwrap();
    c.take_outputs();
    c.flush_finished(a, flush, covers, true, 1, c.last_queued(a));
    let out = c.take_outputs();
    let again = flush_of(&out, a).expect("a second flush for the message sent meanwhile");
    assert_ne!(again, flush);
    assert_eq!(c.pending(a), Some(1));
    c.flush_finished(a, again, c.last_queued(a), true, 0, c.last_queued(a));
    let out = c.take_outputs();
    assert_eq!(
        mode_of(&out, a),
        Some(Mode {
            joined: true,
            direct: true
        })
    );
    assert_eq!(c.pending(a), Some(0));
}

#[test]
fn a_lost_socket_puts_a_queue_channels_unconfirmed_messages_back_before_new_ones() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    let b = c.open_channel(false);
    let flush = flush_of(&c.take_outputs(), a);
    assert!(flush.is_none(), "the first flush ran before b opened");
    c.socket_closed(socket, 1006, 0.0);
    let out = c.take_outputs();
    assert_eq!(requeued(&out), [a], "only the joined queue channel");
    assert_eq!(c.mode(b), Some(Mode::default()));
    // Down: sends are queued behind what was put back.
    c.enqueue(a).unwrap();
    c.take_outputs();
    let (t, _) = timer(&out).unwrap();
    c.timer_fired(t, 700.0);
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let out = c.take_outputs();
    assert!(flush_of(&out, a).is_some());
    assert_eq!(
        mode_of(&out, a),
        Some(Mode {
            joined: true,
            direct: false
        })
    );
}

#[test]
fn a_queue_channel_closed_while_the_socket_stays_lingers_until_the_socket_goes() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    let b = c.open_channel(false);
    c.take_outputs();
    c.close_channel(a);
    let out = c.take_outputs();
    assert_eq!(out, [Output::Leave(socket, a), Output::Linger(a)]);
    c.socket_closed(socket, 1006, 0.0);
    assert_eq!(
        requeued(&c.take_outputs()),
        [a],
        "lost with the socket: put back"
    );
    let _ = b;
}

#[test]
fn a_socket_closed_for_a_new_token_or_settings_puts_back_what_it_carried() {
    // The server may have died unnoticed: what it did not confirm is sent again after the rejoin.
    let mut c = configured();
    let (a, _) = open_and_connect(&mut c, true);
    c.token_changed();
    let out = c.take_outputs();
    assert_eq!(requeued(&out), [a]);
    assert!(
        !out.iter().any(|o| matches!(o, Output::Status(None, false))),
        "no disconnected"
    );
    let mut c = configured();
    let (a, _) = open_and_connect(&mut c, true);
    c.configure(settings(500.0, 30_000.0, 10_000.0));
    assert_eq!(requeued(&c.take_outputs()), [a]);
}

#[test]
fn the_last_channel_closed_keeps_the_socket_until_what_it_carried_is_confirmed() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    c.close_channel(a);
    let out = c.take_outputs();
    assert!(out.contains(&Output::Linger(a)));
    assert!(out.contains(&Output::Drain(socket)));
    assert!(
        !out.contains(&Output::CloseSocket(socket, 1000)),
        "the socket waits for the echoes"
    );
    assert_eq!(c.state(), ConnectionState::Idle, "no channel is open");
    assert!(c.drained(true));
    assert_eq!(c.take_outputs(), [Output::CloseSocket(socket, 1000)]);
    assert!(!c.drained(true));
    assert!(c.take_outputs().is_empty(), "drained once");
    c.socket_closed(socket, 1006, 0.0);
    assert!(c.take_outputs().is_empty(), "a closed socket's late event");
}

#[test]
fn a_socket_lost_before_the_last_channel_s_echoes_came_puts_them_back_and_stays_idle() {
    // The server died unnoticed just before the user left: nothing is lost.
    let ends: [fn(&mut Client, SocketId); 4] = [
        |c, s| c.socket_closed(s, 1006, 0.0),
        |c, s| c.socket_silent(s, 0.0),
        |c, _| c.browser_offline(),
        |c, _| c.token_changed(),
    ];
    for end in ends {
        let mut c = configured();
        let (a, socket) = open_and_connect(&mut c, true);
        c.close_channel(a);
        c.take_outputs();
        end(&mut c, socket);
        let out = c.take_outputs();
        assert_eq!(requeued(&out), [a]);
        assert!(
            !out.iter()
                .any(|o| matches!(o, Output::OpenSocket(_) | Output::Timer(..))),
            "no channel is open: no reconnect, {out:?}"
        );
        assert!(!out.iter().any(|o| matches!(o, Output::Status(..))));
        assert_eq!(c.state(), ConnectionState::Idle);
        assert!(!c.drained(true));
        assert!(c.take_outputs().is_empty());
    }
}

#[test]
fn a_socket_kept_for_echoes_that_the_tab_gives_up_puts_them_back() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    c.close_channel(a);
    c.take_outputs();
    assert!(c.drained(false));
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    assert_eq!(requeued(&out), [a]);
    assert_eq!(c.state(), ConnectionState::Idle);
}

#[test]
fn a_channel_opened_while_the_socket_drains_joins_on_it() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    c.close_channel(a);
    c.take_outputs();
    let b = c.open_channel(false);
    let out = c.take_outputs();
    assert!(out.contains(&Output::Join(socket, b)));
    assert!(out.contains(&Output::Status(Some(b), true)));
    assert!(!out.iter().any(|o| matches!(o, Output::OpenSocket(_))));
    assert_eq!(c.state(), ConnectionState::Open);
    assert!(!c.drained(true));
    assert!(c.take_outputs().is_empty(), "no longer draining");
    c.socket_closed(socket, 1006, 0.0);
    assert_eq!(
        requeued(&c.take_outputs()),
        [a],
        "a still lingers on the socket b uses"
    );
}

#[test]
fn a_last_channel_without_the_queue_closes_the_socket_at_once() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, false);
    c.close_channel(a);
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket(socket, 1000)));
    assert!(!out.iter().any(|o| matches!(o, Output::Drain(_))));
}

#[test]
fn the_queue_cap_refuses_new_actions_and_keeps_the_old_ones() {
    let mut c = Client::new(1);
    c.configure(settings(1_000.0, 60_000.0, 2.0));
    let a = c.open_channel(true);
    assert_eq!(c.enqueue(a), Ok(()));
    assert_eq!(c.enqueue(a), Ok(()));
    assert_eq!(c.enqueue(a), Err(QueueError::Full));
    assert_eq!(c.pending(a), Some(2));
    c.store_failed(a);
    assert_eq!(c.pending(a), Some(1));
    assert_eq!(c.enqueue(a), Ok(()));
    assert_eq!(c.enqueue(99), Err(QueueError::Closed));
}

#[test]
fn a_stale_flush_cannot_end_the_current_one() {
    let mut c = configured();
    let (a, socket) = open_and_connect(&mut c, true);
    // The first flush is lost with its socket.
    let first = c.mode(a);
    assert_eq!(
        first,
        Some(Mode {
            joined: true,
            direct: false
        })
    );
    c.socket_closed(socket, 1006, 0.0);
    let (t, _) = timer(&c.take_outputs()).unwrap();
    c.timer_fired(t, 600.0);
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let current = flush_of(&c.take_outputs(), a).unwrap();
    c.flush_finished(a, current + 1_000, 0, true, 0, 0);
    c.take_outputs();
    assert_eq!(
        c.mode(a),
        Some(Mode {
            joined: true,
            direct: false
        })
    );
    c.flush_finished(a, current, c.last_queued(a), true, 0, c.last_queued(a));
    c.take_outputs();
    assert_eq!(
        c.mode(a),
        Some(Mode {
            joined: true,
            direct: true
        })
    );
}

#[test]
fn a_flush_of_an_earlier_opening_cannot_hide_what_the_channel_queued_since_it_reopened() {
    let mut c = configured();
    let (a, _) = open_and_connect(&mut c, true);
    c.close_channel(a);
    assert!(c.drained(true));
    let b = c.open_channel(true);
    c.enqueue(b).unwrap();
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let flush = flush_of(&c.take_outputs(), b).unwrap();
    // A late report about the closed opening `a` changes nothing for `b`.
    c.flush_finished(a, flush, 100, true, 0, 100);
    assert_eq!(c.pending(b), Some(1));
    assert!(c.take_outputs().is_empty());
}

#[test]
fn counting_the_store_adds_what_was_queued_since_the_count_was_asked_for() {
    let mut c = configured();
    let a = c.open_channel(true);
    let as_of = c.last_queued(a);
    c.enqueue(a).unwrap();
    c.take_outputs();
    c.queue_counted(a, 40, as_of);
    assert_eq!(c.take_outputs(), [Output::Pending(a, 41)]);
}

#[test]
fn state_changes_are_reported_with_their_reason() {
    let mut c = configured();
    let a = c.open_channel(false);
    let out = c.take_outputs();
    assert_eq!(states(&out)[0].state, ConnectionState::Connecting);
    assert_eq!(states(&out)[0].reason, Reason::ChannelOpened);
    c.socket_opened(opened_socket(&out));
    assert_eq!(states(&c.take_outputs())[0].reason, Reason::Connected);
    c.close_channel(a);
    let s = states(&c.take_outputs());
    assert_eq!(
        (s[0].state, s[0].reason),
        (ConnectionState::Idle, Reason::NoChannel)
    );
}

#[test]
fn a_channels_mode_is_reported_before_the_connection_status_its_listeners_hear() {
    let mut c = configured();
    let a = c.open_channel(false);
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let out = c.take_outputs();
    let mode = out
        .iter()
        .position(|o| matches!(o, Output::Mode(ch, _) if *ch == a));
    let status = out
        .iter()
        .position(|o| matches!(o, Output::Status(None, true)));
    assert!(mode < status, "{out:?}");
    c.socket_closed(socket, 1006, 0.0);
    let out = c.take_outputs();
    let mode = out
        .iter()
        .position(|o| matches!(o, Output::Mode(ch, _) if *ch == a));
    let status = out
        .iter()
        .position(|o| matches!(o, Output::Status(None, false)));
    assert!(mode < status, "{out:?}");
}

#[test]
fn a_lost_socket_puts_back_the_messages_of_every_opening_of_a_channel_oldest_first() {
    // A queue channel closed while another keeps the socket lingers; opened again and closed
    // again, its second opening lingers too, and a third opening is joined. Each Requeue puts
    // that opening's unconfirmed messages at the *front* of the channel's store (they share it:
    // the store is per name), so the Requeues must come newest opening first for the oldest
    // messages to end up first. Found by tests/core_properties.rs (reopen property).
    let mut c = configured();
    let (a1, socket) = open_and_connect(&mut c, true);
    c.open_channel(false);
    c.close_channel(a1);
    let a2 = c.open_channel(true);
    c.close_channel(a2);
    let a3 = c.open_channel(true);
    let out = c.take_outputs();
    assert!(out.contains(&Output::Linger(a1)) && out.contains(&Output::Linger(a2)));
    c.socket_closed(socket, 1006, 0.0);
    assert_eq!(
        requeued(&c.take_outputs()),
        [a3, a2, a1],
        "each Requeue prepends to the store: newest opening first, so a1's messages lead"
    );
}
