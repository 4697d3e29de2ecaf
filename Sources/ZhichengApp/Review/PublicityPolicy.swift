import Synchronization
import ZhichengCore

/// The public-notice calendar in force, shared by every copy of the service, so that a
/// config reload (new holidays for the year) applies to the next result recorded.
public final class PublicityPolicy: Sendable {
    private let current: Mutex<PublicityCalendar>
    init(_ calendar: PublicityCalendar) { current = Mutex(calendar) }
    public var calendar: PublicityCalendar {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
