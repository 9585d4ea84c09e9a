//! `same_text` against `==` on every pair of lengths and every position of
//! a difference.

use super::same_text;

#[test]
fn same_text_is_equality() {
    let base = "中心窗口abcdefghijklmnopq";
    for n in 0..=24 {
        let a = &base.as_bytes()[..n];
        // Texts by bytes: the comparison does not look at characters.
        let a = String::from_utf8_lossy(a).into_owned();
        assert!(same_text(&a, &a.clone()), "{a:?}");
        for m in 0..=24 {
            let b = String::from_utf8_lossy(&base.as_bytes()[..m]).into_owned();
            assert_eq!(same_text(&a, &b), a == b, "{a:?} {b:?}");
        }
        // One byte changed, at every position.
        for i in 0..a.len() {
            let mut bytes = a.clone().into_bytes();
            bytes[i] ^= 1;
            if let Ok(b) = String::from_utf8(bytes) {
                assert!(!same_text(&a, &b), "{a:?} {b:?}");
            }
        }
    }
    assert!(same_text("原单位", "原单位"));
    assert!(!same_text("中心窗口", "综合窗口"));
}
