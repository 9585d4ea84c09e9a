"""The reference of `benches/audit_vs_duckdb.sh`: three of yimen's checks as
DuckDB SQL over the same generated export.

1. cases of in-centre items taken at 原单位 (H001);
2. overdue in working days, with a calendar join (H003);
3. dual-track groups (H002) and the on-time ratio per department (M04).

Usage: python3 duckdb_checks.py EXPORT_DIR HOLIDAY_CN_DIR AS_OF
Prints one line per check with its row count, so that the work cannot be
optimised away, and the total wall time.
"""
import datetime
import glob
import json
import os
import sys
import time

import duckdb

export, holidays, as_of = sys.argv[1], sys.argv[2], sys.argv[3]

# The working-day calendar: official exceptions, weekends otherwise.
exceptions = {}
for path in sorted(glob.glob(os.path.join(holidays, "*.json"))):
    with open(path, encoding="utf-8") as f:
        for d in json.load(f)["days"]:
            exceptions[d["date"]] = not d["isOffDay"]
rows = []
day = datetime.date(2000, 1, 1)
cum = 0
while day <= datetime.date(2040, 12, 31):
    iso = day.isoformat()
    work = exceptions.get(iso, day.weekday() < 5)
    cum += 1 if work else 0
    rows.append((day, cum))
    day += datetime.timedelta(days=1)

start = time.perf_counter()
con = duckdb.connect()
con.execute("CREATE TABLE cal (d DATE, cum INTEGER)")
con.executemany("INSERT INTO cal VALUES (?, ?)", rows)
cases = os.path.join(export, "cases.csv")
catalogue = os.path.join(export, "事项目录.csv")
con.execute(f"CREATE VIEW cases AS SELECT * FROM read_csv('{cases}', header=true, all_varchar=true)")
con.execute(f"CREATE TABLE catalogue AS SELECT * FROM read_csv('{catalogue}', header=true, all_varchar=true)")

h001 = con.execute(
    """SELECT count(*) FROM cases c JOIN catalogue i ON c."事项编码" = i."事项编码"
       WHERE i."是否进驻中心" = '是' AND c."受理渠道" = '原单位'"""
).fetchone()[0]
print(f"in-centre items taken at 原单位: {h001}")

h003 = con.execute(
    f"""WITH c AS (
          SELECT c."办件编号" AS id, c."受理部门" AS dept,
                 CAST(strptime(c."受理时间", ['%Y-%m-%d %H:%M:%S', '%Y/%-m/%-d %-H:%M']) AS DATE) AS acc,
                 COALESCE(CAST(strptime(NULLIF(c."办结时间", ''), '%Y-%m-%d %H:%M:%S') AS DATE), DATE '{as_of}') AS fin,
                 COALESCE(TRY_CAST(NULLIF(c."特别程序天数", '') AS INTEGER), 0) AS susp,
                 CAST(i."承诺办结时限" AS INTEGER) AS promised
          FROM cases c JOIN catalogue i ON c."事项编码" = i."事项编码")
        SELECT count(*) FROM c JOIN cal a ON a.d = c.acc JOIN cal b ON b.d = c.fin
        WHERE b.cum - a.cum - c.susp > c.promised"""
).fetchone()[0]
print(f"overdue in working days: {h003}")

h002 = con.execute(
    """SELECT count(*) FROM (
         SELECT c."受理部门", c."事项编码" FROM cases c JOIN catalogue i ON c."事项编码" = i."事项编码"
         WHERE i."是否进驻中心" = '是'
         GROUP BY 1, 2
         HAVING bool_or(c."受理渠道" IN ('中心窗口', '综合窗口')) AND bool_or(c."受理渠道" = '原单位'))"""
).fetchone()[0]
m04 = con.execute(
    """WITH c AS (
          SELECT c."受理部门" AS dept,
                 CAST(strptime(c."受理时间", ['%Y-%m-%d %H:%M:%S', '%Y/%-m/%-d %-H:%M']) AS DATE) AS acc,
                 CAST(strptime(c."办结时间", '%Y-%m-%d %H:%M:%S') AS DATE) AS fin,
                 COALESCE(TRY_CAST(NULLIF(c."特别程序天数", '') AS INTEGER), 0) AS susp,
                 CAST(i."承诺办结时限" AS INTEGER) AS promised
          FROM cases c JOIN catalogue i ON c."事项编码" = i."事项编码"
          WHERE NULLIF(c."办结时间", '') IS NOT NULL)
        SELECT dept, avg(CASE WHEN b.cum - a.cum - c.susp <= c.promised THEN 1.0 ELSE 0.0 END)
        FROM c JOIN cal a ON a.d = c.acc JOIN cal b ON b.d = c.fin GROUP BY dept"""
).fetchall()
print(f"dual-track groups: {h002}; on-time ratio for {len(m04)} departments")
print(f"duckdb wall: {time.perf_counter() - start:.2f} s")
