//! Writing generated tables: CSV in UTF-8 (with or without a BOM) or GBK,
//! or an xlsx sheet with a merged title row above the header.

use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
}

impl Encoding {
    pub fn with_bom(self, bom: bool) -> Encoding {
        match (self, bom) {
            (Encoding::Utf8, true) => Encoding::Utf8Bom,
            (e, _) => e,
        }
    }
}

pub enum TableWriter {
    Csv {
        path: PathBuf,
        out: std::io::BufWriter<std::fs::File>,
        encoding: Encoding,
        line: String,
    },
    Xlsx {
        path: PathBuf,
        sheet: String,
        title: Option<String>,
        rows: Vec<Vec<String>>,
    },
}

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

impl TableWriter {
    pub fn csv(
        path: PathBuf,
        encoding: Encoding,
        headers: &[&str],
    ) -> std::io::Result<TableWriter> {
        let file = std::fs::File::create(&path)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        if encoding == Encoding::Utf8Bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        let mut w = TableWriter::Csv {
            path,
            out,
            encoding,
            line: String::new(),
        };
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_string()).collect();
        w.row(&headers)?;
        Ok(w)
    }

    pub fn xlsx(path: PathBuf, sheet: &str, title: Option<&str>, headers: &[&str]) -> TableWriter {
        TableWriter::Xlsx {
            path,
            sheet: sheet.to_string(),
            title: title.map(str::to_string),
            rows: vec![headers.iter().map(|h| (*h).to_string()).collect()],
        }
    }

    pub fn row(&mut self, cells: &[String]) -> std::io::Result<()> {
        match self {
            TableWriter::Csv {
                out,
                encoding,
                line,
                ..
            } => {
                line.clear();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    csv_field(line, c);
                }
                line.push_str("\r\n");
                if *encoding == Encoding::Gbk {
                    let (bytes, _, _) = encoding_rs::GBK.encode(line);
                    out.write_all(&bytes)
                } else {
                    out.write_all(line.as_bytes())
                }
            }
            TableWriter::Xlsx { rows, .. } => {
                rows.push(cells.to_vec());
                Ok(())
            }
        }
    }

    /// Finish the file; returns its name.
    pub fn finish(self) -> std::io::Result<String> {
        match self {
            TableWriter::Csv { path, mut out, .. } => {
                out.flush()?;
                Ok(file_name(&path))
            }
            TableWriter::Xlsx {
                path,
                sheet,
                title,
                rows,
            } => {
                write_xlsx(&path, &sheet, title.as_deref(), &rows)
                    .map_err(std::io::Error::other)?;
                Ok(file_name(&path))
            }
        }
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn write_xlsx(
    path: &std::path::Path,
    sheet: &str,
    title: Option<&str>,
    rows: &[Vec<String>],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook};
    let mut wb = Workbook::new();
    // A fixed creation time, so that the same input gives the same file.
    let props = rust_xlsxwriter::DocProperties::new()
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?);
    wb.set_properties(&props);
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    let mut r: u32 = 0;
    let ncols = rows.first().map_or(1, Vec::len).max(1) as u16;
    if let Some(t) = title {
        let f = Format::new().set_bold().set_align(FormatAlign::Center);
        ws.merge_range(0, 0, 0, ncols - 1, t, &f)?;
        r = 1;
    }
    for row in rows {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r, c as u16, v)?;
        }
        r += 1;
    }
    wb.save(path)
}
