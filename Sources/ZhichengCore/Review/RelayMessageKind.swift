/// Every kind of message one tenant sends another through the relay (the `kind` of an
/// outbox and an inbox row), by the name it travels under. The switches over it are
/// exhaustive, so a new kind must say, where it is added, what text of it is held on arrival
/// (`RelayedText.rules`), whether it answers about a city's application (`isAnswer`), and how
/// it is applied (`CrossTenantRelay.apply`).
public enum RelayMessageKind: String, Sendable, CaseIterable {
    /// A city hands an application over to the province (again, after a return).
    case forward = "application.forward"
    /// The province took a hand-over in.
    case received = "application.received"
    /// A step of the province office's review (its 经办人 or 负责人).
    case provinceReview = "application.province-review"
    /// The province office returned the application to its applicant.
    case returned = "application.returned"
    /// The province office's review ended in 未通过.
    case provinceRejected = "application.province-rejected"
    /// The province admitted an expert recommendation to its 专家信息库.
    case provinceAdmitted = "application.province-admitted"
    /// The province committee's interview notice.
    case interview = "application.interview"
    /// A result entering its 公示.
    case publicity = "application.publicity"
    /// A result taken out of its 公示 (an objection upheld).
    case publicityWithdrawn = "application.publicity-withdrawn"
    /// The final result.
    case result = "application.result"
    /// An objection lodged in a city against a province result.
    case objectionLodge = "objection.lodge"
    /// The province resolved such an objection.
    case objectionResolved = "objection.resolved"
    /// A city unit's new name.
    case orgRenamed = "org.renamed"
    /// A city applicant's corrected name.
    case applicantRenamed = "applicant.renamed"
    /// A city applicant moved to another unit of the city.
    case applicantMoved = "applicant.moved"
    /// A city applicant withdrew an application the province office had returned to them.
    case withdrawn = "application.withdrawn"

    /// Whether it is the province's answer about a city's application: applied only while the
    /// city still waits for the province on that application.
    public var isAnswer: Bool {
        switch self {
        case .received, .provinceReview, .returned, .provinceRejected, .provinceAdmitted, .interview, .publicity,
             .publicityWithdrawn, .result:
            true
        case .forward, .objectionLodge, .objectionResolved, .orgRenamed, .applicantRenamed, .applicantMoved, .withdrawn:
            false
        }
    }
}
