/// What a signed-in account is.
public enum AccountKind: String, Sendable, Codable {
    /// 系统管理员 of an org (login = the org's code).
    case orgAdmin = "org_admin"
    /// 本单位人员: handlers and leaders.
    case staff
    /// 申报人 (login = ID-card number).
    case applicant
}

/// Review roles a staff account can hold (设置角色).
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    /// 经办人
    case handler
    /// 负责人
    case leader

    public var label: String { self == .handler ? "经办人" : "负责人" }

    public static func parse(_ raws: [String]) throws(ZhichengError) -> [StaffRole] {
        var out: [StaffRole] = []
        for raw in raws {
            guard let role = StaffRole(rawValue: raw) else {
                throw .invalid("角色应为 handler（经办人）或 leader（负责人），不是 \(raw.prefix(20))", field: "roles", screen: "请选择角色：经办人或负责人")
            }
            if !out.contains(role) { out.append(role) }
        }
        return out
    }
}

/// The sections (内容) of an application, in order.
public enum ApplicationSection: String, Sendable, CaseIterable, Codable {
    case basic = "基本信息"
    case education = "学历学位"
    case work = "工作经历"
    case achievements = "业绩成果"
    case papers = "论文著作"
    case awards = "获奖情况"
    case appraisals = "年度考核"
    case training = "继续教育"
    case attachments = "附件"

    /// Section names in the order of the application form (基本信息 first), any name this
    /// build does not know (a later build's, a plugin's) after them, sorted.
    public static func ordered(_ names: some Sequence<String>) -> [String] {
        let rank = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1.rawValue, $0) })
        return Set(names).sorted { a, b in
            switch (rank[a], rank[b]) {
            case let (x?, y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a < b
            }
        }
    }
}

/// Password rules for passwords people choose (one-time passwords are generated).
public enum PasswordPolicy {
    /// The most UTF-8 bytes a chosen password may have.
    public static let maxBytes = 256

    public static func validate(_ password: String, field: String = "new_password") throws(ZhichengError) {
        guard password.count >= 8 else { throw .invalid("新密码至少需要8个字符", field: field) }
        guard password.count <= 128 else { throw .invalid("新密码不能超过128个字符", field: field) }
        // yescrypt reads at most 512 bytes; a limit in characters alone would let 128 emoji through.
        guard password.utf8.count <= maxBytes else { throw .invalid("新密码过长：不能超过\(maxBytes)字节（一个汉字占3字节）", field: field) }
        // crypt(3) stops at a NUL: "Ab1\0zzzz" would be stored as "Ab1".
        guard !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("新密码不能含控制字符（如换行、制表符）", field: field)
        }
        guard password.contains(where: \.isLetter), password.contains(where: \.isNumber) else {
            throw .invalid("新密码须同时包含字母和数字", field: field)
        }
    }
}

/// A login as typed at any door that looks one up (sign-in, the sysadmin's password reset):
/// read the way the account was created. An ID-card number as `IDCardNumber` reads it (full
/// width, blanks, a lower-case x); any other login (a staff login, an org code) with full
/// width read as ASCII and what surrounds it trimmed.
public enum Login {
    public static func normalized(_ raw: String) -> String {
        let number = IDCardNumber.normalized(raw)
        if IDCardNumber.hasShape(number) { return number }
        return raw.foldingFullWidth().trimmingInvisibles()
    }

    /// `login` with ASCII letters in lower case and nothing else changed: two logins are one
    /// login when their foldings are equal, whatever their case (SQLite's `NOCASE`, by which the
    /// accounts are found, folds exactly these; `accounts_login_nocase`, schema v28). Staff logins
    /// are ASCII (`StaffLogin`); ID-card numbers and org codes have no letter but an upper-case X,
    /// so only staff logins ever differ by case.
    public static func folded(_ login: String) -> String {
        String(String.UnicodeScalarView(login.unicodeScalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
    }

    /// The account a typed login names, among `candidates`: the live accounts whose login
    /// equals it ignoring case (`folded`). The one whose login is exactly as typed, if any
    /// (two logins differing only by case, made before logins were one whatever their case,
    /// each keep working as they are); else the only one; none when several differ from it only
    /// by case (`ambiguous`: a sign-in by such a form is refused as a wrong password is, the
    /// sysadmin's reset is told which logins it could be).
    public static func match<Candidate>(_ typed: String, among candidates: [Candidate], login: (Candidate) -> String) -> Match<Candidate> {
        if let exact = candidates.first(where: { login($0) == typed }) { return .one(exact) }
        let folded = Self.folded(typed)
        let alike = candidates.filter { Self.folded(login($0)) == folded }
        switch alike.count {
        case 0: return .none
        case 1: return .one(alike[0])
        default: return .ambiguous(alike)
        }
    }

    /// What `match` found.
    public enum Match<Candidate> {
        case one(Candidate)
        /// Several differ from the typed login only by case, none is it exactly.
        case ambiguous([Candidate])
        case none

        /// The account found, if one is.
        public var found: Candidate? {
            if case .one(let candidate) = self { return candidate }
            return nil
        }
    }
}

/// Staff logins: 3–32 of letters, digits, `.`, `_`, `-`, kept as typed (`Zhang.Wei`) but one
/// login whatever the case it is typed in: a login that differs from an existing one only by
/// case is taken (`Login.folded`).
public enum StaffLogin {
    public static func validate(_ login: String, field: String = "login") throws(ZhichengError) -> String {
        let text = Login.normalized(login)
        guard (3...32).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw .invalid("登录名应为3至32位字母、数字或 . _ -", field: field)
        }
        return text
    }
}
