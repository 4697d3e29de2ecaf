import CZhichengPlugin
import Foundation

/// The helper-process side: loads one plugin with `dlopen` and serves the
/// supervisor over stdin/stdout, one JSON object per line. Only this process
/// ever runs plugin code.
public enum PluginChild {
    /// Runs until stdin closes; returns the process exit status.
    public static func run(path: String) -> Int32 {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return fail("cannot load \(path): \(String(cString: dlerror()))")
        }
        guard let symbol = dlsym(handle, ZHICHENG_PLUGIN_ENTRY_SYMBOL) else {
            return fail("\(path) does not export \(ZHICHENG_PLUGIN_ENTRY_SYMBOL)")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<zhicheng_plugin_v1>?
        guard let plugin = unsafeBitCast(symbol, to: Entry.self)()?.pointee else { return fail("the entry function returned NULL") }
        guard plugin.abi_version == ZHICHENG_PLUGIN_ABI_VERSION else {
            return fail("built for plugin ABI version \(plugin.abi_version); this daemon speaks version \(ZHICHENG_PLUGIN_ABI_VERSION)")
        }
        guard let manifest = plugin.manifest_json.map({ String(cString: $0) }), let call = plugin.call, let free = plugin.free_result else {
            return fail("the descriptor lacks a manifest, call or free_result")
        }
        send(["ok": true, "abi": Int(ZHICHENG_PLUGIN_ABI_VERSION), "manifest": manifest])
        while let line = readLine(strippingNewline: true) {
            guard let request = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = request["step"] as? String, let input = request["input"] as? String else {
                send(["ok": false, "error": "malformed request"])
                continue
            }
            guard let output = call(step, input) else {
                send(["ok": false, "error": "the plugin returned no result for step \(step)"])
                continue
            }
            let text = String(cString: output)
            free(output)
            send(["ok": true, "output": text])
        }
        return 0
    }

    static func send(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    static func fail(_ message: String) -> Int32 {
        send(["ok": false, "error": message])
        return 2
    }
}
