/// The title series (系列) and the title at each level — the starting catalog
/// from shared/data/title-series.csv. 初级 covers 员级 and 助理级.
public struct TitleCatalog: Sendable {
    /// One series with its titles by level.
    public struct Series: Sendable, Hashable {
        public let name: String
        /// 员级, 助理级, 中级, 副高级, 正高级 (nil where the series has no such title).
        public let titles: [String?]

        /// Titles available at a 申报 level (`初级` has up to two).
        public func titles(at level: TitleLevel) -> [String] {
            switch level {
            case .junior: [titles[0], titles[1]].compactMap { $0 }
            case .intermediate: [titles[2]].compactMap { $0 }
            case .associateSenior: [titles[3]].compactMap { $0 }
            case .senior: [titles[4]].compactMap { $0 }
            }
        }
    }

    public let series: [Series]

    public func series(named name: String) -> Series? { series.first { $0.name == name } }

    /// A series chosen in a list's filter (申报人员状态查询's 系列): trimmed, blank for none (a
    /// GET form sends its empty choice too), else one of the catalog's (invalid, naming `field`).
    public func chosenSeries(_ raw: String?, field: String = "series") throws(ZhichengError) -> String? {
        let name = raw?.trimmingWhitespaceAndNewlines() ?? ""
        guard !name.isEmpty else { return nil }
        guard series(named: name) != nil else { throw .invalid("未知的系列“\(name.prefix(30))”", field: field) }
        return name
    }

    public static let henan = TitleCatalog(series: [
        Series(name: "中小学教师", titles: ["三级教师", "二级教师", "一级教师", "高级教师", "正高级教师"]),
        Series(name: "高等学校教师", titles: [nil, "助教", "讲师", "副教授", "教授"]),
        Series(name: "工程技术人员", titles: ["技术员", "助理工程师", "工程师", "高级工程师", "正高级工程师"]),
        Series(name: "卫生技术人员（医疗类）", titles: ["医士", "医师", "主治医师", "副主任医师", "主任医师"]),
        Series(name: "卫生技术人员（护理类）", titles: ["护士", "护师", "主管护师", "副主任护师", "主任护师"]),
        Series(name: "农业技术人员", titles: ["技术员", "助理农艺师", "农艺师", "高级农艺师", "正高级农艺师"]),
        Series(name: "会计人员", titles: [nil, "助理会计师", "会计师", "高级会计师", "正高级会计师"]),
        Series(name: "经济专业人员", titles: [nil, "助理经济师", "经济师", "高级经济师", "正高级经济师"]),
        Series(name: "统计专业人员", titles: [nil, "助理统计师", "统计师", "高级统计师", "正高级统计师"]),
        Series(name: "审计专业人员", titles: [nil, "助理审计师", "审计师", "高级审计师", "正高级审计师"]),
        Series(name: "新闻专业人员", titles: [nil, "助理记者", "记者", "主任记者", "高级记者"]),
        Series(name: "出版专业人员", titles: [nil, "助理编辑", "编辑", "副编审", "编审"]),
        Series(name: "图书资料专业人员", titles: ["管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"]),
        Series(name: "档案专业人员", titles: ["管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"]),
        Series(name: "群众文化专业人员", titles: [nil, "助理馆员", "馆员", "副研究馆员", "研究馆员"]),
        Series(name: "科学研究人员", titles: [nil, "研究实习员", "助理研究员", "副研究员", "研究员"]),
        Series(name: "实验技术人才", titles: ["实验员", "助理实验师", "实验师", "高级实验师", "正高级实验师"]),
        Series(name: "社会工作专业人员", titles: [nil, "助理社会工作师", "社会工作师", "高级社会工作师", nil]),
    ])
}

/// The four 申报 levels.
public enum TitleLevel: String, Sendable, CaseIterable, Codable {
    case junior = "初级"
    case intermediate = "中级"
    case associateSenior = "副高级"
    case senior = "正高级"

    /// A level chosen in a list's filter (the reviewer's queue, 申报人员状态查询): trimmed, blank
    /// for none (a GET form sends its empty choice too), else one of the four (invalid, naming
    /// `field`).
    public static func chosen(_ raw: String?, field: String = "level") throws(ZhichengError) -> TitleLevel? {
        let text = raw?.trimmingWhitespaceAndNewlines() ?? ""
        guard !text.isEmpty else { return nil }
        guard let level = TitleLevel(rawValue: text) else { throw .invalid("级别应为 初级、中级、副高级 或 正高级", field: field) }
        return level
    }
}
