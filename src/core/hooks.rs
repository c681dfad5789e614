//! The lifecycle hooks' decisions: which channel opens or closes on which page event. The API
//! layer (`js/api/hooks.js`) wires the DOM (click listeners, `DOMContentLoaded`, `pagehide`,
//! `pageshow`) and keeps each channel's name and options under a number (a *key*); this decides.
//!
//! - `bindOnClick`: "open" opens, "close" closes, "toggle" closes an open channel and opens a
//!   closed one.
//! - `onPageLoad`: open once the document has loaded (at once if it has) and while the page is
//!   shown; close on `pagehide`; open again on a `pageshow` from the back/forward cache.
//! - `onAppLoad`: open once for the life of the tab; an open that failed does not count.

use alloc::vec::Vec;

/// What a click does to its channel (`bindOnClick`'s `action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ClickAction {
    /// Open the channel (nothing changes if it is open).
    Open = 0,
    /// Close the channel (nothing changes if it is not open).
    Close = 1,
    /// Close the channel if it is open, open it otherwise.
    Toggle = 2,
}

/// Whether a click with `action` opens (true) or closes (false) a channel that `is_open` or not.
pub fn click_opens(action: ClickAction, is_open: bool) -> bool {
    match action {
        ClickAction::Open => true,
        ClickAction::Close => false,
        ClickAction::Toggle => !is_open,
    }
}

/// A page event `onPageLoad` reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PageEvent {
    /// `DOMContentLoaded`.
    Loaded = 0,
    /// `pagehide`.
    Hide = 1,
    /// `pageshow` from the back/forward cache (`event.persisted`).
    ShowFromCache = 2,
}

/// The hooks' registry of one page.
#[derive(Debug, Default)]
pub struct Hooks {
    page: Vec<u32>,
    loaded: bool,
    hidden: bool,
    app: Vec<u32>,
}

impl Hooks {
    /// `onPageLoad` for the channel under `key`; `document_loaded`: the document's `readyState`
    /// is not "loading". Returns whether to open it now. Registering a key again changes nothing
    /// but may open it again.
    pub fn page_load(&mut self, key: u32, document_loaded: bool) -> bool {
        if !self.page.contains(&key) {
            self.page.push(key);
        }
        self.loaded |= document_loaded;
        self.loaded && !self.hidden
    }

    /// A page event: returns the keys to act on, in registration order, and whether to open
    /// them (true) or close them (false).
    pub fn page_event(&mut self, event: PageEvent) -> (&[u32], bool) {
        let act = match event {
            PageEvent::Loaded => {
                let first = !self.loaded;
                self.loaded = true;
                first && !self.hidden
            }
            PageEvent::Hide => {
                self.hidden = true;
                return (&self.page, false);
            }
            PageEvent::ShowFromCache => {
                let was_hidden = self.hidden;
                self.hidden = false;
                was_hidden && self.loaded
            }
        };
        (if act { &self.page } else { &[] }, true)
    }

    /// `onAppLoad` for the channel under `key`: whether to open it (the first call only). The
    /// key counts as opened from here on, unless [`Hooks::app_open_failed`] follows.
    pub fn app_load(&mut self, key: u32) -> bool {
        if self.app.contains(&key) {
            return false;
        }
        self.app.push(key);
        true
    }

    /// The open `app_load` asked for failed: a later `onAppLoad` tries again.
    pub fn app_open_failed(&mut self, key: u32) {
        self.app.retain(|k| *k != key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_open_close_and_toggle() {
        assert!(click_opens(ClickAction::Open, true));
        assert!(!click_opens(ClickAction::Close, false));
        assert!(click_opens(ClickAction::Toggle, false));
        assert!(!click_opens(ClickAction::Toggle, true));
    }

    #[test]
    fn page_channels_open_at_once_when_the_document_has_loaded() {
        let mut h = Hooks::default();
        assert!(h.page_load(1, true));
        assert!(
            h.page_load(2, false),
            "the document was seen loaded already"
        );
    }

    #[test]
    fn page_channels_registered_while_loading_open_on_dom_content_loaded_once() {
        let mut h = Hooks::default();
        assert!(!h.page_load(1, false));
        assert!(!h.page_load(2, false));
        assert_eq!(h.page_event(PageEvent::Loaded), (&[1, 2][..], true));
        assert_eq!(h.page_event(PageEvent::Loaded), (&[][..], true));
    }

    #[test]
    fn pagehide_closes_and_a_pageshow_from_the_cache_reopens() {
        let mut h = Hooks::default();
        h.page_load(1, true);
        h.page_load(2, true);
        assert_eq!(h.page_event(PageEvent::Hide), (&[1, 2][..], false));
        assert!(!h.page_load(3, true), "a hidden page opens nothing");
        assert_eq!(
            h.page_event(PageEvent::ShowFromCache),
            (&[1, 2, 3][..], true)
        );
        assert_eq!(h.page_event(PageEvent::ShowFromCache), (&[][..], true));
    }

    #[test]
    fn app_channels_open_once_unless_the_open_failed() {
        let mut h = Hooks::default();
        assert!(h.app_load(7));
        assert!(!h.app_load(7));
        h.app_open_failed(7);
        assert!(h.app_load(7));
    }
}
