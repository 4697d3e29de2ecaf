import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import ZhichengCore

/// A submitted HTML form: `application/x-www-form-urlencoded` fields, or
/// `multipart/form-data` fields and the files of its file input `file`.
struct FormData {
    private(set) var fields: [String: [String]] = [:]
    /// The uploaded file's bytes, when the form had a file input named `file` (the last
    /// part of that name: a form with one file).
    private(set) var file: [UInt8]?
    /// The uploaded file's name as the browser gave it.
    private(set) var fileName: String?
    /// Every file of the input `file`, in order (an input with `multiple`). The empty part a
    /// browser sends for an input left without a file (no name, no bytes) is none.
    private(set) var files: [Upload] = []

    /// One uploaded file: its name as the client gave it (nil without one) and its bytes.
    struct Upload {
        var name: String?
        var bytes: [UInt8]
    }

    subscript(_ name: String) -> String { fields[name]?.first ?? "" }
    func all(_ name: String) -> [String] { fields[name] ?? [] }
    func optional(_ name: String) -> String? { fields[name]?.first }

    /// A whole number typed into the field `name`: refused naming the field, with `missing`
    /// when nothing was typed and `notANumber` when something else was.
    func integer(_ name: String, missing: String, notANumber: String) throws(ZhichengError) -> Int {
        let typed = self[name].trimmingCharacters(in: .whitespaces)
        guard let value = Int(typed) else { throw .invalid(typed.isEmpty ? missing : notANumber, field: name) }
        return value
    }

    /// The same, nil when nothing was typed (a number the form may leave blank).
    func optionalInteger(_ name: String, notANumber: String) throws(ZhichengError) -> Int? {
        self[name].trimmingCharacters(in: .whitespaces).isEmpty ? nil : try integer(name, missing: notANumber, notANumber: notANumber)
    }

    /// Every value of a repeated field `name` (ticked boxes, a multiple select) as whole
    /// numbers: one that is something else is refused naming the field, never dropped.
    func integers(_ name: String, notANumber: String) throws(ZhichengError) -> [Int] {
        var numbers: [Int] = []
        for typed in all(name) {
            guard let number = Int(typed.trimmingCharacters(in: .whitespaces)) else { throw .invalid(notANumber, field: name) }
            numbers.append(number)
        }
        return numbers
    }

    /// The version a review form was rendered at (its hidden `version` field), so a
    /// decision on a page gone stale is refused; a missing or garbled one is refused too.
    func version() throws(ZhichengError) -> Int {
        try integer("version", missing: Self.versionMissing, notANumber: Self.versionMissing)
    }

    static let versionMissing = "表单缺少有效的版本号，请刷新页面后再审查"

    /// The 年度 field of a plan or an application.
    func year() throws(ZhichengError) -> Int { try integer("year", missing: "请填写年度", notANumber: Self.yearNotANumber) }

    /// What a 年度 that is not a number is told, in a form or a list screen's filter.
    static let yearNotANumber = "年度应为四位数字，如 2026"

    /// Reads and parses the body (at most `limit` bytes). A body that cannot be read as
    /// the form it says it is (a value that is not UTF-8 once decoded, a broken multipart
    /// boundary) is refused whole: a field is never taken as empty instead.
    static func parse(_ request: Request, limit: Int) async throws -> FormData {
        let buffer = try await APIJSON.body(of: request, limit: limit)
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })?.dropFirst("boundary=".count) else {
                throw ZhichengError.badRequest("表单缺少 multipart 分隔符")
            }
            return try multipart(buffer, boundary: try multipartBoundary(String(boundary)))
        }
        return try urlEncoded(Array(buffer.readableBytesView))
    }

    /// The boundary of a `multipart/form-data` body, unquoted: 1 to 70 of the characters
    /// RFC 2046 allows, not ending in a space.
    static func multipartBoundary(_ raw: String) throws(ZhichengError) -> String {
        var text = Substring(raw)
        if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".unicodeScalars)
        guard (1...70).contains(text.unicodeScalars.count), text.unicodeScalars.allSatisfy(allowed.contains), text.last != " " else {
            throw ZhichengError.badRequest("表单的 multipart 分隔符无效（应为1至70个字母、数字或 '()+_,-./:=? 等字符）")
        }
        return String(text)
    }

    /// An `application/x-www-form-urlencoded` body, read byte by byte (`&`, `=`, `+` and
    /// `%XX` are ASCII; splitting by `Character` would miss an `&` that a combining mark
    /// follows). Every name and value must be UTF-8 once decoded.
    static func urlEncoded(_ bytes: [UInt8]) throws(ZhichengError) -> FormData {
        var form = FormData()
        let pairs = bytes.split(separator: UInt8(ascii: "&"), maxSplits: maxFields)
        guard pairs.count <= maxFields else { throw tooManyFields }
        for pair in pairs {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(parts[0], field: nil)
            let value = parts.count > 1 ? try decode(parts[1], field: key) : ""
            form.fields[key, default: []].append(value)
        }
        return form
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, field: String?) throws(ZhichengError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
                continue
            }
            out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            i += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw notUTF8(field)
        }
        return text
    }

    /// A field (nil: a field's name) that is not UTF-8, named as the page names it, or not
    /// at all when no page has it (its name is what was sent, maybe not even text).
    static func notUTF8(_ field: String?) -> ZhichengError {
        let what = field.map { name in KeptInput.screenLabel(name).map { "“\($0)”的内容" } ?? "其中一项的内容" } ?? "字段名"
        return .invalid("表单不是 UTF-8 编码：\(what)无法解码，请检查浏览器的文字编码设置后重试", field: field ?? "form")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The most fields (names with their values, or parts) a form may have: the UI's largest,
    /// a batch of ticked applications, has a few hundred. A body of 1 MiB cut into tiny fields
    /// once became hundreds of thousands of strings before anything was refused.
    static let maxFields = 2000
    /// Headers kept of one multipart part (a browser sends two or three).
    static let maxPartHeaders = 16
    static let tooManyFields = ZhichengError.badRequest("表单的字段过多（最多 \(maxFields) 个）")

    static func multipart(_ buffer: ByteBuffer, boundary: String) throws -> FormData {
        var form = FormData()
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = []
        var headers: HTTPHeaders = [:]
        var body = ByteBuffer()
        var overflow = false
        parser.onHeader = { name, value in
            if headers.count < maxPartHeaders { headers.add(name: name, value: value) } else { overflow = true }
        }
        parser.onBody = { chunk in if !overflow { body.writeBuffer(&chunk) } }
        parser.onPartComplete = {
            if parts.count < maxFields { parts.append(MultipartPart(headers: headers, body: body)) } else { overflow = true }
            headers = [:]
            body = ByteBuffer()
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw ZhichengError.badRequest("无法解析上传的表单")
        }
        guard !overflow else { throw tooManyFields }
        for part in parts {
            guard let name = part.name else { continue }
            if name == "file" {
                form.file = Array(part.body.readableBytesView)
                form.fileName = part.headers.first(name: "Content-Disposition").flatMap(Self.fileName(disposition:))
                if form.fileName?.isEmpty == false || part.body.readableBytes > 0 {
                    form.files.append(Upload(name: form.fileName, bytes: form.file ?? []))
                }
            } else {
                guard let value = String(validating: part.body.readableBytesView, as: UTF8.self) else {
                    throw notUTF8(name)
                }
                form.fields[name, default: []].append(value)
            }
        }
        return form
    }

    /// The file name of a part's `Content-Disposition`: `filename*` (RFC 5987, UTF-8) when a
    /// client sends it, else `filename`, quoted or not. A quoted one may hold `;` (年度考核;优秀.pdf
    /// is not cut at it), and browsers escape in it a quote as `%22` and CR, LF as `%0D`, `%0A`
    /// (the HTML standard's form encoding), which are read back.
    static func fileName(disposition header: String) -> String? {
        var parameters: [String: String] = [:]
        var rest = Substring(header)
        // The disposition type (form-data) comes first.
        guard let firstSemicolon = rest.firstIndex(of: ";") else { return nil }
        rest = rest[rest.index(after: firstSemicolon)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    // Only `\"` is an escape: old browsers send a Windows path (C:\Users\…\证书.pdf),
                    // whose backslashes AttachmentName needs to cut the path off.
                    if c == "\\", rest.first == "\"" { value.append("\""); rest = rest.dropFirst() } else { value.append(c) }
                }
                rest = rest.drop { $0 != ";" }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            rest = rest.drop { $0 == ";" }
            if parameters[name] == nil { parameters[name] = value }
        }
        if let extended = parameters["filename*"], let quote = extended.range(of: "''"),
           extended[..<quote.lowerBound].lowercased() == "utf-8", let decoded = String(extended[quote.upperBound...]).removingPercentEncoding {
            return decoded
        }
        return parameters["filename"].map {
            $0.replacingOccurrences(of: "%22", with: "\"").replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
        }
    }
}

extension Request {
    /// The text of query field `name` (a search box of a GET form, or an API client's query),
    /// read as forms are sent (a space as `+`, then percent-decoding): `queryParameters` reads
    /// a URI's query, which keeps the `+`, so a number typed in groups, or a name with a blank,
    /// was never found. Nil when absent. One reading for the web UI and the API.
    func textQuery(_ name: String) -> String? {
        (try? FormData.urlEncoded(Array((uri.query ?? "").utf8)))?.optional(name)
    }
}
