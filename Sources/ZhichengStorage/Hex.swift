import Crypto
import Foundation

/// Lower-case hex of `bytes`, written straight into the string's storage.
public func hexString(_ bytes: some Collection<UInt8>) -> String {
    let digits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
        var at = 0
        for byte in bytes {
            out[at] = digits.utf8Start[Int(byte >> 4)]
            out[at + 1] = digits.utf8Start[Int(byte & 0x0F)]
            at += 2
        }
        return at
    }
}

/// The hex SHA-256 of `data` — audit chains, file digests, token hashes.
public func sha256Hex(_ data: some DataProtocol) -> String {
    SHA256.hash(data: data).withUnsafeBytes { hexString($0) }
}

/// The hex SHA-256 of a string's UTF-8 bytes, without copying them first.
public func sha256Hex(utf8 text: String) -> String {
    var text = text
    let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    return digest.withUnsafeBytes { hexString($0) }
}
