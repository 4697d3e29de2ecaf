/// What an applicant writes in each section of the application form: the line under the
/// section's heading (the manual names the sections, not what goes in them; this is what a
/// city's title office asks for in each, in the order a reviewer reads it).
extension ApplicationSection {
    public var guidance: String {
        switch self {
        case .basic: "逐项填写下面各栏；民族、政治面貌、工作单位等其他情况写在“其他说明”中。"
        case .education: "下面各栏填写最高学历和学位；其余学历在“其他说明”中从高到低写：起止时间、毕业院校、所学专业、学历、学位。"
        case .work: "按时间顺序：起止年月、工作单位、从事的专业技术工作及所任职务。"
        case .achievements: "任现职以来的主要专业技术工作业绩：项目、成果、所起作用及取得的效益。"
        case .papers: "论文写题目、刊物名称、发表时间、本人排名；著作写书名、出版社、出版时间、本人撰写部分。"
        case .awards: "奖项名称、等级、授奖单位、获奖时间、本人排名。"
        case .appraisals: "任现职以来各年度的考核结果（优秀、合格等）。"
        case .training: "参加继续教育的时间、内容、学时及主办单位。"
        case .attachments: "列出所附材料（学历学位证书、职称证书、论文、获奖证书等）并加以说明；文件本身在下面的“上传附件文件”处上传。"
        }
    }

    /// The heading of the section on the applicant's form: 附件's text is the list of what is
    /// attached, beside the upload of the files themselves, so it is headed 附件说明 there
    /// (the section keeps its name everywhere else: in the API, the trail and a return).
    public var formHeading: String {
        self == .attachments ? "附件说明" : rawValue
    }
}
