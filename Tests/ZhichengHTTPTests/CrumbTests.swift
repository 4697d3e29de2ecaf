import Testing
@testable import ZhichengHTTP

@Suite("The page's place (crumb)")
struct CrumbTests {
    static var groups: [[String: Any]] { [
        ["title": "首页", "links": [["label": "首页", "current": false], ["label": "修改密码", "current": false]]],
        ["title": "单位管理", "links": [["label": "单位管理", "current": false], ["label": "单位信息维护", "current": true]]],
    ] }

    @Test func theMenuGroupAndEntryAsTheManualHeadsAScreen() {
        #expect(UI.crumb(Self.groups, title: "单位信息维护") == "单位管理 > 单位信息维护")
        #expect(UI.crumb(Self.groups, title: "错误：单位信息维护") == "单位管理 > 单位信息维护")
    }

    @Test func aDetailPageAddsItsTitle() {
        #expect(UI.crumb(Self.groups, title: "查看单位信息：逸夫小学") == "单位管理 > 单位信息维护 > 查看单位信息：逸夫小学")
    }

    @Test func aTitleTheEntryBeginsWithIsNotSaidAgain() {
        let mine: [[String: Any]] = [["title": "职称申报", "links": [["label": "我的申报（职称申报、专家推荐）", "current": true]]]]
        #expect(UI.crumb(mine, title: "我的申报") == "职称申报 > 我的申报（职称申报、专家推荐）")
    }

    @Test func anEntryNamedAsItsGroupIsSaidOnce() {
        let home: [[String: Any]] = [["title": "首页", "links": [["label": "首页", "current": true]]]]
        #expect(UI.crumb(home, title: "首页") == "首页")
    }

    @Test func aPageOfNoMenuEntryHasNone() {
        let none: [[String: Any]] = [["title": "首页", "links": [["label": "首页", "current": false]]]]
        #expect(UI.crumb(none, title: "修改密码") == nil)
    }
}
