import Foundation
import ZhichengCore
import ZhichengStorage

/// A written objection lodged during 公示.
public struct ObjectionRecord: Sendable {
    public var id: Int
    /// Who lodged it, as they were named when they did (one from a city: the person and their
    /// org there); an objection written before it kept the name: the account's name now.
    public var lodgedBy: String
    public var text: String
    public var evidence: String
    /// open, upheld or dismissed.
    public var state: String
    public var reason: String?
    public var createdAt: Double
    /// Its evidence files (证据材料), in the order they were sent.
    public var files: [ObjectionFileInfo] = []
}

/// One evidence file of an objection, as lists name it (its bytes are served apart:
/// `EvaluationService.objectionFile`).
public struct ObjectionFileInfo: Sendable, Equatable {
    /// Its id, to open it; nil for a file sent on to the province with an objection, whose
    /// bytes the city does not keep.
    public var id: Int?
    public var name: String
    public var mime: String
    public var size: Int
}

/// An objection as the person who lodged it sees it: what it was against, and how it stands.
public struct OwnObjection: Sendable {
    public var applicantName: String
    public var title: String
    public var committee: String
    public var text: String
    public var evidence: String
    public var state: ObjectionState
    /// The office's reason once resolved (or why it was closed on arrival).
    public var reason: String?
    public var createdAt: Double
    public var resolvedAt: Double?
    /// Sent on to the province (its committee's result); resolved there.
    public var toProvince: Bool
    /// The objection's id in this tenant; nil for one sent on to the province.
    public var id: Int? = nil
    /// The evidence files sent with it: those of an objection of this tenant with their ids
    /// (its author may open them), those sent to the province by name only.
    public var files: [ObjectionFileInfo] = []
}
