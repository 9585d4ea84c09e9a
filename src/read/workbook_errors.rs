//! calamine's errors in words a clerk acts on: what is wrong with the
//! workbook and what to do, in Chinese, with calamine's own (English) text
//! after it as the technical detail for whoever repairs the file.

use calamine::{XlsError, XlsxError};

/// What to do with a workbook that is damaged or was not written by Excel.
pub(crate) const RESAVE: &str = "请用 Excel 或 WPS 打开后另存为 .xlsx, 或重新导出";

/// A workbook that could not be opened or read, in words.
pub(crate) fn workbook_error(e: &calamine::Error) -> String {
    let words = match e {
        calamine::Error::Xlsx(x) => return xlsx_error(x),
        calamine::Error::Xls(x) => xls_words(x),
        calamine::Error::Io(_) => io_words(),
        calamine::Error::Vba(_) => format!("工作簿中的宏 (VBA) 部分已损坏: {RESAVE}"),
        _ => format!("工作簿已损坏或格式不受支持: {RESAVE}"),
    };
    with_detail(&words, e)
}

/// An `.xlsx` error (opening the workbook or reading a sheet), in words.
pub(crate) fn xlsx_error(e: &XlsxError) -> String {
    let words = match e {
        XlsxError::Io(_) => io_words(),
        XlsxError::Zip(_) => format!(
            "文件不是完整的 .xlsx 压缩包 (.xlsx 是 zip 格式): 可能下载或复制不完整、已损坏, 或不是 Excel 文件; {RESAVE}"
        ),
        XlsxError::Xml(_)
        | XlsxError::XmlAttr(_)
        | XlsxError::XmlAttribute(_)
        | XlsxError::XmlEof(_)
        | XlsxError::UnexpectedNode(_)
        | XlsxError::Unexpected(_)
        | XlsxError::Encoding(_) => format!(
            "工作簿内部的 XML 内容格式错误 (可能不是 Excel 保存的, 或已损坏): {RESAVE}"
        ),
        XlsxError::FileNotFound(part) => {
            format!("工作簿缺少必需的部件 {part}: 可能已损坏或不是 Excel 保存的; {RESAVE}")
        }
        XlsxError::RelationshipNotFound => {
            format!("工作簿缺少部件之间的关系信息 (_rels): 可能已损坏; {RESAVE}")
        }
        XlsxError::Parse(_)
        | XlsxError::ParseFloat(_)
        | XlsxError::ParseInt(_)
        | XlsxError::Alphanumeric(_)
        | XlsxError::NumericColumn(_)
        | XlsxError::RangeWithoutColumnComponent
        | XlsxError::RangeWithoutRowComponent
        | XlsxError::DimensionCount(_) => format!(
            "工作簿中有单元格的位置或数值写法无法解析 (可能不是 Excel 保存的): {RESAVE}"
        ),
        XlsxError::CellTAttribute(t) => {
            format!("工作簿中有单元格的类型 \"{t}\" 无法识别 (可能不是 Excel 保存的): {RESAVE}")
        }
        XlsxError::CellError(v) => format!(
            "工作簿中有单元格的错误值 \"{v}\" 无法识别 (Excel 的错误值为 #N/A、#DIV/0!、#VALUE! 等): 请在 Excel 中改正该单元格后另存"
        ),
        XlsxError::Unrecognized { typ, val } => {
            format!("工作簿中的 {typ} \"{val}\" 无法识别 (可能不是 Excel 保存的): {RESAVE}")
        }
        XlsxError::WorksheetNotFound(name) | XlsxError::NotAWorksheet(name) => {
            format!("工作表 {name} 在工作簿中找不到或不是普通工作表: 可能已损坏; {RESAVE}")
        }
        _ => format!("工作簿已损坏或格式不受支持: {RESAVE}"),
    };
    with_detail(&words, e)
}

/// Where reading a sheet failed: after the last cell read (0-based row and
/// column), in Excel's notation (` (出错位置在单元格 B17 之后)`), or at its
/// start.
pub(crate) fn after_cell(last: Option<(u32, u32)>) -> String {
    match last {
        Some((r, c)) => format!(
            " (出错位置在单元格 {}{} 之后)",
            column_letters(c),
            u64::from(r) + 1
        ),
        None => " (出错位置在工作表开头)".to_string(),
    }
}

/// Excel's letters of a 0-based column (`0` → `A`, `27` → `AB`).
fn column_letters(c: u32) -> String {
    let mut n = u64::from(c) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = u8::try_from((n - 1) % 26).unwrap_or(0);
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn xls_words(e: &XlsError) -> String {
    match e {
        XlsError::Io(_) => io_words(),
        XlsError::Cfb(_) => format!(
            "旧版 Excel 文件 (.xls) 的内部结构已损坏, 或不是 .xls 文件: 可能下载或复制不完整; {RESAVE}"
        ),
        _ => format!("旧版 Excel 文件 (.xls) 的内容已损坏或格式不受支持: {RESAVE}"),
    }
}

fn io_words() -> String {
    "读取文件时出错 (文件可能正被其他程序占用, 或没有读取权限): 请关闭占用它的程序后重试"
        .to_string()
}

fn with_detail(words: &str, e: &dyn std::fmt::Display) -> String {
    format!("{words} (技术信息: {e})")
}

#[cfg(test)]
mod tests {
    use super::{after_cell, column_letters, workbook_error, xlsx_error};

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(after_cell(Some((16, 1))), " (出错位置在单元格 B17 之后)");
    }
    use calamine::XlsxError;

    #[test]
    fn every_error_is_in_words_with_calamine_s_text_after() {
        let e = xlsx_error(&XlsxError::CellError("#BOGUS".into()));
        assert!(
            e.starts_with("工作簿中有单元格的错误值 \"#BOGUS\" 无法识别"),
            "{e}"
        );
        assert!(
            e.ends_with("(技术信息: Unsupported cell error value '#BOGUS')"),
            "{e}"
        );
        let e = workbook_error(&calamine::Error::Msg("x"));
        assert!(e.starts_with("工作簿已损坏或格式不受支持"), "{e}");
    }
}
