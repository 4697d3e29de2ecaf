import HTTPTypes
import NIOCore
import Testing
@testable import ZhichengHTTP

/// Which address of `X-Forwarded-For` is the client's, and the networks of `http.trusted_proxies`.
@Suite("Trusted proxies")
struct TrustedProxiesTests {
    let proxies = TrustedProxies(networks: ["10.0.0.0/8", "192.0.2.1", "2001:db8:1::/48"].map { IPNetwork($0)! })

    func client(_ peer: String, _ forwardedFor: [String]) -> String {
        proxies.client(peer: IPAddress(peer)!, forwardedFor: forwardedFor).description
    }

    @Test(arguments: [
        ("10.0.0.0/8", true), ("10.1.2.3/8", true), ("192.0.2.1", true), ("0.0.0.0/0", true), ("::/0", true),
        ("2001:db8::/32", true), ("::ffff:192.0.2.1", true), ("10.0.0.0/33", false), ("2001:db8::/129", false),
        ("10.0.0.0/", false), ("10.0.0.0/+8", false), ("10.0.0.0/ 8", false), ("localhost", false), ("10.0.0", false),
        ("", false), ("1.2.3.4/8/8", false), ("1.2.3.4\u{0}", false),
    ])
    func networksAreParsed(text: String, valid: Bool) {
        #expect((IPNetwork(text) != nil) == valid, "\(text)")
    }

    @Test func aNetworkHoldsItsAddressesOnly() {
        let network = IPNetwork("10.1.2.3/8")!
        #expect(network.description == "10.0.0.0/8")
        #expect(network.contains(IPAddress("10.255.0.1")!))
        #expect(!network.contains(IPAddress("11.0.0.1")!))
        #expect(IPNetwork("192.0.2.1")!.contains(IPAddress("::ffff:192.0.2.1")!), "an IPv4 peer of an IPv6 listener")
        #expect(!IPNetwork("192.0.2.1")!.contains(IPAddress("192.0.2.2")!))
        #expect(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db9::1")!))
        #expect(IPNetwork("::/0")!.contains(IPAddress("2001:db9::1")!))
        #expect(IPAddress("2001:0db8:0000::0001")!.description == "2001:db8::1")
    }

    @Test func theClientIsTheRightMostAddressThatIsNoTrustedProxy() {
        #expect(client("192.0.2.1", ["203.0.113.7"]) == "203.0.113.7")
        #expect(client("192.0.2.1", ["198.51.100.9, 203.0.113.7, 10.1.2.3"]) == "203.0.113.7")
        #expect(client("192.0.2.1", ["198.51.100.9", "203.0.113.7", "10.1.2.3"]) == "203.0.113.7", "over several header lines")
        #expect(client("192.0.2.1", ["203.0.113.7:4711"]) == "203.0.113.7", "a port after it")
        #expect(client("192.0.2.1", ["[2001:db8::7]:4711"]) == "2001:db8::7")
        #expect(client("192.0.2.1", ["2001:db8:1::9, 2001:db8::7"]) == "2001:db8::7")
        #expect(client("192.0.2.1", []) == "192.0.2.1", "no header: the proxy itself")
        #expect(client("192.0.2.1", ["10.0.0.5, 10.0.0.6"]) == "10.0.0.5", "only proxies: the left-most")
        #expect(client("192.0.2.1", ["unknown, 10.0.0.6"]) == "10.0.0.6", "not an address: the last one read")
        #expect(client("192.0.2.1", ["203.0.113.7, "]) == "192.0.2.1", "an empty entry ends the chain")
    }

    @Test func anUntrustedPeerIsTheClientWhateverItSends() {
        #expect(client("203.0.113.1", ["192.0.2.1"]) == "203.0.113.1")
        #expect(client("203.0.113.1", ["198.51.100.9, 10.0.0.1"]) == "203.0.113.1")
        #expect(TrustedProxies.none.client(peer: IPAddress("192.0.2.1")!, forwardedFor: ["203.0.113.7"]).description == "192.0.2.1")
    }

    /// One client, one recorded form: an IPv4 peer of an IPv6 listener (NIO writes it
    /// `::ffff:a.b.c.d`) is recorded as an IPv4 peer of an IPv4 listener is, and as a trusted
    /// proxy's forwarded address is.
    @Test func aPeerIsRecordedInOneFormWhateverItsListener() throws {
        let mapped = try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 4711)
        #expect(mapped.ipAddress == "::ffff:127.0.0.1", "what NIO says of it")
        #expect(IPAddress.recorded(mapped) == "127.0.0.1")
        #expect(IPAddress.recorded(try SocketAddress(ipAddress: "127.0.0.1", port: 4711)) == "127.0.0.1")
        #expect(IPAddress.recorded(try SocketAddress(ipAddress: "2001:0db8::0001", port: 4711)) == "2001:db8::1")
        #expect(IPAddress.recorded(try SocketAddress(unixDomainSocketPath: "/tmp/zc.sock")) == "unknown")
        #expect(IPAddress.recorded(nil) == "unknown")
        // Through `client(of:)`, with and without proxies listed, from a peer that is not one.
        #expect(TrustedProxies.none.client(of: mapped, headers: [:]).address == "127.0.0.1")
        #expect(proxies.client(of: mapped, headers: [:]).address == "127.0.0.1")
        let proxy = try SocketAddress(ipAddress: "::ffff:192.0.2.1", port: 4711)
        #expect(proxies.client(of: proxy, headers: [HTTPField.Name("X-Forwarded-For")!: "::ffff:203.0.113.7"]).address == "203.0.113.7")
    }
}
