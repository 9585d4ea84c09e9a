//! Where the delimiters and line breaks of sixteen bytes are, as bit masks:
//! the block splitter's step ([`super::chunk::FlatRows::split_lines`]).
//!
//! The masks come from sixteen byte compares at once (`wide`: SSE2 on
//! x86-64, part of every such processor; NEON on 64-bit ARM; plain code
//! elsewhere), where word arithmetic took eight bytes at a time and left
//! each hit's byte to be read again.

use wide::u8x16;

/// Bit `k` of `.0`: byte `k` of `block` is `delimiter`; of `.1`: byte `k`
/// is below 0x0E (the line breaks 0x0A and 0x0D among them; the other such
/// bytes are rare in text, and the caller looks at the byte).
#[inline]
pub(super) fn masks(block: [u8; 16], delimiter: u8) -> (u32, u32) {
    let v = u8x16::new(block);
    let delims = v.cmp_eq(u8x16::splat(delimiter));
    // (A byte is below 0x0E when the least of it and 0x0D, unsigned, is
    // itself.)
    let low = v.min(u8x16::splat(0x0D)).cmp_eq(v);
    (delims.move_mask() as u32, low.move_mask() as u32)
}

#[cfg(test)]
mod tests {
    use super::masks;

    #[test]
    fn every_byte_at_every_place_gives_the_masks_of_its_bytes() {
        // Every byte value at every place, among neighbours that are the
        // delimiter, a line break, a byte next to them, a high byte or a
        // zero byte (a carry or a signed compare would show there).
        let fillers = [
            b',', b'\t', b'\n', b'\r', 0x0E, 0x2B, 0x2D, 0x7F, 0x80, 0xFF, 0x00,
        ];
        for delimiter in [b',', b'\t', b';', b'|', b'\r'] {
            for filler in fillers {
                for place in 0..16 {
                    for b in 0..=255u8 {
                        let mut block = [filler; 16];
                        block[(place + 5) % 16] = delimiter;
                        block[place] = b;
                        let (mut delims, mut low) = (0, 0);
                        for (k, &x) in block.iter().enumerate() {
                            delims |= u32::from(x == delimiter) << k;
                            low |= u32::from(x < 0x0E) << k;
                        }
                        assert_eq!(
                            masks(block, delimiter),
                            (delims, low),
                            "{block:?} {delimiter}"
                        );
                    }
                }
            }
        }
    }
}
