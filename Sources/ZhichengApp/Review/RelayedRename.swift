import Foundation
import ZhichengCore

/// A city's correction of a name as an `org.renamed` (a unit's) or `applicant.renamed` (a
/// person's) message carries it, read from its payload: the new name, the city's application
/// ids it concerns (`OrgService.rename`, `PeopleService`), and what identifies the unit (its
/// code, for the audit row) or the person (the ID-card number, which every row must match).
/// An `applicant.moved` (人员调动, `PeopleService.acceptMove`) is read so too: the name and code
/// of the unit the person works at now, their expert applications' ids and their number.
/// A payload that lacks one of them, or gives a blank name, is `Malformed`: the relay keeps
/// the message in the inbox without its effect, writes `relay.unapplied` and logs why.
struct RelayedRename: Equatable {
    var name: String
    var applications: [Int]
    var unitCode: String
    var idNumber: String
    /// `org.renamed`: the expert recommendations of people who moved to the unit since
    /// (`expert_application_ids`): their experts take the name, their copies keep their unit.
    var experts: [Int] = []

    /// Why a payload cannot be applied: each fault, in words for the log and the audit row
    /// (field names, never their values: a payload may carry an ID-card number).
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var faults: [String]
        var description: String { faults.joined(separator: "; ") }
    }

    /// Reads the payload of a message of `kind` (`org.renamed`, `applicant.renamed` or `applicant.moved`).
    static func parse(_ kind: String, _ payload: [String: Any]) -> Result<RelayedRename, Malformed> {
        var faults: [String] = []
        let name = CrossTenantRelay.givenName(payload["name"])
        if name == nil { faults.append(Self.fault("name", payload["name"], wants: "text")) }
        var experts: [Int] = []
        if kind == "org.renamed", let given = payload["expert_application_ids"] {
            if let list = Self.ids(given) { experts = list } else {
                faults.append(Self.fault("expert_application_ids", given, wants: "a non-empty list of application ids"))
            }
        }
        // A rename that reaches only people who moved to the unit names none of its own.
        let ownIDs = payload["source_application_ids"]
        let ids = !experts.isEmpty && (ownIDs as? [Any])?.isEmpty == true ? [] : Self.ids(ownIDs)
        if ids == nil { faults.append(Self.fault("source_application_ids", ownIDs, wants: "a non-empty list of application ids")) }
        var code = "", idNumber = ""
        if kind == "applicant.renamed" || kind == "applicant.moved" {
            // Read as the hand-over stored it (`CrossTenantRelay.givenNumber`).
            if let number = CrossTenantRelay.givenNumber(payload["id_number"]) {
                idNumber = number
            } else {
                faults.append(Self.fault("id_number", payload["id_number"], wants: "text"))
            }
        }
        if kind != "applicant.renamed" {
            // `org.renamed`: only named in the audit row (the ids find the unit's applications).
            // `applicant.moved`: the unit the person works at now, by its code (回避 by code).
            code = (payload["unit_code"] as? String)?.trimmingInvisibles() ?? ""
            if kind == "applicant.moved", code.isEmpty { faults.append(Self.fault("unit_code", payload["unit_code"], wants: "text")) }
        }
        guard faults.isEmpty, let name, let ids else { return .failure(Malformed(faults: faults)) }
        return .success(RelayedRename(name: name, applications: ids, unitCode: code, idNumber: idNumber, experts: experts))
    }

    /// The application ids a payload lists: a non-empty array of whole numbers, nil otherwise
    /// (one that is not a number makes the whole list suspect: nothing is renamed by half).
    static func ids(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any], !list.isEmpty else { return nil }
        var ids: [Int] = []
        for item in list {
            guard let number = item as? NSNumber, let id = Int(exactly: number.doubleValue), id > 0 else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// "`field` is missing" / "is blank" / "is not …": what is wrong with one field, without its value.
    private static func fault(_ field: String, _ value: Any?, wants: String) -> String {
        switch value {
        case nil, is NSNull: "\(field) is missing"
        case let text as String where text.trimmingInvisibles().isEmpty: "\(field) is blank"
        default: "\(field) is not \(wants)"
        }
    }
}
