import Glibc

/// The credentials of an admin-socket peer as the kernel reports them (SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// The peer's primary group and every supplementary group its user belongs to
    /// (SO_PEERCRED carries only the primary one).
    public var groups: Set<UInt32> {
        var result: Set<UInt32> = [gid]
        var pwd = passwd()
        var buffer = [CChar](repeating: 0, count: 16384)
        var found: UnsafeMutablePointer<passwd>?
        guard getpwuid_r(uid, &pwd, &buffer, buffer.count, &found) == 0, let entry = found, let name = entry.pointee.pw_name else {
            return result
        }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &list, &count) == -1 {
            list = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, gid, &list, &count) != -1 else { return result }
        }
        result.formUnion(list.prefix(Int(count)))
        return result
    }
}

/// Who may use the admin socket: the daemon's own uid always, plus listed uids and gids.
public struct AdminAccessPolicy: Sendable, Equatable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>
    public var ownUID: UInt32

    public init(allowedUIDs: Set<UInt32>, allowedGIDs: Set<UInt32>, ownUID: UInt32 = getuid()) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
        self.ownUID = ownUID
    }

    public func allows(_ peer: PeerCredentials) -> Bool {
        if peer.uid == ownUID || allowedUIDs.contains(peer.uid) { return true }
        if allowedGIDs.isEmpty { return false }
        return !allowedGIDs.isDisjoint(with: peer.groups)
    }
}
