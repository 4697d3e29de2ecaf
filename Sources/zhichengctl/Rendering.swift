import ZhichengAdminProtocol

/// Turns results into text a person reads: a table for lists of rows, aligned
/// key/value lines otherwise. Column widths count CJK characters as two. Sizes and
/// durations are shown in units (`db_bytes` as `DB_SIZE 403.0 MiB`, `uptime_seconds` as
/// `uptime 4m13s`: `fields`); `--json` prints the result as it came.
enum Rendering {
    /// How a person reads the fields carried as raw numbers: the label shown for the key, and
    /// the number as text.
    static let fields: [String: (label: String, text: @Sendable (JSONValue) -> String?)] = [
        "bytes": ("size", { $0.intValue.map(HumanReadable.bytes) }),
        "db_bytes": ("db_size", { $0.intValue.map(HumanReadable.bytes) }),
        "uptime_seconds": ("uptime", { $0.doubleValue.map { HumanReadable.duration(seconds: $0) } }),
        "retry_in_seconds": ("retry_in", { $0.doubleValue.map { HumanReadable.duration(seconds: $0) } }),
    ]

    static func label(_ key: String) -> String { fields[key]?.label ?? key }

    /// A field's value as text: in units when `fields` knows the key, else as `text` shows it.
    static func text(_ key: String, _ value: JSONValue) -> String {
        fields[key].flatMap { $0.text(value) } ?? text(value)
    }

    static func render(_ result: JSONValue) -> String {
        guard case .object(let members) = result else { return text(result) }
        // One member holding rows (tenants, commands, plugins …): a table.
        if members.count == 1, case .array(let rows) = members[0].1, rows.allSatisfy({ $0.objectValue != nil }) {
            return rows.isEmpty ? "(no \(members[0].0))" : table(rows)
        }
        let width = members.map { displayWidth(label($0.0)) }.max() ?? 0
        return members.map { key, value in
            let shown = label(key)
            return shown + String(repeating: " ", count: width - displayWidth(shown)) + "  " + text(key, value)
        }.joined(separator: "\n")
    }

    static func table(_ rows: [JSONValue]) -> String {
        var headers: [String] = []
        for row in rows {
            for (key, _) in row.objectValue ?? [] where !headers.contains(key) { headers.append(key) }
        }
        let cells = rows.map { row in headers.map { text($0, row[$0] ?? .null) } }
        let titles = headers.map { label($0).uppercased() }
        let widths = headers.indices.map { column in
            max(displayWidth(titles[column]), cells.map { displayWidth($0[column]) }.max() ?? 0)
        }
        return ([columns(titles, widths: widths)] + cells.map { columns($0, widths: widths) }).joined(separator: "\n")
    }

    /// `values` padded to `widths` (display columns), two spaces apart, without trailing blanks.
    static func columns(_ values: [String], widths: [Int]) -> String {
        zip(values, widths).map { $0 + String(repeating: " ", count: max(0, $1 - displayWidth($0))) }.joined(separator: "  ")
            .replacing(/\s+$/, with: "")
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case .string(let s): s
        case .bool(let b): b ? "yes" : "no"
        case .number, .bigInteger: value.serialized
        // A list of lists (tenant.check's login_case_pairs): the lists apart by "; ".
        case .array(let elements): elements.isEmpty ? "-" : elements.map(text).joined(separator: elements.contains { $0.arrayValue != nil || $0.objectValue != nil } ? "; " : ", ")
        // Nested fields (tenant show's last_backup, status's listeners) as key=value, never JSON.
        case .object(let members): members.isEmpty ? "-" : members.map { "\(label($0.0))=\(text($0.0, $0.1))" }.joined(separator: "  ")
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
