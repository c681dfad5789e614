//! A simulation of the reconnect schedule (`src/core/backoff.rs`) against the official SDK's,
//! for BENCHMARKS.md ("Reconnect schedule, simulated"):
//!
//! ```text
//! cargo test --release -p xano-realtime --test reconnect_simulation -- --nocapture
//! ```
//!
//! The model: a client loses its connection at t = 0 and the server is unreachable until
//! `outage`. An attempt made during the outage fails at once (a refused handshake); the first
//! attempt at or after `outage` succeeds. Ours waits `Backoff::wait_ms(elapsed, unit)` before
//! each attempt, `elapsed` being the time since the loss (as `Client::schedule` does with
//! `down_since`), `unit` from a `Jitter` seeded per client. The SDK (`@xano/js-sdk` 3.0.1,
//! `XanoRealtimeState.triggerReconnect`) waits 1 s, then 2 s, 4 s … up to 60 s, doubling after
//! each attempt, with no jitter. Handshake and network times are taken as zero for both.
//!
//! Two tables: the time from the end of an outage to the successful attempt (median and p90 over
//! 10,000 clients), and what a restarted server sees when 10,000 clients lost it at once: the
//! peak number of connection attempts in any 100 ms, those while it is still down and the
//! reconnections once it is back. Deterministic seeds; it runs in well under a second.

#![cfg(not(target_arch = "wasm32"))]

use xano_realtime::core::backoff::{Backoff, Jitter};

/// Clients per simulated outage.
const CLIENTS: usize = 10_000;
/// Outage lengths (ms) for the time-back table: the four issue 10 names (0.5, 2, 5, 30 s) and two
/// that fall between a doubling schedule's attempts (10 s: the SDK tries at 7 s and 15 s; 40 s: at
/// 31 s and 63 s).
const OUTAGES_MS: [f64; 6] = [500.0, 2_000.0, 5_000.0, 10_000.0, 30_000.0, 40_000.0];
/// How long the server is down (ms) in the crowd table: 0 = connections dropped, server up.
const RESTARTS_MS: [f64; 4] = [0.0, 2_000.0, 5_000.0, 30_000.0];
/// Width of the buckets in which attempts are counted (ms).
const BUCKET_MS: f64 = 100.0;

/// splitmix64: independent-looking seeds for the clients' generators from their indices.
fn seed_of(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The times (ms after the loss) of one client's attempts until the first one at or after
/// `outage_ms`, which succeeds and is the last of the list.
fn ours_attempts(backoff: &Backoff, jitter: &mut Jitter, outage_ms: f64) -> Vec<f64> {
    let mut attempts = Vec::new();
    let mut t = 0.0;
    loop {
        // The wait is decided when the previous attempt failed, from the outage so far.
        t += f64::from(backoff.wait_ms(t, jitter.next_unit()));
        attempts.push(t);
        if t >= outage_ms {
            return attempts;
        }
    }
}

/// The official SDK's attempts: 1 s after the loss, then 2 s, 4 s … (at most 60 s) after each.
fn sdk_attempts(outage_ms: f64) -> Vec<f64> {
    let mut attempts = Vec::new();
    let mut t = 0.0;
    let mut interval = 1_000.0;
    loop {
        t += interval;
        attempts.push(t);
        if t >= outage_ms {
            return attempts;
        }
        interval = f64::min(2.0 * interval, 60_000.0);
    }
}

/// Every client's attempts for an outage of `outage_ms`, ours (seeded per client) or the SDK's.
fn crowd(ours: bool, outage_ms: f64) -> Vec<Vec<f64>> {
    let backoff = Backoff::default();
    (0..CLIENTS)
        .map(|i| {
            if ours {
                let mut jitter = Jitter::new(seed_of(i as u64));
                ours_attempts(&backoff, &mut jitter, outage_ms)
            } else {
                sdk_attempts(outage_ms)
            }
        })
        .collect()
}

/// The p-th percentile (0..=100) of sorted `v`, interpolated between the closest ranks.
fn percentile(v: &[f64], p: f64) -> f64 {
    let x = p / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (x - lo as f64)
}

struct TimeBack {
    median: f64,
    p90: f64,
    max: f64,
}

/// From the end of the outage to each client's successful attempt.
fn time_back(clients: &[Vec<f64>], outage_ms: f64) -> TimeBack {
    let mut back: Vec<f64> = clients
        .iter()
        .map(|a| a.last().expect("at least one attempt") - outage_ms)
        .collect();
    back.sort_by(f64::total_cmp);
    TimeBack {
        median: percentile(&back, 50.0),
        p90: percentile(&back, 90.0),
        max: back[back.len() - 1],
    }
}

/// The largest number of `times` in one 100 ms bucket (0 for none).
fn peak_per_bucket(times: impl Iterator<Item = f64>) -> usize {
    let mut buckets: Vec<usize> = Vec::new();
    for t in times {
        let b = (t / BUCKET_MS).floor() as usize;
        if b >= buckets.len() {
            buckets.resize(b + 1, 0);
        }
        buckets[b] += 1;
    }
    buckets.into_iter().max().unwrap_or(0)
}

struct ServerLoad {
    /// Attempts in any 100 ms while the server is down (refused), at most.
    peak_refused: usize,
    /// Successful reconnections in any 100 ms once it is back, at most.
    peak_back: usize,
    /// Every client is back this long after the server is.
    all_back_ms: f64,
}

fn server_load(clients: &[Vec<f64>], down_ms: f64) -> ServerLoad {
    let refused = clients
        .iter()
        .flat_map(|a| a[..a.len() - 1].iter().copied());
    let back = clients.iter().map(|a| a[a.len() - 1]);
    ServerLoad {
        peak_refused: peak_per_bucket(refused),
        peak_back: peak_per_bucket(back),
        all_back_ms: time_back(clients, down_ms).max,
    }
}

fn secs(ms: f64) -> String {
    format!("{} s", ms / 1000.0)
}

#[test]
fn reconnect_schedule_ours_vs_the_sdk() {
    let mut out = String::new();
    out.push_str(&format!(
        "\nTime from the end of an outage to the successful attempt ({CLIENTS} clients each; default settings: minDelayMs 1000, maxDelayMs 60000)\n\n"
    ));
    out.push_str("| outage | ours: median | ours: p90 | SDK: median | SDK: p90 | ratio (SDK / ours, median) |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    let mut back = Vec::new();
    for outage in OUTAGES_MS {
        let ours = time_back(&crowd(true, outage), outage);
        let sdk = time_back(&crowd(false, outage), outage);
        out.push_str(&format!(
            "| {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.2} |\n",
            secs(outage),
            ours.median,
            ours.p90,
            sdk.median,
            sdk.p90,
            sdk.median / ours.median
        ));
        back.push((outage, ours, sdk));
    }

    out.push_str(&format!(
        "\nA server that {CLIENTS} clients lost at once: connection attempts in any {BUCKET_MS} ms at the peak, while it is down (refused) and once it is back; \"all back\": from the server being back (the drop, for 0) to the last client's reconnection\n\n"
    ));
    out.push_str("| server down for | ours: refused attempts, peak / 100 ms | ours: reconnections, peak / 100 ms | ours: all back after | SDK: refused attempts, peak / 100 ms | SDK: reconnections, peak / 100 ms | SDK: all back after |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    let mut loads = Vec::new();
    for down in RESTARTS_MS {
        let ours = server_load(&crowd(true, down), down);
        let sdk = server_load(&crowd(false, down), down);
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} ms | {} | {} | {:.0} ms |\n",
            if down == 0.0 {
                "0 (connections dropped)".to_string()
            } else {
                secs(down)
            },
            ours.peak_refused,
            ours.peak_back,
            ours.all_back_ms,
            sdk.peak_refused,
            sdk.peak_back,
            sdk.all_back_ms
        ));
        loads.push((down, ours, sdk));
    }
    println!("{out}");

    // What the model must show: back at least as soon as the SDK (median), for each outage...
    for (outage, ours, sdk) in &back {
        assert!(
            ours.median <= sdk.median,
            "{outage} ms outage: our median {} ms, the SDK's {} ms",
            ours.median,
            sdk.median
        );
        // ...and not by luck of a few clients: the slowest tenth is not far behind the SDK either.
        assert!(
            ours.p90 <= sdk.p90 * 1.5,
            "{outage} ms outage: our p90 {} ms, the SDK's {} ms",
            ours.p90,
            sdk.p90
        );
    }
    // ...without the crowd coming back in lockstep: the SDK's 10,000 all arrive in one 100 ms;
    // ours are spread so that no 100 ms sees more than a quarter of them.
    for (down, ours, sdk) in &loads {
        assert_eq!(sdk.peak_back, CLIENTS, "the SDK's schedule has no jitter");
        assert!(
            ours.peak_back * 4 <= CLIENTS && ours.peak_refused * 4 <= CLIENTS,
            "server down {down} ms: our peaks {} reconnections and {} refused attempts per 100 ms",
            ours.peak_back,
            ours.peak_refused
        );
    }
}

#[test]
fn the_model_follows_the_schedules_it_claims() {
    // The SDK: 1, 3, 7, 15, 31 s after the loss.
    assert_eq!(
        sdk_attempts(30_000.0),
        vec![1_000.0, 3_000.0, 7_000.0, 15_000.0, 31_000.0]
    );
    // Ours: the first attempt 0.5–1 s after the loss, later ones 0.5–1 s apart for the first
    // 15 s, then spaced by up to elapsed / 15.
    let backoff = Backoff::default();
    let mut jitter = Jitter::new(seed_of(1));
    let attempts = ours_attempts(&backoff, &mut jitter, 60_000.0);
    assert!((500.0..1_000.0).contains(&attempts[0]));
    for pair in attempts.windows(2) {
        let gap = pair[1] - pair[0];
        let spacing = backoff.spacing_ms(pair[0]);
        assert!(
            gap >= (spacing / 2.0).floor() && gap <= spacing,
            "{pair:?}: gap {gap}, spacing {spacing}"
        );
    }
    assert!(*attempts.last().unwrap() >= 60_000.0);
}
