//! Hostile input: every frame of `tests/hostile_frames.json` sent to the real server, and random
//! mutations of valid frames fed to the hub. The sender's socket stays usable (a valid message
//! right after it is handled) and the other members are unaffected (no error frame, no close,
//! and they still hear the sender).

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use xano_realtime_server::harness::Harness;
use xano_realtime_server::Config;

/// A frame of the corpus.
enum Hostile {
    Text(String),
    Binary(Vec<u8>),
}

/// The corpus shared with the browser tests: (name, frame).
fn corpus() -> Vec<(String, Hostile)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/hostile_frames.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("corpus")).unwrap();
    doc["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["name"].as_str().unwrap().to_owned();
            let frame = if let Some(text) = f["text"].as_str() {
                Hostile::Text(text.to_owned())
            } else if let Some(parts) = f["parts"].as_array() {
                let mut text = String::new();
                for p in parts {
                    let times = p[1].as_u64().unwrap() as usize;
                    text.push_str(&p[0].as_str().unwrap().repeat(times));
                }
                Hostile::Text(text)
            } else {
                let bytes = f["binary"].as_array().unwrap();
                Hostile::Binary(bytes.iter().map(|b| b.as_u64().unwrap() as u8).collect())
            };
            (name, frame)
        })
        .collect()
}

/// Reads raw text frames until one contains `marker`; returns every frame read. Panics on a
/// close, a binary frame or the guard timeout. (Frames are not parsed: some hostile payloads
/// are nested deeper than the test's JSON parser accepts.)
async fn until(c: &mut Client, marker: &str, who: &str, case: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let next = tokio::time::timeout(GUARD, c.ws.next())
            .await
            .unwrap_or_else(|_| panic!("{who}: timed out after {case:?}"));
        match next {
            Some(Ok(Message::Text(t))) => {
                let done = t.as_str().contains(marker);
                seen.push(t.as_str().to_owned());
                if done {
                    return seen;
                }
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("{who}: connection ended after {case:?}: {other:?}"),
        }
    }
}

fn is_error(frame: &str) -> bool {
    frame.starts_with(r#"{"action":"error""#)
}

#[tokio::test]
async fn every_hostile_frame_leaves_the_sender_usable_and_the_others_unaffected() {
    let srv = server(None).await;
    let mut attacker = connect(&srv, None).await;
    let mut other = connect(&srv, None).await;
    attacker.join("hostile", false, false).await;
    attacker.barrier().await;
    other.join("hostile", false, false).await;
    attacker.recv_action("presence_update").await;
    other.barrier().await;

    for (i, (name, frame)) in corpus().into_iter().enumerate() {
        match frame {
            Hostile::Text(t) => attacker.ws.send(Message::text(t)).await.expect("send"),
            Hostile::Binary(b) => attacker.ws.send(Message::binary(b)).await.expect("send"),
        }
        let marker = format!("\"after-hostile\":{i}}}");
        attacker
            .send_text(&format!(
                r#"{{"action":"message","options":{{"channel":"hostile"}},"payload":{{"after-hostile":{i}}}}}"#
            ))
            .await;
        until(&mut attacker, &marker, "sender", &name).await;
        let heard = until(&mut other, &marker, "other member", &name).await;
        assert!(
            !heard.iter().any(|f| is_error(f)),
            "{name}: the other member got an error frame"
        );
    }

    // Still a member, still counted, and the server still accepts new connections.
    let stats = http(srv.addr, "GET", "/admin/stats", None).await.json();
    assert_eq!(stats["channels"]["hostile"]["members"], 2, "{stats}");
    let mut late = connect(&srv, None).await;
    late.join("hostile", false, true).await;
    let full = late.recv_action("presence_full").await;
    assert_eq!(full["payload"]["presence"].as_array().unwrap().len(), 3);
}

/// xorshift64*: a fixed seed makes a failure reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: [&str; 8] = [
    r#"{"action":"join","options":{"channel":"hostile"},"payload":{"history":true,"presence":true}}"#,
    r#"{"action":"leave","options":{"channel":"hostile"},"payload":null}"#,
    r#"{"action":"message","options":{"channel":"hostile"},"payload":{"text":"hi","n":[1,2.5,null,true]}}"#,
    r#"{"action":"message","options":{"channel":"hostile","authenticated":true},"payload":1}"#,
    r#"{"action":"message","options":{"channel":"hostile","socketId":"other"},"payload":"psst"}"#,
    r#"{"action":"message","options":{"channel":"hostile","socketId":null},"payload":[]}"#,
    r#"{"action":"history","options":{"channel":"hostile","socketId":"other"},"payload":null}"#,
    r#"{"action":"history","options":{"channel":"hostile"},"payload":null}"#,
];

const TOKENS: [&str; 16] = [
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "-0",
    "1e999",
    "\\u0000",
    "\\ud800",
    "\"action\"",
    "\"channel\"",
    "\"socketId\"",
];

fn mutate(rng: &mut Rng, text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if at < bytes.len() => {
                let end = (at + 1 + rng.below(8)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, t.bytes());
            }
            3 => {
                let other = SEEDS[rng.below(SEEDS.len())].as_bytes();
                let from = rng.below(other.len());
                bytes.splice(at..at, other[from..].iter().copied());
            }
            _ => {
                let n = rng.below(64);
                let t = TOKENS[rng.below(4)];
                bytes.splice(at..at, t.repeat(n).bytes());
            }
        }
    }
    bytes
}

/// A bounded native stand-in for the fuzzer (`fuzz/`): random mutations of valid frames, fed to
/// the hub the server runs. Every mutated frame is handled without a panic; the sender's next
/// valid message still reaches the other member, and the other member never gets an error.
#[test]
fn random_mutations_of_valid_frames_never_break_the_hub() {
    let mut hub = Harness::new(Config::development());
    hub.connect("attacker", None);
    hub.connect("other", None);
    let join = SEEDS[0];
    hub.text("attacker", join);
    hub.text("other", join);
    let mut rng = Rng(0x5EED_F00D);
    let started = std::time::Instant::now();
    let mut cases = 0;
    while cases < 20_000 && started.elapsed() < Duration::from_secs(20) {
        cases += 1;
        let seed = SEEDS[rng.below(SEEDS.len())];
        let bytes = mutate(&mut rng, seed);
        match std::str::from_utf8(&bytes) {
            Ok(text) => hub.text("attacker", text),
            Err(_) => hub.binary("attacker"),
        }
        // A mutated leave may have taken the attacker out: join again, then speak.
        hub.text("attacker", join);
        let marker = format!("\"probe\":{cases}}}");
        hub.text(
            "attacker",
            &format!(
                r#"{{"action":"message","options":{{"channel":"hostile"}},"payload":{{"probe":{cases}}}}}"#
            ),
        );
        let heard = hub.received("other");
        assert!(
            heard.iter().any(|f| f.contains(&marker)),
            "after {:?}: the other member did not hear the probe",
            String::from_utf8_lossy(&bytes)
        );
        assert!(
            !heard.iter().any(|f| is_error(f)),
            "after {:?}: the other member got an error",
            String::from_utf8_lossy(&bytes)
        );
        assert!(hub.received("attacker").iter().any(|f| f.contains(&marker)));
        assert!(!hub.was_closed("attacker") && !hub.was_closed("other"));
    }
    assert!(cases >= 1_000, "only {cases} cases ran");
}
