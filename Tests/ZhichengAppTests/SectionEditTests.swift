import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The application page's save (`ApplicationService.saveSections`): what changed on the page
/// is compared with what is stored in the transaction that saves it, all or nothing.
@Suite("Sections saved from an editing page")
struct SectionEditTests {
    typealias Edit = ApplicationService.SectionEdit

    /// A city, its admin, an applicant (account and session) and their draft title application.
    static func draft() async throws -> (ExpertFixture, SignedIn, CreatedAccount, SignedIn, ApplicationView) {
        let f = try ExpertFixture()
        let c = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let city = try await f.signIn("zhengzhou", c.adminLogin, c.adminPassword)
        let person = try await f.people.addApplicant(to: city.orgID, idNumber: "410102199001011234", name: "周填写", phone: "", caller: city)
        let applicant = try await f.signIn("zhengzhou", person.account.login, person.password)
        let app = try await f.applications.create(kind: "title", year: 2026, series: "中小学教师", level: "中级", title: "一级教师", caller: applicant)
        return (f, city, person, applicant, app)
    }

    @Test func aSectionChangedElsewhereIsNeitherOverwrittenNorPartlySaved() async throws {
        let (f, city, person, applicant, app) = try await Self.draft()
        let basic = ["内容": "周填写，女"], work = ["内容": "任教十年"]
        _ = try await f.applications.saveSection(app.id, section: "基本信息", fields: basic, caller: applicant)
        _ = try await f.applications.saveSection(app.id, section: "工作经历", fields: work, caller: applicant)
        let shown = (basic: ApplicationService.fingerprint(basic, section: "基本信息"), work: ApplicationService.fingerprint(work, section: "工作经历"))
        // Another tab changes 工作经历 after the page was shown.
        _ = try await f.applications.saveSection(app.id, section: "工作经历", fields: ["内容": "另一处：任教十一年"], caller: applicant)
        func stored() async throws -> [String: [String: String]] { try await f.applications.get(app.id, caller: applicant).sections }

        // Both changed on the page: 工作经历 conflicts, so 基本信息 is not saved either.
        await #expect {
            _ = try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: ["内容": "周填写，女，汉族"], shown: shown.basic),
                                                              Edit(section: "工作经历", fields: ["内容": "这里：任教十二年"], shown: shown.work)], caller: applicant)
        } throws: { error in
            (error as? ZhichengError)?.code == .conflict && (error as? ZhichengError)?.message.contains("“工作经历”") == true
        }
        #expect(try await stored() == ["基本信息": basic, "工作经历": ["内容": "另一处：任教十一年"]])

        // 工作经历 as the page showed it (untouched there): only 基本信息 is saved; the other tab's text stands.
        let saved = try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: ["内容": "周填写，女，汉族"], shown: shown.basic),
                                                                   Edit(section: "工作经历", fields: work, shown: shown.work)], caller: applicant)
        #expect(saved == ["基本信息"])
        #expect(try await stored() == ["基本信息": ["内容": "周填写，女，汉族"], "工作经历": ["内容": "另一处：任教十一年"]])
        // Nothing changed: nothing written (not even the version).
        let version = try await f.applications.get(app.id, caller: applicant).version
        #expect(try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: ["内容": "周填写，女，汉族"], shown: nil)], caller: applicant) == [])
        #expect(try await f.applications.get(app.id, caller: applicant).version == version)

        // An applicant deleted by the unit meanwhile (a draft does not stop it) can no longer write.
        try await f.people.deleteApplicant(person.account.id, caller: city)
        await #expect {
            _ = try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: ["内容": "删除之后"], shown: nil)], caller: applicant)
        } throws: { error in (error as? ZhichengError)?.code == .unauthorized }
    }

    /// Line breaks are one LF whichever door a section came through, and a section stored
    /// with CR LF (an API client, before that) is the same text as the page's LF: a save of
    /// another section leaves it alone.
    @Test func lineBreaksAreOneWhicheverDoorTheyCameThrough() async throws {
        let (f, _, _, applicant, app) = try await Self.draft()
        _ = try await f.applications.saveSection(app.id, section: "学历学位", fields: ["内容": "本科\r\n硕士\r在读"], caller: applicant)
        #expect(try await f.applications.get(app.id, caller: applicant).sections["学历学位"] == ["内容": "本科\n硕士\n在读"])

        let crlf = ["获奖明细": "2019 省级一等奖\r\n2021 国家级二等奖"]
        try await f.store.withTenant(TenantID("zhengzhou")) { db in
            _ = try await db.write { conn in
                try conn.run("INSERT INTO application_sections (application_id, section, content, updated_at) VALUES (?, '获奖情况', ?, 0)",
                             [app.id, #"{"获奖明细":"2019 省级一等奖\r\n2021 国家级二等奖"}"#])
            }
        }
        let version = try await f.applications.get(app.id, caller: applicant).version
        let saved = try await f.applications.saveSections(app.id, [
            Edit(section: "获奖情况", fields: ["获奖明细": "2019 省级一等奖\r\n2021 国家级二等奖"], shown: ApplicationService.fingerprint(crlf, section: "获奖情况")),
            Edit(section: "基本信息", fields: ["内容": "周填写"], shown: nil),
        ], caller: applicant)
        #expect(saved == ["基本信息"])
        #expect(try await f.applications.get(app.id, caller: applicant).version == version + 1, "one section written")
        // Edited on a page that showed it as stored (its digest of the CR LF text): saved, not a conflict.
        let edited = try await f.applications.saveSections(app.id, [
            Edit(section: "获奖情况", fields: ["获奖明细": "2019 省级一等奖\r\n2021 国家级二等奖\r\n2023 市级一等奖"], shown: ApplicationService.fingerprint(crlf, section: "获奖情况")),
        ], caller: applicant)
        #expect(edited == ["获奖情况"])
        #expect(try await f.applications.get(app.id, caller: applicant).sections["获奖情况"] == ["获奖明细": "2019 省级一等奖\n2021 国家级二等奖\n2023 市级一等奖"])
    }

    /// A standard field stored before its rule (a month written 1985年6月, a 性别 not among the
    /// choices): the page shows the month as its control holds it (1985-06) and the rest as it
    /// is, and posting that back untouched is no change (nothing written, nothing refused, no
    /// conflict with a change made elsewhere meanwhile); a change of the section holds the whole
    /// section to the rule, and what the page left empty is gone.
    @Test func aValueStoredBeforeTheRuleIsShownInItsKeptFormAndSavedOnlyWhenChanged() async throws {
        let (f, _, _, applicant, app) = try await Self.draft()
        try await f.store.withTenant(TenantID("zhengzhou")) { db in
            _ = try await db.write { conn in
                try conn.run("INSERT INTO application_sections (application_id, section, content, updated_at) VALUES (?, '基本信息', ?, 0)",
                             [app.id, #"{"内容":"汉族","出生年月":"1985年6月","性别":"男性"}"#])
            }
        }
        let stored = ["内容": "汉族", "出生年月": "1985年6月", "性别": "男性"]
        let shown = ApplicationService.fingerprint(stored, section: "基本信息")
        let page = SectionFields.shown(stored, section: "基本信息")
        #expect(page == ["内容": "汉族", "出生年月": "1985-06", "性别": "男性"])
        #expect(ApplicationService.fingerprint(page, section: "基本信息") == shown)
        let version = try await f.applications.get(app.id, caller: applicant).version
        #expect(try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: page, shown: shown)], caller: applicant) == [])
        #expect(try await f.applications.get(app.id, caller: applicant).version == version)

        // Changed on the page: the whole section is held to the rule, named by its field.
        await #expect(throws: ZhichengError.invalid("“基本信息”的“性别”应为“男”或“女”", field: "性别")) {
            _ = try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: page.merging(["内容": "汉族，党员"]) { $1 }, shown: shown)],
                                                      caller: applicant)
        }
        #expect(try await f.applications.get(app.id, caller: applicant).sections["基本信息"] == stored)
        // Mended: saved as kept, the month left empty on the page is gone.
        let saved = try await f.applications.saveSections(app.id, [Edit(section: "基本信息", fields: ["内容": "汉族，党员", "性别": "男", "取得时间": "2018.12"],
                                                                        shown: shown)], caller: applicant)
        #expect(saved == ["基本信息"])
        #expect(try await f.applications.get(app.id, caller: applicant).sections["基本信息"] == ["内容": "汉族，党员", "性别": "男", "取得时间": "2018-12"])
    }
}
