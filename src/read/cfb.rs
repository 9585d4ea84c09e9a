//! A sanity check of old `.xls` files (OLE2 compound files) before calamine
//! opens them.
//!
//! calamine trusts the sizes and sector numbers of the compound file: a
//! corrupted `.xls` can make it allocate terabytes (an abort, which no
//! `catch_unwind` catches) or follow a cyclic sector chain forever. This
//! check bounds every number calamine uses to allocate or to walk a chain
//! by the file's size, and walks each chain once with a step limit, so a
//! broken export becomes an error naming the file.

const MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Sector numbers at or above this are markers (free, end of chain, FAT, DIFAT).
const SPECIAL: u32 = 0xFFFF_FFFA;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8)
        .map(|s| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]))
}

struct File<'a> {
    bytes: &'a [u8],
    ss: usize,
    sectors: usize,
}

impl<'a> File<'a> {
    fn sector(&self, id: u32) -> Result<&'a [u8], String> {
        let start = (id as usize + 1).checked_mul(self.ss).ok_or("扇区号越界")?;
        let end = (start + self.ss).min(self.bytes.len());
        self.bytes
            .get(start..end)
            .ok_or_else(|| format!("扇区 {id} 超出文件末尾"))
    }

    fn check_id(&self, id: u32, what: &str) -> Result<(), String> {
        if id >= SPECIAL || (id as usize) < self.sectors {
            Ok(())
        } else {
            Err(format!("{what}指向不存在的扇区 {id}"))
        }
    }
}

/// Walks a chain through `table` from `start`; errors on a cycle, a jump
/// outside the table, or more than `limit` steps.
fn walk(table: &[u32], start: u32, limit: usize, what: &str) -> Result<usize, String> {
    let mut id = start;
    let mut steps = 0usize;
    while id != ENDOFCHAIN && id != FREESECT {
        if steps > limit {
            return Err(format!("{what}的扇区链循环或过长"));
        }
        id = *table
            .get(id as usize)
            .ok_or_else(|| format!("{what}的扇区链越界"))?;
        steps += 1;
    }
    Ok(steps)
}

/// Checks a compound file; the error says what is broken (Chinese).
pub(crate) fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < 512 || !bytes.starts_with(MAGIC) {
        return Err("不是 OLE2 复合文档(旧版 .xls)".into());
    }
    let bad = |what: &str| format!("文件头的{what}无效");
    let shift = u16_at(bytes, 30).ok_or_else(|| bad("扇区大小"))?;
    let ss = match shift {
        9 => 512usize,
        12 => 4096,
        _ => return Err(bad("扇区大小")),
    };
    if u16_at(bytes, 32) != Some(6) {
        return Err(bad("小扇区大小"));
    }
    let len = bytes.len();
    let f = File {
        bytes,
        ss,
        sectors: len.div_ceil(ss).saturating_sub(1),
    };
    let field = |at: usize| {
        u32_at(bytes, at)
            .map(|v| v as usize)
            .ok_or_else(|| bad("字段"))
    };
    // Counts calamine multiplies by the sector size and allocates.
    let (dir_len, fat_len, mini_fat_len, difat_len) =
        (field(40)?, field(44)?, field(64)?, field(72)?);
    // calamine reads a DIFAT capacity from bytes 62..66.
    let cap = field(62)?;
    if dir_len.saturating_mul(ss) > len
        || fat_len > f.sectors
        || mini_fat_len.saturating_mul(ss) > len
        || difat_len > f.sectors
        || cap.saturating_mul(4) > len.saturating_mul(4).max(1 << 20)
    {
        return Err(bad("长度字段"));
    }
    let dir_start = u32_at(bytes, 48).ok_or_else(|| bad("目录起点"))?;
    let mini_fat_start = u32_at(bytes, 60).ok_or_else(|| bad("小扇区表起点"))?;
    let difat_start = u32_at(bytes, 68).ok_or_else(|| bad("DIFAT 起点"))?;
    f.check_id(dir_start, "目录起点")?;
    f.check_id(mini_fat_start, "小扇区表起点")?;
    f.check_id(difat_start, "DIFAT 起点")?;
    // The DIFAT: 109 entries in the header, then a chain of sectors.
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(bytes, 76 + 4 * i)).collect();
    let mut id = difat_start;
    let mut steps = 0;
    while id < SPECIAL {
        steps += 1;
        if steps > f.sectors + 1 {
            return Err("DIFAT 扇区链循环".into());
        }
        let s = f.sector(id)?;
        let n = s.len() / 4;
        difat.extend((0..n.saturating_sub(1)).filter_map(|i| u32_at(s, 4 * i)));
        id = u32_at(s, 4 * n.saturating_sub(1)).unwrap_or(ENDOFCHAIN);
        f.check_id(id, "DIFAT")?;
    }
    // The FAT.
    let mut fat: Vec<u32> = Vec::new();
    for &sid in difat.iter().filter(|&&s| s < SPECIAL) {
        f.check_id(sid, "扇区分配表")?;
        let s = f.sector(sid)?;
        for i in 0..s.len() / 4 {
            let e = u32_at(s, 4 * i).unwrap_or(FREESECT);
            f.check_id(e, "扇区分配表")?;
            fat.push(e);
        }
    }
    let limit = f.sectors + 1;
    // The directory chain and its entries.
    walk(&fat, dir_start, limit, "目录")?;
    let mut dir = Vec::new();
    let mut id = dir_start;
    while id < SPECIAL {
        dir.extend_from_slice(f.sector(id)?);
        id = *fat.get(id as usize).ok_or("目录的扇区链越界")?;
    }
    let cutoff = 4096u64;
    let mut mini_fat: Vec<u32> = Vec::new();
    if mini_fat_len > 0 {
        walk(&fat, mini_fat_start, limit, "小扇区表")?;
        let mut id = mini_fat_start;
        while id < SPECIAL {
            let s = f.sector(id)?;
            mini_fat.extend((0..s.len() / 4).filter_map(|i| u32_at(s, 4 * i)));
            id = *fat.get(id as usize).ok_or("小扇区表的扇区链越界")?;
        }
    }
    for (k, e) in dir.chunks(128).enumerate() {
        if e.len() < 128 || e[66] == 0 {
            continue; // unused entry
        }
        let start = u32_at(e, 116).unwrap_or(ENDOFCHAIN);
        let size = if ss == 512 {
            u64::from(u32_at(e, 120).unwrap_or(0))
        } else {
            u64_at(e, 120).unwrap_or(0)
        };
        if size > len as u64 {
            return Err(format!("目录项 {k} 的长度超出文件大小"));
        }
        if size == 0 || start >= SPECIAL {
            continue;
        }
        if k == 0 || size >= cutoff {
            walk(&fat, start, limit, "数据流")?;
        } else {
            walk(&mini_fat, start, mini_fat.len() + 1, "小数据流")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn rejects_junk_and_cycles() {
        assert!(check(b"not an ole file").is_err());
        let mut b = vec![0u8; 1024];
        b[..8].copy_from_slice(super::MAGIC);
        b[30] = 9;
        b[32] = 6;
        // A FAT sector 0 whose entry 0 points to itself: a cycle.
        b[76..80].copy_from_slice(&0u32.to_le_bytes());
        b[80..512].iter_mut().for_each(|x| *x = 0xFF);
        b[48..52].copy_from_slice(&0u32.to_le_bytes()); // directory starts at sector 0
        b[68..72].copy_from_slice(&super::ENDOFCHAIN.to_le_bytes());
        b[512..516].copy_from_slice(&0u32.to_le_bytes());
        b[516..1024].iter_mut().for_each(|x| *x = 0xFF);
        assert!(check(&b).unwrap_err().contains("循环"));
    }
}
