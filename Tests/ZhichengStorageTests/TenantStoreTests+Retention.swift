import Dispatch
import Foundation
import Synchronization
import Testing
import ZhichengCore
@testable import ZhichengStorage

/// Backup retention on real files (`TenantStore.pruneBackups`); which names go is
/// `BackupRetention`'s rule, tested in ZhichengCoreTests.
extension TenantStoreTests {
    /// `count` backups of `id`, oldest first.
    func backups(_ store: TenantStore, _ id: TenantID, count: Int) async throws -> [BackupRecord] {
        var made: [BackupRecord] = []
        for _ in 0..<count { made.append(try await store.backup(id)) }
        return made
    }

    func names(in dir: String) throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: dir)) }

    @Test func theBackupsTheStoreWritesAreRegularBackupsAndARestoresCopyIsNot() async throws {
        let (dir, store, id, first) = try await storeWithBackedUpTenant("named")
        // Several in a row, likely within one millisecond: `-2`, `-3` … too.
        let more = try await backups(store, id, count: 4)
        _ = try await store.restore(id, from: first.path)
        let all = try names(in: store.paths.backupDirectory(for: id))
        let regular = ([first] + more).map { URL(fileURLWithPath: $0.path).lastPathComponent }
        #expect(Set(regular).isSubset(of: all))
        for name in regular { #expect(BackupFileName(name, of: id) != nil, "\(name)") }
        // In the order they were made.
        #expect(regular.compactMap { BackupFileName($0, of: id) } == regular.compactMap { BackupFileName($0, of: id) }.sorted())
        let kept = all.subtracting(regular)
        #expect(kept.count == 1 && kept.first!.contains("-pre-restore-") && BackupFileName(kept.first!, of: id) == nil)
        withExtendedLifetime(dir) {}
    }

    @Test func removesTheOldestRegularBackupsBeyondKeepAndNothingElse() async throws {
        let (dir, store) = try await storeWith("kept")
        let id = try TenantID("kept")
        let made = try await backups(store, id, count: 4)
        let backupDir = store.paths.backupDirectory(for: id)
        // Beside them: a restore's copy, a file of the sysadmin's, a directory and a symbolic
        // link named like old backups, the link pointing out of the directory.
        let outside = dir.path + "/outside.sqlite"
        _ = FileManager.default.createFile(atPath: outside, contents: Data("not to be touched".utf8))
        try FileManager.default.copyItem(atPath: made[0].path, toPath: backupDir + "/kept-pre-restore-20000101T000000.000Z.sqlite")
        _ = FileManager.default.createFile(atPath: backupDir + "/notes.txt", contents: Data("mine".utf8))
        try FileManager.default.createDirectory(atPath: backupDir + "/kept-20000101T000000.000Z.sqlite", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: backupDir + "/kept-20000102T000000.000Z.sqlite", withDestinationPath: outside)
        let before = try names(in: backupDir)

        // keep = 0 (the default): nothing goes.
        #expect(await store.pruneBackups(id, after: made[3]) == BackupPruning())
        #expect(try names(in: backupDir) == before)

        await store.setBackupRetention(try BackupRetention(keep: 2))
        let pruning = await store.pruneBackups(id, after: made[3])
        #expect(pruning.removed == [made[0].path, made[1].path])
        #expect(pruning.failures.isEmpty)
        #expect(try names(in: backupDir) == before.subtracting(made[0...1].map { URL(fileURLWithPath: $0.path).lastPathComponent }))
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "not to be touched")
        // The last backup still restores.
        _ = try await store.restore(id, from: made[3].path)
        #expect(try await store.check(id).ok)
        withExtendedLifetime(dir) {}
    }

    @Test func theRegistrysLastBackupStaysEvenWhenItIsNotAmongTheNewest() async throws {
        let (dir, store) = try await storeWith("recorded")
        let id = try TenantID("recorded")
        let made = try await backups(store, id, count: 4)
        // As if the first had been recorded last (a slow backup finishing after a faster one).
        try await store.registry.recordBackup(id, made[0])
        await store.setBackupRetention(try BackupRetention(keep: 1))
        let pruning = await store.pruneBackups(id, after: made[3])
        #expect(pruning.removed == [made[1].path, made[2].path])
        #expect(FileManager.default.fileExists(atPath: made[0].path) && FileManager.default.fileExists(atPath: made[3].path))
        // The one just written stays too, even were it not the newest.
        let again = await store.pruneBackups(id, after: made[0])
        #expect(again == BackupPruning())
        withExtendedLifetime(dir) {}
    }

    @Test func anArchivedTenantsBackupsAndBackupsDatedAfterNowStay() async throws {
        let (dir, store) = try await storeWith("again")
        let id = try TenantID("again")
        let archived = try await backups(store, id, count: 3)
        _ = try await store.archive(id)
        // Created again under the same id, a moment later: its creation is after those backups.
        try await Task.sleep(for: .milliseconds(5))
        let info = TenantInfo(id: id, name: "again", divisionCode: try DivisionCode("4101"), kind: .city, state: .active,
                              createdAt: Date().timeIntervalSince1970)
        _ = try await store.create(info) { conn in try conn.run("INSERT INTO tenant_meta (key, value) VALUES ('tenant_id', ?)", [id.rawValue]) }
        // A file named like a backup made next year (the clock ran ahead).
        let backupDir = store.paths.backupDirectory(for: id)
        let ahead = backupDir + "/" + BackupFileName.stem(of: id, at: TenantStore.timestamp(Date().addingTimeInterval(366 * 86_400))) + BackupFileName.suffix
        _ = FileManager.default.createFile(atPath: ahead, contents: Data("ahead".utf8))
        await store.setBackupRetention(try BackupRetention(keep: 1))
        // Its first backup is the only one of it: with keep = 1 nothing goes.
        var made = [try await store.backup(id)]
        let first = await store.pruneBackups(id, after: made[0])
        var expected = BackupPruning(removed: [], datedAfterNow: [ahead])
        expected.archivedBefore = true
        #expect(first == expected)
        made.append(try await store.backup(id))
        let second = await store.pruneBackups(id, after: made[1])
        expected.removed = [made[0].path]
        #expect(second == expected)
        #expect(archived.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        #expect(FileManager.default.fileExists(atPath: ahead) && FileManager.default.fileExists(atPath: made[1].path))
        // Once archived again, nothing of it is pruned: the registry no longer has the tenant.
        let third = try await store.backup(id)
        _ = try await store.archive(id)
        let after = await store.pruneBackups(id, after: third)
        #expect(after.removed.isEmpty && after.failures.count == 1 && after.failures[0].reason.contains("no longer registered"))
        #expect(FileManager.default.fileExists(atPath: made[1].path))
        withExtendedLifetime(dir) {}
    }

    @Test func aCreationRecordsTheEarlierTenantsBackupsDatedAfterIt() async throws {
        let (dir, store) = try await storeWith("ahead")
        let id = try TenantID("ahead")
        let backupDir = store.paths.backupDirectory(for: id)
        _ = try await backups(store, id, count: 1)
        // The archived tenant's clock ran a year ahead for its last backup.
        let ahead = BackupFileName.stem(of: id, at: TenantStore.timestamp(Date().addingTimeInterval(366 * 86_400))) + BackupFileName.suffix
        _ = FileManager.default.createFile(atPath: backupDir + "/" + ahead, contents: Data("ahead".utf8))
        _ = try await store.archive(id)
        let info = TenantInfo(id: id, name: "ahead", divisionCode: try DivisionCode("4101"), kind: .city, state: .active,
                              createdAt: Date().timeIntervalSince1970)
        _ = try await store.create(info) { conn in try conn.run("INSERT INTO tenant_meta (key, value) VALUES ('tenant_id', ?)", [id.rawValue]) }
        // Recorded in the tenant's database (so in every backup of it), and only that file.
        #expect(try await store.backupsAtCreation(id) == [ahead])
        await store.setBackupRetention(try BackupRetention(keep: 1))
        let made = try await backups(store, id, count: 2)
        let pruning = await store.pruneBackups(id, after: made[1])
        // Not dated after now in the outcome: known as the earlier tenant's, for good.
        #expect(pruning.removed == [made[0].path] && pruning.datedAfterNow.isEmpty && pruning.cannotApply == nil && pruning.archivedBefore)
        #expect(FileManager.default.fileExists(atPath: backupDir + "/" + ahead))
        // Once now has passed its date, the rule still leaves it (as `prunable` reads the record).
        let facts = RetentionFacts(createdAt: info.createdAt, lastArchived: try await store.registry.lastArchived(id),
                                   presentAtCreation: try await store.backupsAtCreation(id))
        #expect(facts.lastArchived != nil)
        let nextYear = try BackupRetention(keep: 1).prunable(try names(in: backupDir), of: id, createdAt: facts.createdAt, lastArchived: facts.lastArchived,
                                                            presentAtCreation: facts.presentAtCreation, now: Date().timeIntervalSince1970 + 400 * 86_400)
        #expect(nextYear.ofAnEarlierTenant.contains(ahead) && !nextYear.remove.contains(ahead))
        // A tenant created with nothing in its backup dir records nothing.
        let (otherDir, other) = try await storeWith("plain")
        #expect(try await other.backupsAtCreation(try TenantID("plain")) == [])
        withExtendedLifetime((dir, otherDir)) {}
    }

    @Test func aRestoreKeepsTheReplacedDatabasesRecordOfTheBackupsPresentAtCreation() async throws {
        let (dir, store, id, _) = try await storeWithBackedUpTenant("kept")
        let record = #"["kept-20991231T000000.000Z.sqlite"]"#
        func setRecord(_ value: String?) async throws {
            _ = try await store.withTenant(id) { db in
                try await db.write { conn in
                    if let value {
                        try conn.run("INSERT OR REPLACE INTO tenant_meta (key, value) VALUES (?, ?)", [TenantStore.backupsAtCreationKey, value])
                    } else {
                        try conn.run("DELETE FROM tenant_meta WHERE key = ?", [TenantStore.backupsAtCreationKey])
                    }
                }
            }
        }
        // A backup made without the record (an earlier tenant's, or one from before it existed) …
        try await setRecord(nil)
        let without = try await store.backup(id)
        try await setRecord(record)
        #expect(try await store.backupsAtCreation(id) == ["kept-20991231T000000.000Z.sqlite"])
        // … restored: the record is the replaced database's, not the backup's.
        _ = try await store.restore(id, from: without.path)
        #expect(try await store.backupsAtCreation(id) == ["kept-20991231T000000.000Z.sqlite"])
        // And a replaced database without one leaves none, whatever the backup held.
        let with = try await store.backup(id)
        try await setRecord(nil)
        _ = try await store.restore(id, from: with.path)
        #expect(try await store.backupsAtCreation(id) == [])
        withExtendedLifetime(dir) {}
    }

    @Test func eachRemovalIsReportedAsSoonAsItIsDoneBeforeTheNext() async throws {
        let (dir, store) = try await storeWith("logged")
        let id = try TenantID("logged")
        let made = try await backups(store, id, count: 4)
        let backupDir = store.paths.backupDirectory(for: id)
        let seen = Mutex<[String]>([])
        let outcome = TenantStore.removeOldBackups(in: backupDir, of: id, facts: RetentionFacts(createdAt: 0), retention: try BackupRetention(keep: 1),
                                                   protected: []) { path in
            // Called with this file gone and the next one still there.
            let index = made.firstIndex { $0.path == path }!
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(FileManager.default.fileExists(atPath: made[index + 1].path))
            seen.withLock { $0.append(path) }
        }
        #expect(seen.withLock { $0 } == made.dropLast().map(\.path))
        #expect(outcome.removed == made.dropLast().map(\.path))
        withExtendedLifetime(dir) {}
    }

    @Test func backupsDatedBeforeTheCreationWithNoArchiveOfTheIDAreSaidToBeOutOfRetentionsReach() async throws {
        // Created while the clock ran a year ahead: its backups are dated before created_at.
        let (dir, store) = try await storeWith("early")
        let id = try TenantID("early")
        let info = try #require(try await store.registry.get(id))
        _ = try await backups(store, id, count: 2)
        let made = try await store.backup(id)
        let backupDir = store.paths.backupDirectory(for: id)
        let outcome = TenantStore.removeOldBackups(in: backupDir, of: id, facts: RetentionFacts(createdAt: Date().timeIntervalSince1970 + 366 * 86_400),
                                                   retention: try BackupRetention(keep: 1), protected: [])
        #expect(outcome.removed.isEmpty && outcome.cannotApply == .createdAfterNow)
        #expect(FileManager.default.fileExists(atPath: made.path))
        // Dated before an ordinary creation time, with no archive of the id on record.
        let stillNone = TenantStore.removeOldBackups(in: backupDir, of: id, facts: RetentionFacts(createdAt: Date().timeIntervalSince1970 + 1),
                                                     retention: try BackupRetention(keep: 1), protected: [])
        #expect(stillNone.removed.isEmpty && stillNone.cannotApply == .noEarlierArchive)
        // The registry's own creation: everything counts, nothing to say.
        await store.setBackupRetention(try BackupRetention(keep: 1))
        let counted = await store.pruneBackups(id, after: made)
        #expect(counted.removed.count == 2 && counted.cannotApply == nil && !counted.archivedBefore && info.createdAt < made.at)
        withExtendedLifetime(dir) {}
    }

    /// `BackupFileName.milliseconds` is what a name written at a time reads: compared with the
    /// formatter that writes the names (`TenantStore.timestamp`), for many times around the
    /// millisecond's boundaries (a formatter that truncated instead of rounding fails here).
    @Test func aTimeInMillisecondsIsWhatTheNameWrittenThenReads() throws {
        let id = try TenantID("tt")
        var generator = SystemRandomNumberGenerator()
        var times: [Double] = [0, 0.0004, 0.0006, 0.9994, 0.9996, 1_795_936_502.1234, 1_795_936_502.1236, 1_795_936_502.9996]
        for _ in 0..<2_000 {
            let ms = Double(Int64.random(in: 0...4_102_444_800_000, using: &generator))   // 1970 … 2100
            // Fractions well away from the half (a Double's own representation of x.5 is not a
            // question of the rule): a quarter and three quarters of a millisecond.
            times.append((ms + [0.1, 0.25, 0.4, 0.6, 0.75, 0.9].randomElement(using: &generator)!) / 1000)
        }
        for time in times {
            let name = BackupFileName.stem(of: id, at: TenantStore.timestamp(Date(timeIntervalSince1970: time))) + BackupFileName.suffix
            let written = try #require(BackupFileName(name, of: id)).millisecondsSince1970
            #expect(written == BackupFileName.milliseconds(time), "\(time) written as \(name)")
        }
    }

    @Test func nothingIsRemovedWhileARestoreOrArchiveHoldsTheTenantsFiles() async throws {
        let (dir, store) = try await storeWith("held")
        let id = try TenantID("held")
        let made = try await backups(store, id, count: 3)
        await store.setBackupRetention(try BackupRetention(keep: 1))
        let entered = Gate(), release = Gate()
        let restore = Task {
            try await store.withExclusiveFiles(id) {
                entered.open()
                await release.wait()
            }
        }
        await entered.wait()
        let pruning = await store.pruneBackups(id, after: made[2])
        #expect(pruning.removed.isEmpty)
        #expect(pruning.failures.count == 1 && pruning.failures[0].reason.contains("restore or archive"))
        #expect(made.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        release.open()
        try await restore.value
        #expect(await store.pruneBackups(id, after: made[2]).removed == [made[0].path, made[1].path])
        withExtendedLifetime(dir) {}
    }

    @Test func aRestoreStartedWhileOldBackupsAreRemovedWaitsForTheRemovalToEnd() async throws {
        let (dir, store) = try await storeWith("waits")
        let id = try TenantID("waits")
        let made = try await backups(store, id, count: 3)
        await store.setBackupRetention(try BackupRetention(keep: 1))
        // Hold the file lane, so that the removal is under way (claimed) but not done.
        let laneHeld = DispatchSemaphore(value: 0), freeLane = DispatchSemaphore(value: 0)
        let blocker = Task { try await TenantStore.fileWork.run { laneHeld.signal(); freeLane.wait() } }
        await withCheckedContinuation { continuation in DispatchQueue.global().async { laneHeld.wait(); continuation.resume() } }
        let pruning = Task { await store.pruneBackups(id, after: made[2]) }
        while await store.backupFileWork(for: id) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let ran = Mutex(false)
        let restore = Task {
            try await store.withExclusiveFiles(id) {
                // By now the removal has ended: what a restore reads is no longer being deleted.
                ran.withLock { $0 = true }
                return (await store.backupFileWork(for: id), FileManager.default.fileExists(atPath: made[0].path))
            }
        }
        try await Task.sleep(for: .milliseconds(150))
        #expect(!ran.withLock { $0 }, "the restore went ahead while old backups were being removed")
        freeLane.signal()
        try await blocker.value
        #expect(await pruning.value.removed == [made[0].path, made[1].path])
        let (workInRestore, oldestStillThere) = try await restore.value
        #expect(workInRestore == 0 && !oldestStillThere)
        withExtendedLifetime(dir) {}
    }
}
