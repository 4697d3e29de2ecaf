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
