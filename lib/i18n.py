"""User-facing text, one place per language (简体中文 default, English switchable)."""
from __future__ import annotations

from lib import terms

LANGS = {"zh": "简体中文", "en": "English"}

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"zh": "巾帼数据驾驶舱", "en": "halfsky · Women's Federation Cockpit"},
    "page_overview": {"zh": "总览", "en": "Overview"},
    "page_upload": {"zh": "数据上传", "en": "Upload"},
    "up_dataset": {"zh": "数据集", "en": "Dataset"},
    "up_guess": {"zh": "按表头自动识别", "en": "Guess from headers"},
    "up_templates": {"zh": "下载模板（含中文表头和一行示例）", "en": "Templates (Chinese headers, one example row)"},
    "up_file": {"zh": "上传台账（CSV 或 Excel）", "en": "Upload a ledger (CSV or Excel)"},
    "up_pick": {"zh": "选择文件", "en": "Choose a file"},
    "up_limits": {"zh": "单个文件不超过 {mb} MB · {types}", "en": "Up to {mb} MB per file · {types}"},
    "list_sep": {"zh": "、", "en": ", "},
    "up_sheet": {"zh": "工作表", "en": "Sheet"},
    "up_sheet_empty": {"zh": "空", "en": "empty"},
    "up_mode": {"zh": "导入方式", "en": "Mode"},
    "up_mode_upsert": {"zh": "新增或更正", "en": "Add or correct"},
    "up_mode_replace": {"zh": "整表替换（删除台账中已不存在的行）",
                        "en": "Replace (retire rows no longer in the ledger)"},
    "up_reading": {"zh": "正在读取和校验……", "en": "Reading and checking…"},
    "up_detected": {"zh": "识别为“{ds}”，共 {rows} 行。", "en": "Detected “{ds}”, {rows} rows."},
    "up_mapping": {"zh": "表头对应", "en": "Header mapping"},
    "up_refused": {"zh": "文件未导入：发现 {n} 个问题，数据仓库未作任何修改。",
                   "en": "File refused: {n} problems found; nothing was written."},
    "up_row": {"zh": "行号", "en": "Row"},
    "up_whole_file": {"zh": "整个文件", "en": "whole file"},
    "up_col": {"zh": "列", "en": "Column"},
    "up_problems_xlsx": {"zh": "下载问题说明（XLSX）", "en": "Download problems (XLSX)"},
    "up_preview": {"zh": "预览（前50行）", "en": "Preview (first 50 rows)"},
    "up_dry": {"zh": "试运行：新增 {add} 行，替换 {rep} 行，未变 {same} 行，删除 {ret} 行。",
               "en": "Dry run: {add} to add, {rep} to replace, {same} unchanged, {ret} to retire."},
    "up_confirm": {"zh": "确认导入", "en": "Confirm and load"},
    "up_loading": {"zh": "正在导入……", "en": "Loading…"},
    "up_history": {"zh": "导入批次", "en": "Batches"},
    "up_rollback_pick": {"zh": "选择批次", "en": "Batch"},
    "up_rollback": {"zh": "撤销该批次", "en": "Roll back"},
    "up_rolled_back": {"zh": "已撤销批次 {b}：移除 {r} 行，恢复 {s} 行。",
                       "en": "Rolled back batch {b}: {r} rows removed, {s} restored."},
    "demo_banner": {"zh": "示例数据：本页数字由程序按固定种子生成，仅供演示，不是真实统计。",
                    "en": "Demo data: every figure on this page is synthetic (seeded), not real statistics."},
    "filters": {"zh": "筛选", "en": "Filters"},
    "language": {"zh": "语言 Language", "en": "Language 语言"},
    "region": {"zh": "地区", "en": "Region"},
    "province": {"zh": "省（区、市）", "en": "Province"},
    "city": {"zh": "市（州）", "en": "City"},
    "district": {"zh": "区（县）", "en": "District"},
    "township": {"zh": "乡镇（街道）", "en": "Township"},
    "all": {"zh": "全部", "en": "All"},
    "period": {"zh": "时期", "en": "Period"},
    "from": {"zh": "起", "en": "From"},
    "to": {"zh": "止", "en": "To"},
    "urban_rural": {"zh": "城乡", "en": "Urban / rural"},
    "urban": {"zh": "城镇", "en": "Urban"},
    "rural": {"zh": "农村", "en": "Rural"},
    "freshness": {"zh": "数据更新", "en": "Data freshness"},
    "no_data": {"zh": "暂无数据。请在“数据上传”页上传台账，或运行 python -m lib.demo 生成示例数据。",
                "en": "No data yet. Upload a ledger on the Upload page, or run python -m lib.demo."},
    "building_demo": {"zh": "首次启动：正在生成示例数据……", "en": "First start: building demo data…"},
    "vs_last_year": {"zh": "较上年同期", "en": "vs last year"},
    "no_last_year": {"zh": "无上年同期数据", "en": "no data a year earlier"},  # short: KPI cards cut longer text
    "map_title": {"zh": "各区（县）村（社区）妇联覆盖率", "en": "Federation coverage by district"},
    "map_title_township": {"zh": "各乡镇（街道）村（社区）妇联覆盖率",
                           "en": "Federation coverage by township"},
    "map_title_province": {"zh": "各省（区、市）村（社区）妇联覆盖率",
                           "en": "Federation coverage by province"},
    "map_title_city": {"zh": "各市（州）村（社区）妇联覆盖率", "en": "Federation coverage by city"},
    "legend": {"zh": "图例", "en": "Legend"},
    "sources": {"zh": "数据来源", "en": "Sources"},
    "locked": {"zh": "数据仓库被占用", "en": "Warehouse in use"},
    "bad_region": {"zh": "链接中的地区代码无效或不在您的权限范围内，已显示默认地区。",
                   "en": "The region in the link is invalid or outside your scope; showing the default."},
    "demo_source": {"zh": "示例数据由程序按固定种子生成，区划为真实的统计用区划代码。",
                    "en": "Demo data generated with a fixed seed on real division codes."},
    "kpi_coverage": {"zh": "村（社区）妇联覆盖率", "en": "Federation coverage"},
    "kpi_training": {"zh": "参训人次", "en": "Training participants"},
    "kpi_employment": {"zh": "招聘会提供岗位", "en": "Job-fair positions"},
    "kpi_screening": {"zh": "两癌筛查人数", "en": "Women screened (two cancers)"},
    "not_drawn": {"zh": "未绘制（无驻地坐标）", "en": "Not drawn (no seat point)"},
    "map_reset": {"zh": "复位", "en": "Reset view"},
    "map_gestures": {"zh": "滚轮与单指滑动用于翻页；先点击地图，或按住 Ctrl 滚动滚轮"
                           "（手机上用双指），即可缩放、拖动地图。",
                     "en": "The wheel and one-finger swipes scroll the page; click into the map, "
                           "or hold Ctrl while scrolling (two fingers on a phone), to zoom and "
                           "pan it."},
    "not_drawn_count": {"zh": "{n} 个地区未绘制（无驻地坐标）",
                        "en": "{n} regions not drawn (no seat point)"},
    "period_caption": {"zh": "统计期间", "en": "Period"},
    "as_of": {"zh": "数据截至", "en": "Data as of"},
    "data_until": {"zh": "截至 {day}", "en": "data to {day}"},
    "col_rank": {"zh": "排名", "en": "Rank"},
    "col_region": {"zh": "地区", "en": "Region"},
    "col_rank_change": {"zh": "名次变化（较上年）", "en": "Rank change vs last year"},
    "bottom_note": {"zh": "排名靠后：{names}", "en": "At the bottom: {names}"},
    "col_flag": {"zh": "提示", "en": "Flag"},
    "flag_bottom": {"zh": "排名靠后", "en": "At the bottom"},
    "league": {"zh": "比学赶超：下级地区排名", "en": "League table of child regions"},
    "trend": {"zh": "趋势", "en": "Trend"},
    "parent_avg": {"zh": "上级平均（每个下级地区）", "en": "Parent average per child region"},
    "league_no_values": {"zh": "下级地区暂无可排名的数据。",
                         "en": "No child region has data to rank yet."},
    "league_unranked": {"zh": "暂无数据、未参与排名：{names}", "en": "No data, not ranked: {names}"},
    "league_too_few": {"zh": "所选地区的下级地区不足两个，不作排名。",
                       "en": "Fewer than two child regions here: no ranking."},
    "parent_out_of_scope": {"zh": "上级地区不在您的权限范围内，因此不显示与上级的对比。",
                            "en": "The parent region is outside your scope, so no comparison with it "
                                  "is shown."},
    "page_coverage": {"zh": "组织覆盖", "en": "Coverage"},
    "page_training": {"zh": "培训", "en": "Training"},
    "page_employment": {"zh": "就业", "en": "Employment"},
    "page_screening": {"zh": "两癌筛查", "en": "Screening"},
    "metric_pick": {"zh": "地图指标", "en": "Map metric"},
    "org_type_pick": {"zh": "组织类型", "en": "Organisation type"},
    "gap_list": {"zh": "缺口清单：尚无该类组织的村（社区）", "en": "Gap list: villages without this organisation"},
    # downloads that say what they hold: source and data version in every file
    "export_source": {"zh": "{names}台账（各地妇联上报）", "en": "{names} ledgers (reported by the federations)"},
    "export_source_all": {"zh": "各地妇联上报台账", "en": "Ledgers reported by the federations"},
    "export_source_demo": {"zh": "示例数据（程序按固定种子生成，非真实数据）",
                           "en": "Demo data (generated with a fixed seed, not real)"},
    "export_source_mixed": {"zh": "{ledgers}，其余为示例数据（程序生成，非真实数据）",
                            "en": "{ledgers}; the rest is demo data (generated, not real)"},
    "export_version": {"zh": "{when} 更新", "en": "updated {when}"},
    "export_part_gaps": {"zh": "缺口清单", "en": "gap list"},
    "gap_none": {"zh": "所选范围内所有村（社区）均已建立。", "en": "Every village in the selection has one."},
    "by_type": {"zh": "各类组织覆盖率（城乡）", "en": "Coverage by organisation type (urban/rural)"},
    "new_sector": {"zh": "新领域妇女组织（按领域）", "en": "New-sector organisations by sector"},
    "villages_table": {"zh": "村（社区）明细", "en": "Villages and communities"},
    "by_topic": {"zh": "按培训主题", "en": "By topic"},
    "by_audience": {"zh": "按培训对象", "en": "By audience"},
    "fair_mix": {"zh": "招聘会类型构成", "en": "Fair types"},
    "funnel": {"zh": "筛查—异常—确诊—治疗", "en": "Screened → abnormal → diagnosed → treated"},
    "this_region": {"zh": "本地区", "en": "This region"},
    "year": {"zh": "年份", "en": "Year"},
    "month_axis": {"zh": "月份", "en": "Month"},
    "masked_note": {"zh": "乡镇及以下确诊、治疗、救助人数少于5时显示为“<5”。",
                    "en": "Below district level, diagnosed/treated/aided counts under 5 show as “<5”."},
}

DATASET_LABELS = {
    "demo": {"zh": "示例数据", "en": "Demo data"},
    "training": {"zh": "培训", "en": "Training"},
    "job_fair": {"zh": "招聘会", "en": "Job fairs"},
    "org_unit": {"zh": "组织", "en": "Organisations"},
    "screening": {"zh": "两癌筛查", "en": "Screening"},
    "screening_target": {"zh": "筛查任务", "en": "Screening targets"},
    "indicator_value": {"zh": "指标值", "en": "Indicator values"},
    "progress": {"zh": "进度表（累计）", "en": "Progress table (cumulative)"},
}


def t(key: str, lang: str = "zh") -> str:
    """The text for ``key``; an unknown key fails loudly in tests rather than showing a raw key."""
    entry = TEXT[key]
    return entry.get(lang) or entry["zh"]


def dataset_label(name: str, lang: str = "zh") -> str:
    return DATASET_LABELS.get(name, {}).get(lang, name)

# Accounts, roles and scope.
TEXT.update({
    "page_login": {"zh": "登录", "en": "Sign in"},
    "page_setup": {"zh": "初始设置", "en": "First-time setup"},
    "page_admin": {"zh": "管理", "en": "Admin"},
    "page_account": {"zh": "我的账户", "en": "My account"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "password_again": {"zh": "再次输入密码", "en": "Password again"},
    "login_button": {"zh": "登录", "en": "Sign in"},
    "login_oidc": {"zh": "使用单位统一身份登录", "en": "Sign in with single sign-on"},
    "oidc_no_account": {"zh": "该统一身份账号尚未开通本系统账户，请联系管理员。",
                        "en": "No halfsky account for this single sign-on identity: ask an admin."},
    "logout_button": {"zh": "退出登录", "en": "Sign out"},
    "login_bad": {"zh": "用户名或密码错误，或尝试过于频繁。请稍候再试。",
                  "en": "Wrong username or password, or too many attempts. Wait a little and try "
                        "again."},
    "login_disabled": {"zh": "该账户已停用，请联系管理员。", "en": "This account is disabled; ask an admin."},
    "session_expired": {"zh": "长时间未操作，已自动退出，请重新登录。",
                        "en": "Your session expired after inactivity; please sign in again."},
    "signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    "role_viewer": {"zh": "查看者", "en": "Viewer"},
    "role_analyst": {"zh": "数据员", "en": "Analyst"},
    "role_admin": {"zh": "管理员", "en": "Admin"},
    "role_display": {"zh": "会议展示", "en": "Meeting display"},
    "role": {"zh": "角色", "en": "Role"},
    "scope": {"zh": "权限范围（地区）", "en": "Scope (region)"},
    "setup_intro": {"zh": "这是一个新的数据仓库，还没有任何账户。请创建第一个管理员账户（系统没有默认密码）。",
                    "en": "This warehouse has no accounts yet. Create the first admin account "
                          "(there is no default password)."},
    "setup_button": {"zh": "创建管理员", "en": "Create admin"},
    "setup_done": {"zh": "已存在账户，初始设置已完成。", "en": "Accounts exist: setup is already done."},
    "pw_too_short": {"zh": "密码至少需要10个字符。", "en": "The password needs at least 10 characters."},
    "pw_blank": {"zh": "密码不能只由空格组成。", "en": "The password must not be only spaces."},
    "pw_common": {"zh": "这是最常见的密码之一，很容易被猜中，请换一个。",
                  "en": "This is one of the most common passwords and easily guessed; choose another."},
    "pw_is_username": {"zh": "密码不能与用户名相同。", "en": "The password must not be the username."},
    "reserved_username": {"zh": "此用户名为系统保留（console、cli、system 等），请换一个。",
                          "en": "This user name is reserved for the system (console, cli, system…); "
                                "choose another."},
    "pw_mismatch": {"zh": "两次输入的密码不一致。", "en": "The two passwords differ."},
    "pw_unchanged": {"zh": "新密码不能与旧密码相同。", "en": "The new password must differ from the old one."},
    "old_password": {"zh": "当前密码", "en": "Current password"},
    "new_password": {"zh": "新密码", "en": "New password"},
    "change_password": {"zh": "修改密码", "en": "Change password"},
    "password_changed": {"zh": "密码已修改，此账户在其他设备上的登录已全部退出。",
                         "en": "Password changed; every other sign-in of this account is signed "
                               "out."},
    "old_password_wrong": {"zh": "当前密码不正确。", "en": "The current password is wrong."},
    "bad_username": {"zh": "用户名只能包含字母、数字、下划线、点、@和连字符（最多64个字符）。",
                     "en": "A username is letters, digits, _ . @ - (at most 64 characters)."},
    "bad_role": {"zh": "未知角色。", "en": "Unknown role."},
    "bad_scope": {"zh": "权限范围必须是12位区划代码。", "en": "The scope must be a 12-digit region code."},
    "bad_expiry": {"zh": "有效期须在1天到1年之间。", "en": "Validity must be between 1 day and 1 year."},
    "user_exists": {"zh": "该用户名已存在。", "en": "That username exists already."},
    "no_such_user": {"zh": "没有这个用户。", "en": "No such user."},
    "last_admin": {"zh": "不能停用或降级最后一个管理员。", "en": "The last active admin cannot be "
                                                          "disabled or demoted."},
    "scope_refused": {"zh": "无权查看：链接中的地区不在您的权限范围内。未显示任何数据。",
                      "en": "Refused: the region in the link is outside your scope. No data is shown."},
    "scope_back": {"zh": "查看我的地区", "en": "Show my region"},
    "page_refused": {"zh": "您的角色无权使用此页面。", "en": "Your role may not use this page."},
    "page_refused_hint": {"zh": "请从左侧菜单选择可用的页面；如需此页面的权限，请联系本级妇联管理员。",
                          "en": "Choose a page from the menu on the left; ask your federation's "
                                "administrator for access to this one."},
    "auth_off": {"zh": "身份验证已关闭（HALFSKY_AUTH=off，仅限开发和测试）。",
                 "en": "Authentication is off (HALFSKY_AUTH=off, development and tests only)."},
    "admin_users": {"zh": "用户与权限范围", "en": "Users and scopes"},
    "admin_add_user": {"zh": "添加用户", "en": "Add user"},
    "admin_edit_user": {"zh": "修改用户", "en": "Edit user"},
    "admin_reset_password": {"zh": "重置密码", "en": "Reset password"},
    "active": {"zh": "启用", "en": "Active"},
    "save": {"zh": "保存", "en": "Save"},
    "saved": {"zh": "已保存。", "en": "Saved."},
    "admin_links": {"zh": "会议展示链接", "en": "Meeting display links"},
    "admin_sessions": {"zh": "在线会话", "en": "Signed-in sessions"},
    "session_closed": {"zh": "登录已结束（已在其他页面退出、长时间未操作或被管理员结束），请重新登录。",
                       "en": "Your sign-in has ended (signed out elsewhere, idle too long or ended "
                             "by an admin). Please sign in again."},
    "session_this": {"zh": "（当前会话）", "en": " (this session)"},
    "admin_no_sessions": {"zh": "本范围内没有在线会话。", "en": "No signed-in sessions in your scope."},
    "session_id": {"zh": "会话", "en": "Session"},
    "session_username": {"zh": "用户名", "en": "User"},
    "session_role": {"zh": "角色", "en": "Role"},
    "session_scope_code": {"zh": "范围", "en": "Scope"},
    "session_created_at": {"zh": "登录时间", "en": "Signed in"},
    "session_last_seen": {"zh": "最近活动", "en": "Last active"},
    "session_client": {"zh": "来源地址", "en": "Address"},
    "session_end": {"zh": "结束会话", "en": "End session"},
    # column headers of the admin tables (accounts, display links, audit log)
    "col_username": {"zh": "用户名", "en": "User"},
    "col_role": {"zh": "角色", "en": "Role"},
    "col_scope_code": {"zh": "权限范围", "en": "Scope"},
    "col_active": {"zh": "启用", "en": "Active"},
    "col_failed_logins": {"zh": "连续登录失败", "en": "Failed sign-ins"},
    "col_locked_until": {"zh": "锁定至", "en": "Locked until"},
    "col_created_at": {"zh": "创建时间", "en": "Created"},
    "col_token_hash": {"zh": "链接编号", "en": "Link id"},
    "col_label": {"zh": "备注", "en": "Label"},
    "col_region_code": {"zh": "地区", "en": "Region"},
    "col_created_by": {"zh": "创建人", "en": "Created by"},
    "col_expires_at": {"zh": "有效期至", "en": "Expires"},
    "col_revoked_at": {"zh": "撤销时间", "en": "Revoked"},
    "col_status": {"zh": "状态", "en": "Status"},
    "link_status_live": {"zh": "有效", "en": "Live"},
    "link_status_expired": {"zh": "已过期", "en": "Expired"},
    "link_status_revoked": {"zh": "已撤销", "en": "Revoked"},
    "link_status_creator_disabled": {"zh": "已失效：创建人账户已停用、删除或不再管辖该地区",
                                     "en": "Dead: its creator's account is disabled, deleted or no "
                                           "longer holds the region"},
    "col_id": {"zh": "序号", "en": "No."},
    "col_at": {"zh": "时间", "en": "Time"},
    "col_action": {"zh": "操作", "en": "Action"},
    "col_detail": {"zh": "详情", "en": "Detail"},
    "session_ended": {"zh": "会话已结束：该用户下次操作时需重新登录。",
                      "en": "Session ended: the user must sign in again at the next action."},
    "link_label": {"zh": "备注（如：三楼会议室投影）", "en": "Label (e.g. 3rd-floor projector)"},
    "link_days": {"zh": "有效天数", "en": "Valid for (days)"},
    "link_create": {"zh": "生成链接", "en": "Create link"},
    "link_created": {"zh": "链接已生成（只显示这一次，请立即复制）：",
                     "en": "Link created (shown only once; copy it now):"},
    "link_revoke": {"zh": "撤销", "en": "Revoke"},
    "link_revoked": {"zh": "链接已撤销。", "en": "Link revoked."},
    "link_invalid": {"zh": "展示链接无效、已过期或已撤销。", "en": "The display link is invalid, expired "
                                                            "or revoked."},
    "admin_audit": {"zh": "审计日志", "en": "Audit log"},
    "audit_user": {"zh": "用户", "en": "User"},
    "audit_action": {"zh": "操作", "en": "Action"},
    "audit_days": {"zh": "最近天数", "en": "Last days"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "none": {"zh": "（无）", "en": "(none)"},
})

# Admins act only inside their scope: refusals on the admin and targets pages.
TEXT.update({
    "admin_scope_refused": {"zh": "无权操作：该用户、地区或链接不在您的权限范围内。未做任何更改。",
                            "en": "Refused: that account, region or link is outside your scope. "
                                  "Nothing was changed."},
    "targets_admin_city_only": {"zh": "规划目标和指标目录对所有地区生效，只有市级管理员可以修改。"
                                      "如需调整，请联系市级管理员。",
                                "en": "Plan targets and the indicator catalog apply to every region; "
                                      "only city-level admins change them. Ask a city-level admin."},
})

# Targets page and meeting mode.
TEXT.update({
    "page_targets": {"zh": "目标监测", "en": "Targets"},
    "page_meeting": {"zh": "会议模式", "en": "Meeting mode"},
    "targets_caption": {"zh": "按年度指标值评估（与所选统计期间无关）：时间进度与完成进度、趋势预测和状态。",
                        "en": "Assessed on yearly indicator values (independent of the selected "
                              "period): time vs attainment progress, projection and status."},
    "targets_no_data": {"zh": "所选地区还没有指标观测值：请在“数据上传”页上传指标值。",
                        "en": "No indicator values for this region yet: upload indicator values on the "
                              "Upload page."},
    "targets_status_filter": {"zh": "按状态筛选", "en": "Filter by status"},
    "targets_volatile_only": {"zh": "只看波动较大", "en": "Volatile only"},
    "targets_table": {"zh": "指标进展", "en": "Indicator progress"},
    "targets_indicator": {"zh": "指标", "en": "Indicator"},
    "targets_chart": {"zh": "指标趋势与预测", "en": "Trend and projection"},
    "targets_warnings": {"zh": "预警（按预计差距排序）", "en": "Warnings (largest shortfall first)"},
    "targets_no_warnings": {"zh": "没有预警指标。", "en": "No warnings."},
    "targets_children": {"zh": "下级地区对比", "en": "Child regions"},
    "targets_children_computed": {"zh": "包括由台账计算的指标（较慢）",
                                  "en": "Include indicators computed from the ledgers (slower)"},
    "targets_children_none": {"zh": "所选地区没有可评估的下级地区。",
                              "en": "The selected region has no child regions to assess."},
    "targets_children_for": {"zh": "该指标在各下级地区的情况", "en": "This indicator by child region"},
    "targets_report": {"zh": "下载年度监测报告（XLSX）", "en": "Download the annual monitoring report (XLSX)"},
    "targets_docx": {"zh": "下载监测报告（Word）", "en": "Download the monitoring report (Word)"},
    "targets_docx_year": {"zh": "报告年度", "en": "Report year"},
    "targets_docx_annual": {"zh": "{year}年度", "en": "{year} annual"},
    "targets_docx_midterm": {"zh": "{year}（中期评估）", "en": "{year} (mid-term evaluation)"},
    "targets_docx_final": {"zh": "{year}（终期评估）", "en": "{year} (final evaluation)"},
    "targets_empty_filter": {"zh": "没有符合筛选条件的指标。", "en": "No indicator matches the filter."},
    "meeting_title": {"zh": "妇联工作情况", "en": "Women's federation work"},
    "meeting_kpis": {"zh": "主要指标", "en": "Headline figures"},
    "meeting_warnings": {"zh": "目标预警", "en": "Target warnings"},
    "meeting_interval": {"zh": "翻页间隔（秒）", "en": "Seconds per slide"},
    "meeting_brief": {"zh": "导出会议材料（PPTX）", "en": "Export meeting brief (PPTX)"},
    "meeting_slide_of": {"zh": "第 {i} / {n} 页", "en": "Slide {i} of {n}"},
})

# Meeting screen for the back of the room. The control labels carry no symbol
# characters (⏸ ◀ ▶ render as boxes without an emoji font): the buttons draw bundled Material icons.
TEXT.update({
    "meeting_pause": {"zh": "暂停", "en": "Pause"},
    "meeting_resume": {"zh": "继续", "en": "Resume"},
    "meeting_back": {"zh": "上一页", "en": "Previous"},
    "meeting_forward": {"zh": "下一页", "en": "Next"},
    "meeting_exit": {"zh": "退出会议模式", "en": "Exit meeting mode"},
    "meeting_keys": {"zh": "键盘 / 翻页笔：← → 或 PageUp PageDown 翻页 · 空格 暂停/继续 · Esc 退出",
                     "en": "Keyboard / presenter remote: ← → or PageUp PageDown to change slide · "
                           "Space to pause/resume · Esc to exit"},
    "meeting_demo": {"zh": "示例数据", "en": "Demo data"},
    "meeting_demo_note": {"zh": "本页数字由程序生成，仅供演示，不是真实统计。",
                          "en": "the figures on this slide are generated for demonstration, "
                                "not real statistics."},
    "meeting_chart_empty": {"zh": "暂无数据", "en": "no data"},
})

# Targets administration, upload page tables and the boundary import.
TEXT.update({
    "targets_admin": {"zh": "管理指标（管理员）", "en": "Manage indicators (admin)"},
    "targets_admin_edit": {"zh": "修改目标", "en": "Edit a target"},
    "targets_admin_value": {"zh": "目标值", "en": "Target value"},
    "targets_admin_year": {"zh": "目标年份", "en": "Target year"},
    "targets_admin_save": {"zh": "保存目标", "en": "Save target"},
    "targets_admin_saved": {"zh": "已保存指标 {code} 的目标：{value}（{year} 年），并记入审计日志。",
                            "en": "Saved the target of {code}: {value} by {year}; recorded in the audit log."},
    "targets_admin_add": {"zh": "新增指标", "en": "Add an indicator"},
    "targets_admin_code": {"zh": "指标代码（一个大写字母加两位数字，如 H12）",
                           "en": "Code (a capital letter and two digits, e.g. H12)"},
    "targets_admin_name_zh": {"zh": "中文名称", "en": "Chinese name"},
    "targets_admin_name_en": {"zh": "英文名称", "en": "English name"},
    "targets_admin_domain": {"zh": "领域", "en": "Domain"},
    "targets_admin_unit": {"zh": "单位", "en": "Unit"},
    "targets_admin_direction": {"zh": "方向", "en": "Direction"},
    "targets_admin_source": {"zh": "依据（规划文件及条目）", "en": "Source (plan and article)"},
    "targets_admin_add_submit": {"zh": "添加指标", "en": "Add indicator"},
    "targets_admin_added": {"zh": "已添加指标 {code}，并记入审计日志。其年度值请在“数据上传”页按“指标值”上传。",
                            "en": "Added indicator {code}; recorded in the audit log. Upload its yearly "
                                  "values as indicator values on the Upload page."},
    "targets_admin_refused": {"zh": "未保存：{msg}", "en": "Not saved: {msg}"},
    "targets_unit_percent": {"zh": "百分比（%）", "en": "Percent (%)"},
    "targets_unit_count": {"zh": "数量（个）", "en": "Count"},
    "targets_unit_per_100k": {"zh": "每10万", "en": "Per 100,000"},
    "targets_dir_up": {"zh": "越高越好", "en": "Higher is better"},
    "targets_dir_down": {"zh": "越低越好", "en": "Lower is better"},
    "targets_dir_keep": {"zh": "保持在目标附近", "en": "Keep near the target"},
    "up_value": {"zh": "值", "en": "Value"},
    "up_problem": {"zh": "问题", "en": "Problem"},
    "up_header": {"zh": "文件表头", "en": "File header"},
    "up_field": {"zh": "对应字段", "en": "Field"},
    "up_ignored": {"zh": "（忽略）", "en": "(ignored)"},
    "up_checking": {"zh": "正在试运行……", "en": "Dry run…"},
    "up_done": {"zh": "完成", "en": "Done"},
    "up_no_batches": {"zh": "还没有导入批次。", "en": "No batches yet."},
    "up_h_batch_id": {"zh": "批次", "en": "Batch"},
    "up_h_dataset": {"zh": "数据集", "en": "Dataset"},
    "up_h_filename": {"zh": "文件名", "en": "File"},
    "up_h_uploaded_by": {"zh": "上传人", "en": "Uploaded by"},
    "up_h_uploaded_at": {"zh": "上传时间", "en": "Uploaded at"},
    "up_h_mode": {"zh": "导入方式", "en": "Mode"},
    "up_h_status": {"zh": "状态", "en": "Status"},
    "up_h_is_demo": {"zh": "示例数据", "en": "Demo"},
    "up_h_rows_read": {"zh": "读取行数", "en": "Rows read"},
    "up_h_rows_loaded": {"zh": "导入行数", "en": "Rows loaded"},
    "up_h_rows_rejected": {"zh": "拒收行数", "en": "Rows rejected"},
    "up_status_loaded": {"zh": "已导入", "en": "Loaded"},
    "up_status_replaced": {"zh": "已被替换", "en": "Replaced"},
    "up_status_rolled_back": {"zh": "已撤销", "en": "Rolled back"},
    "up_geo": {"zh": "乡镇（街道）边界（管理员）", "en": "Township boundaries (admin)"},
    "up_geo_help": {"zh": "上传官方乡镇（街道）边界：GeoJSON、压缩的 Shapefile（.zip）或 GeoPackage。"
                           "按区划代码或名称匹配，导入后地图上的乡镇由圆点变为边界。",
                    "en": "Upload official township boundaries: GeoJSON, a zipped Shapefile (.zip) or a "
                          "GeoPackage. Matched by division code or name; townships then show as "
                          "polygons on every map."},
    "up_geo_file": {"zh": "边界文件", "en": "Boundary file"},
    "up_geo_crs": {"zh": "坐标系", "en": "Coordinate system"},
    "up_geo_crs_wgs84": {"zh": "WGS-84 / CGCS2000（国家标准）", "en": "WGS-84 / CGCS2000"},
    "up_geo_crs_gcj02": {"zh": "GCJ-02（高德、腾讯等互联网地图）", "en": "GCJ-02 (AMap, Tencent …)"},
    "up_geo_import": {"zh": "导入边界", "en": "Import boundaries"},
    "up_geo_reading": {"zh": "正在读取和匹配边界……", "en": "Reading and matching boundaries…"},
    "up_geo_done": {"zh": "已导入 {written} 个乡镇（街道）的边界：匹配 {matched} 个要素，未匹配 {unmatched} 个，"
                           "仍无边界的乡镇（街道） {bare} 个。",
                    "en": "Imported {written} township polygons: {matched} features matched, "
                          "{unmatched} unmatched, {bare} townships still without a polygon."},
    "up_geo_failed": {"zh": "无法导入该文件：{err}", "en": "Could not import this file: {err}"},
    "up_geo_unmatched": {"zh": "未匹配的要素", "en": "Unmatched features"},
    "up_geo_without": {"zh": "仍无边界的乡镇（街道）", "en": "Townships still without a polygon"},
    "up_geo_feature": {"zh": "要素", "en": "Feature"},
    "up_geo_reason": {"zh": "原因", "en": "Reason"},
    "up_geo_candidates": {"zh": "候选", "en": "Candidates"},
    "up_geo_code": {"zh": "区划代码", "en": "Code"},
    "up_geo_name": {"zh": "名称", "en": "Name"},
    "up_geo_r_none": {"zh": "没有此代码或名称的乡镇（街道）", "en": "no region with this code or name"},
    "up_geo_r_ambiguous": {"zh": "名称不唯一", "en": "ambiguous name"},
    "up_geo_r_code_name": {"zh": "代码与名称不一致", "en": "code and name disagree"},
    "up_geo_r_polygon": {"zh": "不是面要素", "en": "not a polygon"},
})


# Access re-checked on every refresh: a fragment run whose access no longer holds.
TEXT.update({
    "access_link_ended": {"zh": "此展示链接已撤销或已过期，幻灯片已停止。",
                          "en": "This display link has been revoked or has expired; the slides "
                                "have stopped."},
    "access_disabled": {"zh": "此账户已停用，页面已停止更新。请联系管理员。",
                        "en": "This account has been disabled; the page has stopped updating. "
                              "Ask an admin."},
    "access_session_ended": {"zh": "会话已结束，页面已停止更新。请重新登录。",
                             "en": "Your session has ended; the page has stopped updating. "
                                   "Please sign in again."},
    "access_changed": {"zh": "此账户的角色或权限范围已变更，页面已停止更新。请重新载入。",
                       "en": "This account's role or scope has changed; the page has stopped "
                             "updating. Please reload."},
    "access_reload": {"zh": "重新载入", "en": "Reload"},
})


ENUM_EN = {
    "village_federation": "Village federation", "community_federation": "Community federation",
    "township_federation": "Township federation", "womens_home": "Women's home",
    "womens_micro_home": "Women's micro-home", "sister_station": "Sister station",
    "new_sector_org": "New-sector organisation", "parent_school": "Parent school",
    "volunteer_team": "Volunteer team", "mediation_committee": "Mediation committee",
    "counselling_room": "Counselling room", "federation": "Village/community federation",
    "exec_duty": "Exec duties", "political_guidance": "Political guidance",
    "rights_law": "Rights & law", "family_education": "Family education",
    "entrepreneurship": "Entrepreneurship", "vocational_skills": "Vocational skills",
    "health": "Health", "exec_member": "Executives", "federation_chair": "Federation chairs",
    "rural_women": "Rural women", "female_graduates": "Female graduates",
    "domestic_workers": "Domestic workers", "general_public": "General public",
    "spring_breeze": "Spring Breeze", "online": "Online", "onsite": "Onsite",
    "domestic_service": "Domestic service", "general": "General", "cervical": "Cervical",
    "breast": "Breast", "new_economy": "New economy", "new_social": "New social organisations",
    "internet_platform": "Internet platforms", "courier_logistics": "Courier & logistics",
    "ride_hailing": "Ride-hailing", "food_delivery": "Food delivery", "university": "Universities",
    "urban": "Urban", "rural": "Rural",
}


# Figures that do not apply, township views, phone and English layout.
TEXT.update({
    "not_applicable": {"zh": "不适用", "en": "n/a"},
    "na_held_above": {"zh": "由区（县）举办", "en": "held by districts"},
    "na_not_split": {"zh": "不分城乡统计", "en": "not split urban/rural"},
    "na_no_units": {"zh": "无此类村（社区）", "en": "none in this area"},
    "no_data": {"zh": "暂无数据", "en": "No data"},
    "na_no_roster": {"zh": "尚未上传组织名册", "en": "no organisation roster uploaded"},
    "na_not_uploaded": {"zh": "尚未上传此类数据", "en": "not uploaded yet"},
    "colon": {"zh": "：", "en": ": "},
    "fairs_held_above": {"zh": "招聘会由区（县）举办，本级不单独统计；请在区（县）视图查看。",
                         "en": "Job fairs are held by districts and not counted for a township: "
                               "see the district's view."},
    "fairs_not_split": {"zh": "招聘会在区（县）举办，不分城乡统计；选择“全部”查看。",
                        "en": "Job fairs are held by districts and are not split urban/rural: "
                              "choose “All” to see them."},
    "fairs_no_children": {"zh": "本期招聘会均由本级举办，没有按下级地区的数字，地图和排名从略。",
                          "en": "Every fair of the period was held at this level: there are no "
                                "figures by child region to map or rank."},
    "villages_no_map": {"zh": "村（社区）没有地图边界：各村情况见“组织覆盖”页的村级名单。",
                        "en": "Villages have no map boundaries: see the village list on the "
                              "Coverage page."},
    "intents": {"zh": "达成就业意向人数", "en": "Intents"},
    "aided": {"zh": "救助人数", "en": "Aided"},
    "effective_coverage": {"zh": "有效覆盖率", "en": "Effective coverage"},
    "village": {"zh": "村（社区）", "en": "Village"},
    "region_code": {"zh": "区划代码", "en": "Code"},
    "stage_screened": {"zh": "筛查", "en": "Screened"},
    "stage_abnormal": {"zh": "异常", "en": "Abnormal"},
    "stage_diagnosed": {"zh": "确诊", "en": "Diagnosed"},
    "stage_treated": {"zh": "治疗", "en": "Treated"},
})


# Sign-in hardening: setup code, input checks, page errors.
TEXT.update({
    "setup_code": {"zh": "设置码", "en": "Setup code"},
    "setup_code_help": {"zh": "服务器启动后在其日志中打印的一次性设置码（“halfsky first-admin setup code”），"
                              "或部署时设置的 HALFSKY_SETUP_CODE。",
                        "en": "The one-time code the server printed in its log "
                              "(\"halfsky first-admin setup code\"), or HALFSKY_SETUP_CODE if set."},
    "setup_code_wrong": {"zh": "设置码不正确，未创建任何账户。请查看服务器日志中的设置码。",
                         "en": "Wrong setup code: nothing was created. The code is in the server's log."},
    "pw_unusable": {"zh": "密码过长或含有不可用的字符。",
                    "en": "The password is too long or has an unusable character."},
    "page_error": {"zh": "页面出错了，请稍后重试；如仍有问题请联系管理员（错误编号 {ref}）。",
                   "en": "Something went wrong on this page. Try again later; if it persists, ask an "
                         "admin (error reference {ref})."},
})


# Replace exactly what the file holds, and reporting completeness 报送情况.
TEXT.update({
    "up_retiring": {"zh": "按整表替换将删除以下地区、月份的 {n} 行（文件中没有的其他地区和月份不受影响）：",
                    "en": "Replace mode will retire {n} rows in these regions and periods (regions "
                          "and periods the file does not hold are left alone):"},
    "up_retired": {"zh": "已删除以下地区、月份的 {n} 行：", "en": "Retired {n} rows in these regions and periods:"},
    "up_ret_region": {"zh": "地区", "en": "Region"},
    "up_ret_period": {"zh": "月份/年度", "en": "Month / year"},
    "up_ret_kind": {"zh": "类型", "en": "Kind"},
    "up_ret_rows": {"zh": "删除行数", "en": "Rows retired"},
    "up_warnings": {"zh": "发现 {n} 条提醒：数据可以导入，但请先核实下列各行；"
                          "点击“确认导入”即表示已核实，提醒和确认人会记入导入批次。",
                    "en": "{n} warnings: the file can be loaded, but check these rows first; "
                          "confirming records the warnings and who confirmed with the batch."},
    "up_warning": {"zh": "提醒", "en": "Warning"},
    "up_w_region": {"zh": "地区", "en": "Region"},
    "up_h_warnings": {"zh": "提醒数", "en": "Warnings"},
    "up_w_more": {"zh": "仅显示每类前 {k} 条，共 {n} 条。", "en": "The first {k} of each kind are shown; {n} in all."},
    "page_completeness": {"zh": "报送情况", "en": "Reporting"},
    "cp_caption": {"zh": "每月报送截止：次月 {day} 日（含）。按批次导入时间判断是否按时。",
                   "en": "Monthly reports are due by day {day} of the following month (inclusive), "
                         "judged by the time the batch was loaded."},
    "cp_demo_note": {"zh": "示例数据是一次性载入的：每个月份的“导入时间”都是载入那一天，所以大多显示为迟报，"
                           "并不代表真实的报送情况。上传真实数据后，按各批次的实际导入时间判断。",
                     "en": "The demo data were loaded at once: every month's load time is that day, "
                           "so most months show as late. This says nothing about real reporting; "
                           "uploaded data are judged by each batch's own load time."},
    "cp_dataset": {"zh": "数据集", "en": "Dataset"},
    "cp_level": {"zh": "按", "en": "By"},
    "cp_level_township": {"zh": "乡镇（街道）", "en": "Township"},
    "cp_level_district": {"zh": "区县", "en": "District"},
    "cp_status_reported": {"zh": "按时", "en": "On time"},
    "cp_status_late": {"zh": "迟报", "en": "Late"},
    "cp_status_missing": {"zh": "未报", "en": "Missing"},
    "cp_month_kpi": {"zh": "{month}报送", "en": "{month} reports"},
    "cp_of": {"zh": "{n} / {total}", "en": "{n} of {total}"},
    "cp_kpi_unit": {"zh": "按{unit}个数计。", "en": "Counted in {unit}."},
    "cp_units_township": {"zh": "乡镇（街道）", "en": "townships"},
    "cp_units_district": {"zh": "区县", "en": "districts"},
    "cp_grid_drill": {"zh": "每格为该地区按时、迟报、未报的{unit}个数；点击一行查看其下级。",
                      "en": "Each cell counts the region's {unit} on time, late and missing; "
                            "click a row to drill down."},
    "cp_grid_drill_units": {"zh": "每格为该{unit}当月的报送状态；点击一行查看该{unit}。",
                            "en": "Each cell is the month's status of one of the {unit}; click a row to open it."},
    "cp_reminders_drill": {"zh": "催报名单列出未报的{unit}：请点击上表中的地区下钻到它们所在的一级。",
                           "en": "The reminder list names the {unit} still missing: click a region in "
                                 "the grid above to drill down to them."},
    "cp_grid": {"zh": "报送情况一览", "en": "Who reported which month"},
    "cp_region": {"zh": "地区", "en": "Region"},
    "cp_ranking": {"zh": "按时报送排名（已到截止日的月份）", "en": "Timeliness ranking (months already due)"},
    "cp_rank": {"zh": "名次", "en": "Rank"},
    "cp_due": {"zh": "应报次数", "en": "Reports due"},
    "cp_on_time_rate": {"zh": "按时率", "en": "On-time rate"},
    "cp_no_due": {"zh": "所选期间还没有已到截止日的月份。", "en": "No month of the period is due yet."},
    "cp_reminders": {"zh": "催报名单", "en": "Reminder list"},
    "cp_source": {"zh": "各地上传记录（halfsky 上传批次）", "en": "uploads of each region (halfsky upload batches)"},
    "cp_reminders_none": {"zh": "所选期间没有未报的地区。", "en": "Every region has reported in this period."},
    "cp_reminders_xlsx": {"zh": "下载催报名单（XLSX）", "en": "Download the reminder list (XLSX)"},
    "cp_deadline": {"zh": "截止日期", "en": "Deadline"},
    "cp_days_overdue": {"zh": "逾期天数", "en": "Days overdue"},
    "cp_uploaded_at": {"zh": "导入时间", "en": "Loaded at"},
    "cp_month": {"zh": "月份", "en": "Month"},
    "cp_rule": {"zh": "报送截止规则（管理员）", "en": "Deadline rule (admins)"},
    "cp_rule_day": {"zh": "次月几日前报送（1–28）", "en": "Due by day (1–28) of the following month"},
    "cp_rule_for": {"zh": "适用于", "en": "Applies to"},
    "cp_rule_all": {"zh": "全部数据集", "en": "Every dataset"},
    "cp_rule_save": {"zh": "保存规则", "en": "Save the rule"},
    "cp_rule_refused": {"zh": "截止规则对全部地区统一适用，只有管辖整个数据范围（如全市）的管理员可以修改。",
                        "en": "The deadline rule applies to every region; only an admin whose scope "
                              "holds the whole warehouse (e.g. the whole city) may change it."},
    "cp_rule_bad": {"zh": "截止日须为1–28日，且只适用于按月报送的数据集。",
                    "en": "The deadline day must be 1–28, for a monthly dataset."},
    "cp_rule_saved": {"zh": "已保存：{ds} 次月 {day} 日前报送。",
                      "en": "Saved: {ds} due by day {day} of the following month."},
    "cp_no_regions": {"zh": "所选范围内没有该级别的地区。", "en": "No region of this level in the selected area."},
})


# Written readings and the 通报.
TEXT.update({
    "reading_title": {"zh": "文字解读", "en": "Reading"},
    "reading_thin": {"zh": "本期数据不足，暂不作文字解读。", "en": "Too little data this period to say more."},
    "reading_failed": {"zh": "文字解读暂不可用。", "en": "The reading is not available right now."},
    "reading_docx": {"zh": "下载通报（Word）", "en": "Download the report (Word)"},
})

# 督办事项 Follow-ups: the page, and the 督办 button beside a warning (lib/ui/followup_ui).
TEXT.update({
    "page_followup": {"zh": "督办事项", "en": "Follow-ups"},
    "fup_raise": {"zh": "督办", "en": "Follow up"},
    "fup_raise_help": {"zh": "新建督办事项（已预填）：{subject}", "en": "New follow-up, prefilled: {subject}"},
    "fup_raise_targets": {"zh": "对预警指标督办", "en": "Follow up a warning"},
    "fup_raise_league": {"zh": "对排名靠后的地区督办", "en": "Follow up a region near the bottom"},
    "fup_raise_reading": {"zh": "对落后地区督办", "en": "Follow up a lagging region"},
    "fup_raise_reminder": {"zh": "对未报送的单位督办", "en": "Follow up a missing report"},
    "fup_raise_upload": {"zh": "对预警行督办", "en": "Follow up a warned row"},
    # what a warning hands to the create form (lib/followup/prefills.py)
    "fup_subj_indicator": {"zh": "{name} {status}", "en": "{name}: {status}"},
    "fup_ask_indicator": {"zh": "最新值 {latest}（{when}），目标值 {target}（{year}年），预计 {projected}。"
                                "请分析原因，提出改进措施，并在办理期限内反馈办理情况。",
                         "en": "Latest {latest} ({when}), target {target} by {year}, projected "
                               "{projected}. Please find the causes, propose measures and report "
                               "back by the due date."},
    "fup_subj_league": {"zh": "{region} {label}排名靠后", "en": "{region}: {label} near the bottom"},
    "fup_ask_league": {"zh": "{label} {value}，在 {count} 个地区中排第 {rank} 名。请说明原因，提出改进措施，"
                            "并在办理期限内反馈办理情况。",
                      "en": "{label} {value}, rank {rank} of {count}. Please explain, propose "
                            "measures and report back by the due date."},
    "fup_subj_missing": {"zh": "{region} {month}{dataset}未报送", "en": "{region}: {dataset} of {month} not reported"},
    "fup_ask_missing": {"zh": "报送截止日 {deadline}，已逾期 {days} 天。请尽快上传台账。",
                       "en": "Due {deadline}, {days} days overdue. Please upload the ledger."},
    "fup_subj_upload": {"zh": "{region} 上传数据待核实", "en": "{region}: uploaded figures to check"},
    "fup_ask_upload": {"zh": "文件「{file}」第 {row} 行：{warning}", "en": "File '{file}', row {row}: {warning}"},
    # the page
    "fup_caption": {"zh": "交办、跟踪、办结预警提出的事项；只显示您权限范围内的事项。",
                   "en": "Assign, track and close what the warnings ask for; only items inside "
                         "your scope are shown."},
    "fup_view": {"zh": "范围", "en": "Show"},
    "fup_view_mine": {"zh": "我负责的", "en": "Mine"},
    "fup_view_assigned": {"zh": "我交办的", "en": "Assigned by me"},
    "fup_view_all": {"zh": "本辖区全部", "en": "All in my scope"},
    "fup_status": {"zh": "状态", "en": "Status"},
    "fup_any": {"zh": "全部", "en": "All"},
    "fup_region": {"zh": "地区", "en": "Region"},
    "fup_due": {"zh": "办理期限", "en": "Due"},
    "fup_due_overdue": {"zh": "已逾期", "en": "Overdue"},
    "fup_due_7": {"zh": "7 天内到期", "en": "Due within 7 days"},
    "fup_due_30": {"zh": "30 天内到期", "en": "Due within 30 days"},
    "fup_none": {"zh": "没有符合条件的督办事项。", "en": "No follow-up matches."},
    "fup_count": {"zh": "共 {n} 项，其中逾期 {overdue} 项（逾期的排在前面）。",
                 "en": "{n} items, {overdue} overdue (listed first)."},
    "fup_col_flag": {"zh": "提示", "en": "Flag"},
    "fup_col_id": {"zh": "编号", "en": "No."},
    "fup_col_subject": {"zh": "标题", "en": "Subject"},
    "fup_col_region": {"zh": "地区", "en": "Region"},
    "fup_col_owner": {"zh": "承办人", "en": "Owner"},
    "fup_col_due": {"zh": "办理期限", "en": "Due"},
    "fup_col_status": {"zh": "状态", "en": "Status"},
    "fup_col_created_by": {"zh": "交办人", "en": "Assigned by"},
    "fup_col_created_at": {"zh": "交办时间", "en": "Assigned on"},
    "fup_export": {"zh": "导出督办清单（XLSX）", "en": "Export the list (XLSX)"},
    "fup_pick": {"zh": "查看事项", "en": "Open item"},
    "fup_detail_meta": {"zh": "地区：{region} · 承办人：{owner} · 办理期限：{due} · 状态：{status} · "
                             "交办人：{by}（{at}）",
                       "en": "Region: {region} · owner: {owner} · due: {due} · status: {status} · "
                             "assigned by {by} ({at})"},
    "fup_source": {"zh": "来源：{src}", "en": "Raised on: {src}"},
    "fup_src_league": {"zh": "下级地区排名", "en": "league table"},
    "fup_closed_on": {"zh": "办结于 {at}", "en": "closed {at}"},
    "fup_asked": {"zh": "办理要求", "en": "What is asked"},
    "fup_notes": {"zh": "办理记录", "en": "Progress notes"},
    "fup_no_notes": {"zh": "暂无办理记录。", "en": "No notes yet."},
    "fup_status_change": {"zh": "状态：{old} → {new}", "en": "Status: {old} → {new}"},
    "fup_note_form": {"zh": "更新办理情况", "en": "Update progress"},
    "fup_note_body": {"zh": "办理情况", "en": "Progress"},
    "fup_note_status": {"zh": "状态", "en": "Status"},
    "fup_note_file": {"zh": "附件（可选）", "en": "Attachment (optional)"},
    "fup_note_submit": {"zh": "提交", "en": "Submit"},
    "fup_note_saved": {"zh": "已保存办理记录。", "en": "Note saved."},
    "fup_closed_saved": {"zh": "事项 {id} 已办结。", "en": "Item {id} closed."},
    "fup_create": {"zh": "新建督办事项", "en": "New follow-up"},
    "fup_create_prefilled": {"zh": "已根据预警预填，请核对后创建。",
                             "en": "Prefilled from the warning: check, then create."},
    "fup_f_region": {"zh": "地区", "en": "Region"},
    "fup_f_subject": {"zh": "标题", "en": "Subject"},
    "fup_f_asked": {"zh": "办理要求", "en": "What is asked"},
    "fup_f_owner_kind": {"zh": "承办方", "en": "Owner"},
    "fup_f_owner_user": {"zh": "账户", "en": "An account"},
    "fup_f_owner_unit": {"zh": "单位（地区）", "en": "A unit (region)"},
    "fup_f_owner": {"zh": "承办人账户", "en": "Owner account"},
    "fup_f_owner_region": {"zh": "承办单位", "en": "Owner unit"},
    "fup_f_no_owner": {"zh": "该地区没有可以指定的账户：可改为指定承办单位。",
                      "en": "No account can own an item of this region: name a unit instead."},
    "fup_f_due": {"zh": "办理期限", "en": "Due date"},
    "fup_f_submit": {"zh": "创建督办事项", "en": "Create follow-up"},
    "fup_created": {"zh": "已创建督办事项 {id}：{subject}", "en": "Follow-up {id} created: {subject}"},
    "fup_prefill_outside": {"zh": "链接中的地区不在您的权限范围内，未预填。",
                           "en": "The link's region is outside your scope; nothing was prefilled."},
    "fup_refused": {"zh": "未保存：{msg}", "en": "Not saved: {msg}"},
})

def enum_label(value: str, lang: str = "zh") -> str:
    """An identifier's label: the glossary's Chinese term (as in the upload specs) or English."""
    if lang == "en":
        return ENUM_EN.get(value, value)
    if value == "federation":
        return "村（社区）妇联"
    if value in ("urban", "rural"):
        return t(value, "zh")
    for table in (terms.ORG_TYPES, terms.TOPICS, terms.AUDIENCES, terms.MODES, terms.FAIR_TYPES,
                  terms.SECTORS):
        for zh, ident in table.items():
            if ident == value:
                return zh
    return {"cervical": "宫颈癌", "breast": "乳腺癌"}.get(value, value)

# Progress tables (进度表): the upload page's progress path and the screening export.
TEXT.update({
    "pg_detected": {"zh": "识别为进度表：截至 {d}，{n} 个地区，{k}。累计数按地区和截至日期单独保存，不计入按月筛查数。",
                    "en": "Read as a progress table: as of {d}, {n} regions, {k}. Cumulative counts are "
                          "kept by region and as-of date, apart from the monthly screening figures."},
    "pg_as_of": {"zh": "截至日期（标题中没有时填写）", "en": "As-of date (when the title has none)"},
    "pg_region": {"zh": "地区", "en": "Region"},
    "pg_code": {"zh": "区划代码", "en": "Region code"},
    "pg_kind": {"zh": "类型", "en": "Kind"},
    "pg_quota": {"zh": "任务数", "en": "Quota"},
    "pg_done": {"zh": "累计完成", "en": "Done (cumulative)"},
    "pg_download": {"zh": "下载进度公示表（Excel）", "en": "Download the progress table (Excel)"},
    "pg_alias_title": {"zh": "地区别名（进度表中的功能区等）",
                       "en": "Region aliases (functional zones in progress tables)"},
    "pg_alias": {"zh": "别名（如 经开区）", "en": "Alias (e.g. the development zone)"},
    "pg_alias_code": {"zh": "对应区划代码（12 位）", "en": "Region code (12 digits)"},
    "pg_alias_name": {"zh": "导出时显示的名称（可选）", "en": "Name shown in exports (optional)"},
    "pg_alias_add": {"zh": "添加别名", "en": "Add alias"},
    "pg_alias_added": {"zh": "已添加别名「{a}」→ {c}。", "en": "Alias '{a}' → {c} added."},
    "pg_alias_by": {"zh": "添加人", "en": "Added by"},
    "pg_alias_remove_pick": {"zh": "要删除的别名", "en": "Alias to remove"},
    "pg_alias_remove": {"zh": "删除别名", "en": "Remove alias"},
    "pg_alias_removed": {"zh": "已删除别名「{a}」。", "en": "Alias '{a}' removed."},
    "pg_alias_at": {"zh": "添加时间", "en": "Added at"},
    "pg_stored": {"zh": "已上传的进度表（最新截至 {d}）", "en": "Uploaded progress tables (latest as of {d})"},
    "pg_as_of_pick": {"zh": "截至日期", "en": "As of"},
    "pg_rate": {"zh": "完成率", "en": "Completion"},
    "pg_stored_note": {"zh": "进度表为截至该日的累计数，单独保存，不计入上方按月汇总的筛查人数；"
                             "完成率超过100%的按100%计。",
                       "en": "Progress tables are cumulative to their date and kept apart from the "
                             "monthly screening figures above; completion is capped at 100 %."},
})

# When a figure is measured (lib/metrics/asof): the date beside a value.
TEXT.update({
    "as_of_day": {"zh": "截至{y}年{m}月{d}日", "en": "as of {iso}"},
    "year_end": {"zh": "{y}年末", "en": "end of {y}"},
    "year_only": {"zh": "{y}年", "en": "{y}"},
})

# 督办 follow-up items (lib/followup): statuses and the reasons an action is refused.
TEXT.update({
    "fu_status_todo": {"zh": "待办", "en": "Pending"},
    "fu_status_doing": {"zh": "进行中", "en": "In progress"},
    "fu_status_done": {"zh": "已办结", "en": "Closed"},
    "fu_overdue": {"zh": "逾期", "en": "Overdue"},
    "fu_owner_disabled": {"zh": "（账户已停用）", "en": " (account disabled)"},
    "fu_not_found": {"zh": "没有这个督办事项，或它不在您的权限范围内。",
                     "en": "No such follow-up item, or it is outside your scope."},
    "fu_scope_refused": {"zh": "无权操作：该地区不在您的权限范围内。未做任何更改。",
                         "en": "Refused: that region is outside your scope. Nothing was changed."},
    "fu_role_refused": {"zh": "只有管理员和数据分析员可以交办督办事项。",
                        "en": "Only admins and analysts can assign follow-up items."},
    "fu_not_owner": {"zh": "只有承办人（或本地区的管理员、数据分析员）可以更新这个督办事项。",
                     "en": "Only the owner (or an admin or analyst of the region) can update this item."},
    "fu_bad_region": {"zh": "地区代码无效：请填写12位统计用区划代码。",
                      "en": "Not a region: give a 12-digit statistical region code."},
    "fu_bad_subject": {"zh": "请填写督办事项的标题（不超过200字）。",
                       "en": "Give the item a title (at most 200 characters)."},
    "fu_bad_kind": {"zh": "督办事项的类型无效。", "en": "Unknown kind of follow-up item."},
    "fu_bad_text": {"zh": "文字过长或含有不可见的控制字符。",
                    "en": "The text is too long or holds control characters."},
    "fu_bad_indicator": {"zh": "指标目录中没有这个指标。", "en": "No such indicator in the catalog."},
    "fu_bad_due": {"zh": "办理期限不能早于今天。", "en": "The due date cannot be before today."},
    "fu_owner_one": {"zh": "请指定一个承办人：一个账户或一个单位（地区），二者选一。",
                     "en": "Name one owner: an account or a unit (region), not both."},
    "fu_owner_bad": {"zh": "承办人必须是有效账户，且其权限范围包含该地区。",
                     "en": "The owner must be an active account whose scope covers the region."},
    "fu_owner_region_bad": {"zh": "承办单位必须是该地区或其下级地区。",
                            "en": "The owning unit must be the region itself or a region inside it."},
    "fu_bad_view": {"zh": "列表方式无效。", "en": "Unknown list view."},
    "fu_bad_status": {"zh": "状态无效：可选 待办、进行中、已办结。",
                      "en": "Unknown status: pending, in progress or closed."},
    "fu_bad_transition": {"zh": "状态不能这样变更（只能 待办→进行中→已办结，或 待办→已办结）。",
                          "en": "That status change is not allowed (pending → in progress → closed, "
                                "or pending → closed)."},
    "fu_closed": {"zh": "该督办事项已办结，不能再更新。", "en": "This item is closed; it cannot be updated."},
    "fu_changed": {"zh": "该督办事项刚被他人更新，请刷新后再试。",
                   "en": "Someone else has just updated this item: reload and try again."},
    "fu_empty_note": {"zh": "请填写办理情况（或变更状态、附上文件）。",
                      "en": "Write a progress note (or change the status, or attach a file)."},
    "fu_file_type": {"zh": "附件只能是 CSV、XLSX、PDF、PNG 或 JPG 文件。",
                     "en": "Attachments must be CSV, XLSX, PDF, PNG or JPG files."},
    "fu_file_empty": {"zh": "附件是空文件。", "en": "The attachment is empty."},
    "fu_file_large": {"zh": "附件超过 5 MB。", "en": "The attachment is larger than 5 MB."},
    "fu_file_content": {"zh": "附件内容与文件类型不符。",
                        "en": "The attachment's content is not what its file type says."},
})

# 分享图片: the picture of a page or a slide to forward (lib/share, lib/ui/share_ui).
TEXT.update({
    "share_button": {"zh": "分享图片", "en": "Share picture"},
    "share_help": {"zh": "生成一张手机上不用放大即可阅读的图片（PNG，1080 像素宽），可转发到微信群；"
                         "图上有本账号和生成时间的淡色水印。",
                   "en": "A picture readable on a phone without zooming (PNG, 1080 px wide) to forward "
                         "in a chat group; a faint watermark names this account and the time it was made."},
    "share_watermark": {"zh": "账号 {account} · {when}", "en": "Account {account} · {when}"},
    "share_demo": {"zh": "示例数据：图中数字由程序生成，仅供演示，不是真实统计。",
                   "en": "Demo data: every figure in this picture is synthetic, not real statistics."},
    "share_map_credit": {"zh": "地图：{credits}", "en": "Map: {credits}"},
    "share_no_font": {"zh": "本服务器未安装中文字体，无法生成分享图片（请安装 fonts-noto-cjk）。",
                      "en": "No Chinese font is installed on this server, so no picture can be made "
                            "(install fonts-noto-cjk)."},
    "share_more": {"zh": "另有 {n} 项见驾驶舱页面。", "en": "{n} more on the dashboard page."},
})

# The meeting's follow-up slide (督办事项落实情况) and the 通报's follow-up section.
TEXT.update({
    "mfu_title": {"zh": "督办事项落实情况", "en": "Follow-up items"},
    "mfu_since": {"zh": "上次会议（{day}）以来", "en": "Since the last meeting ({day})"},
    "mfu_none": {"zh": "本期无督办事项。", "en": "No follow-up items this period."},
    "mfu_nothing_moved": {"zh": "本期无新增、办结或逾期的督办事项。",
                          "en": "No follow-up item is new, closed or overdue this period."},
    "mfu_new": {"zh": "新增督办事项", "en": "New items"},
    "mfu_closed": {"zh": "办结事项", "en": "Closed"},
    "mfu_overdue": {"zh": "逾期事项", "en": "Overdue"},
    "mfu_chart": {"zh": "各地区督办事项", "en": "Follow-up items by region"},
    "mfu_since_input": {"zh": "上次会议日期", "en": "Last meeting on"},
    "mfu_bad_since": {"zh": "链接中的上次会议日期无效（应为近两年内、不晚于今天的日期，如 2026-10-31），"
                            "已按30天前计算。",
                      "en": "The link's last-meeting date is not valid (a date within the last two "
                            "years and not after today, e.g. 2026-10-31): counting from 30 days ago."},
})
