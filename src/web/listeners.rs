//! The app's listeners of one channel, by action name (`"*"` hears every frame). Lists are
//! shared (`Rc`) so that delivering a frame clones a pointer, not the list, and listeners can
//! subscribe or unsubscribe while a frame is being delivered.

use std::rc::Rc;

use js_sys::Function;

/// Listener lists by action. A channel has few actions with listeners, so a short list searched
/// in order is as fast as a hash map and much smaller in the .wasm.
#[derive(Default)]
pub struct Listeners {
    by_action: Vec<(String, Rc<Vec<Function>>)>,
}

/// The lists a frame goes to: its action's and `"*"`'s.
pub type Targets = (Option<Rc<Vec<Function>>>, Option<Rc<Vec<Function>>>);

impl Listeners {
    /// Adds `cb` for `action`; adding the same function twice keeps one.
    pub fn add(&mut self, action: &str, cb: Function) {
        match self.by_action.iter_mut().find(|(a, _)| a == action) {
            Some((_, list)) if list.contains(&cb) => {}
            Some((_, list)) => Rc::make_mut(list).push(cb),
            None => self.by_action.push((action.to_owned(), Rc::new(vec![cb]))),
        }
    }

    /// Removes `cb` from `action`.
    pub fn remove(&mut self, action: &str, cb: &Function) {
        if let Some(i) = self.by_action.iter().position(|(a, _)| a == action) {
            let list = &mut self.by_action[i].1;
            Rc::make_mut(list).retain(|f| f != cb);
            if list.is_empty() {
                self.by_action.swap_remove(i);
            }
        }
    }

    fn get(&self, action: &str) -> Option<Rc<Vec<Function>>> {
        self.by_action
            .iter()
            .find(|(a, _)| a == action)
            .map(|(_, list)| list.clone())
    }

    /// The lists that hear a frame with `action`.
    pub fn targets(&self, action: &str) -> Targets {
        (self.get(action), self.get("*"))
    }

    /// How many listeners there are, all actions together.
    pub fn count(&self) -> usize {
        self.by_action.iter().map(|(_, l)| l.len()).sum()
    }
}
