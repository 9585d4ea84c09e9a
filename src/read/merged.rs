//! Merged cells in the data rows of a sheet.
//!
//! A workbook keeps a merged cell's value in its top-left cell only; the
//! other cells of the region read as empty. In an export, a region merged
//! down a column (`实施主体` once for a department's items) means that value
//! in every row it covers, so each covered cell takes it (a row of its own
//! content only: a row left blank stays blank). A row whose only content is
//! one region merged across columns (`一、行政许可`, a note under the table)
//! is a title, not a record: reported as an unread row, not read as an item
//! coded `一、行政许可`.
//!
//! Regions that start above the first data row (titles, two-level headers)
//! are the header's business and are left alone.

use calamine::{Data, Dimensions};

use super::chunk::{blank_cell, CellRow};

/// The merged regions of one sheet, applied row by row in sheet order.
#[derive(Debug, Default)]
pub(crate) struct Merges {
    regions: Vec<Region>,
}

#[derive(Debug)]
struct Region {
    top: u32,
    bottom: u32,
    left: usize,
    right: usize,
    /// The top-left cell's value, once its row has been read as data
    /// (`None`: not yet, above the data rows, or a title).
    value: Option<Data>,
}

impl Merges {
    /// `dims` in sheet coordinates (0-based); `col0` is the sheet column of
    /// the rows' first cell.
    pub(crate) fn new(dims: &[Dimensions], col0: u32) -> Merges {
        let mut regions: Vec<Region> = dims
            .iter()
            .filter(|d| d.start != d.end && d.start.1 >= col0)
            .map(|d| Region {
                top: d.start.0,
                bottom: d.end.0,
                left: (d.start.1 - col0) as usize,
                right: (d.end.1 - col0) as usize,
                value: None,
            })
            .collect();
        regions.sort_by_key(|r| (r.top, r.left));
        Merges { regions }
    }

    /// Data row `row` (0-based sheet row; rows come in order) with the
    /// regions applied, as the chunk parser takes it (rows numbered from 1).
    pub(crate) fn row(&mut self, row: u32, mut cells: Vec<Data>) -> CellRow {
        let unreadable = self.apply(row, &mut cells);
        CellRow {
            row: row + 1,
            cells,
            unreadable,
            odd: Vec::new(),
        }
    }

    /// Apply the regions to data row `row` (0-based sheet row; rows come in
    /// order): fills its covered cells, or returns why it is no record.
    fn apply(&mut self, row: u32, cells: &mut Vec<Data>) -> Option<String> {
        if self.regions.is_empty() {
            return None;
        }
        self.regions.retain(|r| r.bottom >= row);
        // Sorted by top row: none covers this row yet (the common case
        // between merges), nothing to look at.
        if self.regions.first().is_none_or(|r| r.top > row) {
            return None;
        }
        let filled: Vec<usize> = (0..cells.len())
            .filter(|&c| !blank_cell(&cells[c]))
            .collect();
        if filled.is_empty() {
            return None;
        }
        // A title: everything the row holds is one region across columns.
        if let Some(r) = self.regions.iter_mut().find(|r| {
            r.top == row
                && r.right > r.left
                && filled.iter().all(|&c| (r.left..=r.right).contains(&c))
        }) {
            r.value = None;
            let text = cells
                .get(r.left)
                .map(super::cell::data_text)
                .unwrap_or_default();
            return Some(format!(
                "本行只有一个跨 {} 列的合并单元格「{}」, 是分组标题或说明, 不是一条记录;未读入",
                r.right - r.left + 1,
                super::normalize::trim(&text)
            ));
        }
        for r in &mut self.regions {
            if r.top > row {
                break;
            }
            if r.top == row {
                r.value = Some(cells.get(r.left).cloned().unwrap_or(Data::Empty));
            }
            let Some(v) = &r.value else { continue };
            if r.right >= cells.len() {
                cells.resize(r.right + 1, Data::Empty);
            }
            for cell in &mut cells[r.left..=r.right] {
                if blank_cell(cell) {
                    cell.clone_from(v);
                }
            }
        }
        None
    }
}
