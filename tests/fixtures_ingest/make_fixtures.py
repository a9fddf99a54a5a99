"""Writes the awkward-file corpus next to this script (run once; the files are committed).

Each file is something an analyst really sends: GBK with title lines and a 合计 row, an XLSX with a
merged title and Excel dates, BOM, full-width digits, short township names, personal data, junk.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    from openpyxl import Workbook

    (HERE / "training_gbk_title_total.csv").write_bytes((
        "2024年晋安区妇联培训台账\n"
        "填报单位：晋安区妇联,,,,,,\n"
        "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次,学时\n"
        "茶园,2024/3/5,家庭教育,妇女群众,线下,45,3\n"
        "王庄街道,2024年3月6日,健康知识,执委,线上,\"1,200\",2\n"
        "鼓山,2024-03-18,维权普法,农村妇女,线下,30,2.5\n"
        "合计,,,,,1275,\n"
        "填表人：（略）,,,,,,\n").encode("gbk"))
    (HERE / "job_fair_bom_fullwidth.csv").write_bytes((
        "区划代码,举办日期,招聘会类型,参会企业数,提供岗位数,参会妇女人次,达成就业意向人数\n"
        "350111,２０２４年４月２日,春风行动,３０,１，２００,４２０,８５\n"
        "350111001,2024.05,女大学生专场,12,300,150,40\n").encode("utf-8-sig"))
    (HERE / "screening_gb18030.csv").write_bytes((
        "乡镇（街道）,统计月份,筛查类型,筛查人数,异常人数,确诊人数,治疗人数\n"
        "宦溪,2024年3月,宫颈癌筛查,120,8,1,1\n"
        "寿山,2024年3月,乳腺癌,90,5,0,0\n"
        "日溪乡,2024年3月,cervical,60,2,0,0\n").encode("gb18030"))
    (HERE / "personal_data.csv").write_bytes((
        "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次,联系电话\n"
        "茶园街道,2024-03-05,家庭教育,妇女群众,线下,45,13912345678\n").encode("utf-8"))
    (HERE / "personal_names.csv").write_bytes((
        "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次,讲师\n"
        "茶园街道,2024-03-05,家庭教育,妇女群众,线下,45,王秀英\n"
        "茶园街道,2024-03-06,家庭教育,妇女群众,线下,45,李桂兰\n"
        "茶园街道,2024-03-07,家庭教育,妇女群众,线下,45,张丽\n").encode("utf-8"))
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "junk.bin").write_bytes(bytes(range(256)) * 8)
    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)

    wb = Workbook()
    ws = wb.active
    ws.title = "招聘会"
    ws.append(["2024年晋安区招聘会台账"])
    ws.merge_cells("A1:H1")
    ws.append([])
    ws.append(["乡镇（街道）", "举办日期", "招聘会类型", "参会企业数", "提供岗位数", "参会妇女人次",
               "达成就业意向人数", "实际录用人数"])
    ws.append(["茶园街道", dt.datetime(2024, 3, 5), "春风行动", 30, 600, 420, 85, 40])
    ws.append(["新店镇", 45383, "综合", 12, 200, 150, 30, None])  # Excel serial: 2024-04-01
    ws.append(["岳峰", "2024年5月6日", "家政专场", 8, 120, 90, 20, 10])
    ws.append(["合计", None, None, 50, 920, 660, 135, 50])
    other = wb.create_sheet("说明")
    other.append(["本表说明"])
    wb.save(HERE / "job_fair_merged_title.xlsx")


if __name__ == "__main__":
    main()
