//! The offline queue's bookkeeping for one channel. The actions themselves live in the shell's
//! store (IndexedDB), which other tabs of the same origin share, so this tracks what *this page*
//! queued by sequence number, and whether the store may hold more (from an earlier page, another
//! tab, or messages sent again after their socket was lost before the server confirmed them).
//!
//! The rule it serves: a message goes straight to the socket only when nothing can be ahead of
//! it: no flush under way, no backlog, and every action this page queued is covered by a flush
//! that emptied the store. Everything else waits in the store, first in, first out.

/// The queue state of one channel opened with `queueOfflineActions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueState {
    /// Sequence number of the last action this page queued on the channel. Numbers come from one
    /// counter for the whole client, so that a flush of an earlier opening of the channel, which
    /// may end after the channel was opened again, never covers what the new opening queued.
    pub last_queued: u32,
    /// Every action up to this sequence number has left the store.
    pub covered: u32,
    /// The store may hold actions this page did not count: left by an earlier page or another
    /// tab, or put back at the front of the queue after a lost socket.
    pub backlog: bool,
    /// The flush under way, if any.
    pub flush: Option<u32>,
    /// How many actions are waiting, as far as this page knows (for the cap and `queue` events).
    pub count: u32,
}

impl QueueState {
    /// A queue for a channel just opened, when the client's counter stands at `seq`: the store
    /// may hold actions from before, so it starts with a backlog.
    pub fn opened(seq: u32) -> Self {
        QueueState {
            last_queued: seq,
            covered: seq,
            backlog: true,
            ..QueueState::default()
        }
    }

    /// Whether the store may hold actions of this channel that must leave before a new one.
    pub fn has_work(&self) -> bool {
        self.backlog || self.last_queued > self.covered
    }

    /// Whether a new message must wait behind the queue instead of going straight out.
    pub fn behind(&self) -> bool {
        self.flush.is_some() || self.has_work()
    }

    /// One more action was queued with sequence number `seq`.
    pub fn queued(&mut self, seq: u32) {
        self.last_queued = seq;
        self.count = self.count.saturating_add(1);
    }

    /// The shell counted `stored` actions in the store when [`QueueState::last_queued`] was
    /// `as_of`; actions queued since then were not written yet and are added. Returns whether the
    /// count changed.
    pub fn counted(&mut self, stored: u32, as_of: u32) -> bool {
        let since = self.last_queued.saturating_sub(as_of);
        let count = stored.saturating_add(since);
        let changed = self.count != count;
        self.count = count;
        changed
    }

    /// Flush `flush` ended; see [`crate::core::client::Client::flush_finished`].
    pub fn flush_finished(&mut self, flush: u32, covers: u32, emptied: bool) {
        if self.flush == Some(flush) {
            self.flush = None;
        }
        if emptied {
            if covers > self.covered {
                self.covered = covers;
            }
            self.backlog = false;
        }
    }

    /// The socket was lost or closed while the channel was joined: messages it had taken but the
    /// server had not confirmed go back to the front of the store, and the flush under way ends.
    pub fn interrupted(&mut self) {
        self.flush = None;
        self.backlog = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_queue_has_a_backlog_until_a_flush_empties_the_store() {
        let mut q = QueueState::opened(7);
        assert!(q.behind());
        q.flush = Some(1);
        q.flush_finished(1, 7, true);
        assert!(!q.behind());
    }

    #[test]
    fn a_flush_that_did_not_empty_the_store_leaves_the_backlog() {
        let mut q = QueueState::opened(0);
        q.flush = Some(1);
        q.flush_finished(1, 0, false);
        assert!(q.has_work());
        assert_eq!(q.flush, None);
    }

    #[test]
    fn actions_queued_during_a_flush_are_not_covered_by_it() {
        let mut q = QueueState::opened(0);
        q.flush = Some(1);
        q.queued(1);
        q.flush_finished(1, 0, true);
        assert!(
            q.has_work(),
            "action 1 was queued after the flush read the store"
        );
        q.flush = Some(2);
        q.flush_finished(2, 1, true);
        assert!(!q.has_work());
    }

    #[test]
    fn a_stale_flush_does_not_end_the_current_one() {
        let mut q = QueueState::opened(0);
        q.flush = Some(5);
        q.flush_finished(4, 0, false);
        assert_eq!(q.flush, Some(5));
    }

    #[test]
    fn counting_adds_what_was_queued_after_the_count_was_asked_for() {
        let mut q = QueueState::opened(0);
        q.queued(1);
        q.queued(2);
        assert!(q.counted(10, 1));
        assert_eq!(q.count, 11);
        assert!(!q.counted(10, 1));
    }

    #[test]
    fn an_interrupted_queue_waits_for_a_flush_again() {
        let mut q = QueueState::opened(0);
        q.flush = Some(1);
        q.flush_finished(1, 0, true);
        assert!(!q.behind());
        q.interrupted();
        assert!(q.behind());
        assert_eq!(q.flush, None);
    }
}
