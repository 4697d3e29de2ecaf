import Foundation
import ZhichengCore
import ZhichengStorage

/// A result standing in public notice, as every signed-in account of the tenant sees it.
public struct PublicNotice: Sendable {
    public var target: EvaluationTarget
    public var committee: String
    public var applicantName: String
    public var unitName: String
    public var series: String
    public var level: String
    public var title: String
    public var result: String
    public var publicityUntil: Double
    /// The province's result on an application of this city: objections go on to the province.
    public var byProvince: Bool

    /// Where a notice stands in the list (ending first first): a page starts after one.
    /// `kind`: 0 a result on the city's own application, 1 on one the province received,
    /// 2 the province's result on the city's application; `id` that application's.
    public struct Position: Sendable, Equatable {
        public var until: Double
        public var kind: Int
        public var id: Int

        public init(until: Double, kind: Int, id: Int) { (self.until, self.kind, self.id) = (until, kind, id) }

        /// As a link carries it: `<until>_<kind>_<id>`; nil for anything else.
        public init?(_ text: String) {
            let parts = text.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 3, let until = Double(parts[0]), until.isFinite, let kind = Int(parts[1]), (0...2).contains(kind),
                  let id = Int(parts[2]) else { return nil }
            self.init(until: until, kind: kind, id: id)
        }

        public var text: String { "\(until)_\(kind)_\(id)" }
    }

    public var position: Position {
        switch target {
        case .application(let id): Position(until: publicityUntil, kind: byProvince ? 2 : 0, id: id)
        case .received(let id): Position(until: publicityUntil, kind: 1, id: id)
        }
    }
}
