//! HTTP side: the `/rt/CANONICAL` WebSocket endpoint, the admin endpoints, static files.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{
    rejection::WebSocketUpgradeRejection, CloseFrame, Message, Utf8Bytes, WebSocket,
    WebSocketUpgrade,
};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::config::Config;
use crate::hub::{message_frame, ClientInfo, Control, Shared, MAX_FRAME_BYTES};

/// Default capacity of each connection's outgoing queue, in frames.
pub const DEFAULT_QUEUE_CAPACITY: usize = 4096;
/// Largest WebSocket message the transport accepts; frames between 256 KiB and this size get an
/// `error` frame instead of a closed socket, larger ones close it with 1009.
pub const TRANSPORT_MAX_MESSAGE: usize = 16 * 1024 * 1024;
/// How long a closing socket may take to finish the close handshake before it is dropped.
pub const DEFAULT_CLOSE_GRACE: Duration = Duration::from_secs(3);

/// Everything needed to start a server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The connection canonical: the WebSocket endpoint is `/rt/CANONICAL`.
    pub canonical: String,
    /// Channel rules and tokens.
    pub config: Config,
    /// Directories served as static files, first match wins.
    pub static_dirs: Vec<PathBuf>,
    /// Enable the `/admin/*` endpoints (loopback addresses only).
    pub admin: bool,
    /// Outgoing queue capacity per connection, in frames.
    pub queue_capacity: usize,
    /// How long a socket being closed by the server may take to finish the close handshake (and
    /// to drain what its writer is blocked on) before its TCP stream is dropped.
    pub close_grace: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            canonical: "dev".to_string(),
            config: Config::development(),
            static_dirs: Vec::new(),
            admin: false,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            close_grace: DEFAULT_CLOSE_GRACE,
        }
    }
}

/// A server that is listening.
pub struct RunningServer {
    /// The bound address (the real port when port 0 was asked for).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    serve: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// `http://ADDR`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://ADDR/rt/CANONICAL`
    pub fn ws_url(&self) -> String {
        format!("ws://{}/rt/{}", self.addr, self.shared.canonical)
    }

    /// The server's state (statistics, admin operations).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Waits until the HTTP server stops (it only stops on an accept error).
    pub async fn wait(&mut self) -> std::io::Result<()> {
        match (&mut self.serve).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// Refuses new handshakes, closes every socket with 1012 and waits (bounded) until they are
    /// gone, then stops listening.
    pub async fn shutdown(self) {
        let ids = self.shared.begin_shutdown();
        info!(
            connections = ids.len(),
            "shutting down: closing sockets with 1012"
        );
        self.shared
            .wait_gone(&ids, self.shared.close_grace + Duration::from_secs(1))
            .await;
        self.serve.abort();
    }
}

#[derive(Clone)]
struct App {
    shared: Arc<Shared>,
    static_dirs: Arc<Vec<PathBuf>>,
}

/// Binds the listener and starts serving in a background task.
pub async fn start(options: ServerOptions) -> Result<RunningServer, String> {
    if options.admin && !options.listen.ip().is_loopback() {
        return Err(format!(
            "--admin is only allowed on a loopback listen address (127.0.0.1 or ::1); refusing to start on {}",
            options.listen
        ));
    }
    if options.canonical.is_empty() || options.canonical.contains('/') {
        return Err("--canonical must be a non-empty name without '/'".to_string());
    }
    for dir in &options.static_dirs {
        if !dir.is_dir() {
            return Err(format!("--static {}: not a directory", dir.display()));
        }
    }
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let shared = Arc::new(Shared::new(
        options.config,
        options.canonical,
        options.queue_capacity,
        options.close_grace,
    ));
    let app = App {
        shared: shared.clone(),
        static_dirs: Arc::new(options.static_dirs),
    };
    let router = router(app, options.admin);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let serve = tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(RunningServer {
        addr,
        shared,
        serve,
    })
}

fn router(app: App, admin: bool) -> Router {
    let mut router = Router::new().route("/rt/{canonical}", get(rt_handler));
    if admin {
        let admin_routes = Router::new()
            .route("/admin/drop", post(admin_drop))
            .route("/admin/close", post(admin_close))
            .route("/admin/refuse", post(admin_refuse))
            .route("/admin/event", post(admin_event))
            .route("/admin/blast", post(admin_blast))
            .route("/admin/stats", get(admin_stats))
            .route("/admin/history", get(admin_history))
            .layer(middleware::from_fn(cors));
        router = router.merge(admin_routes);
    }
    router.fallback(static_handler).with_state(app)
}

fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn text_response(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        format!("{text}\n"),
    )
        .into_response()
}

async fn rt_handler(
    State(app): State<App>,
    Path(canonical): Path<String>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if canonical != app.shared.canonical {
        info!("handshake refused: unknown canonical");
        return text_response(StatusCode::NOT_FOUND, "Unknown realtime canonical.");
    }
    if app.shared.refusing() {
        info!("handshake refused: refusing connections (admin refuse or shutdown)");
        return text_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "Not accepting connections right now.",
        );
    }
    let mut ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let offered = ws.requested_protocols().next().cloned();
    let (identity, token) = match offered {
        Some(value) => {
            ws.set_selected_protocol(value.clone());
            let identity = value
                .to_str()
                .ok()
                .and_then(|t| app.shared.config.tokens.get(t));
            let kind = if identity.is_some() {
                "known"
            } else {
                "unknown"
            };
            (identity, kind)
        }
        None => (None, "none"),
    };
    let Some(socket_id) = random_id() else {
        warn!("no randomness for a socket id; handshake refused");
        return text_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "No randomness available.",
        );
    };
    let client = Arc::new(ClientInfo::new(socket_id, identity));
    let shared = app.shared.clone();
    ws.max_message_size(TRANSPORT_MAX_MESSAGE)
        .max_frame_size(TRANSPORT_MAX_MESSAGE)
        .on_upgrade(move |socket| connection(shared, socket, client, token))
}

async fn connection(
    shared: Arc<Shared>,
    socket: WebSocket,
    client: Arc<ClientInfo>,
    token: &'static str,
) {
    let id = client.socket_id.clone();
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(shared.queue_capacity);
    let (ctl_tx, mut ctl_rx) = mpsc::unbounded_channel();
    shared.register(client.clone(), tx, ctl_tx);
    info!(socket_id = %id, authenticated = client.authenticated, token, "connection opened");

    let (mut sink, mut stream) = socket.split();
    let (close_tx, mut close_rx) = mpsc::channel::<CloseFrame>(1);

    let writer = async move {
        loop {
            tokio::select! {
                biased;
                Some(frame) = close_rx.recv() => {
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    // Wait for the client's close frame (the reader ends) or the grace deadline.
                    std::future::pending::<()>().await;
                }
                next = rx.recv() => {
                    let Some(first) = next else { return "queue closed".to_string() };
                    if sink.feed(Message::Text(first)).await.is_err() {
                        return "write failed".to_string();
                    }
                    // Batch what is already queued into one flush.
                    for _ in 0..63 {
                        let Ok(more) = rx.try_recv() else { break };
                        if sink.feed(Message::Text(more)).await.is_err() {
                            return "write failed".to_string();
                        }
                    }
                    if sink.flush().await.is_err() {
                        return "write failed".to_string();
                    }
                }
            }
        }
    };

    let reader_shared = shared.clone();
    let reader_id = id.clone();
    let reader = async move {
        let mut how = "connection lost".to_string();
        while let Some(msg) = stream.next().await {
            match msg {
                Ok(Message::Text(text)) => reader_shared.handle_text(&reader_id, text.as_str()),
                Ok(Message::Binary(bytes)) => {
                    let reason = if bytes.len() > MAX_FRAME_BYTES {
                        format!(
                            "Frame too large: {} bytes; the limit is {} bytes.",
                            bytes.len(),
                            MAX_FRAME_BYTES
                        )
                    } else {
                        "Binary frames are not supported; send JSON text frames.".to_string()
                    };
                    reader_shared.refuse_frame(&reader_id, &reason);
                }
                Ok(Message::Close(frame)) => {
                    how = match frame {
                        Some(f) => format!("closed by client ({})", f.code),
                        None => "closed by client".to_string(),
                    };
                }
                Ok(_) => {}
                Err(e) => {
                    // A message over the transport's limit: closed with 1009 (Message Too Big),
                    // as WebSocket servers do, rather than dropped without a close frame.
                    if e.to_string().contains("Message too long") {
                        reader_shared.close_one(&reader_id, 1009, "Message too big.");
                        std::future::pending::<()>().await;
                    }
                    return format!("read error: {e}");
                }
            }
        }
        how
    };

    tokio::pin!(writer);
    tokio::pin!(reader);
    let mut deadline: Option<tokio::time::Instant> = None;
    let mut closing: Option<u16> = None;
    let far = tokio::time::Instant::now() + Duration::from_secs(86_400 * 365);
    let how = loop {
        tokio::select! {
            biased;
            ctl = ctl_rx.recv() => match ctl {
                None | Some(Control::Drop) => break "dropped by the server".to_string(),
                Some(Control::Close(code, reason)) => {
                    if deadline.is_none() {
                        let _ = close_tx.try_send(CloseFrame { code, reason: reason.into() });
                        deadline = Some(tokio::time::Instant::now() + shared.close_grace);
                        closing = Some(code);
                    }
                }
            },
            _ = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() => {
                break "close handshake timed out".to_string();
            }
            how = &mut reader => break how,
            how = &mut writer => break how,
        }
    };
    shared.unregister(&id);
    match closing {
        Some(code) => {
            info!(socket_id = %id, authenticated = client.authenticated, code, "connection closed by the server")
        }
        None => {
            info!(socket_id = %id, authenticated = client.authenticated, how = %how, "connection closed")
        }
    }
}

// ---- admin ---------------------------------------------------------------------------------

async fn cors(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
            .header(header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS")
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS, "content-type")
            .header(header::ACCESS_CONTROL_MAX_AGE, "600")
            .header("access-control-allow-private-network", "true")
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::NO_CONTENT.into_response());
    }
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body + "\n",
    )
        .into_response()
}

fn json_error(status: StatusCode, message: &str) -> Response {
    json_response(status, serde_json::json!({ "error": message }).to_string())
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// A 400 answer with a JSON `{"error": ...}` body.
struct BadRequest(String);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        json_error(StatusCode::BAD_REQUEST, &self.0)
    }
}

type AdminResult = Result<Response, BadRequest>;

fn param<T: std::str::FromStr>(params: &Params, name: &str) -> Result<Option<T>, BadRequest> {
    let Ok(Query(map)) = params else {
        return Err(BadRequest("bad query string".to_string()));
    };
    match map.get(name) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| BadRequest(format!("bad value for query parameter {name:?}"))),
    }
}

async fn admin_drop(State(app): State<App>) -> Response {
    let ids = app.shared.control_all(Control::Drop);
    info!(connections = ids.len(), "admin: dropping every socket");
    app.shared.wait_gone(&ids, Duration::from_secs(3)).await;
    json_response(
        StatusCode::OK,
        serde_json::json!({ "dropped": ids.len() }).to_string(),
    )
}

fn sendable_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

async fn admin_close(State(app): State<App>, params: Params) -> AdminResult {
    let code = param::<u16>(&params, "code")?.unwrap_or(1000);
    if !sendable_close_code(code) {
        return Err(BadRequest(
            "code must be 1000-1003, 1007-1014 or 3000-4999".to_string(),
        ));
    }
    let ids = app
        .shared
        .control_all(Control::Close(code, "Closed by the server.".to_string()));
    info!(connections = ids.len(), code, "admin: closing every socket");
    app.shared
        .wait_gone(&ids, app.shared.close_grace + Duration::from_secs(1))
        .await;
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({ "closed": ids.len(), "code": code }).to_string(),
    ))
}

async fn admin_refuse(State(app): State<App>, params: Params) -> AdminResult {
    let Some(ms) = param::<u64>(&params, "ms")? else {
        return Err(BadRequest("query parameter ms is required".to_string()));
    };
    app.shared.refuse_for(ms);
    info!(ms, "admin: refusing handshakes");
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({ "refusing_ms": ms }).to_string(),
    ))
}

/// The body as a JSON object and its non-empty `"channel"` string.
fn body_with_channel(body: &Bytes) -> Result<(serde_json::Map<String, Value>, String), BadRequest> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(BadRequest("the body must be a JSON object".to_string()));
    };
    match map.get("channel") {
        Some(Value::String(c)) if !c.is_empty() => {
            let c = c.clone();
            Ok((map, c))
        }
        _ => Err(BadRequest(
            "\"channel\" (a non-empty string) is required".to_string(),
        )),
    }
}

async fn admin_event(State(app): State<App>, body: Bytes) -> AdminResult {
    let (map, channel) = body_with_channel(&body)?;
    let data = map.get("data").cloned().unwrap_or(Value::Null).to_string();
    let delivered = app.shared.event(&channel, &data);
    info!(channel = %channel, delivered, "admin: event");
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({ "delivered": delivered }).to_string(),
    ))
}

/// The `client` of frames sent by `/admin/blast`.
pub const BLAST_CLIENT: &str =
    r#"{"socketId":"admin-blast","extras":{"admin":true},"permissions":{"dbo_id":0,"row_id":0}}"#;

async fn admin_blast(State(app): State<App>, body: Bytes) -> AdminResult {
    let (map, channel) = body_with_channel(&body)?;
    let count = map.get("count").and_then(Value::as_u64).unwrap_or(1);
    let bytes = map.get("bytes").and_then(Value::as_u64).unwrap_or(64);
    if count > 1_000_000 || bytes > 8 * 1024 * 1024 {
        return Err(BadRequest(
            "count must be at most 1000000 and bytes at most 8388608".to_string(),
        ));
    }
    let mut queues: Vec<Option<mpsc::Sender<Utf8Bytes>>> = app
        .shared
        .member_queues(&channel)
        .into_iter()
        .map(Some)
        .collect();
    let members = queues.len();
    info!(channel = %channel, count, bytes, members, "admin: blast");
    let pad = "x".repeat((bytes as usize).saturating_sub(24));
    for seq in 0..count {
        let payload = format!("{{\"seq\":{seq},\"pad\":\"{pad}\"}}");
        let frame = message_frame(&channel, false, None, &payload, BLAST_CLIENT);
        for slot in queues.iter_mut() {
            let Some(q) = slot else { continue };
            // Waits for capacity: a blast never kicks a slow member.
            if q.send(frame.clone()).await.is_err() {
                *slot = None;
            }
        }
    }
    Ok(json_response(
        StatusCode::OK,
        serde_json::json!({ "queued": count, "members": members }).to_string(),
    ))
}

async fn admin_stats(State(app): State<App>) -> Response {
    let body = serde_json::to_string(&app.shared.stats()).unwrap_or_else(|_| "{}".to_string());
    json_response(StatusCode::OK, body)
}

async fn admin_history(State(app): State<App>, params: Params) -> AdminResult {
    let Some(channel) = param::<String>(&params, "channel")? else {
        return Err(BadRequest(
            "query parameter channel is required".to_string(),
        ));
    };
    Ok(json_response(
        StatusCode::OK,
        app.shared.history_json(&channel),
    ))
}

// ---- static files --------------------------------------------------------------------------

fn content_type(path: &FsPath) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The path below a static root, or `None` if it tries to escape or is malformed.
fn relative_path(uri_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(uri_path)?;
    let mut rel = PathBuf::new();
    for seg in decoded.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "." || seg == ".." || seg.contains('\\') || seg.contains('\0') {
            return None;
        }
        rel.push(seg);
    }
    Some(rel)
}

async fn static_handler(State(app): State<App>, method: Method, uri: Uri) -> Response {
    if app.static_dirs.is_empty() || !(method == Method::GET || method == Method::HEAD) {
        return text_response(StatusCode::NOT_FOUND, "Not found.");
    }
    let Some(rel) = relative_path(uri.path()) else {
        return text_response(StatusCode::NOT_FOUND, "Not found.");
    };
    for dir in app.static_dirs.iter() {
        let mut path = dir.join(&rel);
        if let Ok(meta) = tokio::fs::metadata(&path).await {
            if meta.is_dir() {
                if !uri.path().ends_with('/') {
                    let location = format!("{}/", uri.path());
                    return Response::builder()
                        .status(StatusCode::PERMANENT_REDIRECT)
                        .header(header::LOCATION, location)
                        .header(header::CACHE_CONTROL, "no-store")
                        .body(Body::empty())
                        .unwrap_or_else(|_| StatusCode::NOT_FOUND.into_response());
                }
                path.push("index.html");
            }
        }
        if let Ok(bytes) = tokio::fs::read(&path).await {
            return Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type(&path))
                .header(header::CACHE_CONTROL, "no-store")
                .body(Body::from(bytes))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    }
    text_response(StatusCode::NOT_FOUND, "Not found.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_cannot_escape() {
        assert_eq!(relative_path("/a/b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(relative_path("/"), Some(PathBuf::new()));
        assert_eq!(relative_path("/../etc/passwd"), None);
        assert_eq!(relative_path("/%2e%2e/etc/passwd"), None);
        assert_eq!(relative_path("/a%2f..%2f..%2fx"), None);
        assert_eq!(relative_path("/bad%zz"), None);
    }

    #[test]
    fn wasm_and_modules_get_their_types() {
        assert_eq!(content_type(FsPath::new("a.wasm")), "application/wasm");
        assert!(content_type(FsPath::new("a.mjs")).starts_with("text/javascript"));
        assert!(content_type(FsPath::new("a.js")).starts_with("text/javascript"));
    }
}
