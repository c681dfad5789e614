//! Reconnect delays: exponential growth with full jitter above a floor.
//!
//! Attempt `n` (0 for the first retry after a loss) waits a uniformly random time in
//! `[min, min(max, min * 2^(n+1))]`. Every attempt is jittered, the first one too, so a crowd of
//! tabs that lost the same server does not come back in lockstep.

/// Backoff bounds in milliseconds, from `configure({ reconnect: { minDelayMs, maxDelayMs } })`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// The shortest wait before a reconnect (default 1000 ms).
    pub min_ms: u32,
    /// The longest wait before a reconnect (default 60000 ms).
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

impl Backoff {
    /// The upper bound of the wait for retry number `attempt` (0-based).
    pub fn ceiling_ms(&self, attempt: u32) -> u32 {
        let factor = 1u64 << attempt.saturating_add(1).min(32);
        let ceiling = u64::from(self.min_ms).saturating_mul(factor);
        ceiling
            .min(u64::from(self.max_ms))
            .max(u64::from(self.min_ms)) as u32
    }

    /// The wait for retry number `attempt`, given a uniform random number `unit` in `[0, 1)`.
    pub fn delay_ms(&self, attempt: u32, unit: f64) -> u32 {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let span = f64::from(self.ceiling_ms(attempt) - self.min_ms);
        self.min_ms + (span * unit) as u32
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
    fn delays_stay_within_min_and_max_for_every_attempt() {
        let b = Backoff::default();
        let mut j = Jitter::new(42);
        for attempt in 0..100 {
            let d = b.delay_ms(attempt, j.next_unit());
            assert!((1_000..=60_000).contains(&d), "attempt {attempt}: {d}");
        }
    }

    #[test]
    fn ceiling_doubles_from_twice_the_floor_until_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.ceiling_ms(0), 2_000);
        assert_eq!(b.ceiling_ms(1), 4_000);
        assert_eq!(b.ceiling_ms(4), 32_000);
        assert_eq!(b.ceiling_ms(5), 60_000);
        assert_eq!(b.ceiling_ms(1_000), 60_000);
    }

    #[test]
    fn jitter_spreads_delays_across_the_window() {
        let b = Backoff::default();
        let mut j = Jitter::new(7);
        let delays: Vec<u32> = (0..1_000).map(|_| b.delay_ms(5, j.next_unit())).collect();
        let low = delays.iter().filter(|d| **d < 20_000).count();
        let high = delays.iter().filter(|d| **d > 40_000).count();
        assert!(low > 200 && high > 200, "low {low} high {high}");
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 900);
    }

    #[test]
    fn first_retry_is_jittered_too() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(0, 0.0), 1_000);
        assert_eq!(b.delay_ms(0, 0.999_999), 1_999);
    }

    #[test]
    fn bad_random_input_falls_back_to_the_floor() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(3, f64::NAN), 1_000);
        assert_eq!(b.delay_ms(3, 7.0), b.ceiling_ms(3));
    }

    #[test]
    fn equal_min_and_max_gives_a_fixed_delay() {
        let b = Backoff {
            min_ms: 500,
            max_ms: 500,
        };
        assert_eq!(b.delay_ms(9, 0.7), 500);
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
