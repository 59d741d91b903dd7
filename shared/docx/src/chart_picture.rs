//! Charts in the DOCX: each `Block::Chart` becomes a PNG picture of the same `LineChart` the
//! PDF draws (`exports-chart-image`), inline in its own paragraph, with the chart's
//! `describe()` as its alt text (`wp:docPr/@descr`, what Word shows under "Alt Text" and screen
//! readers read).
//!
//! docx-rs 0.4.22's `Pic` has no alt text, and the body is written directly anyway, so the
//! drawing XML is written here; the pictures are added to the package afterwards: one
//! `word/media/chartN.png` part each (via `XMLDocx::media`, written by `package::zip`) and one
//! image relationship `rIdChartN` each in `word/_rels/document.xml.rels`. `png` already has a
//! `Default` content type in the `[Content_Types].xml` docx-rs writes.

use std::fmt::Write as _;

use docx_rs::XMLDocx;
use exports_chart_image::render_chart_png;
use exports_document_model::escape::{self, escape_into};
use exports_document_model::{Align, LineChart};

use crate::{DocxError, Renderer, clean};

/// The picture's height in points: the PDF chart's (`CHART_HEIGHT` in shared/pdf).
const HEIGHT_PT: f32 = 215.0;
/// Widest picture: the text width of a Letter page with the default margins.
const MAX_WIDTH_PT: f32 = 504.0;
/// Sharp on paper and on screen at 200 % zoom; a 7-inch chart is about 60 KB.
const DPI: f32 = 200.0;
/// English Metric Units per point.
const EMU_PER_PT: f32 = 12_700.0;

impl Renderer {
    /// Draws `chart` and writes the paragraph holding it; the PNG waits in `self.pictures`
    /// until [`attach`] adds it to the package.
    pub(crate) fn chart(&mut self, chart: &LineChart) -> Result<(), DocxError> {
        let width_pt = (self.text_width as f32 / 20.0).min(MAX_WIDTH_PT);
        let picture = render_chart_png(chart, width_pt, HEIGHT_PT, DPI)
            .map_err(|e| DocxError::Chart(e.to_string()))?;
        self.pictures.push(picture.png);
        let n = self.pictures.len();
        let cx = (width_pt * EMU_PER_PT).round() as u64;
        let cy = (HEIGHT_PT * EMU_PER_PT).round() as u64;
        let mut alt = String::new();
        escape_into(&mut alt, &clean(&chart.describe()), escape::docx_text);

        self.open_p(None, Align::Left, false);
        let _ = write!(
            self.out,
            concat!(
                "<w:r><w:rPr /><w:drawing>",
                "<wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">",
                "<wp:extent cx=\"{cx}\" cy=\"{cy}\" />",
                "<wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\" />",
                "<wp:docPr id=\"{n}\" name=\"Chart {n}\" descr=\"{alt}\" />",
                "<wp:cNvGraphicFramePr>",
                "<a:graphicFrameLocks xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" noChangeAspect=\"1\" />",
                "</wp:cNvGraphicFramePr>",
                "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">",
                "<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">",
                "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">",
                "<pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"chart{n}.png\" descr=\"{alt}\" />",
                "<pic:cNvPicPr><a:picLocks noChangeAspect=\"1\" noChangeArrowheads=\"1\" /></pic:cNvPicPr></pic:nvPicPr>",
                "<pic:blipFill><a:blip r:embed=\"rIdChart{n}\" /><a:stretch><a:fillRect /></a:stretch></pic:blipFill>",
                "<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\" /><a:ext cx=\"{cx}\" cy=\"{cy}\" /></a:xfrm>",
                "<a:prstGeom prst=\"rect\"><a:avLst /></a:prstGeom></pic:spPr>",
                "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
            ),
            cx = cx,
            cy = cy,
            n = n,
            alt = alt,
        );
        self.close_p();
        Ok(())
    }
}

/// Adds the pictures the body refers to: `word/media/chartN.png` and the relationships
/// `rIdChartN` → `media/chartN.png`.
pub(crate) fn attach(xml: &mut XMLDocx, pictures: Vec<Vec<u8>>) -> Result<(), DocxError> {
    if pictures.is_empty() {
        return Ok(());
    }
    const CLOSE: &[u8] = b"</Relationships>";
    let at = xml
        .document_rels
        .windows(CLOSE.len())
        .rposition(|w| w == CLOSE)
        .ok_or(DocxError::Internal(
            "document.xml.rels has no </Relationships>",
        ))?;
    let mut rels = String::new();
    for n in 1..=pictures.len() {
        let _ = write!(
            rels,
            "<Relationship Id=\"rIdChart{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/chart{n}.png\" />"
        );
    }
    xml.document_rels.splice(at..at, rels.into_bytes());
    for (i, png) in pictures.into_iter().enumerate() {
        // `package::zip` writes each as `word/media/<name>.png`.
        xml.media.push((format!("chart{}", i + 1), png));
    }
    Ok(())
}
