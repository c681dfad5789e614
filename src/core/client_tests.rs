//! Native tests of the client core's state machine: what it sends, opens, closes and reports.

use super::client::*;
use super::config::{Config, ConfigInput};
use super::error::ClientError;
use super::frame::MessageOptions;

type TestClient = Client<&'static str, u32>;

fn configured() -> TestClient {
    let mut c = Client::new(1);
    let config = Config::from_input(ConfigInput {
        instance_base_url: "http://127.0.0.1:8787".into(),
        canonical: "dev".into(),
        token: Some("tok".into()),
        ..ConfigInput::default()
    })
    .unwrap();
    c.configure(config);
    c.take_outputs();
    c
}

fn opts(presence: bool, history: bool, queue: bool) -> ChannelOptions {
    ChannelOptions {
        presence,
        history,
        queue_offline_actions: queue,
    }
}

fn opened_socket(outputs: &[Output]) -> SocketId {
    outputs
        .iter()
        .find_map(|o| match o {
            Output::OpenSocket { socket, .. } => Some(*socket),
            _ => None,
        })
        .expect("an OpenSocket output")
}

fn sent(outputs: &[Output]) -> Vec<&str> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn statuses(outputs: &[Output]) -> Vec<(Option<&str>, bool)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::ConnectionStatus { channel, connected } => {
                Some((channel.as_deref(), *connected))
            }
            _ => None,
        })
        .collect()
}

fn armed_timer(outputs: &[Output]) -> Option<(TimerId, u32)> {
    outputs.iter().find_map(|o| match o {
        Output::ArmTimer { timer, delay_ms } => Some((*timer, *delay_ms)),
        _ => None,
    })
}

/// Opens `name` and brings the socket up; returns the socket id.
fn open_and_connect(c: &mut TestClient, name: &str, o: ChannelOptions) -> SocketId {
    c.open_channel(name, o, 0).unwrap();
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    c.take_outputs();
    socket
}

#[test]
fn opening_before_configure_is_refused() {
    let mut c: TestClient = Client::new(1);
    assert_eq!(
        c.open_channel("a", ChannelOptions::default(), 0),
        Err(ClientError::NotConfigured)
    );
    assert!(c.take_outputs().is_empty());
}

#[test]
fn first_channel_opens_one_socket_with_the_token_as_subprotocol() {
    let mut c = configured();
    c.open_channel("a", ChannelOptions::default(), 0).unwrap();
    let out = c.take_outputs();
    assert!(out.contains(&Output::OpenSocket {
        socket: opened_socket(&out),
        url: "ws://127.0.0.1:8787/rt/dev".into(),
        token: Some("tok".into()),
    }));
    assert_eq!(c.state(), ConnectionState::Connecting);
    assert!(
        sent(&out).is_empty(),
        "nothing is sent before the socket opens"
    );
}

#[test]
fn two_opens_in_a_row_share_one_socket_and_join_after_it_opens() {
    let mut c = configured();
    c.open_channel("a", opts(true, false, false), 0).unwrap();
    c.open_channel("b", opts(false, true, false), 0).unwrap();
    let out = c.take_outputs();
    let sockets = out
        .iter()
        .filter(|o| matches!(o, Output::OpenSocket { .. }))
        .count();
    assert_eq!(sockets, 1);
    assert!(sent(&out).is_empty());
    c.socket_opened(opened_socket(&out));
    let out = c.take_outputs();
    assert_eq!(
        sent(&out),
        [
            r#"{"action":"join","options":{"channel":"a"},"payload":{"history":false,"presence":true}}"#,
            r#"{"action":"join","options":{"channel":"b"},"payload":{"history":true,"presence":false}}"#,
        ]
    );
    assert_eq!(statuses(&out), [(None, true)]);
    assert_eq!(c.state(), ConnectionState::Open);
}

#[test]
fn opening_an_open_channel_again_changes_nothing() {
    let mut c = configured();
    open_and_connect(&mut c, "a", ChannelOptions::default());
    assert_eq!(
        c.open_channel("a", ChannelOptions::default(), 0),
        Ok(Opened::Existing)
    );
    assert!(c.take_outputs().is_empty());
}

#[test]
fn a_channel_opened_on_an_open_socket_joins_at_once_and_alone_hears_connected() {
    let mut c = configured();
    open_and_connect(&mut c, "a", ChannelOptions::default());
    c.open_channel("b", ChannelOptions::default(), 0).unwrap();
    let out = c.take_outputs();
    assert_eq!(sent(&out).len(), 1);
    assert!(sent(&out)[0].contains(r#""channel":"b""#));
    assert_eq!(statuses(&out), [(Some("b"), true)]);
}

#[test]
fn closing_a_channel_sends_leave_and_reports_no_disconnected() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.open_channel("b", ChannelOptions::default(), 0).unwrap();
    c.take_outputs();
    assert!(c.close_channel("a"));
    let out = c.take_outputs();
    assert_eq!(
        out,
        [Output::Send {
            socket,
            text: r#"{"action":"leave","options":{"channel":"a"},"payload":null}"#.into()
        }]
    );
    assert!(!c.close_channel("a"), "closing a closed channel is a no-op");
    assert!(c.take_outputs().is_empty());
}

#[test]
fn closing_the_last_channel_closes_the_socket_with_1000_and_reports_no_disconnected() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.close_channel("a");
    let out = c.take_outputs();
    assert!(sent(&out)[0].contains("leave"));
    assert!(out.contains(&Output::CloseSocket { socket, code: 1000 }));
    assert!(statuses(&out).is_empty());
    assert_eq!(c.state(), ConnectionState::Idle);
    // The closed socket's close event arrives later: it is ignored.
    c.socket_closed(socket, 1000);
    assert!(c.take_outputs().is_empty());
}

#[test]
fn close_then_reopen_of_the_last_channel_uses_a_new_socket_untouched_by_the_old_one() {
    let mut c = configured();
    let old = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.close_channel("a");
    c.open_channel("a", ChannelOptions::default(), 0).unwrap();
    let out = c.take_outputs();
    let new = opened_socket(&out);
    assert_ne!(old, new);
    c.socket_closed(old, 1006);
    assert!(c.take_outputs().is_empty(), "late close of the old socket");
    assert_eq!(c.state(), ConnectionState::Connecting);
    c.socket_opened(new);
    let out = c.take_outputs();
    assert_eq!(sent(&out).len(), 1);
    assert!(sent(&out)[0].contains("join"));
}

#[test]
fn closing_while_connecting_closes_the_socket_and_never_joins() {
    let mut c = configured();
    c.open_channel("a", ChannelOptions::default(), 0).unwrap();
    let socket = opened_socket(&c.take_outputs());
    c.close_channel("a");
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket { socket, code: 1000 }));
    assert!(sent(&out).is_empty());
    c.socket_opened(socket);
    assert!(c.take_outputs().is_empty());
}

#[test]
fn an_unexpected_loss_reports_disconnected_once_and_schedules_a_reconnect() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.socket_closed(socket, 1006);
    let out = c.take_outputs();
    assert_eq!(statuses(&out), [(None, false)]);
    let (_, delay) = armed_timer(&out).expect("a reconnect timer");
    assert!((1_000..=2_000).contains(&delay));
    assert_eq!(c.state(), ConnectionState::Reconnecting);
}

#[test]
fn after_a_reconnect_every_channel_joins_again_with_its_options() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", opts(true, true, false));
    c.open_channel("b", opts(false, false, false), 0).unwrap();
    c.take_outputs();
    c.socket_closed(socket, 1012);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    c.timer_fired(timer);
    let next = opened_socket(&c.take_outputs());
    c.socket_opened(next);
    let out = c.take_outputs();
    assert_eq!(
        sent(&out),
        [
            r#"{"action":"join","options":{"channel":"a"},"payload":{"history":true,"presence":true}}"#,
            r#"{"action":"join","options":{"channel":"b"},"payload":{"history":false,"presence":false}}"#,
        ]
    );
    assert_eq!(statuses(&out), [(None, true)]);
}

#[test]
fn no_reconnect_after_close_1000_or_1008() {
    for code in [1000, 1008] {
        let mut c = configured();
        let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
        c.socket_closed(socket, code);
        let out = c.take_outputs();
        assert_eq!(
            statuses(&out),
            [(None, false)],
            "the loss was not voluntary"
        );
        assert!(armed_timer(&out).is_none());
        assert_eq!(c.state(), ConnectionState::Idle);
    }
}

#[test]
fn backoff_grows_while_handshakes_fail_and_resets_after_an_open() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.socket_closed(socket, 1006);
    let mut ceilings = Vec::new();
    for attempt in 0..4u32 {
        let out = c.take_outputs();
        let (timer, delay) = armed_timer(&out).unwrap();
        ceilings.push(delay);
        assert!(delay <= 1_000 * (1 << (attempt + 1)), "{attempt}: {delay}");
        c.timer_fired(timer);
        let s = opened_socket(&c.take_outputs());
        if attempt < 3 {
            c.socket_closed(s, 1006);
        } else {
            c.socket_opened(s);
            c.take_outputs();
            c.socket_closed(s, 1006);
            let (_, delay) = armed_timer(&c.take_outputs()).unwrap();
            assert!(delay <= 2_000, "the attempt count was reset: {delay}");
        }
    }
}

#[test]
fn a_refused_handshake_is_not_retried_forever() {
    let mut c = configured();
    c.open_channel("a", ChannelOptions::default(), 0).unwrap();
    let mut socket = opened_socket(&c.take_outputs());
    let mut retries = 0;
    loop {
        c.socket_closed(socket, 1006);
        let out = c.take_outputs();
        assert!(
            statuses(&out).is_empty(),
            "never connected, so no disconnected"
        );
        match armed_timer(&out) {
            Some((timer, _)) => {
                retries += 1;
                c.timer_fired(timer);
                socket = opened_socket(&c.take_outputs());
            }
            None => break,
        }
        assert!(retries < 100);
    }
    assert_eq!(retries, 7);
    assert_eq!(c.state(), ConnectionState::Idle);
}

#[test]
fn an_outage_after_a_successful_open_is_retried_past_the_handshake_limit() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.socket_closed(socket, 1006);
    for _ in 0..50 {
        let (timer, delay) = armed_timer(&c.take_outputs()).expect("still retrying");
        assert!(delay <= 60_000);
        c.timer_fired(timer);
        let s = opened_socket(&c.take_outputs());
        c.socket_closed(s, 1006);
    }
    assert_eq!(c.state(), ConnectionState::Reconnecting);
}

#[test]
fn a_stale_timer_is_ignored() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.socket_closed(socket, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    c.page_visible();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CancelTimer { timer }));
    opened_socket(&out);
    c.timer_fired(timer);
    assert!(c.take_outputs().is_empty());
}

#[test]
fn offline_stops_retrying_and_online_reconnects_at_once() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.socket_closed(socket, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    c.browser_offline();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CancelTimer { timer }));
    assert_eq!(c.state(), ConnectionState::Offline);
    c.page_visible();
    assert!(c.take_outputs().is_empty(), "no retry while offline");
    c.browser_online();
    opened_socket(&c.take_outputs());
    assert_eq!(c.state(), ConnectionState::Connecting);
}

#[test]
fn a_socket_lost_while_the_browser_is_offline_waits_for_online() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.browser_offline();
    assert_eq!(c.state(), ConnectionState::Open, "the socket decides");
    c.socket_closed(socket, 1006);
    let out = c.take_outputs();
    assert_eq!(statuses(&out), [(None, false)]);
    assert!(armed_timer(&out).is_none());
    assert_eq!(c.state(), ConnectionState::Offline);
}

#[test]
fn configure_again_reconnects_without_reporting_disconnected() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.set_token(Some("other".into())).unwrap();
    let out = c.take_outputs();
    assert!(out.contains(&Output::CloseSocket { socket, code: 1000 }));
    assert!(statuses(&out).is_empty());
    let new = opened_socket(&out);
    assert!(out.contains(&Output::OpenSocket {
        socket: new,
        url: "ws://127.0.0.1:8787/rt/dev".into(),
        token: Some("other".into())
    }));
}

#[test]
fn a_bad_token_is_refused_and_changes_nothing() {
    let mut c = configured();
    open_and_connect(&mut c, "a", ChannelOptions::default());
    assert!(c.set_token(Some("has space".into())).is_err());
    assert!(c.take_outputs().is_empty());
    assert_eq!(c.config().unwrap().token.as_deref(), Some("tok"));
}

#[test]
fn frames_route_to_their_channel_only_or_to_all_without_a_channel() {
    let mut c = configured();
    c.open_channel("a", ChannelOptions::default(), 1).unwrap();
    c.open_channel("b", ChannelOptions::default(), 2).unwrap();
    assert_eq!(c.route(Some("a")), Route::One(&1));
    assert_eq!(c.route(Some("b")), Route::One(&2));
    assert_eq!(c.route(Some("zzz")), Route::NotOpen);
    assert_eq!(c.route(None), Route::All);
}

#[test]
fn presence_is_cleared_when_the_socket_is_lost() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", opts(true, false, false));
    c.presence_full("a", [("s1".to_owned(), "one"), ("s2".to_owned(), "two")]);
    c.presence_join("a", "s1".into(), "one again");
    assert_eq!(c.presence("a").unwrap().len(), 2);
    c.presence_leave("a", "s2");
    assert_eq!(
        c.presence("a").unwrap().socket_ids().collect::<Vec<_>>(),
        ["s1"]
    );
    c.socket_closed(socket, 1006);
    assert!(c.presence("a").unwrap().is_empty());
}

#[test]
fn a_message_on_a_joined_channel_is_sent_as_the_sdk_sends_it() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    let outcome = c.message("a", r#"{"t":1}"#, &MessageOptions::default());
    assert_eq!(outcome, Ok(MessageOutcome::Sent));
    assert_eq!(
        c.take_outputs(),
        [Output::Send {
            socket,
            text: r#"{"action":"message","options":{"channel":"a"},"payload":{"t":1}}"#.into()
        }]
    );
}

#[test]
fn deciding_a_message_on_a_joined_channel_names_the_socket_and_queues_no_output() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    assert_eq!(c.decide_message("a"), Ok(MessageDecision::Send(socket)));
    assert!(
        c.take_outputs().is_empty(),
        "the shell sends the frame itself"
    );
}

#[test]
fn a_message_while_not_joined_without_the_queue_option_is_refused() {
    let mut c = configured();
    c.open_channel("a", ChannelOptions::default(), 0).unwrap();
    c.take_outputs();
    let err = c.message("a", "1", &MessageOptions::default()).unwrap_err();
    assert!(matches!(err, ClientError::NotConnected { .. }));
    assert!(err.to_string().contains("queueOfflineActions"));
    assert!(c.take_outputs().is_empty());
}

#[test]
fn a_message_on_a_closed_channel_is_refused() {
    let mut c = configured();
    let err = c
        .message("gone", "1", &MessageOptions::default())
        .unwrap_err();
    assert!(matches!(err, ClientError::ChannelClosed { .. }));
}

fn flush_of(outputs: &[Output]) -> Option<u64> {
    outputs.iter().find_map(|o| match o {
        Output::FlushQueue { flush, .. } => Some(*flush),
        _ => None,
    })
}

/// A channel with the queue option, joined, its (empty) backlog flushed; returns the socket.
fn joined_with_queue(c: &mut TestClient, name: &str) -> SocketId {
    c.open_channel(name, opts(false, false, true), 0).unwrap();
    let socket = opened_socket(&c.take_outputs());
    c.socket_opened(socket);
    let flush = flush_of(&c.take_outputs()).expect("the backlog is checked once joined");
    c.flush_finished(name, flush, 0, true, 0, 0);
    assert!(c.take_outputs().is_empty());
    socket
}

fn queue(c: &mut TestClient, name: &str, payload: &str) -> String {
    match c.message(name, payload, &MessageOptions::default()) {
        Ok(MessageOutcome::Queue(text)) => text,
        other => panic!("expected Queue, got {other:?}"),
    }
}

#[test]
fn a_joined_channel_with_an_empty_queue_sends_directly() {
    let mut c = configured();
    let socket = joined_with_queue(&mut c, "a");
    assert_eq!(
        c.message("a", "1", &MessageOptions::default()),
        Ok(MessageOutcome::Sent)
    );
    assert_eq!(sent(&c.take_outputs()).len(), 1);
    let _ = socket;
}

#[test]
fn queued_messages_flush_in_order_before_later_sends() {
    let mut c = configured();
    let socket = joined_with_queue(&mut c, "a");
    c.socket_closed(socket, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    let stored: Vec<String> = (0..3).map(|i| queue(&mut c, "a", &i.to_string())).collect();
    assert_eq!(c.pending("a"), Some(3));
    c.timer_fired(timer);
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    let flush = flush_of(&c.take_outputs()).expect("a flush once joined");
    let covers = c.last_queued("a");
    // A send made while the flush is under way goes behind it.
    let later = queue(&mut c, "a", "99");
    for text in stored {
        assert!(c.flush_send("a", flush, text));
    }
    let out = c.take_outputs();
    let payloads = sent(&out);
    assert_eq!(payloads.len(), 3);
    assert!(payloads[0].ends_with(r#""payload":0}"#));
    assert!(payloads[2].ends_with(r#""payload":2}"#));
    // The flush read until the store was empty of what it covered; the later one remains.
    c.flush_finished("a", flush, covers, true, 1, c.last_queued("a"));
    let next =
        flush_of(&c.take_outputs()).expect("the action queued during the flush is flushed next");
    assert!(c.flush_send("a", next, later));
    c.flush_finished("a", next, c.last_queued("a"), true, 0, c.last_queued("a"));
    assert_eq!(c.pending("a"), Some(0));
    c.take_outputs();
    assert_eq!(
        c.message("a", "100", &MessageOptions::default()),
        Ok(MessageOutcome::Sent)
    );
}

#[test]
fn a_flush_interrupted_by_a_loss_keeps_the_queue_and_resumes_after_the_reconnect() {
    let mut c = configured();
    let socket = joined_with_queue(&mut c, "a");
    c.socket_closed(socket, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    queue(&mut c, "a", "1");
    queue(&mut c, "a", "2");
    c.timer_fired(timer);
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    let flush = flush_of(&c.take_outputs()).unwrap();
    let covers = c.last_queued("a");
    assert!(c.flush_send("a", flush, "first".into()));
    c.socket_closed(s, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    assert!(
        !c.flush_send("a", flush, "second".into()),
        "that flush is over"
    );
    c.flush_finished("a", flush, covers, false, 2, c.last_queued("a"));
    assert_eq!(c.pending("a"), Some(2));
    assert!(
        flush_of(&c.take_outputs()).is_none(),
        "not while disconnected"
    );
    // Sends while down still queue behind.
    queue(&mut c, "a", "3");
    c.timer_fired(timer);
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    assert!(flush_of(&c.take_outputs()).is_some());
}

#[test]
fn a_stale_flush_cannot_end_the_current_one() {
    let mut c = configured();
    let socket = joined_with_queue(&mut c, "a");
    c.socket_closed(socket, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    queue(&mut c, "a", "1");
    c.timer_fired(timer);
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    let old = flush_of(&c.take_outputs()).unwrap();
    c.socket_closed(s, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    c.timer_fired(timer);
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    let current = flush_of(&c.take_outputs()).unwrap();
    assert_ne!(old, current);
    // The old flush ends late without having emptied the store.
    c.flush_finished("a", old, 1, false, 1, c.last_queued("a"));
    assert!(
        !matches!(
            c.message("a", "2", &MessageOptions::default()),
            Ok(MessageOutcome::Sent)
        ),
        "the current flush is still under way"
    );
}

#[test]
fn a_flush_that_also_delivered_another_tabs_actions_clears_the_backlog() {
    let mut c = configured();
    c.open_channel("a", opts(false, false, true), 0).unwrap();
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    let flush = flush_of(&c.take_outputs()).unwrap();
    // The store held 4 actions from an earlier page; the flush sends them all.
    for i in 0..4 {
        assert!(c.flush_send("a", flush, i.to_string()));
    }
    c.flush_finished("a", flush, 0, true, 0, c.last_queued("a"));
    let out = c.take_outputs();
    assert!(flush_of(&out).is_none());
    assert_eq!(
        c.message("a", "next", &MessageOptions::default()),
        Ok(MessageOutcome::Sent)
    );
}

#[test]
fn a_channel_without_the_queue_option_never_flushes() {
    let mut c = configured();
    let _ = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.flush_finished("a", 999, 0, true, 0, c.last_queued("a"));
    assert!(flush_of(&c.take_outputs()).is_none());
}

#[test]
fn the_queue_cap_refuses_new_actions_and_keeps_the_old_ones() {
    let mut c: TestClient = Client::new(1);
    c.configure(
        Config::from_input(ConfigInput {
            instance_base_url: "http://h".into(),
            canonical: "c".into(),
            queue_max_actions: Some(2.0),
            ..ConfigInput::default()
        })
        .unwrap(),
    );
    c.open_channel("a", opts(false, false, true), 0).unwrap();
    queue(&mut c, "a", "1");
    queue(&mut c, "a", "2");
    let err = c.message("a", "3", &MessageOptions::default()).unwrap_err();
    assert_eq!(
        err,
        ClientError::QueueFull {
            channel: "a".into(),
            max: 2
        }
    );
    assert!(err.to_string().contains("full"));
    assert_eq!(c.pending("a"), Some(2));
    // A failed store frees its place.
    c.queue_store_failed("a");
    assert_eq!(c.pending("a"), Some(1));
    queue(&mut c, "a", "4");
}

#[test]
fn history_is_requested_only_on_a_joined_channel() {
    let mut c = configured();
    c.open_channel("a", ChannelOptions::default(), 0).unwrap();
    let out = c.take_outputs();
    assert!(c.request_history("a").is_err());
    c.socket_opened(opened_socket(&out));
    c.take_outputs();
    c.request_history("a").unwrap();
    assert_eq!(
        sent(&c.take_outputs()),
        [r#"{"action":"history","options":{"channel":"a"},"payload":null}"#]
    );
}

#[test]
fn state_changes_are_reported_with_their_reason() {
    let mut c = configured();
    let socket = open_and_connect(&mut c, "a", ChannelOptions::default());
    c.socket_closed(socket, 1011);
    let out = c.take_outputs();
    let change = out
        .iter()
        .find_map(|o| match o {
            Output::StateChanged { state, detail } => Some((*state, detail.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(change.0, ConnectionState::Reconnecting);
    assert_eq!(change.1.code, Some(1011));
    assert_eq!(change.1.attempt, 0);
    assert!(change.1.delay_ms.is_some());
}

#[test]
fn a_flush_of_an_earlier_opening_cannot_hide_what_the_channel_queued_since_it_reopened() {
    // Found by tests/core_properties.rs: the app closes and reopens a channel while a flush of
    // the earlier opening is still running (it holds the channel's Web Lock). That flush ends
    // after the reopened channel queued a message; its `covers` must not count for the new one.
    let mut c = configured();
    let socket = joined_with_queue(&mut c, "a");
    c.socket_closed(socket, 1006);
    let (timer, _) = armed_timer(&c.take_outputs()).unwrap();
    let first = queue(&mut c, "a", "1");
    let second = queue(&mut c, "a", "2");
    c.timer_fired(timer);
    let s = opened_socket(&c.take_outputs());
    c.socket_opened(s);
    let old = flush_of(&c.take_outputs()).unwrap();
    let covers = c.last_queued("a");
    assert!(c.flush_send("a", old, first));
    assert!(c.flush_send("a", old, second));
    // Both drained and were deleted; the flush reads the store once more and finds it empty.
    c.close_channel("a");
    c.open_channel("a", opts(false, false, true), 0).unwrap();
    let s = opened_socket(&c.take_outputs());
    queue(&mut c, "a", "3");
    // The old flush ends now: it emptied the store as it was when it read it.
    c.flush_finished("a", old, covers, true, 1, c.last_queued("a"));
    c.take_outputs();
    c.socket_opened(s);
    assert!(
        flush_of(&c.take_outputs()).is_some(),
        "the message queued after the reopen is flushed once joined"
    );
    assert!(
        matches!(
            c.message("a", "4", &MessageOptions::default()),
            Ok(MessageOutcome::Queue(_))
        ),
        "a later send goes behind the queued one"
    );
}
