import Crypto
import Foundation
import ZhichengCore

/// One audit record: who did what to which target, from where.
public struct AuditEntry: Sendable {
    public var at: Double
    /// The acting principal, e.g. `admin:uid=0` or `account:17`.
    public var actor: String
    public var orgID: Int?
    /// A dotted verb, e.g. `tenant.suspend`.
    public var action: String
    public var target: String
    /// A JSON object with the details.
    public var detail: String
    /// Where the request came from, e.g. `admin-socket` or an IP address.
    public var source: String

    /// An entry to append: its action is one of `AuditAction` (each named on the log screen).
    public init(at: Double = Date().timeIntervalSince1970, actor: String, orgID: Int? = nil, action: AuditAction, target: String, detail: String = "{}", source: String) {
        self.init(at: at, actor: actor, orgID: orgID, code: action.rawValue, target: target, detail: detail, source: source)
    }

    /// An entry as it was recorded, its action code as it is (one written by another version
    /// may be none this one knows).
    init(at: Double = Date().timeIntervalSince1970, actor: String, orgID: Int? = nil, code: String, target: String, detail: String = "{}", source: String) {
        self.at = at
        self.actor = actor
        self.orgID = orgID
        self.action = code
        self.target = target
        self.detail = detail
        self.source = source
    }

    /// Reads an entry from an `audit` row.
    public init(row: SQLiteRow) {
        self.init(at: row["at"].double ?? .nan, actor: row["actor"].string ?? "", orgID: row["org_id"].int,
                  code: row["action"].string ?? "", target: row["target"].string ?? "",
                  detail: row["detail"].string ?? "", source: row["source"].string ?? "")
    }

    /// The chain hash of this entry at `seq` after `previous`.
    func hash(seq: Int64, previous: String) -> String {
        // Fields are length-prefixed so no two different entries serialize alike.
        var text = previous
        for field in [String(seq), String(at.bitPattern), actor, orgID.map(String.init) ?? "-", action, target, detail, source] {
            text += "|\(field.utf8.count):\(field)"
        }
        return sha256Hex(Data(text.utf8))
    }
}

extension SQLiteConnection {
    /// The hash the first audit row chains from.
    static let auditGenesis = String(repeating: "0", count: 64)

    /// Appends an entry about the tenant as a whole rather than one of its orgs (a command
    /// of the admin socket: suspend, backup, restore, archive, configure …; a message of
    /// another tenant): filed under the tenant's root office, whose 操作日志 shows it, unless
    /// the entry names an org of its own. One rule for every such entry.
    public func appendTenantAudit(_ entry: AuditEntry) throws {
        var entry = entry
        if entry.orgID == nil { entry.orgID = try rootOrg()?.id }
        try appendAudit(entry)
    }

    /// Appends `entry` to the hash-chained audit log; call inside the write
    /// transaction whose change it records.
    public func appendAudit(_ entry: AuditEntry) throws {
        let last = try query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").first
        let seq = (last?["seq"].int).map { Int64($0) + 1 } ?? 1
        let previous = last?["hash"].string ?? Self.auditGenesis
        try run(
            "INSERT INTO audit (seq, at, actor, org_id, action, target, detail, source, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [seq, entry.at, entry.actor, entry.orgID, entry.action, entry.target, entry.detail, entry.source,
             previous, entry.hash(seq: seq, previous: previous)])
    }

    /// Walks the audit chain; returns nil when intact, else what is wrong first.
    public func verifyAuditChain() throws -> String? {
        var previous = Self.auditGenesis
        var expectedSeq: Int64 = 1
        var problem: String?
        // Row by row: a city's log grows to millions of entries, which must not all be in memory.
        struct Found: Error {}
        do {
            try forEachRow("SELECT seq, at, actor, org_id, action, target, detail, source, prev_hash, hash FROM audit ORDER BY seq") { row in
                let seq = row.isNull(0) ? -1 : Int64(row.int(0))
                guard seq == expectedSeq else { problem = "audit entry \(expectedSeq) is missing (next is \(seq))"; throw Found() }
                guard !row.isNull(8), row.string(8) == previous else { problem = "audit entry \(seq) does not follow entry \(seq - 1)"; throw Found() }
                let entry = AuditEntry(at: row.isNull(1) ? .nan : row.double(1), actor: row.string(2), orgID: row.isNull(3) ? nil : row.int(3),
                                       code: row.string(4), target: row.string(5), detail: row.string(6), source: row.string(7))
                let hash = entry.hash(seq: seq, previous: previous)
                guard !row.isNull(9), row.string(9) == hash else { problem = "audit entry \(seq) was altered"; throw Found() }
                previous = hash
                expectedSeq += 1
            }
        } catch is Found {}
        return problem
    }
}
