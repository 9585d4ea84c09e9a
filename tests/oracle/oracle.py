#!/usr/bin/env python3
"""An independent oracle for yimen: it generates an export folder following
../shared/data-contract.md and computes, from its own reading of
../shared/rule-catalogue.md, the findings (and the undetermined records) that
`yimen audit` must report for it.

    python3 tests/oracle/oracle.py OUT_DIR --seed N [--cases 400] [--as-of 2025-12-31]
                                   [--holidays DIR] [--formats mixed|csv]

writes OUT_DIR/export/ and OUT_DIR/expected.json.  The export: cases always as
CSV/TXT (comma or tab; split over two files, one in a sub-folder, for odd
seeds); the other datasets as CSV/TXT (UTF-8 / UTF-8 BOM / GBK), and with
--formats mixed (the default) at least one as .xlsx (a title row above the
header now and then, serial dates with date styles, typed numbers and
booleans, inline or shared strings) and one as .jsonl (one object per line,
keys = the headers; an empty value as an absent key, null or "").  Headers are
canonical or aliases, in any order, with extra columns; every file has at
least one header with a stray space or no-break space (the contract normalises
them).  Values: booleans 是/否 Y/N true/false 1/0 √/×, datetimes in the
contract's four formats, enum codes, numbers with 元/万元/天/个工作日 or
thousands separators, full-width digits and stray spaces now and then.

expected.json:

    {"as_of": "2025-12-31",
     "findings":     {"E001": [["key", ...], ...], ... every rule code ...},
     "undetermined": {"H003": [[...]], ...},
     "datasets":     {"E001": "catalogue", ...},
     "rows":         {"catalogue": {"<key joined by |>": [{field: raw cell}, ...]}, ...},
     "metrics":      [{"id": "M01", "dept": null | "民政局", "numerator": 3, "denominator": 4,
                       "undetermined": 1}, ...],
     "metric_records": {"M01": {"" (centre) | dept: [[numerator keys], [denominator-only keys],
                                                     [undetermined keys]]}, ...}}

The metrics are those of `yimen report --format json` without --period (every record
counts), on the same as_of: per metric the centre row (dept null) and one row per
department that has a record in the metric's denominator or an undetermined one.

Python 3.11 standard library only. It was written from the documents alone
(rule catalogue, data contract, design, JSON contracts, holiday-cn data),
without reading yimen's engine, checker or policies.

AMBIGUITIES IN THE CATALOGUE, AND WHAT THIS ORACLE DECIDED
==========================================================
Logic
 1. Missing values use Kleene three-valued logic: a value is "needed" only if
    the verdict depends on it.  `false AND unknown` is false (not undetermined),
    `true OR unknown` is true.  E.g. E001 on a row with kind empty but in_center
    = true is simply not a finding; C001 with filed_at empty fires even when
    published_at is missing.  (Catalogue: "A value that the semantics need in
    order to decide, when missing, makes the rule undetermined".)
 2. Empty cells that are values (not missing): the fields the catalogue lists
    (exemption_ref, refusal_reason, the six 六公开 fields incl. promised_days in
    P001, filed_at, waiver_ref, end_reason) and, by the same principle ("where
    the semantics test a field for emptiness"), approval_ref in E003, fee_min in
    F004 ("item has fee_min"), project_kind in J002 ("project_kind present"),
    end_date in S003 ("end_date present"), and finished_at in H003/H004 (the
    contract: "empty while unfinished"; H003 defines the unfinished case).
    suspended_days empty = 0 (the contract says so).  Every other empty cell is
    missing.  An authorisation's empty valid_from/valid_to is "since ever" /
    "still valid" (contract), a value.
 3. A failed lookup (a case's item_code not in the catalogue) makes every
    value read through it unknown: H001 is undetermined for such a case via
    原单位 (and not a finding via any other channel); H003 is undetermined;
    H004 is undetermined unless the case finished on its acceptance date; F003
    is undetermined for a fee with amount > 0 on such an item, F004 for any
    amount ("item has fee_min" is unknown).
 4. A003 when no authorisation for (dept, code) is valid on as_of: NOT a
    finding and NOT undetermined ("the authorisation ... has level 决定" is
    false when there is none; absence is the normal state of an item outside
    the centre, and A002 is the rule about absence).
 5. J001 on a joint case whose project_kind is empty: undetermined (the
    designated lead cannot be looked up).  A project_kind absent from the
    default mapping never occurs in the generated data.
 6. A001 on a case whose accepted_at is missing: undetermined (the generator
    only does this where the pair has a 决定 authorisation with a bounded
    validity, so the verdict really depends on the date).
Effective dates
 7. A rule's in-force date is the earliest in-force date of its sources:
    H001, J001, J002, F001-F005: 2002-12-31 (dazu-2002); E003, H002, H003,
    H004, A001, C001: 2017-12-15 (gangnan-2017); H005, H006: 2018-06-01
    (sandu-2018).  Event dates: cases accepted_at, fees paid_at, changes
    published_at (date part).  A missing event date passes the effective-date
    test ("an export covers a recent period").
 8. H002 (a group rule over cases): the groups are formed only from the cases
    the rule applies to (accepted on or after 2017-12-15, or undated); an
    older 原单位 case does not make a dual track.  Cases of a group with an
    empty channel: any() is three-valued (a group with a 原单位 case, no centre
    case and a case with unknown channel is undetermined).  A group whose item
    is not in the catalogue is undetermined if it has both channels, otherwise
    not a finding.
Records, keys, lookups
 9. Duplicate catalogue rows (C002): every row is checked by the per-item
    rules (E001, A002, A003, P001, P002); a code's key is reported if any of
    its rows fires.  Lookups of a code (from cases, fees) use its FIRST row
    (the M-metrics convention: "counts once, as its first row"); the generator
    keeps the lookup-relevant fields of duplicates identical anyway, except for
    one conflicting duplicate that no case or fee refers to.  E002 counts every
    catalogue row of a department.
10. A004 checks every authorisation row (one finding per (dept, item_code)).
    To stay clear of "as of the audit date", the generator only writes 决定
    rows without seal that are valid on as_of; expired 决定 rows always have a
    seal.  At most one authorisation row of a pair is valid on any date.
11. H002's and A001's lookups use the case's own dept (case.dept), A002/A003
    use the catalogue row's dept.  E002 compares department names exactly.
12. Key values are the cell text after trimming: codes and ids are strings
    (leading zeros kept), depts as written.  No key is a date or a number.
13. Ages (S001) are in completed years on start_date (the birthday itself
    counts); no one is born on 29 February, and no start_date is 29 February
    (S003's start_date + 1 year is then unambiguous).
14. workdays(a, b) counts days d with date(a) < d <= date(b) that are working
    days: Monday-Friday unless holiday-cn lists them as off, and any day that
    holiday-cn lists as not off (调休).  All the holiday-cn files are merged
    (a file may list dates of neighbouring years).  The generator never makes
    b < a.
15. S001 with cadre unknown and senior_title false: undetermined only when the
    age is 46..50; an age <= 45 is no finding and > 50 a finding.
16. Enum codes: kind 1/01 行政许可, 4 行政征收, 5 行政给付, 7 行政确认, 10 其他行政权力,
    2 行政处罚, 6 行政检查 (20/21 公共服务 avoided: provinces differ); handling_type
    1 即办件 / 2 承诺件; online_depth Ⅳ/IV/4 全程网办.
17. Unparsable cells are never generated (their row handling is a data-error
    question, not a rule question); missing values are empty cells only.
18. H005 on a case whose result cell is empty (typically an unfinished case):
    result is missing (it is not among the empty-as-value fields), so H005 is
    undetermined when refusal_reason is empty or rights_notice is false.  Only
    ~10% of the unfinished generated cases have an empty result.
19. E002: a department "implements" an item when a catalogue row has that
    dept and an in-scope kind, whatever its in_center / exemption_ref.  A dept
    absent from units with only rows of unknown kind is undetermined.
20. Valid-on is inclusive at both ends (valid_to = the date is still valid).
    S003's "end_date < start_date + 1 year" is strict (exactly one year is no
    finding).  J002's "investment >= 1000 万元" is inclusive, in 万元 as written.
    F004's "amount > fee_min" is strict.  C001's "> 10" is strict.
21. H004 compares calendar dates, not working days: accepted 23:50 and
    finished 00:05 the next day is a finding; unfinished and accepted on as_of
    is not.
22. --as-of must be 2025-12-31 or later (the generated events run to that
    date; nothing is dated after as_of).
23. Formats: an absent key in a .jsonl line is an empty cell, like null and "".
    A header with a stray (no-break) space is the same header in every format
    (the contract: "stray spaces and non-breaking spaces in headers and values
    are normalised before matching"); so is a full-width （） in a header.
Metrics (M01-M07)
24. A metric is, per record, a membership in the denominator and a numerator
    condition, both three-valued (Kleene, as in 1).  Membership false: the record
    plays no part.  Membership unknown: undetermined, whatever the condition (the
    denominator itself depends on the missing value).  Membership true and
    condition unknown: undetermined.  Otherwise the record counts in the
    denominator, and in the numerator when the condition holds.  A record is
    undetermined at most once per metric, e.g. an item with kind empty is
    undetermined for M01 and M06 whatever its in_center.
25. Metrics have no effective dates: the in-force convention is written for rules
    ("a rule applies to an event record only if ..."), the M section defines its
    populations ("finished cases", "cases", "cases of in-centre items") without
    dates, and `yimen report` without --period counts every record (its --help:
    "Default: every record, whatever its date").  A case accepted in 2002 counts
    in M05 and M07.
    (The "source" column of the M table is a citation, like "grounded in".)
26. M04: "finished cases" = finished_at present (empty = unfinished, a value, see
    2).  "not overdue (H003)" = H003 does not fire for the case, with H003's own
    verdict, in-force date included (design.md: `for case in cases when
    case.finished_at is not none ... ratio not fires(H003, case)`): a finished case
    accepted before 2017-12-15, where H003 does not apply, is not overdue and counts
    in numerator and denominator.  H003 undetermined (accepted_at missing,
    promised_days missing, item not in the catalogue) makes M04 undetermined.
27. Item metrics (M01, M02, M03, M06) count each code once, with every field
    (dept, kind, in_center, ...) from its first row (see 9); the conflicting
    duplicate's later row plays no part.  "in-scope items" (M01) = kind among the
    six in-scope kinds; kind empty is undetermined.  M01's numerator "in_center =
    true or exemption_ref" = in_center true or exemption_ref non-empty (an empty
    exemption_ref is a value, as in E001), so in_center empty with an exemption_ref
    is in the numerator and in_center empty without one is undetermined.
28. "in-centre items" (M02, M03, and the items of M07) = in_center = true, whatever
    the kind (only M01 says in-scope).  in_center empty is undetermined.
29. M02 "whose authorisation level is 决定": the authorisation for (the item's
    dept, code) valid on as_of, as A002/A003 (a standing state is checked as of the
    audit date).  None valid: not in the numerator, in the denominator (absence is
    a value, see 4).  The valid one with level empty: undetermined.
30. M03: handling_type empty is undetermined.  M06: "公共服务 items" = kind =
    公共服务 (kind empty: undetermined), online_depth empty is undetermined.
31. M05 "cases finished on their acceptance date / cases": the denominator is every
    case, finished or not; the numerator needs finished_at present and the same
    calendar date as accepted_at (as H004, see 21).  An unfinished case is in the
    denominator only, also when accepted on as_of or with accepted_at empty
    (unfinished is decided by finished_at alone); a finished case with accepted_at
    empty is undetermined.
32. M07 "cases of in-centre items": cases whose item (first row of item_code) has
    in_center = true.  A case whose item_code is not in the catalogue is
    undetermined, whatever its channel: the failed lookup leaves in_center unknown
    (the catalogue lists "failed lookup" among missing values; see 3), so its
    membership in the denominator is unknown.  A case of an in-centre item with
    channel empty is undetermined; 网上 and 自助终端 are in the denominator only.
33. Departments: a case metric uses case.dept (even where it differs from the
    item's dept), an item metric the first row's dept, as written (trimmed, see
    12).  A record with an empty dept would count in the centre row only: the
    centre row does not need the dept, so the record is not undetermined for it
    ("undetermined (a needed value missing)"), and no department row can hold it.
    The generator never writes an empty dept (it would also touch the keys and
    lookups of E002, H002, A001-A003), so this is not exercised.  The centre row is
    then the sum of the department rows.  A department whose denominator is 0 and
    that has no undetermined record gets no row (it would show n/a); the test
    neither requires nor forbids such a row.
"""

import argparse
import csv
import datetime as dt
import glob
import io
import json
import os
import random
import sys
from decimal import Decimal

D = dt.date
DT = dt.datetime

# ----------------------------------------------------------------------------
# calendar


class Calendar:
    def __init__(self, directory):
        self.special = {}
        files = sorted(glob.glob(os.path.join(directory, "*.json")))
        if not files:
            raise SystemExit(f"oracle: no holiday-cn files in {directory}")
        for f in files:
            with open(f, encoding="utf-8") as fh:
                data = json.load(fh)
            for day in data["days"]:
                self.special[D.fromisoformat(day["date"])] = bool(day["isOffDay"])

    def is_workday(self, d):
        if d in self.special:
            return not self.special[d]
        return d.weekday() < 5

    def workdays(self, a, b):
        """working days d with a < d <= b (dates)."""
        n = 0
        d = a + dt.timedelta(days=1)
        while d <= b:
            if self.is_workday(d):
                n += 1
            d += dt.timedelta(days=1)
        return n

    def add_workdays(self, a, k):
        """the date b with workdays(a, b) == k, the earliest such (k >= 1) or a."""
        d = a
        while k > 0:
            d += dt.timedelta(days=1)
            if self.is_workday(d):
                k -= 1
        return d

    def sub_workdays(self, b, k):
        """the latest working day a with workdays(a, b) == k."""
        a = b
        while True:
            if self.workdays(a, b) == k and self.is_workday(a):
                return a
            a -= dt.timedelta(days=1)


# ----------------------------------------------------------------------------
# constants from the catalogue

IN_SCOPE = {"行政许可", "行政确认", "行政给付", "行政征收", "其他行政权力", "公共服务"}
CENTRE = {"中心窗口", "综合窗口"}
ESTABLISHED = {"公务员", "参公", "事业编制"}
LEAD_FOR = {"招商引资": "招商局", "基建": "计经委", "房地产": "计经委", "技术改造": "计经委",
            "城市公用设施": "建委", "外商投资": "贸易局"}

GANGNAN, SANDU, CHENG, DAZU, SHUO = D(2017, 12, 15), D(2018, 6, 1), D(2022, 8, 30), D(2002, 12, 31), D(2019, 5, 8)
IN_FORCE = {
    "E003": min(GANGNAN, CHENG),
    "H001": min(GANGNAN, SANDU, CHENG, DAZU),
    "H002": min(GANGNAN, SANDU),
    "H003": min(GANGNAN, CHENG),
    "H004": min(SANDU, GANGNAN),
    "H005": SANDU,
    "H006": min(SANDU, CHENG),
    "A001": min(CHENG, GANGNAN),
    "F001": min(SANDU, DAZU, CHENG),
    "F002": DAZU, "F003": DAZU, "F004": DAZU, "F005": DAZU,
    "C001": GANGNAN,
    "J001": DAZU, "J002": DAZU,
}

METRICS = ("M01", "M02", "M03", "M04", "M05", "M06", "M07")

CODES = {
    "E001": "catalogue", "E002": "units", "E003": "changes",
    "H001": "cases", "H002": "cases", "H003": "cases", "H004": "cases", "H005": "cases", "H006": "cases",
    "A001": "cases", "A002": "catalogue", "A003": "catalogue", "A004": "authorizations",
    "F001": "fees", "F002": "fees", "F003": "fees", "F004": "fees", "F005": "fees",
    "P001": "catalogue", "P002": "catalogue",
    "C001": "changes", "C002": "catalogue",
    "S001": "staff", "S002": "staff", "S003": "staff", "S004": "staff",
    "J001": "cases", "J002": "cases",
}

# ----------------------------------------------------------------------------
# three-valued logic (None = unknown)


def AND(*xs):
    if any(x is False for x in xs):
        return False
    if any(x is None for x in xs):
        return None
    return True


def OR(*xs):
    if any(x is True for x in xs):
        return True
    if any(x is None for x in xs):
        return None
    return False


def NOT(x):
    return None if x is None else (not x)


def EQ(a, b):
    return None if a is None else (a == b)


def GT(a, b):
    if a is None or b is None:
        return None
    return a > b


def empty(v):
    return v is None or v == ""


def ANY(xs):
    return OR(False, *xs)


# ----------------------------------------------------------------------------
# the data contract: datasets, field types, header aliases

SCHEMA = {
    "catalogue": [
        ("code", "str", ["事项编码", "实施编码", "基本编码", "事项代码"]),
        ("name", "str", ["事项名称"]),
        ("kind", "kind", ["事项类型", "事项类别", "权力类型"]),
        ("dept", "str", ["实施主体", "实施机构", "实施部门"]),
        ("in_center", "bool", ["是否进驻中心", "是否进驻政务服务中心", "是否进驻大厅"]),
        ("exemption_ref", "str", ["不进驻批准文号", "暂不进驻批准文号"]),
        ("window", "enum", ["窗口类型"]),
        ("handling_type", "htype", ["办件类型"]),
        ("legal_days", "int", ["法定办结时限"]),
        ("promised_days", "int", ["承诺办结时限"]),
        ("site_check", "bool", ["是否需现场勘查"]),
        ("collective", "bool", ["是否需集体研究"]),
        ("fee", "bool", ["是否收费"]),
        ("fee_standard", "str", ["收费标准"]),
        ("fee_min", "money", ["收费下限"]),
        ("fee_max", "money", ["收费上限"]),
        ("content", "str", ["审批内容", "事项内容"]),
        ("procedure", "str", ["办理流程", "办事程序"]),
        ("basis", "str", ["设定依据", "审批依据"]),
        ("materials", "str", ["申请材料", "申报材料"]),
        ("online_depth", "depth", ["网办深度"]),
    ],
    "cases": [
        ("id", "str", ["办件编号", "申办流水号", "办件流水号", "受理编号"]),
        ("item_code", "str", ["事项编码", "实施编码"]),
        ("dept", "str", ["受理部门"]),
        ("channel", "enum", ["受理渠道", "受理方式"]),
        ("accepted_at", "datetime", ["受理时间"]),
        ("finished_at", "datetime", ["办结时间"]),
        ("result", "enum", ["办理结果"]),
        ("decider_role", "enum", ["决定人角色", "审批人角色"]),
        ("refusal_reason", "str", ["不予理由"]),
        ("rights_notice", "bool", ["是否告知救济权利"]),
        ("joint", "bool", ["是否联办", "是否并联审批"]),
        ("lead_dept", "str", ["牵头部门"]),
        ("project_kind", "enum", ["项目类型"]),
        ("investment", "wan", ["投资额(万元)", "投资额", "投资额（万元）"]),
        ("suspended_days", "int", ["特别程序天数", "特别程序时长"]),
    ],
    "fees": [
        ("id", "str", ["收费流水号", "票据号"]),
        ("case_id", "str", ["办件编号"]),
        ("item_code", "str", ["事项编码"]),
        ("dept", "str", ["开票部门", "收费部门"]),
        ("amount", "money", ["收费金额", "实收金额"]),
        ("paid_at", "datetime", ["收费时间", "缴费时间"]),
        ("place", "enum", ["收费地点"]),
        ("collector", "enum", ["收款单位"]),
        ("waiver", "money", ["减免金额"]),
        ("waiver_ref", "str", ["减免审批文号"]),
    ],
    "units": [
        ("dept", "str", ["进驻单位", "单位名称", "部门"]),
        ("dept_type", "enum", ["部门类型"]),
        ("window_type", "enum", ["窗口类型"]),
        ("windows", "int", ["设窗口数"]),
        ("front_staff", "int", ["前台人数", "进驻人数(前台)"]),
        ("back_staff", "int", ["后台人数", "进驻人数(后台)"]),
        ("note", "str", ["备注"]),
    ],
    "staff": [
        ("id", "str", ["工号", "人员编号"]),
        ("name", "str", ["姓名"]),
        ("dept", "str", ["派驻单位", "单位"]),
        ("role", "enum", ["岗位"]),
        ("birth_date", "date", ["出生日期"]),
        ("establishment", "enum", ["身份", "编制类型"]),
        ("cadre", "bool", ["是否中层以上干部"]),
        ("senior_title", "bool", ["是否中级以上职称"]),
        ("rank", "enum", ["职务级别"]),
        ("start_date", "date", ["进驻日期"]),
        ("end_date", "date", ["离岗日期"]),
        ("end_reason", "enum", ["离岗原因"]),
    ],
    "authorizations": [
        ("dept", "str", ["授权单位"]),
        ("item_code", "str", ["事项编码"]),
        ("level", "enum", ["授权级别", "授权权限"]),
        ("seal", "bool", ["是否授权审批专用章"]),
        ("signed_at", "date", ["授权日期"]),
        ("doc_ref", "str", ["授权书编号"]),
        ("valid_from", "date", ["生效日期"]),
        ("valid_to", "date", ["失效日期"]),
    ],
    "changes": [
        ("id", "str", ["调整编号"]),
        ("item_code", "str", ["事项编码"]),
        ("change_type", "enum", ["调整类型"]),
        ("published_at", "date", ["公布日期"]),
        ("filed_at", "date", ["备案日期"]),
        ("approval_ref", "str", ["批准文号"]),
    ],
}

FILE_NAMES = {
    "catalogue": ["政务服务事项目录", "事项清单", "事项目录导出"],
    "cases": ["办件记录", "办件明细", "办件导出"],
    "fees": ["收费记录", "非税收入明细"],
    "units": ["进驻单位", "进驻单位一览表"],
    "staff": ["窗口工作人员", "窗口人员花名册"],
    "authorizations": ["窗口授权", "授权清单"],
    "changes": ["目录调整记录", "事项调整"],
}

KIND_CODES = {"行政许可": ["1", "01"], "行政征收": ["4"], "行政给付": ["5"], "行政确认": ["7"],
              "其他行政权力": ["10"], "行政处罚": ["2"], "行政检查": ["6"]}
BOOL_STYLES = [("是", "否"), ("Y", "N"), ("true", "false"), ("1", "0"), ("√", "×")]
FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


class Renderer:
    """Renders typed values as the messy cells of a real export (seeded)."""

    def __init__(self, rng, seed):
        self.rng = rng
        self.seed = seed

    def cell(self, ftype, v, style):
        r = self.rng
        if v is None:
            return ""
        if ftype == "str":
            x = r.random()
            if v and x < 0.02:
                return v + " "
            if v and x < 0.03:
                return "\u00a0" + v
            return v
        if ftype == "bool":
            t, f = style["bool"] if r.random() < 0.85 else r.choice(BOOL_STYLES)
            s = t if v else f
            if r.random() < 0.03:
                s = " " + s + " "
            return s
        if ftype == "kind":
            if v in KIND_CODES and r.random() < 0.25:
                return r.choice(KIND_CODES[v])
            return v
        if ftype == "htype":
            if v in ("即办件", "承诺件") and r.random() < 0.2:
                return "1" if v == "即办件" else "2"
            return v
        if ftype == "depth":
            if v == "全程网办" and r.random() < 0.3:
                return r.choice(["Ⅳ", "IV", "4"])
            return v
        if ftype == "enum":
            x = r.random()
            if x < 0.03:
                return " " + v
            if x < 0.05:
                return v + "\u00a0"
            return v
        if ftype == "int":
            s = str(v)
            x = r.random()
            if x < 0.15:
                s += "个工作日"
            elif x < 0.25:
                s += "天"
            elif x < 0.28:
                s = s.translate(FW_DIGITS)
            return s
        if ftype in ("money", "wan"):
            q = Decimal(v)
            if q == q.to_integral_value() and r.random() < 0.6:
                s = f"{int(q):,}" if (abs(q) >= 1000 and r.random() < 0.6) else str(int(q))
            else:
                s = f"{q:,.2f}" if (abs(q) >= 1000 and r.random() < 0.6) else f"{q:.2f}"
            if r.random() < 0.2:
                s += "元" if ftype == "money" else "万元"
            if r.random() < 0.02:
                s = s.translate(FW_DIGITS)
            return s
        if ftype in ("date", "datetime") and r.random() < 0.02:
            return self.cell(ftype, v, style).translate(FW_DIGITS)
        if ftype == "date":
            x = r.random()
            if x < 0.6:
                return v.isoformat()
            if x < 0.85:
                return f"{v.year}/{v.month}/{v.day}"
            return f"{v.year}年{v.month}月{v.day}日"
        if ftype == "datetime":
            x = r.random()
            if x < 0.45:
                return v.strftime("%Y-%m-%d %H:%M:%S")
            if x < 0.75:
                return f"{v.year}/{v.month}/{v.day} {v.hour}:{v.minute:02d}"
            if x < 0.92:
                return v.strftime("%Y-%m-%dT%H:%M:%S")
            return f"{v.year}年{v.month}月{v.day}日"
        raise ValueError(ftype)


XLSX_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"""
XLSX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
XLSX_WB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
XLSX_WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"""
XLSX_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"""


def xesc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx_cell(rng, ftype, v, text, ref):
    """An xlsx cell: typed (serial dates, numbers, booleans) now and then, else a string."""
    if v is None:
        return ""
    if ftype in ("date", "datetime") and rng.random() < 0.6:
        base = DT(1899, 12, 30)
        if isinstance(v, DT):
            serial = (v - base).total_seconds() / 86400
            return f'<c r="{ref}" s="2"><v>{serial!r}</v></c>'
        return f'<c r="{ref}" s="1"><v>{(v - base.date()).days}</v></c>'
    if ftype in ("int", "money", "wan") and rng.random() < 0.6:
        return f'<c r="{ref}"><v>{v}</v></c>'
    if ftype == "bool" and rng.random() < 0.4:
        return f'<c r="{ref}" t="b"><v>{1 if v else 0}</v></c>'
    if text == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xesc(text)}</t></is></c>'


def write_xlsx(path, sheet, title, header, rows, shared=False, blank_after_title=False):
    import re
    import zipfile
    xml = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    r0 = 1
    if title:
        xml.append(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{xesc(title)}</t></is></c></row>')
        r0 = 3 if blank_after_title else 2
    xml.append(f'<row r="{r0}">' + "".join(
        f'<c r="{col_name(i)}{r0}" t="inlineStr"><is><t xml:space="preserve">{xesc(h)}</t></is></c>'
        for i, h in enumerate(header)) + "</row>")
    for n, cells in enumerate(rows):
        rr = r0 + 1 + n
        xml.append(f'<row r="{rr}">' + "".join(cells(rr)) + "</row>")
    xml.append("</sheetData></worksheet>")
    body = "".join(xml)
    sst = None
    if shared:  # as Excel writes them: strings in a shared table
        table = {}

        def to_shared(m):
            text = m.group(2)
            idx = table.setdefault(text, len(table))
            return f'<c r="{m.group(1)}" t="s"><v>{idx}</v></c>'
        body = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>',
                      to_shared, body)
        sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(table)}" '
               f'uniqueCount="{len(table)}">'
               + "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in table) + "</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        ct = XLSX_CT
        if sst is not None:
            ct = ct.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", XLSX_RELS)
        z.writestr("xl/workbook.xml", XLSX_WB.format(name=xesc(sheet)))
        rels = XLSX_WB_RELS
        if sst is not None:
            rels = rels.replace("</Relationships>", '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
                                'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                "</Relationships>")
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/styles.xml", XLSX_STYLES)
        z.writestr("xl/worksheets/sheet1.xml", body)


FILES = {}  # dataset -> what was written (for the test's diagnostics)


def write_dataset(rng, rend, export, name, rows, split=False, subdir=None, fmt="csv"):
    fields = SCHEMA[name]
    headers = []
    for (f, t, aliases) in fields:
        h = rng.choice(aliases)
        if "(" in h and rng.random() < 0.5:
            h = h.replace("(", "（").replace(")", "）")
        x = rng.random()
        if x < 0.04:
            h = h + " "
        elif x < 0.07:
            h = "\u00a0" + h
        headers.append(h)
    # every file has at least one header with a stray space or no-break space
    j = rng.randrange(len(headers))
    if headers[j] == headers[j].strip(" \u00a0"):
        headers[j] = rng.choice([" ", "\u00a0", ""]) + headers[j] + rng.choice([" ", "\u00a0"])
    extra = []
    if rng.random() < 0.5:
        extra.append("序号")
    if name in ("cases", "fees") and rng.random() < 0.5:
        extra.append("经办人")
    order = list(range(len(fields))) + [-(i + 1) for i in range(len(extra))]
    rng.shuffle(order)
    FILES[name] = {"format": fmt, "headers": {f: headers[i] for i, (f, _t, _a) in enumerate(fields)}, "files": []}
    style = {"bool": rng.choice(BOOL_STYLES)}
    chunks = [rows]
    if split and len(rows) > 10:
        cut = len(rows) // 2
        chunks = [rows[:cut], rows[cut:]]
    raw_rows = {}
    if fmt == "xlsx":
        hdr = [headers[i] if i >= 0 else extra[-i - 1] for i in order]
        recs = []
        for n, rec in enumerate(rows):
            cells = {f: rend.cell(t, rec.get(f), style) for (f, t, _a) in fields}
            raw_rows.setdefault(id(rec), cells)
            recs.append((n, rec, cells))

        def make(n, rec, cells):
            def cells_of(rr):
                out = []
                for ci, i in enumerate(order):
                    ref = f"{col_name(ci)}{rr}"
                    if i >= 0:
                        f, t, _a = fields[i]
                        out.append(xlsx_cell(rng, t, rec.get(f), cells[f], ref))
                    elif extra[-i - 1] == "序号":
                        out.append(f'<c r="{ref}"><v>{n + 1}</v></c>')
                return out
            return cells_of
        title = rng.choice([None, f"{rng.choice(FILE_NAMES[name])}(导出时间:2025-12-31)"])
        fname = rng.choice(FILE_NAMES[name]) + ".xlsx"
        FILES[name]["files"].append(fname)
        write_xlsx(os.path.join(export, fname), name, title, hdr, [make(*x) for x in recs],
                   shared=rng.random() < 0.5, blank_after_title=rng.random() < 0.3)
        return raw_rows
    if fmt == "jsonl":
        lines = []
        for rec in rows:
            cells = {f: rend.cell(t, rec.get(f), style) for (f, t, _a) in fields}
            raw_rows.setdefault(id(rec), cells)
            obj = {}
            for i in order:
                if i < 0:
                    continue
                f, t, _a = fields[i]
                v = rec.get(f)
                if v is None:
                    x = rng.random()
                    if x < 0.4:
                        continue
                    obj[headers[i]] = None if x < 0.7 else ""
                elif t == "bool" and rng.random() < 0.5:
                    obj[headers[i]] = bool(v)
                elif t == "int" and rng.random() < 0.5:
                    obj[headers[i]] = v
                else:
                    obj[headers[i]] = cells[f]
            lines.append(json.dumps(obj, ensure_ascii=False))
        fname = rng.choice(FILE_NAMES[name]) + ".jsonl"
        FILES[name]["files"].append(fname)
        with open(os.path.join(export, fname), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return raw_rows
    for ci, chunk in enumerate(chunks):
        tab = rng.random() < 0.2
        enc = rng.choice(["utf-8", "utf-8-sig", "gbk", "gbk"])
        base = rng.choice(FILE_NAMES[name]) + (f"_{ci + 1}" if len(chunks) > 1 else "")
        fname = base + (".txt" if tab else ".csv")
        d = export if subdir is None or ci == 0 else os.path.join(export, subdir)
        os.makedirs(d, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="\t" if tab else ",", lineterminator="\r\n" if rng.random() < 0.5 else "\n")
        w.writerow([headers[i] if i >= 0 else extra[-i - 1] for i in order])
        for n, rec in enumerate(chunk):
            cells = {}
            for (f, t, _a) in fields:
                cells[f] = rend.cell(t, rec.get(f), style)
            out = []
            for i in order:
                if i >= 0:
                    out.append(cells[fields[i][0]])
                elif extra[-i - 1] == "序号":
                    out.append(str(n + 1))
                else:
                    out.append(rng.choice(["张三", "李四", "王五", ""]))
            w.writerow(out)
            raw_rows.setdefault(id(rec), cells)
        text = buf.getvalue()
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        with open(os.path.join(d, fname), "wb") as fh:
            fh.write(data)
        FILES[name]["files"].append(os.path.relpath(os.path.join(d, fname), export) + f" ({enc})")
    return raw_rows


# ----------------------------------------------------------------------------
# generation

DEPTS = ["民政局", "人社局", "自然资源局", "住建局", "市场监管局", "卫健委", "交通运输局", "教育局",
         "公安局", "农业农村局", "水利局", "林业局", "文旅局", "招商局", "计经委", "建委", "贸易局",
         "应急管理局", "医保局", "残联"]
ITEM_NAMES = ["食品经营许可", "建设工程规划许可", "社会团体成立登记", "最低生活保障金给付", "取水许可",
              "林木采伐许可", "道路运输经营许可", "医疗机构执业登记", "民办学校办学许可", "户籍迁移",
              "建筑工程施工许可", "不动产登记", "特种设备使用登记", "营业执照核发", "养老保险关系转移",
              "残疾人证核发", "失业保险金申领", "农药经营许可", "水土保持方案审批", "临时救助"]
KIND_W = [("行政许可", 40), ("行政确认", 10), ("行政给付", 8), ("行政征收", 5), ("其他行政权力", 7),
          ("公共服务", 15), ("行政处罚", 6), ("行政检查", 4), ("行政奖励", 2), ("行政强制", 2), ("行政裁决", 1)]


def wchoice(rng, pairs):
    tot = sum(w for _, w in pairs)
    x = rng.uniform(0, tot)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


class Gen:
    def __init__(self, seed, ncases, as_of, cal):
        self.rng = random.Random(seed)
        self.seed = seed
        self.ncases = ncases
        self.as_of = as_of
        self.cal = cal
        self.catalogue, self.cases, self.fees = [], [], []
        self.units, self.staff, self.auths, self.changes = [], [], [], []
        self.ncode = 0
        self.nid = 0

    # ids ------------------------------------------------------------------
    def code(self):
        self.ncode += 1
        r = self.rng
        x = r.random()
        if x < 0.4:
            return f"0001{self.seed % 97:02d}{self.ncode:06d}"  # leading zeros: a string
        if x < 0.8:
            return f"11451000MB{self.seed % 7}{self.ncode:05d}X{r.randint(100, 999)}"
        return f"SX-{self.ncode:04d}"

    def case_id(self):
        self.nid += 1
        return f"GN{2025}{self.seed % 100:02d}{self.nid:06d}"

    def time_on(self, d):
        r = self.rng
        return DT(d.year, d.month, d.day, r.randint(8, 17), r.choice([0, 5, 12, 30, 45, 59]), r.choice([0, 0, 17, 42]))

    def workday_in(self, start, end):
        r = self.rng
        span = (end - start).days
        for _ in range(100):
            d = start + dt.timedelta(days=r.randint(0, span))
            if self.cal.is_workday(d):
                return d
        return start

    # catalogue ------------------------------------------------------------
    def item(self, **kw):
        r = self.rng
        kind = wchoice(r, KIND_W)
        in_center = r.random() < 0.7
        legal = r.choice([5, 10, 15, 20, 20, 30, 45, 60])
        promised = max(1, legal - r.choice([0, 0, 1, 5, 10])) if r.random() < 0.93 else legal + r.choice([1, 5])
        if promised > legal and legal <= 0:
            promised = legal
        fee = r.random() < 0.3
        fee_min = fee_max = None
        std = "不收费"
        if fee:
            if r.random() < 0.5:
                fee_min = Decimal(r.choice([10, 20, 50, 100, 200, 1000, 1500]))
                fee_max = fee_min * r.choice([2, 3, 5])
                std = f"{fee_min}-{fee_max}元/件"
            else:
                std = f"{r.choice([10, 50, 80, 120])}元/件"
        it = {
            "code": self.code(),
            "name": r.choice(ITEM_NAMES),
            "kind": kind,
            "dept": r.choice(DEPTS[:17]),
            "in_center": in_center,
            "exemption_ref": (f"县政办函〔20{r.randint(18, 25)}〕{r.randint(1, 99)}号"
                              if (not in_center and r.random() < 0.45) else ""),
            "window": r.choice(["常驻窗口", "综合窗口"]),
            "handling_type": wchoice(r, [("即办件", 35), ("承诺件", 50), ("联办件", 8), ("上报件", 7)]),
            "legal_days": legal,
            "promised_days": promised,
            "site_check": r.random() < 0.25,
            "collective": r.random() < 0.15,
            "fee": fee,
            "fee_standard": std,
            "fee_min": fee_min,
            "fee_max": fee_max,
            "content": "办理" + r.choice(ITEM_NAMES),
            "procedure": "申请→受理→审查→决定→送达",
            "basis": r.choice(["《中华人民共和国行政许可法》", "《社会救助暂行办法》", "《食品安全法》第三十五条"]),
            "materials": r.choice(["申请书;身份证明", "申请表、营业执照复印件", "身份证、户口簿"]),
            "online_depth": wchoice(r, [("全程网办", 50), ("一次到现场", 30), ("多次到现场", 10), ("不能网办", 10)]),
        }
        for f in ("content", "procedure", "basis", "materials", "fee_standard"):
            if r.random() < 0.03:
                it[f] = ""
        it.update(kw)
        self.catalogue.append(it)
        return it

    def gen_catalogue(self):
        r = self.rng
        n = max(40, self.ncases // 8)
        for _ in range(n):
            self.item()
        S = {}
        # boundary / special items
        S["promise10"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件", legal_days=20, promised_days=10)
        S["promise5"] = self.item(in_center=True, kind="行政确认", handling_type="承诺件", legal_days=5, promised_days=5)
        S["immediate"] = self.item(in_center=True, kind="公共服务", handling_type="即办件", legal_days=5, promised_days=1)
        S["outside"] = self.item(in_center=False, kind="行政许可", exemption_ref="县政办函〔2023〕7号", handling_type="承诺件")
        S["dual"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件")
        S["dual_old"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件")
        S["dual_web"] = self.item(in_center=True, kind="行政给付", handling_type="承诺件")
        S["fee_range"] = self.item(in_center=True, kind="行政征收", fee=True, fee_min=Decimal("50"), fee_max=Decimal("200"),
                                   fee_standard="50-200元/件", handling_type="承诺件")
        S["free"] = self.item(in_center=True, kind="行政许可", fee=False, fee_min=None, fee_max=None, fee_standard="不收费")
        S["fee_big"] = self.item(in_center=True, kind="行政许可", fee=True, fee_min=Decimal("1000"), fee_max=Decimal("5000"),
                                 fee_standard="1000-5000元/件")
        S["fee_zero_min"] = self.item(in_center=True, kind="行政征收", fee=True, fee_min=Decimal("0"), fee_max=Decimal("100"),
                                      fee_standard="0-100元/件")
        S["no_promise"] = self.item(in_center=True, kind="行政许可", promised_days=None, handling_type="承诺件")
        S["chief"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件", dept="市场监管局")
        S["unknown_center"] = self.item(in_center=None, kind="行政许可", handling_type="承诺件")
        # A002 / A003 around as_of
        S["a_to_asof"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件", site_check=False, collective=False)
        S["a_to_before"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件", site_check=False, collective=False)
        S["a_future"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件", site_check=False, collective=False)
        S["a_site_unknown"] = self.item(in_center=True, kind="行政许可", handling_type="承诺件", site_check=None, collective=False)
        S["a_site_unknown_imm"] = self.item(in_center=True, kind="行政许可", handling_type="即办件", site_check=None, collective=False)
        S["a_ht_unknown"] = self.item(in_center=True, kind="行政许可", handling_type=None, site_check=False, collective=False)
        S["multiline"] = self.item(in_center=True, kind="行政许可", materials="1.申请书\n2.身份证明,复印件")
        # E001
        self.item(kind="行政许可", in_center=False, exemption_ref="")                       # finding
        self.item(kind="行政确认", in_center=False, exemption_ref="县政办函〔2021〕3号")       # exempted
        self.item(kind="行政处罚", in_center=False, exemption_ref="")                       # out of scope
        self.item(kind=None, in_center=False, exemption_ref="")                             # undetermined
        self.item(kind=None, in_center=True)                                                # decided (no)
        self.item(kind="行政给付", in_center=None, exemption_ref="")                         # undetermined
        self.item(kind="行政处罚", in_center=None, exemption_ref="")                         # decided (no)
        # P001 / P002
        self.item(in_center=True, content="")
        self.item(in_center=True, fee_standard="")
        self.item(in_center=False, materials="")                                            # not in centre
        self.item(in_center=None, basis="")                                                 # undetermined
        self.item(legal_days=20, promised_days=21)                                          # P002
        self.item(legal_days=20, promised_days=20)                                          # equal: no
        self.item(legal_days=None, promised_days=15)                                        # P002 undetermined
        # C002: an exact duplicate, a triplicate, a conflicting duplicate
        for src, times in ((r.choice(self.catalogue[:20]), 1), (r.choice(self.catalogue[20:40]), 2)):
            for _ in range(times):
                dup = dict(src)
                self.catalogue.append(dup)
        conflict = self.item(kind="行政许可", in_center=True)
        dup = dict(conflict)
        dup.update(in_center=False, exemption_ref="", content="")
        self.catalogue.append(dup)
        S["conflict"] = conflict
        # E002 special departments
        S["dept_absent"] = self.item(kind="行政许可", dept="档案局")
        self.item(kind="行政处罚", dept="气象局", in_center=False)
        self.item(kind="行政确认", dept="地震局")
        self.item(kind="公共服务", dept="烟草专卖局")
        self.item(kind=None, dept="人防办", in_center=True)
        self.item(kind="行政检查", dept="科协", in_center=False)
        self.S = S

    # units ----------------------------------------------------------------
    def gen_units(self):
        r = self.rng
        cat_depts = sorted({it["dept"] for it in self.catalogue})
        skip = {"档案局", "人防办", "科协"}
        for d in cat_depts:
            if d in skip:
                continue
            wt = wchoice(r, [("常驻窗口", 70), ("综合窗口", 20), ("未进驻", 10)])
            if d == "气象局" or d == "地震局":
                wt = "未进驻"
            if d == "烟草专卖局":
                wt = None
            self.units.append({
                "dept": d,
                "dept_type": "垂管部门" if d in ("气象局", "地震局", "烟草专卖局", "公安局") else "县直部门",
                "window_type": wt,
                "windows": 0 if wt == "未进驻" else r.randint(1, 6),
                "front_staff": 0 if wt == "未进驻" else r.randint(1, 8),
                "back_staff": r.randint(0, 4),
                "note": r.choice(["", "", "分批进驻", "已整合至综合窗口"]),
            })
        self.units.append({"dept": "残联", "dept_type": "群团部门", "window_type": "未进驻", "windows": 0,
                           "front_staff": 0, "back_staff": 0, "note": ""})

    # authorisations -------------------------------------------------------
    def auth(self, dept, code, level, seal, vf, vt):
        r = self.rng
        signed = vf or D(2019, 3, 1)
        self.auths.append({"dept": dept, "item_code": code, "level": level, "seal": seal, "signed_at": signed,
                           "doc_ref": f"授字〔{signed.year}〕{r.randint(1, 300)}号", "valid_from": vf, "valid_to": vt})

    def gen_auths(self):
        r = self.rng
        seen = set()
        special = {id(v) for v in self.S.values()}
        for it in self.catalogue:
            pair = (it["dept"], it["code"])
            if pair in seen or id(it) in special:
                continue
            seen.add(pair)
            p = 0.85 if it["in_center"] else 0.25
            if r.random() > p:
                continue
            level = wchoice(r, [("决定", 60), ("初审", 30), ("无", 10)])
            seal = True if level != "决定" or r.random() < 0.85 else False
            x = r.random()
            if x < 0.5:
                self.auth(*pair, level, seal if level == "决定" else r.random() < 0.3,
                          r.choice([None, D(2020, 1, 1), D(2023, 5, 10)]), None)
            elif x < 0.8:
                end = D(2024, r.randint(1, 12), r.randint(1, 28))
                self.auth(*pair, "决定", True, D(2019, 1, 1), end)
                self.auth(*pair, level, seal, end + dt.timedelta(days=1), r.choice([None, D(2027, 12, 31)]))
            else:
                # only an expired authorisation (A002 fires for in-centre items)
                self.auth(*pair, "决定", True, None, D(2025, r.randint(1, 11), r.randint(1, 28)))
        S = self.S
        self.auth(S["promise10"]["dept"], S["promise10"]["code"], "决定", True, None, None)
        self.auth(S["immediate"]["dept"], S["immediate"]["code"], "决定", True, None, None)
        self.auth(S["dual"]["dept"], S["dual"]["code"], "初审", True, None, None)
        self.auth(S["fee_range"]["dept"], S["fee_range"]["code"], "决定", False, D(2022, 1, 1), None)  # A004
        self.auth(S["free"]["dept"], S["free"]["code"], "决定", None, None, None)                 # A004 undetermined
        self.auth(S["fee_big"]["dept"], S["fee_big"]["code"], None, True, None, None)             # A002 undetermined
        # A001: 市场监管局 / chief item: 决定 until 2025-03-09, then 初审
        c = S["chief"]
        self.auth(c["dept"], c["code"], "决定", True, D(2023, 1, 1), D(2025, 3, 9))
        self.auth(c["dept"], c["code"], "初审", True, D(2025, 3, 20), None)
        a = self.as_of
        self.auth(S["a_to_asof"]["dept"], S["a_to_asof"]["code"], "决定", True, D(2021, 1, 1), a)          # A003
        self.auth(S["a_to_before"]["dept"], S["a_to_before"]["code"], "决定", True, None, a - dt.timedelta(days=1))  # A002
        self.auth(S["a_future"]["dept"], S["a_future"]["code"], "决定", True, a + dt.timedelta(days=1), None)  # A002
        for k in ("a_site_unknown", "a_site_unknown_imm", "a_ht_unknown"):
            self.auth(S[k]["dept"], S[k]["code"], "决定", True, None, None)

    # cases ----------------------------------------------------------------
    def case(self, it, **kw):
        r = self.rng
        code = it["code"] if isinstance(it, dict) else it
        dept = it["dept"] if isinstance(it, dict) else r.choice(DEPTS)
        acc_d = self.workday_in(D(2024, 1, 2), D(2025, 12, 31)) if r.random() < 0.9 else \
            self.workday_in(D(2018, 6, 1), D(2023, 12, 29))
        acc = self.time_on(acc_d)
        fin = None
        if r.random() < 0.85:
            p = it.get("promised_days") if isinstance(it, dict) else None
            p = p if p is not None else 10
            k = r.choice([0, 0, 1, 2, max(0, p - 1), p, p, p + 1, p + 3]) if r.random() < 0.9 else r.randint(0, 3 * p + 1)
            fd = self.cal.add_workdays(acc_d, k)
            if fd <= self.as_of:
                fin = self.time_on(fd)
                if fin < acc:
                    fin = acc + dt.timedelta(minutes=20)
                    if fin.date() != fd:
                        fin = DT(fd.year, fd.month, fd.day, 23, 59, 0)
        result = wchoice(r, [("准予", 70), ("部分准予", 5), ("不予", 10), ("退回", 5), ("补正", 5), ("撤回", 5)])
        if fin is None:
            result = None if r.random() < 0.1 else "补正"
        joint = r.random() < 0.15
        pk = r.choice(list(LEAD_FOR)) if (joint or r.random() < 0.2) else None
        inv = None
        if pk:
            inv = Decimal(r.choice([50, 300, 800, 999, 1000, 1200, 5000, 20000]))
        lead = None
        if joint:
            lead = LEAD_FOR[pk] if (pk and r.random() < 0.7) else r.choice(DEPTS)
        c = {
            "id": self.case_id(),
            "item_code": code,
            "dept": dept if (kw or r.random() < 0.93) else r.choice(DEPTS[:17]),
            "channel": wchoice(r, [("中心窗口", 40), ("综合窗口", 25), ("网上", 20), ("自助终端", 5), ("原单位", 10)]),
            "accepted_at": acc,
            "finished_at": fin,
            "result": result,
            "decider_role": wchoice(r, [("窗口人员", 50), ("首席代表", 25), ("部门负责人", 20), ("集体研究", 5)]),
            "refusal_reason": "",
            "rights_notice": True,
            "joint": joint,
            "lead_dept": lead,
            "project_kind": pk,
            "investment": inv,
            "suspended_days": None if r.random() < 0.9 else r.randint(0, 5),
        }
        if result == "不予":
            c["refusal_reason"] = "" if r.random() < 0.25 else r.choice(["材料不齐全且逾期未补正", "不符合法定条件"])
            c["rights_notice"] = r.random() < 0.8
        else:
            c["rights_notice"] = r.choice([True, False]) if r.random() < 0.5 else True
        c.update(kw)
        self.cases.append(c)
        return c

    def gen_cases(self):
        r = self.rng
        cat = [it for it in self.catalogue]
        firsts = {}
        for it in cat:
            firsts.setdefault(it["code"], it)
        pool = [it for it in firsts.values() if it is not self.S["conflict"]]
        for _ in range(self.ncases):
            if r.random() < 0.02:
                self.case(f"XX{r.randint(10000, 99999)}")  # not in the catalogue
            else:
                self.case(r.choice(pool))
        S, cal = self.S, self.cal
        base = dict(suspended_days=None, result="准予", decider_role="窗口人员", joint=False, project_kind=None,
                    investment=None, lead_dept=None, channel="中心窗口")

        def at(d, h=10, m=0):
            return DT(d.year, d.month, d.day, h, m)

        # H003 around 春节 2025 (1-26 Sunday and 2-8 Saturday are working days) and 国庆 2025
        for acc_d in (D(2025, 1, 20), D(2025, 1, 24), D(2025, 9, 26), D(2025, 4, 30)):
            for k, susp in ((10, None), (11, None), (12, 2), (12, 1), (11, 0)):
                fd = cal.add_workdays(acc_d, k)
                self.case(S["promise10"], **{**base, "accepted_at": at(acc_d, 16, 30), "finished_at": at(fd, 9),
                                             "suspended_days": susp})
        # a case finished on a 调休 working Sunday and one on the following day
        self.case(S["promise5"], **{**base, "accepted_at": at(D(2025, 1, 20)), "finished_at": at(D(2025, 1, 26))})
        self.case(S["promise5"], **{**base, "accepted_at": at(D(2025, 1, 17)), "finished_at": at(D(2025, 1, 26))})
        self.case(S["promise5"], **{**base, "accepted_at": at(D(2025, 9, 22)), "finished_at": at(D(2025, 9, 28))})
        self.case(S["promise5"], **{**base, "accepted_at": at(D(2025, 9, 19)), "finished_at": at(D(2025, 9, 28))})
        # unfinished at as_of: exactly 10 / 11 working days
        for k in (10, 11):
            a = cal.sub_workdays(self.as_of, k)
            self.case(S["promise10"], **{**base, "accepted_at": at(a), "finished_at": None, "result": None})
        # H003 needing a value: promised_days missing, accepted_at missing, item unknown
        self.case(S["no_promise"], **{**base, "accepted_at": at(D(2025, 6, 3)), "finished_at": at(D(2025, 6, 30))})
        self.case(S["promise10"], **{**base, "accepted_at": None, "finished_at": at(D(2025, 7, 30))})
        self.case("ZZ0001", **{**base, "dept": "民政局", "accepted_at": at(D(2025, 5, 6)), "finished_at": at(D(2025, 5, 20))})
        self.case("ZZ0002", **{**base, "dept": "民政局", "accepted_at": at(D(2018, 5, 31)), "finished_at": at(D(2018, 6, 5)),
                               "channel": "网上"})
        # H003 before gangnan-2017: not checked (hugely overdue)
        self.case(S["promise10"], **{**base, "accepted_at": at(D(2016, 3, 1)), "finished_at": at(D(2016, 9, 1))})
        # H004
        imm = S["immediate"]
        self.case(imm, **{**base, "accepted_at": at(D(2025, 3, 3), 9), "finished_at": at(D(2025, 3, 3), 17)})
        self.case(imm, **{**base, "accepted_at": at(D(2025, 3, 3), 16), "finished_at": at(D(2025, 3, 4), 9)})
        self.case(imm, **{**base, "accepted_at": at(self.as_of, 9), "finished_at": None, "result": None})
        self.case(imm, **{**base, "accepted_at": at(self.as_of - dt.timedelta(days=1), 17), "finished_at": None, "result": None})
        self.case(imm, **{**base, "accepted_at": None, "finished_at": at(D(2025, 3, 5))})
        self.case(imm, **{**base, "accepted_at": at(D(2017, 12, 14)), "finished_at": at(D(2017, 12, 20))})
        self.case(imm, **{**base, "accepted_at": at(D(2017, 12, 15)), "finished_at": at(D(2017, 12, 18))})
        self.case("ZZ0003", **{**base, "dept": "民政局", "accepted_at": at(D(2025, 5, 6)), "finished_at": at(D(2025, 5, 6), 15)})
        self.case(imm, **{**base, "accepted_at": at(D(2025, 3, 10), 23, 50), "finished_at": DT(2025, 3, 11, 0, 5)})
        self.case(imm, **{**base, "accepted_at": DT(2025, 3, 12, 0, 1), "finished_at": DT(2025, 3, 12, 23, 59)})
        # H006 on both sides of sandu-2018's date
        self.case("ZZ0005", **{**base, "dept": "民政局", "channel": "网上", "accepted_at": at(D(2018, 6, 1)),
                               "finished_at": at(D(2018, 6, 1), 15)})
        # an item whose in_center is unknown: H001 / H002 undetermined
        u = S["unknown_center"]
        self.case(u, **{**base, "channel": "中心窗口", "accepted_at": at(D(2025, 6, 9))})
        self.case(u, **{**base, "channel": "原单位", "accepted_at": at(D(2025, 6, 10))})
        self.case(u, **{**base, "channel": "网上", "dept": "教育局" if u["dept"] != "教育局" else "林业局",
                        "accepted_at": at(D(2025, 6, 10))})
        # H001 / H002
        d = S["dual"]
        self.case(d, **{**base, "channel": "综合窗口", "accepted_at": at(D(2025, 2, 10))})
        self.case(d, **{**base, "channel": "原单位", "accepted_at": at(D(2025, 2, 11))})
        self.case(d, **{**base, "channel": "原单位", "dept": "自然资源局" if d["dept"] != "自然资源局" else "水利局",
                        "accepted_at": at(D(2025, 2, 12))})
        self.case(S["outside"], **{**base, "channel": "原单位", "accepted_at": at(D(2025, 2, 12))})
        self.case(S["outside"], **{**base, "channel": "中心窗口", "accepted_at": at(D(2025, 2, 13))})
        o = S["dual_old"]
        self.case(o, **{**base, "channel": "中心窗口", "accepted_at": at(D(2025, 4, 14))})
        self.case(o, **{**base, "channel": "原单位", "accepted_at": at(D(2015, 4, 14)), "finished_at": at(D(2015, 4, 15))})
        w = S["dual_web"]
        self.case(w, **{**base, "channel": "网上", "accepted_at": at(D(2025, 4, 14))})
        self.case(w, **{**base, "channel": "自助终端", "accepted_at": at(D(2025, 4, 15))})
        self.case(w, **{**base, "channel": "原单位", "accepted_at": at(D(2025, 4, 16))})
        self.case(w, **{**base, "channel": None, "accepted_at": at(D(2025, 4, 17))})
        self.case("ZZ0004", **{**base, "dept": "人社局", "channel": "中心窗口", "accepted_at": at(D(2025, 8, 4)),
                               "finished_at": at(D(2025, 8, 4), 15)})
        self.case("ZZ0004", **{**base, "dept": "人社局", "channel": "原单位", "accepted_at": at(D(2025, 8, 5)),
                               "finished_at": at(D(2025, 8, 5), 15)})
        self.case(S["promise10"], **{**base, "channel": "原单位", "accepted_at": at(D(2010, 4, 1)),
                                     "finished_at": at(D(2010, 4, 2))})  # H001 applies (dazu-2002)
        self.case(S["promise10"], **{**base, "channel": "原单位", "accepted_at": at(D(2002, 6, 3)),
                                     "finished_at": at(D(2002, 6, 4))})  # nothing applies
        # H005
        for day, reason, notice in ((D(2025, 7, 1), "", True), (D(2025, 7, 2), "不符合法定条件", False),
                                    (D(2025, 7, 3), "不符合法定条件", True), (D(2025, 7, 4), "不符合法定条件", None),
                                    (D(2025, 7, 7), "", None), (D(2018, 5, 31), "", False), (D(2018, 6, 1), "", True)):
            self.case(S["promise10"], **{**base, "result": "不予", "refusal_reason": reason, "rights_notice": notice,
                                         "accepted_at": at(day), "finished_at": at(day, 15)})
        self.case(S["promise10"], **{**base, "result": None, "refusal_reason": "", "rights_notice": True,
                                     "accepted_at": at(D(2025, 7, 8)), "finished_at": at(D(2025, 7, 8), 15)})
        self.case(S["promise10"], **{**base, "result": None, "refusal_reason": "", "rights_notice": False,
                                     "accepted_at": at(D(2025, 7, 9)), "finished_at": at(D(2025, 7, 9), 15)})
        # A001: 决定 valid 2023-01-01..2025-03-09, gap, 初审 from 2025-03-20
        c = S["chief"]
        chief = {**base, "decider_role": "首席代表"}
        for day in (D(2025, 3, 7), D(2025, 3, 9), D(2025, 3, 10), D(2025, 3, 20), D(2022, 12, 30), D(2017, 12, 14), D(2023, 1, 1), D(2017, 12, 15)):
            self.case(c, **{**chief, "accepted_at": at(day), "finished_at": at(day, 16)})
        self.case(c, **{**chief, "accepted_at": None, "finished_at": at(D(2025, 3, 12), 16)})
        self.case(c, **{**chief, "dept": "公安局", "accepted_at": at(D(2025, 2, 3)), "finished_at": at(D(2025, 2, 5))})
        self.case(c, **{**base, "decider_role": None, "accepted_at": at(D(2025, 3, 7)), "finished_at": at(D(2025, 3, 7), 16)})
        self.case(c, **{**base, "decider_role": None, "accepted_at": at(D(2025, 3, 21)), "finished_at": at(D(2025, 3, 21), 16)})
        # J001 / J002
        for pk, lead, joint, inv in (("招商引资", "招商局", True, Decimal(10)), ("招商引资", "商务局", True, Decimal(10)),
                                     ("基建", "计经委", True, Decimal(2000)), ("外商投资", "贸易局", True, None),
                                     ("城市公用设施", "住建局", True, Decimal(300)), ("基建", None, False, Decimal(1000)),
                                     ("基建", None, False, Decimal("999.99")), ("招商引资", None, False, Decimal(10)),
                                     (None, None, False, Decimal(5000)), ("房地产", None, False, None),
                                     ("招商引资", None, None, None), (None, "招商局", True, Decimal(20)),
                                     ("技术改造", None, True, Decimal(20)), ("技术改造", "计经委", None, Decimal(20)),
                                     ("房地产", None, None, Decimal(1000))):
            self.case(S["promise10"], **{**base, "project_kind": pk, "lead_dept": lead, "joint": joint,
                                         "investment": inv, "accepted_at": at(D(2025, 11, 3)),
                                         "finished_at": at(D(2025, 11, 4))})
        self.case(S["promise10"], **{**base, "project_kind": "基建", "investment": Decimal(5000), "joint": False,
                                     "accepted_at": at(D(2002, 6, 3)), "finished_at": at(D(2002, 6, 5))})
        self.case(S["promise10"], **{**base, "project_kind": "基建", "investment": Decimal(5000), "joint": False,
                                     "accepted_at": at(D(2003, 1, 6)), "finished_at": at(D(2003, 1, 8))})

    # fees -----------------------------------------------------------------
    def gen_fees(self):
        r = self.rng
        firsts = {}
        for it in self.catalogue:
            firsts.setdefault(it["code"], it)
        n = 0

        def fee(**kw):
            nonlocal n
            n += 1
            f = {"id": f"FS{self.seed % 100:02d}{n:07d}", "case_id": None, "item_code": None, "dept": None,
                 "amount": Decimal(0), "paid_at": None, "place": "政务服务中心", "collector": "财政",
                 "waiver": Decimal(0), "waiver_ref": ""}
            f.update(kw)
            self.fees.append(f)
            return f

        for c in self.cases:
            if r.random() > 0.3 or c["accepted_at"] is None or c["accepted_at"].date() < D(2003, 1, 1):
                continue
            it = firsts.get(c["item_code"])
            amount = Decimal(0)
            if it is not None and it["fee"]:
                if it["fee_min"] is not None:
                    amount = r.choice([it["fee_min"], it["fee_min"], it["fee_max"], it["fee_min"] + Decimal("0.5")])
                else:
                    amount = Decimal(r.choice([10, 50, 80, 120]))
            elif r.random() < 0.1:
                amount = Decimal(r.choice([20, 50]))
            waiver = Decimal(0)
            ref = ""
            if r.random() < 0.1:
                waiver = Decimal(r.choice([5, 10, 20]))
                ref = f"减字〔2025〕{r.randint(1, 50)}号" if r.random() < 0.6 else ""
            fee(case_id=c["id"], item_code=c["item_code"], dept=c["dept"], amount=amount,
                paid_at=c["accepted_at"] + dt.timedelta(minutes=r.randint(5, 120)),
                place="原单位" if r.random() < 0.07 else "政务服务中心",
                collector="部门" if r.random() < 0.1 else "财政", waiver=waiver, waiver_ref=ref)
        S = self.S
        fr, free, big = S["fee_range"], S["free"], S["fee_big"]
        t = DT(2025, 6, 16, 10, 0)
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("50"), paid_at=t)              # = fee_min: no
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("50.01"), paid_at=t)           # F004
        fee(item_code=big["code"], dept=big["dept"], amount=Decimal("1200"), paid_at=t)          # F004 (1,200元)
        fee(item_code=big["code"], dept=big["dept"], amount=Decimal("1000"), paid_at=t)          # no
        fee(item_code=free["code"], dept=free["dept"], amount=Decimal("30"), paid_at=t)          # F003
        fee(item_code=free["code"], dept=free["dept"], amount=Decimal("0"), paid_at=t)           # no
        fee(item_code=free["code"], dept=free["dept"], amount=None, paid_at=t)                   # F003 undetermined
        fee(item_code="ZZ0009", dept="民政局", amount=Decimal("40"), paid_at=t)                    # F003/F004 undetermined
        fee(item_code="ZZ0009", dept="民政局", amount=Decimal("0"), paid_at=t)                     # F003 no, F004 undet.
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("60"), paid_at=t, place="原单位", collector="部门",
            waiver=Decimal("10"), waiver_ref="")                                                # F001 F002 F004 F005
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("60"), paid_at=DT(2002, 6, 14, 9, 0), place="原单位",
            collector="部门", waiver=Decimal("10"), waiver_ref="")                              # before dazu: nothing
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("60"), paid_at=None, place="原单位",
            collector="财政", waiver=Decimal("0"))                                              # undated: F001 F004
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("50"), paid_at=t, place=None, collector=None,
            waiver=None, waiver_ref="")                                                         # undetermined F001 F002 F005
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("50"), paid_at=t, waiver=None,
            waiver_ref="减字〔2025〕9号")                                                        # F005 no
        fee(item_code=fr["code"], dept=fr["dept"], amount=Decimal("50"), paid_at=t, waiver=Decimal("5"),
            waiver_ref="减字〔2025〕8号")                                                        # F005 no
        z = S["fee_zero_min"]
        fee(item_code=z["code"], dept=z["dept"], amount=Decimal("10"), paid_at=t)              # F004 (> 0)
        fee(item_code=z["code"], dept=z["dept"], amount=Decimal("0"), paid_at=t)               # no
        for day in (D(2002, 12, 30), D(2002, 12, 31)):                                   # dazu-2002's date
            fee(item_code=free["code"], dept=free["dept"], amount=Decimal("30"), paid_at=DT(day.year, day.month, day.day, 9),
                place="原单位", collector="部门", waiver=Decimal("3"), waiver_ref="")

    # staff ----------------------------------------------------------------
    def gen_staff(self):
        r = self.rng
        n = 0

        def person(**kw):
            nonlocal n
            n += 1
            start = D(r.randint(2015, 2025), r.randint(1, 12), r.randint(1, 28))
            age = r.randint(24, 52)
            birth = D(start.year - age, r.randint(1, 12), r.randint(1, 28))
            end = None
            reason = None
            if r.random() < 0.3:
                end = start + dt.timedelta(days=r.randint(100, 1500))
                if end > D(2025, 12, 31):
                    end = None
                else:
                    reason = r.choice(["轮岗", "退回", "调动", "退休", None])
            s = {"id": f"RY{n:04d}", "name": r.choice(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆"]),
                 "dept": r.choice(DEPTS[:17]), "role": wchoice(r, [("前台", 60), ("后台", 25), ("首席代表", 10), ("首席审批员", 5)]),
                 "birth_date": birth, "establishment": wchoice(r, [("公务员", 40), ("参公", 15), ("事业编制", 30), ("编外", 15)]),
                 "cadre": r.random() < 0.2, "senior_title": r.random() < 0.2,
                 "rank": wchoice(r, [("正职", 10), ("副职", 20), ("中层", 30), ("一般", 40)]),
                 "start_date": start, "end_date": end, "end_reason": reason}
            s.update(kw)
            self.staff.append(s)
            return s

        for _ in range(40):
            person()
        st = D(2024, 3, 15)

        def born(age, delta=0):
            return D(st.year - age, st.month, st.day) + dt.timedelta(days=delta)

        F = dict(cadre=False, senior_title=False, start_date=st, end_date=None, end_reason=None)
        person(**F, birth_date=born(45))                     # 45 on the day: no
        person(**F, birth_date=born(46))                     # 46 on the day: yes
        person(**F, birth_date=born(46, 1))                  # 46 tomorrow: no
        person(**{**F, "cadre": True}, birth_date=born(50))  # no
        person(**{**F, "cadre": True}, birth_date=born(51))  # yes
        person(**{**F, "senior_title": True}, birth_date=born(48))  # no
        person(**{**F, "cadre": None}, birth_date=born(47))  # undetermined
        person(**{**F, "cadre": None}, birth_date=born(44))  # no
        person(**{**F, "cadre": None}, birth_date=born(52))  # yes
        person(**{**F, "cadre": None, "senior_title": True}, birth_date=born(49))  # no
        person(**F, birth_date=None)                         # undetermined
        person(**{**F, "start_date": None}, birth_date=born(30))  # undetermined (S001)
        # S002
        person(establishment="编外")
        person(establishment=None)
        # S003
        person(start_date=st, end_date=D(2025, 3, 14), end_reason="轮岗")   # yes
        person(start_date=st, end_date=D(2025, 3, 14), end_reason="退回")   # no
        person(start_date=st, end_date=D(2025, 3, 15), end_reason="调动")   # no
        person(start_date=st, end_date=D(2024, 9, 1), end_reason=None)     # yes (empty reason is a value)
        person(start_date=None, end_date=D(2024, 9, 1), end_reason="调动", birth_date=born(30))  # undetermined
        person(start_date=None, end_date=D(2024, 9, 1), end_reason="退回", birth_date=born(30))  # no
        # S004
        person(role="首席审批员", rank="中层")
        person(role="首席审批员", rank="副职")
        person(role="首席审批员", rank=None)
        person(role="首席代表", rank="一般")
        person(role=None, rank="正职")

    # changes --------------------------------------------------------------
    def gen_changes(self):
        r = self.rng
        cal = self.cal
        n = 0
        codes = [it["code"] for it in self.catalogue]

        def change(**kw):
            nonlocal n
            n += 1
            pub = self.workday_in(D(2018, 1, 2), D(2025, 11, 28))
            filed = cal.add_workdays(pub, r.choice([0, 1, 3, 5, 8, 10, 10, 11, 12, 20]))
            if r.random() < 0.1 or filed > self.as_of:
                filed = None
            ct = wchoice(r, [("新增", 30), ("取消", 15), ("下放", 10), ("调整", 30), ("撤出中心", 15)])
            c = {"id": f"TZ{2025}{n:04d}", "item_code": r.choice(codes), "change_type": ct, "published_at": pub,
                 "filed_at": filed, "approval_ref": (f"县政函〔2025〕{r.randint(1, 99)}号" if r.random() < 0.6 else "")}
            c.update(kw)
            self.changes.append(c)

        for _ in range(35):
            change()
        for pub in (D(2025, 1, 20), D(2025, 9, 25), D(2025, 3, 3)):
            change(published_at=pub, filed_at=cal.add_workdays(pub, 10), change_type="调整")
            change(published_at=pub, filed_at=cal.add_workdays(pub, 11), change_type="调整")
        change(published_at=D(2025, 1, 24), filed_at=D(2025, 2, 10), change_type="新增")   # across 春节
        change(published_at=D(2016, 5, 3), filed_at=None, change_type="撤出中心", approval_ref="")   # before gangnan
        change(published_at=D(2017, 12, 15), filed_at=None, change_type="撤出中心", approval_ref="")  # in force
        change(published_at=None, filed_at=None, change_type="调整")                     # C001 fires
        change(published_at=None, filed_at=D(2025, 4, 1), change_type="调整")            # C001 undetermined
        change(change_type=None, approval_ref="")                                       # E003 undetermined
        change(change_type=None, approval_ref="县政函〔2025〕5号")                         # E003 no
        change(change_type="撤出中心", approval_ref="县政函〔2025〕6号")                    # no
        for pub in (D(2025, 2, 1), D(2025, 10, 4)):                                      # published on a holiday
            change(published_at=pub, filed_at=cal.add_workdays(pub, 10), change_type="调整")
            change(published_at=pub, filed_at=cal.add_workdays(pub, 11), change_type="调整")
        change(published_at=D(2017, 12, 14), filed_at=None, change_type="撤出中心", approval_ref="")  # not in force

    def generate(self):
        self.gen_catalogue()
        self.gen_units()
        self.gen_auths()
        self.gen_cases()
        self.gen_fees()
        self.gen_staff()
        self.gen_changes()


# ----------------------------------------------------------------------------
# evaluation: the catalogue's semantics, independently


def date_of(v):
    if v is None:
        return None
    return v.date() if isinstance(v, DT) else v


def applies(code, event_date):
    return event_date is None or event_date >= IN_FORCE[code]


def age_on(birth, on):
    if birth is None or on is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class Evaluator:
    def __init__(self, g, as_of, cal):
        self.g, self.as_of, self.cal = g, as_of, cal
        self.first = {}
        for it in g.catalogue:
            self.first.setdefault(it["code"], it)
        self.auth_by_pair = {}
        for a in g.auths:
            self.auth_by_pair.setdefault((a["dept"], a["item_code"]), []).append(a)
        self.out = {c: {} for c in CODES}  # code -> key tuple -> verdict (True wins over None)
        self.h003 = {}  # id(case) -> H003 verdict (True / False / None) for the cases H003 applies to

    def put(self, code, key, v):
        if v is False:
            return
        k = tuple(key)
        if v is True:
            self.out[code][k] = True
        elif self.out[code].get(k) is not True:
            self.out[code][k] = None

    def valid_auth(self, dept, code, on):
        rows = [a for a in self.auth_by_pair.get((dept, code), [])
                if (a["valid_from"] is None or a["valid_from"] <= on) and (a["valid_to"] is None or a["valid_to"] >= on)]
        assert len(rows) <= 1, (dept, code, on, rows)
        return rows[0] if rows else None

    def item_field(self, code, field):
        it = self.first.get(code)
        return None if it is None else it.get(field)

    def run(self):
        g, cal, as_of = self.g, self.cal, self.as_of
        # catalogue ---------------------------------------------------------
        counts = {}
        for it in g.catalogue:
            counts[it["code"]] = counts.get(it["code"], 0) + 1
        for it in g.catalogue:
            key = [it["code"]]
            kind = it["kind"]
            in_scope = None if kind is None else kind in IN_SCOPE
            inc = it["in_center"]
            self.put("E001", key, AND(in_scope, EQ(inc, False), empty(it["exemption_ref"])))
            a = self.valid_auth(it["dept"], it["code"], as_of)
            level = None if a is None else a["level"]
            self.put("A002", key, AND(EQ(inc, True), OR(a is None, None if a is None else EQ(level, "无"))))
            if a is not None:
                ht = it["handling_type"]
                self.put("A003", key, AND(EQ(level, "决定"), EQ(it["site_check"], False), EQ(it["collective"], False),
                                          None if ht is None else ht != "即办件"))
            six = [empty(it[f]) for f in ("content", "procedure", "basis", "materials", "promised_days", "fee_standard")]
            self.put("P001", key, AND(EQ(inc, True), any(six)))
            self.put("P002", key, GT(it["promised_days"], it["legal_days"]))
            self.put("C002", key, counts[it["code"]] > 1)
        # units (E002) -------------------------------------------------------
        units = {u["dept"]: u for u in g.units}
        by_dept = {}
        for it in g.catalogue:
            by_dept.setdefault(it["dept"], []).append(None if it["kind"] is None else it["kind"] in IN_SCOPE)
        for dept, flags in by_dept.items():
            implements = ANY(flags)
            u = units.get(dept)
            not_stationed = True if u is None else EQ(u["window_type"], "未进驻")
            self.put("E002", [dept], AND(implements, not_stationed))
        # authorizations (A004) ----------------------------------------------
        for a in g.auths:
            self.put("A004", [a["dept"], a["item_code"]], AND(EQ(a["level"], "决定"), EQ(a["seal"], False)))
        # changes -----------------------------------------------------------
        for c in g.changes:
            key = [c["id"]]
            pub = c["published_at"]
            if applies("E003", pub):
                self.put("E003", key, AND(EQ(c["change_type"], "撤出中心"), empty(c["approval_ref"])))
            if applies("C001", pub):
                late = None
                if c["filed_at"] is not None and pub is not None:
                    late = cal.workdays(pub, c["filed_at"]) > 10
                self.put("C001", key, OR(c["filed_at"] is None, late))
        # staff ------------------------------------------------------------
        for s in g.staff:
            key = [s["id"]]
            age = age_on(s["birth_date"], s["start_date"])
            senior = OR(s["cadre"], s["senior_title"])
            # limit 50 if senior else 45
            over = None
            if age is not None:
                if senior is True:
                    over = age > 50
                elif senior is False:
                    over = age > 45
                else:
                    over = True if age > 50 else (False if age <= 45 else None)
            self.put("S001", key, over)
            est = s["establishment"]
            self.put("S002", key, None if est is None else est not in ESTABLISHED)
            early = None
            if s["end_date"] is not None and s["start_date"] is not None:
                st = s["start_date"]
                early = s["end_date"] < D(st.year + 1, st.month, st.day)
            self.put("S003", key, AND(s["end_date"] is not None, early, s["end_reason"] != "退回"))
            rank = s["rank"]
            self.put("S004", key, AND(EQ(s["role"], "首席审批员"), None if rank is None else rank not in ("正职", "副职")))
        # cases ------------------------------------------------------------
        groups = {}
        for c in g.cases:
            key = [c["id"]]
            acc = date_of(c["accepted_at"])
            fin = date_of(c["finished_at"])
            code = c["item_code"]
            known = code in self.first
            inc = self.item_field(code, "in_center")
            ch = c["channel"]
            if applies("H001", acc):
                self.put("H001", key, AND(EQ(inc, True), EQ(ch, "原单位")))
            if applies("H002", acc):
                groups.setdefault((c["dept"], code), []).append(c)
            if applies("H003", acc):
                p = self.item_field(code, "promised_days")
                susp = c["suspended_days"] or 0
                v = None
                if acc is not None and p is not None:
                    end = fin if fin is not None else as_of
                    v = cal.workdays(acc, end) - susp > p
                self.put("H003", key, v)
                self.h003[id(c)] = v
            if applies("H004", acc):
                ht = self.item_field(code, "handling_type")
                later = None
                if acc is not None:
                    later = fin > acc if fin is not None else as_of > acc
                elif fin is not None:
                    later = None
                self.put("H004", key, AND(EQ(ht, "即办件"), later))
            if applies("H005", acc):
                self.put("H005", key, AND(EQ(c["result"], "不予"),
                                          OR(empty(c["refusal_reason"]), EQ(c["rights_notice"], False))))
            if applies("H006", acc):
                self.put("H006", key, not known)
            if applies("A001", acc):
                bad = None
                if acc is not None:
                    a = self.valid_auth(c["dept"], code, acc)
                    bad = True if a is None else NOT(EQ(a["level"], "决定"))
                self.put("A001", key, AND(EQ(c["decider_role"], "首席代表"), bad))
            if applies("J001", acc):
                pk = c["project_kind"]
                lead = LEAD_FOR.get(pk) if pk is not None else None
                differs = None if (lead is None or c["lead_dept"] is None) else c["lead_dept"] != lead
                self.put("J001", key, AND(EQ(c["joint"], True), differs))
            if applies("J002", acc):
                pk = c["project_kind"]
                inv = c["investment"]
                big = OR(EQ(pk, "招商引资"), None if inv is None else inv >= Decimal(1000))
                self.put("J002", key, AND(pk is not None, big, EQ(c["joint"], False)))
        for (dept, code), cs in groups.items():
            inc = self.item_field(code, "in_center")
            centre = ANY([None if c["channel"] is None else c["channel"] in CENTRE for c in cs])
            orig = ANY([EQ(c["channel"], "原单位") for c in cs])
            self.put("H002", [dept, code], AND(EQ(inc, True), centre, orig))
        # fees -------------------------------------------------------------
        for f in g.fees:
            key = [f["id"]]
            paid = date_of(f["paid_at"])
            if not applies("F001", paid):
                continue
            it = self.first.get(f["item_code"])
            amt = f["amount"]
            self.put("F001", key, EQ(f["place"], "原单位"))
            self.put("F002", key, None if f["collector"] is None else f["collector"] != "财政")
            self.put("F003", key, AND(GT(amt, Decimal(0)), None if it is None else EQ(it["fee"], False)))
            if it is None:
                has_min, fmin = None, None
            else:
                has_min, fmin = it["fee_min"] is not None, it["fee_min"]
            self.put("F004", key, AND(has_min, GT(amt, fmin) if (has_min is not False) else False))
            self.put("F005", key, AND(GT(f["waiver"], Decimal(0)), empty(f["waiver_ref"])))
        return self.out

    def metrics(self):
        """M01-M07: per metric, the centre row (dept None) and one row per department, each
        [numerator, denominator, undetermined]; and the records behind every row (their keys),
        for the test's diagnostics.  `inside` is the record's membership in the denominator,
        `hit` the numerator's condition, both three-valued (see the docstring, 24-33)."""
        g, as_of = self.g, self.as_of
        rows = {m: {None: [0, 0, 0]} for m in METRICS}
        recs = {m: {} for m in METRICS}

        def count(m, dept, key, inside, hit):
            if inside is False:
                return
            slot = 2 if inside is None or hit is None else (0 if hit else 1)
            for d in (None,) if dept is None else (None, dept):
                row = rows[m].setdefault(d, [0, 0, 0])
                if slot == 0:
                    row[0] += 1
                    row[1] += 1
                else:
                    row[slot] += 1
                recs[m].setdefault("" if d is None else d, [[], [], []])[slot].append(key)

        # items: once per code, as its first row; the item's dept
        for code, it in self.first.items():
            kind, inc, dept = it["kind"], it["in_center"], it["dept"]
            in_scope = None if kind is None else kind in IN_SCOPE
            count("M01", dept, code, in_scope, OR(EQ(inc, True), not empty(it["exemption_ref"])))
            a = self.valid_auth(dept, code, as_of)
            count("M02", dept, code, EQ(inc, True), False if a is None else EQ(a["level"], "决定"))
            count("M03", dept, code, EQ(inc, True), EQ(it["handling_type"], "即办件"))
            count("M06", dept, code, EQ(kind, "公共服务"), EQ(it["online_depth"], "全程网办"))
        # cases: the case's dept
        for c in g.cases:
            acc, fin = date_of(c["accepted_at"]), date_of(c["finished_at"])
            dept, key = c["dept"], c["id"]
            overdue = self.h003.get(id(c), False)  # H003 not in force on the acceptance date: not overdue
            count("M04", dept, key, fin is not None, NOT(overdue))
            same_day = False if fin is None else (None if acc is None else fin == acc)
            count("M05", dept, key, True, same_day)
            count("M07", dept, key, EQ(self.item_field(c["item_code"], "in_center"), True),
                  EQ(c["channel"], "原单位"))
        out = []
        for m in METRICS:
            for d in sorted(rows[m], key=lambda x: (x is not None, x or "")):
                n, den, und = rows[m][d]
                out.append({"id": m, "dept": d, "numerator": n, "denominator": den, "undetermined": und})
        return out, recs


# ----------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--as-of", default="2025-12-31")
    ap.add_argument("--formats", choices=["csv", "mixed"], default="mixed",
                    help="csv: CSV/TXT files only; mixed: some small datasets as .xlsx (title row, serial "
                         "dates, typed cells) or .jsonl")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--holidays", default=os.path.normpath(os.path.join(here, "../../../shared/data/holiday-cn")))
    args = ap.parse_args()
    as_of = D.fromisoformat(args.as_of)
    if as_of < D(2025, 12, 31):
        raise SystemExit("oracle: --as-of must be 2025-12-31 or later (the generated events run to 2025-12-31)")
    cal = Calendar(args.holidays)
    g = Gen(args.seed, args.cases, as_of, cal)
    g.generate()
    ev = Evaluator(g, as_of, cal)
    out = ev.run()
    metrics, metric_records = ev.metrics()

    export = os.path.join(args.out, "export")
    os.makedirs(export, exist_ok=True)
    rng = random.Random(args.seed * 7919 + 1)
    rend = Renderer(rng, args.seed)
    rows = {}
    small = ["catalogue", "units", "authorizations", "fees", "staff", "changes"]
    forced = {}
    if args.formats == "mixed":  # at least one .jsonl and one .xlsx dataset
        a, b = rng.sample(small, 2)
        forced = {a: "jsonl", b: "xlsx"}
    for name, recs, split, sub in (("catalogue", g.catalogue, False, None), ("units", g.units, False, None),
                                   ("authorizations", g.auths, False, None),
                                   ("cases", g.cases, args.seed % 2 == 1, "2025年"),
                                   ("fees", g.fees, False, None), ("staff", g.staff, False, None),
                                   ("changes", g.changes, False, None)):
        fmt = "csv"
        if args.formats == "mixed" and name != "cases":
            fmt = forced.get(name) or wchoice(rng, [("csv", 70), ("xlsx", 20), ("jsonl", 10)])
        raw = write_dataset(rng, rend, export, name, recs, split=split, subdir=sub, fmt=fmt)
        keyf = {"units": ["dept"], "authorizations": ["dept", "item_code"], "catalogue": ["code"]}.get(name, ["id"])
        d = rows.setdefault(name, {})
        for rec in recs:
            d.setdefault("|".join(str(rec[k]) for k in keyf), []).append(raw[id(rec)])
        if name == "cases":
            for rec in recs:
                rows.setdefault("cases-groups", {}).setdefault(f"{rec['dept']}|{rec['item_code']}", []).append(raw[id(rec)])
    expected = {
        "as_of": as_of.isoformat(),
        "findings": {c: sorted([list(k) for k, v in out[c].items() if v is True]) for c in CODES},
        "undetermined": {c: sorted([list(k) for k, v in out[c].items() if v is None]) for c in CODES},
        "datasets": CODES,
        "files": FILES,
        "rows": rows,
        "metrics": metrics,
        "metric_records": metric_records,
    }
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(expected, fh, ensure_ascii=False, indent=1)
    nf = sum(len(v) for v in expected["findings"].values())
    nu = sum(len(v) for v in expected["undetermined"].values())
    print(f"oracle: seed {args.seed}: {len(g.cases)} cases, {len(g.catalogue)} catalogue rows, "
          f"{nf} findings, {nu} undetermined", file=sys.stderr)


if __name__ == "__main__":
    main()
