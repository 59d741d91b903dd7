//! Running text: headings (with their outline entries), paragraphs and bullet lists.

use exports_document_model::{Align, Text, plain_text};

use super::text_runs::LineBox;
use super::{Item, Layout, OutlineEntry};
use crate::style::*;
use crate::text::{Laid, RTL_PARA};
use crate::writer::structure::{Attr, Role};

/// Body text: paragraphs and list items.
const BODY: TextStyle = TextStyle {
    size: BODY_SIZE,
    leading: BODY_LEADING,
    color: TEXT,
};

impl Layout {
    pub(super) fn heading(&mut self, level: u8, text: &str, keep_next: f32) {
        let (st, before, after) = heading_style(level);
        let w = self.frame.width();
        let mut laid = std::mem::take(&mut self.scratch);
        self.shape_plain(text, true, w, st.size, &mut laid);
        let n = laid.lines.len().max(1);
        let h = n as f32 * st.leading + after;
        self.space(before);
        self.need(h + keep_next);
        let tag = if laid.lines.is_empty() {
            None
        } else {
            let role = self.heading_role(level);
            Some(self.open_text(None, role, Attr::None, &laid, || text.to_string()))
        };
        if let Some(tag) = tag {
            self.text_tag = tag;
        }
        if level <= 2 {
            self.outline.push(OutlineEntry {
                level,
                title: text.trim().to_owned(),
                page: self.page_index(),
                y: self.y,
            });
        }
        let x = self.frame.left;
        for i in 0..laid.lines.len() {
            let top = self.y;
            self.draw_line(
                &laid,
                laid.lines[i],
                LineBox {
                    x,
                    width: w,
                    top,
                    align: Align::Left,
                },
                st,
            );
            self.y += st.leading;
        }
        if laid.lines.is_empty() {
            self.y += st.leading;
        }
        if level == 2 {
            let y = self.y + 2.0;
            self.push(Item::Line {
                x1: self.frame.left,
                y1: y,
                x2: self.frame.right,
                y2: y,
                color: RULE,
                width: 0.6,
            });
        }
        self.y += after;
        if let Some(tag) = tag {
            self.close(tag);
        }
        self.scratch = laid;
    }

    /// Flows lines of `laid` at `x`, starting new pages as needed; `first_line` runs before
    /// the first line is drawn (list bullets).
    pub(super) fn flow_lines(
        &mut self,
        laid: &Laid,
        x: f32,
        width: f32,
        style: TextStyle,
        mut first_line: impl FnMut(&mut Self, f32),
    ) {
        let leading = style.leading;
        let n = laid.lines.len();
        // No orphan: the first two lines of a paragraph start on the same page.
        if n >= 2 {
            self.need(2.0 * leading);
        }
        for (i, line) in laid.lines.iter().enumerate() {
            // No widow: the last line does not start a page alone.
            if n >= 4 && i == n - 2 && self.y + 2.0 * leading > self.frame.body_bottom + 0.01 {
                self.new_page();
            }
            self.need(leading);
            let top = self.y;
            if i == 0 {
                first_line(self, top);
            }
            self.draw_line(
                laid,
                *line,
                LineBox {
                    x,
                    width,
                    top,
                    align: Align::Left,
                },
                style,
            );
            self.y += leading;
        }
    }

    pub(super) fn paragraph(&mut self, text: &Text) {
        let w = self.frame.width();
        let mut laid = std::mem::take(&mut self.scratch);
        self.shape_runs(text, false, w, BODY_SIZE, &mut laid);
        if !laid.lines.is_empty() {
            self.space(PARA_GAP);
            let x = self.frame.left;
            let p = self.open_text(None, Role::P, Attr::None, &laid, || plain_text(text));
            self.text_tag = p;
            self.flow_lines(&laid, x, w, BODY, |_, _| {});
            self.close(p);
        }
        self.scratch = laid;
    }

    pub(super) fn bullets(&mut self, items: &[Text]) {
        let w = self.frame.width() - BULLET_INDENT;
        self.space(PARA_GAP);
        let mut laid = std::mem::take(&mut self.scratch);
        let mut bullet = Laid::default();
        self.shape_plain("•", false, 100.0, BODY_SIZE, &mut bullet);
        let mut list = None;
        for (i, item) in items.iter().enumerate() {
            self.shape_runs(item, false, w, BODY_SIZE, &mut laid);
            if laid.lines.is_empty() {
                continue;
            }
            let l = match list {
                Some(l) => l,
                None => *list.insert(self.open(None, Role::L, Attr::Bullets)),
            };
            let li = self.open(Some(l), Role::LI, Attr::None);
            let lbl = self.open(Some(li), Role::Lbl, Attr::None);
            let body = self.open_text(Some(li), Role::LBody, Attr::None, &laid, || {
                plain_text(item)
            });
            self.text_tag = body;
            if i > 0 {
                self.y += LIST_GAP;
            }
            // A right-to-left item hangs from the right margin, its bullet on the right.
            let rtl = laid.glyphs.first().is_some_and(|g| g.flags & RTL_PARA != 0);
            let (x, bx) = if rtl {
                let bullet_w = bullet.max_units() as f32 * BODY_SIZE / 1000.0;
                (self.frame.left, self.frame.right - BULLET_X - bullet_w)
            } else {
                (self.frame.left + BULLET_INDENT, self.frame.left + BULLET_X)
            };
            self.flow_lines(&laid, x, w, BODY, |l, top| {
                l.text_tag = lbl;
                if let Some(line) = bullet.lines.first() {
                    l.draw_line(
                        &bullet,
                        *line,
                        LineBox {
                            x: bx,
                            width: 10.0,
                            top,
                            align: Align::Left,
                        },
                        TextStyle {
                            color: ACCENT,
                            ..BODY
                        },
                    );
                }
                l.text_tag = body;
            });
            self.close(lbl);
            self.close(body);
            self.close(li);
        }
        if let Some(l) = list {
            self.close(l);
        }
        self.scratch = laid;
    }
}
