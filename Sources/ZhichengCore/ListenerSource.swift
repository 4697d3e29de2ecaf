/// Where a listener comes from: a socket systemd passed in, or one we bind.
public enum ListenerSource: Sendable, Equatable, CustomStringConvertible {
    /// An already bound, listening socket (socket activation).
    case inherited(fd: Int32, name: String)
    case unixPath(String)
    case tcp(host: String, port: Int)

    public var description: String {
        switch self {
        case let .inherited(fd, name): "fd \(fd) (\(name), from systemd)"
        case let .unixPath(path): path
        case let .tcp(host, port): "\(host):\(port)"
        }
    }
}

/// What a socket systemd passes in is for: the admin protocol or HTTP. One socket unit,
/// `zhichengd.socket`, holds both (SPEC §9), and a unit gives all its sockets the same
/// `FileDescriptorName=`: a socket is known by its name when that is `admin` or `http` (two
/// units, or `systemd-socket-activate --fdname=admin:http`; `http` may be a Unix socket a local
/// proxy connects to), else by its address family, a Unix socket being the admin socket and a
/// TCP one the HTTP port.
public enum PassedSocket: Sendable, Equatable {
    case admin
    case http

    /// The address family of a passed socket, as `getsockname` tells it.
    public enum Family: Sendable, Equatable {
        case unix, inet, other
    }

    /// Its use, or nil for a socket the daemon does not take: neither a Unix nor a TCP socket,
    /// or `admin` on a TCP port (the admin protocol only ever on a Unix socket, whose peer's
    /// credentials it checks).
    public init?(name: String, family: Family) {
        switch (name, family) {
        case ("admin", .unix): self = .admin
        case ("http", .inet), ("http", .unix): self = .http
        case ("admin", _), ("http", _), (_, .other): return nil
        case (_, .unix): self = .admin
        case (_, .inet): self = .http
        }
    }

    /// The socket for each use among `passed` (in systemd's order), and those not taken, with why:
    /// the first of each use is taken; another of the same use, or one of no use, is not.
    public static func assign(_ passed: [(name: String, fd: Int32, family: Family)]) -> (admin: Int32?, http: Int32?, ignored: [(name: String, fd: Int32, why: String)]) {
        var admin: Int32?, http: Int32?
        var ignored: [(name: String, fd: Int32, why: String)] = []
        for socket in passed {
            switch PassedSocket(name: socket.name, family: socket.family) {
            case .admin? where admin == nil: admin = socket.fd
            case .http? where http == nil: http = socket.fd
            case .some: ignored.append((socket.name, socket.fd, "a second socket for the same use"))
            case nil: ignored.append((socket.name, socket.fd, socket.family == .other ? "neither a Unix socket nor a TCP socket"
                                                                                        : "named admin but not a Unix socket"))
            }
        }
        return (admin, http, ignored)
    }
}
