import Foundation
import ZhichengCore
import ZhichengStorage

/// An application as the province received it from a city.
public struct ReceivedApplication: Sendable {
    public var id: Int
    public var sourceTenant: String
    public var sourceApplicationID: Int
    public var applicantName: String
    public var unitName: String
    public var year: Int
    public var series: String
    public var level: String
    public var title: String
    public var state: String
    public var receivedAt: Double
}

extension ReceivedApplication {
    /// One row of `received_applications`.
    init(_ r: SQLiteRow) {
        self.init(id: r["id"].int ?? 0, sourceTenant: r["source_tenant"].string ?? "", sourceApplicationID: r["source_application_id"].int ?? 0,
                  applicantName: r["applicant_name"].string ?? "", unitName: r["unit_name"].string ?? "", year: r["year"].int ?? 0,
                  series: r["series"].string ?? "", level: r["level"].string ?? "", title: r["title"].string ?? "",
                  state: r["state"].string ?? "", receivedAt: r["received_at"].double ?? 0)
    }
}

/// One page of the applications the province received (`ApplicationService.received`).
public struct ReceivedPage: Sendable {
    public var items: [ReceivedApplication]
    /// Where the next page starts (`after=next`), nil on the last page.
    public var next: Int?
}

/// An application received from a city, whole: what the city sent with it.
public struct ReceivedApplicationView: Sendable {
    public var application: ReceivedApplication
    public var idNumber: String
    /// Every section as the city's latest submission had it (附件: the files' names).
    public var sections: [String: [String: String]]
    /// Each step of the city's route on that submission.
    public var cityTrail: [CityTrailStep]
    /// The province office's own review steps (none for one handed over before it reviewed).
    public var provinceDecisions: [ProvinceReviewView.Decision]
    /// The files its 附件 names, with what the province holds of each.
    public var files: [ReceivedFile] = []
}

/// A file a received application's 附件 names, as the province lists it: the name and digest
/// the hand-over gave, and what the province holds of it (`received_files`, schema v42).
public struct ReceivedFile: Sendable, Equatable {
    public var name: String
    public var sha256: String
    /// Its size and type once its bytes arrived from the city; nil when they did not (the city
    /// no longer had it when it handed the application over, or it was handed over before
    /// files were copied).
    public var size: Int?
    public var mime: String?

    /// Whether the province holds its bytes (it can be opened).
    public var received: Bool { size != nil }
}
