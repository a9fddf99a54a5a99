"""The glossary's Chinese terms for classified values and the identifiers the warehouse stores.

One table per kind of value: the upload specs read ledgers with them (lib/ingest/specs.py) and
lib.i18n labels an identifier with its Chinese term, so both live below either of them.
"""
from __future__ import annotations

TOPICS = {"执委履职": "exec_duty", "思想政治引领": "political_guidance", "维权普法": "rights_law",
          "家庭教育": "family_education", "创业就业": "entrepreneurship",
          "技能培训": "vocational_skills", "健康知识": "health"}
AUDIENCES = {"执委": "exec_member", "妇联主席": "federation_chair",
             "农村妇女（高素质女农民）": "rural_women", "农村妇女": "rural_women",
             "高素质女农民": "rural_women", "女大学生": "female_graduates",
             "家政从业人员": "domestic_workers", "妇女群众": "general_public"}
MODES = {"线上": "online", "线下": "onsite"}
FAIR_TYPES = {"女大学生专场": "female_graduates", "春风行动": "spring_breeze", "线上招聘": "online",
              "家政专场": "domestic_service", "综合": "general"}
KINDS = {"宫颈癌筛查": "cervical", "宫颈癌": "cervical", "乳腺癌筛查": "breast", "乳腺癌": "breast"}
ORG_TYPES = {"村妇联": "village_federation", "社区妇联": "community_federation",
             "乡镇（街道）妇联": "township_federation", "乡镇妇联": "township_federation",
             "街道妇联": "township_federation", "妇女之家": "womens_home",
             "妇女微家": "womens_micro_home", "姐妹驿站": "sister_station",
             "新领域妇女组织（“四新”领域）": "new_sector_org", "新领域妇女组织": "new_sector_org",
             "家长学校": "parent_school", "巾帼志愿服务队": "volunteer_team",
             "婚姻家庭纠纷调解组织": "mediation_committee", "心理咨询室": "counselling_room",
             "社会工作室": "counselling_room"}
SECTORS = {"新经济组织": "new_economy", "新社会组织": "new_social", "互联网平台": "internet_platform",
           "快递物流": "courier_logistics", "网约车": "ride_hailing", "外卖配送": "food_delivery",
           "高校": "university"}

