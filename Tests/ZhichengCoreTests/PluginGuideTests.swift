import Foundation
import Testing
import ZhichengCore

@Suite("The plugin guide (zhicheng_plugin.h, README) names every return reason and section the daemon takes")
struct PluginGuideTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["Sources/CZhichengPlugin/include/zhicheng_plugin.h", "README.md"])
    func listsTheValidValues(_ path: String) throws {
        let text = try String(contentsOf: Self.repo.appendingPathComponent(path), encoding: .utf8)
        for reason in ReturnReason.allCases {
            #expect(text.contains(reason.rawValue) && text.contains(reason.label), "\(path) lacks \(reason.rawValue) (\(reason.label))")
        }
        for section in ApplicationSection.allCases { #expect(text.contains(section.rawValue), "\(path) lacks \(section.rawValue)") }
    }
}
