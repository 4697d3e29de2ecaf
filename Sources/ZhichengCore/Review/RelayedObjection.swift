/// An objection a person of a city lodged against the province's result while it stood in
/// public notice (公示) in the city, as the province records it on arrival. The city checked
/// the deadline when it was lodged; what the province decides is which result it concerns.
public enum RelayedObjection {
    /// What the province's evaluation was when the objection arrived.
    public enum Evaluation: Sendable, Equatable {
        /// No result yet (one was set aside), or a result in public notice.
        case pending, publicity
        /// The office confirmed the result.
        case final
    }

    /// The objection's state on arrival and, unless it is open, the reason it was closed:
    /// - open, for the office to resolve, if the notice it objects to still stands;
    /// - upheld, "评审结果已撤销", if that result was set aside since (as the other open
    ///   objections are when one is upheld);
    /// - late, "结果确认后送达", if the office confirmed that result before it arrived:
    ///   kept for the office to see, and it changes nothing.
    public static func arrival(_ evaluation: Evaluation, sameNotice: Bool) -> (state: String, reason: String?) {
        switch (evaluation, sameNotice) {
        case (.publicity, true): ("open", nil)
        case (.final, true): ("late", "结果确认后送达")
        default: ("upheld", "评审结果已撤销")
        }
    }
}
