/// A socket path the daemon will not take (see `SocketPathCheck`).
public struct SocketPathInUse: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var purpose: String
    public var reason: String

    public var description: String { "\(purpose) \(path) is not free: \(reason)" }
}
