//! The client's settings, checked: the backoff bounds and the offline queue's cap. (The API layer
//! checks the types, derives the socket URL from the instance's base URL with the browser's own
//! URL parser, and keeps the token, which never enters the core.)

use super::backoff::Backoff;

/// Checked settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// Reconnect delays.
    pub backoff: Backoff,
    /// The most actions one channel's offline queue may hold.
    pub queue_max_actions: u32,
}

/// The default cap on one channel's offline queue.
pub const DEFAULT_QUEUE_MAX_ACTIONS: u32 = 10_000;

/// A setting that is wrong. The API layer turns it into a `RangeError` whose message names the
/// setting (its number crosses the wasm boundary; the text lives in JS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ConfigError {
    /// `reconnect.minDelayMs` is not a number of milliseconds from 0 to 3600000.
    MinDelay = 1,
    /// `reconnect.maxDelayMs` is not a number of milliseconds from 0 to 3600000.
    MaxDelay = 2,
    /// `reconnect.maxDelayMs` is less than `reconnect.minDelayMs`.
    MaxBelowMin = 3,
    /// `queue.maxActions` is not a whole number from 1 to 10000000.
    MaxActions = 4,
}

impl Settings {
    /// Checks the settings; `None` means "not given". The error names the first setting that is
    /// wrong, in this order: delays, queue cap.
    pub fn check(
        min_delay_ms: Option<f64>,
        max_delay_ms: Option<f64>,
        max_actions: Option<f64>,
    ) -> Result<Settings, ConfigError> {
        let defaults = Backoff::default();
        let min_ms = delay(min_delay_ms, defaults.min_ms).ok_or(ConfigError::MinDelay)?;
        let default_max = if defaults.max_ms > min_ms {
            defaults.max_ms
        } else {
            min_ms
        };
        let max_ms = delay(max_delay_ms, default_max).ok_or(ConfigError::MaxDelay)?;
        if max_ms < min_ms {
            return Err(ConfigError::MaxBelowMin);
        }
        let queue_max_actions = match max_actions {
            None => DEFAULT_QUEUE_MAX_ACTIONS,
            Some(n) if (1.0..=10_000_000.0).contains(&n) && n == (n as u32) as f64 => n as u32,
            Some(_) => return Err(ConfigError::MaxActions),
        };
        Ok(Settings {
            backoff: Backoff { min_ms, max_ms },
            queue_max_actions,
        })
    }
}

fn delay(value: Option<f64>, default: u32) -> Option<u32> {
    match value {
        None => Some(default),
        Some(ms) if (0.0..=3_600_000.0).contains(&ms) => Some(ms as u32),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        min: Option<f64>,
        max: Option<f64>,
        cap: Option<f64>,
    ) -> Result<Settings, ConfigError> {
        Settings::check(min, max, cap)
    }

    #[test]
    fn defaults_apply_when_settings_are_absent() {
        let s = check(None, None, None).unwrap();
        assert_eq!(s.backoff, Backoff::default());
        assert_eq!(s.queue_max_actions, 10_000);
    }

    #[test]
    fn backoff_bounds_are_checked() {
        assert_eq!(
            check(Some(5_000.0), Some(100.0), None),
            Err(ConfigError::MaxBelowMin)
        );
        assert_eq!(
            check(None, Some(f64::NAN), None),
            Err(ConfigError::MaxDelay)
        );
        assert_eq!(check(Some(-1.0), None, None), Err(ConfigError::MinDelay));
        assert_eq!(check(Some(4e6), None, None), Err(ConfigError::MinDelay));
        assert_eq!(
            check(Some(5_000.0), None, None).unwrap().backoff.max_ms,
            60_000
        );
        assert_eq!(
            check(Some(90_000.0), None, None).unwrap().backoff.max_ms,
            90_000
        );
    }

    #[test]
    fn the_queue_cap_is_checked() {
        for bad in [0.0, 2.5, -3.0, 1e8, f64::NAN, f64::INFINITY] {
            assert_eq!(
                check(None, None, Some(bad)),
                Err(ConfigError::MaxActions),
                "{bad}"
            );
        }
        assert_eq!(check(None, None, Some(3.0)).unwrap().queue_max_actions, 3);
    }
}
