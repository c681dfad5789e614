//! The strings the client core takes from the app and from server frames: configuration (base
//! URL, canonical, token), channel names, presence socket ids, message options. Split from the
//! input at NUL bytes. The core must not panic, and every frame it builds must be JSON that names
//! the channel it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xano_realtime::core::{
    ChannelOptions, Client, Config, ConfigInput, MessageOptions, MessageOutcome, Output,
};

fn part<'a>(parts: &[&'a str], i: usize) -> &'a str {
    parts.get(i).copied().unwrap_or("")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\0').collect();
    let input = ConfigInput {
        instance_base_url: part(&parts, 0).to_owned(),
        canonical: part(&parts, 1).to_owned(),
        token: Some(part(&parts, 2).to_owned()),
        ..ConfigInput::default()
    };
    let config = match Config::from_input(input) {
        Ok(c) => c,
        Err(_) => {
            // A refused token gives the same message whatever the token: it never repeats it.
            let with_token = |token: &str| {
                Config::from_input(ConfigInput {
                    instance_base_url: "https://x.xano.io".into(),
                    canonical: "dev".into(),
                    token: Some(token.to_owned()),
                    ..ConfigInput::default()
                })
                .err()
                .map(|e| e.to_string())
            };
            if let Some(message) = with_token(part(&parts, 2)) {
                assert_eq!(Some(message), with_token("a b"));
            }
            Config::from_input(ConfigInput {
                instance_base_url: "http://127.0.0.1:1".into(),
                canonical: "dev".into(),
                ..ConfigInput::default()
            })
            .unwrap()
        }
    };
    let mut client: Client<(), ()> = Client::new(data.len() as u64);
    client.configure(config);
    let channel = part(&parts, 3);
    let options = ChannelOptions {
        presence: true,
        history: data.len().is_multiple_of(2),
        queue_offline_actions: true,
    };
    if client.open_channel(channel, options, ()).is_err() {
        return;
    }
    let socket = client.current_socket().unwrap();
    client.socket_opened(socket);
    for id in parts.iter().skip(4) {
        client.presence_join(channel, (*id).to_owned(), ());
        client.presence_leave(channel, id);
        let _ = client.route(Some(id));
    }
    let peer = part(&parts, 4);
    let outcome = client.message(
        channel,
        "1",
        &MessageOptions {
            authenticated: true,
            socket_id: Some(peer.to_owned()),
        },
    );
    let _ = client.request_history(channel);
    client.close_channel(channel);
    for output in client.take_outputs() {
        if let Output::Send { text, .. } = output {
            let frame: Value = serde_json::from_str(&text).expect("the client sends JSON");
            assert_eq!(frame["options"]["channel"], channel);
        }
    }
    if let Ok(MessageOutcome::Queue(text)) = outcome {
        let frame: Value = serde_json::from_str(&text).expect("the client queues JSON");
        assert_eq!(frame["options"]["socketId"], peer);
    }
});
