-- A zwxm database as schema version 1 wrote it (before the search and name_sort columns), with one
-- project and two events whose hashes were computed by that version. tests/test_storage_migration.py
-- opens it and expects it upgraded in one transaction.
PRAGMA application_id = 2054649965;  -- 0x7A77786D, "zwxm"
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
);
CREATE INDEX projects_district ON projects (district);
CREATE INDEX projects_kind ON projects (kind);
CREATE INDEX projects_budget_year ON projects (budget_year);
CREATE INDEX projects_owner_unit ON projects (owner_unit);
CREATE INDEX projects_investment ON projects (investment);
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
CREATE INDEX changes_project ON changes (project_code);
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
CREATE INDEX project_status_stage ON project_status (stage_order);
CREATE INDEX project_status_next_deadline ON project_status (next_deadline);
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
CREATE INDEX project_deadlines_project ON project_deadlines (project_code);
CREATE INDEX project_deadlines_open_due ON project_deadlines (date) WHERE kind = 'due' AND done_on IS NULL;
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
CREATE INDEX project_findings_project ON project_findings (project_code);
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
CREATE INDEX import_rejects_import ON import_rejects (import_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correcting event that supersedes it / 事件只能追加：请记录一条更正事件'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only / 事件只能追加，不能删除'); END;
INSERT INTO projects (code, name, district, kind, investment, funding, owner_unit, budget_year, created_at, updated_at)
VALUES ('EX-V1', '渝北智慧城管平台', 'example', 'construction', 1200000, 'government_investment', '区城市管理局', 2024,
        '2024-09-01T09:00:00+08:00', '2024-09-01T09:00:00+08:00');
INSERT INTO events (project_code, seq, type, date, actor, role, note, payload, supersedes, recorded_at, hash)
VALUES ('EX-V1', 1, 'declared', '2024-09-02', NULL, NULL, '', '{}', NULL, '2024-09-02T10:00:00+08:00',
        '79dc0c28de3db4456a53c71becbcf8fb56bdfc906dd7353d8e39c27856a45040'),
       ('EX-V1', 2, 'contract_signed', '2024-10-09', '区城市管理局', NULL, '合同编号 HT-2024-17', '{}', NULL,
        '2024-10-09T15:30:00+08:00', 'd518cd17d87493f23936fbf3733c0c7a9339ecda2ed728990e8b607a6cf89bb1');
PRAGMA user_version = 1;
