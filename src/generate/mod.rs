//! A deterministic generator of realistic exports (`yimen generate`), for the
//! example county, tests and benchmarks.
//!
//! The same seed and options give the same files byte for byte. Most records
//! are clean; violations of every rule are injected at known rates (and at
//! least once each when `violations` is on), so that an audit of the output
//! exercises every rule. With `violations` off (`--clean`) no rule fires and
//! none is undetermined, at any audit date from the start of the
//! authorisations (1 January 2025) on (`tests/generate_clean.rs`).

mod rng;
mod write;

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::calendar::Calendar;
pub use rng::Rng;
use write::{Encoding, TableWriter};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub seed: u64,
    pub cases: usize,
    /// Items per department (when no real catalogue is given).
    pub items_per_dept: usize,
    /// The year the cases are accepted in.
    pub year: i32,
    /// Inject violations (off: a clean export, for throughput benchmarks).
    pub violations: bool,
    /// Real items (department, name, code, kind) to use instead of made-up ones.
    pub real_items: Vec<RealItem>,
    /// Mixed formats and encodings (xlsx with a title row, GBK CSV …) or plain UTF-8 CSV.
    pub mixed_formats: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 1,
            cases: 300,
            items_per_dept: 8,
            year: 2025,
            violations: true,
            real_items: Vec::new(),
            mixed_formats: true,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RealItem {
    pub dept: String,
    pub name: String,
    pub code: String,
    /// The kind as exported (a label or a national numeric code).
    pub kind: String,
}

/// At most `per_dept` items of each of the first `depts` departments, in file order.
pub fn select_items(all: &[RealItem], depts: usize, per_dept: usize) -> Vec<RealItem> {
    let mut order: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for it in all {
        if !order.contains(&it.dept.as_str()) {
            if order.len() == depts {
                continue;
            }
            order.push(&it.dept);
        }
        if out.iter().filter(|o: &&RealItem| o.dept == it.dept).count() < per_dept {
            out.push(it.clone());
        }
    }
    out
}

/// Read items from a catalogue CSV with the columns 实施主体, 事项名称,
/// 事项编码, 事项类型 (such as the real 广安区 catalogue).
pub fn read_real_items(path: &Path) -> std::io::Result<Vec<RealItem>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(d), Some(n), Some(c), Some(k)) = (
        col("实施主体"),
        col("事项名称"),
        col("事项编码"),
        col("事项类型"),
    ) else {
        return Err(std::io::Error::other(
            "需要 实施主体、事项名称、事项编码、事项类型 四列",
        ));
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        out.push(RealItem {
            dept: rec.get(d).unwrap_or_default().trim().to_string(),
            name: rec.get(n).unwrap_or_default().trim().to_string(),
            code: rec.get(c).unwrap_or_default().trim().to_string(),
            kind: rec.get(k).unwrap_or_default().trim().to_string(),
        });
    }
    Ok(out)
}

/// What was generated.
#[derive(Clone, Debug, Default)]
pub struct GenSummary {
    pub files: Vec<String>,
    pub items: usize,
    pub cases: usize,
    pub fees: usize,
}

const DEPTS: &[&str] = &[
    "区市场监管局",
    "区民政局",
    "区人社局",
    "区住建局",
    "区交通运输局",
    "区卫健局",
    "区自然资源局",
    "区教科体局",
    "区农业农村局",
    "区文广旅局",
    "区生态环境局",
    "区水务局",
];
const IN_SCOPE: &[&str] = &[
    "行政许可",
    "行政确认",
    "行政给付",
    "行政征收",
    "其他行政权力",
    "公共服务",
];
const OTHER_KINDS: &[&str] = &["行政处罚", "行政检查", "行政强制"];
const NAMES: &[&str] = &[
    "经营许可",
    "登记",
    "备案",
    "资格认定",
    "补贴发放",
    "证明开具",
    "变更登记",
    "注销登记",
    "年度检验",
    "审批",
];

/// The authorisation of item `k`: none for items outside the centre and
/// (with violations) every 53rd, 初审 for every 9th, else 决定. In a clean
/// export an item that is not 即办件 although it needs neither a site check
/// nor collective study is 初审 too: were the window given 决定 for it, it
/// would have to be an immediate item (A003, gangnan-2017 四、(二)). With
/// violations such items keep 决定, and A003 fires on them.
fn auth_level(k: usize, it: &Item, v: bool) -> Option<&'static str> {
    if !it.in_center || (v && k % 53 == 7) {
        None
    } else if k % 9 == 4 || (!v && !it.immediate && !it.site_check && !it.collective) {
        Some("初审")
    } else {
        Some("决定")
    }
}

#[allow(clippy::struct_excessive_bools)] // a generated item: each flag is one column of the catalogue
struct Item {
    code: String,
    name: String,
    kind: String,
    kind_label: &'static str,
    dept: String,
    in_center: bool,
    exemption: bool,
    immediate: bool,
    legal: i64,
    promised: i64,
    site_check: bool,
    collective: bool,
    fee: bool,
    fee_min: Option<u32>,
    incomplete: bool,
    online: &'static str,
}

fn kind_label(raw: &str) -> &'static str {
    match raw.trim_start_matches('0') {
        "1" => "行政许可",
        "2" => "行政处罚",
        "3" => "行政强制",
        "4" => "行政征收",
        "5" => "行政给付",
        "6" => "行政检查",
        "7" => "行政确认",
        "8" => "行政奖励",
        "9" => "行政裁决",
        "10" => "其他行政权力",
        "20" | "21" => "公共服务",
        _ => IN_SCOPE
            .iter()
            .chain(OTHER_KINDS)
            .find(|k| **k == raw)
            .copied()
            .unwrap_or("公共服务"),
    }
}

fn workday_on_or_after(cal: &Calendar, mut d: NaiveDate) -> NaiveDate {
    while !cal.is_workday(d) {
        d = d.succ_opt().unwrap_or(d);
    }
    d
}

/// The date `n` working days after `d`.
fn add_workdays(cal: &Calendar, mut d: NaiveDate, mut n: i64) -> NaiveDate {
    while n > 0 {
        d = d.succ_opt().unwrap_or(d);
        if cal.is_workday(d) {
            n -= 1;
        }
    }
    d
}

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN))
}

fn yes(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn build_items(opts: &GenOptions, rng: &mut Rng) -> Vec<Item> {
    let raw: Vec<(String, String, String, String)> = if opts.real_items.is_empty() {
        let mut v = Vec::new();
        for (di, dept) in DEPTS.iter().enumerate() {
            for n in 0..opts.items_per_dept {
                let kind = if n % 7 == 6 {
                    OTHER_KINDS[n % OTHER_KINDS.len()]
                } else {
                    IN_SCOPE[(di + n) % IN_SCOPE.len()]
                };
                let name = format!("{}{}", &dept[3..], NAMES[(di * 3 + n) % NAMES.len()]);
                v.push((
                    dept.to_string(),
                    name,
                    format!("GA{:02}{:04}", di + 1, n + 1),
                    kind.to_string(),
                ));
            }
        }
        v
    } else {
        opts.real_items
            .iter()
            .map(|r| {
                (
                    r.dept.clone(),
                    r.name.clone(),
                    r.code.clone(),
                    r.kind.clone(),
                )
            })
            .collect()
    };
    raw.into_iter()
        .map(|(dept, name, code, kind)| {
            let label = kind_label(&kind);
            let in_scope = IN_SCOPE.contains(&label);
            let legal = [20, 15, 30, 10][rng.below(4) as usize];
            let site_check = rng.chance(0.3);
            let collective = rng.chance(0.1);
            // gangnan-2017 四、(二): what the window can decide on the spot is an immediate item.
            let immediate = if site_check || collective {
                false
            } else {
                rng.chance(0.85)
            };
            let promised = if immediate {
                1
            } else {
                3 + i64::from(rng.below(8))
            };
            let fee = rng.chance(0.15);
            Item {
                code,
                name,
                kind,
                kind_label: label,
                dept,
                in_center: in_scope,
                exemption: false,
                immediate,
                legal,
                promised,
                site_check,
                collective,
                fee,
                fee_min: (fee && rng.chance(0.6)).then(|| 10 * (1 + rng.below(20))),
                incomplete: false,
                online: if rng.chance(0.85) {
                    "全程网办"
                } else {
                    "一次到现场"
                },
            }
        })
        .collect()
}

/// Generate an export folder in `dir`.
/// The files [`generate`] writes with these options, in the order it
/// writes them.
#[must_use]
pub fn planned_files(opts: &GenOptions) -> [&'static str; 7] {
    let mixed = opts.mixed_formats;
    [
        if mixed {
            "事项目录.xlsx"
        } else {
            "事项目录.csv"
        },
        if mixed {
            "进驻单位.xlsx"
        } else {
            "进驻单位.csv"
        },
        "窗口授权.csv",
        "窗口人员.csv",
        "目录调整记录.csv",
        if mixed {
            "办件记录.csv"
        } else {
            "cases.csv"
        },
        "收费记录.csv",
    ]
}

pub fn generate(dir: &Path, opts: &GenOptions) -> std::io::Result<GenSummary> {
    std::fs::create_dir_all(dir)?;
    let cal = Calendar::official();
    let mut rng = Rng::new(opts.seed);
    let mut items = build_items(opts, &mut rng);
    let v = opts.violations;
    let mut depts: Vec<String> = Vec::new();
    for it in &items {
        if !depts.contains(&it.dept) {
            depts.push(it.dept.clone());
        }
    }
    // Catalogue violations, each on the next suitable item (and again every 97
    // items in a large catalogue): E001 twice (one exempted, so clean), P001, P002.
    if v {
        let mut want = 0usize;
        for (k, it) in items.iter_mut().enumerate() {
            if !IN_SCOPE.contains(&it.kind_label) || k < 5 {
                continue;
            }
            if k % 97 == 5 {
                want = 0;
            }
            match want {
                0 => it.in_center = false,
                1 => {
                    it.in_center = false;
                    it.exemption = true;
                }
                2 => it.incomplete = true,
                3 if !it.immediate => it.promised = it.legal + 5,
                3 => continue,
                _ => continue,
            }
            want += 1;
        }
    }
    let mut summary = GenSummary {
        items: items.len(),
        ..GenSummary::default()
    };
    let enc = |gbk: bool| {
        if gbk && opts.mixed_formats {
            Encoding::Gbk
        } else {
            Encoding::Utf8
        }
    };

    // catalogue
    {
        let headers = [
            "事项编码",
            "事项名称",
            "事项类型",
            "实施主体",
            "是否进驻中心",
            "不进驻批准文号",
            "办件类型",
            "法定办结时限",
            "承诺办结时限",
            "是否需现场勘查",
            "是否需集体研究",
            "是否收费",
            "收费标准",
            "收费下限",
            "收费上限",
            "审批内容",
            "办理流程",
            "设定依据",
            "申请材料",
            "网办深度",
        ];
        let mut w = if opts.mixed_formats {
            TableWriter::xlsx(
                dir.join("事项目录.xlsx"),
                "事项目录",
                Some("广安区政务服务事项目录(2025年版)"),
                &headers,
            )
        } else {
            TableWriter::csv(dir.join("事项目录.csv"), Encoding::Utf8, &headers)?
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        for it in &items {
            rows.push(vec![
                it.code.clone(),
                it.name.clone(),
                it.kind.clone(),
                it.dept.clone(),
                yes(it.in_center).into(),
                if it.exemption {
                    "区政府函〔2024〕12号".into()
                } else {
                    String::new()
                },
                if it.immediate {
                    "即办件".into()
                } else {
                    "承诺件".into()
                },
                it.legal.to_string(),
                it.promised.to_string(),
                yes(it.site_check).into(),
                yes(it.collective).into(),
                yes(it.fee).into(),
                if it.fee {
                    it.fee_min
                        .map_or("按标准收取".into(), |m| format!("{m}元/件起"))
                } else {
                    "不收费".into()
                },
                it.fee_min.map(|m| m.to_string()).unwrap_or_default(),
                it.fee_min.map(|m| (m * 3).to_string()).unwrap_or_default(),
                format!("{}的受理、审查和决定", it.name),
                "申请、受理、审查、决定、送达".into(),
                if it.incomplete {
                    String::new()
                } else {
                    "《中华人民共和国行政许可法》".into()
                },
                "申请表、身份证明".into(),
                if it.kind_label == "公共服务" {
                    it.online.into()
                } else {
                    "一次到现场".into()
                },
            ]);
        }
        if v && rows.len() > 3 {
            // C002: a code listed twice.
            let mut dup = rows[3].clone();
            dup[1] = format!("{}(重复)", dup[1]);
            rows.push(dup);
        }
        for r in &rows {
            w.row(r)?;
        }
        summary.files.push(w.finish()?);
    }

    // units: one department not stationed (E002), one missing from the table (E002).
    {
        let headers = [
            "进驻单位",
            "部门类型",
            "窗口类型",
            "设窗口数",
            "前台人数",
            "后台人数",
            "备注",
        ];
        let mut w = if opts.mixed_formats {
            TableWriter::xlsx(
                dir.join("进驻单位.xlsx"),
                "进驻单位",
                Some("2025年度部门进驻区政务服务中心窗口人员数统计表"),
                &headers,
            )
        } else {
            TableWriter::csv(dir.join("进驻单位.csv"), Encoding::Utf8, &headers)?
        };
        for (i, d) in depts.iter().enumerate() {
            if v && i == depts.len().saturating_sub(1) && depts.len() > 2 {
                continue;
            }
            let window = if v && i == 1 {
                "未进驻"
            } else if i % 4 == 3 {
                "综合窗口"
            } else {
                "常驻窗口"
            };
            w.row(&[
                d.clone(),
                "县直部门".into(),
                window.into(),
                "2".into(),
                "2".into(),
                "1".into(),
                String::new(),
            ])?;
        }
        summary.files.push(w.finish()?);
    }

    // authorizations: most in-centre items 决定 with the seal; some 初审, some without
    // the seal (A004), some missing (A002), one that expired mid-year (A001).
    let expired_on = NaiveDate::from_ymd_opt(opts.year, 6, 30).unwrap_or_default();
    {
        let headers = [
            "授权单位",
            "事项编码",
            "授权级别",
            "是否授权审批专用章",
            "授权日期",
            "授权书编号",
            "生效日期",
            "失效日期",
        ];
        let mut w = TableWriter::csv(dir.join("窗口授权.csv"), Encoding::Utf8, &headers)?;
        for (k, it) in items.iter().enumerate() {
            let Some(level) = auth_level(k, it, v) else {
                continue;
            };
            let seal = !(v && k % 41 == 3 && level == "决定");
            let to = if v && k % 67 == 10 && level == "决定" {
                expired_on.format("%Y-%m-%d").to_string()
            } else {
                String::new()
            };
            w.row(&[
                it.dept.clone(),
                it.code.clone(),
                level.into(),
                yes(seal).into(),
                "2024-12-20".into(),
                format!("授权〔2024〕{}号", k + 1),
                "2025-01-01".into(),
                to,
            ])?;
        }
        summary.files.push(w.finish()?);
    }

    // staff
    {
        let headers = [
            "工号",
            "姓名",
            "派驻单位",
            "岗位",
            "出生日期",
            "身份",
            "是否中层以上干部",
            "是否中级以上职称",
            "职务级别",
            "进驻日期",
            "离岗日期",
            "离岗原因",
        ];
        let mut w = TableWriter::csv(
            dir.join("窗口人员.csv"),
            enc(false).with_bom(opts.mixed_formats),
            &headers,
        )?;
        let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
        let given = ["静", "伟", "芳", "敏", "磊", "洋", "勇", "艳", "杰", "娟"];
        let mut n = 0;
        let start = NaiveDate::from_ymd_opt(2023, 3, 1).unwrap_or_default();
        // Born in one of 20 years from 1975 (so that some non-cadres are over
        // 45 on their start date, S001, besides the one injected below), or in
        // a clean export from the year that makes them at most 45 on it (born
        // 1978-01-01 is 45 on 2023-03-01). The same draws either way, so that
        // the rest of a clean export does not change with this.
        let first_year = if v { 1975 } else { start.year() - 45 };
        for (di, d) in depts.iter().enumerate() {
            for r in 0..3 {
                n += 1;
                let role = ["首席代表", "前台", "首席审批员"][r];
                let mut birth = NaiveDate::from_ymd_opt(
                    first_year + rng.below(20) as i32,
                    1 + rng.below(12),
                    1 + rng.below(28),
                )
                .unwrap_or_default();
                let mut est = "公务员";
                let mut rank = if r == 2 { "副职" } else { "一般" };
                let (mut end, mut reason) = (String::new(), String::new());
                if v {
                    match n {
                        2 => birth = NaiveDate::from_ymd_opt(1976, 3, 1).unwrap_or_default(), // 47 on start: S001
                        4 => birth = NaiveDate::from_ymd_opt(1978, 3, 1).unwrap_or_default(), // exactly 45: clean
                        5 => est = "编外", // S002
                        7 => {
                            end = "2023-12-01".into(); // S003
                            reason = "轮岗".into();
                        }
                        8 => {
                            end = "2023-10-01".into(); // returned by the centre: clean
                            reason = "退回".into();
                        }
                        _ => {}
                    }
                    if di == 2 && r == 2 {
                        rank = "中层"; // S004
                    }
                }
                w.row(&[
                    format!("RY{n:04}"),
                    format!("{}{}", surnames[n % 10], given[(n * 7) % 10]),
                    d.clone(),
                    role.into(),
                    birth.format("%Y-%m-%d").to_string(),
                    est.into(),
                    yes(r == 0).into(),
                    yes(false).into(),
                    rank.into(),
                    start.format("%Y-%m-%d").to_string(),
                    end,
                    reason,
                ])?;
            }
        }
        summary.files.push(w.finish()?);
    }

    // changes: filed within 10 working days, except a few (C001); withdrawals (E003).
    {
        let headers = [
            "调整编号",
            "事项编码",
            "调整类型",
            "公布日期",
            "备案日期",
            "批准文号",
        ];
        let mut w = TableWriter::csv(dir.join("目录调整记录.csv"), Encoding::Utf8, &headers)?;
        for k in 0..20usize.min(items.len()) {
            let it = &items[(k * 7) % items.len()];
            let published = workday_on_or_after(
                cal,
                NaiveDate::from_ymd_opt(opts.year, 1 + (k % 11) as u32, 3 + k as u32)
                    .unwrap_or_default(),
            );
            let (ctype, approval) = if k % 5 == 4 {
                (
                    "撤出中心",
                    if v && k == 9 {
                        ""
                    } else {
                        "区政府批复〔2025〕3号"
                    },
                )
            } else {
                (["新增", "调整", "取消", "下放"][k % 4], "")
            };
            let filed = if v && k == 6 {
                String::new()
            } else {
                let lag = if v && k == 3 {
                    11
                } else if k == 2 {
                    10
                } else {
                    1 + (k % 9) as i64
                };
                add_workdays(cal, published, lag)
                    .format("%Y-%m-%d")
                    .to_string()
            };
            w.row(&[
                format!("TZ{}{:03}", opts.year, k + 1),
                it.code.clone(),
                ctype.into(),
                published.format("%Y-%m-%d").to_string(),
                filed,
                approval.into(),
            ])?;
        }
        summary.files.push(w.finish()?);
    }

    // cases and fees
    let case_path = dir.join(if opts.mixed_formats {
        "办件记录.csv"
    } else {
        "cases.csv"
    });
    let headers = [
        "办件编号",
        "事项编码",
        "受理部门",
        "受理渠道",
        "受理时间",
        "办结时间",
        "办理结果",
        "决定人角色",
        "不予理由",
        "是否告知救济权利",
        "是否联办",
        "牵头部门",
        "项目类型",
        "投资额(万元)",
        "特别程序天数",
    ];
    let mut cw = TableWriter::csv(case_path, enc(true), &headers)?;
    let fee_headers = [
        "收费流水号",
        "办件编号",
        "事项编码",
        "收费部门",
        "收费金额",
        "缴费时间",
        "收费地点",
        "收款单位",
        "减免金额",
        "减免审批文号",
    ];
    let mut fw = TableWriter::csv(dir.join("收费记录.csv"), Encoding::Utf8, &fee_headers)?;
    let as_of = NaiveDate::from_ymd_opt(opts.year, 12, 31).unwrap_or_default();
    let start = NaiveDate::from_ymd_opt(opts.year, 1, 2).unwrap_or_default();
    let in_centre: Vec<usize> = (0..items.len()).filter(|&i| items[i].in_center).collect();
    let pool: Vec<usize> = if in_centre.is_empty() {
        (0..items.len()).collect()
    } else {
        in_centre
    };
    let mut nfees = 0usize;
    let mut row: Vec<String> = vec![String::new(); headers.len()];
    let mut last_ii = pool[0];
    let mut fee_step = 0usize;
    for c in 0..opts.cases {
        let mut ii = pool[rng.below(pool.len() as u32) as usize];
        if v && c % 50 == 3 {
            // The item of the previous case, now taken at the department's own office: H001 and H002.
            ii = last_ii;
        }
        if v && c % 50 == 23 {
            // A chief representative deciding an item he was not given 决定 for: A001.
            if let Some(&j) = pool
                .iter()
                .find(|&&j| auth_level(j, &items[j], v) != Some("决定") && items[j].in_center)
            {
                ii = j;
            }
        }
        last_ii = ii;
        let it = &items[ii];
        let day = workday_on_or_after(cal, start + Duration::days(i64::from(rng.below(350))));
        let accepted = at(day, 9 + rng.below(8), rng.below(60));
        let mut channel = match rng.below(10) {
            0..=4 => "中心窗口",
            5 | 6 => "综合窗口",
            7 | 8 => "网上",
            _ => "自助终端",
        };
        let mut code = it.code.clone();
        let mut result = "准予";
        let mut reason = String::new();
        let mut notice = String::new();
        let mut decider = "窗口人员";
        let mut used = if it.immediate {
            0
        } else {
            i64::from(rng.below(it.promised.max(1) as u32)) + 1
        };
        let mut finished = true;
        let (mut joint, mut lead, mut pkind, mut invest) =
            (false, String::new(), "", String::new());
        if v {
            match c % 50 {
                3 => channel = "原单位", // H001 (and H002 when the item also has centre cases)
                7 if !it.immediate => used = it.promised + 1 + i64::from(rng.below(3)), // H003
                11 => finished = day + Duration::days(3) > as_of, // unfinished: H003 when old
                13 if it.immediate => used = 1, // H004
                17 => {
                    result = "不予";
                    reason = if rng.chance(0.5) {
                        String::new()
                    } else {
                        "申请材料不齐全".into()
                    };
                    notice = yes(reason.is_empty()).into(); // H005 either way
                }
                19 => code = format!("ZZ{c:05}"), // H006
                23 => decider = "首席代表",
                29 => {
                    joint = true;
                    pkind = "基建";
                    lead = if (c / 50) % 2 == 0 {
                        "区住建局".into()
                    } else {
                        "计经委".into()
                    }; // J001 every other time
                    invest = "800".into();
                }
                31 => {
                    pkind = "招商引资"; // J002
                    invest = format!("{}", 500 + rng.below(5000));
                }
                _ => {}
            }
        }
        if c % 50 == 17 && !v {
            result = "不予";
            reason = "申请材料不齐全".into();
            notice = "是".into();
        }
        if result == "准予" && rng.chance(0.02) {
            result = "退回";
        }
        let fin = if finished {
            let mut d = add_workdays(cal, day, used);
            if !v {
                // A clean case is finished by the export's date (the year's
                // end): an unfinished one would be overdue (H003) at a later
                // audit date. Never shortened in 2025; in some years (2022,
                // 2023, 2028) the last cases would otherwise run past it.
                while d > as_of && used > 0 {
                    used -= 1;
                    d = add_workdays(cal, day, used);
                }
            }
            let t = if used == 0 {
                accepted + Duration::minutes(30 + i64::from(rng.below(60)))
            } else {
                at(d, 10 + rng.below(7), rng.below(60))
            };
            if t.date() > as_of {
                String::new()
            } else {
                t.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        } else {
            String::new()
        };
        let id = format!("GA{}{:07}", opts.year, c + 1);
        row[0].clone_from(&id);
        row[1].clone_from(&code);
        row[2].clone_from(&it.dept);
        row[3] = channel.into();
        row[4] = if c % 3 == 0 {
            accepted.format("%Y/%-m/%-d %-H:%M").to_string()
        } else {
            accepted.format("%Y-%m-%d %H:%M:%S").to_string()
        };
        row[5] = fin;
        row[6] = result.into();
        row[7] = decider.into();
        row[8] = reason;
        row[9] = notice;
        row[10] = yes(joint).into();
        row[11] = lead;
        row[12] = pkind.into();
        row[13] = invest;
        row[14] = if c % 37 == 5 {
            "2".into()
        } else {
            String::new()
        };
        cw.row(&row)?;
        if it.fee && c % 2 == 0 {
            nfees += 1;
            let min = it.fee_min.unwrap_or(20);
            let mut amount = f64::from(min);
            let (mut place, mut collector, mut waiver, mut wref) =
                ("政务服务中心", "财政", "0", "");
            if v {
                // One of each fee violation in turn, then clean fees.
                match fee_step {
                    0 => place = "原单位",   // F001
                    1 => collector = "部门", // F002
                    2 => waiver = "20",      // F005
                    3 => {
                        waiver = "10";
                        wref = "区财减〔2025〕8号";
                    }
                    4 if it.fee_min.is_some() => amount += 15.5, // F004
                    4 => fee_step -= 1,
                    _ => {}
                }
                fee_step = (fee_step + 1) % 40;
            }
            fw.row(&[
                format!("PJ{}{:07}", opts.year, nfees),
                id.clone(),
                it.code.clone(),
                it.dept.clone(),
                format!("{amount:.2}"),
                (accepted + Duration::minutes(20))
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                place.into(),
                collector.into(),
                waiver.into(),
                wref.into(),
            ])?;
        }
    }
    if v {
        // F003: a fee on an item published as free.
        if let Some(free) = items.iter().find(|i| !i.fee && i.in_center) {
            nfees += 1;
            fw.row(&[
                format!("PJ{}{:07}", opts.year, nfees),
                String::new(),
                free.code.clone(),
                free.dept.clone(),
                "50.00".into(),
                at(
                    NaiveDate::from_ymd_opt(opts.year, 5, 12).unwrap_or_default(),
                    10,
                    0,
                )
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
                "政务服务中心".into(),
                "财政".into(),
                "0".into(),
                String::new(),
            ])?;
        }
    }
    summary.files.push(cw.finish()?);
    summary.files.push(fw.finish()?);
    summary.cases = opts.cases;
    summary.fees = nfees;
    Ok(summary)
}
