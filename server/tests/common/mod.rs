//! Helpers shared by the integration tests: start a server in-process or as the built binary,
//! a WebSocket test client, and a tiny HTTP client.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use xano_realtime_server::{start, Config, RunningServer, ServerOptions};

/// Failure guard for anything awaited in a test.
pub const GUARD: Duration = Duration::from_secs(10);

/// The test configuration used by most tests: two tokens and channels for every setting.
pub const TEST_CONFIG: &str = r#"
[[channel]]
pattern = "closed"
anonymous_clients = false

[[channel]]
pattern = "quiet"
presence = false

[[channel]]
pattern = "short"
history = 25

[[channel]]
pattern = "nohistory"
history = 0

[[channel]]
pattern = "listen-only"
anonymous_send = false

[[channel]]
pattern = "pub-auth"
anonymous_send = true
public_messaging = "authenticated"

[[channel]]
pattern = "pub-off"
anonymous_send = true
public_messaging = "off"

[[channel]]
pattern = "priv-auth"
anonymous_send = true
private_messaging = "authenticated"

[[channel]]
pattern = "priv-off"
anonymous_send = true
private_messaging = "off"

[[channel]]
pattern = "noauthmsg"
anonymous_send = true
authenticated_messaging = false

[[channel]]
pattern = "room/special"
history = 50

[[channel]]
pattern = "room/*"
anonymous_send = true

[[token]]
token = "alice-secret"
dbo_id = 1
row_id = 7
extras = { name = "Alice" }

[[token]]
token = "bob-secret"
dbo_id = 1
row_id = "b-0b"
extras = { name = "Bob", role = "admin" }
"#;

/// Starts an in-process server on 127.0.0.1:0 with `--admin`.
pub async fn server(config: Option<&str>) -> RunningServer {
    server_with(config, |_| {}).await
}

/// Like [`server`], with a chance to change the options.
pub async fn server_with(
    config: Option<&str>,
    tweak: impl FnOnce(&mut ServerOptions),
) -> RunningServer {
    let mut options = ServerOptions {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        admin: true,
        config: match config {
            Some(text) => Config::from_toml_str(text).expect("test config is valid"),
            None => Config::development(),
        },
        ..ServerOptions::default()
    };
    tweak(&mut options);
    start(options).await.expect("server starts")
}

/// What the next read from a socket produced.
#[derive(Debug)]
pub enum Event {
    /// A JSON text frame.
    Frame(Value),
    /// A close frame (the code) or a clean end.
    Closed(Option<u16>),
    /// The TCP stream ended without a close frame.
    Abrupt,
}

/// A WebSocket test client.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The subprotocol the server selected.
    pub protocol: Option<String>,
}

/// Connects to `url` offering `token` as the subprotocol.
pub async fn try_connect(
    url: &str,
    token: Option<&str>,
) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
    let mut request = url.into_client_request()?;
    if let Some(t) = token {
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", t.parse().expect("header value"));
    }
    let (ws, response) = tokio::time::timeout(GUARD, tokio_tungstenite::connect_async(request))
        .await
        .expect("handshake timed out")?;
    let protocol = response
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok(Client { ws, protocol })
}

/// Connects to the server, offering `token` if given.
pub async fn connect(server: &RunningServer, token: Option<&str>) -> Client {
    try_connect(&server.ws_url(), token)
        .await
        .expect("connects")
}

impl Client {
    /// Sends a JSON frame.
    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// `join` with both flags.
    pub async fn join(&mut self, channel: &str, history: bool, presence: bool) {
        self.send(json!({"action":"join","options":{"channel":channel},"payload":{"history":history,"presence":presence}}))
            .await;
    }

    /// `leave`.
    pub async fn leave(&mut self, channel: &str) {
        self.send(json!({"action":"leave","options":{"channel":channel},"payload":null}))
            .await;
    }

    /// A public `message` exactly as the official SDK sends it.
    pub async fn message(&mut self, channel: &str, payload: Value) {
        self.send(json!({"action":"message","options":{"channel":channel},"payload":payload}))
            .await;
    }

    /// The next event (frames, close, abrupt end), skipping control frames.
    pub async fn next_event(&mut self) -> Event {
        loop {
            let next = tokio::time::timeout(GUARD, self.ws.next())
                .await
                .expect("timed out waiting for a frame");
            match next {
                None => return Event::Closed(None),
                Some(Ok(Message::Text(t))) => {
                    return Event::Frame(
                        serde_json::from_str(t.as_str()).expect("server sent JSON"),
                    )
                }
                Some(Ok(Message::Close(frame))) => {
                    // Keep polling so the close reply goes out, as a browser would do at once.
                    let _ = tokio::time::timeout(GUARD, async {
                        while let Some(Ok(_)) = self.ws.next().await {}
                    })
                    .await;
                    return Event::Closed(frame.map(|f: CloseFrame| u16::from(f.code)));
                }
                Some(Ok(Message::Binary(_))) => panic!("server sent a binary frame"),
                Some(Ok(_)) => continue,
                Some(Err(_)) => return Event::Abrupt,
            }
        }
    }

    /// The next frame; panics on close.
    pub async fn recv(&mut self) -> Value {
        match self.next_event().await {
            Event::Frame(v) => v,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// The next frame, which must have this action.
    pub async fn recv_action(&mut self, action: &str) -> Value {
        let f = self.recv().await;
        assert_eq!(f["action"], action, "unexpected frame {f}");
        f
    }

    /// Proves that no other frame is pending: asks for an answer the server always gives (an
    /// error for an unknown action on channel `__barrier__`) and checks it is the next frame.
    pub async fn barrier(&mut self) {
        self.send(json!({"action":"barrier","options":{"channel":"__barrier__"},"payload":null}))
            .await;
        let f = self.recv().await;
        assert_eq!(
            f["action"], "error",
            "a frame arrived before the barrier: {f}"
        );
        assert_eq!(
            f["options"]["channel"], "__barrier__",
            "a frame arrived before the barrier: {f}"
        );
    }

    /// Joins with presence and returns this client's own `CLIENT` object (from presence_full).
    pub async fn join_and_identify(&mut self, channel: &str) -> Value {
        self.join(channel, false, true).await;
        let full = self.recv_action("presence_full").await;
        full["payload"]["presence"]
            .as_array()
            .and_then(|a| a.last())
            .cloned()
            .expect("presence_full lists the joiner last")
    }
}

/// An HTTP response from [`http`].
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub async fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
    http_with(addr, method, path, body, &[]).await
}

/// Like [`http`] with extra request headers.
pub async fn http_with(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let work = async {
        let mut stream = TcpStream::connect(addr).await.expect("tcp connect");
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        let body = body.unwrap_or("");
        if !body.is_empty() || method == "POST" {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, body) = text.split_once("\r\n\r\n").expect("http head");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        HttpResponse {
            status,
            headers,
            body: body.to_string(),
        }
    };
    tokio::time::timeout(GUARD, work)
        .await
        .expect("http timed out")
}

/// The built binary, running.
pub struct Binary {
    pub child: tokio::process::Child,
    pub addr: SocketAddr,
    pub stderr: tokio::task::JoinHandle<String>,
}

/// Path of the built binary.
pub fn binary_path() -> &'static str {
    env!("CARGO_BIN_EXE_xano-realtime-server")
}

/// Runs the binary to completion (for start-up failures and --help): (exit code, stdout, stderr).
pub async fn run_binary(args: &[&str]) -> (Option<i32>, String, String) {
    let out = tokio::time::timeout(
        GUARD,
        tokio::process::Command::new(binary_path())
            .args(args)
            .output(),
    )
    .await
    .expect("binary timed out")
    .expect("binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Spawns the binary with `args` and waits for its `listening on http://ADDR` line.
pub async fn spawn_binary(args: &[&str]) -> Binary {
    let mut child = tokio::process::Command::new(binary_path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn binary");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let stderr = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr_pipe.read_to_string(&mut s).await;
        s
    });
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    tokio::time::timeout(GUARD, BufReader::new(stdout).read_line(&mut line))
        .await
        .expect("no listening line")
        .expect("read stdout");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .expect("address");
    Binary {
        child,
        addr,
        stderr,
    }
}

impl Binary {
    /// `ws://ADDR/rt/dev`
    pub fn ws_url(&self) -> String {
        format!("ws://{}/rt/dev", self.addr)
    }

    /// Sends SIGTERM.
    pub async fn sigterm(&self) {
        let pid = self.child.id().expect("pid").to_string();
        let status = tokio::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the exit; returns the exit code and everything written to stderr.
    pub async fn wait(mut self) -> (Option<i32>, String) {
        let status = tokio::time::timeout(GUARD, self.child.wait())
            .await
            .expect("binary did not exit")
            .expect("wait");
        let stderr = self.stderr.await.expect("stderr task");
        (status.code(), stderr)
    }
}
