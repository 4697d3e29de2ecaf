import ZhichengAdminProtocol

/// Typed access to a request's `args`; a missing or wrongly typed field is `bad_request`.
struct AdminArguments {
    let value: JSONValue

    func string(_ key: String) throws(AdminError) -> String {
        guard let field = value[key] else { throw AdminError(code: .badRequest, message: "missing argument \(key)") }
        guard let text = field.stringValue else { throw AdminError(code: .badRequest, message: "argument \(key) must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(AdminError) -> String? {
        guard let field = value[key], field != .null else { return nil }
        guard let text = field.stringValue else { throw AdminError(code: .badRequest, message: "argument \(key) must be a string") }
        return text
    }

    /// A flag: absent or null is false.
    func flag(_ key: String) throws(AdminError) -> Bool {
        guard let field = value[key], field != .null else { return false }
        guard let flag = field.boolValue else { throw AdminError(code: .badRequest, message: "argument \(key) must be true or false") }
        return flag
    }

    func int(_ key: String) throws(AdminError) -> Int {
        guard let field = value[key] else { throw AdminError(code: .badRequest, message: "missing argument \(key)") }
        guard let number = field.intValue else { throw AdminError(code: .badRequest, message: "argument \(key) must be an integer") }
        return number
    }
}
