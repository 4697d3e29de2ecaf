import Foundation
import ZhichengCore
import ZhichengStorage

/// What a reviewer narrows their queue to (经办人审查, 负责人审查, 专家推荐审查, `GET reviews/queue`):
/// the applications whose applicant's or unit's name holds `text` (taken literally: `%` and `_`
/// are no wildcards), of one `level`, one `kind` (职称申报 or 专家推荐) and one `series`. A city
/// office's reviewers may have hundreds waiting and look for the one a unit telephoned about; a
/// unit's and a 主管单位's reviewers take expert recommendations apart (manual §10, 专家推荐审查).
public struct QueueSearch: Sendable, Equatable {
    /// Trimmed; "" for no text.
    public private(set) var text = ""
    public private(set) var level: TitleLevel?
    /// 职称申报 or 专家推荐 alone; nil for both.
    public private(set) var kind: ApplicationKind?
    /// A series of the catalog. It narrows the reviewer's own series (`QueueFilter`) rather than
    /// adding a condition: a series they do not review finds nothing.
    public private(set) var series: String?

    /// No narrowing: the whole queue.
    public static let all = QueueSearch()

    private init() {}

    /// From what was typed and chosen: text up to 40 characters (400 `q` beyond), a level of
    /// the four (400 `level` otherwise), `title` or `expert` (400 `kind` otherwise), a series of
    /// the catalog (400 `series` otherwise); blank for any of them is none (a GET form sends
    /// every field, chosen or not).
    public init(text rawText: String?, level rawLevel: String?, kind rawKind: String? = nil, series rawSeries: String? = nil) throws(ZhichengError) {
        text = try ApplicationService.searchText(rawText, field: "q", what: "查询的申报人或单位名称")
        level = try TitleLevel.chosen(rawLevel)
        let kindText = rawKind?.trimmingWhitespaceAndNewlines() ?? ""
        if !kindText.isEmpty {
            guard let kind = ApplicationKind(rawValue: kindText) else {
                throw ZhichengError.invalid("kind 应为 title（职称申报）或 expert（专家推荐）", field: "kind", screen: "类别应为职称申报或专家推荐")
            }
            self.kind = kind
        }
        // The rule of every other form that names a series: one of the catalog's.
        series = try TitleCatalog.henan.chosenSeries(rawSeries)
    }

    public var isAll: Bool { self == .all }

    /// The condition added to the queue's (both name columns are in the row the queue reads;
    /// the series is not here: it narrows the queue's own `series IN (…)`, see `QueueFilter`).
    /// The kind is not in the covering index `applications_queue`: a kind filter reads the
    /// table for each row the walk meets (a deferred seek), which only a search for a kind pays
    /// for; the unnarrowed page still reads nothing but the index.
    var sql: String {
        (text.isEmpty ? "" : " AND (applicant_name LIKE ? ESCAPE '\\' OR unit_name LIKE ? ESCAPE '\\')") + (level == nil ? "" : " AND level = ?")
            + (kind == nil ? "" : " AND kind = ?")
    }

    /// `sql`'s arguments, in its order.
    var arguments: [any SQLiteBindable] {
        let pattern = ApplicationService.containing(text)
        return (text.isEmpty ? [] : [pattern, pattern]) + (level.map { [$0.rawValue] } ?? []) + (kind.map { [$0.rawValue] } ?? [])
    }
}

/// One line of a reviewer's queue.
public struct QueueItem: Sendable {
    public var id: Int
    public var applicantName: String
    /// The applicant's unit (单位), where the application started.
    public var unitName: String
    public var series: String
    public var level: String
    public var title: String
    public var stage: ReviewStage
    public var submissions: Int
    public var version: Int
    /// 职称申报 or 专家推荐; nil when the page was read without it (`QueueRows.kinds`).
    public var kind: ApplicationKind?
    /// The application's 年度, read with the kind (`QueueRows.kinds`: the same look-up of the
    /// table, which the covering index does not hold either); nil without it.
    public var year: Int? = nil
    /// An expert recommendation of someone the province's 专家信息库 holds already. Read for
    /// the screens' page only (`queueWithCount`), as `ApplicationView.inExpertLibrary`.
    public var inExpertLibrary = false
    /// Whether it comes to the reviewer's org 重新提交: the org reviewed an earlier submission
    /// (`ReviewChain.isResubmission`). Read for the screens' page only (`queueWithCount`).
    public var resubmittedHere = false
}

/// The rows of one queue page, read in order by `forEach` (once, inside the `page`
/// closure of `ApplicationService.queue(caller:limit:after:page:)`).
public struct QueueRows {
    let conn: SQLiteConnection?
    let sql: String
    let arguments: [any SQLiteBindable]
    /// Whether the rows have each application's kind and 年度 (`QueueRow.kind`, `year`), which
    /// the covering index does not hold: read for the screens, not for the API's page.
    var kinds = false
    /// The count of the same queue (`queueSQL(…counting: true)`) and its arguments.
    var countSQL = ""
    var countArguments: [any SQLiteBindable] = []

    public func forEach(_ body: (QueueRow) throws -> Void) throws {
        guard let conn else { return }
        try conn.forEachRow(sql, arguments) { try body(QueueRow(cursor: $0, hasKind: kinds)) }
    }

    /// The page's rows as `QueueItem`s.
    public func items() throws -> [QueueItem] {
        var items: [QueueItem] = []
        try forEach { items.append($0.item) }
        return items
    }

    /// `items` with `resubmittedHere` set: the submissions the org `org` decided on, read in
    /// one query for the page's resubmitted applications alone (few: a first submission needs none).
    public func resubmittedHere(_ items: [QueueItem], org: Int) throws -> [QueueItem] {
        let again = items.filter { $0.submissions > 1 }.map(\.id)
        guard let conn, !again.isEmpty else { return items }
        var reviewed: [Int: [Int]] = [:]
        for row in try conn.query("""
            SELECT application_id, submission FROM decisions WHERE org_id = ? AND application_id IN (\(again.map { _ in "?" }.joined(separator: ", ")))
            """, [org] + again) {
            reviewed[row["application_id"].int ?? 0, default: []].append(row["submission"].int ?? 0)
        }
        return items.map { item in
            var item = item
            item.resubmittedHere = ReviewChain.isResubmission(item.submissions, reviewedHere: reviewed[item.id] ?? [])
            return item
        }
    }

    /// The ID-card number of the applicant of each of `ids` (`ExpertService.idNumber(ofLogin:)`).
    public func persons(of ids: [Int]) throws -> [Int: String] {
        guard let conn, !ids.isEmpty else { return [:] }
        return Dictionary(try conn.query("""
            SELECT a.id, p.login FROM applications a JOIN accounts p ON p.id = a.applicant_id WHERE a.id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))
            """, ids).map { ($0["id"].int ?? 0, ExpertService.idNumber(ofLogin: $0["login"].string ?? "")) }, uniquingKeysWith: { a, _ in a })
    }

    /// How many wait in this queue over all its pages, read in the same transaction as
    /// the page (a screen's 共 N 件 agrees with the rows it shows).
    public func waiting() throws -> Int {
        guard let conn else { return 0 }
        return try conn.scalar(countSQL, countArguments)?.int ?? 0
    }
}

/// One row of a queue page, valid only inside the `forEach` call it is passed to.
public struct QueueRow {
    let cursor: SQLiteCursor
    let hasKind: Bool

    /// The text columns of a queue row, read as bytes with `withText`.
    public enum Text: Int32 {
        case series = 1, level = 2, title = 3, applicantName = 7, unitName = 8
    }

    public var id: Int { cursor.int(0) }
    public var stage: ReviewStage {
        cursor.withText(4) { $0.elementsEqual(ReviewStage.leader.rawValue.utf8) ? .leader : .handler }
    }
    public var submissions: Int { cursor.int(5) }
    public var version: Int { cursor.int(6) }
    /// The application's kind, when the page was read with it (`QueueRows.kinds`).
    public var kind: ApplicationKind? {
        hasKind ? cursor.withText(9) { $0.elementsEqual(ApplicationKind.expert.rawValue.utf8) ? .expert : .title } : nil
    }
    /// The application's 年度, read with its kind.
    public var year: Int? { hasKind ? cursor.int(10) : nil }

    /// A text column's UTF-8 bytes as stored (see `SQLiteCursor.withText`).
    public func withText<R>(_ column: Text, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try cursor.withText(column.rawValue, body)
    }

    /// The row as a `QueueItem`.
    public var item: QueueItem {
        QueueItem(id: id, applicantName: cursor.string(Text.applicantName.rawValue), unitName: cursor.string(Text.unitName.rawValue), series: cursor.string(Text.series.rawValue),
                  level: cursor.string(Text.level.rawValue), title: cursor.string(Text.title.rawValue), stage: stage,
                  submissions: submissions, version: version, kind: kind, year: year)
    }
}

/// One of a reviewer's own decisions, as 已审查 lists it.
public struct ReviewedItem: Sendable {
    public var decisionID: Int
    public var applicationID: Int
    /// 职称申报 or 专家推荐.
    public var kind: ApplicationKind
    public var applicantName: String
    public var unitName: String
    public var series: String
    public var level: String
    public var title: String
    /// The step the reviewer decided at, and what they decided.
    public var stage: ReviewStage
    public var decision: ReviewDecision
    public var comment: String
    public var at: Double
    /// Where the application stands now, as 申报人员状态查询 says it.
    public var standing: String
    /// Whether the reviewer may open the application now.
    public var readable: Bool
    /// For a step of the province office on an application a city handed over: its kind
    /// (`applicationID` is then the province's id of it); nil for the tenant's own.
    public var receivedKind: ApplicationKind? = nil
}
