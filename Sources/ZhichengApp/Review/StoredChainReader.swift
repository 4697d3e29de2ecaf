import ZhichengCore

/// Reads a review chain in exactly the form `ApplicationService.encode` writes it
/// (sorted keys, no white space) without a JSON parser: the chain is read on every
/// decision. Returns nil for any other spelling; the caller then parses it as JSON.
struct StoredChainReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    static func read(_ text: String) -> (route: [Int], endsInProvince: Bool, position: Int, stage: ReviewStage,
                                         state: ApplicationState, handlerDecider: Int?, reviewed: Bool)? {
        var text = text
        return text.withUTF8 { bytes in
            var r = StoredChainReader(bytes: bytes)
            guard r.literal(#"{"endsInProvince":"#), let ends = r.bool() else { return nil }
            var decider: Int?
            if r.literal(#","handlerDecider":"#) {
                guard let value = r.int() else { return nil }
                decider = value
            }
            guard r.literal(#","position":"#), let position = r.int(),
                  r.literal(#","reviewedSinceSubmission":"#), let reviewed = r.bool(),
                  r.literal(#","route":["#) else { return nil }
            var route: [Int] = []
            repeat {
                guard let id = r.int() else { return nil }
                route.append(id)
            } while r.literal(",")
            guard r.literal(#"],"stage":""#), let stage = r.word().flatMap(ReviewStage.init(rawValue:)),
                  r.literal(#"","state":""#), let state = r.word().flatMap(ApplicationState.init(rawValue:)),
                  r.literal(#""}"#), r.index == bytes.count else { return nil }
            return (route, ends, position, stage, state, decider, reviewed)
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }

    private mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// A non-negative decimal integer of at most 15 digits (ids, positions).
    private mutating func int() -> Int? {
        var value = 0
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), index - start < 15 {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > start ? value : nil
    }

    /// Letters and underscores up to the closing quote (enum raw values).
    private mutating func word() -> String? {
        let start = index
        while index < bytes.count, bytes[index] == UInt8(ascii: "_") || (bytes[index] >= UInt8(ascii: "a") && bytes[index] <= UInt8(ascii: "z")) {
            index += 1
        }
        guard index > start else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }
}
