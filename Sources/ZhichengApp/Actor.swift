/// Who is acting and from where; recorded in every audit entry.
public struct Principal: Sendable, Equatable {
    /// e.g. `admin:uid=0` for the admin socket, `account:17` for a signed-in person.
    public var name: String
    /// e.g. `admin-socket`, or the client address for HTTP.
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// A sysadmin on the admin socket, identified by its peer credentials.
    public static func admin(uid: UInt32, pid: Int32) -> Self {
        Principal(name: "admin:uid=\(uid)", source: "admin-socket pid=\(pid)")
    }

    /// The daemon itself (e.g. `--demo`).
    public static let system = Principal(name: "system", source: "zhichengd")
}
