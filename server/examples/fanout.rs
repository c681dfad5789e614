//! Fan-out benchmark: one sender, N subscribers (default 100) on loopback, against a server started
//! in this process (release build recommended):
//!
//! ```text
//! cargo run --release -p xano-realtime-server --example fanout [-- SUBSCRIBERS BURST PACED RATE]
//! ```
//!
//! Phase 1 ("burst"): the sender sends BURST messages (default 2000) as fast as it can; reported:
//! deliveries per second (messages x subscribers / time until the last subscriber got the last
//! message) and the latency distribution (dominated by queueing).
//! Phase 2 ("paced"): PACED messages (default 1000) at RATE per second (default 200); reported:
//! the latency distribution under a steady load.
//!
//! Latency = time from just before the sender's `send` to the subscriber's parse of the frame; all
//! clients share the process (and the 2 cores of the test machine) with the server.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use xano_realtime_server::{start, ServerOptions};

const CHANNEL: &str = "bench";

struct Report {
    burst: Vec<u64>,
    burst_done: Instant,
    paced: Vec<u64>,
}

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .nth(n)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let idx = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn summary(name: &str, mut lat: Vec<u64>) -> String {
    lat.sort_unstable();
    format!(
        "| {name} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
        lat.len(),
        percentile(&lat, 50.0) as f64 / 1000.0,
        percentile(&lat, 90.0) as f64 / 1000.0,
        percentile(&lat, 99.0) as f64 / 1000.0,
        lat.last().copied().unwrap_or(0) as f64 / 1000.0,
    )
}

#[tokio::main]
async fn main() {
    let subscribers = arg(1, 100) as usize;
    let burst = arg(2, 2000).max(1);
    let paced = arg(3, 1000);
    let rate = arg(4, 200).max(1);
    match tokio::time::timeout(
        Duration::from_secs(120),
        run(subscribers, burst, paced, rate),
    )
    .await
    {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("benchmark failed: {e}");
            std::process::exit(1);
        }
        Err(_) => {
            eprintln!("benchmark did not finish within 120 s");
            std::process::exit(1);
        }
    }
}

async fn run(subscribers: usize, burst: u64, paced: u64, rate: u64) -> Result<(), String> {
    let base = Instant::now();
    let server = start(ServerOptions {
        listen: "127.0.0.1:0".parse().map_err(|_| "addr")?,
        ..ServerOptions::default()
    })
    .await?;
    let url = server.ws_url();
    let join = json!({"action":"join","options":{"channel":CHANNEL},"payload":{"history":false,"presence":false}}).to_string();

    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Report>();
    let (burst_tx, mut burst_rx) = mpsc::unbounded_channel::<Instant>();
    for _ in 0..subscribers {
        let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .map_err(|e| e.to_string())?;
        ws.send(Message::text(join.clone()))
            .await
            .map_err(|e| e.to_string())?;
        let done_tx = done_tx.clone();
        let burst_tx = burst_tx.clone();
        tokio::spawn(async move {
            let mut report = Report {
                burst: Vec::with_capacity(burst as usize),
                burst_done: Instant::now(),
                paced: Vec::with_capacity(paced as usize),
            };
            let total = burst + paced;
            let mut got = 0;
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(text) = msg else { continue };
                let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if frame["action"] != "message" {
                    continue;
                }
                let now = base.elapsed().as_nanos() as u64;
                let sent = frame["payload"]["t"].as_u64().unwrap_or(now);
                let latency = now.saturating_sub(sent) / 1000; // µs
                if frame["payload"]["phase"] == 1 {
                    report.burst.push(latency);
                    if report.burst.len() as u64 == burst {
                        report.burst_done = Instant::now();
                        let _ = burst_tx.send(report.burst_done);
                    }
                } else {
                    report.paced.push(latency);
                }
                got += 1;
                if got == total {
                    break;
                }
            }
            let _ = done_tx.send(report);
        });
    }
    drop(done_tx);
    drop(burst_tx);

    // The sender (a member too: it gets its own messages, drained by a task).
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .map_err(|e| e.to_string())?;
    let (mut tx, mut rx) = ws.split();
    tx.send(Message::text(join.clone()))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move { while let Some(Ok(_)) = rx.next().await {} });

    // Setup only: wait until every subscriber has joined.
    let expected_members = subscribers + 1;
    loop {
        let members = server
            .shared()
            .stats()
            .channels
            .get(CHANNEL)
            .map(|c| c.members)
            .unwrap_or(0);
        if members == expected_members {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let pad = "x".repeat(64);
    let frame = |phase: u8, seq: u64| {
        json!({"action":"message","options":{"channel":CHANNEL},"payload":{
            "phase":phase,"seq":seq,"t":base.elapsed().as_nanos() as u64,"pad":pad}})
        .to_string()
    };

    // Phase 1: burst.
    let burst_start = Instant::now();
    for seq in 0..burst {
        tx.feed(Message::text(frame(1, seq)))
            .await
            .map_err(|e| e.to_string())?;
        if seq % 32 == 31 {
            tx.flush().await.map_err(|e| e.to_string())?;
        }
    }
    tx.flush().await.map_err(|e| e.to_string())?;

    // Phase 2 starts once every subscriber has drained the burst.
    let mut burst_end = burst_start;
    for _ in 0..subscribers {
        match burst_rx.recv().await {
            Some(t) => burst_end = burst_end.max(t),
            None => return Err("a subscriber ended during the burst".to_string()),
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ticker = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    for seq in 0..paced {
        ticker.tick().await;
        tx.send(Message::text(frame(2, seq)))
            .await
            .map_err(|e| e.to_string())?;
    }

    let mut burst_lat = Vec::new();
    let mut paced_lat = Vec::new();
    let mut reports = 0;
    while let Some(r) = done_rx.recv().await {
        reports += 1;
        burst_end = burst_end.max(r.burst_done);
        burst_lat.extend(r.burst);
        paced_lat.extend(r.paced);
    }
    if reports != subscribers {
        return Err(format!(
            "only {reports} of {subscribers} subscribers finished"
        ));
    }
    let burst_secs = burst_end.duration_since(burst_start).as_secs_f64();
    let deliveries = burst_lat.len() as f64;
    println!(
        "subscribers: {subscribers}; burst: {burst} messages; paced: {paced} messages at {rate}/s; client frame {} bytes",
        frame(1, 0).len()
    );
    println!(
        "burst: {deliveries} deliveries in {burst_secs:.3} s = {:.0} deliveries/s ({:.0} messages/s sent through)",
        deliveries / burst_secs,
        burst as f64 / burst_secs
    );
    println!();
    println!("| phase | deliveries | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    println!("{}", summary("burst", burst_lat));
    println!("{}", summary(&format!("paced {rate}/s"), paced_lat));
    server.shutdown().await;
    Ok(())
}
