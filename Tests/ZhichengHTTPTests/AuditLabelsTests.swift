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
}
