//! One connection shared by the tabs of a browser (`configure({ shareConnection: true })`,
//! API.md §1a): the leader tab's rules for which channels stay joined.
//!
//! The leader owns the socket and the [`Client`](super::client::Client); every tab of the group
//! (the leader's own page included) *holds* the channels it has open. A channel is opened in the
//! core by its first holder and closed when its last holder lets go: when that tab closes it,
//! and when the tab goes away (pagehide, crash). After a handover the new leader rebuilds the
//! holdings from the reports of the tabs that are left, so every channel open in any tab is
//! joined again, once. Tabs are numbered by the shell.

use alloc::vec::Vec;

use super::client::ChannelId;

/// Which tabs hold which channels.
#[derive(Debug, Default)]
pub struct Holders {
    held: Vec<(ChannelId, u32)>,
}

impl Holders {
    /// Tab `tab` holds channel `ch`. Returns whether the channel had no holder before (the caller
    /// has just opened it in the core). Holding twice counts once.
    pub fn hold(&mut self, ch: ChannelId, tab: u32) -> bool {
        let first = !self.held.iter().any(|(c, _)| *c == ch);
        if !self.held.contains(&(ch, tab)) {
            self.held.push((ch, tab));
        }
        first
    }

    /// Tab `tab` lets go of channel `ch`. Returns whether it now has no holder (close it in the
    /// core); false when the tab did not hold it or others still do.
    pub fn release(&mut self, ch: ChannelId, tab: u32) -> bool {
        let before = self.held.len();
        self.held.retain(|h| *h != (ch, tab));
        before != self.held.len() && !self.held.iter().any(|(c, _)| *c == ch)
    }

    /// Tab `tab` went away: it lets go of everything. Returns the channels now held by nobody, in
    /// the order they were first held.
    pub fn release_tab(&mut self, tab: u32) -> Vec<ChannelId> {
        let mut gone: Vec<ChannelId> = self
            .held
            .iter()
            .filter(|(_, t)| *t == tab)
            .map(|(c, _)| *c)
            .collect();
        self.held.retain(|(_, t)| *t != tab);
        gone.retain(|c| !self.held.iter().any(|(h, _)| h == c));
        gone
    }

    /// How many tabs hold channel `ch`.
    pub fn count(&self, ch: ChannelId) -> usize {
        self.held.iter().filter(|(c, _)| *c == ch).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_opened_by_its_first_holder_and_closed_by_its_last() {
        let mut h = Holders::default();
        assert!(h.hold(7, 1), "first holder: open it");
        assert!(!h.hold(7, 2));
        assert!(!h.hold(7, 2), "holding twice counts once");
        assert_eq!(h.count(7), 2);
        assert!(!h.release(7, 1), "tab 2 still holds it");
        assert!(h.release(7, 2), "the last one: close it");
        assert!(!h.release(7, 2), "releasing again changes nothing");
    }

    #[test]
    fn a_tab_that_goes_away_releases_only_what_nobody_else_holds() {
        let mut h = Holders::default();
        h.hold(1, 10);
        h.hold(2, 10);
        h.hold(2, 11);
        h.hold(3, 10);
        assert_eq!(h.release_tab(10), [1, 3]);
        assert_eq!(h.count(2), 1);
        assert!(h.release_tab(10).is_empty());
    }

    #[test]
    fn a_new_leader_rebuilds_each_channel_once_from_the_tabs_reports() {
        // Three tabs report what they have open; the new leader opens each channel once.
        let reports: [(u32, &[ChannelId]); 3] = [(1, &[5, 6]), (2, &[6]), (3, &[6, 7])];
        let mut h = Holders::default();
        let mut opened = Vec::new();
        for (tab, channels) in reports {
            for ch in channels {
                if h.hold(*ch, tab) {
                    opened.push(*ch);
                }
            }
        }
        assert_eq!(opened, [5, 6, 7]);
        assert_eq!(h.count(6), 3);
    }
}
