import HTTPTypes
import NIOCore
import Synchronization
import ZhichengCore

#if canImport(Glibc)
import Glibc
#endif

/// The reverse proxies whose `X-Forwarded-For` the daemon believes (`http.trusted_proxies`):
/// addresses and networks. Empty (the default): the header is ignored, and the client is the
/// connection's peer.
public struct TrustedProxies: Sendable, Equatable {
    public let networks: [IPNetwork]

    public static let none = TrustedProxies(networks: [])

    public init(networks: [IPNetwork]) { self.networks = networks }

    /// The client of a request from `peer` with `headers`, and whether what a proxy says of it
    /// (`X-Forwarded-Proto`) may be believed: from anyone while no proxies are listed (as before
    /// the list existed), else only from a listed one. With no proxies listed the client is the
    /// peer.
    /// The address is written one way whichever way it came (`IPAddress.recorded(_:)`).
    public func client(of peer: SocketAddress?, headers: HTTPFields) -> (address: String, forwardingBelieved: Bool) {
        guard !networks.isEmpty else { return (IPAddress.recorded(peer), true) }
        guard let peer, let address = IPAddress(peer), contains(address) else { return (IPAddress.recorded(peer), false) }
        return (client(peer: address, forwardedFor: headers[values: .xForwardedFor]).description, true)
    }

    /// Whether `address` is one of the trusted proxies.
    public func contains(_ address: IPAddress) -> Bool { networks.contains { $0.contains(address) } }

    /// The client of a request that came from `peer` carrying `forwardedFor` (the
    /// `X-Forwarded-For` values in order): from a trusted proxy, the right-most address that
    /// is not itself a trusted proxy. Each proxy appends the address it was connected from, so
    /// everything left of that address was written by whoever the first trusted proxy met and
    /// may be made up; when the chain ends in something that is not an address, or only in
    /// proxies, the last address read is the best known. From any other peer the header is
    /// ignored: a client cannot choose its own recorded address.
    public func client(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        guard contains(peer) else { return peer }
        var client = peer
        for value in forwardedFor.reversed() {
            for entry in value.split(separator: ",").reversed() {
                guard let address = IPAddress(forwarded: entry) else { return client }
                client = address
                if !contains(address) { return client }
            }
        }
        return client
    }
}

/// An IPv4 or IPv6 address as 128 bits: an IPv4 address is held as IPv4-mapped IPv6
/// (`::ffff:a.b.c.d`), so that a peer of an IPv6 listener and its IPv4 form are one address.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An address written `192.0.2.1` or `2001:db8::1`.
    public init?(_ text: String) {
        guard !text.utf8.contains(0) else { return nil }
        // inet_pton writes the address in network order: 4 bytes, or 16 (big-endian halves).
        var raw: (UInt64, UInt64) = (0, 0)
        if withUnsafeMutableBytes(of: &raw, { inet_pton(AF_INET, text, $0.baseAddress) }) == 1 {
            self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(UInt32(bigEndian: UInt32(truncatingIfNeeded: raw.0))))
            return
        }
        guard withUnsafeMutableBytes(of: &raw, { inet_pton(AF_INET6, text, $0.baseAddress) }) == 1 else { return nil }
        self.init(high: UInt64(bigEndian: raw.0), low: UInt64(bigEndian: raw.1))
    }

    /// An entry of `X-Forwarded-For`: an address, with blanks around it, and a port after it
    /// as some proxies add (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
    init?(forwarded entry: Substring) {
        var text = Substring(entry.trimmingBlanks())
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon, text.contains(".") {
            text = text[..<colon]
        }
        guard !text.isEmpty, text.count <= 64 else { return nil }
        self.init(String(text))
    }

    /// The address a connection came from; nil for a Unix-domain socket. (Read from NIO's
    /// text of it: the sockaddr structs' members are not visible to this module.)
    public init?(_ address: SocketAddress) {
        guard let text = address.ipAddress else { return nil }
        self.init(text)
    }

    /// A connection's peer as audit entries and sessions record it: `192.0.2.1` for an IPv4
    /// client, also one connected to an IPv6 listener (`[::]:8080`, or systemd's `ListenStream=8080`),
    /// whose peer NIO writes IPv4-mapped (`::ffff:192.0.2.1`); the RFC 5952 form for IPv6;
    /// `unknown` without one (a Unix-domain socket). The same form as an address a trusted proxy
    /// forwarded, so that one client is one source however it reached the daemon. (NIO's text
    /// as it is for what `inet_pton` does not read: a link-local peer's `%zone`.)
    public static func recorded(_ peer: SocketAddress?) -> String {
        peer.flatMap(IPAddress.init)?.description ?? peer?.ipAddress ?? "unknown"
    }

    /// Whether this is an IPv4 address (held IPv4-mapped).
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// `192.0.2.1` for an IPv4 address, the RFC 5952 form otherwise.
    public var description: String {
        var raw: (UInt64, UInt64) = isIPv4 ? (UInt64(UInt32(truncatingIfNeeded: low).bigEndian), 0) : (high.bigEndian, low.bigEndian)
        var buffer = [CChar](repeating: 0, count: 64)
        let written = withUnsafeMutableBytes(of: &raw) { bytes in
            inet_ntop(isIPv4 ? AF_INET : AF_INET6, bytes.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard written else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address and a prefix length: `10.0.0.0/8`, `2001:db8::/32`, or one address.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network's first address (the bits past the prefix cleared).
    public let address: IPAddress
    /// The prefix length in the 128-bit form (an IPv4 `/8` is 104).
    let bits: Int

    /// `address` or `address/prefix`; nil when either part is not one. The bits of the address
    /// past the prefix are ignored (`10.1.2.3/8` is `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var prefix = width
        if parts.count == 2 {
            guard parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), (0...width).contains(n) else { return nil }
            prefix = n
        }
        bits = prefix + (128 - width)
        let (maskHigh, maskLow) = Self.mask(bits)
        self.address = IPAddress(high: address.high & maskHigh, low: address.low & maskLow)
    }

    /// Whether it holds every address of its family (`0.0.0.0/0`, `::/0`).
    public var isEverything: Bool { bits == (address.isIPv4 ? 96 : 0) }

    public func contains(_ other: IPAddress) -> Bool {
        let (maskHigh, maskLow) = Self.mask(bits)
        return other.high & maskHigh == address.high && other.low & maskLow == address.low
    }

    public var description: String { "\(address)/\(address.isIPv4 ? bits - 96 : bits)" }

    /// The 128-bit mask of a prefix of `bits` bits, as two halves.
    private static func mask(_ bits: Int) -> (UInt64, UInt64) {
        func half(_ n: Int) -> UInt64 { n <= 0 ? 0 : n >= 64 ? .max : ~(UInt64.max >> UInt64(n)) }
        return (half(bits), half(bits - 64))
    }
}

/// The trusted proxies in force, which a config reload replaces; read for each request only
/// when some are configured.
public final class ProxyTrust: Sendable {
    private let proxies: Mutex<TrustedProxies>
    private let configured: Atomic<Bool>

    public init(_ proxies: TrustedProxies = .none) {
        self.proxies = Mutex(proxies)
        configured = Atomic(!proxies.networks.isEmpty)
    }

    public func set(_ next: TrustedProxies) {
        proxies.withLock { $0 = next }
        configured.store(!next.networks.isEmpty, ordering: .releasing)
    }

    public var current: TrustedProxies {
        configured.load(ordering: .acquiring) ? proxies.withLock { $0 } : .none
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
