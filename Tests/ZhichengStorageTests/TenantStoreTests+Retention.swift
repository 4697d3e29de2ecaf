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
        #expect(first == BackupPruning(removed: [], datedAfterNow: [ahead]))
        made.append(try await store.backup(id))
        let second = await store.pruneBackups(id, after: made[1])
        #expect(second == BackupPruning(removed: [made[0].path], datedAfterNow: [ahead]))
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
