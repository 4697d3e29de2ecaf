// Henan's administrative divisions (GB/T 2260): the province, its cities and
// Zhengzhou's districts (source: shared/data/henan-divisions.csv), plus 省直 (4199).

/// One row of the GB/T 2260 division table.
public struct Division: Sendable, Hashable {
    /// The six-digit code, e.g. `410104`.
    public let code: String
    public let name: String
    /// The six-digit code of the parent division, nil for the province.
    public let parent: String?
}

extension Division {
    /// Every division the product knows, province first.
    public static let henan: [Division] = [
        Division(code: "410000", name: "河南省", parent: nil),
        Division(code: "410100", name: "郑州市", parent: "410000"),
        Division(code: "410102", name: "中原区", parent: "410100"),
        Division(code: "410103", name: "二七区", parent: "410100"),
        Division(code: "410104", name: "管城回族区", parent: "410100"),
        Division(code: "410105", name: "金水区", parent: "410100"),
        Division(code: "410106", name: "上街区", parent: "410100"),
        Division(code: "410108", name: "惠济区", parent: "410100"),
        Division(code: "410122", name: "中牟县", parent: "410100"),
        Division(code: "410181", name: "巩义市", parent: "410100"),
        Division(code: "410182", name: "荥阳市", parent: "410100"),
        Division(code: "410183", name: "新密市", parent: "410100"),
        Division(code: "410184", name: "新郑市", parent: "410100"),
        Division(code: "410185", name: "登封市", parent: "410100"),
        Division(code: "410200", name: "开封市", parent: "410000"),
        Division(code: "410300", name: "洛阳市", parent: "410000"),
        Division(code: "410400", name: "平顶山市", parent: "410000"),
        Division(code: "410500", name: "安阳市", parent: "410000"),
        Division(code: "410600", name: "鹤壁市", parent: "410000"),
        Division(code: "410700", name: "新乡市", parent: "410000"),
        Division(code: "410800", name: "焦作市", parent: "410000"),
        Division(code: "410900", name: "濮阳市", parent: "410000"),
        Division(code: "411000", name: "许昌市", parent: "410000"),
        Division(code: "411100", name: "漯河市", parent: "410000"),
        Division(code: "411200", name: "三门峡市", parent: "410000"),
        Division(code: "411300", name: "南阳市", parent: "410000"),
        Division(code: "411400", name: "商丘市", parent: "410000"),
        Division(code: "411500", name: "信阳市", parent: "410000"),
        Division(code: "411600", name: "周口市", parent: "410000"),
        Division(code: "411700", name: "驻马店市", parent: "410000"),
        Division(code: "419001", name: "济源市", parent: "410000"),
        // Not in GB/T 2260: the title office of the units directly under the province (省直),
        // which SPEC §3 makes a tenant like a city's. 4199 lies in the province's block for
        // directly administered divisions (4190…), where no division has it.
        Division(code: "419900", name: "省直", parent: "410000"),
    ]
}
