import Testing
import ZhichengCore

/// Which socket systemd passes is the admin socket and which the HTTP port: by the names
/// `admin` and `http`, else (one unit's sockets share one name) by address family.
@Suite("Sockets passed by systemd")
struct PassedSocketTests {
    @Test func namedSocketsAreTakenByTheirNames() {
        let (admin, http, ignored) = PassedSocket.assign([("http", 3, .inet), ("admin", 4, .unix)])
        #expect(admin == 4 && http == 3 && ignored.isEmpty)
    }

    @Test func oneUnitsSocketsSharingANameAreToldApartByFamily() {
        for name in ["zhichengd", "unknown", ""] {
            let (admin, http, ignored) = PassedSocket.assign([(name, 3, .inet), (name, 4, .unix)])
            #expect(admin == 4 && http == 3 && ignored.isEmpty, "\(name)")
        }
    }

    @Test func aSecondSocketForOneUseOrOneOfNoUseIsIgnored() {
        let (admin, http, ignored) = PassedSocket.assign([("zhichengd", 3, .unix), ("zhichengd", 4, .unix), ("zhichengd", 5, .other), ("zhichengd", 6, .inet)])
        #expect(admin == 3 && http == 6)
        #expect(ignored.map(\.fd) == [4, 5])
        #expect(ignored[0].why.contains("second") && ignored[1].why.contains("neither"))
        #expect(PassedSocket(name: "x", family: .other) == nil)
    }

    /// The admin protocol is never served on a TCP port (a unit's mistake); HTTP named so may be
    /// a Unix socket, which a local proxy connects to.
    @Test func adminOnTCPIsIgnoredAndHTTPMayBeAUnixSocket() {
        #expect(PassedSocket(name: "admin", family: .inet) == nil && PassedSocket(name: "http", family: .unix) == .http)
        let (admin, http, ignored) = PassedSocket.assign([("admin", 3, .inet), ("http", 4, .unix), ("admin", 5, .unix)])
        #expect(admin == 5 && http == 4 && ignored.map(\.fd) == [3] && ignored[0].why.contains("not a Unix socket"))
    }

    @Test func nothingPassedIsNothingTaken() {
        let (admin, http, ignored) = PassedSocket.assign([])
        #expect(admin == nil && http == nil && ignored.isEmpty)
    }
}
