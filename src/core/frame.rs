//! The text of the frames the client sends (PROTOCOL.md, "Client to server"), built exactly as
//! the official SDK 3.0.1 builds them. Payloads arrive already encoded as JSON text by the browser,
//! so no JSON library is needed here: only string escaping for channel names and socket ids.

/// Who receives a `message`: everyone, authenticated members only, or one peer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageOptions {
    /// Deliver only to authenticated members (`"authenticated": true`).
    pub authenticated: bool,
    /// Deliver only to this peer (`"socketId": PEER`); `None` for a public message.
    pub socket_id: Option<String>,
}

/// `{"action":"join","options":{"channel":C},"payload":{"history":H,"presence":P}}`
pub fn join(channel: &str, history: bool, presence: bool) -> String {
    let mut out = String::with_capacity(80 + channel.len());
    out.push_str(r#"{"action":"join","options":{"channel":"#);
    push_json_string(&mut out, channel);
    out.push_str(r#"},"payload":{"history":"#);
    out.push_str(if history { "true" } else { "false" });
    out.push_str(r#","presence":"#);
    out.push_str(if presence { "true" } else { "false" });
    out.push_str("}}");
    out
}

/// `{"action":"leave","options":{"channel":C},"payload":null}`
pub fn leave(channel: &str) -> String {
    simple("leave", channel)
}

/// `{"action":"history","options":{"channel":C},"payload":null}`
pub fn history(channel: &str) -> String {
    simple("history", channel)
}

/// A `message` frame around `payload_json`, which must already be valid JSON text. Public
/// messages carry only the channel in their options, as the official SDK sends them.
pub fn message(channel: &str, payload_json: &str, options: &MessageOptions) -> String {
    let mut out = String::with_capacity(64 + channel.len() + payload_json.len());
    out.push_str(r#"{"action":"message","options":{"channel":"#);
    push_json_string(&mut out, channel);
    if options.authenticated {
        out.push_str(r#","authenticated":true"#);
    }
    if let Some(peer) = &options.socket_id {
        out.push_str(r#","socketId":"#);
        push_json_string(&mut out, peer);
    }
    out.push_str(r#"},"payload":"#);
    out.push_str(payload_json);
    out.push('}');
    out
}

fn simple(action: &str, channel: &str) -> String {
    let mut out = String::with_capacity(64 + channel.len());
    out.push_str(r#"{"action":""#);
    out.push_str(action);
    out.push_str(r#"","options":{"channel":"#);
    push_json_string(&mut out, channel);
    out.push_str(r#"},"payload":null}"#);
    out
}

/// `s` as a JSON string literal, quotes included: how error messages quote names (it costs no
/// `Debug` formatting machinery in the .wasm).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    out
}

/// Appends `s` as a JSON string literal, quotes included, escaped as the browser's
/// `JSON.stringify` escapes it (so both sides produce the same bytes).
pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_matches_the_official_sdk_byte_for_byte() {
        assert_eq!(
            join("C", true, true),
            r#"{"action":"join","options":{"channel":"C"},"payload":{"history":true,"presence":true}}"#
        );
        assert_eq!(
            join("room/1", false, true),
            r#"{"action":"join","options":{"channel":"room/1"},"payload":{"history":false,"presence":true}}"#
        );
    }

    #[test]
    fn leave_and_history_have_a_null_payload() {
        assert_eq!(
            leave("C"),
            r#"{"action":"leave","options":{"channel":"C"},"payload":null}"#
        );
        assert_eq!(
            history("C"),
            r#"{"action":"history","options":{"channel":"C"},"payload":null}"#
        );
    }

    #[test]
    fn public_message_has_only_the_channel_in_its_options() {
        let text = message("C", r#"{"text":"hi"}"#, &MessageOptions::default());
        assert_eq!(
            text,
            r#"{"action":"message","options":{"channel":"C"},"payload":{"text":"hi"}}"#
        );
    }

    #[test]
    fn private_and_authenticated_messages_name_their_audience() {
        let opts = MessageOptions {
            authenticated: true,
            socket_id: Some("PEER".into()),
        };
        assert_eq!(
            message("C", "1", &opts),
            r#"{"action":"message","options":{"channel":"C","authenticated":true,"socketId":"PEER"},"payload":1}"#
        );
    }

    #[test]
    fn escapes_match_json_stringify() {
        assert_eq!(quoted("\u{8}\u{c}\u{1f}\u{7f}"), "\"\\b\\f\\u001f\u{7f}\"");
    }

    #[test]
    fn channel_names_are_escaped() {
        let text = leave("a\"b\\c\nd\u{1}é");
        assert_eq!(
            text,
            r#"{"action":"leave","options":{"channel":"a\"b\\c\nd\u0001é"},"payload":null}"#
        );
    }
}
