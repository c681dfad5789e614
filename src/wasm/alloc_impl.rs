//! The wasm build's allocator: power-of-two size classes with a free list each, carved from the
//! end of linear memory, which grows a page at a time when needed.
//!
//! The client allocates few, small, long-lived things (its channel list, the output buffer), and
//! frees them in the same sizes it took them, so a freed block is reused by the next allocation
//! of its class and memory stays flat however long the page runs (the soak test checks it). It
//! is a few hundred bytes, where the standard library's dlmalloc is about 5 KB.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;
/// Classes 2^3 (8 bytes) to 2^31.
const CLASSES: usize = 32;
/// Blocks are aligned to their size, up to this.
const MAX_NATURAL_ALIGN: usize = 16;

struct Heap {
    /// Free blocks of each class, linked through their first word.
    free: [usize; CLASSES],
    /// The next unused byte, and the end of memory.
    next: usize,
    end: usize,
}

struct Allocator(UnsafeCell<Heap>);

// wasm32 without threads.
unsafe impl Sync for Allocator {}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(Heap {
    free: [0; CLASSES],
    next: 0,
    end: 0,
}));

extern "C" {
    /// The first byte after the stack and the static data (set by the linker).
    static __heap_base: u8;
}

fn class_of(layout: Layout) -> Option<(usize, usize)> {
    let size = layout.size().max(layout.align()).max(8);
    let rounded = size.checked_next_power_of_two()?;
    Some((rounded.trailing_zeros() as usize, rounded))
}

impl Heap {
    unsafe fn carve(&mut self, size: usize, align: usize) -> *mut u8 {
        if self.end == 0 {
            self.next = core::ptr::addr_of!(__heap_base) as usize;
            self.end = core::arch::wasm32::memory_size(0) * PAGE;
        }
        let start = (self.next + align - 1) & !(align - 1);
        let Some(stop) = start.checked_add(size) else {
            return null_mut();
        };
        if stop > self.end {
            let pages = (stop - self.end).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return null_mut();
            }
            self.end += pages * PAGE;
        }
        self.next = stop;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let heap = &mut *self.0.get();
        let Some((class, size)) = class_of(layout) else {
            return null_mut();
        };
        if class >= CLASSES {
            return null_mut();
        }
        let align = layout.align().max(size.min(MAX_NATURAL_ALIGN));
        let head = heap.free[class];
        if head != 0 && head % align == 0 {
            heap.free[class] = *(head as *const usize);
            return head as *mut u8;
        }
        heap.carve(size, align)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let heap = &mut *self.0.get();
        if let Some((class, _)) = class_of(layout) {
            if class < CLASSES {
                *(ptr as *mut usize) = heap.free[class];
                heap.free[class] = ptr as usize;
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return null_mut();
        };
        if class_of(layout) == class_of(new_layout) {
            return ptr;
        }
        let new = self.alloc(new_layout);
        if !new.is_null() {
            core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}
