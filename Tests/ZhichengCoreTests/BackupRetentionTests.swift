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

    @Test(arguments: [
        ("zhengzhou-19700101T000000.000Z.sqlite", Int64(0)),
        ("zhengzhou-19691231T235959.999Z.sqlite", Int64(-1)),
        ("zhengzhou-20001231T235959.999Z.sqlite", Int64(978_307_199_999)),
        ("zhengzhou-20000229T235959.999Z.sqlite", Int64(951_868_799_999)),
        ("zhengzhou-21000301T000000.000Z-3.sqlite", Int64(4_107_542_400_000)),
        ("zhengzhou-20261129T071502.123Z.sqlite", Int64(1_795_936_502_123)),
    ])
    func theNameWritesItsTimeToTheMillisecond(_ name: String, _ milliseconds: Int64) throws {
        #expect(try #require(BackupFileName(name, of: zhengzhou)).millisecondsSince1970 == milliseconds)
    }

    @Test func aTimeIsRoundedToTheMillisecondAsANameWouldWriteIt() {
        #expect(BackupFileName.milliseconds(1_795_936_502.1234) == 1_795_936_502_123)
        #expect(BackupFileName.milliseconds(1_795_936_502.1236) == 1_795_936_502_124)
        #expect(BackupFileName.milliseconds(1_795_936_502.9999) == 1_795_936_503_000)
        #expect(BackupFileName.milliseconds(0) == 0)
        #expect(BackupFileName.milliseconds(.infinity) == .max && BackupFileName.milliseconds(-.infinity) == .min)
        #expect(BackupFileName.milliseconds(.nan) == 0)
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
    /// 2026-12-01T00:00:00Z, after every backup in `dir`.
    let december: Double = 1_796_083_200
    /// Created long before any backup in `dir`.
    let longAgo: Double = 0

    func prunable(_ keep: Int, _ names: [String], of tenant: TenantID? = nil, createdAt: Double? = nil, lastArchived: Double? = nil,
                  presentAtCreation: Set<String> = [], now: Double? = nil, protected: Set<String> = []) throws -> BackupRetention.Plan {
        try BackupRetention(keep: keep).prunable(names, of: tenant ?? zhengzhou, createdAt: createdAt ?? longAgo, lastArchived: lastArchived,
                                                 presentAtCreation: presentAtCreation, now: now ?? december, protected: protected)
    }

    @Test func keepsTheNewestAndRemovesTheRestOldestFirstTouchingNothingElse() throws {
        #expect(try prunable(2, dir) == .init(remove: [
            "zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite",
        ]))
        #expect(try prunable(1, dir).remove == [
            "zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite",
        ])
        #expect(try prunable(4, dir) == .init())
        #expect(try prunable(100, dir) == .init())
    }

    @Test func zeroKeepsEveryBackup() throws {
        #expect(try prunable(0, dir).remove == [])
        #expect(BackupRetention.keepAll.prunable(dir, of: zhengzhou, createdAt: longAgo, now: december).remove == [])
        #expect(BackupRetention.keepAll.keep == 0)
    }

    @Test func aProtectedFileStaysWhateverItsAge() throws {
        // The registry's last backup older than the newest (a backup recorded before another
        // finished): kept, and the newest two still kept too.
        let protected: Set<String> = ["zhengzhou-20261101T020000.000Z.sqlite"]
        #expect(try prunable(2, dir, protected: protected).remove == ["zhengzhou-20261102T020000.000Z.sqlite"])
        // Protecting a file retention keeps anyway changes nothing.
        #expect(try prunable(2, dir, protected: ["zhengzhou-20261103T020000.000Z-2.sqlite"]).remove
                == ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite"])
    }

    @Test func anotherTenantsDirectoryIsReadForThatTenant() throws {
        let kaifeng = try TenantID("kaifeng")
        #expect(try prunable(1, dir, of: kaifeng) == .init())
        #expect(try prunable(1, dir + ["kaifeng-20261002T020000.000Z.sqlite"], of: kaifeng).remove == ["kaifeng-20261001T020000.000Z.sqlite"])
    }

    @Test func anEarlierTenantsBackupsUnderTheSameIDAreNeitherCountedNorRemoved() throws {
        // zhengzhou archived after its backups of 1 and 2 November, created again on
        // 2 November at 12:00, backed up on the 3rd (twice).
        let recreated: Double = 1_793_620_800
        let plan = try prunable(1, dir, createdAt: recreated)
        #expect(plan.remove == ["zhengzhou-20261103T020000.000Z.sqlite"])
        #expect(plan.ofAnEarlierTenant == ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite"])
        #expect(plan.datedAfterNow.isEmpty)
        // Its first backup, keep = 1: nothing of the earlier tenant goes to make room.
        let first = ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite"]
        #expect(try prunable(1, first, createdAt: recreated).remove == [])
        // Without the creation time the same directory would lose them: what the rule is for.
        #expect(try prunable(1, first).remove == ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite"])
    }

    @Test func theCreationIsComparedAtTheNamesPrecision() throws {
        // Created at …02:00:00.0004 (a name would write .000): a backup named …02:00:00.000 is
        // the tenant's, one a millisecond before is not.
        let created: Double = 1_793_671_200.0004
        let names = ["zhengzhou-20261103T015959.999Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite", "zhengzhou-20261103T020000.001Z.sqlite"]
        let plan = try prunable(1, names, createdAt: created)
        #expect(plan.ofAnEarlierTenant == ["zhengzhou-20261103T015959.999Z.sqlite"])
        #expect(plan.remove == ["zhengzhou-20261103T020000.000Z.sqlite"])
        // Created at …02:00:00.0006 (written .001): …02:00:00.000 was before it.
        #expect(try prunable(1, names, createdAt: 1_793_671_200.0006).ofAnEarlierTenant
                == ["zhengzhou-20261103T015959.999Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite"])
    }

    @Test func backupsDatedAfterNowAreNeitherCountedNorRemoved() throws {
        // The clock ran a year ahead for a while: two backups dated November 2027. Counted,
        // they would be the newest and the real backups would go, one a day.
        let ahead = ["zhengzhou-20271101T020000.000Z.sqlite", "zhengzhou-20271102T020000.000Z.sqlite"]
        let plan = try prunable(2, dir + ahead)
        #expect(plan.datedAfterNow == ahead)
        #expect(plan.remove == ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite"])
        #expect(plan.ofAnEarlierTenant.isEmpty)
        // However many there are, and whatever keep says, none is removed.
        #expect(try prunable(1, ahead).remove == [] && prunable(1, ahead).datedAfterNow == ahead)
        // Once now has caught up with them they are backups like any other.
        let december2027: Double = 1_827_619_200  // 2027-12-01T00:00:00Z
        #expect(try prunable(1, ahead, now: december2027) == .init(remove: ["zhengzhou-20271101T020000.000Z.sqlite"]))
    }

    @Test func aNameALittleAfterNowStillCounts() throws {
        // Within `futureSlack` (another backup finishing meanwhile, a clock stepped back a
        // little): counted as the newest.
        let now: Double = 1_793_671_200  // 2026-11-03T02:00:00Z
        let names = ["zhengzhou-20261103T015900.000Z.sqlite", "zhengzhou-20261103T020059.000Z.sqlite", "zhengzhou-20261103T020101.000Z.sqlite"]
        let plan = try prunable(1, names, now: now)
        #expect(BackupRetention.futureSlack == 60)
        #expect(plan.remove == ["zhengzhou-20261103T015900.000Z.sqlite"])
        #expect(plan.datedAfterNow == ["zhengzhou-20261103T020101.000Z.sqlite"])
    }

    @Test func bothAtOnceAnEarlierTenantAndAClockAhead() throws {
        let recreated: Double = 1_793_620_800  // 2026-11-02T12:00:00Z
        let names = dir + ["zhengzhou-20271101T020000.000Z.sqlite"]
        let plan = try prunable(1, names, createdAt: recreated, lastArchived: recreated - 60, protected: ["zhengzhou-20261103T020000.000Z-2.sqlite"])
        #expect(plan == .init(remove: ["zhengzhou-20261103T020000.000Z.sqlite"],
                              datedAfterNow: ["zhengzhou-20271101T020000.000Z.sqlite"],
                              ofAnEarlierTenant: ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite"],
                              archivedBefore: true))
    }

    @Test func theCutoffIsTheLaterOfTheCreationAndTheIDsLatestArchive() throws {
        // The creation time was read (02:00:00 on the 2nd) before the archive it follows was
        // recorded (02:00:30): the backup of 02:00:10 is the archived tenant's.
        let created: Double = 1_793_584_800        // 2026-11-02T02:00:00Z
        let archived: Double = created + 30        // 2026-11-02T02:00:30Z
        let names = ["zhengzhou-20261102T020010.000Z.sqlite", "zhengzhou-20261102T020030.000Z.sqlite",
                     "zhengzhou-20261103T020000.000Z.sqlite", "zhengzhou-20261104T020000.000Z.sqlite"]
        let plan = try prunable(1, names, createdAt: created, lastArchived: archived)
        #expect(plan == .init(remove: ["zhengzhou-20261102T020030.000Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite"],
                              ofAnEarlierTenant: ["zhengzhou-20261102T020010.000Z.sqlite"], archivedBefore: true))
        // An archive before the creation (the usual order) changes nothing.
        #expect(try prunable(1, names, createdAt: archived, lastArchived: created).remove == plan.remove)
        // At the names' precision, as the creation: archived at …02:00:30.0006, written .001.
        #expect(try prunable(1, ["zhengzhou-20261102T020030.000Z.sqlite", "zhengzhou-20261102T020030.001Z.sqlite"],
                             createdAt: created, lastArchived: archived + 0.0006).ofAnEarlierTenant == ["zhengzhou-20261102T020030.000Z.sqlite"])
    }

    @Test func anArchiveDatedByAClockAheadHidesNoneOfTheNewTenantsBackups() throws {
        // The id was archived while the clock ran a week ahead (dated the 9th); the clock was
        // put right and the tenant created again on the 2nd. Its own backups count from a
        // minute after its creation, not from the archive's date.
        let created: Double = 1_793_584_800        // 2026-11-02T02:00:00Z
        let archived: Double = created + 7 * 86_400
        let names = ["zhengzhou-20261103T020000.000Z.sqlite", "zhengzhou-20261104T020000.000Z.sqlite", "zhengzhou-20261105T020000.000Z.sqlite"]
        let plan = try prunable(1, names, createdAt: created, lastArchived: archived)
        #expect(plan.remove == ["zhengzhou-20261103T020000.000Z.sqlite", "zhengzhou-20261104T020000.000Z.sqlite"])
        #expect(plan.ofAnEarlierTenant.isEmpty && plan.cannotApply == nil)
        // A backup within that minute is still taken for the earlier tenant's.
        #expect(try prunable(1, ["zhengzhou-20261102T020050.000Z.sqlite"] + names, createdAt: created, lastArchived: archived).ofAnEarlierTenant
                == ["zhengzhou-20261102T020050.000Z.sqlite"])
    }

    @Test func anEarlierTenantsBackupsDatedAfterItsArchiveAreNeverCountedOnceRecordedAtTheCreation() throws {
        // zhengzhou's clock ran a year ahead: its last backup is dated November 2027. It was
        // archived (clock corrected) and created again in November 2026, its backup dir holding
        // that file, which the creation recorded.
        let archived: Double = 1_793_620_800       // 2026-11-02T12:00:00Z
        let ahead = "zhengzhou-20271101T020000.000Z.sqlite"
        let own = ["zhengzhou-20271201T020000.000Z.sqlite", "zhengzhou-20271202T020000.000Z.sqlite"]
        // Now: December 2026, the file still in the future.
        let before = try prunable(1, [ahead, "zhengzhou-20261103T020000.000Z.sqlite"], createdAt: archived + 1, lastArchived: archived,
                                  presentAtCreation: [ahead])
        #expect(before.ofAnEarlierTenant == [ahead] && before.datedAfterNow.isEmpty && before.remove.isEmpty)
        // A year later, the file's date passed and the tenant's own backups newer: still not counted
        // nor removed, while its own beyond keep go.
        let december2027: Double = 1_828_396_800   // 2027-12-10T00:00:00Z
        let later = try prunable(1, [ahead] + own, createdAt: archived + 1, lastArchived: archived, presentAtCreation: [ahead], now: december2027)
        #expect(later == .init(remove: [own[0]], ofAnEarlierTenant: [ahead], archivedBefore: true))
        // Without the record, the rule has only now to go by: the file counts (and goes) once passed.
        #expect(try prunable(1, [ahead] + own, createdAt: archived + 1, lastArchived: archived, now: december2027).remove == [ahead, own[0]])
        // Dated after now, it is warned about as possibly the earlier tenant's.
        let unrecorded = try prunable(1, [ahead], createdAt: archived + 1, lastArchived: archived)
        #expect(unrecorded.datedAfterNow == [ahead] && unrecorded.archivedBefore)
    }

    @Test func saysWhenBackupsDatedBeforeTheCreationMayBeTheTenantsOwn() throws {
        // Created while the clock ran a year ahead (November 2027), the clock corrected since:
        // its real backups of November 2026 are dated before created_at.
        let createdAhead: Double = 1_825_120_800   // 2027-11-02T12:00:00Z
        let real = ["zhengzhou-20261101T020000.000Z.sqlite", "zhengzhou-20261102T020000.000Z.sqlite", "zhengzhou-20261103T020000.000Z.sqlite"]
        let plan = try prunable(1, real, createdAt: createdAhead)
        #expect(plan == .init(ofAnEarlierTenant: real, cannotApply: .createdAfterNow))
        // Even with an archive of the id on record: nothing made since the creation can count.
        #expect(try prunable(1, real, createdAt: createdAhead, lastArchived: 1_700_000_000).cannotApply == .createdAfterNow)
        // Now caught up with created_at, but the id never archived: the backups before it are
        // no archived tenant's.
        let december2027: Double = 1_827_619_200
        #expect(try prunable(1, real, createdAt: createdAhead, now: december2027).cannotApply == .noEarlierArchive)
        // An archive on record and the creation not after now: an earlier tenant's, as meant.
        #expect(try prunable(1, real, createdAt: createdAhead, lastArchived: createdAhead - 60, now: december2027).cannotApply == nil)
        // Nothing dated before the creation: nothing to say.
        #expect(try prunable(1, real, createdAt: longAgo).cannotApply == nil)
        // Only the files dated before the cutoff: those recorded at the creation are known.
        let recorded = "zhengzhou-20261201T020000.000Z.sqlite"
        #expect(try prunable(1, [recorded], createdAt: 1_796_000_000, presentAtCreation: [recorded]).cannotApply == nil)
        #expect(!BackupRetention.CannotApply.noEarlierArchive.reason.isEmpty && BackupRetention.CannotApply.createdAfterNow.reason.contains("ran ahead"))
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
