//! The app's listeners of one channel, by action name (`"*"` hears every frame). Lists are
//! shared (`Rc`) so that delivering a frame clones a pointer, not the list, and listeners can
//! subscribe or unsubscribe while a frame is being delivered.

use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Function;

/// Listener lists by action.
#[derive(Default)]
pub struct Listeners {
    by_action: HashMap<String, Rc<Vec<Function>>>,
}

/// The lists a frame goes to: its action's and `"*"`'s.
pub type Targets = (Option<Rc<Vec<Function>>>, Option<Rc<Vec<Function>>>);

impl Listeners {
    /// Adds `cb` for `action`; adding the same function twice keeps one.
    pub fn add(&mut self, action: &str, cb: Function) {
        let list = self.by_action.entry(action.to_owned()).or_default();
        if !list.contains(&cb) {
            Rc::make_mut(list).push(cb);
        }
    }

    /// Removes `cb` from `action`.
    pub fn remove(&mut self, action: &str, cb: &Function) {
        if let Some(list) = self.by_action.get_mut(action) {
            Rc::make_mut(list).retain(|f| f != cb);
            if list.is_empty() {
                self.by_action.remove(action);
            }
        }
    }

    /// The lists that hear a frame with `action`.
    pub fn targets(&self, action: &str) -> Targets {
        (
            self.by_action.get(action).cloned(),
            self.by_action.get("*").cloned(),
        )
    }

    /// How many listeners there are, all actions together.
    pub fn count(&self) -> usize {
        self.by_action.values().map(|l| l.len()).sum()
    }
}
