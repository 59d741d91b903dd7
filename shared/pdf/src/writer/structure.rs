//! The structure tree of a tagged PDF (ISO 32000-1 14.7, PDF/UA-1), written as it is built.
//!
//! An element is opened with its parent (an object number is allocated at once, so content and
//! children can point at it) and written when it is closed, with its kids in the order they
//! were added: the layout adds them in reading order. Open elements hold only their kids (an
//! element number or a marked-content reference each); a page's MCID → element array (the
//! parent tree's entry for the page) is written when the page ends. What reaches the end of
//! the file is the Document element's kids and one array object per page.

use super::syntax::{write_num, write_text, write_u64};
use super::{ObjWriter, Ref};

/// Standard structure types, and the one custom type (role-mapped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Document,
    H1,
    H2,
    H3,
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    THead,
    TBody,
    TR,
    TH,
    TD,
    Figure,
    /// A boxed call-out; role-mapped to `Div` ([`ROLE_MAP`]).
    Notice,
}

/// Custom structure types and the standard types they stand for.
pub(crate) const ROLE_MAP: &[(Role, &str)] = &[(Role::Notice, "Div")];

impl Role {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::THead => "THead",
            Role::TBody => "TBody",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Notice => "Notice",
        }
    }
}

/// What an element says besides its type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Attr {
    None,
    /// A header cell of a column (`true`) or of a row.
    Scope {
        column: bool,
    },
    /// A bulleted list.
    Bullets,
    /// A figure: its alternative text and its box on the page (PDF coordinates).
    Figure {
        alt: String,
        bbox: [f32; 4],
    },
}

#[derive(Debug, Clone, Copy)]
enum Kid {
    Elem(Ref),
    Content { page: Ref, mcid: u32 },
}

struct Open {
    id: Ref,
    parent: Ref,
    role: Role,
    attr: Attr,
    /// The element's text in logical order, when its content (drawn in visual order) would
    /// not read as it.
    actual_text: Option<String>,
    kids: Vec<Kid>,
}

pub(crate) struct StructTree {
    pub(crate) root: Ref,
    /// The Document element, parent of every block's element.
    pub(crate) document: Ref,
    open: Vec<Open>,
    /// The current page's MCIDs: the element each belongs to.
    page_parents: Vec<Ref>,
    /// Each ended page's parent tree entry (an array object).
    page_arrays: Vec<Ref>,
}

impl StructTree {
    pub(crate) fn new(w: &mut ObjWriter) -> StructTree {
        let root = w.alloc();
        let document = w.alloc();
        StructTree {
            root,
            document,
            open: vec![Open {
                id: document,
                parent: root,
                role: Role::Document,
                attr: Attr::None,
                actual_text: None,
                kids: Vec::new(),
            }],
            page_parents: Vec::new(),
            page_arrays: Vec::new(),
        }
    }

    fn find(&mut self, id: Ref) -> Option<&mut Open> {
        self.open.iter_mut().rev().find(|o| o.id == id)
    }

    /// Opens an element of `role` as the last kid of `parent` (an open element); with
    /// `actual_text`, what it reads as.
    pub(crate) fn open(
        &mut self,
        w: &mut ObjWriter,
        parent: Ref,
        role: Role,
        attr: Attr,
        actual_text: Option<String>,
    ) -> Ref {
        let id = w.alloc();
        if let Some(p) = self.find(parent) {
            p.kids.push(Kid::Elem(id));
        }
        self.open.push(Open {
            id,
            parent,
            role,
            attr,
            actual_text,
            kids: Vec::new(),
        });
        id
    }

    /// A new marked-content sequence of `elem` on `page`: its MCID on that page.
    pub(crate) fn content(&mut self, elem: Ref, page: Ref) -> u32 {
        let mcid = self.page_parents.len() as u32;
        self.page_parents.push(elem);
        if let Some(e) = self.find(elem) {
            e.kids.push(Kid::Content { page, mcid });
        }
        mcid
    }

    /// Closes and writes `elem`.
    pub(crate) fn close(&mut self, w: &mut ObjWriter, elem: Ref) {
        let Some(i) = self.open.iter().rposition(|o| o.id == elem) else {
            return;
        };
        let e = self.open.remove(i);
        write_elem(w, &e);
    }

    /// Ends the page: writes its parent tree entry. Returns the page's `/StructParents` key.
    pub(crate) fn end_page(&mut self, w: &mut ObjWriter) -> usize {
        let r = w.alloc();
        let parents = &self.page_parents;
        w.compact(r, |o| Ref::put_array(parents, o));
        self.page_parents.clear();
        self.page_arrays.push(r);
        self.page_arrays.len() - 1
    }

    /// Closes what is still open (the Document element), writes the parent tree and the
    /// structure tree root.
    pub(crate) fn finish(&mut self, w: &mut ObjWriter) {
        while let Some(e) = self.open.pop() {
            write_elem(w, &e);
        }
        // The parent tree: a number tree, one leaf per 256 pages under the root when longer.
        const LEAF: usize = 256;
        let arrays = std::mem::take(&mut self.page_arrays);
        let nums = |o: &mut Vec<u8>, from: usize, part: &[Ref]| {
            o.extend_from_slice(b"/Nums[");
            for (k, r) in part.iter().enumerate() {
                if k > 0 {
                    o.push(b' ');
                }
                write_u64(o, (from + k) as u64);
                o.push(b' ');
                r.put(o);
            }
            o.push(b']');
        };
        let tree = w.alloc();
        if arrays.len() <= LEAF {
            w.compact(tree, |o| {
                o.extend_from_slice(b"<<");
                nums(o, 0, &arrays);
                o.extend_from_slice(b">>");
            });
        } else {
            let leaves: Vec<Ref> = arrays.chunks(LEAF).map(|_| w.alloc()).collect();
            w.compact(tree, |o| {
                o.extend_from_slice(b"<</Kids");
                Ref::put_array(&leaves, o);
                o.extend_from_slice(b">>");
            });
            for (k, (leaf, part)) in leaves.iter().zip(arrays.chunks(LEAF)).enumerate() {
                let from = k * LEAF;
                w.compact(*leaf, |o| {
                    o.extend_from_slice(b"<</Limits[");
                    write_u64(o, from as u64);
                    o.push(b' ');
                    write_u64(o, (from + part.len() - 1) as u64);
                    o.push(b']');
                    nums(o, from, part);
                    o.extend_from_slice(b">>");
                });
            }
        }
        let (root, document, next) = (self.root, self.document, arrays.len());
        w.compact(root, |o| {
            o.extend_from_slice(b"<</Type/StructTreeRoot/K ");
            document.put(o);
            o.extend_from_slice(b"/ParentTree ");
            tree.put(o);
            o.extend_from_slice(b"/ParentTreeNextKey ");
            write_u64(o, next as u64);
            o.extend_from_slice(b"/RoleMap<<");
            for (role, standard) in ROLE_MAP {
                o.push(b'/');
                o.extend_from_slice(role.name().as_bytes());
                o.push(b'/');
                o.extend_from_slice(standard.as_bytes());
            }
            o.extend_from_slice(b">>>>");
        });
    }
}

fn write_elem(w: &mut ObjWriter, e: &Open) {
    let page = e.kids.iter().find_map(|k| match k {
        Kid::Content { page, .. } => Some(*page),
        Kid::Elem(_) => None,
    });
    w.compact(e.id, |o| {
        o.extend_from_slice(b"<</Type/StructElem/S/");
        o.extend_from_slice(e.role.name().as_bytes());
        o.extend_from_slice(b"/P ");
        e.parent.put(o);
        if let Some(page) = page {
            o.extend_from_slice(b"/Pg ");
            page.put(o);
        }
        if let Some(text) = &e.actual_text {
            o.extend_from_slice(b"/ActualText");
            write_text(o, text);
        }
        match &e.attr {
            Attr::None => {}
            Attr::Scope { column } => {
                o.extend_from_slice(if *column {
                    b"/A<</O/Table/Scope/Column>>"
                } else {
                    b"/A<</O/Table/Scope/Row>>"
                });
            }
            Attr::Bullets => o.extend_from_slice(b"/A<</O/List/ListNumbering/Disc>>"),
            Attr::Figure { alt, bbox } => {
                o.extend_from_slice(b"/Alt");
                write_text(o, alt);
                o.extend_from_slice(b"/A<</O/Layout/BBox[");
                for (i, v) in bbox.iter().enumerate() {
                    if i > 0 {
                        o.push(b' ');
                    }
                    write_num(o, *v);
                }
                o.extend_from_slice(b"]>>");
            }
        }
        if !e.kids.is_empty() {
            o.extend_from_slice(b"/K");
            let many = e.kids.len() > 1;
            if many {
                o.push(b'[');
            }
            for (i, kid) in e.kids.iter().enumerate() {
                if i > 0 || !many {
                    o.push(b' ');
                }
                match *kid {
                    Kid::Elem(r) => r.put(o),
                    Kid::Content { page: p, mcid } if Some(p) == page => write_u64(o, mcid as u64),
                    Kid::Content { page: p, mcid } => {
                        o.extend_from_slice(b"<</Type/MCR/Pg ");
                        p.put(o);
                        o.extend_from_slice(b"/MCID ");
                        write_u64(o, mcid as u64);
                        o.extend_from_slice(b">>");
                    }
                }
            }
            if many {
                o.push(b']');
            }
        }
        o.extend_from_slice(b">>");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_written_when_closed_with_their_kids_in_order() {
        let mut w = ObjWriter::new();
        let mut t = StructTree::new(&mut w);
        let page1 = w.alloc();
        let page2 = w.alloc();
        let p = t.open(&mut w, t.document, Role::P, Attr::None, None);
        assert_eq!(t.content(p, page1), 0);
        let th = t.open(
            &mut w,
            t.document,
            Role::TH,
            Attr::Scope { column: true },
            Some("Date".into()),
        );
        assert_eq!(t.content(th, page1), 1);
        t.end_page(&mut w);
        assert_eq!(t.content(p, page2), 0);
        t.close(&mut w, p);
        t.close(&mut w, th);
        t.end_page(&mut w);
        t.finish(&mut w);
        let obj = |r: Ref| w.packed_object(r).unwrap();
        let pe = obj(p);
        assert!(
            pe.contains("/S/P/P 2 0 R/Pg 3 0 R/K[0 <</Type/MCR/Pg 4 0 R/MCID 0>>]"),
            "{pe}"
        );
        assert!(
            obj(th).contains("/ActualText(Date)/A<</O/Table/Scope/Column>>/K 1>>"),
            "{}",
            obj(th)
        );
        assert!(obj(t.document).contains(&format!("/K[{} 0 R {} 0 R]", p.0, th.0)));
        let root = obj(t.root);
        assert!(
            root.contains("/ParentTreeNextKey 2/RoleMap<</Notice/Div>>"),
            "{root}"
        );
    }
}
