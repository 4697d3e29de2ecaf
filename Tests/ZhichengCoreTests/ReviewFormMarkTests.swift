import Testing
import ZhichengCore

/// The mark of a printed 评审表 (ReviewFormMark): an application that did not go on says so.
@Suite("Review form marks")
struct ReviewFormMarkTests {
    static func mark(_ state: ApplicationState) -> String? {
        ReviewFormMark(state: state, kind: .title).map { $0.label + " " + $0.dateCaption }
    }

    @Test func anApplicationThatEndedShortOrWentBackIsMarked() {
        #expect(Self.mark(.withdrawn) == "已撤回 撤回时间")
        #expect(Self.mark(.returned) == "退回修改 退回时间")
        #expect(Self.mark(.rejected) == "未通过 审查结束时间")
        #expect(Self.mark(.failed) == "评审未通过 结果确认时间")
        // An expert recommendation turned down was not judged by a committee: 未通过.
        #expect(ReviewFormMark(state: .failed, kind: .expert)?.label == "未通过")
    }

    /// An expert recommendation the province office admitted ended there, with no committee's
    /// opinion to say so: its form says 已入库（专家信息库） and when, as a rejection's says 未通过.
    @Test func anExpertAdmittedIsMarkedSo() {
        let mark = ReviewFormMark(state: .passed, kind: .expert)
        #expect(mark.map { $0.label + " " + $0.dateCaption } == "已入库（专家信息库） 入库时间")
        #expect(mark?.label == ApplicationKind.expert.label(of: .passed))
        for state in ApplicationState.allCases where state != .passed {
            #expect(ReviewFormMark(state: state, kind: .expert)?.dateCaption == ReviewFormMark(state: state, kind: .title)?.dateCaption, "\(state)")
        }
    }

    /// The admission is the end the recommendation was meant for: its mark is the only one not
    /// printed in the red of an application that was withdrawn, returned or turned down.
    @Test func onlyTheAdmissionIsNoEndShort() {
        #expect(ReviewFormMark(state: .passed, kind: .expert)?.isAdmission == true)
        for kind in [ApplicationKind.title, .expert] {
            for state in ApplicationState.allCases where !(kind == .expert && state == .passed) {
                #expect(ReviewFormMark(state: state, kind: kind)?.isAdmission != true, "\(kind) \(state)")
            }
        }
    }

    /// A form under way or passed needs no mark; the marks are the states' own words.
    @Test func oneUnderWayOrPassedIsNot() {
        for state in ApplicationState.allCases {
            let mark = ReviewFormMark(state: state, kind: .title)
            #expect((mark != nil) == [.withdrawn, .returned, .rejected, .failed].contains(state), "\(state)")
            if let mark { #expect(mark.label == state.label) }
        }
    }
}
