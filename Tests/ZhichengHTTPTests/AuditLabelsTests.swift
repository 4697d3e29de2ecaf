import Foundation
import Testing
@testable import ZhichengHTTP

/// 操作日志's label tables: readable at all (a key given twice in a dictionary literal traps
/// at its first use, i.e. on every 操作日志 page: two branches once labelled one key each), and
/// every detail key a tenant's restore writes, its settlements included, said in Chinese.
@Suite struct AuditLabelsTests {
    @Test func theTablesLoad() {
        #expect(!AuditLabels.detailKeys.isEmpty)
        #expect(!AuditLabels.targets.isEmpty)
    }

    @Test(arguments: ["finished_after_stop", "finished_after_error", "finished_before_resume", "finished_before_next_restore"])
    func aRestoresSettlementIsSaidInChinese(_ key: String) {
        let shown = AuditLabels.detail(#"{"from":"/var/lib/zhicheng/backups/a.sqlite","\#(key)":true}"#)
        #expect(!shown.contains(key), "\(shown)")
        #expect(AuditLabels.detailKeys[key] != nil)
    }

    /// Every key an audit row's detail is written with in Sources (the `detail: #"{…}"#`
    /// literals) has a Chinese label: 操作日志 once showed `inputs_sha256` as it is.
    @Test func everyDetailKeyWrittenInSourcesIsLabelled() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardizedFileURL
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)).compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
        let literal = try NSRegularExpression(pattern: ##"detail: #"\{(.*?)\}"#"##, options: [.dotMatchesLineSeparators])
        let key = try NSRegularExpression(pattern: #""([a-z_0-9]+)":"#)
        var keys = Set<String>()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in literal.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let inner = String(text[Range(match.range(at: 1), in: text)!])
                for k in key.matches(in: inner, range: NSRange(inner.startIndex..., in: inner)) {
                    keys.insert(String(inner[Range(k.range(at: 1), in: inner)!]))
                }
            }
        }
        #expect(keys.count > 30, "the scan found the literals: \(keys.sorted())")
        let unlabelled = keys.filter { AuditLabels.detailKeys[$0] == nil }
        #expect(unlabelled.isEmpty, "keys written with no label: \(unlabelled.sorted())")
    }

    @Test func aDrawsExpertListsAreNotCounts() {
        let shown = AuditLabels.detail(#"{"seed":"abc","inputs_sha256":"00ff","panel":[4,1,3],"reserves":[2]}"#, action: "session.draw")
        #expect(shown == "随机种子：abc；抽取依据 SHA-256：00ff；评审专家（编号）：4、1、3；备选专家（编号）：2", "\(shown)")
        #expect(AuditLabels.detail(#"{"panel":5,"applications":2,"left_out":0}"#, action: "session.close").hasPrefix("评审专家人数：5"))
    }

    @Test func relayedRowsNameTheProvinceAndTheCityInChinese() {
        #expect(AuditLabels.detail(#"{"province":"province","result":"通过"}"#) == "省：省职改办（province）；结果：通过")
        #expect(AuditLabels.detail(#"{"from":"zhengzhou","source_application_id":7}"#, action: "application.receive") == "报送地市：zhengzhou；地市申报编号：7")
        #expect(AuditLabels.detail(#"{"from":"/b/a.sqlite"}"#, action: "tenant.restore") == "原：/b/a.sqlite")
    }

    @Test func objectionStatesAreSaidInChinese() {
        #expect(AuditLabels.detail(#"{"evaluation":3,"state":"upheld"}"#) == "评审：3；状态：异议成立")
        #expect(AuditLabels.detail(#"{"state":"open"}"#) == "状态：待处理")
    }
}
