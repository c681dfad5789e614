//! One frame from a client, as the server's hub handles it: any bytes (text when they are UTF-8,
//! else a binary frame). The hub must not panic, the sender's next valid message must still reach
//! the other member, and the other member must get no error frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xano_realtime_server::harness::Harness;
use xano_realtime_server::Config;

const JOIN: &str =
    r#"{"action":"join","options":{"channel":"fuzz"},"payload":{"history":true,"presence":true}}"#;
const PROBE: &str = r#"{"action":"message","options":{"channel":"fuzz"},"payload":{"probe":true}}"#;

fuzz_target!(|data: &[u8]| {
    let mut hub = Harness::new(Config::development());
    hub.connect("attacker", None);
    hub.connect("other", None);
    hub.text("attacker", JOIN);
    hub.text("other", JOIN);
    match std::str::from_utf8(data) {
        Ok(text) => hub.text("attacker", text),
        Err(_) => hub.binary("attacker"),
    }
    hub.text("attacker", JOIN);
    hub.text("attacker", PROBE);
    let heard = hub.received("other");
    assert!(heard.iter().any(|f| f.contains(r#""probe":true"#)));
    assert!(!heard.iter().any(|f| f.starts_with(r#"{"action":"error""#)));
    assert!(!hub.was_closed("other"));
});
