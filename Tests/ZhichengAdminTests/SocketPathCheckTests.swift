import Foundation
import Testing
@testable import ZhichengAdmin

/// `SocketPathCheck`: a listening socket is in use, one nobody listens on is stale,
/// a plain file is not a socket, a missing path is free.
@Suite struct SocketPathCheckTests {
    /// A Unix socket bound at `path`; listening if `listen`. Returns its descriptor.
    private func bound(_ path: String, listening: Bool) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        if listening { try #require(listen(fd, 4) == 0) }
        return fd
    }

    private func scratch() throws -> String {
        let dir = "/tmp/zc-sockcheck-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aListeningSocketIsInUseAndRefused() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/admin.sock"
        let fd = try bound(path, listening: true)
        defer { close(fd) }
        #expect(SocketPathCheck.state(of: path) == .inUse)
        #expect(throws: SocketPathInUse.self) { try SocketPathCheck.requireFree(path, purpose: "admin socket") }
        #expect(FileManager.default.fileExists(atPath: path), "the check leaves the other's socket in place")
    }

    @Test func aSocketNobodyListensOnIsStale() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/admin.sock"
        close(try bound(path, listening: false))  // the file stays, as after a crash
        #expect(SocketPathCheck.state(of: path) == .stale)
        try SocketPathCheck.requireFree(path, purpose: "admin socket")
    }

    @Test func aPlainFileAndAMissingPath() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/admin.sock"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(SocketPathCheck.state(of: file) == .notASocket)
        #expect(throws: SocketPathInUse.self) { try SocketPathCheck.requireFree(file, purpose: "admin socket") }
        #expect(SocketPathCheck.state(of: dir + "/none.sock") == .absent)
        try SocketPathCheck.requireFree(dir + "/none.sock", purpose: "admin socket")
    }
}
