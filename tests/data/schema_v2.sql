-- A zwxm database as schema version 2 wrote it (main before the log of writes), made by that version's
-- Store: two projects, a superseding event recorded with --force, a change. tests/test_ledger.py opens it
-- and expects every row adopted into the log by the genesis rule (docs/schema.md).
PRAGMA application_id = 2054649965;
PRAGMA user_version = 2;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE projects (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    district TEXT NOT NULL,
    kind TEXT NOT NULL,
    investment INTEGER NOT NULL,
    category TEXT,
    funding TEXT,
    classified INTEGER NOT NULL DEFAULT 0,
    owner_unit TEXT,
    user_unit TEXT,
    contractor TEXT,
    supervisor TEXT,
    designer TEXT,
    tester TEXT,
    budget_year INTEGER,
    tags TEXT NOT NULL DEFAULT '[]',
    facts TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
, search TEXT NOT NULL DEFAULT '', name_sort TEXT NOT NULL DEFAULT '');
INSERT INTO projects VALUES('V2-001','智慧城管平台','luohu','construction',1200000,NULL,NULL,0,'区城市管理局',NULL,NULL,NULL,NULL,NULL,2025,'[]','{}','2026-12-05T13:59:08+00:00','2026-12-05T13:59:08+00:00','v2-001 智慧城管平台 区城市管理局 zhcgpt qcsglj','zhi hui cheng guan ping tai');
INSERT INTO projects VALUES('V2-002','政务云运维','yubei','operation',800000,NULL,NULL,0,'区政务服务局',NULL,NULL,NULL,NULL,NULL,2025,'[]','{}','2026-12-05T13:59:10+00:00','2026-12-05T13:59:10+00:00','v2-002 政务云运维 区政务服务局 zwyyw qzwfwj','zheng wu yun yun wei');
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    date TEXT NOT NULL,
    actor TEXT,
    role TEXT,
    note TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}',
    supersedes INTEGER REFERENCES events (id),
    recorded_at TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (project_code, seq)
);
INSERT INTO events VALUES(1,'V2-001',1,'declared','2025-01-02',NULL,NULL,'','{}',NULL,'2026-12-05T13:59:08+00:00','339234eb2fa339f6289d77500e828081e030ac008d10f2cd471fa55092e855b3');
INSERT INTO events VALUES(2,'V2-001',2,'approved','2025-03-04',NULL,NULL,'','{}',NULL,'2026-12-05T13:59:08+00:00','6c7b5046aebea37f732b07f6d220ce884821093ba9477337e648b15d3f45e5b5');
INSERT INTO events VALUES(3,'V2-002',1,'declared','2025-02-03',NULL,NULL,'','{}',NULL,'2026-12-05T13:59:10+00:00','460175a894dcb30fc5eb8b0e1ab74d77c4cd37181c4257517f8e09637224d46b');
INSERT INTO events VALUES(4,'V2-001',3,'approved','2025-03-05','张三',NULL,'更正批复日期','{"forced":true,"refusals":[{"article":8,"district":"luohu","message":"未列入年度信息化项目计划：发改部门原则上不予立项、财政部门原则上不安排资金；因特殊需要的须经区主要领导或区领导小组审批","message_en":"not in the annual plan: no approval or funding unless specially approved by the district''s principal leader or the leading group","rule":"annual_plan_before_approval"},{"article":12,"district":"luohu","message":"未经区政务服务数据管理局技术论证（或论证未通过）：发改部门不予审核，财政部门不予安排资金","message_en":"no passed technical review by the IT authority: no approval review, no funding","rule":"technical_review_before_approval"}]}',2,'2026-12-05T13:59:10+00:00','4ece2e9c962d490d5efc01b90acf5d1cd75f6f99d65a842cfbc50c09f5988814');
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    major INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL
);
INSERT INTO changes VALUES(1,'V2-001','2025-06-01',100000,'增加终端',0,'','2026-12-05T13:59:10+00:00');
CREATE TABLE project_status (
    code TEXT PRIMARY KEY REFERENCES projects (code),
    stage TEXT NOT NULL,
    stage_order INTEGER NOT NULL,
    applicable INTEGER,
    next_deadline TEXT,
    next_deadline_rule TEXT,
    next_deadline_title TEXT,
    next_deadline_title_en TEXT,
    next_deadline_article INTEGER,
    next_deadline_provisional INTEGER NOT NULL DEFAULT 0,
    overdue INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    evaluated_on TEXT
);
INSERT INTO project_status VALUES('V2-002','declare',0,1,'2025-12-31','om_needs_declaration_deadline','申报2026年度运维需求（2025年底前）','declare the 2026 O&M needs (by the end of 2025)',5,0,1,0,0,'2026-12-05');
INSERT INTO project_status VALUES('V2-001','approve',2,1,NULL,NULL,NULL,NULL,NULL,0,0,0,3,'2026-12-05');
CREATE TABLE project_deadlines (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    rule TEXT NOT NULL,
    title TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    date TEXT,
    article INTEGER,
    status TEXT NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    done_on TEXT,
    explanation TEXT NOT NULL DEFAULT '',
    explanation_en TEXT NOT NULL DEFAULT ''
);
INSERT INTO project_deadlines VALUES(4,'V2-002','om_needs_declaration_deadline','申报2025年度运维需求（2024年底前）','declare the 2025 O&M needs (by the end of 2024)','due','2024-12-31',5,'missed',0,'2025-02-03','固定日期 2024-12-31 前（工作日）','fixed date: by 2024-12-31 (a working day)');
INSERT INTO project_deadlines VALUES(5,'V2-002','om_needs_declaration_deadline','申报2026年度运维需求（2025年底前）','declare the 2026 O&M needs (by the end of 2025)','due','2025-12-31',5,'missed',0,NULL,'固定日期 2025-12-31 前（工作日）','fixed date: by 2025-12-31 (a working day)');
INSERT INTO project_deadlines VALUES(6,'V2-002','om_needs_declaration_deadline','申报2027年度运维需求（2026年底前）','declare the 2027 O&M needs (by the end of 2026)','due','2026-12-31',5,'open',0,NULL,'固定日期 2026-12-31 前（工作日）','fixed date: by 2026-12-31 (a working day)');
INSERT INTO project_deadlines VALUES(7,'V2-002','contract_filing_deadline','合同复印件备案（7个工作日内）','contract copy filed within 7 working days','due',NULL,12,'pending',0,NULL,'','');
INSERT INTO project_deadlines VALUES(8,'V2-001','contract_filing','合同备案（签订之日起10日内）','contract filing (within 10 days of signing)','due',NULL,15,'pending',0,NULL,'','');
INSERT INTO project_deadlines VALUES(9,'V2-001','monthly_progress_report','月度进度和资金使用报告（每月25日前）','monthly progress and funds report (by the 25th)','due',NULL,16,'pending',0,NULL,'','');
INSERT INTO project_deadlines VALUES(10,'V2-001','preliminary_acceptance','初步验收（建成半年内）','preliminary acceptance (within six months of completion)','due',NULL,18,'pending',0,NULL,'','');
CREATE TABLE project_findings (
    id INTEGER PRIMARY KEY,
    project_code TEXT NOT NULL REFERENCES projects (code),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    article INTEGER,
    message TEXT NOT NULL,
    message_en TEXT NOT NULL DEFAULT '',
    plugin TEXT NOT NULL DEFAULT ''
);
INSERT INTO project_findings VALUES(7,'V2-002','scope','info',2,'缺少“content_type”，无法检查：适用范围（第二条）','missing fact ''content_type'': cannot check scope','yubei');
INSERT INTO project_findings VALUES(8,'V2-002','government_cloud_required','info',4,'缺少“on_government_cloud”，无法检查：使用政务云、接入共享交换平台','missing fact ''on_government_cloud'': cannot check government cloud and data-sharing platform','yubei');
INSERT INTO project_findings VALUES(9,'V2-001','regulation_status','warning',34,'《深圳市罗湖区信息化项目管理办法》有效期至 2025-10-19，2026-12-05 已失效：以下结果仅供参考','the regulation was in force until 2025-10-19 and had expired on 2026-12-05: results for reference only','');
INSERT INTO project_findings VALUES(10,'V2-001','scope_funding','info',2,'缺少“funding”，无法检查：适用范围：本级财政性资金；上级资金从其规定','missing fact ''funding'': cannot check scope: district fiscal money; superior funds follow superior rules','luohu');
INSERT INTO project_findings VALUES(11,'V2-001','scope_category','info',2,'缺少“category”，无法检查：适用范围：单纯设备购置、日常运维除外','missing fact ''category'': cannot check scope: pure equipment purchase and routine O&M excluded','luohu');
INSERT INTO project_findings VALUES(12,'V2-001','approval_path','info',11,'缺少“funding”，无法检查：审批路径（部门预算/政府投资）','missing fact ''funding'': cannot check approval path (budget / investment)','luohu');
INSERT INTO project_findings VALUES(13,'V2-001','annual_plan_before_approval','warning',8,'2025-03-05 记录的“已立项/批复”违反：未列入年度信息化项目计划：发改部门原则上不予立项、财政部门原则上不安排资金；因特殊需要的须经区主要领导或区领导小组审批','approved on 2025-03-05 broke a gate: not in the annual plan: no approval or funding unless specially approved by the district''s principal leader or the leading group','');
INSERT INTO project_findings VALUES(14,'V2-001','technical_review_before_approval','warning',12,'2025-03-05 记录的“已立项/批复”违反：未经区政务服务数据管理局技术论证（或论证未通过）：发改部门不予审核，财政部门不予安排资金','approved on 2025-03-05 broke a gate: no passed technical review by the IT authority: no approval review, no funding','');
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE import_rejects (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    row INTEGER NOT NULL,
    code TEXT,
    "column" TEXT NOT NULL,
    value TEXT,
    reason TEXT NOT NULL,
    reason_en TEXT NOT NULL
);
CREATE INDEX projects_district ON projects (district);
CREATE INDEX projects_kind ON projects (kind);
CREATE INDEX projects_budget_year ON projects (budget_year);
CREATE INDEX projects_owner_unit ON projects (owner_unit);
CREATE INDEX projects_investment ON projects (investment);
CREATE INDEX changes_project ON changes (project_code);
CREATE INDEX project_status_stage ON project_status (stage_order);
CREATE INDEX project_status_next_deadline ON project_status (next_deadline);
CREATE INDEX project_deadlines_project ON project_deadlines (project_code);
CREATE INDEX project_deadlines_open_due ON project_deadlines (date) WHERE kind = 'due' AND done_on IS NULL;
CREATE INDEX project_findings_project ON project_findings (project_code);
CREATE INDEX import_rejects_import ON import_rejects (import_id);
CREATE INDEX projects_name_sort ON projects (name_sort);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correcting event that supersedes it / 事件只能追加：请记录一条更正事件'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only / 事件只能追加，不能删除'); END;
COMMIT;
