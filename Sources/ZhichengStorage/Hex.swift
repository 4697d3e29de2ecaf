import Crypto
import Foundation

/// Lower-case hex of `bytes` (fast: no per-byte formatting).
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The hex SHA-256 of `data` — audit chains, file digests, token hashes.
public func sha256Hex(_ data: some DataProtocol) -> String {
    hexString(SHA256.hash(data: data))
}
