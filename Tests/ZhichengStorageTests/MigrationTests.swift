import Foundation
import Testing
@testable import ZhichengStorage

/// A file made by an older build opens in this one with its data carried over.
@Suite("Schema migrations")
struct MigrationTests {
    /// Versions only go up, and v36 stays unused: tenant databases are at v37 already, so a
    /// migration numbered 36 (or any number below the last) would never run on them.
    @Test func versionsStrictlyIncreaseAndSkipTheUnusedOne() {
        for schema in [TenantSchema.migrations, Registry.migrations] {
            let versions = schema.map(\.version)
            #expect(versions.first == 1)
            #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 }, "\(versions)")
        }
        #expect(!TenantSchema.migrations.contains { $0.version == 36 })
    }

    /// v19 moved sign-in failures out of `accounts`: a count in progress and a lock-out
    /// still running survive the upgrade, and nothing else about the accounts changes.
    @Test func signInFailuresMoveToTheirOwnTable() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 18 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '职改办', 'office', 0)")
            for (id, failed, locked) in [(1, 0, nil), (2, 3, nil), (3, 0, 9e9 as Double?)] {
                try conn.run("""
                    INSERT INTO accounts (id, org_id, login, name, kind, password_hash, must_change_password, enabled, created_at, failed_logins, locked_until)
                    VALUES (?, 1, ?, ?, 'staff', 'h', 0, 1, 0, ?, ?)
                    """, [id, "user\(id)", "用户\(id)", failed, locked])
            }
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (failures, columns, version, fkProblems) = try await db.read { conn in
            (try [1, 2, 3].map { try conn.signInFailures($0) },
             try conn.query("SELECT name FROM pragma_table_info('accounts')").compactMap { $0["name"].string },
             try conn.scalar("PRAGMA user_version")?.int,
             try conn.query("PRAGMA foreign_key_check").count)
        }
        #expect(failures[0]?.failures == 0 && failures[0]?.lockedUntil == nil)
        #expect(failures[1]?.failures == 3 && failures[1]?.lockedUntil == nil)
        #expect(failures[2]?.failures == 0 && failures[2]?.lockedUntil == 9e9)
        #expect(!columns.contains("failed_logins") && !columns.contains("locked_until") && columns.contains("permitted_sections"))
        #expect(version == TenantSchema.latestVersion && fkProblems == 0)
        let names = try await db.read { conn in try conn.query("SELECT login, name FROM accounts ORDER BY id").map { "\($0["login"].string ?? "")/\($0["name"].string ?? "")" } }
        #expect(names == ["user1/用户1", "user2/用户2", "user3/用户3"])
        #expect(try await db.read { try $0.signInFailures(99) } == nil)
        await db.close()
    }

    /// v24 rebuilt review_sessions (its state CHECK now allows `cancelled`, with the reason,
    /// time and account of a cancellation) and the three tables that reference it: a province
    /// written by v23, with sessions in every state, panels, reserves and votes (one left out at
    /// the close), opens with every row and column as it was, the references and the checks in
    /// force, and an index to find an application's sessions by.
    @Test func reviewSessionsAreRebuiltForCancellationWithEveryRowKept() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/province.sqlite"
        let tables: [(name: String, columns: [String], order: String)] = [
            ("review_sessions", ["id", "committee_id", "name", "series", "specialty", "panel_size", "reserves", "rule", "state", "seed", "inputs",
                                 "inputs_digest", "result", "outcome", "created_at", "drawn_at", "closed_at", "date", "place"], "id"),
            ("session_applications", ["session_id", "received_id"], "session_id, received_id"),
            ("session_experts", ["session_id", "expert_id", "role", "position"], "session_id, expert_id"),
            ("votes", ["session_id", "received_id", "expert_id", "vote", "score", "comment", "at", "left_out"], "session_id, received_id, expert_id"),
        ]
        @Sendable func snapshot(_ conn: SQLiteConnection) throws -> [[[SQLiteValue]]] {
            try tables.map { table in
                try conn.query("SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.order)").map(\.values)
            }
        }
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 23 })
        let before = try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '41', '省职改办', 'office', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (1, 1, '41', '管理员', 'org_admin', 'h', 0)")
            try conn.run("INSERT INTO committees (id, org_id, name, series, levels, created_at) VALUES (1, 1, '高评委', '[\"中小学教师\"]', '[\"副高级\"]', 0)")
            for id in 1...3 {
                try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (?, 1, ?, ?, 'staff', 'h', 0)",
                             [10 + id, "expert\(id)", "专家\(id)"])
                try conn.run("""
                    INSERT INTO experts (id, account_id, name, id_number, series, specialty, title, level, unit_name, source_tenant, created_at, updated_at)
                    VALUES (?, ?, ?, ?, '中小学教师', '小学数学', '高级教师', '副高级', '实验中学', 'zhengzhou', 0, 0)
                    """, [id, 10 + id, "专家\(id)", "41010219800101000\(id)"])
                try conn.run("""
                    INSERT INTO received_applications (id, source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name, year,
                                                       series, level, title, sections, trail, received_at)
                    VALUES (?, 'zhengzhou', ?, ?, ?, ?, '逸夫小学', 2026, '中小学教师', '副高级', '高级教师', '{}', '[]', 0)
                    """, [id, id, "m\(id)", "申报人\(id)", "41010219900101000\(id)"])
            }
            // Planned (with 评审日期 and 地点, v16), drawn with votes, and closed short of its quorum.
            try conn.run("""
                INSERT INTO review_sessions (id, committee_id, name, series, specialty, panel_size, reserves, rule, state, created_at, date, place)
                VALUES (1, 1, '2026-12-08评审会', '中小学教师', '无此专业', 3, 1, 'national', 'planned', 10, '2026-12-08', '省人社厅')
                """)
            try conn.run("""
                INSERT INTO review_sessions (id, committee_id, name, series, panel_size, reserves, rule, state, seed, inputs, inputs_digest, result, created_at, drawn_at)
                VALUES (2, 1, '第二场', '中小学教师', 3, 0, 'national', 'drawn', 'seed', '{"x":1}', 'abc', '{"panel":[1,2,3]}', 11, 12)
                """)
            try conn.run("""
                INSERT INTO review_sessions (id, committee_id, name, series, panel_size, reserves, rule, state, seed, inputs, inputs_digest, result, outcome,
                                             created_at, drawn_at, closed_at)
                VALUES (3, 1, '第三场', '中小学教师', 1, 1, 'majority', 'no_quorum', 's3', '{}', 'def', '{}', '未达到法定人数', 13, 14, 15)
                """)
            for (session, application) in [(1, 1), (2, 2), (3, 3)] {
                try conn.run("INSERT INTO session_applications (session_id, received_id) VALUES (?, ?)", [session, application])
            }
            for (session, expert, role, position) in [(2, 1, "panel", 1), (2, 2, "panel", 2), (2, 3, "replaced", 3), (3, 1, "panel", 1), (3, 2, "reserve", 1)] {
                try conn.run("INSERT INTO session_experts (session_id, expert_id, role, position) VALUES (?, ?, ?, ?)", [session, expert, role, position])
            }
            try conn.run("INSERT INTO votes (session_id, received_id, expert_id, vote, score, comment, at) VALUES (2, 2, 1, 'agree', 88, '同意', 20)")
            try conn.run("INSERT INTO votes (session_id, received_id, expert_id, vote, score, comment, at) VALUES (2, 2, 2, 'abstain', NULL, '', 21)")
            try conn.run("INSERT INTO votes (session_id, received_id, expert_id, vote, comment, at, left_out) VALUES (3, 3, 1, 'disagree', '', 22, '已暂停')")
            return try snapshot(conn)
        }
        #expect(before.map(\.count) == [3, 3, 5, 3])
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (after, version, fkProblems, integrity, references, indexes, added) = try await db.read { conn in
            (try snapshot(conn), try conn.scalar("PRAGMA user_version")?.int, try conn.query("PRAGMA foreign_key_check").count,
             try conn.scalar("PRAGMA integrity_check")?.string,
             try ["session_applications", "session_experts", "votes"].map { child in
                 try conn.query("SELECT \"table\" AS parent, \"from\" AS column FROM pragma_foreign_key_list(?) ORDER BY id", [child])
                     .map { "\($0["column"].string ?? "")→\($0["parent"].string ?? "")" }
             },
             try conn.query("""
                 SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('review_sessions', 'session_applications', 'session_experts', 'votes')
                 ORDER BY name
                 """).compactMap { $0["name"].string },
             try conn.query("SELECT cancel_reason, cancelled_at, cancelled_by FROM review_sessions").flatMap(\.values))
        }
        #expect(version == TenantSchema.latestVersion && fkProblems == 0 && integrity == "ok")
        #expect(after == before, "every row and column as v23 wrote it")
        #expect(added.allSatisfy { $0 == .null } && added.count == 9)
        #expect(references.map(Set.init) == [["received_id→received_applications", "session_id→review_sessions"],
                                              ["expert_id→experts", "session_id→review_sessions"],
                                              ["expert_id→experts", "received_id→received_applications", "session_id→review_sessions"]],
                "every reference, to the rebuilt table by its name: \(references)")
        #expect(indexes == ["session_applications_received", "sqlite_autoindex_session_applications_1", "sqlite_autoindex_session_experts_1",
                            "sqlite_autoindex_votes_1"], "\(indexes)")
        #expect(!(try await db.read { try $0.query("EXPLAIN QUERY PLAN SELECT session_id FROM session_applications WHERE received_id = 3") })
            .compactMap { $0["detail"].string }.filter { $0.contains("session_applications_received") }.isEmpty)

        // The new state, only with its reason, time and account; the old checks and references hold.
        let refused = [
            "UPDATE review_sessions SET state = 'cancelled' WHERE id = 1",
            "UPDATE review_sessions SET state = 'cancelled', cancel_reason = '专家不足', cancelled_at = 30 WHERE id = 1",
            "UPDATE review_sessions SET cancel_reason = '专家不足', cancelled_at = 30, cancelled_by = 1 WHERE id = 1",
            "UPDATE review_sessions SET state = 'cancelled', cancel_reason = '专家不足', cancelled_at = 30, cancelled_by = 99 WHERE id = 1",
            "UPDATE review_sessions SET state = 'postponed' WHERE id = 1",
            "INSERT INTO session_applications (session_id, received_id) VALUES (99, 1)",
            "INSERT INTO session_experts (session_id, expert_id, role, position) VALUES (1, 1, 'chair', 1)",
            "INSERT INTO votes (session_id, received_id, expert_id, vote, at) VALUES (99, 1, 1, 'agree', 0)",
            "INSERT INTO votes (session_id, received_id, expert_id, vote, at) VALUES (1, 1, 1, 'maybe', 0)",
        ]
        for sql in refused {
            await #expect(throws: SQLiteError.self, "\(sql)") { _ = try await db.write { conn in try conn.run(sql) } }
        }
        _ = try await db.write { conn in
            try conn.run("UPDATE review_sessions SET state = 'cancelled', cancel_reason = '专家不足', cancelled_at = 30, cancelled_by = 1 WHERE id = 1")
        }
        #expect(try await db.read { try $0.scalar("SELECT state FROM review_sessions WHERE id = 1")?.string } == "cancelled")
        await db.close()
    }

    /// The migration that records who decided as they were at the decision (v25): decisions written before keep NULL and read as they always did, from the org
    /// and the account as they are now; decisions written since keep the org's name and seal
    /// and the reviewer's name they were made under, through a rename, a new seal, a seal
    /// where there was none, and a reviewer's name corrected later.
    @Test func decisionsKeepWhoDecidedAsTheyWereThen() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 24 })
        // What the trail and the 评审表 read before: the org and the account as they are now.
        let liveJoin = """
            SELECT o.name AS org_name, o.seal_file_id AS org_seal_file_id, a.name AS actor_name
            FROM decisions d LEFT JOIN orgs o ON o.id = d.org_id JOIN accounts a ON a.id = d.actor_id ORDER BY d.id
            """
        @Sendable func who(_ rows: [SQLiteRow]) -> [String] {
            rows.map { "\($0["org_name"].string ?? "-")/\($0["org_seal_file_id"].int.map(String.init) ?? "-")/\($0["actor_name"].string ?? "-")" }
        }
        let before = try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '郑州市', 'office', 0)")
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (2, 1, '410101', '管城区教育局', 'department', 0)")
            try conn.run("INSERT INTO files (id, org_id, purpose, mime, size, sha256, bytes, created_at) VALUES (1, 2, 'seal', 'image/png', 1, 'x', x'01', 0)")
            try conn.run("UPDATE orgs SET seal_file_id = 1 WHERE id = 2")
            for (id, org, name, kind) in [(1, 2, "赵老师", "applicant"), (2, 2, "王经办", "staff"), (3, 1, "李负责", "staff")] {
                try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (?, ?, ?, ?, ?, 'h', 0)",
                             [id, org, "user\(id)", name, kind])
            }
            try conn.run("""
                INSERT INTO applications (id, applicant_id, org_id, kind, year, series, level, title, state, chain, submissions, created_at, updated_at)
                VALUES (1, 1, 2, 'title', 2026, '中小学教师', '中级', '一级教师', 'in_review', '{}', 1, 0, 0)
                """)
            try conn.run("INSERT INTO decisions (application_id, submission, actor_id, decision, at) VALUES (1, 1, 1, 'submit', 1)")
            try conn.run("INSERT INTO decisions (application_id, submission, org_id, stage, actor_id, decision, at) VALUES (1, 1, 2, 'leader', 2, 'pass', 2)")
            return who(try conn.query(liveJoin))
        }
        #expect(before == ["-/-/赵老师", "管城区教育局/1/王经办"])
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let asDecided = "SELECT \(DecisionRecord.asDecided) FROM \(DecisionRecord.fromAsDecided) ORDER BY d.id"
        let (migrated, version, fkProblems) = try await db.read { conn in
            (who(try conn.query(asDecided)), try conn.scalar("PRAGMA user_version")?.int, try conn.query("PRAGMA foreign_key_check").count)
        }
        #expect(migrated == before, "rows written before the migration read as they did")
        #expect(version == TenantSchema.latestVersion && fkProblems == 0)

        // Two decisions now: the department's (with its seal) and the city office's (no seal yet).
        try await db.write { conn in
            try conn.appendDecision(DecisionRecord(applicationID: 1, submission: 1, orgID: 2, stage: "leader", actorID: 2, decision: "pass", at: 3))
            try conn.appendDecision(DecisionRecord(applicationID: 1, submission: 1, orgID: 1, stage: "leader", actorID: 3, decision: "pass",
                                                   comment: "同意", at: 4))
            try conn.appendDecision(DecisionRecord(applicationID: 1, submission: 1, actorID: 1, decision: "withdraw", at: 5))
        }
        // Then the department is renamed and gets a new seal, the office its first, and the reviewer's name is corrected.
        try await db.write { conn in
            try conn.run("UPDATE orgs SET name = '管城区教育体育局' WHERE id = 2")
            try conn.run("INSERT INTO files (id, org_id, purpose, mime, size, sha256, bytes, created_at) VALUES (2, 2, 'seal', 'image/png', 1, 'y', x'02', 9)")
            try conn.run("INSERT INTO files (id, org_id, purpose, mime, size, sha256, bytes, created_at) VALUES (3, 1, 'seal', 'image/png', 1, 'z', x'03', 9)")
            try conn.run("UPDATE orgs SET seal_file_id = 2 WHERE id = 2")
            try conn.run("UPDATE orgs SET seal_file_id = 3 WHERE id = 1")
            try conn.run("UPDATE accounts SET name = '王经办人' WHERE id = 2")
        }
        let after = try await db.read { conn in who(try conn.query(asDecided)) }
        #expect(after == [
            "-/-/赵老师",                  // before the migration: as now (nothing recorded)
            "管城区教育体育局/2/王经办人",    // before the migration: as now, the rename and the new seal included
            "管城区教育局/1/王经办",          // since: the name, seal and reviewer it was decided under
            "郑州市/-/李负责",               // since: no seal then, none stamped now
            "-/-/赵老师",                  // the applicant's withdrawal: no org
        ])
        try await db.write { conn in
            // Still append-only; and a row that records who decided must name the org it records.
            #expect(throws: SQLiteError.self) { try conn.run("UPDATE decisions SET org_name = 'x' WHERE id = 3") }
            #expect(throws: SQLiteError.self) {
                try conn.run("INSERT INTO decisions (application_id, submission, org_id, stage, actor_id, decision, at, actor_name) VALUES (1, 1, 2, 'handler', 2, 'pass', 6, '王经办')")
            }
            #expect(throws: SQLiteError.self) {
                try conn.run("INSERT INTO decisions (application_id, submission, actor_id, decision, at, actor_name, org_seal_file_id) VALUES (1, 1, 1, 'submit', 6, '赵老师', 1)")
            }
        }
        await db.close()
    }

    /// v26: the province office's review steps and a session's cancellation get a column for
    /// the name of who took them. A province written by v25, with a step and a cancelled
    /// session, opens with both rows as they were and no name recorded for them (NULL: read
    /// from the account as it is now, as before), and the columns take one from then on.
    @Test func provinceStepsAndCancellationsGetAnActorNameColumnWithOldRowsKept() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/province.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 25 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '41', '省职改办', 'office', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (1, 1, '41', '系统管理员', 'org_admin', 'h', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (2, 1, 'prov.h', '王经办', 'staff', 'h', 0)")
            try conn.run("INSERT INTO committees (id, org_id, name, series, levels, created_at) VALUES (1, 1, '高评委', '[\"中小学教师\"]', '[\"副高级\"]', 0)")
            try conn.run("""
                INSERT INTO received_applications (id, source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name, year,
                                                   series, level, title, sections, trail, received_at)
                VALUES (1, 'zhengzhou', 1, 'm1', '申报人', '410102199001010001', '逸夫小学', 2026, '中小学教师', '副高级', '高级教师', '{}', '[]', 0)
                """)
            try conn.run("""
                INSERT INTO received_decisions (received_id, org_id, stage, actor_id, decision, comment, submission, at)
                VALUES (1, 1, 'handler', 2, 'pass', '符合条件', 1, 5)
                """)
            try conn.run("""
                INSERT INTO review_sessions (id, committee_id, name, series, panel_size, reserves, rule, state, created_at, cancel_reason, cancelled_at, cancelled_by)
                VALUES (1, 1, '第一场', '中小学教师', 3, 0, 'national', 'cancelled', 10, '专家不足', 11, 1)
                """)
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (steps, sessions, version, fkProblems) = try await db.read { conn in
            (try conn.query("SELECT actor_id, decision, comment, actor_name FROM received_decisions").map(\.values),
             try conn.query("SELECT state, cancel_reason, cancelled_by, cancelled_by_name FROM review_sessions").map(\.values),
             try conn.scalar("PRAGMA user_version")?.int, try conn.query("PRAGMA foreign_key_check").count)
        }
        #expect(version == TenantSchema.latestVersion && fkProblems == 0)
        #expect(steps == [[.integer(2), .text("pass"), .text("符合条件"), .null]])
        #expect(sessions == [[.text("cancelled"), .text("专家不足"), .integer(1), .null]])
        _ = try await db.write { conn in
            // Still append-only.
            #expect(throws: SQLiteError.self) { try conn.run("UPDATE received_decisions SET actor_name = 'x'") }
        }
        await db.close()
    }

    /// v27: a province database with a received application opens with it as it was and no
    /// former unit or applicant names ('[]').
    @Test func receivedApplicationsGetFormerUnitAndApplicantNamesWithOldRowsKept() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/province.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 26 })
        _ = try await old.write { conn in
            try conn.run("""
                INSERT INTO received_applications (id, source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name, year,
                                                   series, level, title, sections, trail, received_at)
                VALUES (1, 'zhengzhou', 1, 'm1', '申报人', '410102199001010001', '管城区教育局', 2026, '中小学教师', '副高级', '高级教师', '{}', '[]', 0)
                """)
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (rows, version) = try await db.read { conn in
            (try conn.query("SELECT unit_name, former_unit_names, former_applicant_names FROM received_applications").map(\.values),
             try conn.scalar("PRAGMA user_version")?.int)
        }
        #expect(version == TenantSchema.latestVersion)
        #expect(rows == [[.text("管城区教育局"), .text("[]"), .text("[]")]])
        await db.close()
    }

    /// v29: a province written by v28 whose received applications list their current unit or
    /// applicant name among the former ones (damaged before the relay took a name that comes back
    /// out of them) opens with each current name taken out of its former list, exactly (another
    /// case or width is another name), the others kept in their order, an emptied list '[]'; a
    /// list that is not a JSON array of strings stays as it is and does not stop the file from opening; and
    /// nothing else in the file changes — a recorded draw's inputs, their digest, every other
    /// column and table.
    @Test func currentNamesLeaveTheFormerOnesAndNothingElseChanges() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/province.sqlite"
        // id: (unit, its former names, applicant, theirs), as v28 left them.
        let rows: [(Int, String, String, String, String)] = [
            (1, "东风小学", #"["东风小学","东风实验小学"]"#, "钱老师", #"["钱晓","钱老师"]"#),      // a hand-over again after a restore
            (2, "育才小学", #"["育才实验小学","育才小学","郑州市育才小学"]"#, "周文", #"["周文"]"#),  // undone corrections
            (3, "晨光小学", #"["晨光小学","晨光小学"]"#, "路晨光", "[]"),                         // listed twice
            (4, "实验中学", #"[ "实验学校" ]"#, "韩东雪", #"["韩冬雪"]"#),                          // clean: kept byte for byte
            (5, "ABC学校", #"["abc学校","ＡＢＣ学校"]"#, "李四", #"["李四 "]"#),                    // other names, however alike
            (6, "逸夫小学", "not json", "吴申报", #"{"0":"吴申报"}"#),                            // not arrays: left alone
            (7, "回民中学", #"["回民中学",null,1,["回民中学"]]"#, "马", #"["马","马\u4e00"]"#),     // not strings only: left alone; escapes read
        ]
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 28 })
        let inputs = #"{"applicants":[{"former_names":["钱晓","钱老师"],"former_units":["东风小学","东风实验小学"],"id_number":"410102199001010001","name":"钱老师","unit":"东风小学"}],"candidates":[],"panel_size":1,"reserves":0,"rules":4,"series":"中小学教师"}"#
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '41', '省职改办', 'office', 0)")
            try conn.run("INSERT INTO committees (id, org_id, name, series, levels, created_at) VALUES (1, 1, '高评委', '[\"中小学教师\"]', '[\"副高级\"]', 0)")
            for (id, unit, units, name, names) in rows {
                try conn.run("""
                    INSERT INTO received_applications (id, source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name, year,
                                                       series, level, title, sections, trail, received_at, former_unit_names, former_applicant_names)
                    VALUES (?, 'zhengzhou', ?, ?, ?, ?, ?, 2026, '中小学教师', '副高级', '高级教师', '{}', '[]', 0, ?, ?)
                    """, [id, id, "m\(id)", name, "41010219900101000\(id)", unit, units, names])
            }
            // A draw recorded from row 1 as it was: its inputs list the current names among the former ones.
            try conn.run("""
                INSERT INTO review_sessions (id, committee_id, name, series, panel_size, reserves, rule, state, seed, inputs, inputs_digest, result, created_at, drawn_at)
                VALUES (1, 1, '第一场', '中小学教师', 1, 0, 'national', 'drawn', 'seed', ?, 'digest', '{"panel":[],"reserves":[],"excluded":[]}', 1, 2)
                """, [inputs])
            try conn.run("INSERT INTO session_applications (session_id, received_id) VALUES (1, 1)")
        }
        // Every table, every row and column, but the two lists the migration is for.
        @Sendable func everythingElse(_ conn: SQLiteConnection) throws -> [String: [[SQLiteValue]]] {
            var all: [String: [[SQLiteValue]]] = [:]
            for table in try conn.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").compactMap({ $0["name"].string }) {
                // (v32 gives session_applications its `outcome`, v39 its `applicant_name` and `unit_name`, later
                // versions' columns: NULL for this drawn session.)
                let columns = try conn.query("SELECT name FROM pragma_table_info(?)", [table]).compactMap { $0["name"].string }
                    .filter { !["former_unit_names", "former_applicant_names"].contains($0)
                        && !(table == "session_applications" && ["outcome", "applicant_name", "unit_name"].contains($0)) }
                // (v31 gives tenant_meta its incarnation: a later version's row.)
                let later = table == "tenant_meta" ? " WHERE key != 'incarnation'" : ""
                all[table] = try conn.query("SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \"\(table)\"\(later) ORDER BY rowid").map(\.values)
            }
            return all
        }
        let before = try await old.read { try everythingElse($0) }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (lists, after, version, types) = try await db.read { conn in
            (try conn.query("SELECT id, former_unit_names, former_applicant_names FROM received_applications ORDER BY id").map {
                "\($0["id"].int ?? 0) \($0["former_unit_names"].string ?? "NULL") \($0["former_applicant_names"].string ?? "NULL")"
             },
             try everythingElse(conn),
             try conn.scalar("PRAGMA user_version")?.int,
             try conn.query("SELECT DISTINCT typeof(former_unit_names) || typeof(former_applicant_names) AS t FROM received_applications").compactMap { $0["t"].string })
        }
        #expect(version == TenantSchema.latestVersion)
        #expect(lists == [
            #"1 ["东风实验小学"] ["钱晓"]"#,
            #"2 ["育才实验小学","郑州市育才小学"] []"#,
            #"3 [] []"#,
            #"4 [ "实验学校" ] ["韩冬雪"]"#,
            #"5 ["abc学校","ＡＢＣ学校"] ["李四 "]"#,
            #"6 not json {"0":"吴申报"}"#,
            #"7 ["回民中学",null,1,["回民中学"]] ["马一"]"#,
        ], "\(lists)")
        #expect(types == ["texttext"])
        // Tables later versions add (v30's applicant_moves) start empty.
        #expect(after.filter { before[$0.key] == nil }.allSatisfy { $0.value.isEmpty })
        #expect(after.filter { before[$0.key] != nil } == before, "nothing but the two lists changes")
        #expect(after["review_sessions"]?.first?.contains(.text(inputs)) == true, "the draw's recorded inputs as drawn")
        await db.close()
    }

    /// v32 keeps with each closed session what it decided for each application. A session
    /// closed before gets it from the audit log: the latest `evaluation.result` of the
    /// application before the session's `session.close` (the close wrote both, in that order,
    /// in one transaction), whatever the application's evaluation says now — here a result
    /// set aside by an objection and decided the other way by a second session. Sessions that
    /// decided nothing (short of the quorum, drawn, cancelled) keep NULL; so does a closed one
    /// whose result the log does not hold, or holds as something else. Once written, it stays.
    @Test func closedSessionsKeepWhatTheyDecidedFromTheAuditLog() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/province.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 31 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '41', '省职改办', 'office', 0)")
            try conn.run("INSERT INTO committees (id, org_id, name, series, levels, created_at) VALUES (1, 1, '高评委', '[\"中小学教师\"]', '[\"副高级\"]', 0)")
            for id in 1...4 {
                try conn.run("""
                    INSERT INTO received_applications (id, source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name, year,
                                                       series, level, title, sections, trail, received_at)
                    VALUES (?, 'zhengzhou', ?, ?, ?, ?, '逸夫小学', 2026, '中小学教师', '副高级', '高级教师', '{}', '[]', 0)
                    """, [id, id, "m\(id)", "申报人\(id)", "41010219900101000\(id)"])
            }
            // 1 passed application 1 and 2; its result on 1 was set aside, and 2 decided 1 again:
            // failed. 3 was short of its quorum on 3; 4, closed, left no result of 4 in the log; 5
            // is open; 6 closed with a result the log holds as neither 通过 nor 未通过.
            for (id, state) in [(1, "closed"), (2, "closed"), (3, "no_quorum"), (4, "closed"), (5, "drawn"), (6, "closed")] {
                try conn.run("""
                    INSERT INTO review_sessions (id, committee_id, name, series, panel_size, reserves, rule, state, created_at)
                    VALUES (?, 1, ?, '中小学教师', 3, 0, 'national', ?, 0)
                    """, [id, "第\(id)场", state])
            }
            for (session, application) in [(1, 1), (1, 2), (2, 1), (3, 3), (4, 4), (5, 2), (6, 3)] {
                try conn.run("INSERT INTO session_applications (session_id, received_id) VALUES (?, ?)", [session, application])
            }
            // The log as the closes and the objection left it, with rows of other actions between.
            var seq = 0
            func log(_ action: String, _ target: String, _ detail: String = "{}") throws {
                seq += 1
                try conn.run("""
                    INSERT INTO audit (seq, at, actor, org_id, action, target, detail, source, prev_hash, hash) VALUES (?, ?, 'admin', 1, ?, ?, ?, 'api', 'p', 'h')
                    """, [seq, Double(seq), action, target, detail])
            }
            try log("session.vote", "session:1", #"{"application":1}"#)
            try log("evaluation.result", "received_application:1", #"{"result":"通过"}"#)
            try log("evaluation.result", "received_application:2", #"{"result":"未通过"}"#)
            try log("session.close", "session:1", #"{"panel":3}"#)
            try log("objection.uphold", "objection:1", #"{"reason":"属实"}"#)
            try log("evaluation.result", "received_application:3", #"{"result":"通过"}"#)   // by hand, after session 3 decided nothing
            try log("session.no-quorum", "session:3")
            try log("evaluation.result", "received_application:1", #"{"result":"未通过"}"#)
            try log("session.close", "session:2", #"{"panel":3}"#)
            try log("session.close", "session:4", #"{"panel":3}"#)
            try log("evaluation.result", "received_application:3", #"{"result":"待定"}"#)
            try log("session.close", "session:6", #"{"panel":3}"#)
            try log("evaluation.result", "received_application:2", #"{"result":"通过"}"#)   // after its session's close: not its decision
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let outcomes = try await db.read { conn in
            try conn.query("SELECT session_id, received_id, outcome FROM session_applications ORDER BY session_id, received_id")
                .map { "\($0["session_id"].int ?? 0)/\($0["received_id"].int ?? 0) \($0["outcome"].string ?? "NULL")" }
        }
        #expect(outcomes == ["1/1 通过", "1/2 未通过", "2/1 未通过", "3/3 NULL", "4/4 NULL", "5/2 NULL", "6/3 NULL"], "\(outcomes)")
        // Written once: a decision recorded is not rewritten, not even to the same value; an open
        // session's is written by its close; nothing else may be stored.
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_applications SET outcome = '未通过' WHERE session_id = 1 AND received_id = 1") }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_applications SET outcome = NULL WHERE session_id = 2") }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_applications SET outcome = '待定' WHERE session_id = 5") }
        }
        _ = try await db.write { conn in try conn.run("UPDATE session_applications SET outcome = '通过' WHERE session_id = 5") }
        await db.close()
    }

    /// v39 keeps with each session that has ended (closed, short of its quorum, cancelled) its
    /// applicants and experts as named then. Sessions that ended before get the names they have
    /// now (no earlier one was kept); planned and drawn ones keep NULL, written as they end.
    /// Once written, the names stay, whatever becomes of the people's names since.
    @Test func endedSessionsKeepTheirApplicantsAndExpertsAsNamed() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/province.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 37 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '41', '省职改办', 'office', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (1, 1, '41', '管理员', 'org_admin', 'h', 0)")
            try conn.run("INSERT INTO committees (id, org_id, name, series, levels, created_at) VALUES (1, 1, '高评委', '[\"中小学教师\"]', '[\"副高级\"]', 0)")
            for id in 1...2 {
                try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (?, 1, ?, ?, 'staff', 'h', 0)",
                             [10 + id, "expert\(id)", "专家\(id)"])
                try conn.run("""
                    INSERT INTO experts (id, account_id, name, id_number, series, specialty, title, level, unit_name, source_tenant, created_at, updated_at)
                    VALUES (?, ?, ?, ?, '中小学教师', '小学数学', '高级教师', '副高级', ?, 'zhengzhou', 0, 0)
                    """, [id, 10 + id, "专家\(id)", "41010219800101000\(id)", "实验中学\(id)"])
                try conn.run("""
                    INSERT INTO received_applications (id, source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name, year,
                                                       series, level, title, sections, trail, received_at)
                    VALUES (?, 'zhengzhou', ?, ?, ?, ?, ?, 2026, '中小学教师', '副高级', '高级教师', '{}', '[]', 0)
                    """, [id, id, "m\(id)", "申报人\(id)", "41010219900101000\(id)", "逸夫小学\(id)"])
            }
            for (id, state) in [(1, "closed"), (2, "no_quorum"), (3, "cancelled"), (4, "drawn"), (5, "planned")] {
                let cancelled = state == "cancelled"
                try conn.run("""
                    INSERT INTO review_sessions (id, committee_id, name, series, panel_size, reserves, rule, state, created_at,
                                                 cancel_reason, cancelled_at, cancelled_by)
                    VALUES (?, 1, ?, '中小学教师', 2, 0, 'national', ?, 0, ?, ?, ?)
                    """, [id, "第\(id)场", state, cancelled ? "取消" : nil, cancelled ? 1.0 : nil, cancelled ? 1 : nil])
                try conn.run("INSERT INTO session_applications (session_id, received_id) VALUES (?, ?)", [id, id % 2 + 1])
                if state != "planned" {
                    try conn.run("INSERT INTO session_experts (session_id, expert_id, role, position) VALUES (?, ?, 'panel', 0)", [id, id % 2 + 1])
                }
            }
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        @Sendable func kept(_ conn: SQLiteConnection) throws -> [String] {
            try conn.query("SELECT session_id, received_id, applicant_name, unit_name FROM session_applications ORDER BY session_id").map {
                "a\($0["session_id"].int ?? 0)/\($0["received_id"].int ?? 0) \($0["applicant_name"].string ?? "NULL") \($0["unit_name"].string ?? "NULL")"
            } + conn.query("SELECT session_id, expert_id, name, unit_name FROM session_experts ORDER BY session_id").map {
                "e\($0["session_id"].int ?? 0)/\($0["expert_id"].int ?? 0) \($0["name"].string ?? "NULL") \($0["unit_name"].string ?? "NULL")"
            }
        }
        let (names, version) = try await db.read { conn in (try kept(conn), try conn.scalar("PRAGMA user_version")?.int) }
        #expect(version == TenantSchema.latestVersion)
        #expect(names == ["a1/2 申报人2 逸夫小学2", "a2/1 申报人1 逸夫小学1", "a3/2 申报人2 逸夫小学2", "a4/1 NULL NULL", "a5/2 NULL NULL",
                          "e1/2 专家2 实验中学2", "e2/1 专家1 实验中学1", "e3/2 专家2 实验中学2", "e4/1 NULL NULL"], "\(names)")
        // A name corrected since changes nothing kept; a kept name is not rewritten, not even to the same.
        _ = try await db.write { conn in
            try conn.run("UPDATE received_applications SET applicant_name = '改名', unit_name = '改名小学'")
            try conn.run("UPDATE experts SET name = '改名专家', unit_name = '改名中学'")
        }
        #expect(try await db.read { try kept($0) } == names)
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_applications SET applicant_name = '申报人2' WHERE session_id = 1") }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_applications SET unit_name = NULL WHERE session_id = 2") }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_experts SET name = '别人' WHERE session_id = 3") }
        }
        // An open session's are written once, as it ends.
        _ = try await db.write { conn in
            try conn.run("UPDATE session_applications SET applicant_name = '改名', unit_name = '改名小学' WHERE session_id = 4")
            try conn.run("UPDATE session_experts SET name = '改名专家', unit_name = '改名中学' WHERE session_id = 4")
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE session_experts SET unit_name = '又一个' WHERE session_id = 4") }
        }
        await db.close()
    }

    /// v21: the province's lists of received applications and the sign-in's cleanup of expired
    /// sessions read through an index, not the whole table (the committee's and the public
    /// notices' queries: QueuePageTests, on the services' own SQL).
    @Test func receivedApplicationsAndExpiredSessionsAreReadByIndex() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let plans = try await db.read { conn in
            try [
                // ProvinceReviewService.waitingCount, .page (a reviewer's, the office's), ApplicationService.received.
                "SELECT chain FROM received_applications WHERE kind = 'title' AND chain IS NOT NULL AND state = 'in_review' AND +series IN ('a', 'b')",
                "SELECT id FROM received_applications WHERE kind = 'title' AND chain IS NOT NULL AND id < 9 ORDER BY id DESC LIMIT 51",
                "SELECT id FROM received_applications WHERE kind = 'title' AND id > 0 AND state = 'received' ORDER BY id LIMIT 51",
                "DELETE FROM sessions WHERE expires_at < 5",
            ].map { sql in try conn.query("EXPLAIN QUERY PLAN " + sql).compactMap { $0["detail"].string }.joined(separator: "; ") }
        }
        #expect(plans[0].contains("received_kind_state"), "\(plans[0])")
        // The office's whole list (a page after the first): since v38 from received_office, the rows with a chain.
        #expect(plans[1].contains("INDEX received_office ") && !plans[1].contains("TEMP B-TREE"), "\(plans[1])")
        #expect(plans[2].contains("received_kind_state") && !plans[2].contains("TEMP B-TREE"), "\(plans[2])")
        #expect(plans[3].contains("sessions_expiry"), "\(plans[3])")
        await db.close()
    }

    /// v35: a province reviewer's list (ProvinceReviewService.page: their series, newest first)
    /// reads the index of the received applications by kind and series, not every received
    /// row's chain and series from received_kind.
    @Test func aProvinceReviewersListIsReadByItsSeries() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let plans = try await db.read { conn in
            try [
                // Named (INDEXED BY, as the service does): refused if the index could not serve it.
                "SELECT id FROM received_applications INDEXED BY received_reviewed WHERE kind = 'title' AND chain IS NOT NULL AND series IN ('a') AND id < 9 ORDER BY id DESC LIMIT 51",
                "SELECT id FROM received_applications INDEXED BY received_reviewed WHERE kind = 'title' AND chain IS NOT NULL AND series IN ('a', 'b') ORDER BY id DESC LIMIT 51",
                // Waiting for the reviewer's step (`+series`): the few in that state.
                "SELECT id FROM received_applications WHERE kind = 'title' AND chain IS NOT NULL AND +series IN ('a', 'b') AND state = 'in_review' ORDER BY id DESC LIMIT 51",
            ].map { sql in try conn.query("EXPLAIN QUERY PLAN " + sql).compactMap { $0["detail"].string }.joined(separator: "; ") }
        }
        #expect(plans[0].contains("received_reviewed") && plans[0].contains("series=? AND id<?") && !plans[0].contains("TEMP B-TREE"), "\(plans[0])")
        #expect(plans[1].contains("received_reviewed") && !plans[1].contains("SCAN"), "\(plans[1])")
        #expect(plans[2].contains("received_kind_state") && !plans[2].contains("TEMP B-TREE"), "\(plans[2])")
        await db.close()
    }

    /// v38: the city office's waiting plans (PlanService.overview with `state=submitted`, and
    /// their count) come in the order they were submitted from `plans_waiting`, a page read from
    /// where the last one ended, not every plan read and sorted; the province office admin's whole
    /// list (ProvinceReviewService.page) walks `received_office`, the rows with a chain, not
    /// received_kind, where a page short of its size read on through every row without one down
    /// to the oldest. Named as the services name them (INDEXED BY is refused if the index cannot
    /// serve the query).
    @Test func theWaitingPlansAndTheProvinceOfficesListAreReadFromTheirIndexes() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let plans = try await db.read { conn in
            try [
                ("""
                SELECT p.id, p.submitted_at, o.name AS org_name FROM plans p INDEXED BY plans_waiting JOIN orgs o ON o.id = p.org_id
                WHERE p.state = 'submitted' AND (p.submitted_at, p.id) > (?, ?) ORDER BY p.submitted_at, p.id LIMIT 101
                """, [1.5, 3] as [any SQLiteBindable]),
                ("""
                SELECT p.id FROM plans p INDEXED BY plans_waiting JOIN orgs o ON o.id = p.org_id
                WHERE p.state = 'submitted' AND p.year = ? ORDER BY p.submitted_at, p.id LIMIT 101
                """, [2026]),
                ("SELECT count(*) FROM plans INDEXED BY plans_waiting WHERE state = 'submitted'", []),
                ("SELECT id FROM received_applications INDEXED BY received_office WHERE kind = 'title' AND chain IS NOT NULL AND id < 9 ORDER BY id DESC LIMIT 201", []),
                ("SELECT id FROM received_applications INDEXED BY received_office WHERE kind = 'expert' AND chain IS NOT NULL ORDER BY id DESC LIMIT 201", []),
            ].map { sql, arguments in try conn.query("EXPLAIN QUERY PLAN " + sql, arguments).compactMap { $0["detail"].string }.joined(separator: "; ") }
        }
        // The plans: walked in the index's order (no sort) from where the page before ended, the
        // unit looked up by its key for each; the index holds the waiting plans only.
        #expect(plans[0].contains("SEARCH p USING INDEX plans_waiting (submitted_at>?)") && plans[0].contains("SEARCH o USING INTEGER PRIMARY KEY")
                && !plans[0].contains("TEMP B-TREE"), "\(plans[0])")
        #expect(plans[1].contains("SCAN p USING INDEX plans_waiting") && !plans[1].contains("TEMP B-TREE"), "\(plans[1])")
        #expect(plans[2].contains("INDEX plans_waiting"), "\(plans[2])")
        // The province office's list, newest first from where the page before ended: the index holds
        // the rows with a chain only, so a page is never looked for among those without one.
        #expect(plans[3].contains("SEARCH received_applications USING INDEX received_office (kind=? AND id<?)") && !plans[3].contains("TEMP B-TREE"), "\(plans[3])")
        #expect(plans[4].contains("SEARCH received_applications USING INDEX received_office (kind=?)") && !plans[4].contains("TEMP B-TREE"), "\(plans[4])")
        await db.close()
    }

    /// v40: 单位管理's children of an org, in code order a page at a time and counted, and their
    /// admins, each from its index (as the storage names them: INDEXED BY is refused if the index
    /// cannot serve the query), not every child of a 主管单位 with thousands read and sorted, nor
    /// every account of each unit read to find its admin.
    @Test func anOrgsChildrenAndTheirAdminsAreReadFromTheirIndexes() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let plans = try await db.read { conn in
            try [
                ("SELECT id, parent_id, code, name, kind FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL ORDER BY code LIMIT ?", [1, 100]),
                ("SELECT id, parent_id, code, name, kind FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL AND code > ? ORDER BY code LIMIT ?", [1, "4101", 100]),
                ("SELECT id, parent_id, code, name, kind FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL AND code < ? ORDER BY code DESC LIMIT ?", [1, "4101", 100]),
                ("SELECT count(*) FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL", [1]),
                ("SELECT EXISTS (SELECT 1 FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL AND code > ?)", [1, "4101"]),
                ("""
                SELECT id FROM accounts INDEXED BY accounts_org_admin
                WHERE kind = 'org_admin' AND deleted_at IS NULL AND org_id IN (SELECT value FROM json_each(?))
                """, ["[2,3]"]),
            ].map { sql, arguments in try conn.query("EXPLAIN QUERY PLAN " + sql, arguments as [any SQLiteBindable]).compactMap { $0["detail"].string }.joined(separator: "; ") }
        }
        // A page: walked in the index's order from where the page before ended (forwards or back), no sort.
        #expect(plans[0].contains("SEARCH orgs USING INDEX orgs_children (parent_id=? AND deleted_at=?)") && !plans[0].contains("TEMP B-TREE"), "\(plans[0])")
        #expect(plans[1].contains("SEARCH orgs USING INDEX orgs_children (parent_id=? AND deleted_at=? AND code>?)") && !plans[1].contains("TEMP B-TREE"), "\(plans[1])")
        #expect(plans[2].contains("SEARCH orgs USING INDEX orgs_children (parent_id=? AND deleted_at=? AND code<?)") && !plans[2].contains("TEMP B-TREE"), "\(plans[2])")
        // Counted, and a page's neighbours found, from the index alone.
        #expect(plans[3].contains("USING COVERING INDEX orgs_children (parent_id=? AND deleted_at=?)"), "\(plans[3])")
        #expect(plans[4].contains("USING COVERING INDEX orgs_children (parent_id=? AND deleted_at=? AND code>?)"), "\(plans[4])")
        #expect(plans[5].contains("SEARCH accounts USING INDEX accounts_org_admin (org_id=?)"), "\(plans[5])")
        await db.close()
    }

    /// v43: an objection's evidence files, and the names of those a city sent the province. A
    /// v42 file with objections (one of each kind) opens with them as they were and no files; a
    /// fourth file of one objection is refused by the table itself, and an objection's files
    /// (and a sent one's) are read from the unique key, in their order.
    /// v45: a committee's steps written before keep what they said, with no office and no seal
    /// (read with the office's seal now); a step with a seal must name its office; the trail
    /// stays append-only.
    @Test func committeeStepsGetTheirOfficeAndSealWithOldRowsKept() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 44 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '4101', '职改办', 'office', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (1, 1, 'a', '甲', 'org_admin', 'h', 0)")
            try conn.run("""
                INSERT INTO applications (id, org_id, applicant_id, kind, year, series, level, title, state, chain, created_at, updated_at)
                VALUES (1, 1, 1, 'title', 2026, '中小学教师', '中级', '一级教师', 'passed', '{}', 0, 0)
                """)
            try conn.run("INSERT INTO committee_steps (application_id, office, committee, actor_name, event, detail, at) VALUES (1, '职改办', '评委会', '甲', 'final', '通过', 5)")
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (version, steps, fkProblems) = try await db.read { conn in
            (try conn.scalar("PRAGMA user_version")?.int,
             try conn.query("SELECT office, event, detail, office_id, office_seal_file_id FROM committee_steps").map(\.values),
             try conn.query("PRAGMA foreign_key_check").count)
        }
        #expect(version == TenantSchema.latestVersion && fkProblems == 0)
        #expect(steps == [[.text("职改办"), .text("final"), .text("通过"), .null, .null]])
        try await db.write { conn in
            try conn.run("INSERT INTO files (id, org_id, purpose, mime, size, sha256, bytes, created_at) VALUES (1, 1, 'seal', 'image/png', 1, ?, x'25', 0)",
                         [String(repeating: "a", count: 64)])
            try conn.run("""
                INSERT INTO committee_steps (application_id, office, committee, actor_name, event, detail, at, office_id, office_seal_file_id)
                VALUES (1, '职改办', '评委会', '甲', 'final', '通过', 6, 1, 1)
                """)
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in
                try conn.run("""
                    INSERT INTO committee_steps (application_id, office, committee, actor_name, event, detail, at, office_seal_file_id)
                    VALUES (1, '职改办', '评委会', '甲', 'final', '通过', 7, 1)
                    """)
            }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in try conn.run("UPDATE committee_steps SET office_seal_file_id = NULL") }
        }
        await db.close()
    }

    @Test func objectionsGetEvidenceFilesAtMostThreeEach() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 42 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '4101', '职改办', 'office', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (1, 1, 'a', '甲', 'org_admin', 'h', 0)")
            try conn.run("INSERT INTO committees (id, org_id, name, series, levels, created_at) VALUES (1, 1, '评委会', '[]', '[]', 0)")
            try conn.run("""
                INSERT INTO applications (id, org_id, applicant_id, kind, year, series, level, title, state, chain, created_at, updated_at)
                VALUES (1, 1, 1, 'title', 2026, '中小学教师', '中级', '一级教师', 'at_committee', '{}', 0, 0)
                """)
            try conn.run("INSERT INTO evaluations (id, application_id, committee_id, state, updated_at) VALUES (1, 1, 1, 'publicity', 0)")
            try conn.run("INSERT INTO objections (id, evaluation_id, account_id, text, evidence, created_at) VALUES (1, 1, 1, '异议', '证据', 5)")
            try conn.run("INSERT INTO sent_objections (id, application_id, account_id, message_id, text, evidence, created_at) VALUES (1, 1, 1, 'm', '异议', '', 6)")
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (version, objections, files, fkProblems) = try await db.read { conn in
            (try conn.scalar("PRAGMA user_version")?.int, try conn.query("SELECT id, text, evidence, state FROM objections").map(\.values),
             try conn.scalar("SELECT (SELECT count(*) FROM objection_files) + (SELECT count(*) FROM sent_objection_files)")?.int,
             try conn.query("PRAGMA foreign_key_check").count)
        }
        #expect(version == TenantSchema.latestVersion && fkProblems == 0 && files == 0)
        #expect(objections == [[.integer(1), .text("异议"), .text("证据"), .text("open")]])
        let digest = String(repeating: "a", count: 64)
        try await db.write { conn in
            for position in 1...3 {
                try conn.run("INSERT INTO objection_files (objection_id, position, name, mime, size, sha256, bytes) VALUES (1, ?, ?, 'application/pdf', 1, ?, x'25')",
                             [position, "\(position).pdf", digest])
            }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in
                try conn.run("INSERT INTO objection_files (objection_id, position, name, mime, size, sha256, bytes) VALUES (1, 4, '4.pdf', 'application/pdf', 1, ?, x'25')", [digest])
            }
        }
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in
                try conn.run("INSERT INTO objection_files (objection_id, position, name, mime, size, sha256, bytes) VALUES (1, 2, 'again.pdf', 'application/pdf', 1, ?, x'25')", [digest])
            }
        }
        let plans = try await db.read { conn in
            try ["SELECT id, name, mime, size FROM objection_files WHERE objection_id IN (1, 2) ORDER BY objection_id, position",
                 "SELECT name, mime, size FROM sent_objection_files WHERE sent_objection_id IN (1) ORDER BY sent_objection_id, position"].map { sql in
                try conn.query("EXPLAIN QUERY PLAN " + sql).compactMap { $0["detail"].string }.joined(separator: "; ")
            }
        }
        #expect(plans[0].contains("USING INDEX sqlite_autoindex_objection_files_1") && !plans[0].contains("TEMP B-TREE"), "\(plans[0])")
        #expect(plans[1].contains("USING INDEX sqlite_autoindex_sent_objection_files_1"), "\(plans[1])")
        await db.close()
    }
}
