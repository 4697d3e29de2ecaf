import ZhichengAdminProtocol

/// Turns results into text a person reads: a table for lists of rows, aligned
/// key/value lines otherwise. Column widths count CJK characters as two.
enum Rendering {
    static func render(_ result: JSONValue) -> String {
        guard case .object(let members) = result else { return text(result) }
        // One member holding rows (tenants, commands, plugins …): a table.
        if members.count == 1, case .array(let rows) = members[0].1, rows.allSatisfy({ $0.objectValue != nil }) {
            return rows.isEmpty ? "(no \(members[0].0))" : table(rows)
        }
        let width = members.map { displayWidth($0.0) }.max() ?? 0
        return members.map { key, value in
            let label = key + String(repeating: " ", count: width - displayWidth(key))
            if case .object(let nested) = value, !nested.isEmpty {
                return label + "  " + nested.map { "\($0.0)=\(text($0.1))" }.joined(separator: "  ")
            }
            return label + "  " + text(value)
        }.joined(separator: "\n")
    }

    static func table(_ rows: [JSONValue]) -> String {
        var headers: [String] = []
        for row in rows {
            for (key, _) in row.objectValue ?? [] where !headers.contains(key) { headers.append(key) }
        }
        let cells = rows.map { row in headers.map { text(row[$0] ?? .null) } }
        let widths = headers.indices.map { column in
            max(displayWidth(headers[column].uppercased()), cells.map { displayWidth($0[column]) }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0 + String(repeating: " ", count: $1 - displayWidth($0)) }.joined(separator: "  ")
                .replacing(/\s+$/, with: "")
        }
        return ([line(headers.map { $0.uppercased() })] + cells.map(line)).joined(separator: "\n")
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case .string(let s): s
        case .bool(let b): b ? "yes" : "no"
        case .number: value.serialized
        // A list of lists (tenant.check's login_case_pairs): the lists apart by "; ".
        case .array(let elements): elements.isEmpty ? "-" : elements.map(text).joined(separator: elements.contains { $0.arrayValue != nil } ? "; " : ", ")
        case .object: value.serialized
        }
    }

    /// Terminal columns: East Asian wide characters take two.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { width, scalar in
            let v = scalar.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            return width + (wide ? 2 : 1)
        }
    }
}
