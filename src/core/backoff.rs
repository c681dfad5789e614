//! How long to wait before the next reconnect attempt.
//!
//! The wait grows with the length of the outage, not with the number of attempts: the spacing
//! between attempts is `elapsed / 15` (`elapsed` = time since the connection was lost), never less
//! than `minDelayMs` and never more than `maxDelayMs`, and each wait is drawn uniformly from the
//! upper half of that spacing (`[spacing / 2, spacing]`). So:
//!
//! - the first attempt comes `minDelayMs / 2` to `minDelayMs` after a loss (0.5–1 s by default):
//!   sooner than the official SDK's fixed 1 s, and spread over half a second, so a crowd of tabs
//!   that lost the same server does not come back in lockstep;
//! - during an outage of `T`, the client finds the server back within about `T / 15` (a 30 s
//!   outage: within 1–2 s), where a doubling schedule can wait up to `T` again;
//! - a long outage is retried every `maxDelayMs` at worst (60 s by default), forever.
//!
//! `BENCHMARKS.md` ("Reconnect schedule, simulated") compares it with the SDK's 1 s, 2 s, 4 s …
//! schedule: `cargo test --release -p xano-realtime --test reconnect_simulation -- --nocapture`.

/// Reconnect bounds in milliseconds, from `configure({ reconnect: { minDelayMs, maxDelayMs } })`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// The spacing of the first attempts (default 1000 ms): the first attempt waits between half
    /// of it and all of it.
    pub min_ms: u32,
    /// The largest spacing between attempts (default 60000 ms).
    pub max_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            min_ms: 1_000,
            max_ms: 60_000,
        }
    }
}

/// The spacing between attempts is the time already spent down divided by this.
pub const OUTAGE_FRACTION: f64 = 15.0;

impl Backoff {
    /// The spacing between attempts after `elapsed_ms` of outage.
    pub fn spacing_ms(&self, elapsed_ms: f64) -> f64 {
        let grown = if elapsed_ms > 0.0 {
            elapsed_ms / OUTAGE_FRACTION
        } else {
            0.0
        };
        let max = f64::from(self.max_ms.max(self.min_ms));
        let spacing = if grown > f64::from(self.min_ms) {
            grown
        } else {
            f64::from(self.min_ms)
        };
        if spacing > max {
            max
        } else {
            spacing
        }
    }

    /// The wait before the next attempt after `elapsed_ms` of outage, given a uniform random
    /// number `unit` in `[0, 1)` (anything else counts as 0).
    pub fn wait_ms(&self, elapsed_ms: f64, unit: f64) -> u32 {
        let unit = if (0.0..1.0).contains(&unit) {
            unit
        } else {
            0.0
        };
        let spacing = self.spacing_ms(elapsed_ms);
        (spacing * (0.5 + unit / 2.0)) as u32
    }
}

/// A small deterministic pseudo-random generator (xorshift64*), seeded by the shell from
/// `Math.random()` and by tests with a constant. Jitter needs spread, not secrecy.
#[derive(Clone, Debug)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator from `seed`; a zero seed is replaced, since xorshift would stay at zero.
    pub fn new(seed: u64) -> Self {
        Jitter {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    /// The next number, uniform in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attempt_waits_half_to_all_of_the_minimum() {
        let b = Backoff::default();
        assert_eq!(b.wait_ms(0.0, 0.0), 500);
        assert_eq!(b.wait_ms(0.0, 0.999_999), 999);
    }

    #[test]
    fn the_spacing_grows_with_the_outage_and_stops_at_the_maximum() {
        let b = Backoff::default();
        assert_eq!(b.spacing_ms(0.0), 1_000.0);
        assert_eq!(b.spacing_ms(15_000.0), 1_000.0);
        assert_eq!(b.spacing_ms(30_000.0), 2_000.0);
        assert_eq!(b.spacing_ms(600_000.0), 40_000.0);
        assert_eq!(b.spacing_ms(3_600_000.0), 60_000.0);
    }

    #[test]
    fn waits_stay_within_half_the_minimum_and_the_maximum_whatever_the_inputs() {
        let b = Backoff {
            min_ms: 200,
            max_ms: 5_000,
        };
        let mut j = Jitter::new(42);
        for elapsed in [-5.0, 0.0, 1.0, 1e4, 1e6, 1e12, f64::NAN, f64::INFINITY] {
            for _ in 0..100 {
                let w = b.wait_ms(elapsed, j.next_unit());
                assert!((100..=5_000).contains(&w), "{elapsed}: {w}");
            }
        }
    }

    #[test]
    fn jitter_spreads_waits_across_the_upper_half_of_the_spacing() {
        let b = Backoff::default();
        let mut j = Jitter::new(7);
        let waits: Vec<u32> = (0..1_000).map(|_| b.wait_ms(0.0, j.next_unit())).collect();
        let low = waits.iter().filter(|w| **w < 650).count();
        let high = waits.iter().filter(|w| **w > 850).count();
        assert!(low > 200 && high > 200, "low {low} high {high}");
    }

    #[test]
    fn bad_random_input_gives_the_shortest_wait() {
        let b = Backoff::default();
        assert_eq!(b.wait_ms(0.0, f64::NAN), 500);
        assert_eq!(b.wait_ms(0.0, 7.0), 500);
        assert_eq!(b.wait_ms(0.0, -1.0), 500);
    }

    #[test]
    fn a_maximum_below_the_minimum_counts_as_the_minimum() {
        let b = Backoff {
            min_ms: 500,
            max_ms: 100,
        };
        assert_eq!(b.spacing_ms(1e9), 500.0);
    }

    #[test]
    fn jitter_units_are_in_the_unit_interval() {
        let mut j = Jitter::new(0);
        for _ in 0..10_000 {
            let u = j.next_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
