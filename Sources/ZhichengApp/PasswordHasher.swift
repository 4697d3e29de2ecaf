import CCrypt
import Synchronization
import ZhichengCore
import ZhichengStorage

/// Hashes and verifies passwords with yescrypt (libxcrypt's `$y$`, stronger than
/// bcrypt), off the caller's thread: hashing is deliberately slow.
public struct PasswordHasher: Sendable {
    /// The libxcrypt cost parameter; 0 picks the library's recommended default.
    public var cost: UInt
    /// A hash takes ~16 ms of CPU and yescrypt's memory: at most one per core at a time, on
    /// threads of its own (see `BlockingWork`), so a burst of sign-ins cannot hold the
    /// threads that serve every other request.
    private static let work = BlockingWork(label: "zhicheng.password-hasher")

    /// How many password checks may be under way at once (running or waiting for a hasher
    /// thread), in the process and for one tenant.
    public struct Admission: Sendable, Equatable {
        public var total: Int
        public var perTenant: Int

        /// `total` checks, three quarters of them for one tenant (so a flood at one city
        /// leaves the others room).
        public init(total: Int = 256) {
            self.init(total: total, perTenant: total * 3 / 4)
        }

        /// Limits set apart (tests: a tenant's share small, the whole large enough that other
        /// tests' checks in the same process never reach it).
        public init(total: Int, perTenant: Int) {
            self.total = max(1, total)
            self.perTenant = max(1, min(perTenant, self.total))
        }
    }

    /// Checks beyond these are refused (503) instead of waiting: sign-ins with unknown logins
    /// cost ~200 bytes to send and ~16 ms of CPU each, and an unbounded queue let a flood
    /// delay every tenant's sign-ins without end while its waiting connections filled
    /// `http.max_connections`. 256 is about two seconds of queue on two cores: a morning's
    /// rush of real people waits, a flood does not pile up (`limits.password_checks_queued`).
    public var admission: Admission

    public init(cost: UInt = 0, admission: Admission = .init()) {
        self.cost = cost
        self.admission = admission
    }

    /// Checks under way now, process-wide (whatever the limits of the hasher that admitted them).
    private static let underWay = Mutex<(total: Int, byTenant: [String: Int])>((0, [:]))

    /// How many checks of `tenant` are admitted now (for tests and status).
    static func admittedNow(tenant: String) -> Int { underWay.withLock { $0.byTenant[tenant] ?? 0 } }

    /// Runs `body` (a password check, with what it counts) as one admitted check of `tenant`,
    /// or refuses it (`unavailable`) before anything in it is done.
    public func admitted<T>(tenant: String, _ body: () async throws -> T) async throws -> T {
        let limits = admission
        let admitted = Self.underWay.withLock { state -> Bool in
            guard state.total < limits.total, state.byTenant[tenant, default: 0] < limits.perTenant else { return false }
            state.total += 1
            state.byTenant[tenant, default: 0] += 1
            return true
        }
        guard admitted else { throw ZhichengError(.unavailable, "登录的人太多，请稍后再试") }
        defer {
            Self.underWay.withLock { state in
                state.total -= 1
                let left = state.byTenant[tenant, default: 1] - 1
                state.byTenant[tenant] = left > 0 ? left : nil
            }
        }
        return try await body()
    }

    /// A new salted hash of `password`.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await Self.offload { try Self.hashSync(password, cost: cost) }
    }

    /// True when `password` matches `stored`. A password that cannot match (one with a NUL,
    /// or longer than crypt(3) takes: no password was ever set so) is false, as any wrong
    /// one, for a real login and a made-up one alike; a check that could not be made (a stored hash libxcrypt cannot read, its
    /// memory refused) throws `internal`: it is not the user's wrong password, to be counted
    /// towards a lock-out without a word in the log.
    public func verify(_ password: String, against stored: String) async throws -> Bool {
        guard !password.utf8.contains(0), password.utf8.count < Int(CRYPT_MAX_PASSPHRASE_SIZE) else { return false }
        return try await Self.offload { try Self.crypt(password, setting: stored) == stored }
    }

    static func hashSync(_ password: String, cost: UInt) throws -> String {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$y$", cost, nil, 0, &setting, Int32(setting.count)) != nil else {
            throw ZhichengError.internal("cannot make a password salt")
        }
        return try crypt(password, setting: String(decoding: setting.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private static func crypt(_ password: String, setting: String) throws -> String {
        // crypt(3) would read only up to a NUL: never hash or verify a cut password.
        guard !password.utf8.contains(0) else { throw ZhichengError.invalid("密码不能含控制字符", field: "password") }
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        data.initialize(to: crypt_data())
        guard let result = crypt_rn(password, setting, data, Int32(MemoryLayout<crypt_data>.size)) else {
            throw ZhichengError.internal("password hashing failed")
        }
        let hash = String(cString: result)
        guard !hash.hasPrefix("*") else { throw ZhichengError.internal("password hashing failed") }
        return hash
    }

    private static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await work.run(body)
    }
}

/// One-time passwords shown once to a person: 12 characters without look-alikes
/// (no 0/O, 1/l/I), from the system's CSPRNG.
public enum OneTimePassword {
    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")

    public static func generate(length: Int = 12) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }
}
