import Testing
import ZhichengCore

@Suite("Backup file names and retention")
struct BackupRetentionTests {
    let zhengzhou = try! TenantID("zhengzhou")

    @Test(arguments: [
        ("zhengzhou-20261129T071502.123Z.sqlite", "20261129T071502.123Z", 1),
        ("zhengzhou-20261129T071502.123Z-2.sqlite", "20261129T071502.123Z", 2),
        ("zhengzhou-20261231T235959.999Z-17.sqlite", "20261231T235959.999Z", 17),
    ])
    func readsTheNamesTenantBackupWrites(_ name: String, _ stamp: String, _ sequence: Int) throws {
        let parsed = try #require(BackupFileName(name, of: zhengzhou))
        #expect(parsed.stamp == stamp && parsed.sequence == sequence && parsed.name == name && parsed.tenant == zhengzhou)
    }

    @Test func theStemIsWhatTheNameStartsWith() throws {
        let name = BackupFileName.stem(of: zhengzhou, at: "20261129T071502.123Z") + BackupFileName.suffix
        #expect(name == "zhengzhou-20261129T071502.123Z.sqlite")
        #expect(BackupFileName(name, of: zhengzhou) != nil)
    }

    @Test(arguments: [
        "zhengzhou-pre-restore-20261129T071502.123Z.sqlite",    // a restore's copy of the replaced file
        "zhengzhou-20261129T071502.123Z.sqlite.partial",        // a backup under way
        "zhengzhou-20261129T071502.123Z.sqlite-journal",
        "kaifeng-20261129T071502.123Z.sqlite",                  // another tenant's
        "zhengzhou-x-20261129T071502.123Z.sqlite",              // a tenant whose id starts with ours
        "zhengzhou-20261129T071502.123Z-1.sqlite",              // unusedPath starts at -2
        "zhengzhou-20261129T071502.123Z-02.sqlite",
        "zhengzhou-20261129T071502.123Z-.sqlite",
        "zhengzhou-20261129T071502.123Z-2-3.sqlite",
        "zhengzhou-20261129T071502.123Z-1234567890.sqlite",
        "zhengzhou-20261129T071502.123.sqlite",
        "zhengzhou-20261129T071502Z.sqlite",
        "zhengzhou-20261329T071502.123Z.sqlite",                // month 13
        "zhengzhou-20261100T071502.123Z.sqlite",                // day 0
        "zhengzhou-20261129T241502.123Z.sqlite",                // hour 24
        "zhengzhou-20261129T071560.123Z.sqlite",                // second 60
        "zhengzhou-2026112９T071502.123Z.sqlite",                // a full-width digit
        "zhengzhou-20261129t071502.123z.sqlite",
        "zhengzhou-20261129T071502.123Z.SQLITE",
        "zhengzhou-20261129T071502.123Z.sqlite\u{301}",         // a combining mark after it
        "zhengzhou-20261129T071502.123Z.db",
        "zhengzhou.sqlite",
        "zhengzhou-.sqlite",
        "zhengzhou-",
        "my-notes.txt",
        "",
    ])
    func anythingElseIsNotARegularBackup(_ name: String) {
        #expect(BackupFileName(name, of: zhengzhou) == nil)
    }

    @Test func newerSortsAfterOlderAndASecondOfTheSameMillisecondAfterTheFirst() throws {
        let names = ["zhengzhou-20261129T071502.123Z-2.sqlite", "zhengzhou-20261129T071502.123Z-10.sqlite",
                     "zhengzhou-20251231T235959.999Z.sqlite", "zhengzhou-20261129T071502.123Z.sqlite"]
        #expect(names.compactMap { BackupFileName($0, of: zhengzhou) }.sorted().map(\.name) == [
            "zhengzhou-20251231T235959.999Z.sqlite", "zhengzhou-20261129T071502.123Z.sqlite",
            "zhengzhou-20261129T071502.123Z-2.sqlite", "zhengzhou-20261129T071502.123Z-10.sqlite",
        ])
    }

    let dir = [
        "zhengzhou-20261101T020000.000Z.sqlite",
        "zhengzhou-20261102T020000.000Z.sqlite",
        "zhengzhou-pre-restore-20261102T120000.000Z.sqlite",
        "zhengzhou-20261103T020000.000Z.sqlite",
        "zhengzhou-20261103T020000.000Z-2.sqlite",
        "zhengzhou-20261104T020000.000Z.sqlite.partial",
        "README.txt",
        "kaifeng-20261001T020000.000Z.sqlite",
    ]

    @Test func keepsTheNewestAndRemovesTheRestOldestFirstTouchingNothingElse() throws {
        #expect(try BackupRetention(keep: 2).prunable(dir, of: zhengzhou) == [
            "zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite",
        ])
        #expect(try BackupRetention(keep: 1).prunable(dir, of: zhengzhou) == [
            "zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite",
        ])
        #expect(try BackupRetention(keep: 4).prunable(dir, of: zhengzhou) == [])
        #expect(try BackupRetention(keep: 100).prunable(dir, of: zhengzhou) == [])
    }

    @Test func zeroKeepsEveryBackup() throws {
        #expect(try BackupRetention(keep: 0).prunable(dir, of: zhengzhou) == [])
        #expect(BackupRetention.keepAll.prunable(dir, of: zhengzhou) == [])
        #expect(BackupRetention.keepAll.keep == 0)
    }

    @Test func aProtectedFileStaysWhateverItsAge() throws {
        // The registry's last backup older than the newest (a backup recorded before another
        // finished): kept, and the newest two still kept too.
        let protected: Set<String> = ["zhengzhou-20261101T020000.000Z.sqlite"]
        #expect(try BackupRetention(keep: 2).prunable(dir, of: zhengzhou, protected: protected) == ["zhengzhou-20261102T020000.000Z.sqlite"])
        // Protecting a file retention keeps anyway changes nothing.
        #expect(try BackupRetention(keep: 2).prunable(dir, of: zhengzhou, protected: ["zhengzhou-20261103T020000.000Z-2.sqlite"])
                == ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite"])
    }

    @Test func anotherTenantsDirectoryIsReadForThatTenant() throws {
        #expect(try BackupRetention(keep: 1).prunable(dir, of: TenantID("kaifeng")) == [])
        #expect(try BackupRetention(keep: 1).prunable(dir + ["kaifeng-20261002T020000.000Z.sqlite"], of: TenantID("kaifeng"))
                == ["kaifeng-20261001T020000.000Z.sqlite"])
    }

    @Test(arguments: [-1, 10_001, Int.min, Int.max])
    func refusesACountOutOfRange(_ keep: Int) {
        #expect(throws: ZhichengError.self) { try BackupRetention(keep: keep) }
    }

    @Test func acceptsTheWholeRange() throws {
        #expect(try BackupRetention(keep: 0).keep == 0)
        #expect(try BackupRetention(keep: 10_000).keep == 10_000)
    }
}
