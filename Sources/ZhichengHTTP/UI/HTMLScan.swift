import Foundation

/// One token of a page the UI rendered: a tag, or the text between tags. Read by
/// `HTMLScan.tokens`, which knows only what the UI's own templates write: tags with
/// double-quoted (or bare) attribute values escaped by `HTMLText.escape`, comments, a
/// doctype, and `<script>`/`<style>`, whose content is skipped.
struct HTMLToken: Equatable {
    enum Kind: Equatable {
        /// `name` lowercased; `end` for `</name>`.
        case tag(name: String, end: Bool, attributes: [String: String])
        case text(String)
    }
    var kind: Kind
    /// The token's bytes in the page's UTF-8.
    var range: Range<Int>
    /// Where an attribute may be inserted into a start tag: just after its name.
    var nameEnd: Int

    var tagName: String? { if case let .tag(name, end, _) = kind, !end { return name } else { return nil } }
    var endTagName: String? { if case let .tag(name, end, _) = kind, end { return name } else { return nil } }
    var attributes: [String: String] { if case let .tag(_, _, attributes) = kind { return attributes } else { return [:] } }
    var text: String? { if case let .text(text) = kind { return text } else { return nil } }
}

enum HTMLScan {
    static func tokens(_ html: String) -> [HTMLToken] { tokens(Array(html.utf8)) }

    static func tokens(_ bytes: [UInt8]) -> [HTMLToken] {
        var out: [HTMLToken] = []
        var i = 0, textStart = 0
        func flushText(upTo end: Int) {
            if end > textStart { out.append(HTMLToken(kind: .text(unescape(String(decoding: bytes[textStart..<end], as: UTF8.self))), range: textStart..<end, nameEnd: end)) }
        }
        func starts(_ prefix: String, at index: Int) -> Bool {
            let p = Array(prefix.utf8)
            guard index + p.count <= bytes.count else { return false }
            return zip(p, bytes[index..<index + p.count]).allSatisfy { $0 == lower($1) }
        }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            if starts("<!--", at: i) {
                flushText(upTo: i)
                var j = i + 4
                while j < bytes.count, !starts("-->", at: j) { j += 1 }
                i = min(bytes.count, j + 3); textStart = i
                continue
            }
            let isEnd = i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")
            var j = i + (isEnd ? 2 : 1)
            let nameStart = j
            while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
            guard j > nameStart || (!isEnd && j < bytes.count && bytes[j] == UInt8(ascii: "!")) else { i += 1; continue }   // a `<` in text
            flushText(upTo: i)
            if j == nameStart {   // <!doctype …>
                while j < bytes.count, bytes[j] != UInt8(ascii: ">") { j += 1 }
                i = min(bytes.count, j + 1); textStart = i
                continue
            }
            let name = String(decoding: bytes[nameStart..<j].map(lower), as: UTF8.self)
            let nameEnd = j
            var attributes: [String: String] = [:]
            // Attributes up to the closing `>` (a quoted value may hold one).
            while j < bytes.count, bytes[j] != UInt8(ascii: ">") {
                if isSpace(bytes[j]) || bytes[j] == UInt8(ascii: "/") { j += 1; continue }
                let attributeStart = j
                while j < bytes.count, !isSpace(bytes[j]), ![UInt8(ascii: "="), UInt8(ascii: ">")].contains(bytes[j]) { j += 1 }
                let attribute = String(decoding: bytes[attributeStart..<j].map(lower), as: UTF8.self)
                var value = ""
                if j < bytes.count, bytes[j] == UInt8(ascii: "=") {
                    j += 1
                    if j < bytes.count, bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") {
                        let quote = bytes[j]
                        let valueStart = j + 1
                        j = valueStart
                        while j < bytes.count, bytes[j] != quote { j += 1 }
                        value = String(decoding: bytes[valueStart..<min(j, bytes.count)], as: UTF8.self)
                        j += 1
                    } else {
                        let valueStart = j
                        while j < bytes.count, !isSpace(bytes[j]), bytes[j] != UInt8(ascii: ">") { j += 1 }
                        value = String(decoding: bytes[valueStart..<j], as: UTF8.self)
                    }
                }
                if attributes[attribute] == nil { attributes[attribute] = unescape(value) }   // the first one counts, as in a browser
            }
            let end = min(bytes.count, j + 1)
            out.append(HTMLToken(kind: .tag(name: name, end: isEnd, attributes: attributes), range: i..<end, nameEnd: nameEnd))
            i = end; textStart = i
            // Raw text: a script's or a style's content is not markup.
            if !isEnd, name == "script" || name == "style" {
                while i < bytes.count, !starts("</" + name, at: i) { i += 1 }
                textStart = i
            }
        }
        flushText(upTo: bytes.count)
        return out
    }

    /// What `HTMLText.escape` wrote, read back (and numeric references).
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = "", rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            rest = rest[amp...]
            guard let semi = rest.prefix(10).firstIndex(of: ";") else { out.append("&"); rest = rest.dropFirst(); continue }
            let entity = rest[rest.index(after: rest.startIndex)..<semi]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]
            if let value = named[String(entity)] {
                out += value
            } else if entity.hasPrefix("#"), let code = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                        ? UInt32(entity.dropFirst(2), radix: 16) : UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else {
                out += rest[...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    private static func lower(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte }
    private static func isSpace(_ byte: UInt8) -> Bool { [0x20, 0x09, 0x0A, 0x0C, 0x0D].contains(byte) }
    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
    }
}
