//! Tagging (PDF/UA-1): which structure element each piece of content belongs to.
//!
//! The layout opens an element when a block (or a row, a cell, a list item) starts and closes
//! it when it ends, in reading order, and says where text goes ([`Layout::text_tag`]) and where
//! drawings go ([`Layout::art_tag`]: artifacts, except inside a chart, whose drawing is its
//! Figure). Each item pushed on the page is preceded by a [`Item::Mark`] whenever its tag
//! differs from the page's current one: a new marked-content sequence, with a fresh MCID when
//! it is an element's. A new page starts with no sequence open, so an element continued on the
//! next page gets a second MCID there.

use super::{Item, Layout};
use crate::text::Laid;
use crate::writer::Ref;
use crate::writer::structure::{Attr, Role};

/// The marked-content sequence an item is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    /// Decoration: borders, fills, rules.
    Artifact,
    /// Repeated for pagination: a table's header row on the pages after its first.
    Pagination,
    /// Real content of a structure element.
    Elem { elem: Ref, role: Role },
}

impl Layout {
    /// Opens an element of `role` in `parent` (`None`: in the Document element).
    pub(super) fn open(&mut self, parent: Option<Tag>, role: Role, attr: Attr) -> Tag {
        self.open_reading(parent, role, attr, None)
    }

    /// [`Self::open`] for an element holding the text of `laid`: when that text has
    /// right-to-left runs (drawn in visual order), the element reads as `text()`, its logical
    /// text (`docs/scripts.md`).
    pub(super) fn open_text(
        &mut self,
        parent: Option<Tag>,
        role: Role,
        attr: Attr,
        laid: &Laid,
        text: impl FnOnce() -> String,
    ) -> Tag {
        let actual = laid
            .bidi
            .then(|| text().replace(['\n', '\u{2028}', '\u{2029}'], " "));
        self.open_reading(parent, role, attr, actual)
    }

    fn open_reading(
        &mut self,
        parent: Option<Tag>,
        role: Role,
        attr: Attr,
        actual_text: Option<String>,
    ) -> Tag {
        let Some(tree) = self.emitter.tree.as_mut() else {
            return Tag::Artifact;
        };
        let parent = match parent {
            Some(Tag::Elem { elem, .. }) => elem,
            _ => tree.document,
        };
        let elem = tree.open(&mut self.emitter.w, parent, role, attr, actual_text);
        Tag::Elem { elem, role }
    }

    /// Closes (and writes) an element; text no longer goes to it.
    pub(super) fn close(&mut self, tag: Tag) {
        if let (Tag::Elem { elem, .. }, Some(tree)) = (tag, self.emitter.tree.as_mut()) {
            tree.close(&mut self.emitter.w, elem);
        }
        if self.text_tag == tag {
            self.text_tag = Tag::Artifact;
        }
    }

    /// Makes `tag` the page's current marked-content sequence.
    pub(super) fn mark(&mut self, tag: Tag) {
        if self.page_tag == Some(tag) {
            return;
        }
        let page = self.emitter.current_page();
        let Some(tree) = self.emitter.tree.as_mut() else {
            return;
        };
        let mcid = match tag {
            Tag::Elem { elem, .. } => tree.content(elem, page),
            _ => 0,
        };
        self.page.push(Item::Mark { tag, mcid });
        self.page_tag = Some(tag);
    }

    /// The heading element for a heading of `level`: numbered headings never skip a level
    /// going down, and the first is H1 (PDF/UA-1 7.4.2), whatever levels the template used.
    pub(super) fn heading_role(&mut self, level: u8) -> Role {
        let level = level.clamp(1, self.heading_level + 1).min(3);
        self.heading_level = level;
        match level {
            1 => Role::H1,
            2 => Role::H2,
            _ => Role::H3,
        }
    }
}
