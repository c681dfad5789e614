//! Who is in a channel: kept from `presence_full` (replace) and `presence_update` (join/leave).
//!
//! Members are keyed by `socketId` and never duplicated, in the order they were first seen. The
//! member data `M` is opaque (the browser's client object in the shell, a string in tests).

/// The members of one channel.
#[derive(Clone, Debug)]
pub struct Presence<M> {
    members: Vec<(String, M)>,
}

impl<M> Default for Presence<M> {
    fn default() -> Self {
        Presence {
            members: Vec::new(),
        }
    }
}

impl<M> Presence<M> {
    /// Replaces the whole list (a `presence_full` frame). A socket id listed twice keeps its last
    /// data at its first position.
    pub fn replace(&mut self, members: impl IntoIterator<Item = (String, M)>) {
        self.members.clear();
        for (id, data) in members {
            self.join(id, data);
        }
    }

    /// Adds a member, or updates its data when that socket id is already present.
    pub fn join(&mut self, socket_id: String, data: M) {
        match self.members.iter_mut().find(|(id, _)| *id == socket_id) {
            Some(slot) => slot.1 = data,
            None => self.members.push((socket_id, data)),
        }
    }

    /// Removes a member; returns whether it was present.
    pub fn leave(&mut self, socket_id: &str) -> bool {
        let before = self.members.len();
        self.members.retain(|(id, _)| id != socket_id);
        before != self.members.len()
    }

    /// Forgets every member (the socket was lost; a rejoin brings a fresh list).
    pub fn clear(&mut self) {
        self.members.clear();
    }

    /// The members, in the order first seen.
    pub fn members(&self) -> impl Iterator<Item = &M> {
        self.members.iter().map(|(_, m)| m)
    }

    /// The socket ids of the members, in the order first seen.
    pub fn socket_ids(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(id, _)| id.as_str())
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether nobody is present.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &Presence<&str>) -> Vec<String> {
        p.socket_ids().map(str::to_owned).collect()
    }

    #[test]
    fn a_join_arriving_twice_keeps_one_member() {
        let mut p = Presence::default();
        p.join("a".into(), "first");
        p.join("a".into(), "second");
        assert_eq!(ids(&p), ["a"]);
        assert_eq!(p.members().copied().collect::<Vec<_>>(), ["second"]);
    }

    #[test]
    fn full_list_replaces_and_deduplicates() {
        let mut p = Presence::default();
        p.join("old".into(), "x");
        p.replace([("a".into(), "1"), ("b".into(), "2"), ("a".into(), "3")]);
        assert_eq!(ids(&p), ["a", "b"]);
        assert_eq!(p.members().copied().collect::<Vec<_>>(), ["3", "2"]);
    }

    #[test]
    fn leave_removes_only_that_member() {
        let mut p = Presence::default();
        p.replace([("a".into(), ""), ("b".into(), ""), ("c".into(), "")]);
        assert!(p.leave("b"));
        assert!(!p.leave("b"));
        assert_eq!(ids(&p), ["a", "c"]);
    }

    #[test]
    fn clear_empties_the_list() {
        let mut p = Presence::default();
        p.join("a".into(), "");
        p.clear();
        assert!(p.is_empty());
        assert_eq!(p.len(), 0);
    }
}
