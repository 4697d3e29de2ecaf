/// Why a step's input JSON cannot be read; the call then fails (the C `call` returns NULL).
public struct StepInputError: Error, Sendable, CustomStringConvertible {
    /// The field at fault, e.g. `application.year`, or `""` for the text as a whole.
    public var field: String
    /// What is wrong with it.
    public var reason: String

    /// An error about `field`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}
