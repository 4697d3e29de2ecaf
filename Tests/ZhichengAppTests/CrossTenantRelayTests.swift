import Foundation
import Logging
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The relay on real tenant databases: a target that cannot be reached holds back only
/// its own messages, in order, and they go as soon as it can be reached.
final class RelayFixture: ServiceFixture, @unchecked Sendable {
    let schedule: RelaySchedule
    lazy var relay = CrossTenantRelay(store: store, logger: Self.quiet, schedule: schedule)
    /// Warnings only: a delivered message is an info line, and one test delivers 500.
    static let quiet: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()
    /// Tenant life cycle wired to the relay, as in the daemon.
    lazy var lifecycle = TenantService(store: store, relay: relay, logger: Logger(label: "test"))

    init(schedule: RelaySchedule = RelaySchedule()) throws {
        self.schedule = schedule
        try super.init(prefix: "relay")
        _ = lifecycle   // made here, before any task can race to make it
    }

    /// A fixture with these tenants created, in order (`province` is the province tenant).
    static func with(_ ids: String..., schedule: RelaySchedule = RelaySchedule()) async throws -> RelayFixture {
        let f = try RelayFixture(schedule: schedule)
        for id in ids { try await f.create(id) }
        return f
    }

    func create(_ id: String) async throws {
        let code = ["province": "41", "zhengzhou": "4101", "kaifeng": "4102"][id]!
        _ = try await lifecycle.create(id: id, name: id, divisionCode: code, kind: id == "province" ? "province" : nil, by: .system)
    }

    /// Puts interview notices in `source`'s outbox, addressed as given, oldest first,
    /// written at `at` (seconds since 1970; 0 is before any tenant was created).
    func send(from source: String, to targets: [String], at: Double = 0) async throws {
        try await store.withTenant(TenantID(source)) { db in
            try await db.write { conn in
                for target in targets {
                    let n = (try conn.scalar("SELECT count(*) FROM outbox")?.int ?? 0) + 1
                    try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, 'application.interview', ?, ?)",
                                 ["\(source):test:\(n)", target, #"{"source_application_id":\#(n),"committee":"c","interview":"i"}"#, at])
                }
            }
        }
    }

    func rows(_ tenant: String, _ sql: String) async throws -> [String] {
        try await store.withTenant(TenantID(tenant)) { db in
            try await db.read { conn in try conn.query(sql).map { $0["v"].string ?? "-" } }
        }
    }

    func count(_ tenant: String, _ sql: String) async throws -> Int? {
        try await store.withTenant(TenantID(tenant)) { db in try await db.read { conn in try conn.scalar(sql)?.int } }
    }
}

@Suite("Cross-tenant relay: one failing target does not hold up the others")
struct CrossTenantRelayTests {
    @Test func aTargetThatCannotBeReachedHoldsBackOnlyItsOwnMessagesInOrder() async throws {
        // A pause longer than a loaded machine takes between two passes (the default second
        // ran out under load, and the second pass tried again): this is about order, not time.
        let f = try await RelayFixture.with("province", "zhengzhou", schedule: RelaySchedule(firstPause: .seconds(120), maxPause: .seconds(240)))
        // No tenant has ever had the id kaifeng: its notices wait until one does.
        try await f.send(from: "province", to: ["kaifeng", "zhengzhou", "kaifeng", "zhengzhou"])

        let first = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(first.delivered == 2 && first.waiting == 2 && first.retryAt != nil)
        #expect(try await f.rows("zhengzhou", "SELECT message_id AS v FROM inbox ORDER BY rowid") == ["province:test:2", "province:test:4"])
        #expect(try await f.rows("province", "SELECT target AS v FROM outbox WHERE delivered_at IS NULL ORDER BY id") == ["kaifeng", "kaifeng"])
        let pauses = f.relay.pauses()
        #expect(pauses.map(\.key) == [.target("kaifeng")] && pauses[0].pause.failures == 1)
        #expect(pauses[0].pause.error.contains("kaifeng"))

        // While the pause lasts the relay does not try again: the count stays at one.
        let second = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(second.delivered == 0 && second.waiting == 2)
        #expect(f.relay.pauses()[0].pause.failures == 1)
        #expect(second.retryAt == f.relay.pauses()[0].pause.until, "the source is due again when the pause ends")

        // kaifeng appears: the pause ends and its notices go, in their order.
        try await f.create("kaifeng")
        let third = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(third.delivered == 2 && third.waiting == 0 && third.retryAt == nil)
        #expect(try await f.rows("kaifeng", "SELECT message_id AS v FROM inbox ORDER BY rowid") == ["province:test:1", "province:test:3"])
        #expect(f.relay.pauses().isEmpty)
    }

    @Test func anOutboxLongerThanOnePageIsDeliveredInOnePassPastAPausedTarget() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        // 250 for the missing tenant first, then 260 that can go: more than one page of each.
        try await f.send(from: "province", to: Array(repeating: "kaifeng", count: 250) + Array(repeating: "zhengzhou", count: 260))
        let pass = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(pass.delivered == 260 && pass.waiting == 250)
        #expect(try await f.count("zhengzhou", "SELECT count(*) FROM inbox") == 260)
        #expect(try await f.count("province", "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND target = 'kaifeng'") == 250)
    }

    @Test func theRunningRelayRetriesAfterThePauseAndGoesAtOnceWhenTheProvinceAppears() async throws {
        let f = try await RelayFixture.with("zhengzhou", schedule: RelaySchedule(firstPause: .milliseconds(20), maxPause: .milliseconds(200)))
        try await f.send(from: "zhengzhou", to: [CrossTenantRelay.provinceTarget])
        let running = Task { await f.relay.run() }
        defer { f.relay.stop(); running.cancel() }
        // No province yet: the start-up scan finds the message, delivery fails and is retried.
        try await waitUntil("two failed attempts") { (f.relay.pauses().first?.pause.failures ?? 0) >= 2 }
        #expect(f.relay.pauses().map(\.key) == [.target(CrossTenantRelay.provinceTarget)])
        try await f.create("province")
        try await waitUntil("the message to reach the province") {
            (try? await f.rows("province", "SELECT message_id AS v FROM inbox")) == ["zhengzhou:test:1"]
        }
        try await waitUntil("the pause to end") { f.relay.pauses().isEmpty }
        #expect(try await f.count("zhengzhou", "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") == 0)
        f.relay.stop()
        await running.value
    }
}

@Suite("Cross-tenant relay: messages to an archived city are set aside, never retried or misdelivered")
struct RelaySetAsideTests {
    @Test func messagesToAnArchivedCityAreSetAsideWithTheReasonAndPauseNothing() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou", "kaifeng")
        _ = try await f.lifecycle.archive("kaifeng", confirm: "kaifeng", by: .system)
        try await f.send(from: "province", to: ["kaifeng", "zhengzhou", "kaifeng"])
        try await f.send(from: "province", to: ["kaifeng"], at: Date().timeIntervalSince1970 + 60)   // after the archive, too

        let pass = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(pass.delivered == 1 && pass.setAside == 3 && pass.waiting == 0 && pass.retryAt == nil)
        #expect(f.relay.pauses().isEmpty, "nothing to retry")
        #expect(try await f.rows("province", "SELECT target || ' ' || (set_aside_at IS NOT NULL) || ' ' || (delivered_at IS NOT NULL) AS v FROM outbox ORDER BY id")
                == ["kaifeng 1 0", "zhengzhou 0 1", "kaifeng 1 0", "kaifeng 1 0"], "kept, marked, not delivered")
        let reasons = try await f.rows("province", "SELECT DISTINCT set_aside_reason AS v FROM outbox WHERE set_aside_at IS NOT NULL")
        #expect(reasons.count == 1 && reasons[0].contains("kaifeng was archived"))
        #expect(try await f.rows("province", "SELECT target AS v FROM audit WHERE action = 'relay.set-aside' ORDER BY seq")
                == ["message:province:test:1", "message:province:test:3", "message:province:test:4"])
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action = 'relay.set-aside' AND detail LIKE '%\"to\":\"kaifeng\"%'") == 3)

        let again = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(again.delivered == 0 && again.setAside == 0 && again.waiting == 0, "set aside once, not read again")
    }

    @Test func aCityCreatedAgainUnderTheIdGetsOnlyWhatWasWrittenToIt() async throws {
        let f = try await RelayFixture.with("province", "kaifeng")
        try await f.send(from: "province", to: ["kaifeng", "kaifeng"])   // to the first kaifeng
        _ = try await f.lifecycle.archive("kaifeng", confirm: "kaifeng", by: .system)
        try await f.create("kaifeng")
        try await f.send(from: "province", to: ["kaifeng"], at: Date().timeIntervalSince1970 + 60)   // to the new one

        let pass = try await f.relay.deliverAll(from: TenantID("province"))
        #expect(pass.delivered == 1 && pass.setAside == 2)
        #expect(try await f.rows("kaifeng", "SELECT message_id AS v FROM inbox") == ["province:test:3"])
        #expect(try await f.rows("province", "SELECT message_id AS v FROM outbox WHERE set_aside_at IS NOT NULL ORDER BY id")
                == ["province:test:1", "province:test:2"])
    }

    @Test func archivingACityReportsTheHandOversThatHadNotLeftIt() async throws {
        let f = try await RelayFixture.with("zhengzhou")
        try await f.send(from: "zhengzhou", to: [CrossTenantRelay.provinceTarget, CrossTenantRelay.provinceTarget])   // no province yet
        let archived = try await f.lifecycle.archive("zhengzhou", confirm: "zhengzhou", by: .system)
        #expect(archived.undeliveredMessages == 2)
        #expect(FileManager.default.fileExists(atPath: archived.path + "/tenant.sqlite"), "kept in the archived database")
    }

    @Test func archivingACityMakesTheRunningRelaySetItsMessagesAsideAtOnce() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou", "kaifeng", schedule: RelaySchedule(firstPause: .seconds(60), maxPause: .seconds(60)))
        try await f.send(from: "province", to: ["zhengzhou"])
        let running = Task { await f.relay.run() }
        defer { f.relay.stop(); running.cancel() }
        try await waitUntil("the start-up scan to deliver the first message") {
            (try? await f.count("zhengzhou", "SELECT count(*) FROM inbox")) == 1
        }
        try await f.send(from: "province", to: ["kaifeng"])
        // Not delivered: nobody kicked the province. The archive does.
        _ = try await f.lifecycle.archive("kaifeng", confirm: "kaifeng", by: .system)
        try await waitUntil("the message to be set aside") {
            (try? await f.count("province", "SELECT count(*) FROM outbox WHERE set_aside_at IS NOT NULL")) == 1
        }
        #expect(f.relay.pauses().isEmpty)
        f.relay.stop()
        await running.value
    }
}

/// Polls `condition` every 10 ms for at most `seconds`; fails the test naming `what` if it never holds.
func waitUntil(_ what: String, seconds: Double = 20, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out after \(seconds) s waiting for \(what)")
    throw CancellationError()
}
