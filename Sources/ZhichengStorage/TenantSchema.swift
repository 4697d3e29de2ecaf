/// The schema of a tenant database, one migration per version. Never edit a
/// released migration: add the next one.
public enum TenantSchema {
    /// The tables a session check reads: a committed update or deletion of a row of
    /// any of them empties the tenant's `SessionCache` (orgs too, though the check
    /// reads no org today, so that an org's approval or deletion can never be answered
    /// from the cache). Insertions do not: the cache holds only sessions that were
    /// found, and a new row is never one of them (a new session has a token hash of its
    /// own, a new account no session yet). Sign-in failures are counted in a table of
    /// their own (v19), so signing in empties nothing.
    public static let sessionTables: Set<String> = ["accounts", "sessions", "orgs"]

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "tenant, orgs, accounts, audit", sql: """
            CREATE TABLE tenant_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            CREATE TABLE orgs (
                id INTEGER PRIMARY KEY,
                parent_id INTEGER REFERENCES orgs(id),
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('office', 'department', 'unit')),
                profile_state TEXT NOT NULL DEFAULT 'draft'
                    CHECK (profile_state IN ('draft', 'submitted', 'approved', 'rejected')),
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX orgs_parent ON orgs(parent_id);

            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY,
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                login TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('org_admin', 'staff', 'applicant')),
                password_hash TEXT NOT NULL,
                must_change_password INTEGER NOT NULL DEFAULT 1,
                enabled INTEGER NOT NULL DEFAULT 1,
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX accounts_org ON accounts(org_id);

            -- Append-only and hash-chained: each row's hash covers the previous
            -- row's hash, so an edit, deletion or reordering behind the daemon's
            -- back is found by `tenant.check`.
            CREATE TABLE audit (
                seq INTEGER PRIMARY KEY,
                at REAL NOT NULL,
                actor TEXT NOT NULL,
                org_id INTEGER,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT NOT NULL,
                source TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            ) STRICT;
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """),
        Migration(version: 2, name: "unit info, staff and applicants, sessions, uploads", sql: """
            ALTER TABLE orgs ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
            ALTER TABLE orgs ADD COLUMN profile_reject_reason TEXT;
            ALTER TABLE orgs ADD COLUMN certificate_file_id INTEGER REFERENCES files(id);
            ALTER TABLE orgs ADD COLUMN seal_file_id INTEGER REFERENCES files(id);
            ALTER TABLE orgs ADD COLUMN next_office_seq INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE orgs ADD COLUMN next_department_seq INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE orgs ADD COLUMN next_unit_seq INTEGER NOT NULL DEFAULT 1;
            -- Deleted orgs keep their row so their code is never reused.
            ALTER TABLE orgs ADD COLUMN deleted_at REAL;

            ALTER TABLE accounts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
            ALTER TABLE accounts ADD COLUMN email TEXT NOT NULL DEFAULT '';
            ALTER TABLE accounts ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE accounts ADD COLUMN permitted_series TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE accounts ADD COLUMN permitted_sections TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE accounts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE accounts ADD COLUMN locked_until REAL;
            ALTER TABLE accounts ADD COLUMN deleted_at REAL;

            CREATE TABLE files (
                id INTEGER PRIMARY KEY,
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                purpose TEXT NOT NULL CHECK (purpose IN ('certificate', 'seal')),
                mime TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                bytes BLOB NOT NULL,
                uploaded_by INTEGER REFERENCES accounts(id),
                created_at REAL NOT NULL
            ) STRICT;

            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                csrf_token TEXT NOT NULL,
                created_at REAL NOT NULL,
                expires_at REAL NOT NULL,
                source TEXT NOT NULL
            ) STRICT;
            CREATE INDEX sessions_account ON sessions(account_id);
            """),
        Migration(version: 3, name: "declaration plans, applications, review trail, attachments", sql: """
            CREATE TABLE attachments (
                id INTEGER PRIMARY KEY,
                owner TEXT NOT NULL CHECK (owner IN ('plan', 'application')),
                owner_id INTEGER NOT NULL,
                name TEXT NOT NULL,
                mime TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                bytes BLOB NOT NULL,
                uploaded_by INTEGER NOT NULL REFERENCES accounts(id),
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX attachments_owner ON attachments(owner, owner_id);

            CREATE TABLE plans (
                id INTEGER PRIMARY KEY,
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                year INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'rejected')),
                items TEXT NOT NULL,
                document_id INTEGER REFERENCES attachments(id),
                reject_reason TEXT,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                UNIQUE (org_id, year)
            ) STRICT;

            CREATE TABLE applications (
                id INTEGER PRIMARY KEY,
                applicant_id INTEGER NOT NULL REFERENCES accounts(id),
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                kind TEXT NOT NULL CHECK (kind IN ('title', 'expert')),
                year INTEGER NOT NULL,
                series TEXT NOT NULL,
                level TEXT NOT NULL,
                title TEXT NOT NULL,
                state TEXT NOT NULL,
                chain TEXT NOT NULL,
                current_org_id INTEGER,
                stage TEXT,
                version INTEGER NOT NULL DEFAULT 1,
                submissions INTEGER NOT NULL DEFAULT 0,
                return_sections TEXT,
                return_reason TEXT,
                return_comment TEXT,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX applications_queue ON applications(current_org_id, stage, series);
            CREATE INDEX applications_quota ON applications(org_id, year, series, level, state);
            CREATE INDEX applications_applicant ON applications(applicant_id);

            CREATE TABLE application_sections (
                application_id INTEGER NOT NULL REFERENCES applications(id),
                section TEXT NOT NULL,
                content TEXT NOT NULL,
                updated_at REAL NOT NULL,
                PRIMARY KEY (application_id, section)
            ) STRICT;

            -- What the applicant submitted each time, so reviewers see what changed.
            CREATE TABLE application_snapshots (
                application_id INTEGER NOT NULL REFERENCES applications(id),
                submission INTEGER NOT NULL,
                sections TEXT NOT NULL,
                submitted_at REAL NOT NULL,
                PRIMARY KEY (application_id, submission)
            ) STRICT;

            -- The trail: every submission, withdrawal and decision, never changed.
            CREATE TABLE decisions (
                id INTEGER PRIMARY KEY,
                application_id INTEGER NOT NULL REFERENCES applications(id),
                submission INTEGER NOT NULL,
                org_id INTEGER REFERENCES orgs(id),
                stage TEXT,
                actor_id INTEGER NOT NULL REFERENCES accounts(id),
                decision TEXT NOT NULL CHECK (decision IN ('submit', 'withdraw', 'pass', 'return', 'reject')),
                comment TEXT NOT NULL DEFAULT '',
                sections TEXT NOT NULL DEFAULT '[]',
                reason TEXT,
                at REAL NOT NULL
            ) STRICT;
            CREATE INDEX decisions_application ON decisions(application_id, id);
            CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            """),
        Migration(version: 4, name: "cross-tenant outbox and inbox, applications received by the province", sql: """
            -- Messages to another tenant, written in the same transaction as the change
            -- that causes them; the relay delivers each one and then marks it.
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY,
                message_id TEXT NOT NULL UNIQUE,
                target TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at REAL NOT NULL,
                delivered_at REAL
            ) STRICT;
            CREATE INDEX outbox_pending ON outbox(delivered_at, id);

            -- Messages received from other tenants: the primary key makes delivery idempotent.
            CREATE TABLE inbox (
                message_id TEXT PRIMARY KEY,
                source_tenant TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                received_at REAL NOT NULL
            ) STRICT;

            CREATE TABLE received_applications (
                id INTEGER PRIMARY KEY,
                source_tenant TEXT NOT NULL,
                source_application_id INTEGER NOT NULL,
                message_id TEXT NOT NULL UNIQUE,
                applicant_name TEXT NOT NULL,
                id_number TEXT NOT NULL,
                unit_name TEXT NOT NULL,
                year INTEGER NOT NULL,
                series TEXT NOT NULL,
                level TEXT NOT NULL,
                title TEXT NOT NULL,
                sections TEXT NOT NULL,
                trail TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'received',
                received_at REAL NOT NULL,
                UNIQUE (source_tenant, source_application_id)
            ) STRICT;

            ALTER TABLE applications ADD COLUMN forwarded_at REAL;
            """),
        Migration(version: 5, name: "committees, interviews, results in public notice, objections", sql: """
            CREATE TABLE committees (
                id INTEGER PRIMARY KEY,
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                name TEXT NOT NULL,
                series TEXT NOT NULL,
                levels TEXT NOT NULL,
                created_at REAL NOT NULL
            ) STRICT;

            -- A committee's work on one application: a city's own (application_id) or one
            -- the province received (received_id).
            CREATE TABLE evaluations (
                id INTEGER PRIMARY KEY,
                committee_id INTEGER NOT NULL REFERENCES committees(id),
                application_id INTEGER UNIQUE REFERENCES applications(id),
                received_id INTEGER UNIQUE REFERENCES received_applications(id),
                interview_time TEXT,
                interview_place TEXT,
                result TEXT CHECK (result IN ('通过', '未通过')),
                note TEXT,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'publicity', 'final')),
                publicity_until REAL,
                updated_at REAL NOT NULL
            ) STRICT;

            CREATE TABLE objections (
                id INTEGER PRIMARY KEY,
                evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                text TEXT NOT NULL,
                evidence TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'dismissed')),
                reason TEXT,
                created_at REAL NOT NULL,
                resolved_at REAL
            ) STRICT;

            -- What the applicant's unit sees in 申报人员状态查询, whichever tenant's committee it is.
            ALTER TABLE applications ADD COLUMN result TEXT;
            ALTER TABLE applications ADD COLUMN committee_name TEXT;
            ALTER TABLE applications ADD COLUMN interview TEXT;
            ALTER TABLE received_applications ADD COLUMN result TEXT;
            """),
        Migration(version: 6, name: "automated review steps (plugins)", sql: """
            CREATE TABLE automated_checks (
                id INTEGER PRIMARY KEY,
                application_id INTEGER NOT NULL REFERENCES applications(id),
                submission INTEGER NOT NULL,
                plugin TEXT NOT NULL,
                step TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('pass', 'return', 'failed')),
                detail TEXT NOT NULL DEFAULT '',
                at REAL NOT NULL
            ) STRICT;
            CREATE INDEX automated_checks_application ON automated_checks(application_id, id);
            """),
        Migration(version: 7, name: "expert recommendation, expert database, draws, sessions and votes", sql: """
            -- 专家推荐: an expert application names a specialty; the province reviews
            -- received expert applications with its own handler/leader chain.
            ALTER TABLE applications ADD COLUMN specialty TEXT;
            ALTER TABLE received_applications ADD COLUMN kind TEXT NOT NULL DEFAULT 'title';
            ALTER TABLE received_applications ADD COLUMN specialty TEXT;
            ALTER TABLE received_applications ADD COLUMN chain TEXT;
            ALTER TABLE received_applications ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE committees ADD COLUMN rule TEXT NOT NULL DEFAULT 'national';

            -- The province's trail of an expert application, never changed.
            CREATE TABLE received_decisions (
                id INTEGER PRIMARY KEY,
                received_id INTEGER NOT NULL REFERENCES received_applications(id),
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                stage TEXT NOT NULL,
                actor_id INTEGER NOT NULL REFERENCES accounts(id),
                decision TEXT NOT NULL CHECK (decision IN ('pass', 'reject')),
                comment TEXT NOT NULL DEFAULT '',
                at REAL NOT NULL
            ) STRICT;
            CREATE TRIGGER received_decisions_no_update BEFORE UPDATE ON received_decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            CREATE TRIGGER received_decisions_no_delete BEFORE DELETE ON received_decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;

            -- 专家信息库 (province tenant). Each expert signs in with an account of the office.
            CREATE TABLE experts (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id),
                received_id INTEGER UNIQUE REFERENCES received_applications(id),
                name TEXT NOT NULL,
                id_number TEXT NOT NULL UNIQUE,
                series TEXT NOT NULL,
                specialty TEXT NOT NULL,
                title TEXT NOT NULL,
                level TEXT NOT NULL,
                unit_name TEXT NOT NULL,
                source_tenant TEXT NOT NULL,
                relations TEXT NOT NULL DEFAULT '[]',
                state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended', 'retired')),
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX experts_search ON experts(series, specialty, state);

            -- A committee's review session (评审会): its applications, its drawn panel, its votes.
            CREATE TABLE review_sessions (
                id INTEGER PRIMARY KEY,
                committee_id INTEGER NOT NULL REFERENCES committees(id),
                name TEXT NOT NULL,
                series TEXT NOT NULL,
                specialty TEXT,
                panel_size INTEGER NOT NULL,
                reserves INTEGER NOT NULL,
                rule TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'drawn', 'closed', 'no_quorum')),
                seed TEXT,
                inputs TEXT,
                inputs_digest TEXT,
                result TEXT,
                outcome TEXT,
                created_at REAL NOT NULL,
                drawn_at REAL,
                closed_at REAL
            ) STRICT;
            CREATE TABLE session_applications (
                session_id INTEGER NOT NULL REFERENCES review_sessions(id),
                received_id INTEGER NOT NULL REFERENCES received_applications(id),
                PRIMARY KEY (session_id, received_id)
            ) STRICT;
            -- role: panel (votes), reserve (in drawn order), replaced (a panel member stood down).
            CREATE TABLE session_experts (
                session_id INTEGER NOT NULL REFERENCES review_sessions(id),
                expert_id INTEGER NOT NULL REFERENCES experts(id),
                role TEXT NOT NULL CHECK (role IN ('panel', 'reserve', 'replaced')),
                position INTEGER NOT NULL,
                PRIMARY KEY (session_id, expert_id)
            ) STRICT;
            CREATE TABLE votes (
                session_id INTEGER NOT NULL REFERENCES review_sessions(id),
                received_id INTEGER NOT NULL REFERENCES received_applications(id),
                expert_id INTEGER NOT NULL REFERENCES experts(id),
                vote TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'abstain')),
                score INTEGER CHECK (score BETWEEN 0 AND 100),
                comment TEXT NOT NULL DEFAULT '',
                at REAL NOT NULL,
                PRIMARY KEY (session_id, received_id, expert_id)
            ) STRICT;
            """),
        Migration(version: 8, name: "the reviewer's queue page from one covering index", sql: """
            -- The applicant's name, kept with the application by triggers (whoever writes
            -- the row or renames the account), so that the queue page needs no join.
            ALTER TABLE applications ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
            UPDATE applications SET applicant_name = coalesce((SELECT name FROM accounts WHERE id = applications.applicant_id), '');
            CREATE TRIGGER applications_applicant_name_insert AFTER INSERT ON applications
                BEGIN UPDATE applications SET applicant_name = coalesce((SELECT name FROM accounts WHERE id = NEW.applicant_id), '') WHERE id = NEW.id; END;
            CREATE TRIGGER applications_applicant_name_move AFTER UPDATE OF applicant_id, applicant_name ON applications
                WHEN NEW.applicant_name IS NOT coalesce((SELECT name FROM accounts WHERE id = NEW.applicant_id), '')
                BEGIN UPDATE applications SET applicant_name = coalesce((SELECT name FROM accounts WHERE id = NEW.applicant_id), '') WHERE id = NEW.id; END;
            CREATE TRIGGER accounts_name_to_applications AFTER UPDATE OF name ON accounts
                BEGIN UPDATE applications SET applicant_name = NEW.name WHERE applicant_id = NEW.id; END;

            -- Everything a queue row shows, in queue order (id after the equality columns),
            -- for the applications in review only: one index walk, no table lookups.
            DROP INDEX applications_queue;
            CREATE INDEX applications_queue ON applications(current_org_id, stage, series, id, level, title, submissions, version, applicant_name)
                WHERE state = 'in_review';
            """),
        Migration(version: 9, name: "outbox messages set aside when their target tenant was archived", sql: """
            -- A message whose target tenant was archived has nowhere to go: the relay sets
            -- it aside (never deletes it) with the reason, and stops trying.
            ALTER TABLE outbox ADD COLUMN set_aside_at REAL;
            ALTER TABLE outbox ADD COLUMN set_aside_reason TEXT;
            """),
        Migration(version: 10, name: "attachments an applicant removes are kept, marked removed", sql: """
            -- Nothing is deleted from an application's history: a removed file keeps its
            -- row (and id, never given to another file) with the time it was removed.
            ALTER TABLE attachments ADD COLUMN removed_at REAL;
            """),
        Migration(version: 11, name: "the province's public notices in the city; objections lodged from a city", sql: """
            -- A result in public notice (公示), as the applicant's city shows it: the city's
            -- own committee's, or the province's, relayed back. Cleared when the result is
            -- set aside; kept once final.
            ALTER TABLE applications ADD COLUMN publicity_result TEXT;
            ALTER TABLE applications ADD COLUMN publicity_until REAL;
            -- Which notice of the province it is (its message id); an objection names it.
            ALTER TABLE applications ADD COLUMN publicity_notice TEXT;
            ALTER TABLE evaluations ADD COLUMN notice TEXT;

            -- An objection to a province result may come from a person of the applicant's
            -- city (through the relay): no account of this tenant, so the name and the city
            -- are kept instead. `late`: it reached the province after the result was confirmed.
            CREATE TABLE objections_v11 (
                id INTEGER PRIMARY KEY,
                evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
                account_id INTEGER REFERENCES accounts(id),
                lodged_by TEXT,
                source_tenant TEXT,
                message_id TEXT UNIQUE,
                text TEXT NOT NULL,
                evidence TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'upheld', 'dismissed', 'late')),
                reason TEXT,
                created_at REAL NOT NULL,
                resolved_at REAL,
                CHECK (account_id IS NOT NULL OR (lodged_by IS NOT NULL AND source_tenant IS NOT NULL))
            ) STRICT;
            INSERT INTO objections_v11 (id, evaluation_id, account_id, text, evidence, state, reason, created_at, resolved_at)
                SELECT id, evaluation_id, account_id, text, evidence, state, reason, created_at, resolved_at FROM objections;
            DROP TABLE objections;
            ALTER TABLE objections_v11 RENAME TO objections;
            CREATE INDEX objections_evaluation ON objections(evaluation_id, state);
            """),
        Migration(version: 12, name: "committee steps in the applicant's trail; objections sent to the province and their outcome", sql: """
            -- What a committee did with an application of this tenant, oldest first: its own
            -- committee's steps, or the province's, relayed back. Part of the application's
            -- trail, so append-only like `decisions`. `actor_name`: the office admin who
            -- acted (NULL for the province's steps, which the city learns from the relay).
            CREATE TABLE committee_steps (
                id INTEGER PRIMARY KEY,
                application_id INTEGER NOT NULL REFERENCES applications(id),
                office TEXT NOT NULL,
                committee TEXT NOT NULL,
                actor_name TEXT,
                event TEXT NOT NULL CHECK (event IN ('interview', 'result', 'objection-upheld', 'objection-dismissed', 'final')),
                detail TEXT NOT NULL DEFAULT '',
                at REAL NOT NULL
            ) STRICT;
            CREATE INDEX committee_steps_application ON committee_steps(application_id, id);
            CREATE TRIGGER committee_steps_no_update BEFORE UPDATE ON committee_steps
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            CREATE TRIGGER committee_steps_no_delete BEFORE DELETE ON committee_steps
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;

            -- An objection a person of this city sent to the province (the province's
            -- result stood in public notice here), kept so that they see how it was
            -- resolved: `sent` until the province answers (`objection.resolved`).
            CREATE TABLE sent_objections (
                id INTEGER PRIMARY KEY,
                application_id INTEGER NOT NULL REFERENCES applications(id),
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                message_id TEXT NOT NULL UNIQUE,
                text TEXT NOT NULL,
                evidence TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'open', 'upheld', 'dismissed', 'late')),
                reason TEXT,
                created_at REAL NOT NULL,
                resolved_at REAL
            ) STRICT;
            CREATE INDEX sent_objections_account ON sent_objections(account_id, id);
            CREATE INDEX objections_account ON objections(account_id, id) WHERE account_id IS NOT NULL;
            """),
        Migration(version: 13, name: "the applicant's unit on the reviewer's queue page", sql: """
            -- The name of the applicant's unit, kept with the application by triggers like
            -- the applicant's name (v8), so that the queue page shows it without a join.
            ALTER TABLE applications ADD COLUMN unit_name TEXT NOT NULL DEFAULT '';
            UPDATE applications SET unit_name = coalesce((SELECT name FROM orgs WHERE id = applications.org_id), '');
            CREATE TRIGGER applications_unit_name_insert AFTER INSERT ON applications
                BEGIN UPDATE applications SET unit_name = coalesce((SELECT name FROM orgs WHERE id = NEW.org_id), '') WHERE id = NEW.id; END;
            CREATE TRIGGER applications_unit_name_move AFTER UPDATE OF org_id, unit_name ON applications
                WHEN NEW.unit_name IS NOT coalesce((SELECT name FROM orgs WHERE id = NEW.org_id), '')
                BEGIN UPDATE applications SET unit_name = coalesce((SELECT name FROM orgs WHERE id = NEW.org_id), '') WHERE id = NEW.id; END;
            CREATE TRIGGER orgs_name_to_applications AFTER UPDATE OF name ON orgs
                BEGIN UPDATE applications SET unit_name = NEW.name WHERE org_id = NEW.id; END;

            DROP INDEX applications_queue;
            CREATE INDEX applications_queue ON applications(current_org_id, stage, series, id, level, title, submissions, version, applicant_name, unit_name)
                WHERE state = 'in_review';
            """),
        Migration(version: 14, name: "a reviewer's own decisions (已审查)", sql: """
            CREATE INDEX decisions_actor ON decisions(actor_id, id);
            """),
        Migration(version: 15, name: "the province office's own review of senior title applications", sql: """
            -- In the province: which submission of the city's application a hand-over carried
            -- (the province's steps name it when they reach the city's trail).
            ALTER TABLE received_applications ADD COLUMN source_submission INTEGER;

            -- The office's steps may now also send an application back for changes (退回修改,
            -- title applications): with the sections at fault and the reason, as in a city.
            CREATE TABLE received_decisions_v15 (
                id INTEGER PRIMARY KEY,
                received_id INTEGER NOT NULL REFERENCES received_applications(id),
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                stage TEXT NOT NULL,
                actor_id INTEGER NOT NULL REFERENCES accounts(id),
                decision TEXT NOT NULL CHECK (decision IN ('pass', 'return', 'reject')),
                comment TEXT NOT NULL DEFAULT '',
                sections TEXT NOT NULL DEFAULT '[]',
                reason TEXT,
                -- The city's submission the step was on (NULL for steps before v15).
                submission INTEGER,
                at REAL NOT NULL
            ) STRICT;
            INSERT INTO received_decisions_v15 (id, received_id, org_id, stage, actor_id, decision, comment, at)
                SELECT id, received_id, org_id, stage, actor_id, decision, comment, at FROM received_decisions;
            DROP TABLE received_decisions;
            ALTER TABLE received_decisions_v15 RENAME TO received_decisions;
            CREATE INDEX received_decisions_received ON received_decisions(received_id, id);
            CREATE INDEX received_decisions_actor ON received_decisions(actor_id, id);
            CREATE TRIGGER received_decisions_no_update BEFORE UPDATE ON received_decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            CREATE TRIGGER received_decisions_no_delete BEFORE DELETE ON received_decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;

            -- In a city: the province office's review steps (经办人, 负责人) on an application
            -- it handed over, as the relay brings them; part of the trail, so append-only.
            -- No reviewer's name: the province does not send it.
            CREATE TABLE province_decisions (
                id INTEGER PRIMARY KEY,
                application_id INTEGER NOT NULL REFERENCES applications(id),
                submission INTEGER NOT NULL,
                office TEXT NOT NULL,
                stage TEXT NOT NULL CHECK (stage IN ('handler', 'leader')),
                decision TEXT NOT NULL CHECK (decision IN ('pass', 'return', 'reject')),
                comment TEXT NOT NULL DEFAULT '',
                sections TEXT NOT NULL DEFAULT '[]',
                reason TEXT,
                at REAL NOT NULL
            ) STRICT;
            CREATE INDEX province_decisions_application ON province_decisions(application_id, id);
            CREATE TRIGGER province_decisions_no_update BEFORE UPDATE ON province_decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            CREATE TRIGGER province_decisions_no_delete BEFORE DELETE ON province_decisions
                BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;
            """),
        Migration(version: 16, name: "a review session's date and place (SPEC §5.1)", sql: """
            -- 评审日期 (YYYY-MM-DD) and 评审地点 of a review session; NULL for sessions planned
            -- before they were asked for. panel_size 0 now means "chosen at the draw"
            -- (`POST sessions/<id>/draw` with `count`).
            ALTER TABLE review_sessions ADD COLUMN date TEXT;
            ALTER TABLE review_sessions ADD COLUMN place TEXT;
            """),
        Migration(version: 17, name: "what a resubmission to the province changed", sql: """
            -- The sections of the hand-over the province office returned, kept when the city
            -- hands the resubmission over (which replaces `sections`): its reviewers see what
            -- changed, as a city's do. NULL until the office has returned the application.
            ALTER TABLE received_applications ADD COLUMN previous_sections TEXT;
            """),
        Migration(version: 18, name: "an org's audit entries, newest first", sql: """
            -- A unit's 操作日志 reads its own entries from here instead of walking the whole
            -- tenant's log from the newest (OrgService.audit).
            CREATE INDEX audit_org ON audit(org_id, seq);
            """),
        Migration(version: 19, name: "sign-in failures apart from accounts", sql: """
            -- Counting a password check is a write on every sign-in. In `accounts` it
            -- emptied the tenant's SessionCache (a change to accounts may change what a
            -- session check answers); here it touches no table the cache depends on.
            CREATE TABLE sign_in_failures (
                account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
                failures INTEGER NOT NULL CHECK (failures >= 0),
                locked_until REAL
            ) STRICT;
            INSERT INTO sign_in_failures (account_id, failures, locked_until)
                SELECT id, failed_logins, locked_until FROM accounts WHERE failed_logins > 0 OR locked_until IS NOT NULL;
            ALTER TABLE accounts DROP COLUMN failed_logins;
            ALTER TABLE accounts DROP COLUMN locked_until;
            """),
        Migration(version: 20, name: "an automated check's title", sql: """
            -- The step's title from its plugin's manifest (e.g. 任职年限自动审查): what the trail
            -- shows as who checked, instead of plugin/step ids. Older rows keep '' (ids shown).
            ALTER TABLE automated_checks ADD COLUMN title TEXT NOT NULL DEFAULT '';
            """),
        Migration(version: 21, name: "indexes for applications at the committee, a province's received applications and expired sessions", sql: """
            -- The province's lists of what the cities handed over (首页's 待办, the review
            -- pages, 评审会's pick of applications) filter by kind and state, newest or oldest
            -- first: without these each read every received row, sections and trail included.
            CREATE INDEX received_kind ON received_applications(kind, id);
            CREATE INDEX received_kind_state ON received_applications(kind, state, id);
            -- Every sign-in deletes the expired sessions: without this, a scan of them all
            -- inside the write transaction.
            CREATE INDEX sessions_expiry ON sessions(expires_at);
            -- What waits at the committee or stands in public notice (the office's 首页 and
            -- 评委会评审, 评审结果公示 with the province's results on a city's applications): a
            -- few among a city's years of applications and evaluations, which each of these
            -- read whole before. Partial, on states a result leaves, so that they stay small
            -- and no other query on state (the reviewer's queue above all, held to its covering
            -- index) can take them instead of its own.
            CREATE INDEX applications_at_committee ON applications(id) WHERE state IN ('at_committee', 'publicity');
            CREATE INDEX applications_province_notice ON applications(publicity_until) WHERE state = 'awaiting_province';
            CREATE INDEX evaluations_notice ON evaluations(publicity_until) WHERE state = 'publicity';
            """),
        Migration(version: 22, name: "a unit known by its code in the expert draw", sql: """
            -- The applicant's unit's code (单位编号) in its city, as the city's hand-over carries
            -- it, and the expert's, copied from their expert application at admission: the
            -- draw's 同一单位 compares (city, code), which never change, where names may (a unit
            -- renamed) or repeat (two 实验小学 under two district bureaus). NULL for rows
            -- written before, and for a hand-over from a city daemon that does not send it:
            -- those are compared by name as before.
            ALTER TABLE received_applications ADD COLUMN unit_code TEXT;
            ALTER TABLE experts ADD COLUMN unit_code TEXT;
            """),
        Migration(version: 23, name: "votes a session's close left out", sql: """
            -- Why the close did not count a vote (its expert suspended or retired since, or in
            -- conflict with the applicant under the relations then: VoteCount), kept with the
            -- vote so that the tallies shown after the close are the counted ones even once
            -- the expert is reinstated. NULL: counted, or the session not closed (and every
            -- vote of a session closed before, when all counted).
            ALTER TABLE votes ADD COLUMN left_out TEXT;
            """),
        Migration(version: 24, name: "a review session cancelled (取消评审会), with who, when and why", sql: """
            -- A session planned, or drawn before any vote, may be cancelled by the office with a
            -- reason (one its draw refuses for want of experts would otherwise hold its
            -- applications for ever): state 'cancelled', kept with its reason, time and the
            -- admin's account. SQLite cannot change a CHECK in place, so review_sessions is
            -- rebuilt with every column (date and place of v16 last, as they were), and with it
            -- the three tables that reference it: with foreign keys on (inside a migration's
            -- transaction they cannot be turned off) a parent with child rows cannot be dropped,
            -- so the children are copied to tables that reference the new parent, the old ones
            -- dropped children first, and the renames point every reference at the new names.
            CREATE TABLE review_sessions_v24 (
                id INTEGER PRIMARY KEY,
                committee_id INTEGER NOT NULL REFERENCES committees(id),
                name TEXT NOT NULL,
                series TEXT NOT NULL,
                specialty TEXT,
                panel_size INTEGER NOT NULL,
                reserves INTEGER NOT NULL,
                rule TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'drawn', 'closed', 'no_quorum', 'cancelled')),
                seed TEXT,
                inputs TEXT,
                inputs_digest TEXT,
                result TEXT,
                outcome TEXT,
                created_at REAL NOT NULL,
                drawn_at REAL,
                closed_at REAL,
                date TEXT,
                place TEXT,
                cancel_reason TEXT,
                cancelled_at REAL,
                cancelled_by INTEGER REFERENCES accounts(id),
                -- A cancelled session says why, when and who; no other has any of them.
                CHECK (CASE WHEN state = 'cancelled' THEN cancel_reason IS NOT NULL AND cancelled_at IS NOT NULL AND cancelled_by IS NOT NULL
                            ELSE cancel_reason IS NULL AND cancelled_at IS NULL AND cancelled_by IS NULL END)
            ) STRICT;
            INSERT INTO review_sessions_v24 (id, committee_id, name, series, specialty, panel_size, reserves, rule, state, seed, inputs, inputs_digest,
                                             result, outcome, created_at, drawn_at, closed_at, date, place)
                SELECT id, committee_id, name, series, specialty, panel_size, reserves, rule, state, seed, inputs, inputs_digest,
                       result, outcome, created_at, drawn_at, closed_at, date, place FROM review_sessions;
            CREATE TABLE session_applications_v24 (
                session_id INTEGER NOT NULL REFERENCES review_sessions_v24(id),
                received_id INTEGER NOT NULL REFERENCES received_applications(id),
                PRIMARY KEY (session_id, received_id)
            ) STRICT;
            INSERT INTO session_applications_v24 (session_id, received_id) SELECT session_id, received_id FROM session_applications;
            -- role: panel (votes), reserve (in drawn order), replaced (a panel member stood down).
            CREATE TABLE session_experts_v24 (
                session_id INTEGER NOT NULL REFERENCES review_sessions_v24(id),
                expert_id INTEGER NOT NULL REFERENCES experts(id),
                role TEXT NOT NULL CHECK (role IN ('panel', 'reserve', 'replaced')),
                position INTEGER NOT NULL,
                PRIMARY KEY (session_id, expert_id)
            ) STRICT;
            INSERT INTO session_experts_v24 (session_id, expert_id, role, position) SELECT session_id, expert_id, role, position FROM session_experts;
            CREATE TABLE votes_v24 (
                session_id INTEGER NOT NULL REFERENCES review_sessions_v24(id),
                received_id INTEGER NOT NULL REFERENCES received_applications(id),
                expert_id INTEGER NOT NULL REFERENCES experts(id),
                vote TEXT NOT NULL CHECK (vote IN ('agree', 'disagree', 'abstain')),
                score INTEGER CHECK (score BETWEEN 0 AND 100),
                comment TEXT NOT NULL DEFAULT '',
                at REAL NOT NULL,
                left_out TEXT,
                PRIMARY KEY (session_id, received_id, expert_id)
            ) STRICT;
            INSERT INTO votes_v24 (session_id, received_id, expert_id, vote, score, comment, at, left_out)
                SELECT session_id, received_id, expert_id, vote, score, comment, at, left_out FROM votes;
            DROP TABLE votes;
            DROP TABLE session_experts;
            DROP TABLE session_applications;
            DROP TABLE review_sessions;
            ALTER TABLE review_sessions_v24 RENAME TO review_sessions;
            ALTER TABLE session_applications_v24 RENAME TO session_applications;
            ALTER TABLE session_experts_v24 RENAME TO session_experts;
            ALTER TABLE votes_v24 RENAME TO votes;
            -- Whether an application sits in a session that holds it (SessionService.holdingSession:
            -- every result by hand and every application a new session takes) reads by application.
            CREATE INDEX session_applications_received ON session_applications(received_id, session_id);
            """),
        Migration(version: 25, name: "who decided, as they were at the decision", sql: """
            -- The org's name and seal and the actor's name when the decision was made, written
            -- with it (DecisionRecord, SQLiteConnection.appendDecision): the 评审表, the trail and
            -- the hand-over to the province restate an opinion under the name and seal it was
            -- given under, not under a later rename, a new seal or a name corrected since. The
            -- seal is the file the org had then (files are never deleted); NULL when it had none.
            -- Rows written before have NULL in all three (`actor_name` NULL marks them: every
            -- account has a name) and are read from the org and the account as they are now,
            -- as before (DecisionRecord.asDecided). The checks hold for every row written since.
            ALTER TABLE decisions ADD COLUMN actor_name TEXT;
            ALTER TABLE decisions ADD COLUMN org_name TEXT
                CHECK (actor_name IS NULL OR (org_name IS NULL) = (org_id IS NULL));
            ALTER TABLE decisions ADD COLUMN org_seal_file_id INTEGER REFERENCES files(id)
                CHECK (org_seal_file_id IS NULL OR org_name IS NOT NULL);
            """),
        Migration(version: 26, name: "who acted, as named then: the province office's review steps and a session's cancellation", sql: """
            -- As v25 for `decisions`: the province office's own review steps (`received_decisions`)
            -- and a review session's cancellation keep the name of who took them, written with
            -- them, so that a reviewer's or an admin's name corrected later does not rewrite what
            -- the province's pages say of them. Rows written before have NULL and are read, as
            -- before, with the account's name as it is now (ProvinceReview.decisions, SessionService).
            ALTER TABLE received_decisions ADD COLUMN actor_name TEXT;
            ALTER TABLE review_sessions ADD COLUMN cancelled_by_name TEXT;
            """),
        Migration(version: 27, name: "the names a received application's unit and applicant had before a correction in their city", sql: """
            -- JSON arrays of the names the province knew the unit and the applicant by before
            -- `org.renamed` / `applicant.renamed` (or a hand-over again under new names) changed
            -- `unit_name` / `applicant_name`, oldest first, each once: an expert's 回避 relation
            -- declared under an old name still names them (ExpertDraw rules 4). Rows written
            -- before have '[]': the names they had before are not known (the province kept none),
            -- and they match by the current name, as before.
            -- (No CHECK with json_valid: the schema is untrusted, and JSON functions are refused in it.)
            ALTER TABLE received_applications ADD COLUMN former_unit_names TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE received_applications ADD COLUMN former_applicant_names TEXT NOT NULL DEFAULT '[]';
            -- A unit's or a person's next application takes the names their earlier ones knew
            -- (CrossTenantRelay.inheritFormerNames): found by city and unit code, city and number.
            CREATE INDEX received_unit ON received_applications(source_tenant, unit_code) WHERE unit_code IS NOT NULL;
            CREATE INDEX received_person ON received_applications(source_tenant, id_number);
            """),
        Migration(version: 28, name: "logins found whatever their case", sql: """
            -- A login is one login whatever the case it is typed in (`Zhang.Wei`, `zhang.wei`):
            -- sign-in and the sysadmin's reset find an account by its login ignoring ASCII case,
            -- and a new login that differs from a live one only by case is taken
            -- (SQLiteConnection.account(typedLogin:), Login.match). `login`'s own UNIQUE index
            -- compares bytes, and a NOCASE comparison cannot search it: this one can, so that a
            -- sign-in stays one index search. Not UNIQUE: logins that differ only by case, made
            -- before, may both be there, and both keep working by their exact login.
            CREATE INDEX accounts_login_nocase ON accounts(login COLLATE NOCASE);
            """),
        Migration(version: 29, name: "a received application's current names taken out of its former ones", sql: """
            -- Before the relay took a name that comes back out of the former ones (a correction
            -- undone, a city restored to before a correction handing the application over again:
            -- CrossTenantRelay.renaming), a row could list its current unit or applicant name
            -- among `former_unit_names` / `former_applicant_names` too; a rename to the name it
            -- already has changes nothing, so those rows stayed so. Each loses its current name
            -- there (compared as the relay compares it, exactly), the others kept in their order;
            -- a list left empty is '[]'. Only rows listing it change, and only a list that is a
            -- JSON array of strings, as the relay writes them (the schema does not check it: any
            -- other is left as it is, as the readers take it for none). Nothing recorded from the
            -- lists is rewritten: a draw's recorded inputs stay as drawn (SessionService.verify
            -- reads the record, and finds it current still: a current name among the former ones
            -- names nobody else, ExpertDraw.Inputs.currentNamesNotFormer).
            UPDATE received_applications SET former_unit_names = (
                SELECT json_group_array(j.value) FROM (
                    SELECT value FROM json_each(received_applications.former_unit_names)
                    WHERE value IS NOT received_applications.unit_name ORDER BY key) j)
            WHERE CASE WHEN json_valid(former_unit_names) AND json_type(former_unit_names) = 'array'
                THEN EXISTS (SELECT 1 FROM json_each(received_applications.former_unit_names) WHERE value = received_applications.unit_name)
                    AND NOT EXISTS (SELECT 1 FROM json_each(received_applications.former_unit_names) WHERE type != 'text')
                ELSE 0 END;
            UPDATE received_applications SET former_applicant_names = (
                SELECT json_group_array(j.value) FROM (
                    SELECT value FROM json_each(received_applications.former_applicant_names)
                    WHERE value IS NOT received_applications.applicant_name ORDER BY key) j)
            WHERE CASE WHEN json_valid(former_applicant_names) AND json_type(former_applicant_names) = 'array'
                THEN EXISTS (SELECT 1 FROM json_each(received_applications.former_applicant_names) WHERE value = received_applications.applicant_name)
                    AND NOT EXISTS (SELECT 1 FROM json_each(received_applications.former_applicant_names) WHERE type != 'text')
                ELSE 0 END;
            """),
        Migration(version: 30, name: "人员调动: an applicant moved to another unit once it accepts", sql: """
            -- The unit a person leaves offers the move (调出); the unit named accepts (调入) or
            -- declines; the one that offered may cancel while it waits. One waiting offer per
            -- person. Rows are never deleted: with the audit rows they are the move's history.
            CREATE TABLE applicant_moves (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                from_org_id INTEGER NOT NULL REFERENCES orgs(id),
                to_org_id INTEGER NOT NULL REFERENCES orgs(id),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined', 'cancelled')),
                offered_by INTEGER NOT NULL REFERENCES accounts(id),
                offered_at REAL NOT NULL,
                decided_by INTEGER REFERENCES accounts(id),
                decided_at REAL,
                CHECK (from_org_id != to_org_id)
            ) STRICT;
            CREATE UNIQUE INDEX applicant_moves_waiting ON applicant_moves(account_id) WHERE state = 'pending';
            CREATE INDEX applicant_moves_to ON applicant_moves(to_org_id, state);
            CREATE INDEX applicant_moves_from ON applicant_moves(from_org_id, state);
            """),
        Migration(version: 31, name: "which tenant a database was made as", sql: """
            -- A random value each tenant database gets once (a new one at its creation, an
            -- existing one at this upgrade), which its backups carry: a restore compares the
            -- backup's with the live database's and refuses a backup of an earlier tenant of the
            -- same id (archived, the id created again) unless told to (TenantStore.requireSameTenant).
            INSERT OR IGNORE INTO tenant_meta (key, value) VALUES ('incarnation', lower(hex(randomblob(16))));
            """),
        Migration(version: 32, name: "what each review session decided, kept with it", sql: """
            -- What a closed review session decided for each of its applications (通过 or 未通过),
            -- written by its close (SessionService.close) and shown on its page and in the API. The
            -- application's evaluation holds its current result, which an objection upheld sets
            -- aside and a later session may decide again: a session's record shows what that
            -- session decided, not the application's current result. NULL: nothing decided by this
            -- session (planned, drawn, short of its quorum, cancelled). Once written it stays so.
            ALTER TABLE session_applications ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR outcome IN ('通过', '未通过'));
            CREATE TRIGGER session_outcome_kept BEFORE UPDATE OF outcome ON session_applications WHEN OLD.outcome IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a review session''s decision is kept as its close recorded it'); END;
            -- Sessions closed before: taken from the audit log, the record of what the close did.
            -- A close that decides records, in its own transaction, each application's result
            -- (`evaluation.result`, target `received_application:<id>`, {"result": …}) and then
            -- itself (`session.close`, target `session:<id>`); nothing else is written between,
            -- so an application's latest `evaluation.result` before its session's `session.close`
            -- is that session's decision, whatever became of the evaluation since. (Not the
            -- tally of the votes again: that would apply the voting rule as this build has it,
            -- where the audit says what was decided.) A closed session whose rows the log does
            -- not hold (none should be) keeps NULL, and its page shows the tally without a
            -- decision rather than a guess. The log is read once, not once for each application.
            CREATE TEMP TABLE v32_results AS
                SELECT seq, CAST(substr(target, 22) AS INTEGER) AS received_id, json_extract(detail, '$.result') AS result
                FROM audit WHERE action = 'evaluation.result' AND substr(target, 1, 21) = 'received_application:' AND json_valid(detail);
            CREATE INDEX temp.v32_results_received ON v32_results(received_id, seq);
            CREATE TEMP TABLE v32_closes AS
                SELECT CAST(substr(target, 9) AS INTEGER) AS session_id, max(seq) AS seq
                FROM audit WHERE action = 'session.close' AND substr(target, 1, 8) = 'session:' GROUP BY target;
            UPDATE session_applications SET outcome = (
                SELECT CASE WHEN r.result IN ('通过', '未通过') THEN r.result END FROM v32_results r
                WHERE r.received_id = session_applications.received_id
                  AND r.seq < (SELECT c.seq FROM v32_closes c WHERE c.session_id = session_applications.session_id)
                ORDER BY r.seq DESC LIMIT 1)
            WHERE session_id IN (SELECT id FROM review_sessions WHERE state = 'closed');
            DROP TABLE v32_results;
            DROP TABLE v32_closes;
            """),
        Migration(version: 33, name: "the province committee's note on its result, in the city", sql: """
            -- The 说明 the province's committee gave with its result on a city's application (a
            -- session's tally: 同意2票，到会3人), relayed with `application.publicity` and
            -- `application.result` (CrossTenantRelay.apply): the city's 评审表 prints it after the
            -- result as it prints its own committee's (`evaluations.note`). Cleared with the notice
            -- when an objection is upheld; NULL for none, and for results relayed before this version
            -- (their messages carried none).
            ALTER TABLE applications ADD COLUMN committee_note TEXT;
            """),
        Migration(version: 34, name: "familiar sign-in sources, each with a count of its own", sql: """
            -- The addresses an account has signed in from (a session opened), the latest time
            -- each, kept for the 20 most recent within 90 days (FamiliarSources): an attempt
            -- from one of them counts in its row here, any other in `sign_in_failures`, so
            -- that wrong passwords from elsewhere cannot lock the account's holder out where
            -- they sign in. Apart from `accounts`, as `sign_in_failures` is: the SessionCache
            -- does not watch it.
            CREATE TABLE sign_in_sources (
                account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                source TEXT NOT NULL,
                signed_in_at REAL NOT NULL,
                failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
                locked_until REAL,
                PRIMARY KEY (account_id, source)
            ) STRICT;
            """),
        Migration(version: 35, name: "a province reviewer's list by series", sql: """
            -- 职称申报审查 / 专家推荐审查 for a reviewer (ProvinceReviewService.page): the received
            -- applications of a kind in the reviewer's series, newest first, a page at a time.
            -- Through received_kind it read every row's chain (stored after the sections, over
            -- their overflow pages) and series to find the few of those series.
            CREATE INDEX received_reviewed ON received_applications(kind, series, id) WHERE chain IS NOT NULL;
            """),
        Migration(version: 37, name: "when a plan was submitted", sql: """
            -- The city office's list of plans waiting for its 审核 runs in the order they were
            -- submitted, a page at a time (PlanService.overview): by `updated_at` a review moved
            -- the plan it decided to now, and the page after it (keyset on that plan) came back
            -- empty. Set by each submission, left by the review. Plans waiting now were last
            -- changed by their submission; the others are no longer waiting and keep NULL.
            ALTER TABLE plans ADD COLUMN submitted_at REAL;
            UPDATE plans SET submitted_at = updated_at WHERE state = 'submitted';
            """),
        Migration(version: 38, name: "the waiting plans and the province office's whole list, each from an index of its own", sql: """
            -- The city office's plans waiting for its 审核, in the order they were submitted, a page at
            -- a time (PlanService.overview, and their count on 首页): the few waiting, in that order,
            -- not every plan of every year read and sorted for each page.
            CREATE INDEX plans_waiting ON plans(submitted_at, id) WHERE state = 'submitted';
            -- 职称申报审查 / 专家推荐审查 for the province office's admin (ProvinceReviewService.page):
            -- every received application of a kind that the office reviews (it has a chain), newest
            -- first. Through received_kind each row's chain was read to tell it, and a page short of
            -- its size (the last, or the only one) read on through every row handed over before the
            -- office reviewed any (no chain) down to the oldest; this index holds the others only.
            CREATE INDEX received_office ON received_applications(kind, id) WHERE chain IS NOT NULL;
            """),
        Migration(version: 39, name: "a review session's applicants and experts as named when it ended", sql: """
            -- A session that has ended (closed, short of its quorum, cancelled: nothing leaves
            -- those) keeps who it was about and who sat on it as they were named then, written
            -- as it ends (SessionService.keepNames) and read by its page and the API before the
            -- names as they are now: an applicant's name or unit corrected in their city later
            -- (`applicant.renamed`, `org.renamed`, `applicant.moved`), or an expert's account
            -- renamed, does not rewrite the record. NULL while the session is planned or drawn
            -- (its page names everyone as they are now). Once written they stay so.
            ALTER TABLE session_applications ADD COLUMN applicant_name TEXT;
            ALTER TABLE session_applications ADD COLUMN unit_name TEXT;
            ALTER TABLE session_experts ADD COLUMN name TEXT;
            ALTER TABLE session_experts ADD COLUMN unit_name TEXT;
            CREATE TRIGGER session_applicant_names_kept BEFORE UPDATE OF applicant_name, unit_name ON session_applications
                WHEN OLD.applicant_name IS NOT NULL OR OLD.unit_name IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a review session keeps its applicants as named when it ended'); END;
            CREATE TRIGGER session_expert_names_kept BEFORE UPDATE OF name, unit_name ON session_experts
                WHEN OLD.name IS NOT NULL OR OLD.unit_name IS NOT NULL
                BEGIN SELECT RAISE(ABORT, 'a review session keeps its experts as named when it ended'); END;
            -- Sessions that ended before: the names as they are now, the nearest known (no
            -- earlier name was kept for a session); from here on they stay.
            UPDATE session_applications SET
                applicant_name = (SELECT r.applicant_name FROM received_applications r WHERE r.id = session_applications.received_id),
                unit_name = (SELECT r.unit_name FROM received_applications r WHERE r.id = session_applications.received_id)
            WHERE session_id IN (SELECT id FROM review_sessions WHERE state IN ('closed', 'no_quorum', 'cancelled'));
            UPDATE session_experts SET
                name = (SELECT e.name FROM experts e WHERE e.id = session_experts.expert_id),
                unit_name = (SELECT e.unit_name FROM experts e WHERE e.id = session_experts.expert_id)
            WHERE session_id IN (SELECT id FROM review_sessions WHERE state IN ('closed', 'no_quorum', 'cancelled'));
            """),
        Migration(version: 40, name: "an org's live children in the order of their codes, and their admins, from indexes", sql: """
            -- 单位管理 draws the path to the selected org, each org on it with the first of its
            -- children, and lists the selected org's children a page at a time with their count
            -- (OrgService.treePath, .childrenPage). By orgs_parent every child of a 主管单位 with
            -- thousands of units was read, whole, and sorted by code for each of them; this index
            -- holds the live ones (deleted_at IS NULL) in that order, so a page is read from where
            -- the one before ended, and counted from the index alone (not a partial index: SQLite
            -- reads each row to check a partial index's condition, which the query repeats).
            CREATE INDEX orgs_children ON orgs(parent_id, deleted_at, code);
            -- Each child's 系统管理员 on that page: by accounts_org every account of each unit (its
            -- staff and hundreds of applicants) was read to find the one admin.
            CREATE INDEX accounts_org_admin ON accounts(org_id) WHERE kind = 'org_admin' AND deleted_at IS NULL;
            """),
        Migration(version: 41, name: "no second index of an org's parent", sql: """
            -- orgs_children (v40) begins with parent_id: every read by parent, and the foreign
            -- key's check of an org's children, finds them by it. orgs_parent only cost writes.
            DROP INDEX orgs_parent;
            """),
        Migration(version: 42, name: "the files of the applications the province received", sql: """
            -- The bytes of the files a city's hand-over names (its 附件 section lists each by name
            -- and SHA-256, SectionSnapshot.files): the relay copies each from the city's
            -- attachments before it delivers the hand-over (CrossTenantRelay.copyFiles), one file
            -- per transaction, and a copy repeated after a crash does nothing. Kept by the city
            -- that sent it and the digest of its bytes: a file two applications (or two
            -- submissions of one) name is kept once. Served to whoever at the province may see
            -- an application's 附件 that names it (ApplicationService.receivedFile); the name is
            -- the application's, not kept here. Empty in a city.
            CREATE TABLE received_files (
                id INTEGER PRIMARY KEY,
                source_tenant TEXT NOT NULL,
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                mime TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size >= 0),
                bytes BLOB NOT NULL,
                received_at REAL NOT NULL,
                UNIQUE (source_tenant, sha256)
            ) STRICT;
            -- Which of the city's applications each file was found in when the relay copied it:
            -- served for an application only so, since a file's name is the applicant's and may
            -- spell out another file's digest in the list (`name:<digest>,…`).
            CREATE TABLE received_file_sources (
                source_tenant TEXT NOT NULL,
                source_application_id INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                PRIMARY KEY (source_tenant, source_application_id, sha256)
            ) STRICT;
            """),
        Migration(version: 43, name: "the evidence files of an objection", sql: """
            -- The files a person attached to an objection as its evidence (证据材料, at most 3:
            -- ObjectionEvidence), each a PDF, PNG or JPEG as its bytes say, under the name it was
            -- sent with, fitted to that type. Written in the transaction that writes the objection:
            -- one lodged here by the service, one from a city by the relay, whose message carries
            -- the bytes (the inbox takes a message once, so they are stored once). `position`
            -- keeps the order they were sent in, and with the CHECK the limit of 3. Served to the
            -- committee's office and to whoever lodged the objection here
            -- (EvaluationService.objectionFile). The unique key finds an objection's files.
            CREATE TABLE objection_files (
                id INTEGER PRIMARY KEY,
                objection_id INTEGER NOT NULL REFERENCES objections(id),
                position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),
                name TEXT NOT NULL,
                mime TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size > 0),
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                bytes BLOB NOT NULL,
                UNIQUE (objection_id, position)
            ) STRICT;
            -- What a person of this city sent the province with an objection (sent_objections):
            -- the files' names, types, sizes and digests, so that they read what they sent; the
            -- bytes went with the message (`objection.lodge`), which the outbox keeps as it keeps
            -- every message (a province restored from a backup is offered it again).
            CREATE TABLE sent_objection_files (
                id INTEGER PRIMARY KEY,
                sent_objection_id INTEGER NOT NULL REFERENCES sent_objections(id),
                position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),
                name TEXT NOT NULL,
                mime TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size > 0),
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                UNIQUE (sent_objection_id, position)
            ) STRICT;
            """),
        Migration(version: 44, name: "the relay's waiting messages from an index of their own", sql: """
            -- The messages still to deliver (neither delivered nor set aside), with every column
            -- the relay's page of them and its count per target read but the payload
            -- (CrossTenantRelay.waitingPageSQL, which names this index). Before, the page read
            -- each row whole to reach `created_at` and `set_aside_at`, stored after the payload:
            -- an objection's, whose evidence files travel in it (up to about 32 MiB), was read
            -- over its pages on disk on every pass while its target could not be reached. Now
            -- the table is read only for the payloads the page returns. Partial: delivered
            -- messages, nearly all of them, are not in it.
            CREATE INDEX outbox_waiting ON outbox(id, target, kind, message_id, created_at)
                WHERE delivered_at IS NULL AND set_aside_at IS NULL;
            """),
        Migration(version: 45, name: "the committee office and its seal, as they were at each of its steps", sql: """
            -- As v25 for a reviewer's decision: the office that took a committee step and the
            -- seal it had then (the file; files are never deleted), written with the step
            -- (EvaluationService.appendStep). The 评审表 stamps the committee's opinion with the
            -- seal its office had at the step the opinion is dated by (the result entered, or
            -- its confirmation), not with one uploaded since. NULL seal: the office had none.
            -- `office_id` NULL: a step of the province's committee relayed to a city (the city
            -- holds nothing of the province's seal), or a row written before, read, as v25 reads
            -- its older rows, with the seal the committee's office has now.
            ALTER TABLE committee_steps ADD COLUMN office_id INTEGER REFERENCES orgs(id);
            ALTER TABLE committee_steps ADD COLUMN office_seal_file_id INTEGER REFERENCES files(id)
                CHECK (office_seal_file_id IS NULL OR office_id IS NOT NULL);
            """),
    ]

    /// The version a freshly migrated tenant database has.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }
}
