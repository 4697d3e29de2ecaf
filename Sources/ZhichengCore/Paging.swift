/// The size of one page of a list, and how a page is cut from what was read.
///
/// A page is read one row longer than it is shown: that row, never shown, says whether
/// another page follows, without counting the whole list. The next page starts after
/// (or before, newest first) the cursor of the last row shown.
public struct Paging: Sendable, Equatable {
    /// Rows shown on the page, within `1...maximum` of the one asked for.
    public let size: Int

    /// `requested` brought within `1...maximum`.
    public init(_ requested: Int, maximum: Int) {
        size = Self.clamp(requested, maximum: maximum)
    }

    /// A page size brought within `1...maximum`: a list is never read whole, nor empty,
    /// because somebody asked for 0 rows or a million.
    public static func clamp(_ requested: Int, maximum: Int) -> Int {
        max(1, min(requested, maximum))
    }

    /// How many rows to read: one more than shown.
    public var rowsToRead: Int { size + 1 }

    /// The rows to show of `read` (read with `rowsToRead`), and the cursor of the next
    /// page when there is one: `cursor` of the last row shown.
    public func cut<Row, Cursor>(_ read: [Row], cursor: (Row) -> Cursor) -> (rows: [Row], next: Cursor?) {
        guard read.count > size else { return (read, nil) }
        let shown = Array(read.prefix(size))
        return (shown, shown.last.map(cursor))
    }
}
