//! Any bytes, read as a sequence of inputs to the client core (`xano_realtime::core::Client`):
//! settings (valid or not), channels opened and closed, sockets opening and closing with any code,
//! timers firing, the browser going offline, online or visible, the offline queue's counts,
//! failed writes and flush reports, with ids that are current, stale or never issued, and any
//! clock (backwards, NaN, infinite). The core must never panic, and it never holds more than one
//! socket (every `OpenSocket` comes after the previous socket was closed or reported closed).
//!
//! `tests/core_properties.rs` includes this file as a module (with `cfg(test)`) to run [`run`] as
//! a property test on stable.
#![no_main]

#[cfg(not(test))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| run(data));

use xano_realtime::core::{Client, Output, Settings};

/// The input's bytes, read in order; zeros once they run out.
struct Bytes<'a>(core::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }

    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) | u64::from(self.u32()) << 32
    }

    /// A close code: mostly the interesting ones, else any.
    fn code(&mut self) -> u16 {
        const CODES: [u16; 8] = [1000, 1001, 1006, 1008, 1011, 1012, 4000, 3000];
        match self.u8() {
            b @ 0..=199 => CODES[usize::from(b) % CODES.len()],
            _ => u16::from_le_bytes([self.u8(), self.u8()]),
        }
    }

    /// A number of milliseconds or a count as the API may pass it: absent, small, large, or any
    /// float at all.
    fn setting(&mut self) -> Option<f64> {
        match self.u8() % 4 {
            0 => None,
            1 => Some(f64::from(self.u8()) * 10.0),
            2 => Some(f64::from(self.u32() % 4_000_000)),
            _ => Some(f64::from_bits(self.u64())),
        }
    }

    /// One of the ids the client named, most recent first, or a number of the input's own.
    fn id(&mut self, ids: &[u32]) -> u32 {
        let b = self.u8();
        if b >= 0xf0 || ids.is_empty() {
            return self.u32();
        }
        ids[ids.len() - 1 - usize::from(b) % ids.len()]
    }
}

/// Feeds `data` to a new client as a sequence of inputs, taking its outputs after each.
pub fn run(data: &[u8]) {
    let mut input = Bytes(data.iter());
    let mut client = Client::new(input.u64());
    // Ids the client named: channels, sockets, timers, flushes.
    let mut ids: Vec<u32> = Vec::new();
    let mut socket: Option<u32> = None;
    let mut now = 0.0f64;
    while !input.0.as_slice().is_empty() {
        match input.u8() % 22 {
            0 => {
                let (min, max, cap) = (input.setting(), input.setting(), input.setting());
                if let Ok(settings) = Settings::check(min, max, cap) {
                    client.configure(settings);
                }
            }
            1 => client.token_changed(),
            2 | 3 => ids.push(client.open_channel(input.bool())),
            4 => {
                client.close_channel(input.id(&ids));
            }
            5 | 6 => client.socket_opened(input.id(&ids)),
            7 | 8 => {
                let id = input.id(&ids);
                if socket == Some(id) {
                    socket = None;
                }
                client.socket_closed(id, input.code(), now);
            }
            9 | 10 => client.timer_fired(input.id(&ids), now),
            11 => client.browser_offline(),
            12 => client.browser_online(),
            13 => client.page_visible(),
            14 => {
                let _ = client.enqueue(input.id(&ids));
            }
            15 => client.store_failed(input.id(&ids)),
            16 => client.queue_counted(input.id(&ids), input.u32(), input.u32()),
            17 => {
                let id = input.id(&ids);
                let covers = match input.bool() {
                    true => client.last_queued(id),
                    false => input.u32(),
                };
                let flush = input.id(&ids);
                let (emptied, remaining, as_of) = (input.bool(), input.u32(), input.u32());
                client.flush_finished(id, flush, covers, emptied, remaining, as_of);
            }
            19 => client.socket_silent(input.id(&ids), now),
            20 => {
                client.drained(input.bool());
            }
            18 => {
                now = match input.u8() % 3 {
                    0 => now + f64::from(input.u32()),
                    1 => now - f64::from(input.u32()),
                    _ => f64::from_bits(input.u64()),
                }
            }
            _ => {
                let id = input.id(&ids);
                let _ = (
                    client.state(),
                    client.is_configured(),
                    client.channel_count(),
                );
                let _ = (client.last_queued(id), client.pending(id), client.mode(id));
            }
        }
        for output in client.take_outputs() {
            match output {
                Output::OpenSocket(id) => {
                    assert_eq!(socket, None, "a second socket");
                    socket = Some(id);
                    ids.push(id);
                }
                Output::CloseSocket(id, _) => {
                    assert_eq!(socket, Some(id), "closed a socket it did not hold");
                    socket = None;
                }
                Output::Timer(id, _) | Output::Flush(_, id) => ids.push(id),
                Output::Mode(_, mode) => assert!(mode.joined || !mode.direct),
                _ => {}
            }
        }
        if ids.len() > 64 {
            ids.drain(..32);
        }
    }
}
