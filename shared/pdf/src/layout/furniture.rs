//! Page furniture: the header (confidentiality banner, practice name and lines, whose record it
//! is, rule) and the footer (rule, footer text, watermark) shared by every page, each written
//! once as a form every page draws; and each page's `Page X of Y`, written when Y is known.

use exports_document_model::{Align, Document, Run};

use super::text_runs::LineBox;
use super::{Item, Layout, page_data};
use crate::PdfError;
use crate::style::*;
use crate::text::Laid;

impl Layout {
    pub(super) fn layout_header(&mut self, doc: &Document) {
        let f = self.frame;
        let w = f.width();
        let mut items = Vec::new();
        let mut y = HEADER_TOP.min(f.body_top);
        let mut laid = Laid::default();

        // Red confidentiality banner.
        let conf = doc.header.confidentiality.trim();
        if !conf.is_empty() {
            self.shape_plain(conf, true, w - 12.0, BANNER_SIZE, &mut laid);
            let n = laid.lines.len().max(1) as f32;
            let h = n * BANNER_LEADING + 2.0 * BANNER_PAD_V;
            items.push(Item::Fill {
                x: f.left,
                y,
                w,
                h,
                color: BANNER_FILL,
            });
            items.push(Item::Stroke {
                x: f.left,
                y,
                w,
                h,
                color: BANNER_BORDER,
                width: 0.7,
            });
            for (i, line) in laid.lines.iter().enumerate() {
                let top = y + BANNER_PAD_V + i as f32 * BANNER_LEADING;
                self.line_into(
                    &mut items,
                    &laid,
                    *line,
                    LineBox {
                        x: f.left,
                        width: w,
                        top,
                        align: Align::Center,
                    },
                    TextStyle {
                        size: BANNER_SIZE,
                        leading: BANNER_LEADING,
                        color: RED,
                    },
                );
            }
            y += h + 5.0;
        }
        // Whose record: right-aligned beside the practice name, on every page, so a page that
        // comes loose from the file still says whose it is. The practice name makes room for it.
        let mut identity_w = 0.0;
        let mut identity_bottom = y;
        if let Some(identity) = doc.header.identity.as_deref().map(str::trim)
            && !identity.is_empty()
        {
            let mut id_laid = Laid::default();
            self.shape_plain(identity, true, w * 0.45, IDENTITY_SIZE, &mut id_laid);
            identity_w = id_laid.max_units() as f32 * IDENTITY_SIZE / 1000.0 + 12.0;
            let style = TextStyle {
                size: IDENTITY_SIZE,
                leading: IDENTITY_LEADING,
                color: TEXT_STRONG,
            };
            // Baselines line up with the practice name's first line.
            let mut top = y + (TITLE_SIZE - IDENTITY_SIZE) * 0.8;
            for line in &id_laid.lines {
                let at = LineBox {
                    x: f.left,
                    width: w,
                    top,
                    align: Align::Right,
                };
                self.line_into(&mut items, &id_laid, *line, at, style);
                top += IDENTITY_LEADING;
            }
            identity_bottom = top;
        }
        // Practice name and its lines.
        self.shape_plain(
            doc.header.title.trim(),
            true,
            w - identity_w,
            TITLE_SIZE,
            &mut laid,
        );
        let title = TextStyle {
            size: TITLE_SIZE,
            leading: TITLE_LEADING,
            color: NAVY,
        };
        y = self.stack_lines(&mut items, &laid, y, title);
        let small = TextStyle {
            size: SMALL_SIZE,
            leading: SMALL_LEADING,
            color: MUTED,
        };
        for text in &doc.header.lines {
            self.shape_plain(text.trim(), false, w, SMALL_SIZE, &mut laid);
            y = self.stack_lines(&mut items, &laid, y, small);
        }
        y = y.max(identity_bottom) + 3.0;
        items.push(Item::Line {
            x1: f.left,
            y1: y,
            x2: f.right,
            y2: y,
            color: HEADER_RULE,
            width: 0.8,
        });
        self.header = items;
        self.frame.body_top = f.body_top.max(y + 12.0);
    }

    /// Draws the lines of `laid` left-aligned across the text width, one under the other from
    /// `top`, into `out`; returns the top of the line after them.
    fn stack_lines(&mut self, out: &mut Vec<Item>, laid: &Laid, top: f32, style: TextStyle) -> f32 {
        let mut y = top;
        for line in &laid.lines {
            let at = LineBox {
                x: self.frame.left,
                width: self.frame.width(),
                top: y,
                align: Align::Left,
            };
            self.line_into(out, laid, *line, at, style);
            y += style.leading;
        }
        y
    }

    /// Shapes the footer text and watermark (page numbers are added per page in `finish`) and
    /// moves the body bottom above the footer.
    pub(super) fn prepare_footer(&mut self, doc: &Document) {
        let f = self.frame;
        let mut laid = Laid::default();
        let reserve = if doc.footer.page_numbers {
            let mut probe = Laid::default();
            self.shape_plain(
                "Page 0000 of 0000",
                false,
                f32::MAX,
                FOOTER_SIZE,
                &mut probe,
            );
            probe.max_units() as f32 * FOOTER_SIZE / 1000.0 + 12.0
        } else {
            0.0
        };
        let width = f.width() - reserve;
        let mut runs = Vec::new();
        if let Some(t) = doc
            .footer
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            runs.push(Run::plain(t));
            runs.push(Run::plain("\n"));
        }
        let wm = doc.footer.watermark.trim();
        if !wm.is_empty() {
            runs.push(Run::plain(wm));
        }
        self.shape_runs(&runs, false, width, FOOTER_SIZE, &mut laid);
        let n = laid.lines.len().max(1) as f32;
        let last_top = f.page_h - FOOTER_BOTTOM - FOOTER_LEADING;
        let first_top = last_top - (n - 1.0) * FOOTER_LEADING;
        self.footer_first_baseline = first_top;
        self.footer_lines = laid;
        let rule = first_top - 4.0;
        self.frame.body_bottom = f.body_bottom.min(rule - 12.0);
    }

    /// The footer every page shares: rule, footer text and watermark (`Page X of Y` is drawn
    /// per page by [`Self::page_numbers`]).
    pub(super) fn footer_items(&mut self) -> Vec<Item> {
        let f = self.frame;
        let laid = std::mem::take(&mut self.footer_lines);
        let first_top = self.footer_first_baseline;
        let mut items = vec![Item::Line {
            x1: f.left,
            y1: first_top - 4.0,
            x2: f.right,
            y2: first_top - 4.0,
            color: RULE,
            width: 0.6,
        }];
        for (i, line) in laid.lines.iter().enumerate() {
            let top = first_top + i as f32 * FOOTER_LEADING;
            self.line_into(
                &mut items,
                &laid,
                *line,
                LineBox {
                    x: f.left,
                    width: f.width(),
                    top,
                    align: Align::Left,
                },
                TextStyle {
                    size: FOOTER_SIZE,
                    leading: FOOTER_LEADING,
                    color: MUTED,
                },
            );
        }
        items
    }

    /// Writes each page's `Page X of Y` form, now that Y is known.
    /// Writes "Page X of Y" on pages `from` (1-based) on, until every page has it (`None`) or
    /// the file's pending bytes reach `pending` (the next page to number): a long document's
    /// numbers leave in pieces.
    pub(crate) fn page_numbers(
        &mut self,
        from: usize,
        pending: usize,
    ) -> Result<Option<usize>, PdfError> {
        if !self.page_numbers {
            return Ok(None);
        }
        let f = self.frame;
        let total = self.emitter.page_count();
        let mut num = Laid::default();
        let mut items = Vec::with_capacity(4);
        for page in from..=total {
            if page > from && self.emitter.w.pending() >= pending {
                self.clear_page_data();
                return Ok(Some(page));
            }
            items.clear();
            self.clear_page_data();
            let label = format!("Page {page} of {total}");
            self.shape_plain(&label, false, f32::MAX, FOOTER_SIZE, &mut num);
            if let Some(line) = num.lines.first().copied() {
                self.line_into(
                    &mut items,
                    &num,
                    line,
                    LineBox {
                        x: f.left,
                        width: f.width(),
                        top: self.footer_first_baseline,
                        align: Align::Right,
                    },
                    TextStyle {
                        size: FOOTER_SIZE,
                        leading: FOOTER_LEADING,
                        color: TEXT_STRONG,
                    },
                );
            }
            self.emitter
                .page_number(page - 1, &items, &page_data!(self))?;
        }
        self.clear_page_data();
        Ok(None)
    }
}
