#if canImport(Glibc)
import Glibc
#endif

/// A small RFC 4180 reader for imports: quoted cells (with `""` for a quote and
/// commas or line breaks inside), CRLF or LF line ends, and a leading UTF-8
/// byte-order mark (as Excel's "CSV UTF-8" writes) ignored.
public enum CSVTable {
    /// The rows of `text`, each with its 1-based line number where it starts; reading stops
    /// once `stopAfter` rows are read (a caller refusing more than N rows passes N + 1, and
    /// a file of millions of rows is not read whole first).
    public static func parse(_ text: String, stopAfter: Int = .max) throws(ZhichengError) -> [(line: Int, cells: [String])] {
        var rows: [(line: Int, cells: [String])] = []
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var afterQuote = false
        var line = 1
        var rowStart = 1
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        func finishRow() {
            cells.append(cell)
            if !(cells.count == 1 && cells[0].isEmpty) { rows.append((rowStart, cells)) }
            cells = []
            cell = ""
        }
        while let scalar = pending, rows.count < stopAfter {
            pending = iterator.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        cell.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where cell.isEmpty && !afterQuote:
                quoted = true
            case ",":
                cells.append(cell)
                cell = ""
                afterQuote = false
            case "\r" where pending == "\n":
                continue
            case "\n", "\r":
                finishRow()
                afterQuote = false
                line += 1
                rowStart = line
            default:
                guard !afterQuote else { throw .invalid("第\(line)行：引号后只能是逗号或换行", field: "file") }
                cell.unicodeScalars.append(scalar)
            }
        }
        guard rows.count < stopAfter else { return rows }
        guard !quoted else { throw .invalid("第\(rowStart)行：引号没有闭合", field: "file") }
        if !cell.isEmpty || !cells.isEmpty { finishRow() }
        return rows
    }
}

extension CSVTable {
    /// The text of an uploaded CSV file: UTF-8 (with or without a byte-order mark), or else
    /// GB18030, which includes GBK: what Excel in Chinese writes for "CSV (逗号分隔)", the
    /// choice most unit admins make. Nil when it is neither (a spreadsheet, an image).
    /// GBK text is practically never valid UTF-8, so trying UTF-8 first does not misread it.
    public static func text(of bytes: [UInt8]) -> String? {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return gb18030(bytes)
    }

    /// `bytes` converted from GB18030 by glibc's iconv, or nil if they are not GB18030 whole.
    static func gb18030(_ bytes: [UInt8]) -> String? {
        guard let converter = iconv_open("UTF-8", "GB18030"), Int(bitPattern: converter) != -1 else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        // A GB18030 character is 1, 2 or 4 bytes; its UTF-8 form at most 4 (and 3 for two).
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 4)
        var inputLeft = input.count, outputLeft = output.count
        let converted = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inputPointer = inputBuffer.baseAddress, outputPointer = outputBuffer.baseAddress
                return iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
            }
        }
        guard converted != size_t.max, inputLeft == 0 else { return nil }
        return String(validating: output.prefix(output.count - outputLeft).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
