import Foundation
import ZhichengAdminProtocol
import ZhichengCore

/// What the fuzzer (libFuzzer, `make fuzz`) and the corpus replay check on every input:
/// the parsers and validators that take bytes from outside. Each target must never
/// crash, never read or write out of bounds (the fuzz build runs under AddressSanitizer),
/// and keep the properties written below; a broken property stops the run (`require`'s
/// `fatalError`, naming it and printing the input), and libFuzzer saves the input.
enum FuzzTarget: String, CaseIterable {
    /// An admin protocol line (`AdminRequest(line:)`) and the JSON parser and serializer
    /// under it: what parses serializes to one line that parses back to the same value.
    case adminLine = "admin-line"
    /// The escaper every JSON answer goes through (`JSONWriter`, `JSONEscape`), fed any
    /// bytes, as text read straight from SQLite could be: the output is always valid
    /// JSON and UTF-8, and well-formed text comes back unchanged.
    case jsonWriter = "json-writer"
    /// The CSV reader of the imports (`CSVTable`): quoting what it read and reading it
    /// again gives the same cells.
    case csv
    /// The validators of what people type (tenant ids, division codes, dates, interview
    /// times, attachment names, id-card numbers, credit and organization codes, contact
    /// fields, logins, return requests): what they accept they accept again unchanged,
    /// within the documented alphabet.
    case validators
    /// Uploaded images and documents told by their bytes (`ImageType`, `DocumentType`).
    case uploads

    func run(_ data: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .adminLine: Self.adminLine(data)
        case .jsonWriter: Self.jsonWriter(data)
        case .csv: Self.csv(data)
        case .validators: Self.validators(data)
        case .uploads: Self.uploads(data)
        }
    }
}

/// A broken property: the message names it, and the input that broke it is printed.
func require(_ condition: @autoclosure () -> Bool, _ property: @autoclosure () -> String, input: some Collection<UInt8>) {
    guard !condition() else { return }
    let hex = input.prefix(256).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    FileHandle.standardError.write(Data("fuzz property broken: \(property())\ninput (\(input.count) bytes, hex): \(hex)\n".utf8))
    fatalError("fuzz property broken: \(property())")
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

extension FuzzTarget {
    static func adminLine(_ data: UnsafeBufferPointer<UInt8>) {
        // The line as the daemon answers it: a request, or one error line.
        do {
            let request = try AdminRequest(line: data)
            require(request.id.isScalar, "a parsed request's id is a scalar", input: data)
            let again = try? AdminRequest(line: Array(request.line.utf8.dropLast()))
            require(again.map { $0.cmd == request.cmd && $0.args == request.args && $0.id == request.id } ?? false,
                    "a request written out as a line parses back to the same request", input: data)
        } catch {
            checkLine(error.line, input: data)
        }
        // The JSON value alone: serialize, parse, serialize again.
        guard let value = try? JSONValue.parse(data) else { return }
        require(String(validating: data, as: UTF8.self) != nil, "only well-formed UTF-8 parses (nothing is replaced by U+FFFD)", input: data)
        require(namesEachKeyOnce(value), "a parsed object names each key once", input: data)
        let bytes = value.serializedBytes
        require(!bytes.contains(UInt8(ascii: "\n")), "serialized JSON holds no raw newline (one value, one line)", input: data)
        require(String(validating: bytes, as: UTF8.self) != nil, "serialized JSON is valid UTF-8", input: data)
        let reparsed = try? JSONValue.parse(bytes)
        require(reparsed == value, "serialized JSON parses back to the same value", input: data)
        require(reparsed?.serializedBytes == bytes, "serializing is stable (the second pass writes the same bytes)", input: data)
        require((try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil,
                "Foundation's parser accepts the serialized JSON", input: data)
        // As a response's result it sits one level down: a value nested to the parser's limit
        // no longer fits (the daemon's own results are shallow).
        if depth(of: value) < 63 { checkLine(AdminResponse.success(id: .null, result: value).line, input: data) }
    }

    /// How deep arrays and objects nest in `value` (a scalar is 0).
    static func depth(of value: JSONValue) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
        case .object(let members): 1 + (members.map { depth(of: $0.1) }.max() ?? 0)
        default: 0
        }
    }

    static func namesEachKeyOnce(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let elements): elements.allSatisfy(namesEachKeyOnce)
        case .object(let members): Set(members.map(\.0)).count == members.count && members.allSatisfy { namesEachKeyOnce($0.1) }
        default: true
        }
    }

    /// A response line: one line, newline-terminated, that parses as a response.
    static func checkLine(_ line: String, input: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(line.utf8)
        require(bytes.last == UInt8(ascii: "\n") && bytes.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") },
                "a response is exactly one line", input: input)
        require((try? AdminResponse(line: bytes.dropLast())) != nil, "a response line parses as a response", input: input)
    }

    static func jsonWriter(_ data: UnsafeBufferPointer<UInt8>) {
        // The input cut at 0xFF bytes into strings, written as one array with an
        // integer from the first eight bytes between them.
        let pieces = data.split(separator: 0xFF, omittingEmptySubsequences: false)
        var number = 0
        for (k, byte) in data.prefix(8).enumerated() { number |= Int(byte) << (8 * k) }
        var writer = JSONWriter(capacity: 16)
        writer.raw("[")
        writer.int(number)
        for piece in pieces {
            writer.raw(",")
            Array(piece).withUnsafeBufferPointer { writer.string(utf8: $0) }
        }
        writer.raw("]")
        let bytes = writer.bytes
        require(String(validating: bytes, as: UTF8.self) != nil, "written JSON is valid UTF-8", input: data)
        guard let parsed = try? JSONValue.parse(bytes), case .array(let values) = parsed, values.count == pieces.count + 1 else {
            require(false, "written JSON parses as the array written", input: data)
            return
        }
        require(values[0].serialized == String(number), "an integer reads back as written, beyond 2^53 too", input: data)
        require((try? JSONSerialization.jsonObject(with: Data(bytes))) != nil, "Foundation's parser accepts the written JSON", input: data)
        for (piece, value) in zip(pieces, values.dropFirst()) {
            guard case .string(let text) = value else { return require(false, "a string is written as a JSON string", input: data) }
            if let original = String(validating: piece, as: UTF8.self) {
                require(text == original, "well-formed UTF-8 comes back unchanged", input: data)
            } else {
                require(text.unicodeScalars.count <= piece.count, "each malformed byte becomes at most one U+FFFD", input: data)
            }
        }
    }

    static func csv(_ data: UnsafeBufferPointer<UInt8>) {
        // The upload's text: UTF-8 as it is, else GB18030 through iconv (its output buffer
        // sized by hand: AddressSanitizer watches it), whole or not at all.
        let bytes = Array(data)
        if let decoded = CSVTable.text(of: bytes) {
            if let utf8 = String(validating: bytes, as: UTF8.self) {
                require(decoded == utf8, "UTF-8 is read as it is", input: data)
            } else {
                require(!decoded.isEmpty && decoded.utf8.count <= bytes.count * 2, "GB18030 text is at most twice as long in UTF-8", input: data)
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let rows = try? CSVTable.parse(text) else { return }
        var line = 0
        for row in rows {
            require(row.line > line, "rows come in order of their starting lines", input: data)
            line = row.line
        }
        // Every cell quoted, as a spreadsheet may write them. Quotes are doubled scalar by
        // scalar, as the reader reads: a quote followed by a combining mark is one
        // `Character`, which `String`'s own search would not find.
        func quote(_ cell: String) -> String {
            var out = String.UnicodeScalarView([Unicode.Scalar("\"")])
            for scalar in cell.unicodeScalars {
                if scalar == "\"" { out.append(scalar) }
                out.append(scalar)
            }
            out.append("\"")
            return String(out)
        }
        let quoted = rows.map { $0.cells.map(quote).joined(separator: ",") }.joined(separator: "\r\n")
        let again = try? CSVTable.parse(quoted)
        require(again.map { $0.map(\.cells) == rows.map(\.cells) } ?? false, "quoted cells read back the same", input: data)
    }

    static func validators(_ data: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: data, as: UTF8.self)
        if let id = try? TenantID(text) {
            require(id.rawValue == text && TenantID.isValid(text), "a tenant id is kept as given", input: data)
            require(text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D },
                    "a tenant id holds only a-z, 0-9 and '-' (no path tricks)", input: data)
        }
        if let code = try? DivisionCode(text) {
            require(code.full.utf8.count == 6 && code.full.hasPrefix(code.short), "a division code is six digits, its short form a prefix", input: data)
            require((try? DivisionCode(code.short))?.full == code.full, "a division code's short form names the same division", input: data)
        }
        if let date = try? CalendarDate(text) {
            require((try? CalendarDate(date.description)) == date, "a date's YYYY-MM-DD reads back as the same day", input: data)
        }
        if let time = try? InterviewTime(text) {
            require((try? InterviewTime(time.description)) == time && (try? InterviewTime(time.inputValue)) == time,
                    "an interview time's YYYY-MM-DD HH:MM and datetime-local value read back as the same minute", input: data)
        }
        if let name = try? AttachmentName.validate(text) {
            require(!name.contains("/") && !name.contains("\\") && name != "." && name != "..", "an attachment name is one plain path component", input: data)
            require(name.count <= AttachmentName.maxCharacters, "an attachment name is at most \(AttachmentName.maxCharacters) characters", input: data)
            require((try? AttachmentName.validate(name)) == name, "an accepted attachment name is accepted again unchanged", input: data)
        }
        if let number = try? IDCardNumber(text) {
            require((try? IDCardNumber(number.description)) == number, "an id-card number reads back the same", input: data)
        }
        if let code = try? CreditCode(text) {
            require((try? CreditCode(code.description)) == code, "a credit code reads back the same", input: data)
        }
        if let code = try? OrganizationCode(text) {
            require((try? OrganizationCode(code.description)) == code, "an organization code reads back the same", input: data)
        }
        for field in ["phone", "postcode", "email", "login"] {
            func check(_ value: String) -> String? {
                switch field {
                case "phone": try? ContactValidation.phone(value)
                case "postcode": try? ContactValidation.postcode(value)
                case "email": try? ContactValidation.email(value)
                default: try? StaffLogin.validate(value)
                }
            }
            if let accepted = check(text) {
                require(check(accepted) == accepted, "an accepted \(field) is accepted again unchanged", input: data)
            }
        }
        _ = try? PasswordPolicy.validate(text)
        // A return request: the text's lines are the sections, its first line the reason.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let request = try? ReturnRequest(sections: Array(lines.dropFirst()), reason: lines.first, comment: lines.last ?? "") {
            require(!request.sections.isEmpty && request.sections.allSatisfy { ApplicationSection(rawValue: $0) != nil },
                    "a return names only known sections, at least one", input: data)
        }
    }

    static func uploads(_ data: UnsafeBufferPointer<UInt8>) {
        if let type = try? ImageType.detect(data) {
            let signature: [UInt8] = type == .png ? [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] : [0xFF, 0xD8, 0xFF]
            require(data.starts(with: signature), "an image's type is the one its first bytes announce", input: data)
        }
        _ = try? DocumentType.detect(data)
    }
}
