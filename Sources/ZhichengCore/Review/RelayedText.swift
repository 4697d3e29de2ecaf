import Foundation

/// The text a message between tenants brings for people to read — a hand-over's sections, the
/// city's opinions and names, the province's comments, reasons and notices, an objection —
/// held on arrival to the rule it was typed under (`FreeText` and the rules of names): its
/// sender checked it when it was typed, but a sender of an older version, a record kept from
/// before a rule existed or a message written into an outbox by hand may carry what the
/// receiver never stores from its own screens (a NUL, a bidi override that shows an opinion
/// backwards). A message whose text fails is not applied: the relay keeps it in the inbox as
/// it came, never rewritten (what a person wrote is a record, shown as written or not at
/// all), writes `relay.unapplied` with the fault and logs it, and the messages behind it go on.
public enum RelayedText {
    /// How one piece of a message's text is held.
    public enum Rule: Sendable {
        /// Free text: a comment, a reason, an objection, an interview notice.
        case text(FreeText)
        /// A name: an org's, a person's, a committee's, a title (`TenantInfo.validateName`).
        case name
        /// An expert's specialty (`ApplicationKind.validateSpecialty`).
        case specialty
        /// A hand-over's sections (`SectionSnapshot`): each section's name, then its fields
        /// (`SectionFields`).
        case sections
        /// A hand-over's trail, JSON text of a list of the city's opinions: each one's 意见
        /// (`FreeText.reviewComment`) and the org that gave it (a name).
        case trail
    }

    /// The keys of a message of `kind` that carry text for people, each with its rule; none
    /// for a kind that carries none (`application.received`) or that this build does not know.
    public static func rules(for kind: String) -> [(key: String, rule: Rule)] {
        // Who acted at the province (its office's name) and the committee, on every answer of its.
        let province: [(key: String, rule: Rule)] = [("office", .name), ("committee", .name)]
        guard let kind = RelayMessageKind(rawValue: kind) else { return [] }
        switch kind {
        case .forward:
            return [("applicant_name", .name), ("unit_name", .name), ("title", .name), ("specialty", .specialty),
                    ("sections", .sections), ("trail", .trail)]
        case .received, .withdrawn:
            return []
        case .provinceReview, .returned, .provinceRejected, .provinceAdmitted:
            return province + [("comment", .text(.reviewComment))]
        case .interview:
            return province + [("interview", .text(.interviewNotice))]
        case .publicity, .result:
            // The committee's 说明 with its result (a session's tally); a message without one is valid.
            return province + [("note", .text(.resultNote))]
        case .publicityWithdrawn, .objectionResolved:
            return province + [("reason", .text(.objectionReason))]
        case .objectionLodge:
            return [("text", .text(.objectionText)), ("evidence", .text(.objectionEvidence)), ("lodged_by", .name), ("org_name", .name)]
        case .orgRenamed, .applicantRenamed, .applicantMoved:
            return [("name", .name)]
        }
    }

    /// The keys a message of `kind` may go without (its receiver reads one missing as none): the
    /// committee's 说明 with a result, the office's comment with the step that ends its review
    /// (the step is recorded with its comment empty). A result, or the end of a review, must
    /// reach the city whatever its text says: kept unapplied, the application would wait for the
    /// province for good, as nothing re-applies a message kept in an inbox.
    static func optionalKeys(for kind: String) -> Set<String> {
        switch RelayMessageKind(rawValue: kind) {
        case .publicity, .result: ["note"]
        case .provinceRejected, .provinceAdmitted: ["comment"]
        default: []
        }
    }

    /// `payload` without an optional text the receiver's rules refuse (typed before the rule it
    /// is held to now): a sender leaves it out, and a receiver reads it so (a message an earlier
    /// version sent, already in an outbox), where it would keep the whole message unapplied, the
    /// result with it, for good. Anything else is as given, to be held to `refusal`.
    public static func withoutRefusedOptionalText(kind: String, payload: [String: Any]) -> [String: Any] {
        var sent = payload
        let optional = optionalKeys(for: kind)
        for (key, rule) in rules(for: kind) where optional.contains(key) {
            guard let value = payload[key] as? String, !FreeText.isBlank(value) else { continue }
            do { try check(value, rule) } catch { sent[key] = nil }
        }
        return sent
    }

    /// Why the text of a message of `kind` cannot be taken in: the first fault in its keys'
    /// order, in the receiver's words (a character by its code point, never itself), with the
    /// key as `field`; nil when it can. A key that is missing, blank or not text is not this
    /// rule's to judge: each message reads it as it always has (a default, or malformed).
    public static func refusal(kind: String, payload: [String: Any]) -> ZhichengError? {
        for (key, rule) in rules(for: kind) {
            guard let value = payload[key] as? String, !FreeText.isBlank(value) else { continue }
            do {
                try check(value, rule)
            } catch {
                return ZhichengError(error.code, error.message, field: key)
            }
        }
        return nil
    }

    /// Where a name's fault is said (the rules of names have no label of their own).
    static func named(_ label: String) -> FreeText { FreeText(field: "name", label: label, maxCharacters: 64, lines: .single) }

    /// Each piece is held to its rule and, first, refused for what the rule would drop unsaid
    /// from what is typed (`FreeText.requireNoFormatAtEnds`): a sender keeps text without it, so
    /// one that arrives with a bidi override at its end was not kept by a sender's screens.
    private static func check(_ value: String, _ rule: Rule) throws(ZhichengError) {
        switch rule {
        case .text(let text):
            try text.requireNoFormatAtEnds(value)
            _ = try text.validate(value)
        case .name:
            try named("名称").requireNoFormatAtEnds(value)
            _ = try TenantInfo.validateName(value)
        case .specialty:
            try named("专业").requireNoFormatAtEnds(value)
            _ = try ApplicationKind.validateSpecialty(value)
        case .sections:
            // In name order, so that of several faults the same one is named every time.
            for (name, fields) in SectionSnapshot.sections(value).sorted(by: { $0.key < $1.key }) {
                try FreeText.sectionName.requireNoFormatAtEnds(name)
                _ = try FreeText.sectionName.require(name, else: "申报内容的名称不能为空")
                for field in fields.keys.sorted() { try named("“\(name)”的字段名").requireNoFormatAtEnds(field) }
                // The typed fields as the applicant's save held them (64 KiB at most); the files'
                // names, listed beside them, were checked at upload, and below for their ends.
                _ = try SectionFields.validated(fields.filter { $0.key != SectionSnapshot.filesField }, sectionNamed: name)
                // Its names are now known to be clean, fit to name a value in a message.
                for (field, text) in fields.sorted(by: { $0.key < $1.key }) { try named("“\(name)”的“\(field)”").requireNoFormatAtEnds(text) }
            }
        case .trail:
            let entries = (try? JSONSerialization.jsonObject(with: Data(value.utf8))) as? [[String: Any]] ?? []
            for entry in entries {
                if let org = entry["org"] as? String, !FreeText.isBlank(org) {
                    try named("名称").requireNoFormatAtEnds(org)
                    _ = try TenantInfo.validateName(org)
                }
                let comment = entry["comment"] as? String ?? ""
                try FreeText.reviewComment.requireNoFormatAtEnds(comment)
                _ = try FreeText.reviewComment.validate(comment)
            }
        }
    }
}
